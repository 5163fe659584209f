/* lru.h - the LRU lists of the LRU hash maps, kept as the kernel keeps them (bpf_lru_list): which element a full
 * map evicts is the kernel's choice, not the least recently used one in the strict sense */
#ifndef BPFVM_MAPS_LRU_H
#define BPFVM_MAPS_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The kernel's scheme, as observed and documented: each node (one per preallocated element) sits on exactly one
 * list. The common LRU has one global list set (active, inactive, free) and, per CPU, a local free list and a
 * local pending list: an element being added comes from the CPU's local free list and waits on its pending list
 * until the next refill of the local free list moves pending nodes into the global lists (referenced ones to
 * active). A refill rotates the global lists (the tail of active to inactive unless referenced; referenced
 * inactive nodes back to active), then takes free nodes, and evicts from the tail of inactive what it lacks.
 * BPF_F_NO_COMMON_LRU gives each CPU a whole list set of its own over its share of the nodes instead.
 *
 * bpfvm runs every program and map operation as CPU 0 (what bpf_get_smp_processor_id() reports), so its lists
 * evolve as the kernel's do for a process pinned to CPU 0. Links are node numbers, not pointers, so that the lists
 * live in a pinned map's file: nodes are 1..N, list heads carry LRU_HEAD and their offset in struct lru.
 */
enum lru_type { LRU_ACTIVE, LRU_INACTIVE, LRU_FREE, LRU_LOCAL_FREE, LRU_LOCAL_PENDING };

struct lru_link {
	uint32_t prev, next;
};

struct lru_node {
	struct lru_link link;
	uint8_t type; /* enum lru_type: the list it is on */
	uint8_t ref;  /* referenced since it was last rotated (a program's lookup, a replacing update) */
	uint16_t cpu; /* the CPU whose lists hold it */
};

struct lru {
	uint32_t percpu; /* BPF_F_NO_COMMON_LRU */
	uint32_t nr_cpus;
	uint32_t nr_nodes;
	uint32_t target_free; /* common LRU: how many free nodes a CPU's local list takes at a time */
	/* common: one struct lru_set, then struct lru_local[nr_cpus]; percpu: struct lru_set[nr_cpus] */
	uint64_t lists[];
};

/* how the lists reach the map's elements, and how they evict one (in the map's own code) */
struct lru_pool {
	struct lru *lru;
	uint8_t *first;  /* element 1 */
	size_t stride;   /* bytes from one element to the next */
	size_t node_off; /* where an element keeps its struct lru_node */
	/* element n leaves the hash table; false when it is not there */
	bool (*evict)(void *arg, uint32_t n);
	void *arg;
};

size_t lru_mem_size(bool percpu, uint32_t nr_cpus);
/* every node free: the common LRU's on the global free list, a per-CPU LRU's shared out among the CPUs */
void lru_init(const struct lru_pool *p, bool percpu, uint32_t nr_cpus, uint32_t nr_nodes);
/* whether lists read from a file are whole: every link in range and mutual, each node once, on the list its type
 * names; in_table[n-1] is set for the nodes a hash table may hold (active, inactive, pending). false if not */
bool lru_valid(const struct lru_pool *p, uint32_t nr_nodes, uint8_t *in_table);
/* a node for a new element on cpu (evicting if need be), now pending or inactive; 0 when none can be had */
uint32_t lru_pop_free(const struct lru_pool *p, uint32_t cpu);
/* node n's element left the table (deleted or replaced): the node is free again */
void lru_push_free(const struct lru_pool *p, uint32_t n);

/* a program's lookup marks the element referenced; lookups take no lock, so the flag is touched atomically */
static inline void lru_set_ref(struct lru_node *node)
{
	if (!__atomic_load_n(&node->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&node->ref, 1, __ATOMIC_RELAXED);
}

#endif
