/* test_jit_dump.c - `prog dump --jited` output: every BPF instruction heads its block of Capstone-decoded x86 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp/prog.h"
#include "jit/jit.h"
#include "lib/harness.h"

static void text(void *arg, const struct bpf_insn *insns, size_t idx, char *buf, size_t len)
{
	snprintf(buf, len, "insn %zu code 0x%02x", idx, insns[idx].code);
}

static void count_x86(void *arg, long bpf_idx, uint32_t addr, const uint8_t *bytes, size_t len, const char *mnemonic,
		      const char *operands)
{
	long *c = arg;

	if (!len)
		return;
	c[0]++;
	if (!strcmp(mnemonic, "(bad)"))
		c[1]++;
	if (bpf_idx < -1 || bpf_idx >= 9)
		c[2]++;
}

int main(void)
{
	struct bpf_insn insns[] = { BPFVM_MOV64_IMM(0, 1), BPFVM_LD_IMM64(1, 0x1122334455667788ull),
				    BPFVM_JMP_IMM(BPF_JEQ, 0, 1, 1), BPFVM_ALU64_IMM(BPF_ADD, 0, 5),
				    BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 1), BPFVM_EXIT(), BPFVM_MOV64_IMM(0, 7),
				    BPFVM_EXIT() };
	struct bpfvm_prog prog = { .insns = insns, .insn_cnt = 9 };
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	long c[3] = { 0 };
	int err = bpfvm_jit_dump(&prog, NULL, f, text, NULL, NULL);

	fclose(f);
	CHECK(err == 0, "jit dump: returns 0 (%d)", err);
	/* one header per instruction, the LD_IMM64's second slot excepted */
	CHECK(out && strstr(out, "; insn 0 code 0xb7") && strstr(out, "; insn 1 code 0x18") &&
		      !strstr(out, "; insn 2 code 0x00") && strstr(out, "; insn 8 code 0x95") &&
		      strstr(out, "; exit paths (shared)"),
	      "jit dump: a header line per BPF instruction");
	CHECK(out && strstr(out, "push\trbp") && strstr(out, "movabs\trdi, 0x1122334455667788") && strstr(out, "call\t"),
	      "jit dump: Capstone's x86 text under them");
	CHECK(out && strstr(out, "; insn 4 code 0x07 (compiled with the instruction above)"),
	      "jit dump: a fused instruction keeps its header");
	err = bpfvm_jit_disasm(&prog, NULL, count_x86, c, NULL);
	CHECK(err == 0 && c[0] > 20 && c[1] == 0 && c[2] == 0, "jit disasm: %ld x86 instructions, none undecodable", c[0]);
	if (getenv("BPFVM_JIT_DUMP_SHOW"))
		fputs(out, stderr);
	free(out);
	bpfvm_jit_release(&prog);
	return t_done();
}
