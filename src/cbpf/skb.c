/* skb.c - struct cbpf_skb for a captured frame: where the network header starts, skb->protocol */
#include <string.h>

#include "cbpf/cbpf.h"

/* link types (DLT_* values from libpcap; not included here to keep libpcap out of this file) */
enum { DLT_NULL_ = 0, DLT_EN10MB_ = 1, DLT_RAW_ = 12, DLT_RAW14_ = 14, DLT_LOOP_ = 108, DLT_LINUX_SLL_ = 113,
       DLT_IPV4_ = 228, DLT_IPV6_ = 229, DLT_LINUX_SLL2_ = 276, DLT_RAW_LINKTYPE_ = 101 };

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* network byte order as stored in skb->protocol */
static uint16_t to_net16(uint16_t v)
{
	return (uint16_t)(v >> 8 | v << 8);
}

static uint16_t ip_version_proto(const uint8_t *data, uint32_t caplen, uint32_t off)
{
	if (off >= caplen)
		return 0;
	switch (data[off] >> 4) {
	case 4: return 0x0800;
	case 6: return 0x86dd;
	default: return 0;
	}
}

void cbpf_skb_init(struct cbpf_skb *skb, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	memset(skb, 0, sizeof(*skb));
	skb->data = data;
	skb->caplen = caplen;
	skb->len = len;
	skb->has_dev = 1;
	uint16_t proto = 0;
	switch (dlt) {
	case DLT_EN10MB_:
		skb->net_off = 14;
		if (caplen >= 14)
			proto = rd16(data + 12);
		break;
	case DLT_LINUX_SLL_:
		skb->net_off = 16;
		if (caplen >= 16) {
			proto = rd16(data + 14);
			skb->pkttype = (uint8_t)rd16(data);
			skb->hatype = rd16(data + 2);
		}
		break;
	case DLT_LINUX_SLL2_:
		skb->net_off = 20;
		if (caplen >= 20) {
			proto = rd16(data);
			memcpy(&skb->ifindex, data + 4, 4);
			skb->ifindex = __builtin_bswap32(skb->ifindex);
			skb->hatype = rd16(data + 8);
			skb->pkttype = data[10];
		}
		break;
	case DLT_NULL_:
	case DLT_LOOP_:
		skb->net_off = 4;
		proto = ip_version_proto(data, caplen, 4);
		break;
	case DLT_RAW_:
	case DLT_RAW14_:
	case DLT_RAW_LINKTYPE_:
	case DLT_IPV4_:
	case DLT_IPV6_:
		skb->net_off = 0;
		proto = ip_version_proto(data, caplen, 0);
		break;
	default:
		break;
	}
	skb->protocol = to_net16(proto);
}
