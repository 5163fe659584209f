/* ld_abs.bpf.c - legacy packet loads (BPF_LD_ABS/BPF_LD_IND) from a socket filter, as classic BPF did */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int ld_abs(struct __sk_buff *skb)
{
	__u64 ver = load_byte(skb, 0) >> 4;   /* IPv4 version nibble (skb->data is the network header) */
	__u64 tot = load_half(skb, 2);         /* total length, host order */
	__u64 dst = load_word(skb, 16);        /* daddr */
	return ver * 100000 + tot + (dst & 0xff) * 1000;
}

char LICENSE[] SEC("license") = "GPL";
