/* array.c - BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY: max_entries values indexed by a u32 key, preallocated and zeroed,
 * never deleted */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

/* the flags an array takes (array_map_alloc_check) */
#define ARRAY_FLAGS                                                                                             \
	(BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG |  \
	 BPF_F_INNER_MAP)

/* values are laid out every round_up(value_size, 8) bytes, as the kernel's elem_size (per CPU for percpu) */
static size_t elem_size(const struct bpfvm_map *m)
{
	return (bpfvm_map_value_bytes(m) + 7) & ~(size_t)7;
}

static int array_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	if (attr->key_size != 4) {
		bpfvm_logf(log, "array map '%s': key_size must be 4 (got %u)", attr->name ? attr->name : "",
			   attr->key_size);
		return -EINVAL;
	}
	if (attr->type == BPF_MAP_TYPE_PERCPU_ARRAY &&
	    ((attr->map_flags & BPF_F_MMAPABLE) || ((attr->value_size + 7u) & ~7u) > 32768)) {
		bpfvm_logf(log, "percpu array map '%s': not mmapable, values of at most 32 KiB",
			   attr->name ? attr->name : "");
		return (attr->map_flags & BPF_F_MMAPABLE) ? -EINVAL : -E2BIG;
	}
	if (attr->map_flags & ~ARRAY_FLAGS) {
		bpfvm_logf(log, "array map '%s': unsupported map_flags 0x%x", attr->name ? attr->name : "",
			   attr->map_flags);
		return -EINVAL;
	}
	return 0;
}

static size_t array_mem_size(const struct bpfvm_map *m)
{
	return (size_t)m->max_entries * elem_size(m);
}

static void *array_lookup(struct bpfvm_map *m, const void *key)
{
	uint32_t idx = bpfvm_map_key_index(key);
	return idx < m->max_entries ? (char *)m->data + (size_t)idx * elem_size(m) : NULL;
}

static int array_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	uint32_t idx = bpfvm_map_key_index(key);
	if (idx >= m->max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST; /* every element of an array exists */
	memcpy((char *)m->data + (size_t)idx * elem_size(m), value, bpfvm_map_value_bytes(m));
	return 0;
}

static int array_delete(struct bpfvm_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static void array_storage(const struct bpfvm_map *m, void **start, size_t *len)
{
	*start = m->data;
	*len = (size_t)m->max_entries * elem_size(m);
}

const struct bpfvm_map_ops bpfvm_array_map_ops = {
	.alloc_check = array_alloc_check,
	.mem_size = array_mem_size, /* zeroed values: nothing to set up */
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = bpfvm_map_index_next_key,
	.storage = array_storage,
};
