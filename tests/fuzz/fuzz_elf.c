/* fuzz_elf.c - libFuzzer target: open any bytes as a BPF ELF object and read every program and map back */
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, o, .log = &log, .object_name = "fuzz",
		   .btf_custom_path = "/sys/kernel/btf/vmlinux");
	struct bpfvm_object *obj = bpfvm_object__open_mem(data, size, &o);
	if (!obj) {
		if (!log.last_error[0] && size)
			__builtin_trap(); /* every rejection must say why */
		return 0;
	}
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj); i++) {
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, i, &pi);
		volatile uint64_t sum = 0;
		for (size_t j = 0; j < pi.insn_cnt; j++)
			sum += pi.insns[j].imm;
		for (uint32_t j = 0; j < pi.line_info_cnt; j++)
			sum += (uintptr_t)bpfvm_object__btf_str(obj, pi.line_info[j].line_off);
	}
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
		struct bpfvm_object_map_info mi;
		bpfvm_object__map_info(obj, i, &mi);
	}
	bpfvm_object__close(obj);
	return 0;
}
