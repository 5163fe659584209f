/* queue_stack.c - BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK: keyless FIFO and LIFO of max_entries values */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log_internal.h"
#include "maps/map.h"

#define QUEUE_STACK_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

/* a ring of max_entries + 1 slots: head is where the next value goes, tail the oldest value */
struct qs {
	uint32_t head, tail, size, pad;
	uint8_t elems[]; /* size values */
};

static int qs_alloc_check(const struct bpfvm_map_attr *attr, struct bpfvm_log *log)
{
	const char *name = attr->name ? attr->name : "";
	if (attr->key_size != 0) {
		bpfvm_logf(log, "queue/stack map '%s': key_size must be 0 (got %u)", name, attr->key_size);
		return -EINVAL;
	}
	if (attr->map_flags & ~QUEUE_STACK_FLAGS) {
		bpfvm_logf(log, "queue/stack map '%s': unsupported map_flags 0x%x", name, attr->map_flags);
		return -EINVAL;
	}
	return 0;
}

static size_t qs_mem_size(const struct bpfvm_map *m)
{
	return sizeof(struct qs) + ((size_t)m->max_entries + 1) * m->value_size;
}

static void qs_mem_init(struct bpfvm_map *m)
{
	((struct qs *)m->data)->size = m->max_entries + 1;
}

static bool qs_mem_valid(const struct bpfvm_map *m)
{
	const struct qs *q = m->data;
	return q->size == m->max_entries + 1 && q->head < q->size && q->tail < q->size;
}

static bool qs_empty(const struct qs *q) { return q->head == q->tail; }
static bool qs_full(const struct qs *q) { return (q->head + 1) % q->size == q->tail; }
static uint8_t *slot(const struct bpfvm_map *m, uint32_t i) { return ((struct qs *)m->data)->elems + (size_t)i * m->value_size; }

/* BPF_ANY or BPF_EXIST; when full, BPF_EXIST drops the oldest value (the kernel's queue_stack_map_push_elem) */
static int qs_push(struct bpfvm_map *m, const void *value, uint64_t flags)
{
	struct qs *q = m->data;
	if (flags & BPF_NOEXIST || flags > BPF_EXIST)
		return -EINVAL;
	if (qs_full(q)) {
		if (!(flags & BPF_EXIST))
			return -E2BIG;
		q->tail = (q->tail + 1) % q->size;
	}
	memcpy(slot(m, q->head), value, m->value_size);
	q->head = (q->head + 1) % q->size;
	return 0;
}

/* the value pop or peek takes: the oldest for a queue, the newest for a stack */
static uint32_t qs_pick(const struct bpfvm_map *m)
{
	const struct qs *q = m->data;
	return m->type == BPF_MAP_TYPE_QUEUE ? q->tail : (q->head + q->size - 1) % q->size;
}

static int qs_peek(struct bpfvm_map *m, void *value)
{
	if (qs_empty(m->data))
		return -ENOENT;
	memcpy(value, slot(m, qs_pick(m)), m->value_size);
	return 0;
}

static int qs_pop(struct bpfvm_map *m, void *value)
{
	struct qs *q = m->data;
	if (qs_empty(q))
		return -ENOENT;
	uint32_t i = qs_pick(m);
	memcpy(value, slot(m, i), m->value_size);
	if (m->type == BPF_MAP_TYPE_QUEUE)
		q->tail = (q->tail + 1) % q->size;
	else
		q->head = i;
	return 0;
}

/* keyed operations do not exist on these maps: the map.c entry points route to push/pop/peek */
static void *qs_lookup(struct bpfvm_map *m, const void *key) { (void)m; (void)key; return NULL; }
static int qs_update(struct bpfvm_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)key;
	return qs_push(m, value, flags);
}
static int qs_delete(struct bpfvm_map *m, const void *key) { (void)m; (void)key; return -EINVAL; }
static int qs_get_next_key(struct bpfvm_map *m, const void *key, void *next) { (void)m; (void)key; (void)next; return -EINVAL; }

const struct bpfvm_map_ops bpfvm_queue_stack_map_ops = {
	.alloc_check = qs_alloc_check,
	.mem_size = qs_mem_size,
	.mem_init = qs_mem_init,
	.mem_valid = qs_mem_valid,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.get_next_key = qs_get_next_key,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
};
