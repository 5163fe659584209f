/* percpu.bpf.c - percpu_array and percpu_hash: values of the running CPU */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pa SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} ph SEC(".maps");

SEC("socket")
int percpu(struct __sk_buff *skb)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&pa, &k);
	if (!v)
		return -1;
	*v += skb->len;
	__u32 x = 77;
	bpf_map_update_elem(&ph, &k, &x, BPF_ANY);
	__u32 *y = bpf_map_lookup_elem(&ph, &k);
	return y ? *y + (__u32)*v : -2;
}

char LICENSE[] SEC("license") = "GPL";
