/* corpus.h - the corpus/verifier record format: old-style kernel selftest programs with their maps */
#ifndef BPFVM_VERIFIER_CORPUS_H
#define BPFVM_VERIFIER_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "bpfvm/log.h"
#include "bpfvm/verifier.h"

#define CORPUS_MAX_FIXUPS 16

struct corpus_fixup {
	char kind[32];   /* map kind ("map_hash_8b") or "kfunc" */
	char name[64];   /* kfunc name */
	int n_idx;
	int *idx;        /* instruction indexes whose imm gets the map's fd */
};

struct corpus_record {
	int line;        /* line of the record's first line */
	char *test;      /* unescaped */
	char *src;
	uint32_t prog_type, attach_type, flags, prog_flags;
	char *attach_btf;
	struct corpus_fixup fixups[CORPUS_MAX_FIXUPS];
	int n_fixups;
	struct bpf_insn *insns;
	size_t insn_cnt;
	struct bpf_func_info func_info[CORPUS_MAX_FIXUPS];
	uint32_t func_info_cnt;
};

struct corpus_parser {
	const char *buf;
	size_t len, pos;
	int line;
};

/* Parse the next record of buf. Returns 1 and fills rec (free with corpus_record_free), 0 at the end, or
 * -EINVAL with "line N: why" in log. Result and kernel lines (result, errstr*, kernel*, run, insn_processed,
 * func_info, btf_*) are skipped. */
int corpus_next(struct corpus_parser *p, struct corpus_record *rec, struct bpfvm_log *log);
void corpus_record_free(struct corpus_record *rec);

/* The maps a record's fixups create, in the fd space of its LD_IMM64s (index = fd, from 3 like a process's
 * first free fd; unused slots have type 0), and the fixed-up instructions. Returns 0 or -EINVAL (unknown kind,
 * instruction index out of range) with the reason in log. */
struct corpus_prog {
	struct bpf_insn *insns;
	size_t insn_cnt;
	struct bpfvm_map_info maps[3 + CORPUS_MAX_FIXUPS];
	size_t map_cnt;
	const char *kfunc_names[CORPUS_MAX_FIXUPS];
	size_t kfunc_cnt;
};
int corpus_prog_build(const struct corpus_record *rec, struct corpus_prog *prog, struct bpfvm_log *log);
void corpus_prog_free(struct corpus_prog *prog);

#endif
