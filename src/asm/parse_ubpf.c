/* parse_ubpf.c - the bpf_conformance/uBPF syntax: `mov32 %r0, 1`, `ldxw %r1, [%r2+4]`, `jeq %r1, 0, label` */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "asm/asm_internal.h"

/* mnemonics of the conformance syntax that opcodes.def does not spell (another name for a row's umnem) */
static const struct {
	const char *alias, *umnem;
} aliases[] = {
	{ "swap16", "bswap16" }, { "swap32", "bswap32" }, { "swap64", "bswap64" }, { "add64", "add" },
	{ "sub64", "sub" }, { "mul64", "mul" }, { "div64", "div" }, { "or64", "or" }, { "and64", "and" },
	{ "lsh64", "lsh" }, { "rsh64", "rsh" }, { "neg64", "neg" }, { "mod64", "mod" }, { "xor64", "xor" },
	{ "mov64", "mov" }, { "arsh64", "arsh" }, { "sdiv64", "sdiv" }, { "smod64", "smod" }, { "jmp", "ja" },
};

static int parse_reg(struct asm_ctx *c, uint8_t *reg)
{
	const struct asm_tok *pct = asm_peek(c);
	if (!asm_is(pct, "%"))
		return asm_expected(c, "register");
	c->pos++;
	const struct asm_tok *t = asm_peek(c);
	unsigned n = 0;
	if (t->kind != T_WORD || t->space_before || t->len < 2 || t->len > 3 || t->s[0] != 'r' ||
	    sscanf(t->s + 1, "%u", &n) != 1 || (t->len == 3 && t->s[1] == '0') ||
	    (t->len == 3 && (t->s[2] < '0' || t->s[2] > '9')) || t->s[1] < '0' || t->s[1] > '9') {
		c->pos--;
		return asm_expected(c, "register");
	}
	if (n > 10)
		return asm_err(c, pct, "invalid register '%%%.*s'", t->len, t->s);
	c->pos++;
	*reg = (uint8_t)n;
	return 0;
}

static void skip_comma(struct asm_ctx *c)
{
	asm_accept(c, ",");
}

static int parse_imm64(struct asm_ctx *c, uint64_t *imm)
{
	bool neg;
	uint64_t v;
	const struct asm_tok *t;
	int err = asm_parse_num(c, "immediate", &neg, &v, &t);
	if (err)
		return err;
	if (t->ovf || (neg && v > 0x8000000000000000ull))
		return asm_err(c, t, "immediate '%s%.*s' does not fit in 64 bits", neg ? "-" : "", t->len, t->s);
	*imm = neg ? 0 - v : v;
	return 0;
}

/* [%rN], [%rN+OFF], [%rN-OFF] */
static int parse_mem(struct asm_ctx *c, uint8_t *reg, int16_t *off)
{
	int err = asm_expect(c, "[");
	if (!err)
		err = parse_reg(c, reg);
	if (err)
		return err;
	*off = 0;
	if (asm_is(asm_peek(c), "+") || asm_is(asm_peek(c), "-")) {
		bool neg;
		uint64_t v;
		const struct asm_tok *t;
		err = asm_parse_num(c, "offset", &neg, &v, &t);
		if (!err)
			err = asm_check_off16(c, t, neg, v, off);
		if (err)
			return err;
	}
	return asm_expect(c, "]");
}

/* a label, or +N/-N relative to the next instruction; into off, or imm for ja32 and call local */
static int parse_target(struct asm_ctx *c, struct bpf_insn *insn, bool in_imm)
{
	const struct asm_tok *t = asm_peek(c);
	if (t->kind == T_WORD) {
		c->pos++;
		return asm_label_ref(c, t, in_imm);
	}
	if (!asm_is(t, "+") && !asm_is(t, "-") && t->kind != T_NUM)
		return asm_expected(c, "jump target");
	if (in_imm)
		return asm_parse_imm32(c, &insn->imm);
	bool neg;
	uint64_t v;
	const struct asm_tok *nt;
	int err = asm_parse_num(c, "jump target", &neg, &v, &nt);
	return err ? err : asm_check_off16(c, nt, neg, v, &insn->off);
}

/* the mnemonic, possibly several words ("lock fetch add32", "call local") */
static int read_mnemonic(struct asm_ctx *c, char *buf, size_t size, const struct asm_tok **first)
{
	const struct asm_tok *t = asm_peek(c);
	*first = t;
	if (t->kind != T_WORD)
		return asm_expected(c, "instruction mnemonic");
	c->pos++;
	snprintf(buf, size, "%.*s", t->len, t->s);
	if (!strcmp(buf, "lock")) {
		for (int i = 0; i < 2 && asm_peek(c)->kind == T_WORD; i++) {
			t = asm_next(c);
			size_t n = strlen(buf);
			snprintf(buf + n, size - n, " %.*s", t->len, t->s);
			if (strcmp(buf, "lock fetch"))
				break;
		}
	} else if (!strcmp(buf, "call")) {
		if (asm_accept(c, "local"))
			snprintf(buf, size, "call local");
		else if (asm_accept(c, "helper"))
			;
		else if (asm_is(asm_peek(c), "%"))
			snprintf(buf, size, "callx");
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(buf, aliases[i].alias))
			snprintf(buf, size, "%s", aliases[i].umnem);
	return 0;
}

/* the row with this mnemonic; with_src picks the register-source form where there are two */
static enum bpfvm_op find_row(const char *mnem, int with_src)
{
	enum bpfvm_op found = BPFVM_OP_INVALID;
	for (int op = 0; op < BPFVM_OP__COUNT; op++) {
		const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
		if (!oi->umnem[0] || strcmp(oi->umnem, mnem))
			continue;
		if (with_src >= 0 && (oi->fmt == FMT_ALU || oi->fmt == FMT_MOV || oi->fmt == FMT_JCOND) &&
		    !!(oi->fields & F_SRC) != with_src)
			continue;
		if (found == BPFVM_OP_INVALID)
			found = (enum bpfvm_op)op;
	}
	return found;
}

int asm_ubpf_line(struct asm_ctx *c)
{
	struct bpf_insn insn[2] = { 0 };
	char mnem[64];
	const struct asm_tok *first;
	uint8_t dst = 0, src = 0;
	int err;

	/* label: alone on its line (or before an instruction) */
	if (c->ntok >= 2 && c->toks[0].kind == T_WORD && asm_is(&c->toks[1], ":")) {
		err = asm_label_def(c, &c->toks[0]);
		if (err)
			return err;
		c->pos = 2;
		if (asm_peek(c)->kind == T_END)
			return 0;
	}
	err = read_mnemonic(c, mnem, sizeof(mnem), &first);
	if (err)
		return err;
	enum bpfvm_op op = find_row(mnem, -1);
	if (op == BPFVM_OP_INVALID)
		return asm_err(c, first, "expected instruction mnemonic, got '%s'", mnem);
	int slots = 1;
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	switch (oi->fmt) {
	case FMT_ALU:
	case FMT_MOV:
		err = parse_reg(c, &dst);
		if (err)
			return err;
		skip_comma(c);
		op = find_row(mnem, asm_is(asm_peek(c), "%"));
		if (op == BPFVM_OP_INVALID)
			return asm_expected(c, "immediate");
		if (bpfvm_opinfo[op].fields & F_SRC)
			err = parse_reg(c, &src);
		else
			err = asm_parse_imm32(c, &insn->imm);
		break;
	case FMT_NEG:
	case FMT_END:
	case FMT_CALLX:
		err = parse_reg(c, &dst);
		break;
	case FMT_MOVSX:
		err = parse_reg(c, &dst);
		skip_comma(c);
		if (!err)
			err = parse_reg(c, &src);
		break;
	case FMT_JCOND:
		err = parse_reg(c, &dst);
		if (err)
			return err;
		skip_comma(c);
		op = find_row(mnem, asm_is(asm_peek(c), "%"));
		if (op == BPFVM_OP_INVALID)
			return asm_expected(c, "register or immediate");
		if (bpfvm_opinfo[op].fields & F_SRC)
			err = parse_reg(c, &src);
		else
			err = asm_parse_imm32(c, &insn->imm);
		skip_comma(c);
		if (!err)
			err = parse_target(c, insn, false);
		break;
	case FMT_JA:
		err = parse_target(c, insn, !(oi->fields & F_OFF));
		break;
	case FMT_CALL:
		if (op == BPFVM_OP_CALL_LOCAL)
			err = parse_target(c, insn, true);
		else
			err = asm_parse_imm32(c, &insn->imm);
		break;
	case FMT_EXIT:
		if (c->first_exit < 0)
			c->first_exit = (long)c->cnt;
		break;
	case FMT_LDIMM64: {
		uint64_t v = 0;
		err = parse_reg(c, &dst);
		skip_comma(c);
		if (!err)
			err = parse_imm64(c, &v);
		insn[0].imm = (int32_t)(uint32_t)v;
		insn[1].imm = (int32_t)(uint32_t)(v >> 32);
		slots = 2;
		break;
	}
	case FMT_LDABS:
		err = asm_parse_imm32(c, &insn->imm);
		break;
	case FMT_LDIND:
		err = parse_reg(c, &src);
		skip_comma(c);
		if (!err)
			err = asm_parse_imm32(c, &insn->imm);
		break;
	case FMT_LDX:
		err = parse_reg(c, &dst);
		skip_comma(c);
		if (!err)
			err = parse_mem(c, &src, &insn->off);
		break;
	case FMT_ST:
		err = parse_mem(c, &dst, &insn->off);
		skip_comma(c);
		if (!err)
			err = asm_parse_imm32(c, &insn->imm);
		break;
	case FMT_STX:
	case FMT_ATOMIC:
		err = parse_mem(c, &dst, &insn->off);
		skip_comma(c);
		if (!err)
			err = parse_reg(c, &src);
		break;
	default:
		return asm_err(c, first, "expected instruction mnemonic, got '%s'", mnem);
	}
	if (!err)
		err = asm_expect_end(c);
	if (err)
		return err;
	insn->dst_reg = dst;
	insn->src_reg = src;
	asm_apply_key(insn, op);
	for (int i = 0; i < slots && !err; i++)
		err = asm_emit(c, &insn[i]);
	return err;
}
