/* map.c - the map helpers: bpf_map_lookup_elem, update, delete, and push, pop, peek for queues and stacks */
#include <errno.h>

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

	if (!rc->checked)
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
