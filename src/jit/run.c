/* run.c - one run of a program in the JIT: compile on first use, call the image, report the run's error */
#include <errno.h>

#include "jit/jit.h"

bpfvm_jit_fn bpfvm_jit_entry(struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, int *err)
{
	*err = prog->jit_entry ? 0 : bpfvm_jit_compile(prog, rc->log);
	if (*err)
		return NULL;
	rc->error = 0;
	rc->tail_call_cnt = 0;
	rc->prog = prog;
	rc->callback = prog->jit_callback;
	rc->callback_depth = 0;
	return prog->jit_entry;
}

int bpfvm_jit_run(struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, uint64_t r1, uint64_t r2, uint64_t *r0)
{
	int err;
	bpfvm_jit_fn entry = bpfvm_jit_entry(prog, rc, &err);
	if (!entry)
		return err;
	*r0 = entry(r1, r2, rc);
	return rc->error;
}
