/* interp.c - the interpreter: pre-decode once, then computed-goto dispatch (fast and bounds-checked bodies) */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/helpers.h"
#include "interp/alu.h"
#include "interp/run.h"
#include "maps/map.h"

#define BPF_MAX_LOOPS (8 * 1024 * 1024) /* kernel's may_goto budget per frame */

struct frame {
	uint64_t saved[5]; /* r6..r9, r10 of the caller */
	const struct dinsn *ret;
	const struct interp_code *code; /* the caller's program (a tail call may have replaced the callee's) */
	uint32_t may_goto_cnt;
	uint8_t stack[BPFVM_STACK_SIZE] __attribute__((aligned(16)));
};

/* RFC 9669: signed division truncates toward zero; INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0; by zero as unsigned */
static inline uint64_t sdiv64(uint64_t a, uint64_t b)
{
	if (!b)
		return 0;
	if ((int64_t)b == -1)
		return -a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint64_t smod64(uint64_t a, uint64_t b)
{
	if (!b)
		return a;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint32_t sdiv32(uint32_t a, uint32_t b)
{
	if (!b)
		return 0;
	if ((int32_t)b == -1)
		return -a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}
static inline uint32_t smod32(uint32_t a, uint32_t b)
{
	if (!b)
		return a;
	if ((int32_t)b == -1)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* legacy packet load: big-endian value of size bytes at off into r0; false if out of bounds */
static inline bool ld_pkt(const struct bpfvm_run_ctx *rc, int64_t off, int size, uint64_t *r0)
{
	if (!rc->pkt || off < 0 || (uint64_t)off + (uint64_t)size > rc->pkt_len)
		return false;
	const uint8_t *p = rc->pkt + off;
	uint64_t v = 0;
	for (int i = 0; i < size; i++)
		v = (v << 8) | p[i];
	*r0 = v;
	return true;
}

/* checked mode: a live frame's stack (the current one first; callers' stacks may be passed down), or a region */
static inline bool mem_ok(const struct bpfvm_run_ctx *rc, const struct frame *frames, int depth, uintptr_t a,
			  size_t sz, bool wr)
{
	for (int i = depth; i >= 0; i--) {
		uintptr_t s = (uintptr_t)frames[i].stack;
		if (a >= s && sz <= BPFVM_STACK_SIZE && a - s <= BPFVM_STACK_SIZE - sz)
			return true;
	}
	return bpfvm_run_access_ok(rc, a, sz, wr);
}

/*
 * Strict mode (CHECKED 2): which registers an instruction reads and writes, from its format in opcodes.def.
 * Calls are handled where they run (arguments are the helper's business; r1-r5 are clobbered).
 */
enum {
	U_RD = 1 << 0,   /* reads dst */
	U_RS = 1 << 1,   /* reads src */
	U_WD = 1 << 2,   /* writes dst */
	U_WS = 1 << 3,   /* writes src (atomic fetch, xchg) */
	U_R0 = 1 << 4,   /* reads r0 (exit, cmpxchg) */
	U_W0 = 1 << 5,   /* writes r0 */
	U_CLOB = 1 << 6, /* r1-r5 become unreadable (legacy packet loads, as the kernel marks them) */
	U_R6 = 1 << 7,   /* reads r6, the context of a legacy packet load */
};
#define USE_SRC(FIELDS) (((FIELDS) & F_SRC) ? U_RS : 0)
#define REG_USE(FMT, FIELDS, KEYVAL)                                                                           \
	((FMT) == FMT_ALU ? U_RD | U_WD | USE_SRC(FIELDS) :                                                     \
	 (FMT) == FMT_NEG || (FMT) == FMT_END ? U_RD | U_WD :                                                   \
	 (FMT) == FMT_MOV || (FMT) == FMT_MOVSX ? U_WD | USE_SRC(FIELDS) :                                       \
	 (FMT) == FMT_JCOND ? U_RD | USE_SRC(FIELDS) :                                                          \
	 (FMT) == FMT_CALLX ? U_RD :                                                                            \
	 (FMT) == FMT_EXIT ? U_R0 :                                                                             \
	 (FMT) == FMT_LDIMM64 ? U_WD :                                                                          \
	 (FMT) == FMT_LDABS ? U_R6 | U_W0 | U_CLOB :                                                            \
	 (FMT) == FMT_LDIND ? U_R6 | U_RS | U_W0 | U_CLOB :                                                     \
	 (FMT) == FMT_LDX || (FMT) == FMT_LOAD_ACQ ? U_RS | U_WD :                                              \
	 (FMT) == FMT_ST ? U_RD :                                                                               \
	 (FMT) == FMT_STX || (FMT) == FMT_STORE_REL ? U_RD | U_RS :                                             \
	 (FMT) == FMT_ATOMIC ? U_RD | U_RS | ((KEYVAL) == BPF_CMPXCHG ? U_R0 | U_W0 :                            \
					     ((KEYVAL) & BPF_FETCH) ? U_WS : 0) :                       \
	 0)
static const uint8_t reg_use[BPFVM_OP__COUNT + 1] = {
#define OPC(ID, CODE, KEY, KEYVAL, FMT, SYM, UMNEM, FIELDS, ISA) [BPFVM_OP_##ID] = REG_USE(FMT, FIELDS, KEYVAL),
#include "isa/opcodes.def"
#undef OPC
};
#undef REG_USE
#undef USE_SRC

#define R1_R5 0x3eu /* bits of r1..r5 */

/* strict mode: a stack access of frame i at [a, a+sz): mark it written, or check every byte was */
static inline bool stack_init_ok(uint8_t (*shadow)[BPFVM_STACK_SIZE], const struct frame *frames, int depth,
				 uintptr_t a, size_t sz, bool wr)
{
	for (int i = depth; i >= 0; i--) {
		uintptr_t s = (uintptr_t)frames[i].stack;
		if (a < s || sz > BPFVM_STACK_SIZE || a - s > BPFVM_STACK_SIZE - sz)
			continue;
		uint8_t *sh = shadow[i] + (a - s);
		if (wr) {
			memset(sh, 1, sz);
			return true;
		}
		for (size_t k = 0; k < sz; k++)
			if (!sh[k])
				return false;
		return true;
	}
	return true; /* not the stack: context, packet and map memory are always initialised */
}

/* the decoded form of a program, made on first use (a tail call's target too); NULL if out of memory */
static const struct interp_code *interp_code_of(struct bpfvm_prog *prog);

#define INTERP_FN interp_fast
#define CHECKED 0
#include "interp/interp_body.h"
#undef INTERP_FN
#undef CHECKED

#define INTERP_FN interp_checked
#define CHECKED 1
#include "interp/interp_body.h"
#undef INTERP_FN
#undef CHECKED

#define INTERP_FN interp_strict
#define CHECKED 2
#include "interp/interp_body.h"
#undef INTERP_FN
#undef CHECKED

/* the pre-decoded form: one dinsn per slot (LD_IMM64's second slot stays unused), jump targets as indexes */
static struct interp_code *decode(const struct bpfvm_prog *prog)
{
	size_t n = prog->insn_cnt;
	/* one more slot: a sentinel that stops a run falling off the end */
	struct interp_code *code = calloc(1, sizeof(*code) + (n + 1) * sizeof(struct dinsn));
	if (!code)
		return NULL;
	code->cnt = n;
	code->insns[n].op = BPFVM_OP__COUNT;
	for (size_t i = 0; i < n; i++) {
		const struct bpf_insn *in = &prog->insns[i];
		struct dinsn *d = &code->insns[i];
		enum bpfvm_op op = bpfvm_op_of(in);
		d->op = (uint16_t)op; /* BPFVM_OP_INVALID dispatches to the stop label; bpfvm_prog__new rejects it anyway */
		d->dst = in->dst_reg;
		d->src = in->src_reg;
		d->off = in->off;
		d->imm = in->imm;
		d->k = (uint64_t)(int64_t)in->imm;
		if (op == BPFVM_OP_LD_IMM64 && in->src_reg == BPF_PSEUDO_FUNC) {
			d->k = (uint64_t)((int64_t)i + 1 + in->imm); /* a callback: its first instruction (interp_callback) */
			if (i + 1 < n)
				code->insns[++i] = (struct dinsn){ .op = BPFVM_OP_EXIT };
		} else if (op == BPFVM_OP_LD_IMM64 && i + 1 < n) {
			d->k = (uint32_t)in->imm | ((uint64_t)(uint32_t)prog->insns[i + 1].imm << 32);
			code->insns[i + 1] = (struct dinsn){ .op = BPFVM_OP_EXIT };
			i++;
		} else if (op == BPFVM_OP_JA32 || op == BPFVM_OP_CALL_LOCAL) {
			d->k = (uint64_t)((int64_t)i + 1 + in->imm);
		} else if (bpfvm_op_is_jump_off(op)) {
			d->k = (uint64_t)((int64_t)i + 1 + in->off);
		}
	}
	return code;
}

/* decoded on first use; threads racing on a first run keep the first decoding published and free their own */
static const struct interp_code *interp_code_of(struct bpfvm_prog *prog)
{
	void *expected = NULL;
	struct interp_code *code = __atomic_load_n(&prog->interp_code, __ATOMIC_ACQUIRE);
	if (code)
		return code;
	if (!(code = decode(prog)))
		return NULL;
	if (!__atomic_compare_exchange_n(&prog->interp_code, &expected, code, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(code);
		return expected;
	}
	return code;
}

static int run_code(const struct interp_code *code, struct bpfvm_run_ctx *rc, const uint64_t args[5], size_t start,
		    uint64_t *r0)
{
	if (rc->strict)
		return interp_strict(code, rc, args, start, r0);
	return rc->checked ? interp_checked(code, rc, args, start, r0) : interp_fast(code, rc, args, start, r0);
}

/*
 * bpfvm_run_callback in the interpreter: fn is the callback's first instruction in the running program. It runs with
 * frames of its own; in checked mode the stacks of the frames that called the helper stay reachable (a callback
 * context usually lives there), as regions for the callback's run.
 */
static uint64_t interp_callback(struct bpfvm_run_ctx *rc, uint64_t fn, const uint64_t args[5])
{
	const struct interp_code *code = interp_code_of((struct bpfvm_prog *)rc->prog);
	uint64_t r0 = 0;
	if (!code || fn == 0 || fn >= code->cnt) {
		bpfvm_run_fail(rc, -EINVAL, "callback 0x%llx is not a function of the program", (unsigned long long)fn);
		return 0;
	}
	int nregions = rc->nregions, frames = rc->stack_frames;
	uintptr_t base = rc->stack_base;
	size_t stride = rc->stack_stride, insn = rc->helper_insn;
	for (int i = 0; rc->checked && i < frames; i++)
		if (bpfvm_run_add_region(rc, (void *)(base + (size_t)i * stride), BPFVM_STACK_SIZE, true)) {
			bpfvm_run_fail(rc, -E2BIG, "no room for the caller's stack in a callback's run");
			break;
		}
	if (!rc->error)
		run_code(code, rc, args, (size_t)fn, &r0);
	rc->nregions = nregions;
	rc->stack_base = base;
	rc->stack_stride = stride;
	rc->stack_frames = frames;
	rc->helper_insn = insn;
	return r0;
}

int bpfvm_interp_run(const struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, uint64_t r1, uint64_t r2,
		     uint64_t *r0)
{
	const struct interp_code *code = interp_code_of((struct bpfvm_prog *)prog); /* the decoded form is a cache */
	if (!code) {
		bpfvm_run_fail(rc, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	const uint64_t args[5] = { r1, r2 };
	if (rc->callback_depth == 0) {
		rc->prog = prog;
		rc->callback = interp_callback;
	}
	return run_code(code, rc, args, 0, r0);
}

void bpfvm_interp_release(struct bpfvm_prog *prog)
{
	free(prog->interp_code);
	prog->interp_code = NULL;
}
