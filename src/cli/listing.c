/* listing.c - how the CLI lists instructions: the kernel log's format, pseudo LD_IMM64 sources by name */
#include <stdio.h>

#include "cli/listing.h"

static const char *pseudo_imm_name(void *arg, const struct bpf_insn *insn, uint64_t full_imm, char *buf,
				   size_t size)
{
	static const char *const names[] = { NULL, "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value" };
	int32_t lo = (int32_t)(uint32_t)full_imm, hi = (int32_t)(uint32_t)(full_imm >> 32);

	(void)arg;
	if (insn->src_reg == 0 || insn->src_reg >= sizeof(names) / sizeof(names[0]))
		return NULL;
	if (insn->src_reg == BPF_PSEUDO_MAP_VALUE || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
		snprintf(buf, size, "%s(%d, %d)", names[insn->src_reg], lo, hi);
	else
		snprintf(buf, size, "%s(%d)", names[insn->src_reg], lo);
	return buf;
}

const struct bpfvm_insn_printer cli_insn_printer = { .imm_name = pseudo_imm_name };
