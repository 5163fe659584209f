/* test_prog_array.c - BPF_MAP_TYPE_PROG_ARRAY and bpf_tail_call in the interpreter, checked mode and the JIT */
#include "bpfvm/map.h"
#include "interp/engines.h"

static struct bpfvm_prog *prog_of(const char *name, const char *text)
{
	size_t cnt;
	struct bpf_insn *insns = test_asm(name, text, &cnt);
	if (!insns)
		return NULL;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_prog_opts, po, .log = &log);
	struct bpfvm_prog *p = bpfvm_prog__new(insns, cnt, &po);
	free(insns);
	if (!p)
		t_fail("%s: %s", name, log.last_error);
	return p;
}

/* run prog on a 16-byte zeroed memory in every engine; each must give want */
static void expect(const char *name, struct bpfvm_prog *prog, uint64_t want)
{
	for (size_t e = 0; prog && e < N_TEST_ENGINES; e++) {
		uint8_t mem[16] = { 0 };
		struct bpfvm_log log = { 0 };
		BPFVM_OPTS(bpfvm_run_opts, ro, .mem = mem, .mem_len = sizeof(mem), .engine = test_engines[e].engine,
			   .log = &log);
		int err = bpfvm_prog__run(prog, &ro);
		CHECK(!err && ro.retval == want, "%s [%s]: r0 %llu (got %llu, err %d %s)", name, test_engines[e].name,
		      (unsigned long long)want, (unsigned long long)ro.retval, err, log.last_error);
	}
}

int main(void)
{
	struct bpfvm_map *pa;
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_map_attr, attr, .type = BPF_MAP_TYPE_PROG_ARRAY, .key_size = 4, .value_size = 4,
		   .max_entries = 4, .name = "jmp_table");
	if (bpfvm_map_create(&attr, &pa, &log)) {
		t_fail("prog_array: create: %s", log.last_error);
		return t_done();
	}
	char text[512];
	unsigned long long addr = (unsigned long long)(uintptr_t)pa;

	/* the target replaces the caller: its r0 is the result; the caller's code after the call does not run */
	struct bpfvm_prog *target = prog_of("target", "mov %r0, 7\nexit");
	snprintf(text, sizeof(text), "lddw %%r2, 0x%llx\nmov %%r3, 0\ncall 12\nmov %%r0, 99\nexit", addr);
	struct bpfvm_prog *entry = prog_of("entry", text);
	CHECK(bpfvm_map__set_prog(pa, 0, target) == 0, "set_prog slot 0");
	expect("tail call to slot 0", entry, 7);

	/* an empty slot or an index out of range falls through */
	snprintf(text, sizeof(text), "lddw %%r2, 0x%llx\nmov %%r3, 1\ncall 12\nmov %%r0, 99\nexit", addr);
	struct bpfvm_prog *empty = prog_of("empty slot", text);
	expect("tail call to an empty slot falls through", empty, 99);
	snprintf(text, sizeof(text), "lddw %%r2, 0x%llx\nlddw %%r3, 0x100000000\ncall 12\nmov %%r0, 99\nexit", addr);
	struct bpfvm_prog *wide = prog_of("index with high bits", text);
	expect("the index is a u32: 0x100000000 is slot 0", wide, 7);
	snprintf(text, sizeof(text), "lddw %%r2, 0x%llx\nmov %%r3, 9\ncall 12\nmov %%r0, 99\nexit", addr);
	struct bpfvm_prog *oob = prog_of("index out of range", text);
	expect("tail call past max_entries falls through", oob, 99);

	/* a program that tail-calls itself: 1 run and 33 tail calls (MAX_TAIL_CALL_CNT), then it falls through */
	snprintf(text, sizeof(text),
		 "mov %%r6, %%r1\nldxw %%r0, [%%r1]\nadd %%r0, 1\nstxw [%%r1], %%r0\nlddw %%r2, 0x%llx\nmov %%r3, 2\n"
		 "call 12\nldxw %%r0, [%%r6]\nexit", addr); /* r1-r5 do not survive the call: r6 keeps the memory */
	struct bpfvm_prog *self = prog_of("self", text);
	CHECK(bpfvm_map__set_prog(pa, 2, self) == 0, "set_prog slot 2");
	expect("33 tail calls at most", self, 34);

	/* from a subprogram: the callee is replaced and its caller gets the target's r0 */
	snprintf(text, sizeof(text),
		 "call local +2\nadd %%r0, 100\nexit\nlddw %%r2, 0x%llx\nmov %%r3, 0\ncall 12\nmov %%r0, 55\nexit", addr);
	struct bpfvm_prog *sub = prog_of("from a subprogram", text);
	expect("tail call from a subprogram returns to its caller", sub, 107);

	/* user space: no byte values; delete empties a slot */
	uint32_t key = 0, val = 0;
	CHECK(bpfvm_map__update_elem(pa, &key, &val, BPF_ANY) == -EOPNOTSUPP, "update with a value: -EOPNOTSUPP");
	CHECK(bpfvm_map__delete_elem(pa, &key) == 0 && bpfvm_map__delete_elem(pa, &key) == -ENOENT,
	      "delete empties a slot once");
	expect("after delete the tail call falls through", entry, 99);
	CHECK(bpfvm_map__set_prog(pa, 4, target) == -E2BIG, "set_prog past max_entries: -E2BIG");
	BPFVM_OPTS(bpfvm_map_attr, bad, .type = BPF_MAP_TYPE_PROG_ARRAY, .key_size = 4, .value_size = 8,
		   .max_entries = 4);
	struct bpfvm_map *m2;
	CHECK(bpfvm_map_create(&bad, &m2, &log) == -EINVAL, "value_size 8: -EINVAL (%s)", log.last_error);

	bpfvm_prog__free(entry);
	bpfvm_prog__free(empty);
	bpfvm_prog__free(wide);
	bpfvm_prog__free(oob);
	bpfvm_prog__free(self);
	bpfvm_prog__free(sub);
	bpfvm_prog__free(target);
	bpfvm_map__free(pa);
	return t_done();
}
