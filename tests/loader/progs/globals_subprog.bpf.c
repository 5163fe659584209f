/* globals_subprog.bpf.c - globals in .data/.rodata/.bss and static + global subprograms in .text */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 scale = 3;
__u32 counter = 10;
__u64 last_len;
__u32 custom_val SEC(".data.custom") = 7;

static __noinline __u32 mul(__u32 a, __u32 b)
{
	return a * b;
}

__noinline int add_global(int a, int b)
{
	return a + b;
}

SEC("socket")
int globals(struct __sk_buff *skb)
{
	counter += 1;
	last_len = skb->len;
	return add_global(mul(counter, scale), custom_val);
}

char LICENSE[] SEC("license") = "GPL";
