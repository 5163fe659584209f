/* map.c - creating maps by type, and the user-space element operations shared by every type */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log_internal.h"
#include "maps/map.h"

static uint32_t read_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[256];
	uint32_t n = 0;
	if (f && fgets(buf, sizeof(buf), f)) {
		for (char *p = buf; *p && *p != '\n';) {
			char *end;
			unsigned long a = strtoul(p, &end, 10), b = a;
			if (end == p)
				break;
			if (*end == '-')
				b = strtoul(end + 1, &end, 10);
			if (b >= a)
				n += (uint32_t)(b - a + 1);
			p = *end == ',' ? end + 1 : end;
		}
	}
	if (f)
		fclose(f);
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_CONF);
		n = c > 0 ? (uint32_t)c : 1;
	}
	return n;
}

uint32_t bpfvm_possible_cpus(void)
{
	static uint32_t known;
	uint32_t n = __atomic_load_n(&known, __ATOMIC_RELAXED);
	if (!n)
		__atomic_store_n(&known, n = read_possible_cpus(), __ATOMIC_RELAXED);
	return n;
}

static const struct bpfvm_map_ops *ops_by_type(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY: return &bpfvm_array_map_ops;
	case BPF_MAP_TYPE_PERCPU_ARRAY: return &bpfvm_array_map_ops;
	case BPF_MAP_TYPE_HASH: return &bpfvm_hash_map_ops;
	case BPF_MAP_TYPE_PERCPU_HASH: return &bpfvm_hash_map_ops;
	case BPF_MAP_TYPE_LRU_HASH: return &bpfvm_hash_map_ops;
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: return &bpfvm_hash_map_ops;
	case BPF_MAP_TYPE_LPM_TRIE: return &bpfvm_lpm_trie_map_ops;
	case BPF_MAP_TYPE_PROG_ARRAY: return &bpfvm_prog_array_map_ops;
	case BPF_MAP_TYPE_RINGBUF: return &bpfvm_ringbuf_map_ops;
	case BPF_MAP_TYPE_BLOOM_FILTER: return &bpfvm_bloom_filter_map_ops;
	case BPF_MAP_TYPE_QUEUE: return &bpfvm_queue_stack_map_ops;
	case BPF_MAP_TYPE_STACK: return &bpfvm_queue_stack_map_ops;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS: return &bpfvm_map_in_map_ops;
	case BPF_MAP_TYPE_HASH_OF_MAPS: return &bpfvm_map_in_map_ops;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY: return &bpfvm_perf_event_array_map_ops;
	default: return NULL;
	}
}

bool bpfvm_map_type_pinnable(uint32_t type)
{
	const struct bpfvm_map_ops *ops = ops_by_type(type);
	return ops && ops->mem_size;
}

int bpfvm_map_new(const struct bpfvm_map_attr *attr, struct bpfvm_map **out, struct bpfvm_log *log)
{
	*out = NULL;
	if (!attr || attr->sz < offsetof(struct bpfvm_map_attr, map_flags) + sizeof(attr->map_flags))
		return -EINVAL;
	const struct bpfvm_map_ops *ops = ops_by_type(attr->type);
	if (!ops) {
		bpfvm_logf(log, "map type %u is not supported by bpfvm yet", attr->type);
		return -ENOTSUP;
	}
	bool keyless = ops->push || attr->type == BPF_MAP_TYPE_RINGBUF;
	if ((!attr->key_size && !keyless) || (!attr->value_size && attr->type != BPF_MAP_TYPE_RINGBUF) ||
	    !attr->max_entries) {
		bpfvm_logf(log, "map '%s': key_size, value_size and max_entries must be non-zero",
			   attr->name ? attr->name : "");
		return -EINVAL;
	}
	int err = ops->alloc_check ? ops->alloc_check(attr, log) : 0;
	if (err)
		return err;
	struct bpfvm_map *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ops = ops;
	m->type = attr->type;
	m->key_size = attr->key_size;
	m->value_size = attr->value_size;
	m->max_entries = attr->max_entries;
	m->map_flags = attr->map_flags;
	m->nr_cpus = bpfvm_map_is_percpu(attr->type) ? bpfvm_possible_cpus() : 1;
	if ((attr->type == BPF_MAP_TYPE_LRU_HASH || attr->type == BPF_MAP_TYPE_LRU_PERCPU_HASH) &&
	    attr->map_flags & BPF_F_NO_COMMON_LRU) {
		/* as the kernel does: the same share of elements for each CPU's LRU lists, at least one */
		uint32_t c = bpfvm_possible_cpus(), up = (m->max_entries + c - 1) / c * c;
		m->max_entries = up >= m->max_entries ? up : m->max_entries / c * c;
	}
	m->map_extra = attr->sz >= offsetof(struct bpfvm_map_attr, map_extra) + sizeof(attr->map_extra) ? attr->map_extra : 0;
	/* name is the last field: present only in callers that know it */
	const char *name = attr->sz >= offsetof(struct bpfvm_map_attr, name) + sizeof(attr->name) ? attr->name : NULL;
	if (name)
		snprintf(m->name, sizeof(m->name), "%s", name);
	pthread_mutex_init(&m->own_lock, NULL);
	m->lock = &m->own_lock;
	m->spin_lock_off = -1;
	*out = m;
	return 0;
}

void *bpfvm_map_block_mirrored(size_t size, size_t mirror, int fd, off_t off)
{
	int own = -1;
	if (fd < 0) {
		own = fd = memfd_create("bpfvm-map", MFD_CLOEXEC);
		off = 0;
		if (fd < 0 || ftruncate(fd, (off_t)size)) {
			if (own >= 0)
				close(own);
			return NULL;
		}
	}
	/* reserve the whole range, then put the file's pages in it: the block, and its tail once more after it */
	uint8_t *base = mmap(NULL, size + mirror, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok = base != MAP_FAILED &&
		  mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off) != MAP_FAILED &&
		  (!mirror || mmap(base + size, mirror, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
				   off + (off_t)(size - mirror)) != MAP_FAILED);
	int saved = errno;
	if (own >= 0)
		close(own);
	if (!ok) {
		if (base != MAP_FAILED)
			munmap(base, size + mirror);
		errno = saved;
		return NULL;
	}
	return base;
}

void bpfvm_map_block_unmap(void *base, size_t size, size_t mirror)
{
	munmap(base, size + mirror);
}

size_t bpfvm_map_mem_mirror(const struct bpfvm_map *m)
{
	return m->ops->mem_mirror ? m->ops->mem_mirror(m) : 0;
}

/* the storage of a map that is not pinned */
static int storage_alloc(struct bpfvm_map *m)
{
	if (!m->ops->mem_size)
		return m->ops->alloc(m);
	if (bpfvm_map_mem_mirror(m))
		m->data = bpfvm_map_block_mirrored(m->ops->mem_size(m), bpfvm_map_mem_mirror(m), -1, 0);
	else
		m->data = calloc(1, m->ops->mem_size(m));
	if (!m->data)
		return -ENOMEM;
	if (m->ops->mem_init)
		m->ops->mem_init(m);
	return 0;
}

static void map_release(struct bpfvm_map *m)
{
	if (m->pin)
		bpfvm_map_pin_release(m);
	else if (m->ops->mem_size && bpfvm_map_mem_mirror(m) && m->data)
		bpfvm_map_block_unmap(m->data, m->ops->mem_size(m), bpfvm_map_mem_mirror(m));
	else if (m->ops->mem_size)
		free(m->data);
	else if (m->data)
		m->ops->free(m);
	pthread_mutex_destroy(&m->own_lock);
	free(m);
}

int bpfvm_map_publish(struct bpfvm_map *m)
{
	if (bpfvm_map_register(m)) {
		map_release(m);
		return -ENOMEM;
	}
	return 0;
}

int bpfvm_map_create(const struct bpfvm_map_attr *attr, struct bpfvm_map **out, struct bpfvm_log *log)
{
	struct bpfvm_map *m;
	int err = bpfvm_map_new(attr, &m, log);
	if (err)
		return err;
	if ((err = storage_alloc(m))) {
		bpfvm_logf(log, "map '%s': cannot allocate %u entries", m->name, m->max_entries);
		m->data = NULL;
		map_release(m);
		return err;
	}
	if ((err = bpfvm_map_publish(m)))
		return err;
	*out = m;
	return 0;
}

void bpfvm_map__free(struct bpfvm_map *map)
{
	if (!map)
		return;
	bpfvm_map_unregister(map);
	map_release(map);
}

uint32_t bpfvm_map__type(const struct bpfvm_map *map) { return map->type; }
uint32_t bpfvm_map__key_size(const struct bpfvm_map *map) { return map->key_size; }
uint32_t bpfvm_map__value_size(const struct bpfvm_map *map) { return map->value_size; }
uint32_t bpfvm_map__max_entries(const struct bpfvm_map *map) { return map->max_entries; }
size_t bpfvm_map__value_buf_size(const struct bpfvm_map *map) { return bpfvm_map_value_bytes(map); }
const char *bpfvm_map__name(const struct bpfvm_map *map) { return map->name; }
uint32_t bpfvm_map__map_flags(const struct bpfvm_map *map) { return map->map_flags; }

int bpfvm_map__lookup_elem(struct bpfvm_map *map, const void *key, void *value)
{
	if (map->ops->peek) { /* a queue or stack: the value pop would take; there are no keys (NULL, as bpf(2)) */
		if (key)
			return -EINVAL;
		bpfvm_map_lock(map);
		int err = map->ops->peek(map, value);
		bpfvm_map_unlock(map);
		return err;
	}
	if (map->ops == &bpfvm_map_in_map_ops)
		return -EOPNOTSUPP; /* the kernel answers with an inner map id: bpfvm_map__inner */
	bpfvm_map_lock(map); /* a consistent copy against concurrent updates from user space */
	void *v = bpfvm_map_lookup_quiet(map, key);
	if (v) {
		memcpy(value, v, bpfvm_map_value_bytes(map));
		if (map->spin_lock_off >= 0) /* copy_map_value leaves special fields out: user space sees zero */
			memset((uint8_t *)value + map->spin_lock_off, 0, 4);
	}
	bpfvm_map_unlock(map);
	return v ? 0 : -ENOENT;
}

/* the lock word of a struct bpf_spin_lock: 0 free, 1 held */
void bpfvm_spin_lock(uint32_t *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(lock, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

void bpfvm_spin_unlock(uint32_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/*
 * An update of a map whose values hold a bpf_spin_lock (the kernel's copy_map_value): an existing value keeps its
 * lock word and, with BPF_F_LOCK, is written while holding it; a new value starts unlocked.
 */
static int update_locked_value(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	bool with_lock = flags & BPF_F_LOCK;
	flags &= ~(uint64_t)BPF_F_LOCK;
	if (flags > BPF_EXIST)
		return -EINVAL;
	size_t off = (size_t)map->spin_lock_off, n = map->value_size;
	int err = 0;
	bpfvm_map_lock(map);
	uint8_t *cur = bpfvm_map_lookup_quiet(map, key);
	if (cur && flags == BPF_NOEXIST) {
		err = -EEXIST;
	} else if (cur) {
		uint32_t *lock = (uint32_t *)(void *)(cur + off);
		if (with_lock)
			bpfvm_spin_lock(lock);
		memcpy(cur, value, off);
		memcpy(cur + off + 4, (const uint8_t *)value + off + 4, n - off - 4);
		if (with_lock)
			bpfvm_spin_unlock(lock);
	} else {
		uint8_t *fresh = malloc(n);
		if (!fresh) {
			err = -ENOMEM;
		} else {
			memcpy(fresh, value, n);
			memset(fresh + off, 0, 4);
			err = map->ops->update(map, key, fresh, flags);
			free(fresh);
		}
	}
	bpfvm_map_unlock(map);
	return err;
}

int bpfvm_map__set_spin_lock(struct bpfvm_map *map, uint32_t off)
{
	if (map->type != BPF_MAP_TYPE_HASH && map->type != BPF_MAP_TYPE_ARRAY)
		return -EOPNOTSUPP;
	if (off % 4 || (uint64_t)off + 4 > map->value_size)
		return -EINVAL;
	map->spin_lock_off = (int32_t)off;
	return 0;
}

int bpfvm_map__update_elem(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	if (map->ops->push) { /* a push: BPF_ANY, or BPF_EXIST to drop the oldest value when full */
		if (key)
			return -EINVAL;
		bpfvm_map_lock(map);
		int err = map->ops->push(map, value, flags);
		bpfvm_map_unlock(map);
		return err;
	}
	if (map->spin_lock_off >= 0)
		return update_locked_value(map, key, value, flags);
	if (flags > BPF_EXIST)
		return -EINVAL;
	bpfvm_map_lock(map);
	int err = map->ops->update(map, key, value, flags);
	bpfvm_map_unlock(map);
	return err;
}

int bpfvm_map__delete_elem(struct bpfvm_map *map, const void *key)
{
	/* keyless maps answer for themselves: a queue or stack -EINVAL, a bloom filter -EOPNOTSUPP */
	bpfvm_map_lock(map);
	int err = map->ops->delete(map, key);
	bpfvm_map_unlock(map);
	return err;
}

int bpfvm_map_index_next_key(struct bpfvm_map *m, const void *key, void *next_key)
{
	uint32_t i = key ? bpfvm_map_key_index(key) : UINT32_MAX, next;
	if (!key || i >= m->max_entries)
		next = 0;
	else if (i == m->max_entries - 1)
		return -ENOENT;
	else
		next = i + 1;
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

int bpfvm_map_slot_clear(struct bpfvm_map *m, const void *key)
{
	uint32_t i = bpfvm_map_key_index(key);
	void **slots = m->data;
	if (i >= m->max_entries)
		return -E2BIG;
	if (!slots[i])
		return -ENOENT;
	__atomic_store_n(&slots[i], NULL, __ATOMIC_RELEASE); /* lookups read the slots without the lock */
	return 0;
}

int bpfvm_map__get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	bpfvm_map_lock(map);
	int err = map->ops->get_next_key(map, key, next_key);
	bpfvm_map_unlock(map);
	return err;
}

int bpfvm_map_update_from_prog(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags)
{
	if (!bpfvm_map_is_percpu(map->type))
		return bpfvm_map__update_elem(map, key, value, flags);
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (map->ops->update_this_cpu) {
		bpfvm_map_lock(map);
		int err = map->ops->update_this_cpu(map, key, value, flags);
		bpfvm_map_unlock(map);
		return err;
	}
	/* a per-CPU map: only this CPU's slot (CPU 0); a new element's other slots are zero */
	size_t n = bpfvm_map_value_bytes(map);
	uint8_t *buf = calloc(1, n);
	if (!buf)
		return -ENOMEM;
	bpfvm_map_lock(map);
	uint8_t *cur = bpfvm_map_lookup_quiet(map, key);
	int err;
	if (cur && flags == BPF_NOEXIST) {
		err = -EEXIST;
	} else if (cur) {
		memcpy(cur, value, map->value_size);
		err = 0;
	} else {
		memcpy(buf, value, map->value_size);
		err = map->ops->update(map, key, buf, flags);
	}
	bpfvm_map_unlock(map);
	free(buf);
	return err;
}

int bpfvm_map__lookup_and_delete_elem(struct bpfvm_map *map, const void *key, void *value)
{
	int err;
	bpfvm_map_lock(map);
	if (map->type == BPF_MAP_TYPE_QUEUE || map->type == BPF_MAP_TYPE_STACK) {
		err = key ? -EINVAL : map->ops->pop(map, value);
	} else if (map->type == BPF_MAP_TYPE_HASH || map->type == BPF_MAP_TYPE_PERCPU_HASH ||
		   map->type == BPF_MAP_TYPE_LRU_HASH || map->type == BPF_MAP_TYPE_LRU_PERCPU_HASH) {
		void *v = bpfvm_map_lookup_quiet(map, key);
		if (v)
			memcpy(value, v, bpfvm_map_value_bytes(map));
		err = v ? map->ops->delete(map, key) : -ENOENT;
	} else {
		err = -BPFVM_ENOTSUPP;
	}
	bpfvm_map_unlock(map);
	return err;
}

int bpfvm_map_push(struct bpfvm_map *map, const void *value, uint64_t flags)
{
	if (!map->ops->push)
		return -EINVAL;
	bpfvm_map_lock(map);
	int err = map->ops->push(map, value, flags);
	bpfvm_map_unlock(map);
	return err;
}

int bpfvm_map_pop(struct bpfvm_map *map, void *value, bool remove)
{
	if (!map->ops->pop)
		return -EINVAL;
	bpfvm_map_lock(map);
	int err = remove ? map->ops->pop(map, value) : map->ops->peek(map, value);
	bpfvm_map_unlock(map);
	return err;
}
