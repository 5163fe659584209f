/* test_map_in_map.c - array_of_maps and hash_of_maps from user space: which flags each takes (as the live kernel
 * answers bpftool's updates: an array of maps refuses NOEXIST and EXIST with -EINVAL even out of range, a hash of
 * maps behaves as a hash), slots emptied by delete, one level of nesting only */
#include <errno.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"

static struct bpfvm_map *make(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n)
{
	struct bpfvm_map *m = NULL;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = type, .key_size = ks, .value_size = vs, .max_entries = n, .name = "m");
	if (bpfvm_map_create(&attr, &m, &log))
		t_fail("create type %u: %s", type, log.last_error);
	return m;
}

int main(void)
{
	struct bpfvm_map *inner = make(BPF_MAP_TYPE_ARRAY, 4, 4, 2);
	struct bpfvm_map *arr = make(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4);
	struct bpfvm_map *hash = make(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4);
	if (!inner || !arr || !hash)
		return t_done();
	uint32_t k0 = 0, k9 = 9;
	CHECK(bpfvm_map__set_inner(arr, &k0, inner, BPF_NOEXIST) == -EINVAL &&
		      bpfvm_map__set_inner(arr, &k0, inner, BPF_EXIST) == -EINVAL &&
		      bpfvm_map__set_inner(arr, &k9, inner, BPF_NOEXIST) == -EINVAL,
	      "array_of_maps: NOEXIST and EXIST are -EINVAL, even out of range (the flags are checked first)");
	CHECK(bpfvm_map__set_inner(arr, &k9, inner, BPF_ANY) == -E2BIG && bpfvm_map__set_inner(arr, &k0, inner, BPF_ANY) == 0 &&
		      bpfvm_map__inner(arr, &k0) == inner,
	      "array_of_maps: BPF_ANY in range fills the slot, out of range is -E2BIG");
	CHECK(bpfvm_map__delete_elem(arr, &k0) == 0 && bpfvm_map__delete_elem(arr, &k0) == -ENOENT &&
		      !bpfvm_map__inner(arr, &k0),
	      "array_of_maps: delete empties a slot, then -ENOENT");
	CHECK(bpfvm_map__set_inner(hash, &k0, inner, BPF_EXIST) == -ENOENT &&
		      bpfvm_map__set_inner(hash, &k0, inner, BPF_NOEXIST) == 0 &&
		      bpfvm_map__set_inner(hash, &k0, inner, BPF_NOEXIST) == -EEXIST &&
		      bpfvm_map__set_inner(hash, &k0, inner, BPF_ANY) == 0 && bpfvm_map__set_inner(hash, &k0, inner, BPF_EXIST) == 0,
	      "hash_of_maps: the flags of a hash update");
	CHECK(bpfvm_map__set_inner(hash, &k9, arr, BPF_ANY) == -EINVAL, "map-in-map: one level of nesting only");
	bpfvm_map__free(arr);
	bpfvm_map__free(hash);
	bpfvm_map__free(inner);
	return t_done();
}
