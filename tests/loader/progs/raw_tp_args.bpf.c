/* raw_tp_args.bpf.c - SEC("raw_tp/..."): arguments arrive as an array of u64 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int raw_tp_args(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[0] + ctx->args[1] * 2;
}

char LICENSE[] SEC("license") = "GPL";
