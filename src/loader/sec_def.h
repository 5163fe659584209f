/* sec_def.h - program section names (libbpf's SEC() conventions) to program type and expected attach type */
#ifndef BPFVM_LOADER_SEC_DEF_H
#define BPFVM_LOADER_SEC_DEF_H

#include <stdint.h>

struct sec_def {
	const char *sec;  /* "xdp", "kprobe+" (+: the name alone or followed by '/'), "fentry/" (prefix) */
	uint32_t prog_type;
	uint32_t attach_type;
	uint32_t prog_flags;
};

/* The definition matching a section name (a leading '?' is ignored), or NULL. */
const struct sec_def *sec_def_find(const char *sec_name);
/* "socket_filter" for BPF_PROG_TYPE_SOCKET_FILTER, NULL if unknown; and the reverse */
const char *prog_type_name(uint32_t prog_type);
int prog_type_by_name(const char *name);

#endif
