/* dump.c - `prog dump --jited`: the JIT image disassembled with Capstone, each block under its BPF instruction */
#include <errno.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "common/log_internal.h"
#include "isa/opcodes.h"
#include "jit/jit.h"

static void print_block(FILE *out, csh cs, const uint8_t *image, uint32_t from, uint32_t to)
{
	cs_insn *x;
	size_t n = cs_disasm(cs, image + from, to - from, from, 0, &x);
	size_t done = 0;

	for (size_t k = 0; k < n; k++) {
		fprintf(out, "  %4llx:\t", (unsigned long long)x[k].address);
		for (int b = 0; b < x[k].size; b++)
			fprintf(out, "%02x ", x[k].bytes[b]);
		fprintf(out, "%*s%s\t%s\n", (int)(3 * (12 - x[k].size > 0 ? 12 - x[k].size : 0)), "", x[k].mnemonic,
			x[k].op_str);
		done += x[k].size;
	}
	if (n)
		cs_free(x, n);
	if (from + done < to)
		fprintf(out, "  %4x:\t(%u bytes Capstone could not decode)\n", (unsigned)(from + done),
			(unsigned)(to - from - done));
}

int bpfvm_jit_dump(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *opts, FILE *out, bpfvm_insn_text_fn text,
		   void *arg, struct bpfvm_log *log)
{
	uint32_t *off = NULL;
	csh cs;
	int err = bpfvm_jit_compile_opts(prog, opts, log, &off);

	if (err)
		return err;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		free(off);
		bpfvm_logf(log, "JIT dump: cannot open Capstone");
		return -ENOTSUP;
	}
	for (size_t i = 0, next; i < prog->insn_cnt; i = next) {
		char buf[160];

		next = i + (bpfvm_op_of(&prog->insns[i]) == BPFVM_OP_LD_IMM64 ? 2 : 1);
		if (next > prog->insn_cnt)
			next = prog->insn_cnt;
		if (text)
			text(arg, prog->insns, i, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "insn %zu: code 0x%02x dst r%d src r%d off %d imm %d", i,
				 prog->insns[i].code, prog->insns[i].dst_reg, prog->insns[i].src_reg, prog->insns[i].off,
				 prog->insns[i].imm);
		fprintf(out, "; %s\n", buf);
		print_block(out, cs, prog->jit_image, off[i], off[next]);
	}
	fprintf(out, "; exit\n");
	print_block(out, cs, prog->jit_image, off[prog->insn_cnt], (uint32_t)prog->jit_size);
	cs_close(&cs);
	free(off);
	return 0;
}
