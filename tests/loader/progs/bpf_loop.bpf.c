/* bpf_loop.bpf.c - bpf_loop() with a callback (LD_IMM64 of a function address) and a context struct */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u64 sum;
	__u32 stop_at;
};

static int step(__u32 i, struct loop_ctx *c)
{
	if (i == c->stop_at)
		return 1;
	c->sum += i * i;
	return 0;
}

SEC("socket")
int loop_squares(struct __sk_buff *skb)
{
	struct loop_ctx c = { .sum = 0, .stop_at = skb->len };
	long n = bpf_loop(1000, step, &c, 0);
	return (int)(c.sum + n);
}

char LICENSE[] SEC("license") = "GPL";
