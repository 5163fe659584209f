/* diffutil.h - shared pieces of the differential tests: per-program seeds, program and context dumps */
#ifndef BPFVM_TESTS_DIFFUTIL_H
#define BPFVM_TESTS_DIFFUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfvm/insn.h"
#include "lib/progen.h"

/* the generator state of program idx of a run seeded with seed (never 0), so one program replays alone */
uint64_t diff_prog_state(uint64_t seed, long idx);

/* the program, one instruction per line: index, raw fields, and the disassembly where bpfvm has one */
void diff_print_prog(FILE *f, const struct bpf_insn *insns, size_t cnt);

/* the registers and memory of a progen context, one u64 per line */
void diff_print_ctx(FILE *f, const struct progen_prog *p, const void *ctx);

/*
 * What differs between two contexts after a run (a = reference, b = engine): "r3 0x.. != 0x..; stack[-24]
 * ...; retval ...", truncated to n bytes. Returns the number of differing u64 slots (plus 1 if retval differs).
 */
int diff_describe_ctx(char *buf, size_t n, const struct progen_prog *p, const void *a, const void *b, uint32_t ret_a,
		      uint64_t ret_b);

/*
 * Which instructions the live kernel's verifier never visited (dead[i] = 1), from a log_level 2 load of p: the
 * kernel hard-wires branches into such code away, so a run that reaches one shows a verifier unsoundness.
 * Returns the number of dead instructions or a negative errno (the load failed, or the log did not fit).
 */
int diff_kernel_dead_insns(const struct bpf_insn *insns, size_t cnt, uint8_t *dead);

/*
 * A copy of insns (cnt slots into out) in which every dead instruction faults (a load far below the stack), so
 * a bounds-checked run ends in -EFAULT exactly when it reaches code the kernel's verifier thought unreachable.
 */
void diff_poison_dead(const struct bpf_insn *insns, size_t cnt, const uint8_t *dead, struct bpf_insn *out);

/*
 * A copy of insns (into out, at most max slots) with `w0 = w0` after every 32-bit cmpxchg: the same program
 * under RFC 9669 (cmpxchg zero-extends r0 in every case), with jumps and calls re-targeted. Returns the new
 * count, or 0 if out is too small. Used to show a kernel that leaves r0's upper half after a successful one.
 */
size_t diff_zext_cmpxchg32(const struct bpf_insn *insns, size_t cnt, struct bpf_insn *out, size_t max);

#endif
