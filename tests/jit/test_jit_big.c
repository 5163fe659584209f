/* test_jit_big.c - JIT-compiling a 1,000,000-instruction program: it runs correctly; time and memory as FIGUREs */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "helpers/helpers.h"
#include "interp/prog.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "lib/harness.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * n instructions of 8-instruction blocks: r0 += 3; r2 = r0; r2 &= 7; if r2 == 9 goto +3 (never);
 * *(u32 *)(r10 - 8) = w0; r3 = *(u32 *)(r10 - 8); r3 s>>= 1; if r3 == -1 goto -4 (never).
 * Result: 3 * blocks (mod 2^64). The never-taken jumps keep the sizing passes busy with short/near choices.
 */
static struct bpf_insn *make_prog(size_t n, size_t *cnt, uint64_t *want)
{
	size_t blocks = (n - 2) / 8, k = 0;
	struct bpf_insn *p = calloc(blocks * 8 + 2, sizeof(*p));

	if (!p)
		return NULL;
	p[k++] = BPFVM_MOV64_IMM(0, 0);
	for (size_t b = 0; b < blocks; b++) {
		p[k++] = BPFVM_ALU64_IMM(BPF_ADD, 0, 3);
		p[k++] = BPFVM_MOV64_REG(2, 0);
		p[k++] = BPFVM_ALU64_IMM(BPF_AND, 2, 7);
		p[k++] = BPFVM_JMP_IMM(BPF_JEQ, 2, 9, 3);
		p[k++] = BPFVM_STX_MEM(BPF_W, 10, 0, -8);
		p[k++] = BPFVM_LDX_MEM(BPF_W, 3, 10, -8);
		p[k++] = BPFVM_ALU64_IMM(BPF_ARSH, 3, 1);
		p[k++] = BPFVM_JMP_IMM(BPF_JEQ, 3, -1, -4);
	}
	p[k++] = BPFVM_EXIT();
	*cnt = k;
	*want = 3ull * blocks;
	return p;
}

static int one(size_t n, double *secs, size_t *image, long *rss_kb)
{
	struct bpfvm_prog prog = { 0 };
	struct bpfvm_run_ctx rc = { 0 };
	struct bpfvm_log log = { 0 };
	uint64_t want, r0;
	long rss0;
	double t0;
	int err;

	prog.insns = make_prog(n, &prog.insn_cnt, &want);
	if (!prog.insns)
		return -1;
	rss0 = maxrss_kb();
	t0 = now_s();
	err = bpfvm_jit_compile(&prog, &log);
	*secs = now_s() - t0;
	*rss_kb = maxrss_kb() - rss0;
	if (err) {
		t_fail("jit big %zu: compile: %d %s", n, err, log.last_error);
		free(prog.insns);
		return -1;
	}
	*image = prog.jit_size;
	rc.prog = &prog;
	r0 = prog.jit_entry(0, 0, &rc);
	CHECK(r0 == want && rc.error == 0, "jit big %zu instructions run", prog.insn_cnt);
	bpfvm_jit_release(&prog);
	free(prog.insns);
	return 0;
}

int main(void)
{
	size_t n = (size_t)t_env_count("BPFVM_JIT_BIG_COUNT", 1000000);
	size_t img_small, img_big;
	double t_small, t_big;
	long rss_small, rss_big;

	if (one(n / 10, &t_small, &img_small, &rss_small) || one(n, &t_big, &img_big, &rss_big))
		return t_done();
	printf("FIGURE jit compile %zu insns: %.3f s, image %zu bytes (%.1f B/insn), peak RSS +%ld kB\n", n, t_big,
	       img_big, (double)img_big / n, rss_big);
	printf("FIGURE jit compile %zu insns: %.3f s (x10 insns -> x%.1f time, x%.1f image)\n", n / 10, t_small,
	       t_big / (t_small > 0 ? t_small : 1e-9), (double)img_big / img_small);
	return t_done();
}
