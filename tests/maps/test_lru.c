/* test_lru.c - BPF_MAP_TYPE_LRU_HASH: a full map evicts the least recently used element (updates and lookups are
 * uses) instead of failing; the kernel's LRU is approximate (per-CPU lists), bpfvm's is exact */
#include <errno.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"

static bool has(struct bpfvm_map *m, uint32_t k)
{
	uint64_t v;
	return bpfvm_map__lookup_elem(m, &k, &v) == 0;
}

int main(void)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_LRU_HASH, .key_size = 4, .value_size = 8,
		   .max_entries = 4, .name = "lru");
	if (bpfvm_map_create(&attr, &m, &log)) {
		t_fail("lru: create: %s", log.last_error);
		return t_done();
	}
	uint64_t v = 1;
	for (uint32_t k = 1; k <= 4; k++)
		bpfvm_map__update_elem(m, &k, &v, BPF_ANY);
	CHECK(has(m, 1), "key 1 present (and now the most recently used)");
	uint32_t k5 = 5;
	CHECK(bpfvm_map__update_elem(m, &k5, &v, BPF_ANY) == 0, "a fifth key on a full map of 4: evicts, no -E2BIG");
	CHECK(!has(m, 2) && has(m, 1) && has(m, 3) && has(m, 4) && has(m, 5),
	      "the least recently used key (2) left; 1, 3, 4, 5 stay");
	uint32_t k3 = 3;
	CHECK(bpfvm_map__update_elem(m, &k3, &v, BPF_NOEXIST) == -EEXIST, "BPF_NOEXIST on a present key: -EEXIST");
	uint32_t k9 = 9;
	CHECK(bpfvm_map__update_elem(m, &k9, &v, BPF_EXIST) == -ENOENT, "BPF_EXIST on an absent key: -ENOENT");
	bpfvm_map__free(m);
	BPFVM_OPTS(bpfvm_map_attr, bad, .type = BPF_MAP_TYPE_LRU_HASH, .key_size = 4, .value_size = 8,
		   .max_entries = 4, .map_flags = BPF_F_NO_PREALLOC);
	CHECK(bpfvm_map_create(&bad, &m, &log) == -EINVAL, "BPF_F_NO_PREALLOC: -EINVAL (%s)", log.last_error);
	return t_done();
}
