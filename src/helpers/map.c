/* map.c - the map helpers: bpf_map_lookup_elem, update, delete, push, pop, peek for queues and stacks, and
 * bpf_for_each_map_elem */
#include <errno.h>
#include <stdlib.h>

#include "helpers/impl.h"
#include "interp/run.h"
#include "maps/map.h"

/*
 * In a program a map is the struct bpfvm_map * the loader put in its LD_IMM64 (as the kernel puts its own). The
 * verifier proves it is one; an unverified program in checked mode is asked: anything else stops the run.
 */
static struct bpfvm_map *map_arg(uint64_t r, struct bpfvm_run_ctx *rc, const char *helper)
{
	struct bpfvm_map *map = (struct bpfvm_map *)(uintptr_t)r;
	if (rc->checked && !bpfvm_map_is_live(map)) {
		bpfvm_run_fail(rc, -EFAULT, "%s: R1 0x%llx is not a map, at insn %zu", helper, (unsigned long long)r,
			       rc->helper_insn);
		return NULL;
	}
	return map;
}

/* checked mode: admit accesses to the map's values from now on (the verifier proved them in bounds) */
static void admit_values(struct bpfvm_run_ctx *rc, const struct bpfvm_map *map)
{
	void *start;
	size_t len;

	if (!rc->checked || !map->ops->storage)
		return;
	map->ops->storage(map, &start, &len);
	if (!bpfvm_run_mem_ok(rc, start, len, true))
		bpfvm_run_add_region(rc, start, len, true);
}

HELPER(bpf_map_lookup_elem)
{
	struct bpfvm_map *map = map_arg(r1, rc, "bpf_map_lookup_elem");
	const void *key = (const void *)(uintptr_t)r2;

	if (!map || !bpfvm_run_helper_access(rc, key, map->key_size, false, "bpf_map_lookup_elem"))
		return 0;
	admit_values(rc, map);
	return (uint64_t)(uintptr_t)bpfvm_map_lookup_ptr(map, key);
}

HELPER(bpf_map_update_elem)
{
	struct bpfvm_map *map = map_arg(r1, rc, "bpf_map_update_elem");
	const void *key = (const void *)(uintptr_t)r2, *value = (const void *)(uintptr_t)r3;

	if (!map || !bpfvm_run_helper_access(rc, key, map->key_size, false, "bpf_map_update_elem") ||
	    !bpfvm_run_helper_access(rc, value, map->value_size, false, "bpf_map_update_elem"))
		return 0;
	return (uint64_t)(int64_t)bpfvm_map_update_from_prog(map, key, value, r4);
}

HELPER(bpf_map_delete_elem)
{
	struct bpfvm_map *map = map_arg(r1, rc, "bpf_map_delete_elem");
	const void *key = (const void *)(uintptr_t)r2;

	if (!map || !bpfvm_run_helper_access(rc, key, map->key_size, false, "bpf_map_delete_elem"))
		return 0;
	return (uint64_t)(int64_t)bpfvm_map__delete_elem(map, key);
}

HELPER(bpf_map_push_elem)
{
	struct bpfvm_map *map = map_arg(r1, rc, "bpf_map_push_elem");
	const void *value = (const void *)(uintptr_t)r2;

	if (!map || !bpfvm_run_helper_access(rc, value, map->value_size, false, "bpf_map_push_elem"))
		return 0;
	return (uint64_t)(int64_t)bpfvm_map_push(map, value, r3);
}

static uint64_t pop_or_peek(uint64_t r1, uint64_t r2, struct bpfvm_run_ctx *rc, bool remove, const char *name)
{
	struct bpfvm_map *map = map_arg(r1, rc, name);
	void *value = (void *)(uintptr_t)r2;

	if (!map || !bpfvm_run_helper_access(rc, value, map->value_size, true, name))
		return 0;
	return (uint64_t)(int64_t)bpfvm_map_pop(map, value, remove);
}

HELPER(bpf_map_pop_elem) { return pop_or_peek(r1, r2, rc, true, "bpf_map_pop_elem"); }
HELPER(bpf_map_peek_elem) { return pop_or_peek(r1, r2, rc, false, "bpf_map_peek_elem"); }

/* the keys of a hash-type map as they stand (get_next_key order, the kernel's bucket order), so that the callback
 * may delete or add elements while it runs; *n = how many. NULL when out of memory. */
static uint8_t *snapshot_keys(struct bpfvm_map *map, size_t *n)
{
	uint8_t *keys = malloc((size_t)map->max_entries * map->key_size + map->key_size);
	*n = 0;
	if (!keys)
		return NULL;
	bpfvm_map_lock(map);
	const void *prev = NULL;
	while (*n < map->max_entries &&
	       map->ops->get_next_key(map, prev, keys + *n * map->key_size) == 0) {
		prev = keys + *n * map->key_size;
		(*n)++;
	}
	bpfvm_map_unlock(map);
	return keys;
}

/*
 * bpf_for_each_map_elem(map, callback, ctx, flags): callback(map, &key, &value, ctx) for each element until it returns
 * non-zero; the number of elements it was called for. Arrays go by index, hash maps by their keys at the start.
 */
/* one element for bpf_for_each_map_elem: callback(map, key, value, ctx) with the key readable in checked mode;
 * true when the iteration stops (the callback returned non-zero, or the run failed) */
static bool visit_elem(struct bpfvm_run_ctx *rc, uint64_t fn, uint64_t map, const void *key, size_t key_size,
		       void *value, uint64_t ctx)
{
	int nregions = rc->nregions;
	if (rc->checked)
		bpfvm_run_add_region(rc, key, key_size, false);
	uint64_t ret = bpfvm_run_callback(rc, fn, map, (uint64_t)(uintptr_t)key, (uint64_t)(uintptr_t)value, ctx, 0);
	rc->nregions = nregions;
	return rc->error || ret;
}

HELPER(bpf_for_each_map_elem)
{
	struct bpfvm_map *map = map_arg(r1, rc, "bpf_for_each_map_elem");
	uint64_t visited = 0;
	if (!map)
		return 0;
	if (r4)
		return (uint64_t)-EINVAL;
	admit_values(rc, map);
	if (map->type == BPF_MAP_TYPE_ARRAY || map->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		for (uint32_t i = 0; i < map->max_entries; i++) {
			uint32_t key = i; /* the callback's copy: the loop does not depend on what it does with it */
			visited++;
			if (visit_elem(rc, r2, r1, &key, sizeof(key), bpfvm_map_lookup_ptr(map, &key), r3))
				break;
		}
		return visited;
	}
	if (map->type != BPF_MAP_TYPE_HASH && map->type != BPF_MAP_TYPE_PERCPU_HASH &&
	    map->type != BPF_MAP_TYPE_LRU_HASH && map->type != BPF_MAP_TYPE_LRU_PERCPU_HASH)
		return (uint64_t)-ENOTSUP;
	size_t n;
	uint8_t *keys = snapshot_keys(map, &n);
	if (!keys)
		return (uint64_t)-ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint8_t *key = keys + i * map->key_size;
		void *value = bpfvm_map_lookup_quiet(map, key); /* a walk, not a use: LRU elements stay unreferenced */
		if (!value)
			continue; /* deleted by an earlier callback */
		visited++;
		if (visit_elem(rc, r2, r1, key, map->key_size, value, r3))
			break;
	}
	free(keys);
	return visited;
}
