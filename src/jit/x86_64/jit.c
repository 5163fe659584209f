/* jit.c - the x86-64 JIT's driver: do_jit() over every instruction, passes to a fixed point of code sizes, W^X image */
#if defined(__x86_64__) /* other hosts: src/jit/none.c */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "helpers/helpers.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "jit/x86_64/image.h"
#include "jit/x86_64/jit.h"
#include "maps/map.h"

#define MAX_PASSES 40

/* BPF jump operation (code >> 4) -> x86 condition */
static const int8_t jmp_cc[16] = {
	[BPF_JEQ >> 4] = CC_E,   [BPF_JGT >> 4] = CC_A,    [BPF_JGE >> 4] = CC_AE,  [BPF_JSET >> 4] = CC_NE,
	[BPF_JNE >> 4] = CC_NE,  [BPF_JSGT >> 4] = CC_G,   [BPF_JSGE >> 4] = CC_GE, [BPF_JLT >> 4] = CC_B,
	[BPF_JLE >> 4] = CC_BE,  [BPF_JSLT >> 4] = CC_L,   [BPF_JSLE >> 4] = CC_LE,
};

uint32_t jit_blind_key(struct jit_ctx *ctx)
{
	uint32_t x = ctx->blind;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	ctx->blind = x;
	return x | 1; /* never 0: the blinded value must differ from the plain one */
}

void jit_emit_jump(struct jit_ctx *ctx, uint8_t **pp, int cc, uint32_t old_target, uint32_t tail)
{
	bool near = ctx->first_pass || tail == JIT_JUMP_NEAR;
	int64_t dist = 0;

	if (!near) {
		/* the distance in the previous pass, from this jump's end (a sum of sizes: it only shrinks) */
		dist = (int64_t)old_target - ((int64_t)ctx->old_end[ctx->idx] - tail);
		if (dist == 0 && tail == 0)
			return; /* to the next byte */
		near = !is_imm8(dist);
	}
	if (near) {
		uint32_t here = jit_here(ctx, pp) + (cc < 0 ? 5 : 6);

		if (cc < 0)
			EMIT1(0xe9); /* jmp rel32 */
		else
			EMIT2(0x0f, 0x80 | cc); /* jcc rel32 */
		emit_imm32(pp, old_target - here);
	} else {
		uint32_t here = jit_here(ctx, pp) + 2;

		EMIT2(cc < 0 ? 0xeb : 0x70 | cc, (uint8_t)(old_target - here)); /* jmp/jcc rel8 */
	}
}

/* target image offset (previous pass) of a BPF jump to instruction t */
static uint32_t old_insn(const struct jit_ctx *ctx, size_t t)
{
	return ctx->old_start[t];
}

/*
 * main prologue: the frame, the callee-saved registers, the JIT state that r12 points at for the whole run.
 *	push rbp; mov rbp, rsp; sub rsp, 512; push rbx; push r12; push r13; push r14; push r15; sub rsp, 24
 *	mov r12, rsp; mov [r12], rdx (run ctx); [mov qword [r12+8], BPF_MAX_LOOPS]; zero r0, r3..r9
 */
static void emit_main_prologue(struct jit_ctx *ctx, uint8_t **pp)
{
	static const int zero[] = { X_RAX, X_RDX, X_RCX, X_R8, X_RBX, X_R13, X_R14, X_R15 };

	emit_push(pp, X_RBP);
	emit_mov_rr(pp, true, X_RBP, X_RSP);
	emit_alu_imm(pp, ALU_SUB, true, X_RSP, BPFVM_STACK_SIZE);
	emit_push(pp, X_RBX);
	emit_push(pp, X_R12);
	emit_push(pp, X_R13);
	emit_push(pp, X_R14);
	emit_push(pp, X_R15);
	emit_alu_imm(pp, ALU_SUB, true, X_RSP, JST_SIZE);
	emit_mov_rr(pp, true, X_JST, X_RSP);
	emit_stx(pp, 8, X_JST, JST_RC, X_RDX);
	if (ctx->has_func_ptr) /* callbacks come back in through L_CALLBACK, which needs this frame's r12 */
		emit_stx(pp, 8, X_RDX, (int32_t)offsetof(struct bpfvm_run_ctx, jit_state), X_JST);
	if (ctx->has_may_goto)
		emit_st_imm(pp, 8, X_JST, JST_LOOPS, JIT_MAX_LOOPS);
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		emit_alu_rr(pp, ALU_XOR, false, zero[i], zero[i]); /* deterministic start, as the interpreter's */
}

/* the x86 registers of BPF r6..r9, in push order */
static const int lean_saved[] = { X_RBX, X_R13, X_R14, X_R15 };

/*
 * a leaf program's prologue: [push rbp; mov rbp, rsp; sub rsp, 512] if it names r10; push the registers of the r6..r9
 * it names; zero r0, r3..r5 and those, as the main prologue does
 */
static void emit_lean_prologue(struct jit_ctx *ctx, uint8_t **pp)
{
	static const int zero[] = { X_RAX, X_RDX, X_RCX, X_R8 };

	if (ctx->lean_fp) {
		emit_push(pp, X_RBP);
		emit_mov_rr(pp, true, X_RBP, X_RSP);
		emit_alu_imm(pp, ALU_SUB, true, X_RSP, BPFVM_STACK_SIZE);
	}
	for (int k = 0; k < 4; k++)
		if (ctx->lean_regs & (1u << k))
			emit_push(pp, lean_saved[k]);
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		emit_alu_rr(pp, ALU_XOR, false, zero[i], zero[i]);
	for (int k = 0; k < 4; k++)
		if (ctx->lean_regs & (1u << k))
			emit_alu_rr(pp, ALU_XOR, false, lean_saved[k], lean_saved[k]);
}

/* a leaf program's L_ERR and L_EXIT: r0 = 0 on the error path, restore what the prologue saved, return */
static void emit_lean_labels(struct jit_ctx *ctx, uint8_t **pp)
{
	ctx->label[L_DEPTH] = ctx->label[L_ERR] = jit_here(ctx, pp);
	emit_alu_rr(pp, ALU_XOR, false, X_RAX, X_RAX);
	ctx->label[L_EXIT] = jit_here(ctx, pp);
	for (int k = 3; k >= 0; k--)
		if (ctx->lean_regs & (1u << k))
			emit_pop(pp, lean_saved[k]);
	if (ctx->lean_fp)
		EMIT1(0xc9); /* leave */
	EMIT1(0xc3);         /* ret */
}

/*
 * bpf-to-bpf subprogram prologue: its own 512-byte frame, BPF r6..r9 saved (callee-saved in BPF), and the frame
 * depth checked against MAX_CALL_FRAMES from where the main frame's state sits.
 *	push rbp; mov rbp, rsp; sub rsp, 512; push rbx; push r13; push r14; push r15
 *	lea r11, [r12 - 7 * frame]; cmp rsp, r11; jb depth
 */
/* the callee-saved registers of BPF r6..r9, in push order */
static const int sub_saved[4] = { X_RBX, X_R13, X_R14, X_R15 };

/*
 * bpf-to-bpf subprogram prologue: its own 512-byte frame, the BPF r6..r9 that this subprogram writes saved (BPF
 * makes them callee-saved), and the frame depth checked against MAX_CALL_FRAMES from the main frame's state. The
 * frame is JIT_SUB_FRAME bytes whatever is saved, so the depth check stays exact.
 *	push rbp; mov rbp, rsp; sub rsp, 512 + pad; push rbx/r13/r14/r15 (those written)
 *	lea r11, [r12 - 7 * frame]; cmp rsp, r11; jb depth
 */
static void emit_sub_prologue(struct jit_ctx *ctx, uint8_t **pp, uint8_t mask)
{
	int pad = 0;

	for (int k = 0; k < 4; k++)
		pad += (mask & (SUB_SAVE_R6 << k)) ? 0 : 8;
	emit_push(pp, X_RBP);
	emit_mov_rr(pp, true, X_RBP, X_RSP);
	emit_alu_imm(pp, ALU_SUB, true, X_RSP, BPFVM_STACK_SIZE + pad);
	for (int k = 0; k < 4; k++)
		if (mask & (SUB_SAVE_R6 << k))
			emit_push(pp, sub_saved[k]);
	emit_lea(pp, X_TMP, X_JST, -(BPFVM_MAX_CALL_FRAMES - 1) * JIT_SUB_FRAME);
	emit_alu_rr(pp, ALU_CMP, true, X_RSP, X_TMP);
	jit_emit_jump(ctx, pp, CC_B, ctx->old_label[L_DEPTH], JIT_JUMP_NEAR);
}

/* pop the saved ones (r15 .. rbx); leave; and ret unless a tail call jumps instead */
static void emit_sub_epilogue(uint8_t **pp, uint8_t mask, bool ret)
{
	for (int k = 3; k >= 0; k--)
		if (mask & (SUB_SAVE_R6 << k))
			emit_pop(pp, sub_saved[k]);
	EMIT1(0xc9); /* leave */
	if (ret)
		EMIT1(0xc3);
}

/*
 * L_CALLBACK, called from C (jit_callback) with a struct jit_callback_call * in rdi: the C callee-saved registers
 * kept, r12 set to the main frame's state, BPF r1..r5 loaded, and the callback's subprogram entry called.
 *	push rbp, rbx, r12..r15; sub rsp, 8; mov r11, rdi; mov r12, [r11+8]; mov rdi..r8, [r11+16..48]; call [r11]
 *	add rsp, 8; pop r15..r12, rbx, rbp; ret
 */
static void emit_callback_stub(struct jit_ctx *ctx, uint8_t **pp)
{
	static const int saved[] = { X_RBP, X_RBX, X_R12, X_R13, X_R14, X_R15 };
	static const int args[] = { X_RDI, X_RSI, X_RDX, X_RCX, X_R8 };

	ctx->label[L_CALLBACK] = jit_here(ctx, pp);
	for (int i = 0; i < 6; i++)
		emit_push(pp, saved[i]);
	emit_alu_imm(pp, ALU_SUB, true, X_RSP, 8); /* 16-byte aligned at the call */
	emit_mov_rr(pp, true, X_TMP, X_RDI);
	emit_ldx(pp, 8, false, X_JST, X_TMP, (int32_t)offsetof(struct jit_callback_call, state));
	for (int i = 0; i < 5; i++)
		emit_ldx(pp, 8, false, args[i], X_TMP, (int32_t)offsetof(struct jit_callback_call, args[i]));
	EMIT3(0x41, 0xff, 0x13); /* call [r11] */
	emit_alu_imm(pp, ALU_ADD, true, X_RSP, 8);
	for (int i = 5; i >= 0; i--)
		emit_pop(pp, saved[i]);
	EMIT1(0xc3);
}

/* the shared tail of the image: L_DEPTH, L_ERR, L_EXIT, L_CALLBACK */
static void emit_labels(struct jit_ctx *ctx, uint8_t **pp)
{
	if (ctx->lean) {
		emit_lean_labels(ctx, pp);
		return;
	}
	ctx->label[L_DEPTH] = jit_here(ctx, pp);
	emit_mov_rr(pp, true, X_RSP, X_JST);             /* mov rsp, r12: unwind every frame, aligned */
	emit_ldx(pp, 8, false, X_RDI, X_JST, JST_RC);    /* mov rdi, [r12] */
	emit_mov_imm64(pp, X_RAX, (uint64_t)(uintptr_t)jit_rt_call_depth);
	emit_call_reg(pp, X_RAX);
	ctx->label[L_ERR] = jit_here(ctx, pp);
	emit_alu_rr(pp, ALU_XOR, false, X_RAX, X_RAX);   /* r0 = 0 */
	ctx->label[L_EXIT] = jit_here(ctx, pp);
	emit_lea(pp, X_RSP, X_JST, JST_SIZE);            /* lea rsp, [r12 + 24] */
	emit_pop(pp, X_R15);
	emit_pop(pp, X_R14);
	emit_pop(pp, X_R13);
	emit_pop(pp, X_R12);
	emit_pop(pp, X_RBX);
	/* not `leave`: after an unwind rbp is still a subprogram's */
	emit_alu_imm(pp, ALU_ADD, true, X_RSP, BPFVM_STACK_SIZE); /* add rsp, 512 */
	emit_pop(pp, X_RBP);
	EMIT1(0xc3);                                      /* ret */
	emit_callback_stub(ctx, pp);
}

static int jit_jcond(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn)
{
	bool is64 = BPF_CLASS(insn->code) == BPF_JMP;
	bool is_k = BPF_SRC(insn->code) == BPF_K;
	bool jset = BPF_OP(insn->code) == BPF_JSET;
	int d = reg2x86[insn->dst_reg], s = reg2x86[insn->src_reg];
	size_t t = ctx->idx + insn->off + 1;

	if (t == ctx->idx + 1)
		return 0; /* both ways lead to the next instruction */
	if (is_k && ctx->opts->harden && insn->imm != 0) {
		int32_t key = (int32_t)jit_blind_key(ctx);

		emit_mov_imm32(pp, is64, X_TMP, insn->imm ^ key);
		emit_alu_imm(pp, ALU_XOR, is64, X_TMP, key);
		is_k = false;
		s = X_TMP;
	}
	if (is_k && insn->imm == 0)
		emit_test_rr(pp, is64, d, d); /* same flags as cmp d, 0 (and d & 0 for jset, never taken) */
	if (is_k && insn->imm == 0 && jset)
		return 0;
	if (is_k && insn->imm != 0) {
		if (jset)
			emit_test_imm(pp, is64, d, insn->imm);
		else
			emit_alu_imm(pp, ALU_CMP, is64, d, insn->imm);
	} else if (!is_k) {
		if (jset)
			emit_test_rr(pp, is64, d, s);
		else
			emit_alu_rr(pp, ALU_CMP, is64, d, s);
	}
	jit_emit_jump(ctx, pp, jmp_cc[BPF_OP(insn->code) >> 4], old_insn(ctx, t), 0);
	return 0;
}

/*
 * helper call: r1..r5 are already rdi, rsi, rdx, rcx, r8; the run context goes in r9. A helper that fails sets
 * rc->error; the program then ends with r0 = 0 and the run returns that error.
 *	mov r9, [r12]; movabs rax, fn; call rax; mov r11, [r12]; cmp dword [r11 + error], 0; jne err
 */
static int jit_call_helper(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn)
{
	const struct bpfvm_helper *h = ctx->opts->helper_by_id ? ctx->opts->helper_by_id((uint32_t)insn->imm)
							      : jit_rt_helper((uint32_t)insn->imm);

	if ((!h || !h->fn) && !ctx->opts->helper_by_id && bpfvm_helper_name((uint32_t)insn->imm)) {
		/* known but not run by bpfvm: the call stops the run, as in the interpreter (not the compile: the
		 * path may never be taken) */
		emit_mov_imm32(pp, false, X_RDI, insn->imm);
		emit_mov_imm32(pp, false, X_RSI, (int32_t)ctx->idx);
		emit_ldx(pp, 8, false, X_RDX, X_JST, JST_RC);
		emit_mov_imm64(pp, X_RAX, (uint64_t)(uintptr_t)jit_rt_unimplemented);
		emit_call_reg(pp, X_RAX);
		jit_emit_jump(ctx, pp, -1, ctx->old_label[L_ERR], 0);
		return 0;
	}
	if (!h || !h->fn) {
		bpfvm_logf(ctx->log, "invalid func unknown#%d", insn->imm); /* kernel's message */
		return -EINVAL;
	}
	emit_ldx(pp, 8, false, X_AUX2, X_JST, JST_RC);
	emit_mov_imm64(pp, X_RAX, (uint64_t)(uintptr_t)h->fn);
	emit_call_reg(pp, X_RAX);
	emit_ldx(pp, 8, false, X_TMP, X_JST, JST_RC);
	emit_cmp_mem_imm8(pp, false, X_TMP, offsetof(struct bpfvm_run_ctx, error), 0);
	jit_emit_jump(ctx, pp, CC_NE, ctx->old_label[L_ERR], 0);
	return 0;
}

/*
 * callx dst: the helper numbered by dst, resolved at run time; r1..r5 wait on the stack meanwhile.
 *	mov r11, dst; push rdi; push rsi; push rdx; push rcx; push r8; sub rsp, 8; mov rdi, r11; movabs rsi, by_id
 *	mov rdx, [r12]; movabs rax, jit_rt_callx; call rax; add rsp, 8; pop r8 .. pop rdi; test rax, rax; jz err
 *	mov r9, [r12]; call rax; (the helper-call error check)
 */
static int jit_callx(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn)
{
	static const int args[] = { X_RDI, X_RSI, X_RDX, X_RCX, X_R8 };

	emit_mov_rr(pp, true, X_TMP, reg2x86[insn->dst_reg]);
	for (int k = 0; k < 5; k++)
		emit_push(pp, args[k]);
	emit_alu_imm(pp, ALU_SUB, true, X_RSP, 8); /* 16-byte alignment at the call */
	emit_mov_rr(pp, true, X_RDI, X_TMP);
	emit_mov_imm64(pp, X_RSI, (uint64_t)(uintptr_t)ctx->opts->helper_by_id);
	emit_ldx(pp, 8, false, X_RDX, X_JST, JST_RC);
	emit_mov_imm64(pp, X_RAX, (uint64_t)(uintptr_t)jit_rt_callx);
	emit_call_reg(pp, X_RAX);
	emit_alu_imm(pp, ALU_ADD, true, X_RSP, 8);
	for (int k = 4; k >= 0; k--)
		emit_pop(pp, args[k]);
	emit_test_rr(pp, true, X_RAX, X_RAX);
	jit_emit_jump(ctx, pp, CC_E, ctx->old_label[L_ERR], JIT_JUMP_NEAR);
	emit_ldx(pp, 8, false, X_AUX2, X_JST, JST_RC);
	emit_call_reg(pp, X_RAX);
	emit_ldx(pp, 8, false, X_TMP, X_JST, JST_RC);
	emit_cmp_mem_imm8(pp, false, X_TMP, offsetof(struct bpfvm_run_ctx, error), 0);
	jit_emit_jump(ctx, pp, CC_NE, ctx->old_label[L_ERR], 0);
	return 0;
}

/*
 * bpf_tail_call(r1 = ctx, r2 = map, r3 = index): the target replaces the running function (its frame is torn down
 * first) and gets ctx in r1 and the run context; a failed lookup continues with the next instruction.
 *	mov [r12+16], rdi; mov rdi, rsi; mov esi, edx; mov rdx, [r12]; movabs rcx, lookup
 *	movabs rax, jit_rt_tail_call; call rax
 *	test rax, rax; jz 1f; mov rdi, [r12+16]; mov rdx, [r12]; <epilogue without ret>; jmp rax
 *   1:	(the helper-call error check)
 */
static int jit_tail_call(struct jit_ctx *ctx, uint8_t **pp)
{
	uint8_t *jz;

	emit_stx(pp, 8, X_JST, JST_CTX, X_RDI);
	emit_mov_rr(pp, true, X_RDI, X_RSI);
	emit_mov_rr(pp, false, X_RSI, X_RDX);
	emit_ldx(pp, 8, false, X_RDX, X_JST, JST_RC);
	emit_mov_imm64(pp, X_RCX, (uint64_t)(uintptr_t)ctx->opts->prog_array_lookup);
	emit_mov_imm64(pp, X_RAX, (uint64_t)(uintptr_t)jit_rt_tail_call);
	emit_call_reg(pp, X_RAX);
	emit_test_rr(pp, true, X_RAX, X_RAX);
	jz = *pp;
	EMIT2(0x74, 0); /* jz 1f */
	emit_ldx(pp, 8, false, X_RDI, X_JST, JST_CTX);
	emit_ldx(pp, 8, false, X_RDX, X_JST, JST_RC);
	if (ctx->in_sub) {
		emit_sub_epilogue(pp, ctx->sub_mask, false);
	} else {
		emit_lea(pp, X_RSP, X_JST, JST_SIZE);
		emit_pop(pp, X_R15);
		emit_pop(pp, X_R14);
		emit_pop(pp, X_R13);
		emit_pop(pp, X_R12);
		emit_pop(pp, X_RBX);
		emit_alu_imm(pp, ALU_ADD, true, X_RSP, BPFVM_STACK_SIZE);
		emit_pop(pp, X_RBP);
	}
	EMIT2(0xff, 0xe0); /* jmp rax */
	jz[1] = (uint8_t)(*pp - (jz + 2));
	emit_ldx(pp, 8, false, X_TMP, X_JST, JST_RC);
	emit_cmp_mem_imm8(pp, false, X_TMP, offsetof(struct bpfvm_run_ctx, error), 0);
	jit_emit_jump(ctx, pp, CC_NE, ctx->old_label[L_ERR], 0);
	return 0;
}

/* the map an LD_IMM64 earlier in the same basic block left in r1 at instruction idx (0 if none is certain) */
static uint64_t r1_constant(const struct jit_ctx *ctx, size_t idx)
{
	for (size_t j = idx; j-- > 0;) {
		const struct bpf_insn *in = &ctx->insns[j];
		uint8_t cls = BPF_CLASS(in->code);

		if (ctx->is_target[j + 1])
			return 0; /* another path reaches the call: r1 may come from there */
		if (j > 0 && ctx->insns[j - 1].code == (BPF_LD | BPF_IMM | BPF_DW))
			continue; /* an LD_IMM64's second slot */
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (in->dst_reg != BPF_REG_1)
				continue;
			if (in->src_reg != 0 || j + 1 >= ctx->cnt)
				return 0;
			return ((uint64_t)(uint32_t)ctx->insns[j + 1].imm << 32) | (uint32_t)in->imm;
		}
		if (cls == BPF_JMP || cls == BPF_JMP32)
			return 0; /* a call clobbers r1; a jump ends the block */
		if ((cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX || cls == BPF_LD) && in->dst_reg == BPF_REG_1)
			return 0;
		if (cls == BPF_STX && BPF_MODE(in->code) == BPF_ATOMIC && in->src_reg == BPF_REG_1 &&
		    ((in->imm & BPF_FETCH) || in->imm == BPF_LOAD_ACQ))
			return 0;
		if (cls == BPF_STX && BPF_MODE(in->code) == BPF_ATOMIC && in->imm == BPF_LOAD_ACQ && in->dst_reg == 1)
			return 0;
	}
	return 0;
}

/*
 * bpf_map_lookup_elem on an array map: inline, as the kernel's verifier does (array_map_gen_lookup), when r1 is a
 * constant that the maps module knows as a live array map. r0 = key < max_entries ? data + key * elem_size : NULL
 *	mov r11d, [rsi]; cmp r11d, max; jae 1f; imul r11, r11, elem; movabs rax, data; add rax, r11; jmp 2f
 *   1:	xor eax, eax
 *   2:
 */
static bool jit_inline_array_lookup(struct jit_ctx *ctx, uint8_t **pp)
{
	struct bpfvm_array_layout lay;
	uint64_t map = r1_constant(ctx, ctx->idx);
	uint8_t *jae, *jmp;

	if (!map || !bpfvm_map_array_layout(map, &lay) || lay.max_entries > INT32_MAX || lay.elem_size > INT32_MAX)
		return false;
	emit_ldx(pp, 4, false, X_TMP, reg2x86[BPF_REG_2], 0);
	emit_alu_imm(pp, ALU_CMP, false, X_TMP, (int32_t)lay.max_entries);
	jae = *pp;
	EMIT2(0x73, 0); /* jae 1f */
	if (lay.elem_size & (lay.elem_size - 1))
		emit_imul_imm(pp, true, X_TMP, (int32_t)lay.elem_size);
	else /* values of 8, 16, 32 ... bytes: a shift, as the kernel's inline lookup */
		emit_shift_imm(pp, SH_SHL, true, X_TMP, __builtin_ctz(lay.elem_size));
	emit_mov_imm64(pp, reg2x86[BPF_REG_0], lay.data);
	emit_alu_rr(pp, ALU_ADD, true, reg2x86[BPF_REG_0], X_TMP);
	jmp = *pp;
	EMIT2(0xeb, 0); /* jmp 2f */
	jae[1] = (uint8_t)(*pp - (jae + 2));
	emit_alu_rr(pp, ALU_XOR, false, reg2x86[BPF_REG_0], reg2x86[BPF_REG_0]);
	jmp[1] = (uint8_t)(*pp - (jmp + 2));
	return true;
}

/*
 * bpf_map_lookup_elem on another live map whose address r1 holds as a constant: its type's lookup called directly,
 * with r1 and r2 already where the C calling convention wants them, as the kernel's JIT calls a map's lookup
 * directly (map_gen_lookup, or the ops->map_lookup_elem the verifier patches in). Outside checked mode the helper
 * does nothing more; a lookup sets no run error, so none is checked.
 *	movabs rax, lookup; call rax
 */
static bool jit_direct_lookup(struct jit_ctx *ctx, uint8_t **pp)
{
	uint64_t map = r1_constant(ctx, ctx->idx);
	bpfvm_map_lookup_fn fn = map ? bpfvm_map_lookup_of(map) : NULL;

	if (!fn || reg2x86[BPF_REG_1] != X_RDI || reg2x86[BPF_REG_2] != X_RSI)
		return false;
	emit_mov_imm64(pp, X_RAX, (uint64_t)(uintptr_t)fn);
	emit_call_reg(pp, X_RAX);
	return true;
}

/*
 * bpf_map_update_elem on a live map whose address r1 holds as a constant: the program-side update called directly
 * (r1..r4 are its arguments already), its int result sign-extended into r0 as the helper returns it.
 *	movabs rax, bpfvm_map_update_from_prog; call rax; movsxd rax, eax
 */
static bool jit_direct_update(struct jit_ctx *ctx, uint8_t **pp)
{
	uint64_t map = r1_constant(ctx, ctx->idx);

	if (!map || !bpfvm_map_is_live((const void *)(uintptr_t)map) || reg2x86[BPF_REG_3] != X_RDX ||
	    reg2x86[BPF_REG_4] != X_RCX)
		return false;
	emit_mov_imm64(pp, X_RAX, (uint64_t)(uintptr_t)bpfvm_map_update_from_prog);
	emit_call_reg(pp, X_RAX);
	emit_movsx_rr(pp, true, X_RAX, X_RAX, 32);
	return true;
}

static int jit_jmp(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn, enum bpfvm_op op)
{
	size_t i = ctx->idx;

	switch (op) {
	case BPFVM_OP_JA:
		jit_emit_jump(ctx, pp, -1, old_insn(ctx, i + insn->off + 1), 0);
		return 0;
	case BPFVM_OP_JA32:
		jit_emit_jump(ctx, pp, -1, old_insn(ctx, i + insn->imm + 1), 0);
		return 0;
	case BPFVM_OP_MAY_GOTO: {
		/* if (budget == 0) goto off; budget--;   cmp qword [r12+8], 0; je target; dec qword [r12+8] */
		static const uint8_t dec[] = { 0xff };
		uint8_t tailbuf[16], *tp = tailbuf;

		emit_op_mem(&tp, true, dec, 1, 1, X_JST, JST_LOOPS, false);
		emit_cmp_mem_imm8(pp, true, X_JST, JST_LOOPS, 0);
		jit_emit_jump(ctx, pp, CC_E, old_insn(ctx, i + insn->off + 1), (uint32_t)(tp - tailbuf));
		emit_op_mem(pp, true, dec, 1, 1, X_JST, JST_LOOPS, false);
		return 0;
	}
	case BPFVM_OP_CALL_HELPER:
		if (insn->imm == BPF_FUNC_tail_call)
			return jit_tail_call(ctx, pp);
		if (insn->imm == BPF_FUNC_map_lookup_elem && !ctx->opts->helper_by_id &&
		    (jit_inline_array_lookup(ctx, pp) || jit_direct_lookup(ctx, pp)))
			return 0;
		if (insn->imm == BPF_FUNC_map_update_elem && !ctx->opts->helper_by_id && jit_direct_update(ctx, pp))
			return 0;
		return jit_call_helper(ctx, pp, insn);
	case BPFVM_OP_CALLX:
		return jit_callx(ctx, pp, insn);
	case BPFVM_OP_CALL_LOCAL: {
		uint32_t here = jit_here(ctx, pp) + 5;

		EMIT1(0xe8); /* call rel32 */
		emit_imm32(pp, ctx->old_fentry[i + insn->imm + 1] - here);
		return 0;
	}
	case BPFVM_OP_EXIT:
		if (ctx->in_sub)
			emit_sub_epilogue(pp, ctx->sub_mask, true);
		else
			jit_emit_jump(ctx, pp, -1, ctx->old_label[L_EXIT], 0);
		return 0;
	default:
		bpfvm_logf(ctx->log, "JIT: unsupported instruction 0x%02x at insn %zu", insn->code, i);
		return -ENOTSUP;
	}
}

/* instructions that write dst (or src, for fetching atomics) may not name r10 */
static bool writes_fp(const struct bpf_insn *insn, enum bpfvm_op op)
{
	switch (bpfvm_opinfo[op].fmt) {
	case FMT_ALU:
	case FMT_NEG:
	case FMT_MOV:
	case FMT_MOVSX:
	case FMT_END:
	case FMT_LDX:
	case FMT_LDIMM64:
	case FMT_LOAD_ACQ:
		return insn->dst_reg == BPF_REG_10;
	case FMT_ATOMIC:
		return (insn->imm & BPF_FETCH) && insn->src_reg == BPF_REG_10;
	default:
		return false;
	}
}

/* one pass over the program; image NULL while sizing. Returns 0 or -errno. */
static int do_jit(struct jit_ctx *ctx, uint8_t *image, uint32_t *len_out)
{
	uint8_t tmp[JIT_MAX_INSN_BYTES + 96];
	uint32_t pos = 0;

	ctx->in_sub = false;
	ctx->blind = 0x9e3779b9u;
	for (size_t i = 0; i < ctx->cnt; i++) {
		const struct bpf_insn *insn = &ctx->insns[i];
		enum bpfvm_op op = bpfvm_op_of(insn);
		uint8_t *p = tmp, **pp = &p;
		int err = 0, fused;

		ctx->idx = i;
		ctx->pos = pos;
		ctx->buf = tmp;
		ctx->fentry[i] = pos;
		if (i == 0 && ctx->lean)
			emit_lean_prologue(ctx, pp);
		else if (i == 0)
			emit_main_prologue(ctx, pp);
		if (ctx->is_sub[i]) {
			ctx->in_sub = true;
			ctx->fentry[i] = jit_here(ctx, pp);
			ctx->sub_mask = ctx->is_sub[i];
			emit_sub_prologue(ctx, pp, ctx->sub_mask);
		}
		ctx->start[i] = jit_here(ctx, pp);

		if (op == BPFVM_OP_INVALID) {
			bpfvm_logf(ctx->log, "JIT: invalid instruction 0x%02x at insn %zu", insn->code, i);
			return -EINVAL;
		}
		fused = ctx->opts->no_peephole ? 0 : jit_peephole(ctx, pp, insn);
		if (fused)
			goto done;
		switch (BPF_CLASS(insn->code)) {
		case BPF_ALU:
		case BPF_ALU64:
			err = jit_alu(ctx, pp, insn, op);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			if (bpfvm_opinfo[op].fmt == FMT_JCOND)
				err = jit_jcond(ctx, pp, insn);
			else
				err = jit_jmp(ctx, pp, insn, op);
			break;
		case BPF_LD:
			if (op == BPFVM_OP_LD_IMM64 && insn->src_reg == BPF_PSEUDO_FUNC) {
				/* a callback's address: lea dst, [rip + entry of the subprogram] (always 7 bytes) */
				int d = reg2x86[insn->dst_reg];
				uint32_t target = ctx->old_fentry[i + (size_t)insn->imm + 1];
				EMIT3(0x48 | (d >= 8 ? 4 : 0), 0x8d, 0x05 | ((d & 7) << 3));
				emit_imm32(pp, target - (jit_here(ctx, pp) + 4));
				break;
			} else if (op == BPFVM_OP_LD_IMM64) {
				uint64_t v = (uint32_t)insn[0].imm | ((uint64_t)(uint32_t)insn[1].imm << 32);
				int d = reg2x86[insn->dst_reg];

				if (ctx->opts->harden && v) {
					uint64_t key = ((uint64_t)jit_blind_key(ctx) << 32) | jit_blind_key(ctx);

					emit_mov_imm64(pp, d, v ^ key);
					emit_mov_imm64(pp, X_TMP, key);
					emit_alu_rr(pp, ALU_XOR, true, d, X_TMP);
				} else {
					emit_mov_imm64(pp, d, v);
				}
				break;
			}
			err = jit_mem(ctx, pp, insn, op);
			break;
		default:
			err = jit_mem(ctx, pp, insn, op);
			break;
		}
		if (err)
			return err;
done:
		ctx->end[i] = jit_here(ctx, pp);
		if (p - tmp > JIT_MAX_INSN_BYTES) {
			bpfvm_logf(ctx->log, "JIT: internal error: insn %zu compiled to %td bytes", i, p - tmp);
			return -EFAULT;
		}
		if (image)
			memcpy(image + pos, tmp, (size_t)(p - tmp));
		pos += (uint32_t)(p - tmp);
		if (op == BPFVM_OP_LD_IMM64) /* the second slot has no code of its own */
			fused = 1;
		for (; fused > 0; fused--) { /* nor have instructions a peephole compiled with this one */
			i++;
			ctx->start[i] = ctx->end[i] = ctx->fentry[i] = pos;
		}
	}
	{
		uint8_t *p = tmp, **pp = &p;

		ctx->idx = ctx->cnt;
		ctx->pos = pos;
		ctx->buf = tmp;
		emit_labels(ctx, pp);
		if (image)
			memcpy(image + pos, tmp, (size_t)(p - tmp));
		pos += (uint32_t)(p - tmp);
	}
	*len_out = pos;
	return 0;
}

/* the register an instruction writes, -1 if none (cmpxchg's r0 aside: only r6..r9 matter to the caller) */
static int written_reg(const struct bpf_insn *insn, enum bpfvm_op op)
{
	switch (bpfvm_opinfo[op].fmt) {
	case FMT_ALU:
	case FMT_NEG:
	case FMT_MOV:
	case FMT_MOVSX:
	case FMT_END:
	case FMT_LDX:
	case FMT_LDIMM64:
	case FMT_LOAD_ACQ:
		return insn->dst_reg;
	case FMT_ATOMIC:
		return (insn->imm & BPF_FETCH) ? insn->src_reg : -1;
	default:
		return -1;
	}
}

/*
 * Functions (main, then each bpf-to-bpf target) must be closed, as the kernel's check_subprogs() demands: jumps stay
 * inside their function and the last instruction is an exit or a jump. The JIT's frames rely on it. Also records,
 * per subprogram, which of r6..r9 it writes: only those are saved by its prologue.
 */
static int jit_check_functions(struct jit_ctx *ctx)
{
	size_t fstart = 0, fend = 0;

	for (size_t i = 0; i < ctx->cnt; i++) {
		const struct bpf_insn *insn = &ctx->insns[i];
		enum bpfvm_op op = bpfvm_op_of(insn);
		size_t last = i;
		int w;

		if (i == 0 || ctx->is_sub[i]) { /* a function begins: find where it ends, once */
			fstart = i;
			for (fend = i + 1; fend < ctx->cnt && !ctx->is_sub[fend]; fend++)
				;
		}
		if (bpfvm_op_is_jump_off(op) || op == BPFVM_OP_JA32) {
			int64_t t = (int64_t)i + (op == BPFVM_OP_JA32 ? insn->imm : insn->off) + 1;

			if (t < (int64_t)fstart || t >= (int64_t)fend) {
				bpfvm_logf(ctx->log, "jump out of range from insn %zu to %lld", i, (long long)t); /* kernel's */
				return -EINVAL;
			}
		}
		w = written_reg(insn, op);
		if (w >= BPF_REG_6 && w <= BPF_REG_9 && fstart > 0)
			ctx->is_sub[fstart] |= (uint8_t)(SUB_SAVE_R6 << (w - BPF_REG_6));
		if (op == BPFVM_OP_LD_IMM64)
			i++, last = i - 1;
		if (i + 1 == ctx->cnt || ctx->is_sub[i + 1]) {
			const struct bpf_insn *l = &ctx->insns[last];

			if (l->code != (BPF_JMP | BPF_EXIT) && l->code != (BPF_JMP | BPF_JA) &&
			    l->code != (BPF_JMP32 | BPF_JA)) {
				bpfvm_logf(ctx->log, "last insn is not an exit or jmp"); /* kernel's message */
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* does the program qualify for the leaf prologue (jit.h: lean), and which callee-saved registers does it name */
static void mark_lean(struct jit_ctx *ctx)
{
	ctx->lean = !ctx->has_may_goto;
	for (size_t i = 0; i < ctx->cnt && ctx->lean; i++) {
		const struct bpf_insn *insn = &ctx->insns[i];
		enum bpfvm_op op = bpfvm_op_of(insn);
		if (op == BPFVM_OP_INVALID)
			continue; /* jit_prepare has refused it already */
		unsigned fmt = bpfvm_opinfo[op].fmt;

		if (op == BPFVM_OP_LD_IMM64)
			i++; /* its second slot holds no registers */
		if (fmt == FMT_CALL || fmt == FMT_CALLX || fmt == FMT_LDABS || fmt == FMT_LDIND || ctx->has_func_ptr)
			ctx->lean = false;
		for (int r = insn->dst_reg, k = 0; k < 2; r = insn->src_reg, k++) {
			if (r >= BPF_REG_6 && r <= BPF_REG_9)
				ctx->lean_regs |= (uint8_t)(1u << (r - BPF_REG_6));
			else if (r == BPF_REG_10)
				ctx->lean_fp = true;
		}
	}
}

/* The program must not name r10 as a destination, call into nowhere, or use what the JIT does not compile. */
static int jit_prepare(struct jit_ctx *ctx)
{
	for (size_t i = 0; i < ctx->cnt; i++) {
		const struct bpf_insn *insn = &ctx->insns[i];
		enum bpfvm_op op = bpfvm_op_of(insn);

		if (op == BPFVM_OP_INVALID) {
			bpfvm_logf(ctx->log, "JIT: invalid instruction 0x%02x at insn %zu", insn->code, i);
			return -EINVAL;
		}
		if (writes_fp(insn, op)) {
			bpfvm_logf(ctx->log, "frame pointer is read only"); /* kernel's message */
			return -EACCES;
		}
		if (bpfvm_op_is_jump_off(op) || op == BPFVM_OP_JA32) {
			int64_t t = (int64_t)i + (op == BPFVM_OP_JA32 ? insn->imm : insn->off) + 1;

			if (t >= 0 && t < (int64_t)ctx->cnt)
				ctx->is_target[t] = 1;
		}
		if (op == BPFVM_OP_CALL_LOCAL) {
			int64_t t = (int64_t)i + insn->imm + 1;

			if (t < 0 || t >= (int64_t)ctx->cnt) {
				bpfvm_logf(ctx->log, "JIT: call at insn %zu leaves the program", i);
				return -EINVAL;
			}
			if (t == 0) {
				bpfvm_logf(ctx->log, "JIT: call at insn %zu into the main program is not supported", i);
				return -EINVAL;
			}
			ctx->is_sub[t] = SUB_START;
			ctx->is_target[t] = 1;
		} else if (op == BPFVM_OP_MAY_GOTO) {
			ctx->has_may_goto = true;
		} else if (op == BPFVM_OP_CALL_KFUNC) {
			bpfvm_logf(ctx->log, "JIT: %s at insn %zu is not supported", bpfvm_opinfo[op].name, i);
			return -ENOTSUP;
		} else if (op == BPFVM_OP_LD_IMM64) {
			if (insn->src_reg == BPF_PSEUDO_FUNC) { /* a callback: a function of its own, as a call target */
				int64_t t = (int64_t)i + insn->imm + 1;
				if (t <= 0 || t >= (int64_t)ctx->cnt) {
					bpfvm_logf(ctx->log, "JIT: function pointer at insn %zu leaves the program", i);
					return -EINVAL;
				}
				ctx->is_sub[t] = SUB_START;
				ctx->is_target[t] = 1;
				ctx->has_func_ptr = true;
			}
			i++;
		}
	}
	mark_lean(ctx);
	return jit_check_functions(ctx);
}

static void swap_u32p(uint32_t **a, uint32_t **b)
{
	uint32_t *t = *a;

	*a = *b;
	*b = t;
}

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

int bpfvm_jit_compile_opts(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *jopts, struct bpfvm_log *log,
			   uint32_t **insn_off)
{
	struct jit_opts opts = { 0 };
	struct jit_ctx ctx = { 0 };
	uint32_t len = 0, old_len = 0;
	uint8_t *image = NULL;
	size_t n;
	int err, pass;

	if (!prog || !prog->insns || !prog->insn_cnt) {
		bpfvm_logf(log, "JIT: no instructions");
		return -EINVAL;
	}
	if (__atomic_load_n(&prog->jit_entry, __ATOMIC_ACQUIRE) && !insn_off)
		return 0;
	if (jopts) {
		opts.harden = jopts->harden;
		opts.no_bmi2 = jopts->no_bmi2;
		opts.no_peephole = jopts->no_peephole;
		opts.helper_by_id = jopts->helper_by_id;
		opts.prog_array_lookup = jopts->prog_array_lookup;
	}
	err = bpfvm_insns_check(prog->insns, prog->insn_cnt, log);
	if (err)
		return err;
	n = prog->insn_cnt;
	ctx.insns = prog->insns;
	ctx.cnt = n;
	ctx.opts = &opts;
	ctx.log = log;
	ctx.bmi2 = !opts.no_bmi2 && __builtin_cpu_supports("bmi2");
	ctx.start = calloc(n + 1, sizeof(uint32_t));
	ctx.end = calloc(n + 1, sizeof(uint32_t));
	ctx.fentry = calloc(n + 1, sizeof(uint32_t));
	ctx.old_start = calloc(n + 1, sizeof(uint32_t));
	ctx.old_end = calloc(n + 1, sizeof(uint32_t));
	ctx.old_fentry = calloc(n + 1, sizeof(uint32_t));
	ctx.is_sub = calloc(n + 1, 1);
	ctx.is_target = calloc(n + 1, 1);
	err = -ENOMEM;
	if (!ctx.start || !ctx.end || !ctx.fentry || !ctx.old_start || !ctx.old_end || !ctx.old_fentry || !ctx.is_sub ||
	    !ctx.is_target) {
		bpfvm_logf(log, "JIT: out of memory for %zu instructions", n);
		goto out;
	}
	err = jit_prepare(&ctx);
	if (err)
		goto out;

	/* sizing passes: the first with every jump near, then until no instruction changes size */
	ctx.first_pass = true;
	for (pass = 0; pass < MAX_PASSES; pass++) {
		err = do_jit(&ctx, NULL, &len);
		if (err)
			goto out;
		if (!ctx.first_pass && len == old_len && !memcmp(ctx.end, ctx.old_end, n * sizeof(uint32_t)))
			break;
		ctx.first_pass = false;
		old_len = len;
		swap_u32p(&ctx.start, &ctx.old_start);
		swap_u32p(&ctx.end, &ctx.old_end);
		swap_u32p(&ctx.fentry, &ctx.old_fentry);
		memcpy(ctx.old_label, ctx.label, sizeof(ctx.label));
	}
	if (pass == MAX_PASSES) {
		bpfvm_logf(log, "JIT: code sizes did not converge after %d passes", MAX_PASSES);
		err = -E2BIG;
		goto out;
	}
	/* the fixed point: the last pass's offsets are exact; one more pass writes the image with them */
	swap_u32p(&ctx.start, &ctx.old_start);
	swap_u32p(&ctx.end, &ctx.old_end);
	swap_u32p(&ctx.fentry, &ctx.old_fentry);
	memcpy(ctx.old_label, ctx.label, sizeof(ctx.label));
	old_len = len;
	err = jit_image_alloc(len, &image, log);
	if (err)
		goto out;
	err = do_jit(&ctx, image, &len);
	if (!err && (len != old_len || memcmp(ctx.end, ctx.old_end, n * sizeof(uint32_t)))) {
		bpfvm_logf(log, "JIT: internal error: the image pass changed code sizes");
		err = -EFAULT;
	}
	if (!err)
		err = jit_image_seal(image, len, log);
	if (err) {
		jit_image_free(image, old_len);
		goto out;
	}
	if (insn_off) {
		/* where each instruction's code begins (its subprogram prologue included); [n] = the shared tail */
		for (size_t i = 0; i < n; i++)
			ctx.old_start[i] = i == 0 ? 0 : ctx.fentry[i];
		ctx.old_start[n] = ctx.label[L_DEPTH];
		*insn_off = ctx.old_start;
		ctx.old_start = NULL;
	}
	/* several threads may compile the same program for their first run: one image is installed, the others'
	 * are dropped, and an image another thread may be running is never freed here (only a dump, which asks
	 * for insn_off, recompiles a compiled program) */
	pthread_mutex_lock(&install_lock);
	if (prog->jit_entry && !insn_off) {
		pthread_mutex_unlock(&install_lock);
		jit_image_free(image, len);
		err = 0;
		goto out;
	}
	if (prog->jit_image)
		bpfvm_jit_release(prog);
	prog->jit_image = image;
	prog->jit_size = len;
	prog->jit_callback = jit_rt_callback;
	prog->jit_callback_stub = ctx.lean ? NULL : image + ctx.label[L_CALLBACK];
	__atomic_store_n(&prog->jit_entry, (bpfvm_jit_fn)(uintptr_t)image, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&install_lock);
	err = 0;
out:
	free(ctx.start);
	free(ctx.end);
	free(ctx.fentry);
	free(ctx.old_start);
	free(ctx.old_end);
	free(ctx.old_fentry);
	free(ctx.is_sub);
	free(ctx.is_target);
	return err;
}

int bpfvm_jit_compile(struct bpfvm_prog *prog, struct bpfvm_log *log)
{
	return bpfvm_jit_compile_opts(prog, NULL, log, NULL);
}

void bpfvm_jit_release(struct bpfvm_prog *prog)
{
	if (!prog || !prog->jit_image)
		return;
	jit_image_free(prog->jit_image, prog->jit_size);
	prog->jit_image = NULL;
	prog->jit_size = 0;
	prog->jit_entry = NULL;
	prog->jit_callback_stub = NULL;
}

#endif /* __x86_64__ */
