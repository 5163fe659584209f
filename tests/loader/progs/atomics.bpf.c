/* atomics.bpf.c - atomic add/or/and/xor (with and without fetch), xchg and cmpxchg on globals */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 acc = 100;
__u32 acc32 = 0xf0;

SEC("socket")
int atomics(struct __sk_buff *skb)
{
	__u64 r = 0;
	__sync_fetch_and_add(&acc, skb->len);
	r += __sync_fetch_and_add(&acc, 1);
	r += __sync_fetch_and_or(&acc32, 0x0f);
	r += __sync_fetch_and_and(&acc32, 0x3c);
	r += __sync_fetch_and_xor(&acc32, 0xff);
	r += __sync_lock_test_and_set(&acc, 7);
	r += __sync_val_compare_and_swap(&acc, 7, 9);
	r += __sync_val_compare_and_swap(&acc, 7, 11);
	return r + acc + acc32;
}

char LICENSE[] SEC("license") = "GPL";
