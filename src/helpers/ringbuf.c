/* ringbuf.c - the ring buffer helpers: bpf_ringbuf_output, reserve, submit, discard, query */
#include <errno.h>

#include "helpers/impl.h"
#include "interp/run.h"
#include "maps/map.h"

static struct bpfvm_map *ringbuf_arg(uint64_t r, struct bpfvm_run_ctx *rc, const char *helper)
{
	struct bpfvm_map *m = (struct bpfvm_map *)(uintptr_t)r;
	if (rc->checked && (!bpfvm_map_is_live(m) || m->type != BPF_MAP_TYPE_RINGBUF)) {
		bpfvm_run_fail(rc, -EFAULT, "%s: R1 0x%llx is not a ring buffer, at insn %zu", helper,
			       (unsigned long long)r, rc->helper_insn);
		return NULL;
	}
	return m;
}

HELPER(bpf_ringbuf_output)
{
	struct bpfvm_map *m = ringbuf_arg(r1, rc, "bpf_ringbuf_output");
	const void *data = (const void *)(uintptr_t)r2;
	(void)r5;
	if (!m || !bpfvm_run_helper_access(rc, data, (size_t)r3, false, "bpf_ringbuf_output"))
		return 0;
	return (uint64_t)(int64_t)bpfvm_ringbuf_output(m, data, r3, r4);
}

HELPER(bpf_ringbuf_reserve)
{
	struct bpfvm_map *m = ringbuf_arg(r1, rc, "bpf_ringbuf_reserve");
	(void)r4;
	(void)r5;
	return m ? (uint64_t)(uintptr_t)bpfvm_ringbuf_reserve(m, r2, r3) : 0;
}

/* the verifier proves the pointer is a live reservation; an unverified program in checked mode is not asked */
HELPER(bpf_ringbuf_submit)
{
	(void)r2; (void)r3; (void)r4; (void)r5; (void)rc;
	if (r1)
		bpfvm_ringbuf_commit((void *)(uintptr_t)r1, false);
	return 0;
}

HELPER(bpf_ringbuf_discard)
{
	(void)r2; (void)r3; (void)r4; (void)r5; (void)rc;
	if (r1)
		bpfvm_ringbuf_commit((void *)(uintptr_t)r1, true);
	return 0;
}

HELPER(bpf_ringbuf_query)
{
	struct bpfvm_map *m = ringbuf_arg(r1, rc, "bpf_ringbuf_query");
	(void)r3; (void)r4; (void)r5;
	return m ? bpfvm_ringbuf_query(m, r2) : 0;
}
