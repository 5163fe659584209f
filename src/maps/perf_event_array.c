/* perf_event_array.c - BPF_MAP_TYPE_PERF_EVENT_ARRAY: slots that, in the kernel, hold perf events whose rings
 * bpf_perf_event_output writes samples into. Here each slot may hold a ring of the same layout and capacity as a
 * perf event's mmapped data area: records of a perf_event_header, the raw sample's u32 size and its bytes */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

#define PERF_RECORD_LOST 2
#define PERF_RECORD_SAMPLE 9
#define LOST_RECORD_SIZE 24 /* a perf_event_header, the event's id, the count */
#define PEA_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

struct perf_ring {
	uint8_t *data;
	size_t size;
	uint64_t head, tail; /* bytes written and read so far: head - tail are waiting */
	uint64_t lost;       /* samples that did not fit since the last PERF_RECORD_LOST was written */
};

static int pea_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	if (attr->key_size != 4 || attr->value_size != 4 || (attr->map_flags & ~PEA_FLAGS)) {
		bpfvm_logf(log, "perf_event_array map '%s': key_size and value_size must be 4 (got %u/%u, flags 0x%x)",
			   attr->name ? attr->name : "", attr->key_size, attr->value_size, attr->map_flags);
		return -EINVAL;
	}
	return 0;
}

static int pea_alloc(struct bpfvm_map *m)
{
	m->data = calloc(m->max_entries, sizeof(struct perf_ring *));
	return m->data ? 0 : -ENOMEM;
}

static void ring_free(struct perf_ring *r)
{
	if (r) {
		free(r->data);
		free(r);
	}
}

static void pea_free(struct bpfvm_map *m)
{
	struct perf_ring **slots = m->data;
	for (uint32_t i = 0; i < m->max_entries; i++)
		ring_free(slots[i]);
	free(slots);
}

/* the slots hold rings, not bytes: user space sets them with bpfvm_map__perf_ring, and may empty one */
static void *pea_lookup(struct bpfvm_map *m, const void *key) { (void)m; (void)key; return NULL; }
static int pea_update(struct bpfvm_map *m, const void *k, const void *v, uint64_t f) { (void)m; (void)k; (void)v; (void)f; return -EOPNOTSUPP; }

static int pea_delete(struct bpfvm_map *m, const void *key)
{
	uint32_t i = bpfvm_map_key_index(key);
	struct perf_ring **slots = m->data;
	if (i >= m->max_entries)
		return -E2BIG;
	if (!slots[i])
		return -ENOENT;
	ring_free(slots[i]);
	slots[i] = NULL;
	return 0;
}

const struct bpfvm_map_ops bpfvm_perf_event_array_map_ops = {
	.alloc_check = pea_alloc_check,
	.alloc = pea_alloc,
	.free = pea_free,
	.lookup = pea_lookup,
	.update = pea_update,
	.delete = pea_delete,
	.get_next_key = bpfvm_map_index_next_key,
};

int bpfvm_map__perf_ring(struct bpfvm_map *map, uint32_t index, size_t size)
{
	if (map->ops != &bpfvm_perf_event_array_map_ops)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	struct perf_ring *r = NULL;
	if (size) {
		if (size < 64 || size > (1u << 30))
			return -EINVAL;
		if (!(r = calloc(1, sizeof(*r))) || !(r->data = calloc(1, size))) {
			free(r);
			return -ENOMEM;
		}
		r->size = size;
	}
	bpfvm_map_lock(map);
	struct perf_ring **slots = map->data;
	ring_free(slots[index]);
	slots[index] = r;
	bpfvm_map_unlock(map);
	return 0;
}

static void ring_put(struct perf_ring *r, const void *src, size_t n)
{
	for (size_t done = 0; done < n;) {
		size_t at = (size_t)(r->head % r->size), chunk = r->size - at < n - done ? r->size - at : n - done;
		memcpy(r->data + at, (const uint8_t *)src + done, chunk);
		r->head += chunk;
		done += chunk;
	}
}

static void ring_get(struct perf_ring *r, void *dst, size_t n)
{
	for (size_t done = 0; done < n;) {
		size_t at = (size_t)(r->tail % r->size), chunk = r->size - at < n - done ? r->size - at : n - done;
		memcpy((uint8_t *)dst + done, r->data + at, chunk);
		r->tail += chunk;
		done += chunk;
	}
}

int bpfvm_perf_event_output(struct bpfvm_map *m, uint32_t index, const void *data, uint32_t size,
			    const void *ctx_data, uint32_t ctx_size)
{
	if (index >= m->max_entries)
		return -E2BIG;
	/* the kernel pads the raw sample so that its u32 size and bytes end on 8 bytes */
	uint32_t raw = (uint32_t)((((uint64_t)size + ctx_size + 4 + 7) & ~7ull) - 4);
	size_t rec = 8 + 4 + (size_t)raw;
	if (rec > UINT16_MAX)
		return -E2BIG; /* a perf record's size is a u16 */
	bpfvm_map_lock(m);
	struct perf_ring *r = ((struct perf_ring **)m->data)[index];
	int err = 0;
	/* as the kernel's perf_output_begin: samples lost before are reported first, in a PERF_RECORD_LOST record
	 * written with the next sample that fits together with it */
	size_t need = r && r->lost ? rec + LOST_RECORD_SIZE : rec;
	if (!r) {
		err = -ENOENT;
	} else if (r->size - (r->head - r->tail) <= need) { /* the kernel's CIRC_SPACE keeps one byte free */
		r->lost++;
		err = -ENOSPC;
	} else {
		if (r->lost) { /* the id of the perf event: bpfvm's rings have none, 0 */
			uint16_t lhdr[4] = { PERF_RECORD_LOST, 0, 0, LOST_RECORD_SIZE };
			uint64_t id_lost[2] = { 0, r->lost };
			ring_put(r, lhdr, sizeof(lhdr));
			ring_put(r, id_lost, sizeof(id_lost));
			r->lost = 0;
		}
		uint16_t hdr[4] = { PERF_RECORD_SAMPLE, 0, 0, (uint16_t)rec }; /* u32 type, u16 misc, u16 size */
		ring_put(r, hdr, sizeof(hdr));
		ring_put(r, &raw, 4);
		ring_put(r, data, size);
		ring_put(r, ctx_data, ctx_size);
		r->head += raw - size - ctx_size; /* the padding is skipped, not written, as the kernel's perf_output_skip:
						   * it keeps whatever an earlier record left there */
	}
	bpfvm_map_unlock(m);
	return err;
}

int bpfvm_perf__consume(struct bpfvm_map *map,
			int (*sample_cb)(void *ctx, uint32_t index, const void *data, uint32_t size),
			void (*lost_cb)(void *ctx, uint32_t index, uint64_t count), void *ctx)
{
	if (map->ops != &bpfvm_perf_event_array_map_ops)
		return -EINVAL;
	int n = 0, stop = 0;
	uint8_t *buf = malloc(UINT16_MAX);
	if (!buf)
		return -ENOMEM;
	bpfvm_map_lock(map);
	struct perf_ring **slots = map->data;
	for (uint32_t i = 0; i < map->max_entries && !stop; i++) {
		struct perf_ring *r = slots[i];
		if (!r)
			continue;
		while (r->head != r->tail && !stop) {
			uint16_t hdr[4];
			ring_get(r, hdr, sizeof(hdr));
			if (hdr[0] == PERF_RECORD_LOST) {
				uint64_t id_lost[2];
				ring_get(r, id_lost, sizeof(id_lost));
				if (lost_cb)
					lost_cb(ctx, i, id_lost[1]);
				continue;
			}
			uint32_t raw;
			ring_get(r, &raw, 4);
			ring_get(r, buf, raw);
			n++;
			if (sample_cb)
				stop = sample_cb(ctx, i, buf, raw);
		}
	}
	bpfvm_map_unlock(map);
	free(buf);
	return stop ? stop : n;
}
