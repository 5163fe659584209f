/* hash.c - BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH: keys to values in buckets of chained
 * elements from a preallocated pool; the LRU types take their elements from the kernel's LRU lists (lru.c), which
 * evict an element instead of failing when the map is full */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/lru.h"
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
	uint32_t next; /* the next element of the bucket or (not LRU types) of the free list */
	uint32_t hash;
	uint32_t used;  /* in a bucket (1) or free (0) */
	struct lru_node lru; /* LRU types: the element's place in the LRU lists */
	uint8_t kv[];   /* key, then the value at round_up(key_size, 8) */
};
_Static_assert(sizeof(struct helem) % 8 == 0, "values stay 8-byte aligned");

struct htab {
	uint32_t nbuckets; /* a power of two */
	uint32_t count;
	uint32_t free_list; /* not LRU types */
	uint32_t pool_off; /* bytes from the block's start to element 1 */
	uint64_t elem_size;
	uint32_t lru_off;  /* LRU types: bytes from the block's start to the struct lru */
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

static bool lru_percpu_lists(const struct bpfvm_map *m)
{
	return m->map_flags & BPF_F_NO_COMMON_LRU;
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

static size_t lru_off_for(const struct bpfvm_map *m)
{
	return (sizeof(struct htab) + (size_t)nbuckets_for(m) * sizeof(uint32_t) + 7) & ~(size_t)7;
}

static size_t pool_off_for(const struct bpfvm_map *m)
{
	size_t lru = is_lru(m->type) ? lru_mem_size(lru_percpu_lists(m), bpfvm_possible_cpus()) : 0;
	return (lru_off_for(m) + lru + 7) & ~(size_t)7;
}

static size_t elem_size_for(const struct bpfvm_map *m)
{
	return sizeof(struct helem) + key_room(m) + ((bpfvm_map_value_bytes(m) + 7) & ~(size_t)7);
}

static size_t hash_mem_size(const struct bpfvm_map *m)
{
	return pool_off_for(m) + (size_t)m->max_entries * elem_size_for(m);
}

static bool evict_elem(void *arg, uint32_t n);

/* how the LRU lists reach this map's elements */
static struct lru_pool pool_of(struct bpfvm_map *m)
{
	struct htab *h = m->data;
	return (struct lru_pool){
		.lru = (struct lru *)(void *)((uint8_t *)h + h->lru_off),
		.first = (uint8_t *)h + h->pool_off,
		.stride = h->elem_size,
		.node_off = offsetof(struct helem, lru),
		.evict = evict_elem,
		.arg = m,
	};
}

static void hash_mem_init(struct bpfvm_map *m)
{
	struct htab *h = m->data;
	h->nbuckets = nbuckets_for(m);
	h->pool_off = (uint32_t)pool_off_for(m);
	h->elem_size = elem_size_for(m);
	h->lru_off = (uint32_t)lru_off_for(m);
	if (is_lru(m->type)) {
		struct lru_pool p = pool_of(m);
		lru_init(&p, lru_percpu_lists(m), bpfvm_possible_cpus(), m->max_entries);
		return;
	}
	for (uint32_t n = m->max_entries; n > 0; n--) {
		elem(h, n)->next = h->free_list;
		h->free_list = n;
	}
}

/* one chain (a bucket's, or the free list when bucket is UINT32_MAX) of a block read from a file: every link in
 * range, every element on at most one chain (seen), in the bucket its hash names */
static bool chain_valid(const struct bpfvm_map *m, uint32_t n, uint32_t bucket, uint8_t *seen, uint32_t *visits,
			const uint8_t *lru_in_table)
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
		if (lru_in_table && lru_in_table[n - 1] != in_bucket)
			return false;
	}
	return true;
}

/* the LRU lists of a block read from a file (their own check), and which elements they say are in the table */
static bool lru_lists_valid(struct bpfvm_map *m, uint8_t *in_table)
{
	struct lru_pool p = pool_of(m);
	if (p.lru->nr_cpus != bpfvm_possible_cpus() || p.lru->percpu != lru_percpu_lists(m))
		return false; /* the block's size was reckoned with these */
	return lru_valid(&p, m->max_entries, in_table);
}

static bool hash_mem_valid(const struct bpfvm_map *m)
{
	const struct htab *h = m->data;
	if (h->nbuckets != nbuckets_for(m) || h->pool_off != pool_off_for(m) || h->elem_size != elem_size_for(m) ||
	    h->lru_off != lru_off_for(m))
		return false;
	uint8_t *seen = calloc(m->max_entries, 1), *in_table = NULL;
	uint32_t visits = 0;
	bool ok = seen != NULL;
	if (ok && is_lru(m->type)) { /* elements are free on the LRU lists, not on the free list */
		in_table = calloc(m->max_entries, 1);
		ok = in_table && !h->free_list && lru_lists_valid((struct bpfvm_map *)m, in_table);
		for (uint32_t n = 1; ok && n <= m->max_entries; n++)
			if (!in_table[n - 1]) { /* free: on no chain, so walked here as the free list's would be */
				ok = !elem(h, n)->used;
				seen[n - 1] = 1;
				visits++;
			}
	}
	ok = ok && chain_valid(m, h->free_list, UINT32_MAX, seen, &visits, NULL);
	uint32_t free_visits = visits;
	for (uint32_t b = 0; ok && b < h->nbuckets; b++)
		ok = chain_valid(m, h->buckets[b], b, seen, &visits, in_table);
	ok = ok && visits == m->max_entries && visits - free_visits == h->count;
	free(seen);
	free(in_table);
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

static void *value_of(const struct bpfvm_map *m, struct helem *e)
{
	return e->kv + key_room(m);
}

/* a program's lookup: an LRU element is marked referenced (the kernel's bpf_lru_node_set_ref) */
static void *hash_lookup(struct bpfvm_map *m, const void *key)
{
	struct helem *e = find(m, key, hash_key(key, m->key_size), NULL);
	if (!e)
		return NULL;
	if (is_lru(m->type))
		lru_set_ref(&e->lru);
	return value_of(m, e);
}

static void *hash_lookup_quiet(struct bpfvm_map *m, const void *key)
{
	struct helem *e = find(m, key, hash_key(key, m->key_size), NULL);
	return e ? value_of(m, e) : NULL;
}

/* an element leaves its bucket (through link, the link that points at it) */
static void unlink_elem(struct htab *h, uint32_t *link, struct helem *e)
{
	*link = e->next;
	e->used = 0;
	h->count--;
}

/* an element leaves its bucket and is free again: on the free list, or (LRU types) as a free node of the lists */
static void release(struct bpfvm_map *m, uint32_t *link, struct helem *e)
{
	struct htab *h = m->data;
	unlink_elem(h, link, e);
	if (is_lru(m->type)) {
		struct lru_pool p = pool_of(m);
		lru_push_free(&p, elem_no(h, e));
		return;
	}
	e->next = h->free_list;
	h->free_list = elem_no(h, e);
}

/* the LRU lists evict element n: it leaves its bucket (its node they move themselves) */
static bool evict_elem(void *arg, uint32_t n)
{
	struct bpfvm_map *m = arg;
	struct htab *h = m->data;
	struct helem *e = elem(h, n);
	uint32_t *link = &h->buckets[e->hash & (h->nbuckets - 1)];
	while (*link && *link != n)
		link = &elem(h, *link)->next;
	if (!*link)
		return false;
	unlink_elem(h, link, e);
	return true;
}

static int check_flags(const struct helem *old, uint64_t flags)
{
	if (old && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!old && flags == BPF_EXIST)
		return -ENOENT;
	return 0;
}

/* a new element e (key, hash and value set) goes in its bucket where link points: at its end, or just before the
 * element it replaces */
static void place(struct htab *h, uint32_t *link, struct helem *e)
{
	e->next = *link;
	e->used = 1;
	*link = elem_no(h, e);
	h->count++;
}

/* a value written: all of it, or (this_cpu, per-CPU types) CPU 0's slot, the others of a new element zero */
static void write_value(struct bpfvm_map *m, struct helem *e, const void *value, bool this_cpu, bool fresh)
{
	if (this_cpu && fresh)
		memset(value_of(m, e), 0, bpfvm_map_value_bytes(m));
	memcpy(value_of(m, e), value, this_cpu ? m->value_size : bpfvm_map_value_bytes(m));
}

static void fill(struct bpfvm_map *m, struct helem *e, const void *key, uint32_t hash, const void *value,
		 bool this_cpu)
{
	e->hash = hash;
	memcpy(e->kv, key, m->key_size);
	write_value(m, e, value, this_cpu, true);
}

/*
 * An update of an LRU type in the kernel's order (htab_lru_map_update_elem, and the per-CPU variant): the new
 * element's node is taken from the LRU lists first, which may evict (even the key being updated, or when the flags
 * then refuse the update); then the flags are checked against the table. A replaced element's successor is marked
 * referenced; in the per-CPU type an existing element is updated in place and marked instead, and BPF_EXIST takes
 * no node. this_cpu: value is one slot, for CPU 0, the others of a new element zero.
 */
static int lru_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags, bool this_cpu)
{
	struct htab *h = m->data;
	struct lru_pool p = pool_of(m);
	bool percpu = m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	uint32_t hash = hash_key(key, m->key_size), n = 0, *link;
	if (!percpu || flags != BPF_EXIST) {
		n = lru_pop_free(&p, 0);
		if (!n)
			return -ENOMEM;
	}
	struct helem *old = find(m, key, hash, &link);
	int err = check_flags(old, flags);
	if (err || (percpu && old)) {
		if (!err) {
			lru_set_ref(&old->lru);
			write_value(m, old, value, this_cpu, false);
		}
		if (n)
			lru_push_free(&p, n);
		return err;
	}
	struct helem *e = elem(h, n);
	fill(m, e, key, hash, value, this_cpu);
	place(h, link, e);
	if (old) { /* in before the old element, which then leaves: a lookup meanwhile finds one of them */
		release(m, &e->next, old);
		lru_set_ref(&e->lru);
	}
	return 0;
}

static int update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags, bool this_cpu)
{
	if (is_lru(m->type))
		return lru_update(m, key, value, flags, this_cpu);
	struct htab *h = m->data;
	uint32_t hash = hash_key(key, m->key_size);
	uint32_t *link;
	struct helem *e = find(m, key, hash, &link);
	int err = check_flags(e, flags);
	if (err)
		return err;
	if (e) {
		write_value(m, e, value, this_cpu, false);
		return 0;
	}
	if (!h->free_list)
		return -E2BIG;
	e = elem(h, h->free_list);
	h->free_list = e->next;
	fill(m, e, key, hash, value, this_cpu);
	place(h, link, e); /* at the tail of its bucket: iteration order is insertion order within a bucket */
	return 0;
}

static int hash_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	return update(m, key, value, flags, false);
}

/* per-CPU types, from a program: CPU 0's slot */
static int hash_update_this_cpu(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	return update(m, key, value, flags, true);
}

static int hash_delete(struct bpfvm_map *m, const void *key)
{
	uint32_t *link;
	struct helem *e = find(m, key, hash_key(key, m->key_size), &link);
	if (!e)
		return -ENOENT;
	release(m, link, e);
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
	.lookup_quiet = hash_lookup_quiet,
	.update = hash_update,
	.update_this_cpu = hash_update_this_cpu,
	.delete = hash_delete,
	.get_next_key = hash_get_next_key,
	.storage = hash_storage,
};
