/* run.h - the context of one run, shared by the interpreter, the JIT and the helpers */
#ifndef BPFVM_INTERP_RUN_H
#define BPFVM_INTERP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/log.h"
#include "interp/prog.h"

#define BPFVM_MAX_REGIONS 16
#define BPFVM_MAX_TAIL_CALLS 33 /* MAX_TAIL_CALL_CNT */

#define BPFVM_MAX_CALLBACK_DEPTH 8 /* nested callbacks (a bpf_loop inside a bpf_loop callback), as MAX_CALL_FRAMES */

struct bpfvm_run_ctx;
/*
 * Run a callback of the running program (bpf_loop, bpf_for_each_map_elem): fn is what the program's LD_IMM64 of a
 * function (BPF_PSEUDO_FUNC) put in a register, args its r1..r5. Set by the engine that runs the program.
 */
typedef uint64_t (*bpfvm_callback_fn)(struct bpfvm_run_ctx *rc, uint64_t fn, const uint64_t args[5]);

/* a span of host memory a run may touch (checked mode) */
struct bpfvm_region {
	uintptr_t start;
	size_t len;
	bool writable;
};

struct bpfvm_run_ctx {
	const struct bpfvm_prog *prog;
	struct bpfvm_log *log;
	uint64_t max_insns;   /* 0 = no limit */
	uint64_t insn_count;  /* instructions executed, set at exit (interpreter; counted only when max_insns is set) */
	bool checked;         /* bounds-check every access against regions[] */
	bool strict;          /* checked, and stop at reads of registers or stack bytes never written */
	bool r2_is_arg;       /* strict: r2 holds an argument (bpfvm_prog__run's mem_len), not only r1 */
	int nregions;
	struct bpfvm_region regions[BPFVM_MAX_REGIONS];
	int error;            /* 0, or the negative errno that stopped the run; set by the engine or a helper */
	int tail_call_cnt;
	/* packet for LD_ABS/LD_IND (the skb's linear data), NULL when the program type has none */
	const uint8_t *pkt;
	size_t pkt_len;
	uint64_t prandom_state; /* bpf_get_prandom_u32; 0 = seed on first use */
	bpfvm_trace_fn trace;   /* bpf_trace_printk output (NULL: dropped) */
	void *trace_arg;
	/*
	 * checked mode: the stacks of the live frames, set by the interpreter before each helper call: frame i's
	 * 512 bytes start at stack_base + i * stack_stride, for i < stack_frames (callers' stacks are reachable, as
	 * a pointer to a caller's stack may be passed down in the kernel)
	 */
	uintptr_t stack_base;
	size_t stack_stride;
	int stack_frames;
	size_t helper_insn; /* checked mode: the index of the call instruction running a helper, for error lines */
	bpfvm_callback_fn callback; /* the engine's way back into the program (bpfvm_run_callback) */
	int callback_depth;
	void *jit_state;            /* JIT: the running main frame's state (what r12 holds), for callbacks */
	/* bpf_redirect: the target of the run's last redirect */
	bool redirected;
	uint32_t redirect_ifindex, redirect_flags;
};

/* Stop the run: record err and one line of why. Helpers call this too. */
void bpfvm_run_fail(struct bpfvm_run_ctx *rc, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * For helpers taking a callback: run fn (an LD_IMM64 of a function) with args in the engine running the program.
 * Returns its r0; with rc->error set (the helper must then return at once) when it failed or nested too deep.
 */
uint64_t bpfvm_run_callback(struct bpfvm_run_ctx *rc, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
			    uint64_t a4, uint64_t a5);

/* Add a region the run owns (checked mode). Returns -E2BIG when full. */
int bpfvm_run_add_region(struct bpfvm_run_ctx *rc, const void *start, size_t len, bool writable);

/* true if [addr, addr+size) lies inside one region (writable if write) */
bool bpfvm_run_access_ok(const struct bpfvm_run_ctx *rc, uintptr_t addr, size_t size, bool write);

/*
 * For helpers with pointer arguments: may the run touch [p, p+size)? Always true outside checked mode (the verifier
 * is the guard there); in checked mode a live frame's stack or one of the regions must hold it.
 */
bool bpfvm_run_mem_ok(const struct bpfvm_run_ctx *rc, const void *p, size_t size, bool write);

/*
 * The same for a helper's pointer argument that the kernel's verifier would have checked: false stops the run
 * (checked mode only) with -EFAULT and "invalid read|write of N bytes at address 0x.. by HELPER at insn K".
 */
bool bpfvm_run_helper_access(struct bpfvm_run_ctx *rc, const void *p, size_t size, bool write, const char *helper);

/* The interpreter. r1, r2 are the initial argument registers. Returns 0 with *r0 set, or rc->error. */
int bpfvm_interp_run(const struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, uint64_t r1, uint64_t r2,
		     uint64_t *r0);
void bpfvm_interp_release(struct bpfvm_prog *prog);

/* The JIT (jit/). Compile once; returns 0 or a negative errno (-ENOTSUP on hosts without a JIT). */
int bpfvm_jit_compile(struct bpfvm_prog *prog, struct bpfvm_log *log);
void bpfvm_jit_release(struct bpfvm_prog *prog);

#endif
