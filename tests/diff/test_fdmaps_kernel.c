/* test_fdmaps_kernel.c - random operations on the maps whose values are objects (prog_array, array_of_maps,
 * hash_of_maps), bpfvm's against the live kernel's: in bpf(2) a value is a program's or map's fd, in bpfvm the object
 * itself (bpfvm_map__set_prog, bpfvm_map__set_inner), so each side gets the same one of four objects. Updates
 * (every flag), deletes, get_next_key walks, and which object a slot holds (the kernel's lookup returns its id) must
 * agree. BPFVM_MAP_OPS sets the operations per map type. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/map.h"
#include "lib/harness.h"
#include "lib/kernel.h"
#include "maps/map.h" /* bpfvm_prog_array_lookup: which program a slot holds */

#define NOBJ 4
#define MAX_ENTRIES 8

struct objs {
	int kfd[NOBJ];
	uint32_t kid[NOBJ];
	struct bpfvm_prog *prog[NOBJ];
	struct bpfvm_map *map[NOBJ];
};

static int make_objs(bool progs, struct objs *o)
{
	static const struct bpf_insn ret0[] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
						{ .code = BPF_JMP | BPF_EXIT } };
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < NOBJ; i++) {
		if (progs) {
			struct kernel_load_opts lo = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insns = ret0, .insn_cnt = 2 };
			BPFVM_OPTS(bpfvm_prog_opts, po, .prog_type = BPF_PROG_TYPE_SOCKET_FILTER);
			o->kfd[i] = kernel_prog_load(&lo);
			o->prog[i] = bpfvm_prog__new(ret0, 2, &po);
		} else {
			BPFVM_OPTS(bpfvm_map_attr, ma, .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4,
				   .max_entries = 2, .name = "inner");
			o->kfd[i] = kernel_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 2, 0);
			bpfvm_map_create(&ma, &o->map[i], NULL);
		}
		if (o->kfd[i] < 0 || (progs ? !o->prog[i] : !o->map[i]))
			return o->kfd[i] < 0 ? o->kfd[i] : -ENOMEM;
		o->kid[i] = kernel_obj_id(o->kfd[i], progs);
	}
	return 0;
}

static void free_objs(struct objs *o)
{
	for (int i = 0; i < NOBJ; i++) {
		if (o->kfd[i] > 0)
			close(o->kfd[i]);
		bpfvm_prog__free(o->prog[i]);
		bpfvm_map__free(o->map[i]);
	}
}

/* which object a bpfvm slot holds: its index, NOBJ for empty */
static int bpfvm_slot(struct bpfvm_map *m, const struct objs *o, uint32_t key)
{
	for (int i = 0; i < NOBJ; i++) {
		if (bpfvm_map__type(m) == BPF_MAP_TYPE_PROG_ARRAY) {
			if (key < MAX_ENTRIES && bpfvm_prog_array_lookup(m, key) == o->prog[i])
				return i;
		} else if (bpfvm_map__inner(m, &key) == o->map[i]) {
			return i;
		}
	}
	return NOBJ;
}

/* which object a kernel slot holds, by the id its lookup returns */
static int kernel_slot(int fd, const struct objs *o, uint32_t key)
{
	uint32_t id = 0;
	if (kernel_map_lookup(fd, &key, &id))
		return NOBJ;
	for (int i = 0; i < NOBJ; i++)
		if (o->kid[i] == id)
			return i;
	return -1;
}

static void run_case(const char *name, uint32_t type, long ops, uint64_t *rng)
{
	bool progs = type == BPF_MAP_TYPE_PROG_ARRAY;
	struct objs o;
	int err = make_objs(progs, &o);
	int fd = err ? err : kernel_map_create_outer(type, 4, 4, MAX_ENTRIES, 0, progs ? 0 : o.kfd[0]);
	if (fd < 0) {
		t_skip("fdmaps_kernel %s: the kernel refuses the objects: %s", name, kernel_errno_name(fd));
		free_objs(&o);
		return;
	}
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = type, .key_size = 4, .value_size = 4, .max_entries = MAX_ENTRIES,
		   .name = "outer");
	struct bpfvm_map *m;
	if (bpfvm_map_create(&attr, &m, &log)) {
		t_fail("fdmaps_kernel %s: bpfvm refuses the map: %s", name, log.last_error);
		close(fd);
		free_objs(&o);
		return;
	}
	long same = 0;
	int bad = 0;
	for (long n = 0; n < ops && bad < 3; n++) {
		uint32_t key = (uint32_t)(t_rand(rng) % (MAX_ENTRIES + 4)), next_k = 0, next_b = 0;
		int obj = (int)(t_rand(rng) % NOBJ), op = (int)(t_rand(rng) % 4), kerr, berr;
		/* prog_array updates take only BPF_ANY in bpfvm's API (bpfvm_map__set_prog has no flags) */
		uint64_t flags = progs ? BPF_ANY : t_rand(rng) % 4;
		const char *what;
		switch (op) {
		case 0:
		case 1: {
			what = "update";
			uint32_t kfd = (uint32_t)o.kfd[obj];
			kerr = kernel_map_update(fd, &key, &kfd, flags);
			berr = progs ? bpfvm_map__set_prog(m, key, o.prog[obj]) : bpfvm_map__set_inner(m, &key, o.map[obj], flags);
			break;
		}
		case 2:
			what = "delete";
			kerr = kernel_map_delete(fd, &key);
			berr = bpfvm_map__delete_elem(m, &key);
			break;
		default:
			what = "get_next_key";
			if (type == BPF_MAP_TYPE_HASH_OF_MAPS) { /* hash orders differ (jhash): compare the walks' key sets */
				uint32_t kset = 0, bset = 0, k = 0, prev = 0;
				int steps = 0;
				for (int first = 1; steps < 64 && !kernel_map_get_next_key(fd, first ? NULL : &prev, &k);
				     first = 0, prev = k, steps++)
					kset |= 1u << (k & 31);
				for (int first = 1; steps < 128 && !bpfvm_map__get_next_key(m, first ? NULL : &prev, &k);
				     first = 0, prev = k, steps++)
					bset |= 1u << (k & 31);
				kerr = berr = 0;
				next_k = kset;
				next_b = bset;
			} else {
				kerr = kernel_map_get_next_key(fd, &key, &next_k);
				berr = bpfvm_map__get_next_key(m, &key, &next_b);
			}
			if (!kerr && !berr && next_k != next_b) {
				t_fail("fdmaps_kernel %s: op %ld get_next_key after %u: kernel %u, bpfvm %u", name, n, key,
				       next_k, next_b);
				bad++;
				continue;
			}
		}
		int ks = kernel_slot(fd, &o, key), bs = bpfvm_slot(m, &o, key);
		if (kerr != berr || ks != bs) {
			t_fail("fdmaps_kernel %s: op %ld %s key %u (flags %llu): kernel %d holding %d, bpfvm %d holding %d",
			       name, n, what, key, (unsigned long long)flags, kerr, ks, berr, bs);
			bad++;
		} else {
			same++;
		}
	}
	if (!bad)
		t_pass("fdmaps_kernel %s: %ld operations, same results and the same object in every slot", name, same);
	printf("FIGURE fd maps vs kernel %s: %ld/%ld operations identical\n", name, same, ops);
	bpfvm_map__free(m);
	close(fd);
	free_objs(&o);
}

int main(void)
{
	char why[128];
	if (!kernel_bpf_available(why, sizeof(why))) {
		t_skip("fdmaps_kernel: %s", why);
		return t_done();
	}
	uint64_t rng = t_seed("fdmaps_kernel");
	long ops = t_env_count("BPFVM_MAP_OPS", 10000);
	run_case("prog_array x8", BPF_MAP_TYPE_PROG_ARRAY, ops, &rng);
	run_case("array_of_maps x8", BPF_MAP_TYPE_ARRAY_OF_MAPS, ops, &rng);
	run_case("hash_of_maps x8", BPF_MAP_TYPE_HASH_OF_MAPS, ops, &rng);
	return t_done();
}
