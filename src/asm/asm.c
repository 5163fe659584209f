/* asm.c - the assembler's entry point: syntax detection, line loop, instruction buffer, labels and fixups */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm_internal.h"
#include "common/log_internal.h"

int asm_emit(struct asm_ctx *c, const struct bpf_insn *insn)
{
	if (c->cnt >= BPFVM_MAX_INSNS) {
		bpfvm_logf(c->log, "%s:%d:1: error: program has more than %d instructions", c->file ? c->file : "<input>",
			   c->line, BPFVM_MAX_INSNS);
		return -E2BIG;
	}
	if (c->cnt == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct bpf_insn *n = realloc(c->insns, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->insns = n;
		c->cap = ncap;
	}
	c->insns[c->cnt++] = *insn;
	return 0;
}

static char *tok_dup(const struct asm_tok *t)
{
	char *s = malloc((size_t)t->len + 1);
	if (s) {
		memcpy(s, t->s, (size_t)t->len);
		s[t->len] = '\0';
	}
	return s;
}

static struct asm_label *label_find(struct asm_ctx *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->nlabels; i++)
		if (strlen(c->labels[i].name) == len && !memcmp(c->labels[i].name, name, len))
			return &c->labels[i];
	return NULL;
}

int asm_label_def(struct asm_ctx *c, const struct asm_tok *t)
{
	if (label_find(c, t->s, (size_t)t->len))
		return asm_err(c, t, "label '%.*s' redefined", t->len, t->s);
	if (c->nlabels == c->cap_labels) {
		size_t ncap = c->cap_labels ? c->cap_labels * 2 : 16;
		struct asm_label *n = realloc(c->labels, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->labels = n;
		c->cap_labels = ncap;
	}
	char *name = tok_dup(t);
	if (!name)
		return -ENOMEM;
	c->labels[c->nlabels++] = (struct asm_label){ .name = name, .pc = c->cnt };
	return 0;
}

/* call before asm_emit of the referencing instruction: the fixup names the pc it will get */
int asm_label_ref(struct asm_ctx *c, const struct asm_tok *t, bool in_imm)
{
	if (c->nfixups == c->cap_fixups) {
		size_t ncap = c->cap_fixups ? c->cap_fixups * 2 : 16;
		struct asm_fixup *n = realloc(c->fixups, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->fixups = n;
		c->cap_fixups = ncap;
	}
	char *name = tok_dup(t);
	if (!name)
		return -ENOMEM;
	c->fixups[c->nfixups++] =
		(struct asm_fixup){ .pc = c->cnt, .in_imm = in_imm, .line = c->line, .col = t->col, .name = name };
	return 0;
}

int asm_check_imm32(struct asm_ctx *c, const struct asm_tok *t, bool neg, uint64_t v, int32_t *out)
{
	/* hex is a 32-bit pattern (0xffffffff = -1); decimal is signed and must fit int32 */
	if (t->ovf)
		return asm_err(c, t, "immediate '%.*s' does not fit in 32 bits", t->len, t->s);
	if (neg) {
		if (v > 0x80000000ull)
			return asm_err(c, t, "immediate '-%.*s' does not fit in 32 bits", t->len, t->s);
		*out = (int32_t)(uint32_t)(0u - (uint32_t)v);
		return 0;
	}
	if (v > (t->hex ? 0xffffffffull : 0x7fffffffull))
		return asm_err(c, t, "immediate '%.*s' does not fit in 32 bits", t->len, t->s);
	*out = (int32_t)(uint32_t)v;
	return 0;
}

int asm_check_off16(struct asm_ctx *c, const struct asm_tok *t, bool neg, uint64_t v, int16_t *out)
{
	if (t->ovf || v > (neg ? 0x8000ull : 0x7fffull))
		return asm_err(c, t, "offset '%s%.*s' does not fit in s16", neg ? "-" : "", t->len, t->s);
	*out = (int16_t)(neg ? -(int64_t)v : (int64_t)v);
	return 0;
}

int asm_parse_num(struct asm_ctx *c, const char *what, bool *neg, uint64_t *v, const struct asm_tok **nt)
{
	*neg = asm_accept(c, "-");
	if (!*neg)
		asm_accept(c, "+");
	const struct asm_tok *t = asm_peek(c);
	if (t->kind != T_NUM)
		return asm_expected(c, what);
	c->pos++;
	*v = t->num;
	*nt = t;
	return 0;
}

int asm_parse_imm32(struct asm_ctx *c, int32_t *imm)
{
	bool neg;
	uint64_t v;
	const struct asm_tok *t;
	int err = asm_parse_num(c, "immediate", &neg, &v, &t);
	return err ? err : asm_check_imm32(c, t, neg, v, imm);
}

void asm_apply_key(struct bpf_insn *insn, enum bpfvm_op op)
{
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	insn->code = oi->code;
	switch (oi->key) {
	case K_OFF: insn->off = (int16_t)oi->keyval; break;
	case K_IMM: insn->imm = oi->keyval; break;
	case K_SRC: insn->src_reg = (uint8_t)oi->keyval; break;
	default: break;
	}
}

static int resolve(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nfixups; i++) {
		struct asm_fixup *f = &c->fixups[i];
		struct asm_label *l = label_find(c, f->name, strlen(f->name));
		long target;
		struct asm_tok t = { .kind = T_WORD, .col = f->col, .s = f->name, .len = (int)strlen(f->name) };

		c->line = f->line;
		if (l)
			target = (long)l->pc;
		else if (!strcmp(f->name, "exit") && c->first_exit >= 0 && c->comment[0] == '#')
			target = c->first_exit; /* uBPF: `exit` names the first exit instruction */
		else
			return asm_err(c, &t, "undefined label '%s'", f->name);
		long rel = target - (long)f->pc - 1;
		if (f->in_imm) {
			c->insns[f->pc].imm = (int32_t)rel;
		} else {
			if (rel < INT16_MIN || rel > INT16_MAX)
				return asm_err(c, &t, "jump to '%s' does not fit in s16 offset (%ld)", f->name, rel);
			c->insns[f->pc].off = (int16_t)rel;
		}
	}
	return 0;
}

static void ctx_free(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nlabels; i++)
		free(c->labels[i].name);
	for (size_t i = 0; i < c->nfixups; i++)
		free(c->fixups[i].name);
	free(c->labels);
	free(c->fixups);
}

/* the conformance syntax writes registers as %rN; the kernel syntax never has a '%' before a word */
bool asm_ubpf_looks_like(const char *text, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '%' && text[i + 1] == 'r')
			return true;
	/* no register at all ("exit", "ja +0"): look at the first mnemonic of a line */
	const char *p = text, *end = text + len;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		const char *w = p;
		while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			p++;
		size_t n = (size_t)(p - w);
		if ((n == 2 && !memcmp(w, "ja", 2)) || (n == 4 && !memcmp(w, "ja32", 4)) ||
		    (n == 4 && !memcmp(w, "lddw", 4)))
			return true;
		while (p < end && *p != '\n')
			p++;
	}
	return false;
}

int bpfvm_asm(const char *text, size_t len, const char *filename, enum bpfvm_asm_syntax syntax,
	      struct bpf_insn **insns, size_t *cnt, struct bpfvm_log *log)
{
	struct asm_ctx c = { .file = filename, .log = log, .first_exit = -1 };
	int err = 0;

	*insns = NULL;
	*cnt = 0;
	if (!text && len)
		return -EINVAL;
	if (syntax == BPFVM_ASM_AUTO)
		syntax = asm_ubpf_looks_like(text, len) ? BPFVM_ASM_UBPF : BPFVM_ASM_KERNEL;
	c.comment = syntax == BPFVM_ASM_UBPF ? "#;" : ";"; /* and `//` in both */

	const char *p = text, *end = text + len;
	while (p < end && !err) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		c.line++;
		err = asm_lex_line(&c, p, (size_t)(le - p));
		if (!err && c.ntok)
			err = syntax == BPFVM_ASM_UBPF ? asm_ubpf_line(&c) : asm_kernel_line(&c);
		p = nl ? nl + 1 : end;
	}
	if (!err)
		err = resolve(&c);
	ctx_free(&c);
	if (err) {
		free(c.insns);
		return err;
	}
	if (!c.cnt) {
		free(c.insns);
		bpfvm_logf(log, "%s:%d:1: error: expected an instruction, got end of input", filename ? filename : "<input>",
			   c.line ? c.line : 1);
		return -EINVAL;
	}
	*insns = c.insns;
	*cnt = c.cnt;
	return 0;
}
