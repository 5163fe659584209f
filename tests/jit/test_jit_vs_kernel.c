/* test_jit_vs_kernel.c - the benchmark programs through bpfvm's JIT and the live kernel (XDP test run): same r0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "interp/prog.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "lib/harness.h"

#include "../../bench/jit/progs.c"

/* BPF_PROG_LOAD as XDP; returns the fd or -errno */
static int kload(const struct bpf_insn *insns, int n)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static int krun(int fd, uint8_t *data, size_t len, uint32_t *retval)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)data;
	a.test.data_size_in = (uint32_t)len;
	a.test.repeat = 1;
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &a, sizeof(a)))
		return -errno;
	*retval = a.test.retval;
	return 0;
}

int main(void)
{
	static struct bpf_insn insns[4096], kinsns[4096];
	static uint8_t data[BENCH_DATA_LEN], kdata[BENCH_DATA_LEN];
	uint64_t seed = t_seed("jit_vs_kernel"), st = seed | 1;

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)t_rand(&st);
		for (int p = 0; p < bench_nprogs; p++) {
			const struct bench_prog *bp = &bench_progs[p];
			int n = bp->build(insns, 4096, FLAVOR_MEM), kn = bp->build(kinsns, 4096, FLAVOR_XDP);
			struct bpfvm_prog prog = { .insns = insns, .insn_cnt = (size_t)n };
			struct bpfvm_run_ctx rc = { .prog = &prog };
			uint64_t r0 = 0;
			uint32_t kret = 0;
			int fd, err;

			err = bpfvm_jit_run(&prog, &rc, (uint64_t)(uintptr_t)data, sizeof(data), &r0);
			bpfvm_jit_release(&prog);
			if (err) {
				t_fail("jit_vs_kernel %s round %d: jit error %d", bp->name, round, err);
				continue;
			}
			fd = kload(kinsns, kn);
			if (fd == -EPERM || fd == -ENOSYS) {
				t_skip("jit_vs_kernel %s: bpf() refused (%s)", bp->name, strerror(-fd));
				continue;
			}
			if (fd < 0) {
				t_fail("jit_vs_kernel %s: the kernel rejects the program: %s", bp->name, strerror(-fd));
				continue;
			}
			memcpy(kdata, data, sizeof(data));
			err = krun(fd, kdata, sizeof(kdata), &kret);
			close(fd);
			if (err) {
				t_skip("jit_vs_kernel %s: BPF_PROG_TEST_RUN refused (%s)", bp->name, strerror(-err));
				continue;
			}
			CHECK(kret == (uint32_t)r0 && r0 == bp->native(data, sizeof(data)),
			      "jit_vs_kernel %s round %d (BPFVM_SEED=%llu): jit 0x%llx, kernel 0x%x", bp->name, round,
			      (unsigned long long)seed, (unsigned long long)r0, kret);
		}
	}
	return t_done();
}
