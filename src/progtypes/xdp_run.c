/* xdp_run.c - test run of XDP programs: struct xdp_md over a buffer with XDP_PACKET_HEADROOM, as the kernel's
 * bpf_prog_test_run_xdp() on the loopback device's rx queue 0 */
#include <errno.h>
#include <linux/if_ether.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "progtypes/ctx_layout.h"
#include "progtypes/run_ctx.h"

#define XDP_PACKET_HEADROOM 256
#define PAGE_SZ 4096
#define LOOPBACK_IFINDEX 1
#define MAX_SKB_FRAGS 17

static int xdp_prepare(uint32_t type, struct test_run_mem *m, const struct bpfvm_test_run_opts *o, struct bpfvm_log *log)
{
	struct xdp_md in = { 0 };
	size_t size = o->data_size_in;
	/* bpf_prog_test_run_xdp(): one page holds the linear part; the rest goes to page-sized fragments */
	size_t max = PAGE_SZ - XDP_PACKET_HEADROOM - BPFVM_XDP_TAILROOM;
	if (!o->data_in || size < ETH_HLEN) {
		bpfvm_logf(log, "test run: packet of %zu bytes: XDP takes at least %d", size, ETH_HLEN);
		return -EINVAL;
	}
	if (size > max + (size_t)MAX_SKB_FRAGS * PAGE_SZ) {
		bpfvm_logf(log, "test run: packet of %zu bytes needs more than %d fragments", size, MAX_SKB_FRAGS);
		return -ENOMEM;
	}
	size_t linear = size < max ? size : max;
	if (o->ctx_in) {
		if (!ctx_tail_zero(o->ctx_in, o->ctx_size_in, sizeof(in))) {
			bpfvm_logf(log, "test run: ctx_in is larger than struct xdp_md and its tail is not zero");
			return -E2BIG; /* bpf_check_uarg_tail_zero() */
		}
		memcpy(&in, o->ctx_in, o->ctx_size_in < sizeof(in) ? o->ctx_size_in : sizeof(in));
		/* xdp_convert_md_to_buff(): no metadata here, data_end must match, no egress device */
		if (in.data || in.data_meta || (in.data_end && in.data_end != size) || in.egress_ifindex ||
		    in.ingress_ifindex > LOOPBACK_IFINDEX || in.rx_queue_index) {
			bpfvm_logf(log, "test run: ctx_in sets xdp_md fields bpfvm does not accept");
			return -EINVAL;
		}
	}
	/* the whole page: bpf_xdp_adjust_tail grows data_end up to the page's end less BPFVM_XDP_TAILROOM */
	int err = test_run_mem_alloc(m, sizeof(struct bpfvm_xdp_ctx), XDP_PACKET_HEADROOM, linear,
				     PAGE_SZ - XDP_PACKET_HEADROOM - linear);
	if (err) {
		bpfvm_logf(log, "test run: cannot map packet memory below 4 GiB");
		return err;
	}
	memcpy(m->data, o->data_in, linear);
	if (size > linear) {
		m->frags_len = size - linear;
		if (!(m->frags = malloc(m->frags_len)))
			return -ENOMEM;
		memcpy(m->frags, (const uint8_t *)o->data_in + linear, m->frags_len);
	}
	struct xdp_md *x = (struct xdp_md *)m->ctx;
	x->data = (uint32_t)(uintptr_t)m->data;
	x->data_end = (uint32_t)(uintptr_t)m->data_end;
	x->data_meta = x->data;
	x->ingress_ifindex = LOOPBACK_IFINDEX;
	x->rx_queue_index = 0;
	m->pkt_writable = true;
	m->r1 = (uintptr_t)x;
	struct bpfvm_ctx_trailer *t = &((struct bpfvm_xdp_ctx *)m->ctx)->t;
	*t = (struct bpfvm_ctx_trailer){ BPFVM_CTX_MAGIC, (uintptr_t)m->head, (uintptr_t)m->head + m->buf_size,
					 (uintptr_t)m->data, (uintptr_t)m->data_end, type, 0 };
	m->ctx_size = sizeof(struct xdp_md);
	return 0;
}

static int xdp_finish(uint32_t type, struct test_run_mem *m, struct bpfvm_test_run_opts *o, const uint8_t **out,
		      size_t *out_size)
{
	const struct xdp_md *x = (const struct xdp_md *)m->ctx;
	/* helpers (xdp_adjust_head/tail) move data and data_end inside the buffer */
	uintptr_t d = x->data, e = x->data_end;
	if (d < (uintptr_t)m->head || e > (uintptr_t)m->head + m->buf_size || d > e)
		return -EFAULT;
	*out = (const uint8_t *)d;
	*out_size = e - d;
	if (m->frags_len) { /* bpf_test_finish() copies the linear part, then each fragment */
		if (!(m->out_buf = malloc(e - d + m->frags_len)))
			return -ENOMEM;
		memcpy(m->out_buf, (const void *)d, e - d);
		memcpy(m->out_buf + (e - d), m->frags, m->frags_len);
		*out = m->out_buf;
		*out_size = e - d + m->frags_len;
	}
	if (o->ctx_out) {
		struct xdp_md c = { .data_end = e - d, .ingress_ifindex = x->ingress_ifindex,
				    .rx_queue_index = x->rx_queue_index };
		uint32_t n = o->ctx_size_out < sizeof(c) ? o->ctx_size_out : sizeof(c);
		memcpy(o->ctx_out, &c, n);
		int err = o->ctx_size_out < sizeof(c) ? -ENOSPC : 0;
		o->ctx_size_out = sizeof(c);
		return err;
	}
	return 0;
}

const struct progtype_run progtype_run_xdp = { .prog_type = BPF_PROG_TYPE_XDP, .prepare = xdp_prepare,
					       .finish = xdp_finish };
