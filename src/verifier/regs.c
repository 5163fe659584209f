/* regs.c - register state: marking, operand checks, ALU (scalar and pointer arithmetic), conditional jumps */
#include <linux/bpf.h>
#include <string.h>

#include "verifier/verifier.h"

#define MAX_PACKET_OFF 0xffff
#define AT_PKT_END (-1)
#define BEYOND_PKT_END (-2)

/* a register holding exactly imm: every field but the type cleared (mirrors ___mark_reg_known) */
static void reg_set_known(struct bpf_reg_state *reg, uint64_t imm)
{
	uint32_t type = reg->type;
	memset(reg, 0, sizeof(*reg));
	reg->type = type;
	__mark_reg_known(&reg->b, imm);
}

void __mark_reg_known_zero(struct bpf_reg_state *reg)
{
	reg_set_known(reg, 0);
}

void __mark_reg_const_zero(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg)
{
	reg_set_known(reg, 0);
	reg->type = SCALAR_VALUE;
}

void mark_reg_known_zero(struct bpfvm_verifier_env *env, struct bpf_reg_state *regs, uint32_t regno)
{
	__mark_reg_known_zero(regs + regno);
}

void __mark_reg_unknown(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->type = SCALAR_VALUE;
	mark_bounds_unknown(&reg->b);
	/* precision is kept by the caller where the kernel keeps it; privileged loads start imprecise */
}

void mark_reg_unknown(struct bpfvm_verifier_env *env, struct bpf_reg_state *regs, uint32_t regno)
{
	__mark_reg_unknown(env, regs + regno);
}

void __mark_reg_not_init(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg)
{
	__mark_reg_unknown(env, reg);
	reg->type = NOT_INIT;
}

void mark_reg_not_init(struct bpfvm_verifier_env *env, struct bpf_reg_state *regs, uint32_t regno)
{
	__mark_reg_not_init(env, regs + regno);
}

void init_reg_state(struct bpfvm_verifier_env *env, struct bpf_func_state *state)
{
	struct bpf_reg_state *regs = state->regs;

	for (int i = 0; i < MAX_BPF_REG; i++) {
		mark_reg_not_init(env, regs, i);
		regs[i].frameno = state->frameno;
	}
	/* frame pointer */
	regs[BPF_REG_FP].type = PTR_TO_STACK;
	mark_reg_known_zero(env, regs, BPF_REG_FP);
	regs[BPF_REG_FP].type = PTR_TO_STACK;
	regs[BPF_REG_FP].frameno = state->frameno;
}

int check_reg_arg(struct bpfvm_verifier_env *env, uint32_t regno, enum reg_arg_type t)
{
	struct bpf_reg_state *regs = cur_regs(env);

	if (regno >= MAX_BPF_REG) {
		verbose(env, "R%d is invalid\n", regno);
		return -EINVAL;
	}
	mark_reg_scratched(env, regno);
	if (t == SRC_OP) {
		/* check whether register used as source operand can be read */
		if (regs[regno].type == NOT_INIT) {
			verbose(env, "R%d !read_ok\n", regno);
			return -EACCES;
		}
		return 0;
	}
	/* check whether register used as dest operand can be written to */
	if (regno == BPF_REG_FP) {
		verbose(env, "frame pointer is read only\n");
		return -EACCES;
	}
	if (t == DST_OP)
		mark_reg_unknown(env, regs, regno);
	return 0;
}

bool __is_pointer_value(bool allow_ptr_leaks, const struct bpf_reg_state *reg)
{
	if (allow_ptr_leaks)
		return false;
	return reg->type != SCALAR_VALUE;
}

bool is_pointer_value(struct bpfvm_verifier_env *env, int regno)
{
	return __is_pointer_value(env->allow_ptr_leaks, &cur_regs(env)[regno]);
}

bool reg_is_pkt_pointer(const struct bpf_reg_state *reg)
{
	return reg->type == PTR_TO_PACKET;
}

bool reg_is_pkt_pointer_any(const struct bpf_reg_state *reg)
{
	return reg_is_pkt_pointer(reg) || reg->type == PTR_TO_PACKET_END || reg->type == PTR_TO_PACKET_META;
}

static bool reg_is_init_pkt_pointer(const struct bpf_reg_state *reg, uint32_t which)
{
	/* the packet pointer as loaded from the ctx: no offset at all */
	return reg->type == which && reg->id == 0 && reg->off == 0 && tnum_equals_const(reg->var_off, 0);
}

bool register_is_null(const struct bpf_reg_state *reg)
{
	return reg->type == SCALAR_VALUE && tnum_equals_const(reg->var_off, 0);
}

bool reg_not_null(const struct bpf_reg_state *reg)
{
	uint32_t type = reg->type;
	if (type_may_be_null(type))
		return false;
	type = base_type(type);
	return type == PTR_TO_SOCKET || type == PTR_TO_TCP_SOCK || type == PTR_TO_MAP_VALUE || type == PTR_TO_MAP_KEY ||
	       type == PTR_TO_SOCK_COMMON || (type == PTR_TO_BTF_ID && (reg->type & PTR_TRUSTED)) ||
	       (type == PTR_TO_MEM && !(reg->type & PTR_UNTRUSTED)) || type == CONST_PTR_TO_MAP;
}

/* keep the low size bytes: zero extension of a narrow load or a 32-bit result */
void coerce_reg_to_size(struct bpf_reg_state *reg, int size)
{
	uint64_t mask;

	/* clear high bits in bit representation */
	reg->var_off = tnum_cast(reg->var_off, (uint8_t)size);
	/* fix arithmetic bounds */
	mask = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
	if ((reg->umin_value & ~mask) == (reg->umax_value & ~mask)) {
		reg->umin_value &= mask;
		reg->umax_value &= mask;
	} else {
		reg->umin_value = 0;
		reg->umax_value = mask;
	}
	reg->smin_value = (int64_t)reg->umin_value;
	reg->smax_value = (int64_t)reg->umax_value;
	/* a 4-byte result's 32-bit bounds are its u64 bounds; narrower ones are re-derived */
	if (size < 4) {
		__mark_reg32_unbounded(&reg->b);
	} else if (size == 4) {
		reg->u32_min_value = (uint32_t)reg->umin_value;
		reg->u32_max_value = (uint32_t)reg->umax_value;
		reg->s32_min_value = S32_MIN;
		reg->s32_max_value = S32_MAX;
		if ((int32_t)reg->u32_min_value <= (int32_t)reg->u32_max_value) {
			reg->s32_min_value = (int32_t)reg->u32_min_value;
			reg->s32_max_value = (int32_t)reg->u32_max_value;
		}
	}
	reg_bounds_sync(&reg->b);
}

static void set_sext64_default_val(struct bpf_reg_state *reg, int size)
{
	if (size == 1) {
		reg->smin_value = reg->s32_min_value = INT8_MIN;
		reg->smax_value = reg->s32_max_value = INT8_MAX;
	} else if (size == 2) {
		reg->smin_value = reg->s32_min_value = INT16_MIN;
		reg->smax_value = reg->s32_max_value = INT16_MAX;
	} else {
		/* size == 4 */
		reg->smin_value = reg->s32_min_value = S32_MIN;
		reg->smax_value = reg->s32_max_value = S32_MAX;
	}
	reg->umin_value = reg->u32_min_value = 0;
	reg->umax_value = U64_MAX;
	reg->u32_max_value = U32_MAX;
	reg->var_off = tnum_unknown;
}

/* sign extension of the low size bytes (mirrors coerce_reg_to_size_sx) */
void coerce_reg_to_size_sx(struct bpf_reg_state *reg, int size)
{
	int64_t init_s64_max, init_s64_min, s64_max, s64_min, u64_cval;
	uint64_t top_smax_value, top_smin_value;
	uint64_t num_bits = (uint64_t)size * 8;

	if (tnum_is_const(reg->var_off)) {
		u64_cval = (int64_t)reg->var_off.value;
		if (size == 1)
			reg->var_off = tnum_const((uint64_t)(int64_t)(int8_t)u64_cval);
		else if (size == 2)
			reg->var_off = tnum_const((uint64_t)(int64_t)(int16_t)u64_cval);
		else
			reg->var_off = tnum_const((uint64_t)(int64_t)(int32_t)u64_cval);
		u64_cval = (int64_t)reg->var_off.value;
		reg->smax_value = reg->smin_value = u64_cval;
		reg->umax_value = reg->umin_value = (uint64_t)u64_cval;
		reg->s32_max_value = reg->s32_min_value = (int32_t)u64_cval;
		reg->u32_max_value = reg->u32_min_value = (uint32_t)u64_cval;
		return;
	}
	top_smax_value = ((uint64_t)reg->smax_value >> num_bits) << num_bits;
	top_smin_value = ((uint64_t)reg->smin_value >> num_bits) << num_bits;
	if (top_smax_value != top_smin_value)
		goto out;
	/* find the s64_min and s64_min after sign extension */
	if (size == 1) {
		init_s64_max = (int8_t)reg->smax_value;
		init_s64_min = (int8_t)reg->smin_value;
	} else if (size == 2) {
		init_s64_max = (int16_t)reg->smax_value;
		init_s64_min = (int16_t)reg->smin_value;
	} else {
		init_s64_max = (int32_t)reg->smax_value;
		init_s64_min = (int32_t)reg->smin_value;
	}
	s64_max = init_s64_max > init_s64_min ? init_s64_max : init_s64_min;
	s64_min = init_s64_max > init_s64_min ? init_s64_min : init_s64_max;
	/* both of s64_max/s64_min positive or negative */
	if ((s64_max >= 0) == (s64_min >= 0)) {
		reg->s32_min_value = (int32_t)(reg->smin_value = s64_min);
		reg->s32_max_value = (int32_t)(reg->smax_value = s64_max);
		reg->u32_min_value = (uint32_t)(reg->umin_value = (uint64_t)s64_min);
		reg->u32_max_value = (uint32_t)(reg->umax_value = (uint64_t)s64_max);
		reg->var_off = tnum_range((uint64_t)s64_min, (uint64_t)s64_max);
		return;
	}
out:
	set_sext64_default_val(reg, size);
}

static void coerce_subreg_to_size_sx(struct bpf_reg_state *reg, int size)
{
	/* W = (s8/s16)W: sign extend within 32 bits, then the caller zero-extends */
	struct bounds *b = &reg->b;
	if (tnum_subreg_is_const(reg->var_off)) {
		uint32_t v = (uint32_t)reg->var_off.value;
		v = size == 1 ? (uint32_t)(int32_t)(int8_t)v : (uint32_t)(int32_t)(int16_t)v;
		__mark_reg32_known(b, v);
		return;
	}
	/* a range whose bits above the sign bit agree keeps its order after the extension: narrow it */
	uint32_t num_bits = (uint32_t)size * 8;
	uint32_t top_max = ((uint32_t)reg->s32_max_value >> num_bits) << num_bits;
	uint32_t top_min = ((uint32_t)reg->s32_min_value >> num_bits) << num_bits;
	if (top_max == top_min) {
		int32_t a = size == 1 ? (int8_t)reg->s32_max_value : (int16_t)reg->s32_max_value;
		int32_t z = size == 1 ? (int8_t)reg->s32_min_value : (int16_t)reg->s32_min_value;
		int32_t hi = a > z ? a : z, lo = a > z ? z : a;
		if ((lo >= 0) == (hi >= 0)) {
			reg->s32_min_value = lo;
			reg->s32_max_value = hi;
			reg->u32_min_value = (uint32_t)lo;
			reg->u32_max_value = (uint32_t)hi;
			reg->var_off = tnum_subreg(tnum_range((uint64_t)(int64_t)lo, (uint64_t)(int64_t)hi));
			return;
		}
	}
	if (size == 1) {
		reg->s32_min_value = INT8_MIN;
		reg->s32_max_value = INT8_MAX;
	} else {
		reg->s32_min_value = INT16_MIN;
		reg->s32_max_value = INT16_MAX;
	}
	reg->u32_min_value = 0;
	reg->u32_max_value = U32_MAX;
	reg->var_off = tnum_subreg(tnum_unknown);
}

/* ---- pointer arithmetic ---- */

static bool check_reg_sane_offset(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, uint32_t type)
{
	bool known = tnum_is_const(reg->var_off);
	int64_t val = (int64_t)reg->var_off.value;
	int64_t smin = reg->smin_value;

	if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
		verbose(env, "math between %s pointer and %lld is not allowed\n", reg_type_str(env, type), (long long)val);
		return false;
	}
	if (reg->off >= BPF_MAX_VAR_OFF || reg->off <= -BPF_MAX_VAR_OFF) {
		verbose(env, "%s pointer offset %d is not allowed\n", reg_type_str(env, type), reg->off);
		return false;
	}
	if (smin == S64_MIN) {
		verbose(env, "math between %s pointer and register with unbounded min value is not allowed\n",
			reg_type_str(env, type));
		return false;
	}
	if (smin >= BPF_MAX_VAR_OFF || smin <= -BPF_MAX_VAR_OFF) {
		verbose(env, "value %lld makes %s pointer be out of bounds\n", (long long)smin, reg_type_str(env, type));
		return false;
	}
	return true;
}

/* the pointer-specific parts kept when a pointer moves: map, packet range, mem size, btf type */
static void copy_ptr_raw(struct bpf_reg_state *dst, const struct bpf_reg_state *src)
{
	dst->range = src->range;
	dst->map_ptr = src->map_ptr;
	dst->map_idx = src->map_idx;
	dst->mem_size = src->mem_size;
	dst->btf_name = src->btf_name;
	dst->subprogno = src->subprogno;
	dst->frameno = src->frameno;
	dst->ref_obj_id = src->ref_obj_id;
}

static int adjust_ptr_min_max_vals(struct bpfvm_verifier_env *env, const struct bpf_insn *insn,
				   const struct bpf_reg_state *ptr_reg_in, const struct bpf_reg_state *off_reg_in)
{
	struct bpf_reg_state *regs = cur_regs(env), *dst_reg = &regs[insn->dst_reg];
	/* copies: dst_reg may alias either operand */
	struct bpf_reg_state ptr = *ptr_reg_in, off = *off_reg_in;
	const struct bpf_reg_state *ptr_reg = &ptr, *off_reg = &off;
	bool known = tnum_is_const(off_reg->var_off);
	int64_t smin_val = off_reg->smin_value, smax_val = off_reg->smax_value, smin_ptr = ptr_reg->smin_value,
		smax_ptr = ptr_reg->smax_value;
	uint64_t umin_val = off_reg->umin_value, umax_val = off_reg->umax_value, umin_ptr = ptr_reg->umin_value,
		 umax_ptr = ptr_reg->umax_value;
	uint8_t opcode = BPF_OP(insn->code);
	uint32_t dst = insn->dst_reg;
	bool dst_is_off = off_reg_in == dst_reg;

	if ((known && (smin_val != smax_val || umin_val != umax_val)) || smin_val > smax_val || umin_val > umax_val) {
		/* taint dst if the offset had invalid bounds derived from e.g. dead branches */
		__mark_reg_unknown(env, dst_reg);
		return 0;
	}
	if (BPF_CLASS(insn->code) != BPF_ALU64) {
		/* 32-bit ALU ops on pointers produce (meaningless) scalars */
		if (opcode == BPF_SUB && env->allow_ptr_leaks) {
			__mark_reg_unknown(env, dst_reg);
			return 0;
		}
		verbose(env, "R%d 32-bit pointer arithmetic prohibited\n", dst);
		return -EACCES;
	}
	if (ptr_reg->type & PTR_MAYBE_NULL) {
		verbose(env, "R%d pointer arithmetic on %s prohibited, null-check it first\n", dst,
			reg_type_str(env, ptr_reg->type));
		return -EACCES;
	}
	/* untrusted PTR_TO_MEM is accessed through probe loads: no offsets tracked */
	if (base_type(ptr_reg->type) == PTR_TO_MEM && (ptr_reg->type & PTR_UNTRUSTED))
		return 0;

	switch (base_type(ptr_reg->type)) {
	case PTR_TO_CTX: case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY: case PTR_TO_STACK: case PTR_TO_PACKET_META:
	case PTR_TO_PACKET: case PTR_TO_TP_BUFFER: case PTR_TO_BTF_ID: case PTR_TO_MEM: case PTR_TO_BUF:
	case PTR_TO_FUNC: case CONST_PTR_TO_DYNPTR:
		break;
	case PTR_TO_FLOW_KEYS:
		if (known)
			break;
		/* fallthrough */
	case CONST_PTR_TO_MAP:
		/* smin_val represents the known value */
		if (known && smin_val == 0 && opcode == BPF_ADD)
			break;
		/* fallthrough */
	default:
		verbose(env, "R%d pointer arithmetic on %s prohibited\n", dst, reg_type_str(env, ptr_reg->type));
		return -EACCES;
	}

	/* scalar += pointer: dst takes the pointer's type and id */
	dst_reg->type = ptr_reg->type;
	dst_reg->id = ptr_reg->id;

	if (!check_reg_sane_offset(env, off_reg, ptr_reg->type) || !check_reg_sane_offset(env, ptr_reg, ptr_reg->type))
		return -EINVAL;

	/* pointer types do not carry 32-bit bounds at the moment */
	__mark_reg32_unbounded(&dst_reg->b);

	switch (opcode) {
	case BPF_ADD:
		/* a known constant accumulates into the fixed offset, if it fits the s32 off field */
		if (known && (int64_t)ptr_reg->off + smin_val == (int64_t)(int32_t)(ptr_reg->off + smin_val)) {
			dst_reg->smin_value = smin_ptr;
			dst_reg->smax_value = smax_ptr;
			dst_reg->umin_value = umin_ptr;
			dst_reg->umax_value = umax_ptr;
			dst_reg->var_off = ptr_reg->var_off;
			dst_reg->off = ptr_reg->off + (int32_t)smin_val;
			copy_ptr_raw(dst_reg, ptr_reg);
			break;
		}
		/* a new variable offset */
		if (__builtin_add_overflow(smin_ptr, smin_val, &dst_reg->smin_value) ||
		    __builtin_add_overflow(smax_ptr, smax_val, &dst_reg->smax_value)) {
			dst_reg->smin_value = S64_MIN;
			dst_reg->smax_value = S64_MAX;
		}
		if (__builtin_add_overflow(umin_ptr, umin_val, &dst_reg->umin_value) ||
		    __builtin_add_overflow(umax_ptr, umax_val, &dst_reg->umax_value)) {
			dst_reg->umin_value = 0;
			dst_reg->umax_value = U64_MAX;
		}
		dst_reg->var_off = tnum_add(ptr_reg->var_off, off_reg->var_off);
		dst_reg->off = ptr_reg->off;
		copy_ptr_raw(dst_reg, ptr_reg);
		if (reg_is_pkt_pointer(ptr_reg)) {
			dst_reg->id = ++env->id_gen;
			/* something was added to pkt_ptr, set range to zero */
			dst_reg->range = 0;
		}
		break;
	case BPF_SUB:
		if (dst_is_off) {
			/* scalar -= pointer: creates an unknown scalar */
			verbose(env, "R%d tried to subtract pointer from scalar\n", dst);
			return -EACCES;
		}
		/* subtraction from the frame pointer is not allowed (JITs may not handle it) */
		if (ptr_reg->type == PTR_TO_STACK) {
			verbose(env, "R%d subtraction from stack pointer prohibited\n", dst);
			return -EACCES;
		}
		if (known && (int64_t)ptr_reg->off - smin_val == (int64_t)(int32_t)(ptr_reg->off - smin_val)) {
			dst_reg->smin_value = smin_ptr;
			dst_reg->smax_value = smax_ptr;
			dst_reg->umin_value = umin_ptr;
			dst_reg->umax_value = umax_ptr;
			dst_reg->var_off = ptr_reg->var_off;
			dst_reg->id = ptr_reg->id;
			dst_reg->off = ptr_reg->off - (int32_t)smin_val;
			copy_ptr_raw(dst_reg, ptr_reg);
			break;
		}
		if (__builtin_sub_overflow(smin_ptr, smax_val, &dst_reg->smin_value) ||
		    __builtin_sub_overflow(smax_ptr, smin_val, &dst_reg->smax_value)) {
			dst_reg->smin_value = S64_MIN;
			dst_reg->smax_value = S64_MAX;
		}
		if (umin_ptr < umax_val) {
			dst_reg->umin_value = 0;
			dst_reg->umax_value = U64_MAX;
		} else {
			dst_reg->umin_value = umin_ptr - umax_val;
			dst_reg->umax_value = umax_ptr - umin_val;
		}
		dst_reg->var_off = tnum_sub(ptr_reg->var_off, off_reg->var_off);
		dst_reg->off = ptr_reg->off;
		copy_ptr_raw(dst_reg, ptr_reg);
		if (reg_is_pkt_pointer(ptr_reg)) {
			dst_reg->id = ++env->id_gen;
			if (smin_val < 0)
				dst_reg->range = 0;
		}
		break;
	case BPF_AND: case BPF_OR: case BPF_XOR:
		/* bitwise ops on pointers are troublesome, prohibit */
		verbose(env, "R%d bitwise operator %s on pointer prohibited\n", dst, bpf_alu_string(opcode >> 4));
		return -EACCES;
	default:
		/* other operators (e.g. MUL, LSH) produce non-pointer results */
		verbose(env, "R%d pointer arithmetic with %s operator prohibited\n", dst, bpf_alu_string(opcode >> 4));
		return -EACCES;
	}
	if (!check_reg_sane_offset(env, dst_reg, ptr_reg->type))
		return -EINVAL;
	reg_bounds_sync(&dst_reg->b);
	return 0;
}

static int adjust_reg_min_max_vals(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpf_reg_state *regs = cur_regs(env), *dst_reg = &regs[insn->dst_reg], *src_reg = NULL, *ptr_reg = NULL;
	struct bpf_reg_state off_reg;
	uint8_t opcode = BPF_OP(insn->code);
	bool alu32 = BPF_CLASS(insn->code) != BPF_ALU64;

	if (dst_reg->type != SCALAR_VALUE)
		ptr_reg = dst_reg;
	if (BPF_SRC(insn->code) == BPF_X) {
		src_reg = &regs[insn->src_reg];
		if (src_reg->type != SCALAR_VALUE) {
			if (dst_reg->type != SCALAR_VALUE) {
				/* two pointers: only subtraction, and only with pointer leaks allowed */
				if (opcode == BPF_SUB && env->allow_ptr_leaks) {
					mark_reg_unknown(env, regs, insn->dst_reg);
					return 0;
				}
				verbose(env, "R%d pointer %s pointer prohibited\n", insn->dst_reg, bpf_alu_string(opcode >> 4));
				return -EACCES;
			}
			/* scalar += pointer: the pointer's new bounds come from the scalar's */
			int err = mark_chain_precision(env, insn->dst_reg);
			if (err)
				return err;
			return adjust_ptr_min_max_vals(env, insn, src_reg, dst_reg);
		} else if (ptr_reg) {
			/* pointer += scalar */
			int err = mark_chain_precision(env, insn->src_reg);
			if (err)
				return err;
			return adjust_ptr_min_max_vals(env, insn, dst_reg, src_reg);
		} else if (dst_reg->precise) {
			/* a precise result needs a precise operand */
			int err = mark_chain_precision(env, insn->src_reg);
			if (err)
				return err;
		}
	} else {
		/* the immediate as a known register, sign-extended to 64 bits */
		memset(&off_reg, 0, sizeof(off_reg));
		off_reg.type = SCALAR_VALUE;
		__mark_reg_known(&off_reg.b, (uint64_t)(int64_t)insn->imm);
		src_reg = &off_reg;
		if (ptr_reg)
			return adjust_ptr_min_max_vals(env, insn, ptr_reg, src_reg);
	}

	/* two scalars */
	struct bounds src_b = src_reg->b;
	if (!scalar_alu(&dst_reg->b, src_b, opcode, alu32)) {
		__mark_reg_unknown(env, dst_reg);
		return 0;
	}
	/* dst no longer equals whatever it was linked to */
	dst_reg->id = 0;
	return 0;
}

static bool is_reg_const(const struct bpf_reg_state *reg, bool subreg32)
{
	return reg->type == SCALAR_VALUE && bounds_is_const(&reg->b, subreg32);
}

static void assign_scalar_id_before_mov(struct bpfvm_verifier_env *env, struct bpf_reg_state *src_reg)
{
	/* copies of an unknown scalar share an id, so a branch on one narrows the others */
	if (src_reg->type == SCALAR_VALUE && !src_reg->id && !tnum_is_const(src_reg->var_off))
		src_reg->id = ++env->id_gen;
}

static int get_reg_width(const struct bpf_reg_state *reg)
{
	return 64 - __builtin_clzll(reg->umax_value | 1);
}

int check_alu_op(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpf_reg_state *regs = cur_regs(env);
	uint8_t opcode = BPF_OP(insn->code);
	int err;

	if (opcode == BPF_END || opcode == BPF_NEG) {
		if (opcode == BPF_NEG) {
			if (BPF_SRC(insn->code) != BPF_K || insn->src_reg != 0 || insn->off != 0 || insn->imm != 0) {
				verbose(env, "BPF_NEG uses reserved fields\n");
				return -EINVAL;
			}
		} else if (insn->src_reg != 0 || insn->off != 0 ||
			   (insn->imm != 16 && insn->imm != 32 && insn->imm != 64) ||
			   (BPF_CLASS(insn->code) == BPF_ALU64 && BPF_SRC(insn->code) != BPF_TO_LE)) {
			verbose(env, "BPF_END uses reserved fields\n");
			return -EINVAL;
		}
		/* check src operand */
		err = check_reg_arg(env, insn->dst_reg, SRC_OP);
		if (err)
			return err;
		if (is_pointer_value(env, insn->dst_reg)) {
			verbose(env, "R%d pointer arithmetic prohibited\n", insn->dst_reg);
			return -EACCES;
		}
		/* check dest operand */
		if (opcode == BPF_NEG && regs[insn->dst_reg].type == SCALAR_VALUE) {
			err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK);
			if (err)
				return err;
			struct bpf_reg_state *dst = &regs[insn->dst_reg];
			if (!scalar_alu(&dst->b, dst->b, BPF_NEG, BPF_CLASS(insn->code) == BPF_ALU))
				__mark_reg_unknown(env, dst);
			dst->id = 0;
			return 0;
		}
		if (opcode == BPF_END && regs[insn->dst_reg].type == SCALAR_VALUE) {
			struct bpf_reg_state *dst = &regs[insn->dst_reg];
			bool swap = BPF_CLASS(insn->code) == BPF_ALU64 || BPF_SRC(insn->code) == BPF_TO_BE;
			scalar_byte_swap(&dst->b, insn->imm, swap);
			dst->id = 0;
			return 0;
		}
		return check_reg_arg(env, insn->dst_reg, DST_OP);
	} else if (opcode == BPF_MOV) {
		if (BPF_SRC(insn->code) == BPF_X) {
			if (BPF_CLASS(insn->code) == BPF_ALU) {
				if ((insn->off != 0 && insn->off != 8 && insn->off != 16) || insn->imm) {
					verbose(env, "BPF_MOV uses reserved fields\n");
					return -EINVAL;
				}
			} else if ((insn->off != 0 && insn->off != 8 && insn->off != 16 && insn->off != 32) || insn->imm) {
				verbose(env, "BPF_MOV uses reserved fields\n");
				return -EINVAL;
			}
			/* check src operand */
			err = check_reg_arg(env, insn->src_reg, SRC_OP);
			if (err)
				return err;
		} else if (insn->src_reg != 0 || insn->off != 0) {
			verbose(env, "BPF_MOV uses reserved fields\n");
			return -EINVAL;
		}
		/* check dest operand, mark as required later */
		err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK);
		if (err)
			return err;

		if (BPF_SRC(insn->code) == BPF_X) {
			struct bpf_reg_state *src_reg = regs + insn->src_reg, *dst_reg = regs + insn->dst_reg;
			if (BPF_CLASS(insn->code) == BPF_ALU64) {
				if (insn->off == 0) {
					/* R1 = R2: copy register state to dest reg */
					assign_scalar_id_before_mov(env, src_reg);
					*dst_reg = *src_reg;
				} else if (is_pointer_value(env, insn->src_reg)) {
					verbose(env, "R%d sign-extension part of pointer\n", insn->src_reg);
					return -EACCES;
				} else if (src_reg->type == SCALAR_VALUE) {
					/* R1 = (s8, s16, s32)R2 */
					bool no_sext = src_reg->umax_value < (1ULL << (insn->off - 1));
					if (no_sext)
						assign_scalar_id_before_mov(env, src_reg);
					*dst_reg = *src_reg;
					if (!no_sext)
						dst_reg->id = 0;
					coerce_reg_to_size_sx(dst_reg, insn->off >> 3);
				} else {
					mark_reg_unknown(env, regs, insn->dst_reg);
				}
			} else {
				/* R1 = (u32) R2 */
				if (is_pointer_value(env, insn->src_reg)) {
					verbose(env, "R%d partial copy of pointer\n", insn->src_reg);
					return -EACCES;
				} else if (src_reg->type == SCALAR_VALUE) {
					if (insn->off == 0) {
						bool is_src_reg_u32 = get_reg_width(src_reg) <= 32;
						if (is_src_reg_u32)
							assign_scalar_id_before_mov(env, src_reg);
						*dst_reg = *src_reg;
						/* not linked unless the value is the same in 32 and 64 bits */
						if (!is_src_reg_u32)
							dst_reg->id = 0;
					} else {
						/* W1 = (s8, s16)W2 */
						bool no_sext = src_reg->umax_value < (1ULL << (insn->off - 1));
						if (no_sext)
							assign_scalar_id_before_mov(env, src_reg);
						*dst_reg = *src_reg;
						if (!no_sext)
							dst_reg->id = 0;
						coerce_subreg_to_size_sx(dst_reg, insn->off >> 3);
					}
				} else {
					mark_reg_unknown(env, regs, insn->dst_reg);
				}
				zext_32_to_64(&dst_reg->b);
				reg_bounds_sync(&dst_reg->b);
			}
		} else {
			/* R = imm: remember the value stored into this reg */
			mark_reg_unknown(env, regs, insn->dst_reg);
			regs[insn->dst_reg].type = SCALAR_VALUE;
			if (BPF_CLASS(insn->code) == BPF_ALU64)
				__mark_reg_known(&regs[insn->dst_reg].b, (uint64_t)(int64_t)insn->imm);
			else
				__mark_reg_known(&regs[insn->dst_reg].b, (uint32_t)insn->imm);
		}
		return 0;
	} else if (opcode > BPF_END) {
		verbose(env, "invalid BPF_ALU opcode %x\n", opcode);
		return -EINVAL;
	}

	/* all other ALU ops: and, sub, xor, add, ... */
	if (BPF_SRC(insn->code) == BPF_X) {
		if (insn->imm != 0 || (insn->off != 0 && insn->off != 1) ||
		    (insn->off == 1 && opcode != BPF_MOD && opcode != BPF_DIV)) {
			verbose(env, "BPF_ALU uses reserved fields\n");
			return -EINVAL;
		}
		/* check src1 operand */
		err = check_reg_arg(env, insn->src_reg, SRC_OP);
		if (err)
			return err;
	} else if (insn->src_reg != 0 || (insn->off != 0 && insn->off != 1) ||
		   (insn->off == 1 && opcode != BPF_MOD && opcode != BPF_DIV)) {
		verbose(env, "BPF_ALU uses reserved fields\n");
		return -EINVAL;
	}
	/* check src2 operand */
	err = check_reg_arg(env, insn->dst_reg, SRC_OP);
	if (err)
		return err;
	if ((opcode == BPF_MOD || opcode == BPF_DIV) && BPF_SRC(insn->code) == BPF_K && insn->imm == 0) {
		verbose(env, "div by zero\n");
		return -EINVAL;
	}
	if ((opcode == BPF_LSH || opcode == BPF_RSH || opcode == BPF_ARSH) && BPF_SRC(insn->code) == BPF_K) {
		int size = BPF_CLASS(insn->code) == BPF_ALU64 ? 64 : 32;
		if (insn->imm < 0 || insn->imm >= size) {
			verbose(env, "invalid shift %d\n", insn->imm);
			return -EINVAL;
		}
	}
	/* check dest operand */
	err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK);
	if (err)
		return err;
	return adjust_reg_min_max_vals(env, insn);
}

/* ---- conditional jumps ---- */

static int is_pkt_ptr_branch_taken(const struct bpf_reg_state *dst_reg, const struct bpf_reg_state *src_reg,
				   uint8_t opcode)
{
	const struct bpf_reg_state *pkt;

	if (src_reg->type == PTR_TO_PACKET_END) {
		pkt = dst_reg;
	} else if (dst_reg->type == PTR_TO_PACKET_END) {
		pkt = src_reg;
		opcode = flip_opcode(opcode);
	} else {
		return -1;
	}
	if (pkt->range >= 0)
		return -1;
	switch (opcode) {
	case BPF_JLE:
		/* pkt <= pkt_end */
		/* fallthrough */
	case BPF_JGT:
		/* pkt > pkt_end */
		if (pkt->range == BEYOND_PKT_END)
			/* pkt has at last one extra byte beyond pkt_end */
			return opcode == BPF_JGT;
		break;
	case BPF_JLT:
		/* fallthrough */
	case BPF_JGE:
		if (pkt->range == BEYOND_PKT_END || pkt->range == AT_PKT_END)
			return opcode == BPF_JGE;
		break;
	}
	return -1;
}

static int is_branch_taken(const struct bpf_reg_state *reg1, const struct bpf_reg_state *reg2, uint8_t opcode,
			   bool is_jmp32)
{
	if (reg_is_pkt_pointer_any(reg1) && reg_is_pkt_pointer_any(reg2) && !is_jmp32)
		return is_pkt_ptr_branch_taken(reg1, reg2, opcode);

	if (__is_pointer_value(false, reg1) || __is_pointer_value(false, reg2)) {
		/* arrange that reg2 is a scalar, and reg1 is a pointer */
		if (!is_reg_const(reg2, is_jmp32)) {
			const struct bpf_reg_state *t = reg1;
			opcode = flip_opcode(opcode);
			reg1 = reg2;
			reg2 = t;
		}
		/* and ensure that reg2 is a constant */
		if (!is_reg_const(reg2, is_jmp32))
			return -1;
		if (!reg_not_null(reg1))
			return -1;
		/* a valid pointer compared with zero: only JEQ/JNE are known */
		if (bounds_const_value(&reg2->b, is_jmp32) != 0)
			return -1;
		switch (opcode) {
		case BPF_JEQ: return 0;
		case BPF_JNE: return 1;
		default: return -1;
		}
	}
	return is_scalar_branch_taken(&reg1->b, &reg2->b, opcode, is_jmp32);
}

#define for_each_reg_in_vstate(vstate, fr, reg, body)                                                           \
	do {                                                                                                    \
		for (uint32_t _fi = 0; _fi <= (vstate)->curframe; _fi++) {                                      \
			struct bpf_func_state *fr = (vstate)->frame[_fi];                                       \
			for (int _ri = 0; _ri < MAX_BPF_REG; _ri++) {                                           \
				struct bpf_reg_state *reg = &fr->regs[_ri];                                     \
				body;                                                                           \
			}                                                                                       \
			for (int _si = 0; _si < fr->allocated_stack / BPF_REG_SIZE; _si++) {                    \
				if (fr->stack[_si].slot_type[BPF_REG_SIZE - 1] != STACK_SPILL)                  \
					continue;                                                               \
				struct bpf_reg_state *reg = &fr->stack[_si].spilled_ptr;                         \
				body;                                                                           \
			}                                                                                       \
		}                                                                                               \
	} while (0)

void find_good_pkt_pointers(struct bpf_verifier_state *vstate, struct bpf_reg_state *dst_reg,
			    enum bpf_reg_type type, bool range_right_open)
{
	int new_range;

	if (dst_reg->off < 0 || (dst_reg->off == 0 && range_right_open))
		/* this doesn't give us any range */
		return;
	if (dst_reg->umax_value > MAX_PACKET_OFF || dst_reg->umax_value + (uint64_t)dst_reg->off > MAX_PACKET_OFF)
		/* risk of overflow */
		return;
	new_range = dst_reg->off;
	if (range_right_open)
		new_range++;
	uint32_t id = dst_reg->id;
	for_each_reg_in_vstate(vstate, fr, reg, {
		if (reg->type == type && reg->id == id && reg->range < new_range)
			reg->range = new_range;
	});
}

static void mark_pkt_end(struct bpf_verifier_state *vstate, int regn, bool range_open)
{
	struct bpf_func_state *state = vstate->frame[vstate->curframe];
	struct bpf_reg_state *reg = &state->regs[regn];

	if (reg->type != PTR_TO_PACKET)
		/* PTR_TO_PACKET_META is not supported yet */
		return;
	/* the pkt_end register is not tracked itself: only the packet pointer learns it is beyond or at the end */
	if (range_open)
		reg->range = BEYOND_PKT_END;
	else
		reg->range = AT_PKT_END;
}

static bool try_match_pkt_pointers(const struct bpf_insn *insn, struct bpf_reg_state *dst_reg,
				   struct bpf_reg_state *src_reg, struct bpf_verifier_state *this_branch,
				   struct bpf_verifier_state *other_branch)
{
	bool a, b;

	if (BPF_SRC(insn->code) != BPF_X)
		return false;
	/* pointers are always 64-bit */
	if (BPF_CLASS(insn->code) == BPF_JMP32)
		return false;
	/* a: dst is the data pointer and src the end; b: the other way round */
	a = (dst_reg->type == PTR_TO_PACKET && src_reg->type == PTR_TO_PACKET_END) ||
	    (dst_reg->type == PTR_TO_PACKET_META && reg_is_init_pkt_pointer(src_reg, PTR_TO_PACKET));
	b = (dst_reg->type == PTR_TO_PACKET_END && src_reg->type == PTR_TO_PACKET) ||
	    (reg_is_init_pkt_pointer(dst_reg, PTR_TO_PACKET) && src_reg->type == PTR_TO_PACKET_META);
	if (!a && !b)
		return false;
	switch (BPF_OP(insn->code)) {
	case BPF_JGT:
		if (a) {
			/* pkt_data' > pkt_end, pkt_meta' > pkt_data */
			find_good_pkt_pointers(this_branch, dst_reg, dst_reg->type, false);
			mark_pkt_end(other_branch, insn->dst_reg, true);
		} else {
			/* pkt_end > pkt_data', pkt_data > pkt_meta' */
			find_good_pkt_pointers(other_branch, src_reg, src_reg->type, true);
			mark_pkt_end(this_branch, insn->src_reg, false);
		}
		break;
	case BPF_JLT:
		if (a) {
			/* pkt_data' < pkt_end, pkt_meta' < pkt_data */
			find_good_pkt_pointers(other_branch, dst_reg, dst_reg->type, true);
			mark_pkt_end(this_branch, insn->dst_reg, false);
		} else {
			/* pkt_end < pkt_data', pkt_data > pkt_meta' */
			find_good_pkt_pointers(this_branch, src_reg, src_reg->type, false);
			mark_pkt_end(other_branch, insn->src_reg, true);
		}
		break;
	case BPF_JGE:
		if (a) {
			/* pkt_data' >= pkt_end, pkt_meta' >= pkt_data */
			find_good_pkt_pointers(this_branch, dst_reg, dst_reg->type, true);
			mark_pkt_end(other_branch, insn->dst_reg, false);
		} else {
			/* pkt_end >= pkt_data', pkt_data >= pkt_meta' */
			find_good_pkt_pointers(other_branch, src_reg, src_reg->type, false);
			mark_pkt_end(this_branch, insn->src_reg, true);
		}
		break;
	case BPF_JLE:
		if (a) {
			/* pkt_data' <= pkt_end, pkt_meta' <= pkt_data */
			find_good_pkt_pointers(other_branch, dst_reg, dst_reg->type, false);
			mark_pkt_end(this_branch, insn->dst_reg, true);
		} else {
			/* pkt_end <= pkt_data', pkt_data <= pkt_meta' */
			find_good_pkt_pointers(this_branch, src_reg, src_reg->type, true);
			mark_pkt_end(other_branch, insn->src_reg, false);
		}
		break;
	default:
		return false;
	}
	return true;
}

static void mark_ptr_or_null_reg(struct bpf_reg_state *reg, uint32_t id, bool is_null)
{
	if (!type_may_be_null(reg->type) || reg->id != id)
		return;
	if (is_null) {
		reg->type = SCALAR_VALUE;
		/* the NULL branch: a known zero */
		uint32_t fr = reg->frameno;
		memset(reg, 0, sizeof(*reg));
		reg->type = SCALAR_VALUE;
		__mark_reg_known(&reg->b, 0);
		reg->frameno = fr;
		return;
	}
	reg->type &= ~PTR_MAYBE_NULL;
	/* a lookup in a sockmap or sockhash found a socket (referenced: bpf_sk_release gives it back), in an xskmap an
	 * AF_XDP socket, as the kernel's mark_ptr_not_null_reg retypes them */
	if (base_type(reg->type) == PTR_TO_MAP_VALUE && reg->map_ptr) {
		uint32_t mt = reg->map_ptr->type;
		if (mt == BPF_MAP_TYPE_SOCKMAP || mt == BPF_MAP_TYPE_SOCKHASH)
			reg->type = PTR_TO_SOCKET;
		else if (mt == BPF_MAP_TYPE_XSKMAP)
			reg->type = PTR_TO_XDP_SOCK;
	}
	/* a map value (or key) pointer keeps no id once known non-NULL, except for spin locks */
	if (base_type(reg->type) == PTR_TO_MAP_VALUE) {
		if (!(reg->map_ptr && reg->map_ptr->spin_lock_off >= 0))
			reg->id = 0;
	} else if (!reg->ref_obj_id && base_type(reg->type) != PTR_TO_SOCKET) {
		reg->id = 0;
	}
}

void mark_ptr_or_null_regs(struct bpf_verifier_state *vstate, uint32_t regno, bool is_null)
{
	struct bpf_func_state *state = vstate->frame[vstate->curframe];
	struct bpf_reg_state *regs = state->regs;
	uint32_t ref_obj_id = regs[regno].ref_obj_id;
	uint32_t id = regs[regno].id;

	if (ref_obj_id && ref_obj_id == id && is_null) {
		/* the reference was not acquired: NULL needs no release */
		for (uint32_t i = 0; i < vstate->acquired_refs; i++)
			if (vstate->refs[i].id == ref_obj_id) {
				vstate->refs[i] = vstate->refs[--vstate->acquired_refs];
				break;
			}
	}
	for_each_reg_in_vstate(vstate, fr, reg, { mark_ptr_or_null_reg(reg, id, is_null); });
}

/* a branch on one copy of a scalar narrows every copy (same id) */
static void sync_linked_regs(struct bpf_verifier_state *vstate, const struct bpf_reg_state *known_reg)
{
	uint32_t id = known_reg->id;
	struct bounds b = known_reg->b;

	for_each_reg_in_vstate(vstate, fr, reg, {
		if (reg->type == SCALAR_VALUE && reg->id == id && reg != known_reg)
			reg->b = b;
	});
}

static void mark_ptr_not_null_reg(struct bpf_reg_state *reg)
{
	if (type_may_be_null(reg->type))
		reg->type &= ~PTR_MAYBE_NULL;
}

int check_cond_jmp_op(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx)
{
	struct bpf_verifier_state *this_branch = env->cur_state, *other_branch;
	struct bpf_reg_state *regs = this_branch->frame[this_branch->curframe]->regs;
	struct bpf_reg_state *dst_reg, *other_branch_regs, *src_reg, fake0, fake1;
	uint8_t opcode = BPF_OP(insn->code);
	bool is_jmp32;
	int pred, err;

	/* only conditional jumps are expected to reach here */
	if (opcode == BPF_JA || opcode > BPF_JCOND) {
		verbose(env, "invalid BPF_JMP/JMP32 opcode %x\n", opcode);
		return -EINVAL;
	}
	if (opcode == BPF_JCOND) {
		struct bpf_verifier_state *queued_st;
		int idx = *insn_idx;

		if (insn->code != (BPF_JMP | BPF_JCOND) || insn->src_reg != BPF_MAY_GOTO || insn->dst_reg || insn->imm) {
			verbose(env, "invalid may_goto imm %d\n", insn->imm);
			return -EINVAL;
		}
		/* branch out 'fallthrough' insn as a new state to explore */
		queued_st = push_stack(env, idx + 1, idx, false);
		if (!queued_st)
			return -ENOMEM;
		queued_st->may_goto_depth++;
		*insn_idx += insn->off;
		return 0;
	}

	/* check src2 operand */
	err = check_reg_arg(env, insn->dst_reg, SRC_OP);
	if (err)
		return err;
	dst_reg = &regs[insn->dst_reg];
	if (BPF_SRC(insn->code) == BPF_X) {
		if (insn->imm != 0) {
			verbose(env, "BPF_JMP/JMP32 uses reserved fields\n");
			return -EINVAL;
		}
		/* check src1 operand */
		err = check_reg_arg(env, insn->src_reg, SRC_OP);
		if (err)
			return err;
		src_reg = &regs[insn->src_reg];
		if (!(reg_is_pkt_pointer_any(dst_reg) && reg_is_pkt_pointer_any(src_reg)) &&
		    is_pointer_value(env, insn->src_reg)) {
			verbose(env, "R%d pointer comparison prohibited\n", insn->src_reg);
			return -EACCES;
		}
	} else {
		if (insn->src_reg != 0) {
			verbose(env, "BPF_JMP/JMP32 uses reserved fields\n");
			return -EINVAL;
		}
		memset(&fake0, 0, sizeof(fake0));
		fake0.type = SCALAR_VALUE;
		__mark_reg_known(&fake0.b, (uint64_t)(int64_t)insn->imm);
		src_reg = &fake0;
	}

	is_jmp32 = BPF_CLASS(insn->code) == BPF_JMP32;
	pred = is_branch_taken(dst_reg, src_reg, opcode, is_jmp32);
	if (pred >= 0) {
		if (!__is_pointer_value(false, dst_reg))
			mark_chain_precision(env, insn->dst_reg);
		if (BPF_SRC(insn->code) == BPF_X && !__is_pointer_value(false, src_reg))
			mark_chain_precision(env, insn->src_reg);
	}
	if (pred == 1) {
		/* only follow the goto, ignore fall-through */
		if (env->log_level & 1)
			print_insn_state(env, this_branch, this_branch->curframe);
		*insn_idx += insn->off;
		return 0;
	} else if (pred == 0) {
		/* only follow the fall-through branch */
		if (env->log_level & 1)
			print_insn_state(env, this_branch, this_branch->curframe);
		return 0;
	}

	/* the scalars this jump narrows together, for precision backtracking (before push_stack: both branches) */
	if (dst_reg->type == SCALAR_VALUE && dst_reg->id) {
		err = record_linked_regs(env, insn->dst_reg);
		if (err)
			return err;
	}
	if (BPF_SRC(insn->code) == BPF_X && src_reg->type == SCALAR_VALUE && src_reg->id) {
		err = record_linked_regs(env, insn->src_reg);
		if (err)
			return err;
	}
	other_branch = push_stack(env, *insn_idx + insn->off + 1, *insn_idx, false);
	if (!other_branch)
		return -ENOMEM;
	/* push_stack may have moved nothing, but re-read pointers into the current state anyway */
	regs = this_branch->frame[this_branch->curframe]->regs;
	dst_reg = &regs[insn->dst_reg];
	if (BPF_SRC(insn->code) == BPF_X)
		src_reg = &regs[insn->src_reg];
	other_branch_regs = other_branch->frame[other_branch->curframe]->regs;

	if (dst_reg->type == SCALAR_VALUE && src_reg->type == SCALAR_VALUE) {
		if (BPF_SRC(insn->code) == BPF_X) {
			reg_set_min_max(&other_branch_regs[insn->dst_reg].b, &other_branch_regs[insn->src_reg].b,
					&dst_reg->b, &src_reg->b, opcode, is_jmp32);
		} else {
			fake1 = fake0;
			reg_set_min_max(&other_branch_regs[insn->dst_reg].b, &fake0.b, &dst_reg->b, &fake1.b, opcode,
					is_jmp32);
		}
		if (BPF_SRC(insn->code) == BPF_X && src_reg->id) {
			sync_linked_regs(this_branch, src_reg);
			sync_linked_regs(other_branch, &other_branch_regs[insn->src_reg]);
		}
		if (dst_reg->id) {
			sync_linked_regs(this_branch, dst_reg);
			sync_linked_regs(other_branch, &other_branch_regs[insn->dst_reg]);
		}
	}

	/* a maybe-NULL pointer compared with a non-NULL one is non-NULL where they are equal */
	if (!is_jmp32 && BPF_SRC(insn->code) == BPF_X && __is_pointer_value(false, src_reg) &&
	    __is_pointer_value(false, dst_reg) && type_may_be_null(src_reg->type) != type_may_be_null(dst_reg->type) &&
	    base_type(src_reg->type) != PTR_TO_BTF_ID && base_type(dst_reg->type) != PTR_TO_BTF_ID) {
		struct bpf_reg_state *eq_branch_regs = NULL;
		if (opcode == BPF_JEQ)
			eq_branch_regs = other_branch_regs;
		else if (opcode == BPF_JNE)
			eq_branch_regs = regs;
		if (eq_branch_regs) {
			if (type_may_be_null(src_reg->type))
				mark_ptr_not_null_reg(&eq_branch_regs[insn->src_reg]);
			else
				mark_ptr_not_null_reg(&eq_branch_regs[insn->dst_reg]);
		}
	}

	/* detect if R == 0 where R is returned from a lookup (never JMP32) */
	if (!is_jmp32 && BPF_SRC(insn->code) == BPF_K && insn->imm == 0 && (opcode == BPF_JEQ || opcode == BPF_JNE) &&
	    type_may_be_null(dst_reg->type)) {
		/* mark all identical registers in each branch as either safe or unknown (if the pointer is NULL) */
		mark_ptr_or_null_regs(this_branch, insn->dst_reg, opcode == BPF_JNE);
		mark_ptr_or_null_regs(other_branch, insn->dst_reg, opcode == BPF_JEQ);
	} else if (!try_match_pkt_pointers(insn, dst_reg, &regs[insn->src_reg], this_branch, other_branch) &&
		   is_pointer_value(env, insn->dst_reg)) {
		verbose(env, "R%d pointer comparison prohibited\n", insn->dst_reg);
		return -EACCES;
	}
	if (env->log_level & 1)
		print_insn_state(env, this_branch, this_branch->curframe);
	return 0;
}

/* LD_IMM64: constants, map pointers, map values, functions (encoding was checked by resolve_pseudo_ldimm64) */
int check_ld_imm(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpf_insn_aux_data *aux = &env->insn_aux_data[env->insn_idx];
	struct bpf_reg_state *regs = cur_regs(env), *dst_reg;
	int err;

	if (BPF_SIZE(insn->code) != BPF_DW) {
		verbose(env, "invalid BPF_LD_IMM insn\n");
		return -EINVAL;
	}
	if (insn->off != 0) {
		verbose(env, "BPF_LD_IMM64 uses reserved fields\n");
		return -EINVAL;
	}
	err = check_reg_arg(env, insn->dst_reg, DST_OP);
	if (err)
		return err;
	dst_reg = &regs[insn->dst_reg];
	if (insn->src_reg == 0) {
		uint64_t imm = ((uint64_t)(uint32_t)(insn + 1)->imm << 32) | (uint32_t)insn->imm;
		dst_reg->type = SCALAR_VALUE;
		__mark_reg_known(&dst_reg->b, imm);
		return 0;
	}
	/* all special src_reg cases are listed below; from here on the register holds a pointer */
	mark_reg_known_zero(env, regs, insn->dst_reg);
	if (insn->src_reg == BPF_PSEUDO_BTF_ID) {
		dst_reg->type = PTR_TO_MEM | MEM_RDONLY;
		return 0;
	}
	if (insn->src_reg == BPF_PSEUDO_FUNC) {
		/* callbacks need BTF: their signature comes from func_info */
		if (!env->opts->func_info_cnt) {
			verbose(env, "missing btf func_info\n");
			return -EINVAL;
		}
		dst_reg->type = PTR_TO_FUNC;
		dst_reg->subprogno = find_subprog(env, env->insn_idx + insn->imm + 1);
		return 0;
	}
	dst_reg->map_ptr = aux->map_ptr;
	dst_reg->map_idx = (uint32_t)insn->imm;
	if (insn->src_reg == BPF_PSEUDO_MAP_VALUE || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
		dst_reg->type = PTR_TO_MAP_VALUE;
		dst_reg->off = (int32_t)aux->map_off;
	} else if (insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_IDX) {
		dst_reg->type = CONST_PTR_TO_MAP;
	} else {
		verbose(env, "bpf verifier is misconfigured\n");
		return -EFAULT;
	}
	return 0;
}
