/* lex.c - the assembler's tokenizer (words, numbers, operators) with line:column tracking and error lines */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "asm/asm_internal.h"
#include "common/log_internal.h"

/* operators, longest first so the scan is greedy */
static const char *const puncts[] = {
	"s>>=", "<<=", ">>=", "s<=", "s>=", "s/=", "s%=", "s<", "s>", "+=", "-=", "*=", "/=", "%=", "|=", "&=",
	"^=", "==", "!=", "<=", ">=", "<", ">", "=", "(", ")", "[", "]", "*", "+", "-", ",", ":", "&", "%", "#",
	"/", "|", "^", "!", ".", "@", "{", "}", ";",
};

static bool is_word_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.' || ch == '$';
}

static bool is_word_char(char ch)
{
	return is_word_start(ch) || (ch >= '0' && ch <= '9');
}

/* "s<", "s>>=", "s/=" ...: a signed operator, not a word starting with s */
static bool s_operator(const char *p, size_t n)
{
	return n >= 2 && (p[1] == '<' || p[1] == '>' || ((p[1] == '/' || p[1] == '%') && n >= 3 && p[2] == '='));
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static size_t lex_number(struct asm_tok *t, const char *p, size_t n)
{
	size_t i = 0;
	uint64_t v = 0;
	int base = 10;

	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
		t->hex = true;
	}
	size_t digits_at = i;
	for (; i < n; i++) {
		int d = hexval(p[i]);
		if (d < 0 || d >= base)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			t->ovf = true;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	/* a number runs into no word characters: "0x" alone or "12ab" is one bad token */
	bool bad = (i == digits_at);
	while (i < n && is_word_char(p[i])) {
		i++;
		bad = true;
	}
	t->kind = bad ? T_WORD : T_NUM;
	t->num = v;
	return i;
}

int asm_lex_line(struct asm_ctx *c, const char *line, size_t len)
{
	size_t i = 0;
	bool space = true;

	c->ntok = 0;
	c->pos = 0;
	while (i < len) {
		char ch = line[i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
			i++;
			space = true;
			continue;
		}
		if (strchr(c->comment, ch) || (ch == '/' && i + 1 < len && line[i + 1] == '/'))
			break;
		if (c->ntok >= ASM_MAX_TOKS) {
			struct asm_tok t = { .kind = T_WORD, .col = (int)i + 1, .s = line + i, .len = 1 };
			return asm_err(c, &t, "line has too many tokens");
		}
		struct asm_tok *t = &c->toks[c->ntok++];
		memset(t, 0, sizeof(*t));
		t->s = line + i;
		t->col = (int)i + 1;
		t->space_before = space;
		space = false;
		if (ch >= '0' && ch <= '9') {
			t->len = (int)lex_number(t, line + i, len - i);
		} else if (is_word_start(ch) && !(ch == 's' && s_operator(line + i, len - i))) {
			size_t j = i;
			while (j < len && is_word_char(line[j]))
				j++;
			t->kind = T_WORD;
			t->len = (int)(j - i);
		} else {
			t->kind = T_PUNCT;
			t->len = 0;
			for (size_t k = 0; k < sizeof(puncts) / sizeof(puncts[0]); k++) {
				size_t pl = strlen(puncts[k]);
				if (pl <= len - i && !memcmp(line + i, puncts[k], pl)) {
					t->len = (int)pl;
					break;
				}
			}
			if (!t->len) {
				/* one unknown character (a whole UTF-8 sequence would be nicer; one byte is enough) */
				t->kind = T_WORD;
				t->len = 1;
			}
		}
		i += (size_t)t->len;
	}
	struct asm_tok *e = &c->toks[c->ntok];
	memset(e, 0, sizeof(*e));
	e->kind = T_END;
	e->s = line + i;
	e->col = (int)i + 1;
	e->space_before = true;
	return 0;
}

const struct asm_tok *asm_peek(struct asm_ctx *c)
{
	return &c->toks[c->pos];
}

const struct asm_tok *asm_next(struct asm_ctx *c)
{
	const struct asm_tok *t = &c->toks[c->pos];
	if (t->kind != T_END)
		c->pos++;
	return t;
}

bool asm_is(const struct asm_tok *t, const char *s)
{
	return t->kind != T_END && (size_t)t->len == strlen(s) && !memcmp(t->s, s, (size_t)t->len);
}

bool asm_accept(struct asm_ctx *c, const char *s)
{
	if (!asm_is(asm_peek(c), s))
		return false;
	c->pos++;
	return true;
}

int asm_err(struct asm_ctx *c, const struct asm_tok *t, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bpfvm_logf(c->log, "%s:%d:%d: error: %s", c->file ? c->file : "<input>", c->line, t ? t->col : 1, msg);
	return -EINVAL;
}

int asm_expected(struct asm_ctx *c, const char *what)
{
	const struct asm_tok *t = asm_peek(c);
	if (t->kind == T_END)
		return asm_err(c, t, "expected %s, got end of line", what);
	return asm_err(c, t, "expected %s, got '%.*s'", what, t->len > 40 ? 40 : t->len, t->s);
}

int asm_expect(struct asm_ctx *c, const char *s)
{
	char what[32];
	if (asm_accept(c, s))
		return 0;
	snprintf(what, sizeof(what), "'%s'", s);
	return asm_expected(c, what);
}

int asm_expect_end(struct asm_ctx *c)
{
	if (asm_peek(c)->kind == T_END)
		return 0;
	return asm_expected(c, "end of line");
}
