/* verifier_bench.c - bpfvm's verifier against the live kernel's on the shared corpus: time and processed insns */
/*
 * Every record of ../shared/corpus/verifier/shared.txt that needs no kfunc or attach BTF is verified by bpfvm
 * (bpfvm_verify, log level 0) and loaded into the running kernel with BPF_LOG_STATS, whose log ends with
 * "processed N insns ..." and "verification time T usec". Both are measured in this run, best of ROUNDS per record:
 * the kernel's time is its own measurement of bpf_check() (no syscall overhead), bpfvm's is the wall time of
 * bpfvm_verify(). Processed instructions are compared on the records both accept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfvm/verifier.h"
#include "lib/kernel.h"
#include "verifier/corpus.h"

#define ROUNDS 5

struct row {
	int line;
	char src[96];
	size_t insns;
	double bpfvm_us, kernel_us;
	long bpfvm_processed, kernel_processed;
	bool bpfvm_accept, kernel_accept;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long log_number(const char *log, const char *prefix)
{
	const char *p = strstr(log, prefix);
	return p ? strtol(p + strlen(prefix), NULL, 10) : -1;
}

/* the kernel: best verification time of ROUNDS loads; -1 if a map cannot be created */
static int kernel_side(const struct corpus_record *rec, const struct corpus_prog *prog, struct row *r, char *log,
		       size_t log_size)
{
	static struct bpf_insn insns[1 << 17];
	int fds[3 + CORPUS_MAX_FIXUPS];
	int err = 0;

	if (prog->insn_cnt > sizeof(insns) / sizeof(insns[0]))
		return -E2BIG;
	memcpy(insns, prog->insns, prog->insn_cnt * sizeof(insns[0]));
	for (size_t m = 0; m < prog->map_cnt; m++) {
		fds[m] = -1;
		if (!prog->maps[m].type)
			continue;
		fds[m] = kernel_map_create(prog->maps[m].type, prog->maps[m].key_size, prog->maps[m].value_size,
					   prog->maps[m].max_entries, prog->maps[m].map_flags);
		if (fds[m] < 0)
			err = fds[m];
	}
	for (size_t k = 0; !err && k + 1 < prog->insn_cnt; k++)
		if (insns[k].code == (BPF_LD | BPF_DW | BPF_IMM)) {
			if ((insns[k].src_reg == BPF_PSEUDO_MAP_FD || insns[k].src_reg == BPF_PSEUDO_MAP_VALUE) &&
			    insns[k].imm >= 0 && (size_t)insns[k].imm < prog->map_cnt && fds[insns[k].imm] >= 0)
				insns[k].imm = fds[insns[k].imm];
			k++;
		}
	r->kernel_us = 1e30;
	for (int round = 0; !err && round < ROUNDS; round++) {
		struct kernel_load_opts o = { .prog_type = rec->prog_type, .expected_attach_type = rec->attach_type,
					      .prog_flags = rec->prog_flags, .insns = insns, .insn_cnt = prog->insn_cnt,
					      .log_level = 4, .log_buf = log, .log_size = log_size };
		log[0] = 0;
		int fd = kernel_prog_load(&o);
		r->kernel_accept = fd >= 0;
		if (fd >= 0)
			close(fd);
		long us = log_number(log, "verification time ");
		r->kernel_processed = log_number(log, "processed ");
		if (us < 0) { /* a load refused before the verifier ran (no statistics) */
			err = -ENOENT;
			break;
		}
		if (us < r->kernel_us)
			r->kernel_us = (double)us;
	}
	for (size_t m = 0; m < prog->map_cnt; m++)
		if (fds[m] >= 0)
			close(fds[m]);
	return err;
}

static void bpfvm_side(const struct corpus_record *rec, const struct corpus_prog *prog, struct row *r)
{
	struct bpfvm_verify_stats st;
	r->bpfvm_us = 1e30;
	for (int round = 0; round < ROUNDS; round++) {
		BPFVM_OPTS(bpfvm_verify_opts, o, .prog_type = rec->prog_type, .expected_attach_type = rec->attach_type,
			   .prog_flags = rec->prog_flags, .maps = prog->maps, .map_cnt = prog->map_cnt, .stats = &st,
			   .func_info = rec->func_info, .func_info_cnt = rec->func_info_cnt);
		double t0 = now_us();
		int err = bpfvm_verify(prog->insns, prog->insn_cnt, &o);
		double dt = now_us() - t0;
		r->bpfvm_accept = err == 0;
		r->bpfvm_processed = st.insn_processed;
		if (dt < r->bpfvm_us)
			r->bpfvm_us = dt;
	}
}

static int by_kernel_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return x->kernel_us < y->kernel_us ? 1 : x->kernel_us > y->kernel_us ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("SHARED");
	char path[1024], why[128];
	snprintf(path, sizeof(path), "%s/corpus/verifier/shared.txt", argc > 1 ? argv[1] : shared ? shared : "../shared");
	if (!kernel_bpf_available(why, sizeof(why))) {
		printf("verifier bench: SKIP, the kernel column needs bpf(): %s\n", why);
		return 0;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "verifier bench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	static char buf[64 << 20];
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;

	static struct row rows[4096];
	static char log[1 << 16];
	size_t n = 0;
	long skipped = 0;
	struct corpus_parser cp = { .buf = buf, .len = len };
	struct corpus_record rec;
	struct bpfvm_log blog = { 0 };
	while (corpus_next(&cp, &rec, &blog) == 1 && n < sizeof(rows) / sizeof(rows[0])) {
		struct corpus_prog prog;
		if (rec.attach_btf || corpus_prog_build(&rec, &prog, &blog)) {
			skipped++;
			corpus_record_free(&rec);
			continue;
		}
		struct row *r = &rows[n];
		memset(r, 0, sizeof(*r));
		r->line = rec.line;
		snprintf(r->src, sizeof(r->src), "%s", rec.src);
		r->insns = prog.insn_cnt;
		if (prog.kfunc_cnt || kernel_side(&rec, &prog, r, log, sizeof(log))) {
			skipped++;
		} else {
			bpfvm_side(&rec, &prog, r);
			n++;
		}
		corpus_prog_free(&prog);
		corpus_record_free(&rec);
	}

	double tb = 0, tk = 0;
	long both_accept = 0, within = 0, same_verdict = 0, pb = 0, pk = 0;
	for (size_t i = 0; i < n; i++) {
		tb += rows[i].bpfvm_us;
		tk += rows[i].kernel_us;
		same_verdict += rows[i].bpfvm_accept == rows[i].kernel_accept;
		if (rows[i].bpfvm_accept && rows[i].kernel_accept) {
			long b = rows[i].bpfvm_processed, k = rows[i].kernel_processed;
			both_accept++;
			pb += b;
			pk += k;
			within += (b > k ? b - k : k - b) * 10 <= k;
		}
	}
	qsort(rows, n, sizeof(rows[0]), by_kernel_time);
	printf("verifier: %zu corpus programs (%ld need kfuncs or attach BTF: left out), best of %d per program\n", n,
	       skipped, ROUNDS);
	printf("%-34s %7s %12s %12s %10s %10s\n", "slowest for the kernel", "insns", "kernel us", "bpfvm us",
	       "k processed", "b processed");
	for (size_t i = 0; i < n && i < 8; i++)
		printf("%-34.34s %7zu %12.0f %12.1f %10ld %10ld\n", rows[i].src, rows[i].insns, rows[i].kernel_us,
		       rows[i].bpfvm_us, rows[i].kernel_processed, rows[i].bpfvm_processed);
	printf("total verification time: kernel %.0f us, bpfvm %.0f us: bpfvm %.2fx %s\n", tk, tb,
	       tb > 0 ? (tk > tb ? tk / tb : tb / tk) : 0.0, tk > tb ? "faster" : "slower");
	printf("processed insns on the %ld programs both accept: kernel %ld, bpfvm %ld; within +-10%% of the kernel's "
	       "on %ld (%.1f%%)\n", both_accept, pk, pb, within, both_accept ? 100.0 * within / both_accept : 0.0);
	printf("same verdict as the live kernel: %ld/%zu\n", same_verdict, n);
	printf("FIGURE verifier time vs kernel: %.2fx %s; processed insns within 10%%: %ld/%ld\n",
	       tk > tb ? tk / (tb > 0 ? tb : 1) : tb / (tk > 0 ? tk : 1), tk > tb ? "faster" : "slower", within,
	       both_accept);
	return 0;
}
