/* pkt_helpers.bpf.c - the helpers that change packets: skb_store_bytes, l3/l4_csum_replace (each field size, by
 * diff, pseudo-header, mangled zero), csum_diff, xdp_adjust_head/tail to their limits, and bpf_redirect as the
 * verdict; every helper result lands in `results` for the comparison with the kernel */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

long results[24];

#define IP_OFF ETH_HLEN
#define IP_CSUM (IP_OFF + 10)
#define IP_DST (IP_OFF + 16)
#define UDP_OFF (IP_OFF + 20)
#define UDP_CSUM (UDP_OFF + 6)
#define UDP_DPORT (UDP_OFF + 2)

SEC("tc")
int tc_rewrite(struct __sk_buff *skb)
{
	__u32 old_dst = 0, new_dst = bpf_htonl(0xc0a80001); /* 192.168.0.1 */
	__u16 old_port = 0, new_port = bpf_htons(53), csum = 0, seed_csum = bpf_htons(0x1234);
	bpf_skb_load_bytes(skb, IP_DST, &old_dst, 4);
	bpf_skb_load_bytes(skb, UDP_DPORT, &old_port, 2);
	/* the UDP checksum is 0 (none): MARK_MANGLED_0 leaves it alone */
	results[0] = bpf_l4_csum_replace(skb, UDP_CSUM, old_dst, new_dst, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | 4);
	/* give it one, then change the address, the port and by a diff */
	results[1] = bpf_skb_store_bytes(skb, UDP_CSUM, &seed_csum, 2, 0);
	results[2] = bpf_l4_csum_replace(skb, UDP_CSUM, old_dst, new_dst, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | 4);
	results[3] = bpf_l3_csum_replace(skb, IP_CSUM, old_dst, new_dst, 4);
	results[4] = bpf_skb_store_bytes(skb, IP_DST, &new_dst, 4, BPF_F_INVALIDATE_HASH);
	results[5] = bpf_l4_csum_replace(skb, UDP_CSUM, old_port, new_port, 2);
	results[6] = bpf_skb_store_bytes(skb, UDP_DPORT, &new_port, 2, BPF_F_RECOMPUTE_CSUM);
	__u32 words[2] = { 0x01020304, 0xa0b0c0d0 }, other[2] = { 0x11111111, 0xfffffffe };
	long diff = bpf_csum_diff(words, 8, other, 8, 0x5555);
	results[7] = diff;
	results[8] = bpf_l3_csum_replace(skb, IP_CSUM, 0, diff, 0);
	results[9] = bpf_l3_csum_replace(skb, IP_CSUM, old_port, new_port, 2);
	results[10] = bpf_csum_diff(words, 4, 0, 0, 0);
	results[11] = bpf_csum_diff(words, 7, other, 5, 0x77);	       /* tails of 3 and 1 bytes */
	results[12] = bpf_skb_store_bytes(skb, skb->len - 1, &new_dst, 4, 0); /* past the end */
	results[13] = bpf_skb_store_bytes(skb, 0, &new_dst, 4, 1ull << 2);    /* unknown flag */
	results[14] = bpf_l3_csum_replace(skb, IP_CSUM + 1, 0, 0, 2);	       /* odd offset */
	results[15] = bpf_l3_csum_replace(skb, IP_CSUM, 1, 2, 3);	       /* bad size */
	results[16] = bpf_l3_csum_replace(skb, IP_CSUM, 1, 2, BPF_F_PSEUDO_HDR | 2);
	results[17] = bpf_l4_csum_replace(skb, UDP_CSUM, 1, 2, 1ull << 9);
	results[18] = bpf_l3_csum_replace(skb, IP_CSUM, 5, 2, 0);	       /* by diff, from not 0 */
	bpf_skb_load_bytes(skb, UDP_CSUM, &csum, 2);
	results[19] = csum;
	results[20] = bpf_redirect(3, 1ull << 3); /* an unknown flag: TC_ACT_SHOT */
	return bpf_redirect(7, BPF_F_INGRESS);
}

SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	results[0] = bpf_xdp_adjust_head(ctx, -217);
	results[1] = bpf_xdp_adjust_head(ctx, -216);
	results[2] = bpf_xdp_adjust_head(ctx, 216 - 8); /* 8 bytes pushed in front, net */
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 8 > end)
		return XDP_DROP;
	__builtin_memset(data, 0xab, 8);
	results[3] = (long)(end - data);
	results[4] = bpf_xdp_adjust_tail(ctx, 100); /* grown bytes are zero */
	results[5] = bpf_xdp_adjust_tail(ctx, 4096);
	results[6] = bpf_xdp_adjust_tail(ctx, -(int)(ctx->data_end - ctx->data)); /* below an Ethernet header */
	results[7] = bpf_xdp_adjust_tail(ctx, -30);
	results[8] = ctx->data_end - ctx->data;
	/* the limit of growth: the page less 256 of headroom and 320 of tailroom, from where data ends now */
	results[9] = bpf_xdp_adjust_tail(ctx, 4096 - 320 - 256 + 8 - (int)(ctx->data_end - ctx->data));
	results[10] = bpf_xdp_adjust_tail(ctx, 1);
	results[11] = bpf_xdp_adjust_tail(ctx, -3000);
	results[12] = bpf_xdp_adjust_head(ctx, (int)(ctx->data_end - ctx->data) - 13); /* leaves 13 bytes */
	results[13] = bpf_redirect(9, 1);
	return bpf_redirect(2, 0);
}

char LICENSE[] SEC("license") = "GPL";
