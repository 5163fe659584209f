/* hash.c - BPF_MAP_TYPE_HASH and PERCPU_HASH: keys to values in buckets of chained elements from a preallocated pool */
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
	uint8_t kv[]; /* key, then the value at round_up(key_size, 8) */
};

struct htab {
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

static int hash_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	if (attr->map_flags & ~HASH_FLAGS) {
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

static void *hash_lookup(struct bpfvm_map *m, const void *key)
{
	struct helem *e = find(m, key, hash_key(key, m->key_size), NULL);
	return e ? e->kv + key_room(m) : NULL;
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
		return 0;
	}
	if (!h->free_list)
		return -E2BIG;
	e = h->free_list;
	h->free_list = e->next;
	e->hash = hash;
	memcpy(e->kv, key, m->key_size);
	memcpy(e->kv + key_room(m), value, bpfvm_map_value_bytes(m));
	e->next = NULL;
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
