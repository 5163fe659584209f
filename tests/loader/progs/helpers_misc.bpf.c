/* helpers_misc.bpf.c - time, random, CPU id and trace_printk; the result depends only on stable facts */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int helpers_misc(struct __sk_buff *skb)
{
	__u64 t1 = bpf_ktime_get_ns();
	__u64 t2 = bpf_ktime_get_ns();
	__u64 b = bpf_ktime_get_boot_ns();
	__u32 rnd = bpf_get_prandom_u32();
	__u32 cpu = bpf_get_smp_processor_id();
	bpf_printk("len %u rnd %x", skb->len, rnd);
	return (t2 >= t1) + (b > 0) * 2 + (cpu < 4096) * 4;
}

char LICENSE[] SEC("license") = "GPL";
