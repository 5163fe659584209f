/* hash_ops.bpf.c - hash map update flags (ANY/NOEXIST/EXIST), lookup, delete: each result folded in r0 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} h SEC(".maps");

SEC("socket")
int hash_ops(struct __sk_buff *skb)
{
	__u32 r = 0;
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < 6; i++) {
		__u32 key = i;
		__u64 v = i * 10 + skb->len;
		long e = bpf_map_update_elem(&h, &key, &v, BPF_NOEXIST);
		r = r * 31 + (__u32)-e; /* 0, or 7 (E2BIG) once the map is full */
	}
	__u32 k = 1;
	__u64 v = 5;
	r = r * 31 + (__u32)-bpf_map_update_elem(&h, &k, &v, BPF_NOEXIST); /* EEXIST */
	k = 9;
	r = r * 31 + (__u32)-bpf_map_update_elem(&h, &k, &v, BPF_EXIST); /* ENOENT */
	k = 2;
	r = r * 31 + (__u32)-bpf_map_delete_elem(&h, &k); /* 0 */
	r = r * 31 + (__u32)-bpf_map_delete_elem(&h, &k); /* ENOENT */
	k = 3;
	__u64 *p = bpf_map_lookup_elem(&h, &k);
	if (p)
		r += *p;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
