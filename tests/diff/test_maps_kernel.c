/* test_maps_kernel.c - random sequences of map operations on a bpfvm map and on the live kernel's map of the same
 * type and attributes: the same results, errnos and values. BPFVM_MAP_OPS sets the operations per map type.
 * The process runs on CPU 0, as bpfvm's maps take every operation to: the LRU maps then evict the same elements. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"
#include "lib/kernel.h"

struct map_case {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, map_flags;
};

static const struct map_case cases[] = {
	{ "array 4/8 x16", BPF_MAP_TYPE_ARRAY, 4, 8, 16, 0 },
	{ "array 4/13 x5", BPF_MAP_TYPE_ARRAY, 4, 13, 5, 0 },
	{ "hash 4/8 x16", BPF_MAP_TYPE_HASH, 4, 8, 16, 0 },
	{ "hash 12/20 x8 no_prealloc", BPF_MAP_TYPE_HASH, 12, 20, 8, BPF_F_NO_PREALLOC },
	{ "hash 1/4 x300", BPF_MAP_TYPE_HASH, 1, 4, 300, 0 },
	{ "percpu_array 4/12 x8", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 8, 0 },
	{ "percpu_hash 8/8 x16", BPF_MAP_TYPE_PERCPU_HASH, 8, 8, 16, 0 },
	{ "percpu_hash 4/20 x8 no_prealloc", BPF_MAP_TYPE_PERCPU_HASH, 4, 20, 8, BPF_F_NO_PREALLOC },
	{ "lpm_trie 4+2/8 x12", BPF_MAP_TYPE_LPM_TRIE, 6, 8, 12, BPF_F_NO_PREALLOC },
	{ "lpm_trie 4+1/4 x40", BPF_MAP_TYPE_LPM_TRIE, 5, 4, 40, BPF_F_NO_PREALLOC },
	/* keys from twice the capacity: updates evict */
	{ "lru_hash 4/8 x64", BPF_MAP_TYPE_LRU_HASH, 4, 8, 64, 0 },
	{ "lru_hash 4/8 x7", BPF_MAP_TYPE_LRU_HASH, 4, 8, 7, 0 },
	{ "lru_hash 8/16 x600", BPF_MAP_TYPE_LRU_HASH, 8, 16, 600, 0 },
	{ "lru_hash 4/8 x33 no_common_lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, 33, BPF_F_NO_COMMON_LRU },
	{ "lru_percpu_hash 4/8 x64", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 64, 0 },
	{ "lru_percpu_hash 4/12 x20 no_common_lru", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 12, 20, BPF_F_NO_COMMON_LRU },
	{ "queue 0/8 x6", BPF_MAP_TYPE_QUEUE, 0, 8, 6, 0 },
	{ "stack 0/12 x5", BPF_MAP_TYPE_STACK, 0, 12, 5, 0 },
	/* values from a pool of 64 into a filter sized for 10,000: a false positive (where the kernel's jhash and
	 * bpfvm's hashes would differ) has a chance of about 1e-12 per lookup */
	{ "bloom_filter 0/8 x10000", BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 10000, 0 },
};

/* keys drawn from a small space so that hits, misses, full maps and out-of-range indexes all happen */
static void random_key(uint64_t *rng, const struct map_case *c, uint8_t *key)
{
	if (c->type == BPF_MAP_TYPE_LPM_TRIE) {
		/* prefixes of 0..max+1 bits (one past the end is refused) over data from a few patterns */
		uint32_t max = (c->key_size - 4) * 8, plen = (uint32_t)(t_rand(rng) % (max + 2));
		memcpy(key, &plen, 4);
		for (uint32_t i = 4; i < c->key_size; i++)
			key[i] = (uint8_t)((t_rand(rng) % 3) ? 0xa0 | (t_rand(rng) % 2) << 3 : t_rand(rng));
		return;
	}
	uint32_t space = c->max_entries + c->max_entries / 2 + 2;
	if (c->type == BPF_MAP_TYPE_LRU_HASH || c->type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		space = c->max_entries * 2;
	uint32_t k = (uint32_t)(t_rand(rng) % space);
	memset(key, 0, c->key_size);
	memcpy(key, &k, c->key_size < 4 ? c->key_size : 4);
}

/* every key of a map by get_next_key from NULL: count, and a sum of their hashes (the orders differ) */
static int walk(bool kernel, int fd, struct bpfvm_map *m, const struct map_case *c, uint64_t *sum)
{
	uint8_t key[64], next[64];
	int n = 0, err;
	const void *prev = NULL;

	*sum = 0;
	for (;;) {
		err = kernel ? kernel_map_get_next_key(fd, prev, next) : bpfvm_map__get_next_key(m, prev, next);
		if (err)
			return err == -ENOENT ? n : err;
		uint64_t h = 1469598103934665603ull;
		for (uint32_t i = 0; i < c->key_size; i++)
			h = (h ^ next[i]) * 1099511628211ull;
		*sum += h;
		memcpy(key, next, c->key_size);
		prev = key;
		if (++n > (int)c->max_entries * 2)
			return -ELOOP;
	}
}

static void run_case(const struct map_case *c, long ops, uint64_t *rng)
{
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = c->type, .key_size = c->key_size, .value_size = c->value_size,
		   .max_entries = c->max_entries, .map_flags = c->map_flags, .name = "diff");
	struct bpfvm_map *m;
	int fd = kernel_map_create(c->type, c->key_size, c->value_size, c->max_entries, c->map_flags);
	if (fd < 0) {
		t_skip("maps_kernel %s: the kernel refuses the map: %s", c->name, kernel_errno_name(-fd));
		return;
	}
	int err = bpfvm_map_create(&attr, &m, &log);
	if (err) {
		t_fail("maps_kernel %s: bpfvm refuses the map: %s", c->name, log.last_error);
		close(fd);
		return;
	}
	long same = 0;
	int bad = 0;
	for (long i = 0; i < ops && bad < 3; i++) {
		uint8_t key[64], val[4096], kv[4096], bv[4096];
		size_t vbytes = bpfvm_map__value_buf_size(m); /* per-CPU maps: a slot per possible CPU */
		bool keyless = c->key_size == 0; /* queue, stack: NULL keys, and pops */
		int op = (int)(t_rand(rng) % (keyless ? 6 : 5)), kerr, berr;
		random_key(rng, c, key);
		for (size_t b = 0; b < vbytes && b < sizeof(val); b++)
			val[b] = (uint8_t)t_rand(rng);
		if (c->type == BPF_MAP_TYPE_BLOOM_FILTER) { /* a value from the pool; a lookup asks about it */
			uint64_t pv = (t_rand(rng) % 64 + 1) * 0x9e3779b97f4a7c15ull;
			memcpy(val, &pv, 8);
		}
		memset(kv, 0xa5, sizeof(kv));
		memset(bv, 0xa5, sizeof(bv));
		if (c->type == BPF_MAP_TYPE_BLOOM_FILTER) {
			memcpy(kv, val, 8);
			memcpy(bv, val, 8);
		}
		const char *what;
		uint64_t flags = t_rand(rng) % 4; /* BPF_ANY, BPF_NOEXIST, BPF_EXIST, and an invalid 3 */
		switch (op) {
		case 0:
		case 1:
			what = "update";
			kerr = kernel_map_update(fd, keyless ? NULL : key, val, flags);
			berr = bpfvm_map__update_elem(m, keyless ? NULL : key, val, flags);
			break;
		case 2:
			what = "lookup";
			kerr = kernel_map_lookup(fd, keyless ? NULL : key, kv);
			berr = bpfvm_map__lookup_elem(m, keyless ? NULL : key, bv);
			break;
		case 3:
			what = "delete";
			kerr = kernel_map_delete(fd, keyless ? NULL : key);
			berr = bpfvm_map__delete_elem(m, keyless ? NULL : key);
			break;
		case 5:
			what = "pop";
			kerr = kernel_map_lookup_and_delete(fd, NULL, kv);
			berr = bpfvm_map__lookup_and_delete_elem(m, NULL, bv);
			break;
		default: {
			what = "walk";
			uint64_t ks, bs;
			kerr = walk(true, fd, NULL, c, &ks);
			berr = walk(false, -1, m, c, &bs);
			if (kerr == berr && ks != bs) {
				t_fail("maps_kernel %s: op %ld: the keys differ (same count %d)", c->name, i, kerr);
				bad++;
				continue;
			}
		}
		}
		if (kerr != berr) {
			t_fail("maps_kernel %s: op %ld %s (flags %llu): kernel %d, bpfvm %d", c->name, i, what,
			       (unsigned long long)flags, kerr, berr);
			bad++;
		} else if ((op == 2 || op == 5) && !kerr && memcmp(kv, bv, vbytes)) {
			t_fail("maps_kernel %s: op %ld %s: values differ", c->name, i, what);
			bad++;
		} else {
			same++;
		}
	}
	if (!bad)
		t_pass("maps_kernel %s: %ld operations, same results, errnos and values", c->name, same);
	printf("FIGURE maps vs kernel %s: %ld/%ld operations identical\n", c->name, same, ops);
	bpfvm_map__free(m);
	close(fd);
}

int main(void)
{
	char why[128];
	if (!kernel_bpf_available(why, sizeof(why))) {
		t_skip("maps_kernel: %s", why);
		return t_done();
	}
	cpu_set_t cpu0;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		t_skip("maps_kernel: cannot run on CPU 0 alone (the kernel's LRU lists are per CPU)");
		return t_done();
	}
	uint64_t rng = t_seed("maps_kernel");
	long ops = t_env_count("BPFVM_MAP_OPS", 10000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], ops, &rng);
	return t_done();
}
