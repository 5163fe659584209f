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
#include "cli/kernel_verify.h"
#include "cli/prog_file.h"
#include "progtypes/progtype.h"

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

/* the log bpfvm's verifier wrote, kept for comparison with the kernel's (and echoed to stderr) */
struct log_capture {
	char *buf;
	size_t len, cap;
};

static void log_capture_line(void *arg, const char *line)
{
	struct log_capture *c = arg;
	size_t n = strlen(line);
	fprintf(stderr, "%s\n", line);
	if (c->len + n + 2 > c->cap) {
		size_t cap = (c->cap ? c->cap * 2 : 4096) + n;
		char *b = realloc(c->buf, cap);
		if (!b)
			return;
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, line, n);
	c->len += n;
	c->buf[c->len++] = '\n';
	c->buf[c->len] = 0;
}

/*
 * One program's verdict; with kv (--kernel) the kernel's too and the first line where the two logs part. Text
 * goes to stdout: `NAME: accept` or `NAME: reject: ERROR`, then the kernel's lines.
 */
static void report(struct cli_ctx *ctx, const char *name, int ret, const struct bpfvm_verify_stats *stats,
		   const struct kernel_verdict *kv, const char *blog)
{
	char kerr[256] = "";
	const char *la = NULL, *lb = NULL;
	size_t lena = 0, lenb = 0;
	int part = 0;

	if (kv && kv->available) {
		kernel_err_line(kv->log, kerr, sizeof(kerr));
		part = logs_part_at(blog ? blog : "", kv->log, &la, &lena, &lb, &lenb);
	}
	if (ctx->json) {
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
		if (kv) {
			jsonw_name(ctx->jw, "kernel");
			jsonw_start_object(ctx->jw);
			if (!kv->available) {
				jsonw_string_field(ctx->jw, "unavailable", kv->why);
			} else {
				jsonw_string_field(ctx->jw, "verdict", kv->err ? "reject" : "accept");
				if (kv->err) {
					jsonw_string_field(ctx->jw, "error", kerr);
					jsonw_int_field(ctx->jw, "errno", -kv->err);
				}
				jsonw_int_field(ctx->jw, "logs_part_at_line", part);
			}
			jsonw_end_object(ctx->jw);
		}
		jsonw_end_object(ctx->jw);
		return;
	}
	const char *label = name ? name : "bpfvm";
	printf("%s: %s%s\n", label, ret ? "reject: " : "accept", ret ? stats->err_line : "");
	if (!kv)
		return;
	if (!kv->available) {
		printf("kernel: unavailable: %s\n", kv->why);
		return;
	}
	printf("kernel: %s%s\n", kv->err ? "reject: " : "accept", kv->err ? kerr : "");
	if (!part) {
		printf("logs: identical\n");
		return;
	}
	printf("logs part at line %d:\n  bpfvm:  %.*s\n  kernel: %.*s\n", part, (int)lena, la ? la : "(end of log)",
	       (int)lenb, lb ? lb : "(end of log)");
}

/* every program of an object (or the one named), as BPF_PROG_LOAD would verify it; the log goes to stderr */
static int verify_object(struct cli_ctx *ctx, const char *path, const char *prog_name, uint32_t log_level,
			 bool with_kernel)
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
		struct log_capture cap = { 0 };
		struct kernel_verdict kv = { 0 };
		BPFVM_OPTS(bpfvm_verify_opts, opts, .log_level = log_level, .log_fn = log_capture_line, .log_arg = &cap,
			   .stats = &stats);
		int ret = bpfvm_object__verify_prog(obj, pi.name, &opts);
		if (ret == -ENOMEM || (with_kernel && kernel_verify_object(obj, &pi, log_level, &kv))) {
			free(cap.buf);
			kernel_verdict_free(&kv);
			bpfvm_object__close(obj);
			return p_err(ctx, EXIT_USAGE, "%s: out of memory", path);
		}
		rejected += ret != 0;
		report(ctx, pi.name, ret, &stats, with_kernel ? &kv : NULL, cap.buf);
		free(cap.buf);
		kernel_verdict_free(&kv);
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
	bool with_kernel = false;
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
		} else if (!strcmp(argv[i], "--kernel")) {
			with_kernel = true;
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
		return verify_object(ctx, path, prog_name, log_level, with_kernel);
	struct bpf_insn *insns;
	size_t cnt;
	err = cli_load_insns_file(ctx, path, NULL, &insns, &cnt); /* assembly or raw bytecode, one error line */
	if (err)
		return err;
	buf = (char *)insns;
	len = cnt * sizeof(struct bpf_insn);
	struct log_capture cap = { 0 };
	struct kernel_verdict kv = { 0 };
	BPFVM_OPTS(bpfvm_verify_opts, opts, .prog_type = type, .log_level = log_level, .log_fn = log_capture_line,
		   .log_arg = &cap, .stats = &stats);
	ret = bpfvm_verify((const struct bpf_insn *)buf, len / sizeof(struct bpf_insn), &opts);
	if (ret != -ENOMEM && with_kernel &&
	    kernel_verify((const struct bpf_insn *)buf, len / sizeof(struct bpf_insn), type, 0, 0, log_level, &kv))
		ret = -ENOMEM;
	free(buf);
	if (ret == -ENOMEM) {
		free(cap.buf);
		kernel_verdict_free(&kv);
		return p_err(ctx, EXIT_USAGE, "%s: out of memory", path);
	}
	/* without --kernel the verdict is the log's last lines (stderr), or the JSON object */
	if (ctx->json || with_kernel)
		report(ctx, NULL, ret, &stats, with_kernel ? &kv : NULL, cap.buf);
	free(cap.buf);
	kernel_verdict_free(&kv);
	return ret ? EXIT_REJECTED : EXIT_OK;
}
