/* alu_v4.bpf.c - cpu v4 instructions from C: signed division and modulo, sign-extending moves and loads, bswap */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile __s64 a = -1000003;
volatile __s32 b = -7;
volatile __s8 small = -5;
volatile __u64 word = 0x0102030405060708ull;

SEC("socket")
int alu_v4(struct __sk_buff *skb)
{
	__s64 q = a / b;
	__s64 m = a % b;
	__s64 s = small;
	__u64 w = __builtin_bswap64(word);
	__u32 h = __builtin_bswap16((__u16)skb->len);
	return (int)(q + m * 1000 + s * 7 + (w >> 56) + h);
}

char LICENSE[] SEC("license") = "GPL";
