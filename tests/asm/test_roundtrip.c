/* test_roundtrip.c - every opcodes.def form, with random fields: disassembled, assembled back, same bytes */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "helpers/helpers.h"
#include "isa/opcodes.h"
#include "lib/harness.h"

/* one instance of form op with random field values; n = 2 for LD_IMM64 */
static size_t make_insn(enum bpfvm_op op, uint64_t *rng, struct bpf_insn out[2])
{
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	struct bpf_insn *in = &out[0];

	memset(out, 0, 2 * sizeof(*out));
	in->code = oi->code;
	if (oi->fields & F_DST)
		in->dst_reg = (uint8_t)(t_rand(rng) % 11);
	if (oi->fields & F_SRC)
		in->src_reg = (uint8_t)(t_rand(rng) % 11);
	if (oi->fields & F_OFF)
		in->off = (int16_t)t_rand(rng);
	if (oi->fields & F_IMM)
		in->imm = (int32_t)t_rand(rng);
	if (oi->key == K_OFF)
		in->off = (int16_t)oi->keyval;
	else if (oi->key == K_IMM)
		in->imm = oi->keyval;
	else if (oi->key == K_SRC)
		in->src_reg = (uint8_t)oi->keyval;
	if (op == BPFVM_OP_CALL_HELPER) {
		uint32_t n = 0;
		while (bpfvm_helper_name(n))
			n++;
		in->imm = (int32_t)(t_rand(rng) % n);
	}
	if (op == BPFVM_OP_CALL_KFUNC)
		in->off = 0; /* the BTF fd index is not part of the text */
	if (op != BPFVM_OP_LD_IMM64)
		return 1;
	in->src_reg = (uint8_t)(t_rand(rng) % 7);
	bool has_hi = in->src_reg == 0 || in->src_reg == BPF_PSEUDO_MAP_VALUE || in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE;
	out[1].imm = has_hi ? (int32_t)t_rand(rng) : 0;
	return 2;
}

int main(void)
{
	uint64_t rng = t_seed("asm roundtrip");
	long rounds = t_env_count("BPFVM_ROUNDTRIP_ROUNDS", 200), forms = 0;
	int failed_forms = 0;

	for (int op = 0; op < BPFVM_OP__COUNT; op++) {
		int bad = 0;
		for (long r = 0; r < rounds && bad < 1; r++) {
			struct bpf_insn in[2], *back = NULL;
			size_t n = make_insn((enum bpfvm_op)op, &rng, in), cnt = 0;
			char text[256];
			struct bpfvm_log log = { 0 };

			bpfvm_disasm_insn(&bpfvm_asm_printer, in, n, 0, text, sizeof(text));
			int err = bpfvm_asm(text, strlen(text), "roundtrip", BPFVM_ASM_KERNEL, &back, &cnt, &log);
			if (err || cnt != n || memcmp(back, in, n * sizeof(*in))) {
				bad++;
				t_fail("roundtrip %s: '%s' -> %s", bpfvm_opinfo[op].name, text,
				       err ? log.last_error : "different bytes");
			}
			free(back);
		}
		forms++;
		failed_forms += bad > 0;
	}
	if (!failed_forms)
		t_pass("roundtrip: %ld forms x %ld random instances each: disassembled text assembles to the same bytes",
		       forms, rounds);
	printf("FIGURE asm roundtrip: %ld/%ld opcodes.def forms\n", forms - failed_forms, forms);
	return t_done();
}
