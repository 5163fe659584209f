/* registry.c - the process's live maps: a constant in a program recognised as a map (JIT inlining), map memory
 * recognised as a run's own (checked mode) */
#include <pthread.h>
#include <stdlib.h>

#include "maps/map.h"

/*
 * The one process-wide table in bpfvm: which addresses are live maps. The JIT asks it before it inlines a lookup
 * on a constant, so it never dereferences a constant that is not a map.
 */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct bpfvm_map **live;
static size_t nlive, caplive;

int bpfvm_map_register(const struct bpfvm_map *map)
{
	int err = 0;
	pthread_mutex_lock(&registry_lock);
	if (nlive == caplive) {
		size_t ncap = caplive ? caplive * 2 : 16;
		const struct bpfvm_map **n = realloc(live, ncap * sizeof(*n));
		if (n) {
			live = n;
			caplive = ncap;
		} else {
			err = -1;
		}
	}
	if (!err)
		live[nlive++] = map;
	pthread_mutex_unlock(&registry_lock);
	return err;
}

void bpfvm_map_unregister(const struct bpfvm_map *map)
{
	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < nlive; i++)
		if (live[i] == map) {
			live[i] = live[--nlive];
			break;
		}
	if (!nlive) {
		free(live);
		live = NULL;
		caplive = 0;
	}
	pthread_mutex_unlock(&registry_lock);
}

/* the live map at addr, or NULL; the caller holds registry_lock */
static const struct bpfvm_map *live_at(uintptr_t addr)
{
	for (size_t i = 0; i < nlive; i++)
		if ((uintptr_t)live[i] == addr)
			return live[i];
	return NULL;
}

bool bpfvm_map_array_layout(uint64_t addr, struct bpfvm_array_layout *out)
{
	pthread_mutex_lock(&registry_lock);
	const struct bpfvm_map *m = live_at((uintptr_t)addr);
	bool found = m && m->type == BPF_MAP_TYPE_ARRAY;
	if (found) {
		out->data = (uint64_t)(uintptr_t)m->data;
		out->max_entries = m->max_entries;
		out->elem_size = ((uint32_t)m->value_size + 7) & ~7u;
	}
	pthread_mutex_unlock(&registry_lock);
	return found;
}

bpfvm_map_lookup_fn bpfvm_map_lookup_of(uint64_t addr)
{
	pthread_mutex_lock(&registry_lock);
	const struct bpfvm_map *m = live_at((uintptr_t)addr);
	bpfvm_map_lookup_fn fn = m ? m->ops->lookup : NULL;
	pthread_mutex_unlock(&registry_lock);
	return fn;
}

bool bpfvm_map_storage_contains(uintptr_t addr, size_t size, bool write)
{
	bool found = false;
	pthread_mutex_lock(&registry_lock);
	for (size_t i = 0; i < nlive && !found; i++) {
		const struct bpfvm_map *m = live[i];
		void *start = NULL;
		size_t len = 0;
		if (!m->ops->storage)
			continue;
		m->ops->storage(m, &start, &len);
		uintptr_t s = (uintptr_t)start;
		found = start && addr >= s && size <= len && addr - s <= len - size &&
			!(write && (m->map_flags & BPF_F_RDONLY_PROG));
	}
	pthread_mutex_unlock(&registry_lock);
	return found;
}

bool bpfvm_map_is_live(const void *addr)
{
	pthread_mutex_lock(&registry_lock);
	bool found = live_at((uintptr_t)addr) != NULL;
	pthread_mutex_unlock(&registry_lock);
	return found;
}
