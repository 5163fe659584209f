/* jit_bench.c - ns/run of each benchmark program in bpfvm's interpreter and JIT, the kernel's JIT, uBPF's JIT and C */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "bpfvm/map.h"
#include "helpers/helpers.h"
#include "lib/kernel.h"
#include "interp/prog.h"
#include "interp/run.h"
#include "jit/jit.h"

#include "jit/progs.c"

#define TARGET_NS 30e6 /* each measurement runs about this long */
#define ROUNDS 5       /* best of */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- engines: each returns ns/run (best of ROUNDS) and the result, or a negative value when unavailable ---- */

struct engine_run {
	uint64_t (*call)(void *self, uint8_t *data, size_t len);
	void *self;
};

static double time_calls(struct engine_run *e, uint8_t *data, size_t len, uint64_t *res)
{
	double best = 1e30;
	long n = 1;

	/* calibrate: grow n until one batch takes a measurable time */
	for (;;) {
		double t0 = now_ns();

		for (long i = 0; i < n; i++)
			*res = e->call(e->self, data, len);
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
			*res = e->call(e->self, data, len);
		double per = (now_ns() - t0) / n;

		if (per < best)
			best = per;
	}
	return best;
}

struct bench_bpfvm {
	struct bpfvm_prog prog;
	struct bpfvm_run_ctx rc;
	bool interp;
};

static uint64_t call_bpfvm(void *self, uint8_t *data, size_t len)
{
	struct bench_bpfvm *e = self;
	uint64_t r0 = 0;

	if (e->interp) {
		bpfvm_interp_run(&e->prog, &e->rc, (uint64_t)(uintptr_t)data, len, &r0);
		return r0;
	}
	return e->prog.jit_entry((uint64_t)(uintptr_t)data, len, &e->rc);
}

typedef uint64_t (*ubpf_jit_fn)(void *mem, size_t mem_len);
struct ubpf_api {
	void *dl;
	void *(*create)(void);
	void (*destroy)(void *vm);
	int (*load)(void *vm, const void *code, uint32_t len, char **err);
	ubpf_jit_fn (*compile)(void *vm, char **err);
};

static uint64_t call_ubpf(void *self, uint8_t *data, size_t len)
{
	return ((ubpf_jit_fn)self)(data, len);
}

static uint64_t call_native(void *self, uint8_t *data, size_t len)
{
	return ((uint64_t(*)(uint8_t *, size_t))self)(data, len);
}

static __attribute__((noinline)) uint64_t native_empty(uint8_t *d, size_t len)
{
	__asm__ volatile("" ::: "memory");
	return 2;
}

/* ---- the kernel: BPF_PROG_LOAD as XDP, BPF_PROG_TEST_RUN with repeat ---- */
static int kernel_load(const struct bpf_insn *insns, int n, char *log, size_t logsz)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = (uint32_t)logsz;
	a.log_level = log ? 1 : 0;
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

static int kernel_run(int fd, uint8_t *data, size_t len, uint32_t repeat, uint32_t *retval, uint32_t *ns)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)data;
	a.test.data_size_in = (uint32_t)len;
	a.test.repeat = repeat;
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &a, sizeof(a)))
		return -errno;
	*retval = a.test.retval;
	*ns = a.test.duration;
	return 0;
}

/* ns/run through TEST_RUN (the kernel reports the mean; best of ROUNDS), or < 0 */
static double kernel_time(int fd, uint8_t *data, size_t len, uint32_t *retval)
{
	uint32_t ns = 0, repeat = 1000;
	double best = 1e30;

	if (kernel_run(fd, data, len, 1, retval, &ns))
		return -1;
	/* about TARGET_NS per round */
	if (kernel_run(fd, data, len, repeat, retval, &ns))
		return -1;
	repeat = (uint32_t)(TARGET_NS / (ns > 0 ? ns : 1));
	if (repeat < 100)
		repeat = 100;
	for (int r = 0; r < ROUNDS; r++) {
		if (kernel_run(fd, data, len, repeat, retval, &ns))
			return -1;
		if (ns < best)
			best = ns;
	}
	return best;
}

/* ---- the table ---- */

enum { C_INTERP, C_JIT, C_KERNEL, C_UBPF, C_NATIVE, C__N };
static const char *const col_name[C__N] = { "interp", "jit", "kernel-jit", "ubpf-jit", "C -O2" };

static int empty_prog(struct bpf_insn *out, int max, enum bench_flavor fl)
{
	out[0] = BPFVM_MOV64_IMM(0, 2);
	out[1] = BPFVM_EXIT();
	return 2;
}

static const struct bench_prog empty = { "empty", "r0 = 2; exit (the baseline)", empty_prog, native_empty, false };

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
	u->compile = (ubpf_jit_fn(*)(void *, char **))dlsym(u->dl, "ubpf_compile");
	if (!u->create || !u->destroy || !u->load || !u->compile) {
		snprintf(why, whylen, "%s lacks the ubpf_* API", path);
		dlclose(u->dl);
		u->dl = NULL;
	}
}

/* one program in every engine: ns[col] (< 0 = n/a), and whether the results agree */
static void measure(const struct bench_prog *bp, uint8_t *data, struct ubpf_api *u, double ns[C__N], char *note,
		    size_t notelen)
{
	static struct bpf_insn insns[4096], kinsns[4096];
	struct bench_bpfvm be = { 0 };
	struct engine_run er;
	uint64_t res[C__N] = { 0 }, want;
	int n = bp->build(insns, 4096, FLAVOR_MEM), kn = bp->build(kinsns, 4096, FLAVOR_XDP);
	void *vm = NULL;

	note[0] = 0;
	for (int c = 0; c < C__N; c++)
		ns[c] = -1;
	er = (struct engine_run){ call_native, (void *)bp->native };
	ns[C_NATIVE] = time_calls(&er, data, BENCH_DATA_LEN, &res[C_NATIVE]);
	want = res[C_NATIVE];

	be.prog.insns = insns;
	be.prog.insn_cnt = (size_t)n;
	be.rc.prog = &be.prog;
	if (!bpfvm_jit_compile(&be.prog, NULL)) {
		er = (struct engine_run){ call_bpfvm, &be };
		ns[C_JIT] = time_calls(&er, data, BENCH_DATA_LEN, &res[C_JIT]);
		if (res[C_JIT] != want)
			snprintf(note, notelen, "jit result 0x%llx != C 0x%llx", (unsigned long long)res[C_JIT],
				 (unsigned long long)want);
	}
	{
		be.interp = true;
		er = (struct engine_run){ call_bpfvm, &be };
		ns[C_INTERP] = time_calls(&er, data, BENCH_DATA_LEN, &res[C_INTERP]);
		if (res[C_INTERP] != want)
			snprintf(note, notelen, "interp result differs");
	}
	bpfvm_jit_release(&be.prog);
	bpfvm_interp_release(&be.prog);

	if (u->dl && (vm = u->create())) {
		char *err = NULL;
		ubpf_jit_fn fn = NULL;

		if (u->load(vm, insns, (uint32_t)(n * sizeof(insns[0])), &err) == 0)
			fn = u->compile(vm, &err);
		if (fn) {
			er = (struct engine_run){ call_ubpf, (void *)fn };
			ns[C_UBPF] = time_calls(&er, data, BENCH_DATA_LEN, &res[C_UBPF]);
			if (res[C_UBPF] != want)
				snprintf(note, notelen, "ubpf result differs");
		} else if (!note[0]) {
			snprintf(note, notelen, "ubpf: %s", err ? err : "compile failed");
		}
		free(err);
	}
	if (kn >= 0) {
		static char klog[1 << 16];
		int fd = kernel_load(kinsns, kn, NULL, 0);
		uint32_t kret = 0;

		if (fd < 0)
			fd = kernel_load(kinsns, kn, klog, sizeof(klog));
		if (fd >= 0) {
			ns[C_KERNEL] = kernel_time(fd, data, BENCH_DATA_LEN, &kret);
			if (ns[C_KERNEL] >= 0 && kret != (uint32_t)want)
				snprintf(note, notelen, "kernel retval 0x%x != C 0x%x", kret, (uint32_t)want);
			close(fd);
		} else if (!note[0]) {
			char *last = klog + strlen(klog);

			while (last > klog && last[-1] == '\n')
				*--last = 0;
			while (last > klog && last[-1] != '\n')
				last--;
			snprintf(note, notelen, "kernel: %s (%s)", strerror(errno), last);
		}
	}
	/* uBPF's vm owns the code: destroy after timing */
	if (vm)
		u->destroy(vm);
}

static void print_ns(double v)
{
	if (v < 0)
		printf(" %10s", "n/a");
	else
		printf(" %10.1f", v);
}

static void print_ratio(double a, double b)
{
	if (a <= 0 || b <= 0)
		printf(" %9s", "-");
	else
		printf(" %8.2fx", b / a);
}

int main(int argc, char **argv)
{
	static uint8_t data[BENCH_DATA_LEN];
	double base[C__N], ns[C__N];
	double lg_kernel = 0, lg_ubpf = 0, lg_native = 0, lg_interp = 0;
	int k_kernel = 0, k_ubpf = 0, k_native = 0, k_interp = 0;
	char note[256], why[256] = "";
	struct ubpf_api u;
	uint64_t x = 0x243f6a8885a308d3ull;

	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		data[i] = (uint8_t)(x >> 24);
	}
	load_ubpf(&u, why, sizeof(why));
	if (!u.dl)
		fprintf(stderr, "bench: uBPF column n/a: %s\n", why);

	/* the map_lookup program's array: bpfvm's, and the kernel's where bpf() works, holding the same values */
	struct bpfvm_map *bmap = NULL;
	BPFVM_OPTS(bpfvm_map_attr, mattr, .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		   .max_entries = BENCH_MAP_ENTRIES, .name = "bench");
	int kmap = kernel_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, BENCH_MAP_ENTRIES, 0);
	if (!bpfvm_map_create(&mattr, &bmap, NULL)) {
		for (uint32_t k = 0; k < BENCH_MAP_ENTRIES; k++) {
			bench_map_values[k] = k * 3 + 1;
			bpfvm_map__update_elem(bmap, &k, &bench_map_values[k], BPF_ANY);
			if (kmap >= 0)
				kernel_map_update(kmap, &k, &bench_map_values[k], BPF_ANY);
		}
		bench_map_ptr = (uint64_t)(uintptr_t)bmap;
		bench_map_fd = kmap;
	}

	measure(&empty, data, &u, base, note, sizeof(note));
	printf("ns/run, minus each engine's own empty-program time (%.1f interp, %.1f jit, %.1f kernel, %.1f ubpf, "
	       "%.1f C); ratios: how many times faster bpfvm's JIT is\n",
	       base[C_INTERP], base[C_JIT], base[C_KERNEL], base[C_UBPF], base[C_NATIVE]);
	printf("%-13s", "program");
	for (int c = 0; c < C__N; c++)
		printf(" %10s", col_name[c]);
	printf(" %9s %9s %9s %9s\n", "vs kernel", "vs ubpf", "vs C", "vs interp");
	for (int p = 0; p < bench_nprogs; p++) {
		const struct bench_prog *bp = &bench_progs[p];
		static struct bpf_insn probe[4096];

		if (bp->build(probe, 4096, FLAVOR_MEM) < 0)
			continue; /* the map_lookup program without a map */
		measure(bp, data, &u, ns, note, sizeof(note));
		for (int c = 0; c < C__N; c++)
			if (ns[c] >= 0 && base[c] >= 0)
				ns[c] = ns[c] - base[c] > 0.1 ? ns[c] - base[c] : 0.1;
		printf("%-13s", bp->name);
		for (int c = 0; c < C__N; c++)
			print_ns(ns[c]);
		print_ratio(ns[C_JIT], ns[C_KERNEL]);
		print_ratio(ns[C_JIT], ns[C_UBPF]);
		print_ratio(ns[C_JIT], ns[C_NATIVE]);
		print_ratio(ns[C_JIT], ns[C_INTERP]);
		printf("%s%s\n", note[0] ? "  ! " : "", note);
		if (ns[C_JIT] > 0) {
			if (ns[C_KERNEL] > 0)
				lg_kernel += log(ns[C_KERNEL] / ns[C_JIT]), k_kernel++;
			if (ns[C_UBPF] > 0)
				lg_ubpf += log(ns[C_UBPF] / ns[C_JIT]), k_ubpf++;
			if (ns[C_NATIVE] > 0 && bp->compute)
				lg_native += log(ns[C_NATIVE] / ns[C_JIT]), k_native++;
			if (ns[C_INTERP] > 0)
				lg_interp += log(ns[C_INTERP] / ns[C_JIT]), k_interp++;
		}
	}
	printf("geomean: jit %.2fx faster than the kernel's JIT (%d programs), %.2fx uBPF's JIT (%d), "
	       "%.2fx C -O2 on the compute programs (%d), %.2fx the interpreter (%d)\n",
	       k_kernel ? exp(lg_kernel / k_kernel) : 0, k_kernel, k_ubpf ? exp(lg_ubpf / k_ubpf) : 0, k_ubpf,
	       k_native ? exp(lg_native / k_native) : 0, k_native, k_interp ? exp(lg_interp / k_interp) : 0, k_interp);
	(void)argc, (void)argv;
	return 0;
}
