/* lru_churn.bpf.c - LRU hashes driven past their capacity by a program: its lookups mark elements referenced,
 * which decides what the kernel's LRU lists evict (a common LRU, and per-CPU lists with BPF_F_NO_COMMON_LRU) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} churn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} churn_percpu SEC(".maps");

struct churn_state {
	__u32 x;    /* a linear congruential sequence: the same keys in every run of the same state */
	__u32 hits;
};

static long churn_step(__u32 i, struct churn_state *s)
{
	s->x = s->x * 1103515245 + 12345;
	__u32 key = (s->x >> 16) % 64, key2 = key % 24;
	__u64 *v = bpf_map_lookup_elem(&churn, &key);
	if (v) {
		s->hits++;
		(*v)++;
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&churn, &key, &one, BPF_NOEXIST);
	}
	__u32 *w = bpf_map_lookup_elem(&churn_percpu, &key2);
	if (w)
		*w += i;
	else
		bpf_map_update_elem(&churn_percpu, &key2, &i, BPF_ANY);
	return 0;
}

SEC("socket")
int lru_churn(struct __sk_buff *skb)
{
	struct churn_state s = { .x = skb->len, .hits = 0 };
	bpf_loop(400, churn_step, &s, 0);
	return s.hits;
}

char LICENSE[] SEC("license") = "GPL";
