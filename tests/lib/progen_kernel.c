/* progen_kernel.c - load and run generated programs in the live kernel (sleepable SYSCALL, ctx in place) */
#include "lib/kernel.h"
#include "lib/progen.h"

int progen_kernel_load(const struct progen_prog *p, char *log, size_t log_size)
{
	struct kernel_load_opts o = {
		.prog_type = BPF_PROG_TYPE_SYSCALL,
		.prog_flags = BPF_F_SLEEPABLE, /* 6.18: "Syscall programs can only be sleepable" */
		.insns = p->insns,
		.insn_cnt = p->cnt,
		.name = "progen",
		.log_buf = log,
		.log_size = log_size,
	};
	return kernel_prog_load(&o);
}

int progen_kernel_run(int fd, const struct progen_prog *p, void *ctx, uint32_t *retval)
{
	/* SYSCALL test runs take no data, no ctx_out, no repeat: the context comes back in ctx_in */
	struct kernel_run_opts r = { .ctx_in = ctx, .ctx_size_in = (uint32_t)p->ctx_size };
	int err = kernel_prog_test_run(fd, &r);
	if (!err && retval)
		*retval = r.retval;
	return err;
}
