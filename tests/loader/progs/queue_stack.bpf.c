/* queue_stack.bpf.c - queue (FIFO) and stack (LIFO): push, peek, pop */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u32);
} s SEC(".maps");

SEC("socket")
int queue_stack(struct __sk_buff *skb)
{
	__u32 r = 0, v;
	for (__u32 i = 1; i <= 5; i++) {
		r = r * 2 + (bpf_map_push_elem(&q, &i, 0) != 0);
		r = r * 2 + (bpf_map_push_elem(&s, &i, 0) != 0);
	}
	if (!bpf_map_peek_elem(&q, &v))
		r = r * 10 + v;
	if (!bpf_map_pop_elem(&s, &v))
		r = r * 10 + v;
	if (!bpf_map_pop_elem(&q, &v))
		r = r * 10 + v;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
