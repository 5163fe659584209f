/* ctx_access.h - helpers for the per-type context rules: field ranges as the kernel's bpf_ctx_range() */
#ifndef BPFVM_PROGTYPES_CTX_ACCESS_H
#define BPFVM_PROGTYPES_CTX_ACCESS_H

#include <stddef.h>

#include "progtypes/progtype.h"

#define offsetofend(T, f) (offsetof(T, f) + sizeof(((T *)0)->f))
/* off lies in field f (all its bytes) */
#define IN_FIELD(off, T, f) ((off) >= (int)offsetof(T, f) && (off) < (int)offsetofend(T, f))
/* off lies between the start of f1 and the end of f2 */
#define IN_FIELDS(off, T, f1, f2) ((off) >= (int)offsetof(T, f1) && (off) < (int)offsetofend(T, f2))

/* the kernel's bpf_ctx_narrow_access_ok(): a power-of-two size no larger than the field */
static inline bool bpf_ctx_narrow_access_ok(int off, int size, int size_default)
{
	(void)off;
	return size <= size_default && (size & (size - 1)) == 0;
}

static inline void bpf_ctx_record_field_size(struct bpf_insn_access_aux *info, int size)
{
	info->ctx_field_size = size;
}

#endif
