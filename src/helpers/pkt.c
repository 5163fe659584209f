/* pkt.c - the helpers that change packets, on the contexts a bpfvm test run builds: bpf_skb_store_bytes,
 * bpf_l3_csum_replace, bpf_l4_csum_replace, bpf_csum_diff, bpf_xdp_adjust_head, bpf_xdp_adjust_tail and
 * bpf_redirect (a verdict recorded in the run). Checksums follow the kernel's arithmetic bit for bit, for an skb
 * whose checksum is not offloaded (CHECKSUM_NONE, as in BPF_PROG_TEST_RUN). */
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <string.h>

#include "helpers/impl.h"
#include "interp/prog.h"
#include "interp/run.h"
#include "progtypes/ctx_layout.h"

#define XDP_FRAME_SIZE 40 /* sizeof(struct xdp_frame): the headroom xdp_adjust_head leaves for it */

static uint64_t err_ret(int err)
{
	return (uint64_t)(int64_t)err;
}

/* the trailer of a context built by a bpfvm test run, or NULL (a context from elsewhere) */
static struct bpfvm_ctx_trailer *trailer(uint64_t ctx, bool xdp)
{
	struct bpfvm_ctx_trailer *t = xdp ? &((struct bpfvm_xdp_ctx *)(uintptr_t)ctx)->t :
					     &((struct bpfvm_skb_ctx *)(uintptr_t)ctx)->t;
	return t->magic == BPFVM_CTX_MAGIC ? t : NULL;
}

/* the skb's bytes [off, off + len) to write, or NULL (bpf_try_make_writable fails: beyond skb->len) */
static uint8_t *skb_bytes(uint64_t ctx, uint64_t off, uint64_t len)
{
	struct bpfvm_ctx_trailer *t = trailer(ctx, false);
	if (!t || off > INT_MAX || off + len > t->data_end - t->data)
		return NULL;
	return (uint8_t *)(uintptr_t)(t->data + off);
}

/* bpf_skb_store_bytes(skb, offset, from, len, flags) */
HELPER(bpf_skb_store_bytes)
{
	const void *from = (const void *)(uintptr_t)r3;
	if (!bpfvm_run_helper_access(rc, from, (size_t)r4, false, "bpf_skb_store_bytes"))
		return 0;
	if (r5 & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
		return err_ret(-EINVAL);
	uint8_t *to = skb_bytes(r1, r2, r4);
	if (!to)
		return err_ret(-EFAULT);
	memmove(to, from, (size_t)r4);
	if (r5 & BPF_F_INVALIDATE_HASH) /* skb_clear_hash */
		((struct __sk_buff *)(uintptr_t)r1)->hash = 0;
	return 0;
}

/* one's complement arithmetic as include/net/checksum.h does it, on values as they lie in memory */
static uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;
	return s + (s < b);
}

static uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

static uint16_t csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t csum16_add(uint16_t csum, uint16_t addend)
{
	uint16_t res = (uint16_t)(csum + addend);
	return (uint16_t)(res + (res < addend));
}

static uint16_t load16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void store16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* the 16-bit checksum at offset of the skb, after the checks both csum_replace helpers make */
static uint8_t *csum_field(uint64_t ctx, uint64_t off)
{
	if (off > 0xffff || (off & 1))
		return NULL;
	return skb_bytes(ctx, off, 2);
}

/* bpf_l3_csum_replace(skb, offset, from, to, flags): flags' low bits the field size (0: `to` is a csum_diff) */
HELPER(bpf_l3_csum_replace)
{
	(void)rc;
	if (r5 & ~BPF_F_HDR_FIELD_MASK)
		return err_ret(-EINVAL);
	uint8_t *p = csum_field(r1, r2);
	if (!p)
		return err_ret(-EFAULT);
	uint16_t sum = load16(p);
	switch (r5 & BPF_F_HDR_FIELD_MASK) {
	case 0: /* csum_replace_by_diff */
		if (r3)
			return err_ret(-EINVAL);
		store16(p, csum_fold(csum_add((uint32_t)r4, ~(uint32_t)sum)));
		return 0;
	case 2: /* csum_replace2: 16-bit one's complement */
		store16(p, (uint16_t)~csum16_add(csum16_add((uint16_t)~sum, (uint16_t)~(uint16_t)r3), (uint16_t)r4));
		return 0;
	case 4: /* csum_replace4 */
		store16(p, csum_fold(csum_add(csum_sub(~(uint32_t)sum, (uint32_t)r3), (uint32_t)r4)));
		return 0;
	default:
		return err_ret(-EINVAL);
	}
}

/* bpf_l4_csum_replace(skb, offset, from, to, flags): inet_proto_csum_replace* for an skb not CHECKSUM_PARTIAL */
HELPER(bpf_l4_csum_replace)
{
	(void)rc;
	if (r5 & ~(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6))
		return err_ret(-EINVAL);
	uint8_t *p = csum_field(r1, r2);
	if (!p)
		return err_ret(-EFAULT);
	uint16_t sum = load16(p);
	bool mmzero = r5 & BPF_F_MARK_MANGLED_0;
	if (mmzero && !(r5 & BPF_F_MARK_ENFORCE) && !sum)
		return 0; /* a UDP checksum of zero means none: left alone */
	switch (r5 & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (r3)
			return err_ret(-EINVAL);
		sum = csum_fold(csum_add((uint32_t)r4, ~(uint32_t)sum));
		break;
	case 2: /* inet_proto_csum_replace2 widens to 32 bits */
	case 4:
		sum = csum_fold(csum_add(csum_sub(~(uint32_t)sum, (uint32_t)((r5 & 0xf) == 2 ? (uint16_t)r3 : r3)),
					 (uint32_t)((r5 & 0xf) == 2 ? (uint16_t)r4 : r4)));
		break;
	default:
		return err_ret(-EINVAL);
	}
	if (mmzero && !sum)
		sum = 0xffff; /* CSUM_MANGLED_0 */
	store16(p, sum);
	return 0;
}

/* x86-64's csum_partial: 64-bit sums of little-endian words with end-around carry (a tail of 1-3 bytes as a
 * zero-padded u32), folded to 32 bits */
static uint32_t csum_partial(const uint8_t *p, size_t len, uint32_t seed)
{
	uint64_t t = seed;
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		t += w;
		t += t < w;
	}
	if (len & 4) {
		uint32_t w;
		memcpy(&w, p + (len & ~(size_t)7), 4);
		t += w;
		t += t < w;
	}
	if (len & 3) {
		uint32_t w = 0;
		memcpy(&w, p + (len & ~(size_t)3), len & 3);
		t += w;
		t += t < w;
	}
	t += (t >> 32) | (t << 32); /* from64to32 */
	return (uint32_t)(t >> 32);
}

/* bpf_csum_diff(from, from_size, to, to_size, seed): seed + sum(to) - sum(from) in one's complement, folded to
 * 16 bits (csum_from32to16), computed the way Linux 6.18 splits it; sizes need not be multiples of 4 any more */
HELPER(bpf_csum_diff)
{
	const uint8_t *from = (const uint8_t *)(uintptr_t)r1, *to = (const uint8_t *)(uintptr_t)r3;
	uint32_t seed = (uint32_t)r5, sum;
	if ((r2 && !bpfvm_run_helper_access(rc, from, (size_t)r2, false, "bpf_csum_diff")) ||
	    (r4 && !bpfvm_run_helper_access(rc, to, (size_t)r4, false, "bpf_csum_diff")))
		return 0;
	if (r2 && r4)
		sum = csum_sub(csum_partial(to, (size_t)r4, seed), csum_partial(from, (size_t)r2, 0));
	else if (r4)
		sum = csum_partial(to, (size_t)r4, seed);
	else if (r2)
		sum = ~csum_partial(from, (size_t)r2, ~seed);
	else
		sum = seed;
	sum += (sum >> 16) | (sum << 16); /* csum_from32to16 */
	return sum >> 16;
}

/* bpf_xdp_adjust_head(xdp, delta): data moves within the headroom, leaving room for struct xdp_frame, and keeps
 * at least an Ethernet header before data_end */
HELPER(bpf_xdp_adjust_head)
{
	(void)rc;
	struct xdp_md *x = (struct xdp_md *)(uintptr_t)r1;
	struct bpfvm_ctx_trailer *t = trailer(r1, true);
	if (!t)
		return err_ret(-EOPNOTSUPP);
	int64_t data = (int64_t)x->data + (int32_t)r2;
	uint64_t metalen = x->data - x->data_meta;
	if (data < (int64_t)(t->head + XDP_FRAME_SIZE + metalen) || data > (int64_t)x->data_end - ETH_HLEN)
		return err_ret(-EINVAL);
	if (metalen)
		memmove((void *)(uintptr_t)(x->data_meta + (int32_t)r2), (void *)(uintptr_t)x->data_meta, metalen);
	x->data_meta += (uint32_t)(int32_t)r2;
	x->data = (uint32_t)data;
	return 0;
}

/* bpf_xdp_adjust_tail(xdp, delta): data_end moves up to the frame's end less its tailroom (grown bytes zeroed),
 * down to an Ethernet header after data */
HELPER(bpf_xdp_adjust_tail)
{
	(void)rc;
	struct xdp_md *x = (struct xdp_md *)(uintptr_t)r1;
	struct bpfvm_ctx_trailer *t = trailer(r1, true);
	if (!t)
		return err_ret(-EOPNOTSUPP);
	int64_t end = (int64_t)x->data_end + (int32_t)r2;
	if (end > (int64_t)(t->end - BPFVM_XDP_TAILROOM) || end < (int64_t)x->data + ETH_HLEN)
		return err_ret(-EINVAL);
	if ((int32_t)r2 > 0)
		memset((void *)(uintptr_t)x->data_end, 0, (size_t)(int32_t)r2);
	x->data_end = (uint32_t)end;
	return 0;
}

/* bpf_redirect(ifindex, flags): the verdict, with the target kept for the caller (struct bpfvm_run_ctx) */
HELPER(bpf_redirect)
{
	(void)r3;
	(void)r4;
	(void)r5;
	bool xdp = rc->prog && rc->prog->prog_type == BPF_PROG_TYPE_XDP;
	if (xdp ? r2 != 0 : (r2 & ~BPF_F_INGRESS) != 0)
		return xdp ? XDP_ABORTED : TC_ACT_SHOT;
	rc->redirect_ifindex = (uint32_t)r1;
	rc->redirect_flags = (uint32_t)r2;
	rc->redirected = true;
	return xdp ? XDP_REDIRECT : TC_ACT_REDIRECT;
}
