/* test_threads.c - map operations from several threads at once: every element operation of every map type keeps
 * the map consistent (`make tsan` runs this under ThreadSanitizer) */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "lib/harness.h"

#define THREADS 4
#define OPS 20000
#define KEYS 64

struct worker {
	struct bpfvm_map *m;
	uint32_t type;
	uint64_t rng;
	long bad; /* results no sequence of operations could give */
};

static void *work(void *p)
{
	struct worker *w = p;
	uint8_t key[16], val[256], out[256];
	size_t vbytes = bpfvm_map__value_buf_size(w->m);
	for (int i = 0; i < OPS; i++) {
		uint32_t k = (uint32_t)(t_rand(&w->rng) % KEYS);
		memset(key, 0, sizeof(key));
		memcpy(key, &k, 4);
		if (w->type == BPF_MAP_TYPE_LPM_TRIE) {
			uint32_t plen = 8 + k % 9; /* prefixes of 8..16 bits over 2 data bytes */
			memcpy(key, &plen, 4);
			key[4] = (uint8_t)k;
			key[5] = (uint8_t)(k * 3);
		}
		/* every value a writer stores repeats one byte, so a torn copy shows */
		uint8_t b = (uint8_t)t_rand(&w->rng);
		memset(val, b, vbytes);
		const void *kp = w->type == BPF_MAP_TYPE_QUEUE ? NULL : key;
		int err;
		switch (t_rand(&w->rng) % 4) {
		case 0:
		case 1:
			err = bpfvm_map__update_elem(w->m, kp, val, w->type == BPF_MAP_TYPE_QUEUE ? BPF_EXIST : BPF_ANY);
			w->bad += err && err != -E2BIG && err != -ENOSPC;
			break;
		case 2:
			err = w->type == BPF_MAP_TYPE_QUEUE ? bpfvm_map__lookup_and_delete_elem(w->m, NULL, out)
							    : bpfvm_map__lookup_elem(w->m, kp, out);
			if (!err)
				for (size_t j = 1; j < vbytes; j++)
					w->bad += out[j] != out[0];
			else
				w->bad += err != -ENOENT;
			break;
		default:
			err = bpfvm_map__delete_elem(w->m, kp);
			w->bad += err && err != -ENOENT && err != -EINVAL;
			break;
		}
	}
	return NULL;
}

static void run(const char *name, uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t flags)
{
	struct bpfvm_map *m;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = type, .key_size = key_size, .value_size = value_size,
		   .max_entries = KEYS / 2, .map_flags = flags, .name = "threads");
	if (bpfvm_map_create(&attr, &m, &log)) {
		t_fail("%s: create: %s", name, log.last_error);
		return;
	}
	pthread_t t[THREADS];
	struct worker w[THREADS];
	long bad = 0;
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ m, type, 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1), 0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		bad += w[i].bad;
	}
	/* afterwards the map still iterates to an end (no lost or looping links) */
	uint8_t k1[16], k2[16];
	int n = 0, err = 0;
	const void *prev = NULL;
	if (type != BPF_MAP_TYPE_QUEUE)
		while (!(err = bpfvm_map__get_next_key(m, prev, k1)) && n <= KEYS) {
			memcpy(k2, k1, sizeof(k1));
			prev = k2;
			n++;
		}
	CHECK(bad == 0 && n <= KEYS, "%s: %d threads x %d operations, no torn value or impossible result (%ld), "
	      "%d keys left", name, THREADS, OPS, bad, n);
	bpfvm_map__free(m);
}

int main(void)
{
	run("array", BPF_MAP_TYPE_ARRAY, 4, 24, 0);
	run("hash", BPF_MAP_TYPE_HASH, 4, 24, 0);
	run("percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 16, 0);
	run("lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, 24, 0);
	run("lru_percpu_hash no_common_lru", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 16, BPF_F_NO_COMMON_LRU);
	run("lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 6, 12, BPF_F_NO_PREALLOC);
	run("queue", BPF_MAP_TYPE_QUEUE, 0, 16, 0);
	return t_done();
}
