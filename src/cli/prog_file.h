/* prog_file.h - a program given as a file: assembly text (.s/.asm, either syntax) or raw bytecode (.bin) */
#ifndef BPFVM_CLI_PROG_FILE_H
#define BPFVM_CLI_PROG_FILE_H

#include <stddef.h>

#include "asm/asm.h"
#include "bpfvm/bpfvm.h"
#include "cli/cli.h"

/*
 * The printer the CLI's listings use: the kernel log's format, except that LD_IMM64's pseudo sources (which the
 * kernel prints after rewriting them to addresses) read as the assembler writes them: `r1 = map_fd(3)`,
 * `map_value(3, 16)`, `btf_id(N)`, `func(N)`, `map_idx(N)`, `map_idx_value(N, OFF)`, so a listing assembles back.
 */
extern const struct bpfvm_insn_printer cli_insn_printer;

/* --syntax kernel|ubpf|auto to enum bpfvm_asm_syntax; -1 when the name is unknown */
int cli_asm_syntax(const char *name);

/*
 * Read path as instructions: raw 8-byte little-endian words when the name ends in .bin (or the content is not
 * text), else assembly in syntax. On failure prints one error line naming the file and returns EXIT_USAGE;
 * on success returns EXIT_OK with *insns (malloc'd, the caller frees) and *cnt set.
 */
int cli_load_insns(struct cli_ctx *ctx, const char *path, enum bpfvm_asm_syntax syntax, struct bpf_insn **insns,
		   size_t *cnt);

/* cli_load_insns, then bpfvm_prog__new (every instruction checked as the kernel's loader checks encodings) */
int cli_load_prog_file(struct cli_ctx *ctx, const char *path, enum bpfvm_asm_syntax syntax,
		       struct bpfvm_prog **out);

#endif
