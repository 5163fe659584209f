/* stack.c - the stack of each frame: 8-byte slots, spills and fills of registers, bounds of stack accesses */
#include <linux/bpf.h>
#include <string.h>

#include "verifier/verifier.h"

bool is_spilled_reg(const struct bpf_stack_state *stack)
{
	return stack->slot_type[BPF_REG_SIZE - 1] == STACK_SPILL;
}

static bool is_spilled_scalar_reg(const struct bpf_stack_state *stack)
{
	return is_spilled_reg(stack) && stack->spilled_ptr.type == SCALAR_VALUE;
}

/* the jump history flags of an access to slot spi of frame frameno */
static uint32_t stack_access_flags(uint32_t frameno, int spi)
{
	return INSN_F_STACK_ACCESS | (uint32_t)spi << INSN_F_SPI_SHIFT | (frameno & INSN_F_FRAMENO_MASK);
}

/* the frame a stack pointer points into */
struct bpf_func_state *func(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg)
{
	struct bpf_verifier_state *cur = env->cur_state;
	return cur->frame[reg->frameno <= cur->curframe ? reg->frameno : cur->curframe];
}

int grow_stack_state(struct bpfvm_verifier_env *env, struct bpf_func_state *state, int size)
{
	size = (size + BPF_REG_SIZE - 1) / BPF_REG_SIZE * BPF_REG_SIZE;
	if (state->allocated_stack >= size)
		return 0;
	state->allocated_stack = size;
	/* update known max for given subprogram */
	if (env->subprog_info[state->subprogno].stack_depth < size)
		env->subprog_info[state->subprogno].stack_depth = size;
	return 0;
}

static int check_stack_slot_within_bounds(struct bpfvm_verifier_env *env, int64_t off, struct bpf_func_state *state,
					  int t)
{
	/* writes, and reads by a loader that may read uninitialized stack, reach the whole frame; other reads only
	 * what was written */
	int64_t min_valid_off = t == BPF_WRITE || env->allow_uninit_stack ? -MAX_BPF_STACK : -state->allocated_stack;
	if (off < min_valid_off || off > -1)
		return -EACCES;
	return 0;
}

int check_stack_access_within_bounds(struct bpfvm_verifier_env *env, int regno, int off, int access_size, int type)
{
	struct bpf_reg_state *reg = cur_regs(env) + regno;
	struct bpf_func_state *state = func(env, reg);
	int64_t min_off, max_off;
	const char *err_extra = type == BPF_READ ? " read from" : " write to";
	int err;

	if (tnum_is_const(reg->var_off)) {
		min_off = (int64_t)reg->var_off.value + off;
		max_off = min_off + access_size;
	} else {
		if (reg->smax_value >= BPF_MAX_VAR_OFF || reg->smin_value <= -BPF_MAX_VAR_OFF) {
			verbose(env, "invalid unbounded variable-offset%s stack R%d\n", err_extra, regno);
			return -EACCES;
		}
		min_off = reg->smin_value + off;
		max_off = reg->smax_value + off + access_size;
	}
	err = check_stack_slot_within_bounds(env, min_off, state, type);
	if (!err && max_off > 0)
		err = -EINVAL; /* out of stack access into non-negative offsets */
	if (!err && access_size < 0)
		err = -EFAULT;
	if (err) {
		if (tnum_is_const(reg->var_off)) {
			verbose(env, "invalid%s stack R%d off=%d size=%d\n", err_extra, regno, off, access_size);
		} else {
			char tn_buf[48];
			tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
			verbose(env, "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d\n", err_extra, regno,
				tn_buf, off, access_size);
		}
		return err;
	}
	/* no stack access has offset zero, so the needed size is -min_off */
	return grow_stack_state(env, state, (int)-min_off);
}

static void save_register_state(struct bpf_func_state *state, int spi, const struct bpf_reg_state *reg, int size)
{
	int i;

	state->stack[spi].spilled_ptr = *reg;
	for (i = BPF_REG_SIZE; i > BPF_REG_SIZE - size; i--)
		state->stack[spi].slot_type[i - 1] = STACK_SPILL;
	/* size < 8 bytes spill: the rest of the slot is data, as far as it was written before */
	for (; i; i--) {
		uint8_t *st = &state->stack[spi].slot_type[i - 1];
		if (*st != STACK_ZERO && *st != STACK_INVALID)
			*st = STACK_MISC;
	}
}

static void scrub_spilled_slot(uint8_t *stype)
{
	if (*stype != STACK_INVALID)
		*stype = STACK_MISC;
}

static bool is_stack_slot_special(const struct bpf_stack_state *stack)
{
	uint8_t type = stack->slot_type[BPF_REG_SIZE - 1];
	return type == STACK_SPILL || type == STACK_DYNPTR || type == STACK_ITER || type == STACK_IRQ_FLAG;
}

static int get_reg_width(const struct bpf_reg_state *reg)
{
	return 64 - __builtin_clzll(reg->umax_value | 1);
}

static void assign_scalar_id(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg)
{
	if (reg->type == SCALAR_VALUE && !reg->id && !tnum_is_const(reg->var_off))
		reg->id = ++env->id_gen;
}

static int check_stack_write_fixed_off(struct bpfvm_verifier_env *env, struct bpf_func_state *state, int off,
				       int size, int value_regno, int insn_idx)
{
	struct bpf_func_state *cur = cur_func(env);
	int i, slot = -off - 1, spi = slot / BPF_REG_SIZE;
	const struct bpf_insn *insn = &env->insns[insn_idx];
	struct bpf_reg_state *reg = NULL;
	bool is_st = BPF_CLASS(insn->code) == BPF_ST && BPF_MODE(insn->code) == BPF_MEM;

	if (value_regno >= 0)
		reg = &cur->regs[value_regno];
	mark_stack_slot_scratched(env, spi);

	if (reg && !(off % BPF_REG_SIZE) && reg->type == SCALAR_VALUE) {
		bool reg_value_fits = get_reg_width(reg) <= 8 * size;
		int err = push_jmp_history(env, env->cur_state, stack_access_flags(state->frameno, spi));
		if (err)
			return err;
		/* make sure that reg had an id to build a relation on spill */
		if (reg_value_fits)
			assign_scalar_id(env, reg);
		save_register_state(state, spi, reg, size);
		/* break the relation on a narrowing spill */
		if (!reg_value_fits)
			state->stack[spi].spilled_ptr.id = 0;
	} else if (!reg && !(off % BPF_REG_SIZE) && is_st) {
		int err = push_jmp_history(env, env->cur_state, stack_access_flags(state->frameno, spi));
		if (err)
			return err;
		struct bpf_reg_state tmp;
		memset(&tmp, 0, sizeof(tmp));
		__mark_reg_known(&tmp.b, (uint64_t)(int64_t)insn->imm);
		tmp.type = SCALAR_VALUE;
		save_register_state(state, spi, &tmp, size);
	} else if (reg && reg->type != SCALAR_VALUE) {
		/* register containing pointer is being spilled into stack */
		if (size != BPF_REG_SIZE) {
			verbose(env, "invalid size of register spill\n");
			return -EACCES;
		}
		if (state != cur && reg->type == PTR_TO_STACK) {
			verbose(env, "cannot spill pointers to stack into stack frame of the caller\n");
			return -EINVAL;
		}
		save_register_state(state, spi, reg, size);
	} else {
		uint8_t type = STACK_MISC;

		/* regular write of data into stack destroys any spilled ptr */
		state->stack[spi].spilled_ptr.type = NOT_INIT;
		if (is_stack_slot_special(&state->stack[spi]))
			for (i = 0; i < BPF_REG_SIZE; i++)
				scrub_spilled_slot(&state->stack[spi].slot_type[i]);
		/* when we zero initialize stack slots mark them as such */
		if ((reg && register_is_null(reg)) || (!reg && is_st && insn->imm == 0))
			type = STACK_ZERO;
		for (i = 0; i < size; i++)
			state->stack[spi].slot_type[(slot - i) % BPF_REG_SIZE] = type;
	}
	return 0;
}

static int check_stack_write_var_off(struct bpfvm_verifier_env *env, struct bpf_func_state *state, int ptr_regno,
				     int off, int size, int value_regno, int insn_idx)
{
	struct bpf_reg_state *ptr_reg = &cur_regs(env)[ptr_regno];
	const struct bpf_insn *insn = &env->insns[insn_idx];
	int min_off = (int)ptr_reg->smin_value + off, max_off = (int)ptr_reg->smax_value + off + size;
	bool writing_zero = false;

	if (value_regno >= 0) {
		if (register_is_null(&cur_regs(env)[value_regno]))
			writing_zero = true;
	} else if (BPF_CLASS(insn->code) == BPF_ST && insn->imm == 0) {
		writing_zero = true;
	}
	for (int i = min_off; i < max_off; i++) {
		int slot = -i - 1, spi = slot / BPF_REG_SIZE;
		uint8_t *stype = &state->stack[spi].slot_type[slot % BPF_REG_SIZE], new_type;
		mark_stack_slot_scratched(env, spi);

		/* a zero written over a spilled zero keeps the spill */
		if (writing_zero && *stype == STACK_SPILL && is_spilled_scalar_reg(&state->stack[spi])) {
			struct bpf_reg_state *spill_reg = &state->stack[spi].spilled_ptr;
			if (tnum_equals_const(spill_reg->var_off, 0))
				continue;
		}
		/* erase all other spilled pointers */
		state->stack[spi].spilled_ptr.type = NOT_INIT;
		new_type = STACK_MISC;
		if (writing_zero && *stype == STACK_ZERO)
			new_type = STACK_ZERO;
		*stype = new_type;
	}
	return 0;
}

int check_stack_write(struct bpfvm_verifier_env *env, int ptr_regno, int off, int size, int value_regno,
		      int insn_idx)
{
	struct bpf_reg_state *reg = &cur_regs(env)[ptr_regno];
	struct bpf_func_state *state = func(env, reg);

	if (tnum_is_const(reg->var_off)) {
		off += (int)reg->var_off.value;
		return check_stack_write_fixed_off(env, state, off, size, value_regno, insn_idx);
	}
	return check_stack_write_var_off(env, state, ptr_regno, off, size, value_regno, insn_idx);
}

static void mark_reg_stack_read(struct bpfvm_verifier_env *env, struct bpf_func_state *ptr_state, int min_off,
				int max_off, int dst_regno)
{
	struct bpf_reg_state *regs = cur_regs(env);
	int zeros = 0;

	for (int i = min_off; i < max_off; i++) {
		int slot = -i - 1, spi = slot / BPF_REG_SIZE;
		if (ptr_state->stack[spi].slot_type[slot % BPF_REG_SIZE] != STACK_ZERO)
			break;
		zeros++;
	}
	if (zeros == max_off - min_off)
		__mark_reg_const_zero(env, &regs[dst_regno]);
	else
		mark_reg_unknown(env, regs, dst_regno);
}

static int check_stack_read_fixed_off(struct bpfvm_verifier_env *env, struct bpf_func_state *reg_state, int off,
				      int size, int dst_regno)
{
	struct bpf_func_state *state = cur_func(env);
	int i, slot = -off - 1, spi = slot / BPF_REG_SIZE;
	uint8_t *stype = reg_state->stack[spi].slot_type, type;
	struct bpf_reg_state *reg = &reg_state->stack[spi].spilled_ptr;

	mark_stack_slot_scratched(env, spi);

	if (is_spilled_reg(&reg_state->stack[spi])) {
		int spill_size = 1;
		/* a fill: precision backtracking follows the value into the slot */
		if (dst_regno >= 0) {
			int err = push_jmp_history(env, env->cur_state, stack_access_flags(reg_state->frameno, spi));
			if (err)
				return err;
		}

		for (i = BPF_REG_SIZE - 1; i > 0 && stype[i - 1] == STACK_SPILL; i--)
			spill_size++;
		if (size != BPF_REG_SIZE || spill_size != BPF_REG_SIZE) {
			if (reg->type != SCALAR_VALUE) {
				verbose(env, "invalid size of register fill\n");
				return -EACCES;
			}
			if (dst_regno < 0)
				return 0;
			if (size <= spill_size && !(off % BPF_REG_SIZE)) {
				if (size == 4 && spill_size == 4 && get_reg_width(reg) <= 32)
					assign_scalar_id(env, reg);
				state->regs[dst_regno] = *reg;
				/* break the relation on a narrowing fill */
				if (get_reg_width(reg) > size * 8)
					state->regs[dst_regno].id = 0;
			} else {
				int spill_cnt = 0, zero_cnt = 0;

				for (i = 0; i < size; i++) {
					type = stype[(slot - i) % BPF_REG_SIZE];
					if (type == STACK_SPILL) {
						spill_cnt++;
						continue;
					}
					if (type == STACK_MISC)
						continue;
					if (type == STACK_ZERO) {
						zero_cnt++;
						continue;
					}
					if (type == STACK_INVALID && env->allow_uninit_stack)
						continue;
					verbose(env, "invalid read from stack off %d+%d size %d\n", off, i, size);
					return -EACCES;
				}
				if (spill_cnt == size && tnum_equals_const(reg->var_off, 0))
					__mark_reg_const_zero(env, &state->regs[dst_regno]);
				else if (zero_cnt == size)
					__mark_reg_const_zero(env, &state->regs[dst_regno]);
				else
					mark_reg_unknown(env, state->regs, dst_regno);
			}
		} else if (dst_regno >= 0) {
			/* restore register state from stack */
			assign_scalar_id(env, reg);
			state->regs[dst_regno] = *reg;
		} else if (__is_pointer_value(env->allow_ptr_leaks, reg)) {
			verbose(env, "leaking pointer from stack off %d\n", off);
			return -EACCES;
		}
	} else {
		for (i = 0; i < size; i++) {
			type = stype[(slot - i) % BPF_REG_SIZE];
			if (type == STACK_MISC || type == STACK_ZERO || type == STACK_INVALID)
				continue;
			verbose(env, "invalid read from stack off %d+%d size %d\n", off, i, size);
			return -EACCES;
		}
		if (dst_regno >= 0)
			mark_reg_stack_read(env, reg_state, off, off + size, dst_regno);
	}
	return 0;
}

int check_stack_read(struct bpfvm_verifier_env *env, int ptr_regno, int off, int size, int dst_regno)
{
	struct bpf_reg_state *reg = &cur_regs(env)[ptr_regno];
	struct bpf_func_state *state = func(env, reg);

	/* variable offset stack reads go through the helper-style range check, giving an unknown scalar */
	if (!tnum_is_const(reg->var_off)) {
		int err = check_stack_range_initialized(env, ptr_regno, off, size, false, BPF_READ, false);
		if (err)
			return err;
		if (dst_regno >= 0) {
			int min_off = (int)reg->smin_value + off, max_off = (int)reg->smax_value + off;
			mark_reg_stack_read(env, state, min_off, max_off + size, dst_regno);
		}
		return 0;
	}
	off += (int)reg->var_off.value;
	return check_stack_read_fixed_off(env, state, off, size, dst_regno);
}

int check_stack_range_initialized(struct bpfvm_verifier_env *env, int regno, int off, int access_size,
				  bool zero_size_allowed, int type, bool raw_mode)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	struct bpf_func_state *state = func(env, reg);
	bool clobber = type == BPF_WRITE;
	int err, min_off, max_off;

	if (access_size == 0 && !zero_size_allowed) {
		verbose(env, "invalid zero-sized read\n");
		return -EACCES;
	}
	err = check_stack_access_within_bounds(env, regno, off, access_size, type);
	if (err)
		return err;
	if (tnum_is_const(reg->var_off)) {
		min_off = max_off = (int)reg->var_off.value + off;
	} else {
		/* an uninitialized buffer may not be written with a variable offset */
		raw_mode = false;
		min_off = (int)reg->smin_value + off;
		max_off = (int)reg->smax_value + off;
	}
	if (raw_mode) {
		/* the helper initializes the memory: mark it written */
		for (int i = min_off; i < max_off + access_size; i++) {
			int slot = -i - 1, spi = slot / BPF_REG_SIZE;
			if (state->allocated_stack <= slot)
				continue;
			if (state->stack[spi].slot_type[slot % BPF_REG_SIZE] == STACK_DYNPTR) {
				verbose(env, "potential write to dynptr at off=%d disallowed\n", i);
				return -EACCES;
			}
		}
		for (int i = min_off; i < max_off + access_size; i++) {
			int slot = -i - 1, spi = slot / BPF_REG_SIZE;
			if (is_spilled_reg(&state->stack[spi]))
				for (int j = 0; j < BPF_REG_SIZE; j++)
					scrub_spilled_slot(&state->stack[spi].slot_type[j]);
			state->stack[spi].spilled_ptr.type = NOT_INIT;
			state->stack[spi].slot_type[slot % BPF_REG_SIZE] = STACK_MISC;
		}
		return 0;
	}
	for (int i = min_off; i < max_off + access_size; i++) {
		int slot = -i - 1, spi = slot / BPF_REG_SIZE;
		uint8_t *stype;

		if (state->allocated_stack <= slot) {
			verbose(env, "allocated_stack too small\n");
			return -EFAULT;
		}
		stype = &state->stack[spi].slot_type[slot % BPF_REG_SIZE];
		if (*stype == STACK_MISC)
			continue;
		if (*stype == STACK_ZERO || (*stype == STACK_INVALID && env->allow_uninit_stack)) {
			if (clobber)
				*stype = STACK_MISC; /* helper can write anything into the stack */
			continue;
		}
		if (is_spilled_reg(&state->stack[spi]) &&
		    (state->stack[spi].spilled_ptr.type == SCALAR_VALUE || env->allow_ptr_leaks)) {
			if (clobber) {
				__mark_reg_unknown(env, &state->stack[spi].spilled_ptr);
				for (int j = 0; j < BPF_REG_SIZE; j++)
					scrub_spilled_slot(&state->stack[spi].slot_type[j]);
			}
			continue;
		}
		if (tnum_is_const(reg->var_off)) {
			verbose(env, "invalid read from stack R%d off %d+%d size %d\n", regno, min_off, i - min_off,
				access_size);
		} else {
			char tn_buf[48];
			tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
			verbose(env, "invalid read from stack R%d var_off %s+%d size %d\n", regno, tn_buf, i - min_off,
				access_size);
		}
		return -EACCES;
	}
	return 0;
}
