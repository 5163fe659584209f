/* test_opcodes.c - opcodes.def is self-consistent: every row decodes to itself, forms are distinct, checks fire */
#include <errno.h>
#include <string.h>

#include "isa/opcodes.h"
#include "lib/harness.h"

static struct bpf_insn row_insn(int op)
{
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	struct bpf_insn insn = { .code = oi->code };
	if (oi->key == K_OFF) insn.off = (int16_t)oi->keyval;
	if (oi->key == K_IMM) insn.imm = oi->keyval;
	if (oi->key == K_SRC) insn.src_reg = (uint8_t)oi->keyval;
	return insn;
}

int main(void)
{
	int bad = 0;
	for (int op = 0; op < BPFVM_OP__COUNT; op++) {
		struct bpf_insn insn = row_insn(op);
		if (bpfvm_op_of(&insn) != (enum bpfvm_op)op) {
			t_fail("row %s decodes to %d", bpfvm_opinfo[op].name, bpfvm_op_of(&insn));
			bad++;
		}
	}
	CHECK(bad == 0, "every opcodes.def row decodes to itself (%d rows)", BPFVM_OP__COUNT);

	/* no two rows claim the same (code, key value) */
	int dup = 0;
	for (int a = 0; a < BPFVM_OP__COUNT; a++)
		for (int b = a + 1; b < BPFVM_OP__COUNT; b++)
			if (bpfvm_opinfo[a].code == bpfvm_opinfo[b].code && bpfvm_opinfo[a].key == bpfvm_opinfo[b].key &&
			    bpfvm_opinfo[a].keyval == bpfvm_opinfo[b].keyval)
				dup++;
	CHECK(dup == 0, "no duplicate forms");

	struct bpfvm_log log = { 0 };
	struct bpf_insn ok[] = { BPFVM_MOV64_IMM(0, 1), BPFVM_LD_IMM64(1, 0x123456789ULL), BPFVM_EXIT() };
	CHECK(bpfvm_insns_check(ok, 4, &log) == 0, "valid program passes the encoding check");

	struct bpf_insn unknown[] = { BPFVM_INSN(0xff, 0, 0, 0, 0), BPFVM_EXIT() };
	CHECK(bpfvm_insns_check(unknown, 2, &log) == -EINVAL && strstr(log.last_error, "unknown opcode ff"),
	      "unknown opcode is rejected with its index: %s", log.last_error);

	struct bpf_insn badreg[] = { BPFVM_MOV64_IMM(11, 1), BPFVM_EXIT() };
	CHECK(bpfvm_insns_check(badreg, 2, &log) == -EINVAL && strstr(log.last_error, "R11 is invalid"),
	      "register 11 is rejected: %s", log.last_error);

	struct bpf_insn reserved[] = { BPFVM_INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 3, 0, 1), BPFVM_EXIT() };
	CHECK(bpfvm_insns_check(reserved, 2, &log) == -EINVAL && strstr(log.last_error, "uses reserved fields"),
	      "reserved src_reg on an immediate ALU op: %s", log.last_error);

	struct bpf_insn far[] = { BPFVM_JA(5), BPFVM_EXIT() };
	CHECK(bpfvm_insns_check(far, 2, &log) == -EINVAL && strstr(log.last_error, "jump out of range"),
	      "jump out of range: %s", log.last_error);

	struct bpf_insn mid[] = { BPFVM_JA(1), BPFVM_LD_IMM64(1, 1), BPFVM_EXIT() };
	CHECK(bpfvm_insns_check(mid, 4, &log) == -EINVAL && strstr(log.last_error, "middle of ldimm64"),
	      "jump into an LD_IMM64's second slot: %s", log.last_error);

	struct bpf_insn half[] = { BPFVM_EXIT(), BPFVM_INSN(0x18, 1, 0, 0, 1) };
	CHECK(bpfvm_insns_check(half, 2, &log) == -EINVAL && strstr(log.last_error, "ld_imm64"),
	      "truncated LD_IMM64: %s", log.last_error);

	CHECK(bpfvm_insns_check(ok, 0, &log) == -EINVAL, "empty program is rejected");
	return t_done();
}
