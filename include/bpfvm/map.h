/* map.h - BPF maps outside the kernel: create one, and use it from user space as bpf(2)'s map commands do */
#ifndef BPFVM_MAP_H
#define BPFVM_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/log.h"
#include "bpfvm/opts.h"

struct bpfvm_map;

#define BPFVM_ENOTSUPP 524 /* the kernel's ENOTSUPP: not in errno.h, yet bpf(2) returns it for some map commands */

struct bpfvm_map_attr {
	size_t sz;
	uint32_t type; /* enum bpf_map_type: ARRAY, PERCPU_ARRAY, HASH, PERCPU_HASH, LPM_TRIE, QUEUE, STACK,
			* BLOOM_FILTER, RINGBUF, PROG_ARRAY so far */
	uint32_t key_size, value_size, max_entries, map_flags;
	const char *name; /* copied, at most 15 characters kept as in the kernel; may be NULL */
	uint64_t map_extra; /* BPF_MAP_TYPE_BLOOM_FILTER: the number of hashes (0 = 5) */
};
#define bpfvm_map_attr__last_field map_extra

/*
 * Create a map, checking the attributes as the kernel's map_alloc_check does (-EINVAL with one line in log for
 * zero sizes, bad flags, an array key that is not 4 bytes, ...). -ENOTSUP for a type bpfvm does not have yet.
 */
int bpfvm_map_create(const struct bpfvm_map_attr *attr, struct bpfvm_map **out, struct bpfvm_log *log);
void bpfvm_map__free(struct bpfvm_map *map); /* NULL-safe */

uint32_t bpfvm_map__type(const struct bpfvm_map *map);
uint32_t bpfvm_map__key_size(const struct bpfvm_map *map);
uint32_t bpfvm_map__value_size(const struct bpfvm_map *map);
uint32_t bpfvm_map__max_entries(const struct bpfvm_map *map);
const char *bpfvm_map__name(const struct bpfvm_map *map);
/*
 * The size of the value buffer the element operations copy: value_size, or for per-CPU maps one slot of
 * round_up(value_size, 8) bytes per possible CPU (/sys/devices/system/cpu/possible), as libbpf and bpf(2) expect.
 */
size_t bpfvm_map__value_buf_size(const struct bpfvm_map *map);

/*
 * The element operations of bpf(2), with the kernel's errnos: lookup -ENOENT; update flags BPF_ANY, BPF_NOEXIST
 * (-EEXIST), BPF_EXIST (-ENOENT), others -EINVAL, a full hash map -E2BIG, an array index out of range -E2BIG;
 * delete -ENOENT (arrays: -EINVAL); get_next_key with a NULL or missing key gives the first key, -ENOENT after
 * the last. Values are copied. Safe from several threads at once.
 */
int bpfvm_map__lookup_elem(struct bpfvm_map *map, const void *key, void *value);
int bpfvm_map__update_elem(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags);
int bpfvm_map__delete_elem(struct bpfvm_map *map, const void *key);
int bpfvm_map__get_next_key(struct bpfvm_map *map, const void *key, void *next_key);
/*
 * BPF_MAP_LOOKUP_AND_DELETE_ELEM: a hash map's value, removed; a queue's or stack's next value, popped (key NULL).
 * -ENOENT when there is none, -BPFVM_ENOTSUPP (524, the kernel's ENOTSUPP that bpf(2) passes out) for other
 * types. A bloom filter's delete and get_next_key are -EOPNOTSUPP. Queues and stacks take a NULL key everywhere: lookup
 * peeks, update pushes (BPF_ANY; BPF_EXIST drops the oldest value when full, else -E2BIG), delete and
 * get_next_key are -EINVAL.
 */
int bpfvm_map__lookup_and_delete_elem(struct bpfvm_map *map, const void *key, void *value);

/*
 * Pinning: a map whose storage and lock live in a file mapped shared, so that other processes (another bpfvm, or
 * `bpfvm map dump pinned FILE`) read and update the same elements while it runs, and the elements outlive the
 * process, as a pin in bpffs does. bpfvm_map_create_pinned makes the map in a new file at path or, when path
 * already holds a pinned map with the same type, sizes and flags, opens that one (libbpf's reuse of pinned maps;
 * *reused tells which, may be NULL). A pinned map of other attributes is -EINVAL with a line in log; types whose
 * elements are not bytes (prog_array, map-in-map, ringbuf) are -EOPNOTSUPP. btf (may be NULL) is kept in the file
 * so that dumps can format keys and values. bpfvm_map__free unmaps; the file stays until it is removed.
 */
struct bpfvm_map_pin_btf {
	const void *data; /* raw .BTF */
	size_t size;
	uint32_t key_type_id, value_type_id;
};
int bpfvm_map_create_pinned(const struct bpfvm_map_attr *attr, const char *path, const struct bpfvm_map_pin_btf *btf,
			    bool *reused, struct bpfvm_map **out, struct bpfvm_log *log);
/* bpf_obj_get: the map pinned at path; -ENOENT, or -EINVAL with a line in log when the file is not one */
int bpfvm_map_open_pinned(const char *path, struct bpfvm_map **out, struct bpfvm_log *log);
const char *bpfvm_map__pin_path(const struct bpfvm_map *map); /* NULL when not pinned */
/* the BTF kept with a pinned map and its key/value type ids; NULL when it has none */
const void *bpfvm_map__pin_btf(const struct bpfvm_map *map, size_t *size, uint32_t *key_type_id,
			       uint32_t *value_type_id);
uint32_t bpfvm_map__map_flags(const struct bpfvm_map *map);

/*
 * Values of hash and array maps may hold a struct bpf_spin_lock at offset off (the loader finds it in the value's
 * BTF, as the kernel does). Then, as in the kernel, user-space updates leave an existing value's lock word alone
 * (BPF_F_LOCK: the value is written holding the lock), new values start unlocked, and lookups read the lock as
 * zero. -EOPNOTSUPP for other types, -EINVAL for an offset that is not a u32 inside the value.
 */
int bpfvm_map__set_spin_lock(struct bpfvm_map *map, uint32_t off);

/*
 * Drain a BPF_MAP_TYPE_RINGBUF: cb gets each committed record in order (discarded ones are skipped; a record still
 * reserved stops the walk). Returns the number of records, a callback's non-zero return, or -EINVAL.
 */
int bpfvm_ringbuf__consume(struct bpfvm_map *map, int (*cb)(void *ctx, const void *data, size_t len), void *ctx);
/* the bytes of records (headers included) a ring buffer holds that were not consumed yet; 0 for other maps. A
 * pinned ring buffer is shared: another process may consume it (`bpfvm map event_pipe pinned FILE`) */
uint64_t bpfvm_ringbuf__avail_data(struct bpfvm_map *map);

/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY. In the kernel a slot holds a perf event (a BPF_OUTPUT event's fd, usually one per
 * CPU, as libbpf's perf_buffer__new puts them) and bpf_perf_event_output(ctx, map, index | BPF_F_CURRENT_CPU, ...)
 * writes a sample into its mmapped ring. bpfvm_map__perf_ring gives slot index a ring of size bytes (the data area
 * of such a mapping: the same records fit; 0 empties the slot); a sample to an empty slot is -ENOENT, to a full
 * ring -ENOSPC and counted lost. bpfvm runs programs on CPU 0: BPF_F_CURRENT_CPU is slot 0. Element update and
 * lookup are -EOPNOTSUPP; delete empties a slot.
 * bpfvm_perf__consume (libbpf's perf_buffer__consume) takes every waiting sample, slot by slot in order: sample_cb
 * gets the raw bytes and their size padded as the kernel pads it (size + 4 a multiple of 8), lost_cb the count of a
 * PERF_RECORD_LOST record: as in the kernel, samples that did not fit are reported by a record written before the
 * next sample that fits (with it), not before. Both run under the map's lock, in the ring's order. Returns the
 * number of samples, a callback's non-zero return, or -EINVAL.
 */
int bpfvm_map__perf_ring(struct bpfvm_map *map, uint32_t index, size_t size);
int bpfvm_perf__consume(struct bpfvm_map *map,
			int (*sample_cb)(void *ctx, uint32_t index, const void *data, uint32_t size),
			void (*lost_cb)(void *ctx, uint32_t index, uint64_t count), void *ctx);

/* A BPF_MAP_TYPE_PROG_ARRAY slot: the program bpf_tail_call(ctx, map, index) jumps to (NULL empties it). Its
 * element operations take no values: update and lookup are -EOPNOTSUPP, delete empties a slot. */
struct bpfvm_prog;
int bpfvm_map__set_prog(struct bpfvm_map *map, uint32_t index, struct bpfvm_prog *prog);

/*
 * Map-in-map (array_of_maps, hash_of_maps): put inner in the slot at key. Flags as the kernel takes them: an array
 * of maps only BPF_ANY (else -EINVAL, before the index is checked), a hash of maps BPF_ANY/NOEXIST/EXIST.
 * In bpf(2) the value would be the inner map's fd; bpfvm has no fds, so the slot takes the map. A program's
 * bpf_map_lookup_elem on the outer map returns the inner map. The byte-value update is -EOPNOTSUPP, and so is
 * the user-space lookup (the kernel's returns an id): bpfvm_map__inner gives the map in a slot, NULL if empty.
 */
int bpfvm_map__set_inner(struct bpfvm_map *map, const void *key, struct bpfvm_map *inner, uint64_t flags);
struct bpfvm_map *bpfvm_map__inner(struct bpfvm_map *map, const void *key);

#endif
