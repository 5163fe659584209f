/* multi_prog.bpf.c - several programs in one section and across sections sharing a .text subprogram */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u32 fold(__u32 x)
{
	return (x * 2654435761u) >> 16;
}

SEC("socket")
int first(struct __sk_buff *skb)
{
	return fold(skb->len) & 0xff;
}

SEC("socket")
int second(struct __sk_buff *skb)
{
	return fold(skb->len + 1) & 0xff;
}

SEC("xdp")
int third(struct xdp_md *ctx)
{
	return fold(ctx->data_end - ctx->data) & 3;
}

SEC("?socket")
int not_autoloaded(struct __sk_buff *skb)
{
	return 5;
}

char LICENSE[] SEC("license") = "GPL";
