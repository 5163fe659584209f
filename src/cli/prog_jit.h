/* prog_jit.h - the JIT's share of `bpfvm prog`: `dump --jited` and the JIT options of `run` */
#ifndef BPFVM_CLI_PROG_JIT_H
#define BPFVM_CLI_PROG_JIT_H

#include <stdbool.h>

#include "cli/cli.h"
#include "jit/jit.h"

/*
 * `bpfvm prog dump FILE --jited [--jit-harden]`: the program's x86-64 code, each block under its BPF instruction
 * (text from insn_text, the disassembler's; NULL prints the raw fields); with -j an array of
 * {"insn": N, "x86": [{"addr": A, "bytes": "..", "asm": ".."}]} (insn -1: the shared exit paths).
 * Returns an exit code (EXIT_REJECTED when the JIT refuses the program, with its reason).
 */
int prog_dump_jited(struct cli_ctx *ctx, const char *path, struct bpfvm_prog *prog, bool harden,
		    bpfvm_insn_text_fn insn_text, void *text_arg);

#endif
