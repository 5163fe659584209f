/* prog_raw.h - `bpfvm prog run FILE` for assembly text and raw bytecode (the conformance suite's convention) */
#ifndef BPFVM_CLI_PROG_RAW_H
#define BPFVM_CLI_PROG_RAW_H

#include "cli/cli.h"

/*
 * `prog run FILE [--mem HEXFILE] [--engine interp|jit] [--checked] [--jit-harden] [--repeat N] [--max-insns N]
 *  [--syntax auto|kernel|ubpf|raw] [-j]`; FILE is .s/.asm text or .bin bytecode. r1 = a copy of the --mem bytes,
 * r2 = their length. Last stdout line: r0 as 0x%llx, or with -j {"retval": "0x..", "duration_ns": N, "repeat": N}.
 * BPFVM_ENGINE=interp|jit|checked in the environment picks the engine when no option does. Exit 0/1/2.
 */
int prog_run_raw(struct cli_ctx *ctx, int argc, char **argv);

#endif
