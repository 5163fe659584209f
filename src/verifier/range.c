/* range.c - scalar bounds: s64/u64/s32/u32 ranges kept in sync with a tnum (mirrors the kernel verifier's
 * __update_reg_bounds, __reg_deduce_bounds, scalar*_min_max_*, is_scalar_branch_taken, regs_refine_cond_op) */
#include <linux/bpf.h>

#include "verifier/range.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

void __mark_reg_known(struct bounds *b, uint64_t imm)
{
	b->var_off = tnum_const(imm);
	b->smin_value = (int64_t)imm;
	b->smax_value = (int64_t)imm;
	b->umin_value = imm;
	b->umax_value = imm;
	b->s32_min_value = (int32_t)imm;
	b->s32_max_value = (int32_t)imm;
	b->u32_min_value = (uint32_t)imm;
	b->u32_max_value = (uint32_t)imm;
}

void __mark_reg32_known(struct bounds *b, uint64_t imm)
{
	b->var_off = tnum_const_subreg(b->var_off, (uint32_t)imm);
	b->s32_min_value = (int32_t)imm;
	b->s32_max_value = (int32_t)imm;
	b->u32_min_value = (uint32_t)imm;
	b->u32_max_value = (uint32_t)imm;
}

void __mark_reg64_unbounded(struct bounds *b)
{
	b->smin_value = S64_MIN;
	b->smax_value = S64_MAX;
	b->umin_value = 0;
	b->umax_value = U64_MAX;
}

void __mark_reg32_unbounded(struct bounds *b)
{
	b->s32_min_value = S32_MIN;
	b->s32_max_value = S32_MAX;
	b->u32_min_value = 0;
	b->u32_max_value = U32_MAX;
}

void __mark_reg_unbounded(struct bounds *b)
{
	__mark_reg64_unbounded(b);
	__mark_reg32_unbounded(b);
}

void mark_bounds_unknown(struct bounds *b)
{
	b->var_off = tnum_unknown;
	__mark_reg_unbounded(b);
}

static void __update_reg32_bounds(struct bounds *b)
{
	struct tnum var32_off = tnum_subreg(b->var_off);

	/* min signed is max(sign bit) | min(other bits) */
	b->s32_min_value = MAX(b->s32_min_value, (int32_t)(var32_off.value | (var32_off.mask & 0x80000000u)));
	/* max signed is min(sign bit) | max(other bits) */
	b->s32_max_value = MIN(b->s32_max_value, (int32_t)(var32_off.value | (var32_off.mask & 0x7fffffffu)));
	b->u32_min_value = MAX(b->u32_min_value, (uint32_t)var32_off.value);
	b->u32_max_value = MIN(b->u32_max_value, (uint32_t)(var32_off.value | var32_off.mask));
}

static void __update_reg64_bounds(struct bounds *b)
{
	b->smin_value = MAX(b->smin_value, (int64_t)(b->var_off.value | (b->var_off.mask & (1ULL << 63))));
	b->smax_value = MIN(b->smax_value, (int64_t)(b->var_off.value | (b->var_off.mask & ~(1ULL << 63))));
	b->umin_value = MAX(b->umin_value, b->var_off.value);
	b->umax_value = MIN(b->umax_value, b->var_off.value | b->var_off.mask);
}

void __update_reg_bounds(struct bounds *b)
{
	__update_reg32_bounds(b);
	__update_reg64_bounds(b);
}

static void __reg32_deduce_bounds(struct bounds *b)
{
	/* If the upper 32 bits of the u64/s64 range don't change, the low 32 bits bound the subregister. */
	if ((b->umin_value >> 32) == (b->umax_value >> 32)) {
		b->u32_min_value = MAX(b->u32_min_value, (uint32_t)b->umin_value);
		b->u32_max_value = MIN(b->u32_max_value, (uint32_t)b->umax_value);
		if ((int32_t)b->umin_value <= (int32_t)b->umax_value) {
			b->s32_min_value = MAX(b->s32_min_value, (int32_t)b->umin_value);
			b->s32_max_value = MIN(b->s32_max_value, (int32_t)b->umax_value);
		}
	}
	if ((b->smin_value >> 32) == (b->smax_value >> 32)) {
		if ((uint32_t)b->smin_value <= (uint32_t)b->smax_value) {
			b->u32_min_value = MAX(b->u32_min_value, (uint32_t)b->smin_value);
			b->u32_max_value = MIN(b->u32_max_value, (uint32_t)b->smax_value);
		}
		if ((int32_t)b->smin_value <= (int32_t)b->smax_value) {
			b->s32_min_value = MAX(b->s32_min_value, (int32_t)b->smin_value);
			b->s32_max_value = MIN(b->s32_max_value, (int32_t)b->smax_value);
		}
	}
	/* upper halves two consecutive numbers and the low halves going from negative to positive: the low
	 * halves still form one s32 range */
	if ((uint32_t)(b->umin_value >> 32) + 1 == (uint32_t)(b->umax_value >> 32) &&
	    (int32_t)b->umin_value < 0 && (int32_t)b->umax_value >= 0) {
		b->s32_min_value = MAX(b->s32_min_value, (int32_t)b->umin_value);
		b->s32_max_value = MIN(b->s32_max_value, (int32_t)b->umax_value);
	}
	if ((uint32_t)((uint64_t)b->smin_value >> 32) + 1 == (uint32_t)((uint64_t)b->smax_value >> 32) &&
	    (int32_t)b->smin_value < 0 && (int32_t)b->smax_value >= 0) {
		b->s32_min_value = MAX(b->s32_min_value, (int32_t)b->smin_value);
		b->s32_max_value = MIN(b->s32_max_value, (int32_t)b->smax_value);
	}
	/* a u32 range not crossing the sign bit is an s32 range too, and the other way round */
	if ((int32_t)b->u32_min_value <= (int32_t)b->u32_max_value) {
		b->s32_min_value = MAX(b->s32_min_value, (int32_t)b->u32_min_value);
		b->s32_max_value = MIN(b->s32_max_value, (int32_t)b->u32_max_value);
	}
	if ((uint32_t)b->s32_min_value <= (uint32_t)b->s32_max_value) {
		b->u32_min_value = MAX(b->u32_min_value, (uint32_t)b->s32_min_value);
		b->u32_max_value = MIN(b->u32_max_value, (uint32_t)b->s32_max_value);
	} else {
		/* the s32 range wraps through the sign boundary: as in __reg64_deduce_bounds, a u32 range inside one
		 * end of the u32 domain bounds that end (6.18: [S32_MIN, 0] and u32 [1, 0x80000000] is 0x80000000) */
		if (b->u32_max_value < (uint32_t)b->s32_min_value) {
			b->s32_min_value = (int32_t)b->u32_min_value;
			b->u32_max_value = MIN(b->u32_max_value, (uint32_t)b->s32_max_value);
		} else if ((uint32_t)b->s32_max_value < b->u32_min_value) {
			b->s32_max_value = (int32_t)b->u32_max_value;
			b->u32_min_value = MAX(b->u32_min_value, (uint32_t)b->s32_min_value);
		}
	}
}

static void __reg64_deduce_bounds(struct bounds *b)
{
	if ((int64_t)b->umin_value <= (int64_t)b->umax_value) {
		b->smin_value = MAX(b->smin_value, (int64_t)b->umin_value);
		b->smax_value = MIN(b->smax_value, (int64_t)b->umax_value);
	}
	if ((uint64_t)b->smin_value <= (uint64_t)b->smax_value) {
		b->umin_value = MAX(b->umin_value, (uint64_t)b->smin_value);
		b->umax_value = MIN(b->umax_value, (uint64_t)b->smax_value);
	} else {
		/* the s64 range wraps through the sign boundary: it is split between both ends of the u64
		 * domain; a u64 range inside one end bounds that end */
		if (b->umax_value < (uint64_t)b->smin_value) {
			b->smin_value = (int64_t)b->umin_value;
			b->umax_value = MIN(b->umax_value, (uint64_t)b->smax_value);
		} else if ((uint64_t)b->smax_value < b->umin_value) {
			b->smax_value = (int64_t)b->umax_value;
			b->umin_value = MAX(b->umin_value, (uint64_t)b->smin_value);
		}
	}
}

static void __reg_deduce_mixed_bounds(struct bounds *b)
{
	uint64_t new_umin, new_umax;
	int64_t new_smin, new_smax;

	/* u32 -> u64 tightening, always well formed */
	new_umin = (b->umin_value & ~0xffffffffULL) | b->u32_min_value;
	new_umax = (b->umax_value & ~0xffffffffULL) | b->u32_max_value;
	b->umin_value = MAX(b->umin_value, new_umin);
	b->umax_value = MIN(b->umax_value, new_umax);
	/* u32 -> s64 tightening: a u32 range embedded into s64 keeps the range valid */
	new_smin = (int64_t)(((uint64_t)b->smin_value & ~0xffffffffULL) | b->u32_min_value);
	new_smax = (int64_t)(((uint64_t)b->smax_value & ~0xffffffffULL) | b->u32_max_value);
	b->smin_value = MAX(b->smin_value, new_smin);
	b->smax_value = MIN(b->smax_value, new_smax);

	/* after a sign-extending load: the s64 range fits in s32 and the s32 range is non-negative */
	if (b->s32_min_value >= 0 && b->smin_value >= S32_MIN && b->smax_value <= S32_MAX) {
		b->smin_value = b->s32_min_value;
		b->smax_value = b->s32_max_value;
		b->umin_value = (uint64_t)b->s32_min_value;
		b->umax_value = (uint64_t)b->s32_max_value;
		b->var_off = tnum_intersect(b->var_off, tnum_range(b->smin_value, b->smax_value));
	}
}

void __reg_deduce_bounds(struct bounds *b)
{
	__reg32_deduce_bounds(b);
	__reg64_deduce_bounds(b);
	__reg_deduce_mixed_bounds(b);
}

void __reg_bound_offset(struct bounds *b)
{
	struct tnum var64_off = tnum_intersect(b->var_off, tnum_range(b->umin_value, b->umax_value));
	struct tnum var32_off = tnum_intersect(tnum_subreg(var64_off), tnum_range(b->u32_min_value, b->u32_max_value));

	b->var_off = tnum_or(tnum_clear_subreg(var64_off), var32_off);
}

void reg_bounds_sync(struct bounds *b)
{
	/* learn bounds from var_off, the sign bit from the bounds, bits from the bounds, then bounds again */
	__update_reg_bounds(b);
	__reg_deduce_bounds(b);
	__reg_deduce_bounds(b);
	__reg_bound_offset(b);
	/* a tnum left with one value is that value: every bound follows it (6.18: `if r2 >= 7` on a multiple of
	 * 1 << 44 that is at least 1 leaves R2=0 on the fall-through, not bounds that contradict each other) */
	if (tnum_is_const(b->var_off)) {
		__mark_reg_known(b, b->var_off.value);
		return;
	}
	__update_reg_bounds(b);
}

static bool __reg32_bound_s64(int32_t a)
{
	return a >= 0;
}

static void __reg_assign_32_into_64(struct bounds *b)
{
	b->umin_value = b->u32_min_value;
	b->umax_value = b->u32_max_value;
	/* s32 bounds carry over only when non-negative; else refine later from the tnum */
	if (__reg32_bound_s64(b->s32_min_value) && __reg32_bound_s64(b->s32_max_value)) {
		b->smin_value = b->s32_min_value;
		b->smax_value = b->s32_max_value;
	} else {
		b->smin_value = 0;
		b->smax_value = U32_MAX;
	}
}

void zext_32_to_64(struct bounds *b)
{
	b->var_off = tnum_subreg(b->var_off);
	__reg_assign_32_into_64(b);
}

bool bounds_check(const struct bounds *b)
{
	if (b->var_off.value & b->var_off.mask)
		return false;
	if (b->umin_value > b->umax_value || b->smin_value > b->smax_value ||
	    b->u32_min_value > b->u32_max_value || b->s32_min_value > b->s32_max_value)
		return false;
	if (tnum_is_const(b->var_off)) {
		uint64_t v = b->var_off.value;
		if (b->umin_value != v || b->umax_value != v || b->smin_value != (int64_t)v ||
		    b->smax_value != (int64_t)v)
			return false;
	}
	if (tnum_subreg_is_const(b->var_off)) {
		uint32_t v = (uint32_t)b->var_off.value;
		if (b->u32_min_value != v || b->u32_max_value != v || b->s32_min_value != (int32_t)v ||
		    b->s32_max_value != (int32_t)v)
			return false;
	}
	return true;
}

bool bounds_is_const(const struct bounds *b, bool subreg)
{
	return subreg ? tnum_subreg_is_const(b->var_off) : tnum_is_const(b->var_off);
}

uint64_t bounds_const_value(const struct bounds *b, bool subreg)
{
	return subreg ? (uint32_t)b->var_off.value : b->var_off.value;
}

bool bounds_contains(const struct bounds *b, uint64_t v)
{
	return tnum_contains(b->var_off, v) && v >= b->umin_value && v <= b->umax_value &&
	       (int64_t)v >= b->smin_value && (int64_t)v <= b->smax_value && (uint32_t)v >= b->u32_min_value &&
	       (uint32_t)v <= b->u32_max_value && (int32_t)v >= b->s32_min_value && (int32_t)v <= b->s32_max_value;
}

/* ---- ALU transfer functions ---- */

static void scalar32_min_max_add(struct bounds *dst, const struct bounds *src)
{
	int32_t smin, smax;
	uint32_t umin, umax;
	bool min_overflow, max_overflow;

	if (__builtin_add_overflow(dst->s32_min_value, src->s32_min_value, &smin) ||
	    __builtin_add_overflow(dst->s32_max_value, src->s32_max_value, &smax)) {
		dst->s32_min_value = S32_MIN;
		dst->s32_max_value = S32_MAX;
	} else {
		dst->s32_min_value = smin;
		dst->s32_max_value = smax;
	}
	/* all additions overflow or none do: the wrapped bounds stay ordered; otherwise unbounded */
	min_overflow = __builtin_add_overflow(dst->u32_min_value, src->u32_min_value, &umin);
	max_overflow = __builtin_add_overflow(dst->u32_max_value, src->u32_max_value, &umax);
	dst->u32_min_value = umin;
	dst->u32_max_value = umax;
	if (!min_overflow && max_overflow) {
		dst->u32_min_value = 0;
		dst->u32_max_value = U32_MAX;
	}
}

static void scalar_min_max_add(struct bounds *dst, const struct bounds *src)
{
	int64_t smin, smax;
	uint64_t umin, umax;
	bool min_overflow, max_overflow;

	if (__builtin_add_overflow(dst->smin_value, src->smin_value, &smin) ||
	    __builtin_add_overflow(dst->smax_value, src->smax_value, &smax)) {
		dst->smin_value = S64_MIN;
		dst->smax_value = S64_MAX;
	} else {
		dst->smin_value = smin;
		dst->smax_value = smax;
	}
	min_overflow = __builtin_add_overflow(dst->umin_value, src->umin_value, &umin);
	max_overflow = __builtin_add_overflow(dst->umax_value, src->umax_value, &umax);
	dst->umin_value = umin;
	dst->umax_value = umax;
	if (!min_overflow && max_overflow) {
		dst->umin_value = 0;
		dst->umax_value = U64_MAX;
	}
}

static void scalar32_min_max_sub(struct bounds *dst, const struct bounds *src)
{
	int32_t smin, smax;
	uint32_t umin, umax;
	bool min_underflow, max_underflow;

	if (__builtin_sub_overflow(dst->s32_min_value, src->s32_max_value, &smin) ||
	    __builtin_sub_overflow(dst->s32_max_value, src->s32_min_value, &smax)) {
		dst->s32_min_value = S32_MIN;
		dst->s32_max_value = S32_MAX;
	} else {
		dst->s32_min_value = smin;
		dst->s32_max_value = smax;
	}
	min_underflow = __builtin_sub_overflow(dst->u32_min_value, src->u32_max_value, &umin);
	max_underflow = __builtin_sub_overflow(dst->u32_max_value, src->u32_min_value, &umax);
	dst->u32_min_value = umin;
	dst->u32_max_value = umax;
	if (min_underflow && !max_underflow) {
		dst->u32_min_value = 0;
		dst->u32_max_value = U32_MAX;
	}
}

static void scalar_min_max_sub(struct bounds *dst, const struct bounds *src)
{
	int64_t smin, smax;
	uint64_t umin, umax;
	bool min_underflow, max_underflow;

	if (__builtin_sub_overflow(dst->smin_value, src->smax_value, &smin) ||
	    __builtin_sub_overflow(dst->smax_value, src->smin_value, &smax)) {
		dst->smin_value = S64_MIN;
		dst->smax_value = S64_MAX;
	} else {
		dst->smin_value = smin;
		dst->smax_value = smax;
	}
	min_underflow = __builtin_sub_overflow(dst->umin_value, src->umax_value, &umin);
	max_underflow = __builtin_sub_overflow(dst->umax_value, src->umin_value, &umax);
	dst->umin_value = umin;
	dst->umax_value = umax;
	if (min_underflow && !max_underflow) {
		dst->umin_value = 0;
		dst->umax_value = U64_MAX;
	}
}

static void scalar32_min_max_mul(struct bounds *dst, const struct bounds *src)
{
	int32_t p[4];
	uint32_t umin, umax;

	if (__builtin_mul_overflow(dst->u32_max_value, src->u32_max_value, &umax) ||
	    __builtin_mul_overflow(dst->u32_min_value, src->u32_min_value, &umin)) {
		dst->u32_min_value = 0;
		dst->u32_max_value = U32_MAX;
	} else {
		dst->u32_min_value = umin;
		dst->u32_max_value = umax;
	}
	if (__builtin_mul_overflow(dst->s32_min_value, src->s32_min_value, &p[0]) ||
	    __builtin_mul_overflow(dst->s32_min_value, src->s32_max_value, &p[1]) ||
	    __builtin_mul_overflow(dst->s32_max_value, src->s32_min_value, &p[2]) ||
	    __builtin_mul_overflow(dst->s32_max_value, src->s32_max_value, &p[3])) {
		dst->s32_min_value = S32_MIN;
		dst->s32_max_value = S32_MAX;
	} else {
		dst->s32_min_value = MIN(MIN(p[0], p[1]), MIN(p[2], p[3]));
		dst->s32_max_value = MAX(MAX(p[0], p[1]), MAX(p[2], p[3]));
	}
}

static void scalar_min_max_mul(struct bounds *dst, const struct bounds *src)
{
	int64_t p[4];
	uint64_t umin, umax;

	if (__builtin_mul_overflow(dst->umax_value, src->umax_value, &umax) ||
	    __builtin_mul_overflow(dst->umin_value, src->umin_value, &umin)) {
		dst->umin_value = 0;
		dst->umax_value = U64_MAX;
	} else {
		dst->umin_value = umin;
		dst->umax_value = umax;
	}
	if (__builtin_mul_overflow(dst->smin_value, src->smin_value, &p[0]) ||
	    __builtin_mul_overflow(dst->smin_value, src->smax_value, &p[1]) ||
	    __builtin_mul_overflow(dst->smax_value, src->smin_value, &p[2]) ||
	    __builtin_mul_overflow(dst->smax_value, src->smax_value, &p[3])) {
		dst->smin_value = S64_MIN;
		dst->smax_value = S64_MAX;
	} else {
		dst->smin_value = MIN(MIN(p[0], p[1]), MIN(p[2], p[3]));
		dst->smax_value = MAX(MAX(p[0], p[1]), MAX(p[2], p[3]));
	}
}

/* s32 bounds from the u32 ones when those do not cross the sign bit, else unbounded */
static void s32_from_u32(struct bounds *dst)
{
	if ((int32_t)dst->u32_min_value <= (int32_t)dst->u32_max_value) {
		dst->s32_min_value = (int32_t)dst->u32_min_value;
		dst->s32_max_value = (int32_t)dst->u32_max_value;
	} else {
		dst->s32_min_value = S32_MIN;
		dst->s32_max_value = S32_MAX;
	}
}

static void s64_from_u64(struct bounds *dst)
{
	if ((int64_t)dst->umin_value <= (int64_t)dst->umax_value) {
		dst->smin_value = (int64_t)dst->umin_value;
		dst->smax_value = (int64_t)dst->umax_value;
	} else {
		dst->smin_value = S64_MIN;
		dst->smax_value = S64_MAX;
	}
}

/* and/or/xor: var_off was already combined by the caller */
static void scalar32_min_max_bitop(struct bounds *dst, const struct bounds *src, uint8_t op, bool src_known,
				   bool dst_known)
{
	struct tnum var32_off = tnum_subreg(dst->var_off);

	if (src_known && dst_known) {
		__mark_reg32_known(dst, var32_off.value);
		return;
	}
	if (op == BPF_AND) {
		/* the minimum from var_off (bitwise), the maximum the smaller of the operands' maxima */
		dst->u32_min_value = (uint32_t)var32_off.value;
		dst->u32_max_value = MIN(dst->u32_max_value, src->u32_max_value);
	} else if (op == BPF_OR) {
		dst->u32_min_value = MAX(dst->u32_min_value, src->u32_min_value);
		dst->u32_max_value = (uint32_t)(var32_off.value | var32_off.mask);
	} else {
		dst->u32_min_value = (uint32_t)var32_off.value;
		dst->u32_max_value = (uint32_t)(var32_off.value | var32_off.mask);
	}
	s32_from_u32(dst);
}

static void scalar_min_max_bitop(struct bounds *dst, const struct bounds *src, uint8_t op, bool src_known,
				 bool dst_known)
{
	if (src_known && dst_known) {
		__mark_reg_known(dst, dst->var_off.value);
		return;
	}
	if (op == BPF_AND) {
		dst->umin_value = dst->var_off.value;
		dst->umax_value = MIN(dst->umax_value, src->umax_value);
	} else if (op == BPF_OR) {
		dst->umin_value = MAX(dst->umin_value, src->umin_value);
		dst->umax_value = dst->var_off.value | dst->var_off.mask;
	} else {
		dst->umin_value = dst->var_off.value;
		dst->umax_value = dst->var_off.value | dst->var_off.mask;
	}
	s64_from_u64(dst);
	__update_reg_bounds(dst);
}

static void __scalar32_min_max_lsh(struct bounds *dst, uint64_t umin_val, uint64_t umax_val)
{
	/* the sign is lost, except what var_off keeps */
	dst->s32_min_value = S32_MIN;
	dst->s32_max_value = S32_MAX;
	/* the top bit may be shifted out: nothing known */
	if (umax_val > 31 || dst->u32_max_value > 1ULL << (31 - umax_val)) {
		dst->u32_min_value = 0;
		dst->u32_max_value = U32_MAX;
	} else {
		dst->u32_min_value <<= umin_val;
		dst->u32_max_value <<= umax_val;
	}
}

static void scalar32_min_max_lsh(struct bounds *dst, const struct bounds *src)
{
	struct tnum subreg = tnum_subreg(dst->var_off);

	__scalar32_min_max_lsh(dst, src->u32_min_value, src->u32_max_value);
	dst->var_off = tnum_subreg(tnum_lshift(subreg, (uint8_t)src->u32_min_value));
	__mark_reg64_unbounded(dst);
	__update_reg32_bounds(dst);
}

static void __scalar64_min_max_lsh(struct bounds *dst, uint64_t umin_val, uint64_t umax_val)
{
	/* <<32 of a non-negative subregister (the sign-extension idiom <<32 s>>32) keeps its sign */
	if (umin_val == 32 && umax_val == 32 && dst->s32_max_value >= 0)
		dst->smax_value = (int64_t)((uint64_t)(int64_t)dst->s32_max_value << 32);
	else
		dst->smax_value = S64_MAX;
	if (umin_val == 32 && umax_val == 32 && dst->s32_min_value >= 0)
		dst->smin_value = (int64_t)((uint64_t)(int64_t)dst->s32_min_value << 32);
	else
		dst->smin_value = S64_MIN;
	if (dst->umax_value > 1ULL << (63 - umax_val)) {
		dst->umin_value = 0;
		dst->umax_value = U64_MAX;
	} else {
		dst->umin_value <<= umin_val;
		dst->umax_value <<= umax_val;
	}
}

static void scalar_min_max_lsh(struct bounds *dst, const struct bounds *src)
{
	/* the 64-bit part uses the unshifted 32-bit bounds, so it goes first */
	__scalar64_min_max_lsh(dst, src->umin_value, src->umax_value);
	__scalar32_min_max_lsh(dst, src->umin_value, src->umax_value);
	dst->var_off = tnum_lshift(dst->var_off, (uint8_t)src->umin_value);
	__update_reg_bounds(dst);
}

static void scalar32_min_max_rsh(struct bounds *dst, const struct bounds *src)
{
	struct tnum subreg = tnum_subreg(dst->var_off);
	uint32_t umax_val = src->u32_max_value, umin_val = src->u32_min_value;

	/* an unsigned shift: signed bounds are rebuilt from the unsigned ones and var_off */
	dst->s32_min_value = S32_MIN;
	dst->s32_max_value = S32_MAX;
	dst->var_off = tnum_rshift(subreg, (uint8_t)umin_val);
	dst->u32_min_value >>= umax_val;
	dst->u32_max_value >>= umin_val;
	__mark_reg64_unbounded(dst);
	__update_reg32_bounds(dst);
}

static void scalar_min_max_rsh(struct bounds *dst, const struct bounds *src)
{
	uint64_t umax_val = src->umax_value, umin_val = src->umin_value;

	dst->smin_value = S64_MIN;
	dst->smax_value = S64_MAX;
	dst->var_off = tnum_rshift(dst->var_off, (uint8_t)umin_val);
	dst->umin_value >>= umax_val;
	dst->umax_value >>= umin_val;
	/* bits shifted in from above make the subregister unknown; recomputed from the tnum */
	__mark_reg32_unbounded(dst);
	__update_reg_bounds(dst);
}

static void scalar32_min_max_arsh(struct bounds *dst, const struct bounds *src)
{
	uint64_t umin_val = src->u32_min_value;

	/* the source is a known constant here */
	dst->s32_min_value = dst->s32_min_value >> umin_val;
	dst->s32_max_value = dst->s32_max_value >> umin_val;
	dst->var_off = tnum_arshift(tnum_subreg(dst->var_off), (uint8_t)umin_val, 32);
	dst->u32_min_value = 0;
	dst->u32_max_value = U32_MAX;
	__mark_reg64_unbounded(dst);
	__update_reg32_bounds(dst);
}

static void scalar_min_max_arsh(struct bounds *dst, const struct bounds *src)
{
	uint64_t umin_val = src->umin_value;

	dst->smin_value >>= umin_val;
	dst->smax_value >>= umin_val;
	dst->var_off = tnum_arshift(dst->var_off, (uint8_t)umin_val, 64);
	dst->umin_value = 0;
	dst->umax_value = U64_MAX;
	__mark_reg32_unbounded(dst);
	__update_reg_bounds(dst);
}

bool is_safe_to_compute_dst_reg_range(uint8_t opcode, bool alu32, const struct bounds *src)
{
	bool src_is_const;
	uint64_t insn_bitness = alu32 ? 32 : 64;

	if (alu32)
		src_is_const = tnum_subreg_is_const(src->var_off) && src->s32_min_value == src->s32_max_value &&
			       src->u32_min_value == src->u32_max_value;
	else
		src_is_const = tnum_is_const(src->var_off) && src->smin_value == src->smax_value &&
			       src->umin_value == src->umax_value;

	switch (opcode) {
	case BPF_ADD: case BPF_SUB: case BPF_NEG: case BPF_AND: case BPF_XOR: case BPF_OR: case BPF_MUL:
		return true;
	/* shifts are computable only by a constant below the width: others are undefined */
	case BPF_LSH: case BPF_RSH: case BPF_ARSH:
		return src_is_const && src->umax_value < insn_bitness;
	default:
		return false;
	}
}

bool scalar_alu(struct bounds *dst, struct bounds src, uint8_t opcode, bool alu32)
{
	struct bounds zero, old;
	bool src_known, dst_known;

	if (!is_safe_to_compute_dst_reg_range(opcode, alu32, &src))
		return false;

	switch (opcode) {
	case BPF_ADD:
		scalar32_min_max_add(dst, &src);
		scalar_min_max_add(dst, &src);
		dst->var_off = tnum_add(dst->var_off, src.var_off);
		break;
	case BPF_SUB:
		scalar32_min_max_sub(dst, &src);
		scalar_min_max_sub(dst, &src);
		dst->var_off = tnum_sub(dst->var_off, src.var_off);
		break;
	case BPF_NEG:
		old = *dst;
		__mark_reg_known(&zero, 0);
		*dst = zero;
		scalar32_min_max_sub(dst, &old);
		scalar_min_max_sub(dst, &old);
		dst->var_off = tnum_neg(old.var_off);
		break;
	case BPF_MUL:
		dst->var_off = tnum_mul(dst->var_off, src.var_off);
		scalar32_min_max_mul(dst, &src);
		scalar_min_max_mul(dst, &src);
		break;
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		if (opcode == BPF_AND)
			dst->var_off = tnum_and(dst->var_off, src.var_off);
		else if (opcode == BPF_OR)
			dst->var_off = tnum_or(dst->var_off, src.var_off);
		else
			dst->var_off = tnum_xor(dst->var_off, src.var_off);
		/* constness is judged on the combined var_off, as the kernel does */
		src_known = tnum_subreg_is_const(src.var_off);
		dst_known = tnum_subreg_is_const(dst->var_off);
		scalar32_min_max_bitop(dst, &src, opcode, src_known, dst_known);
		src_known = tnum_is_const(src.var_off);
		dst_known = tnum_is_const(dst->var_off);
		scalar_min_max_bitop(dst, &src, opcode, src_known, dst_known);
		break;
	case BPF_LSH:
		if (alu32)
			scalar32_min_max_lsh(dst, &src);
		else
			scalar_min_max_lsh(dst, &src);
		break;
	case BPF_RSH:
		if (alu32)
			scalar32_min_max_rsh(dst, &src);
		else
			scalar_min_max_rsh(dst, &src);
		break;
	case BPF_ARSH:
		if (alu32)
			scalar32_min_max_arsh(dst, &src);
		else
			scalar_min_max_arsh(dst, &src);
		break;
	default:
		return false;
	}
	if (alu32)
		zext_32_to_64(dst);
	reg_bounds_sync(dst);
	return true;
}

/* ---- conditional jumps ---- */

int is_scalar_branch_taken(const struct bounds *reg1, const struct bounds *reg2, uint8_t opcode, bool is_jmp32)
{
	struct tnum t1 = is_jmp32 ? tnum_subreg(reg1->var_off) : reg1->var_off;
	struct tnum t2 = is_jmp32 ? tnum_subreg(reg2->var_off) : reg2->var_off;
	uint64_t umin1 = is_jmp32 ? reg1->u32_min_value : reg1->umin_value;
	uint64_t umax1 = is_jmp32 ? reg1->u32_max_value : reg1->umax_value;
	int64_t smin1 = is_jmp32 ? reg1->s32_min_value : reg1->smin_value;
	int64_t smax1 = is_jmp32 ? reg1->s32_max_value : reg1->smax_value;
	uint64_t umin2 = is_jmp32 ? reg2->u32_min_value : reg2->umin_value;
	uint64_t umax2 = is_jmp32 ? reg2->u32_max_value : reg2->umax_value;
	int64_t smin2 = is_jmp32 ? reg2->s32_min_value : reg2->smin_value;
	int64_t smax2 = is_jmp32 ? reg2->s32_max_value : reg2->smax_value;

	switch (opcode) {
	case BPF_JEQ:
	case BPF_JNE: {
		int eq_res = opcode == BPF_JEQ;
		if (tnum_is_const(t1) && tnum_is_const(t2))
			return (t1.value == t2.value) == eq_res;
		/* non-overlapping ranges */
		if (umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2)
			return !eq_res;
		if (!is_jmp32 && (reg1->u32_min_value > reg2->u32_max_value || reg1->u32_max_value < reg2->u32_min_value ||
				  reg1->s32_min_value > reg2->s32_max_value || reg1->s32_max_value < reg2->s32_min_value))
			return !eq_res;
		break;
	}
	case BPF_JSET:
		if (!tnum_is_const(t2)) {
			struct tnum t = t1;
			t1 = t2;
			t2 = t;
		}
		if (!tnum_is_const(t2))
			return -1;
		if ((~t1.mask & t1.value) & t2.value)
			return 1;
		if (!((t1.mask | t1.value) & t2.value))
			return 0;
		break;
	case BPF_JGT:
		if (umin1 > umax2) return 1;
		if (umax1 <= umin2) return 0;
		break;
	case BPF_JSGT:
		if (smin1 > smax2) return 1;
		if (smax1 <= smin2) return 0;
		break;
	case BPF_JLT:
		if (umax1 < umin2) return 1;
		if (umin1 >= umax2) return 0;
		break;
	case BPF_JSLT:
		if (smax1 < smin2) return 1;
		if (smin1 >= smax2) return 0;
		break;
	case BPF_JGE:
		if (umin1 >= umax2) return 1;
		if (umax1 < umin2) return 0;
		break;
	case BPF_JSGE:
		if (smin1 >= smax2) return 1;
		if (smax1 < smin2) return 0;
		break;
	case BPF_JLE:
		if (umax1 <= umin2) return 1;
		if (umin1 > umax2) return 0;
		break;
	case BPF_JSLE:
		if (smax1 <= smin2) return 1;
		if (smin1 > smax2) return 0;
		break;
	}
	return -1;
}

uint8_t rev_opcode(uint8_t opcode)
{
	switch (opcode) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	/* JSET has no inverse instruction; BPF_JSET | BPF_X stands for "not jset" */
	case BPF_JSET: return BPF_JSET | BPF_X;
	case BPF_JSET | BPF_X: return BPF_JSET;
	case BPF_JGE: return BPF_JLT;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSLT: return BPF_JSGE;
	default: return 0;
	}
}

uint8_t flip_opcode(uint8_t opcode)
{
	switch (opcode) {
	case BPF_JGE: return BPF_JLE;
	case BPF_JGT: return BPF_JLT;
	case BPF_JLE: return BPF_JGE;
	case BPF_JLT: return BPF_JGT;
	case BPF_JSGE: return BPF_JSLE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSLE: return BPF_JSGE;
	case BPF_JSLT: return BPF_JSGT;
	default: return opcode;
	}
}

void regs_refine_cond_op(struct bounds *reg1, struct bounds *reg2, uint8_t opcode, bool is_jmp32)
{
	struct bounds *tmp;
	struct tnum t;
	uint64_t val;

	/* GE/GT/SGE/SGT reuse LE/LT/SLE/SLT with the operands swapped */
	switch (opcode) {
	case BPF_JGE: case BPF_JGT: case BPF_JSGE: case BPF_JSGT:
		opcode = flip_opcode(opcode);
		tmp = reg1, reg1 = reg2, reg2 = tmp;
		break;
	default:
		break;
	}

	switch (opcode) {
	case BPF_JEQ:
		if (is_jmp32) {
			reg1->u32_min_value = MAX(reg1->u32_min_value, reg2->u32_min_value);
			reg1->u32_max_value = MIN(reg1->u32_max_value, reg2->u32_max_value);
			reg1->s32_min_value = MAX(reg1->s32_min_value, reg2->s32_min_value);
			reg1->s32_max_value = MIN(reg1->s32_max_value, reg2->s32_max_value);
			reg2->u32_min_value = reg1->u32_min_value;
			reg2->u32_max_value = reg1->u32_max_value;
			reg2->s32_min_value = reg1->s32_min_value;
			reg2->s32_max_value = reg1->s32_max_value;
			t = tnum_intersect(tnum_subreg(reg1->var_off), tnum_subreg(reg2->var_off));
			reg1->var_off = tnum_with_subreg(reg1->var_off, t);
			reg2->var_off = tnum_with_subreg(reg2->var_off, t);
		} else {
			reg1->umin_value = MAX(reg1->umin_value, reg2->umin_value);
			reg1->umax_value = MIN(reg1->umax_value, reg2->umax_value);
			reg1->smin_value = MAX(reg1->smin_value, reg2->smin_value);
			reg1->smax_value = MIN(reg1->smax_value, reg2->smax_value);
			reg2->umin_value = reg1->umin_value;
			reg2->umax_value = reg1->umax_value;
			reg2->smin_value = reg1->smin_value;
			reg2->smax_value = reg1->smax_value;
			reg1->var_off = tnum_intersect(reg1->var_off, reg2->var_off);
			reg2->var_off = reg1->var_off;
		}
		break;
	case BPF_JNE:
		if (!bounds_is_const(reg2, is_jmp32))
			tmp = reg1, reg1 = reg2, reg2 = tmp;
		if (!bounds_is_const(reg2, is_jmp32))
			break;
		/* a constant at the edge of reg1's range narrows it by one */
		val = bounds_const_value(reg2, is_jmp32);
		if (is_jmp32) {
			if (reg1->u32_min_value == (uint32_t)val) reg1->u32_min_value++;
			if (reg1->u32_max_value == (uint32_t)val) reg1->u32_max_value--;
			if (reg1->s32_min_value == (int32_t)val) reg1->s32_min_value++;
			if (reg1->s32_max_value == (int32_t)val) reg1->s32_max_value--;
		} else {
			if (reg1->umin_value == val) reg1->umin_value++;
			if (reg1->umax_value == val) reg1->umax_value--;
			if (reg1->smin_value == (int64_t)val) reg1->smin_value++;
			if (reg1->smax_value == (int64_t)val) reg1->smax_value--;
		}
		break;
	case BPF_JSET:
		if (!bounds_is_const(reg2, is_jmp32))
			tmp = reg1, reg1 = reg2, reg2 = tmp;
		if (!bounds_is_const(reg2, is_jmp32))
			break;
		val = bounds_const_value(reg2, is_jmp32);
		/* only a single-bit mask tells which bit is set */
		if (!val || (val & (val - 1)))
			break;
		if (is_jmp32) {
			t = tnum_or(tnum_subreg(reg1->var_off), tnum_const(val));
			reg1->var_off = tnum_with_subreg(reg1->var_off, t);
		} else {
			reg1->var_off = tnum_or(reg1->var_off, tnum_const(val));
		}
		break;
	case BPF_JSET | BPF_X: /* not jset: every bit of the mask is clear */
		if (!bounds_is_const(reg2, is_jmp32))
			tmp = reg1, reg1 = reg2, reg2 = tmp;
		if (!bounds_is_const(reg2, is_jmp32))
			break;
		val = bounds_const_value(reg2, is_jmp32);
		/* forget the ranges before narrowing the tnum: on a dead branch they could contradict it */
		__mark_reg_unbounded(reg1);
		if (is_jmp32) {
			t = tnum_and(tnum_subreg(reg1->var_off), tnum_const(~val));
			reg1->var_off = tnum_with_subreg(reg1->var_off, t);
		} else {
			reg1->var_off = tnum_and(reg1->var_off, tnum_const(~val));
		}
		break;
	case BPF_JLE:
		if (is_jmp32) {
			reg1->u32_max_value = MIN(reg1->u32_max_value, reg2->u32_max_value);
			reg2->u32_min_value = MAX(reg1->u32_min_value, reg2->u32_min_value);
		} else {
			reg1->umax_value = MIN(reg1->umax_value, reg2->umax_value);
			reg2->umin_value = MAX(reg1->umin_value, reg2->umin_value);
		}
		break;
	case BPF_JLT:
		if (is_jmp32) {
			reg1->u32_max_value = MIN(reg1->u32_max_value, reg2->u32_max_value - 1);
			reg2->u32_min_value = MAX(reg1->u32_min_value + 1, reg2->u32_min_value);
		} else {
			reg1->umax_value = MIN(reg1->umax_value, reg2->umax_value - 1);
			reg2->umin_value = MAX(reg1->umin_value + 1, reg2->umin_value);
		}
		break;
	case BPF_JSLE:
		if (is_jmp32) {
			reg1->s32_max_value = MIN(reg1->s32_max_value, reg2->s32_max_value);
			reg2->s32_min_value = MAX(reg1->s32_min_value, reg2->s32_min_value);
		} else {
			reg1->smax_value = MIN(reg1->smax_value, reg2->smax_value);
			reg2->smin_value = MAX(reg1->smin_value, reg2->smin_value);
		}
		break;
	case BPF_JSLT:
		if (is_jmp32) {
			reg1->s32_max_value = MIN(reg1->s32_max_value, reg2->s32_max_value - 1);
			reg2->s32_min_value = MAX(reg1->s32_min_value + 1, reg2->s32_min_value);
		} else {
			reg1->smax_value = MIN(reg1->smax_value, reg2->smax_value - 1);
			reg2->smin_value = MAX(reg1->smin_value + 1, reg2->smin_value);
		}
		break;
	default:
		return;
	}
}

void reg_set_min_max(struct bounds *true1, struct bounds *true2, struct bounds *false1, struct bounds *false2,
		     uint8_t opcode, bool is_jmp32)
{
	regs_refine_cond_op(false1, false2, rev_opcode(opcode), is_jmp32);
	reg_bounds_sync(false1);
	reg_bounds_sync(false2);
	regs_refine_cond_op(true1, true2, opcode, is_jmp32);
	reg_bounds_sync(true1);
	reg_bounds_sync(true2);
}

/* BPF_END on a scalar: a byte swap moves known bits with their bytes; a conversion that is a no-op on this
 * little-endian host truncates to the width (Linux 6.18 tracks both) */
void scalar_byte_swap(struct bounds *dst, int width, bool swap)
{
	struct tnum t = dst->var_off;

	if (swap) {
		if (width == 16)
			t = TNUM(__builtin_bswap16((uint16_t)t.value), __builtin_bswap16((uint16_t)t.mask));
		else if (width == 32)
			t = TNUM(__builtin_bswap32((uint32_t)t.value), __builtin_bswap32((uint32_t)t.mask));
		else
			t = TNUM(__builtin_bswap64(t.value), __builtin_bswap64(t.mask));
	} else if (width < 64) {
		t = tnum_cast(t, (uint8_t)(width / 8));
	}
	mark_bounds_unknown(dst);
	dst->var_off = t;
	reg_bounds_sync(dst);
}
