/* perf.c - bpf_perf_event_output: a sample into a perf event array slot's ring, with packet bytes appended for
 * socket-buffer and XDP programs (the kernel's bpf_skb_event_output / bpf_xdp_event_output) */
#include <errno.h>

#include "helpers/impl.h"
#include "interp/prog.h"
#include "interp/run.h"
#include "maps/map.h"
#include "progtypes/ctx_layout.h"


/* the program types whose context carries packet bytes a sample may append */
static bool has_ctx_bytes(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER: case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_CGROUP_SKB: case BPF_PROG_TYPE_LWT_IN: case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT: case BPF_PROG_TYPE_SK_SKB: case BPF_PROG_TYPE_XDP:
		return true;
	default:
		return false;
	}
}

/* bpf_perf_event_output(ctx, map, flags, data, size) */
HELPER(bpf_perf_event_output)
{
	struct bpfvm_map *m = (struct bpfvm_map *)(uintptr_t)r2;
	const void *data = (const void *)(uintptr_t)r4;
	uint32_t size = (uint32_t)r5, ctx_size = (uint32_t)((r3 & BPF_F_CTXLEN_MASK) >> 32);
	if (rc->checked && (!bpfvm_map_is_live(m) || m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)) {
		bpfvm_run_fail(rc, -EFAULT, "bpf_perf_event_output: R2 0x%llx is not a perf event array, at insn %zu",
			       (unsigned long long)r2, rc->helper_insn);
		return 0;
	}
	if (!bpfvm_run_helper_access(rc, data, size, false, "bpf_perf_event_output"))
		return 0;
	bool ctx_bytes = rc->prog && has_ctx_bytes(rc->prog->prog_type);
	if (r3 & ~(BPF_F_INDEX_MASK | (ctx_bytes ? BPF_F_CTXLEN_MASK : 0)))
		return (uint64_t)(int64_t)-EINVAL;
	const uint8_t *pkt = rc->pkt;
	size_t pkt_len = rc->pkt_len;
	if (ctx_size && rc->prog->prog_type == BPF_PROG_TYPE_XDP) { /* the packet as the program left it */
		const struct xdp_md *x = (const struct xdp_md *)(uintptr_t)r1;
		pkt = (const uint8_t *)(uintptr_t)x->data;
		pkt_len = x->data_end >= x->data ? x->data_end - x->data : 0;
	}
	if (ctx_size && (!pkt || ctx_size > pkt_len))
		return (uint64_t)(int64_t)-EFAULT;
	uint64_t index = r3 & BPF_F_INDEX_MASK;
	if (index == BPF_F_CURRENT_CPU)
		index = 0; /* the CPU bpf_get_smp_processor_id() reports */
	return (uint64_t)(int64_t)bpfvm_perf_event_output(m, (uint32_t)index, data, size, pkt, ctx_size);
}
