/* progs.h - the JIT benchmark programs: BPF bytecode built with labels, and the same algorithms in C */
#ifndef BPFVM_BENCH_PROGS_H
#define BPFVM_BENCH_PROGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/insn.h"

#define BENCH_DATA_LEN 2048 /* input bytes (the XDP packet for the kernel, r1/r2 for bpfvm and uBPF) */

/*
 * A program's entry convention. Every body starts with r6 = data, r7 = data_end:
 *   FLAVOR_MEM: r1 = data, r2 = length (bpfvm, uBPF): r6 = r1; r7 = r1 + r2
 *   FLAVOR_XDP: r1 = struct xdp_md * (the kernel):     r6 = ctx->data; r7 = ctx->data_end
 * Everything after these prologue instructions is the same bytecode for every engine.
 */
enum bench_flavor { FLAVOR_MEM, FLAVOR_XDP };

struct bench_prog {
	const char *name;
	const char *what;
	int (*build)(struct bpf_insn *out, int max, enum bench_flavor fl); /* returns insn count or -1 */
	uint64_t (*native)(uint8_t *data, size_t len);                      /* the same algorithm in C */
	bool compute;                                                       /* counts toward the C -O2 goal */
};

extern const struct bench_prog bench_progs[];

/* the map_lookup program's maps: set them before building it (unset: it builds nothing and is left out) */
#define BENCH_MAP_ENTRIES 64
extern int bench_map_fd;
extern uint64_t bench_map_ptr;
extern uint64_t bench_map_values[BENCH_MAP_ENTRIES];
extern const int bench_nprogs;

#endif
