/* parse.c - classic programs read from text: tcpdump -ddd ("N" then "code jt jf k" lines, or the same joined by
 * commas as iptables' bytecode option takes it) and tcpdump -dd ("{ 0x28, 0, 0, 0x0000000c },") */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf/cbpf.h"
#include "common/log_internal.h"

struct parser {
	const char *s, *end;
	size_t line;
	struct bpfvm_log *log;
	bool dd;         /* -dd form */
};

/* skip blanks and comments (but not the line ends, which matter); '#' comments run to the end of the line */
static void skip_blank(struct parser *p)
{
	while (p->s < p->end) {
		if (*p->s == ' ' || *p->s == '\t' || *p->s == '\r')
			p->s++;
		else if (*p->s == '#')
			while (p->s < p->end && *p->s != '\n')
				p->s++;
		else
			break;
	}
}

/* one unsigned number (decimal, or 0x hex), at most max */
static int number(struct parser *p, uint64_t max, uint64_t *v)
{
	skip_blank(p);
	const char *s = p->s;
	int base = 10;
	if (p->end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	uint64_t acc = 0;
	const char *start = s;
	while (s < p->end) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		acc = acc * (uint64_t)base + (uint64_t)d;
		if (acc > max) {
			bpfvm_logf(p->log, "line %zu: number out of range (max %llu)", p->line, (unsigned long long)max);
			return -EINVAL;
		}
		s++;
	}
	if (s == start) {
		bpfvm_logf(p->log, "line %zu: expected a number", p->line);
		return -EINVAL;
	}
	p->s = s;
	*v = acc;
	return 0;
}

static int expect(struct parser *p, char c)
{
	skip_blank(p);
	if (p->s >= p->end || *p->s != c) {
		bpfvm_logf(p->log, "line %zu: expected '%c'", p->line, c);
		return -EINVAL;
	}
	p->s++;
	return 0;
}

/* move past the end of a record: a newline (or a comma in the -ddd form); false at the end of the text */
static bool next_record(struct parser *p)
{
	for (;;) {
		skip_blank(p);
		if (p->s >= p->end)
			return false;
		if (*p->s == '\n') {
			p->line++;
			p->s++;
		} else if (!p->dd && *p->s == ',') {
			p->s++;
		} else {
			return true;
		}
	}
}

static int end_of_record(struct parser *p)
{
	skip_blank(p);
	if (p->s < p->end && *p->s != '\n' && (p->dd || *p->s != ',')) {
		bpfvm_logf(p->log, "line %zu: unexpected '%c'", p->line, *p->s);
		return -EINVAL;
	}
	return 0;
}

static int insn_fields(struct parser *p, struct sock_filter *f)
{
	uint64_t code, jt, jf, k;
	int err;
	if (p->dd && (err = expect(p, '{')))
		return err;
	if ((err = number(p, 0xffff, &code)) || (p->dd && (err = expect(p, ','))) ||
	    (err = number(p, 0xff, &jt)) || (p->dd && (err = expect(p, ','))) ||
	    (err = number(p, 0xff, &jf)) || (p->dd && (err = expect(p, ','))) ||
	    (err = number(p, 0xffffffffu, &k)))
		return err;
	if (p->dd) {
		if ((err = expect(p, '}')))
			return err;
		skip_blank(p);
		if (p->s < p->end && *p->s == ',')
			p->s++;
	}
	f->code = (uint16_t)code;
	f->jt = (uint8_t)jt;
	f->jf = (uint8_t)jf;
	f->k = (uint32_t)k;
	return end_of_record(p);
}

int cbpf_parse_text(const char *text, size_t text_len, struct sock_filter **out, size_t *out_len,
		    struct bpfvm_log *log)
{
	struct parser p = { .s = text, .end = text + text_len, .line = 1, .log = log };
	p.dd = memchr(text, '{', text_len) != NULL;
	struct sock_filter *prog = NULL;
	size_t n = 0, want = 0;
	int err = 0;

	if (!p.dd) {
		uint64_t cnt;
		if (!next_record(&p)) {
			bpfvm_logf(log, "line %zu: empty program text", p.line);
			return -EINVAL;
		}
		if ((err = number(&p, CBPF_MAXINSNS, &cnt)) || (err = end_of_record(&p)))
			return err;
		if (cnt == 0) {
			bpfvm_logf(log, "line %zu: instruction count is 0", p.line);
			return -EINVAL;
		}
		want = (size_t)cnt;
	}
	prog = calloc(want ? want : CBPF_MAXINSNS, sizeof(*prog));
	if (!prog) {
		bpfvm_logf(log, "out of memory");
		return -ENOMEM;
	}
	while (next_record(&p)) {
		if ((want && n == want) || n == CBPF_MAXINSNS) {
			bpfvm_logf(log, "line %zu: more instructions than %s", p.line,
				   want ? "the count on the first line" : "BPF_MAXINSNS");
			err = -EINVAL;
			break;
		}
		if ((err = insn_fields(&p, &prog[n])))
			break;
		n++;
	}
	if (!err && want && n != want) {
		bpfvm_logf(log, "line %zu: %zu instructions, the first line announced %zu", p.line, n, want);
		err = -EINVAL;
	}
	if (!err && n == 0) {
		bpfvm_logf(log, "line %zu: no instructions", p.line);
		err = -EINVAL;
	}
	if (err) {
		free(prog);
		return err;
	}
	*out = prog;
	*out_len = n;
	return 0;
}
