/* spin_lock.bpf.c - bpf_spin_lock/unlock around a read-modify-write of two fields of a map value (array and hash
 * maps), the pattern whose invariant (sum == count * len) a threaded test checks */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct stats {
	__u64 count;
	struct bpf_spin_lock lock;
	__u32 last_len;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct stats);
} by_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct stats);
} by_proto SEC(".maps");

static __always_inline void account(struct stats *s, __u32 len)
{
	bpf_spin_lock(&s->lock);
	s->count++;
	s->sum += len;
	s->last_len = len;
	bpf_spin_unlock(&s->lock);
}

SEC("tc")
int locked_count(struct __sk_buff *skb)
{
	__u32 zero = 0, proto = skb->protocol;
	struct stats *s = bpf_map_lookup_elem(&by_index, &zero);
	if (s)
		account(s, skb->len);
	s = bpf_map_lookup_elem(&by_proto, &proto);
	if (!s) {
		struct stats init = { .count = 0 };
		bpf_map_update_elem(&by_proto, &proto, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&by_proto, &proto);
	}
	if (s)
		account(s, skb->len);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
