/* misc_maps_fmt.bpf.c - what the other programs leave out: a hash of maps initialised in the object, an LRU
 * per-CPU hash, bpf_snprintf, bpf_printk with more than three arguments (bpf_trace_vprintk) and bpf_strtoul */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &inner_a, [5] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} recent SEC(".maps");

char text[64];
long results[8];

SEC("tc")
int misc(struct __sk_buff *skb)
{
	__u32 k1 = 1, k5 = 5, k3 = 3, slot = 2, a = skb->len, b = skb->protocol;
	char num[8] = "-123";
	void *in = bpf_map_lookup_elem(&outer, &k1);
	if (in) {
		__u64 *v = bpf_map_lookup_elem(in, &slot);
		if (v)
			*v += a;
	}
	in = bpf_map_lookup_elem(&outer, &k5);
	if (in) {
		__u64 *v = bpf_map_lookup_elem(in, &slot);
		if (v)
			*v += b;
	}
	results[0] = bpf_map_lookup_elem(&outer, &k3) != 0; /* no inner map there */
	for (__u32 i = 0; i < 12; i++) { /* within capacity: the kernel's LRU evicts per CPU and in batches */
		__u64 v = i * 10;
		bpf_map_update_elem(&recent, &i, &v, BPF_ANY);
	}
	__u32 first = 0, last = 11;
	results[1] = bpf_map_lookup_elem(&recent, &first) != 0;
	__u64 *lv = bpf_map_lookup_elem(&recent, &last);
	results[2] = lv ? *lv : -1;
	__u64 fmt_args[3] = { a, b, (__u64)(long)num };
	results[3] = bpf_snprintf(text, sizeof(text), "a=%u b=%u num=%s", fmt_args, sizeof(fmt_args));
	results[4] = bpf_printk("%d %d %d %d", a, b, a + b, a * b);
	unsigned long u = 0;
	results[5] = bpf_strtoul(num, sizeof(num), 0, &u);
	results[6] = bpf_strtoul(num + 1, sizeof(num) - 1, 10, &u);
	results[7] = u;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
