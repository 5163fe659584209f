/* lpm_trie.c - BPF_MAP_TYPE_LPM_TRIE: prefixes (struct bpf_lpm_trie_key_u8: u32 prefixlen, then data) to values,
 * looked up by longest-prefix match */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

#define LPM_FLAGS (BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
		   BPF_F_WRONLY_PROG)
#define LPM_DATA_SIZE_MAX 256

/*
 * A pool of max_entries slots, searched linearly: small tries are what programs use, and a slot never moves, so
 * a value pointer a program holds stays valid. The kernel's iteration order (trie_get_next_key: a post-order walk
 * of its binary trie, the 0-branch first) depends only on the set of prefixes, so it is computed by comparing
 * prefixes rather than by keeping a trie.
 */
struct lpm_slot {
	uint32_t used;
	uint32_t prefixlen;
	uint8_t bytes[]; /* data (data_size), then the value at round_up(data_size, 8) */
};

struct lpm {
	uint32_t data_size, max_prefixlen, count, pad;
	uint64_t slot_size, value_off;
	uint8_t pool[]; /* max_entries slots */
};

static struct lpm_slot *slot_at(const struct lpm *t, uint32_t i)
{
	return (struct lpm_slot *)(void *)(t->pool + (size_t)i * t->slot_size);
}

static int lpm_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	const char *name = attr->name ? attr->name : "";
	if (!(attr->map_flags & BPF_F_NO_PREALLOC) || (attr->map_flags & ~LPM_FLAGS) || attr->key_size < 5 ||
	    attr->key_size > 4 + LPM_DATA_SIZE_MAX) {
		bpfvm_logf(log, "lpm_trie map '%s': needs BPF_F_NO_PREALLOC and a key of 5..260 bytes (got flags 0x%x, "
			   "key_size %u)", name, attr->map_flags, attr->key_size);
		return -EINVAL;
	}
	return 0;
}

static size_t slot_size_of(const struct bpfvm_map *m)
{
	size_t data_size = m->key_size - 4;
	return sizeof(struct lpm_slot) + ((data_size + 7) & ~(size_t)7) + (((size_t)m->value_size + 7) & ~(size_t)7);
}

static size_t lpm_mem_size(const struct bpfvm_map *m)
{
	return sizeof(struct lpm) + (size_t)m->max_entries * slot_size_of(m);
}

static void lpm_mem_init(struct bpfvm_map *m)
{
	struct lpm *t = m->data;
	t->data_size = m->key_size - 4;
	t->max_prefixlen = t->data_size * 8;
	t->value_off = ((size_t)t->data_size + 7) & ~(size_t)7;
	t->slot_size = slot_size_of(m);
}

static bool lpm_mem_valid(const struct bpfvm_map *m)
{
	const struct lpm *t = m->data;
	if (t->data_size != m->key_size - 4 || t->max_prefixlen != t->data_size * 8 ||
	    t->value_off != (((size_t)t->data_size + 7) & ~(size_t)7) || t->slot_size != slot_size_of(m))
		return false;
	uint32_t used = 0;
	for (uint32_t i = 0; i < m->max_entries; i++) {
		const struct lpm_slot *s = slot_at(t, i);
		if (s->used > 1 || (s->used && s->prefixlen > t->max_prefixlen))
			return false;
		used += s->used;
	}
	return used == t->count;
}

static int bit_at(const uint8_t *data, uint32_t i)
{
	return (data[i / 8] >> (7 - i % 8)) & 1;
}

/* how many leading bits of a and b agree, at most n */
static uint32_t common_bits(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint32_t i = 0;
	while (i < n && bit_at(a, i) == bit_at(b, i))
		i++;
	return i;
}

static uint32_t key_prefixlen(const void *key)
{
	uint32_t p;
	memcpy(&p, key, sizeof(p));
	return p;
}

static const uint8_t *key_data(const void *key)
{
	return (const uint8_t *)key + 4;
}

/* the slot holding exactly this prefix, or NULL */
static struct lpm_slot *find_exact(const struct bpfvm_map *m, const void *key)
{
	const struct lpm *t = m->data;
	uint32_t plen = key_prefixlen(key);
	for (uint32_t i = 0; i < m->max_entries; i++) {
		struct lpm_slot *s = slot_at(t, i);
		if (s->used && s->prefixlen == plen && common_bits(s->bytes, key_data(key), plen) == plen)
			return s;
	}
	return NULL;
}

/* longest-prefix match: the longest stored prefix that the key's first prefixlen bits start with */
static void *lpm_lookup(struct bpfvm_map *m, const void *key)
{
	const struct lpm *t = m->data;
	uint32_t plen = key_prefixlen(key);
	struct lpm_slot *best = NULL;
	if (plen > t->max_prefixlen)
		return NULL;
	for (uint32_t i = 0; i < m->max_entries; i++) {
		struct lpm_slot *s = slot_at(t, i);
		if (s->used && s->prefixlen <= plen && (!best || s->prefixlen > best->prefixlen) &&
		    common_bits(s->bytes, key_data(key), s->prefixlen) == s->prefixlen)
			best = s;
	}
	return best ? best->bytes + t->value_off : NULL;
}

static int lpm_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	struct lpm *t = m->data;
	if (key_prefixlen(key) > t->max_prefixlen)
		return -EINVAL;
	struct lpm_slot *s = find_exact(m, key);
	if (s && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!s && flags == BPF_EXIST)
		return -ENOENT;
	if (!s) {
		if (t->count >= m->max_entries)
			return -ENOSPC;
		for (uint32_t i = 0; i < m->max_entries && !s; i++)
			if (!slot_at(t, i)->used)
				s = slot_at(t, i);
		s->used = 1;
		s->prefixlen = key_prefixlen(key);
		t->count++;
	}
	memcpy(s->bytes, key_data(key), t->data_size); /* the kernel keeps the new key's bytes, past the prefix too */
	memcpy(s->bytes + t->value_off, value, m->value_size);
	return 0;
}

static int lpm_delete(struct bpfvm_map *m, const void *key)
{
	struct lpm *t = m->data;
	if (key_prefixlen(key) > t->max_prefixlen)
		return -EINVAL;
	struct lpm_slot *s = find_exact(m, key);
	if (!s)
		return -ENOENT;
	s->used = 0;
	t->count--;
	return 0;
}

/* < 0 if a comes before b in the kernel's post-order walk: a longer prefix inside a shorter one first, else the
 * one with a 0 at the first bit where they differ */
static int post_order_cmp(const struct lpm_slot *a, const struct lpm_slot *b)
{
	uint32_t n = a->prefixlen < b->prefixlen ? a->prefixlen : b->prefixlen;
	uint32_t c = common_bits(a->bytes, b->bytes, n);
	if (c < n)
		return bit_at(a->bytes, c) ? 1 : -1;
	return a->prefixlen > b->prefixlen ? -1 : a->prefixlen < b->prefixlen ? 1 : 0;
}

static int lpm_get_next_key(struct bpfvm_map *m, const void *key, void *next_key)
{
	const struct lpm *t = m->data;
	const struct lpm_slot *cur = key && key_prefixlen(key) <= t->max_prefixlen ? find_exact(m, key) : NULL;
	const struct lpm_slot *best = NULL;
	for (uint32_t i = 0; i < m->max_entries; i++) {
		const struct lpm_slot *s = slot_at(t, i);
		if (!s->used || (cur && post_order_cmp(s, cur) <= 0))
			continue;
		if (!best || post_order_cmp(s, best) < 0)
			best = s;
	}
	if (!best)
		return -ENOENT;
	memcpy(next_key, &best->prefixlen, 4);
	memcpy((uint8_t *)next_key + 4, best->bytes, t->data_size);
	return 0;
}

static void lpm_storage(const struct bpfvm_map *m, void **start, size_t *len)
{
	struct lpm *t = m->data;
	*start = t->pool;
	*len = (size_t)m->max_entries * t->slot_size;
}

const struct bpfvm_map_ops bpfvm_lpm_trie_map_ops = {
	.alloc_check = lpm_alloc_check,
	.mem_size = lpm_mem_size,
	.mem_init = lpm_mem_init,
	.mem_valid = lpm_mem_valid,
	.lookup = lpm_lookup,
	.update = lpm_update,
	.delete = lpm_delete,
	.get_next_key = lpm_get_next_key,
	.storage = lpm_storage,
};
