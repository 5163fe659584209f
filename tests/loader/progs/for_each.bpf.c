/* for_each.bpf.c - bpf_for_each_map_elem over an array map with a callback that sums and stops early */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

struct cb_ctx {
	__u64 sum;
	__u32 limit;
};

static long sum_cb(void *map, __u32 *key, __u64 *val, struct cb_ctx *c)
{
	if (*key >= c->limit)
		return 1;
	c->sum += *val + *key;
	return 0;
}

SEC("socket")
int for_each(struct __sk_buff *skb)
{
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < 8; i++) {
		__u32 key = i;
		__u64 v = i * i;
		bpf_map_update_elem(&vals, &key, &v, BPF_ANY);
	}
	struct cb_ctx c = { 0, 5 };
	long n = bpf_for_each_map_elem(&vals, sum_cb, &c, 0);
	return c.sum * 100 + n;
}

char LICENSE[] SEC("license") = "GPL";
