/* prog_verify.c - `bpfvm prog verify FILE [--type TYPE] [--prog NAME] [--log-level 1|2] [-j]`: the verifier on a
 * program file: assembly, raw bytecode, or the programs of an ELF object with their maps */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"
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

static void json_verdict(struct cli_ctx *ctx, const char *name, int ret, const struct bpfvm_verify_stats *stats)
{
	jsonw_start_object(ctx->jw);
	if (name)
		jsonw_string_field(ctx->jw, "name", name);
	jsonw_string_field(ctx->jw, "verdict", ret ? "reject" : "accept");
	if (ret) {
		jsonw_string_field(ctx->jw, "error", stats->err_line);
		jsonw_int_field(ctx->jw, "errno", -ret);
	}
	jsonw_uint_field(ctx->jw, "insn_processed", stats->insn_processed);
	jsonw_uint_field(ctx->jw, "total_states", stats->total_states);
	jsonw_uint_field(ctx->jw, "peak_states", stats->peak_states);
	jsonw_end_object(ctx->jw);
}

/* every program of an object (or the one named), as BPF_PROG_LOAD would verify it; the log goes to stderr */
static int verify_object(struct cli_ctx *ctx, const char *path, const char *prog_name, uint32_t log_level)
{
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log);
	struct bpfvm_object *obj = bpfvm_object__open_file(path, &oo);
	int rejected = 0, found = 0;

	if (!obj)
		return p_err(ctx, EXIT_USAGE, "%s", log.last_error[0] ? log.last_error : strerror(errno));
	if (ctx->json)
		jsonw_start_array(ctx->jw);
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj); i++) {
		struct bpfvm_object_prog_info pi;
		struct bpfvm_verify_stats stats;
		if (bpfvm_object__prog_info(obj, i, &pi) || (prog_name && strcmp(pi.name, prog_name)))
			continue;
		found++;
		if (!ctx->json)
			fprintf(stderr, "# %s (%s)\n", pi.name, pi.sec_name);
		BPFVM_OPTS(bpfvm_verify_opts, opts, .log_level = log_level, .log_fn = log_to_stderr, .stats = &stats);
		int ret = bpfvm_object__verify_prog(obj, pi.name, &opts);
		if (ret == -ENOMEM) {
			bpfvm_object__close(obj);
			return p_err(ctx, EXIT_USAGE, "%s: out of memory", path);
		}
		rejected += ret != 0;
		if (ctx->json)
			json_verdict(ctx, pi.name, ret, &stats);
		else
			printf("%s: %s%s%s\n", pi.name, ret ? "reject: " : "accept", ret ? stats.err_line : "", "");
	}
	if (ctx->json)
		jsonw_end_array(ctx->jw);
	bpfvm_object__close(obj);
	if (!found)
		return p_err(ctx, EXIT_USAGE, "%s: no program%s%s", path, prog_name ? " named " : "", prog_name ? prog_name : "");
	return rejected ? EXIT_REJECTED : EXIT_OK;
}

int do_prog_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *path = NULL, *prog_name = NULL;
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
			prog_name = argv[++i];
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
		return verify_object(ctx, path, prog_name, log_level);
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
	if (ctx->json)
		json_verdict(ctx, NULL, ret, &stats);
	return ret ? EXIT_REJECTED : EXIT_OK;
}
