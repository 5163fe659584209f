/* corpus.c - `bpfvm corpus verify FILE [--log-level N] [-j]`: verify every record of a corpus/verifier file */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/verifier.h"
#include "cli/cli.h"
#include "cli/file_util.h"
#include "verifier/corpus.h"

static int do_corpus_help(struct cli_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %s corpus verify FILE [--log-level 1|2] [-j]\n"
		"       FILE is in the corpus/verifier record format; prints `SRC accept` or `SRC reject: ERROR`\n"
		"       per record (ERROR: the verifier log's last line before the statistics), then a summary.\n"
		"       --log-level also writes each record's verifier log to stderr, after a `# SRC` line.\n",
		ctx->argv0);
	return argc > 0 && strcmp(argv[0], "help") ? EXIT_USAGE : EXIT_OK;
}

static void log_to_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static int do_corpus_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *path = NULL;
	struct bpfvm_log log = { 0 };
	struct corpus_parser p = { 0 };
	struct corpus_record rec;
	char *buf;
	size_t len;
	int err, n = 0, n_accept = 0, n_reject = 0;
	uint32_t log_level = 0; /* 0: the verdicts only (the verifier still logs at level 1 for the error line) */

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			if (!ctx->jw) {
				ctx->json = true;
				ctx->jw = jsonw_new(stdout, ctx->pretty);
			}
		} else if (!strcmp(argv[i], "--log-level")) {
			if (++i >= argc || (strcmp(argv[i], "1") && strcmp(argv[i], "2")))
				return p_err(ctx, EXIT_USAGE, "corpus verify: --log-level takes 1 or 2");
			log_level = (uint32_t)(argv[i][0] - '0');
		} else if (!path) {
			path = argv[i];
		} else {
			return p_err(ctx, EXIT_USAGE, "corpus verify: unexpected argument '%s'", argv[i]);
		}
	}
	if (!path)
		return p_err(ctx, EXIT_USAGE, "corpus verify: no FILE");
	err = cli_read_file(path, &buf, &len);
	if (err)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, strerror(-err));
	p.buf = buf;
	p.len = len;
	if (ctx->json) {
		jsonw_start_object(ctx->jw);
		jsonw_name(ctx->jw, "records");
		jsonw_start_array(ctx->jw);
	}
	while ((err = corpus_next(&p, &rec, &log)) == 1) {
		struct corpus_prog prog;
		struct bpfvm_verify_stats stats;
		int ret;

		err = corpus_prog_build(&rec, &prog, &log);
		if (err) {
			corpus_record_free(&rec);
			break;
		}
		BPFVM_OPTS(bpfvm_verify_opts, opts, .prog_type = rec.prog_type, .expected_attach_type = rec.attach_type,
			   .prog_flags = rec.prog_flags, .maps = prog.maps, .map_cnt = prog.map_cnt,
			   .log_level = log_level ? log_level : 1, .log_fn = log_level ? log_to_stderr : NULL,
			   .stats = &stats, .kfunc_names = prog.kfunc_names, .kfunc_cnt = prog.kfunc_cnt,
			   .func_info = rec.func_info, .func_info_cnt = rec.func_info_cnt);
		if (log_level)
			fprintf(stderr, "# %s\n", rec.src);
		ret = bpfvm_verify(prog.insns, prog.insn_cnt, &opts);
		n++;
		if (ret == 0)
			n_accept++;
		else
			n_reject++;
		if (ctx->json) {
			jsonw_start_object(ctx->jw);
			jsonw_string_field(ctx->jw, "src", rec.src);
			jsonw_string_field(ctx->jw, "verdict", ret ? "reject" : "accept");
			if (ret) {
				jsonw_string_field(ctx->jw, "error", stats.err_line);
				jsonw_int_field(ctx->jw, "errno", -ret);
			}
			jsonw_uint_field(ctx->jw, "insn_processed", stats.insn_processed);
			jsonw_end_object(ctx->jw);
		} else if (ret) {
			printf("%s reject: %s\n", rec.src, stats.err_line);
		} else {
			printf("%s accept\n", rec.src);
		}
		corpus_prog_free(&prog);
		corpus_record_free(&rec);
	}
	free(buf);
	if (ctx->json) {
		jsonw_end_array(ctx->jw);
		if (!err) {
			jsonw_uint_field(ctx->jw, "total", (uint64_t)n);
			jsonw_uint_field(ctx->jw, "accept", (uint64_t)n_accept);
			jsonw_uint_field(ctx->jw, "reject", (uint64_t)n_reject);
		} else {
			jsonw_string_field(ctx->jw, "error", log.last_error);
		}
		jsonw_end_object(ctx->jw);
	}
	if (err < 0) {
		fprintf(stderr, "bpfvm: error: %s: %s\n", path, log.last_error[0] ? log.last_error : strerror(-err));
		return EXIT_USAGE;
	}
	if (!ctx->json)
		printf("%d records: %d accept, %d reject\n", n, n_accept, n_reject);
	return EXIT_OK;
}

static const struct cmd corpus_cmds[] = {
	{ "verify", do_corpus_verify },
	{ "help", do_corpus_help },
	{ 0 },
};

int do_corpus(struct cli_ctx *ctx, int argc, char **argv)
{
	ctx->object = "corpus";
	return cmd_select(ctx, corpus_cmds, argc, argv, do_corpus_help);
}
