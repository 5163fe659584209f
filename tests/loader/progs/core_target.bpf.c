/* core_target.bpf.c - not a test program: its BTF is a CO-RE *target* whose iphdr has another layout (test_elf
 * relocates core_read.bpf.o against it with btf_custom_path) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct iphdr {
	__u64 pad[3];
	__u16 saddr;
	__u32 daddr;
	__u8 tos;
};

enum bpf_map_type___tgt { BPF_MAP_TYPE_HASH___tgt = 1, BPF_MAP_TYPE_RINGBUF___tgt = 42 };

struct iphdr g_ip;
enum bpf_map_type___tgt g_type;

SEC("socket")
int target_anchor(struct __sk_buff *skb)
{
	return g_ip.daddr + g_type;
}

char LICENSE[] SEC("license") = "GPL";
