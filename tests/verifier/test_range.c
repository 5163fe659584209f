/* test_range.c - scalar bounds: ALU transfer and branch refinement are sound against brute force on small sets */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/harness.h"
#include "verifier/range.h"

/* values where the four orders (u64, s64, u32, s32) disagree */
static const uint64_t interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ULL, 0x17fffffffULL, 0x180000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0xffffffff80000000ULL, 0xffffffff7fffffffULL, -1ULL, -2ULL, -3ULL, -8ULL, -16ULL, -0x80ULL,
};
#define N_INTERESTING (sizeof(interesting) / sizeof(interesting[0]))

/* the abstraction of a concrete set: best tnum and the tight bounds in every order, then synced */
static struct bounds abstract_of(const uint64_t *v, int n)
{
	struct bounds b;
	uint64_t va = ~0ULL, vo = 0;
	b.umin_value = U64_MAX, b.umax_value = 0, b.smin_value = S64_MAX, b.smax_value = S64_MIN;
	b.u32_min_value = U32_MAX, b.u32_max_value = 0, b.s32_min_value = S32_MAX, b.s32_max_value = S32_MIN;
	for (int i = 0; i < n; i++) {
		uint64_t x = v[i];
		va &= x, vo |= x;
		if (x < b.umin_value) b.umin_value = x;
		if (x > b.umax_value) b.umax_value = x;
		if ((int64_t)x < b.smin_value) b.smin_value = (int64_t)x;
		if ((int64_t)x > b.smax_value) b.smax_value = (int64_t)x;
		if ((uint32_t)x < b.u32_min_value) b.u32_min_value = (uint32_t)x;
		if ((uint32_t)x > b.u32_max_value) b.u32_max_value = (uint32_t)x;
		if ((int32_t)x < b.s32_min_value) b.s32_min_value = (int32_t)x;
		if ((int32_t)x > b.s32_max_value) b.s32_max_value = (int32_t)x;
	}
	b.var_off = TNUM(va, va ^ vo);
	reg_bounds_sync(&b);
	return b;
}

static uint64_t concrete_alu(uint8_t op, uint64_t x, uint64_t y, bool alu32)
{
	if (alu32) {
		uint32_t a = (uint32_t)x, c = (uint32_t)y, r;
		switch (op) {
		case BPF_ADD: r = a + c; break;
		case BPF_SUB: r = a - c; break;
		case BPF_MUL: r = a * c; break;
		case BPF_AND: r = a & c; break;
		case BPF_OR: r = a | c; break;
		case BPF_XOR: r = a ^ c; break;
		case BPF_LSH: r = a << (c & 31); break;
		case BPF_RSH: r = a >> (c & 31); break;
		case BPF_ARSH: r = (uint32_t)((int32_t)a >> (c & 31)); break;
		default: r = -a; break;
		}
		return r;
	}
	switch (op) {
	case BPF_ADD: return x + y;
	case BPF_SUB: return x - y;
	case BPF_MUL: return x * y;
	case BPF_AND: return x & y;
	case BPF_OR: return x | y;
	case BPF_XOR: return x ^ y;
	case BPF_LSH: return x << (y & 63);
	case BPF_RSH: return x >> (y & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)x >> (y & 63));
	default: return -x;
	}
}

static bool concrete_jmp(uint8_t op, uint64_t x, uint64_t y, bool j32)
{
	if (j32) {
		x = (uint32_t)x, y = (uint32_t)y;
		int32_t sx = (int32_t)x, sy = (int32_t)y;
		switch (op) {
		case BPF_JSGT: return sx > sy;
		case BPF_JSGE: return sx >= sy;
		case BPF_JSLT: return sx < sy;
		case BPF_JSLE: return sx <= sy;
		default: break;
		}
	}
	switch (op) {
	case BPF_JEQ: return x == y;
	case BPF_JNE: return x != y;
	case BPF_JSET: return x & y;
	case BPF_JGT: return x > y;
	case BPF_JGE: return x >= y;
	case BPF_JLT: return x < y;
	case BPF_JLE: return x <= y;
	case BPF_JSGT: return (int64_t)x > (int64_t)y;
	case BPF_JSGE: return (int64_t)x >= (int64_t)y;
	case BPF_JSLT: return (int64_t)x < (int64_t)y;
	default: return (int64_t)x <= (int64_t)y;
	}
}

static const uint8_t alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH,
				   BPF_ARSH, BPF_NEG };
static const uint8_t jmp_ops[] = { BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
				   BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE };

struct stats {
	long cases, alu_bad, inv_bad, taken_bad, refine_bad;
	char first[200];
};

static void note(struct stats *st, long *ctr, const char *what, uint8_t op, bool w32, uint64_t x, uint64_t y)
{
	if (!(*ctr)++ && !st->first[0])
		snprintf(st->first, sizeof(st->first), "%s op %#x%s x=%#llx y=%#llx", what, op, w32 ? " (32)" : "",
			 (unsigned long long)x, (unsigned long long)y);
}

static void check_pair(struct stats *st, const uint64_t *a, int na, const uint64_t *b, int nb)
{
	struct bounds A = abstract_of(a, na), B = abstract_of(b, nb);
	st->cases++;
	for (size_t o = 0; o < sizeof(alu_ops); o++)
		for (int w = 0; w < 2; w++) {
			struct bounds r = A;
			if (!scalar_alu(&r, B, alu_ops[o], w))
				continue; /* the caller marks the result unknown: trivially sound */
			if (!bounds_check(&r))
				note(st, &st->inv_bad, "invariant", alu_ops[o], w, a[0], b[0]);
			for (int i = 0; i < na; i++)
				for (int j = 0; j < nb; j++) {
					uint64_t c = concrete_alu(alu_ops[o], a[i], b[j], w);
					if (!bounds_contains(&r, c))
						note(st, &st->alu_bad, "alu", alu_ops[o], w, a[i], b[j]);
				}
		}
	for (size_t o = 0; o < sizeof(jmp_ops); o++)
		for (int w = 0; w < 2; w++) {
			uint8_t op = jmp_ops[o];
			int taken = is_scalar_branch_taken(&A, &B, op, w);
			struct bounds t1 = A, t2 = B, f1 = A, f2 = B;
			if (taken < 0)
				reg_set_min_max(&t1, &t2, &f1, &f2, op, w);
			for (int i = 0; i < na; i++)
				for (int j = 0; j < nb; j++) {
					bool c = concrete_jmp(op, a[i], b[j], w);
					if (taken >= 0 && c != taken)
						note(st, &st->taken_bad, "branch_taken", op, w, a[i], b[j]);
					if (taken < 0 && c && (!bounds_contains(&t1, a[i]) || !bounds_contains(&t2, b[j])))
						note(st, &st->refine_bad, "refine true", op, w, a[i], b[j]);
					if (taken < 0 && !c && (!bounds_contains(&f1, a[i]) || !bounds_contains(&f2, b[j])))
						note(st, &st->refine_bad, "refine false", op, w, a[i], b[j]);
				}
		}
}

int main(void)
{
	struct stats st = { 0 };
	/* exhaustive: every pair of intervals of small signed values (5-bit; 4-bit under SAN) */
	int lo_v = t_sanitized() ? -8 : -16, hi_v = -lo_v - 1;
	uint64_t a[64], b[64];
	for (int alo = lo_v; alo <= hi_v; alo++)
		for (int ahi = alo; ahi <= hi_v; ahi++)
			for (int blo = lo_v; blo <= hi_v; blo += 1)
				for (int bhi = blo; bhi <= hi_v; bhi += (t_sanitized() ? 3 : 2)) {
					int na = 0, nb = 0;
					for (int v = alo; v <= ahi; v++) a[na++] = (uint64_t)(int64_t)v;
					for (int v = blo; v <= bhi; v++) b[nb++] = (uint64_t)(int64_t)v;
					check_pair(&st, a, na, b, nb);
				}
	/* seeded random small sets of interesting values and their neighbours */
	uint64_t seed = t_seed("test_range"), state = seed | 1;
	long iters = t_env_count("BPFVM_RANGE_COUNT", t_sanitized() ? 20000 : 200000);
	for (long it = 0; it < iters; it++) {
		int na = 1 + (int)(t_rand(&state) % 4), nb = 1 + (int)(t_rand(&state) % 4);
		for (int i = 0; i < na + nb; i++) {
			uint64_t v = interesting[t_rand(&state) % N_INTERESTING] + (t_rand(&state) % 5) - 2;
			if (t_rand(&state) % 4 == 0) v = t_rand(&state) % 70; /* shift amounts */
			if (i < na) a[i] = v; else b[i - na] = v;
		}
		check_pair(&st, a, na, b, nb);
	}
	CHECK(st.alu_bad == 0, "scalar_alu sound over %ld operand pairs x 20 ops: %ld misses %s", st.cases, st.alu_bad,
	      st.alu_bad ? st.first : "");
	CHECK(st.inv_bad == 0, "scalar_alu keeps bounds invariants: %ld violations %s", st.inv_bad,
	      st.inv_bad ? st.first : "");
	CHECK(st.taken_bad == 0, "is_scalar_branch_taken sound (22 jumps): %ld wrong %s", st.taken_bad,
	      st.taken_bad ? st.first : "");
	CHECK(st.refine_bad == 0, "reg_set_min_max sound on both branches: %ld misses %s", st.refine_bad,
	      st.refine_bad ? st.first : "");

	/* byte swaps: every concrete swap lies in the abstract one */
	long swap_bad = 0;
	for (long it = 0; it < iters / 10; it++) {
		int na = 1 + (int)(t_rand(&state) % 4);
		for (int i = 0; i < na; i++)
			a[i] = interesting[t_rand(&state) % N_INTERESTING] ^ (t_rand(&state) % 3 ? 0 : t_rand(&state));
		struct bounds A = abstract_of(a, na);
		for (int w = 16; w <= 64; w *= 2)
			for (int sw = 0; sw < 2; sw++) {
				struct bounds r = A;
				scalar_byte_swap(&r, w, sw);
				for (int i = 0; i < na; i++) {
					uint64_t c = !sw ? (w == 64 ? a[i] : a[i] & ((1ULL << w) - 1))
						 : w == 16 ? __builtin_bswap16((uint16_t)a[i])
						 : w == 32 ? __builtin_bswap32((uint32_t)a[i]) : __builtin_bswap64(a[i]);
					if (!bounds_contains(&r, c) || !bounds_check(&r))
						swap_bad++;
				}
			}
	}
	CHECK(swap_bad == 0, "scalar_byte_swap sound: %ld misses", swap_bad);

	/* known facts */
	struct bounds r;
	__mark_reg_known(&r, 5);
	struct bounds s;
	__mark_reg_known(&s, 3);
	scalar_alu(&r, s, BPF_ADD, false);
	CHECK(tnum_equals_const(r.var_off, 8) && r.umin_value == 8 && r.smax_value == 8, "5 + 3 is the constant 8");
	mark_bounds_unknown(&r);
	__mark_reg_known(&s, 0xff);
	scalar_alu(&r, s, BPF_AND, false);
	CHECK(r.umax_value == 0xff && r.smin_value == 0 && r.var_off.mask == 0xff, "unknown & 0xff is [0, 255]");
	mark_bounds_unknown(&r);
	__mark_reg_known(&s, 10);
	struct bounds t1 = r, t2 = s, f1 = r, f2 = s;
	reg_set_min_max(&t1, &t2, &f1, &f2, BPF_JGT, false);
	CHECK(t1.umin_value == 11 && f1.umax_value == 10, "if r > 10: true branch umin 11, false branch umax 10");
	return t_done();
}
