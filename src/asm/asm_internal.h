/* asm_internal.h - the assembler's shared state: tokens of one line, emitted instructions, labels, fixups */
#ifndef BPFVM_ASM_INTERNAL_H
#define BPFVM_ASM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asm/asm.h"
#include "isa/opcodes.h"

enum asm_tok_kind { T_END, T_WORD, T_NUM, T_PUNCT };

struct asm_tok {
	uint8_t kind;
	bool ovf;        /* T_NUM: the value does not fit 64 bits */
	bool hex;        /* T_NUM: written 0x... */
	bool space_before;
	int col;         /* 1-based column */
	int len;
	const char *s;
	uint64_t num;    /* T_NUM */
};

#define ASM_MAX_TOKS 64

/* a reference to a label, resolved once every label is known */
struct asm_fixup {
	size_t pc;        /* the referencing instruction */
	bool in_imm;      /* the target goes to imm (ja32, call local) rather than off */
	int line, col;
	char *name;
};

struct asm_label {
	char *name;
	size_t pc;
};

struct asm_ctx {
	const char *file;
	struct bpfvm_log *log;
	int line;
	const char *comment;          /* characters starting a comment on this syntax */
	struct asm_tok toks[ASM_MAX_TOKS + 1];
	int ntok, pos;
	struct bpf_insn *insns;
	size_t cnt, cap;
	struct asm_label *labels;
	size_t nlabels, cap_labels;
	struct asm_fixup *fixups;
	size_t nfixups, cap_fixups;
	long first_exit;              /* pc of the first exit, -1 if none (the uBPF implicit `exit` label) */
};

/* lex.c */
int asm_lex_line(struct asm_ctx *c, const char *line, size_t len);
const struct asm_tok *asm_peek(struct asm_ctx *c);
const struct asm_tok *asm_next(struct asm_ctx *c);
bool asm_is(const struct asm_tok *t, const char *s);
bool asm_accept(struct asm_ctx *c, const char *s);
int asm_err(struct asm_ctx *c, const struct asm_tok *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int asm_expected(struct asm_ctx *c, const char *what);
int asm_expect(struct asm_ctx *c, const char *s);
int asm_expect_end(struct asm_ctx *c);

/* asm.c */
int asm_emit(struct asm_ctx *c, const struct bpf_insn *insn);
int asm_label_def(struct asm_ctx *c, const struct asm_tok *t);
int asm_label_ref(struct asm_ctx *c, const struct asm_tok *t, bool in_imm);
int asm_check_imm32(struct asm_ctx *c, const struct asm_tok *t, bool neg, uint64_t v, int32_t *out);
int asm_check_off16(struct asm_ctx *c, const struct asm_tok *t, bool neg, uint64_t v, int16_t *out);
void asm_apply_key(struct bpf_insn *insn, enum bpfvm_op op);
/* [-+]NUM: *neg tells the sign, *nt is the number token (for range messages); expected `what` otherwise */
int asm_parse_num(struct asm_ctx *c, const char *what, bool *neg, uint64_t *v, const struct asm_tok **nt);
/* [-+]NUM that fits an imm (hex as a 32-bit pattern, decimal signed) */
int asm_parse_imm32(struct asm_ctx *c, int32_t *imm);

/* parse_ubpf.c, parse_kernel.c: one line each (already lexed into c) */
int asm_ubpf_line(struct asm_ctx *c);
int asm_kernel_line(struct asm_ctx *c);
bool asm_ubpf_looks_like(const char *text, size_t len);

#endif
