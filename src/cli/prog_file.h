/* prog_file.h - loading a program given as assembly text (.s/.asm) or raw bytecode (.bin) for the CLI */
#ifndef BPFVM_CLI_PROG_FILE_H
#define BPFVM_CLI_PROG_FILE_H

#include "bpfvm/bpfvm.h"
#include "cli/cli.h"

/*
 * Read path and make a program of it. .s/.asm are assembled with bpfvm_asm(), .bin is raw 8-byte little-endian
 * instructions; any other name is decided by content (text is assembly, anything else bytecode).
 * syntax: NULL or "auto", "kernel", "ubpf" (alias "conformance"), "raw" (force bytecode).
 * The instructions are checked (bpfvm_insns_check) and the error names the instruction index.
 * Returns EXIT_OK with *out set, or EXIT_USAGE after printing exactly one `bpfvm: error: FILE: ...` line.
 */
int cli_load_prog_file(struct cli_ctx *ctx, const char *path, const char *syntax, struct bpfvm_prog **out);

/* The same, stopping before bpfvm_prog__new: *insns is malloc'd (caller frees), with *cnt instructions. */
int cli_load_insns_file(struct cli_ctx *ctx, const char *path, const char *syntax, struct bpf_insn **insns,
			size_t *cnt);

#endif
