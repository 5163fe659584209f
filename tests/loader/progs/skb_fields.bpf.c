/* skb_fields.bpf.c - every __sk_buff field a test run fills, seen by three program types: tc writes them into the
 * packet (compared byte for byte), socket and cgroup_skb fold them into the return value */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MIX(x) h = (h ^ (__u32)(x)) * 16777619u

/* the fields every skb program type may read */
static __always_inline __u32 fold(struct __sk_buff *skb)
{
	__u32 h = 2166136261u;
	MIX(skb->len); MIX(skb->pkt_type); MIX(skb->mark); MIX(skb->queue_mapping); MIX(skb->protocol);
	MIX(skb->vlan_present); MIX(skb->vlan_tci); MIX(skb->vlan_proto); MIX(skb->priority);
	MIX(skb->ingress_ifindex); MIX(skb->ifindex); MIX(skb->cb[0]); MIX(skb->cb[4]); MIX(skb->hash);
	return h;
}

/* and those only tc may */
static __always_inline __u32 fold_tc(struct __sk_buff *skb)
{
	__u32 h = fold(skb);
	MIX(skb->tc_index); MIX(skb->tc_classid); MIX(skb->napi_id); MIX(skb->tstamp); MIX(skb->wire_len);
	MIX(skb->gso_segs); MIX(skb->gso_size);
	return h;
}

SEC("socket")
int fields_socket(struct __sk_buff *skb)
{
	return fold(skb) & 0x7fffffff;
}

SEC("cgroup_skb/ingress")
int fields_cgroup(struct __sk_buff *skb)
{
	__u32 h = fold(skb);
	h = (h ^ skb->family) * 16777619u;
	h = (h ^ skb->local_ip4) * 16777619u;
	h = (h ^ skb->remote_ip4) * 16777619u;
	h = (h ^ skb->local_ip6[3]) * 16777619u;
	h = (h ^ skb->remote_ip6[0]) * 16777619u;
	skb->mark = h;
	return 1;
}

SEC("tc")
int fields_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 *out = data + 14;
	if ((void *)(out + 14) > end)
		return 2;
	out[0] = skb->len;
	out[1] = skb->pkt_type;
	out[2] = skb->protocol;
	out[3] = skb->ifindex;
	out[4] = skb->ingress_ifindex;
	out[5] = skb->priority;
	out[6] = skb->mark;
	out[7] = skb->wire_len;
	out[8] = skb->gso_segs;
	out[9] = skb->gso_size;
	out[10] = skb->data_end - skb->data;
	out[11] = skb->data_meta == skb->data;
	out[12] = skb->napi_id;
	out[13] = skb->hash;
	return fold_tc(skb) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
