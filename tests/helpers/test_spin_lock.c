/* test_spin_lock.c - bpf_spin_lock from several threads at once: spin_lock.bpf.o run by 4 threads, each with its
 * own packet length, on the JIT and the interpreter: no increment lost, every sum exact (without the lock the
 * read-modify-writes race); and the user-space side: updates keep the lock word, lookups read it as zero */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/map.h"
#include "bpfvm/object.h"
#include "lib/harness.h"

#define THREADS 4
#define RUNS 50000

struct stats {
	uint64_t count;
	uint32_t lock, last_len;
	uint64_t sum;
};

struct worker {
	struct bpfvm_prog *prog;
	enum bpfvm_engine engine;
	uint32_t len;
	int err;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t pkt[128] = { 0 };
	pkt[12] = 0x08; /* IPv4 */
	BPFVM_OPTS(bpfvm_test_run_opts, ro, .data_in = pkt, .data_size_in = w->len, .repeat = RUNS, .engine = w->engine);
	w->err = bpfvm_prog__test_run(w->prog, &ro);
	return NULL;
}

int main(void)
{
	const char *b = getenv("BUILD");
	char path[512];
	snprintf(path, sizeof(path), "%s/bpf/tests/loader/progs/spin_lock.bpf.o", b ? b : "build");
	static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_JIT, BPFVM_ENGINE_INTERP };
	for (size_t e = 0; e < 2; e++) {
		const char *ename = e ? "interp" : "jit";
		struct bpfvm_log log = { 0 };
		BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log);
		struct bpfvm_object *obj = bpfvm_object__open_file(path, &oo);
		if (!obj) {
			t_skip("spin_lock [%s]: %s not built (%s)", ename, path, log.last_error);
			continue;
		}
		if (bpfvm_object__load(obj)) {
			t_fail("spin_lock [%s]: load: %s", ename, log.last_error);
			bpfvm_object__close(obj);
			continue;
		}
		struct worker w[THREADS];
		pthread_t th[THREADS];
		uint64_t want_sum = 0;
		for (int i = 0; i < THREADS; i++) {
			w[i] = (struct worker){ bpfvm_object__find_prog_by_name(obj, "locked_count"), engines[e], 60 + 7 * i, 0 };
			want_sum += (uint64_t)RUNS * w[i].len;
			pthread_create(&th[i], NULL, work, &w[i]);
		}
		int errs = 0;
		for (int i = 0; i < THREADS; i++) {
			pthread_join(th[i], NULL);
			errs += w[i].err != 0;
		}
		struct bpfvm_map *arr = bpfvm_object__find_map_by_name(obj, "by_index");
		struct bpfvm_map *hash = bpfvm_object__find_map_by_name(obj, "by_proto");
		uint32_t zero = 0, proto = 0x0008; /* skb->protocol, network order as read on little-endian */
		struct stats sa = { 0 }, sh = { 0 };
		int la = bpfvm_map__lookup_elem(arr, &zero, &sa), lh = bpfvm_map__lookup_elem(hash, &proto, &sh);
		CHECK(!errs && !la && !lh && sa.count == THREADS * RUNS && sa.sum == want_sum && sh.count == THREADS * RUNS &&
			      sh.sum == want_sum,
		      "spin_lock [%s]: %d threads x %d runs: counts %llu/%llu, sums %llu/%llu of %llu", ename, THREADS, RUNS,
		      (unsigned long long)sa.count, (unsigned long long)sh.count, (unsigned long long)sa.sum,
		      (unsigned long long)sh.sum, (unsigned long long)want_sum);

		/* user space: a held lock word survives an update, and reads as zero */
		struct stats v = { .count = 5, .lock = 0xdead, .last_len = 1, .sum = 9 }, out;
		int u1 = bpfvm_map__update_elem(arr, &zero, &v, BPF_ANY | BPF_F_LOCK);
		int u2 = bpfvm_map__update_elem(arr, &zero, &v, 8); /* an unknown flag */
		int l = bpfvm_map__lookup_elem(arr, &zero, &out);
		CHECK(!u1 && u2 == -EINVAL && !l && out.count == 5 && out.sum == 9 && out.lock == 0,
		      "spin_lock [%s]: BPF_F_LOCK updates, the lock word is not taken from user space and reads as zero",
		      ename);
		bpfvm_object__close(obj);
	}
	return t_done();
}
