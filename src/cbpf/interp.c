/* interp.c - the classic BPF machine: A, X, M[16] over one packet, with Linux's ancillary loads */
#include <stddef.h>
#include <string.h>

#include "cbpf/cbpf.h"

/* Where the bytes [k, k+size) of the packet are, following the kernel's bpf_skb_load_helper_*() and
 * bpf_internal_load_pointer_neg_helper(): k >= 0 is an offset from data; SKF_NET_OFF/SKF_LL_OFF + n is n bytes
 * from the network/link-layer header. NULL when outside the captured bytes. */
static const uint8_t *pkt_ptr(const struct cbpf_skb *skb, int32_t k, uint32_t size)
{
	int64_t off;
	if (k >= 0)
		off = k;
	else if (k >= SKF_NET_OFF)
		off = (int64_t)skb->net_off + ((int64_t)k - SKF_NET_OFF);
	else if (k >= SKF_LL_OFF)
		off = (int64_t)skb->mac_off + ((int64_t)k - SKF_LL_OFF);
	else
		return NULL;
	if (off < 0 || off + size > skb->caplen)
		return NULL;
	return skb->data + off;
}

static uint32_t load_be(const uint8_t *p, uint32_t size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return (uint32_t)p[0] << 8 | p[1];
	default: return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
}

static uint32_t size_of(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	default: return 4;
	}
}

/* struct nlattr walk as nla_find(): attributes of [start, start+len) of the packet, host byte order */
static uint32_t nla_find_off(const struct cbpf_skb *skb, uint32_t start, uint32_t len, uint32_t type)
{
	uint32_t end = start + len;
	while (start + 4 <= end) {
		uint16_t nla_len, nla_type;
		memcpy(&nla_len, skb->data + start, 2);
		memcpy(&nla_type, skb->data + start + 2, 2);
		if (nla_len < 4 || nla_len > end - start)
			break;
		if ((nla_type & 0x3fff) == type)
			return start;
		start += (nla_len + 3u) & ~3u;
	}
	return 0;
}

/* mirrors bpf_skb_get_nlattr() and bpf_skb_get_nlattr_nest() on the captured bytes */
static uint32_t get_nlattr(const struct cbpf_skb *skb, uint32_t a, uint32_t x, bool nest)
{
	uint32_t len = skb->caplen < skb->len ? skb->caplen : skb->len;
	if (len < 4 || a > len - 4)
		return 0;
	if (!nest)
		return nla_find_off(skb, a, len - a, x);
	uint16_t nla_len;
	memcpy(&nla_len, skb->data + a, 2);
	if (nla_len > len - a || nla_len < 4)
		return 0;
	return nla_find_off(skb, a + 4, nla_len - 4, x);
}

/* A ancillary load (k = SKF_AD_OFF + n). Returns false when the program ends here with A (no device). */
static bool ancillary(const struct cbpf_skb *skb, uint32_t k, uint32_t *a, uint32_t x)
{
	switch ((int32_t)k - SKF_AD_OFF) {
	case SKF_AD_PROTOCOL: *a = (uint32_t)(skb->protocol >> 8 | (skb->protocol & 0xff) << 8); break;
	case SKF_AD_PKTTYPE: *a = skb->pkttype & 7; break;
	case SKF_AD_IFINDEX:
	case SKF_AD_HATYPE:
		if (!skb->has_dev)
			return false;
		*a = (int32_t)k - SKF_AD_OFF == SKF_AD_IFINDEX ? skb->ifindex : skb->hatype;
		break;
	case SKF_AD_NLATTR: *a = get_nlattr(skb, *a, x, false); break;
	case SKF_AD_NLATTR_NEST: *a = get_nlattr(skb, *a, x, true); break;
	case SKF_AD_MARK: *a = skb->mark; break;
	case SKF_AD_QUEUE: *a = skb->queue; break;
	case SKF_AD_RXHASH: *a = skb->hash; break;
	case SKF_AD_CPU: *a = skb->cpu; break;
	case SKF_AD_ALU_XOR_X: *a ^= x; break;
	case SKF_AD_VLAN_TAG: *a = skb->vlan_tci; break;
	case SKF_AD_VLAN_TAG_PRESENT: *a = skb->vlan_present & 1; break;
	case SKF_AD_PAY_OFFSET: *a = skb->pay_off; break;
	case SKF_AD_RANDOM: *a = skb->random; break;
	case SKF_AD_VLAN_TPID: *a = (uint32_t)(skb->vlan_proto >> 8 | (skb->vlan_proto & 0xff) << 8); break;
	}
	return true;
}

static bool is_ancillary(uint32_t k)
{
	uint32_t off = k - (uint32_t)SKF_AD_OFF;
	return off < SKF_AD_MAX && off % 4 == 0;
}

/* libpcap's bounds rule for [k, k+size): unsigned, no wrap-around */
static const uint8_t *pcap_ptr(const struct cbpf_skb *skb, uint32_t k, uint32_t size)
{
	if (k > skb->caplen || size > skb->caplen - k)
		return NULL;
	return skb->data + k;
}

uint32_t cbpf_run(const struct sock_filter *insns, size_t len, const struct cbpf_skb *skb, unsigned flags)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };
	const bool pcap = flags & CBPF_RUN_PCAP;
	const uint8_t *p;
	size_t pc = 0;
	uint32_t back_jumps = 0;

	while (pc < len) {
		const struct sock_filter *f = &insns[pc++];
		uint32_t k = f->k;
		switch (f->code) {
		case BPF_RET | BPF_K:
			return k;
		case BPF_RET | BPF_A:
			return A;
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (!pcap && is_ancillary(k)) {
				if (!skb->has_meta)
					return 0;
				if (!ancillary(skb, k, &A, X))
					return A;
				break;
			}
			p = pcap ? pcap_ptr(skb, k, size_of(f->code)) : pkt_ptr(skb, (int32_t)k, size_of(f->code));
			if (!p)
				return 0;
			A = load_be(p, size_of(f->code));
			break;
		case BPF_LD | BPF_W | BPF_IND:
		case BPF_LD | BPF_H | BPF_IND:
		case BPF_LD | BPF_B | BPF_IND:
			if (pcap)
				p = X > UINT32_MAX - k ? NULL : pcap_ptr(skb, X + k, size_of(f->code));
			else
				p = pkt_ptr(skb, (int32_t)(X + k), size_of(f->code));
			if (!p)
				return 0;
			A = load_be(p, size_of(f->code));
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			A = skb->len;
			break;
		case BPF_LDX | BPF_W | BPF_LEN:
			X = skb->len;
			break;
		case BPF_LD | BPF_IMM:
			A = k;
			break;
		case BPF_LDX | BPF_IMM:
			X = k;
			break;
		case BPF_LD | BPF_MEM:
			A = M[k & 15];
			break;
		case BPF_LDX | BPF_MEM:
			X = M[k & 15];
			break;
		case BPF_LDX | BPF_B | BPF_MSH:
			p = pcap ? pcap_ptr(skb, k, 1) : pkt_ptr(skb, (int32_t)k, 1);
			if (!p)
				return 0;
			X = (uint32_t)(p[0] & 0xf) << 2;
			break;
		case BPF_ST:
			M[k & 15] = A;
			break;
		case BPF_STX:
			M[k & 15] = X;
			break;
		case BPF_JMP | BPF_JA:
			/* libpcap's protochain code jumps backwards (k negative); the kernel refuses such programs */
			if ((int32_t)k < 0 && ++back_jumps > CBPF_MAX_BACK_JUMPS)
				return 0;
			pc += (size_t)(ptrdiff_t)(int32_t)k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += A > k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += A >= k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += A == k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (A & k) ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGT | BPF_X: pc += A > X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGE | BPF_X: pc += A >= X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JEQ | BPF_X: pc += A == X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JSET | BPF_X: pc += (A & X) ? f->jt : f->jf; break;
		case BPF_ALU | BPF_ADD | BPF_X: A += X; break;
		case BPF_ALU | BPF_SUB | BPF_X: A -= X; break;
		case BPF_ALU | BPF_MUL | BPF_X: A *= X; break;
		case BPF_ALU | BPF_DIV | BPF_X:
			if (X == 0)
				return 0; /* the translation's "div/mod by 0 returns 0" */
			A /= X;
			break;
		case BPF_ALU | BPF_MOD | BPF_X:
			if (X == 0)
				return 0;
			A %= X;
			break;
		case BPF_ALU | BPF_AND | BPF_X: A &= X; break;
		case BPF_ALU | BPF_OR | BPF_X: A |= X; break;
		case BPF_ALU | BPF_XOR | BPF_X: A ^= X; break;
		case BPF_ALU | BPF_LSH | BPF_X:
			A = pcap ? (X < 32 ? A << X : 0) : A << (X & 31); /* eBPF masks the count */
			break;
		case BPF_ALU | BPF_RSH | BPF_X:
			A = pcap ? (X < 32 ? A >> X : 0) : A >> (X & 31);
			break;
		case BPF_ALU | BPF_ADD | BPF_K: A += k; break;
		case BPF_ALU | BPF_SUB | BPF_K: A -= k; break;
		case BPF_ALU | BPF_MUL | BPF_K: A *= k; break;
		case BPF_ALU | BPF_DIV | BPF_K:
			if (k == 0)
				return 0; /* rejected by the validator; never divide by zero here */
			A /= k;
			break;
		case BPF_ALU | BPF_MOD | BPF_K:
			if (k == 0)
				return 0;
			A %= k;
			break;
		case BPF_ALU | BPF_AND | BPF_K: A &= k; break;
		case BPF_ALU | BPF_OR | BPF_K: A |= k; break;
		case BPF_ALU | BPF_XOR | BPF_K: A ^= k; break;
		case BPF_ALU | BPF_LSH | BPF_K: A <<= (k & 31); break;
		case BPF_ALU | BPF_RSH | BPF_K: A >>= (k & 31); break;
		case BPF_ALU | BPF_NEG: A = 0u - A; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		default:
			return 0; /* not a classic instruction: the validator rejects it */
		}
	}
	return 0; /* fell off the end: only an unvalidated program gets here */
}
