/* cgroup_count.bpf.c - cgroup_skb/ingress: count packets and bytes in an array map, allow everything */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

SEC("cgroup_skb/ingress")
int count_ingress(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&stats, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	k = 1;
	v = bpf_map_lookup_elem(&stats, &k);
	if (v)
		__sync_fetch_and_add(v, skb->len);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
