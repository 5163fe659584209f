/* rt.c - the runtime entry points JIT code calls: errors that stop a run */
#include <errno.h>

#include "helpers/helpers.h"
#include "interp/run.h"
#include "jit/x86_64/jit.h"

/* a bpf-to-bpf call would open a 9th frame (MAX_CALL_FRAMES is 8) */
void jit_rt_call_depth(struct bpfvm_run_ctx *rc)
{
	bpfvm_run_fail(rc, -E2BIG, "the call stack of %d frames is too deep", BPFVM_MAX_CALL_FRAMES + 1);
}

/* callx: the helper whose id is in a register (uBPF's and the conformance suite's meaning); NULL stops the run */
bpfvm_helper_fn jit_rt_callx(uint64_t id, const struct bpfvm_helper *(*by_id)(uint32_t), struct bpfvm_run_ctx *rc)
{
	const struct bpfvm_helper *h = id <= UINT32_MAX ? (by_id ? by_id : bpfvm_helper_by_id)((uint32_t)id) : NULL;

	if (!h || !h->fn) {
		bpfvm_run_fail(rc, -EINVAL, "callx: invalid func unknown#%llu", (unsigned long long)id);
		return NULL;
	}
	return h->fn;
}
