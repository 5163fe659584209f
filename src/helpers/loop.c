/* loop.c - bpf_loop: a callback of the program called a bounded number of times */
#include <errno.h>

#include "helpers/impl.h"
#include "interp/run.h"

#define BPF_LOOP_MAX (1u << 23) /* the kernel's BPF_MAX_LOOPS */

/* bpf_loop(nr_loops, callback, ctx, flags): callback(i, ctx) for i = 0.. until it returns non-zero; the number of
 * calls made. -EINVAL for flags, -E2BIG beyond 8M iterations, as the kernel's. */
HELPER(bpf_loop)
{
	uint32_t nr = (uint32_t)r1;
	if (r4)
		return (uint64_t)-EINVAL;
	if (nr > BPF_LOOP_MAX)
		return (uint64_t)-E2BIG;
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t ret = bpfvm_run_callback(rc, r2, i, r3, 0, 0, 0);
		if (rc->error)
			return 0;
		if (ret)
			return (uint64_t)i + 1;
	}
	return nr;
}
