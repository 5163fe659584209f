/* bloom_filter.c - BPF_MAP_TYPE_BLOOM_FILTER: push values into a bit array with k hashes; peek says "maybe present"
 * (0) or "certainly absent" (-ENOENT). bpfvm's hashes are its own (FNV-1a seeded per hash), so which absent values
 * are false positives differs from the kernel's jhash; pushed values are always found, in both. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

#define BLOOM_FLAGS (BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
		     BPF_F_WRONLY_PROG)

struct bloom {
	uint32_t nr_hashes;
	uint64_t bit_mask; /* the bit array holds bit_mask + 1 bits, a power of two */
	uint64_t bits[];
};

static int bloom_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	uint64_t extra = attr->sz >= offsetof(struct bpfvm_map_attr, map_extra) + sizeof(attr->map_extra) ?
				 attr->map_extra : 0;
	if (attr->key_size != 0 || (attr->map_flags & ~BLOOM_FLAGS) || (extra & ~0xfull)) {
		bpfvm_logf(log, "bloom_filter map '%s': key_size 0, map_extra (hash count) below 16 (got %u, 0x%llx)",
			   attr->name ? attr->name : "", attr->key_size, (unsigned long long)extra);
		return -EINVAL;
	}
	return 0;
}

static uint32_t nr_hashes_of(const struct bpfvm_map *m)
{
	return m->map_extra & 0xf ? (uint32_t)(m->map_extra & 0xf) : 5; /* the kernel's default */
}

/* about 7/5 bits per element and hash (the kernel's sizing), at least 64 bits, a power of two */
static uint64_t nr_bits_of(const struct bpfvm_map *m)
{
	uint64_t want = (uint64_t)m->max_entries * nr_hashes_of(m) * 7 / 5, n = 64;
	while (n < want && n < (1ull << 32))
		n <<= 1;
	return n;
}

static size_t bloom_mem_size(const struct bpfvm_map *m)
{
	return sizeof(struct bloom) + nr_bits_of(m) / 8;
}

static void bloom_mem_init(struct bpfvm_map *m)
{
	struct bloom *b = m->data;
	b->nr_hashes = nr_hashes_of(m);
	b->bit_mask = nr_bits_of(m) - 1;
}

static bool bloom_mem_valid(const struct bpfvm_map *m)
{
	const struct bloom *b = m->data;
	return b->nr_hashes == nr_hashes_of(m) && b->bit_mask == nr_bits_of(m) - 1;
}

static uint64_t bit_of(const struct bpfvm_map *m, const void *value, uint32_t i)
{
	const struct bloom *b = m->data;
	const uint8_t *p = value;
	uint64_t h = 1469598103934665603ull ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
	for (uint32_t k = 0; k < m->value_size; k++)
		h = (h ^ p[k]) * 1099511628211ull;
	h ^= h >> 29;
	return h & b->bit_mask;
}

static int bloom_push(struct bpfvm_map *m, const void *value, uint64_t flags)
{
	struct bloom *b = m->data;
	if (flags != BPF_ANY)
		return -EINVAL;
	for (uint32_t i = 0; i < b->nr_hashes; i++) {
		uint64_t bit = bit_of(m, value, i);
		__atomic_fetch_or(&b->bits[bit / 64], 1ull << (bit % 64), __ATOMIC_RELAXED);
	}
	return 0;
}

static int bloom_peek(struct bpfvm_map *m, void *value)
{
	struct bloom *b = m->data;
	for (uint32_t i = 0; i < b->nr_hashes; i++) {
		uint64_t bit = bit_of(m, value, i);
		if (!(__atomic_load_n(&b->bits[bit / 64], __ATOMIC_RELAXED) & (1ull << (bit % 64))))
			return -ENOENT;
	}
	return 0;
}

static int bloom_pop(struct bpfvm_map *m, void *value) { (void)m; (void)value; return -EOPNOTSUPP; }
static void *bloom_lookup(struct bpfvm_map *m, const void *key) { (void)m; (void)key; return NULL; }
static int bloom_update(struct bpfvm_map *m, const void *k, const void *v, uint64_t f) { (void)k; return bloom_push(m, v, f); }
static int bloom_delete(struct bpfvm_map *m, const void *k) { (void)m; (void)k; return -EOPNOTSUPP; }
static int bloom_get_next_key(struct bpfvm_map *m, const void *k, void *n) { (void)m; (void)k; (void)n; return -EOPNOTSUPP; }

const struct bpfvm_map_ops bpfvm_bloom_filter_map_ops = {
	.alloc_check = bloom_alloc_check,
	.mem_size = bloom_mem_size,
	.mem_init = bloom_mem_init,
	.mem_valid = bloom_mem_valid,
	.lookup = bloom_lookup,
	.update = bloom_update,
	.delete = bloom_delete,
	.get_next_key = bloom_get_next_key,
	.push = bloom_push,
	.pop = bloom_pop,
	.peek = bloom_peek,
};
