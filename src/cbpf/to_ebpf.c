/* to_ebpf.c - classic BPF to eBPF, with the register and stack mapping of the kernel's bpf_convert_filter() */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/insn.h"
#include "cbpf/cbpf.h"
#include "common/log_internal.h"

/* the kernel's mapping (include/linux/filter.h) */
enum {
	REG_A = BPF_REG_0,
	REG_ARG1 = BPF_REG_1, /* scratch here: we call no helper */
	REG_TMP = BPF_REG_2,
	REG_CTX = BPF_REG_6,
	REG_X = BPF_REG_7,
	REG_D = BPF_REG_8, /* packet data, cached once */
	REG_H = BPF_REG_9, /* captured length (the kernel's headlen), cached once */
	REG_FP = BPF_REG_10,
};

#define SKB_OFF(field) ((int16_t)offsetof(struct cbpf_skb, field))

#define I(CODE, DST, SRC, OFF, IMM) BPFVM_INSN(CODE, DST, SRC, OFF, IMM)
#define ENDIAN_BE(DST, BITS) I(BPF_ALU | BPF_END | BPF_TO_BE, DST, 0, 0, BITS)

/* one pass over the classic program; addrs == NULL only sizes it */
struct xlat {
	const struct sock_filter *prog;
	size_t len;
	int *addrs;        /* eBPF index of each classic instruction */
	struct bpf_insn *out; /* NULL on the sizing pass */
	size_t cnt;
	bool seen_pkt;
	struct bpfvm_log *log;
};

static bool is_ancillary(uint32_t k)
{
	uint32_t off = k - (uint32_t)SKF_AD_OFF;
	return off < SKF_AD_MAX && off % 4 == 0;
}

static int bpf_size(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	default: return 4;
	}
}

/* the tail of every packet load: r2 holds the offset (>= 0 as s64); A = be(*(size *)(data + r2)) or return 0 */
static struct bpf_insn *emit_load_at_tmp(struct bpf_insn *insn, uint16_t code)
{
	int size = bpf_size(code);
	*insn++ = BPFVM_MOV64_REG(REG_ARG1, REG_H);
	*insn++ = BPFVM_ALU64_REG(BPF_SUB, REG_ARG1, REG_TMP);
	*insn++ = BPFVM_JMP_IMM(BPF_JSGE, REG_ARG1, size, 2);
	*insn++ = BPFVM_MOV32_IMM(REG_A, 0);
	*insn++ = BPFVM_EXIT();
	*insn++ = BPFVM_ALU64_REG(BPF_ADD, REG_TMP, REG_D);
	*insn++ = BPFVM_LDX_MEM(BPF_SIZE(code), REG_A, REG_TMP, 0);
	if (size > 1)
		*insn++ = ENDIAN_BE(REG_A, size * 8);
	return insn;
}

/* A = packet[k] for a constant k: mirrors convert_bpf_ld_abs()'s fast path, and the negative-offset helper */
static struct bpf_insn *emit_ld_abs(struct bpf_insn *insn, uint16_t code, uint32_t k)
{
	int32_t off = (int32_t)k;
	int size = bpf_size(code);
	if (off >= 0) {
		*insn++ = BPFVM_MOV64_REG(REG_TMP, REG_H);
		if (off)
			*insn++ = BPFVM_ALU64_IMM(BPF_SUB, REG_TMP, off);
		*insn++ = BPFVM_JMP_IMM(BPF_JSGE, REG_TMP, size, 2);
		*insn++ = BPFVM_MOV32_IMM(REG_A, 0);
		*insn++ = BPFVM_EXIT();
		if (off <= INT16_MAX) {
			*insn++ = BPFVM_LDX_MEM(BPF_SIZE(code), REG_A, REG_D, (int16_t)off);
		} else {
			*insn++ = BPFVM_MOV64_REG(REG_TMP, REG_D);
			*insn++ = BPFVM_ALU64_IMM(BPF_ADD, REG_TMP, off);
			*insn++ = BPFVM_LDX_MEM(BPF_SIZE(code), REG_A, REG_TMP, 0);
		}
		if (size > 1)
			*insn++ = ENDIAN_BE(REG_A, size * 8);
		return insn;
	}
	if (off < SKF_LL_OFF) { /* bpf_internal_load_pointer_neg_helper() finds nothing: the program returns 0 */
		*insn++ = BPFVM_MOV32_IMM(REG_A, 0);
		*insn++ = BPFVM_EXIT();
		return insn;
	}
	bool net = off >= SKF_NET_OFF;
	*insn++ = BPFVM_LDX_MEM(BPF_W, REG_TMP, REG_CTX, net ? SKB_OFF(net_off) : SKB_OFF(mac_off));
	*insn++ = BPFVM_ALU64_IMM(BPF_ADD, REG_TMP, net ? off - SKF_NET_OFF : off - SKF_LL_OFF);
	return emit_load_at_tmp(insn, code);
}

/* A = packet[(s32)(X + k)]: the kernel passes X + k to its load helper as an int */
static struct bpf_insn *emit_ld_ind(struct bpf_insn *insn, uint16_t code, uint32_t k)
{
	*insn++ = BPFVM_INSN(BPF_ALU | BPF_MOV | BPF_X, REG_TMP, REG_X, 0, 0);
	if (k)
		*insn++ = BPFVM_ALU32_IMM(BPF_ADD, REG_TMP, (int32_t)k);
	*insn++ = BPFVM_ALU64_IMM(BPF_LSH, REG_TMP, 32);
	*insn++ = BPFVM_ALU64_IMM(BPF_ARSH, REG_TMP, 32);
	*insn++ = BPFVM_JMP_IMM(BPF_JSGE, REG_TMP, 0, 9);                  /* -> load */
	*insn++ = BPFVM_JMP_IMM(BPF_JSLT, REG_TMP, SKF_LL_OFF, 14 + (bpf_size(code) > 1)); /* -> fail */
	*insn++ = BPFVM_JMP_IMM(BPF_JSLT, REG_TMP, SKF_NET_OFF, 4);        /* -> link-layer relative */
	*insn++ = BPFVM_LDX_MEM(BPF_W, REG_ARG1, REG_CTX, SKB_OFF(net_off));
	*insn++ = BPFVM_ALU64_REG(BPF_ADD, REG_TMP, REG_ARG1);
	*insn++ = BPFVM_ALU64_IMM(BPF_ADD, REG_TMP, -SKF_NET_OFF);
	*insn++ = BPFVM_JA(3);                                             /* -> load */
	*insn++ = BPFVM_LDX_MEM(BPF_W, REG_ARG1, REG_CTX, SKB_OFF(mac_off));
	*insn++ = BPFVM_ALU64_REG(BPF_ADD, REG_TMP, REG_ARG1);
	*insn++ = BPFVM_ALU64_IMM(BPF_ADD, REG_TMP, -SKF_LL_OFF);
	/* load: */
	*insn++ = BPFVM_MOV64_REG(REG_ARG1, REG_H);
	*insn++ = BPFVM_ALU64_REG(BPF_SUB, REG_ARG1, REG_TMP);
	*insn++ = BPFVM_JMP_IMM(BPF_JSLT, REG_ARG1, bpf_size(code), 3 + (bpf_size(code) > 1)); /* -> fail */
	*insn++ = BPFVM_ALU64_REG(BPF_ADD, REG_TMP, REG_D);
	*insn++ = BPFVM_LDX_MEM(BPF_SIZE(code), REG_A, REG_TMP, 0);
	if (bpf_size(code) > 1)
		*insn++ = ENDIAN_BE(REG_A, bpf_size(code) * 8);
	*insn++ = BPFVM_JA(2);
	/* fail: */
	*insn++ = BPFVM_MOV32_IMM(REG_A, 0);
	*insn++ = BPFVM_EXIT();
	return insn;
}

/* mirrors convert_bpf_extensions(), reading struct cbpf_skb instead of sk_buff; NULL = not translatable */
static struct bpf_insn *emit_ancillary(struct bpf_insn *insn, uint32_t k)
{
	switch ((int32_t)k - SKF_AD_OFF) {
	case SKF_AD_PROTOCOL:
		*insn++ = BPFVM_LDX_MEM(BPF_H, REG_A, REG_CTX, SKB_OFF(protocol));
		*insn++ = ENDIAN_BE(REG_A, 16);
		break;
	case SKF_AD_PKTTYPE:
		*insn++ = BPFVM_LDX_MEM(BPF_B, REG_A, REG_CTX, SKB_OFF(pkttype));
		*insn++ = BPFVM_ALU32_IMM(BPF_AND, REG_A, 7); /* PKT_TYPE_MAX */
		break;
	case SKF_AD_IFINDEX:
	case SKF_AD_HATYPE:
		*insn++ = BPFVM_LDX_MEM(BPF_W, REG_TMP, REG_CTX, SKB_OFF(has_dev));
		*insn++ = BPFVM_JMP_IMM(BPF_JNE, REG_TMP, 0, 1);
		*insn++ = BPFVM_EXIT();
		if ((int32_t)k - SKF_AD_OFF == SKF_AD_IFINDEX)
			*insn++ = BPFVM_LDX_MEM(BPF_W, REG_A, REG_CTX, SKB_OFF(ifindex));
		else
			*insn++ = BPFVM_LDX_MEM(BPF_H, REG_A, REG_CTX, SKB_OFF(hatype));
		break;
	case SKF_AD_MARK: *insn++ = BPFVM_LDX_MEM(BPF_W, REG_A, REG_CTX, SKB_OFF(mark)); break;
	case SKF_AD_QUEUE: *insn++ = BPFVM_LDX_MEM(BPF_H, REG_A, REG_CTX, SKB_OFF(queue)); break;
	case SKF_AD_RXHASH: *insn++ = BPFVM_LDX_MEM(BPF_W, REG_A, REG_CTX, SKB_OFF(hash)); break;
	case SKF_AD_CPU: *insn++ = BPFVM_LDX_MEM(BPF_W, REG_A, REG_CTX, SKB_OFF(cpu)); break;
	case SKF_AD_RANDOM: *insn++ = BPFVM_LDX_MEM(BPF_W, REG_A, REG_CTX, SKB_OFF(random)); break;
	case SKF_AD_PAY_OFFSET: *insn++ = BPFVM_LDX_MEM(BPF_W, REG_A, REG_CTX, SKB_OFF(pay_off)); break;
	case SKF_AD_VLAN_TAG: *insn++ = BPFVM_LDX_MEM(BPF_H, REG_A, REG_CTX, SKB_OFF(vlan_tci)); break;
	case SKF_AD_VLAN_TAG_PRESENT:
		*insn++ = BPFVM_LDX_MEM(BPF_B, REG_A, REG_CTX, SKB_OFF(vlan_present));
		*insn++ = BPFVM_ALU32_IMM(BPF_AND, REG_A, 1);
		break;
	case SKF_AD_VLAN_TPID:
		*insn++ = BPFVM_LDX_MEM(BPF_H, REG_A, REG_CTX, SKB_OFF(vlan_proto));
		*insn++ = ENDIAN_BE(REG_A, 16);
		break;
	case SKF_AD_ALU_XOR_X: *insn++ = BPFVM_ALU32_REG(BPF_XOR, REG_A, REG_X); break;
	default:
		return NULL; /* SKF_AD_NLATTR, SKF_AD_NLATTR_NEST */
	}
	return insn;
}

/* set insn->off to reach classic instruction target; insn is at tmp[pos] of classic instruction i */
static int set_jump(struct xlat *x, struct bpf_insn *insn, size_t i, size_t pos, size_t target)
{
	if (target >= x->len) {
		bpfvm_logf(x->log, "insn %zu: jump out of range", i);
		return -EINVAL;
	}
	long off = x->addrs ? (long)x->addrs[target] - (long)x->addrs[i] - 1 - (long)pos : 0;
	if (off < INT16_MIN || off > INT16_MAX) {
		bpfvm_logf(x->log, "insn %zu: translated jump offset %ld does not fit 16 bits", i, off);
		return -E2BIG;
	}
	insn->off = (int16_t)off;
	return 0;
}

static int emit_jump(struct xlat *x, size_t i, struct bpf_insn *tmp, struct bpf_insn **insnp)
{
	const struct sock_filter *fp = &x->prog[i];
	struct bpf_insn *insn = *insnp;
	uint8_t src;
	int err;

	if (BPF_OP(fp->code) == BPF_JA) {
		*insn = BPFVM_JA(0);
		err = set_jump(x, insn, i, insn - tmp, i + 1 + fp->k);
		*insnp = insn + 1;
		return err;
	}
	if (BPF_SRC(fp->code) == BPF_K && (int32_t)fp->k < 0) {
		/* eBPF immediates are sign-extended: compare with a zero-extended register instead */
		*insn++ = BPFVM_MOV32_IMM(REG_TMP, (int32_t)fp->k);
		*insn = BPFVM_INSN(0, REG_A, REG_TMP, 0, 0);
		src = BPF_X;
	} else if (BPF_SRC(fp->code) == BPF_K) {
		*insn = BPFVM_INSN(0, REG_A, 0, 0, (int32_t)fp->k);
		src = BPF_K;
	} else {
		*insn = BPFVM_INSN(0, REG_A, REG_X, 0, 0);
		src = BPF_X;
	}
	if (fp->jf == 0) { /* common case: false falls through */
		insn->code = BPF_JMP | BPF_OP(fp->code) | src;
		err = set_jump(x, insn, i, insn - tmp, i + 1 + fp->jt);
		*insnp = insn + 1;
		return err;
	}
	if (fp->jt == 0 && BPF_OP(fp->code) != BPF_JSET) { /* true falls through: invert */
		static const uint8_t inv[] = { [BPF_JEQ >> 4] = BPF_JNE, [BPF_JGT >> 4] = BPF_JLE,
					       [BPF_JGE >> 4] = BPF_JLT };
		insn->code = BPF_JMP | inv[BPF_OP(fp->code) >> 4] | src;
		err = set_jump(x, insn, i, insn - tmp, i + 1 + fp->jf);
		*insnp = insn + 1;
		return err;
	}
	insn->code = BPF_JMP | BPF_OP(fp->code) | src;
	err = set_jump(x, insn, i, insn - tmp, i + 1 + fp->jt);
	if (err)
		return err;
	insn++;
	*insn = BPFVM_JA(0);
	err = set_jump(x, insn, i, insn - tmp, i + 1 + fp->jf);
	*insnp = insn + 1;
	return err;
}

/* translate classic instruction i into tmp; returns the count or a negative errno */
static int convert_one(struct xlat *x, size_t i, struct bpf_insn *tmp)
{
	const struct sock_filter *fp = &x->prog[i];
	struct bpf_insn *insn = tmp;
	uint32_t k = fp->k;
	int err;

	switch (fp->code) {
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_OR | BPF_K:  case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		*insn++ = BPFVM_INSN(fp->code, REG_A, 0, 0, (int32_t)k);
		break;
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_X:
		/* cBPF: division by X == 0 returns 0 */
		*insn++ = BPFVM_INSN(BPF_ALU | BPF_MOV | BPF_X, REG_X, REG_X, 0, 0);
		*insn++ = BPFVM_JMP_IMM(BPF_JNE, REG_X, 0, 2);
		*insn++ = BPFVM_ALU32_REG(BPF_XOR, REG_A, REG_A);
		*insn++ = BPFVM_EXIT();
		/* fallthrough */
	case BPF_ALU | BPF_ADD | BPF_X: case BPF_ALU | BPF_SUB | BPF_X: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_AND | BPF_X: case BPF_ALU | BPF_OR | BPF_X:  case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_X: case BPF_ALU | BPF_RSH | BPF_X:
		*insn++ = BPFVM_INSN(fp->code, REG_A, REG_X, 0, 0);
		break;
	case BPF_ALU | BPF_NEG:
		*insn++ = BPFVM_INSN(BPF_ALU | BPF_NEG, REG_A, 0, 0, 0);
		break;
	case BPF_LD | BPF_ABS | BPF_W:
	case BPF_LD | BPF_ABS | BPF_H:
	case BPF_LD | BPF_ABS | BPF_B:
		if (is_ancillary(k)) {
			/* no metadata (a packet from a file): the load fails, the program returns 0 */
			*insn++ = BPFVM_LDX_MEM(BPF_W, REG_TMP, REG_CTX, SKB_OFF(has_meta));
			*insn++ = BPFVM_JMP_IMM(BPF_JNE, REG_TMP, 0, 2);
			*insn++ = BPFVM_MOV32_IMM(REG_A, 0);
			*insn++ = BPFVM_EXIT();
			insn = emit_ancillary(insn, k);
			if (!insn) {
				bpfvm_logf(x->log, "insn %zu: ancillary load SKF_AD_OFF+%u needs a kernel helper; not translated",
					   i, k - (uint32_t)SKF_AD_OFF);
				return -EOPNOTSUPP;
			}
			break;
		}
		x->seen_pkt = true;
		insn = emit_ld_abs(insn, fp->code, k);
		break;
	case BPF_LD | BPF_IND | BPF_W:
	case BPF_LD | BPF_IND | BPF_H:
	case BPF_LD | BPF_IND | BPF_B:
		x->seen_pkt = true;
		insn = emit_ld_ind(insn, fp->code, k);
		break;
	case BPF_LDX | BPF_MSH | BPF_B:
		/* X = 4 * (pkt[k] & 0xf), through A as the kernel does */
		x->seen_pkt = true;
		*insn++ = BPFVM_MOV64_REG(REG_X, REG_A);
		insn = emit_ld_abs(insn, BPF_LD | BPF_ABS | BPF_B, k);
		*insn++ = BPFVM_ALU32_IMM(BPF_AND, REG_A, 0xf);
		*insn++ = BPFVM_ALU32_IMM(BPF_LSH, REG_A, 2);
		*insn++ = BPFVM_MOV64_REG(REG_TMP, REG_X);
		*insn++ = BPFVM_MOV64_REG(REG_X, REG_A);
		*insn++ = BPFVM_MOV64_REG(REG_A, REG_TMP);
		break;
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
		err = emit_jump(x, i, tmp, &insn);
		if (err)
			return err;
		break;
	case BPF_RET | BPF_K:
		*insn++ = BPFVM_MOV32_IMM(REG_A, (int32_t)k);
		*insn++ = BPFVM_EXIT();
		break;
	case BPF_RET | BPF_A:
		*insn++ = BPFVM_EXIT();
		break;
	case BPF_ST:
	case BPF_STX:
		*insn++ = BPFVM_STX_MEM(BPF_W, REG_FP, fp->code == BPF_ST ? REG_A : REG_X, -(int16_t)(k * 4 + 4));
		break;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
		*insn++ = BPFVM_LDX_MEM(BPF_W, BPF_CLASS(fp->code) == BPF_LD ? REG_A : REG_X, REG_FP,
					-(int16_t)(k * 4 + 4));
		break;
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
		*insn++ = BPFVM_MOV32_IMM(BPF_CLASS(fp->code) == BPF_LD ? REG_A : REG_X, (int32_t)k);
		break;
	case BPF_MISC | BPF_TAX:
		*insn++ = BPFVM_MOV64_REG(REG_X, REG_A);
		break;
	case BPF_MISC | BPF_TXA:
		*insn++ = BPFVM_MOV64_REG(REG_A, REG_X);
		break;
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
		*insn++ = BPFVM_LDX_MEM(BPF_W, BPF_CLASS(fp->code) == BPF_LD ? REG_A : REG_X, REG_CTX, SKB_OFF(len));
		break;
	default:
		bpfvm_logf(x->log, "insn %zu: unknown opcode 0x%02x", i, fp->code);
		return -EINVAL;
	}
	return (int)(insn - tmp);
}

static int do_pass(struct xlat *x)
{
	struct bpf_insn tmp[32];
	/* prologue: A = X = 0, ctx kept in r6, packet pointer and length cached (as the kernel's skb->data/headlen) */
	struct bpf_insn prologue[] = {
		BPFVM_ALU32_REG(BPF_XOR, REG_A, REG_A),
		BPFVM_ALU32_REG(BPF_XOR, REG_X, REG_X),
		BPFVM_MOV64_REG(REG_CTX, BPF_REG_1),
		BPFVM_LDX_MEM(BPF_DW, REG_D, REG_CTX, SKB_OFF(data)),
		BPFVM_LDX_MEM(BPF_W, REG_H, REG_CTX, SKB_OFF(caplen)),
	};
	size_t np = x->seen_pkt ? 5 : 3;
	if (x->out)
		memcpy(x->out, prologue, np * sizeof(prologue[0]));
	x->cnt = np;
	for (size_t i = 0; i < x->len; i++) {
		if (!x->out)
			x->addrs[i] = (int)x->cnt;
		int n = convert_one(x, i, tmp);
		if (n < 0)
			return n;
		if (x->out)
			memcpy(x->out + x->cnt, tmp, (size_t)n * sizeof(tmp[0]));
		x->cnt += (size_t)n;
	}
	return 0;
}

int cbpf_to_ebpf(const struct sock_filter *insns, size_t len, struct bpf_insn **out, size_t *out_cnt,
		 struct bpfvm_log *log)
{
	int err = cbpf_validate(insns, len, CBPF_CHECK_KERNEL, log);
	if (err)
		return err;
	struct xlat x = { .prog = insns, .len = len, .log = log };
	x.addrs = calloc(len, sizeof(int));
	if (!x.addrs) {
		bpfvm_logf(log, "out of memory");
		return -ENOMEM;
	}
	/* sizing pass: find seen_pkt, then size again with the right prologue to place every instruction */
	struct xlat probe = x;
	err = do_pass(&probe);
	if (!err) {
		x.seen_pkt = probe.seen_pkt;
		err = do_pass(&x);
	}
	if (!err) {
		x.out = calloc(x.cnt, sizeof(struct bpf_insn));
		if (!x.out) {
			bpfvm_logf(log, "out of memory");
			err = -ENOMEM;
		} else {
			size_t cnt = x.cnt;
			err = do_pass(&x);
			if (!err && x.cnt != cnt) {
				bpfvm_logf(log, "internal error: translation size changed between passes");
				err = -EFAULT;
			}
		}
	}
	free(x.addrs);
	if (err) {
		free(x.out);
		return err;
	}
	*out = x.out;
	*out_cnt = x.cnt;
	return 0;
}
