/* tnum.h - tracked numbers: for each bit of a 64-bit value, known 0, known 1 or unknown (kernel's tnum) */
#ifndef BPFVM_VERIFIER_TNUM_H
#define BPFVM_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bit with mask 1 is unknown; a bit with mask 0 equals the bit of value. Invariant: value & mask == 0. */
struct tnum {
	uint64_t value;
	uint64_t mask;
};

#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })

extern const struct tnum tnum_unknown;

struct tnum tnum_const(uint64_t value);
/* The smallest tnum covering [min, max]. Could include values outside the range of [min, max]. */
struct tnum tnum_range(uint64_t min, uint64_t max);
struct tnum tnum_lshift(struct tnum a, uint8_t shift);
struct tnum tnum_rshift(struct tnum a, uint8_t shift);
/* arithmetic right shift of the low insn_bitness (32 or 64) bits by min_shift */
struct tnum tnum_arshift(struct tnum a, uint8_t min_shift, uint8_t insn_bitness);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
/* sound, not optimal (the kernel's shift-and-add algorithm) */
struct tnum tnum_mul(struct tnum a, struct tnum b);
/* values in both a and b (a and b must have a value in common) */
struct tnum tnum_intersect(struct tnum a, struct tnum b);
/* values in a or b, and possibly more */
struct tnum tnum_union(struct tnum a, struct tnum b);
/* keep the low size bytes */
struct tnum tnum_cast(struct tnum a, uint8_t size);
static inline bool tnum_is_const(struct tnum a) { return !a.mask; }
static inline bool tnum_equals_const(struct tnum a, uint64_t b) { return tnum_is_const(a) && a.value == b; }
static inline bool tnum_is_unknown(struct tnum a) { return !~a.mask; }
bool tnum_is_aligned(struct tnum a, uint64_t size);
/* true if every value of b is a value of a */
bool tnum_in(struct tnum a, struct tnum b);
/* true if the concrete value v is a value of a */
static inline bool tnum_contains(struct tnum a, uint64_t v) { return (v & ~a.mask) == a.value; }
int tnum_strn(char *str, size_t size, struct tnum a);
int tnum_sbin(char *str, size_t size, struct tnum a);
struct tnum tnum_subreg(struct tnum a);
struct tnum tnum_clear_subreg(struct tnum a);
struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg);
struct tnum tnum_const_subreg(struct tnum a, uint32_t value);
static inline bool tnum_subreg_is_const(struct tnum a) { return !(uint32_t)a.mask; }

#endif
