/* histogram.bpf.c - example: a log2 histogram of packet sizes in a hash map (bucket -> count), printed by the
 * runner like bcc's biolatency */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 32

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r = 0;
	for (int i = 0; i < 32; i++) {
		if (v <= 1)
			break;
		v >>= 1;
		r++;
	}
	return r;
}

SEC("socket")
int record_len(struct __sk_buff *skb)
{
	__u32 slot = log2_u32(skb->len);
	__u64 one = 1, *v = bpf_map_lookup_elem(&hist, &slot);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&hist, &slot, &one, BPF_NOEXIST);
	/* also a synthetic spread, so a single test packet shows several buckets */
	for (__u32 i = 1; i <= 6; i++) {
		__u32 s = log2_u32(skb->len * i * i);
		v = bpf_map_lookup_elem(&hist, &s);
		if (v)
			__sync_fetch_and_add(v, 1);
		else
			bpf_map_update_elem(&hist, &s, &one, BPF_NOEXIST);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
