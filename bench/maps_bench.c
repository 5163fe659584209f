/* maps_bench.c - hash map lookups and updates: bpfvm's map from a BPF program and from C (1 and 2 threads), the
 * kernel's hash map from the same BPF program via BPF_PROG_TEST_RUN, and a plain C open-addressing table as the limit */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/map.h"
#include "lib/kernel.h"

#define KEYS 1024     /* a working set that stays in cache: the map's own cost shows */
#define LOOP 1000     /* operations per program run */
#define ROUNDS 5      /* best of */
#define C_OPS 2000000 /* operations per C measurement and thread */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * The program: LOOP lookups (or updates) of keys i * 7 % KEYS, r1 = the map. The LD_IMM64 of the map takes a fd
 * (kernel) or the map's address (bpfvm), patched in by the caller at insn 4.
 */
#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
static size_t build_prog(struct bpf_insn *p, bool update, int32_t map_lo, int32_t map_hi, uint8_t map_src)
{
	size_t n = 0;
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 0);             /* r6 = 0 (i) */
	p[n++] = INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 1);            /* value at fp-16 */
	/* loop: */
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 7, 6, 0, 0);             /* r7 = i */
	p[n++] = INSN(BPF_ALU64 | BPF_MUL | BPF_K, 7, 0, 0, 7);
	p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, map_src, 0, map_lo);   /* r1 = map */
	p[n++] = INSN(0, 0, 0, 0, map_hi);
	p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0, KEYS - 1);
	p[n++] = INSN(BPF_STX | BPF_MEM | BPF_W, 10, 7, -4, 0);             /* key at fp-4 */
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4);
	if (update) {
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -16);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, BPF_ANY);
		p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem);
	} else {
		p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	}
	p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 6, 0, 0, 1);
	p[n] = INSN(BPF_JMP | BPF_JLT | BPF_K, 6, 0, (int16_t)(2 - (int)(n + 1)), LOOP);
	n++;
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

/* ns per operation of the program in bpfvm's JIT on map m */
static double bpfvm_prog_ns(struct bpfvm_map *m, bool update)
{
	struct bpf_insn p[32];
	uint64_t a = (uint64_t)(uintptr_t)m;
	size_t n = build_prog(p, update, (int32_t)(uint32_t)a, (int32_t)(uint32_t)(a >> 32), 0);
	BPFVM_OPTS(bpfvm_prog_opts, po, .name = "mapbench");
	struct bpfvm_prog *prog = bpfvm_prog__new(p, n, &po);
	double best = 1e30;
	uint8_t mem[8] = { 0 };
	for (int r = 0; prog && r < ROUNDS; r++) {
		BPFVM_OPTS(bpfvm_run_opts, ro, .mem = mem, .mem_len = sizeof(mem), .engine = BPFVM_ENGINE_JIT, .repeat = 200);
		if (bpfvm_prog__run(prog, &ro))
			break;
		if ((double)ro.duration_ns / LOOP < best)
			best = (double)ro.duration_ns / LOOP;
	}
	bpfvm_prog__free(prog);
	return best;
}

/* ns per operation of the same program in the kernel (TEST_RUN repeat), or -1 */
static double kernel_prog_ns(int fd, bool update)
{
	struct bpf_insn p[32];
	size_t n = build_prog(p, update, fd, 0, BPF_PSEUDO_MAP_FD);
	static char log[4096];
	struct kernel_load_opts o = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insns = p, .insn_cnt = n,
				      .log_buf = log, .log_size = sizeof(log) };
	int pfd = kernel_prog_load(&o);
	if (pfd < 0)
		return -1;
	uint8_t pkt[64] = { 0 };
	double best = 1e30;
	for (int r = 0; r < ROUNDS; r++) {
		struct kernel_run_opts ro = { .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 200 };
		if (kernel_prog_test_run(pfd, &ro))
			break;
		if ((double)ro.duration / LOOP < best)
			best = (double)ro.duration / LOOP;
	}
	close(pfd);
	return best;
}

/* bpfvm's map from C: the user-space element operations (locked copies), in nthreads threads at once */
struct c_arg {
	struct bpfvm_map *m;
	bool update;
	double ns;
};

static void *c_worker(void *p)
{
	struct c_arg *a = p;
	uint64_t v = 1;
	double t0 = now_ns();
	for (uint32_t i = 0; i < C_OPS; i++) {
		uint32_t k = (i * 7) & (KEYS - 1);
		if (a->update)
			bpfvm_map__update_elem(a->m, &k, &v, BPF_ANY);
		else
			bpfvm_map__lookup_elem(a->m, &k, &v);
	}
	a->ns = (now_ns() - t0) / C_OPS;
	return NULL;
}

/* million operations per second over all threads */
static double c_api_mops(struct bpfvm_map *m, bool update, int nthreads)
{
	pthread_t t[2];
	struct c_arg a[2];
	double best = 0;
	for (int r = 0; r < 3; r++) {
		for (int i = 0; i < nthreads; i++) {
			a[i] = (struct c_arg){ m, update, 0 };
			pthread_create(&t[i], NULL, c_worker, &a[i]);
		}
		double mops = 0;
		for (int i = 0; i < nthreads; i++) {
			pthread_join(t[i], NULL);
			mops += 1e3 / a[i].ns;
		}
		if (mops > best)
			best = mops;
	}
	return best;
}

/* the limit: a plain open-addressing table of u32 -> u64, linear probing, no locks */
struct oa {
	uint32_t keys[KEYS * 2];
	uint64_t vals[KEYS * 2];
	uint8_t used[KEYS * 2];
};

static uint64_t *oa_find(struct oa *t, uint32_t k, bool insert)
{
	uint32_t h = (k * 2654435761u) & (KEYS * 2 - 1);
	while (t->used[h] && t->keys[h] != k)
		h = (h + 1) & (KEYS * 2 - 1);
	if (!t->used[h]) {
		if (!insert)
			return NULL;
		t->used[h] = 1;
		t->keys[h] = k;
	}
	return &t->vals[h];
}

static double oa_ns(bool update)
{
	static struct oa t;
	volatile uint64_t sink = 0;
	for (uint32_t k = 0; k < KEYS; k++)
		*oa_find(&t, k, true) = k;
	double best = 1e30;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (uint32_t i = 0; i < C_OPS; i++) {
			uint32_t k = (i * 7) & (KEYS - 1);
			uint64_t *v = oa_find(&t, k, update);
			if (update)
				*v = i;
			else if (v)
				sink += *v;
		}
		double ns = (now_ns() - t0) / C_OPS;
		if (ns < best)
			best = ns;
	}
	(void)sink;
	return best;
}

int main(void)
{
	char why[128];
	bool kernel = kernel_bpf_available(why, sizeof(why));
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8,
		   .max_entries = KEYS, .name = "bench");
	if (bpfvm_map_create(&attr, &m, &log)) {
		fprintf(stderr, "maps bench: %s\n", log.last_error);
		return 1;
	}
	int fd = kernel ? kernel_map_create(BPF_MAP_TYPE_HASH, 4, 8, KEYS, 0) : -1;
	for (uint32_t k = 0; k < KEYS; k++) {
		uint64_t v = k;
		bpfvm_map__update_elem(m, &k, &v, BPF_ANY);
		if (fd >= 0)
			kernel_map_update(fd, &k, &v, BPF_ANY);
	}
	printf("hash map of %d u32 -> u64 entries, all present; ns per operation (best of %d) and M operations/s\n",
	       KEYS, ROUNDS);
	printf("%-8s %12s %12s %10s %14s %14s %10s\n", "op", "bpfvm prog", "kernel prog", "vs kernel", "bpfvm C 1thr",
	       "bpfvm C 2thr", "plain C");
	for (int u = 0; u < 2; u++) {
		bool update = u == 1;
		double b = bpfvm_prog_ns(m, update), k = fd >= 0 ? kernel_prog_ns(fd, update) : -1;
		double c1 = c_api_mops(m, update, 1), c2 = c_api_mops(m, update, 2), oa = oa_ns(update);
		char ks[32] = "n/a", ratio[32] = "-";
		if (k > 0) {
			snprintf(ks, sizeof(ks), "%.1f ns", k);
			snprintf(ratio, sizeof(ratio), "%.2fx", k / b);
		}
		printf("%-8s %9.1f ns %12s %10s %9.1f Mop/s %9.1f Mop/s %7.1f ns\n", update ? "update" : "lookup", b, ks,
		       ratio, c1, c2, oa);
		printf("FIGURE hash %s from a program: bpfvm %.1f ns, kernel %s (%s faster)\n", update ? "update" : "lookup", b,
		       ks, ratio);
	}
	if (!kernel)
		printf("kernel column: n/a (%s)\n", why);
	if (fd >= 0)
		close(fd);
	bpfvm_map__free(m);
	return 0;
}
