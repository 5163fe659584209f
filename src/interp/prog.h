/* prog.h - struct bpfvm_prog: a program's instructions and what the engines attach to it */
#ifndef BPFVM_INTERP_PROG_H
#define BPFVM_INTERP_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct bpfvm_run_ctx;

/* The JIT's entry: called with r1 and the run context; returns r0. */
typedef uint64_t (*bpfvm_jit_fn)(uint64_t r1, uint64_t r2, struct bpfvm_run_ctx *rc);

struct bpfvm_prog {
	struct bpf_insn *insns; /* owned */
	size_t insn_cnt;
	char name[64];
	uint32_t prog_type;

	/* interpreter: a pre-decoded form built on first run (owned, freed by interp_release) */
	void *interp_code;
	/* JIT: native image (owned, freed by jit_release) */
	void *jit_image;
	size_t jit_size;
	bpfvm_jit_fn jit_entry;
	bool jit_hardened; /* the image was compiled with constant blinding */
	/* JIT: how a helper runs one of the program's callbacks (bpfvm_run_callback), and the image's way in */
	uint64_t (*jit_callback)(struct bpfvm_run_ctx *rc, uint64_t fn, const uint64_t args[5]);
	void *jit_callback_stub;
};

#endif
