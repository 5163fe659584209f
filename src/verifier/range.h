/* range.h - scalar bounds (s64/u64/s32/u32 and a tnum): sync, deduction, ALU transfer, branch refinement */
#ifndef BPFVM_VERIFIER_RANGE_H
#define BPFVM_VERIFIER_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "verifier/tnum.h"

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define U64_MAX UINT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

/* What is known about a scalar: the kernel's bpf_reg_state fields, under the kernel's names. */
struct bounds {
	struct tnum var_off;
	int64_t smin_value, smax_value;
	uint64_t umin_value, umax_value;
	int32_t s32_min_value, s32_max_value;
	uint32_t u32_min_value, u32_max_value;
};

void __mark_reg_known(struct bounds *b, uint64_t imm);
void __mark_reg32_known(struct bounds *b, uint64_t imm);
void __mark_reg_unbounded(struct bounds *b);
void __mark_reg64_unbounded(struct bounds *b);
void __mark_reg32_unbounded(struct bounds *b);
/* unknown value: var_off unknown, every bound unbounded */
void mark_bounds_unknown(struct bounds *b);
void __update_reg_bounds(struct bounds *b);
void __reg_deduce_bounds(struct bounds *b);
void __reg_bound_offset(struct bounds *b);
/* learn bounds from var_off, deduce across the four ranges, learn bits from bounds */
void reg_bounds_sync(struct bounds *b);
/* the 32-bit ALU result's zero extension into 64 bits */
void zext_32_to_64(struct bounds *b);
/* every bound is consistent with itself and with var_off (the kernel's reg_bounds_sanity_check) */
bool bounds_check(const struct bounds *b);
/* b holds a single value in 64 (or, if subreg, the low 32) bits */
bool bounds_is_const(const struct bounds *b, bool subreg);
uint64_t bounds_const_value(const struct bounds *b, bool subreg);
/* true if concrete value v is allowed by every part of b */
bool bounds_contains(const struct bounds *b, uint64_t v);

/* BPF_ADD .. BPF_ARSH, BPF_NEG (src ignored): is the result range computable for this source? */
bool is_safe_to_compute_dst_reg_range(uint8_t opcode, bool alu32, const struct bounds *src);
/* dst = dst OP src for a scalar dst and src (opcode is BPF_OP(code)); mirrors adjust_scalar_min_max_vals.
 * Returns false if the result is unknown (caller marks the register unknown). */
bool scalar_alu(struct bounds *dst, struct bounds src, uint8_t opcode, bool alu32);

/* BPF_END of width 16/32/64: swap = the bytes move (bswap, or to-BE on little-endian), else a truncation */
void scalar_byte_swap(struct bounds *dst, int width, bool swap);

/* Branch on `reg1 OP reg2` (opcode BPF_JEQ.. BPF_JSLE, BPF_OP of a jump): 1 always taken, 0 never, -1 unknown */
int is_scalar_branch_taken(const struct bounds *reg1, const struct bounds *reg2, uint8_t opcode, bool is_jmp32);
uint8_t rev_opcode(uint8_t opcode);
uint8_t flip_opcode(uint8_t opcode);
/* narrow reg1/reg2 on the path where `reg1 OP reg2` holds; opcode may be BPF_JSET | BPF_X for "not jset" */
void regs_refine_cond_op(struct bounds *reg1, struct bounds *reg2, uint8_t opcode, bool is_jmp32);
/* both outcomes: refine the true copies with opcode and the false copies with rev_opcode, then sync */
void reg_set_min_max(struct bounds *true1, struct bounds *true2, struct bounds *false1, struct bounds *false2,
		     uint8_t opcode, bool is_jmp32);

#endif
