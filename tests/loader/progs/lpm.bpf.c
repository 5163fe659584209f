/* lpm.bpf.c - lpm_trie: longest-prefix match of IPv4 addresses */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

SEC("socket")
int lpm_lookup(struct __sk_buff *skb)
{
	struct lpm_key k = { 8, { 10, 0, 0, 0 } };
	__u32 v = 8;
	bpf_map_update_elem(&routes, &k, &v, BPF_ANY);
	k.prefixlen = 16;
	k.addr[1] = 1;
	v = 16;
	bpf_map_update_elem(&routes, &k, &v, BPF_ANY);
	struct lpm_key q = { 32, { 10, 1, 2, 3 } };
	__u32 *a = bpf_map_lookup_elem(&routes, &q);
	q.addr[1] = 2;
	__u32 *b = bpf_map_lookup_elem(&routes, &q);
	q.addr[0] = 11;
	__u32 *c = bpf_map_lookup_elem(&routes, &q);
	return (a ? *a : 0) * 10000 + (b ? *b : 0) * 100 + (c ? *c : 99);
}

char LICENSE[] SEC("license") = "GPL";
