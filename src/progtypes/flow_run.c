/* flow_run.c - test run of flow dissector programs as bpf_prog_test_run_flow_dissector(): the program sees the
 * frame through __sk_buff data/data_end and fills struct bpf_flow_keys, which is the data out */
#include <errno.h>
#include <linux/if_ether.h>
#include <stddef.h>
#include <string.h>

#include "common/log_internal.h"
#include "progtypes/run_ctx.h"

/* the context the program sees, then the flow keys it fills (both below 4 GiB) */
struct flow_ctx {
	struct __sk_buff skb;
	struct bpf_flow_keys keys;
};

/* bpf_flow_dissect(): the keys start from the EtherType, nhoff = thoff = ETH_HLEN and the caller's flags */
static void flow_before_each(struct test_run_mem *m)
{
	struct bpf_flow_keys *k = &((struct flow_ctx *)m->ctx)->keys;
	memset(k, 0, sizeof(*k));
	memcpy(&k->n_proto, m->data + 12, 2);
	k->nhoff = ETH_HLEN;
	k->thoff = ETH_HLEN;
	k->flags = m->arg[0];
}

/* ... and clamps the offsets the program left to the packet */
static void flow_after_each(struct test_run_mem *m)
{
	struct bpf_flow_keys *k = &((struct flow_ctx *)m->ctx)->keys;
	uint16_t hlen = m->data_end - m->data;
	k->nhoff = k->nhoff < ETH_HLEN ? ETH_HLEN : k->nhoff > hlen ? hlen : k->nhoff;
	k->thoff = k->thoff < k->nhoff ? k->nhoff : k->thoff > hlen ? hlen : k->thoff;
}

static int flow_prepare(uint32_t type, struct test_run_mem *m, const struct bpfvm_test_run_opts *o, struct bpfvm_log *log)
{
	struct bpf_flow_keys in = { 0 };
	size_t size = o->data_size_in;
	if (!o->data_in || size < ETH_HLEN || size > 65535) {
		bpfvm_logf(log, "test run: packet of %zu bytes: the flow dissector takes at least %d", size, ETH_HLEN);
		return -EINVAL;
	}
	if (o->ctx_in) {
		if (!ctx_tail_zero(o->ctx_in, o->ctx_size_in, sizeof(in))) {
			bpfvm_logf(log, "test run: ctx_in is larger than struct bpf_flow_keys and its tail is not zero");
			return -E2BIG;
		}
		memcpy(&in, o->ctx_in, o->ctx_size_in < sizeof(in) ? o->ctx_size_in : sizeof(in));
		struct bpf_flow_keys only_flags = { .flags = in.flags };
		if (memcmp(&in, &only_flags, sizeof(in))) { /* verify_user_bpf_flow_keys(): flags only */
			bpfvm_logf(log, "test run: ctx_in may set only the flags of struct bpf_flow_keys");
			return -EINVAL;
		}
	}
	int err = test_run_mem_alloc(m, sizeof(struct flow_ctx), 0, size, 0);
	if (err) {
		bpfvm_logf(log, "test run: cannot map packet memory below 4 GiB");
		return err;
	}
	memcpy(m->data, o->data_in, size);
	struct flow_ctx *c = (struct flow_ctx *)m->ctx;
	c->skb.data = (uint32_t)(uintptr_t)m->data;
	c->skb.data_end = (uint32_t)(uintptr_t)m->data_end;
	c->skb.flow_keys = &c->keys;
	m->arg[0] = in.flags;
	m->pkt_writable = false;
	m->r1 = (uintptr_t)&c->skb;
	m->ctx_size = sizeof(struct flow_ctx); /* the keys are written through the flow_keys pointer */
	return 0;
}

static int flow_finish(uint32_t type, struct test_run_mem *m, struct bpfvm_test_run_opts *o, const uint8_t **out,
		       size_t *out_size)
{
	*out = (const uint8_t *)&((struct flow_ctx *)m->ctx)->keys;
	*out_size = sizeof(struct bpf_flow_keys);
	if (o->ctx_out) { /* bpf_ctx_finish() returns the caller's ctx as it came */
		struct bpf_flow_keys c = { .flags = m->arg[0] };
		uint32_t n = o->ctx_size_out < sizeof(c) ? o->ctx_size_out : sizeof(c);
		memcpy(o->ctx_out, &c, n);
		int err = o->ctx_size_out < sizeof(c) ? -ENOSPC : 0;
		o->ctx_size_out = sizeof(c);
		return err;
	}
	return 0;
}

const struct progtype_run progtype_run_flow = { .prog_type = BPF_PROG_TYPE_FLOW_DISSECTOR, .prepare = flow_prepare,
						.finish = flow_finish, .before_each = flow_before_each,
						.after_each = flow_after_each };
