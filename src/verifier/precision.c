/* precision.c - precision marks: which scalars' exact values a verdict depended on (mark_chain_precision)
 *
 * bpfvm compares every scalar by its range when pruning (states.c), as if all were precise, so a mark only
 * records the fact for the log; no backtracking through parent states is needed for soundness. */
#include "verifier/verifier.h"

int mark_chain_precision(struct bpfvm_verifier_env *env, int regno)
{
	struct bpf_reg_state *reg;

	if (regno < 0 || regno >= MAX_BPF_REG)
		return 0;
	reg = &cur_regs(env)[regno];
	if (reg->type == SCALAR_VALUE)
		reg->precise = true;
	return 0;
}
