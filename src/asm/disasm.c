/* disasm.c - one instruction as text, exactly as the Linux 6.18 verifier log prints it ("(b7) r0 = 0") */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "asm/asm.h"
#include "helpers/helpers.h"

/* operator text by BPF_OP(code) >> 4, as the log writes ALU instructions and `lock` atomics */
static const char *const alu_ops[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", NULL, NULL,
};
/* comparison text by BPF_OP(code) >> 4 */
static const char *const jmp_ops[16] = {
	"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", NULL, NULL,
};
/* atomic operation names by BPF_OP(imm) >> 4 for the fetch forms */
static const char *const atomic_names[16] = { [0x0] = "add", [0x4] = "or", [0x5] = "and", [0xa] = "xor" };
/* access widths by BPF_SIZE(code) >> 3 */
static const char *const size_u[4] = { "u32", "u16", "u8", "u64" };
static const char *const size_s[4] = { "s32", "s16", "s8", NULL };
static const char *const class_names[8] = { "ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64" };

/* an snprintf that appends and keeps counting past the end, so the caller learns the length it needed */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *at = o->len < o->size ? o->buf + o->len : NULL;
	size_t room = o->len < o->size ? o->size - o->len : 0;

	va_start(ap, fmt);
	int n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static char reg_prefix(uint8_t cls)
{
	return cls == BPF_ALU || cls == BPF_JMP32 ? 'w' : 'r';
}

static void disasm_alu(struct out *o, const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = reg_prefix(cls);
	bool sdiv = (op == BPF_DIV || op == BPF_MOD) && in->off == 1;
	const char *opstr = sdiv ? (op == BPF_DIV ? "s/=" : "s%=") : alu_ops[op >> 4];

	if (op == BPF_END) {
		if (cls == BPF_ALU64)
			put(o, "(%02x) r%d = bswap%d r%d", in->code, in->dst_reg, in->imm, in->dst_reg);
		else
			put(o, "(%02x) r%d = %s%d r%d", in->code, in->dst_reg,
			    BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le", in->imm, in->dst_reg);
	} else if (op == BPF_NEG) {
		put(o, "(%02x) %c%d = -%c%d", in->code, r, in->dst_reg, r, in->dst_reg);
	} else if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == 1) {
		/* BPF_ADDR_SPACE_CAST */
		put(o, "(%02x) r%d = addr_space_cast(r%d, %d, %d)", in->code, in->dst_reg, in->src_reg,
		    (int)((uint32_t)in->imm >> 16), (int)(uint16_t)in->imm);
	} else if (BPF_SRC(in->code) == BPF_X) {
		const char *sx = "";
		if (op == BPF_MOV && (in->off == 8 || in->off == 16 || in->off == 32))
			sx = in->off == 8 ? "(s8)" : in->off == 16 ? "(s16)" : "(s32)";
		put(o, "(%02x) %c%d %s %s%c%d", in->code, r, in->dst_reg, opstr ? opstr : "(null)", sx, r, in->src_reg);
	} else {
		put(o, "(%02x) %c%d %s %d", in->code, r, in->dst_reg, opstr ? opstr : "(null)", in->imm);
	}
}

static void disasm_stx(struct out *o, const struct bpf_insn *in)
{
	const char *sz = size_u[BPF_SIZE(in->code) >> 3];
	const char *w64 = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	int32_t imm = in->imm;

	if (BPF_MODE(in->code) == BPF_MEM) {
		put(o, "(%02x) *(%s *)(r%d %+d) = r%d", in->code, sz, in->dst_reg, in->off, in->src_reg);
		return;
	}
	if (BPF_MODE(in->code) != BPF_ATOMIC) {
		put(o, "BUG_%02x", in->code);
		return;
	}
	if (imm == BPF_ADD || imm == BPF_AND || imm == BPF_OR || imm == BPF_XOR)
		put(o, "(%02x) lock *(%s *)(r%d %+d) %s r%d", in->code, sz, in->dst_reg, in->off, alu_ops[imm >> 4],
		    in->src_reg);
	else if (imm == (BPF_ADD | BPF_FETCH) || imm == (BPF_AND | BPF_FETCH) || imm == (BPF_OR | BPF_FETCH) ||
		 imm == (BPF_XOR | BPF_FETCH))
		put(o, "(%02x) r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", in->code, in->src_reg, w64,
		    atomic_names[(imm & 0xf0) >> 4], sz, in->dst_reg, in->off, in->src_reg);
	else if (imm == BPF_CMPXCHG)
		put(o, "(%02x) r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)", in->code, w64, sz, in->dst_reg, in->off,
		    in->src_reg);
	else if (imm == BPF_XCHG)
		put(o, "(%02x) r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", in->code, in->src_reg, w64, sz, in->dst_reg,
		    in->off, in->src_reg);
	else if (imm == BPF_LOAD_ACQ)
		put(o, "(%02x) r%d = load_acquire((%s *)(r%d %+d))", in->code, in->dst_reg, sz, in->src_reg, in->off);
	else if (imm == BPF_STORE_REL)
		put(o, "(%02x) store_release((%s *)(r%d %+d), r%d)", in->code, sz, in->dst_reg, in->off, in->src_reg);
	else
		put(o, "BUG_%02x", in->code);
}

static void disasm_ld(struct out *o, const struct bpfvm_insn_printer *p, const struct bpf_insn *insns, size_t cnt,
		      size_t idx)
{
	const struct bpf_insn *in = &insns[idx];
	const char *sz = size_u[BPF_SIZE(in->code) >> 3];

	if (BPF_MODE(in->code) == BPF_ABS) {
		put(o, "(%02x) r0 = *(%s *)skb[%d]", in->code, sz, in->imm);
	} else if (BPF_MODE(in->code) == BPF_IND) {
		put(o, "(%02x) r0 = *(%s *)skb[r%d + %d]", in->code, sz, in->src_reg, in->imm);
	} else if (BPF_MODE(in->code) == BPF_IMM && BPF_SIZE(in->code) == BPF_DW) {
		uint32_t hi = idx + 1 < cnt ? (uint32_t)insns[idx + 1].imm : 0;
		uint64_t imm = ((uint64_t)hi << 32) | (uint32_t)in->imm;
		char tmp[128];
		const char *name = p && p->imm_name ? p->imm_name(p->arg, in, imm, tmp, sizeof(tmp)) : NULL;
		if (name)
			put(o, "(%02x) r%d = %s", in->code, in->dst_reg, name);
		else
			put(o, "(%02x) r%d = 0x%" PRIx64, in->code, in->dst_reg, imm);
	} else {
		put(o, "BUG_ld_%02x", in->code);
	}
}

static void disasm_call(struct out *o, const struct bpfvm_insn_printer *p, const struct bpf_insn *in)
{
	char tmp[128];
	const char *name = NULL;

	if (in->src_reg == 0) {
		name = in->imm >= 0 ? bpfvm_helper_name((uint32_t)in->imm) : NULL;
	}
	if (!name && p && p->call_name)
		name = p->call_name(p->arg, in, tmp, sizeof(tmp));
	if (in->src_reg == BPF_PSEUDO_CALL) {
		if (!name) {
			snprintf(tmp, sizeof(tmp), "%+d", in->imm);
			name = tmp;
		}
		put(o, "(%02x) call pc%s", in->code, name);
		return;
	}
	if (!name && in->src_reg == BPF_PSEUDO_KFUNC_CALL)
		name = in->imm == 0 ? "" : "kernel-function"; /* BTF id 0 is void, whose name the kernel prints: "" */
	if (!name)
		name = "unknown";
	put(o, "(%02x) call %s#%d", in->code, name, in->imm);
}

static void disasm_jmp(struct out *o, const struct bpfvm_insn_printer *p, const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = reg_prefix(cls);

	if (in->code == (BPF_JMP | BPF_CALL | BPF_X)) /* callx: not in the kernel's printer; LLVM's spelling */
		put(o, "(%02x) callx r%d", in->code, in->dst_reg);
	else if (op == BPF_CALL)
		disasm_call(o, p, in);
	else if (in->code == (BPF_JMP | BPF_JA))
		put(o, "(%02x) goto pc%+d", in->code, in->off);
	else if (in->code == (BPF_JMP | BPF_JCOND) && in->src_reg == BPF_MAY_GOTO)
		put(o, "(%02x) may_goto pc%+d", in->code, in->off);
	else if (in->code == (BPF_JMP32 | BPF_JA))
		put(o, "(%02x) gotol pc%+d", in->code, in->imm);
	else if (in->code == (BPF_JMP | BPF_EXIT))
		put(o, "(%02x) exit", in->code);
	else if (BPF_SRC(in->code) == BPF_X)
		put(o, "(%02x) if %c%d %s %c%d goto pc%+d", in->code, r, in->dst_reg,
		    jmp_ops[op >> 4] ? jmp_ops[op >> 4] : "(null)", r, in->src_reg, in->off);
	else
		put(o, "(%02x) if %c%d %s 0x%x goto pc%+d", in->code, r, in->dst_reg,
		    jmp_ops[op >> 4] ? jmp_ops[op >> 4] : "(null)", (uint32_t)in->imm, in->off);
}

int bpfvm_disasm_insn(const struct bpfvm_insn_printer *printer, const struct bpf_insn *insns, size_t cnt,
		      size_t idx, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size };
	const struct bpf_insn *in;

	if (size)
		buf[0] = '\0';
	if (!insns || idx >= cnt)
		return -1;
	in = &insns[idx];
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		disasm_alu(&o, in);
		break;
	case BPF_STX:
		disasm_stx(&o, in);
		break;
	case BPF_ST:
		if (BPF_MODE(in->code) == BPF_MEM)
			put(&o, "(%02x) *(%s *)(r%d %+d) = %d", in->code, size_u[BPF_SIZE(in->code) >> 3], in->dst_reg,
			    in->off, in->imm);
		else if (BPF_MODE(in->code) == 0xc0)
			put(&o, "(%02x) nospec", in->code);
		else
			put(&o, "BUG_st_%02x", in->code);
		break;
	case BPF_LDX:
		if (BPF_MODE(in->code) == BPF_MEM ||
		    (BPF_MODE(in->code) == BPF_MEMSX && size_s[BPF_SIZE(in->code) >> 3]))
			put(&o, "(%02x) r%d = *(%s *)(r%d %+d)", in->code, in->dst_reg,
			    (BPF_MODE(in->code) == BPF_MEM ? size_u : size_s)[BPF_SIZE(in->code) >> 3], in->src_reg,
			    in->off);
		else
			put(&o, "BUG_ldx_%02x", in->code);
		break;
	case BPF_LD:
		disasm_ld(&o, printer, insns, cnt, idx);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		disasm_jmp(&o, printer, in);
		break;
	default:
		put(&o, "(%02x) %s", in->code, class_names[BPF_CLASS(in->code)]);
	}
	return (int)o.len;
}

static const char *pseudo_imm_name(void *arg, const struct bpf_insn *insn, uint64_t full_imm, char *buf,
				   size_t size)
{
	static const char *const names[] = { NULL, "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value" };
	int32_t lo = (int32_t)(uint32_t)full_imm, hi = (int32_t)(uint32_t)(full_imm >> 32);

	(void)arg;
	if (insn->src_reg == 0 || insn->src_reg >= sizeof(names) / sizeof(names[0]))
		return NULL;
	if (insn->src_reg == BPF_PSEUDO_MAP_VALUE || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
		snprintf(buf, size, "%s(%d, %d)", names[insn->src_reg], lo, hi);
	else
		snprintf(buf, size, "%s(%d)", names[insn->src_reg], lo);
	return buf;
}

const struct bpfvm_insn_printer bpfvm_asm_printer = { .imm_name = pseudo_imm_name };
