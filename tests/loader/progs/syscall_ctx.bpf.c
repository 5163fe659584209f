/* syscall_ctx.bpf.c - SEC("syscall"): the context is the caller's buffer, read and written back */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	__u32 a, b;
	__u64 out;
	char num[8];
};

SEC("syscall")
int syscall_ctx(struct args *ctx)
{
	long v = 0;
	char buf[8];
	__builtin_memcpy(buf, ctx->num, sizeof(buf));
	buf[7] = 0;
	if (bpf_strtol(buf, sizeof(buf), 10, &v) < 0)
		v = -1;
	ctx->out = (__u64)ctx->a * ctx->b + v;
	return ctx->a + ctx->b;
}

char LICENSE[] SEC("license") = "GPL";
