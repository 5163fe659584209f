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
 * back to the free list and its memory stays valid, so a value pointer a program still holds never dangles.
 */
struct helem {
	struct helem *next;
	uint32_t hash;
	uint32_t used;  /* in a bucket (1) or on the free list (0) */
	uint64_t stamp; /* LRU types: when it was last updated or looked up */
	uint8_t kv[];   /* key, then the value at round_up(key_size, 8) */
};

struct htab {
	uint64_t clock; /* LRU types: the stamp of the next use */
	struct helem **buckets;
	uint32_t nbuckets; /* a power of two */
	uint32_t count;
	struct helem *free_list;
	uint8_t *pool;
	size_t elem_size;
};

static size_t key_room(const struct bpfvm_map *m)
{
	return ((size_t)m->key_size + 7) & ~(size_t)7;
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

static int hash_alloc(struct bpfvm_map *m)
{
	struct htab *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->nbuckets = 1;
	while (h->nbuckets < m->max_entries && h->nbuckets < (1u << 30))
		h->nbuckets <<= 1;
	h->elem_size = sizeof(struct helem) + key_room(m) + ((bpfvm_map_value_bytes(m) + 7) & ~(size_t)7);
	h->buckets = calloc(h->nbuckets, sizeof(*h->buckets));
	h->pool = calloc(m->max_entries, h->elem_size);
	if (!h->buckets || !h->pool) {
		free(h->buckets);
		free(h->pool);
		free(h);
		return -ENOMEM;
	}
	for (uint32_t i = m->max_entries; i-- > 0;) {
		struct helem *e = (struct helem *)(void *)(h->pool + (size_t)i * h->elem_size);
		e->next = h->free_list;
		h->free_list = e;
	}
	m->data = h;
	return 0;
}

static void hash_free(struct bpfvm_map *m)
{
	struct htab *h = m->data;
	free(h->buckets);
	free(h->pool);
	free(h);
}

static struct helem *find(struct bpfvm_map *m, const void *key, uint32_t hash, struct helem ***link)
{
	struct htab *h = m->data;
	struct helem **l = &h->buckets[hash & (h->nbuckets - 1)];
	for (; *l; l = &(*l)->next)
		if ((*l)->hash == hash && !memcmp((*l)->kv, key, m->key_size))
			break;
	if (link)
		*link = l;
	return *l;
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

/* LRU types with no free element: the least recently used one leaves its bucket for the free list */
static void evict_lru(struct bpfvm_map *m)
{
	struct htab *h = m->data;
	struct helem *victim = NULL;
	for (uint32_t i = 0; i < m->max_entries; i++) {
		struct helem *e = (struct helem *)(void *)(h->pool + (size_t)i * h->elem_size);
		if (e->used && (!victim || e->stamp < victim->stamp))
			victim = e;
	}
	if (!victim)
		return;
	struct helem **link;
	find(m, victim->kv, victim->hash, &link);
	*link = victim->next;
	victim->used = 0;
	victim->next = h->free_list;
	h->free_list = victim;
	h->count--;
}

static int hash_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	struct htab *h = m->data;
	uint32_t hash = hash_key(key, m->key_size);
	struct helem **link, *e = find(m, key, hash, &link);

	if (e && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!e && flags == BPF_EXIST)
		return -ENOENT;
	if (e) {
		memcpy(e->kv + key_room(m), value, bpfvm_map_value_bytes(m));
		touch(m, e);
		return 0;
	}
	if (!h->free_list && is_lru(m->type))
		evict_lru(m);
	if (!h->free_list)
		return -E2BIG;
	e = h->free_list;
	h->free_list = e->next;
	e->hash = hash;
	memcpy(e->kv, key, m->key_size);
	memcpy(e->kv + key_room(m), value, bpfvm_map_value_bytes(m));
	e->next = NULL;
	e->used = 1;
	touch(m, e);
	*link = e; /* at the tail of its bucket: iteration order is insertion order within a bucket */
	h->count++;
	return 0;
}

static int hash_delete(struct bpfvm_map *m, const void *key)
{
	struct htab *h = m->data;
	struct helem **link, *e = find(m, key, hash_key(key, m->key_size), &link);
	if (!e)
		return -ENOENT;
	*link = e->next;
	e->used = 0;
	e->next = h->free_list;
	h->free_list = e;
	h->count--;
	return 0;
}

static int hash_get_next_key(struct bpfvm_map *m, const void *key, void *next_key)
{
	struct htab *h = m->data;
	uint32_t b = 0;
	struct helem *e = key ? find(m, key, hash_key(key, m->key_size), NULL) : NULL;

	if (e) {
		if (e->next) {
			memcpy(next_key, e->next->kv, m->key_size);
			return 0;
		}
		b = (e->hash & (h->nbuckets - 1)) + 1;
	}
	for (; b < h->nbuckets; b++)
		if (h->buckets[b]) {
			memcpy(next_key, h->buckets[b]->kv, m->key_size);
			return 0;
		}
	return -ENOENT;
}

static void hash_storage(const struct bpfvm_map *m, void **start, size_t *len)
{
	const struct htab *h = m->data;
	*start = h->pool;
	*len = (size_t)m->max_entries * h->elem_size;
}

const struct bpfvm_map_ops bpfvm_hash_map_ops = {
	.alloc_check = hash_alloc_check,
	.alloc = hash_alloc,
	.free = hash_free,
	.lookup = hash_lookup,
	.update = hash_update,
	.delete = hash_delete,
	.get_next_key = hash_get_next_key,
	.storage = hash_storage,
};
