/* diffutil.c - per-program seeds, program and context dumps for the differential tests */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/diffutil.h"
#include "lib/kernel.h"

uint64_t diff_prog_state(uint64_t seed, long idx)
{
	/* splitmix64 of (seed, idx): neighbouring indexes get unrelated states */
	uint64_t z = seed + (uint64_t)(idx + 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

void diff_print_prog(FILE *f, const struct bpf_insn *insns, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		fprintf(f, "  %4zu: %02x %x %x %6d %11d\n", i, in->code, in->dst_reg, in->src_reg, in->off, in->imm);
	}
}

static uint64_t slot(const void *ctx, size_t off)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)ctx + off, 8);
	return v;
}

/* "r3", "stack[-24]" or "mem[+16]" for the u64 at ctx offset off */
static void slot_name(char *buf, size_t n, const struct progen_prog *p, size_t off)
{
	if (off < PROGEN_CTX_STACK)
		snprintf(buf, n, "r%zu", (off - PROGEN_CTX_REGS) / 8);
	else if (off < PROGEN_CTX_STACK + p->stack)
		snprintf(buf, n, "stack[%d]", (int)(off - PROGEN_CTX_STACK) - 16 - (int)p->stack);
	else
		snprintf(buf, n, "mem[+%zu]", off - p->mem_off);
}

void diff_print_ctx(FILE *f, const struct progen_prog *p, const void *ctx)
{
	char name[32];
	for (size_t off = 0; off + 8 <= p->ctx_size; off += 8) {
		slot_name(name, sizeof(name), p, off);
		fprintf(f, "  %-12s 0x%016" PRIx64 "\n", name, slot(ctx, off));
	}
}

int diff_describe_ctx(char *buf, size_t n, const struct progen_prog *p, const void *a, const void *b, uint32_t ret_a,
		      uint64_t ret_b)
{
	size_t len = 0;
	int diffs = 0;
	char name[32];

	if (n)
		buf[0] = '\0';
	if (ret_a != (uint32_t)ret_b) {
		diffs++;
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "retval 0x%x != 0x%x; ", ret_a,
					(uint32_t)ret_b);
	}
	for (size_t off = 0; off + 8 <= p->ctx_size; off += 8) {
		uint64_t x = slot(a, off), y = slot(b, off);
		if (x == y)
			continue;
		diffs++;
		slot_name(name, sizeof(name), p, off);
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s 0x%" PRIx64 " != 0x%" PRIx64 "; ", name, x,
					y);
	}
	if (len >= 2 && len < n)
		buf[len - 2] = '\0';
	return diffs;
}

int diff_kernel_dead_insns(const struct bpf_insn *insns, size_t cnt, uint8_t *dead)
{
	const size_t log_size = 64u << 20;
	char *log = malloc(log_size);
	int n = 0;

	if (!log)
		return -ENOMEM;
	struct kernel_load_opts o = { .prog_type = BPF_PROG_TYPE_SYSCALL, .prog_flags = BPF_F_SLEEPABLE,
				      .insns = insns, .insn_cnt = cnt, .log_level = 2, .log_buf = log,
				      .log_size = log_size };
	int fd = kernel_prog_load(&o);
	if (fd < 0) {
		free(log);
		return fd;
	}
	close(fd);
	memset(dead, 1, cnt);
	/* every visited instruction is printed as "N: (code) text" at log_level 2 */
	for (const char *p = log; p && *p;) {
		char *end;
		unsigned long idx = strtoul(p, &end, 10);
		if (end != p && end[0] == ':' && end[1] == ' ' && end[2] == '(' && idx < cnt)
			dead[idx] = 0;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	for (size_t i = 0; i < cnt; i++) {
		/* the second slot of an LD_IMM64 is never printed on its own */
		if (i > 0 && insns[i - 1].code == (BPF_LD | BPF_DW | BPF_IMM) && !dead[i - 1])
			dead[i] = 0;
		n += dead[i];
	}
	free(log);
	return n;
}

void diff_poison_dead(const struct bpf_insn *insns, size_t cnt, const uint8_t *dead, struct bpf_insn *out)
{
	memcpy(out, insns, cnt * sizeof(*insns));
	for (size_t i = 0; i < cnt; i++) {
		if (!dead[i])
			continue;
		bool second = i > 0 && insns[i - 1].code == (BPF_LD | BPF_DW | BPF_IMM) && dead[i - 1];
		if (second) /* the rest of a poisoned LD_IMM64: a no-op, never reached */
			out[i] = BPFVM_JA(0);
		else /* r0 = *(u64 *)(r10 - 32000): below every frame's stack, outside every region of the run */
			out[i] = BPFVM_LDX_MEM(BPF_DW, 0, 10, -32000);
	}
}

static bool is_cmpxchg32(const struct bpf_insn *in)
{
	return in->code == (BPF_STX | BPF_ATOMIC | BPF_W) && in->imm == BPF_CMPXCHG;
}

size_t diff_zext_cmpxchg32(const struct bpf_insn *insns, size_t cnt, struct bpf_insn *out, size_t max)
{
	size_t *at = malloc((cnt + 1) * sizeof(*at)); /* at[i]: where old instruction i lands in out */
	size_t n = 0;

	if (!at)
		return 0;
	for (size_t i = 0; i <= cnt; i++) {
		at[i] = n;
		if (i < cnt)
			n += is_cmpxchg32(&insns[i]) ? 2 : 1;
	}
	if (n > max) {
		free(at);
		return 0;
	}
	for (size_t i = 0; i < cnt; i++) {
		struct bpf_insn in = insns[i];
		uint8_t cls = BPF_CLASS(in.code), op = BPF_OP(in.code);
		bool second = i > 0 && insns[i - 1].code == (BPF_LD | BPF_DW | BPF_IMM);
		/* a jump to old i + 1 + off goes to where that instruction is now */
		if (!second && (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_EXIT) {
			if (op == BPF_CALL) {
				if (in.src_reg == BPF_PSEUDO_CALL)
					in.imm = (int32_t)((long)at[(long)i + 1 + in.imm] - (long)at[i] - 1);
			} else if (cls == BPF_JMP32 && op == BPF_JA) {
				in.imm = (int32_t)((long)at[(long)i + 1 + in.imm] - (long)at[i] - 1);
			} else {
				in.off = (int16_t)((long)at[(long)i + 1 + in.off] - (long)at[i] - 1);
			}
		}
		out[at[i]] = in;
		if (is_cmpxchg32(&insns[i]))
			out[at[i] + 1] = BPFVM_INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 0);
	}
	free(at);
	return n;
}
