/* parse_kernel.c - the kernel/LLVM syntax (`r0 = 1`, `if r1 > 0x2 goto +3`), as the verifier log prints it */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "asm/asm_internal.h"
#include "helpers/helpers.h"

/*
 * One line is: [N:] [(xx)] [label:] statement [<annotation>]. `N:` is the verifier log's (or llvm-objdump's)
 * instruction index and is ignored; `(xx)` is the log's opcode byte and, when present, must match the statement
 * (it also tells an LD_IMM64 printed without `ll` from a move). Statements are the forms bpfvm_disasm_insn prints,
 * plus LLVM's spellings (`goto +3`, `r1 = 0x123 ll`, `call name`, `callx r2`, `(r10 - 4)`).
 */

struct reg {
	uint8_t n;
	bool w; /* written wN: the 32-bit view */
};

/* operator text -> BPF_OP for ALU statements */
static const struct {
	const char *text;
	uint8_t op;
	int16_t off; /* sdiv/smod: off 1 */
} alu_ops[] = {
	{ "+=", BPF_ADD, 0 }, { "-=", BPF_SUB, 0 }, { "*=", BPF_MUL, 0 }, { "/=", BPF_DIV, 0 }, { "|=", BPF_OR, 0 },
	{ "&=", BPF_AND, 0 }, { "<<=", BPF_LSH, 0 }, { ">>=", BPF_RSH, 0 }, { "%=", BPF_MOD, 0 }, { "^=", BPF_XOR, 0 },
	{ "s>>=", BPF_ARSH, 0 }, { "s/=", BPF_DIV, 1 }, { "s%=", BPF_MOD, 1 },
};

/* comparison text -> BPF_OP for conditional jumps */
static const struct {
	const char *text;
	uint8_t op;
} jmp_ops[] = {
	{ "==", BPF_JEQ }, { "!=", BPF_JNE }, { ">", BPF_JGT }, { ">=", BPF_JGE }, { "<", BPF_JLT }, { "<=", BPF_JLE },
	{ "&", BPF_JSET }, { "s>", BPF_JSGT }, { "s>=", BPF_JSGE }, { "s<", BPF_JSLT }, { "s<=", BPF_JSLE },
};

/* access widths as written in `*(u32 *)`, signed ones for MEMSX loads */
static const struct {
	const char *text;
	uint8_t size;
	bool sx;
} widths[] = {
	{ "u8", BPF_B, 0 }, { "u16", BPF_H, 0 }, { "u32", BPF_W, 0 }, { "u64", BPF_DW, 0 },
	{ "s8", BPF_B, true }, { "s16", BPF_H, true }, { "s32", BPF_W, true },
};

/* the atomic read-modify-write operations by name, for `atomic_fetch_NAME` */
static const struct {
	const char *name;
	int32_t op;
} atomic_ops[] = { { "add", BPF_ADD }, { "or", BPF_OR }, { "and", BPF_AND }, { "xor", BPF_XOR } };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool is_reg_tok(const struct asm_tok *t)
{
	if (t->kind != T_WORD || t->len < 2 || t->len > 3 || (t->s[0] != 'r' && t->s[0] != 'w'))
		return false;
	for (int i = 1; i < t->len; i++)
		if (t->s[i] < '0' || t->s[i] > '9')
			return false;
	return !(t->len == 3 && t->s[1] == '0');
}

static int parse_reg(struct asm_ctx *c, struct reg *r)
{
	const struct asm_tok *t = asm_peek(c);
	if (!is_reg_tok(t))
		return asm_expected(c, "register");
	unsigned n = 0;
	for (int i = 1; i < t->len; i++)
		n = n * 10 + (unsigned)(t->s[i] - '0');
	if (n > 10)
		return asm_err(c, t, "invalid register '%.*s' (r0..r10)", t->len, t->s);
	c->pos++;
	r->n = (uint8_t)n;
	r->w = t->s[0] == 'w';
	return 0;
}

static int parse_off16(struct asm_ctx *c, int16_t *off)
{
	bool neg;
	uint64_t v;
	const struct asm_tok *t;
	int err = asm_parse_num(c, "offset", &neg, &v, &t);
	return err ? err : asm_check_off16(c, t, neg, v, off);
}

/* `(rN +off)` or LLVM's `(rN + off)`; the sign is required before a nonzero offset only in spirit */
static int parse_addr(struct asm_ctx *c, struct bpf_insn *in, bool base_in_src)
{
	struct reg r;
	int16_t off = 0;
	int err;

	if ((err = asm_expect(c, "(")) || (err = parse_reg(c, &r)))
		return err;
	if (r.w)
		return asm_err(c, &c->toks[c->pos - 1], "an address register is 64-bit: write r%u", r.n);
	if (!asm_is(asm_peek(c), ")") && (err = parse_off16(c, &off)))
		return err;
	if (base_in_src)
		in->src_reg = r.n;
	else
		in->dst_reg = r.n;
	in->off = off;
	return asm_expect(c, ")");
}

/* `*(u32 *)`: the width after `*` has been consumed */
static int parse_width(struct asm_ctx *c, uint8_t *size, bool *sx)
{
	int err = asm_expect(c, "(");
	if (err)
		return err;
	const struct asm_tok *t = asm_peek(c);
	for (size_t i = 0; i < ARRAY_LEN(widths); i++)
		if (asm_is(t, widths[i].text)) {
			c->pos++;
			*size = widths[i].size;
			*sx = widths[i].sx;
			if ((err = asm_expect(c, "*")) || (err = asm_expect(c, ")")))
				return err;
			return 0;
		}
	return asm_expected(c, "u8, u16, u32, u64, s8, s16 or s32");
}

/* a jump target: `pc+N`, `+N`, `-N`, `N` or a label; into off (or imm for gotol and local calls) */
static int parse_target(struct asm_ctx *c, struct bpf_insn *in, bool in_imm)
{
	const struct asm_tok *t = asm_peek(c);
	if (t->kind == T_WORD && !asm_is(t, "pc")) {
		c->pos++;
		return asm_label_ref(c, t, in_imm);
	}
	asm_accept(c, "pc");
	if (in_imm)
		return asm_parse_imm32(c, &in->imm);
	return parse_off16(c, &in->off);
}

/* LLVM appends `<LBB0_3>` after a jump's target: skip it */
static void skip_annotation(struct asm_ctx *c)
{
	if (asm_is(asm_peek(c), "<"))
		while (asm_peek(c)->kind != T_END)
			c->pos++;
}

static int finish(struct asm_ctx *c, struct bpf_insn *in, int prefix_code, const struct asm_tok *start)
{
	skip_annotation(c);
	int err = asm_expect_end(c);
	if (err)
		return err;
	if (prefix_code >= 0 && prefix_code != in->code)
		return asm_err(c, start, "the statement encodes opcode (%02x), not the (%02x) in front of it", in->code,
			       prefix_code);
	if (bpfvm_op_of(in) == BPFVM_OP_INVALID)
		return asm_err(c, start, "no such instruction: opcode 0x%02x with these operands", in->code);
	return asm_emit(c, in);
}

static int emit_ld_imm64(struct asm_ctx *c, uint8_t dst, uint8_t src, uint64_t imm, int32_t hi_override,
			 bool use_hi)
{
	struct bpf_insn lo = { .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = dst, .src_reg = src,
			       .imm = (int32_t)(uint32_t)imm };
	struct bpf_insn hi = { .imm = use_hi ? hi_override : (int32_t)(uint32_t)(imm >> 32) };
	int err = asm_expect_end(c);
	return err ? err : (err = asm_emit(c, &lo)) ? err : asm_emit(c, &hi);
}

/* `rD = map_fd(N) ll`, `map_value(N, OFF)`, `btf_id(N)`, `func(LABEL|N)`, `map_idx(N)`, `map_idx_value(N, OFF)` */
static const struct {
	const char *name;
	uint8_t src;
	bool has_off;
} pseudo[] = {
	{ "map_fd", BPF_PSEUDO_MAP_FD, false }, { "map_value", BPF_PSEUDO_MAP_VALUE, true }, { "btf_id", BPF_PSEUDO_BTF_ID, false },
	{ "func", BPF_PSEUDO_FUNC, false }, { "map_idx", BPF_PSEUDO_MAP_IDX, false }, { "map_idx_value", BPF_PSEUDO_MAP_IDX_VALUE, true },
};

static int parse_pseudo_ld(struct asm_ctx *c, uint8_t dst, size_t k)
{
	int32_t id = 0, off = 0;
	int err;

	c->pos++;
	if ((err = asm_expect(c, "(")))
		return err;
	if (pseudo[k].src == BPF_PSEUDO_FUNC && asm_peek(c)->kind == T_WORD) {
		const struct asm_tok *t = asm_next(c);
		if ((err = asm_label_ref(c, t, true)))
			return err;
	} else if ((err = asm_parse_imm32(c, &id))) {
		return err;
	}
	if (pseudo[k].has_off && ((err = asm_expect(c, ",")) || (err = asm_parse_imm32(c, &off))))
		return err;
	if ((err = asm_expect(c, ")")))
		return err;
	asm_accept(c, "ll");
	return emit_ld_imm64(c, dst, pseudo[k].src, (uint32_t)id, off, true);
}

/* `rD = ...` and `wD = ...` */
static int parse_assign(struct asm_ctx *c, struct reg d, int prefix_code, const struct asm_tok *start)
{
	struct bpf_insn in = { .dst_reg = d.n };
	uint8_t cls = d.w ? BPF_ALU : BPF_ALU64;
	const struct asm_tok *t = asm_peek(c);
	struct reg s;
	int err;

	/* rD = -rD */
	if (asm_is(t, "-") && is_reg_tok(&c->toks[c->pos + 1])) {
		c->pos++;
		if ((err = parse_reg(c, &s)))
			return err;
		if (s.n != d.n || s.w != d.w)
			return asm_err(c, t, "negation is in place: write %c%u = -%c%u", d.w ? 'w' : 'r', d.n,
				       d.w ? 'w' : 'r', d.n);
		in.code = cls | BPF_NEG | BPF_K;
		return finish(c, &in, prefix_code, start);
	}
	/* rD = *(uN *)(rS +off), rD = *(sN *)(rS +off), r0 = *(uN *)skb[K] / skb[rS + K] */
	if (asm_accept(c, "*")) {
		uint8_t size;
		bool sx;
		if ((err = parse_width(c, &size, &sx)))
			return err;
		if (asm_accept(c, "skb")) {
			if (d.n != 0 || d.w || sx)
				return asm_err(c, start, "packet loads write r0: r0 = *(uN *)skb[...]");
			if ((err = asm_expect(c, "[")))
				return err;
			in.dst_reg = 0;
			if (is_reg_tok(asm_peek(c))) {
				if ((err = parse_reg(c, &s)))
					return err;
				in.src_reg = s.n;
				in.code = BPF_LD | BPF_IND | size;
				asm_accept(c, "+"); /* the log writes skb[r1 + 4], and skb[r1 + -4] */
				if (!asm_is(asm_peek(c), "]") && (err = asm_parse_imm32(c, &in.imm)))
					return err;
			} else {
				in.code = BPF_LD | BPF_ABS | size;
				if ((err = asm_parse_imm32(c, &in.imm)))
					return err;
			}
			if ((err = asm_expect(c, "]")))
				return err;
			return finish(c, &in, prefix_code, start);
		}
		if ((err = parse_addr(c, &in, true)))
			return err;
		in.code = BPF_LDX | (sx ? BPF_MEMSX : BPF_MEM) | size;
		return finish(c, &in, prefix_code, start);
	}
	/* rD = (s8)rS: sign-extending move */
	if (asm_is(t, "(") && (asm_is(&c->toks[c->pos + 1], "s8") || asm_is(&c->toks[c->pos + 1], "s16") ||
			       asm_is(&c->toks[c->pos + 1], "s32"))) {
		const struct asm_tok *w = &c->toks[c->pos + 1];
		c->pos += 2;
		if ((err = asm_expect(c, ")")) || (err = parse_reg(c, &s)))
			return err;
		in.code = cls | BPF_MOV | BPF_X;
		in.src_reg = s.n;
		in.off = (int16_t)(w->len == 2 ? 8 : w->s[1] == '1' ? 16 : 32);
		return finish(c, &in, prefix_code, start);
	}
	if (t->kind == T_WORD && !is_reg_tok(t)) {
		/* rD = be16 rD / le32 rD / bswap64 rD */
		static const struct {
			const char *name;
			uint8_t cls, src;
		} ends[] = { { "be", BPF_ALU, BPF_TO_BE }, { "le", BPF_ALU, BPF_TO_LE }, { "bswap", BPF_ALU64, BPF_TO_LE } };
		for (size_t i = 0; i < ARRAY_LEN(ends); i++) {
			size_t n = strlen(ends[i].name);
			if ((size_t)t->len > n && !strncmp(t->s, ends[i].name, n) &&
			    sscanf(t->s + n, "%d", &in.imm) == 1 && (in.imm == 16 || in.imm == 32 || in.imm == 64) &&
			    (size_t)t->len == n + 2) {
				c->pos++;
				if ((err = parse_reg(c, &s)))
					return err;
				if (s.n != d.n)
					return asm_err(c, t, "a byte swap is in place: write r%u = %.*s r%u", d.n, t->len,
						       t->s, d.n);
				in.code = ends[i].cls | BPF_END | ends[i].src;
				return finish(c, &in, prefix_code, start);
			}
		}
		for (size_t k = 0; k < ARRAY_LEN(pseudo); k++)
			if (asm_is(t, pseudo[k].name)) {
				if (d.w)
					return asm_err(c, start, "a 64-bit load: write r%u", d.n);
				return parse_pseudo_ld(c, d.n, k);
			}
		/* rD = load_acquire((uN *)(rS +off)) */
		if (asm_is(t, "load_acquire")) {
			uint8_t size;
			bool sx;
			c->pos++;
			if ((err = asm_expect(c, "(")) || (err = parse_width(c, &size, &sx)) ||
			    (err = parse_addr(c, &in, true)) || (err = asm_expect(c, ")")))
				return err;
			if (sx)
				return asm_err(c, t, "load_acquire zero-extends: use u8..u64");
			in.code = BPF_STX | BPF_ATOMIC | size;
			in.imm = BPF_LOAD_ACQ;
			return finish(c, &in, prefix_code, start);
		}
		/* rS = atomic[64]_fetch_OP((uN *)(rD +off), rS), atomic[64]_xchg(...), r0 = atomic[64]_cmpxchg(...) */
		if (t->len > 6 && !strncmp(t->s, "atomic", 6)) {
			const char *p = t->s + 6, *e = t->s + t->len;
			int32_t op = -1;
			if (e - p >= 2 && !strncmp(p, "64", 2))
				p += 2;
			if (e - p > 7 && !strncmp(p, "_fetch_", 7)) {
				for (size_t i = 0; i < ARRAY_LEN(atomic_ops); i++)
					if ((size_t)(e - p - 7) == strlen(atomic_ops[i].name) &&
					    !strncmp(p + 7, atomic_ops[i].name, (size_t)(e - p - 7)))
						op = atomic_ops[i].op | BPF_FETCH;
			} else if (e - p == 5 && !strncmp(p, "_xchg", 5)) {
				op = BPF_XCHG;
			} else if (e - p == 8 && !strncmp(p, "_cmpxchg", 8)) {
				op = BPF_CMPXCHG;
			}
			if (op < 0)
				return asm_err(c, t, "unknown atomic operation '%.*s'", t->len, t->s);
			uint8_t size;
			bool sx;
			struct reg v, r0;
			c->pos++;
			if ((err = asm_expect(c, "(")) || (err = parse_width(c, &size, &sx)) ||
			    (err = parse_addr(c, &in, false)) || (err = asm_expect(c, ",")))
				return err;
			if (op == BPF_CMPXCHG) {
				if ((err = parse_reg(c, &r0)) || (err = asm_expect(c, ",")))
					return err;
				if (r0.n != 0 || d.n != 0)
					return asm_err(c, t, "cmpxchg compares and returns r0: r0 = atomic_cmpxchg(..., r0, rS)");
			}
			if ((err = parse_reg(c, &v)) || (err = asm_expect(c, ")")))
				return err;
			if (op != BPF_CMPXCHG && v.n != d.n)
				return asm_err(c, t, "the fetched value goes to the source register: r%u = %.*s(..., r%u)",
					       v.n, t->len, t->s, v.n);
			if (sx || (size != BPF_W && size != BPF_DW))
				return asm_err(c, t, "atomic operations are on u32 or u64");
			in.code = BPF_STX | BPF_ATOMIC | size;
			in.src_reg = v.n;
			in.imm = op;
			return finish(c, &in, prefix_code, start);
		}
		return asm_expected(c, "register, immediate, memory operand or operation");
	}
	/* rD = rS (move), rD = imm (move), rD = imm ll (64-bit constant) */
	if (is_reg_tok(t)) {
		if ((err = parse_reg(c, &s)))
			return err;
		in.code = cls | BPF_MOV | BPF_X;
		in.src_reg = s.n;
		return finish(c, &in, prefix_code, start);
	}
	bool neg;
	uint64_t v;
	const struct asm_tok *nt;
	if ((err = asm_parse_num(c, "immediate", &neg, &v, &nt)))
		return err;
	bool ll = asm_accept(c, "ll") || prefix_code == (BPF_LD | BPF_IMM | BPF_DW);
	if (ll) {
		if (d.w)
			return asm_err(c, start, "a 64-bit constant: write r%u", d.n);
		if (nt->ovf || (neg && v > 0x8000000000000000ull))
			return asm_err(c, nt, "constant does not fit in 64 bits");
		return emit_ld_imm64(c, d.n, 0, neg ? 0 - v : v, 0, false);
	}
	in.code = cls | BPF_MOV | BPF_K;
	if ((err = asm_check_imm32(c, nt, neg, v, &in.imm)))
		return err;
	return finish(c, &in, prefix_code, start);
}

/* `*(uN *)(rD +off) = rS|imm`, `lock *(uN *)(rD +off) OP= rS`, `store_release((uN *)(rD +off), rS)` */
static int parse_store(struct asm_ctx *c, bool lock, int prefix_code, const struct asm_tok *start)
{
	struct bpf_insn in = { 0 };
	uint8_t size;
	bool sx;
	struct reg s;
	int err;

	if ((err = asm_expect(c, "*")) || (err = parse_width(c, &size, &sx)) || (err = parse_addr(c, &in, false)))
		return err;
	if (sx)
		return asm_err(c, start, "stores are written with u8..u64");
	if (lock) {
		const struct asm_tok *op = asm_next(c);
		static const struct {
			const char *text;
			int32_t op;
		} lock_ops[] = { { "+=", BPF_ADD }, { "|=", BPF_OR }, { "&=", BPF_AND }, { "^=", BPF_XOR } };
		in.imm = -1;
		for (size_t i = 0; i < ARRAY_LEN(lock_ops); i++)
			if (asm_is(op, lock_ops[i].text))
				in.imm = lock_ops[i].op;
		if (in.imm < 0)
			return asm_err(c, op, "expected +=, |=, &= or ^= after a lock operand");
		if ((err = parse_reg(c, &s)))
			return err;
		in.code = BPF_STX | BPF_ATOMIC | size;
		in.src_reg = s.n;
		return finish(c, &in, prefix_code, start);
	}
	if ((err = asm_expect(c, "=")))
		return err;
	if (is_reg_tok(asm_peek(c))) {
		if ((err = parse_reg(c, &s)))
			return err;
		in.code = BPF_STX | BPF_MEM | size;
		in.src_reg = s.n;
	} else {
		in.code = BPF_ST | BPF_MEM | size;
		if ((err = asm_parse_imm32(c, &in.imm)))
			return err;
	}
	return finish(c, &in, prefix_code, start);
}

/* the helper named by t ("bpf_map_lookup_elem" or "map_lookup_elem"), -1 if none */
static int helper_id(const struct asm_tok *t)
{
	char name[96];
	if (t->len >= (int)sizeof(name) - 4)
		return -1;
	for (uint32_t id = 0; bpfvm_helper_name(id); id++) {
		const char *h = bpfvm_helper_name(id);
		snprintf(name, sizeof(name), "%.*s", t->len, t->s);
		if (!strcmp(h, name) || (!strncmp(h, "bpf_", 4) && !strcmp(h + 4, name)))
			return (int)id;
	}
	return -1;
}

static int parse_call(struct asm_ctx *c, int prefix_code, const struct asm_tok *start)
{
	struct bpf_insn in = { .code = BPF_JMP | BPF_CALL };
	const struct asm_tok *t = asm_peek(c);
	int err;

	if (asm_is(t, "pc")) { /* call pc+N: a bpf-to-bpf call */
		in.src_reg = BPF_PSEUDO_CALL;
		if ((err = parse_target(c, &in, true)))
			return err;
		return finish(c, &in, prefix_code, start);
	}
	if (asm_is(t, "kernel") || asm_is(t, "kfunc") || asm_is(t, "#")) {
		/* call kernel-function#N, call kfunc#N, and the log's `call #N` for a kfunc whose BTF name is empty */
		if (!asm_is(t, "#"))
			c->pos++;
		if (asm_is(t, "kernel") && ((err = asm_expect(c, "-")) || (err = asm_expect(c, "function"))))
			return err;
		if ((err = asm_expect(c, "#")) || (err = asm_parse_imm32(c, &in.imm)))
			return err;
		in.src_reg = BPF_PSEUDO_KFUNC_CALL;
		return finish(c, &in, prefix_code, start);
	}
	if (t->kind == T_WORD) {
		int id = helper_id(t);
		c->pos++;
		if (asm_accept(c, "#")) { /* the log's `call bpf_map_lookup_elem#1`, or a kfunc's `call NAME#BTF_ID` */
			if ((err = asm_parse_imm32(c, &in.imm)))
				return err;
			if (id < 0 && !asm_is(t, "unknown")) /* `unknown#N`: a helper id the table does not name */
				in.src_reg = BPF_PSEUDO_KFUNC_CALL;
			return finish(c, &in, prefix_code, start);
		}
		if (id < 0) { /* a label: a local call */
			in.src_reg = BPF_PSEUDO_CALL;
			if ((err = asm_label_ref(c, t, true)))
				return err;
		} else {
			in.imm = id;
		}
		return finish(c, &in, prefix_code, start);
	}
	if ((err = asm_parse_imm32(c, &in.imm)))
		return err;
	return finish(c, &in, prefix_code, start);
}

static int parse_if(struct asm_ctx *c, int prefix_code, const struct asm_tok *start)
{
	struct bpf_insn in = { 0 };
	struct reg d, s;
	int err;

	if ((err = parse_reg(c, &d)))
		return err;
	const struct asm_tok *op = asm_next(c);
	int code = -1;
	for (size_t i = 0; i < ARRAY_LEN(jmp_ops); i++)
		if (asm_is(op, jmp_ops[i].text))
			code = jmp_ops[i].op;
	if (code < 0)
		return asm_err(c, op, "expected a comparison (==, !=, >, >=, <, <=, &, s>, s>=, s<, s<=)");
	in.dst_reg = d.n;
	in.code = (uint8_t)((d.w ? BPF_JMP32 : BPF_JMP) | code);
	if (is_reg_tok(asm_peek(c))) {
		if ((err = parse_reg(c, &s)))
			return err;
		if (s.w != d.w)
			return asm_err(c, op, "compare registers of the same width (both rN or both wN)");
		in.code |= BPF_X;
		in.src_reg = s.n;
	} else if ((err = asm_parse_imm32(c, &in.imm))) {
		return err;
	}
	if ((err = asm_expect(c, "goto")) || (err = parse_target(c, &in, false)))
		return err;
	return finish(c, &in, prefix_code, start);
}

static int parse_statement(struct asm_ctx *c, int prefix_code)
{
	const struct asm_tok *start = asm_peek(c);
	struct bpf_insn in = { 0 };
	int err;

	if (asm_accept(c, "exit")) {
		in.code = BPF_JMP | BPF_EXIT;
		return finish(c, &in, prefix_code, start);
	}
	if (asm_accept(c, "goto")) {
		in.code = BPF_JMP | BPF_JA;
		return (err = parse_target(c, &in, false)) ? err : finish(c, &in, prefix_code, start);
	}
	if (asm_accept(c, "gotol")) {
		in.code = BPF_JMP32 | BPF_JA;
		return (err = parse_target(c, &in, true)) ? err : finish(c, &in, prefix_code, start);
	}
	if (asm_accept(c, "may_goto")) {
		in.code = BPF_JMP | BPF_JCOND;
		in.src_reg = BPF_MAY_GOTO;
		return (err = parse_target(c, &in, false)) ? err : finish(c, &in, prefix_code, start);
	}
	if (asm_accept(c, "if"))
		return parse_if(c, prefix_code, start);
	if (asm_accept(c, "call"))
		return parse_call(c, prefix_code, start);
	if (asm_accept(c, "callx")) {
		struct reg r;
		if ((err = parse_reg(c, &r)))
			return err;
		in.code = BPF_JMP | BPF_CALL | BPF_X;
		in.dst_reg = r.n;
		return finish(c, &in, prefix_code, start);
	}
	if (asm_accept(c, "lock"))
		return parse_store(c, true, prefix_code, start);
	if (asm_is(start, "*"))
		return parse_store(c, false, prefix_code, start);
	if (asm_accept(c, "store_release")) {
		uint8_t size;
		bool sx;
		struct reg s;
		if ((err = asm_expect(c, "(")) || (err = parse_width(c, &size, &sx)) ||
		    (err = parse_addr(c, &in, false)) || (err = asm_expect(c, ",")) || (err = parse_reg(c, &s)) ||
		    (err = asm_expect(c, ")")))
			return err;
		in.code = BPF_STX | BPF_ATOMIC | size;
		in.src_reg = s.n;
		in.imm = BPF_STORE_REL;
		return finish(c, &in, prefix_code, start);
	}
	if (is_reg_tok(start)) {
		struct reg d;
		if ((err = parse_reg(c, &d)))
			return err;
		const struct asm_tok *op = asm_peek(c);
		if (asm_accept(c, "="))
			return parse_assign(c, d, prefix_code, start);
		for (size_t i = 0; i < ARRAY_LEN(alu_ops); i++) {
			if (!asm_is(op, alu_ops[i].text))
				continue;
			c->pos++;
			in.code = (uint8_t)((d.w ? BPF_ALU : BPF_ALU64) | alu_ops[i].op);
			in.dst_reg = d.n;
			in.off = alu_ops[i].off;
			if (is_reg_tok(asm_peek(c))) {
				struct reg s;
				if ((err = parse_reg(c, &s)))
					return err;
				if (s.w != d.w)
					return asm_err(c, op, "operands of the same width: both rN or both wN");
				in.code |= BPF_X;
				in.src_reg = s.n;
			} else if ((err = asm_parse_imm32(c, &in.imm))) {
				return err;
			}
			return finish(c, &in, prefix_code, start);
		}
		return asm_expected(c, "an assignment operator (=, +=, -=, ...)");
	}
	return asm_expected(c, "an instruction");
}

int asm_kernel_line(struct asm_ctx *c)
{
	int prefix_code = -1;
	int err;

	/* `N:` the log's instruction index */
	if (asm_peek(c)->kind == T_NUM && asm_is(&c->toks[c->pos + 1], ":"))
		c->pos += 2;
	/* `(b7)` the log's opcode byte */
	if (asm_is(asm_peek(c), "(") && asm_is(&c->toks[c->pos + 2], ")")) {
		const struct asm_tok *t = &c->toks[c->pos + 1];
		unsigned v = 0;
		bool hex = t->len == 2;
		for (int i = 0; hex && i < 2; i++)
			hex = (t->s[i] >= '0' && t->s[i] <= '9') || (t->s[i] >= 'a' && t->s[i] <= 'f');
		if (hex && sscanf(t->s, "%2x", &v) == 1) {
			prefix_code = (int)v;
			c->pos += 3;
		}
	}
	/* `label:` (alone or before a statement) */
	if (asm_peek(c)->kind == T_WORD && asm_is(&c->toks[c->pos + 1], ":") && !is_reg_tok(asm_peek(c))) {
		if ((err = asm_label_def(c, asm_peek(c))))
			return err;
		c->pos += 2;
	}
	if (asm_peek(c)->kind == T_END)
		return prefix_code >= 0 ? asm_expected(c, "an instruction") : 0;
	return parse_statement(c, prefix_code);
}
