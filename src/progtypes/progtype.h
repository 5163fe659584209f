/* progtype.h - what the verifier needs of each program type: context access rules, helpers, return range */
#ifndef BPFVM_PROGTYPES_PROGTYPE_H
#define BPFVM_PROGTYPES_PROGTYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/verifier.h"

struct progtype_ops {
	uint32_t prog_type;
	const char *name;
	/* mirrors the kernel's <type>_is_valid_access(): may the program read/write size bytes at off of its ctx?
	 * Sets info->reg_type for pointer fields and info->ctx_field_size for narrow loads. */
	bool (*is_valid_access)(int off, int size, enum bpf_access_type type, uint32_t expected_attach_type,
				struct bpf_insn_access_aux *info);
	/* may a program of this type call helper func_id? */
	bool (*helper_allowed)(int32_t func_id);
	bool has_ld_abs;   /* BPF_LD_[ABS|IND] allowed (socket filter, tc) */
	bool ctx_unknown_size; /* the ctx has no fixed layout (syscall): helpers check access dynamically */
};

/* the ops of a program type, NULL if bpfvm does not know it */
const struct progtype_ops *progtype_find(uint32_t prog_type);

/* 1 if the live kernel lets prog_type call func_id, 0 if not, -1 if that type was not observed */
int progtype_helper_allowed(uint32_t prog_type, int32_t func_id);

/* struct bpf_sock and friends behind socket pointers (check_sock_access) */
bool bpf_sock_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info);
bool bpf_sock_common_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info);
bool bpf_tcp_sock_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info);
bool bpf_xdp_sock_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info);

/* helper families shared by the program types (in helpers_allowed.c) */
bool helper_in_base(int32_t func_id);
bool helper_in_tracing(int32_t func_id);

#endif
