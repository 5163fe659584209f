/* engines.h - run one program (uBPF-syntax text or instructions) in the interpreter, checked mode and the JIT */
#ifndef BPFVM_TESTS_INTERP_ENGINES_H
#define BPFVM_TESTS_INTERP_ENGINES_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "bpfvm/bpfvm.h"
#include "lib/harness.h"

static const struct {
	enum bpfvm_engine engine;
	const char *name;
} test_engines[] = {
	{ BPFVM_ENGINE_INTERP, "interp" },
	{ BPFVM_ENGINE_CHECKED, "checked" },
	{ BPFVM_ENGINE_JIT, "jit" },
};
#define N_TEST_ENGINES (sizeof(test_engines) / sizeof(test_engines[0]))

struct run_result {
	int err;
	uint64_t r0;
	char why[512];
};

/* assemble (uBPF syntax); on failure a FAIL line is printed and NULL returned */
static inline struct bpf_insn *test_asm(const char *name, const char *text, size_t *cnt)
{
	struct bpfvm_log log = { 0 };
	struct bpf_insn *insns = NULL;
	int err = bpfvm_asm(text, strlen(text), name, BPFVM_ASM_UBPF, &insns, cnt, &log);
	if (err) {
		t_fail("%s: does not assemble: %s", name, log.last_error);
		return NULL;
	}
	return insns;
}

static inline void test_run(const struct bpf_insn *insns, size_t cnt, enum bpfvm_engine engine, void *mem,
			    size_t mem_len, uint64_t max_insns, struct run_result *res, bpfvm_trace_fn trace, void *arg)
{
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_prog_opts, po, .log = &log);
	struct bpfvm_prog *prog = bpfvm_prog__new(insns, cnt, &po);
	memset(res, 0, sizeof(*res));
	if (!prog) {
		res->err = -errno;
		snprintf(res->why, sizeof(res->why), "%s", log.last_error);
		return;
	}
	BPFVM_OPTS(bpfvm_run_opts, ro, .mem = mem, .mem_len = mem_len, .engine = engine, .max_insns = max_insns,
		   .log = &log, .trace = trace, .trace_arg = arg);
	res->err = bpfvm_prog__run(prog, &ro);
	res->r0 = ro.retval;
	snprintf(res->why, sizeof(res->why), "%s", log.last_error);
	bpfvm_prog__free(prog);
}

/* "01 02 ff" -> bytes; returns the count */
static inline size_t test_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	while (hex && *hex && n < max) {
		char *end;
		unsigned long v = strtoul(hex, &end, 16);
		if (end == hex)
			break;
		out[n++] = (uint8_t)v;
		hex = end;
	}
	return n;
}

#endif
