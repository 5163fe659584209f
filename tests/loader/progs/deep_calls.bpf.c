/* deep_calls.bpf.c - nested bpf-to-bpf calls with stack use in every frame */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int level3(int x)
{
	volatile char buf[64];
	buf[x & 63] = x;
	return buf[x & 63] + 3;
}

static __noinline int level2(int x)
{
	volatile int a[8] = { x, x + 1 };
	return level3(a[1]) * 2;
}

static __noinline int level1(int x)
{
	return level2(x + 1) + level3(x);
}

SEC("socket")
int deep_calls(struct __sk_buff *skb)
{
	return level1(skb->len & 31);
}

char LICENSE[] SEC("license") = "GPL";
