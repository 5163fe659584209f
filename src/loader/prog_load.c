/* prog_load.c - load one program of an object: verify it, turn map references into pointers, make it runnable */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/verifier.h"
#include "interp/prog.h"
#include "loader/loader.h"

/*
 * After verification the kernel replaces an LD_IMM64 of a map fd by the map's address and of a map value by
 * the value's address (resolve_pseudo_ldimm64); the engines then see plain 64-bit constants. We do the same, so
 * the interpreter and the JIT need no knowledge of objects: a map reference is the struct bpfvm_map * itself.
 */
static int resolve_ldimm64(struct bpfvm_object *obj, struct loader_prog *p, struct bpf_insn *insns)
{
	for (size_t i = 0; i + 1 < p->insn_cnt; i++) {
		struct bpf_insn *in = &insns[i];
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		uint64_t addr;
		int err = 0;
		if (in->src_reg == BPF_PSEUDO_MAP_FD)
			err = loader_map_addr(obj, in->imm - BPFVM_MAP_FD_BASE, &addr);
		else if (in->src_reg == BPF_PSEUDO_MAP_VALUE)
			err = loader_map_value_addr(obj, in->imm - BPFVM_MAP_FD_BASE, (uint32_t)in[1].imm, &addr);
		else {
			i++;
			continue;
		}
		if (err) {
			pr_err(obj, "%s: program '%s': insn %zu: map reference #%d cannot be resolved", obj->name, p->name,
			       i, in->imm);
			return err;
		}
		in[0].src_reg = 0;
		in[0].imm = (uint32_t)addr;
		in[1].imm = (uint32_t)(addr >> 32);
		i++;
	}
	return 0;
}

int prog_load(struct bpfvm_object *obj, struct loader_prog *p)
{
	/* as BPF_PROG_LOAD: a program the verifier rejects does not load; the log says why */
	struct bpfvm_verify_stats stats = { 0 };
	BPFVM_OPTS(bpfvm_verify_opts, vo, .log_level = 1, .stats = &stats);
	int verr = loader_verify_prog(obj, p, &vo);
	if (verr) {
		if (verr == -ENOMEM)
			pr_err(obj, "%s: program '%s': out of memory while verifying it", obj->name, p->name);
		else
			pr_err(obj, "%s: program '%s': the verifier rejects it: %s", obj->name, p->name, stats.err_line);
		return verr;
	}
	struct bpf_insn *insns = malloc(p->insn_cnt * sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	memcpy(insns, p->insns, p->insn_cnt * sizeof(*insns));
	int err = resolve_ldimm64(obj, p, insns);
	if (!err) {
		BPFVM_OPTS(bpfvm_prog_opts, popts, .name = p->name, .prog_type = p->prog_type, .log = obj->log);
		p->prog = bpfvm_prog__new(insns, p->insn_cnt, &popts);
		if (!p->prog)
			err = errno ? -errno : -EINVAL;
	}
	free(insns);
	return err;
}

void prog_unload(struct loader_prog *p)
{
	bpfvm_prog__free(p->prog);
	p->prog = NULL;
}
