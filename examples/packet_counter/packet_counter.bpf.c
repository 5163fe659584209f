/* packet_counter.bpf.c - example: a socket filter counting packets and bytes per IP protocol in an array map */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct counter);
} proto_counters SEC(".maps");

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

SEC("socket")
int count_packets(struct __sk_buff *skb)
{
	__u32 proto = load_byte(skb, 9); /* IPv4 protocol field; skb data starts at the network header */
	struct counter *c = bpf_map_lookup_elem(&proto_counters, &proto);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, skb->len);
	}
	return skb->len; /* keep the whole packet */
}

char LICENSE[] SEC("license") = "GPL";
