/* validate.c - classic program checks: the kernel's bpf_check_classic() and libpcap's bpf_validate() rules */
#include <errno.h>
#include <stdlib.h>

#include "cbpf/cbpf.h"
#include "common/log_internal.h"

/* the opcodes chk_code_allowed() admits (net/core/filter.c) */
static const uint16_t kernel_codes[] = {
	BPF_ALU | BPF_ADD | BPF_K, BPF_ALU | BPF_ADD | BPF_X, BPF_ALU | BPF_SUB | BPF_K, BPF_ALU | BPF_SUB | BPF_X,
	BPF_ALU | BPF_MUL | BPF_K, BPF_ALU | BPF_MUL | BPF_X, BPF_ALU | BPF_DIV | BPF_K, BPF_ALU | BPF_DIV | BPF_X,
	BPF_ALU | BPF_MOD | BPF_K, BPF_ALU | BPF_MOD | BPF_X, BPF_ALU | BPF_AND | BPF_K, BPF_ALU | BPF_AND | BPF_X,
	BPF_ALU | BPF_OR | BPF_K,  BPF_ALU | BPF_OR | BPF_X,  BPF_ALU | BPF_XOR | BPF_K, BPF_ALU | BPF_XOR | BPF_X,
	BPF_ALU | BPF_LSH | BPF_K, BPF_ALU | BPF_LSH | BPF_X, BPF_ALU | BPF_RSH | BPF_K, BPF_ALU | BPF_RSH | BPF_X,
	BPF_ALU | BPF_NEG,
	BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS, BPF_LD | BPF_W | BPF_LEN,
	BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_H | BPF_IND, BPF_LD | BPF_B | BPF_IND, BPF_LD | BPF_IMM, BPF_LD | BPF_MEM,
	BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH, BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM,
	BPF_ST, BPF_STX, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA, BPF_RET | BPF_K, BPF_RET | BPF_A,
	BPF_JMP | BPF_JA, BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP | BPF_JEQ | BPF_X, BPF_JMP | BPF_JGE | BPF_K,
	BPF_JMP | BPF_JGE | BPF_X, BPF_JMP | BPF_JGT | BPF_K, BPF_JMP | BPF_JGT | BPF_X, BPF_JMP | BPF_JSET | BPF_K,
	BPF_JMP | BPF_JSET | BPF_X,
};

/* the ancillary loads bpf_anc_helper() knows */
static bool anc_known(uint32_t k)
{
	uint32_t off = k - (uint32_t)SKF_AD_OFF;
	return off < SKF_AD_MAX && off % 4 == 0;
}

static bool kernel_code_allowed(uint16_t code)
{
	for (size_t i = 0; i < sizeof(kernel_codes) / sizeof(kernel_codes[0]); i++)
		if (kernel_codes[i] == code)
			return true;
	return false;
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* mirrors check_load_and_stores(): a scratch cell is read only after a write on every path */
static int check_load_and_stores(const struct sock_filter *f, size_t len, struct bpfvm_log *log)
{
	uint16_t *masks = malloc(len * sizeof(*masks));
	uint16_t memvalid = 0;
	int ret = 0;
	if (!masks) {
		bpfvm_logf(log, "out of memory");
		return -ENOMEM;
	}
	for (size_t pc = 0; pc < len; pc++)
		masks[pc] = 0xffff;
	for (size_t pc = 0; pc < len; pc++) {
		memvalid &= masks[pc];
		uint16_t code = f[pc].code;
		if (code == BPF_ST || code == BPF_STX) {
			memvalid |= (uint16_t)(1u << f[pc].k);
		} else if (code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM)) {
			if (!(memvalid & (1u << f[pc].k))) {
				bpfvm_logf(log, "insn %zu: M[%u] may be read before it is written", pc, f[pc].k);
				ret = -EINVAL;
				break;
			}
		} else if (code == (BPF_JMP | BPF_JA)) {
			masks[pc + 1 + f[pc].k] &= memvalid;
			memvalid = 0xffff;
		} else if (is_cond_jump(code)) {
			masks[pc + 1 + f[pc].jt] &= memvalid;
			masks[pc + 1 + f[pc].jf] &= memvalid;
			memvalid = 0xffff;
		}
	}
	free(masks);
	return ret;
}

static int check_kernel(const struct sock_filter *f, size_t len, struct bpfvm_log *log)
{
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *ft = &f[pc];
		if (!kernel_code_allowed(ft->code)) {
			bpfvm_logf(log, "insn %zu: unknown opcode 0x%02x", pc, ft->code);
			return -EINVAL;
		}
		switch (ft->code) {
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_MOD | BPF_K:
			if (ft->k == 0) {
				bpfvm_logf(log, "insn %zu: division by constant zero", pc);
				return -EINVAL;
			}
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (ft->k >= 32) {
				bpfvm_logf(log, "insn %zu: shift by %u (>= 32)", pc, ft->k);
				return -EINVAL;
			}
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (ft->k >= BPF_MEMWORDS) {
				bpfvm_logf(log, "insn %zu: scratch memory index %u out of range (M[0..15])", pc, ft->k);
				return -EINVAL;
			}
			break;
		case BPF_JMP | BPF_JA:
			if (ft->k >= (uint32_t)(len - pc - 1)) {
				bpfvm_logf(log, "insn %zu: jump out of range (ja +%u)", pc, ft->k);
				return -EINVAL;
			}
			break;
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (ft->k >= (uint32_t)SKF_AD_OFF && !anc_known(ft->k)) {
				bpfvm_logf(log, "insn %zu: unknown ancillary load SKF_AD_OFF+%u", pc,
					   ft->k - (uint32_t)SKF_AD_OFF);
				return -EINVAL;
			}
			break;
		default:
			if (is_cond_jump(ft->code) && (pc + ft->jt + 1 >= len || pc + ft->jf + 1 >= len)) {
				bpfvm_logf(log, "insn %zu: jump out of range (jt %u, jf %u)", pc, ft->jt, ft->jf);
				return -EINVAL;
			}
		}
	}
	uint16_t last = f[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A)) {
		bpfvm_logf(log, "insn %zu: last instruction is not a return", len - 1);
		return -EINVAL;
	}
	return check_load_and_stores(f, len, log);
}

/* mirrors libpcap's bpf_validate() */
static int check_pcap(const struct sock_filter *f, size_t len, struct bpfvm_log *log)
{
	for (size_t i = 0; i < len; i++) {
		const struct sock_filter *p = &f[i];
		const char *why = NULL;
		switch (BPF_CLASS(p->code)) {
		case BPF_LD:
		case BPF_LDX:
			switch (BPF_MODE(p->code)) {
			case BPF_IMM: case BPF_ABS: case BPF_IND: case BPF_MSH: case BPF_LEN:
				break;
			case BPF_MEM:
				if (p->k >= BPF_MEMWORDS)
					why = "scratch memory index out of range";
				break;
			default:
				why = "unknown load mode";
			}
			break;
		case BPF_ST:
		case BPF_STX:
			if (p->k >= BPF_MEMWORDS)
				why = "scratch memory index out of range";
			break;
		case BPF_ALU:
			switch (BPF_OP(p->code)) {
			case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_OR: case BPF_AND: case BPF_XOR:
			case BPF_LSH: case BPF_RSH: case BPF_NEG:
				break;
			case BPF_DIV:
			case BPF_MOD:
				if (BPF_SRC(p->code) == BPF_K && p->k == 0)
					why = "division by constant zero";
				break;
			default:
				why = "unknown ALU operation";
			}
			break;
		case BPF_JMP: {
			uint64_t from = i + 1;
			switch (BPF_OP(p->code)) {
			case BPF_JA:
				/* u_int arithmetic as libpcap: a backward jump wraps around and is admitted, except onto
				 * itself (the one infinite loop this check can see) */
				if ((uint32_t)(from + p->k) >= len || (int32_t)p->k == -1)
					why = "jump out of range";
				break;
			case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET:
				if (from + p->jt >= len || from + p->jf >= len)
					why = "jump out of range";
				break;
			default:
				why = "unknown jump";
			}
			break;
		}
		case BPF_RET:
		case BPF_MISC:
			break;
		}
		if (why) {
			bpfvm_logf(log, "insn %zu: %s", i, why);
			return -EINVAL;
		}
	}
	if (BPF_CLASS(f[len - 1].code) != BPF_RET) {
		bpfvm_logf(log, "insn %zu: last instruction is not a return", len - 1);
		return -EINVAL;
	}
	return 0;
}

int cbpf_validate(const struct sock_filter *insns, size_t len, unsigned flags, struct bpfvm_log *log)
{
	if (!insns || len == 0) {
		bpfvm_logf(log, "empty classic program");
		return -EINVAL;
	}
	if (len > CBPF_MAXINSNS) {
		bpfvm_logf(log, "classic program too long: %zu instructions (max %d)", len, CBPF_MAXINSNS);
		return -EINVAL;
	}
	if (!(flags & (CBPF_CHECK_KERNEL | CBPF_CHECK_PCAP)))
		flags = CBPF_CHECK_KERNEL;
	int err = 0;
	if (flags & CBPF_CHECK_PCAP)
		err = check_pcap(insns, len, log);
	if (!err && (flags & CBPF_CHECK_KERNEL))
		err = check_kernel(insns, len, log);
	return err;
}
