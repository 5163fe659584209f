/* kperf.h - a kernel BPF_OUTPUT perf event with its mmapped ring, put in a perf event array slot, and the samples
 * bpf_perf_event_output wrote into it (what libbpf's perf_buffer does, for differential tests) */
#ifndef BPFVM_TESTS_LIB_KPERF_H
#define BPFVM_TESTS_LIB_KPERF_H

#include <stddef.h>
#include <stdint.h>

struct kperf {
	int fd;
	void *ring; /* the control page, then data_size bytes */
	size_t data_size;
};

/* a ring of data_pages pages on cpu, stored in slot of the perf event array map_fd; 0 or -errno */
int kperf_open(struct kperf *p, int map_fd, uint32_t slot, int cpu, size_t data_pages);
/* the samples waiting, in order: each is a u32 raw size then the raw bytes, appended to out (cap bytes), and each
 * PERF_RECORD_LOST record as a u32 0xffffffff then its u64 count;
 * returns how many, or -ENOSPC */
int kperf_drain(struct kperf *p, uint8_t *out, size_t cap, size_t *len);
void kperf_close(struct kperf *p);

#endif
