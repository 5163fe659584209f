/* prog_verify.c - `bpfvm prog verify FILE [--type TYPE] [--log-level 1|2] [-j]`: the verifier on a program file */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/verifier.h"
#include "cli/cli.h"
#include "cli/file_util.h"
#include "cli/prog_file.h"
#include "progtypes/progtype.h"

static void log_to_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static int parse_type(const char *s, uint32_t *type)
{
	char *end;
	unsigned long n = strtoul(s, &end, 0);

	if (!*end && end != s) {
		*type = (uint32_t)n;
		return progtype_find(*type) ? 0 : -ENOENT;
	}
	for (uint32_t t = 0; t < 64; t++) {
		const struct progtype_ops *ops = progtype_find(t);
		if (ops && !strcmp(ops->name, s)) {
			*type = t;
			return 0;
		}
	}
	return -ENOENT;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

int do_prog_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *path = NULL;
	uint32_t type = 1, log_level = 1;
	struct bpfvm_verify_stats stats;
	char *buf;
	size_t len;
	int err, ret;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			if (!ctx->jw) {
				ctx->json = true;
				ctx->jw = jsonw_new(stdout, ctx->pretty);
			}
		} else if (!strcmp(argv[i], "--type") && i + 1 < argc) {
			if (parse_type(argv[++i], &type))
				return p_err(ctx, EXIT_USAGE, "prog verify: unknown program type '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--log-level") && i + 1 < argc) {
			char *end;
			log_level = (uint32_t)strtoul(argv[++i], &end, 10);
			if (*end || log_level < 1 || log_level > 2)
				return p_err(ctx, EXIT_USAGE, "prog verify: --log-level is 1 or 2");
		} else if (!strcmp(argv[i], "--prog") && i + 1 < argc) {
			i++; /* program names select within ELF objects, which need the loader */
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return p_err(ctx, EXIT_USAGE, "prog verify: unknown option '%s'", argv[i]);
		} else if (!path) {
			path = argv[i];
		} else {
			return p_err(ctx, EXIT_USAGE, "prog verify: unexpected argument '%s'", argv[i]);
		}
	}
	if (!path)
		return p_err(ctx, EXIT_USAGE, "prog verify: no FILE");
	if (has_suffix(path, ".o"))
		return p_err(ctx, EXIT_USAGE, "%s: ELF objects are not verified by `prog verify` in this build", path);
	struct bpf_insn *insns;
	size_t cnt;
	err = cli_load_insns_file(ctx, path, NULL, &insns, &cnt); /* assembly or raw bytecode, one error line */
	if (err)
		return err;
	buf = (char *)insns;
	len = cnt * sizeof(struct bpf_insn);
	BPFVM_OPTS(bpfvm_verify_opts, opts, .prog_type = type, .log_level = log_level, .log_fn = log_to_stderr,
		   .stats = &stats);
	ret = bpfvm_verify((const struct bpf_insn *)buf, len / sizeof(struct bpf_insn), &opts);
	free(buf);
	if (ret == -ENOMEM)
		return p_err(ctx, EXIT_USAGE, "%s: out of memory", path);
	if (ctx->json) {
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "verdict", ret ? "reject" : "accept");
		if (ret) {
			jsonw_string_field(ctx->jw, "error", stats.err_line);
			jsonw_int_field(ctx->jw, "errno", -ret);
		}
		jsonw_uint_field(ctx->jw, "insn_processed", stats.insn_processed);
		jsonw_uint_field(ctx->jw, "total_states", stats.total_states);
		jsonw_uint_field(ctx->jw, "peak_states", stats.peak_states);
		jsonw_end_object(ctx->jw);
	}
	return ret ? EXIT_REJECTED : EXIT_OK;
}
