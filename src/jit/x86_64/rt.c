/* rt.c - the runtime entry points JIT code calls: errors that stop a run */
#include <errno.h>

#include "interp/run.h"
#include "jit/x86_64/jit.h"

/* a bpf-to-bpf call would open a 9th frame (MAX_CALL_FRAMES is 8) */
void jit_rt_call_depth(struct bpfvm_run_ctx *rc)
{
	bpfvm_run_fail(rc, -E2BIG, "the call stack of %d frames is too deep", BPFVM_MAX_CALL_FRAMES + 1);
}
