/* test_jit.c - the x86-64 JIT on hand-written programs: every instruction family, its edge cases, W^X, errors */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/helpers.h"
#include "interp/prog.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "lib/harness.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* table rows name only what they check */

#define I BPFVM_INSN
#define MOV64(d, v) BPFVM_MOV64_IMM(d, v)
#define MOV32(d, v) BPFVM_MOV32_IMM(d, v)
#define MOVR(d, s) BPFVM_MOV64_REG(d, s)
#define A64(op, d, v) BPFVM_ALU64_IMM(BPF_##op, d, v)
#define A64R(op, d, s) BPFVM_ALU64_REG(BPF_##op, d, s)
#define A32(op, d, v) BPFVM_ALU32_IMM(BPF_##op, d, v)
#define A32R(op, d, s) BPFVM_ALU32_REG(BPF_##op, d, s)
#define SDIV64R(d, s) I(BPF_ALU64 | BPF_DIV | BPF_X, d, s, 1, 0)
#define SMOD64R(d, s) I(BPF_ALU64 | BPF_MOD | BPF_X, d, s, 1, 0)
#define SDIV32R(d, s) I(BPF_ALU | BPF_DIV | BPF_X, d, s, 1, 0)
#define SMOD32R(d, s) I(BPF_ALU | BPF_MOD | BPF_X, d, s, 1, 0)
#define SDIV64K(d, v) I(BPF_ALU64 | BPF_DIV | BPF_K, d, 0, 1, v)
#define EXIT BPFVM_EXIT()
#define LDDW(d, v) BPFVM_LD_IMM64(d, v)

/* test helpers, numbered as the test wants (through bpfvm_jit_opts.helper_by_id, not the real table) */
static uint64_t h_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfvm_run_ctx *rc)
{
	return a + b * 3 + c * 5 + d * 7 + e * 11 + (rc ? 1000 : 0);
}

static uint64_t h_fail(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfvm_run_ctx *rc)
{
	rc->error = -EPERM;
	return 77;
}

static const struct bpfvm_helper test_helpers[] = {
	{ 1, "mix", h_mix },
	{ 2, "fail", h_fail },
};

static const struct bpfvm_helper *test_helper_by_id(uint32_t id)
{
	for (size_t i = 0; i < sizeof(test_helpers) / sizeof(test_helpers[0]); i++)
		if (test_helpers[i].id == id)
			return &test_helpers[i];
	return NULL;
}

struct tcase {
	const char *name;
	struct bpf_insn insns[48];
	uint64_t r0;
	int err;              /* expected rc->error (0) */
	int compile_err;      /* expected compile result (0) */
	const char *mem;      /* initial bytes of the 64-byte buffer in r1 (NULL = zeros) */
	size_t memlen;
	uint64_t mem_u64_0;   /* if want_mem: expected first u64 of the buffer after the run */
	bool want_mem;
};

static const struct tcase cases[] = {
	{ "mov64_imm_sign_extends", { MOV64(0, -1), EXIT }, 0xffffffffffffffffull },
	{ "mov32_imm_zero_extends", { MOV32(0, -1), EXIT }, 0xffffffffull },
	{ "mov32_reg_same_zero_extends", { LDDW(0, 0x123456789abcdef0ull), BPFVM_ALU32_REG(BPF_MOV, 0, 0), EXIT },
	  0x9abcdef0ull },
	{ "add_sub_mul", { MOV64(0, 7), A64(ADD, 0, 5), A64(MUL, 0, -3), MOV64(1, 2), A64R(SUB, 0, 1), EXIT },
	  (uint64_t)-38 },
	{ "mul_lea_forms", { MOV64(0, 7), A64(MUL, 0, 3), MOV64(7, 11), A64(MUL, 7, 5), A64R(ADD, 0, 7), MOV64(6, -2),
			     A64(MUL, 6, 9), A64R(ADD, 0, 6), LDDW(8, 0x100000003ull), A32(MUL, 8, 9), A64R(ADD, 0, 8),
			     A64(MUL, 0, 8), EXIT }, (21 + 55 - 18 + 27) * 8 },
	{ "mul_trivial_forms", { LDDW(1, 0x100000007ull), MOVR(2, 1), MOVR(3, 1), MOVR(4, 1), A32(MUL, 1, 1),
				 A64(MUL, 2, 1), A64(MUL, 3, -1), A32(MUL, 4, 0), MOVR(0, 1), A64R(ADD, 0, 2), A64R(ADD, 0, 3),
				 A64R(ADD, 0, 4), EXIT }, 7 },
	{ "mul32_minus1", { LDDW(0, 0x100000007ull), A32(MUL, 0, -1), EXIT }, 0xfffffff9ull },
	{ "mul32_shift_zero_extends", { LDDW(0, 0x1ffffffffull), A32(MUL, 0, 16), EXIT }, 0xfffffff0ull },
	{ "mul_r13_base", { MOV64(7, 6), A64(MUL, 7, 5), A32(MUL, 7, 3), MOVR(0, 7), EXIT }, 90 },
	{ "peep_rol32", { LDDW(1, 0x1234567880000001ull), MOVR(0, 1), A32R(MOV, 2, 1), A32(LSH, 1, 13), A32(RSH, 2, 19),
			  A32R(OR, 1, 2), A64R(XOR, 0, 1), A64(LSH, 2, 32), A64R(XOR, 0, 2), EXIT },
	  0x1234467880003001ull },
	{ "peep_rol64_rsh_first", { LDDW(3, 0x8000000000000003ull), MOVR(4, 3), A64(RSH, 4, 60), A64(LSH, 3, 4),
				    A64R(XOR, 3, 4), MOVR(0, 3), A64R(ADD, 0, 4), EXIT }, 0x38 + 8 },
	{ "peep_cmov_not_taken", { MOV64(0, 5), MOV64(1, 10), BPFVM_JMP_IMM(BPF_JGT, 1, 20, 1), A64(ADD, 0, 100), EXIT },
	  105 },
	{ "peep_cmov_taken", { MOV64(0, 5), MOV64(1, 30), BPFVM_JMP_IMM(BPF_JGT, 1, 20, 1), A64(ADD, 0, 100), EXIT },
	  5 },
	{ "peep_cmov_alu32_zext", { LDDW(0, 0x100000005ull), MOV64(1, -1), BPFVM_JMP32_IMM(BPF_JSLT, 1, 0, 1),
				    A32(ADD, 0, 1), EXIT }, 0x100000005ull },
	{ "peep_cmov_alu32_zext_nt", { LDDW(0, 0x100000005ull), MOV64(1, 1), BPFVM_JMP32_IMM(BPF_JSLT, 1, 0, 1),
				       A32(ADD, 0, 1), EXIT }, 6 },
	{ "peep_cmov_dst_is_cmp", { MOV64(0, 3), BPFVM_JMP_REG(BPF_JNE, 0, 0, 1), BPFVM_ALU64_REG(BPF_MOV, 0, 10),
				    A64R(SUB, 0, 10), EXIT }, 0 },
	{ "peep_cmov_jset", { MOV64(0, 1), MOV64(2, 6), BPFVM_JMP_IMM(BPF_JSET, 2, 8, 1), MOV64(0, 9), EXIT }, 9 },
	{ "peep_not_into_target", { MOV64(0, 1), MOV64(2, 6), BPFVM_JMP_IMM(BPF_JEQ, 2, 6, 1), BPFVM_JMP_IMM(BPF_JEQ, 2, 0, 1),
				    A64(ADD, 0, 7), EXIT }, 8 },
	{ "alu32_wraps", { MOV32(0, -1), A32(ADD, 0, 2), EXIT }, 1 },
	{ "mul32_reg", { LDDW(0, 0x1ffffffffull), MOV64(1, 3), A32R(MUL, 0, 1), EXIT }, 0xfffffffdull },
	{ "and_or_xor_imm_sign_extend", { MOV64(0, 0), A64(OR, 0, -16), A64(AND, 0, 0x7fff0), A64(XOR, 0, 1), EXIT },
	  0x7fff1 },
	{ "div64_by_zero_reg", { MOV64(0, 100), MOV64(1, 0), A64R(DIV, 0, 1), EXIT }, 0 },
	{ "div32_by_zero_imm", { MOV64(0, 100), A32(DIV, 0, 0), EXIT }, 0 },
	{ "mod64_by_zero_keeps", { LDDW(0, 0x100000005ull), MOV64(1, 0), A64R(MOD, 0, 1), EXIT }, 0x100000005ull },
	{ "mod32_by_zero_truncates", { LDDW(0, 0x100000005ull), MOV64(1, 0), A32R(MOD, 0, 1), EXIT }, 5 },
	{ "mod32_by_zero_imm_truncates", { LDDW(0, 0x100000005ull), A32(MOD, 0, 0), EXIT }, 5 },
	{ "div64_unsigned", { MOV64(0, -1), MOV64(3, 2), A64R(DIV, 0, 3), EXIT }, 0x7fffffffffffffffull },
	{ "div_dst_r3_keeps_r0", { MOV64(0, 11), MOV64(3, 100), MOV64(2, 7), A64R(DIV, 3, 2), A64R(ADD, 0, 3), EXIT },
	  11 + 14 },
	{ "mod_dst_r3_src_r0", { MOV64(0, 7), MOV64(3, 100), A64R(MOD, 3, 0), A64R(MUL, 0, 3), EXIT }, 7 * 2 },
	{ "div_src_r3_dst_r1", { MOV64(3, 9), MOV64(1, 100), A64R(DIV, 1, 3), MOVR(0, 1), A64R(ADD, 0, 3), EXIT },
	  11 + 9 },
	{ "div32_imm_unsigned", { MOV64(0, -1), A32(DIV, 0, -1), EXIT }, 1 },
	{ "mod64_imm", { MOV64(0, 100), A64(MOD, 0, 7), EXIT }, 2 },
	{ "sdiv64_intmin_by_minus1", { LDDW(0, 0x8000000000000000ull), MOV64(1, -1), SDIV64R(0, 1), EXIT },
	  0x8000000000000000ull },
	{ "smod64_intmin_by_minus1", { LDDW(0, 0x8000000000000000ull), MOV64(1, -1), SMOD64R(0, 1), EXIT }, 0 },
	{ "sdiv32_intmin_by_minus1", { MOV32(0, (int32_t)0x80000000), MOV64(1, -1), SDIV32R(0, 1), EXIT }, 0x80000000ull },
	{ "sdiv64_imm_minus1", { MOV64(0, 5), SDIV64K(0, -1), EXIT }, (uint64_t)-5 },
	{ "sdiv_smod_negative", { MOV64(0, -7), MOV64(1, 2), MOVR(2, 0), SDIV64R(0, 1), SMOD64R(2, 1), A64(MUL, 0, 10),
				  A64R(ADD, 0, 2), EXIT }, (uint64_t)-31 },
	{ "smod32_negative", { MOV32(0, -7), MOV32(1, 2), SMOD32R(0, 1), EXIT }, 0xffffffffull },
	{ "sdiv64_by_zero", { MOV64(0, -7), MOV64(1, 0), SDIV64R(0, 1), EXIT }, 0 },
	{ "lsh64_reg_masked", { MOV64(0, 1), MOV64(1, 65), A64R(LSH, 0, 1), EXIT }, 2 },
	{ "rsh32_reg_masked", { MOV64(0, -1), MOV64(1, 33), A32R(RSH, 0, 1), EXIT }, 0x7fffffff },
	{ "arsh64_imm", { MOV64(0, -64), A64(ARSH, 0, 3), EXIT }, (uint64_t)-8 },
	{ "arsh32_reg", { MOV32(0, (int32_t)0x80000000), MOV64(2, 4), A32R(ARSH, 0, 2), EXIT }, 0xf8000000ull },
	{ "shift_dst_r4", { MOV64(4, 3), MOV64(2, 2), A64R(LSH, 4, 2), MOVR(0, 4), EXIT }, 12 },
	{ "shift_src_r4", { MOV64(4, 2), MOV64(0, 3), A64R(LSH, 0, 4), A64R(ADD, 0, 4), EXIT }, 14 },
	{ "shift_r4_by_r4", { MOV64(4, 3), A64R(LSH, 4, 4), MOVR(0, 4), EXIT }, 24 },
	{ "shift_keeps_r4", { MOV64(4, 5), MOV64(1, 1), MOV64(2, 4), A64R(LSH, 1, 2), MOVR(0, 1), A64R(ADD, 0, 4), EXIT },
	  21 },
	{ "shift32_by_zero_zero_extends", { LDDW(0, 0x100000003ull), A32(LSH, 0, 32), EXIT }, 3 },
	{ "neg32_neg64", { MOV64(0, 5), I(BPF_ALU64 | BPF_NEG, 0, 0, 0, 0), MOV64(1, 1), I(BPF_ALU | BPF_NEG, 1, 0, 0, 0),
			   A64R(ADD, 0, 1), EXIT }, 0xfffffffaull },
	{ "movsx64_8", { MOV64(1, 0x80), I(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 8, 0), EXIT }, (uint64_t)-128 },
	{ "movsx64_16", { MOV64(1, 0x8001), I(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 16, 0), EXIT }, 0xffffffffffff8001ull },
	{ "movsx64_32", { MOV32(1, -2), I(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 32, 0), EXIT }, (uint64_t)-2 },
	{ "movsx32_8", { MOV64(1, 0xff), I(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 8, 0), EXIT }, 0xffffffffull },
	{ "movsx32_16_from_r2", { MOV64(2, 0xfffe), I(BPF_ALU | BPF_MOV | BPF_X, 0, 2, 16, 0), EXIT }, 0xfffffffeull },
	{ "be16", { LDDW(0, 0x1122334455667788ull), I(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16), EXIT }, 0x8877 },
	{ "be32", { LDDW(0, 0x1122334455667788ull), I(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 32), EXIT }, 0x88776655 },
	{ "be64", { LDDW(0, 0x1122334455667788ull), I(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 64), EXIT },
	  0x8877665544332211ull },
	{ "le16", { LDDW(0, 0x1122334455667788ull), I(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 16), EXIT }, 0x7788 },
	{ "le32", { LDDW(0, 0x1122334455667788ull), I(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 32), EXIT }, 0x55667788 },
	{ "le64", { LDDW(0, 0x1122334455667788ull), I(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 64), EXIT },
	  0x1122334455667788ull },
	{ "bswap16_sil", { LDDW(2, 0x1122334455667788ull), I(BPF_ALU64 | BPF_END, 2, 0, 0, 16), MOVR(0, 2), EXIT },
	  0x8877 },
	{ "loop_sum", { MOV64(0, 0), MOV64(1, 1), A64R(ADD, 0, 1), A64(ADD, 1, 1), BPFVM_JMP_IMM(BPF_JLE, 1, 100, -3),
			EXIT }, 5050 },
	{ "long_forward_jump", { MOV64(0, 1), BPFVM_JMP_IMM(BPF_JEQ, 0, 1, 40), MOV64(0, 2), EXIT }, 0 /* patched */ },
	{ "jset", { MOV64(0, 0), MOV64(1, 6), BPFVM_JMP_IMM(BPF_JSET, 1, 1, 1), A64(ADD, 0, 1),
		    BPFVM_JMP_IMM(BPF_JSET, 1, 4, 1), A64(ADD, 0, 2), EXIT }, 1 },
	{ "signed_cmp", { MOV64(0, 0), MOV64(1, -1), BPFVM_JMP_IMM(BPF_JSGT, 1, 0, 1), A64(ADD, 0, 1),
			  BPFVM_JMP_IMM(BPF_JGT, 1, 0, 1), A64(ADD, 0, 2), BPFVM_JMP_IMM(BPF_JSLT, 1, 0, 1), A64(ADD, 0, 4),
			  EXIT }, 1 },
	{ "jmp32_ignores_upper", { MOV64(0, 0), LDDW(1, 0x500000003ull), BPFVM_JMP32_IMM(BPF_JEQ, 1, 3, 1),
				   A64(ADD, 0, 1), BPFVM_JMP_IMM(BPF_JEQ, 1, 3, 1), A64(ADD, 0, 2), EXIT }, 2 },
	{ "jmp_reg_unsigned", { MOV64(0, 0), MOV64(1, -1), MOV64(2, 1), BPFVM_JMP_REG(BPF_JLT, 2, 1, 1),
				A64(ADD, 0, 1), BPFVM_JMP32_REG(BPF_JSGE, 2, 1, 1), A64(ADD, 0, 2), EXIT }, 0 },
	{ "gotol", { MOV64(0, 1), I(BPF_JMP32 | BPF_JA, 0, 0, 0, 1), MOV64(0, 2), EXIT }, 1 },
	{ "stack_all_sizes", { MOV64(1, 0), BPFVM_ST_MEM(BPF_DW, 10, -8, -1), BPFVM_ST_MEM(BPF_W, 10, -8, 0),
			       BPFVM_ST_MEM(BPF_H, 10, -6, 0x1234), BPFVM_ST_MEM(BPF_B, 10, -1, 0x7f),
			       BPFVM_LDX_MEM(BPF_DW, 0, 10, -8), EXIT }, 0x7fffffff12340000ull },
	{ "stx_ldx_sil_dil", { MOV64(2, 0x1ab), MOV64(1, 0x2cd), BPFVM_STX_MEM(BPF_B, 10, 2, -1),
			       BPFVM_STX_MEM(BPF_B, 10, 1, -2), BPFVM_LDX_MEM(BPF_H, 0, 10, -2), EXIT }, 0xabcd },
	{ "memsx", { MOV64(1, -2), BPFVM_STX_MEM(BPF_W, 10, 1, -4), I(BPF_LDX | BPF_MEMSX | BPF_W, 0, 10, -4, 0),
		     I(BPF_LDX | BPF_MEMSX | BPF_B, 2, 10, -4, 0), A64R(ADD, 0, 2), EXIT }, (uint64_t)-4 },
	{ "mem_via_r1", { BPFVM_LDX_MEM(BPF_W, 0, 1, 4), BPFVM_ST_MEM(BPF_DW, 1, 0, 42), EXIT }, 0x08070605,
	  0, 0, "\x01\x02\x03\x04\x05\x06\x07\x08", 8, 42, true },
	{ "atomic_add_fetch", { MOV64(2, 5), BPFVM_ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, 1, 2, 0),
				BPFVM_ATOMIC(BPF_DW, BPF_ADD, 1, 2, 0), MOVR(0, 2), EXIT }, 3, 0, 0, "\x03", 1, 11, true },
	{ "atomic32_ops", { MOV64(2, 0xf0), BPFVM_ATOMIC(BPF_W, BPF_OR, 1, 2, 0), MOV64(3, 0x3c),
			    BPFVM_ATOMIC(BPF_W, BPF_AND | BPF_FETCH, 1, 3, 0), MOV64(4, 0xff),
			    BPFVM_ATOMIC(BPF_W, BPF_XOR | BPF_FETCH, 1, 4, 0), MOVR(0, 3), A64(LSH, 0, 16),
			    A64R(OR, 0, 4), EXIT }, 0xf30030, 0, 0, "\x03", 1, 0xcf, true },
	{ "atomic_fetch_or_src_r0", { MOV64(0, 0x10), BPFVM_ATOMIC(BPF_DW, BPF_OR | BPF_FETCH, 1, 0, 0), EXIT }, 3,
	  0, 0, "\x03", 1, 0x13, true },
	{ "atomic_fetch_xor_keeps_r0", { MOV64(0, 9), MOV64(5, 1), BPFVM_ATOMIC(BPF_DW, BPF_XOR | BPF_FETCH, 1, 5, 0),
					 A64(LSH, 0, 8), A64R(OR, 0, 5), EXIT }, 0x903, 0, 0, "\x03", 1, 2, true },
	{ "atomic_xchg", { MOV64(2, 77), BPFVM_ATOMIC(BPF_DW, BPF_XCHG, 1, 2, 0), MOVR(0, 2), EXIT }, 3, 0, 0,
	  "\x03", 1, 77, true },
	{ "atomic_cmpxchg_hit", { MOV64(0, 3), MOV64(2, 9), BPFVM_ATOMIC(BPF_DW, BPF_CMPXCHG, 1, 2, 0), EXIT }, 3,
	  0, 0, "\x03", 1, 9, true },
	{ "atomic_cmpxchg_miss", { MOV64(0, 4), MOV64(2, 9), BPFVM_ATOMIC(BPF_DW, BPF_CMPXCHG, 1, 2, 0), EXIT }, 3,
	  0, 0, "\x03", 1, 3, true },
	{ "atomic_cmpxchg32_zero_extends", { LDDW(0, 0x700000003ull), MOV64(2, 9),
					     BPFVM_ATOMIC(BPF_W, BPF_CMPXCHG, 1, 2, 0), EXIT }, 3, 0, 0, "\x03", 1, 9,
	  true },
	{ "atomic_cmpxchg_addr_in_r0", { MOVR(0, 1), MOV64(2, 9), BPFVM_ATOMIC(BPF_DW, BPF_CMPXCHG, 0, 2, 0), EXIT }, 0,
	  0, 0, NULL, 0, 0, true },
	{ "load_acquire_store_release", { MOV64(2, 0x55), BPFVM_INSN(BPF_STX | BPF_ATOMIC | BPF_B, 1, 2, 1, BPF_STORE_REL),
					  BPFVM_INSN(BPF_STX | BPF_ATOMIC | BPF_H, 0, 1, 0, BPF_LOAD_ACQ), EXIT },
	  0x5503, 0, 0, "\x03", 1, 0x5503, true },
	{ "ld_imm64", { LDDW(0, 0xdeadbeefcafef00dull), EXIT }, 0xdeadbeefcafef00dull },
	{ "bpf2bpf_call", { MOV64(6, 100), MOV64(1, 20), MOV64(2, 3), BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 3),
			    A64R(ADD, 0, 6), EXIT, EXIT, /* sub: */ MOV64(6, 5), MOVR(0, 1), A64R(SUB, 0, 2),
			    BPFVM_ST_MEM(BPF_DW, 10, -8, 1), A64R(MUL, 0, 6), EXIT }, 185 },
	{ "bpf2bpf_stack_per_frame", { BPFVM_ST_MEM(BPF_DW, 10, -8, 7), BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 3),
				       BPFVM_LDX_MEM(BPF_DW, 1, 10, -8), A64R(ADD, 0, 1), EXIT,
				       BPFVM_ST_MEM(BPF_DW, 10, -8, 1000), BPFVM_LDX_MEM(BPF_DW, 0, 10, -8), EXIT },
	  1007 },
	{ "bpf2bpf_depth_8_ok", { MOV64(1, 6), BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 1), EXIT,
				  /* f(n) = n ? f(n-1) + 1 : 0 */ MOV64(0, 0), BPFVM_JMP_IMM(BPF_JEQ, 1, 0, 3),
				  A64(SUB, 1, 1), BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, -4), A64(ADD, 0, 1), EXIT },
	  6 },
	{ "bpf2bpf_depth_9_fails", { MOV64(1, 7), BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 1), EXIT,
				     MOV64(0, 0), BPFVM_JMP_IMM(BPF_JEQ, 1, 0, 3), A64(SUB, 1, 1),
				     BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, -4), A64(ADD, 0, 1), EXIT },
	  0, -E2BIG },
	{ "helper_args", { MOV64(1, 1), MOV64(2, 2), MOV64(3, 3), MOV64(4, 4), MOV64(5, 5), MOV64(6, 9),
			   BPFVM_CALL_HELPER(1), A64R(ADD, 0, 6), EXIT }, 1 + 6 + 15 + 28 + 55 + 1000 + 9 },
	{ "helper_fails_stops", { MOV64(0, 1), BPFVM_CALL_HELPER(2), MOV64(0, 5), EXIT }, 0, -EPERM },
	{ "callx_helper", { MOV64(1, 1), MOV64(2, 2), MOV64(3, 3), MOV64(4, 4), MOV64(5, 5), MOV64(7, 1),
			    BPFVM_INSN(BPF_JMP | BPF_CALL | BPF_X, 7, 0, 0, 0), EXIT }, 1 + 6 + 15 + 28 + 55 + 1000 },
	{ "callx_helper_id_in_r2", { MOV64(1, 1), MOV64(2, 1), MOV64(3, 0), MOV64(4, 0), MOV64(5, 0),
				     BPFVM_INSN(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), EXIT }, 1 + 3 + 1000 },
	{ "callx_unknown_fails", { MOV64(2, 99), BPFVM_INSN(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), MOV64(0, 1), EXIT },
	  0, -EINVAL },
	{ "helper_unknown", { BPFVM_CALL_HELPER(99), EXIT }, 0, 0, -EINVAL },
	{ "call_into_main_rejected", { BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, -1), EXIT }, 0, 0, -EINVAL },
	{ "fall_into_subprogram_rejected", { BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 0), MOV64(0, 1), EXIT }, 0, 0,
	  -EINVAL },
	{ "jump_into_subprogram_rejected", { BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 1), BPFVM_JA(1), EXIT, MOV64(0, 1),
					     EXIT }, 0, 0, -EINVAL },
	{ "subprogram_saves_only_written", { MOV64(6, 6), MOV64(7, 7), MOV64(8, 8), MOV64(9, 9),
					     BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 6), MOVR(0, 6), A64R(ADD, 0, 7),
					     A64R(ADD, 0, 8), A64R(ADD, 0, 9), EXIT, EXIT, MOV64(8, 100),
					     BPFVM_LDX_MEM(BPF_DW, 9, 10, -8), BPFVM_ST_MEM(BPF_DW, 10, -8, 1), EXIT }, 30 },
	{ "r10_write_rejected", { MOV64(10, 0), EXIT }, 0, 0, -EACCES },
	{ "may_goto_ends_loop", { MOV64(0, 0), A64(ADD, 0, 1), BPFVM_INSN(BPF_JMP | BPF_JCOND, 0, 0, 1, 0), BPFVM_JA(-3),
				  EXIT }, 8 * 1024 * 1024 + 1 },
	{ "ld_abs_ind", { MOV64(6, 1), I(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 0), MOVR(7, 0),
			  I(BPF_LD | BPF_IND | BPF_W, 0, 6, 0, 1), A64(LSH, 7, 32), A64R(OR, 0, 7),
			  I(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 5), A64(LSH, 0, 8), EXIT },
	  0 /* computed */ },
	{ "ld_abs_oob_exits_0", { MOV64(0, 9), I(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 5), MOV64(0, 1), EXIT }, 0 },
	{ "ld_ind_negative_exits_0", { MOV64(0, 9), MOV64(6, -1), I(BPF_LD | BPF_IND | BPF_B, 0, 6, 0, 0), MOV64(0, 1),
				       EXIT }, 0 },
};

static size_t insn_count(const struct tcase *c)
{
	size_t n = sizeof(c->insns) / sizeof(c->insns[0]);

	while (n > 0 && !memcmp(&c->insns[n - 1], &(struct bpf_insn){ 0 }, sizeof(struct bpf_insn)))
		n--;
	return n;
}

static void run_case(const struct tcase *c, const struct bpfvm_jit_opts *o, const char *mode)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	struct bpf_insn insns[64];
	struct bpfvm_prog prog = { 0 };
	struct bpfvm_run_ctx rc = { 0 };
	struct bpfvm_log log = { 0 };
	uint8_t mem[64] = { 0 };
	uint64_t r0, want = c->r0, m0;
	int err;

	prog.insn_cnt = insn_count(c);
	memcpy(insns, c->insns, prog.insn_cnt * sizeof(insns[0]));
	prog.insns = insns;
	if (!strcmp(c->name, "long_forward_jump")) {
		/* a jump over 40 big instructions needs the near form */
		prog.insn_cnt = 44;
		for (int i = 2; i < 42; i++)
			insns[i] = BPFVM_MOV64_IMM(0, 0x12345678);
		insns[42] = BPFVM_MOV64_IMM(0, 3);
		insns[43] = BPFVM_EXIT();
		want = 3;
	}
	if (!strcmp(c->name, "ld_abs_ind"))
		want = 0xbc00; /* the last LD_ABS overwrites r0 */
	if (c->mem)
		memcpy(mem, c->mem, c->memlen);
	rc.pkt = pkt;
	rc.pkt_len = sizeof(pkt);
	err = bpfvm_jit_compile_opts(&prog, o, &log, NULL);
	if (err != c->compile_err) {
		t_fail("jit %s %s: compile returned %d, want %d (%s)", mode, c->name, err, c->compile_err, log.last_error);
		bpfvm_jit_release(&prog);
		return;
	}
	if (err) {
		t_pass("jit %s %s", mode, c->name);
		return;
	}
	rc.prog = &prog;
	if (getenv("BPFVM_JIT_DUMP") && !strcmp(getenv("BPFVM_JIT_DUMP"), c->name))
		bpfvm_jit_dump(&prog, o, stderr, NULL, NULL, &log);
	r0 = prog.jit_entry((uint64_t)(uintptr_t)mem, sizeof(mem), &rc);
	memcpy(&m0, mem, 8);
	if (rc.error != c->err)
		t_fail("jit %s %s: run error %d, want %d", mode, c->name, rc.error, c->err);
	else if (r0 != want)
		t_fail("jit %s %s: r0 = 0x%llx, want 0x%llx", mode, c->name, (unsigned long long)r0,
		       (unsigned long long)want);
	else if (c->want_mem && m0 != c->mem_u64_0)
		t_fail("jit %s %s: mem[0..8] = 0x%llx, want 0x%llx", mode, c->name, (unsigned long long)m0,
		       (unsigned long long)c->mem_u64_0);
	else
		t_pass("jit %s %s", mode, c->name);
	bpfvm_jit_release(&prog);
}

/* tail calls, through a test prog array (bpfvm_jit_opts.prog_array_lookup) */
struct test_map {
	uint32_t n;
	struct bpfvm_prog *progs[4];
};

static struct bpfvm_prog *test_lookup(void *map, uint32_t index)
{
	struct test_map *m = map;

	return index < m->n ? m->progs[index] : NULL;
}

static void test_tail_calls(const struct bpfvm_jit_opts *base, const char *mode)
{
	struct bpfvm_jit_opts o = *base;
	struct test_map map = { 0 };
	uint64_t mp = (uint64_t)(uintptr_t)&map;
	/* prog 0: tail call to index r6 (from mem[8]); on failure r0 = 1 */
	struct bpf_insn a[] = { BPFVM_LDX_MEM(BPF_DW, 3, 1, 8), LDDW(2, mp), BPFVM_CALL_HELPER(BPF_FUNC_tail_call),
				MOV64(0, 1), EXIT };
	/* prog 1: r0 = 42 + ctx[0] */
	struct bpf_insn b[] = { BPFVM_LDX_MEM(BPF_DW, 0, 1, 0), A64(ADD, 0, 42), EXIT };
	/* prog 2: ctx[0] += 1; tail call itself (index 2); r0 = ctx[0] */
	struct bpf_insn c[] = { BPFVM_LDX_MEM(BPF_DW, 3, 1, 0), A64(ADD, 3, 1), BPFVM_STX_MEM(BPF_DW, 1, 3, 0),
				MOV64(6, 0), MOVR(7, 1), LDDW(2, mp), MOV64(3, 2),
				BPFVM_CALL_HELPER(BPF_FUNC_tail_call), BPFVM_LDX_MEM(BPF_DW, 0, 7, 0), EXIT };
	/* prog 3: a subprogram does the tail call to prog 1; main adds 1000 to what the call returns */
	struct bpf_insn d[] = { BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 2), A64(ADD, 0, 1000), EXIT,
				MOV64(3, 1), LDDW(2, mp), BPFVM_CALL_HELPER(BPF_FUNC_tail_call), MOV64(0, 7), EXIT };
	struct bpfvm_prog pa = { .insns = a, .insn_cnt = 6 }, pb = { .insns = b, .insn_cnt = 3 },
			  pc = { .insns = c, .insn_cnt = 11 }, pd = { .insns = d, .insn_cnt = 9 };
	struct {
		struct bpfvm_prog *p;
		uint64_t idx, want_r0, want_mem0;
		const char *name;
	} runs[] = {
		{ &pa, 1, 42 + 5, 5, "tail_call_hit" },
		{ &pa, 3, 1, 5, "tail_call_empty_slot_continues" },
		{ &pa, 9, 1, 5, "tail_call_index_out_of_range_continues" },
		{ &pc, 0, 34, 34, "tail_call_limit_33" },
		{ &pd, 0, 1047, 5, "tail_call_from_subprogram" },
	};

	o.prog_array_lookup = test_lookup;
	map.n = 4;
	map.progs[0] = &pa, map.progs[1] = &pb, map.progs[2] = &pc;
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		struct bpfvm_run_ctx rc = { 0 };
		struct bpfvm_log log = { 0 };
		uint64_t mem[2] = { runs[r].p == &pc ? 0 : 5, runs[r].idx }, r0;
		int err;

		bpfvm_jit_release(&pa), bpfvm_jit_release(&pb), bpfvm_jit_release(&pc), bpfvm_jit_release(&pd);
		err = bpfvm_jit_compile_opts(runs[r].p, &o, &log, NULL);
		if (!err && runs[r].p != &pa)
			err = bpfvm_jit_compile_opts(&pa, &o, &log, NULL);
		if (!err && runs[r].p != &pc)
			err = bpfvm_jit_compile_opts(&pc, &o, &log, NULL);
		if (err) {
			t_fail("jit %s %s: compile %d %s", mode, runs[r].name, err, log.last_error);
			continue;
		}
		rc.prog = runs[r].p;
		r0 = runs[r].p->jit_entry((uint64_t)(uintptr_t)mem, sizeof(mem), &rc);
		if (r0 != runs[r].want_r0 || mem[0] != runs[r].want_mem0 || rc.error)
			t_fail("jit %s %s: r0 %llu mem0 %llu error %d", mode, runs[r].name, (unsigned long long)r0,
			       (unsigned long long)mem[0], rc.error);
		else
			t_pass("jit %s %s", mode, runs[r].name);
	}
	bpfvm_jit_release(&pa), bpfvm_jit_release(&pb), bpfvm_jit_release(&pc), bpfvm_jit_release(&pd);
}

/* the image is mapped r-x (never writable and executable) while compiled, and unmapped after release */
static const char *image_perms(const void *addr, char *perms)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t a = (uintptr_t)addr;

	strcpy(perms, "none");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, p) == 3 && a >= lo && a < hi) {
			strcpy(perms, p);
			break;
		}
	}
	fclose(f);
	return perms;
}

static void test_image(void)
{
	struct bpf_insn insns[] = { MOV64(0, 0x5a5a1234), A64(ADD, 0, 0x3c3c0101), LDDW(1, 0x1122334455667788ull),
				    A64R(ADD, 0, 1), EXIT };
	struct bpfvm_prog prog = { .insns = insns, .insn_cnt = 6 };
	struct bpfvm_jit_opts hard = { .harden = true };
	static const uint32_t imm1 = 0x5a5a1234, imm2 = 0x3c3c0101;
	static const uint64_t imm3 = 0x1122334455667788ull;
	struct bpfvm_run_ctx rc = { 0 };
	char perms[8];
	void *img;
	uint64_t r0;

	if (bpfvm_jit_compile_opts(&prog, NULL, NULL, NULL)) {
		t_fail("jit image: compile failed");
		return;
	}
	img = prog.jit_image;
	image_perms(img, perms);
	CHECK(!strcmp(perms, "r-xp"), "jit image mapped r-x, not writable (%s)", perms);
	CHECK(memmem(img, prog.jit_size, &imm1, 4) && memmem(img, prog.jit_size, &imm3, 8),
	      "jit image holds the plain immediates without hardening");
	bpfvm_jit_release(&prog);
	image_perms(img, perms);
	CHECK(strcmp(perms, "r-xp") != 0 && !prog.jit_image && !prog.jit_entry, "jit image unmapped on release (%s)",
	      perms);
	if (bpfvm_jit_compile_opts(&prog, &hard, NULL, NULL)) {
		t_fail("jit image: hardened compile failed");
		return;
	}
	CHECK(!memmem(prog.jit_image, prog.jit_size, &imm1, 4) && !memmem(prog.jit_image, prog.jit_size, &imm2, 4) &&
		      !memmem(prog.jit_image, prog.jit_size, &imm3, 8) &&
		      !memmem(prog.jit_image, prog.jit_size, (const char *)&imm3 + 4, 4),
	      "jit --jit-harden: no immediate appears in the image");
	rc.prog = &prog;
	r0 = prog.jit_entry(0, 0, &rc);
	CHECK(r0 == 0x5a5a1234ull + 0x3c3c0101ull + 0x1122334455667788ull, "jit --jit-harden: same result");
	bpfvm_jit_release(&prog);
	bpfvm_jit_release(&prog); /* twice: harmless */
}

int main(void)
{
	static const char *modes[] = { "default", "no_bmi2", "harden", "no_peephole" };

	for (int m = 0; m < 4; m++) {
		struct bpfvm_jit_opts o = { .no_bmi2 = m == 1, .harden = m == 2, .no_peephole = m == 3,
					    .helper_by_id = test_helper_by_id };

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run_case(&cases[i], &o, modes[m]);
		test_tail_calls(&o, modes[m]);
	}
	test_image();
	return t_done();
}
