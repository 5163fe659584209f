/* progen.h - seeded, reproducible generator of random eBPF programs the Linux 6.18 verifier accepts */
#ifndef BPFVM_TESTS_PROGEN_H
#define BPFVM_TESTS_PROGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/insn.h"

/*
 * A generated program is a BPF_PROG_TYPE_SYSCALL program (load it with BPF_F_SLEEPABLE) whose r1 is a context
 * buffer of progen_prog.ctx_size bytes, laid out as:
 *
 *   [PROGEN_CTX_REGS,  +80)          in: initial r0..r9          out: final r0..r9 (u64 each)
 *   [PROGEN_CTX_STACK, +stack)       in: initial stack region    out: the stack region at exit (a stack digest)
 *   [mem_off, +mem_size)             PROGEN_F_MEMBUF only: a buffer loaded and stored through a ctx pointer
 *
 * The kernel's TEST_RUN of a SYSCALL program writes the context back into ctx_in, so one run of the kernel and
 * one of an engine (r1 = the buffer) are compared byte for byte over the whole context. The return value is the
 * final r0 (its low 32 bits through TEST_RUN).
 *
 * Every program is valid for the live kernel's verifier (privileged): all registers and stack bytes are
 * initialised before reads, shift immediates are in range, divisors by immediate are non-zero, stack accesses
 * are aligned, r10 is never written, every instruction is reachable, loops are bounded by a constant counter.
 * Register values are unknown to the verifier (they come from the context), so both branches are explored.
 */

#define PROGEN_F_ALU (1u << 0)     /* ALU and ALU64: every op, imm and reg, v4 sdiv/smod/movsx/bswap */
#define PROGEN_F_JMP (1u << 1)     /* forward JMP and JMP32 (every condition, imm and reg), ja, gotol */
#define PROGEN_F_STACK (1u << 2)   /* LDX (plain and MEMSX), ST and STX on the stack, every width */
#define PROGEN_F_ATOMIC (1u << 3)  /* atomics on the stack: add/or/and/xor (+fetch), xchg, cmpxchg, W and DW */
#define PROGEN_F_LDIMM64 (1u << 4) /* LD_IMM64 constants */
#define PROGEN_F_ACQREL (1u << 5)  /* load-acquire / store-release on the stack, every width (Linux 6.15+) */
#define PROGEN_F_CALLS (1u << 6)   /* bpf-to-bpf calls into 1..2 generated subprograms */
#define PROGEN_F_LOOPS (1u << 7)   /* bounded loops: a constant counter, a backward jump */
#define PROGEN_F_MEMBUF (1u << 8)  /* LDX/STX through a pointer to the context's buffer (r9 reserved for it) */
#define PROGEN_F_MAYGOTO (1u << 9) /* may_goto among the forward jumps (v4, Linux 6.9+) */
#define PROGEN_F_DEFAULT                                                                                        \
	(PROGEN_F_ALU | PROGEN_F_JMP | PROGEN_F_STACK | PROGEN_F_ATOMIC | PROGEN_F_LDIMM64 | PROGEN_F_ACQREL)
#define PROGEN_F_ALL (PROGEN_F_DEFAULT | PROGEN_F_CALLS | PROGEN_F_LOOPS | PROGEN_F_MEMBUF | PROGEN_F_MAYGOTO)

#define PROGEN_MAX_INSNS 4096
#define PROGEN_CTX_REGS 0
#define PROGEN_CTX_STACK 80
#define PROGEN_MAX_CTX 1024

struct progen_opts {
	uint32_t flags;    /* PROGEN_F_*; 0 = PROGEN_F_DEFAULT */
	int isa;           /* highest ISA version of instructions used (1..4); 0 = 4 */
	int len;           /* instructions in the main body (approximate); 0 = random in 8..96 */
	int stack;         /* bytes of randomised stack, a multiple of 8 in 8..128; 0 = 64 */
	int mem;           /* bytes of PROGEN_F_MEMBUF buffer, a multiple of 8 in 8..256; 0 = 64 */
};

struct progen_prog {
	struct bpf_insn insns[PROGEN_MAX_INSNS];
	size_t cnt;
	uint32_t flags;    /* the flags it was generated with */
	size_t ctx_size;   /* bytes of context the program reads and writes */
	size_t stack;      /* bytes of the stack region (at PROGEN_CTX_STACK in the context) */
	size_t mem_off, mem_size; /* the PROGEN_F_MEMBUF buffer inside the context (0, 0 without the flag) */
	int nsubprogs;
};

/*
 * Generate one program from the generator state *rng (advanced; same state and opts, same program).
 * Returns 0, or -EINVAL for bad opts (then p is unspecified).
 */
int progen_generate(uint64_t *rng, const struct progen_opts *opts, struct progen_prog *p);

/* Random initial context (p->ctx_size bytes at ctx): register and memory values biased to edge cases. */
void progen_fill_ctx(uint64_t *rng, const struct progen_prog *p, void *ctx);

/* A random 64-bit value biased to edge cases (0, 1, -1, INT_MIN, 0x80000000, ...). */
uint64_t progen_value(uint64_t *rng);

/* The register r (0..9) in a context after a run */
uint64_t progen_ctx_reg(const void *ctx, int r);

/*
 * The live kernel side (progen_kernel.c). Load p as a sleepable BPF_PROG_TYPE_SYSCALL program: the fd, or a
 * negative errno with the verifier's log in log (if non-NULL; log_level 1 is used only after a refusal).
 */
int progen_kernel_load(const struct progen_prog *p, char *log, size_t log_size);
/* One TEST_RUN with ctx (p->ctx_size bytes, updated in place by the kernel); 0 and *retval, or -errno. */
int progen_kernel_run(int fd, const struct progen_prog *p, void *ctx, uint32_t *retval);

#endif
