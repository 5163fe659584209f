/* ringbuf.c - BPF_MAP_TYPE_RINGBUF: a power-of-two byte ring of 8-byte-aligned records (reserve/commit/discard),
 * mapped twice back to back so that a record crossing the end is contiguous, as the kernel maps its data pages */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log_internal.h"
#include "maps/map.h"

#define RB_BUSY (1u << 31)    /* BPF_RINGBUF_BUSY_BIT */
#define RB_DISCARD (1u << 30) /* BPF_RINGBUF_DISCARD_BIT */
#define RB_HDR 8u             /* BPF_RINGBUF_HDR_SZ: u32 len (with the bits), u32 page offset */

struct ringbuf {
	uint64_t mask;
	uint64_t cons_pos, prod_pos;
	uint8_t *data; /* 2 * size bytes: the same pages twice */
};

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

static int rb_alloc(struct bpfvm_map *m)
{
	size_t size = m->max_entries;
	struct ringbuf *rb = calloc(1, sizeof(*rb));
	int fd = memfd_create("bpfvm-ringbuf", MFD_CLOEXEC);
	uint8_t *area = MAP_FAILED;
	if (!rb || fd < 0 || ftruncate(fd, (off_t)size))
		goto fail;
	area = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED ||
	    mmap(area, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    mmap(area + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		goto fail;
	close(fd);
	rb->mask = size - 1;
	rb->data = area;
	m->data = rb;
	return 0;
fail:
	if (area != MAP_FAILED)
		munmap(area, 2 * size);
	if (fd >= 0)
		close(fd);
	free(rb);
	return -ENOMEM;
}

static void rb_free(struct bpfvm_map *m)
{
	struct ringbuf *rb = m->data;
	munmap(rb->data, 2 * (size_t)m->max_entries);
	free(rb);
}

/* keyed element operations do not exist on a ring buffer (bpf(2) answers -ENOTSUPP; bpfvm -EOPNOTSUPP) */
static void *rb_lookup(struct bpfvm_map *m, const void *key) { (void)m; (void)key; return NULL; }
static int rb_update(struct bpfvm_map *m, const void *k, const void *v, uint64_t f) { (void)m; (void)k; (void)v; (void)f; return -EOPNOTSUPP; }
static int rb_delete(struct bpfvm_map *m, const void *k) { (void)m; (void)k; return -EOPNOTSUPP; }
static int rb_get_next_key(struct bpfvm_map *m, const void *k, void *n) { (void)m; (void)k; (void)n; return -EOPNOTSUPP; }

static void rb_storage(const struct bpfvm_map *m, void **start, size_t *len)
{
	const struct ringbuf *rb = m->data;
	*start = rb->data;
	*len = 2 * (size_t)m->max_entries;
}

const struct bpfvm_map_ops bpfvm_ringbuf_map_ops = {
	.alloc_check = rb_alloc_check,
	.alloc = rb_alloc,
	.free = rb_free,
	.lookup = rb_lookup,
	.update = rb_update,
	.delete = rb_delete,
	.get_next_key = rb_get_next_key,
	.storage = rb_storage,
};

static struct ringbuf *rb_of(struct bpfvm_map *m)
{
	return m && m->type == BPF_MAP_TYPE_RINGBUF ? m->data : NULL;
}

void *bpfvm_ringbuf_reserve(struct bpfvm_map *m, uint64_t size, uint64_t flags)
{
	struct ringbuf *rb = rb_of(m);
	if (!rb || flags || size > m->max_entries - RB_HDR) /* kernel: size > RINGBUF_MAX_RECORD_SZ or too big */
		return NULL;
	uint64_t len = (size + RB_HDR + 7) & ~7ull;
	bpfvm_map_lock(m);
	void *p = NULL;
	if (rb->prod_pos + len - rb->cons_pos <= rb->mask) { /* never more than size - 1 ahead, as the kernel */
		uint8_t *hdr = rb->data + (rb->prod_pos & rb->mask);
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
	struct ringbuf *rb = rb_of(m);
	if (!rb)
		return 0;
	switch (flags) {
	case BPF_RB_AVAIL_DATA: return rb->prod_pos - rb->cons_pos;
	case BPF_RB_RING_SIZE: return m->max_entries;
	case BPF_RB_CONS_POS: return rb->cons_pos;
	case BPF_RB_PROD_POS: return rb->prod_pos;
	default: return 0;
	}
}

int bpfvm_ringbuf__consume(struct bpfvm_map *m, int (*cb)(void *ctx, const void *data, size_t len), void *ctx)
{
	struct ringbuf *rb = rb_of(m);
	int n = 0;
	if (!rb)
		return -EINVAL;
	bpfvm_map_lock(m);
	while (rb->cons_pos < rb->prod_pos) {
		const uint8_t *hdr = rb->data + (rb->cons_pos & rb->mask);
		uint32_t l = __atomic_load_n((const uint32_t *)(const void *)hdr, __ATOMIC_ACQUIRE);
		if (l & RB_BUSY)
			break; /* reserved, not yet committed: later records wait, as for a kernel consumer */
		uint32_t size = l & ~(RB_BUSY | RB_DISCARD);
		if (!(l & RB_DISCARD)) {
			int err = cb ? cb(ctx, hdr + RB_HDR, size) : 0;
			n++;
			if (err) {
				rb->cons_pos += (size + RB_HDR + 7) & ~7ull;
				bpfvm_map_unlock(m);
				return err;
			}
		}
		rb->cons_pos += (size + RB_HDR + 7) & ~7ull;
	}
	bpfvm_map_unlock(m);
	return n;
}
