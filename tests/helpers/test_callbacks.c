/* test_callbacks.c - bpf_loop's callbacks on every engine: the sum and count the kernel's semantics give, early stop,
 * a callback reaching its caller's stack, nested loops, the flag and bound errors, nesting beyond the limit */
#include "interp/engines.h"

struct ccase {
	const char *name;
	const char *text; /* kernel syntax */
	uint64_t want;
};

static const struct ccase cases[] = {
	{ "loop of 10 stopping at i == 6: 7 calls, sum 21",
	  "*(u64 *)(r10 -8) = 0\n"
	  "r1 = 10\n"
	  "r2 = func(cb)\n"
	  "r3 = r10\n"
	  "r3 += -8\n"
	  "r4 = 0\n"
	  "call 181\n"
	  "r1 = *(u64 *)(r10 -8)\n"
	  "r0 *= 1000\n"
	  "r0 += r1\n"
	  "exit\n"
	  "cb:\n"
	  "r0 = *(u64 *)(r2 +0)\n"
	  "r0 += r1\n"
	  "*(u64 *)(r2 +0) = r0\n"
	  "r0 = 0\n"
	  "if r1 != 6 goto +1\n"
	  "r0 = 1\n"
	  "exit\n",
	  7021 },
	{ "every iteration runs when the callback returns 0",
	  "*(u64 *)(r10 -8) = 0\n"
	  "r1 = 100\n"
	  "r2 = func(cb)\n"
	  "r3 = r10\n"
	  "r3 += -8\n"
	  "r4 = 0\n"
	  "call 181\n"
	  "r1 = *(u64 *)(r10 -8)\n"
	  "r0 *= 100000\n"
	  "r0 += r1\n"
	  "exit\n"
	  "cb:\n"
	  "r0 = *(u64 *)(r2 +0)\n"
	  "r0 += r1\n"
	  "*(u64 *)(r2 +0) = r0\n"
	  "r0 = 0\n"
	  "exit\n",
	  100 * 100000 + 4950 },
	{ "a loop inside a callback: 3 x 4 inner calls",
	  "*(u64 *)(r10 -8) = 0\n"
	  "r1 = 3\n"
	  "r2 = func(outer)\n"
	  "r3 = r10\n"
	  "r3 += -8\n"
	  "r4 = 0\n"
	  "call 181\n"
	  "r0 = *(u64 *)(r10 -8)\n"
	  "exit\n"
	  "outer:\n"
	  "r3 = r2\n"
	  "r1 = 4\n"
	  "r2 = func(inner)\n"
	  "r4 = 0\n"
	  "call 181\n"
	  "r0 = 0\n"
	  "exit\n"
	  "inner:\n"
	  "r0 = *(u64 *)(r2 +0)\n"
	  "r0 += 1\n"
	  "*(u64 *)(r2 +0) = r0\n"
	  "r0 = 0\n"
	  "exit\n",
	  12 },
	{ "flags other than 0: -EINVAL",
	  "r1 = 1\n"
	  "r2 = func(cb)\n"
	  "r3 = 0\n"
	  "r4 = 1\n"
	  "call 181\n"
	  "exit\n"
	  "cb:\n"
	  "r0 = 0\n"
	  "exit\n",
	  (uint64_t)-22 },
	{ "more than 1 << 23 loops: -E2BIG",
	  "r1 = 8388609\n"
	  "r2 = func(cb)\n"
	  "r3 = 0\n"
	  "r4 = 0\n"
	  "call 181\n"
	  "exit\n"
	  "cb:\n"
	  "r0 = 0\n"
	  "exit\n",
	  (uint64_t)-7 },
	{ "zero loops: no call",
	  "r1 = 0\n"
	  "r2 = func(cb)\n"
	  "r3 = 0\n"
	  "r4 = 0\n"
	  "call 181\n"
	  "exit\n"
	  "cb:\n"
	  "r0 = 1\n"
	  "exit\n",
	  0 },
};

/* a callback calling bpf_loop on itself: the nesting limit stops the run with an error, never the host's stack */
static const char *const runaway =
	"r1 = 1\n"
	"r2 = func(cb)\n"
	"r3 = 0\n"
	"r4 = 0\n"
	"call 181\n"
	"exit\n"
	"cb:\n"
	"r1 = 1\n"
	"r2 = func(cb)\n"
	"r3 = 0\n"
	"r4 = 0\n"
	"call 181\n"
	"r0 = 0\n"
	"exit\n";

static struct bpf_insn *assemble(const char *name, const char *text, size_t *cnt)
{
	struct bpfvm_log log = { 0 };
	struct bpf_insn *insns = NULL;
	if (bpfvm_asm(text, strlen(text), name, BPFVM_ASM_KERNEL, &insns, cnt, &log)) {
		t_fail("%s: does not assemble: %s", name, log.last_error);
		return NULL;
	}
	return insns;
}

int main(void)
{
	static const struct {
		enum bpfvm_engine engine;
		const char *name;
	} engines[] = { { BPFVM_ENGINE_INTERP, "interp" }, { BPFVM_ENGINE_CHECKED, "checked" },
			{ BPFVM_ENGINE_STRICT, "strict" }, { BPFVM_ENGINE_JIT, "jit" } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t cnt;
		struct bpf_insn *insns = assemble(cases[i].name, cases[i].text, &cnt);
		for (size_t e = 0; insns && e < sizeof(engines) / sizeof(engines[0]); e++) {
			uint8_t mem[16] = { 0 };
			struct run_result r;
			test_run(insns, cnt, engines[e].engine, mem, sizeof(mem), 0, &r, NULL, NULL);
			CHECK(r.err == 0 && r.r0 == cases[i].want, "%s [%s]: r0 %lld (got %d, %lld: %s)", cases[i].name,
			      engines[e].name, (long long)cases[i].want, r.err, (long long)r.r0, r.why);
		}
		free(insns);
	}
	size_t cnt;
	struct bpf_insn *insns = assemble("runaway", runaway, &cnt);
	for (size_t e = 0; insns && e < sizeof(engines) / sizeof(engines[0]); e++) {
		uint8_t mem[16] = { 0 };
		struct run_result r;
		test_run(insns, cnt, engines[e].engine, mem, sizeof(mem), 0, &r, NULL, NULL);
		CHECK(r.err != 0 && (strstr(r.why, "nested more than 8 deep") || strstr(r.why, "too deep")),
		      "callbacks nesting without end [%s]: stopped (%d: %s)", engines[e].name, r.err, r.why);
	}
	free(insns);
	return t_done();
}
