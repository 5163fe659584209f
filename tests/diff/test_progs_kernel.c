/* test_progs_kernel.c - every BPF C test program and example, run by bpfvm and by the live kernel (loaded with
 * bpfvm's own relocations through raw bpf()): the same retval, output packet and context, and the same contents of
 * every map after the runs. Cases skip (saying why)
 * where bpf() is refused, or where this build lacks the engine or the maps the case needs. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/map.h"
#include "bpfvm/object.h"
#include "diff/progs_cases.h"
#include "lib/harness.h"
#include "lib/kernel.h"
#include "lib/kperf.h"
#include "lib/kprog.h"

static const char *build_dir(void)
{
	const char *b = getenv("BUILD");
	return b ? b : "build";
}

static int find_prog(const struct bpfvm_object *obj, const char *name)
{
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj); i++) {
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, i, &pi);
		if (!strcmp(pi.name, name))
			return i;
	}
	return -1;
}

static void hexdiff(char *out, size_t size, const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;
	while (i < n && a[i] == b[i])
		i++;
	snprintf(out, size, "first difference at byte %zu: bpfvm %02x kernel %02x", i, i < n ? a[i] : 0, i < n ? b[i] : 0);
}

/* BPFVM_ENGINE=interp|jit|checked picks the engine (default: the library's default) */
static enum bpfvm_engine engine_from_env(void)
{
	const char *e = getenv("BPFVM_ENGINE");
	if (!e)
		return BPFVM_ENGINE_DEFAULT;
	return !strcmp(e, "jit") ? BPFVM_ENGINE_JIT : !strcmp(e, "checked") ? BPFVM_ENGINE_CHECKED : BPFVM_ENGINE_INTERP;
}

/* a bpfvm map as kmap_dump() gives a kernel one: key||value records sorted by key */
static int bmap_dump(struct bpfvm_map *m, uint8_t **out, size_t *len)
{
	size_t ks = bpfvm_map__key_size(m), vs = bpfvm_map__value_buf_size(m), rec = ks + vs, n = 0, cap = 16;
	uint8_t *buf = malloc(cap * rec), *key = calloc(1, ks + 1);
	const void *prev = NULL;
	int err = 0;
	while (buf && key && bpfvm_map__get_next_key(m, prev, key) == 0 && n < 1000000) {
		if (n == cap && !(buf = realloc(buf, (cap *= 2) * rec)))
			break;
		memcpy(buf + n * rec, key, ks);
		if ((err = bpfvm_map__lookup_elem(m, key, buf + n * rec + ks)))
			break;
		prev = buf + n * rec;
		n++;
	}
	kmap_sort_records(buf, n, rec, ks);
	free(key);
	*out = buf;
	*len = n * rec;
	return buf ? err : -ENOMEM;
}

/* a queue's or stack's values in pop order, from bpfvm (m) or the kernel (fd >= 0); the maps are emptied */
static size_t drain(struct bpfvm_map *m, int fd, uint8_t *out, size_t cap, size_t vs)
{
	size_t n = 0;
	while (n + vs <= cap && (fd >= 0 ? kernel_map_lookup_and_delete(fd, NULL, out + n) :
					   bpfvm_map__lookup_and_delete_elem(m, NULL, out + n)) == 0)
		n += vs;
	return n;
}

/* every map's contents after the runs, bpfvm against the kernel: 0 when all agree, else -1 with a FAIL line */
static int compare_maps(const char *name, struct bpfvm_object *obj, const struct kobj *k)
{
	int ret = 0;
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj) && i < k->nmaps; i++) {
		struct bpfvm_object_map_info mi;
		if (bpfvm_object__map_info(obj, i, &mi) || !mi.map || k->map_fds[i] < 0)
			continue;
		uint8_t *bd = NULL, *kd = NULL;
		size_t bl = 0, kl = 0, nrec;
		switch (mi.type) {
		case BPF_MAP_TYPE_QUEUE:
		case BPF_MAP_TYPE_STACK: {
			static uint8_t bq[1 << 16], kq[1 << 16];
			bl = drain(mi.map, -1, bq, sizeof(bq), mi.value_size);
			kl = drain(NULL, k->map_fds[i], kq, sizeof(kq), mi.value_size);
			if (bl != kl || memcmp(bq, kq, bl)) {
				t_fail("%s: map '%s' after the run: bpfvm holds %zu values, the kernel %zu%s", name, mi.name,
				       bl / mi.value_size, kl / mi.value_size, bl == kl ? " (different)" : "");
				ret = -1;
			}
			continue;
		}
		case BPF_MAP_TYPE_PROG_ARRAY:
		case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		case BPF_MAP_TYPE_HASH_OF_MAPS: /* slots hold objects, not bytes: their inner maps are compared */
		case BPF_MAP_TYPE_RINGBUF:      /* records, not elements */
		case BPF_MAP_TYPE_BLOOM_FILTER: /* no iteration in bpf(2) */
		case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
			continue;
		default:
			break;
		}
		int berr = bmap_dump(mi.map, &bd, &bl);
		int kerr = kmap_dump(k->map_fds[i], mi.type, mi.key_size, mi.value_size, &kd, &kl, &nrec);
		if (berr || kerr || bl != kl || memcmp(bd, kd, bl)) {
			char why[256] = "";
			if (!berr && !kerr && bl == kl)
				hexdiff(why, sizeof(why), bd, kd, bl);
			t_fail("%s: map '%s' after the run: bpfvm %zu bytes (%d), kernel %zu (%d) %s", name, mi.name, bl, berr,
			       kl, kerr, why);
			ret = -1;
		}
		free(bd);
		free(kd);
	}
	return ret;
}

/*
 * Perf event arrays: slot 0 gets a ring on both sides (the kernel's a BPF_OUTPUT event on CPU 0, where this test
 * runs), and the samples the runs wrote are compared. At most 4 maps.
 */
#define PERF_PAGES 8
struct perf_rings {
	int map_idx[4];
	struct kperf kp[4];
	int n;
};

static int perf_open(const char *name, struct bpfvm_object *obj, const struct kobj *k, struct perf_rings *pr)
{
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj) && i < k->nmaps && pr->n < 4; i++) {
		struct bpfvm_object_map_info mi;
		if (bpfvm_object__map_info(obj, i, &mi) || !mi.map || mi.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		int kerr = kperf_open(&pr->kp[pr->n], k->map_fds[i], 0, 0, PERF_PAGES);
		int berr = bpfvm_map__perf_ring(mi.map, 0, PERF_PAGES * (size_t)sysconf(_SC_PAGESIZE));
		if (kerr || berr) {
			t_fail("%s: perf ring for map '%s': kernel %d, bpfvm %d", name, mi.name, kerr, berr);
			return -1;
		}
		pr->map_idx[pr->n++] = (int)i;
	}
	return 0;
}

struct perf_out {
	uint8_t *buf;
	size_t len, cap;
};

static int perf_sample(void *ctx, uint32_t index, const void *data, uint32_t size)
{
	struct perf_out *o = ctx;
	(void)index;
	if (o->len + 4 + size > o->cap)
		return -ENOSPC;
	memcpy(o->buf + o->len, &size, 4);
	memcpy(o->buf + o->len + 4, data, size);
	o->len += 4 + size;
	return 0;
}

/* a PERF_RECORD_LOST record, marked in the output as kperf_drain marks it */
static void perf_lost(void *ctx, uint32_t index, uint64_t count)
{
	struct perf_out *o = ctx;
	(void)index;
	if (o->len + 12 > o->cap)
		return;
	memset(o->buf + o->len, 0xff, 4);
	memcpy(o->buf + o->len + 4, &count, 8);
	o->len += 12;
}

/* the samples of each perf ring, and its records of lost samples, bpfvm against the kernel: 0 when equal, else -1
 * with a FAIL line */
static int perf_compare(const char *name, struct bpfvm_object *obj, struct perf_rings *pr)
{
	static uint8_t kbuf[1 << 16], bbuf[1 << 16];
	int ret = 0;
	for (int i = 0; i < pr->n; i++) {
		struct bpfvm_object_map_info mi;
		bpfvm_object__map_info(obj, pr->map_idx[i], &mi);
		size_t klen = 0;
		int kn = kperf_drain(&pr->kp[i], kbuf, sizeof(kbuf), &klen);
		struct perf_out o = { bbuf, 0, sizeof(bbuf) };
		int bn = bpfvm_perf__consume(mi.map, perf_sample, perf_lost, &o);
		if (kn != bn || klen != o.len || memcmp(kbuf, bbuf, klen)) {
			char why[256] = "";
			if (klen == o.len)
				hexdiff(why, sizeof(why), bbuf, kbuf, klen);
			t_fail("%s: perf map '%s': bpfvm %d samples (%zu bytes), kernel %d (%zu bytes) %s", name, mi.name, bn,
			       o.len, kn, klen, why);
			ret = -1;
		}
	}
	return ret;
}

static void perf_close(struct perf_rings *pr)
{
	for (int i = 0; i < pr->n; i++)
		kperf_close(&pr->kp[i]);
	pr->n = 0;
}

/* 1 = compared, 0 = skipped (kernel refused), -1 = failed */
static int run_case(const struct prog_case *c, bool *kernel_ok)
{
	char path[512], name[160], why[256];
	snprintf(path, sizeof(path), "%s/bpf/%s", build_dir(), c->obj);
	snprintf(name, sizeof(name), "%s:%s%s", c->obj, c->prog, c->input == IN_PKT_SHORT ? "(short)" : "");
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log);
	struct bpfvm_object *kobj_src = bpfvm_object__open_file(path, &oo);
	struct bpfvm_object *obj = bpfvm_object__open_file(path, &oo);
	struct kobj k = { 0 };
	struct perf_rings pr = { .n = 0 };
	int ret = -1;
	if (!obj || !kobj_src) {
		t_fail("%s: open: %s", name, log.last_error);
		goto out;
	}
	int pidx = find_prog(obj, c->prog);
	if (pidx < 0) {
		t_fail("%s: no such program", name);
		goto out;
	}
	int err = kobj_load(kobj_src, &k);
	if (err == -EPERM || err == -ENOSYS) {
		*kernel_ok = false;
		t_skip("%s: bpf() refused here (%s)", name, k.err);
		ret = 0;
		goto out;
	}
	if (err) {
		t_fail("%s: the kernel refused bpfvm's relocation of it: %s", name, k.err);
		goto out;
	}
	if ((err = bpfvm_object__load(obj))) {
		if (err == -ENOTSUP) { /* a build without the maps module */
			t_skip("%s: %s", name, log.last_error);
			ret = 0;
		} else {
			t_fail("%s: bpfvm load: %s", name, log.last_error);
		}
		goto out;
	}
	if (perf_open(name, obj, &k, &pr))
		goto out;
	struct bpfvm_object_prog_info pi;
	bpfvm_object__prog_info(obj, pidx, &pi);
	uint8_t in[256], kin[256], kout[4096], bout[4096], bctx[256];
	int n = make_input(c->input, in, sizeof(in));
	bool ctx_only = c->input == IN_SYSCALL || c->input == IN_RAW_TP || c->input == IN_SYSCALL_PTR;
	uint32_t kret = 0, klen = 0, kctx_len = 0;
	int kerr = 0, berr = 0;
	bool perf_bad = false;
	BPFVM_OPTS(bpfvm_test_run_opts, ro, .log = &log);
	for (int r = 0; r < c->repeat; r++) {
		memcpy(kin, in, n);
		klen = sizeof(kout);
		kerr = ctx_only ? kprog_test_run(k.prog_fds[pidx], NULL, 0, NULL, NULL, kin, n, NULL, NULL, 0, &kret) :
				  kprog_test_run(k.prog_fds[pidx], in, n, kout, &klen, NULL, 0, NULL, NULL, 1, &kret);
		kctx_len = n;
		memset(&ro, 0, sizeof(ro));
		ro.sz = sizeof(ro);
		ro.log = &log;
		ro.engine = engine_from_env();
		if (ctx_only) {
			ro.ctx_in = in;
			ro.ctx_size_in = n;
			ro.ctx_out = bctx;
			ro.ctx_size_out = sizeof(bctx);
		} else {
			ro.data_in = in;
			ro.data_size_in = n;
			ro.data_out = bout;
			ro.data_size_out = sizeof(bout);
		}
		berr = bpfvm_prog__test_run(pi.prog, &ro);
		/* the perf rings drained after every run: a ring that overflowed reports its losses in the next */
		if (r + 1 < c->repeat && !kerr && !berr && perf_compare(name, obj, &pr))
			perf_bad = true;
	}
	if (berr == -ENOTSUP && !kerr) { /* a build without an engine */
		t_skip("%s: %s", name, log.last_error);
		ret = 0;
		goto out;
	}
	if (berr && !kerr && strstr(log.last_error, "is not implemented by bpfvm")) {
		t_skip("%s: %s", name, log.last_error); /* a helper bpfvm lacks: not a disagreement, not a pass */
		ret = 0;
		goto out;
	}
	if (kerr || berr) {
		if (kerr == berr) {
			t_pass("%s: both refuse the run with %d", name, kerr);
			ret = 1;
		} else {
			t_fail("%s: test run: bpfvm %d (%s), kernel %d", name, berr, log.last_error, kerr);
		}
		goto out;
	}
	ret = 1;
	if (ro.retval != kret) {
		t_fail("%s: retval bpfvm %u (0x%x), kernel %u (0x%x)", name, ro.retval, ro.retval, kret, kret);
		ret = -1;
	}
	if (!ctx_only && (ro.data_size_out != klen || memcmp(bout, kout, klen))) {
		hexdiff(why, sizeof(why), bout, kout, klen < ro.data_size_out ? klen : ro.data_size_out);
		t_fail("%s: data out: bpfvm %u bytes, kernel %u; %s", name, ro.data_size_out, klen, why);
		ret = -1;
	}
	if (c->input == IN_SYSCALL && memcmp(bctx, kin, kctx_len)) {
		hexdiff(why, sizeof(why), bctx, kin, kctx_len);
		t_fail("%s: syscall ctx written back: %s", name, why);
		ret = -1;
	}
	if (compare_maps(name, obj, &k) || perf_compare(name, obj, &pr) || perf_bad)
		ret = -1;
	if (ret == 1)
		t_pass("%s: retval %u, %u bytes out, maps equal", name, kret, ctx_only ? 0 : klen);
out:
	perf_close(&pr);
	kobj_close(&k);
	bpfvm_object__close(obj);
	bpfvm_object__close(kobj_src);
	return ret;
}

int main(void)
{
	int same = 0, total = 0;
	bool kernel_ok = true;
	/* TEST_RUN runs on the caller's CPU and bpfvm's programs see CPU 0: per-CPU maps are comparable from CPU 0 */
	cpu_set_t cpu0;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		fprintf(stderr, "note: cannot run on CPU 0 alone (%s): per-CPU map contents may differ\n", strerror(errno));
	for (size_t i = 0; i < sizeof(prog_cases) / sizeof(prog_cases[0]); i++) {
		int r = run_case(&prog_cases[i], &kernel_ok);
		total += r != 0;
		same += r == 1;
	}
	if (kernel_ok && total)
		printf("FIGURE programs bpfvm == kernel: %d/%d\n", same, total);
	return t_done();
}
