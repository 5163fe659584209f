/* jit_alu.c - code generation for ALU/ALU64: arithmetic, shifts, RFC 9669 div/mod, mov, movsx, byte swaps */
#if defined(__x86_64__) /* other hosts: src/jit/none.c */
#include <errno.h>

#include "common/log_internal.h"
#include "jit/x86_64/jit.h"

/*
 * BPF operation (code >> 4) -> x86 group-1 operation, for the ops x86 has directly; -1 elsewhere.
 * Every 32-bit x86 operation writing a register clears its upper half, which is exactly BPF's zero-extension of
 * ALU32 results: no extra instruction is ever needed for it (zero-extension elision by construction).
 */
static const int8_t alu_x86[16] = {
	[0x0] = ALU_ADD, [0x1] = ALU_SUB, [0x2] = -1, [0x3] = -1, [0x4] = ALU_OR, [0x5] = ALU_AND,
	[0x6] = -1, [0x7] = -1, [0x8] = -1, [0x9] = -1, [0xa] = ALU_XOR, [0xb] = -1, [0xc] = -1,
	[0xd] = -1, [0xe] = -1, [0xf] = -1,
};

/* BPF shift (code >> 4) -> x86 group-2 /digit */
static enum x86_shift shift_x86(uint8_t code)
{
	switch (code & 0xf0) {
	case BPF_LSH:
		return SH_SHL;
	case BPF_RSH:
		return SH_SHR;
	default:
		return SH_SAR;
	}
}

/* Constant blinding: tmp = imm, loaded as (imm ^ key) ^ key so that imm never appears in the image. */
static void emit_blinded_imm(struct jit_ctx *ctx, uint8_t **pp, bool is64, int32_t imm)
{
	int32_t key = (int32_t)jit_blind_key(ctx);

	emit_mov_imm32(pp, is64, X_TMP, imm ^ key);
	emit_alu_imm(pp, ALU_XOR, is64, X_TMP, key);
}

/* shift by a register count: shlx/shrx/sarx with BMI2, else through cl, saving BPF r4 (rcx) around it */
static void emit_shift_reg(struct jit_ctx *ctx, uint8_t **pp, enum x86_shift sh, bool is64, int d, int s)
{
	if (ctx->bmi2) {
		emit_shiftx(pp, sh, is64, d, d, s);
		return;
	}
	if (s == X_RCX) {
		emit_shift_cl(pp, sh, is64, d); /* shl dst, cl */
		return;
	}
	emit_mov_rr(pp, true, X_TMP, X_RCX); /* mov r11, rcx */
	emit_mov_rr(pp, false, X_RCX, s);     /* mov ecx, src32 */
	if (d == X_RCX) {
		emit_shift_cl(pp, sh, is64, X_TMP); /* shl r11, cl */
		emit_mov_rr(pp, true, X_RCX, X_TMP);
	} else {
		emit_shift_cl(pp, sh, is64, d);
		emit_mov_rr(pp, true, X_RCX, X_TMP); /* restore rcx */
	}
}

/* patch a rel8 jump emitted at j to land at *pp */
static void patch_rel8(uint8_t *j, uint8_t *const *pp)
{
	j[1] = (uint8_t)(*pp - (j + 2));
}

/*
 * dst = dst / src, dst = dst % src, unsigned or signed, 32 or 64 bits, with RFC 9669's rules instead of #DE:
 * x / 0 = 0, x % 0 = x (truncated to 32 bits for ALU32), INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
 * x86 div works on rdx:rax, which hold BPF r3 and r0: both are saved in r9/r10 unless dst is one of them.
 * s is the divisor's register (X_TMP holds an immediate); sval/known describe an immediate divisor.
 */
static void emit_divmod(struct jit_ctx *ctx, uint8_t **pp, bool is64, bool sgn, bool mod, int d, int s, bool known,
			int64_t sval)
{
	uint8_t *jz = NULL, *jm1 = NULL, *jend1 = NULL, *jend2 = NULL;

	if (known && sval == 0) {
		if (!mod)
			emit_alu_rr(pp, ALU_XOR, false, d, d); /* x / 0 = 0 */
		else if (!is64)
			emit_mov_rr(pp, false, d, d); /* x % 0 = x, zero-extended */
		return;
	}
	if (known && sgn && sval == -1) {
		if (!mod)
			emit_neg(pp, is64, d); /* x / -1 = -x, wrapping for INT_MIN */
		else
			emit_alu_rr(pp, ALU_XOR, false, d, d); /* x % -1 = 0 */
		return;
	}
	if (s != X_TMP)
		emit_mov_rr(pp, is64, X_TMP, s); /* mov r11, src: rdx/rax are about to change */
	if (!known) {
		emit_test_rr(pp, is64, X_TMP, X_TMP);
		jz = *pp;
		EMIT2(0x75, 0); /* jnz nonzero */
		if (!mod)
			emit_alu_rr(pp, ALU_XOR, false, d, d);
		else if (!is64)
			emit_mov_rr(pp, false, d, d);
		jend1 = *pp;
		EMIT2(0xeb, 0); /* jmp end */
		patch_rel8(jz, pp);
		if (sgn) {
			emit_alu_imm(pp, ALU_CMP, is64, X_TMP, -1);
			jm1 = *pp;
			EMIT2(0x75, 0); /* jne divide */
			if (!mod)
				emit_neg(pp, is64, d);
			else
				emit_alu_rr(pp, ALU_XOR, false, d, d);
			jend2 = *pp;
			EMIT2(0xeb, 0); /* jmp end */
			patch_rel8(jm1, pp);
		}
	}
	if (d != X_RAX)
		emit_mov_rr(pp, true, X_AUX, X_RAX); /* mov r10, rax */
	if (d != X_RDX)
		emit_mov_rr(pp, true, X_AUX2, X_RDX); /* mov r9, rdx */
	if (d != X_RAX)
		emit_mov_rr(pp, is64, X_RAX, d);
	if (sgn)
		emit_sign_ext_ax(pp, is64); /* cqo / cdq */
	else
		emit_alu_rr(pp, ALU_XOR, false, X_RDX, X_RDX); /* xor edx, edx */
	emit_div(pp, is64, sgn, X_TMP);
	if (mod && d != X_RDX)
		emit_mov_rr(pp, is64, d, X_RDX);
	else if (!mod && d != X_RAX)
		emit_mov_rr(pp, is64, d, X_RAX);
	if (d != X_RAX)
		emit_mov_rr(pp, true, X_RAX, X_AUX);
	if (d != X_RDX)
		emit_mov_rr(pp, true, X_RDX, X_AUX2);
	if (jend1)
		patch_rel8(jend1, pp);
	if (jend2)
		patch_rel8(jend2, pp);
}

static void emit_end(uint8_t **pp, enum bpfvm_op op, int d)
{
	switch (op) {
	case BPFVM_OP_LE16:
		emit_movzx_rr(pp, d, d, 16); /* movzx d32, d16 */
		break;
	case BPFVM_OP_LE32:
		emit_mov_rr(pp, false, d, d); /* mov d32, d32 */
		break;
	case BPFVM_OP_LE64:
		break; /* the host is little-endian: nothing to do */
	case BPFVM_OP_BE16:
	case BPFVM_OP_BSWAP16:
		emit_rol16_8(pp, d);
		emit_movzx_rr(pp, d, d, 16);
		break;
	case BPFVM_OP_BE32:
	case BPFVM_OP_BSWAP32:
		emit_bswap(pp, false, d);
		break;
	default:
		emit_bswap(pp, true, d);
		break;
	}
}

int jit_alu(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn, enum bpfvm_op op)
{
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	bool is_k = BPF_SRC(insn->code) == BPF_K;
	int d = reg2x86[insn->dst_reg];
	int s = reg2x86[insn->src_reg];
	int32_t imm = insn->imm;
	uint8_t bop = BPF_OP(insn->code);

	switch (bpfvm_opinfo[op].fmt) {
	case FMT_NEG:
		emit_neg(pp, is64, d);
		return 0;
	case FMT_END:
		emit_end(pp, op, d);
		return 0;
	case FMT_MOVSX:
		emit_movsx_rr(pp, is64, d, s, insn->off);
		return 0;
	case FMT_MOV:
		if (!is_k) {
			if (d != s || !is64)
				emit_mov_rr(pp, is64, d, s); /* mov d32, d32 still zero-extends */
		} else if (ctx->opts->harden && imm != 0) {
			emit_blinded_imm(ctx, pp, is64, imm);
			emit_mov_rr(pp, is64, d, X_TMP);
		} else {
			emit_mov_imm32(pp, is64, d, imm);
		}
		return 0;
	default:
		break;
	}

	/* a blinded immediate becomes a register operand in r11 */
	if (is_k && ctx->opts->harden && bop != BPF_LSH && bop != BPF_RSH && bop != BPF_ARSH) {
		emit_blinded_imm(ctx, pp, is64, imm);
		is_k = false;
		s = X_TMP;
	}

	switch (bop) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
		if (is_k)
			emit_alu_imm(pp, (enum x86_alu)alu_x86[bop >> 4], is64, d, imm);
		else
			emit_alu_rr(pp, (enum x86_alu)alu_x86[bop >> 4], is64, d, s);
		return 0;
	case BPF_MUL:
		/* Optimization: x * 3, 5, 9 is one lea (1 cycle, not imul's 3); x * 2^k a shift; x * 1, 0, -1 trivial */
		if (is_k && imm == 1) {
			if (!is64)
				emit_mov_rr(pp, false, d, d); /* x * 1 = x, zero-extended */
		} else if (is_k && imm == 0) {
			emit_alu_rr(pp, ALU_XOR, false, d, d);
		} else if (is_k && imm == -1) {
			emit_neg(pp, is64, d);
		} else if (is_k && (imm == 3 || imm == 5 || imm == 9))
			emit_lea_sib(pp, is64, d, d, d, imm == 3 ? 1 : imm == 5 ? 2 : 3);
		else if (is_k && imm > 1 && !(imm & (imm - 1)))
			emit_shift_imm(pp, SH_SHL, is64, d, __builtin_ctz((uint32_t)imm));
		else if (is_k)
			emit_imul_imm(pp, is64, d, imm);
		else
			emit_imul_rr(pp, is64, d, s);
		return 0;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		if (is_k) {
			int cnt = imm & (is64 ? 63 : 31); /* RFC 9669: the shift count is masked */

			if (cnt)
				emit_shift_imm(pp, shift_x86(insn->code), is64, d, cnt);
			else if (!is64)
				emit_mov_rr(pp, false, d, d);
		} else {
			emit_shift_reg(ctx, pp, shift_x86(insn->code), is64, d, s);
		}
		return 0;
	case BPF_DIV:
	case BPF_MOD: {
		bool sgn = insn->off == 1;
		int64_t sval = is64 ? (int64_t)imm : sgn ? (int64_t)imm : (int64_t)(uint32_t)imm;

		if (is_k && !(sval == 0 || (sgn && sval == -1)))
			emit_mov_imm32(pp, is64, X_TMP, imm);
		emit_divmod(ctx, pp, is64, sgn, bop == BPF_MOD, d, is_k ? X_TMP : s, is_k, sval);
		return 0;
	}
	default:
		bpfvm_logf(ctx->log, "JIT: unsupported ALU opcode 0x%02x at insn %zu", insn->code, ctx->idx);
		return -EINVAL;
	}
}

#endif /* __x86_64__ */
