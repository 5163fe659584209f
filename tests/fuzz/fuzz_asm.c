/* fuzz_asm.c - libFuzzer: the assembler on any text (both syntaxes); what assembles must list and assemble back */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"

static void check_roundtrip(const struct bpf_insn *insns, size_t cnt)
{
	char text[256];

	for (size_t i = 0; i < cnt; i++) {
		if (i && insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		bpfvm_disasm_insn(&bpfvm_asm_printer, insns, cnt, i, text, sizeof(text));
		/* a lone instruction: jumps and calls keep their numeric offsets, so it assembles on its own */
		struct bpf_insn *back = NULL;
		size_t n = 0, want = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < cnt ? 2 : 1;
		struct bpfvm_log log = { 0 };
		if (want == 1 && insns[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			continue; /* a truncated LD_IMM64 at the end has no text of its own */
		if (bpfvm_asm(text, strlen(text), "roundtrip", BPFVM_ASM_KERNEL, &back, &n, &log) || n != want ||
		    memcmp(back, &insns[i], want * sizeof(*back))) {
			fprintf(stderr, "roundtrip: '%s' does not assemble back to itself (%s)\n", text, log.last_error);
			abort();
		}
		free(back);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum bpfvm_asm_syntax syntaxes[] = { BPFVM_ASM_AUTO, BPFVM_ASM_KERNEL, BPFVM_ASM_UBPF };

	for (size_t s = 0; s < sizeof(syntaxes) / sizeof(syntaxes[0]); s++) {
		struct bpf_insn *insns = NULL;
		size_t cnt = 0;
		struct bpfvm_log log = { 0 };
		if (!bpfvm_asm((const char *)data, size, "fuzz", syntaxes[s], &insns, &cnt, &log))
			check_roundtrip(insns, cnt);
		free(insns);
	}
	return 0;
}
