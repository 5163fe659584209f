/* main.c - `bpfvm [OPTIONS] OBJECT COMMAND [ARGS]`: global options and the table of objects */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "cli/cli.h"
#include "cli/prog_obj.h"

static int do_help(struct cli_ctx *ctx, int argc, char **argv);

static int do_version(struct cli_ctx *ctx, int argc, char **argv)
{
	if (ctx->json) {
		jsonw_start_object(ctx->jw);
		jsonw_string_field(ctx->jw, "version", BPFVM_VERSION);
		jsonw_end_object(ctx->jw);
	} else {
		printf("bpfvm %s\n", BPFVM_VERSION);
	}
	return EXIT_OK;
}

static const struct cmd objects[] = {
	{ "version", do_version },
	{ "asm", do_asm },
	{ "cbpf", do_cbpf },
	{ "corpus", do_corpus },
	{ "prog", do_prog },
	{ "map", do_map },
	{ "help", do_help },
	{ 0 },
};

static int do_help(struct cli_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n"
		"       %s version\n"
		"       OBJECT := { version | prog | map | asm | corpus | cbpf }\n"
		"       OPTIONS := { -j|--json [-p|--pretty] }\n"
		"Run `%s OBJECT help` for an object's commands.\n",
		ctx->argv0, ctx->argv0, ctx->argv0);
	return argc > 0 && strcmp(argv[0], "help") ? EXIT_USAGE : EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = { .argv0 = "bpfvm" };
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			ctx.json = true;
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			ctx.json = ctx.pretty = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return do_help(&ctx, 0, NULL), EXIT_OK;
		else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version"))
			return do_version(&ctx, 0, NULL);
		else
			break; /* an object's own option; objects also accept -j after the command */
	}
	if (ctx.json)
		ctx.jw = jsonw_new(stdout, ctx.pretty);
	int rc = cmd_select(&ctx, objects, argc - i, argv + i, do_help);
	if (ctx.jw)
		jsonw_destroy(&ctx.jw);
	return rc;
}
