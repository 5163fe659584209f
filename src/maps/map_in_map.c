/* map_in_map.c - BPF_MAP_TYPE_ARRAY_OF_MAPS and HASH_OF_MAPS: slots holding other maps, which a program's lookup
 * returns to be used as a map itself */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

/*
 * In bpf(2) a slot's value is an inner map's fd (and a lookup from user space gives its id); bpfvm maps have
 * neither: a slot holds a struct bpfvm_map *, set with bpfvm_map__set_inner (the loader fills `__array(values, ...)`
 * initialisers so). Program lookups return the inner map, as the kernel's do. An array of maps keeps the pointers
 * in an array; a hash of maps keeps them as 8-byte values of a hash map of its own.
 */
static bool is_hash(const struct bpfvm_map *m)
{
	return m->type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int mim_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	if (attr->value_size != 4 || (attr->type == BPF_MAP_TYPE_ARRAY_OF_MAPS && attr->key_size != 4)) {
		bpfvm_logf(log, "map-in-map '%s': value_size must be 4%s (got key_size %u, value_size %u)",
			   attr->name ? attr->name : "", attr->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ? " and key_size 4" : "",
			   attr->key_size, attr->value_size);
		return -EINVAL;
	}
	return 0;
}

static int mim_alloc(struct bpfvm_map *m)
{
	if (!is_hash(m)) {
		m->data = calloc(m->max_entries, sizeof(struct bpfvm_map *));
		return m->data ? 0 : -ENOMEM;
	}
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_HASH, .key_size = m->key_size,
		   .value_size = sizeof(struct bpfvm_map *), .max_entries = m->max_entries, .map_flags = m->map_flags);
	struct bpfvm_map *table;
	int err = bpfvm_map_create(&attr, &table, NULL);
	m->data = table;
	return err;
}

static void mim_free(struct bpfvm_map *m)
{
	if (is_hash(m))
		bpfvm_map__free(m->data);
	else
		free(m->data);
}

/* the program side: the inner map itself, or NULL */
static void *mim_lookup(struct bpfvm_map *m, const void *key)
{
	if (is_hash(m)) {
		struct bpfvm_map **slot = bpfvm_map_lookup_ptr(m->data, key);
		return slot ? __atomic_load_n(slot, __ATOMIC_ACQUIRE) : NULL;
	}
	uint32_t i = bpfvm_map_key_index(key);
	if (i >= m->max_entries)
		return NULL;
	return __atomic_load_n(&((struct bpfvm_map **)m->data)[i], __ATOMIC_ACQUIRE);
}

static int mim_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)m; (void)key; (void)value; (void)flags;
	return -EOPNOTSUPP; /* a value would be an fd: bpfvm_map__set_inner */
}

static int mim_delete(struct bpfvm_map *m, const void *key)
{
	if (is_hash(m))
		return bpfvm_map__delete_elem(m->data, key);
	return bpfvm_map_slot_clear(m, key);
}

static int mim_get_next_key(struct bpfvm_map *m, const void *key, void *next_key)
{
	if (is_hash(m))
		return bpfvm_map__get_next_key(m->data, key, next_key);
	return bpfvm_map_index_next_key(m, key, next_key);
}

const struct bpfvm_map_ops bpfvm_map_in_map_ops = {
	.alloc_check = mim_alloc_check,
	.alloc = mim_alloc,
	.free = mim_free,
	.lookup = mim_lookup,
	.update = mim_update,
	.delete = mim_delete,
	.get_next_key = mim_get_next_key,
};

int bpfvm_map__set_inner(struct bpfvm_map *map, const void *key, struct bpfvm_map *inner, uint64_t flags)
{
	if (!map || !inner || (map->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && map->type != BPF_MAP_TYPE_HASH_OF_MAPS))
		return -EINVAL;
	if (inner->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || inner->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		return -EINVAL; /* one level only, as the kernel */
	if (is_hash(map))
		return bpfvm_map__update_elem(map->data, key, &inner, flags);
	uint32_t i = bpfvm_map_key_index(key);
	if (flags != BPF_ANY)
		return -EINVAL; /* bpf_fd_array_map_update_elem: before the index is looked at */
	if (i >= map->max_entries)
		return -E2BIG;
	bpfvm_map_lock(map);
	__atomic_store_n(&((struct bpfvm_map **)map->data)[i], inner, __ATOMIC_RELEASE);
	bpfvm_map_unlock(map);
	return 0;
}

struct bpfvm_map *bpfvm_map__inner(struct bpfvm_map *map, const void *key)
{
	if (!map || (map->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && map->type != BPF_MAP_TYPE_HASH_OF_MAPS))
		return NULL;
	return mim_lookup(map, key);
}
