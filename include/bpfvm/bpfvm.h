/* bpfvm.h - the embedding API: make a program from instructions, run it in the interpreter or the JIT */
#ifndef BPFVM_H
#define BPFVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/insn.h"
#include "bpfvm/log.h"
#include "bpfvm/opts.h"

#define BPFVM_VERSION "0.1.0"

struct bpfvm_prog;

enum bpfvm_engine {
	BPFVM_ENGINE_DEFAULT = 0, /* the JIT where the host has one, else the interpreter */
	BPFVM_ENGINE_INTERP,
	BPFVM_ENGINE_JIT,
	BPFVM_ENGINE_CHECKED, /* the interpreter with every memory access bounds-checked */
	/* CHECKED, and a read of a register or a stack byte the program never wrote stops the run too: for
	 * testing the verifier's soundness (helpers that write into the stack are not tracked) */
	BPFVM_ENGINE_STRICT,
};

struct bpfvm_prog_opts {
	size_t sz;
	const char *name;    /* copied; NULL = "prog" */
	uint32_t prog_type;  /* enum bpf_prog_type; 0 = unspecified (raw programs run with --mem) */
	struct bpfvm_log *log; /* where a load error's reason goes; may be NULL */
};
#define bpfvm_prog_opts__last_field log

/*
 * Make a program from insn_cnt instructions (copied). Checks that every instruction exists, has no reserved
 * field set and every jump lands inside the program and not inside an LD_IMM64 pair. Does not verify.
 * Returns NULL with errno set (EINVAL bad program, E2BIG too large, ENOMEM) and the reason in opts->log.
 */
struct bpfvm_prog *bpfvm_prog__new(const struct bpf_insn *insns, size_t insn_cnt, const struct bpfvm_prog_opts *opts);
void bpfvm_prog__free(struct bpfvm_prog *prog); /* NULL-safe */
const struct bpf_insn *bpfvm_prog__insns(const struct bpfvm_prog *prog);
size_t bpfvm_prog__insn_cnt(const struct bpfvm_prog *prog);
const char *bpfvm_prog__name(const struct bpfvm_prog *prog);

/*
 * Where bpf_trace_printk (and bpf_trace_vprintk) output goes: msg is the formatted text (len bytes, NUL-terminated,
 * possibly ending in '\n' as the program wrote it). With no callback the text is dropped (the helper still returns
 * its length, as the kernel does with nobody reading trace_pipe).
 */
typedef void (*bpfvm_trace_fn)(void *arg, const char *msg, size_t len);

struct bpfvm_run_opts {
	size_t sz;
	void *mem;           /* r1 = mem, r2 = mem_len (the conformance suite's convention); owned by the caller */
	size_t mem_len;
	enum bpfvm_engine engine;
	uint64_t max_insns;  /* stop after this many instructions, -E2BIG; 0 = no limit */
	uint32_t repeat;     /* run this many times (0 = 1) and report the mean duration */
	struct bpfvm_log *log; /* where a run-time error's reason goes (checked mode, step limit) */
	/* outputs */
	uint64_t retval;      /* r0 at exit of the last run */
	uint64_t duration_ns; /* mean wall time per run */
	/* more inputs (appended: older callers' smaller sz leaves them zero) */
	bool jit_harden;      /* JIT with constant blinding (the kernel's bpf_jit_harden) */
	bpfvm_trace_fn trace; /* bpf_trace_printk output; NULL drops it */
	void *trace_arg;
};
#define bpfvm_run_opts__last_field trace_arg

/*
 * Run the program. Returns 0 (retval set) or a negative errno: -EFAULT a bad memory access in checked mode,
 * -E2BIG the step limit, -EINVAL bad opts or a program the engine cannot run, -ENOTSUP engine unavailable.
 * BPFVM_ENGINE_DEFAULT is the JIT on x86-64 (the interpreter when the JIT cannot compile the program with
 * -ENOTSUP, or when max_insns is set: only the interpreter counts steps).
 * Only programs that passed the verifier are safe to run outside checked mode.
 */
int bpfvm_prog__run(struct bpfvm_prog *prog, struct bpfvm_run_opts *opts);

#endif
