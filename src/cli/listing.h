/* listing.h - how the CLI lists instructions: the kernel log's format, pseudo LD_IMM64 sources by name */
#ifndef BPFVM_CLI_LISTING_H
#define BPFVM_CLI_LISTING_H

#include "asm/asm.h"

/*
 * The kernel log's format, except that LD_IMM64's pseudo sources (which the kernel prints after rewriting them
 * to addresses) read as the assembler writes them: `r1 = map_fd(3)`, `map_value(3, 16)`, `btf_id(N)`, `func(N)`,
 * `map_idx(N)`, `map_idx_value(N, OFF)`, so that a listing assembles back to the same bytes.
 */
extern const struct bpfvm_insn_printer cli_insn_printer;

#endif
