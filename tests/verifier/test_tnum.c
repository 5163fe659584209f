/* test_tnum.c - every tnum operation over every pair of W-bit tnums (W=8, 6 under SAN) against brute force */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/harness.h"
#include "verifier/tnum.h"

static int W;
static int n_tnums;
static struct tnum *tnums;     /* every W-bit tnum */
static uint64_t *tab_and, *tab_or; /* [x][b]: AND / OR of f(x, y) over y in tnum b */

static void enum_tnums(void)
{
	int n = 1;
	for (int i = 0; i < W; i++)
		n *= 3;
	n_tnums = n;
	tnums = calloc((size_t)n, sizeof(*tnums));
	for (int i = 0; i < n; i++) {
		int k = i;
		struct tnum t = { 0, 0 };
		for (int bit = 0; bit < W; bit++, k /= 3) {
			if (k % 3 == 1) t.value |= 1ULL << bit;
			if (k % 3 == 2) t.mask |= 1ULL << bit;
		}
		tnums[i] = t;
	}
}

/* simpler explicit iteration over subsets of the mask */
static int members(struct tnum t, uint64_t *out)
{
	int n = 0;
	uint64_t s = 0;
	do {
		out[n++] = t.value | s;
		s = (s - t.mask) & t.mask;
	} while (s);
	return n;
}

typedef uint64_t (*concrete_fn)(uint64_t x, uint64_t y);
typedef struct tnum (*abstract_fn)(struct tnum a, struct tnum b);

static uint64_t c_add(uint64_t x, uint64_t y) { return x + y; }
static uint64_t c_sub(uint64_t x, uint64_t y) { return x - y; }
static uint64_t c_mul(uint64_t x, uint64_t y) { return x * y; }
static uint64_t c_and(uint64_t x, uint64_t y) { return x & y; }
static uint64_t c_or(uint64_t x, uint64_t y) { return x | y; }
static uint64_t c_xor(uint64_t x, uint64_t y) { return x ^ y; }

/* best tnum of {f(x, y) : x in a, y in b} for every pair; counts unsound and non-optimal pairs */
static void check_binop(const char *name, concrete_fn f, abstract_fn g, int want_optimal)
{
	size_t N = (size_t)1 << W;
	uint64_t buf[256];
	long unsound = 0, suboptimal = 0;
	struct tnum first_bad_a = { 0, 0 }, first_bad_b = { 0, 0 };

	for (uint64_t x = 0; x < N; x++)
		for (int j = 0; j < n_tnums; j++) {
			int n = members(tnums[j], buf);
			uint64_t va = ~0ULL, vo = 0;
			for (int k = 0; k < n; k++) {
				uint64_t r = f(x, buf[k]);
				va &= r;
				vo |= r;
			}
			tab_and[x * (size_t)n_tnums + (size_t)j] = va;
			tab_or[x * (size_t)n_tnums + (size_t)j] = vo;
		}
	for (int i = 0; i < n_tnums; i++) {
		int n = members(tnums[i], buf);
		for (int j = 0; j < n_tnums; j++) {
			uint64_t va = ~0ULL, vo = 0;
			for (int k = 0; k < n; k++) {
				va &= tab_and[buf[k] * (size_t)n_tnums + (size_t)j];
				vo |= tab_or[buf[k] * (size_t)n_tnums + (size_t)j];
			}
			struct tnum best = TNUM(va, va ^ vo);
			struct tnum got = g(tnums[i], tnums[j]);
			if (!tnum_in(got, best) || (got.value & got.mask)) {
				if (!unsound++)
					first_bad_a = tnums[i], first_bad_b = tnums[j];
			} else if (got.value != best.value || got.mask != best.mask) {
				suboptimal++;
			}
		}
	}
	if (unsound)
		t_fail("tnum_%s sound (%d-bit): %ld unsound pairs, first (%#llx;%#llx) (%#llx;%#llx)", name, W, unsound,
		       (unsigned long long)first_bad_a.value, (unsigned long long)first_bad_a.mask,
		       (unsigned long long)first_bad_b.value, (unsigned long long)first_bad_b.mask);
	else
		t_pass("tnum_%s sound (%d-bit, %d^2 pairs)", name, W, n_tnums);
	if (want_optimal)
		CHECK(suboptimal == 0, "tnum_%s optimal (%d-bit): %ld suboptimal pairs", name, W, suboptimal);
}

/* unary: f applied to every member */
static void check_unop(const char *name, uint64_t (*f)(uint64_t, int), struct tnum (*g)(struct tnum, int), int param,
		       int want_optimal, int shift_to_top)
{
	uint64_t buf[256];
	long unsound = 0, suboptimal = 0;
	for (int i = 0; i < n_tnums; i++) {
		struct tnum a = tnums[i];
		if (shift_to_top)
			a = TNUM(a.value << (64 - W), a.mask << (64 - W));
		int n = members(a, buf);
		uint64_t va = ~0ULL, vo = 0;
		for (int k = 0; k < n; k++) {
			uint64_t r = f(buf[k], param);
			va &= r;
			vo |= r;
		}
		struct tnum best = TNUM(va, va ^ vo);
		struct tnum got = g(a, param);
		if (!tnum_in(got, best))
			unsound++;
		else if (got.value != best.value || got.mask != best.mask)
			suboptimal++;
	}
	CHECK(unsound == 0 && (!want_optimal || suboptimal == 0), "tnum_%s by %d (%d-bit): %ld unsound, %ld suboptimal",
	      name, param, W, unsound, suboptimal);
}

static uint64_t c_lsh(uint64_t x, int s) { return x << s; }
static uint64_t c_rsh(uint64_t x, int s) { return x >> s; }
static uint64_t c_arsh64(uint64_t x, int s) { return (uint64_t)((int64_t)x >> s); }
static uint64_t c_arsh32(uint64_t x, int s) { return (uint32_t)((int32_t)(uint32_t)(x >> 32) >> s); }
static uint64_t c_cast(uint64_t x, int s) { return s >= 8 ? x : x & ((1ULL << (8 * s)) - 1); }
static uint64_t c_neg(uint64_t x, int s) { return -x; }
static struct tnum a_lsh(struct tnum a, int s) { return tnum_lshift(a, (uint8_t)s); }
static struct tnum a_rsh(struct tnum a, int s) { return tnum_rshift(a, (uint8_t)s); }
static struct tnum a_arsh64(struct tnum a, int s) { return tnum_arshift(a, (uint8_t)s, 64); }
static struct tnum a_arsh32(struct tnum a, int s) { return tnum_arshift(tnum_rshift(a, 32), (uint8_t)s, 32); }
static struct tnum a_cast(struct tnum a, int s) { return tnum_cast(a, (uint8_t)s); }
static struct tnum a_neg(struct tnum a, int s) { return tnum_neg(a); }

static void check_set_ops(void)
{
	long bad_in = 0, bad_inter = 0, bad_union = 0, bad_range = 0;
	for (int i = 0; i < n_tnums; i++)
		for (int j = 0; j < n_tnums; j++) {
			struct tnum a = tnums[i], b = tnums[j];
			/* tnum_in(a, b) iff every member of b is a member of a */
			int all = 1;
			uint64_t s = 0;
			do {
				if (!tnum_contains(a, b.value | s)) all = 0;
				s = (s - b.mask) & b.mask;
			} while (s && all);
			if (all != tnum_in(a, b))
				bad_in++;
			/* union: both in it, optimal (bitwise AND/OR of the two sets) */
			struct tnum u = tnum_union(a, b);
			if (!tnum_in(u, a) || !tnum_in(u, b))
				bad_union++;
			/* intersect of overlapping tnums: exactly the common members */
			uint64_t common = ~(a.mask | b.mask) & (a.value ^ b.value);
			if (!common) {
				struct tnum x = tnum_intersect(a, b);
				uint64_t bufa[256];
				int n = members(a, bufa), cnt = 0, ok = 1;
				for (int k = 0; k < n; k++)
					if (tnum_contains(b, bufa[k])) {
						cnt++;
						if (!tnum_contains(x, bufa[k])) ok = 0;
					}
				if (!ok || cnt != (1 << __builtin_popcountll(x.mask)))
					bad_inter++;
			}
		}
	CHECK(bad_in == 0, "tnum_in agrees with membership (%d-bit): %ld wrong", W, bad_in);
	CHECK(bad_union == 0, "tnum_union contains both (%d-bit): %ld wrong", W, bad_union);
	CHECK(bad_inter == 0, "tnum_intersect is exactly the common members (%d-bit): %ld wrong", W, bad_inter);
	uint64_t N = 1ULL << W;
	for (uint64_t lo = 0; lo < N; lo++)
		for (uint64_t hi = lo; hi < N; hi++) {
			struct tnum r = tnum_range(lo, hi);
			for (uint64_t v = lo; v <= hi; v++)
				if (!tnum_contains(r, v)) { bad_range++; break; }
		}
	struct tnum full = tnum_range(0, ~0ULL);
	CHECK(bad_range == 0 && tnum_is_unknown(full), "tnum_range covers [min, max] (%d-bit): %ld wrong", W, bad_range);
}

int main(void)
{
	W = t_sanitized() ? 6 : 8;
	enum_tnums();
	size_t N = (size_t)1 << W;
	tab_and = malloc(N * (size_t)n_tnums * sizeof(uint64_t));
	tab_or = malloc(N * (size_t)n_tnums * sizeof(uint64_t));
	if (!tab_and || !tab_or) {
		t_fail("out of memory");
		return t_done();
	}
	check_binop("add", c_add, tnum_add, 1);
	check_binop("sub", c_sub, tnum_sub, 1);
	check_binop("and", c_and, tnum_and, 1);
	check_binop("or", c_or, tnum_or, 1);
	check_binop("xor", c_xor, tnum_xor, 1);
	check_binop("mul", c_mul, tnum_mul, 0);
	int shifts[] = { 0, 1, 3, 7, 31, 32, 63 };
	for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		check_unop("lshift", c_lsh, a_lsh, shifts[i], 1, 0);
		check_unop("rshift", c_rsh, a_rsh, shifts[i], 1, 1);
		check_unop("arshift64", c_arsh64, a_arsh64, shifts[i], 1, 1);
		if (shifts[i] < 32)
			check_unop("arshift32", c_arsh32, a_arsh32, shifts[i], 1, 1);
	}
	check_unop("cast", c_cast, a_cast, 1, 1, 0);
	check_unop("cast", c_cast, a_cast, 1, 1, 1);
	check_unop("neg", c_neg, a_neg, 0, 1, 0);
	check_set_ops();

	char buf[80];
	tnum_strn(buf, sizeof(buf), TNUM(0x10, 0xf));
	CHECK(!strcmp(buf, "(0x10; 0xf)"), "tnum_strn prints the kernel's format: %s", buf);
	tnum_sbin(buf, sizeof(buf), TNUM(0x2, 0x1));
	CHECK(!strcmp(buf + 62, "1x") && buf[0] == '0', "tnum_sbin prints bits: %s", buf + 56);
	free(tab_and);
	free(tab_or);
	free(tnums);
	return t_done();
}
