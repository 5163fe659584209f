/* hash.c - BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH: keys to values in buckets of chained
 * elements from a preallocated pool; the LRU types evict the least recently used element instead of failing */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

#define HASH_FLAGS                                                                                              \
	(BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | \
	 BPF_F_ZERO_SEED | BPF_F_INNER_MAP)

/*
 * Every element lives in one pool allocated at creation (the kernel's preallocated hash): a deleted element goes
 * back to the free list and its memory stays valid, so a value pointer a program still holds never dangles. The
 * whole map is one block with links as element numbers (index + 1, 0 for none) rather than pointers, so that a
 * pinned map's file can be mapped at any address by several processes.
 */
struct helem {
	uint32_t next; /* the next element of the bucket or of the free list */
	uint32_t hash;
	uint32_t used;  /* in a bucket (1) or on the free list (0) */
	uint32_t pad;
	uint64_t stamp; /* LRU types: when it was last updated or looked up */
	uint8_t kv[];   /* key, then the value at round_up(key_size, 8) */
};

struct htab {
	uint64_t clock; /* LRU types: the stamp of the next use */
	uint32_t nbuckets; /* a power of two */
	uint32_t count;
	uint32_t free_list;
	uint32_t pool_off; /* bytes from the block's start to element 1 */
	uint64_t elem_size;
	uint32_t buckets[]; /* the first element of each bucket */
};

static size_t key_room(const struct bpfvm_map *m)
{
	return ((size_t)m->key_size + 7) & ~(size_t)7;
}

/* element number n (1-based) */
static struct helem *elem(const struct htab *h, uint32_t n)
{
	return (struct helem *)(void *)((uint8_t *)h + h->pool_off + (size_t)(n - 1) * h->elem_size);
}

static uint32_t elem_no(const struct htab *h, const struct helem *e)
{
	return (uint32_t)(((const uint8_t *)e - ((const uint8_t *)h + h->pool_off)) / h->elem_size) + 1;
}

/* FNV-1a over the key bytes */
static uint32_t hash_key(const void *key, uint32_t n)
{
	const uint8_t *p = key;
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static bool is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int hash_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	bool lru = is_lru(attr->type);
	/* LRU maps are always preallocated and take BPF_F_NO_COMMON_LRU */
	uint32_t allowed = lru ? (HASH_FLAGS & ~BPF_F_NO_PREALLOC) | BPF_F_NO_COMMON_LRU : HASH_FLAGS;
	if (attr->map_flags & ~allowed) {
		bpfvm_logf(log, "hash map '%s': unsupported map_flags 0x%x", attr->name ? attr->name : "",
			   attr->map_flags);
		return -EINVAL;
	}
	if (attr->key_size > 512) { /* MAX_BPF_STACK: a key must fit on a program's stack */
		bpfvm_logf(log, "hash map '%s': key_size %u is larger than 512", attr->name ? attr->name : "",
			   attr->key_size);
		return -E2BIG;
	}
	return 0;
}

static uint32_t nbuckets_for(const struct bpfvm_map *m)
{
	uint32_t n = 1;
	while (n < m->max_entries && n < (1u << 30))
		n <<= 1;
	return n;
}

static size_t pool_off_for(const struct bpfvm_map *m)
{
	return (sizeof(struct htab) + (size_t)nbuckets_for(m) * sizeof(uint32_t) + 7) & ~(size_t)7;
}

static size_t elem_size_for(const struct bpfvm_map *m)
{
	return sizeof(struct helem) + key_room(m) + ((bpfvm_map_value_bytes(m) + 7) & ~(size_t)7);
}

static size_t hash_mem_size(const struct bpfvm_map *m)
{
	return pool_off_for(m) + (size_t)m->max_entries * elem_size_for(m);
}

static void hash_mem_init(struct bpfvm_map *m)
{
	struct htab *h = m->data;
	h->nbuckets = nbuckets_for(m);
	h->pool_off = (uint32_t)pool_off_for(m);
	h->elem_size = elem_size_for(m);
	for (uint32_t n = m->max_entries; n > 0; n--) {
		elem(h, n)->next = h->free_list;
		h->free_list = n;
	}
}

/* one chain (a bucket's, or the free list when bucket is UINT32_MAX) of a block read from a file: every link in
 * range, every element on at most one chain (seen), in the bucket its hash names */
static bool chain_valid(const struct bpfvm_map *m, uint32_t n, uint32_t bucket, uint8_t *seen, uint32_t *visits)
{
	const struct htab *h = m->data;
	for (; n; n = elem(h, n)->next) {
		if (n > m->max_entries || seen[n - 1] || ++*visits > m->max_entries)
			return false;
		seen[n - 1] = 1;
		const struct helem *e = elem(h, n);
		bool in_bucket = bucket != UINT32_MAX;
		if (e->used != in_bucket || (in_bucket && (e->hash & (h->nbuckets - 1)) != bucket))
			return false;
	}
	return true;
}

static bool hash_mem_valid(const struct bpfvm_map *m)
{
	const struct htab *h = m->data;
	if (h->nbuckets != nbuckets_for(m) || h->pool_off != pool_off_for(m) || h->elem_size != elem_size_for(m))
		return false;
	uint8_t *seen = calloc(m->max_entries, 1);
	uint32_t visits = 0;
	bool ok = seen && chain_valid(m, h->free_list, UINT32_MAX, seen, &visits);
	uint32_t free_visits = visits;
	for (uint32_t b = 0; ok && b < h->nbuckets; b++)
		ok = chain_valid(m, h->buckets[b], b, seen, &visits);
	ok = ok && visits == m->max_entries && visits - free_visits == h->count;
	free(seen);
	return ok;
}

/* the element with key, and the link that points at it (or the bucket's last link) */
static struct helem *find(struct bpfvm_map *m, const void *key, uint32_t hash, uint32_t **link)
{
	struct htab *h = m->data;
	uint32_t *l = &h->buckets[hash & (h->nbuckets - 1)];
	for (; *l; l = &elem(h, *l)->next) {
		struct helem *e = elem(h, *l);
		if (e->hash == hash && !memcmp(e->kv, key, m->key_size))
			break;
	}
	if (link)
		*link = l;
	return *l ? elem(h, *l) : NULL;
}

/* LRU types: a use moves the element to the recent end (a relaxed store: lookups from programs take no lock) */
static void touch(struct bpfvm_map *m, struct helem *e)
{
	struct htab *h = m->data;
	if (is_lru(m->type))
		__atomic_store_n(&e->stamp, __atomic_add_fetch(&h->clock, 1, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

static void *hash_lookup(struct bpfvm_map *m, const void *key)
{
	struct helem *e = find(m, key, hash_key(key, m->key_size), NULL);
	if (e)
		touch(m, e);
	return e ? e->kv + key_room(m) : NULL;
}

/* an element leaves its bucket (through link) for the free list */
static void release(struct htab *h, uint32_t *link, struct helem *e)
{
	*link = e->next;
	e->used = 0;
	e->next = h->free_list;
	h->free_list = elem_no(h, e);
	h->count--;
}

/* LRU types with no free element: the least recently used one leaves its bucket for the free list */
static void evict_lru(struct bpfvm_map *m)
{
	struct htab *h = m->data;
	struct helem *victim = NULL;
	for (uint32_t n = 1; n <= m->max_entries; n++) {
		struct helem *e = elem(h, n);
		if (e->used && (!victim || e->stamp < victim->stamp))
			victim = e;
	}
	if (!victim)
		return;
	uint32_t *link;
	find(m, victim->kv, victim->hash, &link);
	release(h, link, victim);
}

static int hash_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	struct htab *h = m->data;
	uint32_t hash = hash_key(key, m->key_size);
	uint32_t *link;
	struct helem *e = find(m, key, hash, &link);

	if (e && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!e && flags == BPF_EXIST)
		return -ENOENT;
	if (e) {
		memcpy(e->kv + key_room(m), value, bpfvm_map_value_bytes(m));
		touch(m, e);
		return 0;
	}
	if (!h->free_list && is_lru(m->type)) {
		evict_lru(m);
		find(m, key, hash, &link); /* the victim may have been the link's element */
	}
	if (!h->free_list)
		return -E2BIG;
	e = elem(h, h->free_list);
	h->free_list = e->next;
	e->hash = hash;
	memcpy(e->kv, key, m->key_size);
	memcpy(e->kv + key_room(m), value, bpfvm_map_value_bytes(m));
	e->next = 0;
	e->used = 1;
	touch(m, e);
	*link = elem_no(h, e); /* at the tail of its bucket: iteration order is insertion order within a bucket */
	h->count++;
	return 0;
}

static int hash_delete(struct bpfvm_map *m, const void *key)
{
	uint32_t *link;
	struct helem *e = find(m, key, hash_key(key, m->key_size), &link);
	if (!e)
		return -ENOENT;
	release(m->data, link, e);
	return 0;
}

static int hash_get_next_key(struct bpfvm_map *m, const void *key, void *next_key)
{
	struct htab *h = m->data;
	uint32_t b = 0;
	struct helem *e = key ? find(m, key, hash_key(key, m->key_size), NULL) : NULL;

	if (e) {
		if (e->next) {
			memcpy(next_key, elem(h, e->next)->kv, m->key_size);
			return 0;
		}
		b = (e->hash & (h->nbuckets - 1)) + 1;
	}
	for (; b < h->nbuckets; b++)
		if (h->buckets[b]) {
			memcpy(next_key, elem(h, h->buckets[b])->kv, m->key_size);
			return 0;
		}
	return -ENOENT;
}

static void hash_storage(const struct bpfvm_map *m, void **start, size_t *len)
{
	const struct htab *h = m->data;
	*start = (uint8_t *)h + h->pool_off;
	*len = (size_t)m->max_entries * h->elem_size;
}

const struct bpfvm_map_ops bpfvm_hash_map_ops = {
	.alloc_check = hash_alloc_check,
	.mem_size = hash_mem_size,
	.mem_init = hash_mem_init,
	.mem_valid = hash_mem_valid,
	.lookup = hash_lookup,
	.update = hash_update,
	.delete = hash_delete,
	.get_next_key = hash_get_next_key,
	.storage = hash_storage,
};
