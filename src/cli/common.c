/* common.c - command dispatch and error reporting shared by every CLI object */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_select(struct cli_ctx *ctx, const struct cmd *cmds, int argc, char **argv,
	       int (*help)(struct cli_ctx *ctx, int argc, char **argv))
{
	if (argc < 1)
		return help(ctx, argc, argv) == EXIT_OK ? EXIT_USAGE : EXIT_USAGE;
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))
		return help(ctx, argc, argv);
	for (const struct cmd *c = cmds; c->cmd; c++)
		if (!strcmp(argv[0], c->cmd))
			return c->func(ctx, argc - 1, argv + 1);
	p_err(ctx, EXIT_USAGE, "unknown command '%s'%s%s", argv[0], ctx->object ? " for " : "",
	      ctx->object ? ctx->object : "");
	help(ctx, 0, NULL);
	return EXIT_USAGE;
}

int p_err(struct cli_ctx *ctx, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "bpfvm: error: %s\n", msg);
	if (ctx && ctx->json && ctx->jw) {
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "error", msg);
		jsonw_end_object(ctx->jw);
	}
	return code;
}
