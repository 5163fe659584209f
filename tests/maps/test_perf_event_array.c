/* test_perf_event_array.c - perf event array slots and rings: samples in order with the kernel's padding, a full
 * ring (-ENOSPC, counted lost), empty slots (-ENOENT), indexes out of range (-E2BIG), element operations */
#include <errno.h>
#include <string.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"
#include "maps/map.h"

struct seen {
	int n;
	uint32_t slot[64], size[64];
	uint8_t first[64];
	uint64_t lost;
};

static int on_sample(void *ctx, uint32_t slot, const void *data, uint32_t size)
{
	struct seen *s = ctx;
	if (s->n < 64) {
		s->slot[s->n] = slot;
		s->size[s->n] = size;
		s->first[s->n] = size ? *(const uint8_t *)data : 0;
	}
	s->n++;
	return 0;
}

static void on_lost(void *ctx, uint32_t slot, uint64_t count)
{
	(void)slot;
	((struct seen *)ctx)->lost += count;
}

int main(void)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = 4, .value_size = 4,
		   .max_entries = 4, .name = "events");
	if (bpfvm_map_create(&attr, &m, &log)) {
		t_fail("create: %s", log.last_error);
		return t_done();
	}
	uint8_t data[300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	CHECK(bpfvm_perf_event_output(m, 0, data, 8, NULL, 0) == -ENOENT, "perf: a sample to an empty slot is -ENOENT");
	CHECK(bpfvm_perf_event_output(m, 4, data, 8, NULL, 0) == -E2BIG, "perf: an index past max_entries is -E2BIG");
	CHECK(bpfvm_map__perf_ring(m, 4, 4096) == -E2BIG && bpfvm_map__perf_ring(m, 0, 10) == -EINVAL,
	      "perf: rings only in range, of a usable size");
	bpfvm_map__perf_ring(m, 0, 4096);
	bpfvm_map__perf_ring(m, 2, 4096);
	/* sizes 1, 4, 5: raw sizes padded so that 4 + raw is a multiple of 8 */
	int e1 = bpfvm_perf_event_output(m, 2, data + 1, 1, NULL, 0);
	int e2 = bpfvm_perf_event_output(m, 0, data + 2, 4, NULL, 0);
	int e3 = bpfvm_perf_event_output(m, 0, data + 3, 2, data + 100, 3);
	struct seen s = { 0 };
	int n = bpfvm_perf__consume(m, on_sample, on_lost, &s);
	CHECK(!e1 && !e2 && !e3 && n == 3 && s.slot[0] == 0 && s.size[0] == 4 && s.first[0] == 2 && s.slot[1] == 0 &&
		      s.size[1] == 12 && s.first[1] == 3 && s.slot[2] == 2 && s.size[2] == 4 && s.first[2] == 1,
	      "perf: samples by slot then order, sizes padded as the kernel's (4, 12, 4)");
	/* a 4096-byte ring holds 4096 / (8 + 4 + 252) = 15 records of 250 bytes */
	int ok = 0, nospc = 0;
	for (int i = 0; i < 20; i++) {
		int err = bpfvm_perf_event_output(m, 0, data, 250, NULL, 0);
		ok += err == 0;
		nospc += err == -ENOSPC;
	}
	memset(&s, 0, sizeof(s));
	n = bpfvm_perf__consume(m, on_sample, on_lost, &s);
	CHECK(ok == 15 && nospc == 5 && n == 15 && s.lost == 0 && s.size[0] == 252,
	      "perf: a full ring refuses with -ENOSPC (%d stored, %d refused); no loss reported yet (%llu)", ok, nospc,
	      (unsigned long long)s.lost);
	/* the ring wraps: after consuming, records cross its end and come back whole; the first sample that fits
	 * brings a PERF_RECORD_LOST record of the 5 before it */
	for (int i = 0; i < 10; i++)
		bpfvm_perf_event_output(m, 0, data + i, 250, NULL, 0);
	memset(&s, 0, sizeof(s));
	n = bpfvm_perf__consume(m, on_sample, on_lost, &s);
	CHECK(n == 10 && s.first[0] == 0 && s.first[9] == 9 && s.lost == 5,
	      "perf: records that wrap around the ring's end read back whole, after a record of the 5 lost (%llu)",
	      (unsigned long long)s.lost);
	uint32_t k = 2, v = 7;
	CHECK(bpfvm_map__update_elem(m, &k, &v, BPF_ANY) == -EOPNOTSUPP && bpfvm_map__delete_elem(m, &k) == 0 &&
		      bpfvm_map__delete_elem(m, &k) == -ENOENT && bpfvm_perf_event_output(m, 2, data, 8, NULL, 0) == -ENOENT,
	      "perf: update takes no fds (-EOPNOTSUPP), delete empties a slot");
	BPFVM_OPTS(bpfvm_map_attr, bad, .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = 4, .value_size = 8,
		   .max_entries = 4, .name = "bad");
	struct bpfvm_map *b = NULL;
	CHECK(bpfvm_map_create(&bad, &b, &log) == -EINVAL && !b, "perf: value_size other than 4 is refused (%s)",
	      log.last_error);
	bpfvm_map__free(m);
	return t_done();
}
