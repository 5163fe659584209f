/* verifier.h - the public verifier API: check a program as the Linux 6.18 verifier would, with its log */
#ifndef BPFVM_VERIFIER_API_H
#define BPFVM_VERIFIER_API_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/insn.h"
#include "bpfvm/opts.h"

/* kinds of kernel pointer (kptr) fields a map value may hold (from the value's BTF) */
enum bpfvm_kptr_kind {
	BPFVM_KPTR_UNTRUSTED = 1, /* __kptr_untrusted */
	BPFVM_KPTR_REF,           /* __kptr (referenced) */
	BPFVM_KPTR_PERCPU,        /* __percpu_kptr */
};

#define BPFVM_MAX_KPTRS 8

/*
 * What the verifier needs to know of a map: the numbers of BPF_MAP_CREATE and the special fields of its
 * value's BTF. An LD_IMM64 with src_reg BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE names a map by its index in
 * bpfvm_verify_opts.maps (the "fd" in imm).
 */
struct bpfvm_map_info {
	uint32_t type;        /* enum bpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	int32_t spin_lock_off; /* offset of a struct bpf_spin_lock in the value, -1 if none */
	int32_t timer_off;     /* offset of a struct bpf_timer in the value, -1 if none */
	uint32_t n_kptrs;
	struct {
		uint32_t off;
		uint32_t kind;          /* enum bpfvm_kptr_kind */
		const char *type_name;  /* the pointee's struct name, e.g. "prog_test_ref_kfunc" */
	} kptrs[BPFVM_MAX_KPTRS];
	uint32_t inner_map_type; /* map-in-map: the inner map's type (its sizes in inner_*) */
	uint32_t inner_key_size, inner_value_size, inner_max_entries;
};

/* statistics of one verification, as the kernel's last log line reports them */
struct bpfvm_verify_stats {
	uint32_t insn_processed;
	uint32_t max_states_per_insn;
	uint32_t total_states;
	uint32_t peak_states;
	uint32_t stack_depth; /* of the main program */
	char err_line[256];   /* the error: the last log line that is not a statistics line ("" on accept) */
};

/* called once per log line (without the newline) */
typedef void (*bpfvm_verifier_log_fn)(void *arg, const char *line);

struct bpfvm_verify_opts {
	size_t sz;
	uint32_t prog_type;            /* enum bpf_prog_type; 0 is treated as socket_filter */
	uint32_t expected_attach_type;
	uint32_t prog_flags;           /* BPF_F_STRICT_ALIGNMENT, BPF_F_ANY_ALIGNMENT, BPF_F_SLEEPABLE, ... */
	const struct bpfvm_map_info *maps; /* indexed by the "fd" in LD_IMM64 imm; owned by the caller */
	size_t map_cnt;
	uint32_t log_level;            /* 0 none, 1 the failing path, 2 every instruction with register state */
	bpfvm_verifier_log_fn log_fn;  /* where log lines go; may be NULL */
	void *log_arg;
	char *log_buf;                 /* or/and a buffer, as BPF_PROG_LOAD's log_buf (NUL-terminated) */
	size_t log_size;
	struct bpfvm_verify_stats *stats; /* out, may be NULL */
	const char *const *kfunc_names;   /* kfunc calls: imm is an index into this table; may be NULL */
	size_t kfunc_cnt;
	/* BTF func_info (insn_off, type_id) as BPF_PROG_LOAD takes it: one per subprogram, needed for callbacks;
	 * bpfvm treats every described function as static */
	const struct bpf_func_info *func_info;
	uint32_t func_info_cnt;
	/* per func_info record (may be NULL): 1 when the function's BTF return type is an integer of at most 8 bytes
	 * or an enum (the kernel's scalar_return): subprograms that use LD_ABS or tail calls must return one */
	const uint8_t *func_ret_scalar;
	/* the loader lacks CAP_PERFMON: reading uninitialized stack is refused (the kernel's allow_uninit_stack off).
	 * Its other effects (pointer leaks, Spectre v1/v4 sanitation) are not modelled: verification is otherwise the
	 * privileged one */
	bool without_perfmon;
};
#define bpfvm_verify_opts__last_field without_perfmon

/*
 * Verify cnt instructions as the kernel's BPF_PROG_LOAD would. Returns 0 if accepted, -EACCES (or -EINVAL,
 * -E2BIG, -EFAULT: the kernel's errno for the same rejection) with the reason as the log's last line before the
 * statistics, -ENOMEM if out of memory, -EINVAL for bad opts.
 */
int bpfvm_verify(const struct bpf_insn *insns, size_t cnt, const struct bpfvm_verify_opts *opts);

#endif
