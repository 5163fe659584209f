/* prog_raw.h - `bpfvm prog run` for programs given as assembly or raw bytecode (the conformance convention) */
#ifndef BPFVM_CLI_PROG_RAW_H
#define BPFVM_CLI_PROG_RAW_H

#include "cli/cli.h"

/*
 * `prog run FILE [--mem HEXFILE] [--engine interp|jit] [--checked] [--jit-harden] [--repeat N] [--max-insns N]
 * [--syntax kernel|ubpf] [-j]`; argv[0] is FILE. The environment variable BPFVM_ENGINE (interp, jit, checked)
 * sets the engine when no option does. Last stdout line: r0 as 0x%lx, or with -j
 * {"retval": "0x..", "duration_ns": N, "repeat": N}. Exit 0, 1 (run-time failure), 2 (unusable input).
 */
int prog_run_raw(struct cli_ctx *ctx, int argc, char **argv);

#endif
