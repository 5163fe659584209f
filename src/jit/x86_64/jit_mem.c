/* jit_mem.c - code generation for loads, stores, atomics, load-acquire/store-release and LD_ABS/LD_IND */
#if defined(__x86_64__) /* other hosts: src/jit/none.c */
#include <errno.h>
#include <stddef.h>

#include "common/log_internal.h"
#include "interp/run.h"
#include "jit/x86_64/jit.h"

/* the RMW atomics without fetch map to `lock op [m], src` */
static int atomic_alu(int32_t imm)
{
	switch (imm & ~BPF_FETCH) {
	case BPF_ADD:
		return ALU_ADD;
	case BPF_OR:
		return ALU_OR;
	case BPF_AND:
		return ALU_AND;
	default:
		return ALU_XOR;
	}
}

/*
 * fetch_or/fetch_and/fetch_xor have no x86 instruction: a cmpxchg loop, with rax (BPF r0) saved in r10 and the
 * address in r9.
 *	mov r10, rax; lea r9, [dst+off]; mov rax, [r9]
 *   1:	mov r11, rax; op r11, src; lock cmpxchg [r9], r11; jne 1b
 *	mov src, rax; mov rax, r10
 */
static void emit_fetch_loop(uint8_t **pp, bool is64, int d, int16_t off, int s, enum x86_alu op)
{
	int operand = s == X_RAX ? X_AUX : s;
	uint8_t *loop, back;

	emit_mov_rr(pp, true, X_AUX, X_RAX);
	emit_lea(pp, X_AUX2, d, off);
	emit_ldx(pp, is64 ? 8 : 4, false, X_RAX, X_AUX2, 0);
	loop = *pp;
	emit_mov_rr(pp, true, X_TMP, X_RAX);
	emit_alu_rr(pp, op, is64, X_TMP, operand);
	emit_lock_cmpxchg(pp, is64, X_AUX2, 0, X_TMP);
	back = (uint8_t)(loop - (*pp + 2));
	EMIT2(0x75, back); /* jne 1b */
	if (s != X_RAX) {
		emit_mov_rr(pp, is64, s, X_RAX);
		emit_mov_rr(pp, true, X_RAX, X_AUX);
	}
}

static int jit_atomic(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn)
{
	bool is64 = BPF_SIZE(insn->code) == BPF_DW;
	int d = reg2x86[insn->dst_reg], s = reg2x86[insn->src_reg];
	int16_t off = insn->off;

	switch (insn->imm) {
	case BPF_ADD:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
		emit_lock_alu(pp, (enum x86_alu)atomic_alu(insn->imm), is64, d, off, s);
		return 0;
	case BPF_ADD | BPF_FETCH:
		emit_lock_xadd(pp, is64, d, off, s); /* src = old value, zero-extended when 32-bit */
		return 0;
	case BPF_OR | BPF_FETCH:
	case BPF_AND | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
		emit_fetch_loop(pp, is64, d, off, s, (enum x86_alu)atomic_alu(insn->imm));
		return 0;
	case BPF_XCHG:
		emit_xchg_mem(pp, is64, d, off, s);
		return 0;
	case BPF_CMPXCHG:
		/* r0 = cmpxchg(dst + off, r0, src); the address register may be r0 itself */
		if (d == X_RAX) {
			emit_lea(pp, X_AUX2, d, off);
			d = X_AUX2, off = 0;
		}
		emit_lock_cmpxchg(pp, is64, d, off, s);
		if (!is64)
			emit_mov_rr(pp, false, X_RAX, X_RAX); /* success leaves rax's upper half: RFC 9669 zero-extends */
		return 0;
	default:
		bpfvm_logf(ctx->log, "JIT: unsupported atomic operation 0x%x at insn %zu", (unsigned)insn->imm, ctx->idx);
		return -EINVAL;
	}
}

/*
 * r0 = ntoh(*(size *)(pkt + off)), off = imm (LD_ABS) or (s32)(src + imm) (LD_IND); a read outside
 * [rc->pkt, rc->pkt + rc->pkt_len) ends the program with r0 = 0, as the kernel's bpf_skb_load_helper does.
 *	mov r11, [r12]; mov r10d, src32; add r10d, imm; movsxd r10, r10d; test r10, r10; js oob
 *	lea r9, [r10 + size]; cmp r9, [r11 + pkt_len]; ja oob; add r10, [r11 + pkt]; movzx eax, [r10] ...
 */
static void jit_ld_pkt(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn, bool ind)
{
	static const uint8_t cmp_op[] = { 0x3b }, add_op[] = { 0x03 };
	int size = BPF_SIZE(insn->code) == BPF_B ? 1 : BPF_SIZE(insn->code) == BPF_H ? 2 : 4;

	emit_ldx(pp, 8, false, X_TMP, X_JST, JST_RC);
	if (ind) {
		emit_mov_rr(pp, false, X_AUX, reg2x86[insn->src_reg]);
		if (insn->imm)
			emit_alu_imm(pp, ALU_ADD, false, X_AUX, insn->imm);
		emit_movsx_rr(pp, true, X_AUX, X_AUX, 32);
	} else {
		emit_mov_imm32(pp, true, X_AUX, insn->imm);
	}
	emit_test_rr(pp, true, X_AUX, X_AUX);
	jit_emit_jump(ctx, pp, CC_S, ctx->old_label[L_ERR], JIT_JUMP_NEAR); /* js oob */
	emit_lea(pp, X_AUX2, X_AUX, size);
	emit_op_mem(pp, true, cmp_op, 1, X_AUX2, X_TMP, offsetof(struct bpfvm_run_ctx, pkt_len), false);
	jit_emit_jump(ctx, pp, CC_A, ctx->old_label[L_ERR], JIT_JUMP_NEAR); /* ja oob */
	emit_op_mem(pp, true, add_op, 1, X_AUX, X_TMP, offsetof(struct bpfvm_run_ctx, pkt), false);
	emit_ldx(pp, size, false, X_RAX, X_AUX, 0);
	if (size == 2)
		emit_rol16_8(pp, X_RAX); /* movzx already cleared the upper bits */
	else if (size == 4)
		emit_bswap(pp, false, X_RAX);
}

int jit_mem(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn, enum bpfvm_op op)
{
	int size = bpfvm_op_size(op);
	int d = reg2x86[insn->dst_reg], s = reg2x86[insn->src_reg];

	switch (bpfvm_opinfo[op].fmt) {
	case FMT_LDX:
		emit_ldx(pp, size, BPF_MODE(insn->code) == BPF_MEMSX, d, s, insn->off);
		return 0;
	case FMT_LOAD_ACQ:
		emit_ldx(pp, size, false, d, s, insn->off); /* x86 loads already have acquire semantics (TSO) */
		return 0;
	case FMT_STX:
	case FMT_STORE_REL:
		emit_stx(pp, size, d, insn->off, s); /* and stores release semantics (TSO) */
		return 0;
	case FMT_ST:
		if (ctx->opts->harden) {
			int32_t key = (int32_t)jit_blind_key(ctx);

			emit_mov_imm32(pp, true, X_TMP, insn->imm ^ key);
			emit_alu_imm(pp, ALU_XOR, true, X_TMP, key);
			emit_stx(pp, size, d, insn->off, X_TMP);
		} else {
			emit_st_imm(pp, size, d, insn->off, insn->imm);
		}
		return 0;
	case FMT_ATOMIC:
		return jit_atomic(ctx, pp, insn);
	case FMT_LDABS:
		jit_ld_pkt(ctx, pp, insn, false);
		return 0;
	case FMT_LDIND:
		jit_ld_pkt(ctx, pp, insn, true);
		return 0;
	default:
		bpfvm_logf(ctx->log, "JIT: unsupported memory opcode 0x%02x at insn %zu", insn->code, ctx->idx);
		return -EINVAL;
	}
}

#endif /* __x86_64__ */
