/* test_strict.c - the strict interpreter (BPFVM_ENGINE_STRICT): reads of registers or stack never written stop a run */
#include "interp/engines.h"

struct scase {
	const char *name;
	const char *text; /* uBPF syntax; r1 = the 16-byte memory, r2 = its length */
	uint64_t want;    /* r0, when msg is NULL */
	const char *msg;  /* the error line must hold this; NULL: the run must succeed */
};

static const struct scase cases[] = {
	{ "written registers are readable", "mov %r0, 1\nadd %r0, %r2\nexit", 17, NULL },
	{ "r0 read before written", "add %r0, 1\nexit", 0, "R0 is read before it is written at insn 0" },
	{ "exit with r0 never written", "exit", 0, "R0 is read before it is written at insn 0" },
	{ "r3 read by a store", "stxdw [%r10-8], %r3\nmov %r0, 0\nexit", 0, "R3 is read before it is written" },
	{ "r4 read by a jump", "mov %r0, 0\njeq %r4, 0, +0\nexit", 0, "R4 is read before it is written" },
	{ "mov writes without reading dst", "mov %r5, 3\nmov %r0, %r5\nexit", 3, NULL },
	{ "a helper call clobbers r1-r5", "mov %r3, 1\ncall 7\nmov %r0, %r3\nexit", 0, "R3 is read before it is written" },
	{ "a helper call leaves r6-r9", "mov %r6, 9\ncall 7\nmov %r0, %r6\nexit", 9, NULL },
	{ "stack bytes written then read", "stw [%r10-4], 5\nldxw %r0, [%r10-4]\nexit", 5, NULL },
	{ "stack read before written", "ldxdw %r0, [%r10-8]\nexit", 0, "read of 8 uninitialized stack bytes at insn 0" },
	{ "stack partly written", "stw [%r10-8], 5\nldxdw %r0, [%r10-8]\nexit", 0, "uninitialized stack bytes" },
	{ "atomic add reads its stack slot", "mov %r2, 1\nlock add [%r10-8], %r2\nmov %r0, 0\nexit", 0,
	  "uninitialized stack bytes" },
	{ "memory the caller passes is initialised", "ldxdw %r0, [%r1+8]\nexit", 0, NULL },
	{ "the callee sees its arguments", "mov %r1, 4\ncall local +2\nadd %r0, 1\nexit\nmov %r0, %r1\nexit", 5, NULL },
	{ "the callee does not see r6", "mov %r6, 4\ncall local +2\nmov %r0, 0\nexit\nmov %r0, %r6\nexit", 0,
	  "R6 is read before it is written at insn 4" },
	{ "the caller gets r6-r9 back, not r1-r5", "mov %r6, 2\nmov %r3, 1\ncall local +2\nadd %r0, %r3\nexit\nmov %r0, 1\nexit",
	  0, "R3 is read before it is written at insn 3" },
	{ "a map helper's r1 that is not a map (checked mode)", "mov %r1, 4\nmov %r2, %r10\ncall 1\nexit", 0,
	  "bpf_map_lookup_elem: R1 0x4 is not a map, at insn 2" },
	{ "the callee's stack starts unwritten", "stdw [%r10-8], 1\ncall local +2\nmov %r0, 0\nexit\nldxdw %r0, [%r10-8]\nexit",
	  0, "uninitialized stack bytes at insn 4" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scase *c = &cases[i];
		size_t cnt;
		struct bpf_insn *insns = test_asm(c->name, c->text, &cnt);
		if (!insns)
			continue;
		uint8_t mem[16] = { 0 };
		struct run_result r;
		test_run(insns, cnt, BPFVM_ENGINE_STRICT, mem, sizeof(mem), 0, &r, NULL, NULL);
		if (c->msg)
			CHECK(r.err == -EFAULT && strstr(r.why, c->msg), "%s: stopped with '%s' (got %d '%s')", c->name,
			      c->msg, r.err, r.why);
		else
			CHECK(!r.err && r.r0 == c->want, "%s: r0 0x%llx (got 0x%llx, err %d '%s')", c->name,
			      (unsigned long long)c->want, (unsigned long long)r.r0, r.err, r.why);
		/* what strict mode accepts, the checked interpreter runs the same */
		if (!c->msg) {
			struct run_result rc;
			test_run(insns, cnt, BPFVM_ENGINE_CHECKED, mem, sizeof(mem), 0, &rc, NULL, NULL);
			CHECK(!rc.err && rc.r0 == r.r0, "%s: checked mode agrees", c->name);
		}
		free(insns);
	}
	return t_done();
}
