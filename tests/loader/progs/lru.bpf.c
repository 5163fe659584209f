/* lru.bpf.c - lru_hash: inserting past max_entries evicts instead of failing */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} lru SEC(".maps");

SEC("socket")
int lru_fill(struct __sk_buff *skb)
{
	__u32 fails = 0;
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < 16; i++) {
		__u32 key = i, v = i + 1;
		if (bpf_map_update_elem(&lru, &key, &v, BPF_ANY))
			fails++;
	}
	__u32 k = 15;
	__u32 *p = bpf_map_lookup_elem(&lru, &k);
	return (p ? *p : 0) + fails * 1000;
}

char LICENSE[] SEC("license") = "GPL";
