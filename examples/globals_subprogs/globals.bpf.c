/* globals.bpf.c - example: configuration in .rodata, state in .data/.bss, and subprograms (static and global) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 small_limit = 64;   /* set before load, constant for the verifier */
const volatile __u32 large_limit = 1024;
__u64 small_cnt, medium_cnt, large_cnt; /* .bss */
__u32 last_class = 0xff;                 /* .data */
char names[3][8] = { "small", "medium", "large" };

static __noinline __u32 classify_len(__u32 len)
{
	if (len < small_limit)
		return 0;
	return len < large_limit ? 1 : 2;
}

__noinline int account(__u32 cls)
{
	if (cls == 0)
		small_cnt++;
	else if (cls == 1)
		medium_cnt++;
	else
		large_cnt++;
	return cls;
}

SEC("socket")
int classify(struct __sk_buff *skb)
{
	__u32 cls = classify_len(skb->len);
	last_class = account(cls);
	return names[cls & 3 ? 1 : 0][0] + cls; /* 's' or 'm' plus the class */
}

char LICENSE[] SEC("license") = "GPL";
