/* map.h - the maps module inside: struct bpfvm_map, and the ops table each map type implements */
#ifndef BPFVM_MAPS_MAP_H
#define BPFVM_MAPS_MAP_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"

struct bpfvm_map_ops {
	/* the attribute checks of the type (the kernel's map_alloc_check); -EINVAL with a line in log */
	int (*alloc_check)(const struct bpfvm_map_attr *attr, struct bpfvm_log *log);
	/*
	 * Storage is either one block of mem_size bytes, zeroed, then set up by mem_init (may be NULL), with no
	 * pointers inside so that it can live in a pinned map's file at any address (pin.c); or, for the types whose
	 * elements are not bytes (programs, maps, a double-mapped ring), what alloc makes and free releases.
	 */
	size_t (*mem_size)(const struct bpfvm_map *map);
	void (*mem_init)(struct bpfvm_map *map);
	/* a block from a pinned file: whether what mem_init set up still agrees with the attributes (NULL: nothing
	 * to check). The elements themselves are trusted, as shared memory is between the processes that map it */
	bool (*mem_valid)(const struct bpfvm_map *map);
	/* bytes at the block's end that are mapped a second time right after it (a ring buffer's data, so that a
	 * record crossing the end reads on contiguously; page-aligned); NULL: none, the block is plain memory */
	size_t (*mem_mirror)(const struct bpfvm_map *map);
	int (*alloc)(struct bpfvm_map *map);
	void (*free)(struct bpfvm_map *map);
	/* the program side: a pointer to the value in the map (bpf_map_lookup_elem), NULL if absent */
	void *(*lookup)(struct bpfvm_map *map, const void *key);
	/* user space's lookup (and a walk over elements): lookup without what a program's lookup also does (an LRU
	 * element marked referenced); NULL: lookup */
	void *(*lookup_quiet)(struct bpfvm_map *map, const void *key);
	int (*update)(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags);
	/* per-CPU maps that order an update's steps as the kernel does (the LRU per-CPU hash): a program's update of
	 * this CPU's slot, value_size bytes; NULL: map.c writes the slot in place or adds a zeroed element */
	int (*update_this_cpu)(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags);
	int (*delete)(struct bpfvm_map *map, const void *key);
	int (*get_next_key)(struct bpfvm_map *map, const void *key, void *next_key);
	/* where every value pointer lookup may return lies: the checked interpreter admits accesses there. NULL for
	 * the types a program never holds a pointer into (values copied by helpers, or slots holding objects) */
	void (*storage)(const struct bpfvm_map *map, void **start, size_t *len);
	/* keyless maps (queue, stack): bpf_map_push_elem/pop/peek; NULL for keyed maps */
	int (*push)(struct bpfvm_map *map, const void *value, uint64_t flags);
	int (*pop)(struct bpfvm_map *map, void *value);
	int (*peek)(struct bpfvm_map *map, void *value);
};

struct bpfvm_map {
	const struct bpfvm_map_ops *ops;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	uint32_t nr_cpus; /* per-CPU maps: one value per possible CPU; 1 for the others */
	uint64_t map_extra;
	char name[16];
	int32_t spin_lock_off;  /* a struct bpf_spin_lock in each value (bpfvm_map__set_spin_lock), or -1 */
	/* writers; lookups from programs read values in place, as in the kernel. own_lock, or for a pinned map the
	 * process-shared robust mutex in its file */
	pthread_mutex_t *lock;
	pthread_mutex_t own_lock;
	void *data;             /* the type's storage */
	struct map_pin *pin;    /* the file of a pinned map (pin.c), or NULL */
};

/* the writers' lock; a pinned map's lock left by a process that died holding it is taken over (the map's state
 * is what that process left: each operation changes it in one step after its checks) */
static inline void bpfvm_map_lock(struct bpfvm_map *m)
{
	if (pthread_mutex_lock(m->lock) == EOWNERDEAD)
		pthread_mutex_consistent(m->lock);
}

static inline void bpfvm_map_unlock(struct bpfvm_map *m)
{
	pthread_mutex_unlock(m->lock);
}

/* map.c: the possible CPUs (what libbpf_num_possible_cpus() counts): user-space buffers of per-CPU maps have one
 * value slot for each, and the LRU maps one list set or local list each */
uint32_t bpfvm_possible_cpus(void);

/* per-CPU maps: a value is one slot of round_up(value_size, 8) bytes per possible CPU, laid out as user space sees
 * it (the kernel's bpf_percpu_*_copy); a program sees the slot of the CPU bpf_get_smp_processor_id() reports (0) */
static inline bool bpfvm_map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* the bytes of one value as stored and as user space copies it */
static inline size_t bpfvm_map_value_bytes(const struct bpfvm_map *m)
{
	if (!bpfvm_map_is_percpu(m->type))
		return m->value_size;
	return (((size_t)m->value_size + 7) & ~(size_t)7) * m->nr_cpus;
}

extern const struct bpfvm_map_ops bpfvm_array_map_ops; /* array.c */
extern const struct bpfvm_map_ops bpfvm_hash_map_ops;  /* hash.c */
extern const struct bpfvm_map_ops bpfvm_queue_stack_map_ops; /* queue_stack.c */
extern const struct bpfvm_map_ops bpfvm_lpm_trie_map_ops;    /* lpm_trie.c */
extern const struct bpfvm_map_ops bpfvm_prog_array_map_ops;  /* prog_array.c */
extern const struct bpfvm_map_ops bpfvm_ringbuf_map_ops;     /* ringbuf.c */
extern const struct bpfvm_map_ops bpfvm_bloom_filter_map_ops; /* bloom_filter.c */
extern const struct bpfvm_map_ops bpfvm_map_in_map_ops;       /* map_in_map.c */
extern const struct bpfvm_map_ops bpfvm_perf_event_array_map_ops; /* perf_event_array.c */
/* the program side of bpf_perf_event_output: one sample of data then ctx_data (skb/xdp bytes) into slot index's
 * ring; -E2BIG (index out of range, or a sample over 64 KiB), -ENOENT (no ring there), -ENOSPC (full: counted lost) */
int bpfvm_perf_event_output(struct bpfvm_map *m, uint32_t index, const void *data, uint32_t size,
			    const void *ctx_data, uint32_t ctx_size);
/* the program side of a ring buffer (the ringbuf helpers): NULL when full or on bad flags */
void *bpfvm_ringbuf_reserve(struct bpfvm_map *m, uint64_t size, uint64_t flags);
void bpfvm_ringbuf_commit(void *sample, bool discard);
int bpfvm_ringbuf_output(struct bpfvm_map *m, const void *data, uint64_t size, uint64_t flags);
uint64_t bpfvm_ringbuf_query(struct bpfvm_map *m, uint64_t flags);
struct bpfvm_prog;
struct bpfvm_prog *bpfvm_prog_array_lookup(void *map, uint32_t index);

/* map.c: a map of attr's type with its fields set and no storage yet (-EINVAL/-ENOTSUP with a line in log) */
int bpfvm_map_new(const struct bpfvm_map_attr *attr, struct bpfvm_map **out, struct bpfvm_log *log);
/* map.c: a map with storage in place is made live (registered), or freed on failure */
int bpfvm_map_publish(struct bpfvm_map *m);

/* map.c: a block of size bytes whose last mirror bytes are mapped again right after it, shared between the two
 * mappings (a memfd); its start, or NULL with errno. Released by bpfvm_map_block_unmap */
void *bpfvm_map_block_mirrored(size_t size, size_t mirror, int fd, off_t off);
/* the address space of a mirrored block or file mapping of size bytes plus its mirror */
void bpfvm_map_block_unmap(void *base, size_t size, size_t mirror);
/* map.c: how many bytes of m's block are mirrored (ops->mem_mirror), 0 for most types */
size_t bpfvm_map_mem_mirror(const struct bpfvm_map *m);

/* map.c: whether maps of a type keep their storage in one block, so that they can be pinned */
bool bpfvm_map_type_pinnable(uint32_t type);
/* pin.c: where a pinned map's file keeps its lock (a pthread_mutex_t): state, not a field to parse (tests) */
#define BPFVM_PIN_LOCK_OFFSET 104
/* pin.c: a pinned map's file is unmapped (its storage and lock go with it) */
void bpfvm_map_pin_release(struct bpfvm_map *m);

/* registry.c: live maps by address */
struct bpfvm_array_layout {
	uint64_t data;        /* the first value */
	uint32_t max_entries;
	uint32_t elem_size;   /* bytes from one value to the next */
};
int bpfvm_map_register(const struct bpfvm_map *map);
void bpfvm_map_unregister(const struct bpfvm_map *map);
/* true, with the layout, if addr is a live BPF_MAP_TYPE_ARRAY map */
bool bpfvm_map_array_layout(uint64_t addr, struct bpfvm_array_layout *out);

/* the program-side lookup of the live map at addr (its type's ops->lookup: what bpf_map_lookup_elem does outside
 * checked mode), for the JIT to call directly; NULL if addr is not a live map */
typedef void *(*bpfvm_map_lookup_fn)(struct bpfvm_map *map, const void *key);
bpfvm_map_lookup_fn bpfvm_map_lookup_of(uint64_t addr);

/* true if addr is a live map (checked mode: a helper's map argument from an unverified program) */
bool bpfvm_map_is_live(const void *addr);

/* true if [addr, addr+size) lies in a live map's value storage (writable unless BPF_F_RDONLY_PROG): map memory a
 * verified program may reach through a lookup or a direct value reference, for the checked interpreter */
bool bpfvm_map_storage_contains(uintptr_t addr, size_t size, bool write);

/* the program side of bpf_map_push_elem, bpf_map_pop_elem (remove) and bpf_map_peek_elem; -EINVAL for keyed maps */
int bpfvm_map_push(struct bpfvm_map *map, const void *value, uint64_t flags);
int bpfvm_map_pop(struct bpfvm_map *map, void *value, bool remove);

/* bpf_spin_lock/unlock on a value's lock word (map.c) */
void bpfvm_spin_lock(uint32_t *lock);
void bpfvm_spin_unlock(uint32_t *lock);

/* the program side of bpf_map_update_elem: value_size bytes; a per-CPU map's update writes this CPU's slot */
int bpfvm_map_update_from_prog(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags);

/* an index-keyed map's key (array, prog_array, array_of_maps): a u32 */
static inline uint32_t bpfvm_map_key_index(const void *key)
{
	uint32_t i;
	memcpy(&i, key, sizeof(i));
	return i;
}
/* get_next_key of an index-keyed map: 0 after NULL or an index out of range, -ENOENT after the last */
int bpfvm_map_index_next_key(struct bpfvm_map *m, const void *key, void *next_key);
/* delete of a map whose data is max_entries pointer slots (prog_array, array_of_maps): -E2BIG out of range,
 * -ENOENT for an empty slot */
int bpfvm_map_slot_clear(struct bpfvm_map *m, const void *key);

/* the program side of a lookup (helpers call it): the value in place, or NULL */
static inline void *bpfvm_map_lookup_ptr(struct bpfvm_map *map, const void *key)
{
	return map->ops->lookup(map, key);
}

/* a lookup that is not a program's (user space, a walk over the elements): the value in place, or NULL */
static inline void *bpfvm_map_lookup_quiet(struct bpfvm_map *map, const void *key)
{
	return map->ops->lookup_quiet ? map->ops->lookup_quiet(map, key) : map->ops->lookup(map, key);
}

#endif
