/* prog_dump.h - `bpfvm prog dump FILE [--prog NAME] [--jited [--jit-harden]] [--syntax S] [-j]` */
#ifndef BPFVM_CLI_PROG_DUMP_H
#define BPFVM_CLI_PROG_DUMP_H

#include "cli/cli.h"

/*
 * FILE is assembly, raw bytecode or an ELF object (every program, or --prog NAME; source lines from line_info
 * above their instructions as `; text @ file:N`). Lines are `N: (b7) r0 = 0`, the kernel verifier log's form.
 * --jited prints the JIT's x86-64 code under each instruction (Capstone). With -j an array of
 * {"insn": N, "text": ".."} (objects: {"name", "section", "insns"|"jited"} per program).
 */
int prog_dump(struct cli_ctx *ctx, int argc, char **argv);

#endif
