/* perf_output.bpf.c - bpf_perf_event_output from tc and XDP: samples of odd sizes (padded by the kernel), packet
 * bytes appended through BPF_F_CTXLEN_MASK, and the errors: index out of range, an empty slot, unknown flags,
 * more packet bytes than the packet has, and a ring filled up (-ENOSPC) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct event {
	__u32 len;
	__u16 proto;
	__u8 tag;
	__u8 seq;
};

long results[8];
__u8 seq;

static __always_inline void emit(void *ctx, __u32 len, __u16 proto)
{
	struct event e = { .len = len, .proto = proto, .tag = 0x5a, .seq = seq++ };
	char odd[5] = { 1, 2, 3, 4, 5 };
	results[0] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	results[1] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (20ull << 32), odd, sizeof(odd));
	results[2] = bpf_perf_event_output(ctx, &events, 0, odd, 3); /* slot 0 by index */
	results[3] = bpf_perf_event_output(ctx, &events, 100000, &e, sizeof(e));
	results[4] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (1ull << 52), &e, sizeof(e));
	results[5] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | (4000ull << 32), &e, sizeof(e));
	results[6] = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, 0);
}

SEC("tc")
int perf_tc(struct __sk_buff *skb)
{
	emit(skb, skb->len, (__u16)skb->protocol);
	return 0;
}

SEC("xdp")
int perf_xdp(struct xdp_md *ctx)
{
	emit(ctx, ctx->data_end - ctx->data, 0);
	return XDP_PASS;
}

/* samples until the ring is full: how many fit, and the error that stops them */
long fill_count, fill_err;

SEC("tc")
int perf_fill(struct __sk_buff *skb)
{
	__u8 buf[250];
	__builtin_memset(buf, 0x33, sizeof(buf));
	fill_count = 0;
	fill_err = 0;
	for (int i = 0; i < 200; i++) {
		buf[0] = (__u8)i;
		long err = bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU, buf, sizeof(buf));
		if (err) {
			fill_err = err;
			break;
		}
		fill_count++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
