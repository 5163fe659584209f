/* raw_run.c - test run of programs whose context is a plain buffer: syscall (the user's ctx, copied back),
 * raw_tracepoint (an array of u64 arguments), and, as a bpfvm extension, kprobe/tracepoint/perf_event */
#include <errno.h>
#include <string.h>

#include "common/log_internal.h"
#include "progtypes/run_ctx.h"

#define CTX_MAX 65535 /* U16_MAX, the kernel's limit for a syscall program's ctx */

static int raw_prepare(uint32_t type, struct test_run_mem *m, const struct bpfvm_test_run_opts *o, struct bpfvm_log *log)
{
	if (o->data_in || o->data_out) {
		bpfvm_logf(log, "test run: this program type takes no packet data (data_in/data_out), only ctx_in");
		return -EINVAL;
	}
	if (o->ctx_size_in > CTX_MAX || (o->ctx_size_in && !o->ctx_in)) {
		bpfvm_logf(log, "test run: ctx_in of %u bytes: at most %d", o->ctx_size_in, CTX_MAX);
		return -EINVAL;
	}
	if (type == BPF_PROG_TYPE_RAW_TRACEPOINT && o->ctx_size_in % 8) {
		bpfvm_logf(log, "test run: raw_tracepoint ctx_in must be an array of u64 arguments");
		return -EINVAL;
	}
	int err = test_run_mem_alloc(m, o->ctx_size_in ? o->ctx_size_in : 8, 0, 0, 0);
	if (err)
		return err;
	if (o->ctx_size_in)
		memcpy(m->ctx, o->ctx_in, o->ctx_size_in);
	/* The kernel refuses a ctx_in shorter than the furthest context access the verifier saw (max_ctx_offset);
	 * without that number here, a short or absent ctx_in points at zeroed memory rather than nothing, so an
	 * unverified program reads zeros instead of faulting. */
	m->r1 = (uintptr_t)m->ctx;
	return 0;
}

static int raw_finish(uint32_t type, struct test_run_mem *m, struct bpfvm_test_run_opts *o, const uint8_t **out,
		      size_t *out_size)
{
	*out = NULL;
	*out_size = 0;
	if (o->ctx_out && type == BPF_PROG_TYPE_SYSCALL) { /* the kernel copies a syscall program's ctx back */
		uint32_t n = o->ctx_size_out < o->ctx_size_in ? o->ctx_size_out : o->ctx_size_in;
		memcpy(o->ctx_out, m->ctx, n);
		int err = o->ctx_size_out < o->ctx_size_in ? -ENOSPC : 0;
		o->ctx_size_out = o->ctx_size_in;
		return err;
	}
	return 0;
}

const struct progtype_run progtype_run_raw = { .prog_type = 0, .prepare = raw_prepare, .finish = raw_finish };
