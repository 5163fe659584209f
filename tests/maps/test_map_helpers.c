/* test_map_helpers.c - the map helpers from programs: the interpreter, the checked interpreter and the JIT (whose
 * array lookups are inlined) return the same values and NULLs, in range and out of it */
#include <stdio.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/map.h"
#include "lib/harness.h"

/* r0 = sum over keys k in [0, n) of (lookup(map, k) ? *value : 1000), n from the input word */
static size_t build(struct bpf_insn *p, uint64_t map)
{
	size_t n = 0;
	p[n++] = BPFVM_LDX_MEM(BPF_W, 8, 1, 0);      /* r8 = n */
	p[n++] = BPFVM_MOV64_IMM(6, 0);               /* r6 = k */
	p[n++] = BPFVM_MOV64_IMM(9, 0);               /* r9 = sum */
	p[n++] = BPFVM_STX_MEM(BPF_W, 10, 6, -4);     /* loop: key = k */
	p[n++] = BPFVM_INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, (int32_t)(uint32_t)map);
	p[n++] = BPFVM_INSN(0, 0, 0, 0, (int32_t)(uint32_t)(map >> 32));
	p[n++] = BPFVM_MOV64_REG(2, 10);
	p[n++] = BPFVM_ALU64_IMM(BPF_ADD, 2, -4);
	p[n++] = BPFVM_CALL_HELPER(BPF_FUNC_map_lookup_elem);
	p[n++] = BPFVM_JMP_IMM(BPF_JNE, 0, 0, 2);
	p[n++] = BPFVM_ALU64_IMM(BPF_ADD, 9, 1000);
	p[n++] = BPFVM_JA(2);
	p[n++] = BPFVM_LDX_MEM(BPF_DW, 3, 0, 0);
	p[n++] = BPFVM_ALU64_REG(BPF_ADD, 9, 3);
	p[n++] = BPFVM_ALU64_IMM(BPF_ADD, 6, 1);
	p[n++] = BPFVM_JMP_REG(BPF_JLT, 6, 8, -13);
	p[n++] = BPFVM_MOV64_REG(0, 9);
	p[n++] = BPFVM_EXIT();
	return n;
}

static void one(uint32_t type, uint32_t value_size, uint32_t max, const char *what)
{
	struct bpfvm_map *m;
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = type, .key_size = 4, .value_size = value_size, .max_entries = max);
	if (bpfvm_map_create(&attr, &m, NULL)) {
		t_fail("%s: map creation", what);
		return;
	}
	for (uint32_t k = 0; k < max; k += 2) { /* hash maps get every other key */
		uint8_t v[64] = { 0 };
		uint64_t x = k * 7 + 3;
		memcpy(v, &x, 8);
		bpfvm_map__update_elem(m, &k, v, BPF_ANY);
	}
	struct bpf_insn p[32];
	size_t n = build(p, (uint64_t)(uintptr_t)m);
	BPFVM_OPTS(bpfvm_prog_opts, po);
	struct bpfvm_prog *prog = bpfvm_prog__new(p, n, &po);
	if (!prog) {
		t_fail("%s: program", what);
		bpfvm_map__free(m);
		return;
	}
	uint32_t counts[] = { 1, 2, max / 2, max, max + 3 }; /* the loop runs at least once */
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		uint32_t in = counts[c];
		uint64_t want = 0;
		for (uint32_t k = 0; k < in; k++) {
			bool present = k < max && (type == BPF_MAP_TYPE_ARRAY || k % 2 == 0);
			want += present ? (type == BPF_MAP_TYPE_ARRAY && k % 2 ? 0 : k * 7 + 3) : 1000;
		}
		static const enum bpfvm_engine engines[] = { BPFVM_ENGINE_INTERP, BPFVM_ENGINE_CHECKED, BPFVM_ENGINE_JIT };
		static const char *const names[] = { "interp", "checked", "jit" };
		for (int e = 0; e < 3; e++) {
			uint32_t mem = in;
			struct bpfvm_log log = { 0 };
			BPFVM_OPTS(bpfvm_run_opts, ro, .mem = &mem, .mem_len = 4, .engine = engines[e], .log = &log);
			int err = bpfvm_prog__run(prog, &ro);
			CHECK(!err && ro.retval == want, "%s %s: %u keys: r0 %llu, want %llu (%s)", what, names[e], in,
			      (unsigned long long)ro.retval, (unsigned long long)want, log.last_error);
		}
	}
	bpfvm_prog__free(prog);
	bpfvm_map__free(m);
}

int main(void)
{
	one(BPF_MAP_TYPE_ARRAY, 8, 16, "array 8-byte values");
	one(BPF_MAP_TYPE_ARRAY, 12, 5, "array 12-byte values");
	one(BPF_MAP_TYPE_HASH, 8, 16, "hash");
	return t_done();
}
