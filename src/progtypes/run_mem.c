/* run_mem.c - memory for one test run: context and packet in one mapping below 4 GiB; the table of types */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "progtypes/run_ctx.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0 /* hosts without it: the mmap hint below still tries low addresses */
#endif

int test_run_mem_alloc(struct test_run_mem *m, size_t ctx_size, size_t headroom, size_t data_size, size_t tailroom)
{
	size_t ctx_area = (ctx_size + 63) & ~(size_t)63;
	size_t total = ctx_area + headroom + data_size + tailroom;
	long page = sysconf(_SC_PAGESIZE);
	total = (total + page - 1) & ~(size_t)(page - 1);
	memset(m, 0, sizeof(*m));
	void *p = mmap((void *)0x10000000, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	if ((uintptr_t)p + total > UINT32_MAX) { /* 32-bit ctx fields could not hold the packet's addresses */
		munmap(p, total);
		return -ENOTSUP;
	}
	m->base = p;
	m->size = total;
	m->ctx = m->base;
	m->ctx_size = ctx_size;
	m->head = m->base + ctx_area;
	m->data = m->head + headroom;
	m->data_end = m->data + data_size;
	m->buf_size = headroom + data_size + tailroom;
	return 0;
}

void test_run_mem_free(struct test_run_mem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	m->base = NULL;
	free(m->frags);
	free(m->out_buf);
	m->frags = m->out_buf = NULL;
}

bool ctx_tail_zero(const void *ctx, size_t size, size_t known)
{
	for (size_t i = known; i < size; i++)
		if (((const uint8_t *)ctx)[i])
			return false;
	return true;
}

extern const struct progtype_run progtype_run_skb, progtype_run_xdp, progtype_run_raw, progtype_run_flow;

static const struct {
	uint32_t prog_type;
	const struct progtype_run *run;
} run_table[] = {
	{ BPF_PROG_TYPE_SOCKET_FILTER, &progtype_run_skb },
	{ BPF_PROG_TYPE_SCHED_CLS, &progtype_run_skb },
	{ BPF_PROG_TYPE_SCHED_ACT, &progtype_run_skb },
	{ BPF_PROG_TYPE_CGROUP_SKB, &progtype_run_skb },
	{ BPF_PROG_TYPE_LWT_IN, &progtype_run_skb },
	{ BPF_PROG_TYPE_LWT_OUT, &progtype_run_skb },
	{ BPF_PROG_TYPE_LWT_XMIT, &progtype_run_skb },
	{ BPF_PROG_TYPE_XDP, &progtype_run_xdp },
	{ BPF_PROG_TYPE_FLOW_DISSECTOR, &progtype_run_flow },
	/* r1 = a copy of ctx_in: the kernel test-runs these (syscall, raw_tp); kprobe/tracepoint/perf_event are
	 * bpfvm's extension (the kernel answers -ENOTSUPP), so tracing programs can be unit-tested too */
	{ BPF_PROG_TYPE_SYSCALL, &progtype_run_raw },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, &progtype_run_raw },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, &progtype_run_raw },
	{ BPF_PROG_TYPE_KPROBE, &progtype_run_raw },
	{ BPF_PROG_TYPE_TRACEPOINT, &progtype_run_raw },
	{ BPF_PROG_TYPE_PERF_EVENT, &progtype_run_raw },
	{ BPF_PROG_TYPE_UNSPEC, &progtype_run_raw },
};

const struct progtype_run *progtype_run_find(uint32_t prog_type)
{
	for (size_t i = 0; i < sizeof(run_table) / sizeof(run_table[0]); i++)
		if (run_table[i].prog_type == prog_type)
			return run_table[i].run;
	return NULL;
}
