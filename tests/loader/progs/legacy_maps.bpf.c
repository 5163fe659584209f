/* legacy_maps.bpf.c - a map defined the pre-BTF way: struct bpf_map_def in SEC("maps") */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def_legacy counters SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 8,
};

SEC("socket")
int legacy(struct __sk_buff *skb)
{
	__u32 k = skb->len & 7;
	__u64 *v = bpf_map_lookup_elem(&counters, &k);
	if (!v)
		return 0;
	*v += 3;
	return k;
}

char LICENSE[] SEC("license") = "GPL";
