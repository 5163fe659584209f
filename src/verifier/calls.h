/* calls.h - helper prototypes: argument and return types, keyed by helper id */
#ifndef BPFVM_VERIFIER_CALLS_H
#define BPFVM_VERIFIER_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/verifier.h"

enum bpf_arg_type {
	ARG_DONTCARE = 0,
	ARG_CONST_MAP_PTR,
	ARG_PTR_TO_MAP_KEY,
	ARG_PTR_TO_MAP_VALUE,
	ARG_PTR_TO_MEM,
	ARG_CONST_SIZE,
	ARG_CONST_SIZE_OR_ZERO,
	ARG_PTR_TO_CTX,
	ARG_ANYTHING,
	ARG_PTR_TO_SPIN_LOCK,
	ARG_PTR_TO_SOCK_COMMON,
	ARG_PTR_TO_SOCKET,
	ARG_PTR_TO_LONG,
	ARG_PTR_TO_INT,
	ARG_PTR_TO_BTF_ID,
	ARG_PTR_TO_RINGBUF_MEM,
	ARG_CONST_ALLOC_SIZE_OR_ZERO,
	ARG_PTR_TO_BTF_ID_SOCK_COMMON,
	ARG_PTR_TO_PERCPU_BTF_ID,
	ARG_PTR_TO_FUNC,
	ARG_PTR_TO_STACK,
	ARG_PTR_TO_CONST_STR,
	ARG_PTR_TO_TIMER,
	ARG_KPTR_XCHG_DEST,
	ARG_PTR_TO_DYNPTR,
};
/* argument flags share the register flags' bits */
#define MEM_WRITE (1u << 16)

enum bpf_return_type {
	RET_INTEGER,
	RET_VOID,
	RET_PTR_TO_MAP_VALUE,
	RET_PTR_TO_SOCKET,
	RET_PTR_TO_TCP_SOCK,
	RET_PTR_TO_SOCK_COMMON,
	RET_PTR_TO_MEM,
	RET_PTR_TO_MEM_OR_BTF_ID,
	RET_PTR_TO_BTF_ID,
};

struct helper_proto {
	uint32_t ret_type;   /* enum bpf_return_type | PTR_MAYBE_NULL | MEM_RINGBUF | ... */
	uint32_t arg_type[5];
	uint32_t arg_size[5]; /* MEM_FIXED_SIZE args */
	bool pkt_access;     /* may take packet pointers */
	bool changes_pkt_data;
	const char *ret_btf_name;
};

/* the prototype of helper func_id, NULL if bpfvm does not know it */
const struct helper_proto *helper_proto(int32_t func_id);

#endif
