/* rt.c - the runtime entry points JIT code calls: errors that stop a run */
#if defined(__x86_64__) /* other hosts: src/jit/none.c */
#include <errno.h>

#include "helpers/helpers.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "jit/x86_64/jit.h"

void jit_rt_fail(struct bpfvm_run_ctx *rc, int err, const char *what)
{
	bpfvm_run_fail(rc, err, "%s", what);
}

const struct bpfvm_helper *jit_rt_helper(uint32_t id)
{
	return bpfvm_helper_by_id(id);
}

/* a helper bpfvm knows by number but does not run: the run stops at the call, as the interpreter's does */
void jit_rt_unimplemented(uint64_t id, uint64_t insn, struct bpfvm_run_ctx *rc)
{
	const char *name = bpfvm_helper_name((uint32_t)id);
	bpfvm_run_fail(rc, -EINVAL, "helper %u (%s) is not implemented by bpfvm, called at insn %zu", (unsigned)id,
		       name ? name : "unknown", (size_t)insn);
}

/* a bpf-to-bpf call would open a 9th frame (MAX_CALL_FRAMES is 8) */
void jit_rt_call_depth(struct bpfvm_run_ctx *rc)
{
	jit_rt_fail(rc, -E2BIG, "the call stack of 9 frames is too deep");
}

/* callx: the helper whose id is in a register (uBPF's and the conformance suite's meaning); NULL stops the run */
bpfvm_helper_fn jit_rt_callx(uint64_t id, const struct bpfvm_helper *(*by_id)(uint32_t), struct bpfvm_run_ctx *rc)
{
	const struct bpfvm_helper *h = id <= UINT32_MAX ? (by_id ? by_id : jit_rt_helper)((uint32_t)id) : NULL;

	if (!h || !h->fn) {
		jit_rt_fail(rc, -EINVAL, "callx: invalid func unknown");
		return NULL;
	}
	return h->fn;
}

/*
 * bpf_tail_call(ctx, map, index): the JIT entry to jump to, or NULL to continue after the call (no such program,
 * or the 33 tail calls of MAX_TAIL_CALL_CNT are used up). A target without an image is compiled here; if that
 * fails the run stops with its error.
 */
bpfvm_jit_fn jit_rt_tail_call(void *map, uint64_t index, struct bpfvm_run_ctx *rc,
			      struct bpfvm_prog *(*lookup)(void *map, uint32_t index))
{
	struct bpfvm_prog *target;
	int err;

	if (!lookup)
		lookup = bpfvm_prog_array_lookup;
	if (!lookup || !map)
		return NULL;
	if (rc->tail_call_cnt >= BPFVM_MAX_TAIL_CALLS)
		return NULL;
	target = lookup(map, (uint32_t)index); /* the index is a u32, as the kernel's interpreter and JIT read it */
	if (!target)
		return NULL;
	if (!target->jit_entry) {
		err = bpfvm_jit_compile(target, rc->log);
		if (err) {
			jit_rt_fail(rc, err, "tail call: cannot JIT-compile the target program");
			return NULL;
		}
	}
	rc->tail_call_cnt++;
	rc->prog = target;
	return target->jit_entry;
}

#endif /* __x86_64__ */

uint64_t jit_rt_callback(struct bpfvm_run_ctx *rc, uint64_t fn, const uint64_t args[5])
{
	const struct bpfvm_prog *prog = rc->prog;
	if (!prog || !prog->jit_callback_stub || !rc->jit_state) {
		bpfvm_run_fail(rc, -EINVAL, "callback 0x%llx called where the program has no function pointers",
			       (unsigned long long)fn);
		return 0;
	}
	struct jit_callback_call call = { .fn = fn, .state = rc->jit_state };
	for (int i = 0; i < 5; i++)
		call.args[i] = args[i];
	uint64_t (*stub)(struct jit_callback_call *) = (uint64_t (*)(struct jit_callback_call *))prog->jit_callback_stub;
	return stub(&call);
}
