/* gen.h - the differential tests' program generator: safe-by-construction eBPF with every instruction family */
#ifndef BPFVM_TESTS_JIT_GEN_H
#define BPFVM_TESTS_JIT_GEN_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bpfvm/insn.h"
#include "helpers/helpers.h"
#include "interp/run.h"
#include "lib/harness.h"

/*
 * The generator (self-contained; kdiff's progen is for verifier-valid programs): programs that are safe by
 * construction, so both engines can run them unverified.
 *  - r9 = the 256-byte buffer (set from r1 once, never written), r10 the stack; r0..r8 hold random values
 *  - main's 512-byte stack is initialized first; subprograms initialize the 64 bytes they use
 *  - every ALU/ALU64 form with random operands (division by 0 and -1 included), movsx, byte swaps, ld_imm64
 *  - loads/stores of every size (and sign-extending loads) inside the buffer or the initialized stack
 *  - every atomic on aligned addresses, load-acquire/store-release
 *  - forward jumps (JMP and JMP32, reg and imm), counted loops (counter at fp-8), may_goto, gotol
 *  - bpf-to-bpf calls into up to 3 subprograms, which call later ones; rarely unbounded recursion (the 8-frame
 *    limit must stop both runs alike); LD_ABS/LD_IND inside and outside the packet
 *  - in 1 program of 8, calls to test helpers (one fails now and then), compared with the reference evaluator
 *    and the JIT's modes only, since the interpreter has the real helper table
 *  - at the end r0..r8 and main's whole stack are copied to the buffer, which both runs compare byte for byte
 */
#define MEM_DATA 256
#define MEM_REGS MEM_DATA                /* r0..r8 after the run */
#define MEM_STACK (MEM_REGS + 9 * 8)     /* main's stack after the run */
#define MEM_LEN (MEM_STACK + 512)
#define MAX_INSNS 4096


struct gen {
	uint64_t rng;
	struct bpf_insn *p;
	int n;
	bool in_sub;
	int nsubs, cur_sub;
	bool helpers; /* emit helper calls (test helpers: compared with the reference and the JIT's modes only) */
	/*
	 * Programs the kernel's verifier accepts (for the live-kernel differential): memory is main's first 256 bytes
	 * of stack (subprograms 64, within the kernel's combined 512), shift immediates in range, r1..r5 set again after
	 * calls, subprograms set r0/r6..r8 before use, no recursion, no helpers, no LD_ABS; the result is a hash of the
	 * registers and the stack folded into r0 (the test run's retval is 32 bits).
	 */
	bool kernel;
	int sub_call_at[64], sub_call_target[64], ncalls; /* CALL_LOCAL fixups: insn index -> subprogram number */
	int sub_start[4];
};

static inline uint64_t rnd(struct gen *g)
{
	return t_rand(&g->rng);
}

static inline int rn(struct gen *g, int n)
{
	return (int)(rnd(g) % (uint64_t)n);
}

static inline void emit(struct gen *g, struct bpf_insn i)
{
	if (g->n < MAX_INSNS)
		g->p[g->n] = i;
	g->n++;
}

static inline int32_t rand_imm(struct gen *g)
{
	static const int32_t special[] = { 0, 1, -1, 2, 7, 31, 32, 63, 64, INT32_MIN, INT32_MAX, 0x80, 0xff, 0xffff };

	switch (rn(g, 4)) {
	case 0:
		return special[rn(g, sizeof(special) / sizeof(special[0]))];
	case 1:
		return rn(g, 64) - 32;
	default:
		return (int32_t)rnd(g);
	}
}

static inline int data_reg(struct gen *g)
{
	return rn(g, 9); /* r0..r8 */
}

/* one ALU/ALU64 instruction */
static inline void gen_alu(struct gen *g)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
				       BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_NEG };
	uint8_t cls = rn(g, 2) ? BPF_ALU64 : BPF_ALU;
	uint8_t op = ops[rn(g, sizeof(ops))];
	int d = data_reg(g), s = data_reg(g);
	int16_t off = 0;
	bool k = rn(g, 2);

	if (op == BPF_NEG) {
		emit(g, BPFVM_INSN(cls | BPF_NEG, d, 0, 0, 0));
		return;
	}
	if ((op == BPF_DIV || op == BPF_MOD) && rn(g, 2))
		off = 1; /* sdiv / smod */
	if (op == BPF_MOV && !k && rn(g, 3) == 0) {
		static const int16_t w64[] = { 8, 16, 32 }, w32[] = { 8, 16 };

		off = cls == BPF_ALU64 ? w64[rn(g, 3)] : w32[rn(g, 2)]; /* movsx */
	}
	if (k && g->kernel && (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH))
		emit(g, BPFVM_INSN(cls | op | BPF_K, d, 0, off, rand_imm(g) & (cls == BPF_ALU64 ? 63 : 31)));
	else if (k && g->kernel && (op == BPF_DIV || op == BPF_MOD)) /* the verifier refuses an immediate 0 divisor */
		emit(g, BPFVM_INSN(cls | op | BPF_K, d, 0, off, rand_imm(g) | 1));
	else if (k)
		emit(g, BPFVM_INSN(cls | op | BPF_K, d, 0, off, rand_imm(g)));
	else
		emit(g, BPFVM_INSN(cls | op | BPF_X, d, s, off, 0));
}

static inline void gen_end(struct gen *g)
{
	static const int32_t widths[] = { 16, 32, 64 };
	int kind = rn(g, 3);
	uint8_t code = kind == 0 ? (BPF_ALU | BPF_END | BPF_TO_LE) : kind == 1 ? (BPF_ALU | BPF_END | BPF_TO_BE)
									     : (BPF_ALU64 | BPF_END);

	emit(g, BPFVM_INSN(code, data_reg(g), 0, 0, widths[rn(g, 3)]));
}

/* a base register and an offset where size bytes lie inside the buffer or the initialized stack */
static inline void rand_addr(struct gen *g, int size, bool aligned, int *base, int16_t *off)
{
	if (!g->kernel && rn(g, 2)) {
		*base = 9;
		*off = (int16_t)rn(g, MEM_DATA - size + 1);
	} else {
		int lo = g->in_sub ? 64 : g->kernel ? 256 : 512; /* subprograms use the top 64 bytes of their frame */

		*base = 10;
		*off = (int16_t)-(16 + rn(g, lo - 16 - size + 1) + 0);
		if (*off < -lo)
			*off = (int16_t)-lo;
	}
	if (aligned || (g->kernel && *base == 10)) /* the kernel wants every stack access aligned */
		*off = (int16_t)(*off & ~(size - 1));
	if (*base == 10 && *off > -16)
		*off = -16;
}

static const uint8_t sizes[] __attribute__((unused)) = { BPF_B, BPF_H, BPF_W, BPF_DW };
static inline int size_bytes(uint8_t sz)
{
	return sz == BPF_B ? 1 : sz == BPF_H ? 2 : sz == BPF_W ? 4 : 8;
}

static inline void gen_mem(struct gen *g)
{
	uint8_t sz = sizes[rn(g, 4)];
	int base, kind = rn(g, 4);
	int16_t off;

	rand_addr(g, size_bytes(sz), rn(g, 4) != 0, &base, &off);
	switch (kind) {
	case 0:
		emit(g, BPFVM_INSN(BPF_LDX | BPF_MEM | sz, data_reg(g), base, off, 0));
		break;
	case 1:
		if (sz != BPF_DW) {
			emit(g, BPFVM_INSN(BPF_LDX | BPF_MEMSX | sz, data_reg(g), base, off, 0));
			break;
		}
		/* fall through */
	case 2:
		emit(g, BPFVM_INSN(BPF_STX | BPF_MEM | sz, base, data_reg(g), off, 0));
		break;
	default:
		emit(g, BPFVM_INSN(BPF_ST | BPF_MEM | sz, base, 0, off, rand_imm(g)));
		break;
	}
}

static inline void gen_atomic(struct gen *g)
{
	static const int32_t ops[] = { BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH,
				       BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
				       BPF_LOAD_ACQ, BPF_STORE_REL };
	int32_t op = ops[rn(g, sizeof(ops) / sizeof(ops[0]))];
	uint8_t sz = op >= BPF_LOAD_ACQ ? sizes[rn(g, 4)] : (rn(g, 2) ? BPF_W : BPF_DW);
	int base;
	int16_t off;

	rand_addr(g, size_bytes(sz), true, &base, &off);
	if (op == BPF_LOAD_ACQ)
		emit(g, BPFVM_INSN(BPF_STX | BPF_ATOMIC | sz, data_reg(g), base, off, op));
	else
		emit(g, BPFVM_INSN(BPF_STX | BPF_ATOMIC | sz, base, data_reg(g), off, op));
}

static inline void gen_ldimm64(struct gen *g)
{
	uint64_t v = rn(g, 2) ? rnd(g) : (uint64_t)(int64_t)rand_imm(g);
	struct bpf_insn two[2] = { BPFVM_LD_IMM64(data_reg(g), v) };

	emit(g, two[0]);
	emit(g, two[1]);
}

static inline void gen_ldpkt(struct gen *g)
{
	static const uint8_t szs[] = { BPF_B, BPF_H, BPF_W };
	uint8_t sz = szs[rn(g, 3)];

	if (rn(g, 2)) {
		emit(g, BPFVM_INSN(BPF_LD | BPF_ABS | sz, 0, 0, 0, rn(g, 16) ? rn(g, 44) : rand_imm(g)));
	} else {
		int s = 1 + rn(g, 8);

		if (rn(g, 8))
			emit(g, BPFVM_MOV32_IMM(s, rn(g, 32)));
		emit(g, BPFVM_INSN(BPF_LD | BPF_IND | sz, 0, s, 0, rn(g, 8) ? rn(g, 12) : rand_imm(g)));
	}
}

/* the sequences the JIT's peepholes fuse: a rotate, and a conditional jump over one ALU instruction */
static inline void gen_peephole(struct gen *g)
{
	if (rn(g, 2)) {
		bool is64 = rn(g, 2);
		uint8_t cls = is64 ? BPF_ALU64 : BPF_ALU;
		int a = data_reg(g), b = data_reg(g), k = 1 + rn(g, is64 ? 63 : 31);
		static const uint8_t comb[] = { BPF_OR, BPF_XOR, BPF_ADD };

		if (a == b)
			b = (a + 1) % 9;
		emit(g, BPFVM_INSN(cls | BPF_MOV | BPF_X, a, b, 0, 0));
		if (rn(g, 2)) {
			emit(g, BPFVM_INSN(cls | BPF_LSH | BPF_K, b, 0, 0, k));
			emit(g, BPFVM_INSN(cls | BPF_RSH | BPF_K, a, 0, 0, (is64 ? 64 : 32) - k));
		} else {
			emit(g, BPFVM_INSN(cls | BPF_RSH | BPF_K, a, 0, 0, (is64 ? 64 : 32) - k));
			emit(g, BPFVM_INSN(cls | BPF_LSH | BPF_K, b, 0, 0, k));
		}
		emit(g, BPFVM_INSN(cls | comb[rn(g, 3)] | BPF_X, b, a, 0, 0));
	} else {
		static const uint8_t jops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
						BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };
		static const uint8_t aops[] = { BPF_ADD, BPF_SUB, BPF_OR, BPF_AND, BPF_XOR, BPF_MOV };
		uint8_t cls = rn(g, 2) ? BPF_JMP : BPF_JMP32, acls = rn(g, 2) ? BPF_ALU64 : BPF_ALU;
		uint8_t jop = jops[rn(g, sizeof(jops))], aop = aops[rn(g, sizeof(aops))];

		if (rn(g, 2))
			emit(g, BPFVM_INSN(cls | jop | BPF_K, data_reg(g), 0, 1, rand_imm(g)));
		else
			emit(g, BPFVM_INSN(cls | jop | BPF_X, data_reg(g), data_reg(g), 1, 0));
		if (rn(g, 2))
			emit(g, BPFVM_INSN(acls | aop | BPF_K, data_reg(g), 0, 0, rand_imm(g)));
		else
			emit(g, BPFVM_INSN(acls | aop | BPF_X, data_reg(g), data_reg(g), 0, 0));
	}
}

/*
 * Test helpers 1 (a mix of r1..r5) and 2 (fails 1 time in 16: the run stops). After a call r1..r5 are undefined
 * (the JIT's are the C callee's scratch), so the generator sets them again before anything reads them.
 */
static inline uint64_t mix5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a * 3 + b * 5 + (c ^ 0x5bd1e995) * 7 + (d >> 3) * 11 + e * 13;
}

static inline uint64_t th_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfvm_run_ctx *rc)
{
	return mix5(a, b, c, d, e);
}

static inline uint64_t th_maybe_fail(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfvm_run_ctx *rc)
{
	if ((a & 15) == 7)
		rc->error = -EPERM;
	return a ^ e;
}

static const struct bpfvm_helper th_table[] __attribute__((unused)) = { { 1, "mix", th_mix }, { 2, "maybe_fail", th_maybe_fail } };

static inline const struct bpfvm_helper *th_by_id(uint32_t id)
{
	return id == 1 || id == 2 ? &th_table[id - 1] : NULL;
}

static inline uint64_t ref_helper(uint32_t id, const uint64_t *r, int *err)
{
	if (id == 1)
		return mix5(r[0], r[1], r[2], r[3], r[4]);
	if ((r[0] & 15) == 7)
		*err = -EPERM;
	return r[0] ^ r[4];
}

static inline void gen_helper_call(struct gen *g)
{
	emit(g, BPFVM_CALL_HELPER(1 + rn(g, 2)));
	for (int r = 1; r <= 5; r++)
		emit(g, BPFVM_MOV64_IMM(r, rand_imm(g)));
}

static inline void gen_straight(struct gen *g)
{
	int r = rn(g, 100);

	if (g->helpers && r < 3) {
		gen_helper_call(g);
		return;
	}
	if (r < 4) {
		gen_peephole(g);
		return;
	}
	if (r < 45)
		gen_alu(g);
	else if (r < 50)
		gen_end(g);
	else if (r < 72)
		gen_mem(g);
	else if (r < 82)
		gen_atomic(g);
	else if (r < 88)
		gen_ldimm64(g);
	else if (r < 89 && !g->kernel)
		gen_ldpkt(g);
	else if (r < 96 && g->ncalls < 64 && g->nsubs > (g->in_sub ? g->cur_sub + 1 : 0)) {
		/* main calls any subprogram, a subprogram only later ones: no recursion */
		int lo = g->in_sub ? g->cur_sub + 1 : 0;

		g->sub_call_at[g->ncalls] = g->n;
		g->sub_call_target[g->ncalls++] = lo + rn(g, g->nsubs - lo);
		emit(g, BPFVM_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
		for (int a = 1; a <= 5 && g->kernel; a++) /* the verifier: r1..r5 are not readable after a call */
			emit(g, BPFVM_MOV64_IMM(a, rand_imm(g)));
	} else if (r < 96 && g->in_sub && !g->kernel && g->ncalls < 64 && rn(g, 50) == 0) {
		/* rarely, unbounded recursion: both engines must stop at the 8-frame limit */
		g->sub_call_at[g->ncalls] = g->n;
		g->sub_call_target[g->ncalls++] = g->cur_sub;
		emit(g, BPFVM_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	} else {
		gen_alu(g);
	}
}

/* a block of straight-line code with forward jumps inside it */
static inline void gen_block(struct gen *g, int len)
{
	static const uint8_t jops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
					BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };
	int start = g->n;
	int pending[16], npend = 0; /* jumps whose target is the block's end */

	for (int u = 0; u < len; u++) {
		if (rn(g, 6) == 0 && npend < 16) {
			uint8_t cls = rn(g, 2) ? BPF_JMP : BPF_JMP32;
			uint8_t op = jops[rn(g, sizeof(jops))];
			int kind = rn(g, 20);

			pending[npend++] = g->n;
			if (kind == 0)
				emit(g, BPFVM_INSN(BPF_JMP | BPF_JCOND, 0, 0, 0, 0)); /* may_goto (never taken here) */
			else if (kind == 1 && !g->kernel) /* (the kernel's CFG check calls what it skips unreachable) */
				emit(g, BPFVM_INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 0)); /* gotol */
			else if (rn(g, 2))
				emit(g, BPFVM_INSN(cls | op | BPF_K, data_reg(g), 0, 0, rand_imm(g)));
			else
				emit(g, BPFVM_INSN(cls | op | BPF_X, data_reg(g), data_reg(g), 0, 0));
			continue;
		}
		gen_straight(g);
	}
	/* each pending jump lands at the block's end, or somewhere after it in the block */
	for (int k = 0; k < npend; k++) {
		int at = pending[k];
		int target = g->n;
		struct bpf_insn *i = &g->p[at];

		if (at >= MAX_INSNS)
			continue;
		if (i->code == (BPF_JMP32 | BPF_JA))
			i->imm = target - at - 1;
		else
			i->off = (int16_t)(target - at - 1);
	}
	(void)start;
}

/* for (n = N; n > 0; n--) { block }, the counter at fp-8 (r8 as scratch) */
static inline void gen_loop(struct gen *g)
{
	int top;

	emit(g, BPFVM_ST_MEM(BPF_DW, 10, -8, 1 + rn(g, 6)));
	top = g->n;
	gen_block(g, 3 + rn(g, 12));
	emit(g, BPFVM_LDX_MEM(BPF_DW, 8, 10, -8));
	emit(g, BPFVM_ALU64_IMM(BPF_SUB, 8, 1));
	emit(g, BPFVM_STX_MEM(BPF_DW, 10, 8, -8));
	emit(g, BPFVM_JMP_IMM(BPF_JSGT, 8, 0, (int16_t)(top - g->n - 1)));
}

static inline int generate(struct gen *g, struct bpf_insn *out)
{
	g->p = out;
	g->n = 0;
	g->ncalls = 0;
	g->in_sub = false;
	g->nsubs = rn(g, 4);

	if (!g->kernel)
		emit(g, BPFVM_MOV64_REG(9, 1));
	for (int r = 0; r <= 8; r++) {
		struct bpf_insn two[2] = { BPFVM_LD_IMM64(r, rnd(g)) };

		emit(g, two[0]);
		emit(g, two[1]);
	}
	for (int s = 1; s <= (g->kernel ? 32 : 64); s++)
		emit(g, BPFVM_STX_MEM(BPF_DW, 10, s % 9, -8 * s));
	for (int s = 0; s < g->nsubs && g->kernel; s++) { /* the kernel rejects a subprogram nobody calls */
		g->sub_call_at[g->ncalls] = g->n;
		g->sub_call_target[g->ncalls++] = s;
		emit(g, BPFVM_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
		for (int a = 1; a <= 5; a++)
			emit(g, BPFVM_MOV64_IMM(a, rand_imm(g)));
	}
	for (int b = 0, nb = 1 + rn(g, 6); b < nb; b++) {
		if (rn(g, 3) == 0)
			gen_loop(g);
		else
			gen_block(g, 4 + rn(g, 24));
	}
	if (g->kernel) {
		/* r0 = a hash of r0..r8 and the stack, folded to 32 bits */
		for (int r = 1; r <= 8; r++) {
			emit(g, BPFVM_ALU64_IMM(BPF_MUL, 0, 0x01000193));
			emit(g, BPFVM_ALU64_REG(BPF_XOR, 0, r));
		}
		for (int s = 1; s <= 32; s++) {
			emit(g, BPFVM_LDX_MEM(BPF_DW, 1, 10, -8 * s));
			emit(g, BPFVM_ALU64_IMM(BPF_MUL, 0, 0x01000193));
			emit(g, BPFVM_ALU64_REG(BPF_XOR, 0, 1));
		}
		emit(g, BPFVM_MOV64_REG(1, 0));
		emit(g, BPFVM_ALU64_IMM(BPF_RSH, 1, 32));
		emit(g, BPFVM_ALU64_REG(BPF_XOR, 0, 1));
		emit(g, BPFVM_EXIT());
	} else {
		for (int r = 0; r <= 8; r++)
			emit(g, BPFVM_STX_MEM(BPF_DW, 9, r, MEM_REGS + 8 * r));
		for (int s = 1; s <= 64; s++) {
			emit(g, BPFVM_LDX_MEM(BPF_DW, 0, 10, -8 * s));
			emit(g, BPFVM_STX_MEM(BPF_DW, 9, 0, MEM_STACK + 512 - 8 * s));
		}
		emit(g, BPFVM_LDX_MEM(BPF_DW, 0, 9, MEM_REGS)); /* r0 as it was */
		emit(g, BPFVM_EXIT());
	}

	g->in_sub = true;
	for (int s = 0; s < g->nsubs; s++) {
		g->cur_sub = s;
		g->sub_start[s] = g->n;
		if (g->kernel) /* in a new frame the verifier lets a function read only r1..r5 and r10 */
			for (int r = 0; r <= 8; r = r == 0 ? 6 : r + 1)
				emit(g, BPFVM_MOV64_IMM(r, rand_imm(g)));
		for (int k = 1; k <= 8; k++)
			emit(g, BPFVM_STX_MEM(BPF_DW, 10, k % 9, -8 * k));
		gen_block(g, 3 + rn(g, 16));
		emit(g, BPFVM_EXIT());
	}
	for (int c = 0; c < g->ncalls; c++)
		if (g->sub_call_at[c] < MAX_INSNS)
			g->p[g->sub_call_at[c]].imm = g->sub_start[g->sub_call_target[c]] - g->sub_call_at[c] - 1;
	return g->n <= MAX_INSNS ? g->n : -1;
}

#endif
