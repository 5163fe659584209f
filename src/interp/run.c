/* run.c - the run API: make and free programs, pick an engine, repeat and time runs, run-context services */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log_internal.h"
#include "interp/run.h"
#include "maps/map.h"
#include "isa/opcodes.h"
#include "jit/jit.h"

/* libbpf's OPTS_VALID: a larger struct is fine only if its unknown tail is zero */
static bool opts_valid(const void *opts, size_t sz, size_t known)
{
	const unsigned char *p = opts;
	for (size_t i = known; i < sz; i++)
		if (p[i])
			return false;
	return true;
}

#define OPTS_HAS(opts, field) ((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))
/* the bytes this library knows, with the tail padding of its own struct (which initialisers need not zero) */
#define OPTS_KNOWN(type)                                                                                         \
	((offsetof(struct type, type##__last_field) + sizeof(((struct type *)0)->type##__last_field) +                 \
	  _Alignof(struct type) - 1) & ~(_Alignof(struct type) - 1))

struct bpfvm_prog *bpfvm_prog__new(const struct bpf_insn *insns, size_t insn_cnt, const struct bpfvm_prog_opts *opts)
{
	struct bpfvm_log *log = OPTS_GET(opts, log, NULL);
	if (opts && !opts_valid(opts, opts->sz, offsetof(struct bpfvm_prog_opts, log) + sizeof(opts->log))) {
		bpfvm_logf(log, "unknown fields set in bpfvm_prog_opts");
		errno = EINVAL;
		return NULL;
	}
	if (!insns || !insn_cnt) {
		bpfvm_logf(log, "empty program");
		errno = EINVAL;
		return NULL;
	}
	int err = bpfvm_insns_check(insns, insn_cnt, log);
	if (err) {
		errno = -err;
		return NULL;
	}
	struct bpfvm_prog *prog = calloc(1, sizeof(*prog));
	if (!prog || !(prog->insns = malloc(insn_cnt * sizeof(*insns)))) {
		free(prog);
		bpfvm_logf(log, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	memcpy(prog->insns, insns, insn_cnt * sizeof(*insns));
	prog->insn_cnt = insn_cnt;
	const char *name = OPTS_GET(opts, name, NULL);
	snprintf(prog->name, sizeof(prog->name), "%s", name ? name : "prog");
	prog->prog_type = OPTS_GET(opts, prog_type, 0);
	return prog;
}

void bpfvm_prog__free(struct bpfvm_prog *prog)
{
	if (!prog)
		return;
	bpfvm_interp_release(prog);
	bpfvm_jit_release(prog);
	free(prog->insns);
	free(prog);
}

const struct bpf_insn *bpfvm_prog__insns(const struct bpfvm_prog *prog) { return prog->insns; }
size_t bpfvm_prog__insn_cnt(const struct bpfvm_prog *prog) { return prog->insn_cnt; }
const char *bpfvm_prog__name(const struct bpfvm_prog *prog) { return prog->name; }

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bpfvm_prog__run(struct bpfvm_prog *prog, struct bpfvm_run_opts *opts)
{
	if (!prog || !opts || opts->sz < offsetof(struct bpfvm_run_opts, sz) + sizeof(opts->sz))
		return -EINVAL;
	struct bpfvm_log *log = OPTS_GET(opts, log, NULL);
	if (!opts_valid(opts, opts->sz, OPTS_KNOWN(bpfvm_run_opts))) {
		bpfvm_logf(log, "unknown fields set in bpfvm_run_opts");
		return -EINVAL;
	}
	void *mem = OPTS_GET(opts, mem, NULL);
	size_t mem_len = OPTS_GET(opts, mem_len, 0);
	enum bpfvm_engine engine = OPTS_GET(opts, engine, BPFVM_ENGINE_DEFAULT);
	uint32_t repeat = OPTS_GET(opts, repeat, 0);
	if (!repeat)
		repeat = 1;
	uint64_t max_insns = OPTS_GET(opts, max_insns, 0);
	bool harden = OPTS_GET(opts, jit_harden, false);
	bool checked = false, strict = false, use_jit = false;
	switch (engine) {
	case BPFVM_ENGINE_DEFAULT: /* the JIT, unless a step limit is asked for (only the interpreter counts steps) */
		use_jit = !max_insns;
		break;
	case BPFVM_ENGINE_INTERP:
		break;
	case BPFVM_ENGINE_STRICT:
		strict = true;
		/* fall through */
	case BPFVM_ENGINE_CHECKED:
		checked = true;
		break;
	case BPFVM_ENGINE_JIT:
		if (max_insns) {
			bpfvm_logf(log, "the JIT does not enforce a step limit: use the interpreter for max_insns");
			return -ENOTSUP;
		}
		use_jit = true;
		break;
	default:
		bpfvm_logf(log, "unknown engine %d", (int)engine);
		return -EINVAL;
	}
	if (use_jit && (!prog->jit_entry || prog->jit_hardened != harden)) {
		struct bpfvm_jit_opts jo = { .harden = harden };
		struct bpfvm_log jlog = { 0 };
		int err = bpfvm_jit_compile_opts(prog, &jo, &jlog, NULL);
		if (err == -ENOTSUP && engine == BPFVM_ENGINE_DEFAULT) {
			use_jit = false; /* no JIT for this host or this program: the interpreter runs it */
		} else if (err) {
			bpfvm_logf(log, "%s", jlog.last_error[0] ? jlog.last_error : "JIT: cannot compile the program");
			return err;
		} else {
			prog->jit_hardened = harden;
		}
	}
	uint64_t r0 = 0;
	uint64_t t0 = now_ns();
	for (uint32_t i = 0; i < repeat; i++) {
		struct bpfvm_run_ctx rc = {
			.prog = prog,
			.log = log,
			.max_insns = max_insns,
			.checked = checked,
			.strict = strict,
			.r2_is_arg = true,
			/* LD_ABS/LD_IND read the input memory as the packet (the conformance "packet" group's way) */
			.pkt = mem,
			.pkt_len = mem_len,
			.trace = OPTS_GET(opts, trace, NULL),
			.trace_arg = OPTS_GET(opts, trace_arg, NULL),
		};
		int err;
		if (use_jit) {
			err = bpfvm_jit_run(prog, &rc, (uint64_t)(uintptr_t)mem, mem_len, &r0);
		} else {
			if (checked && mem && mem_len)
				bpfvm_run_add_region(&rc, mem, mem_len, true);
			err = bpfvm_interp_run(prog, &rc, (uint64_t)(uintptr_t)mem, mem_len, &r0);
		}
		if (err)
			return err;
	}
	uint64_t dt = now_ns() - t0;
	if (OPTS_HAS(opts, retval))
		opts->retval = r0;
	if (OPTS_HAS(opts, duration_ns))
		opts->duration_ns = dt / repeat;
	return 0;
}

uint64_t bpfvm_run_callback(struct bpfvm_run_ctx *rc, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
			    uint64_t a4, uint64_t a5)
{
	const uint64_t args[5] = { a1, a2, a3, a4, a5 };
	if (!rc->callback) {
		bpfvm_run_fail(rc, -EINVAL, "callback called outside a run");
		return 0;
	}
	if (rc->callback_depth >= BPFVM_MAX_CALLBACK_DEPTH) {
		bpfvm_run_fail(rc, -E2BIG, "callbacks nested more than %d deep", BPFVM_MAX_CALLBACK_DEPTH);
		return 0;
	}
	rc->callback_depth++;
	uint64_t r0 = rc->callback(rc, fn, args);
	rc->callback_depth--;
	return r0;
}

void bpfvm_run_fail(struct bpfvm_run_ctx *rc, int err, const char *fmt, ...)
{
	if (rc->error)
		return; /* the first reason wins */
	rc->error = err;
	va_list ap;
	va_start(ap, fmt);
	bpfvm_vlogf(rc->log, fmt, ap);
	va_end(ap);
}

int bpfvm_run_add_region(struct bpfvm_run_ctx *rc, const void *start, size_t len, bool writable)
{
	if (rc->nregions >= BPFVM_MAX_REGIONS)
		return -E2BIG;
	rc->regions[rc->nregions++] = (struct bpfvm_region){ (uintptr_t)start, len, writable };
	return 0;
}

bool bpfvm_run_access_ok(const struct bpfvm_run_ctx *rc, uintptr_t addr, size_t size, bool write)
{
	for (int i = 0; i < rc->nregions; i++) {
		const struct bpfvm_region *r = &rc->regions[i];
		if (addr >= r->start && size <= r->len && addr - r->start <= r->len - size)
			return !write || r->writable;
	}
	/* map values: reached through a lookup or an LD_IMM64 of a value address (global data) */
	return bpfvm_map_storage_contains(addr, size, write);
}

bool bpfvm_run_mem_ok(const struct bpfvm_run_ctx *rc, const void *p, size_t size, bool write)
{
	uintptr_t a = (uintptr_t)p;
	if (!rc->checked)
		return true;
	for (int i = 0; i < rc->stack_frames; i++) {
		uintptr_t lo = rc->stack_base + (size_t)i * rc->stack_stride;
		if (a >= lo && size <= BPFVM_STACK_SIZE && a - lo <= BPFVM_STACK_SIZE - size)
			return true;
	}
	return bpfvm_run_access_ok(rc, a, size, write);
}

bool bpfvm_run_helper_access(struct bpfvm_run_ctx *rc, const void *p, size_t size, bool write, const char *helper)
{
	if (bpfvm_run_mem_ok(rc, p, size, write))
		return true;
	bpfvm_run_fail(rc, -EFAULT, "invalid %s of %zu bytes at address 0x%llx by %s at insn %zu", write ? "write" : "read",
		       size, (unsigned long long)(uintptr_t)p, helper, rc->helper_insn);
	return false;
}
