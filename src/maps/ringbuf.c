/* ringbuf.c - BPF_MAP_TYPE_RINGBUF: a power-of-two byte ring of 8-byte-aligned records (reserve/commit/discard),
 * mapped twice back to back so that a record crossing the end is contiguous, as the kernel maps its data pages */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/log_internal.h"
#include "maps/map.h"

#define RB_BUSY (1u << 31)    /* BPF_RINGBUF_BUSY_BIT */
#define RB_DISCARD (1u << 30) /* BPF_RINGBUF_DISCARD_BIT */
#define RB_HDR 8u             /* BPF_RINGBUF_HDR_SZ: u32 len (with the bits), u32 page offset */

/*
 * The storage is one block, so that a ring can be pinned and consumed by another process: a page holding the
 * positions, then the data pages, which are mapped a second time right after the block (mem_mirror) as the kernel
 * maps its data pages twice, so that a record crossing the end is contiguous.
 */
struct rb_pos {
	uint64_t cons_pos, prod_pos;
};

static size_t rb_data_off(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static struct rb_pos *rb_pos(const struct bpfvm_map *m)
{
	return m->data;
}

static uint8_t *rb_data(const struct bpfvm_map *m)
{
	return (uint8_t *)m->data + rb_data_off();
}

static uint64_t rb_mask(const struct bpfvm_map *m)
{
	return (uint64_t)m->max_entries - 1;
}

/* the ring bytes a record of size bytes takes: its header, rounded up to 8 */
static uint64_t rb_record_len(uint64_t size)
{
	return (size + RB_HDR + 7) & ~7ull;
}

static int rb_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t n = attr->max_entries;
	if (attr->key_size || attr->value_size || !n || (n & (n - 1)) || n % (uint32_t)page ||
	    (attr->map_flags & ~BPF_F_NUMA_NODE)) {
		bpfvm_logf(log, "ringbuf map '%s': key_size and value_size 0, max_entries a power of 2 and a multiple of "
			   "%ld (got %u/%u/%u, flags 0x%x)", attr->name ? attr->name : "", page, attr->key_size,
			   attr->value_size, n, attr->map_flags);
		return -EINVAL;
	}
	return 0;
}

static size_t rb_mem_size(const struct bpfvm_map *m)
{
	return rb_data_off() + m->max_entries;
}

static size_t rb_mem_mirror(const struct bpfvm_map *m)
{
	return m->max_entries;
}

/* positions read from a pinned file: the producer at most a ring ahead of the consumer, both record-aligned */
static bool rb_mem_valid(const struct bpfvm_map *m)
{
	const struct rb_pos *p = rb_pos(m);
	return p->prod_pos >= p->cons_pos && p->prod_pos - p->cons_pos <= rb_mask(m) && !(p->cons_pos % 8) &&
	       !(p->prod_pos % 8);
}

/* keyed element operations do not exist on a ring buffer (bpf(2) answers -ENOTSUPP; bpfvm -EOPNOTSUPP) */
static void *rb_lookup(struct bpfvm_map *m, const void *key) { (void)m; (void)key; return NULL; }
static int rb_update(struct bpfvm_map *m, const void *k, const void *v, uint64_t f) { (void)m; (void)k; (void)v; (void)f; return -EOPNOTSUPP; }
static int rb_delete(struct bpfvm_map *m, const void *k) { (void)m; (void)k; return -EOPNOTSUPP; }
static int rb_get_next_key(struct bpfvm_map *m, const void *k, void *n) { (void)m; (void)k; (void)n; return -EOPNOTSUPP; }

static void rb_storage(const struct bpfvm_map *m, void **start, size_t *len)
{
	*start = rb_data(m);
	*len = 2 * (size_t)m->max_entries;
}

const struct bpfvm_map_ops bpfvm_ringbuf_map_ops = {
	.alloc_check = rb_alloc_check,
	.mem_size = rb_mem_size,
	.mem_mirror = rb_mem_mirror,
	.mem_valid = rb_mem_valid,
	.lookup = rb_lookup,
	.update = rb_update,
	.delete = rb_delete,
	.get_next_key = rb_get_next_key,
	.storage = rb_storage,
};

static bool is_ringbuf(const struct bpfvm_map *m)
{
	return m && m->type == BPF_MAP_TYPE_RINGBUF;
}

void *bpfvm_ringbuf_reserve(struct bpfvm_map *m, uint64_t size, uint64_t flags)
{
	if (!is_ringbuf(m) || flags || size > m->max_entries - RB_HDR) /* kernel: over RINGBUF_MAX_RECORD_SZ */
		return NULL;
	struct rb_pos *rb = rb_pos(m);
	uint64_t len = rb_record_len(size);
	bpfvm_map_lock(m);
	void *p = NULL;
	if (rb->prod_pos + len - rb->cons_pos <= rb_mask(m)) { /* never more than size - 1 ahead, as the kernel */
		uint8_t *hdr = rb_data(m) + (rb->prod_pos & rb_mask(m));
		uint32_t l = (uint32_t)size | RB_BUSY, pg_off = 0;
		memcpy(hdr, &l, 4);
		memcpy(hdr + 4, &pg_off, 4);
		rb->prod_pos += len;
		p = hdr + RB_HDR;
	}
	bpfvm_map_unlock(m);
	return p;
}

/* submit (discard false) or discard a reserved record: its busy bit cleared, the discard bit set if asked */
void bpfvm_ringbuf_commit(void *sample, bool discard)
{
	uint8_t *hdr = (uint8_t *)sample - RB_HDR;
	uint32_t l;
	memcpy(&l, hdr, 4);
	l = (l & ~RB_BUSY) | (discard ? RB_DISCARD : 0);
	__atomic_store_n((uint32_t *)(void *)hdr, l, __ATOMIC_RELEASE);
}

int bpfvm_ringbuf_output(struct bpfvm_map *m, const void *data, uint64_t size, uint64_t flags)
{
	if (flags & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
		return -EINVAL;
	void *p = bpfvm_ringbuf_reserve(m, size, 0);
	if (!p)
		return -EAGAIN;
	memcpy(p, data, size);
	bpfvm_ringbuf_commit(p, false);
	return 0;
}

uint64_t bpfvm_ringbuf_query(struct bpfvm_map *m, uint64_t flags)
{
	if (!is_ringbuf(m))
		return 0;
	const struct rb_pos *rb = rb_pos(m);
	switch (flags) {
	case BPF_RB_AVAIL_DATA: return rb->prod_pos - rb->cons_pos;
	case BPF_RB_RING_SIZE: return m->max_entries;
	case BPF_RB_CONS_POS: return rb->cons_pos;
	case BPF_RB_PROD_POS: return rb->prod_pos;
	default: return 0;
	}
}

uint64_t bpfvm_ringbuf__avail_data(struct bpfvm_map *m)
{
	return bpfvm_ringbuf_query(m, BPF_RB_AVAIL_DATA);
}

int bpfvm_ringbuf__consume(struct bpfvm_map *m, int (*cb)(void *ctx, const void *data, size_t len), void *ctx)
{
	if (!is_ringbuf(m))
		return -EINVAL;
	struct rb_pos *rb = rb_pos(m);
	int n = 0, err = 0;
	bpfvm_map_lock(m);
	while (rb->cons_pos < rb->prod_pos) {
		const uint8_t *hdr = rb_data(m) + (rb->cons_pos & rb_mask(m));
		uint32_t l = __atomic_load_n((const uint32_t *)(const void *)hdr, __ATOMIC_ACQUIRE);
		if (l & RB_BUSY)
			break; /* reserved, not yet committed: later records wait, as for a kernel consumer */
		uint32_t size = l & ~(RB_BUSY | RB_DISCARD);
		uint64_t len = rb_record_len(size);
		if (len > rb->prod_pos - rb->cons_pos) { /* a pinned ring another process wrote wrongly */
			err = -EINVAL;
			break;
		}
		if (!(l & RB_DISCARD)) {
			err = cb ? cb(ctx, hdr + RB_HDR, size) : 0;
			n++;
		}
		rb->cons_pos += len;
		if (err)
			break;
	}
	bpfvm_map_unlock(m);
	return err ? err : n;
}
