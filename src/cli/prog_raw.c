/* prog_raw.c - `bpfvm prog run FILE.s|FILE.bin [--mem HEXFILE]`: a program run as in the conformance suite */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/file_util.h"
#include "cli/prog_file.h"
#include "cli/prog_raw.h"
#include "cli/trace_pipe.h"

struct raw_args {
	const char *file, *mem;
	enum bpfvm_engine engine;
	bool checked, harden;
	int syntax;
	uint32_t repeat;
	uint64_t max_insns;
};

static int parse_engine(const char *name, enum bpfvm_engine *out)
{
	if (!strcmp(name, "interp"))
		*out = BPFVM_ENGINE_INTERP;
	else if (!strcmp(name, "jit"))
		*out = BPFVM_ENGINE_JIT;
	else if (!strcmp(name, "checked"))
		*out = BPFVM_ENGINE_CHECKED;
	else if (!strcmp(name, "default") || !*name)
		*out = BPFVM_ENGINE_DEFAULT;
	else
		return -EINVAL;
	return 0;
}

static int parse_number(struct cli_ctx *ctx, const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (!*s || *end || errno || v > max || s[0] == '-')
		return p_err(ctx, EXIT_USAGE, "prog run: %s: bad number '%s'", opt, s);
	*out = v;
	return EXIT_OK;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct raw_args *a)
{
	const char *env = getenv("BPFVM_ENGINE"); /* lets a runner such as run-conformance.sh pick the engine */
	uint64_t v;

	memset(a, 0, sizeof(*a));
	a->repeat = 1;
	if (env && parse_engine(env, &a->engine))
		return p_err(ctx, EXIT_USAGE, "BPFVM_ENGINE=%s: expected interp, jit or checked", env);
	if (a->engine == BPFVM_ENGINE_CHECKED) {
		a->checked = true;
		a->engine = BPFVM_ENGINE_DEFAULT;
	}
	a->file = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		bool has_arg = i + 1 < argc;
		if (!strcmp(o, "--checked")) {
			a->checked = true;
		} else if (!strcmp(o, "--jit-harden")) {
			a->harden = true;
		} else if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			ctx->json = true;
			if (!ctx->jw)
				ctx->jw = jsonw_new(stdout, ctx->pretty);
		} else if (!has_arg && (!strcmp(o, "--mem") || !strcmp(o, "--engine") || !strcmp(o, "--repeat") ||
					!strcmp(o, "--max-insns") || !strcmp(o, "--syntax"))) {
			return p_err(ctx, EXIT_USAGE, "prog run: %s needs an argument", o);
		} else if (!strcmp(o, "--mem")) {
			a->mem = argv[++i];
		} else if (!strcmp(o, "--engine")) {
			if (parse_engine(argv[++i], &a->engine) || a->engine == BPFVM_ENGINE_CHECKED)
				return p_err(ctx, EXIT_USAGE, "prog run: unknown engine '%s' (interp or jit)", argv[i]);
		} else if (!strcmp(o, "--repeat")) {
			if (parse_number(ctx, o, argv[++i], 100000000, &v) || !v)
				return v ? EXIT_USAGE : p_err(ctx, EXIT_USAGE, "prog run: --repeat must be at least 1");
			a->repeat = (uint32_t)v;
		} else if (!strcmp(o, "--max-insns")) {
			if (parse_number(ctx, o, argv[++i], UINT64_MAX, &a->max_insns))
				return EXIT_USAGE;
		} else if (!strcmp(o, "--syntax")) {
			a->syntax = cli_asm_syntax(argv[++i]);
			if (a->syntax < 0)
				return p_err(ctx, EXIT_USAGE, "prog run: unknown syntax '%s' (kernel or ubpf)", argv[i]);
		} else {
			return p_err(ctx, EXIT_USAGE, "prog run: unknown option '%s'", o);
		}
	}
	if (a->checked) {
		if (a->engine == BPFVM_ENGINE_JIT)
			return p_err(ctx, EXIT_USAGE, "prog run: --checked runs in the interpreter, not the JIT");
		a->engine = BPFVM_ENGINE_CHECKED;
	}
	if (a->max_insns && a->engine == BPFVM_ENGINE_JIT)
		return p_err(ctx, EXIT_USAGE, "prog run: --max-insns is enforced by the interpreter only, not the JIT");
	return EXIT_OK;
}

/* the conformance suite's memory: two-digit hex bytes separated by whitespace, over any number of lines */
static int read_mem(struct cli_ctx *ctx, const char *path, uint8_t **mem, size_t *len)
{
	char *text;
	size_t n, cnt = 0;
	int err = cli_read_file(path, &text, &n);

	if (err)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, strerror(-err));
	uint8_t *out = malloc(n / 2 + 1);
	if (!out) {
		free(text);
		return p_err(ctx, EXIT_USAGE, "%s: out of memory", path);
	}
	for (size_t i = 0; i < n;) {
		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		if (i + 1 >= n || !isxdigit((unsigned char)text[i]) || !isxdigit((unsigned char)text[i + 1]) ||
		    (i + 2 < n && !isspace((unsigned char)text[i + 2]))) {
			size_t line = 1;
			for (size_t k = 0; k < i; k++)
				line += text[k] == '\n';
			free(text);
			free(out);
			return p_err(ctx, EXIT_USAGE, "%s:%zu: expected two-digit hex bytes separated by spaces", path,
				     line);
		}
		char hex[3] = { text[i], text[i + 1], 0 };
		out[cnt++] = (uint8_t)strtoul(hex, NULL, 16);
		i += 2;
	}
	free(text);
	*mem = out;
	*len = cnt;
	return EXIT_OK;
}

int prog_run_raw(struct cli_ctx *ctx, int argc, char **argv)
{
	struct raw_args a;
	struct bpfvm_prog *prog = NULL;
	uint8_t *mem = NULL;
	size_t mem_len = 0;
	int code = parse_args(ctx, argc, argv, &a);

	if (code)
		return code;
	if (a.mem && (code = read_mem(ctx, a.mem, &mem, &mem_len)))
		return code;
	code = cli_load_prog_file(ctx, a.file, (enum bpfvm_asm_syntax)a.syntax, &prog);
	if (code) {
		free(mem);
		return code;
	}
	/* every run starts from the same input: a fresh copy of mem for each, as the suite's runner gives */
	struct bpfvm_log log = { 0 };
	struct trace_pipe tp; /* bpf_trace_printk lines go to stderr as trace_pipe prints them */
	trace_pipe_init(&tp, stderr);
	BPFVM_OPTS(bpfvm_run_opts, ro, .mem = mem_len ? mem : NULL, .mem_len = mem_len, .engine = a.engine,
		   .max_insns = a.max_insns, .repeat = a.repeat, .log = &log, .jit_harden = a.harden,
		   .trace = trace_pipe_print, .trace_arg = &tp);
	int err = bpfvm_prog__run(prog, &ro);
	bpfvm_prog__free(prog);
	free(mem);
	if (err)
		return p_err(ctx, EXIT_REJECTED, "%s: %s", a.file, log.last_error[0] ? log.last_error : strerror(-err));
	if (ctx->json) {
		char hex[24];
		snprintf(hex, sizeof(hex), "0x%" PRIx64, ro.retval);
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "retval", hex);
		jsonw_uint_field(ctx->jw, "duration_ns", ro.duration_ns);
		jsonw_uint_field(ctx->jw, "repeat", a.repeat);
		jsonw_end_object(ctx->jw);
	} else {
		if (a.repeat > 1)
			printf("duration %" PRIu64 " ns per run (mean of %u runs)\n", ro.duration_ns, a.repeat);
		printf("0x%" PRIx64 "\n", ro.retval);
	}
	return EXIT_OK;
}
