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
	volatile uint64_t sum = 0;
	for (size_t i = 0; i < bpfvm_object__prog_cnt(obj); i++) {
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, i, &pi);
		for (size_t j = 0; j < pi.insn_cnt; j++)
			sum += pi.insns[j].imm;
		char line[128];
		for (uint32_t j = 0; j < pi.line_info_cnt; j++)
			sum += bpfvm_object__format_line_info(obj, &pi.line_info[j], line, sizeof(line));
		for (size_t j = 0; j < pi.insn_cnt; j++)
			if (pi.insns[j].code == (BPF_LD | BPF_IMM | BPF_DW))
				sum += bpfvm_object__map_idx_by_fd(obj, pi.insns[j].imm);
	}
	for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
		struct bpfvm_object_map_info mi;
		bpfvm_object__map_info(obj, i, &mi);
	}
	size_t btf_size;
	const uint8_t *btf = bpfvm_object__btf_raw(obj, &btf_size); /* the sanitizer for BPF_BTF_LOAD */
	if (btf && btf_size)
		sum += btf[btf_size - 1];
	bpfvm_object__close(obj);
	return 0;
}
