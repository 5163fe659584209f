/* jit.h - the JIT's interface beyond run.h: compile options, per-instruction code offsets, the jited dump */
#ifndef BPFVM_JIT_JIT_H
#define BPFVM_JIT_JIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "interp/prog.h"
#include "interp/run.h"

struct bpfvm_helper;

struct bpfvm_jit_opts {
	bool harden;  /* constant blinding of every immediate, as the kernel's bpf_jit_harden = 2 */
	bool no_bmi2; /* never use BMI2's shlx/shrx/sarx (the CPU's support is detected otherwise) */
	bool no_peephole; /* no fused sequences (rotate -> rol, jump over one ALU op -> cmov) */
	/* where `call N` finds helper N; NULL = bpfvm_helper_by_id (the embedder's or a test's own table otherwise) */
	const struct bpfvm_helper *(*helper_by_id)(uint32_t id);
	/* where bpf_tail_call finds its target; NULL = bpfvm_prog_array_lookup */
	struct bpfvm_prog *(*prog_array_lookup)(void *map, uint32_t index);
};

/*
 * Tail calls (bpf_tail_call, helper 12) find their target through the maps module's prog-array lookup: the
 * program at index of a BPF_MAP_TYPE_PROG_ARRAY map, or NULL. Weak until the maps module provides it; without it
 * every tail call fails (the program continues with the next instruction, as in the kernel).
 */
struct bpfvm_prog *bpfvm_prog_array_lookup(void *map, uint32_t index) __attribute__((weak));

/*
 * Compile prog to native code (prog->jit_entry). With insn_off non-NULL, *insn_off receives a malloc'd array of
 * insn_cnt + 1 image offsets: where the code of instruction i begins, [insn_cnt] where the shared exit code begins
 * (the caller frees it); the program is recompiled even if it already has an image.
 * Returns 0, or -EINVAL (bad instruction), -EACCES (writes r10), -ENOTSUP (kfunc/callx, or not x86-64),
 * -ENOMEM, -E2BIG; the reason goes to log. The step limit (max_insns) is not enforced in JIT code.
 */
int bpfvm_jit_compile_opts(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *opts, struct bpfvm_log *log,
			   uint32_t **insn_off);

/*
 * Run prog in the JIT (compiled on first use): r1, r2 as given, the run context rc (its pkt/pkt_len for LD_ABS).
 * Returns 0 with *r0 set, or the compile error, or rc->error when a helper or the frame limit stopped the run
 * (then *r0 is 0). Not enforced here, unlike the interpreter: rc->max_insns (the step limit). Programs that were
 * not verified run as in uBPF: only verified programs are safe.
 */
int bpfvm_jit_run(struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, uint64_t r1, uint64_t r2, uint64_t *r0);

/*
 * For a caller that runs one program over many inputs (a classic filter over a capture): compile prog if need be
 * and set rc up as bpfvm_jit_run does, then return the entry to call as entry(r1, r2, rc) once per input; rc->error
 * stays 0 unless a run failed. NULL with *err set when prog cannot be compiled. Only for programs without tail
 * calls or callbacks: the per-run state those keep in rc is not reset between calls.
 */
bpfvm_jit_fn bpfvm_jit_entry(struct bpfvm_prog *prog, struct bpfvm_run_ctx *rc, int *err);

/*
 * Print the JIT code of prog as bpftool prints `prog dump jited` with line info: each BPF instruction's text
 * (from insn_text, may be NULL: then "insn N") followed by its x86 instructions, disassembled with Capstone.
 * Returns 0 or -errno.
 */
/*
 * The same walk with one callback per x86 instruction: bpf_idx is the BPF instruction it belongs to (-1 for the
 * shared exit paths after the last one), addr its offset in the image; len 0 (and bytes NULL) for an instruction
 * that a peephole compiled together with the one before it.
 */
typedef void (*bpfvm_jit_x86_fn)(void *arg, long bpf_idx, uint32_t addr, const uint8_t *bytes, size_t len,
				 const char *mnemonic, const char *operands);
int bpfvm_jit_disasm(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *opts, bpfvm_jit_x86_fn fn, void *arg,
		     struct bpfvm_log *log);

typedef void (*bpfvm_insn_text_fn)(void *arg, const struct bpf_insn *insns, size_t idx, char *buf, size_t len);
int bpfvm_jit_dump(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *opts, FILE *out, bpfvm_insn_text_fn text,
		   void *arg, struct bpfvm_log *log);

#endif
