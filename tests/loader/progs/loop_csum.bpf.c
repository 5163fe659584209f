/* loop_csum.bpf.c - a bounded for loop over packet bytes with bpf_skb_load_bytes (socket filter) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int loop_csum(struct __sk_buff *skb)
{
	__u8 buf[32];
	__u32 sum = 0;
	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
		return 0;
	for (int i = 0; i < 32; i++)
		sum = (sum << 1 | sum >> 31) ^ buf[i];
	return sum & 0x7fffffff;
}

char LICENSE[] SEC("license") = "GPL";
