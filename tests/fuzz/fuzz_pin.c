/* fuzz_pin.c - libFuzzer target over opening a pinned map's file (pin.c: the header, then each type's check of its
 * storage block) and every element operation on what opened: no crash, no leak, no hang. The input's lock bytes
 * are zeroed: the lock is state shared with the processes that map the file, not something parsed */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/insn.h"
#include "bpfvm/map.h"
#include "maps/map.h"

#define LOCK_OFF BPFVM_PIN_LOCK_OFFSET
#define LOCK_SIZE sizeof(pthread_mutex_t)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_pin.%d", (int)getpid());
	uint8_t *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size > LOCK_OFF)
		memset(copy + LOCK_OFF, 0, size - LOCK_OFF < LOCK_SIZE ? size - LOCK_OFF : LOCK_SIZE);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(copy, 1, size, f);
		fclose(f);
	}
	free(copy);
	if (!f)
		return 0;
	struct bpfvm_log log = { 0 };
	struct bpfvm_map *m;
	if (bpfvm_map_open_pinned(path, &m, &log))
		return 0;
	size_t ks = bpfvm_map__key_size(m), vb = bpfvm_map__value_buf_size(m);
	if (vb > (1u << 24)) { /* a bloom filter's value_size sizes no storage: the buffers here would be the hog */
		bpfvm_map__free(m);
		return 0;
	}
	uint8_t *key = calloc(1, ks + 8), *next = calloc(1, ks + 8), *val = calloc(1, vb + 8);
	if (key && next && val) {
		const void *k = ks ? key : NULL;
		int steps = 0;
		for (int first = 1; ks && steps < 64 && bpfvm_map__get_next_key(m, first ? NULL : key, next) == 0;
		     first = 0, steps++) {
			memcpy(key, next, ks);
			bpfvm_map__lookup_elem(m, key, val);
		}
		bpfvm_map__lookup_elem(m, k, val);
		bpfvm_map__update_elem(m, k, val, BPF_ANY);
		bpfvm_map__delete_elem(m, k);
		bpfvm_map__lookup_and_delete_elem(m, k, val);
	}
	if (bpfvm_map__type(m) == BPF_MAP_TYPE_RINGBUF) { /* a ring's records, as another process consumes them */
		uint8_t rec[40] = { 1, 2, 3 };
		bpfvm_ringbuf__consume(m, NULL, NULL);
		bpfvm_ringbuf_output(m, rec, sizeof(rec), 0);
		bpfvm_ringbuf__consume(m, NULL, NULL);
	}
	free(key);
	free(next);
	free(val);
	bpfvm_map__free(m);
	return 0;
}
