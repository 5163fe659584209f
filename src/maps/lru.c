/* lru.c - the LRU hash maps' lists as the kernel keeps them (see lru.h): rotation, refill of a CPU's local free
 * list, shrinking the inactive list (eviction), stealing from pending lists, and the per-CPU variant */
#include <stdlib.h>

#include "maps/lru.h"

#define LRU_HEAD 0x80000000u  /* a link that is a list head: its offset in struct lru, in 4-byte units */
#define LOCAL_FREE_TARGET 128 /* the most free nodes a CPU's local list takes from the global list at once */
#define LOCAL_NR_SCANS 128    /* nodes a rotation or shrink of the common lists looks at, at most */
#define PERCPU_FREE_TARGET 4  /* a per-CPU list evicts this many at once, and scans as many */

/* the lists of one set: active, inactive and free (indexed by enum lru_type), and the rotation's place */
struct lru_set {
	struct lru_link heads[3];
	uint32_t counts[2];  /* nodes on active and inactive */
	uint32_t next_rot;   /* where the next rotation of inactive starts: a node of it, or its head */
	uint32_t pad;
};

/* a CPU's local lists of the common LRU */
struct lru_local {
	struct lru_link free, pending;
	uint32_t next_steal; /* the CPU whose local lists are tried first when nothing else is free */
	uint32_t pad;
};

size_t lru_mem_size(bool percpu, uint32_t nr_cpus)
{
	if (percpu)
		return sizeof(struct lru) + (size_t)nr_cpus * sizeof(struct lru_set);
	return sizeof(struct lru) + sizeof(struct lru_set) + (size_t)nr_cpus * sizeof(struct lru_local);
}

static struct lru_set *set_of(const struct lru_pool *p, uint32_t i)
{
	return (struct lru_set *)(void *)p->lru->lists + i;
}

static struct lru_local *local_of(const struct lru_pool *p, uint32_t cpu)
{
	return (struct lru_local *)(void *)(set_of(p, 0) + 1) + cpu;
}

static struct lru_node *node_of(const struct lru_pool *p, uint32_t n)
{
	return (struct lru_node *)(void *)(p->first + (size_t)(n - 1) * p->stride + p->node_off);
}

static uint32_t head_id(const struct lru_pool *p, const struct lru_link *head)
{
	return LRU_HEAD | (uint32_t)(((const uint8_t *)head - (const uint8_t *)p->lru) / 4);
}

static struct lru_link *link_of(const struct lru_pool *p, uint32_t id)
{
	if (id & LRU_HEAD)
		return (struct lru_link *)(void *)((uint8_t *)p->lru + (size_t)(id & ~LRU_HEAD) * 4);
	return &node_of(p, id)->link;
}

static uint32_t set_head(const struct lru_pool *p, struct lru_set *s, enum lru_type t)
{
	return head_id(p, &s->heads[t]);
}

static void list_init(const struct lru_pool *p, struct lru_link *head)
{
	head->prev = head->next = head_id(p, head);
}

static bool list_empty(const struct lru_pool *p, uint32_t head)
{
	return link_of(p, head)->next == head;
}

static void list_unlink(const struct lru_pool *p, uint32_t id)
{
	struct lru_link *x = link_of(p, id);
	link_of(p, x->prev)->next = x->next;
	link_of(p, x->next)->prev = x->prev;
}

/* id goes right after head: the list's new first node */
static void list_push(const struct lru_pool *p, uint32_t id, uint32_t head)
{
	struct lru_link *h = link_of(p, head), *x = link_of(p, id);
	x->prev = head;
	x->next = h->next;
	link_of(p, h->next)->prev = id;
	h->next = id;
}

static void list_move(const struct lru_pool *p, uint32_t id, uint32_t head)
{
	list_unlink(p, id);
	list_push(p, id, head);
}

static bool is_ref(const struct lru_node *node)
{
	return __atomic_load_n(&node->ref, __ATOMIC_RELAXED);
}

static void clear_ref(struct lru_node *node)
{
	__atomic_store_n(&node->ref, 0, __ATOMIC_RELAXED);
}

static void count_add(struct lru_set *s, uint8_t type, int d)
{
	if (type == LRU_ACTIVE || type == LRU_INACTIVE)
		s->counts[type] += (uint32_t)d;
}

/* a node leaving the rotation's place moves the place back one */
static void leave_rotation(const struct lru_pool *p, struct lru_set *s, uint32_t n)
{
	if (s->next_rot == n)
		s->next_rot = link_of(p, n)->prev;
}

/* within a set: to the front of active, inactive or free, unreferenced */
static void move_within(const struct lru_pool *p, struct lru_set *s, uint32_t n, enum lru_type t)
{
	struct lru_node *node = node_of(p, n);
	if (node->type != t) {
		count_add(s, node->type, -1);
		count_add(s, t, 1);
		node->type = (uint8_t)t;
	}
	clear_ref(node);
	leave_rotation(p, s, n);
	list_move(p, n, set_head(p, s, t));
}

/* out of a set's active or inactive list onto a free list (the set's own, or a CPU's local one) */
static void move_to_free(const struct lru_pool *p, struct lru_set *s, uint32_t n, uint32_t free_head,
			 enum lru_type t)
{
	struct lru_node *node = node_of(p, n);
	leave_rotation(p, s, n);
	count_add(s, node->type, -1);
	node->type = (uint8_t)t;
	list_move(p, n, free_head);
}

/* a pending node joins the set: referenced ones to active, the others to inactive */
static void move_in(const struct lru_pool *p, struct lru_set *s, uint32_t n, enum lru_type t)
{
	struct lru_node *node = node_of(p, n);
	count_add(s, t, 1);
	node->type = (uint8_t)t;
	clear_ref(node);
	list_move(p, n, set_head(p, s, t));
}

static uint32_t nr_scans(const struct lru_pool *p)
{
	return p->lru->percpu ? PERCPU_FREE_TARGET : LOCAL_NR_SCANS;
}

/* from the tail of active, up to nr_scans nodes: referenced ones back to its front, the others to inactive */
static void rotate_active(const struct lru_pool *p, struct lru_set *s)
{
	uint32_t head = set_head(p, s, LRU_ACTIVE), first = link_of(p, head)->next, scanned = 0;
	for (uint32_t n = link_of(p, head)->prev, prev; n != head; n = prev) {
		prev = link_of(p, n)->prev;
		move_within(p, s, n, is_ref(node_of(p, n)) ? LRU_ACTIVE : LRU_INACTIVE);
		if (++scanned == nr_scans(p) || n == first)
			break;
	}
}

/* from the rotation's place towards the front of inactive, wrapping past the head, up to nr_scans nodes:
 * referenced ones go to active, the others stay where they are */
static void rotate_inactive(const struct lru_pool *p, struct lru_set *s)
{
	uint32_t head = set_head(p, s, LRU_INACTIVE), scanned = 0;
	if (list_empty(p, head))
		return;
	uint32_t last = link_of(p, s->next_rot)->next;
	if (last == head)
		last = link_of(p, last)->next;
	uint32_t cur = s->next_rot, next = head;
	while (scanned < nr_scans(p)) {
		if (cur == head) {
			cur = link_of(p, cur)->prev;
			continue;
		}
		next = link_of(p, cur)->prev;
		if (is_ref(node_of(p, cur)))
			move_within(p, s, cur, LRU_ACTIVE);
		if (cur == last)
			break;
		cur = next;
		scanned++;
	}
	s->next_rot = next;
}

static void rotate(const struct lru_pool *p, struct lru_set *s)
{
	if (s->counts[LRU_INACTIVE] < s->counts[LRU_ACTIVE])
		rotate_active(p, s);
	rotate_inactive(p, s);
}

/* from the tail of inactive: referenced nodes to active, unreferenced ones evicted onto free_head, until want are
 * freed or nr_scans looked at; how many were freed */
static uint32_t shrink_inactive(const struct lru_pool *p, struct lru_set *s, uint32_t want, uint32_t free_head,
				enum lru_type free_type)
{
	uint32_t head = set_head(p, s, LRU_INACTIVE), freed = 0, scanned = 0;
	for (uint32_t n = link_of(p, head)->prev, prev; n != head; n = prev) {
		prev = link_of(p, n)->prev;
		if (is_ref(node_of(p, n))) {
			move_within(p, s, n, LRU_ACTIVE);
		} else if (p->evict(p->arg, n)) {
			move_to_free(p, s, n, free_head, free_type);
			if (++freed == want)
				break;
		}
		if (++scanned == nr_scans(p))
			break;
	}
	return freed;
}

/* shrink_inactive, and when that frees nothing, the tail of inactive (or of active when inactive is empty)
 * evicted whatever its reference */
static uint32_t shrink(const struct lru_pool *p, struct lru_set *s, uint32_t want, uint32_t free_head,
		       enum lru_type free_type)
{
	uint32_t freed = shrink_inactive(p, s, want, free_head, free_type);
	if (freed)
		return freed;
	uint32_t head = set_head(p, s, LRU_INACTIVE);
	if (list_empty(p, head))
		head = set_head(p, s, LRU_ACTIVE);
	for (uint32_t n = link_of(p, head)->prev, prev; n != head; n = prev) {
		prev = link_of(p, n)->prev;
		if (p->evict(p->arg, n)) {
			move_to_free(p, s, n, free_head, free_type);
			return 1;
		}
	}
	return 0;
}

/* a CPU's local free list is empty: its pending nodes join the global lists, which rotate, then give it up to
 * target_free free nodes, evicting for the rest */
static void refill_local(const struct lru_pool *p, struct lru_local *loc)
{
	struct lru_set *s = set_of(p, 0);
	uint32_t pending = head_id(p, &loc->pending), local_free = head_id(p, &loc->free);
	for (uint32_t n = link_of(p, pending)->prev, prev; n != pending; n = prev) {
		prev = link_of(p, n)->prev;
		move_in(p, s, n, is_ref(node_of(p, n)) ? LRU_ACTIVE : LRU_INACTIVE);
	}
	rotate(p, s);
	uint32_t head = set_head(p, s, LRU_FREE), taken = 0, target = p->lru->target_free;
	for (uint32_t n = link_of(p, head)->next, next; n != head && taken < target; n = next) {
		next = link_of(p, n)->next;
		move_to_free(p, s, n, local_free, LRU_LOCAL_FREE);
		taken++;
	}
	if (taken < target)
		shrink(p, s, target - taken, local_free, LRU_LOCAL_FREE);
}

static uint32_t local_take_free(const struct lru_pool *p, struct lru_local *loc)
{
	uint32_t head = head_id(p, &loc->free), n = link_of(p, head)->next;
	if (n == head)
		return 0;
	list_unlink(p, n);
	return n;
}

/* the oldest pending node that can be evicted: unreferenced ones first */
static uint32_t local_take_pending(const struct lru_pool *p, struct lru_local *loc)
{
	uint32_t head = head_id(p, &loc->pending);
	for (int force = 0; force < 2; force++)
		for (uint32_t n = link_of(p, head)->prev; n != head; n = link_of(p, n)->prev)
			if ((force || !is_ref(node_of(p, n))) && p->evict(p->arg, n)) {
				list_unlink(p, n);
				return n;
			}
	return 0;
}

static void add_pending(const struct lru_pool *p, struct lru_local *loc, uint32_t cpu, uint32_t n)
{
	struct lru_node *node = node_of(p, n);
	node->cpu = (uint16_t)cpu;
	node->type = LRU_LOCAL_PENDING;
	clear_ref(node);
	list_push(p, n, head_id(p, &loc->pending));
}

static uint32_t common_pop_free(const struct lru_pool *p, uint32_t cpu)
{
	struct lru_local *loc = local_of(p, cpu);
	uint32_t n = local_take_free(p, loc);
	if (!n) {
		refill_local(p, loc);
		n = local_take_free(p, loc);
	}
	if (!n) { /* nothing free anywhere: take from the CPUs' local lists in turn, from next_steal */
		uint32_t steal = loc->next_steal, first = steal;
		do {
			struct lru_local *victim = local_of(p, steal);
			n = local_take_free(p, victim);
			if (!n)
				n = local_take_pending(p, victim);
			steal = (steal + 1) % p->lru->nr_cpus;
		} while (!n && steal != first);
		loc->next_steal = steal;
	}
	if (n)
		add_pending(p, loc, cpu, n);
	return n;
}

static uint32_t percpu_pop_free(const struct lru_pool *p, uint32_t cpu)
{
	struct lru_set *s = set_of(p, cpu);
	uint32_t head = set_head(p, s, LRU_FREE);
	rotate(p, s);
	if (list_empty(p, head))
		shrink(p, s, PERCPU_FREE_TARGET, head, LRU_FREE);
	if (list_empty(p, head))
		return 0;
	uint32_t n = link_of(p, head)->next;
	move_within(p, s, n, LRU_INACTIVE);
	return n;
}

uint32_t lru_pop_free(const struct lru_pool *p, uint32_t cpu)
{
	if (cpu >= p->lru->nr_cpus)
		cpu = 0;
	return p->lru->percpu ? percpu_pop_free(p, cpu) : common_pop_free(p, cpu);
}

void lru_push_free(const struct lru_pool *p, uint32_t n)
{
	struct lru_node *node = node_of(p, n);
	if (p->lru->percpu) {
		move_within(p, set_of(p, node->cpu), n, LRU_FREE);
	} else if (node->type == LRU_LOCAL_PENDING) { /* back to the free list of the CPU that took it */
		node->type = LRU_LOCAL_FREE;
		clear_ref(node);
		list_move(p, n, head_id(p, &local_of(p, node->cpu)->free));
	} else {
		move_within(p, set_of(p, 0), n, LRU_FREE);
	}
}

static void set_init(const struct lru_pool *p, struct lru_set *s)
{
	for (int t = 0; t < 3; t++)
		list_init(p, &s->heads[t]);
	s->counts[0] = s->counts[1] = 0;
	s->next_rot = set_head(p, s, LRU_INACTIVE);
}

static void add_free_node(const struct lru_pool *p, uint32_t n, uint32_t cpu, struct lru_set *s)
{
	struct lru_node *node = node_of(p, n);
	node->cpu = (uint16_t)cpu;
	node->type = LRU_FREE;
	node->ref = 0;
	list_push(p, n, set_head(p, s, LRU_FREE));
}

static uint32_t target_free_for(uint32_t nr_cpus, uint32_t nr_nodes)
{
	uint32_t t = nr_nodes / nr_cpus / 2;
	return t < 1 ? 1 : t > LOCAL_FREE_TARGET ? LOCAL_FREE_TARGET : t;
}

void lru_init(const struct lru_pool *p, bool percpu, uint32_t nr_cpus, uint32_t nr_nodes)
{
	struct lru *lru = p->lru;
	lru->percpu = percpu;
	lru->nr_cpus = nr_cpus;
	lru->nr_nodes = nr_nodes;
	if (percpu) { /* consecutive shares of nr_nodes / nr_cpus nodes, one per CPU */
		uint32_t share = nr_nodes / nr_cpus, n = 0;
		for (uint32_t cpu = 0; cpu < nr_cpus; cpu++) {
			set_init(p, set_of(p, cpu));
			for (uint32_t i = 0; i < share && n < nr_nodes; i++)
				add_free_node(p, ++n, cpu, set_of(p, cpu));
		}
		return;
	}
	set_init(p, set_of(p, 0));
	for (uint32_t cpu = 0; cpu < nr_cpus; cpu++) {
		struct lru_local *loc = local_of(p, cpu);
		list_init(p, &loc->free);
		list_init(p, &loc->pending);
		loc->next_steal = cpu;
	}
	for (uint32_t n = 1; n <= nr_nodes; n++)
		add_free_node(p, n, 0, set_of(p, 0));
	lru->target_free = target_free_for(nr_cpus, nr_nodes);
}

/* one list of a file's lists: links in range and mutual, nodes not seen before and of the list's type (and
 * cpu, where cpu is not UINT32_MAX); counts the nodes walked */
static bool list_valid(const struct lru_pool *p, const struct lru_link *head_link, enum lru_type t, uint32_t cpu,
		       uint8_t *seen, uint32_t *walked)
{
	uint32_t head = head_id(p, head_link), nr = p->lru->nr_nodes, cur = head, steps = 0;
	for (;;) {
		uint32_t next = link_of(p, cur)->next;
		if (next != head && (next & LRU_HEAD || next == 0 || next > nr))
			return false;
		if (link_of(p, next)->prev != cur)
			return false;
		if (next == head)
			break;
		const struct lru_node *node = node_of(p, next);
		if (seen[next - 1] || node->type != t || (cpu != UINT32_MAX && node->cpu != cpu) || ++steps > nr)
			return false;
		seen[next - 1] = 1;
		cur = next;
	}
	*walked = steps;
	return true;
}

static bool set_valid(const struct lru_pool *p, struct lru_set *s, uint32_t cpu, uint8_t *seen, uint32_t *total)
{
	uint32_t walked[3];
	for (int t = 0; t < 3; t++) {
		if (!list_valid(p, &s->heads[t], (enum lru_type)t, cpu, seen, &walked[t]))
			return false;
		*total += walked[t];
	}
	if (s->counts[LRU_ACTIVE] != walked[LRU_ACTIVE] || s->counts[LRU_INACTIVE] != walked[LRU_INACTIVE])
		return false;
	uint32_t r = s->next_rot;
	if (r == set_head(p, s, LRU_INACTIVE))
		return true;
	return !(r & LRU_HEAD) && r && r <= p->lru->nr_nodes && node_of(p, r)->type == LRU_INACTIVE &&
	       (cpu == UINT32_MAX || node_of(p, r)->cpu == cpu);
}

bool lru_valid(const struct lru_pool *p, uint32_t nr_nodes, uint8_t *in_table)
{
	struct lru *lru = p->lru;
	if (lru->nr_nodes != nr_nodes || lru->percpu > 1 || !lru->nr_cpus)
		return false;
	if (!lru->percpu && lru->target_free != target_free_for(lru->nr_cpus, nr_nodes))
		return false;
	uint8_t *seen = calloc(nr_nodes ? nr_nodes : 1, 1);
	uint32_t total = 0;
	bool ok = seen != NULL;
	if (lru->percpu) {
		for (uint32_t cpu = 0; ok && cpu < lru->nr_cpus; cpu++)
			ok = set_valid(p, set_of(p, cpu), cpu, seen, &total);
	} else {
		ok = ok && set_valid(p, set_of(p, 0), UINT32_MAX, seen, &total);
		for (uint32_t cpu = 0; ok && cpu < lru->nr_cpus; cpu++) {
			struct lru_local *loc = local_of(p, cpu);
			uint32_t nf, np;
			ok = loc->next_steal < lru->nr_cpus &&
			     list_valid(p, &loc->free, LRU_LOCAL_FREE, UINT32_MAX, seen, &nf) &&
			     list_valid(p, &loc->pending, LRU_LOCAL_PENDING, cpu, seen, &np);
			total += ok ? nf + np : 0;
		}
	}
	ok = ok && total == nr_nodes;
	for (uint32_t n = 1; ok && n <= nr_nodes; n++) {
		uint8_t t = node_of(p, n)->type;
		in_table[n - 1] = t == LRU_ACTIVE || t == LRU_INACTIVE || t == LRU_LOCAL_PENDING;
	}
	free(seen);
	return ok;
}
