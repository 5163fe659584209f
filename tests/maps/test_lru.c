/* test_lru.c - the LRU hash maps evict as the kernel's LRU lists do (maps/lru.c): a full map evicts instead of
 * failing, the oldest unreferenced elements first and several at a time, a program's lookup protects an element
 * where a user-space lookup does not, and BPF_F_NO_COMMON_LRU gives CPU 0 only its share of the elements. The same
 * behaviour is compared with the live kernel's in tests/diff (test_maps_kernel, test_progs_kernel). */
#include <errno.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"
#include "maps/map.h"

static struct bpfvm_map *lru_map(uint32_t type, uint32_t max_entries, uint32_t flags)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = type, .key_size = 4, .value_size = 8, .max_entries = max_entries,
		   .map_flags = flags, .name = "lru");
	if (bpfvm_map_create(&attr, &m, &log))
		t_fail("lru: create: %s", log.last_error);
	return m;
}

static bool has(struct bpfvm_map *m, uint32_t k)
{
	uint64_t v[64];
	return bpfvm_map__lookup_elem(m, &k, v) == 0;
}

static int put(struct bpfvm_map *m, uint32_t k, uint64_t flags)
{
	uint64_t v[64] = { k };
	return bpfvm_map__update_elem(m, &k, v, flags);
}

/* keys lo..hi all present (want) or all absent */
static bool range_is(struct bpfvm_map *m, uint32_t lo, uint32_t hi, bool want)
{
	for (uint32_t k = lo; k <= hi; k++)
		if (has(m, k) != want)
			return false;
	return true;
}

static uint32_t count(struct bpfvm_map *m)
{
	uint32_t key, next, n = 0;
	const void *prev = NULL;
	while (bpfvm_map__get_next_key(m, prev, &next) == 0 && n < 100000) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

/* how many free elements the common LRU's CPU list takes at a time: half its share, 1 to 128 */
static uint32_t target_free(uint32_t max_entries)
{
	uint32_t t = max_entries / bpfvm_possible_cpus() / 2;
	return t < 1 ? 1 : t > 128 ? 128 : t;
}

static void oldest_first(void)
{
	uint32_t n = 8 * bpfvm_possible_cpus(), t = target_free(n); /* t is 4 */
	struct bpfvm_map *m = lru_map(BPF_MAP_TYPE_LRU_HASH, n, 0);
	if (!m)
		return;
	for (uint32_t k = 1; k <= n; k++)
		put(m, k, BPF_ANY);
	CHECK(count(m) == n && range_is(m, 1, n, true), "%u keys into a map of %u: all there", n, n);
	CHECK(put(m, n + 1, BPF_ANY) == 0, "one more key on the full map: evicts, no -E2BIG");
	CHECK(range_is(m, 1, t, false) && range_is(m, t + 1, n + 1, true),
	      "the %u oldest keys left at once (a CPU's free list is refilled %u at a time)", t, t);
	for (uint32_t k = n + 2; k <= n + t; k++)
		put(m, k, BPF_ANY);
	CHECK(count(m) == n, "the next %u keys take the freed elements: nothing more evicted", t - 1);
	bpfvm_map__free(m);

	/* a capacity that is not a multiple of the refill: the last refill evicts what the free list lacks */
	n = 600;
	t = target_free(n);
	uint32_t refills = (n + t - 1) / t, short_by = refills * t - n;
	m = lru_map(BPF_MAP_TYPE_LRU_HASH, n, 0);
	if (!m)
		return;
	for (uint32_t k = 0; k < n; k++)
		put(m, k, BPF_ANY);
	CHECK(count(m) == n - short_by && (!short_by || range_is(m, 0, short_by - 1, false)) &&
		      range_is(m, short_by, n - 1, true),
	      "600 keys into a map of 600 (refills of %u): the %u oldest evicted before it is full", t, short_by);
	bpfvm_map__free(m);
}

static void references(void)
{
	uint32_t n = 8 * bpfvm_possible_cpus(), t = target_free(n);
	struct bpfvm_map *m = lru_map(BPF_MAP_TYPE_LRU_HASH, n, 0);
	if (!m)
		return;
	for (uint32_t k = 1; k <= n; k++)
		put(m, k, BPF_ANY);
	uint32_t k1 = 1;
	CHECK(bpfvm_map_lookup_ptr(m, &k1) != NULL, "a program looks key 1 up");
	CHECK(has(m, 2), "user space looks key 2 up");
	put(m, n + 1, BPF_ANY);
	CHECK(has(m, 1) && range_is(m, 2, t + 1, false) && range_is(m, t + 2, n + 1, true),
	      "the referenced key 1 moved to the active list and stayed; 2..%u left (a user-space lookup is no "
	      "reference)", t + 1);
	/* BPF_NOEXIST on a present key fails, but only after taking an element: on a full map that evicts */
	for (uint32_t k = n + 2; k <= n + t; k++)
		put(m, k, BPF_ANY);
	CHECK(put(m, n, BPF_NOEXIST) == -EEXIST, "BPF_NOEXIST on a present key: -EEXIST");
	CHECK(count(m) == n - t, "and %u elements were evicted for it all the same, as in the kernel", t);
	CHECK(put(m, 100000, BPF_EXIST) == -ENOENT, "BPF_EXIST on an absent key: -ENOENT");
	bpfvm_map__free(m);
}

static void percpu_lists(void)
{
	uint32_t c = bpfvm_possible_cpus();
	struct bpfvm_map *m = lru_map(BPF_MAP_TYPE_LRU_HASH, 3 * c + 1, BPF_F_NO_COMMON_LRU);
	if (!m)
		return;
	CHECK(bpfvm_map__max_entries(m) == 4 * c, "BPF_F_NO_COMMON_LRU: max_entries %u rounded up to %u CPUs' shares",
	      3 * c + 1, c);
	for (uint32_t k = 1; k <= 4; k++)
		put(m, k, BPF_ANY);
	CHECK(count(m) == 4, "CPU 0 fills its share of 4");
	put(m, 5, BPF_ANY);
	CHECK(count(m) == 1 && has(m, 5), "a fifth key on CPU 0: its list evicts 4 at once, the other CPUs' shares "
					   "stay unused");
	bpfvm_map__free(m);
	m = lru_map(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4 * c, 0);
	if (!m)
		return;
	for (uint32_t k = 1; k <= 4 * c + 1; k++)
		put(m, k, BPF_ANY);
	CHECK(!has(m, 1) && has(m, 4 * c + 1), "the per-CPU-value LRU hash evicts too");
	bpfvm_map__free(m);
}

int main(void)
{
	oldest_first();
	references();
	percpu_lists();
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, bad, .type = BPF_MAP_TYPE_LRU_HASH, .key_size = 4, .value_size = 8,
		   .max_entries = 4, .map_flags = BPF_F_NO_PREALLOC);
	CHECK(bpfvm_map_create(&bad, &m, &log) == -EINVAL, "BPF_F_NO_PREALLOC: -EINVAL (%s)", log.last_error);
	return t_done();
}
