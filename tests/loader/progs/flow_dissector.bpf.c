/* flow_dissector.bpf.c - a flow dissector for IPv4/UDP: fills struct bpf_flow_keys from data/data_end */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct bpf_flow_keys *keys = skb->flow_keys;
	if (keys->n_proto != bpf_htons(ETH_P_IP))
		return BPF_DROP;
	__u16 nhoff = keys->nhoff;
	if (nhoff > 64) /* a bound the verifier can use for the packet offset */
		return BPF_DROP;
	struct iphdr *ip = data + nhoff;
	if ((void *)(ip + 1) > end)
		return BPF_DROP;
	keys->addr_proto = ETH_P_IP;
	keys->ipv4_src = ip->saddr;
	keys->ipv4_dst = ip->daddr;
	keys->ip_proto = ip->protocol;
	__u16 thoff = nhoff + ip->ihl * 4;
	keys->thoff = thoff;
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = data + thoff;
		if ((void *)(udp + 1) > end)
			return BPF_DROP;
		keys->sport = udp->source;
		keys->dport = udp->dest;
	}
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
