/* jit.h - the x86-64 JIT's compile context (struct jit_ctx) and the per-instruction-family code generators */
#ifndef BPFVM_JIT_X86_JIT_H
#define BPFVM_JIT_X86_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/insn.h"
#include "bpfvm/log.h"
#include "helpers/helpers.h"
#include "interp/prog.h"
#include "isa/opcodes.h"
#include "jit/x86_64/emit.h"

/* Labels after the last instruction, shared by every function of the image. */
enum jit_label {
	L_DEPTH, /* too many nested bpf-to-bpf calls: record the error, then L_ERR */
	L_ERR,   /* r0 = 0, then L_EXIT (a helper failed, or LD_ABS/LD_IND read outside the packet) */
	L_EXIT,  /* the main function's epilogue: restore callee-saved registers, return r0 */
	L_CALLBACK, /* the way in from C for callbacks (bpf_loop, ...): struct jit_callback_call * in rdi */
	L__COUNT,
};

/* what jit_callback() passes to the image's L_CALLBACK stub */
struct jit_callback_call {
	uint64_t fn;    /* the callback's entry: what its LD_IMM64 loaded */
	void *state;    /* r12 of the running main frame (rc->jit_state) */
	uint64_t args[5];
};

/* Layout of the JIT state the main prologue reserves below the callee-saved registers; r12 points at it. */
#define JST_RC 0        /* struct bpfvm_run_ctx * */
#define JST_LOOPS 8     /* may_goto's remaining budget */
#define JST_CTX 16      /* r1 kept across a tail call's lookup */
#define JST_SIZE 24     /* keeps rsp 16-byte aligned after 5 pushes */
/* one bpf-to-bpf frame on the native stack: return address, rbp, 512 bytes of BPF stack, rbx r13 r14 r15 */
#define JIT_SUB_FRAME (8 + 8 + BPFVM_STACK_SIZE + 32)
#define SUB_START 1
#define SUB_SAVE_R6 2
/* may_goto's budget per run, as the kernel's BPF_MAX_LOOPS */
#define JIT_MAX_LOOPS (8 * 1024 * 1024)

#define JIT_MAX_INSN_BYTES 160 /* no single BPF instruction compiles to more (checked) */

struct jit_opts {
	bool harden;   /* constant blinding, as the kernel's bpf_jit_harden */
	bool no_bmi2;  /* do not use shlx/shrx/sarx even where the CPU has them (tests cover both paths) */
	bool no_peephole; /* compile each instruction alone (tests compare both) */
	const struct bpfvm_helper *(*helper_by_id)(uint32_t id);
	struct bpfvm_prog *(*prog_array_lookup)(void *map, uint32_t index);
};

struct jit_ctx {
	const struct bpf_insn *insns;
	size_t cnt;
	const struct jit_opts *opts;
	struct bpfvm_log *log;
	bool bmi2;

	/* Offsets in the image, per instruction: start (where jumps land, after any subprogram prologue), end, and the
	 * subprogram prologue for call targets. The `old_` copies are the previous pass's, which every displacement
	 * uses: at the fixed point they equal the current ones. */
	uint32_t *start, *end, *fentry;
	uint32_t *old_start, *old_end, *old_fentry;
	uint32_t label[L__COUNT], old_label[L__COUNT];
	uint8_t *is_sub;  /* where a bpf-to-bpf call lands: SUB_START | SUB_SAVE_R6 << k for each r6+k it writes */
	uint8_t sub_mask; /* is_sub[] of the current subprogram */
	uint8_t *is_target; /* 1 where any jump or call lands (peepholes never fuse across one) */
	bool has_may_goto;
	bool has_func_ptr; /* an LD_IMM64 of a function (a callback): the main prologue records r12 in the run ctx */
	/* A leaf program (no calls of any kind, no may_goto, no packet loads through the run context: a translated
	 * classic filter, say) needs no JIT state: its prologue saves only the callee-saved registers it names and
	 * makes a stack frame only if it names r10. */
	bool lean;
	uint8_t lean_regs; /* which of BPF r6..r9 the leaf program names (bit k = r6+k) */
	bool lean_fp;      /* the leaf program names r10 */

	bool first_pass;  /* every jump near: sizes start at their maximum and only shrink afterwards */
	size_t idx;       /* instruction being compiled */
	uint32_t pos;     /* image offset where the current instruction's bytes begin */
	uint8_t *buf;     /* start of the current instruction's scratch bytes */
	bool in_sub;      /* the current instruction belongs to a bpf-to-bpf subprogram */
	uint32_t blind;   /* constant-blinding key state (xorshift), when opts->harden */
};

/* current image offset of *pp */
static inline uint32_t jit_here(const struct jit_ctx *ctx, uint8_t *const *pp)
{
	return ctx->pos + (uint32_t)(*pp - ctx->buf);
}

/*
 * A jump to an image offset known from the previous pass (old_target), emitted so that tail more bytes of this
 * instruction follow it. Short (rel8) when the previous pass's distance fits, near (rel32) otherwise or in the
 * first pass; nothing at all for an unconditional jump to the next byte. cc < 0 is jmp. tail = JIT_JUMP_NEAR
 * when the length of what follows is not fixed: then always near.
 */
#define JIT_JUMP_NEAR 0xffffffffu
void jit_emit_jump(struct jit_ctx *ctx, uint8_t **pp, int cc, uint32_t old_target, uint32_t tail);

/* the families, each in its own file */
int jit_alu(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn, enum bpfvm_op op);
int jit_mem(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn, enum bpfvm_op op);
/* a peephole starting at insn (ctx->idx): returns how many following instructions it also compiled, or 0 */
int jit_peephole(struct jit_ctx *ctx, uint8_t **pp, const struct bpf_insn *insn);

/* constant blinding: the value to put in the instruction and the key to xor it with */
uint32_t jit_blind_key(struct jit_ctx *ctx);

/* the runtime's entry points called from JIT code (rt.c) */
struct bpfvm_run_ctx;
void jit_rt_call_depth(struct bpfvm_run_ctx *rc);
/* bpfvm_run_callback in the JIT: through the running image's L_CALLBACK stub */
uint64_t jit_rt_callback(struct bpfvm_run_ctx *rc, uint64_t fn, const uint64_t args[5]);
void jit_rt_fail(struct bpfvm_run_ctx *rc, int err, const char *what);
const struct bpfvm_helper *jit_rt_helper(uint32_t id);
void jit_rt_unimplemented(uint64_t id, uint64_t insn, struct bpfvm_run_ctx *rc);
bpfvm_jit_fn jit_rt_tail_call(void *map, uint64_t index, struct bpfvm_run_ctx *rc,
			      struct bpfvm_prog *(*lookup)(void *map, uint32_t index));
bpfvm_helper_fn jit_rt_callx(uint64_t id, const struct bpfvm_helper *(*by_id)(uint32_t), struct bpfvm_run_ctx *rc);

#endif
