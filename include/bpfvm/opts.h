/* opts.h - sized option structs, libbpf style: callers set .sz, the library reads only what sz covers */
#ifndef BPFVM_OPTS_H
#define BPFVM_OPTS_H

#include <stddef.h>

/* Declare and zero an opts struct with its size set: BPFVM_OPTS(bpfvm_run_opts, opts, .repeat = 100); */
#define BPFVM_OPTS(TYPE, NAME, ...)                                                                             \
	struct TYPE NAME = ({                                                                                   \
		struct TYPE ___##NAME;                                                                          \
		__builtin_memset(&___##NAME, 0, sizeof(struct TYPE));                                          \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };                                        \
	})

#endif
