/* progs.c - the JIT benchmark programs as BPF (a tiny label assembler) and as C; included by bench/jit_bench.c */
#include <string.h>

#include "progs.h"

/* ---- a label assembler: jumps and calls name a label, resolved at the end ---- */
struct asmb {
	struct bpf_insn *p;
	int n, max;
	int lab[32];
	struct {
		int at, lab;
	} fx[128];
	int nfx;
};

static void E(struct asmb *b, struct bpf_insn i)
{
	if (b->n < b->max)
		b->p[b->n] = i;
	b->n++;
}

static void LDDW(struct asmb *b, int d, uint64_t v)
{
	struct bpf_insn two[2] = { BPFVM_LD_IMM64(d, v) };

	E(b, two[0]);
	E(b, two[1]);
}

static void L(struct asmb *b, int l)
{
	b->lab[l] = b->n;
}

/* a jump (conditional or JA) or a local call to label l */
static void J(struct asmb *b, struct bpf_insn i, int l)
{
	b->fx[b->nfx].at = b->n;
	b->fx[b->nfx++].lab = l;
	E(b, i);
}

static int finish(struct asmb *b)
{
	if (b->n > b->max)
		return -1;
	for (int k = 0; k < b->nfx; k++) {
		struct bpf_insn *i = &b->p[b->fx[k].at];
		int rel = b->lab[b->fx[k].lab] - (b->fx[k].at + 1);

		if (i->code == (BPF_JMP | BPF_CALL))
			i->imm = rel;
		else
			i->off = (int16_t)rel;
	}
	return b->n;
}

static void prologue(struct asmb *b, enum bench_flavor fl)
{
	if (fl == FLAVOR_XDP) {
		E(b, BPFVM_LDX_MEM(BPF_W, 6, 1, 0)); /* r6 = ctx->data */
		E(b, BPFVM_LDX_MEM(BPF_W, 7, 1, 4)); /* r7 = ctx->data_end */
	} else {
		E(b, BPFVM_MOV64_REG(6, 1));
		E(b, BPFVM_MOV64_REG(7, 1));
		E(b, BPFVM_ALU64_REG(BPF_ADD, 7, 2));
	}
}

#define BPFVM_MOV32_REG(D, S) BPFVM_ALU32_REG(BPF_MOV, D, S)
#define A64(OP, D, IMM) BPFVM_ALU64_IMM(BPF_##OP, D, IMM)
#define A64R(OP, D, S) BPFVM_ALU64_REG(BPF_##OP, D, S)
#define A32(OP, D, IMM) BPFVM_ALU32_IMM(BPF_##OP, D, IMM)
#define A32R(OP, D, S) BPFVM_ALU32_REG(BPF_##OP, D, S)
#define JI(OP, D, IMM) BPFVM_JMP_IMM(BPF_##OP, D, IMM, 0)
#define JR(OP, D, S) BPFVM_JMP_REG(BPF_##OP, D, S, 0)
#define JA BPFVM_JA(0)
#define CALL BPFVM_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0)
#define START(out, max)                                                                                          \
	struct asmb bb = { .p = out, .max = max }, *b = &bb;
#define BEGIN                                                                                                    \
	struct asmb bb = { .p = out, .max = max }, *b = &bb;                                                     \
	prologue(b, fl)

/* 1. xorshift over registers: latency-bound, every engine should be equal */
static int b_alu(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	E(b, BPFVM_MOV64_IMM(0, 1));
	E(b, BPFVM_MOV64_IMM(1, 0));
	L(b, 0);
	E(b, BPFVM_MOV64_REG(3, 0)), E(b, A64(LSH, 3, 13)), E(b, A64R(XOR, 0, 3));
	E(b, BPFVM_MOV64_REG(3, 0)), E(b, A64(RSH, 3, 7)), E(b, A64R(XOR, 0, 3));
	E(b, BPFVM_MOV64_REG(3, 0)), E(b, A64(LSH, 3, 17)), E(b, A64R(XOR, 0, 3));
	E(b, A64R(ADD, 0, 1));
	E(b, A64(ADD, 1, 1));
	J(b, JI(JLT, 1, 1000), 0);
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_alu(uint8_t *d, size_t len)
{
	uint64_t x = 1;

	for (uint64_t i = 0; i < 1000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		x += i;
	}
	return x;
}

/* 2. bounds-checked byte scan: sum of bytes and count of bytes > 0x80 */
static int b_scan(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	E(b, BPFVM_MOV64_IMM(0, 0));
	E(b, BPFVM_MOV64_IMM(5, 0));
	E(b, BPFVM_MOV64_REG(2, 6));
	E(b, BPFVM_MOV64_IMM(1, 0));
	L(b, 0);
	E(b, BPFVM_MOV64_REG(3, 2)), E(b, A64(ADD, 3, 1));
	J(b, JR(JGT, 3, 7), 1);
	E(b, BPFVM_LDX_MEM(BPF_B, 4, 2, 0));
	E(b, A64R(ADD, 0, 4));
	J(b, JI(JLE, 4, 0x80), 2);
	E(b, A64(ADD, 5, 1));
	L(b, 2);
	E(b, A64(ADD, 2, 1));
	E(b, A64(ADD, 1, 1));
	J(b, JI(JLT, 1, BENCH_DATA_LEN), 0);
	L(b, 1);
	E(b, A64(LSH, 5, 20));
	E(b, A64R(ADD, 0, 5));
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_scan(uint8_t *d, size_t len)
{
	uint64_t sum = 0, cnt = 0;
	uint8_t *end = d + len;

	for (size_t i = 0; i < BENCH_DATA_LEN; i++) {
		if (d + i + 1 > end)
			break;
		sum += d[i];
		cnt += d[i] > 0x80;
	}
	return sum + (cnt << 20);
}

/* 3. FNV-1a 64 over the input */
static int b_fnv(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	LDDW(b, 0, 0xcbf29ce484222325ull);
	LDDW(b, 8, 0x100000001b3ull);
	E(b, BPFVM_MOV64_REG(2, 6));
	E(b, BPFVM_MOV64_IMM(1, 0));
	L(b, 0);
	E(b, BPFVM_MOV64_REG(3, 2)), E(b, A64(ADD, 3, 1));
	J(b, JR(JGT, 3, 7), 1);
	E(b, BPFVM_LDX_MEM(BPF_B, 4, 2, 0));
	E(b, A64R(XOR, 0, 4));
	E(b, A64R(MUL, 0, 8));
	E(b, A64(ADD, 2, 1));
	E(b, A64(ADD, 1, 1));
	J(b, JI(JLT, 1, BENCH_DATA_LEN), 0);
	L(b, 1);
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_fnv(uint8_t *d, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint8_t *end = d + len;

	for (size_t i = 0; i < BENCH_DATA_LEN; i++) {
		if (d + i + 1 > end)
			break;
		h ^= d[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* 4. bubble sort of 32 u64 copied from the input to the stack; returns a position-weighted checksum */
#define SORT_N 32
static int b_sort(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	/* bounds: the input holds SORT_N * 8 bytes */
	E(b, BPFVM_MOV64_REG(3, 6)), E(b, A64(ADD, 3, SORT_N * 8));
	E(b, BPFVM_MOV64_IMM(0, 0));
	J(b, JR(JGT, 3, 7), 9);
	/* copy: for (i = 0; i < N; i++) stack[i] = data[i] (unrolled by the builder) */
	for (int i = 0; i < SORT_N; i++) {
		E(b, BPFVM_LDX_MEM(BPF_DW, 1, 6, i * 8));
		E(b, BPFVM_STX_MEM(BPF_DW, 10, 1, -SORT_N * 8 + i * 8));
	}
	E(b, BPFVM_MOV64_IMM(8, SORT_N - 1)); /* r8 = pass limit */
	L(b, 0);                               /* outer */
	E(b, BPFVM_MOV64_IMM(9, 0));           /* r9 = j */
	E(b, BPFVM_MOV64_REG(2, 10)), E(b, A64(ADD, 2, -SORT_N * 8));
	L(b, 1); /* inner */
	E(b, BPFVM_LDX_MEM(BPF_DW, 3, 2, 0));
	E(b, BPFVM_LDX_MEM(BPF_DW, 4, 2, 8));
	J(b, JR(JLE, 3, 4), 2);
	E(b, BPFVM_STX_MEM(BPF_DW, 2, 4, 0));
	E(b, BPFVM_STX_MEM(BPF_DW, 2, 3, 8));
	L(b, 2);
	E(b, A64(ADD, 2, 8));
	E(b, A64(ADD, 9, 1));
	J(b, JR(JLT, 9, 8), 1);
	E(b, A64(SUB, 8, 1));
	J(b, JI(JGT, 8, 0), 0);
	/* checksum: sum of (i + 1) * stack[i] (unrolled) */
	for (int i = 0; i < SORT_N; i++) {
		E(b, BPFVM_LDX_MEM(BPF_DW, 1, 10, -SORT_N * 8 + i * 8));
		E(b, A64(MUL, 1, i + 1));
		E(b, A64R(ADD, 0, 1));
	}
	L(b, 9);
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_sort(uint8_t *d, size_t len)
{
	uint64_t a[SORT_N], r = 0;

	if (len < SORT_N * 8)
		return 0;
	memcpy(a, d, sizeof(a));
	for (int lim = SORT_N - 1; lim > 0; lim--)
		for (int j = 0; j < lim; j++)
			if (a[j] > a[j + 1]) {
				uint64_t t = a[j];

				a[j] = a[j + 1];
				a[j + 1] = t;
			}
	for (int i = 0; i < SORT_N; i++)
		r += (uint64_t)(i + 1) * a[i];
	return r;
}

/* 5. call-heavy: 1000 x f(acc, i), f(a, b) = g(a ^ b) + b, g(x) = x * 3 + 1 with a stack round trip */
static int b_calls(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	E(b, BPFVM_MOV64_IMM(6, 0)); /* acc (r6, callee-saved) */
	E(b, BPFVM_MOV64_IMM(7, 0)); /* i */
	L(b, 0);
	E(b, BPFVM_MOV64_REG(1, 6)), E(b, BPFVM_MOV64_REG(2, 7));
	J(b, CALL, 1);
	E(b, BPFVM_MOV64_REG(6, 0));
	E(b, A64(ADD, 7, 1));
	J(b, JI(JLT, 7, 1000), 0);
	E(b, BPFVM_MOV64_REG(0, 6));
	E(b, BPFVM_EXIT());
	L(b, 1); /* f */
	E(b, BPFVM_MOV64_REG(6, 2)); /* keep b in f's r6 */
	E(b, A64R(XOR, 1, 2));
	J(b, CALL, 2);
	E(b, A64R(ADD, 0, 6));
	E(b, BPFVM_EXIT());
	L(b, 2); /* g */
	E(b, BPFVM_STX_MEM(BPF_DW, 10, 1, -8));
	E(b, BPFVM_LDX_MEM(BPF_DW, 0, 10, -8));
	E(b, A64(MUL, 0, 3));
	E(b, A64(ADD, 0, 1));
	E(b, BPFVM_EXIT());
	return finish(b);
}

static __attribute__((noinline)) uint64_t n_g(uint64_t x)
{
	volatile uint64_t slot = x; /* the BPF stack round trip */

	return slot * 3 + 1;
}

static __attribute__((noinline)) uint64_t n_f(uint64_t a, uint64_t bb)
{
	return n_g(a ^ bb) + bb;
}

static uint64_t n_calls(uint8_t *d, size_t len)
{
	uint64_t acc = 0;

	for (uint64_t i = 0; i < 1000; i++)
		acc = n_f(acc, i);
	return acc;
}

/* 6. register pressure: 12 accumulators over 256 input words, 7 in registers, 5 spilled to the stack */
static int b_regs(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	E(b, BPFVM_MOV64_REG(1, 6)), E(b, A64(ADD, 1, 256 * 8));
	E(b, BPFVM_MOV64_IMM(0, 0));
	J(b, JR(JGT, 1, 7), 9);
	for (int r = 0; r <= 5; r++)
		if (r != 1)
			E(b, BPFVM_MOV64_IMM(r, r + 1));
	E(b, BPFVM_MOV64_IMM(8, 7)), E(b, BPFVM_MOV64_IMM(9, 8));
	for (int s = 1; s <= 5; s++)
		E(b, BPFVM_ST_MEM(BPF_DW, 10, -8 * s, 8 + s));
	E(b, BPFVM_MOV64_IMM(7, 0)); /* word index * 8 (data_end no longer needed) */
	L(b, 0);
	E(b, BPFVM_MOV64_REG(1, 6)), E(b, A64R(ADD, 1, 7)), E(b, BPFVM_LDX_MEM(BPF_DW, 1, 1, 0)); /* w */
	E(b, A64R(ADD, 0, 1)), E(b, A64R(XOR, 2, 0)), E(b, A64R(ADD, 3, 2)), E(b, A64R(SUB, 4, 3));
	E(b, A64R(XOR, 5, 4)), E(b, A64R(ADD, 8, 5)), E(b, A64R(XOR, 9, 8));
	for (int s = 1; s <= 5; s++) { /* spill slots: s_k += prev; prev = s_k */
		E(b, BPFVM_LDX_MEM(BPF_DW, 1, 10, -8 * s));
		E(b, A64R(ADD, 1, s == 1 ? 9 : 0));
		E(b, A64R(XOR, 1, 2 + (s % 4)));
		E(b, BPFVM_STX_MEM(BPF_DW, 10, 1, -8 * s));
	}
	E(b, A64(ADD, 7, 8));
	J(b, JI(JLT, 7, 256 * 8), 0);
	E(b, A64R(ADD, 0, 2)), E(b, A64R(ADD, 0, 3)), E(b, A64R(ADD, 0, 4)), E(b, A64R(ADD, 0, 5));
	E(b, A64R(ADD, 0, 8)), E(b, A64R(ADD, 0, 9));
	for (int s = 1; s <= 5; s++)
		E(b, BPFVM_LDX_MEM(BPF_DW, 1, 10, -8 * s)), E(b, A64R(ADD, 0, 1));
	L(b, 9);
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_regs(uint8_t *d, size_t len)
{
	uint64_t a0 = 1, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a8 = 7, a9 = 8, s[6] = { 0, 9, 10, 11, 12, 13 };
	uint64_t *regs[6] = { NULL, NULL, &a2, &a3, &a4, &a5 };

	if (len < 256 * 8)
		return 0;
	for (int i = 0; i < 256; i++) {
		uint64_t w;

		memcpy(&w, d + i * 8, 8);
		a0 += w, a2 ^= a0, a3 += a2, a4 -= a3, a5 ^= a4, a8 += a5, a9 ^= a8;
		for (int k = 1; k <= 5; k++) {
			s[k] += k == 1 ? a9 : a0;
			s[k] ^= *regs[2 + (k % 4)];
		}
	}
	return a0 + a2 + a3 + a4 + a5 + a8 + a9 + s[1] + s[2] + s[3] + s[4] + s[5];
}

/* 7. 32-bit subregisters: murmur3-style mixing of 512 u32 words in w registers */
static int b_alu32(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	E(b, BPFVM_MOV64_REG(1, 6)), E(b, A64(ADD, 1, 512 * 4));
	E(b, BPFVM_MOV64_IMM(0, 0));
	J(b, JR(JGT, 1, 7), 9);
	E(b, BPFVM_MOV32_IMM(0, 0x9747b28c)); /* h */
	E(b, BPFVM_MOV64_REG(2, 6));
	E(b, BPFVM_MOV64_IMM(5, 0));
	L(b, 0);
	E(b, BPFVM_LDX_MEM(BPF_W, 1, 2, 0));
	E(b, A32(MUL, 1, 0xcc9e2d51));
	E(b, BPFVM_MOV32_REG(3, 1)), E(b, A32(LSH, 1, 15)), E(b, A32(RSH, 3, 17)), E(b, A32R(OR, 1, 3));
	E(b, A32(MUL, 1, 0x1b873593));
	E(b, A32R(XOR, 0, 1));
	E(b, BPFVM_MOV32_REG(3, 0)), E(b, A32(LSH, 0, 13)), E(b, A32(RSH, 3, 19)), E(b, A32R(OR, 0, 3));
	E(b, A32(MUL, 0, 5)), E(b, A32(ADD, 0, (int32_t)0xe6546b64));
	E(b, A64(ADD, 2, 4));
	E(b, A64(ADD, 5, 1));
	J(b, JI(JLT, 5, 512), 0);
	E(b, BPFVM_MOV32_REG(3, 0)), E(b, A32(RSH, 3, 16)), E(b, A32R(XOR, 0, 3));
	E(b, A32(MUL, 0, 0x85ebca6b));
	L(b, 9);
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_alu32(uint8_t *d, size_t len)
{
	uint32_t h = 0x9747b28c;

	if (len < 512 * 4)
		return 0;
	for (int i = 0; i < 512; i++) {
		uint32_t k;

		memcpy(&k, d + i * 4, 4);
		k *= 0xcc9e2d51;
		k = (k << 15) | (k >> 17);
		k *= 0x1b873593;
		h ^= k;
		h = (h << 13) | (h >> 19);
		h = h * 5 + 0xe6546b64;
	}
	h ^= h >> 16;
	h *= 0x85ebca6b;
	return h;
}

/* 8. atomics on the stack: 1000 x (lock add, fetch_add, xchg, cmpxchg) */
static int b_atomic(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	BEGIN;
	E(b, BPFVM_ST_MEM(BPF_DW, 10, -8, 0));
	E(b, BPFVM_ST_MEM(BPF_DW, 10, -16, 1));
	E(b, BPFVM_MOV64_IMM(6, 0)); /* i */
	E(b, BPFVM_MOV64_IMM(8, 0)); /* acc */
	L(b, 0);
	E(b, BPFVM_ATOMIC(BPF_DW, BPF_ADD, 10, 6, -8));
	E(b, BPFVM_MOV64_IMM(1, 3));
	E(b, BPFVM_ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, 10, 1, -16));
	E(b, A64R(ADD, 8, 1));
	E(b, BPFVM_MOV64_REG(2, 6));
	E(b, BPFVM_ATOMIC(BPF_DW, BPF_XCHG, 10, 2, -8));
	E(b, A64R(XOR, 8, 2));
	E(b, BPFVM_MOV64_REG(0, 6));
	E(b, BPFVM_MOV64_REG(3, 8));
	E(b, BPFVM_ATOMIC(BPF_DW, BPF_CMPXCHG, 10, 3, -8));
	E(b, A64R(ADD, 8, 0));
	E(b, A64(ADD, 6, 1));
	J(b, JI(JLT, 6, 1000), 0);
	E(b, BPFVM_LDX_MEM(BPF_DW, 0, 10, -8));
	E(b, A64R(ADD, 0, 8));
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_atomic(uint8_t *d, size_t len)
{
	uint64_t s8 = 0, s16 = 1, acc = 0;

	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t old, exp = i;

		__atomic_fetch_add(&s8, i, __ATOMIC_SEQ_CST);
		old = __atomic_fetch_add(&s16, 3, __ATOMIC_SEQ_CST);
		acc += old;
		old = __atomic_exchange_n(&s8, i, __ATOMIC_SEQ_CST);
		acc ^= old;
		__atomic_compare_exchange_n(&s8, &exp, acc, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		acc += exp;
	}
	return s8 + acc;
}

/* 9. an array-map lookup loop: the map each engine sees is set before building (none: the program is left out) */
int bench_map_fd = -1;           /* the kernel's BPF_MAP_TYPE_ARRAY (FLAVOR_XDP) */
uint64_t bench_map_ptr;          /* bpfvm's struct bpfvm_map * (FLAVOR_MEM) */
uint64_t bench_map_values[BENCH_MAP_ENTRIES]; /* what both maps hold, and what the C version reads */

static int b_maplookup(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	if (fl == FLAVOR_XDP ? bench_map_fd < 0 : !bench_map_ptr)
		return -1;
	BEGIN;
	E(b, BPFVM_MOV64_IMM(8, 0));
	E(b, BPFVM_MOV64_IMM(9, 0));
	L(b, 0);
	E(b, BPFVM_MOV64_REG(1, 8)), E(b, A64(AND, 1, BENCH_MAP_ENTRIES - 1));
	E(b, BPFVM_STX_MEM(BPF_W, 10, 1, -4));
	if (fl == FLAVOR_XDP) { /* the kernel resolves the fd to its map */
		E(b, BPFVM_INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, bench_map_fd));
		E(b, BPFVM_INSN(0, 0, 0, 0, 0));
	} else { /* bpfvm's loader would have put the map's address here */
		LDDW(b, 1, bench_map_ptr);
	}
	E(b, BPFVM_MOV64_REG(2, 10)), E(b, A64(ADD, 2, -4));
	E(b, BPFVM_CALL_HELPER(BPF_FUNC_map_lookup_elem));
	J(b, JI(JEQ, 0, 0), 1);
	E(b, BPFVM_LDX_MEM(BPF_DW, 1, 0, 0)), E(b, A64R(ADD, 9, 1));
	L(b, 1);
	E(b, A64(ADD, 8, 1));
	J(b, JI(JLT, 8, 1000), 0);
	E(b, BPFVM_MOV64_REG(0, 9));
	E(b, BPFVM_EXIT());
	return finish(b);
}

static uint64_t n_maplookup(uint8_t *d, size_t len)
{
	uint64_t acc = 0;

	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t key = i & (BENCH_MAP_ENTRIES - 1);
		const volatile uint64_t *v = key < BENCH_MAP_ENTRIES ? &bench_map_values[key] : NULL;
		if (v)
			acc += *v;
	}
	return acc;
}

const struct bench_prog bench_progs[] = {
	{ "alu_loop", "xorshift64, 1000 iterations (latency-bound)", b_alu, n_alu, true },
	{ "mem_scan", "bounds-checked byte scan of 2 KB", b_scan, n_scan, true },
	{ "fnv1a", "FNV-1a 64 over 2 KB", b_fnv, n_fnv, true },
	{ "bubble_sort", "bubble sort of 32 u64 on the stack", b_sort, n_sort, true },
	{ "calls", "1000 x two nested bpf-to-bpf calls", b_calls, n_calls, false },
	{ "reg_pressure", "12 accumulators over 2 KB, 5 spilled", b_regs, n_regs, true },
	{ "alu32", "murmur3-style w-register hash of 2 KB", b_alu32, n_alu32, true },
	{ "atomics", "1000 x add, fetch_add, xchg, cmpxchg", b_atomic, n_atomic, false },
	{ "map_lookup", "1000 x bpf_map_lookup_elem on a 64-entry array", b_maplookup, n_maplookup, false },
};
const int bench_nprogs = sizeof(bench_progs) / sizeof(bench_progs[0]);
