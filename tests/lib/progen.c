/* progen.c - random kernel-valid eBPF programs from a seed: ops drawn from opcodes.def, operands kept legal */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isa/opcodes.h"
#include "lib/harness.h"
#include "lib/progen.h"

#define BLK_UNTARGETABLE (-2) /* the second slot of an LD_IMM64 */
#define BLK_OUTSIDE (-1)      /* prologue and epilogue: no body jump lands there except at the body's end */
#define MAX_SUBPROGS 2
#define MAX_CALLS 256
#define SLACK 160             /* instructions kept free for epilogues, subprogram frames, loop tails */

/* the instruction forms one category of the generator draws from, filled from opcodes.def */
struct pool {
	uint16_t ops[128];
	int n;
};

struct pending_jump {
	int pc;
	int blk;
};

struct gen {
	uint64_t *rng;
	uint32_t flags;
	int isa;
	struct progen_prog *p;
	int blk[PROGEN_MAX_INSNS]; /* the block each instruction belongs to; which jumps may land on it */
	int nblk, cur_blk;
	struct pending_jump pend[PROGEN_MAX_INSNS];
	int npend;
	struct {
		int pc, callee;
	} calls[MAX_CALLS];
	int ncalls;
	int sub_entry[MAX_SUBPROGS];
	bool called[MAX_SUBPROGS];
	int nsub;
	/* the frame being generated */
	int frame;          /* -1 main, else the subprogram's index */
	uint16_t reserved;  /* registers the body must not write (loop counters, the buffer pointer) */
	uint16_t pointers;  /* registers holding pointers, never read as scalars */
	int stk_lo, stk_hi; /* r10-relative stack region of the frame's random accesses, [lo, hi) */
	int loop_depth;
	int frame_calls, frame_loops; /* bounds on the verifier's work: calls and loops multiply its paths */
	struct pool alu, jcond, ja, maygoto, ldx, st, stx, atomic, acq, rel;
};

static const uint64_t edge_values[] = {
	0, 1, 2, 3, 7, 8, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x100000000ULL, 0x1ffffffffULL, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, 0x8000000000000001ULL, 0xffffffff00000000ULL, 0xffffffff80000000ULL,
	0xffffffff7fffffffULL, 0xfffffffffffffffeULL, 0xffffffffffffffffULL, 0x0123456789abcdefULL,
	0xfedcba9876543210ULL,
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
	return n ? (uint32_t)(t_rand(g->rng) % n) : 0;
}

uint64_t progen_value(uint64_t *rng)
{
	uint64_t r = t_rand(rng);
	switch (r % 8) {
	case 0: case 1: case 2:
		return edge_values[(r >> 8) % (sizeof(edge_values) / sizeof(edge_values[0]))];
	case 3:
		return (uint64_t)((int64_t)((r >> 8) % 33) - 16); /* small, both signs */
	case 4:
		return (uint64_t)(int64_t)(int32_t)t_rand(rng); /* a sign-extended 32-bit value */
	case 5:
		return (uint32_t)t_rand(rng);
	default:
		return t_rand(rng);
	}
}

static int32_t rnd_imm(struct gen *g)
{
	return (int32_t)(uint32_t)progen_value(g->rng);
}

uint64_t progen_ctx_reg(const void *ctx, int r)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)ctx + PROGEN_CTX_REGS + 8 * r, 8);
	return v;
}

void progen_fill_ctx(uint64_t *rng, const struct progen_prog *p, void *ctx)
{
	for (size_t off = 0; off + 8 <= p->ctx_size; off += 8) {
		uint64_t v = progen_value(rng);
		memcpy((uint8_t *)ctx + off, &v, 8);
	}
}

/* ---- the op pools, expanded from opcodes.def ---- */

static void pool_add(struct pool *pl, int op)
{
	if (pl->n < (int)(sizeof(pl->ops) / sizeof(pl->ops[0])))
		pl->ops[pl->n++] = (uint16_t)op;
}

static void build_pools(struct gen *g)
{
	for (int op = 0; op < BPFVM_OP__COUNT; op++) {
		const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
		if (oi->isa > g->isa)
			continue;
		switch (oi->fmt) {
		case FMT_ALU: case FMT_NEG: case FMT_MOV: case FMT_MOVSX: case FMT_END:
			pool_add(&g->alu, op);
			break;
		case FMT_JCOND:
			pool_add(&g->jcond, op);
			break;
		case FMT_JA:
			pool_add(op == BPFVM_OP_MAY_GOTO ? &g->maygoto : &g->ja, op);
			break;
		case FMT_LDX: pool_add(&g->ldx, op); break;
		case FMT_ST: pool_add(&g->st, op); break;
		case FMT_STX: pool_add(&g->stx, op); break;
		case FMT_ATOMIC: pool_add(&g->atomic, op); break;
		case FMT_LOAD_ACQ: pool_add(&g->acq, op); break;
		case FMT_STORE_REL: pool_add(&g->rel, op); break;
		default: break;
		}
	}
}

static int pool_pick(struct gen *g, const struct pool *pl)
{
	return pl->ops[rnd(g, (uint32_t)pl->n)];
}

/* an instruction of form op with its key field set; the caller fills the operands */
static struct bpf_insn insn_of(int op)
{
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	struct bpf_insn in = { .code = oi->code };
	if (oi->key == K_OFF)
		in.off = (int16_t)oi->keyval;
	else if (oi->key == K_IMM)
		in.imm = oi->keyval;
	else if (oi->key == K_SRC)
		in.src_reg = (uint8_t)oi->keyval;
	return in;
}

/* ---- emitting ---- */

static bool room(const struct gen *g, int n)
{
	return g->p->cnt + (size_t)n + SLACK <= PROGEN_MAX_INSNS;
}

static int emit_blk(struct gen *g, struct bpf_insn in, int blk)
{
	int pc = (int)g->p->cnt++;
	g->p->insns[pc] = in;
	g->blk[pc] = blk;
	return pc;
}

static int emit(struct gen *g, struct bpf_insn in)
{
	return emit_blk(g, in, g->cur_blk);
}

static void emit_ldimm64(struct gen *g, int dst, uint64_t v, int blk)
{
	emit_blk(g, BPFVM_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v), blk);
	emit_blk(g, BPFVM_INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)), BLK_UNTARGETABLE);
}

/* registers 0..9 in mask, one at random; -1 if none */
static int pick_reg(struct gen *g, uint16_t mask)
{
	int regs[10], n = 0;
	for (int r = 0; r < 10; r++)
		if (mask & (1u << r))
			regs[n++] = r;
	return n ? regs[rnd(g, (uint32_t)n)] : -1;
}

static uint16_t readable(const struct gen *g)
{
	return (uint16_t)(0x3ff & ~g->pointers);
}

static uint16_t writable(const struct gen *g)
{
	return (uint16_t)(0x3ff & ~g->reserved & ~g->pointers);
}

/* an aligned r10-relative offset for a size-byte access inside the frame's stack region */
static int16_t stack_off(struct gen *g, int size)
{
	int slots = (g->stk_hi - g->stk_lo) / size;
	return (int16_t)(g->stk_lo + size * (int)rnd(g, (uint32_t)slots));
}

/* ---- one instruction (or a few) of each category ---- */

static void gen_alu(struct gen *g)
{
	int op = pool_pick(g, &g->alu);
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	struct bpf_insn in = insn_of(op);
	bool is32 = BPF_CLASS(oi->code) == BPF_ALU;

	in.dst_reg = (uint8_t)pick_reg(g, writable(g));
	if (oi->fields & F_SRC)
		in.src_reg = (uint8_t)pick_reg(g, readable(g));
	if ((oi->fields & F_IMM) && oi->key != K_IMM) {
		uint8_t aop = BPF_OP(oi->code);
		if (aop == BPF_LSH || aop == BPF_RSH || aop == BPF_ARSH) {
			in.imm = (int32_t)rnd(g, is32 ? 32 : 64); /* the verifier refuses out-of-range shift immediates */
		} else if (aop == BPF_DIV || aop == BPF_MOD) {
			in.imm = rnd_imm(g); /* and division by an immediate zero */
			if (!in.imm)
				in.imm = 1 + (int32_t)rnd(g, 7);
		} else {
			in.imm = rnd_imm(g);
		}
	}
	emit(g, in);
}

static void gen_jump(struct gen *g, bool uncond)
{
	struct bpf_insn in;
	if ((g->flags & PROGEN_F_MAYGOTO) && rnd(g, 6) == 0) {
		/* taken only after the runtime's loop budget (8M in Linux) is spent: here, never */
		in = insn_of(pool_pick(g, &g->maygoto));
	} else if (uncond && g->ja.n) {
		in = insn_of(pool_pick(g, &g->ja));
	} else {
		int op = pool_pick(g, &g->jcond);
		const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
		in = insn_of(op);
		in.dst_reg = (uint8_t)pick_reg(g, readable(g));
		if (oi->fields & F_SRC)
			in.src_reg = (uint8_t)pick_reg(g, readable(g));
		else
			in.imm = rnd_imm(g);
	}
	int pc = emit(g, in);
	g->pend[g->npend++] = (struct pending_jump){ .pc = pc, .blk = g->cur_blk };
}

static void gen_stack(struct gen *g)
{
	uint32_t k = rnd(g, 3);
	const struct pool *pl = k == 0 ? &g->ldx : k == 1 ? &g->st : &g->stx;
	int op = pool_pick(g, pl);
	struct bpf_insn in = insn_of(op);
	in.off = stack_off(g, bpfvm_op_size((enum bpfvm_op)op));
	if (k == 0) {
		in.dst_reg = (uint8_t)pick_reg(g, writable(g));
		in.src_reg = BPF_REG_10;
	} else if (k == 1) {
		in.dst_reg = BPF_REG_10;
		in.imm = rnd_imm(g);
	} else {
		in.dst_reg = BPF_REG_10;
		in.src_reg = (uint8_t)pick_reg(g, readable(g));
	}
	emit(g, in);
}

static void gen_atomic(struct gen *g)
{
	int op = pool_pick(g, &g->atomic);
	struct bpf_insn in = insn_of(op);
	/* fetch forms write the old value to src (cmpxchg: to r0) */
	bool writes_src = (in.imm & BPF_FETCH) && in.imm != BPF_CMPXCHG;
	in.dst_reg = BPF_REG_10;
	in.src_reg = (uint8_t)pick_reg(g, writes_src ? writable(g) : readable(g));
	in.off = stack_off(g, bpfvm_op_size((enum bpfvm_op)op));
	if (in.imm == BPF_CMPXCHG && (g->reserved & 1))
		return;
	emit(g, in);
}

static void gen_acqrel(struct gen *g)
{
	bool acq = rnd(g, 2) == 0;
	int op = pool_pick(g, acq ? &g->acq : &g->rel);
	struct bpf_insn in = insn_of(op);
	in.off = stack_off(g, bpfvm_op_size((enum bpfvm_op)op));
	if (acq) {
		in.dst_reg = (uint8_t)pick_reg(g, writable(g));
		in.src_reg = BPF_REG_10;
	} else {
		in.dst_reg = BPF_REG_10;
		in.src_reg = (uint8_t)pick_reg(g, readable(g));
	}
	emit(g, in);
}

/* LDX (plain or sign-extending) or STX through r9, the context pointer, into the buffer */
static void gen_membuf(struct gen *g)
{
	bool load = rnd(g, 2) == 0;
	int op = pool_pick(g, load ? &g->ldx : &g->stx);
	int size = bpfvm_op_size((enum bpfvm_op)op);
	struct bpf_insn in = insn_of(op);
	in.off = (int16_t)(g->p->mem_off + (size_t)size * rnd(g, (uint32_t)(g->p->mem_size / (size_t)size)));
	if (load) {
		in.dst_reg = (uint8_t)pick_reg(g, writable(g));
		in.src_reg = BPF_REG_9;
	} else {
		in.dst_reg = BPF_REG_9;
		in.src_reg = (uint8_t)pick_reg(g, readable(g));
	}
	emit(g, in);
}

/* r1..r5 after a call are unreadable to the verifier: give them values again */
static void reinit_args(struct gen *g)
{
	for (int r = 1; r <= 5; r++) {
		int src = pick_reg(g, readable(g) & ~0x3e);
		if (src >= 0 && rnd(g, 2))
			emit(g, BPFVM_MOV64_REG(r, src));
		else
			emit(g, BPFVM_MOV64_IMM(r, rnd_imm(g)));
	}
}

static void gen_call(struct gen *g)
{
	int first = g->frame + 1; /* main calls any subprogram, subprogram k only those after it: no recursion */
	if (first >= g->nsub || g->ncalls >= MAX_CALLS || g->loop_depth || g->frame_calls >= 4)
		return;
	g->frame_calls++;
	int callee = first + (int)rnd(g, (uint32_t)(g->nsub - first));
	int pc = emit(g, BPFVM_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	g->calls[g->ncalls].pc = pc;
	g->calls[g->ncalls++].callee = callee;
	g->called[callee] = true;
	reinit_args(g);
}

static int gen_block(struct gen *g, int n);

/* rC = N; body; rC -= 1; if rC != 0 goto body */
static void gen_loop(struct gen *g, int budget)
{
	int c = pick_reg(g, (uint16_t)(0x1c0 & ~g->reserved)); /* r6..r8 survive calls */
	if (c < 0 || g->loop_depth >= (g->frame < 0 ? 2 : 1) || g->frame_loops >= 2 || budget < 4)
		return;
	g->frame_loops++;
	emit(g, BPFVM_MOV64_IMM(c, 1 + (int32_t)rnd(g, g->loop_depth ? 3 : 4))); /* at most 4 x 3 iterations */
	g->reserved |= (uint16_t)(1u << c);
	g->loop_depth++;
	int start = (int)g->p->cnt;
	int inner = gen_block(g, 1 + (int)rnd(g, (uint32_t)(budget < 12 ? budget : 12)));
	emit_blk(g, BPFVM_ALU64_IMM(BPF_SUB, c, 1), inner);
	int pc = (int)g->p->cnt;
	emit_blk(g, BPFVM_JMP_IMM(BPF_JNE, c, 0, (int16_t)(start - pc - 1)), inner);
	g->loop_depth--;
	g->reserved &= (uint16_t)~(1u << c);
}

/* one step of a body; budget = instructions the block may still use */
static void gen_one(struct gen *g, int budget)
{
	uint32_t f = g->flags;
	for (;;) {
		uint32_t r = rnd(g, 100);
		if (r < 40) {
			if (f & PROGEN_F_ALU) { gen_alu(g); return; }
		} else if (r < 52) {
			if (f & PROGEN_F_JMP) { gen_jump(g, rnd(g, 6) == 0); return; }
		} else if (r < 66) {
			if (f & PROGEN_F_STACK) { gen_stack(g); return; }
		} else if (r < 72) {
			if (f & PROGEN_F_ATOMIC) { gen_atomic(g); return; }
		} else if (r < 75) {
			if (f & PROGEN_F_LDIMM64) {
				int dst = pick_reg(g, writable(g));
				emit_ldimm64(g, dst, progen_value(g->rng), g->cur_blk);
				return;
			}
		} else if (r < 79) {
			if ((f & PROGEN_F_ACQREL) && g->acq.n && g->rel.n) { gen_acqrel(g); return; }
		} else if (r < 88) {
			if ((f & PROGEN_F_MEMBUF) && g->frame < 0) { gen_membuf(g); return; }
		} else if (r < 94) {
			if ((f & PROGEN_F_CALLS) && g->frame + 1 < g->nsub) { gen_call(g); return; }
		} else {
			if ((f & PROGEN_F_LOOPS) && g->loop_depth < 2 && budget >= 4) { gen_loop(g, budget); return; }
		}
		if (!(f & (PROGEN_F_ALU | PROGEN_F_STACK | PROGEN_F_JMP | PROGEN_F_LDIMM64))) {
			/* nothing cheap enabled: fall back to a mov so the body still grows */
			emit(g, BPFVM_MOV64_IMM(pick_reg(g, writable(g)), rnd_imm(g)));
			return;
		}
	}
}

/* the jumps of block blk land on one of its own instructions after them, or on the block's end */
static void resolve_jumps(struct gen *g, int first, int blk, int end)
{
	for (int j = first; j < g->npend; j++) {
		int pc = g->pend[j].pc, n = 0, target = end;
		for (int t = pc + 1; t <= end; t++)
			if (t == end || g->blk[t] == blk)
				n++;
		int k = (int)rnd(g, (uint32_t)n);
		for (int t = pc + 1; t <= end; t++)
			if ((t == end || g->blk[t] == blk) && k-- == 0) {
				target = t;
				break;
			}
		struct bpf_insn *in = &g->p->insns[pc];
		if (bpfvm_op_of(in) == BPFVM_OP_JA32)
			in->imm = target - pc - 1;
		else
			in->off = (int16_t)(target - pc - 1);
	}
	g->npend = first;
}

/* a block of about n steps; returns its id */
static int gen_block(struct gen *g, int n)
{
	int id = g->nblk++, saved = g->cur_blk, first = g->npend;
	g->cur_blk = id;
	for (int i = 0; i < n && room(g, 16); i++)
		gen_one(g, n - i);
	resolve_jumps(g, first, id, (int)g->p->cnt);
	g->cur_blk = saved;
	return id;
}

/* ---- frames ---- */

static void gen_main(struct gen *g, int len)
{
	struct progen_prog *p = g->p;
	int nslots = (int)p->stack / 8;

	g->frame = -1;
	g->frame_calls = g->frame_loops = 0;
	g->stk_hi = -16; /* r10-8: the context pointer, r10-16: scratch for the epilogue */
	g->stk_lo = -16 - (int)p->stack;
	g->cur_blk = BLK_OUTSIDE;
	emit(g, BPFVM_STX_MEM(BPF_DW, 10, 1, -8));
	for (int i = 0; i < nslots; i++) {
		emit(g, BPFVM_LDX_MEM(BPF_DW, 0, 1, PROGEN_CTX_STACK + 8 * i));
		emit(g, BPFVM_STX_MEM(BPF_DW, 10, 0, g->stk_lo + 8 * i));
	}
	for (int r = 0; r < 10; r++)
		if (r != 1 && !(r == 9 && (g->flags & PROGEN_F_MEMBUF)))
			emit(g, BPFVM_LDX_MEM(BPF_DW, r, 1, PROGEN_CTX_REGS + 8 * r));
	if (g->flags & PROGEN_F_MEMBUF) {
		emit(g, BPFVM_MOV64_REG(9, 1));
		g->pointers = g->reserved = 1u << 9;
	}
	emit(g, BPFVM_LDX_MEM(BPF_DW, 1, 1, PROGEN_CTX_REGS + 8));

	gen_block(g, len);
	/* a subprogram nobody called yet gets a call here, so every instruction is reachable */
	g->cur_blk = BLK_OUTSIDE;
	for (int k = 0; k < g->nsub; k++)
		if (!g->called[k]) {
			int pc = emit(g, BPFVM_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
			g->calls[g->ncalls].pc = pc;
			g->calls[g->ncalls++].callee = k;
			g->called[k] = true;
			reinit_args(g);
		}

	/* epilogue: r0..r9 and the stack region into the context, r0 = final r0 */
	if (!(g->flags & PROGEN_F_MEMBUF)) {
		emit(g, BPFVM_STX_MEM(BPF_DW, 10, 9, -16));
		emit(g, BPFVM_LDX_MEM(BPF_DW, 9, 10, -8));
	}
	for (int r = 0; r < 9; r++)
		emit(g, BPFVM_STX_MEM(BPF_DW, 9, r, PROGEN_CTX_REGS + 8 * r));
	if (g->flags & PROGEN_F_MEMBUF)
		emit(g, BPFVM_MOV64_IMM(0, 0)); /* r9 held a pointer: its slot reads 0 */
	else
		emit(g, BPFVM_LDX_MEM(BPF_DW, 0, 10, -16));
	emit(g, BPFVM_STX_MEM(BPF_DW, 9, 0, PROGEN_CTX_REGS + 8 * 9));
	for (int i = 0; i < nslots; i++) {
		emit(g, BPFVM_LDX_MEM(BPF_DW, 0, 10, g->stk_lo + 8 * i));
		emit(g, BPFVM_STX_MEM(BPF_DW, 9, 0, PROGEN_CTX_STACK + 8 * i));
	}
	emit(g, BPFVM_LDX_MEM(BPF_DW, 0, 9, PROGEN_CTX_REGS));
	emit(g, BPFVM_EXIT());
	g->pointers = g->reserved = 0;
}

/* subprogram k: r1..r5 are its arguments; it gives r0, r6..r9 and its stack values before the body */
static void gen_subprog(struct gen *g, int k)
{
	int size = 8 * (1 + (int)rnd(g, 4));

	g->frame = k;
	g->frame_calls = g->frame_loops = 0;
	g->sub_entry[k] = (int)g->p->cnt;
	g->stk_hi = 0;
	g->stk_lo = -size;
	g->cur_blk = BLK_OUTSIDE;
	static const int callee_regs[] = { 0, 6, 7, 8, 9 };
	for (int i = 0; i < 5; i++) {
		if (rnd(g, 3))
			emit(g, BPFVM_MOV64_REG(callee_regs[i], 1 + (int)rnd(g, 5)));
		else
			emit(g, BPFVM_MOV64_IMM(callee_regs[i], rnd_imm(g)));
	}
	for (int off = g->stk_lo; off < 0; off += 8)
		emit(g, BPFVM_STX_MEM(BPF_DW, 10, pick_reg(g, 0x3ff), off));
	gen_block(g, 4 + (int)rnd(g, 24));
	g->cur_blk = BLK_OUTSIDE;
	if (rnd(g, 2))
		emit(g, BPFVM_MOV64_REG(0, pick_reg(g, 0x3ff)));
	emit(g, BPFVM_EXIT());
}

/* ---- reachability: the kernel refuses unreachable instructions ---- */

static void successors(const struct progen_prog *p, int pc, int out[2], int *n)
{
	const struct bpf_insn *in = &p->insns[pc];
	enum bpfvm_op op = bpfvm_op_of(in);
	*n = 0;
	if (op == BPFVM_OP_EXIT)
		return;
	if (op == BPFVM_OP_LD_IMM64) {
		out[(*n)++] = pc + 2;
		return;
	}
	if (op == BPFVM_OP_JA) {
		out[(*n)++] = pc + 1 + in->off;
		return;
	}
	if (op == BPFVM_OP_JA32) {
		out[(*n)++] = pc + 1 + in->imm;
		return;
	}
	out[(*n)++] = pc + 1;
	if (bpfvm_opinfo[op].fmt == FMT_JCOND)
		out[(*n)++] = pc + 1 + in->off;
	else if (op == BPFVM_OP_CALL_LOCAL)
		out[(*n)++] = pc + 1 + in->imm;
	else if (op == BPFVM_OP_MAY_GOTO)
		out[(*n)++] = pc + 1 + in->off;
}

static int mark_reachable(const struct progen_prog *p, uint8_t *seen)
{
	int stack[PROGEN_MAX_INSNS], sp = 0, unreached = 0;
	memset(seen, 0, p->cnt);
	seen[0] = 1;
	stack[sp++] = 0;
	while (sp) {
		int pc = stack[--sp], succ[2], n;
		successors(p, pc, succ, &n);
		for (int i = 0; i < n; i++)
			if (succ[i] >= 0 && succ[i] < (int)p->cnt && !seen[succ[i]]) {
				seen[succ[i]] = 1;
				stack[sp++] = succ[i];
			}
	}
	for (size_t pc = 0; pc < p->cnt; pc++)
		if (!seen[pc] && !(pc > 0 && bpfvm_op_of(&p->insns[pc - 1]) == BPFVM_OP_LD_IMM64 && seen[pc - 1]))
			unreached++;
	return unreached;
}

/* turn each `goto` whose fall-through nobody reaches into a conditional jump, until all is reachable */
static int make_reachable(struct gen *g)
{
	struct progen_prog *p = g->p;
	uint8_t seen[PROGEN_MAX_INSNS];
	while (mark_reachable(p, seen)) {
		bool changed = false;
		for (size_t pc = 0; pc + 1 < p->cnt; pc++) {
			struct bpf_insn *in = &p->insns[pc];
			enum bpfvm_op op = bpfvm_op_of(in);
			if (!seen[pc] || seen[pc + 1] || (op != BPFVM_OP_JA && op != BPFVM_OP_JA32))
				continue;
			int off = op == BPFVM_OP_JA ? in->off : in->imm;
			*in = BPFVM_JMP_IMM(BPF_JNE, pick_reg(g, 0x1ff), rnd_imm(g), (int16_t)off);
			changed = true;
		}
		if (!changed)
			return -EINVAL;
	}
	return 0;
}

int progen_generate(uint64_t *rng, const struct progen_opts *opts, struct progen_prog *p)
{
	static const struct progen_opts defaults;
	struct gen *g;
	int err;

	if (!opts)
		opts = &defaults;
	if (!rng || !p || opts->isa < 0 || opts->isa > 4 || opts->len < 0 || opts->len > PROGEN_MAX_INSNS / 2 ||
	    opts->stack < 0 || opts->stack > 128 || opts->stack % 8 || opts->mem < 0 || opts->mem > 256 ||
	    opts->mem % 8 || (opts->flags & ~PROGEN_F_ALL))
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	g->rng = rng;
	g->p = p;
	g->flags = opts->flags ? opts->flags : PROGEN_F_DEFAULT;
	g->isa = opts->isa ? opts->isa : 4;
	build_pools(g);
	/* an older ISA may lack a category's forms (atomics are v3, load-acquire v4) */
	if (!g->acq.n || !g->rel.n)
		g->flags &= ~PROGEN_F_ACQREL;
	if (!g->atomic.n)
		g->flags &= ~PROGEN_F_ATOMIC;
	if (!g->maygoto.n)
		g->flags &= ~PROGEN_F_MAYGOTO;
	p->flags = g->flags;
	p->stack = opts->stack ? (size_t)opts->stack : 64;
	p->ctx_size = PROGEN_CTX_STACK + p->stack;
	if (g->flags & PROGEN_F_MEMBUF) {
		p->mem_off = p->ctx_size;
		p->mem_size = opts->mem ? (size_t)opts->mem : 64;
		p->ctx_size += p->mem_size;
	}
	g->nsub = (g->flags & PROGEN_F_CALLS) ? 1 + (int)rnd(g, MAX_SUBPROGS) : 0;
	p->nsubprogs = g->nsub;

	gen_main(g, opts->len ? opts->len : 8 + (int)rnd(g, 89));
	for (int k = 0; k < g->nsub; k++)
		gen_subprog(g, k);
	for (int i = 0; i < g->ncalls; i++)
		p->insns[g->calls[i].pc].imm = g->sub_entry[g->calls[i].callee] - g->calls[i].pc - 1;
	err = make_reachable(g);
	free(g);
	return err;
}
