/* core_read.bpf.c - CO-RE: field offsets, sizes and existence, type existence and size, enum values,
 * relocated against the kernel's BTF */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct iphdr___local {
	__u8 ihl_version;
	__u8 tos;
	__u32 saddr;
	__u32 daddr;
	__u32 no_such_field;
} __attribute__((preserve_access_index));

struct nonexistent_type___x {
	int a;
} __attribute__((preserve_access_index));

enum bpf_map_type___local { BPF_MAP_TYPE_HASH___local = 1, BPF_MAP_TYPE_RINGBUF___local = 99 };

struct iphdr_name___local {
	int x;
};

SEC("socket")
int core_read(struct __sk_buff *skb)
{
	int r = 0;
	r += bpf_core_field_offset(struct iphdr___local, daddr) * 1000000;      /* 16 */
	r += bpf_core_field_size(struct iphdr___local, saddr) * 100000;        /* 4 */
	r += bpf_core_field_exists(struct iphdr___local, no_such_field) * 10000; /* 0 */
	r += bpf_core_field_exists(struct iphdr___local, tos) * 1000;          /* 1 */
	r += bpf_core_type_exists(struct nonexistent_type___x) * 100;         /* 0 */
	r += bpf_core_enum_value(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local) * 1; /* 27 */
	return r;
}

char LICENSE[] SEC("license") = "GPL";
