/* test_run.c - BPF_PROG_TEST_RUN for loaded programs: build the type's context, run it (repeat times), copy out */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/log_internal.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "progtypes/run_ctx.h"


static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool opts_ok(const struct bpfvm_test_run_opts *o)
{
	size_t known = offsetof(struct bpfvm_test_run_opts, redirect_flags) + sizeof(o->redirect_flags);
	if (!o || o->sz < offsetof(struct bpfvm_test_run_opts, duration_ns) + sizeof(o->duration_ns))
		return false; /* all of this struct's fields are needed (outputs too) */
	for (size_t i = known; i < o->sz; i++)
		if (((const uint8_t *)o)[i])
			return false;
	return true;
}

static int run_once(struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, const struct test_run_mem *m,
		    enum bpfvm_engine engine, uint64_t *r0)
{
	rc->insn_count = 0;
	rc->redirected = false;
	if (engine == BPFVM_ENGINE_JIT)
		return bpfvm_jit_run(prog, rc, m->r1, 0, r0); /* it resets the error and the tail-call count */
	rc->error = 0;
	rc->tail_call_cnt = 0;
	return bpfvm_interp_run(prog, rc, m->r1, 0, r0);
}

int bpfvm_prog__test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts)
{
	if (!prog || !opts_ok(opts))
		return -EINVAL;
	struct bpfvm_log *log = opts->log;
	const struct progtype_run *pt = progtype_run_find(prog->prog_type);
	if (!pt) {
		bpfvm_logf(log, "test run: program type %u cannot be test-run", prog->prog_type);
		return -ENOTSUP;
	}
	enum bpfvm_engine engine = opts->engine;
	if (engine == BPFVM_ENGINE_DEFAULT) /* the JIT where it compiles; the step limit is the interpreter's */
		engine = !opts->max_insns && !bpfvm_jit_compile(prog, NULL) ? BPFVM_ENGINE_JIT : BPFVM_ENGINE_INTERP;
	if (engine == BPFVM_ENGINE_JIT) {
		int err = bpfvm_jit_compile(prog, log);
		if (err)
			return err;
	} else if (engine != BPFVM_ENGINE_DEFAULT && engine != BPFVM_ENGINE_INTERP && engine != BPFVM_ENGINE_CHECKED &&
		   engine != BPFVM_ENGINE_STRICT) {
		return -EINVAL;
	}

	struct test_run_mem m;
	int err = pt->prepare(prog->prog_type, &m, opts, log);
	if (err)
		return err;
	struct bpfvm_run_ctx rc = {
		.prog = prog, .log = log, .max_insns = opts->max_insns, .checked = engine == BPFVM_ENGINE_CHECKED || engine == BPFVM_ENGINE_STRICT,
		.strict = engine == BPFVM_ENGINE_STRICT,
		.pkt = m.pkt, .pkt_len = m.pkt_len,
	};
	if (opts->sz >= offsetof(struct bpfvm_test_run_opts, trace_arg) + sizeof(opts->trace_arg)) {
		rc.trace = opts->trace;
		rc.trace_arg = opts->trace_arg;
	}
	bpfvm_run_add_region(&rc, m.ctx, m.ctx_size, true);
	if (m.buf_size)
		bpfvm_run_add_region(&rc, m.head, m.buf_size, m.pkt_writable);

	uint32_t repeat = opts->repeat ? opts->repeat : 1;
	uint64_t r0 = 0, t0 = now_ns();
	for (uint32_t i = 0; i < repeat && !err; i++) {
		if (pt->before_each)
			pt->before_each(&m);
		err = run_once(prog, &rc, &m, engine, &r0);
		if (!err && pt->after_each)
			pt->after_each(&m);
	}
	uint64_t spent = now_ns() - t0;
	if (err)
		goto out;
	if (opts->sz >= offsetof(struct bpfvm_test_run_opts, redirect_flags) + sizeof(opts->redirect_flags)) {
		opts->redirect_ifindex = rc.redirected ? (int32_t)rc.redirect_ifindex : -1;
		opts->redirect_flags = rc.redirected ? rc.redirect_flags : 0;
	}
	opts->retval64 = r0;
	opts->retval = (uint32_t)r0;
	opts->duration_ns = spent / repeat;

	const uint8_t *out;
	size_t out_size;
	int ferr = pt->finish(prog->prog_type, &m, opts, &out, &out_size);
	if (ferr && ferr != -ENOSPC) {
		err = ferr;
		bpfvm_logf(log, "test run: the program left the packet pointers outside the buffer");
		goto out;
	}
	/* bpf_test_finish(): clamp to data_size_out when given, report the full size, -ENOSPC when clamped */
	if (out) {
		size_t copy = out_size;
		if (opts->data_size_out && copy > opts->data_size_out) {
			copy = opts->data_size_out;
			err = -ENOSPC;
		}
		if (opts->data_out)
			memcpy(opts->data_out, out, copy);
		opts->data_size_out = out_size;
	} else {
		opts->data_size_out = 0;
	}
	if (!err)
		err = ferr;
out:
	test_run_mem_free(&m);
	return err;
}
