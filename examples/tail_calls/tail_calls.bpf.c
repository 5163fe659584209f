/* tail_calls.bpf.c - example: a chain of programs linked by tail calls through a prog array initialised in the
 * object (entry -> stage1 -> stage2), each stage recording itself in a global trace */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 trace[4];
__u32 depth;

int stage1(struct __sk_buff *skb);
int stage2(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} stages SEC(".maps") = {
	.values = { [1] = (void *)&stage1, [2] = (void *)&stage2 },
};

SEC("socket")
int stage2(struct __sk_buff *skb)
{
	trace[depth++ & 3] = 2;
	return 200 + depth;
}

SEC("socket")
int stage1(struct __sk_buff *skb)
{
	trace[depth++ & 3] = 1;
	bpf_tail_call(skb, &stages, 2);
	return 100;
}

SEC("socket")
int entry(struct __sk_buff *skb)
{
	depth = 0;
	trace[depth++ & 3] = 0xe;
	bpf_tail_call(skb, &stages, 1);
	return 1; /* reached only if the tail call fails */
}

char LICENSE[] SEC("license") = "GPL";
