/* test_soundness.c - what bpfvm's verifier accepts never misbehaves: generated programs run strictly checked */
/*
 * Each generated program (tests/lib/vprogen: safe ones and mutated ones) goes through bpfvm_verify(). Every
 * program it accepts is loaded with real maps (random contents) and run several times on random packets in the
 * strict interpreter (BPFVM_ENGINE_STRICT): an access outside the stack, the context, the packet or map memory,
 * a read of a register or of a stack byte the program never wrote, or a run that does not end within the step
 * limit is a counterexample to the verifier's soundness, printed with the program. BPFVM_SOUND_COUNT sets how
 * many programs are generated (`make fuzz-soundness` runs enough for 1,000,000 accepted ones).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/map.h"
#include "bpfvm/object.h"
#include "bpfvm/verifier.h"
#include "lib/diffutil.h"
#include "lib/harness.h"
#include "lib/vprogen.h"
#include "maps/map.h"

#define RUNS_PER_PROG 4
#define STEP_LIMIT 1000000

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void rnd_bytes(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(s);
}

struct loaded {
	struct bpfvm_map *maps[VPROGEN_MAX_MAPS];
	int nmaps;
	struct bpfvm_prog *prog;
};

static void unload(struct loaded *l)
{
	bpfvm_prog__free(l->prog);
	for (int i = 0; i < l->nmaps; i++)
		bpfvm_map__free(l->maps[i]);
	memset(l, 0, sizeof(*l));
}

/* random map contents: every array element, and up to max_entries random hash keys */
static int fill_maps(struct loaded *l, const struct vprogen_prog *p, uint64_t *rng)
{
	uint8_t key[64], val[256];
	for (int m = 0; m < l->nmaps; m++) {
		const struct vprogen_map *vm = &p->maps[m];
		for (uint32_t i = 0; i < vm->max_entries; i++) {
			if (vm->type == BPF_MAP_TYPE_ARRAY)
				memcpy(key, &i, sizeof(i));
			else
				rnd_bytes(rng, key, vm->key_size);
			rnd_bytes(rng, val, vm->value_size);
			int err = bpfvm_map__update_elem(l->maps[m], key, val, BPF_ANY);
			if (err && err != -E2BIG)
				return err;
		}
	}
	return 0;
}

/* maps as the generator describes them, and the program with its map references resolved to them */
static int load(struct loaded *l, const struct vprogen_prog *p, char *why, size_t why_size)
{
	static struct bpf_insn insns[VPROGEN_MAX_INSNS];
	for (; l->nmaps < p->nmaps; l->nmaps++) {
		const struct vprogen_map *vm = &p->maps[l->nmaps];
		BPFVM_OPTS(bpfvm_map_attr, attr, .type = vm->type, .key_size = vm->key_size, .value_size = vm->value_size,
			   .max_entries = vm->max_entries, .map_flags = vm->map_flags);
		int err = bpfvm_map_create(&attr, &l->maps[l->nmaps], NULL);
		if (err) {
			snprintf(why, why_size, "map %d (%s): %s", l->nmaps, vm->kind, strerror(-err));
			return err;
		}
	}
	memcpy(insns, p->insns, p->cnt * sizeof(insns[0]));
	for (size_t i = 0; i + 1 < p->cnt; i++) {
		struct bpf_insn *in = &insns[i];
		if (in->code != (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		if ((in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) &&
		    (in->imm < 0 || in->imm >= l->nmaps)) {
			snprintf(why, why_size, "insn %zu names map %d of %d", i, in->imm, l->nmaps);
			return -EINVAL;
		}
		uint64_t addr = 0;
		if (in->src_reg == BPF_PSEUDO_MAP_FD) {
			addr = (uint64_t)(uintptr_t)l->maps[in->imm];
		} else if (in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			uint32_t zero = 0;
			uint8_t *v = bpfvm_map_lookup_ptr(l->maps[in->imm], &zero);
			if (!v) {
				snprintf(why, why_size, "insn %zu: map %d has no element 0", i, in->imm);
				return -EINVAL;
			}
			addr = (uint64_t)(uintptr_t)(v + (uint32_t)in[1].imm);
		} else {
			i++;
			continue;
		}
		in[0].src_reg = 0;
		in[0].imm = (int32_t)(uint32_t)addr;
		in[1].imm = (int32_t)(uint32_t)(addr >> 32);
		i++;
	}
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_prog_opts, po, .prog_type = p->prog_type, .log = &log);
	l->prog = bpfvm_prog__new(insns, p->cnt, &po);
	if (!l->prog) {
		snprintf(why, why_size, "bpfvm_prog__new: %.200s", log.last_error);
		return -EINVAL;
	}
	return 0;
}

static int verify(const struct vprogen_prog *p, struct bpfvm_verify_stats *st)
{
	struct bpfvm_map_info maps[VPROGEN_MAX_MAPS];
	memset(maps, 0, sizeof(maps));
	for (int m = 0; m < p->nmaps; m++)
		maps[m] = (struct bpfvm_map_info){ .type = p->maps[m].type, .key_size = p->maps[m].key_size,
						   .value_size = p->maps[m].value_size,
						   .max_entries = p->maps[m].max_entries,
						   .map_flags = p->maps[m].map_flags, .spin_lock_off = -1,
						   .timer_off = -1 };
	BPFVM_OPTS(bpfvm_verify_opts, o, .prog_type = p->prog_type, .maps = maps, .map_cnt = (size_t)p->nmaps,
		   .stats = st);
	return bpfvm_verify(p->insns, p->cnt, &o);
}

int main(void)
{
	static struct vprogen_prog p;
	uint64_t seed = t_seed("test_soundness");
	long count = t_env_count("BPFVM_SOUND_COUNT", 20000);
	long accepted = 0, runs = 0, bad = 0, load_failed = 0, shown = 0;
	long mutated_accepted = 0;

	for (long i = 0; i < count; i++) {
		uint64_t st = diff_prog_state(seed, i);
		struct bpfvm_verify_stats vs;
		if (vprogen_generate(&st, NULL, &p)) {
			t_fail("vprogen seed %" PRIu64 " #%ld: generator error", seed, i);
			break;
		}
		if (verify(&p, &vs))
			continue;
		accepted++;
		mutated_accepted += p.mutation != NULL;
		struct loaded l = { 0 };
		char why[256] = "";
		if (load(&l, &p, why, sizeof(why))) {
			if (load_failed++ < 5)
				fprintf(stderr, "seed %" PRIu64 " #%ld: cannot load: %s\n", seed, i, why);
			unload(&l);
			continue;
		}
		uint64_t in_rng = st | 1;
		for (int r = 0; r < RUNS_PER_PROG; r++) {
			uint8_t pkt[256];
			uint32_t len = 14 + (uint32_t)(rnd(&in_rng) % (sizeof(pkt) - 14 + 1));
			rnd_bytes(&in_rng, pkt, len);
			struct bpfvm_log log = { 0 };
			if (fill_maps(&l, &p, &in_rng)) {
				load_failed++;
				break;
			}
			BPFVM_OPTS(bpfvm_test_run_opts, ro, .data_in = pkt, .data_size_in = len, .engine = BPFVM_ENGINE_STRICT,
				   .max_insns = STEP_LIMIT, .log = &log);
			int err = bpfvm_prog__test_run(l.prog, &ro);
			runs++;
			if (!err)
				continue;
			bad++;
			if (shown++ < 5) {
				fprintf(stderr, "UNSOUND: seed %" PRIu64 " #%ld %s (type %u), packet of %u bytes: %s (%s)\n",
					seed, i, p.desc, p.prog_type, len, strerror(-err), log.last_error);
				diff_print_prog(stderr, p.insns, p.cnt);
			}
			break;
		}
		unload(&l);
	}
	printf("FIGURE verifier soundness (seed %" PRIu64 "): %ld generated programs, %ld accepted by bpfvm "
	       "(%ld of them mutated), %ld strict runs on random packets and maps: %ld out-of-bounds or uninitialized "
	       "reads\n", seed, count, accepted, mutated_accepted, runs, bad);
	CHECK(accepted > count / 4, "bpfvm accepts a fair share of the generated programs (%ld/%ld)", accepted, count);
	CHECK(load_failed == 0, "every accepted program loads with its maps (%ld could not)", load_failed);
	CHECK(bad == 0, "no accepted program reads uninitialized memory or leaves its memory (%ld did)", bad);
	return t_done();
}
