/* dump.c - `prog dump --jited`: the JIT image disassembled with Capstone, each block under its BPF instruction */
#include <errno.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "common/log_internal.h"
#include "isa/opcodes.h"
#include "jit/jit.h"

/* disassemble [from, to) of the image, one callback per x86 instruction */
static void walk_block(csh cs, const uint8_t *image, uint32_t from, uint32_t to, long bpf_idx, bpfvm_jit_x86_fn fn,
		       void *arg)
{
	cs_insn *x;
	size_t n = cs_disasm(cs, image + from, to - from, from, 0, &x);
	uint32_t done = 0;

	for (size_t k = 0; k < n; k++) {
		fn(arg, bpf_idx, (uint32_t)x[k].address, x[k].bytes, x[k].size, x[k].mnemonic, x[k].op_str);
		done += x[k].size;
	}
	if (n)
		cs_free(x, n);
	if (from + done < to) /* bytes Capstone does not know: shown raw */
		fn(arg, bpf_idx, from + done, image + from + done, to - from - done, "(bad)", "");
}

int bpfvm_jit_disasm(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *opts, bpfvm_jit_x86_fn fn, void *arg,
		     struct bpfvm_log *log)
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
		next = i + (bpfvm_op_of(&prog->insns[i]) == BPFVM_OP_LD_IMM64 ? 2 : 1);
		if (next > prog->insn_cnt)
			next = prog->insn_cnt;
		/* the main prologue is shown with instruction 0, a subprogram's with its first instruction; an
		 * instruction a peephole compiled with its predecessor has no code: reported with len 0 */
		if (off[i] == off[next])
			fn(arg, (long)i, off[i], NULL, 0, "", "");
		else
			walk_block(cs, prog->jit_image, off[i], off[next], (long)i, fn, arg);
	}
	walk_block(cs, prog->jit_image, off[prog->insn_cnt], (uint32_t)prog->jit_size, -1, fn, arg);
	cs_close(&cs);
	free(off);
	return 0;
}

struct text_dump {
	FILE *out;
	const struct bpfvm_prog *prog;
	bpfvm_insn_text_fn text;
	void *arg;
	long last;
};

static void print_x86(void *arg, long bpf_idx, uint32_t addr, const uint8_t *bytes, size_t len, const char *mnemonic,
		      const char *operands)
{
	struct text_dump *d = arg;
	char buf[160];
	int col = 0;

	if (bpf_idx != d->last) {
		const struct bpf_insn *in = bpf_idx >= 0 ? &d->prog->insns[bpf_idx] : NULL;

		if (!in)
			snprintf(buf, sizeof(buf), "exit paths (shared)");
		else if (d->text)
			d->text(d->arg, d->prog->insns, (size_t)bpf_idx, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%ld: code 0x%02x dst r%d src r%d off %d imm %d", bpf_idx, in->code,
				 in->dst_reg, in->src_reg, in->off, in->imm);
		fprintf(d->out, "; %s%s\n", buf, len ? "" : " (compiled with the instruction above)");
		d->last = bpf_idx;
	}
	if (!len)
		return;
	fprintf(d->out, "%8x:\t", addr);
	for (size_t b = 0; b < len && b < 15; b++)
		col += fprintf(d->out, "%02x ", bytes[b]);
	fprintf(d->out, "%*s%s%s%s\n", col < 36 ? 36 - col : 1, "", mnemonic, operands[0] ? "\t" : "", operands);
}

int bpfvm_jit_dump(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *opts, FILE *out, bpfvm_insn_text_fn text,
		   void *arg, struct bpfvm_log *log)
{
	struct text_dump d = { out, prog, text, arg, -2 };

	return bpfvm_jit_disasm(prog, opts, print_x86, &d, log);
}
