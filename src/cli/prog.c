/* prog.c - the `prog` object: its command table and help; each command lives in its own file */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/prog_obj.h"

static int do_prog_help(struct cli_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s prog run OBJ.o [--prog NAME] [--data FILE] [--ctx FILE] [--data-out FILE] [--ctx-out FILE]\n"
		"                   [--repeat N] [--engine interp|jit] [--checked] [--max-insns N] [--btf FILE] [-j]\n"
		"       %1$s prog show OBJ.o [--btf FILE] [-j]\n"
		"       %1$s prog verify FILE [--type TYPE] [--log-level 1|2] [-j]\n"
		"Only verified programs are safe to run; --checked runs them with every memory access bounds-checked.\n",
		ctx->argv0);
	return argc > 0 && strcmp(argv[0], "help") ? EXIT_USAGE : EXIT_OK;
}

static int do_prog_run(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 1 && !cli_is_elf(argv[0]))
		return p_err(ctx, EXIT_USAGE, "%s: not an ELF object", argv[0]);
	return prog_run_object(ctx, argc, argv);
}

static const struct cmd prog_cmds[] = {
	{ "run", do_prog_run },
	{ "show", prog_show_object },
	{ "verify", do_prog_verify },
	{ "help", do_prog_help },
	{ 0 },
};

int do_prog(struct cli_ctx *ctx, int argc, char **argv)
{
	ctx->object = "prog";
	return cmd_select(ctx, prog_cmds, argc, argv, do_prog_help);
}
