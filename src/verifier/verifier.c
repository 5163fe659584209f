/* verifier.c - bpfvm_verify(): the checks in the kernel's order, then do_check, the main abstract-interpretation
 * loop over every path (mirrors bpf_check() and do_check() of kernel/bpf/verifier.c) */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progtypes/progtype.h"
#include "verifier/verifier.h"

static int do_check_insn(struct bpfvm_verifier_env *env, bool *do_print_state)
{
	const struct bpf_insn *insn = &env->insns[env->insn_idx];
	uint8_t class = BPF_CLASS(insn->code);
	int err;

	if (class == BPF_ALU || class == BPF_ALU64) {
		err = check_alu_op(env, insn);
		if (err)
			return err;
	} else if (class == BPF_LDX) {
		/* reserved fields were checked by resolve_pseudo_ldimm64() */
		err = check_load_mem(env, insn);
		if (err)
			return err;
	} else if (class == BPF_STX) {
		if (BPF_MODE(insn->code) == BPF_ATOMIC) {
			err = check_atomic(env, insn);
			if (err)
				return err;
			env->insn_idx++;
			return 0;
		}
		if (BPF_MODE(insn->code) != BPF_MEM || insn->imm != 0) {
			verbose(env, "BPF_STX uses reserved fields\n");
			return -EINVAL;
		}
		err = check_store_reg(env, insn);
		if (err)
			return err;
	} else if (class == BPF_ST) {
		err = check_st_mem(env, insn);
		if (err)
			return err;
	} else if (class == BPF_JMP || class == BPF_JMP32) {
		uint8_t opcode = BPF_OP(insn->code);

		env->jmps_processed++;
		if (opcode == BPF_CALL) {
			if (BPF_SRC(insn->code) != BPF_K || (insn->src_reg != BPF_PSEUDO_KFUNC_CALL && insn->off != 0) ||
			    (insn->src_reg != 0 && insn->src_reg != BPF_PSEUDO_CALL &&
			     insn->src_reg != BPF_PSEUDO_KFUNC_CALL) ||
			    insn->dst_reg != 0 || class == BPF_JMP32) {
				verbose(env, "BPF_CALL uses reserved fields\n");
				return -EINVAL;
			}
			if (env->cur_state->active_locks &&
			    ((insn->src_reg == 0 && insn->imm != BPF_FUNC_spin_unlock) ||
			     insn->src_reg == BPF_PSEUDO_KFUNC_CALL)) {
				verbose(env, "function calls are not allowed while holding a lock\n");
				return -EINVAL;
			}
			if (insn->src_reg == BPF_PSEUDO_CALL)
				err = check_func_call(env, insn, &env->insn_idx);
			else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
				err = check_kfunc_call(env, insn, &env->insn_idx);
			else
				err = check_helper_call(env, insn, &env->insn_idx);
			if (err)
				return err;
		} else if (opcode == BPF_JA) {
			if (BPF_SRC(insn->code) != BPF_K || insn->src_reg != 0 || insn->dst_reg != 0 ||
			    (class == BPF_JMP && insn->imm != 0) || (class == BPF_JMP32 && insn->off != 0)) {
				verbose(env, "BPF_JA uses reserved fields\n");
				return -EINVAL;
			}
			if (class == BPF_JMP)
				env->insn_idx += insn->off + 1;
			else
				env->insn_idx += insn->imm + 1;
			return 0;
		} else if (opcode == BPF_EXIT) {
			if (BPF_SRC(insn->code) != BPF_K || insn->imm != 0 || insn->src_reg != 0 || insn->dst_reg != 0 ||
			    class == BPF_JMP32) {
				verbose(env, "BPF_EXIT uses reserved fields\n");
				return -EINVAL;
			}
			return process_bpf_exit_full(env, do_print_state);
		} else {
			err = check_cond_jmp_op(env, insn, &env->insn_idx);
			if (err)
				return err;
		}
	} else if (class == BPF_LD) {
		uint8_t mode = BPF_MODE(insn->code);

		if (mode == BPF_ABS || mode == BPF_IND) {
			err = check_ld_abs(env, insn);
			if (err)
				return err;
		} else if (mode == BPF_IMM) {
			err = check_ld_imm(env, insn);
			if (err)
				return err;
			env->insn_idx++;
		} else {
			verbose(env, "invalid BPF_LD mode\n");
			return -EINVAL;
		}
	} else {
		verbose(env, "unknown insn class %d\n", class);
		return -EINVAL;
	}
	env->insn_idx++;
	return 0;
}

static int do_check(struct bpfvm_verifier_env *env)
{
	bool pop_log = !(env->log_level & 2);
	struct bpf_verifier_state *state = env->cur_state;
	bool do_print_state = false;
	int prev_insn_idx = -1;

	for (;;) {
		const struct bpf_insn *insn;
		int err;

		env->prev_insn_idx = prev_insn_idx;
		if (env->insn_idx < 0 || env->insn_idx >= (int)env->insn_cnt) {
			verbose(env, "invalid insn idx %d insn_cnt %d\n", env->insn_idx, env->insn_cnt);
			return -EFAULT;
		}
		insn = &env->insns[env->insn_idx];
		if (++env->insn_processed > BPF_COMPLEXITY_LIMIT_INSNS) {
			verbose(env, "BPF program is too large. Processed %d insn\n", env->insn_processed);
			return -E2BIG;
		}
		state->insn_idx = (uint32_t)env->insn_idx;

		if (env->insn_aux_data[env->insn_idx].prune_point) {
			err = is_state_visited(env, env->insn_idx);
			if (err < 0)
				return err;
			if (err == 1) {
				/* found an equivalent state: prune the search */
				if (env->log_level & 1) {
					if (do_print_state)
						verbose(env, "\nfrom %d to %d%s: safe\n", env->prev_insn_idx, env->insn_idx,
							env->cur_state->speculative ? " (speculative execution)" : "");
					else
						verbose(env, "%d: safe\n", env->insn_idx);
				}
				goto process_bpf_exit;
			}
		}
		/* the path's jump history: reached other than from the instruction before */
		env->cur_hist_ent = -1;
		if (env->prev_insn_idx >= 0 && env->prev_insn_idx + 1 != env->insn_idx) {
			err = push_jmp_history(env, state, 0);
			if (err)
				return err;
		}
		if ((env->log_level & 2) && do_print_state) {
			verbose(env, "\nfrom %d to %d%s:", env->prev_insn_idx, env->insn_idx,
				env->cur_state->speculative ? " (speculative execution)" : "");
			print_verifier_state(env, state, state->frame[state->curframe], true);
			do_print_state = false;
		}
		if (env->log_level & 3) {
			/* what the previous instruction touched, then this one; its own changes follow it */
			if (env->scratched_regs || env->scratched_stack)
				print_insn_state(env, state, state->curframe);
			do_print_state = false;
			env->prev_log_pos = bpf_vlog_pos(env);
			verbose(env, "%d: ", env->insn_idx);
			print_bpf_insn(env, insn);
			env->prev_insn_print_pos = bpf_vlog_pos(env) - env->prev_log_pos;
			env->prev_log_pos = bpf_vlog_pos(env);
		}
		env->insn_aux_data[env->insn_idx].seen = true;
		prev_insn_idx = env->insn_idx;

		err = do_check_insn(env, &do_print_state);
		if (err < 0)
			return err;
		if (err == 1)
			goto process_bpf_exit;
		continue;
process_bpf_exit:
		update_branch_counts(env, env->cur_state);
		err = pop_stack(env, &prev_insn_idx, &env->insn_idx, pop_log);
		if (err < 0) {
			if (err != -ENOENT)
				return err;
			break;
		}
		/* the popped state has its own parent chain: the states below its branch point; the log shows all of it */
		mark_verifier_state_scratched(env);
		do_print_state = true;
	}
	return 0;
}

static int do_check_main(struct bpfvm_verifier_env *env)
{
	struct bpf_verifier_state *state = calloc(1, sizeof(*state));
	struct bpf_reg_state *regs;
	int ret;

	if (!state)
		return -ENOMEM;
	state->branches = 1;
	state->frame[0] = calloc(1, sizeof(struct bpf_func_state));
	if (!state->frame[0]) {
		free(state);
		return -ENOMEM;
	}
	env->cur_state = state;
	state->frame[0]->callsite = -1;
	init_reg_state(env, state->frame[0]);
	regs = state->frame[0]->regs;
	/* 1st arg to a function */
	regs[BPF_REG_1].type = PTR_TO_CTX;
	mark_reg_known_zero(env, regs, BPF_REG_1);
	regs[BPF_REG_1].type = PTR_TO_CTX;
	mark_verifier_state_scratched(env); /* the first line of the log is the whole entry state */
	env->insn_idx = 0;
	ret = do_check(env);
	free_verifier_state(env->cur_state, true);
	env->cur_state = NULL;
	while (!pop_stack(env, NULL, NULL, false))
		;
	/* level 1 keeps only the failing path: nothing on success */
	if (!ret && !(env->log_level & 2))
		bpf_vlog_reset(env, 0);
	return ret;
}

static bool can_be_sleepable(const struct bpfvm_verifier_env *env)
{
	if (env->prog_type == BPF_PROG_TYPE_TRACING) {
		switch (env->expected_attach_type) {
		case BPF_TRACE_FENTRY: case BPF_TRACE_FEXIT: case BPF_MODIFY_RETURN: case BPF_TRACE_ITER:
			return true;
		default:
			return false;
		}
	}
	return env->prog_type == BPF_PROG_TYPE_LSM || env->prog_type == BPF_PROG_TYPE_KPROBE ||
	       env->prog_type == BPF_PROG_TYPE_STRUCT_OPS || env->prog_type == BPF_PROG_TYPE_SYSCALL;
}

static int check_attach_btf_id(struct bpfvm_verifier_env *env)
{
	if ((env->prog_flags & BPF_F_SLEEPABLE) && !can_be_sleepable(env)) {
		verbose(env, "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable\n");
		return -EINVAL;
	}
	if (env->prog_type == BPF_PROG_TYPE_SYSCALL && !(env->prog_flags & BPF_F_SLEEPABLE)) {
		verbose(env, "Syscall programs can only be sleepable\n");
		return -EINVAL;
	}
	return 0;
}

/* deliver the log: to the callback line by line, and into the caller's buffer */
static void deliver_log(struct bpfvm_verifier_env *env, const struct bpfvm_verify_opts *opts,
			struct bpfvm_verify_stats *stats)
{
	const char *p = env->log ? env->log : "";
	const char *last_err = NULL;
	size_t last_len = 0;

	if (opts->log_buf && opts->log_size) {
		/* a log longer than the buffer keeps its tail, where the error is */
		size_t n = env->log_len < opts->log_size - 1 ? env->log_len : opts->log_size - 1;
		memcpy(opts->log_buf, p + env->log_len - n, n);
		opts->log_buf[n] = '\0';
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		size_t cl = len < sizeof(line) - 1 ? len : sizeof(line) - 1;

		memcpy(line, p, cl);
		line[cl] = '\0';
		if (opts->log_fn)
			opts->log_fn(opts->log_arg, line);
		/* the error line: the last that is not a statistics line */
		if (len && strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17) &&
		    strncmp(line, "stack depth", 11)) {
			last_err = p;
			last_len = len;
		}
		p = nl ? nl + 1 : p + len;
	}
	if (stats) {
		size_t n = last_len < sizeof(stats->err_line) - 1 ? last_len : sizeof(stats->err_line) - 1;
		if (last_err)
			memcpy(stats->err_line, last_err, n);
		stats->err_line[last_err ? n : 0] = '\0';
	}
}

int bpfvm_verify(const struct bpf_insn *insns, size_t cnt, const struct bpfvm_verify_opts *opts)
{
	struct bpfvm_verify_opts o = { 0 };
	struct bpfvm_verifier_env *env;
	int ret;

	if (!opts || opts->sz < sizeof(size_t))
		return -EINVAL;
	/* read only the fields the caller's struct has; a larger struct must have a zero tail */
	memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	for (size_t i = sizeof(o); i < opts->sz; i++)
		if (((const char *)opts)[i])
			return -EINVAL;
	o.sz = sizeof(o);
	if (!insns && cnt)
		return -EINVAL;
	if (o.stats)
		memset(o.stats, 0, sizeof(*o.stats));

	env = calloc(1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	env->insns = insns;
	env->insn_cnt = (uint32_t)cnt;
	env->opts = &o;
	env->prog_type = o.prog_type ? o.prog_type : BPF_PROG_TYPE_SOCKET_FILTER;
	env->expected_attach_type = o.expected_attach_type;
	env->prog_flags = o.prog_flags;
	env->log_level = o.log_level;
	env->allow_ptr_leaks = true; /* a privileged load, as the corpus labels were made */
	env->allow_uninit_stack = !o.without_perfmon;
	env->ops = progtype_find(env->prog_type);

	/* BPF_PROG_LOAD's checks before the verifier: size, a known type */
	if (cnt == 0 || cnt > BPF_COMPLEXITY_LIMIT_INSNS) {
		ret = cnt ? -E2BIG : -EINVAL;
		goto out_nolog;
	}
	if (!env->ops) {
		ret = -EINVAL;
		goto out_nolog;
	}
	env->insn_aux_data = calloc(cnt, sizeof(*env->insn_aux_data));
	env->explored_states = calloc(cnt, sizeof(*env->explored_states));
	if (!env->insn_aux_data || !env->explored_states) {
		ret = -ENOMEM;
		goto out_nolog;
	}
	env->strict_alignment = !!(o.prog_flags & BPF_F_STRICT_ALIGNMENT);
	if (o.prog_flags & BPF_F_ANY_ALIGNMENT)
		env->strict_alignment = false;

	ret = add_subprog_and_kfunc(env);
	if (!ret && (env->log_level & 2)) /* where each function starts, as add_subprog_and_kfunc() logs it */
		for (uint32_t i = 0; i < env->subprog_cnt; i++)
			verbose(env, "func#%u @%d\n", i, env->subprog_info[i].start);
	if (!ret)
		ret = check_subprogs(env);
	if (!ret)
		ret = check_btf_info(env);
	if (!ret)
		ret = resolve_pseudo_ldimm64(env);
	if (!ret)
		ret = check_attach_btf_id(env);
	if (!ret)
		ret = check_cfg(env);
	if (!ret)
		ret = compute_live_registers(env);
	if (!ret)
		ret = do_check_main(env);
	if (!ret)
		ret = check_max_stack_depth(env);
	if (env->log_level)
		print_verification_stats(env);
	if (o.stats) {
		o.stats->insn_processed = env->insn_processed;
		o.stats->max_states_per_insn = env->max_states_per_insn;
		o.stats->total_states = env->total_states;
		o.stats->peak_states = env->peak_states;
		o.stats->stack_depth = (uint32_t)env->subprog_info[0].stack_depth;
	}
	deliver_log(env, &o, o.stats);
	goto out;
out_nolog:
	if (o.stats)
		o.stats->err_line[0] = '\0';
out:
	free_explored_states(env);
	free(env->insn_aux_data);
	free(env->inner_maps);
	free(env->log);
	free(env);
	return ret;
}
