/* tc_mark.bpf.c - sched_cls: read __sk_buff fields, set mark/priority/cb, decrement the IPv4 TTL in place */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int tc_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	skb->mark = skb->len * 3 + skb->protocol;
	skb->priority = 7;
	skb->cb[0] = skb->pkt_type + 100;
	skb->cb[4] = skb->ifindex;
	if (ip->ttl > 1)
		ip->ttl--;
	return skb->protocol == bpf_htons(ETH_P_IP) ? TC_ACT_OK : TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
