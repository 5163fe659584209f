/* emit.h - x86-64 machine-code emitters: EMIT macros, the BPF-to-x86 register table, one emit_* per encoding */
#ifndef BPFVM_JIT_X86_EMIT_H
#define BPFVM_JIT_X86_EMIT_H

#include <stdbool.h>
#include <stdint.h>

/* x86-64 register numbers as encoded in ModRM/REX (bit 3 goes to REX.R/X/B) */
enum x86_reg {
	X_RAX = 0, X_RCX, X_RDX, X_RBX, X_RSP, X_RBP, X_RSI, X_RDI,
	X_R8, X_R9, X_R10, X_R11, X_R12, X_R13, X_R14, X_R15,
};

/* registers the JIT uses beyond BPF's eleven */
#define X_AUX2 X_R9  /* scratch; also the 6th SysV argument (the run context) at helper calls */
#define X_AUX X_R10  /* scratch: saved rax/rdx around div, the saved r0 in atomics */
#define X_TMP X_R11  /* scratch: immediates, divisors, shift counts' save, addresses */
#define X_JST X_R12  /* callee-saved: points at the JIT state on the main frame ([r12] = run ctx) */

/*
 * BPF register -> x86 register. r1..r5 sit in the SysV argument registers, so a helper call needs no moves;
 * r0 is the return register; r6..r9 are callee-saved on both sides; r10 is the frame pointer.
 */
static const uint8_t reg2x86[11] = {
	[0] = X_RAX,  /* r0: return value (rax) - also div/cmpxchg's implicit operand */
	[1] = X_RDI,  /* r1: 1st argument (rdi) */
	[2] = X_RSI,  /* r2: 2nd argument (rsi) */
	[3] = X_RDX,  /* r3: 3rd argument (rdx) - clobbered by div/mul's rdx:rax, saved around them */
	[4] = X_RCX,  /* r4: 4th argument (rcx) - also the shift count register cl */
	[5] = X_R8,   /* r5: 5th argument (r8) */
	[6] = X_RBX,  /* r6: callee-saved (rbx) */
	[7] = X_R13,  /* r7: callee-saved (r13) */
	[8] = X_R14,  /* r8: callee-saved (r14) */
	[9] = X_R15,  /* r9: callee-saved (r15) */
	[10] = X_RBP, /* r10: read-only frame pointer (rbp): the frame's 512-byte stack is [rbp-512, rbp) */
};

/* x86 condition codes (low nibble of Jcc 0x70+cc / 0x0f 0x80+cc) */
enum x86_cc {
	CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6, CC_A = 0x7, CC_S = 0x8,
	CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf,
};

/* ALU group-1 operations: the /digit of 0x81/0x83 and (digit << 3 | 1) is the r/m,reg form */
enum x86_alu { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };
/* shift group-2 /digit */
enum x86_shift { SH_ROL = 0, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

/* Every emitter appends to *pp and advances it, as the kernel's emit_* over `u8 **pprog`. */
#define EMIT1(b) (*(*pp)++ = (uint8_t)(b))
#define EMIT2(a, b) (EMIT1(a), EMIT1(b))
#define EMIT3(a, b, c) (EMIT2(a, b), EMIT1(c))
#define EMIT4(a, b, c, d) (EMIT3(a, b, c), EMIT1(d))
void emit_imm32(uint8_t **pp, uint32_t v);
void emit_imm16(uint8_t **pp, uint16_t v);
void emit_imm64(uint8_t **pp, uint64_t v);

static inline bool is_imm8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool is_simm32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* generic encoders: [66] [REX] opcode ModRM [SIB] [disp]; byte: an 8-bit register operand (REX for sil/dil) */
void emit_op_rr(uint8_t **pp, bool w, const uint8_t *op, int oplen, int reg, int rm, bool byte);
void emit_op_mem(uint8_t **pp, bool w, const uint8_t *op, int oplen, int reg, int base, int32_t off, bool byte);

void emit_mov_rr(uint8_t **pp, bool is64, int dst, int src);          /* mov dst, src */
void emit_mov_imm32(uint8_t **pp, bool sign_extend, int dst, int32_t imm); /* mov dst, imm (shortest form) */
void emit_mov_imm64(uint8_t **pp, int dst, uint64_t imm);             /* movabs dst, imm64 (or shorter) */
void emit_alu_rr(uint8_t **pp, enum x86_alu op, bool is64, int dst, int src); /* op dst, src */
void emit_alu_imm(uint8_t **pp, enum x86_alu op, bool is64, int dst, int32_t imm); /* op dst, imm */
void emit_test_rr(uint8_t **pp, bool is64, int a, int b);             /* test a, b */
void emit_test_imm(uint8_t **pp, bool is64, int a, int32_t imm);      /* test a, imm */
void emit_imul_rr(uint8_t **pp, bool is64, int dst, int src);         /* imul dst, src */
void emit_imul_imm(uint8_t **pp, bool is64, int dst, int32_t imm);    /* imul dst, dst, imm */
void emit_shift_imm(uint8_t **pp, enum x86_shift op, bool is64, int dst, int cnt); /* shl dst, imm8 */
void emit_shift_cl(uint8_t **pp, enum x86_shift op, bool is64, int dst); /* shl dst, cl */
void emit_shiftx(uint8_t **pp, enum x86_shift op, bool is64, int dst, int src, int cnt); /* shlx dst, src, cnt (BMI2) */
void emit_neg(uint8_t **pp, bool is64, int dst);                      /* neg dst */
void emit_div(uint8_t **pp, bool is64, bool is_signed, int src);     /* div/idiv src */
void emit_sign_ext_ax(uint8_t **pp, bool is64);                       /* cqo / cdq */
void emit_movzx_rr(uint8_t **pp, int dst, int src, int bits);         /* movzx dst32, src8/16 */
void emit_movsx_rr(uint8_t **pp, bool is64, int dst, int src, int bits); /* movsx dst, src8/16/32 */
void emit_bswap(uint8_t **pp, bool is64, int dst);                    /* bswap dst */
void emit_rol16_8(uint8_t **pp, int dst);                             /* rol dst16, 8 */
void emit_ldx(uint8_t **pp, int size, bool sx, int dst, int base, int32_t off); /* dst = *(size*)(base+off) */
void emit_stx(uint8_t **pp, int size, int base, int32_t off, int src); /* *(size*)(base+off) = src */
void emit_st_imm(uint8_t **pp, int size, int base, int32_t off, int32_t imm); /* *(size*)(base+off) = imm */
void emit_lea(uint8_t **pp, int dst, int base, int32_t off);          /* lea dst, [base+off] */
void emit_lea_sib(uint8_t **pp, bool is64, int dst, int base, int index, int scale); /* lea dst, [base+index*2^s] */
void emit_lock_alu(uint8_t **pp, enum x86_alu op, bool is64, int base, int32_t off, int src); /* lock op [m], src */
void emit_lock_xadd(uint8_t **pp, bool is64, int base, int32_t off, int src);   /* lock xadd [m], src */
void emit_xchg_mem(uint8_t **pp, bool is64, int base, int32_t off, int src);    /* xchg [m], src */
void emit_lock_cmpxchg(uint8_t **pp, bool is64, int base, int32_t off, int src); /* lock cmpxchg [m], src */
void emit_push(uint8_t **pp, int reg);                                /* push reg */
void emit_pop(uint8_t **pp, int reg);                                 /* pop reg */
void emit_call_reg(uint8_t **pp, int reg);                            /* call reg */
void emit_cmp_mem_imm8(uint8_t **pp, bool is64, int base, int32_t off, int8_t imm); /* cmp [m], imm8 */
void emit_alu_mem_imm8(uint8_t **pp, enum x86_alu op, int base, int32_t off, int8_t imm); /* op qword [m], imm8 */

#endif
