/* test_trace_printk.c - bpf_trace_printk/vprintk/snprintf: the kernel's format rules, output through the callback */
#include "interp/engines.h"

struct capture {
	char text[2048];
	int calls;
};

static void capture(void *arg, const char *msg, size_t len)
{
	struct capture *c = arg;
	snprintf(c->text, sizeof(c->text), "%.*s", (int)len, msg);
	c->calls++;
}

struct fcase {
	const char *fmt;
	uint64_t a1, a2, a3;
	const char *want; /* NULL: -EINVAL and no output */
};

/* the %s argument, when a case wants a string, points at "str" placed after the format in the input memory */
#define S 0x5354520000000000ull

static const struct fcase fcases[] = {
	{ "plain text\n", 0, 0, 0, "plain text\n" },
	{ "%d %i", (uint64_t)-1, 0xffffffff00000005ull, 0, "-1 5" },
	{ "%u", (uint64_t)-1, 0, 0, "4294967295" },
	{ "%x %X", 0x1ff, 0xabc, 0, "1ff ABC" },
	{ "%ld %li", (uint64_t)-2, (uint64_t)-3, 0, "-2 -3" },
	{ "%lu %lx", (uint64_t)-1, 0x123456789ull, 0, "18446744073709551615 123456789" },
	{ "%lld %lli %llu", (uint64_t)-4, 7, 8, "-4 7 8" },
	{ "%llx", 0xdeadbeefcafeull, 0, 0, "deadbeefcafe" },
	{ "[%5d] [%-5d] [%05d]", 42, 42, 42, "[   42] [42   ] [00042]" },
	{ "%c%c%c", 'b', 'p', 'f', "bpf" },
	{ "100%%", 0, 0, 0, "100%" },
	{ "%s!", S, 0, 0, "str!" },
	{ "%p", 0x1234, 0, 0, "0000000000001234" },
	{ "%pK", 0xffff888812345678ull, 0, 0, "ffff888812345678" },
	{ "%d %d %d %d", 1, 2, 3, NULL },  /* more than 3 conversions */
	{ "%q", 1, 0, 0, NULL },           /* unknown conversion */
	{ "%.2d", 1, 0, 0, NULL },         /* no precision */
	{ "%lllx", 1, 0, 0, NULL },        /* l at most twice */
	{ "%hd", 1, 0, 0, NULL },          /* no h */
	{ "%sx", S, 0, 0, NULL },          /* %s followed by a letter */
	{ "%", 0, 0, 0, NULL },            /* lone % */
	{ "tab\tok", 0, 0, 0, "tab\tok" }, /* space characters are fine */
	{ "bell\a", 0, 0, 0, NULL },       /* not printable */
	{ "\xc3\xa9", 0, 0, 0, NULL },     /* not ASCII */
};

/* r1 = mem (the format, NUL, then "str"), r2 = the format's size with its NUL; r3..r5 the arguments */
static void run_fmt(const struct fcase *c0, enum bpfvm_engine engine, const char *en)
{
	struct fcase shown = *c0, *c = &shown;
	char name[64];
	size_t k = 0;
	for (const char *p = c0->fmt; *p && k + 3 < sizeof(name); p++) /* the format as a one-line name */
		k += (size_t)snprintf(name + k, sizeof(name) - k, *p == '\n' ? "\\n" : *p == '\t' ? "\\t" : "%c", *p);
	name[k] = 0;
	uint8_t mem[256] = { 0 };
	size_t flen = strlen(c0->fmt) + 1;
	memcpy(mem, c0->fmt, flen);
	c->fmt = name;
	memcpy(mem + flen, "str", 4);
	uint64_t args[3] = { c->a1, c->a2, c->a3 };
	for (int i = 0; i < 3; i++)
		if (args[i] == S)
			args[i] = (uint64_t)(uintptr_t)(mem + flen);
	struct bpf_insn insns[] = {
		BPFVM_MOV64_IMM(2, (int32_t)flen),
		BPFVM_LD_IMM64(3, args[0]),
		BPFVM_LD_IMM64(4, args[1]),
		BPFVM_LD_IMM64(5, args[2]),
		BPFVM_CALL_HELPER(6),
		BPFVM_EXIT(),
	};
	struct capture cap = { 0 };
	struct run_result r;
	test_run(insns, sizeof(insns) / sizeof(insns[0]), engine, mem, sizeof(mem), 0, &r, capture, &cap);
	if (r.err) {
		t_fail("trace_printk \"%s\" [%s]: run failed %d %s", c->fmt, en, r.err, r.why);
	} else if (!c->want) {
		CHECK((int64_t)r.r0 == -EINVAL && cap.calls == 0, "trace_printk \"%s\" [%s]: -EINVAL (r0 %lld, %d outputs)",
		      c->fmt, en, (long long)r.r0, cap.calls);
	} else if (cap.calls != 1 || strcmp(cap.text, c->want) || r.r0 != strlen(c->want)) {
		t_fail("trace_printk \"%s\" [%s]: want \"%s\" (%zu), got \"%s\" (r0 %lld, %d outputs)", c->fmt, en, c->want,
		       strlen(c->want), cap.text, (long long)r.r0, cap.calls);
	} else {
		t_pass("trace_printk \"%s\" [%s]", c->fmt, en);
	}
}

static void no_nul(enum bpfvm_engine engine, const char *en)
{
	uint8_t mem[8] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
	struct bpf_insn insns[] = { BPFVM_MOV64_IMM(2, 8), BPFVM_CALL_HELPER(6), BPFVM_EXIT() };
	struct capture cap = { 0 };
	struct run_result r;
	test_run(insns, 3, engine, mem, sizeof(mem), 0, &r, capture, &cap);
	CHECK(!r.err && (int64_t)r.r0 == -EINVAL && !cap.calls, "trace_printk without a NUL in fmt_size [%s]: -EINVAL", en);
}

/* bpf_trace_vprintk(fmt, size, data, data_len): arguments in a u64 array, up to 12 */
static void vprintk(enum bpfvm_engine engine, const char *en)
{
	uint8_t mem[256] = { 0 };
	const char *fmt = "%d+%d+%d+%d=%d";
	uint64_t vals[5] = { 1, 2, 3, 4, 10 };
	memcpy(mem, fmt, strlen(fmt) + 1);
	memcpy(mem + 64, vals, sizeof(vals));
	struct bpf_insn insns[] = {
		BPFVM_MOV64_IMM(2, (int32_t)strlen(fmt) + 1), BPFVM_MOV64_REG(3, 1), BPFVM_ALU64_IMM(BPF_ADD, 3, 64),
		BPFVM_MOV64_IMM(4, 40), BPFVM_CALL_HELPER(177), BPFVM_EXIT(),
	};
	struct capture cap = { 0 };
	struct run_result r;
	test_run(insns, sizeof(insns) / sizeof(insns[0]), engine, mem, sizeof(mem), 0, &r, capture, &cap);
	CHECK(!r.err && r.r0 == 10 && !strcmp(cap.text, "1+2+3+4=10"), "trace_vprintk 5 args [%s]: \"%s\" r0 %lld", en,
	      cap.text, (long long)r.r0);
	insns[3] = BPFVM_MOV64_IMM(4, 12); /* not a multiple of 8 */
	memset(&cap, 0, sizeof(cap));
	test_run(insns, sizeof(insns) / sizeof(insns[0]), engine, mem, sizeof(mem), 0, &r, capture, &cap);
	CHECK(!r.err && (int64_t)r.r0 == -EINVAL && !cap.calls, "trace_vprintk data_len 12 [%s]: -EINVAL", en);
}

/* bpf_snprintf(str, size, fmt, data, data_len): returns the length with the NUL, truncates to size */
static void snprintf_helper(enum bpfvm_engine engine, const char *en)
{
	uint8_t mem[256] = { 0 };
	const char *fmt = "n=%d s=%s";
	uint64_t vals[2] = { 42, 0 };
	memcpy(mem, fmt, strlen(fmt) + 1);
	memcpy(mem + 32, "abc", 4);
	for (int size = 0; size <= 12; size += 4) {
		vals[1] = (uint64_t)(uintptr_t)(mem + 32);
		memcpy(mem + 64, vals, sizeof(vals));
		memset(mem + 128, 'X', 32);
		struct bpf_insn insns[] = {
			BPFVM_MOV64_REG(3, 1),             /* fmt = mem */
			BPFVM_MOV64_REG(4, 1),
			BPFVM_ALU64_IMM(BPF_ADD, 4, 64),   /* data = mem + 64 */
			BPFVM_ALU64_IMM(BPF_ADD, 1, 128),  /* str = mem + 128 */
			BPFVM_MOV64_IMM(2, size),
			BPFVM_MOV64_IMM(5, 16),
			BPFVM_CALL_HELPER(165),
			BPFVM_EXIT(),
		};
		struct run_result r;
		test_run(insns, sizeof(insns) / sizeof(insns[0]), engine, mem, sizeof(mem), 0, &r, NULL, NULL);
		const char *full = "n=42 s=abc";
		char want[32];
		snprintf(want, sizeof(want), "%.*s", size ? size - 1 : 0, full);
		bool ok = !r.err && r.r0 == strlen(full) + 1 &&
			  (size == 0 ? mem[128] == 'X' : !memcmp(mem + 128, want, strlen(want) + 1)) &&
			  mem[128 + size] == 'X';
		CHECK(ok, "snprintf size %d [%s]: r0 %lld \"%.*s\"", size, en, (long long)r.r0, size, (char *)mem + 128);
	}
}

int main(void)
{
	for (size_t e = 0; e < N_TEST_ENGINES; e++) {
		for (size_t i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++)
			run_fmt(&fcases[i], test_engines[e].engine, test_engines[e].name);
		no_nul(test_engines[e].engine, test_engines[e].name);
		vprintk(test_engines[e].engine, test_engines[e].name);
		snprintf_helper(test_engines[e].engine, test_engines[e].name);
	}
	return t_done();
}
