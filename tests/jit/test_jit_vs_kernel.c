/* test_jit_vs_kernel.c - the benchmark programs through bpfvm's JIT and the live kernel (XDP test run): same r0 */
#include <errno.h>
#include <stdlib.h>
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
#include "jit/gen.h"
#include "jit/ref_eval.h"

/* BPF_PROG_LOAD as XDP; returns the fd or -errno (with the verifier's log in log, if given) */
static int kload_log(const struct bpf_insn *insns, int n, char *log, size_t logsz)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	if (log) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)logsz;
		a.log_level = 1;
	}
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static int krun(int fd, uint8_t *data, size_t len, uint32_t *retval);

static int kload(const struct bpf_insn *insns, int n)
{
	return kload_log(insns, n, NULL, 0);
}

/* the last line of a verifier log that is not a statistics line */
static const char *last_line(char *log)
{
	char *end = log + strlen(log), *line;

	for (;;) {
		while (end > log && end[-1] == '\n')
			*--end = 0;
		line = end;
		while (line > log && line[-1] != '\n')
			line--;
		if (line == log || (strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17) &&
				    strncmp(line, "stack depth", 11)))
			return line;
		end = line;
	}
}

/*
 * Generated programs (tests/jit/gen.h in its kernel mode: what the verifier accepts) through the JIT, the reference
 * evaluator and the kernel (its verifier, then its JIT): r0 identical, the kernel's as 32 bits.
 */
static void generated_vs_kernel(uint64_t seed)
{
	static struct bpf_insn insns[MAX_INSNS];
	static char log[1 << 20];
	static uint8_t pktbuf[64];
	long count = t_env_count("BPFVM_JIT_KDIFF_COUNT", t_sanitized() ? 200 : 1000);
	long ok = 0, rejected = 0, bad = 0;

	for (long i = 0; i < count; i++) {
		struct gen g = { .rng = seed ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull), .kernel = true };
		struct bpfvm_prog prog = { 0 };
		struct bpfvm_run_ctx rc = { .prog = &prog };
		uint64_t r0 = 0, ref0 = 0;
		uint32_t kret = 0;
		int n, fd, err, rerr;

		t_rand(&g.rng);
		n = generate(&g, insns);
		if (n < 0)
			continue;
		prog.insns = insns;
		prog.insn_cnt = (size_t)n;
		err = bpfvm_jit_run(&prog, &rc, 0, 0, &r0);
		bpfvm_jit_release(&prog);
		rerr = ref_eval(insns, (size_t)n, 0, 0, NULL, 0, &ref0);
		if (err || rerr || r0 != ref0) {
			if (bad++ < 5)
				t_fail("jit_vs_kernel generated %ld (BPFVM_SEED=%llu): jit %d 0x%llx, reference %d 0x%llx", i,
				       (unsigned long long)seed, err, (unsigned long long)r0, rerr, (unsigned long long)ref0);
			continue;
		}
		log[0] = 0;
		fd = kload_log(insns, n, log, sizeof(log));
		if (fd == -EPERM || fd == -ENOSYS) {
			t_skip("jit_vs_kernel generated: bpf() refused (%s)", strerror(-fd));
			return;
		}
		if (fd < 0) {
			if (rejected++ < 8)
				fprintf(stderr, "generated %ld rejected by the kernel: %s\n", i, last_line(log));
			continue;
		}
		err = krun(fd, pktbuf, sizeof(pktbuf), &kret);
		close(fd);
		if (err) {
			t_skip("jit_vs_kernel generated: BPF_PROG_TEST_RUN refused (%s)", strerror(-err));
			return;
		}
		if (kret != (uint32_t)r0) {
			if (bad++ < 5)
				t_fail("jit_vs_kernel generated %ld (BPFVM_SEED=%llu, %d insns): jit 0x%llx, kernel 0x%x", i,
				       (unsigned long long)seed, n, (unsigned long long)r0, kret);
			continue;
		}
		ok++;
	}
	if (!bad)
		CHECK(ok > count / 2, "jit_vs_kernel: %ld generated programs identical in the JIT, the reference and the "
				      "kernel (%ld rejected by the kernel's verifier)", ok, rejected);
	printf("FIGURE jit vs kernel: %ld generated programs identical in JIT, reference and kernel, %ld mismatches, "
	       "%ld rejected by the kernel's verifier\n", ok, bad, rejected);
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
			if (n < 0 || kn < 0)
				continue; /* map_lookup needs the benchmark's maps (bench/jit_bench.c compares it there) */
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
	/*
	 * A fixed seed unless BPFVM_SEED is given: in about 1 of 20,000 random programs the kernel returns another r0
	 * because its verifier hard-wires a JMP32 branch that the run does not take (seen in BPF_OBJ_GET_INFO_BY_FD's
	 * xlated code; the kernel's own run computes the register value that contradicts it). JIT and reference agree
	 * there; a random seed would make this test flaky on the kernel's account.
	 */
	generated_vs_kernel(getenv("BPFVM_SEED") ? seed : 20261124);
	return t_done();
}
