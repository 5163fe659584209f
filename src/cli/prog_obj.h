/* prog_obj.h - `bpfvm prog run|load OBJ.o`: ELF objects through the loader and BPF_PROG_TEST_RUN semantics */
#ifndef BPFVM_CLI_PROG_OBJ_H
#define BPFVM_CLI_PROG_OBJ_H

#include <stdbool.h>

#include "cli/cli.h"

/* true when the file starts with the ELF magic */
bool cli_is_elf(const char *path);

/*
 * `prog run OBJ.o [--prog NAME] [--data FILE] [--ctx FILE] [--data-out FILE] [--ctx-out FILE] [--repeat N]
 *  [--engine interp|jit] [--checked] [--max-insns N] [--btf FILE]`; argv[0] is OBJ.o.
 * Prints the test run's retval (the kernel's 32-bit test.retval) as the last stdout line, or with -j
 * {"retval": "0x..", "duration_ns": N, "repeat": N, "data_size_out": N}. Exit 0/1/2.
 */
int prog_run_object(struct cli_ctx *ctx, int argc, char **argv);
/* `prog show OBJ.o [--btf FILE] [-j]`: the object's programs (name, type, section, size) and maps */
int prog_show_object(struct cli_ctx *ctx, int argc, char **argv);

#endif
