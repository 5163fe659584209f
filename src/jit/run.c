/* run.c - one run of a program in the JIT: compile on first use, call the image, report the run's error */
#include <errno.h>

#include "jit/jit.h"

int bpfvm_jit_run(struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, uint64_t r1, uint64_t r2, uint64_t *r0)
{
	int err;

	if (!prog->jit_entry) {
		err = bpfvm_jit_compile(prog, rc->log);
		if (err)
			return err;
	}
	rc->error = 0;
	rc->tail_call_cnt = 0;
	rc->prog = prog;
	rc->callback = prog->jit_callback;
	rc->callback_depth = 0;
	*r0 = prog->jit_entry(r1, r2, rc);
	return rc->error;
}
