/* test_progen_kernel.c - the program generator against the live kernel: every program accepted and runnable */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isa/opcodes.h"
#include "lib/harness.h"
#include "lib/kernel.h"
#include "lib/progen.h"

static const struct {
	const char *name;
	struct progen_opts o;
} configs[] = {
	{ "default", { 0 } },
	{ "isa1", { .isa = 1 } },
	{ "isa2", { .isa = 2 } },
	{ "isa3", { .isa = 3 } },
	{ "alu", { .flags = PROGEN_F_ALU } },
	{ "jmp", { .flags = PROGEN_F_ALU | PROGEN_F_JMP } },
	{ "stack", { .flags = PROGEN_F_STACK | PROGEN_F_ATOMIC | PROGEN_F_ACQREL, .stack = 128 } },
	{ "calls", { .flags = PROGEN_F_DEFAULT | PROGEN_F_CALLS } },
	{ "loops", { .flags = PROGEN_F_DEFAULT | PROGEN_F_LOOPS } },
	{ "membuf", { .flags = PROGEN_F_DEFAULT | PROGEN_F_MEMBUF, .mem = 256 } },
	{ "all", { .flags = PROGEN_F_ALL } },
	{ "all-long", { .flags = PROGEN_F_ALL, .len = 400, .stack = 32 } },
};

static void print_prog(const struct progen_prog *p)
{
	for (size_t i = 0; i < p->cnt; i++) {
		const struct bpf_insn *in = &p->insns[i];
		fprintf(stderr, "  %4zu: %02x %x %x %6d %11d\n", i, in->code, in->dst_reg, in->src_reg, in->off, in->imm);
	}
}

/* same seed, same program; the encoding passes bpfvm's own checks */
static void test_generator(uint64_t seed)
{
	static struct progen_prog a, b;
	int bad_det = 0, bad_enc = 0;
	for (int i = 0; i < 200; i++) {
		uint64_t s1 = seed + (uint64_t)i, s2 = s1;
		const struct progen_opts *o = &configs[i % (sizeof(configs) / sizeof(configs[0]))].o;
		if (progen_generate(&s1, o, &a) || progen_generate(&s2, o, &b) || a.cnt != b.cnt ||
		    memcmp(a.insns, b.insns, a.cnt * sizeof(a.insns[0])))
			bad_det++;
		struct bpfvm_log log = { 0 };
		if (bpfvm_insns_check(a.insns, a.cnt, &log)) {
			if (!bad_enc)
				fprintf(stderr, "encoding: %s\n", log.last_error);
			bad_enc++;
		}
	}
	CHECK(bad_det == 0, "progen deterministic from its seed (%d differ)", bad_det);
	CHECK(bad_enc == 0, "progen encodings pass bpfvm_insns_check (%d bad)", bad_enc);
	struct progen_opts bad = { .stack = 12 };
	uint64_t s = 1;
	CHECK(progen_generate(&s, &bad, &a) < 0, "progen refuses a stack size not a multiple of 8");
}

int main(void)
{
	static struct progen_prog p;
	static char log[1 << 20];
	char why[128], line[256];
	uint64_t seed = t_seed("test_progen_kernel");
	long count = t_env_count("BPFVM_PROGEN_COUNT", t_sanitized() ? 60 : 300);

	test_generator(seed);
	if (!kernel_bpf_available(why, sizeof(why))) {
		t_skip("progen kernel acceptance: %s", why);
		return t_done();
	}
	long total = 0, accepted = 0, max_processed = 0;
	for (size_t c = 0; c < sizeof(configs) / sizeof(configs[0]); c++) {
		long ok = 0, ran = 0;
		int shown = 0;
		for (long i = 0; i < count; i++) {
			uint64_t st = seed ^ ((uint64_t)c << 48) ^ (uint64_t)i * 0x9e3779b97f4a7c15ULL;
			if (!st)
				st = 1;
			if (progen_generate(&st, &configs[c].o, &p)) {
				t_fail("progen %s #%ld: generator error", configs[c].name, i);
				continue;
			}
			total++;
			int fd = progen_kernel_load(&p, log, sizeof(log));
			if (fd < 0) {
				kernel_log_error_line(log, line, sizeof(line));
				if (shown++ < 3) {
					fprintf(stderr, "%s #%ld refused (%s): %s\n", configs[c].name, i, kernel_errno_name(fd),
						line);
					print_prog(&p);
				}
				continue;
			}
			ok++;
			if (i < 25) { /* the verifier's work, to watch the margin to its 1M-instruction limit */
				struct kernel_load_opts lo = { .prog_type = BPF_PROG_TYPE_SYSCALL, .prog_flags = BPF_F_SLEEPABLE,
							       .insns = p.insns, .insn_cnt = p.cnt, .log_level = 1,
							       .log_buf = log, .log_size = sizeof(log) };
				int fd2 = kernel_prog_load(&lo);
				long n = kernel_log_insns_processed(log);
				if (n > max_processed)
					max_processed = n;
				if (fd2 >= 0)
					close(fd2);
			}
			uint8_t ctx1[PROGEN_MAX_CTX], ctx2[PROGEN_MAX_CTX];
			progen_fill_ctx(&st, &p, ctx1);
			memcpy(ctx2, ctx1, p.ctx_size);
			uint32_t r1, r2;
			if (!progen_kernel_run(fd, &p, ctx1, &r1) && !progen_kernel_run(fd, &p, ctx2, &r2) && r1 == r2 &&
			    !memcmp(ctx1, ctx2, p.ctx_size) && (uint32_t)progen_ctx_reg(ctx1, 0) == r1)
				ran++;
			close(fd);
		}
		accepted += ok;
		CHECK(ok == count, "progen %s: kernel accepts %ld/%ld", configs[c].name, ok, count);
		CHECK(ran == ok, "progen %s: kernel runs are repeatable, r0 = retval (%ld/%ld)", configs[c].name, ran, ok);
	}
	printf("FIGURE progen kernel acceptance: %ld/%ld\n", accepted, total);
	printf("FIGURE progen max verifier insns processed: %ld (limit 1000000)\n", max_processed);
	return t_done();
}
