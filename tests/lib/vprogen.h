/* vprogen.h - seeded generator of verifier test programs: safe ones and deliberately unsafe variants */
#ifndef BPFVM_TESTS_VPROGEN_H
#define BPFVM_TESTS_VPROGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfvm/insn.h"

/*
 * A program is a prologue (r6 = ctx, r7 and r8 = bpf_get_prandom_u32(), so unknown to the verifier, r9 = a
 * constant), 1..4 snippets, and `r0 = 0; exit`. Each snippet exercises one area of the verifier:
 *
 *   scalar      ALU on r7..r9
 *   stack       stores and loads on the stack, fixed and bounded variable offsets
 *   map         bpf_map_lookup_elem and accesses to the value behind a null check (array or hash map)
 *   map_update  bpf_map_update_elem with key and value on the stack
 *   map_direct  an array map's value through LD_IMM64 BPF_PSEUDO_MAP_VALUE
 *   packet      direct packet access behind a data_end check (XDP, SCHED_CLS)
 *   ctx         context field reads and writes (__sk_buff, xdp_md)
 *   map_range   a variable offset into a map value bounded by a conditional jump (range tracking)
 *   spill       a pointer spilled to the stack and filled back
 *   insn        helper calls; malformed instructions and control-flow errors as mutations
 *
 * With probability unsafe_percent one snippet is replaced by an unsafe variant (mutation): a missing null
 * check, an out-of-bounds offset, an uninitialised register, pointer arithmetic the kernel refuses, ... Safe
 * programs are meant to be accepted by the privileged kernel; mutations are meant to be rejected. The live
 * kernel's verdict is the oracle; vprogen_mutation_expect_reject() says what the generator expected. (Since
 * 6.13 the kernel knows bpf_map_lookup_elem() on an array map with a constant in-range key is non-NULL: safe
 * programs use such keys, in range or not; the null-check mutations use an unknown key.)
 *
 * Maps are the corpus's fixup kinds (map_hash_8b, _16b, _48b, map_array_48b, map_array_small: see
 * corpus/verifier/README.md), one map per kind and program. An LD_IMM64 with src_reg BPF_PSEUDO_MAP_FD or
 * BPF_PSEUDO_MAP_VALUE (second imm = offset in the value) holds the map's index in maps[] as its imm: a loader
 * replaces it with the map's fd, as test_verifier's fixups do.
 */

#define VPROGEN_F_SCALAR (1u << 0)
#define VPROGEN_F_STACK (1u << 1)
#define VPROGEN_F_MAP (1u << 2)        /* lookup, update and direct value access */
#define VPROGEN_F_PACKET (1u << 3)     /* forces XDP or SCHED_CLS */
#define VPROGEN_F_CTX (1u << 4)
#define VPROGEN_F_ALL 0x1fu

#define VPROGEN_MAX_INSNS 512
#define VPROGEN_MAX_MAPS 4

struct vprogen_map {
	const char *kind; /* the corpus's fixup kind, "map_hash_8b" */
	uint32_t type;    /* BPF_MAP_TYPE_ARRAY or BPF_MAP_TYPE_HASH */
	uint32_t key_size, value_size, max_entries, map_flags;
	bool filled;      /* element 0 written as the corpus's "filled" maps are */
};

struct vprogen_opts {
	uint32_t features;  /* VPROGEN_F_*; 0 = all */
	int unsafe_percent; /* chance in percent that the program carries one mutation; -1 = 0, 0 = 50 */
	int snippets;       /* number of snippets; 0 = random 1..4 */
};

struct vprogen_prog {
	struct bpf_insn insns[VPROGEN_MAX_INSNS];
	size_t cnt;
	uint32_t prog_type; /* BPF_PROG_TYPE_SOCKET_FILTER, _SCHED_CLS or _XDP */
	int nmaps;
	struct vprogen_map maps[VPROGEN_MAX_MAPS];
	const char *mutation; /* NULL: safe by construction; else the unsafe variant's name (static string) */
	char desc[160];       /* the snippets, "scalar+map+packet:pkt_no_bounds_check" */
};

/* Generate one program from *rng (advanced). Returns 0 or -EINVAL for bad opts. */
int vprogen_generate(uint64_t *rng, const struct vprogen_opts *opts, struct vprogen_prog *p);

/* whether the generator expects the privileged kernel to reject this mutation (true for every listed one) */
bool vprogen_mutation_expect_reject(const char *mutation);

/* the i-th mutation name (0-based), NULL past the last: for per-mutation statistics */
const char *vprogen_mutation_name(int i);

struct vprogen_verdict {
	int err;             /* 0 accepted, else BPF_PROG_LOAD's negative errno */
	char err_line[256];  /* the corpus's kernel_err: last log line that is not a statistics line ("" on accept) */
	long insns_processed; /* "processed N insns", -1 if absent */
};

/*
 * The live kernel's verdict on p: creates p's maps, loads with log_level 1 into log (log_size bytes), closes
 * everything. Returns 0 (verdict in *v) or a negative errno if the maps could not be created.
 */
int vprogen_kernel_verdict(const struct vprogen_prog *p, char *log, size_t log_size, struct vprogen_verdict *v);

/*
 * One record in corpus/verifier's format (README there): test, src, prog_type, result (what the generator meant:
 * accept, or reject for a mutation), fixup lines per map kind, insns (map references' imm written as 0), and,
 * if v is given, kernel, kernel_errno, kernel_err, kernel_insns. So `bpfvm corpus verify` reads them.
 */
int vprogen_write_record(FILE *f, const struct vprogen_prog *p, const char *src, const struct vprogen_verdict *v);

#endif
