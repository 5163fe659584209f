/* fuzz_raw.c - libFuzzer: any bytes as raw bytecode: encoding checks, the disassembler, a checked-mode run */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "bpfvm/bpfvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cnt = size / sizeof(struct bpf_insn);
	struct bpf_insn *insns = malloc(cnt ? cnt * sizeof(*insns) : 1);
	char text[256];

	if (!insns)
		return 0;
	memcpy(insns, data, cnt * sizeof(*insns));
	for (size_t i = 0; i < cnt; i++)
		bpfvm_disasm_insn(NULL, insns, cnt, i, text, sizeof(text));

	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_prog_opts, po, .log = &log);
	struct bpfvm_prog *prog = bpfvm_prog__new(insns, cnt, &po);
	if (prog) {
		/* unverified code runs only bounds-checked: every access outside stack and mem must stop the run */
		uint8_t mem[64] = { 0 };
		BPFVM_OPTS(bpfvm_run_opts, ro, .mem = mem, .mem_len = sizeof(mem), .engine = BPFVM_ENGINE_CHECKED,
			   .max_insns = 4096, .log = &log);
		bpfvm_prog__run(prog, &ro);
		bpfvm_prog__free(prog);
	}
	free(insns);
	return 0;
}
