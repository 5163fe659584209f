/* kperf.c - a kernel BPF_OUTPUT perf event and its ring, read as perf_event_open(2) describes (kperf.h) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/kernel.h"
#include "lib/kperf.h"

int kperf_open(struct kperf *p, int map_fd, uint32_t slot, int cpu, size_t data_pages)
{
	struct perf_event_attr a = { 0 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_BPF_OUTPUT;
	a.sample_type = PERF_SAMPLE_RAW;
	a.sample_period = 1;
	a.wakeup_events = 1;
	memset(p, 0, sizeof(*p));
	p->fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (p->fd < 0)
		return -errno;
	p->data_size = data_pages * page;
	p->ring = mmap(NULL, page + p->data_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
	if (p->ring == MAP_FAILED) {
		int err = -errno;
		close(p->fd);
		p->ring = NULL;
		return err;
	}
	uint32_t fd = (uint32_t)p->fd;
	int err = kernel_map_update(map_fd, &slot, &fd, 0);
	if (err) {
		kperf_close(p);
		return err;
	}
	return 0;
}

int kperf_drain(struct kperf *p, uint8_t *out, size_t cap, size_t *len)
{
	struct perf_event_mmap_page *ctl = p->ring;
	uint8_t *data = (uint8_t *)p->ring + sysconf(_SC_PAGESIZE);
	uint64_t head = __atomic_load_n(&ctl->data_head, __ATOMIC_ACQUIRE), tail = ctl->data_tail;
	int n = 0;
	*len = 0;
	while (tail < head) {
		struct perf_event_header h;
		uint8_t rec[65536];
		for (size_t i = 0; i < sizeof(h); i++)
			((uint8_t *)&h)[i] = data[(tail + i) % p->data_size];
		for (size_t i = 0; i < h.size; i++)
			rec[i] = data[(tail + i) % p->data_size];
		tail += h.size;
		if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) { /* marked: u32 0xffffffff, u64 count */
			if (*len + 12 > cap)
				return -ENOSPC;
			memset(out + *len, 0xff, 4);
			memcpy(out + *len + 4, rec + sizeof(h) + 8, 8);
			*len += 12;
			continue;
		}
		if (h.type != PERF_RECORD_SAMPLE)
			continue;
		uint32_t raw;
		memcpy(&raw, rec + sizeof(h), 4);
		if (*len + 4 + raw > cap)
			return -ENOSPC;
		memcpy(out + *len, &raw, 4);
		memcpy(out + *len + 4, rec + sizeof(h) + 4, raw);
		*len += 4 + raw;
		n++;
	}
	__atomic_store_n(&ctl->data_tail, tail, __ATOMIC_RELEASE);
	return n;
}

void kperf_close(struct kperf *p)
{
	if (p->ring)
		munmap(p->ring, (size_t)sysconf(_SC_PAGESIZE) + p->data_size);
	if (p->fd >= 0)
		close(p->fd);
	p->ring = NULL;
	p->fd = -1;
}
