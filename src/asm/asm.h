/* asm.h - text to instructions (two syntaxes) and instructions to text (the kernel verifier log's format) */
#ifndef BPFVM_ASM_H
#define BPFVM_ASM_H

#include <stdbool.h>
#include <stddef.h>

#include "bpfvm/insn.h"
#include "bpfvm/log.h"

enum bpfvm_asm_syntax {
	BPFVM_ASM_AUTO = 0, /* decided from the text: `%r` registers or uBPF mnemonics mean the conformance syntax */
	BPFVM_ASM_KERNEL,   /* `r0 = 1`, `if r1 > 0x2 goto +3`, as the verifier log and llvm-objdump print */
	BPFVM_ASM_UBPF,     /* `mov32 %r0, 1`, the bpf_conformance suite's syntax */
};

/*
 * Assemble text (len bytes, need not be NUL-terminated). On success *insns is a malloc'd array of *cnt
 * instructions (the caller frees it) and 0 is returned. On error returns -EINVAL (or -ENOMEM, -E2BIG) with one
 * line in log: "FILE:LINE:COL: error: expected ..., got ..." (filename may be NULL: "<input>").
 */
int bpfvm_asm(const char *text, size_t len, const char *filename, enum bpfvm_asm_syntax syntax,
	      struct bpf_insn **insns, size_t *cnt, struct bpfvm_log *log);

/*
 * Format instruction insns[idx] exactly as the Linux 6.18 verifier log prints it after "N: ", e.g.
 * "(b7) r0 = 0", "(18) r1 = 0x123456789" (LD_IMM64 reads insns[idx+1]), "(85) call bpf_map_lookup_elem#1".
 * Writes at most size bytes (NUL-terminated) into buf; returns the length it needed (snprintf-style).
 * call_name, if set, names helper calls and pseudo references the way the verifier does (it may return NULL
 * for the default "unknown#N" style naming); the printer-callback form is struct bpfvm_insn_printer.
 */
struct bpfvm_insn_printer {
	/* a name for a call's target; NULL return means the default */
	const char *(*call_name)(void *arg, const struct bpf_insn *insn, char *buf, size_t size);
	/* text for an LD_IMM64's immediate (map references); NULL return means the default */
	const char *(*imm_name)(void *arg, const struct bpf_insn *insn, uint64_t full_imm, char *buf, size_t size);
	void *arg;
};
int bpfvm_disasm_insn(const struct bpfvm_insn_printer *printer, const struct bpf_insn *insns, size_t cnt,
		      size_t idx, char *buf, size_t size);

/*
 * A printer for listings that must assemble back: the kernel log's format, except that LD_IMM64's pseudo sources
 * (which the kernel prints after rewriting them to addresses) read as the assembler writes them:
 * `r1 = map_fd(3)`, `map_value(3, 16)`, `btf_id(N)`, `func(N)`, `map_idx(N)`, `map_idx_value(N, OFF)`.
 */
extern const struct bpfvm_insn_printer bpfvm_asm_printer;

#endif
