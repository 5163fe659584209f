/* interp_bench.c - ns per executed instruction: bpfvm's interpreter (fast and checked) vs uBPF's interpreter */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp/prog.h"
#include "interp/run.h"

#include "jit/progs.c" /* one program list for both benchmarks */

#define TARGET_NS 20e6 /* each measurement runs about this long */
#define ROUNDS 3       /* best of */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef uint64_t (*run_fn)(void *self, uint8_t *data, size_t len);

/* best-of-ROUNDS ns per run, batches calibrated to TARGET_NS */
static double time_runs(run_fn fn, void *self, uint8_t *data, size_t len, uint64_t *res)
{
	long n = 1;
	double best = 1e30;
	for (;;) {
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			*res = fn(self, data, len);
		double dt = now_ns() - t0;
		if (dt > 2e6 || n > (1L << 30)) {
			n = (long)(n * TARGET_NS / (dt > 1 ? dt : 1)) + 1;
			break;
		}
		n *= 4;
	}
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			*res = fn(self, data, len);
		double per = (now_ns() - t0) / n;
		if (per < best)
			best = per;
	}
	return best;
}

struct bpfvm_eng {
	struct bpfvm_prog prog;
	struct bpfvm_run_ctx rc;
};

static uint64_t run_bpfvm(void *self, uint8_t *data, size_t len)
{
	struct bpfvm_eng *e = self;
	uint64_t r0 = 0;
	e->rc.error = 0;
	bpfvm_interp_run(&e->prog, &e->rc, (uint64_t)(uintptr_t)data, len, &r0);
	return r0;
}

/* uBPF, loaded at run time from outside the repository (UBPF_LIB, default /work/ext/libubpf.so) */
struct ubpf_api {
	void *dl;
	void *(*create)(void);
	void (*destroy)(void *vm);
	int (*load)(void *vm, const void *code, uint32_t len, char **err);
	int (*exec)(const void *vm, void *mem, size_t mem_len, uint64_t *ret);
	bool (*toggle_bounds_check)(void *vm, bool enable);
};

struct ubpf_eng {
	struct ubpf_api *api;
	void *vm;
};

static uint64_t run_ubpf(void *self, uint8_t *data, size_t len)
{
	struct ubpf_eng *e = self;
	uint64_t r0 = 0;
	e->api->exec(e->vm, data, len, &r0);
	return r0;
}

static void load_ubpf(struct ubpf_api *u, char *why, size_t whylen)
{
	const char *path = getenv("UBPF_LIB") ? getenv("UBPF_LIB") : "/work/ext/libubpf.so";
	memset(u, 0, sizeof(*u));
	u->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!u->dl) {
		snprintf(why, whylen, "%s", dlerror());
		return;
	}
	u->create = (void *(*)(void))dlsym(u->dl, "ubpf_create");
	u->destroy = (void (*)(void *))dlsym(u->dl, "ubpf_destroy");
	u->load = (int (*)(void *, const void *, uint32_t, char **))dlsym(u->dl, "ubpf_load");
	u->exec = (int (*)(const void *, void *, size_t, uint64_t *))dlsym(u->dl, "ubpf_exec");
	u->toggle_bounds_check = (bool (*)(void *, bool))dlsym(u->dl, "ubpf_toggle_bounds_check");
	if (!u->create || !u->destroy || !u->load || !u->exec || !u->toggle_bounds_check) {
		snprintf(why, whylen, "%s lacks ubpf_create/load/exec/toggle_bounds_check", path);
		dlclose(u->dl);
		u->dl = NULL;
	}
}

enum { C_FAST, C_UBPF, C_CHECKED, C_UBPF_BC, C__N };

int main(void)
{
	static uint8_t data[BENCH_DATA_LEN];
	static struct bpf_insn insns[4096];
	struct ubpf_api u;
	char why[256] = "";
	double lg[2] = { 0, 0 };
	int k[2] = { 0, 0 };

	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		data[i] = (uint8_t)(x >> 24);
	}
	load_ubpf(&u, why, sizeof(why));
	if (!u.dl)
		fprintf(stderr, "bench: uBPF columns n/a: %s\n", why);

	printf("ns per executed instruction (best of %d, input %d bytes); uBPF = its interpreter (ubpf_exec)\n", ROUNDS,
	       BENCH_DATA_LEN);
	printf("%-13s %9s %9s %9s %9s %9s %9s %9s  %s\n", "program", "insns/run", "bpfvm", "ubpf", "speedup",
	       "checked", "ubpf+bc", "speedup", "note");
	for (int p = 0; p < bench_nprogs; p++) {
		const struct bench_prog *bp = &bench_progs[p];
		int n = bp->build(insns, 4096, FLAVOR_MEM);
		double ns[C__N] = { -1, -1, -1, -1 };
		uint64_t res[C__N] = { 0 }, want = bp->native(data, sizeof(data));
		char note[128] = "";
		if (n < 0)
			continue;
		struct bpfvm_eng be = { .prog = { .insns = insns, .insn_cnt = (size_t)n } };
		be.rc.prog = &be.prog;
		/* count the executed instructions once, with the step counter on */
		be.rc.max_insns = UINT64_MAX;
		run_bpfvm(&be, data, sizeof(data));
		uint64_t executed = be.rc.insn_count;
		be.rc.max_insns = 0;
		ns[C_FAST] = time_runs(run_bpfvm, &be, data, sizeof(data), &res[C_FAST]);
		be.rc.checked = true;
		be.rc.nregions = 0;
		bpfvm_run_add_region(&be.rc, data, sizeof(data), true);
		ns[C_CHECKED] = time_runs(run_bpfvm, &be, data, sizeof(data), &res[C_CHECKED]);
		if (res[C_FAST] != want || res[C_CHECKED] != want)
			snprintf(note, sizeof(note), "bpfvm result differs from C");
		bpfvm_interp_release(&be.prog);

		for (int bc = 0; bc <= 1 && u.dl; bc++) {
			struct ubpf_eng ue = { &u, u.create() };
			char *err = NULL;
			int c = bc ? C_UBPF_BC : C_UBPF;
			if (!ue.vm)
				break;
			u.toggle_bounds_check(ue.vm, bc);
			if (u.load(ue.vm, insns, (uint32_t)(n * sizeof(insns[0])), &err) == 0) {
				/* a run uBPF refuses (an unsupported instruction) returns -1 from ubpf_exec */
				uint64_t r0 = 0;
				if (u.exec(ue.vm, data, sizeof(data), &r0) == 0) {
					ns[c] = time_runs(run_ubpf, &ue, data, sizeof(data), &res[c]);
					if (res[c] != want)
						snprintf(note, sizeof(note), "ubpf result differs from C");
				} else {
					snprintf(note, sizeof(note), "ubpf: the run failed");
				}
			} else {
				snprintf(note, sizeof(note), "ubpf: %.100s", err ? err : "load failed");
			}
			free(err);
			u.destroy(ue.vm);
		}
		printf("%-13s %9llu", bp->name, (unsigned long long)executed);
		for (int c = 0; c < C__N; c++) {
			if (ns[c] < 0)
				printf(" %9s", "n/a");
			else
				printf(" %9.2f", ns[c] / (double)executed);
			if (c == C_UBPF || c == C_UBPF_BC) {
				double a = ns[c - 1], b = ns[c];
				if (a > 0 && b > 0) {
					printf(" %8.2fx", b / a);
					lg[c == C_UBPF_BC] += log(b / a);
					k[c == C_UBPF_BC]++;
				} else {
					printf(" %9s", "-");
				}
			}
		}
		printf("  %s\n", note);
	}
	printf("geometric mean speedup vs uBPF's interpreter: %.2fx (%d programs); checked vs uBPF bounds-checked: "
	       "%.2fx (%d programs)\n",
	       k[0] ? exp(lg[0] / k[0]) : 0, k[0], k[1] ? exp(lg[1] / k[1]) : 0, k[1]);
	printf("FIGURE interp vs ubpf interp (geomean): %.2fx\n", k[0] ? exp(lg[0] / k[0]) : 0);
	return 0;
}
