/* test_bloom.c - BPF_MAP_TYPE_BLOOM_FILTER: pushed values are always found, absent ones mostly not; the kernel's
 * errnos for what a bloom filter cannot do */
#include <errno.h>
#include <string.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"

int main(void)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_BLOOM_FILTER, .value_size = 8, .max_entries = 1000,
		   .map_extra = 3, .name = "bf");
	if (bpfvm_map_create(&attr, &m, &log)) {
		t_fail("bloom: create: %s", log.last_error);
		return t_done();
	}
	int pushed_ok = 0, found = 0, false_pos = 0;
	for (uint64_t v = 0; v < 1000; v++)
		pushed_ok += bpfvm_map__update_elem(m, NULL, &v, BPF_ANY) == 0;
	for (uint64_t v = 0; v < 1000; v++)
		found += bpfvm_map__lookup_elem(m, NULL, &v) == 0;
	for (uint64_t v = 1000000; v < 1010000; v++)
		false_pos += bpfvm_map__lookup_elem(m, NULL, &v) == 0;
	CHECK(pushed_ok == 1000 && found == 1000, "1000 pushed values all found (%d pushed, %d found)", pushed_ok, found);
	CHECK(false_pos < 1500, "absent values are mostly absent: %d/10000 false positives with 3 hashes", false_pos);
	uint64_t v = 7, key = 0;
	CHECK(bpfvm_map__update_elem(m, NULL, &v, BPF_NOEXIST) == -EINVAL, "push with BPF_NOEXIST: -EINVAL");
	CHECK(bpfvm_map__update_elem(m, &key, &v, BPF_ANY) == -EINVAL, "a key: -EINVAL");
	CHECK(bpfvm_map__lookup_and_delete_elem(m, NULL, &v) == -BPFVM_ENOTSUPP, "pop: the kernel's -ENOTSUPP (524)");
	CHECK(bpfvm_map__delete_elem(m, NULL) == -EOPNOTSUPP && bpfvm_map__get_next_key(m, NULL, &key) == -EOPNOTSUPP,
	      "delete and get_next_key: -EOPNOTSUPP, as the kernel (tests/diff/test_maps_kernel)");
	bpfvm_map__free(m);

	BPFVM_OPTS(bpfvm_map_attr, bad, .type = BPF_MAP_TYPE_BLOOM_FILTER, .value_size = 8, .max_entries = 10,
		   .map_extra = 16);
	CHECK(bpfvm_map_create(&bad, &m, &log) == -EINVAL, "map_extra 16: -EINVAL (%s)", log.last_error);
	BPFVM_OPTS(bpfvm_map_attr, keyed, .type = BPF_MAP_TYPE_BLOOM_FILTER, .key_size = 4, .value_size = 8,
		   .max_entries = 10);
	CHECK(bpfvm_map_create(&keyed, &m, &log) == -EINVAL, "key_size 4: -EINVAL (%s)", log.last_error);
	return t_done();
}
