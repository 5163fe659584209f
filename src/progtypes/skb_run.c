/* skb_run.c - test run of socket_filter, sched_cls/act, cgroup_skb and lwt programs: struct __sk_buff as
 * net/bpf/test_run.c's bpf_prog_test_run_skb() builds it on the loopback device */
#include <errno.h>
#include <linux/if_ether.h>
#include <stddef.h>
#include <string.h>

#include "common/log_internal.h"
#include "progtypes/ctx_layout.h"
#include "progtypes/run_ctx.h"

#define NET_SKB_PAD 64
#define SKB_TAILROOM 320 /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 */
#define PAGE_SZ 4096
#define LOOPBACK_IFINDEX 1
#define ETH_P_802_3_MIN 0x0600
#define PACKET_HOST 0
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

static bool is_l2(uint32_t t) { return t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT; }

static bool direct_pkt_access(uint32_t t)
{
	return is_l2(t) || t == BPF_PROG_TYPE_LWT_IN || t == BPF_PROG_TYPE_LWT_OUT || t == BPF_PROG_TYPE_LWT_XMIT ||
	       t == BPF_PROG_TYPE_CGROUP_SKB;
}

#define FIELD_END(f) (offsetof(struct __sk_buff, f) + sizeof(((struct __sk_buff *)0)->f))

/* convert___skb_to_skb(): only these fields of ctx_in may be non-zero */
static bool ctx_fields_ok(const struct __sk_buff *c)
{
	static const struct { size_t from, to; } allowed[] = {
		{ offsetof(struct __sk_buff, mark), FIELD_END(mark) },
		{ offsetof(struct __sk_buff, priority), FIELD_END(ifindex) }, /* priority, ingress_ifindex, ifindex */
		{ offsetof(struct __sk_buff, cb), FIELD_END(cb) },
		{ offsetof(struct __sk_buff, tstamp), FIELD_END(gso_segs) },
		{ offsetof(struct __sk_buff, gso_size), FIELD_END(gso_size) },
		{ offsetof(struct __sk_buff, hwtstamp), FIELD_END(hwtstamp) },
	};
	const uint8_t *p = (const uint8_t *)c;
	for (size_t i = 0; i < sizeof(*c); i++) {
		bool ok = false;
		for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]) && !ok; k++)
			ok = i >= allowed[k].from && i < allowed[k].to;
		if (!ok && p[i])
			return false;
	}
	return true;
}

/*
 * eth_type_trans() on the loopback device: its address and its "broadcast" address are both 00:00:00:00:00:00, so
 * ff:ff:ff:ff:ff:ff is PACKET_MULTICAST there, like any group address (checked against the live kernel)
 */
static void eth_type_trans(const uint8_t *eth, size_t len, uint32_t *protocol, uint32_t *pkt_type)
{
	static const uint8_t zero[6] = { 0 };
	if (!memcmp(eth, zero, 6))
		*pkt_type = PACKET_HOST;
	else
		*pkt_type = eth[0] & 1 ? PACKET_MULTICAST : PACKET_OTHERHOST;
	uint16_t proto_be;
	memcpy(&proto_be, eth + 12, 2);
	if (((eth[12] << 8) | eth[13]) >= ETH_P_802_3_MIN)
		*protocol = proto_be;
	else if (len >= ETH_HLEN + 2 && eth[14] == 0xff && eth[15] == 0xff)
		*protocol = 0x0100; /* htons(ETH_P_802_3) */
	else
		*protocol = 0x0400; /* htons(ETH_P_802_2) */
}

static int skb_prepare(uint32_t type, struct test_run_mem *m, const struct bpfvm_test_run_opts *o, struct bpfvm_log *log)
{
	struct __sk_buff in = { 0 };
	size_t size = o->data_size_in;
	if (!o->data_in || size < ETH_HLEN || size > PAGE_SZ - NET_SKB_PAD - SKB_TAILROOM) {
		bpfvm_logf(log, "test run: packet of %zu bytes: the kernel takes %d to %d bytes", size, ETH_HLEN,
			   PAGE_SZ - NET_SKB_PAD - SKB_TAILROOM);
		return -EINVAL;
	}
	if (o->ctx_in) {
		if (!ctx_tail_zero(o->ctx_in, o->ctx_size_in, sizeof(in))) {
			bpfvm_logf(log, "test run: ctx_in is larger than struct __sk_buff and its tail is not zero");
			return -E2BIG; /* bpf_check_uarg_tail_zero() */
		}
		memcpy(&in, o->ctx_in, o->ctx_size_in < sizeof(in) ? o->ctx_size_in : sizeof(in));
		if (!ctx_fields_ok(&in)) {
			bpfvm_logf(log, "test run: ctx_in sets __sk_buff fields the kernel does not accept");
			return -EINVAL;
		}
		if (in.wire_len && in.wire_len < size - (is_l2(type) ? 0 : ETH_HLEN)) {
			bpfvm_logf(log, "test run: ctx_in wire_len %u is shorter than the packet", in.wire_len);
			return -EINVAL;
		}
		if (in.ifindex > LOOPBACK_IFINDEX) {
			bpfvm_logf(log, "test run: ctx_in ifindex %u: only the loopback device (1) exists", in.ifindex);
			return -ENODEV;
		}
	}
	int err = test_run_mem_alloc(m, sizeof(struct bpfvm_skb_ctx), NET_SKB_PAD, size, SKB_TAILROOM);
	if (err) {
		bpfvm_logf(log, "test run: cannot map packet memory below 4 GiB");
		return err;
	}
	memcpy(m->data, o->data_in, size);
	struct __sk_buff *skb = (struct __sk_buff *)m->ctx;
	eth_type_trans(m->data, size, &skb->protocol, &skb->pkt_type);
	if (!is_l2(type))
		m->data += ETH_HLEN; /* eth_type_trans pulled the MAC header; l2 types see it pushed back */
	skb->len = m->data_end - m->data;
	skb->mark = in.mark;
	skb->priority = in.priority;
	skb->ingress_ifindex = in.ingress_ifindex;
	skb->ifindex = LOOPBACK_IFINDEX;
	memcpy(skb->cb, in.cb, sizeof(skb->cb));
	skb->tstamp = in.tstamp;
	/* the kernel builds a ctx when either ctx_in or ctx_out is given; only then is wire_len set */
	skb->wire_len = o->ctx_in || o->ctx_out ? (in.wire_len ? in.wire_len : skb->len) : 0;
	skb->gso_segs = in.gso_segs;
	skb->gso_size = in.gso_size;
	skb->hwtstamp = in.hwtstamp;
	/* the test socket: family and addresses from the IPv4/IPv6 header */
	const uint8_t *nh = m->data_end - skb->len + (is_l2(type) ? ETH_HLEN : 0);
	size_t nh_len = m->data_end - nh;
	if (skb->protocol == 0x0008) {
		skb->family = 2; /* AF_INET */
		if (nh_len >= 20) {
			memcpy(&skb->local_ip4, nh + 12, 4);
			memcpy(&skb->remote_ip4, nh + 16, 4);
		}
	} else if (skb->protocol == 0xdd86) {
		skb->family = 10; /* AF_INET6 */
		if (nh_len >= 40) {
			memcpy(skb->local_ip6, nh + 8, 16);
			memcpy(skb->remote_ip6, nh + 24, 16);
		}
	}
	if (direct_pkt_access(type)) {
		skb->data = (uint32_t)(uintptr_t)m->data;
		skb->data_end = (uint32_t)(uintptr_t)m->data_end;
		skb->data_meta = skb->data;
	}
	m->pkt = m->data;
	m->pkt_len = skb->len;
	struct bpfvm_ctx_trailer *t = &((struct bpfvm_skb_ctx *)m->ctx)->t;
	*t = (struct bpfvm_ctx_trailer){ BPFVM_CTX_MAGIC, (uintptr_t)m->head, (uintptr_t)m->head + m->buf_size,
					 (uintptr_t)m->data, (uintptr_t)m->data_end, type, 0 };
	m->ctx_size = sizeof(struct __sk_buff); /* what the program may touch */
	m->pkt_writable = direct_pkt_access(type);
	m->r1 = (uintptr_t)skb;
	return 0;
}

static int skb_finish(uint32_t type, struct test_run_mem *m, struct bpfvm_test_run_opts *o, const uint8_t **out,
		      size_t *out_size)
{
	struct __sk_buff *skb = (struct __sk_buff *)m->ctx;
	uint8_t *start = m->data;
	if (!is_l2(type)) { /* the kernel pushes a zeroed MAC header back before copying data out */
		start -= ETH_HLEN;
		memset(start, 0, ETH_HLEN);
	}
	*out = start;
	*out_size = m->data_end - start;
	if (o->ctx_out) { /* convert_skb_to___skb() */
		struct __sk_buff c = { 0 };
		c.mark = skb->mark;
		c.priority = skb->priority;
		c.ingress_ifindex = skb->ingress_ifindex;
		c.ifindex = skb->ifindex;
		memcpy(c.cb, skb->cb, sizeof(c.cb));
		c.tstamp = skb->tstamp;
		c.wire_len = skb->wire_len;
		c.gso_segs = skb->gso_segs;
		c.gso_size = skb->gso_size;
		c.hwtstamp = skb->hwtstamp;
		uint32_t n = o->ctx_size_out < sizeof(c) ? o->ctx_size_out : sizeof(c);
		memcpy(o->ctx_out, &c, n);
		int err = o->ctx_size_out < sizeof(c) ? -ENOSPC : 0;
		o->ctx_size_out = sizeof(c);
		return err;
	}
	return 0;
}

const struct progtype_run progtype_run_skb = { .prog_type = 0, .prepare = skb_prepare, .finish = skb_finish };
