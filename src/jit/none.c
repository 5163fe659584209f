/* none.c - the JIT entry points on hosts without a JIT backend: every compile is -ENOTSUP (the interpreter runs) */
#if !defined(__x86_64__)
#include <errno.h>

#include "common/log_internal.h"
#include "jit/jit.h"

int bpfvm_jit_compile_opts(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *opts, struct bpfvm_log *log,
			   uint32_t **insn_off)
{
	bpfvm_logf(log, "JIT: no JIT for this host architecture");
	return -ENOTSUP;
}

int bpfvm_jit_compile(struct bpfvm_prog *prog, struct bpfvm_log *log)
{
	return bpfvm_jit_compile_opts(prog, NULL, log, NULL);
}

void bpfvm_jit_release(struct bpfvm_prog *prog)
{
}
#else
typedef int bpfvm_jit_none_unused; /* ISO C wants a translation unit to declare something */
#endif
