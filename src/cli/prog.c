/* prog.c - the `prog` object: its command table and help; each command lives in its own file */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/prog_dump.h"
#include "cli/prog_obj.h"
#include "cli/prog_raw.h"

static int do_prog_help(struct cli_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %1$s prog run FILE.s|FILE.bin [--mem HEXFILE] [--engine interp|jit] [--checked] [--jit-harden]\n"
		"                   [--repeat N] [--max-insns N] [--syntax kernel|ubpf] [-j]\n"
		"       %1$s prog run OBJ.o [--prog NAME] [--data FILE] [--ctx FILE] [--data-out FILE] [--ctx-out FILE]\n"
		"                   [--repeat N] [--engine interp|jit] [--checked] [--max-insns N] [--btf FILE] [-j]\n"
		"       %1$s prog dump FILE [--prog NAME] [--jited [--jit-harden]] [--syntax kernel|ubpf] [-j]\n"
		"       %1$s prog show OBJ.o [--btf FILE] [-j]\n"
		"       %1$s prog verify FILE [--type TYPE] [--log-level 1|2] [-j]\n"
		"\n"
		"prog run runs what it is given: assembly and bytecode are NOT verified (as in uBPF), and only programs that\n"
		"passed the verifier (`prog verify`) are safe to run. --checked runs the program in the bounds-checked\n"
		"interpreter instead: every memory access is checked and a bad one stops the run with its address.\n"
		"The engine is the JIT by default on x86-64 (BPFVM_ENGINE=interp|jit|checked sets it for scripts).\n",
		ctx->argv0);
	return argc > 0 && strcmp(argv[0], "help") ? EXIT_USAGE : EXIT_OK;
}

static int do_prog_run(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 1)
		return p_err(ctx, EXIT_USAGE, "prog run: missing FILE");
	return cli_is_elf(argv[0]) ? prog_run_object(ctx, argc, argv) : prog_run_raw(ctx, argc, argv);
}

static const struct cmd prog_cmds[] = {
	{ "run", do_prog_run },
	{ "dump", prog_dump },
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
