/* liveness.c - which registers each instruction may still read: a backward dataflow over the program (the kernel's
 * compute_live_registers); pruning compares only live registers, and level 2 logs print the table */
#include <stdlib.h>
#include <string.h>

#include "verifier/calls.h"
#include "verifier/verifier.h"

#define R0 (1u << 0)
#define ARGS 0x3eu /* r1-r5 */

/* the registers insn i reads (use) and writes (def) */
static void use_def(const struct bpfvm_verifier_env *env, uint32_t i, uint16_t *use, uint16_t *def)
{
	const struct bpf_insn *in = &env->insns[i];
	uint8_t class = BPF_CLASS(in->code), op = BPF_OP(in->code), mode = BPF_MODE(in->code);
	uint16_t dst = (uint16_t)(1u << (in->dst_reg & 0xf)), src = (uint16_t)(1u << (in->src_reg & 0xf));

	*use = *def = 0;
	switch (class) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_MOV) {
			*use = BPF_SRC(in->code) == BPF_X ? src : 0;
		} else if (op == BPF_NEG || op == BPF_END) {
			*use = dst;
		} else {
			*use = dst | (BPF_SRC(in->code) == BPF_X ? src : 0);
		}
		*def = dst;
		return;
	case BPF_LDX:
		*use = src;
		*def = dst;
		return;
	case BPF_ST:
		*use = dst;
		return;
	case BPF_STX:
		*use = dst | src;
		if (mode == BPF_ATOMIC) {
			if (in->imm == BPF_CMPXCHG) {
				*use |= R0;
				*def = R0;
			} else if (in->imm & BPF_FETCH) {
				*def = src;
			} else if (in->imm == BPF_LOAD_ACQ) {
				*use = src;
				*def = dst;
			}
		}
		return;
	case BPF_LD:
		if (mode == BPF_IMM) {
			*def = dst;
		} else { /* LD_ABS/LD_IND: the context in r6; r0 and r1-r5 are written */
			*use = (uint16_t)(1u << 6) | (mode == BPF_IND ? src : 0);
			*def = R0 | ARGS;
		}
		return;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_EXIT) {
			*use = R0;
		} else if (op == BPF_CALL) {
			*def = R0 | ARGS;
			*use = ARGS;
			if (in->src_reg == 0) { /* a helper: only the arguments its prototype has */
				const struct helper_proto *p = helper_proto(in->imm);
				if (p) {
					*use = 0;
					for (int a = 0; a < 5; a++)
						if (p->arg_type[a])
							*use |= (uint16_t)(1u << (a + 1));
				}
			}
		} else if (op != BPF_JA && op != BPF_JCOND) {
			*use = dst | (BPF_SRC(in->code) == BPF_X ? src : 0);
		}
		return;
	}
}

/* where control goes after insn i (up to two places) */
static int successors(const struct bpfvm_verifier_env *env, uint32_t i, uint32_t succ[2])
{
	const struct bpf_insn *in = &env->insns[i];
	uint8_t class = BPF_CLASS(in->code), op = BPF_OP(in->code);
	int n = 0;

	if (class == BPF_LD && BPF_MODE(in->code) == BPF_IMM)
		succ[n++] = i + 2;
	else if ((class == BPF_JMP || class == BPF_JMP32) && op == BPF_EXIT)
		return 0;
	else if ((class == BPF_JMP || class == BPF_JMP32) && op == BPF_JA)
		succ[n++] = (uint32_t)((int64_t)i + 1 + (class == BPF_JMP ? in->off : in->imm));
	else if ((class == BPF_JMP || class == BPF_JMP32) && op != BPF_CALL) {
		succ[n++] = i + 1;
		succ[n++] = (uint32_t)((int64_t)i + 1 + in->off);
	} else {
		succ[n++] = i + 1;
	}
	int k = 0;
	for (int j = 0; j < n; j++)
		if (succ[j] < env->insn_cnt)
			succ[k++] = succ[j];
	return k;
}

int compute_live_registers(struct bpfvm_verifier_env *env)
{
	uint32_t n = env->insn_cnt;
	uint16_t *use = calloc(n, sizeof(*use)), *def = calloc(n, sizeof(*def));
	if (!use || !def) {
		free(use);
		free(def);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		use_def(env, i, &use[i], &def[i]);
	for (bool changed = true; changed;) {
		changed = false;
		for (uint32_t i = n; i-- > 0;) {
			uint32_t succ[2];
			uint16_t out = 0;
			int k = successors(env, i, succ);
			for (int j = 0; j < k; j++)
				out |= env->insn_aux_data[succ[j]].live_regs_before;
			uint16_t in = (uint16_t)(use[i] | (out & ~def[i]));
			if (in != env->insn_aux_data[i].live_regs_before) {
				env->insn_aux_data[i].live_regs_before = in;
				changed = true;
			}
		}
	}
	free(use);
	free(def);
	if (env->log_level & 2) {
		verbose(env, "Live regs before insn:\n");
		for (uint32_t i = 0; i < n; i++) {
			char regs[11];
			for (int r = 0; r < 10; r++)
				regs[r] = env->insn_aux_data[i].live_regs_before & (1u << r) ? (char)('0' + r) : '.';
			regs[10] = 0;
			verbose(env, "%7u: %s ", i, regs);
			print_bpf_insn(env, &env->insns[i]);
			if (env->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW))
				i++; /* the second slot is not an instruction */
		}
	}
	return 0;
}
