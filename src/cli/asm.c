/* asm.c - `bpfvm asm FILE [-o OUT.bin] [--syntax kernel|ubpf]`: assemble to raw bytecode, or print the result */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "cli/prog_file.h"

static int do_asm_help(struct cli_ctx *ctx)
{
	fprintf(stderr,
		"Usage: %s asm FILE [-o OUT.bin] [--syntax auto|kernel|ubpf]\n"
		"Assembles FILE (the kernel/LLVM syntax `r0 = 1`, or the conformance suite's `mov %%r0, 1`; chosen by\n"
		"content unless --syntax says) into raw 8-byte little-endian instructions. Without -o, prints them as\n"
		"the kernel's verifier log would.\n",
		ctx->argv0);
	return EXIT_OK;
}

static int write_bin(struct cli_ctx *ctx, const char *path, const struct bpf_insn *insns, size_t cnt)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return p_err(ctx, EXIT_USAGE, "%s: %s", path, strerror(errno));
	size_t w = fwrite(insns, sizeof(*insns), cnt, f);
	if (fclose(f) || w != cnt)
		return p_err(ctx, EXIT_USAGE, "%s: write failed", path);
	return EXIT_OK;
}

int do_asm(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	const char *syntax = NULL;

	ctx->object = "asm";
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			return do_asm_help(ctx);
		} else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--syntax")) && i + 1 >= argc) {
			return p_err(ctx, EXIT_USAGE, "asm: %s needs an argument", argv[i]);
		} else if (!strcmp(argv[i], "-o")) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--syntax")) {
			syntax = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return p_err(ctx, EXIT_USAGE, "asm: unknown option '%s'", argv[i]);
		} else if (in) {
			return p_err(ctx, EXIT_USAGE, "asm: one input file only ('%s')", argv[i]);
		} else {
			in = argv[i];
		}
	}
	if (!in) {
		do_asm_help(ctx);
		return EXIT_USAGE;
	}
	struct bpfvm_prog *prog;
	int code = cli_load_prog_file(ctx, in, syntax, &prog);
	if (code)
		return code;
	const struct bpf_insn *insns = bpfvm_prog__insns(prog);
	size_t cnt = bpfvm_prog__insn_cnt(prog);
	if (out) {
		code = write_bin(ctx, out, insns, cnt);
	} else {
		char text[256];
		for (size_t i = 0; i < cnt; i++) {
			if (i && insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW))
				continue;
			bpfvm_disasm_insn(&bpfvm_asm_printer, insns, cnt, i, text, sizeof(text));
			printf("%zu: %s\n", i, text);
		}
	}
	bpfvm_prog__free(prog);
	return code;
}
