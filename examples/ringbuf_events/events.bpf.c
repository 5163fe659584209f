/* events.bpf.c - example: stream one event per packet to user space through a BPF ring buffer */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u64 seq;
	__u32 len;
	__u32 protocol;
	__u8 head[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 14);
} events SEC(".maps");

__u64 seq;

SEC("socket")
int emit_event(struct __sk_buff *skb)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->seq = __sync_fetch_and_add(&seq, 1);
	e->len = skb->len;
	e->protocol = skb->protocol;
	if (bpf_skb_load_bytes(skb, 0, e->head, sizeof(e->head)))
		__builtin_memset(e->head, 0, sizeof(e->head));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
