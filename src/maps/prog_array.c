/* prog_array.c - BPF_MAP_TYPE_PROG_ARRAY: max_entries program slots, the targets of bpf_tail_call */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

/*
 * In bpf(2) a slot's value is a program fd; in bpfvm a slot holds a struct bpfvm_prog *, set with
 * bpfvm_map__set_prog (the loader fills `__array(values, ...)` initialisers so). The byte-value element
 * operations do not apply: update and lookup from user space are -EOPNOTSUPP, delete empties a slot.
 */
static int pa_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	if (attr->key_size != 4 || attr->value_size != 4) {
		bpfvm_logf(log, "prog_array map '%s': key_size and value_size must be 4 (got %u and %u)",
			   attr->name ? attr->name : "", attr->key_size, attr->value_size);
		return -EINVAL;
	}
	return 0;
}

static int pa_alloc(struct bpfvm_map *m)
{
	m->data = calloc(m->max_entries, sizeof(struct bpfvm_prog *));
	return m->data ? 0 : -ENOMEM;
}

static void pa_free(struct bpfvm_map *m)
{
	free(m->data);
}

static void *pa_lookup(struct bpfvm_map *m, const void *key) { (void)m; (void)key; return NULL; }

static int pa_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)m; (void)key; (void)value; (void)flags;
	return -EOPNOTSUPP;
}

const struct bpfvm_map_ops bpfvm_prog_array_map_ops = {
	.alloc_check = pa_alloc_check,
	.alloc = pa_alloc,
	.free = pa_free,
	.lookup = pa_lookup,
	.update = pa_update,
	.delete = bpfvm_map_slot_clear,
	.get_next_key = bpfvm_map_index_next_key,
};

int bpfvm_map__set_prog(struct bpfvm_map *map, uint32_t index, struct bpfvm_prog *prog)
{
	if (!map || map->type != BPF_MAP_TYPE_PROG_ARRAY)
		return -EINVAL;
	if (index >= map->max_entries)
		return -E2BIG;
	bpfvm_map_lock(map);
	((struct bpfvm_prog **)map->data)[index] = prog;
	bpfvm_map_unlock(map);
	return 0;
}

/* bpf_tail_call's target (the JIT and the interpreter ask here): the program in slot index, or NULL */
struct bpfvm_prog *bpfvm_prog_array_lookup(void *map, uint32_t index)
{
	struct bpfvm_map *m = map;
	if (!m || m->type != BPF_MAP_TYPE_PROG_ARRAY || index >= m->max_entries)
		return NULL;
	return __atomic_load_n(&((struct bpfvm_prog **)m->data)[index], __ATOMIC_ACQUIRE);
}
