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
		"Usage: %1$s prog run OBJ.o [--prog NAME] [--data FILE] [--ctx FILE] [--data-out FILE] [--ctx-out FILE]\n"
		"                   [--repeat N] [--engine interp|jit] [--checked] [--max-insns N] [--btf FILE] [--dump-maps]\n"
		"                   [--pin-maps DIR] [--hist MAP] [-j]\n"
		"       %1$s prog run FILE.s|FILE.asm|FILE.bin [--mem HEXFILE] [--engine interp|jit] [--checked]\n"
		"                   [--jit-harden] [--repeat N] [--max-insns N] [--syntax auto|kernel|ubpf|raw] [-j]\n"
		"           (r1 = a copy of the --mem bytes, r2 = their length; the last line is r0 in hex;\n"
		"            BPFVM_ENGINE=interp|jit|checked picks the engine when no option does)\n"
		"       %1$s prog dump FILE [--prog NAME] [--jited [--jit-harden]] [--syntax auto|kernel|ubpf|raw] [-j]\n"
		"       %1$s prog show OBJ.o [--btf FILE] [-j]\n"
		"       %1$s prog verify FILE [--type TYPE] [--log-level 1|2] [-j]\n"
		"Only programs that passed the verifier are safe to run: assembly and bytecode run with --mem are NOT\n"
		"verified and run as given (as in uBPF). --checked runs them in the interpreter with every memory access\n"
		"bounds-checked against the stack and the --mem buffer.\n",
		ctx->argv0);
	return argc > 0 && strcmp(argv[0], "help") ? EXIT_USAGE : EXIT_OK;
}

static int do_prog_run(struct cli_ctx *ctx, int argc, char **argv)
{
	/* by content: ELF objects go to the loader, anything else is assembly text or raw bytecode */
	if (argc >= 1 && cli_is_elf(argv[0]))
		return prog_run_object(ctx, argc, argv);
	return prog_run_raw(ctx, argc, argv);
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
