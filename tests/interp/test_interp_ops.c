/* test_interp_ops.c - every instruction family's edge cases, one table, run in the interpreter, checked mode and JIT */
#include "interp/engines.h"

/* table rows leave the trailing fields (error, message, step limit, flags) zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define CHECKED_ONLY 1u /* touches memory the run does not own: only checked mode may run it (and must stop it) */
#define JIT_REFUSES 2u  /* the JIT must refuse it with -ENOTSUP (a step limit: the interpreter counts steps) */

struct tcase {
	const char *name;
	const char *text; /* uBPF syntax */
	const char *mem;  /* hex bytes, NULL for none */
	uint64_t want;
	int err;          /* expected error, 0 for none */
	const char *msg;  /* '|'-separated substrings the error line must hold */
	uint64_t max_insns;
	unsigned flags;
};

static const struct tcase cases[] = {
	/* ALU: division and modulo by zero (RFC 9669: x/0 = 0, x%0 = x) */
	{ "div64 by zero reg", "mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit", NULL, 0 },
	{ "div64 by zero imm", "mov %r0, 7\ndiv %r0, 0\nexit", NULL, 0 },
	{ "div32 by zero reg", "lddw %r0, 0x100000007\nmov %r1, 0\ndiv32 %r0, %r1\nexit", NULL, 0 },
	{ "div32 by zero imm", "mov %r0, 7\ndiv32 %r0, 0\nexit", NULL, 0 },
	{ "mod64 by zero keeps dst", "lddw %r0, 0x100000007\nmov %r1, 0\nmod %r0, %r1\nexit", NULL, 0x100000007 },
	{ "mod32 by zero keeps dst truncated", "lddw %r0, 0x100000007\nmov %r1, 0\nmod32 %r0, %r1\nexit", NULL, 7 },
	{ "div64 by upper-bits-only reg", "mov %r0, 7\nlddw %r1, 0x100000000\ndiv32 %r0, %r1\nexit", NULL, 0 },
	{ "sdiv64 INT_MIN / -1", "lddw %r0, 0x8000000000000000\nsdiv %r0, -1\nexit", NULL, 0x8000000000000000 },
	{ "smod64 INT_MIN % -1", "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1\nexit", NULL, 0 },
	{ "sdiv32 INT_MIN / -1", "mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit", NULL, 0x80000000 },
	{ "smod32 INT_MIN % -1", "mov32 %r0, 0x80000000\nmov %r1, -1\nsmod32 %r0, %r1\nexit", NULL, 0 },
	{ "sdiv64 truncates toward zero", "mov %r0, -7\nsdiv %r0, 2\nexit", NULL, (uint64_t)-3 },
	{ "smod64 sign of dividend", "mov %r0, -7\nsmod %r0, 2\nexit", NULL, (uint64_t)-1 },
	{ "sdiv64 by zero", "mov %r0, -7\nmov %r1, 0\nsdiv %r0, %r1\nexit", NULL, 0 },
	{ "smod64 by zero keeps dst", "mov %r0, -7\nmov %r1, 0\nsmod %r0, %r1\nexit", NULL, (uint64_t)-7 },
	{ "smod32 by zero keeps dst truncated", "mov %r0, -7\nmov %r1, 0\nsmod32 %r0, %r1\nexit", NULL, 0xfffffff9 },
	/* shifts: the count is masked to 63 / 31 */
	{ "lsh64 count masked", "mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1\nexit", NULL, 2 },
	{ "lsh32 count masked", "mov %r0, 1\nmov %r1, 33\nlsh32 %r0, %r1\nexit", NULL, 2 },
	{ "rsh64 count masked", "mov %r0, 4\nmov %r1, 129\nrsh %r0, %r1\nexit", NULL, 2 },
	{ "rsh32 zero-extends", "lddw %r0, 0xffffffffffffffff\nrsh32 %r0, 4\nexit", NULL, 0x0fffffff },
	{ "arsh32 sign within 32 bits", "mov32 %r0, 0x80000000\narsh32 %r0, 4\nexit", NULL, 0xf8000000 },
	{ "arsh64 by 63", "lddw %r0, 0x8000000000000000\narsh %r0, 63\nexit", NULL, 0xffffffffffffffff },
	{ "arsh32 count masked", "mov32 %r0, 0x80000000\nmov %r1, 36\narsh32 %r0, %r1\nexit", NULL, 0xf8000000 },
	/* 32-bit ALU zero-extends, 64-bit immediates sign-extend */
	{ "add32 wraps and zero-extends", "lddw %r0, 0xffffffffffffffff\nadd32 %r0, 1\nexit", NULL, 0 },
	{ "mov32 reg zero-extends", "lddw %r0, 0xffffffffffffffff\nmov32 %r0, %r0\nexit", NULL, 0xffffffff },
	{ "mov64 imm sign-extends", "mov %r0, -1\nexit", NULL, 0xffffffffffffffff },
	{ "mov32 imm does not", "mov32 %r0, -1\nexit", NULL, 0xffffffff },
	{ "neg32", "mov %r0, 1\nneg32 %r0\nexit", NULL, 0xffffffff },
	{ "neg64", "mov %r0, 1\nneg %r0\nexit", NULL, 0xffffffffffffffff },
	{ "mul32 overflow", "mov %r0, 0x10000\nmul32 %r0, 0x10000\nexit", NULL, 0 },
	{ "mul64 imm sign-extended", "mov %r0, 3\nmul %r0, -1\nexit", NULL, (uint64_t)-3 },
	{ "xor32 clears upper", "lddw %r0, 0xff000000000000ff\nxor32 %r0, 0\nexit", NULL, 0xff },
	{ "and64 imm sign-extended", "lddw %r0, 0xff000000000000ff\nand %r0, -1\nexit", NULL, 0xff000000000000ff },
	/* sign-extending moves */
	{ "movsx8 to 64", "mov %r1, 0x80\nmovsx864 %r0, %r1\nexit", NULL, 0xffffffffffffff80 },
	{ "movsx8 to 32", "mov %r1, 0x80\nmovsx832 %r0, %r1\nexit", NULL, 0xffffff80 },
	{ "movsx16 to 64", "mov %r1, 0x8000\nmovsx1664 %r0, %r1\nexit", NULL, 0xffffffffffff8000 },
	{ "movsx16 to 32", "mov %r1, 0x8000\nmovsx1632 %r0, %r1\nexit", NULL, 0xffff8000 },
	{ "movsx32 to 64", "mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1\nexit", NULL, 0xffffffff80000000 },
	{ "movsx8 positive", "mov %r1, 0x17f\nmovsx864 %r0, %r1\nexit", NULL, 0x7f },
	/* sign-extending loads (MEMSX) and zero-extending ones */
	{ "ldxsb", "ldxsb %r0, [%r1]\nexit", "80 ff 00 80 00 00 00 80", 0xffffffffffffff80 },
	{ "ldxsh", "ldxsh %r0, [%r1+2]\nexit", "80 ff 00 80 00 00 00 80", 0xffffffffffff8000 },
	{ "ldxsw", "ldxsw %r0, [%r1+4]\nexit", "80 ff 00 80 00 00 00 80", 0xffffffff80000000 },
	{ "ldxb zero-extends", "ldxb %r0, [%r1]\nexit", "80 ff 00 80 00 00 00 80", 0x80 },
	{ "ldxdw little-endian", "ldxdw %r0, [%r1]\nexit", "01 02 03 04 05 06 07 08", 0x0807060504030201 },
	{ "ldxsb positive", "ldxsb %r0, [%r1+2]\nexit", "80 ff 7f 80", 0x7f },
	/* byte order */
	{ "be16", "lddw %r0, 0x1122334455667788\nbe16 %r0\nexit", NULL, 0x8877 },
	{ "be32", "lddw %r0, 0x1122334455667788\nbe32 %r0\nexit", NULL, 0x88776655 },
	{ "be64", "lddw %r0, 0x1122334455667788\nbe64 %r0\nexit", NULL, 0x8877665544332211 },
	{ "le16 truncates", "lddw %r0, 0x1122334455667788\nle16 %r0\nexit", NULL, 0x7788 },
	{ "le32 truncates", "lddw %r0, 0x1122334455667788\nle32 %r0\nexit", NULL, 0x55667788 },
	{ "le64 is a no-op", "lddw %r0, 0x1122334455667788\nle64 %r0\nexit", NULL, 0x1122334455667788 },
	{ "bswap16", "lddw %r0, 0x1122334455667788\nbswap16 %r0\nexit", NULL, 0x8877 },
	{ "bswap32", "lddw %r0, 0x1122334455667788\nbswap32 %r0\nexit", NULL, 0x88776655 },
	{ "bswap64", "lddw %r0, 0x1122334455667788\nbswap64 %r0\nexit", NULL, 0x8877665544332211 },
	/* jumps */
	{ "jeq32 ignores upper bits", "lddw %r1, 0x100000001\nmov %r0, 1\njeq32 %r1, 1, +1\nmov %r0, 0\nexit", NULL, 1 },
	{ "jeq64 sees upper bits", "lddw %r1, 0x100000001\nmov %r0, 1\njeq %r1, 1, +1\nmov %r0, 0\nexit", NULL, 0 },
	{ "jsgt signed", "mov %r1, -1\nmov %r0, 1\njsgt %r1, 0, +1\nmov %r0, 2\nexit", NULL, 2 },
	{ "jgt unsigned", "mov %r1, -1\nmov %r0, 1\njgt %r1, 0, +1\nmov %r0, 2\nexit", NULL, 1 },
	{ "jslt32 signed low half", "lddw %r1, 0x00000000ffffffff\nmov %r0, 1\njslt32 %r1, 0, +1\nmov %r0, 2\nexit", NULL, 1 },
	{ "jset", "mov %r1, 6\nmov %r0, 1\njset %r1, 4, +1\nmov %r0, 2\nexit", NULL, 1 },
	{ "jne imm sign-extended", "mov32 %r1, -1\nmov %r0, 1\njne %r1, -1, +1\nmov %r0, 2\nexit", NULL, 1 },
	{ "ja32 (gotol)", "mov %r0, 1\nja32 +1\nmov %r0, 2\nexit", NULL, 1 },
	{ "backward loop", "mov %r0, 0\nmov %r1, 10\nloop:\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, loop\nexit", NULL, 55 },
	/* calls */
	{ "call local restores r6-r9", "mov %r6, 5\ncall local f\nmov %r0, %r6\nexit\nf:\nmov %r6, 9\nmov %r0, 1\nexit",
	  NULL, 5 },
	{ "call local own stack", "stdw [%r10-8], 3\ncall local f\nldxdw %r0, [%r10-8]\nexit\nf:\nstdw [%r10-8], 9\nexit",
	  NULL, 3 },
	{ "calls 8 frames", "mov %r1, 6\nmov %r0, 0\ncall local f\nexit\nf:\njeq %r1, 0, +3\nsub %r1, 1\ncall local f\nadd %r0, 1\nexit",
	  NULL, 6 },
	{ "calls 9 frames stop", "mov %r1, 7\nmov %r0, 0\ncall local f\nexit\nf:\njeq %r1, 0, +3\nsub %r1, 1\ncall local f\nadd %r0, 1\nexit",
	  NULL, 0, -E2BIG, "frames" },
	{ "helper call", "call 8\nadd %r0, 3\nexit", NULL, 3 }, /* bpf_get_smp_processor_id: cpu 0 */
	{ "callx helper id in register", "mov %r2, 8\ncall %r2\nadd %r0, 4\nexit", NULL, 4 },
	{ "callx unknown helper", "mov %r2, 9999\ncall %r2\nexit", NULL, 0, -EINVAL, NULL },
	{ "unknown helper", "call 9999\nexit", NULL, 0, -EINVAL, NULL },
	/* the step limit: interpreter only; the JIT refuses it */
	{ "step limit stops a loop", "mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit", NULL, 0, -E2BIG, "step limit", 1000,
	  JIT_REFUSES },
	{ "step limit not reached", "mov %r0, 5\nexit", NULL, 5, 0, NULL, 1000, JIT_REFUSES },
	/* checked mode: out-of-bounds accesses name the instruction, the address and the size */
	{ "checked: stack overflow (write at r10)", "mov %r0, 0\nstxdw [%r10], %r0\nexit", NULL, 0, -EFAULT,
	  "invalid write of 8 bytes|at insn 1", 0, CHECKED_ONLY },
	{ "checked: stack underflow (r10-520)", "ldxdw %r0, [%r10-520]\nexit", NULL, 0, -EFAULT,
	  "invalid read of 8 bytes|at insn 0", 0, CHECKED_ONLY },
	{ "checked: mem past its end", "mov %r0, 0\nldxw %r0, [%r1+1]\nexit", "01 02 03 04", 0, -EFAULT,
	  "invalid read of 4 bytes|at insn 1", 0, CHECKED_ONLY },
	{ "checked: mem before its start", "ldxb %r0, [%r1-1]\nexit", "01 02 03 04", 0, -EFAULT,
	  "invalid read of 1 bytes|at insn 0", 0, CHECKED_ONLY },
	{ "checked: atomic past mem end", "mov %r2, 1\nlock add32 [%r1+2], %r2\nexit", "01 02 03 04", 0, -EFAULT,
	  "invalid write of 4 bytes|at insn 1", 0, CHECKED_ONLY },
	{ "callee reads and writes its caller's stack",
	  "stdw [%r10-8], 7\nmov %r1, %r10\ncall local f\nldxdw %r0, [%r10-16]\nexit\nf:\nldxdw %r2, [%r1-8]\nstxdw [%r1-16], %r2\nexit",
	  NULL, 7 },
	{ "checked: callee past its caller's stack", "mov %r1, %r10\ncall local f\nexit\nf:\nldxdw %r0, [%r1]\nexit",
	  NULL, 0, -EFAULT, "invalid read of 8 bytes|at insn 3", 0, CHECKED_ONLY },
	{ "checked: null pointer", "mov %r1, 0\nldxdw %r0, [%r1]\nexit", NULL, 0, -EFAULT,
	  "invalid read of 8 bytes at address 0x0 at insn 1", 0, CHECKED_ONLY },
	{ "checked: helper pointer arg past the stack", "mov %r1, %r10\nsub %r1, 8\nmov %r2, 64\ncall 6\nexit", NULL,
	  0, -EFAULT, "invalid read of 64 bytes|by bpf_trace_printk at insn 3", 0, CHECKED_ONLY },
	{ "checked: in-bounds stack and mem", "stxdw [%r10-512], %r1\nldxdw %r2, [%r10-512]\nldxw %r0, [%r2]\nexit",
	  "01 02 03 04", 0x04030201 },
};

/* every atomic: 32/64, with and without fetch, xchg, cmpxchg (taken and not); r0 folds the fetched value and memory */
struct atomic_op {
	const char *mn;
	bool fetch;
	uint64_t (*f)(uint64_t a, uint64_t b);
};
static uint64_t f_add(uint64_t a, uint64_t b) { return a + b; }
static uint64_t f_and(uint64_t a, uint64_t b) { return a & b; }
static uint64_t f_or(uint64_t a, uint64_t b) { return a | b; }
static uint64_t f_xor(uint64_t a, uint64_t b) { return a ^ b; }
static uint64_t f_xchg(uint64_t a, uint64_t b) { (void)a; return b; }

static bool msg_has(const char *why, const char *want)
{
	char buf[256];
	if (!want)
		return true;
	snprintf(buf, sizeof(buf), "%s", want);
	for (char *save, *p = strtok_r(buf, "|", &save); p; p = strtok_r(NULL, "|", &save))
		if (!strstr(why, p))
			return false;
	return true;
}

static void run_case(const char *name, const char *text, const char *mem_hex, uint64_t want, int werr,
		     const char *msg, uint64_t max_insns, unsigned flags)
{
	size_t cnt;
	struct bpf_insn *insns = test_asm(name, text, &cnt);
	if (!insns)
		return;
	for (size_t e = 0; e < N_TEST_ENGINES; e++) {
		enum bpfvm_engine eng = test_engines[e].engine;
		const char *en = test_engines[e].name;
		uint8_t mem[64] = { 0 };
		size_t mem_len = test_hex(mem_hex, mem, sizeof(mem));
		struct run_result r;
		if ((flags & CHECKED_ONLY) && eng != BPFVM_ENGINE_CHECKED)
			continue;
		test_run(insns, cnt, eng, mem_hex ? mem : NULL, mem_len, max_insns, &r, NULL, NULL);
		if ((flags & JIT_REFUSES) && eng == BPFVM_ENGINE_JIT) {
			CHECK(r.err == -ENOTSUP && strstr(r.why, "step limit"), "%s [%s]: refused (%d %s)", name, en, r.err, r.why);
			continue;
		}
		if (werr) {
			if (r.err == werr && msg_has(r.why, msg))
				t_pass("%s [%s]: %s", name, en, r.why);
			else
				t_fail("%s [%s]: want error %d '%s', got %d '%s' (r0 0x%llx)", name, en, werr,
				       msg ? msg : "", r.err, r.why, (unsigned long long)r.r0);
		} else if (r.err || r.r0 != want) {
			t_fail("%s [%s]: want 0x%llx, got 0x%llx (err %d %s)", name, en, (unsigned long long)want,
			       (unsigned long long)r.r0, r.err, r.why);
		} else {
			t_pass("%s [%s]", name, en);
		}
	}
	free(insns);
}

static void atomics(void)
{
	static const struct atomic_op ops[] = {
		{ "add", false, f_add }, { "and", false, f_and }, { "or", false, f_or }, { "xor", false, f_xor },
		{ "fetch add", true, f_add }, { "fetch and", true, f_and }, { "fetch or", true, f_or },
		{ "fetch xor", true, f_xor }, { "xchg", true, f_xchg },
	};
	const uint64_t init = 0xf0f0f0f0a5a5a5a5ull, src = 0xff00ff0033cc33ccull;
	for (int w = 32; w <= 64; w += 32) {
		uint64_t mask = w == 32 ? 0xffffffffull : ~0ull;
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			char name[64], text[512];
			snprintf(name, sizeof(name), "atomic%d %s", w, ops[i].mn);
			/* r2 = src; lock op [r1], r2; r0 = r2 * 31 + mem */
			snprintf(text, sizeof(text),
				 "lddw %%r3, 0x%llx\nstxdw [%%r1], %%r3\nlddw %%r2, 0x%llx\nlock %s%s [%%r1], %%r2\n"
				 "mov %%r0, %%r2\nmul %%r0, 31\nldxdw %%r4, [%%r1]\nadd %%r0, %%r4\nexit",
				 (unsigned long long)init, (unsigned long long)src, ops[i].mn, w == 32 ? "32" : "");
			uint64_t mem_after = (init & ~mask) | (ops[i].f(init & mask, src & mask) & mask);
			uint64_t r2 = ops[i].fetch ? (init & mask) : src; /* a 32-bit fetch zero-extends */
			run_case(name, text, "00 00 00 00 00 00 00 00", r2 * 31 + mem_after, 0, NULL, 0, 0);
		}
		for (int hit = 0; hit <= 1; hit++) {
			char name[64], text[512];
			/* r0 = expected (init on a hit, something else on a miss); cmpxchg loads the old value into r0 */
			uint64_t expect = hit ? init : 0x1234;
			snprintf(name, sizeof(name), "atomic%d cmpxchg %s", w, hit ? "match" : "mismatch");
			snprintf(text, sizeof(text),
				 "lddw %%r3, 0x%llx\nstxdw [%%r1], %%r3\nlddw %%r2, 0x%llx\nlddw %%r0, 0x%llx\n"
				 "lock cmpxchg%s [%%r1], %%r2\nmul %%r0, 31\nldxdw %%r4, [%%r1]\nadd %%r0, %%r4\nexit",
				 (unsigned long long)init, (unsigned long long)src,
				 (unsigned long long)(w == 32 && hit ? (init & mask) | 0xdead00000000ull : expect),
				 w == 32 ? "32" : "");
			bool eq = ((w == 32 && hit ? (init & mask) : expect) & mask) == (init & mask);
			uint64_t mem_after = eq ? (init & ~mask) | (src & mask) : init;
			run_case(name, text, "00 00 00 00 00 00 00 00", (init & mask) * 31 + mem_after, 0, NULL, 0, 0);
		}
	}
}

/* forms the uBPF syntax does not have: may_goto, LD_ABS/LD_IND, load-acquire/store-release */
struct raw_case {
	const char *name;
	struct bpf_insn insns[8];
	size_t cnt;
	const char *mem;
	uint64_t want;
};

#define MAY_GOTO(OFF) BPFVM_INSN(BPF_JMP | BPF_JCOND, 0, BPF_MAY_GOTO, OFF, 0)
#define LD_ABS(SZ, IMM) BPFVM_INSN(BPF_LD | BPF_ABS | (SZ), 0, 0, 0, IMM)
#define LD_IND(SZ, SRC, IMM) BPFVM_INSN(BPF_LD | BPF_IND | (SZ), 0, SRC, 0, IMM)
#define LOAD_ACQ(SZ, DST, SRC, OFF) BPFVM_INSN(BPF_STX | BPF_ATOMIC | (SZ), DST, SRC, OFF, BPF_LOAD_ACQ)
#define STORE_REL(SZ, DST, SRC, OFF) BPFVM_INSN(BPF_STX | BPF_ATOMIC | (SZ), DST, SRC, OFF, BPF_STORE_REL)
#define PKT "45 00 00 54 a1 b2 40 00"

static const struct raw_case raw_cases[] = {
	{ "may_goto budget of 8M iterations",
	  { BPFVM_MOV64_IMM(0, 0), MAY_GOTO(2), BPFVM_ALU64_IMM(BPF_ADD, 0, 1), BPFVM_JA(-3), BPFVM_EXIT() }, 5, NULL,
	  8u * 1024 * 1024 },
	{ "ld_abs w big-endian", { LD_ABS(BPF_W, 0), BPFVM_EXIT() }, 2, PKT, 0x45000054 },
	{ "ld_abs h", { LD_ABS(BPF_H, 4), BPFVM_EXIT() }, 2, PKT, 0xa1b2 },
	{ "ld_abs b", { LD_ABS(BPF_B, 7), BPFVM_EXIT() }, 2, PKT, 0x00 },
	{ "ld_abs out of bounds ends with r0 = 0",
	  { BPFVM_MOV64_IMM(0, 5), LD_ABS(BPF_W, 6), BPFVM_MOV64_IMM(0, 9), BPFVM_EXIT() }, 4, PKT, 0 },
	{ "ld_abs negative offset ends with r0 = 0",
	  { BPFVM_MOV64_IMM(0, 5), LD_ABS(BPF_B, -1), BPFVM_MOV64_IMM(0, 9), BPFVM_EXIT() }, 4, PKT, 0 },
	{ "ld_ind w", { BPFVM_MOV64_IMM(2, 2), LD_IND(BPF_W, 2, 2), BPFVM_EXIT() }, 3, PKT, 0xa1b24000 },
	{ "ld_ind out of bounds ends with r0 = 0",
	  { BPFVM_MOV64_IMM(2, 7), LD_IND(BPF_H, 2, 0), BPFVM_MOV64_IMM(0, 9), BPFVM_EXIT() }, 4, PKT, 0 },
	{ "ld_abs with no packet ends with r0 = 0", { BPFVM_MOV64_IMM(0, 5), LD_ABS(BPF_B, 0), BPFVM_EXIT() }, 3, NULL,
	  0 },
	{ "load-acquire dw", { LOAD_ACQ(BPF_DW, 0, 1, 0), BPFVM_EXIT() }, 2, "01 02 03 04 05 06 07 08",
	  0x0807060504030201 },
	{ "load-acquire b zero-extends", { LOAD_ACQ(BPF_B, 0, 1, 7), BPFVM_EXIT() }, 2, "01 02 03 04 05 06 07 f8", 0xf8 },
	{ "store-release w",
	  { BPFVM_MOV64_IMM(2, -1), STORE_REL(BPF_W, 1, 2, 0), BPFVM_LDX_MEM(BPF_DW, 0, 1, 0), BPFVM_EXIT() }, 4,
	  "01 02 03 04 05 06 07 08", 0x08070605ffffffff },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		run_case(c->name, c->text, c->mem, c->want, c->err, c->msg, c->max_insns, c->flags);
	}
	atomics();
	for (size_t i = 0; i < sizeof(raw_cases) / sizeof(raw_cases[0]); i++) {
		const struct raw_case *c = &raw_cases[i];
		for (size_t e = 0; e < N_TEST_ENGINES; e++) {
			uint8_t mem[64];
			size_t n = test_hex(c->mem, mem, sizeof(mem));
			struct run_result r;
			test_run(c->insns, c->cnt, test_engines[e].engine, c->mem ? mem : NULL, n, 0, &r, NULL, NULL);
			if (r.err || r.r0 != c->want)
				t_fail("%s [%s]: want 0x%llx, got 0x%llx (err %d %s)", c->name, test_engines[e].name,
				       (unsigned long long)c->want, (unsigned long long)r.r0, r.err, r.why);
			else
				t_pass("%s [%s]", c->name, test_engines[e].name);
		}
	}
	return t_done();
}
