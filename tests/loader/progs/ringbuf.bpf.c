/* ringbuf.bpf.c - ring buffer: reserve/submit, reserve/discard, output, query */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct event {
	__u32 len;
	__u32 seq;
};

SEC("socket")
int ringbuf(struct __sk_buff *skb)
{
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return -1;
	e->len = skb->len;
	e->seq = 1;
	bpf_ringbuf_submit(e, 0);
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return -2;
	bpf_ringbuf_discard(e, 0);
	struct event o = { skb->len, 2 };
	if (bpf_ringbuf_output(&rb, &o, sizeof(o), 0))
		return -3;
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
}

char LICENSE[] SEC("license") = "GPL";
