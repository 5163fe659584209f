/* rodata_const.bpf.c - const volatile configuration and string constants in .rodata, a table in .rodata */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 threshold = 40;
const volatile __u8 mode = 2;
static const __u16 table[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };

SEC("socket")
int rodata(struct __sk_buff *skb)
{
	__u32 i = skb->len & 7;
	__u32 r = table[i] * 100;
	if (skb->len > threshold)
		r += mode;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
