/* prog_raw.c - `bpfvm prog run FILE` for assembly (.s/.asm) and raw bytecode (.bin): r1 = --mem copy, r2 = its length */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/file_util.h"
#include "cli/prog_file.h"
#include "cli/prog_raw.h"
#include "cli/trace_pipe.h"

struct raw_args {
	const char *file;
	const char *mem;
	const char *syntax;
	enum bpfvm_engine engine;
	bool engine_set;
	bool checked;
	bool harden;
	unsigned long repeat;
	unsigned long long max_insns;
};

static int parse_engine(const char *s, struct raw_args *a)
{
	if (!strcmp(s, "interp"))
		a->engine = BPFVM_ENGINE_INTERP;
	else if (!strcmp(s, "jit"))
		a->engine = BPFVM_ENGINE_JIT;
	else if (!strcmp(s, "checked"))
		a->checked = true;
	else if (!strcmp(s, "default") || !*s)
		a->engine = BPFVM_ENGINE_DEFAULT;
	else
		return -EINVAL;
	return 0;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct raw_args *a)
{
	memset(a, 0, sizeof(*a));
	/* BPFVM_ENGINE=interp|jit|checked picks the engine when no option does (run-conformance.sh passes none) */
	const char *env = getenv("BPFVM_ENGINE");
	if (env && parse_engine(env, a))
		return p_err(ctx, EXIT_USAGE, "prog run: BPFVM_ENGINE='%s': not interp, jit or checked", env);
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--mem") || !strcmp(o, "--syntax")) {
			if (i + 1 >= argc)
				return p_err(ctx, EXIT_USAGE, "prog run: %s needs an argument", o);
			*(o[2] == 'm' ? &a->mem : &a->syntax) = argv[++i];
		} else if (!strcmp(o, "--repeat") || !strcmp(o, "--max-insns")) {
			char *end;
			if (i + 1 >= argc)
				return p_err(ctx, EXIT_USAGE, "prog run: %s needs a number", o);
			errno = 0;
			unsigned long long v = strtoull(argv[++i], &end, 0);
			if (*end || !argv[i][0] || argv[i][0] == '-' || errno || (o[2] == 'r' && (v == 0 || v > 100000000)))
				return p_err(ctx, EXIT_USAGE, "prog run: %s: bad number '%s'", o, argv[i]);
			if (o[2] == 'r')
				a->repeat = (unsigned long)v;
			else
				a->max_insns = v;
		} else if (!strcmp(o, "--engine")) {
			if (i + 1 >= argc)
				return p_err(ctx, EXIT_USAGE, "prog run: --engine needs interp or jit");
			a->checked = false;
			if (parse_engine(argv[++i], a) || !strcmp(argv[i], "checked"))
				return p_err(ctx, EXIT_USAGE, "prog run: unknown engine '%s' (interp, jit)", argv[i]);
			a->engine_set = true;
		} else if (!strcmp(o, "--checked")) {
			a->checked = true;
		} else if (!strcmp(o, "--jit-harden")) {
			a->harden = true;
		} else if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			ctx->json = true;
			if (!ctx->jw)
				ctx->jw = jsonw_new(stdout, ctx->pretty);
		} else if (o[0] == '-' && o[1]) {
			return p_err(ctx, EXIT_USAGE, "prog run: unknown option '%s'", o);
		} else if (!a->file) {
			a->file = o;
		} else {
			return p_err(ctx, EXIT_USAGE, "prog run: unexpected argument '%s'", o);
		}
	}
	if (!a->file)
		return p_err(ctx, EXIT_USAGE, "prog run: missing FILE");
	if (a->checked && a->engine_set && a->engine == BPFVM_ENGINE_JIT)
		return p_err(ctx, EXIT_USAGE, "prog run: --checked runs in the interpreter, not the JIT");
	if (a->checked)
		a->engine = BPFVM_ENGINE_CHECKED;
	if (a->harden && a->engine != BPFVM_ENGINE_JIT && a->engine != BPFVM_ENGINE_DEFAULT)
		return p_err(ctx, EXIT_USAGE, "prog run: --jit-harden needs the JIT engine");
	return 0;
}

/* --mem: hex bytes (two digits each, either case), separated by whitespace, as in the conformance suite */
static int read_mem(struct cli_ctx *ctx, const char *path, uint8_t **mem, size_t *len)
{
	char *buf;
	size_t n;
	int err = cli_read_file(path, &buf, &n);
	if (err)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, strerror(-err));
	uint8_t *out = malloc(n / 2 + 1);
	size_t k = 0, line = 1;
	if (!out) {
		free(buf);
		return p_err(ctx, EXIT_USAGE, "%s: out of memory", path);
	}
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n')
			line++;
		if (isspace(c)) {
			i++;
			continue;
		}
		if (i + 1 >= n || !isxdigit(c) || !isxdigit((unsigned char)buf[i + 1]) ||
		    (i + 2 < n && !isspace((unsigned char)buf[i + 2]))) {
			free(buf);
			free(out);
			return p_err(ctx, EXIT_USAGE, "%s:%zu: expected two hex digits per byte", path, line);
		}
		char h[3] = { buf[i], buf[i + 1], 0 };
		out[k++] = (uint8_t)strtoul(h, NULL, 16);
		i += 2;
	}
	free(buf);
	*mem = out;
	*len = k;
	return 0;
}

int prog_run_raw(struct cli_ctx *ctx, int argc, char **argv)
{
	struct raw_args a;
	struct bpfvm_prog *prog = NULL;
	uint8_t *mem = NULL;
	size_t mem_len = 0;
	int rc = parse_args(ctx, argc, argv, &a);
	if (rc)
		return rc;
	rc = cli_load_prog_file(ctx, a.file, a.syntax, &prog);
	if (rc)
		return rc;
	if (a.mem && (rc = read_mem(ctx, a.mem, &mem, &mem_len)))
		goto out;
	struct trace_pipe tp;
	trace_pipe_init(&tp, stderr);
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_run_opts, ro, .mem = mem_len ? mem : NULL, .mem_len = mem_len, .engine = a.engine,
		   .max_insns = a.max_insns, .repeat = (uint32_t)a.repeat, .log = &log, .jit_harden = a.harden,
		   .trace = trace_pipe_print, .trace_arg = &tp);
	int err = bpfvm_prog__run(prog, &ro);
	if (err) {
		/* no engine for it: a usage error; anything else is the program rejected or failing at run time */
		rc = p_err(ctx, err == -ENOTSUP ? EXIT_USAGE : EXIT_REJECTED, "%s: %s", a.file,
			   log.last_error[0] ? log.last_error : strerror(-err));
		goto out;
	}
	if (ctx->json) {
		char hex[32];
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)ro.retval);
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "retval", hex);
		jsonw_uint_field(ctx->jw, "duration_ns", ro.duration_ns);
		jsonw_uint_field(ctx->jw, "repeat", a.repeat ? a.repeat : 1);
		jsonw_end_object(ctx->jw);
	} else {
		if (a.repeat > 1)
			printf("duration %llu ns (mean of %lu runs)\n", (unsigned long long)ro.duration_ns, a.repeat);
		printf("0x%llx\n", (unsigned long long)ro.retval);
	}
	rc = EXIT_OK;
out:
	free(mem);
	bpfvm_prog__free(prog);
	return rc;
}
