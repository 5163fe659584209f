/* maps_btf.bpf.c - BTF-defined maps: array, hash, map-in-map and prog array with initial values */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u32);
} hash SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inner1 SEC(".maps"), inner2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { &inner1, &inner2 },
};

int tail_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (void *));
} jmp SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

SEC("socket")
int tail_target(struct __sk_buff *skb)
{
	return 42;
}

SEC("socket")
int use_maps(struct __sk_buff *skb)
{
	__u32 k = 1, v = 5;
	__u64 *p = bpf_map_lookup_elem(&arr, &k);
	if (p)
		*p += skb->len;
	bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
	void *in = bpf_map_lookup_elem(&outer, &k);
	if (in) {
		__u32 z = 0;
		__u32 *iv = bpf_map_lookup_elem(in, &z);
		if (iv)
			*iv = 9;
	}
	bpf_tail_call(skb, &jmp, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
