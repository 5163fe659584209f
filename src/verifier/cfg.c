/* cfg.c - checks before the abstract interpretation: subprograms, jump ranges, LD_IMM64 and opcode sanity,
 * the control flow graph (DFS: unreachable insns, jumps into LD_IMM64), stack depth across calls */
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "isa/opcodes.h"
#include "verifier/verifier.h"

static bool bpf_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
}

static bool bpf_pseudo_kfunc_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_KFUNC_CALL;
}

static bool bpf_pseudo_func(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW) && insn->src_reg == BPF_PSEUDO_FUNC;
}

static bool bpf_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

int find_subprog(struct bpfvm_verifier_env *env, int off)
{
	for (uint32_t i = 0; i < env->subprog_cnt; i++)
		if (env->subprog_info[i].start == off)
			return (int)i;
	return -ENOENT;
}

static int cmp_subprogs(const void *a, const void *b)
{
	return ((const struct bpf_subprog_info *)a)->start - ((const struct bpf_subprog_info *)b)->start;
}

static int add_subprog(struct bpfvm_verifier_env *env, long long off)
{
	int ret;

	if (off >= (long long)env->insn_cnt || off < 0) {
		verbose(env, "call to invalid destination\n");
		return -EINVAL;
	}
	ret = find_subprog(env, (int)off);
	if (ret >= 0)
		return ret;
	if (env->subprog_cnt >= BPF_MAX_SUBPROGS) {
		verbose(env, "too many subprograms\n");
		return -E2BIG;
	}
	/* subprogram starts, sorted: each ends one before the next starts */
	env->subprog_info[env->subprog_cnt++].start = (int)off;
	qsort(env->subprog_info, env->subprog_cnt, sizeof(env->subprog_info[0]), cmp_subprogs);
	return (int)env->subprog_cnt - 1;
}

int add_subprog_and_kfunc(struct bpfvm_verifier_env *env)
{
	const struct bpf_insn *insn = env->insns;
	int ret;

	/* add entry function */
	ret = add_subprog(env, 0);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < env->insn_cnt; i++, insn++) {
		if (!bpf_pseudo_func(insn) && !bpf_pseudo_call(insn) && !bpf_pseudo_kfunc_call(insn))
			continue;
		if (bpf_pseudo_func(insn) || bpf_pseudo_call(insn))
			ret = add_subprog(env, (long long)i + insn->imm + 1);
		else
			ret = 0; /* kfuncs are resolved when called */
		if (ret < 0)
			return ret;
	}
	/* a fake 'exit' subprog simplifies iteration: subprog_info[subprog_cnt].start is the end */
	env->subprog_info[env->subprog_cnt].start = (int)env->insn_cnt;
	return 0;
}

int check_subprogs(struct bpfvm_verifier_env *env)
{
	int i, subprog_start, subprog_end, cur_subprog = 0;
	long long off;
	const struct bpf_insn *insn = env->insns;
	int insn_cnt = (int)env->insn_cnt;

	/* now check that all jumps are within the same subprog */
	subprog_start = env->subprog_info[cur_subprog].start;
	subprog_end = env->subprog_info[cur_subprog + 1].start;
	for (i = 0; i < insn_cnt; i++) {
		uint8_t code = insn[i].code;

		if (code == (BPF_JMP | BPF_CALL) && insn[i].src_reg == 0 && insn[i].imm == BPF_FUNC_tail_call)
			env->subprog_info[cur_subprog].has_tail_call = true;
		if (BPF_CLASS(code) == BPF_LD && (BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND))
			env->subprog_info[cur_subprog].has_ld_abs = true;
		if (BPF_CLASS(code) != BPF_JMP && BPF_CLASS(code) != BPF_JMP32)
			goto next;
		if (BPF_OP(code) == BPF_EXIT || BPF_OP(code) == BPF_CALL)
			goto next;
		if (code == (BPF_JMP32 | BPF_JA))
			off = (long long)i + insn[i].imm + 1;
		else
			off = (long long)i + insn[i].off + 1;
		if (off < subprog_start || off >= subprog_end) {
			verbose(env, "jump out of range from insn %d to %d\n", i, (int)off);
			return -EINVAL;
		}
next:
		if (i == subprog_end - 1) {
			/* no fall-through from one subprog into another: the last insn is an exit or a jump */
			if (code != (BPF_JMP | BPF_EXIT) && code != (BPF_JMP32 | BPF_JA) && code != (BPF_JMP | BPF_JA)) {
				verbose(env, "last insn is not an exit or jmp\n");
				return -EINVAL;
			}
			subprog_start = subprog_end;
			cur_subprog++;
			if (cur_subprog < (int)env->subprog_cnt)
				subprog_end = env->subprog_info[cur_subprog + 1].start;
		}
	}
	return 0;
}

/* the kernel's bpf_opcode_in_insntable(): every opcode byte some instruction form uses */
static bool bpf_opcode_in_insntable(uint8_t code)
{
	/* 0x8d (callx) and the v4 forms are in the kernel's table too; opcodes.def has exactly those */
	return bpfvm_code_exists(code);
}

static const struct bpfvm_map_info *map_by_fd(struct bpfvm_verifier_env *env, int32_t fd)
{
	const struct bpfvm_verify_opts *o = env->opts;
	if (fd < 0 || !o->maps || (size_t)fd >= o->map_cnt || o->maps[fd].type == BPF_MAP_TYPE_UNSPEC)
		return NULL;
	return &o->maps[fd];
}

static bool map_has_direct_value_addr(const struct bpfvm_map_info *map)
{
	/* array maps (and the global data of insn arrays/arena) have direct value access */
	return map->type == BPF_MAP_TYPE_ARRAY;
}

int resolve_pseudo_ldimm64(struct bpfvm_verifier_env *env)
{
	const struct bpf_insn *insn = env->insns;
	int insn_cnt = (int)env->insn_cnt;

	for (int i = 0; i < insn_cnt; i++, insn++) {
		if (BPF_CLASS(insn->code) == BPF_LDX &&
		    ((BPF_MODE(insn->code) != BPF_MEM && BPF_MODE(insn->code) != BPF_MEMSX) || insn->imm != 0)) {
			verbose(env, "BPF_LDX uses reserved fields\n");
			return -EINVAL;
		}
		if (insn[0].code == (BPF_LD | BPF_IMM | BPF_DW)) {
			struct bpf_insn_aux_data *aux = &env->insn_aux_data[i];
			const struct bpfvm_map_info *map;

			if (i == insn_cnt - 1 || insn[1].code != 0 || insn[1].dst_reg != 0 || insn[1].src_reg != 0 ||
			    insn[1].off != 0) {
				verbose(env, "invalid bpf_ld_imm64 insn\n");
				return -EINVAL;
			}
			if (insn[0].src_reg == 0)
				/* valid generic load 64-bit imm */
				goto next_insn;
			if (insn[0].src_reg == BPF_PSEUDO_BTF_ID) {
				verbose(env, "kernel is missing BTF, make sure CONFIG_DEBUG_INFO_BTF=y is specified in Kconfig.\n");
				return -EINVAL;
			}
			if (insn[0].src_reg == BPF_PSEUDO_FUNC)
				goto next_insn;
			switch (insn[0].src_reg) {
			case BPF_PSEUDO_MAP_VALUE:
			case BPF_PSEUDO_MAP_IDX_VALUE:
				break;
			case BPF_PSEUDO_MAP_FD:
			case BPF_PSEUDO_MAP_IDX:
				if (insn[1].imm == 0)
					break;
				/* fallthrough */
			default:
				verbose(env, "unrecognized bpf_ld_imm64 insn\n");
				return -EINVAL;
			}
			if (insn[0].src_reg == BPF_PSEUDO_MAP_IDX || insn[0].src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
				verbose(env, "fd_idx without fd_array is invalid\n");
				return -EPROTO;
			}
			map = map_by_fd(env, insn[0].imm);
			if (!map) {
				verbose(env, "fd %d is not pointing to valid bpf_map\n", insn[0].imm);
				return -EBADF;
			}
			aux->map_ptr = map;
			if (insn[0].src_reg == BPF_PSEUDO_MAP_VALUE) {
				uint32_t off = (uint32_t)insn[1].imm;

				if (off >= BPF_MAX_VAR_OFF) {
					verbose(env, "direct value offset of %u is not allowed\n", off);
					return -EINVAL;
				}
				if (!map_has_direct_value_addr(map)) {
					verbose(env, "no direct value access support for this map type\n");
					return -EINVAL;
				}
				if (map->max_entries != 1 || off >= map->value_size) {
					verbose(env, "invalid access to map value pointer, value_size=%u off=%u\n",
						map->value_size, off);
					return -EINVAL;
				}
				aux->map_off = off;
			}
next_insn:
			insn++;
			i++;
			continue;
		}
		/* basic sanity check before we invest more time and effort to the verifier proper */
		if (!bpf_opcode_in_insntable(insn->code)) {
			verbose(env, "unknown opcode %02x\n", insn->code);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- the CFG walk ---- */

enum { DISCOVERED = 0x10, EXPLORED = 0x20, FALLTHROUGH = 1, BRANCH = 2 };
enum { DONE_EXPLORING = 0, KEEP_EXPLORING = 1 };

static void mark_prune_point(struct bpfvm_verifier_env *env, int idx)
{
	env->insn_aux_data[idx].prune_point = true;
}

static int push_insn(int t, long long w_ll, int e, struct bpfvm_verifier_env *env, int *cur_stack)
{
	int *insn_stack = env->insn_stack, *insn_state = env->insn_state;
	int w = (int)w_ll;

	if (e == FALLTHROUGH && insn_state[t] >= (DISCOVERED | FALLTHROUGH))
		return DONE_EXPLORING;
	if (e == BRANCH && insn_state[t] >= (DISCOVERED | BRANCH))
		return DONE_EXPLORING;
	if (w_ll < 0 || w_ll >= (long long)env->insn_cnt) {
		verbose(env, "jump out of range from insn %d to %d\n", t, (int)w_ll);
		return -EINVAL;
	}
	if (e == BRANCH) {
		/* mark branch target for state pruning */
		mark_prune_point(env, w);
		env->insn_aux_data[w].jmp_point = true;
	}
	if (insn_state[w] == 0) {
		/* tree-edge */
		insn_state[t] = DISCOVERED | e;
		insn_state[w] = DISCOVERED;
		if (*cur_stack >= (int)env->insn_cnt)
			return -E2BIG;
		insn_stack[(*cur_stack)++] = w;
		return KEEP_EXPLORING;
	} else if ((insn_state[w] & 0xF0) == DISCOVERED) {
		/* back-edge: bounded loops are allowed for privileged programs; do_check finds infinite ones */
		return DONE_EXPLORING;
	} else if (insn_state[w] == EXPLORED) {
		/* forward- or cross-edge */
		insn_state[t] = DISCOVERED | e;
	} else {
		verbose(env, "insn state internal bug\n");
		return -EFAULT;
	}
	return DONE_EXPLORING;
}

static int visit_func_call_insn(int t, struct bpfvm_verifier_env *env, bool visit_callee, int *cur_stack)
{
	const struct bpf_insn *insns = env->insns;
	int ret, insn_sz = bpf_is_ldimm64(&insns[t]) ? 2 : 1;

	ret = push_insn(t, t + insn_sz, FALLTHROUGH, env, cur_stack);
	if (ret)
		return ret;
	mark_prune_point(env, t + insn_sz);
	if (visit_callee) {
		mark_prune_point(env, t);
		ret = push_insn(t, (long long)t + insns[t].imm + 1, BRANCH, env, cur_stack);
	}
	return ret;
}

static int visit_insn(int t, struct bpfvm_verifier_env *env, int *cur_stack)
{
	const struct bpf_insn *insn = &env->insns[t];
	int ret, off;

	if (bpf_pseudo_func(insn))
		return visit_func_call_insn(t, env, true, cur_stack);
	/* all non-branch instructions have a single fall-through edge */
	if (BPF_CLASS(insn->code) != BPF_JMP && BPF_CLASS(insn->code) != BPF_JMP32)
		return push_insn(t, t + (bpf_is_ldimm64(insn) ? 2 : 1), FALLTHROUGH, env, cur_stack);

	switch (BPF_OP(insn->code)) {
	case BPF_EXIT:
		return DONE_EXPLORING;
	case BPF_CALL:
		if (insn->src_reg == 0 && (insn->imm == BPF_FUNC_loop || insn->imm == BPF_FUNC_for_each_map_elem)) {
			/* a callback may run any number of times: checkpoint at each invocation */
			env->insn_aux_data[t].calls_callback = true;
			env->insn_aux_data[t].force_checkpoint = true;
			mark_prune_point(env, t);
			env->insn_aux_data[t].jmp_point = true;
		}
		return visit_func_call_insn(t, env, insn->src_reg == BPF_PSEUDO_CALL, cur_stack);
	case BPF_JA:
		if (BPF_SRC(insn->code) != BPF_K)
			return -EINVAL;
		off = BPF_CLASS(insn->code) == BPF_JMP ? insn->off : insn->imm;
		/* unconditional jump with single edge */
		ret = push_insn(t, (long long)t + off + 1, FALLTHROUGH, env, cur_stack);
		if (ret)
			return ret;
		mark_prune_point(env, t + off + 1);
		env->insn_aux_data[t + off + 1].jmp_point = true;
		return ret;
	default:
		/* conditional jump with two edges */
		mark_prune_point(env, t);
		if (insn->code == (BPF_JMP | BPF_JCOND))
			env->insn_aux_data[t].force_checkpoint = true;
		ret = push_insn(t, t + 1, FALLTHROUGH, env, cur_stack);
		if (ret)
			return ret;
		return push_insn(t, t + insn->off + 1, BRANCH, env, cur_stack);
	}
}

int check_cfg(struct bpfvm_verifier_env *env)
{
	int insn_cnt = (int)env->insn_cnt, cur_stack, ret = 0;
	int *insn_state, *insn_stack;

	insn_state = env->insn_state = calloc((size_t)insn_cnt, sizeof(int));
	insn_stack = env->insn_stack = calloc((size_t)insn_cnt, sizeof(int));
	if (!insn_state || !insn_stack) {
		ret = -ENOMEM;
		goto out;
	}
	insn_state[0] = DISCOVERED; /* mark 1st insn as discovered */
	insn_stack[0] = 0;          /* 0 is the first instruction */
	cur_stack = 1;
	while (cur_stack > 0) {
		int t = insn_stack[cur_stack - 1];
		ret = visit_insn(t, env, &cur_stack);
		if (ret == DONE_EXPLORING) {
			insn_state[t] = EXPLORED;
			cur_stack--;
		} else if (ret != KEEP_EXPLORING) {
			goto out;
		}
	}
	ret = 0;
	for (int i = 0; i < insn_cnt; i++) {
		const struct bpf_insn *insn = &env->insns[i];
		if (insn_state[i] != EXPLORED) {
			verbose(env, "unreachable insn %d\n", i);
			ret = -EINVAL;
			goto out;
		}
		if (bpf_is_ldimm64(insn)) {
			if (i + 1 < insn_cnt && insn_state[i + 1] != 0) {
				verbose(env, "jump into the middle of ldimm64 insn %d\n", i);
				ret = -EINVAL;
				goto out;
			}
			i++; /* skip second half of ldimm64 */
		}
	}
out:
	free(env->insn_state);
	free(env->insn_stack);
	env->insn_state = env->insn_stack = NULL;
	return ret;
}

static int round_up_stack_depth(int stack_depth)
{
	/* JIT on: 16-byte granularity */
	return (stack_depth + 15) / 16 * 16;
}

static int check_max_stack_depth_subprog(struct bpfvm_verifier_env *env, int idx)
{
	struct bpf_subprog_info *subprog = env->subprog_info;
	const struct bpf_insn *insn = env->insns;
	int depth = 0, frame = 0, i, subprog_end;
	int ret_insn[MAX_CALL_FRAMES], ret_prog[MAX_CALL_FRAMES];

	i = subprog[idx].start;
process_func:
	/* bpf2bpf calls with tail calls: the caller's stack is limited to 256 bytes */
	if (idx && subprog[idx].has_tail_call && depth >= 256) {
		verbose(env, "tail_calls are not allowed when call stack of previous frames is %d bytes. Too large\n",
			depth);
		return -EACCES;
	}
	depth += round_up_stack_depth(subprog[idx].stack_depth);
	if (depth > MAX_BPF_STACK) {
		verbose(env, "combined stack size of %d calls is %d. Too large\n", frame + 1, depth);
		return -EACCES;
	}
continue_func:
	subprog_end = subprog[idx + 1].start;
	for (; i < subprog_end; i++) {
		int next_insn, sidx;

		if (!bpf_pseudo_call(insn + i) && !bpf_pseudo_func(insn + i))
			continue;
		/* remember insn and function to return to */
		ret_insn[frame] = i + 1;
		ret_prog[frame] = idx;
		/* find the callee */
		next_insn = i + insn[i].imm + 1;
		sidx = find_subprog(env, next_insn);
		if (sidx < 0) {
			verbose(env, "verifier bug. No program starts at insn %d\n", next_insn);
			return -EFAULT;
		}
		if (subprog[sidx].is_async_cb)
			continue;
		i = next_insn;
		idx = sidx;
		frame++;
		if (frame >= MAX_CALL_FRAMES) {
			verbose(env, "the call stack of %d frames is too deep !\n", frame);
			return -E2BIG;
		}
		goto process_func;
	}
	/* the last insn of the subprog was reached */
	if (frame == 0)
		return 0;
	depth -= round_up_stack_depth(subprog[idx].stack_depth);
	frame--;
	i = ret_insn[frame];
	idx = ret_prog[frame];
	goto continue_func;
}

int check_max_stack_depth(struct bpfvm_verifier_env *env)
{
	for (uint32_t i = 0; i < env->subprog_cnt; i++) {
		if (!i || env->subprog_info[i].is_async_cb) {
			int ret = check_max_stack_depth_subprog(env, (int)i);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* the func_info records must describe the subprograms exactly (mirrors check_btf_func) */
int check_btf_info(struct bpfvm_verifier_env *env)
{
	const struct bpfvm_verify_opts *o = env->opts;
	uint32_t prev_offset = 0;
	const uint8_t *ret_scalar = o->sz >= offsetof(struct bpfvm_verify_opts, func_ret_scalar) +
						     sizeof(o->func_ret_scalar) ? o->func_ret_scalar : NULL;

	if (!o->func_info_cnt)
		return 0;
	if (!o->func_info) {
		verbose(env, "invalid func info rec size %u\n", 0u);
		return -EINVAL;
	}
	if (o->func_info_cnt != env->subprog_cnt) {
		verbose(env, "number of funcs in func_info doesn't match number of subprogs\n");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < o->func_info_cnt; i++) {
		uint32_t off = o->func_info[i].insn_off;
		if (i == 0 && off) {
			verbose(env, "nonzero insn_off %u for the first func info record", off);
			return -EINVAL;
		}
		if (i && off <= prev_offset) {
			verbose(env, "same or smaller insn offset (%u) than previous func info record (%u)", off,
				prev_offset);
			return -EINVAL;
		}
		if ((uint32_t)env->subprog_info[i].start != off) {
			verbose(env, "func_info BTF section doesn't match subprog layout in BPF program\n");
			return -EINVAL;
		}
		bool scalar_return = !ret_scalar || ret_scalar[i];
		if (i && !scalar_return && env->subprog_info[i].has_ld_abs) {
			verbose(env, "LD_ABS is only allowed in functions that return 'int'.\n");
			return -EINVAL;
		}
		if (i && !scalar_return && env->subprog_info[i].has_tail_call) {
			verbose(env, "tail_call is only allowed in functions that return 'int'.\n");
			return -EINVAL;
		}
		prev_offset = off;
	}
	return 0;
}
