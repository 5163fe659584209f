/* bloom.bpf.c - bloom_filter: push values, peek reports "maybe present" (0) or -ENOENT */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u32);
	__uint(map_extra, 3);
} bf SEC(".maps");

SEC("socket")
int bloom(struct __sk_buff *skb)
{
	__u32 r = 0;
	for (__u32 i = 0; i < 8; i++) {
		__u32 v = i * 7919;
		bpf_map_push_elem(&bf, &v, 0);
	}
	for (__u32 i = 0; i < 8; i++) {
		__u32 v = i * 7919;
		r += bpf_map_peek_elem(&bf, &v) == 0;
	}
	return r;
}

char LICENSE[] SEC("license") = "GPL";
