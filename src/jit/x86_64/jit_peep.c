/* jit_peep.c - peepholes over short instruction sequences: rotates as `rol`, a jump over one ALU op as `cmov` */
#if defined(__x86_64__) /* other hosts: src/jit/none.c */
#include "jit/x86_64/jit.h"

static bool is_ins(const struct bpf_insn *i, uint8_t code, int16_t off)
{
	return i->code == code && i->off == off;
}

/* none of insns (first, first + n) is reached by a jump or a call: they may be fused into their predecessor */
static bool no_target_inside(const struct jit_ctx *ctx, size_t first, size_t n)
{
	if (first + n >= ctx->cnt)
		return false;
	for (size_t k = first + 1; k <= first + n; k++)
		if (ctx->is_target[k])
			return false;
	return true;
}

/*
 * a = b; b <<= k; a >>= W - k; b |= a   (|, ^ or + : the halves do not overlap), 32 or 64 bits
 *	mov a, b; shr a, W - k; rol b, k
 * `a` keeps its BPF value; the rotate takes one step instead of two on b's dependency chain.
 */
static int peep_rotate(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *p)
{
	bool is64 = p[0].code == (BPF_ALU64 | BPF_MOV | BPF_X);
	uint8_t cls = is64 ? BPF_ALU64 : BPF_ALU;
	int W = is64 ? 64 : 32;
	int a = p[0].dst_reg, b = p[0].src_reg;
	int k;
	const struct bpf_insn *lsh, *rsh;

	if ((p[0].code != (BPF_ALU | BPF_MOV | BPF_X) && !is64) || p[0].off || a == b)
		return 0;
	if (!no_target_inside(ctx, ctx->idx, 3))
		return 0;
	/* the two shifts in either order */
	lsh = is_ins(&p[1], cls | BPF_LSH | BPF_K, 0) ? &p[1] : &p[2];
	rsh = lsh == &p[1] ? &p[2] : &p[1];
	if (!is_ins(lsh, cls | BPF_LSH | BPF_K, 0) || !is_ins(rsh, cls | BPF_RSH | BPF_K, 0))
		return 0;
	if (lsh->dst_reg != b || rsh->dst_reg != a)
		return 0;
	k = lsh->imm;
	if (k <= 0 || k >= W || rsh->imm != W - k)
		return 0;
	if (p[3].dst_reg != b || p[3].src_reg != a || p[3].off ||
	    (p[3].code != (cls | BPF_OR | BPF_X) && p[3].code != (cls | BPF_XOR | BPF_X) &&
	     p[3].code != (cls | BPF_ADD | BPF_X)))
		return 0;
	a = reg2x86[a], b = reg2x86[b];
	emit_mov_rr(pp, is64, a, b);
	emit_shift_imm(pp, SH_SHR, is64, a, W - k);
	emit_shift_imm(pp, SH_ROL, is64, b, k);
	return 3;
}

/* ALU ops that cmov can select: no faults, no flags needed afterwards */
static bool cmov_op(const struct bpf_insn *i)
{
	uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);

	if ((cls != BPF_ALU && cls != BPF_ALU64) || i->off)
		return false;
	return op == BPF_ADD || op == BPF_SUB || op == BPF_OR || op == BPF_AND || op == BPF_XOR || op == BPF_MOV;
}

static const int8_t peep_cc[16] = {
	[BPF_JEQ >> 4] = CC_E,  [BPF_JGT >> 4] = CC_A,  [BPF_JGE >> 4] = CC_AE, [BPF_JSET >> 4] = CC_NE,
	[BPF_JNE >> 4] = CC_NE, [BPF_JSGT >> 4] = CC_G, [BPF_JSGE >> 4] = CC_GE, [BPF_JLT >> 4] = CC_B,
	[BPF_JLE >> 4] = CC_BE, [BPF_JSLT >> 4] = CC_L, [BPF_JSLE >> 4] = CC_LE,
};

/*
 * if (cond) goto +1; dst op= src|imm     ->  r11 = dst op src|imm; cmp; cmov(!cond) dst, r11
 * A data-dependent branch over one ALU instruction becomes branch-free, as compilers do.
 * A 32-bit op's result in r11 is already zero-extended, so the 64-bit cmov gives BPF's result either way.
 */
static int peep_cmov(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *p)
{
	uint8_t cls = BPF_CLASS(p[0].code), jop = BPF_OP(p[0].code);
	bool jmp64 = cls == BPF_JMP, is64, jk;
	int jd, js, d;
	const struct bpf_insn *alu = &p[1];

	if ((cls != BPF_JMP && cls != BPF_JMP32) || p[0].off != 1 || ctx->opts->harden)
		return 0;
	if (jop == BPF_JA || jop == BPF_CALL || jop == BPF_EXIT || jop > BPF_JSLE || jop == 0xe0 || jop == 0x80)
		return 0;
	if (!cmov_op(alu) || alu->dst_reg == BPF_REG_10 || !no_target_inside(ctx, ctx->idx, 1))
		return 0;
	is64 = BPF_CLASS(alu->code) == BPF_ALU64;
	d = reg2x86[alu->dst_reg];
	jd = reg2x86[p[0].dst_reg], js = reg2x86[p[0].src_reg];
	jk = BPF_SRC(p[0].code) == BPF_K;

	/* r11 = what dst becomes when the jump is not taken */
	if (BPF_OP(alu->code) == BPF_MOV) {
		if (BPF_SRC(alu->code) == BPF_K)
			emit_mov_imm32(pp, is64, X_TMP, alu->imm);
		else
			emit_mov_rr(pp, is64, X_TMP, reg2x86[alu->src_reg]);
	} else {
		static const int8_t x86op[16] = { [BPF_ADD >> 4] = ALU_ADD, [BPF_SUB >> 4] = ALU_SUB,
						  [BPF_OR >> 4] = ALU_OR,   [BPF_AND >> 4] = ALU_AND,
						  [BPF_XOR >> 4] = ALU_XOR };
		enum x86_alu op = (enum x86_alu)x86op[BPF_OP(alu->code) >> 4];

		emit_mov_rr(pp, is64, X_TMP, d);
		if (BPF_SRC(alu->code) == BPF_K)
			emit_alu_imm(pp, op, is64, X_TMP, alu->imm);
		else
			emit_alu_rr(pp, op, is64, X_TMP, reg2x86[alu->src_reg]);
	}
	/* the jump's test, as jit_jcond emits it */
	if (jop == BPF_JSET) {
		if (jk)
			emit_test_imm(pp, jmp64, jd, p[0].imm);
		else
			emit_test_rr(pp, jmp64, jd, js);
	} else if (jk && p[0].imm == 0) {
		emit_test_rr(pp, jmp64, jd, jd);
	} else if (jk) {
		emit_alu_imm(pp, ALU_CMP, jmp64, jd, p[0].imm);
	} else {
		emit_alu_rr(pp, ALU_CMP, jmp64, jd, js);
	}
	/* cmov(!cond) dst, r11: REX.W 0F 40+cc /r */
	{
		const uint8_t op[] = { 0x0f, (uint8_t)(0x40 | (peep_cc[jop >> 4] ^ 1)) };

		emit_op_rr(pp, true, op, 2, d, X_TMP, false);
	}
	return 1;
}

int jit_peephole(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn)
{
	size_t left = ctx->cnt - ctx->idx;
	int n;

	if (left >= 4 && (n = peep_rotate(ctx, pp, insn)))
		return n;
	if (left >= 3 && (n = peep_cmov(ctx, pp, insn)))
		return n;
	return 0;
}

#endif /* __x86_64__ */
