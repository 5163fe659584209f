/* emit.c - x86-64 encoders: one emit_* per instruction form, each named after the instruction it writes */
#if defined(__x86_64__) /* other hosts: src/jit/none.c */
#include <string.h>

#include "jit/x86_64/emit.h"

void emit_imm16(uint8_t **pp, uint16_t v)
{
	EMIT2(v, v >> 8);
}

void emit_imm32(uint8_t **pp, uint32_t v)
{
	EMIT4(v, v >> 8, v >> 16, v >> 24);
}

void emit_imm64(uint8_t **pp, uint64_t v)
{
	emit_imm32(pp, (uint32_t)v);
	emit_imm32(pp, (uint32_t)(v >> 32));
}

/* REX = 0100WRXB; needed for 64-bit operands, r8..r15, or spl/bpl/sil/dil as byte registers */
static void emit_rex(uint8_t **pp, bool w, int reg, int rm, bool byte)
{
	uint8_t rex = 0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((rm & 8) ? 1 : 0);

	if (rex != 0x40 || (byte && ((reg >= 4 && reg < 8) || (rm >= 4 && rm < 8))))
		EMIT1(rex);
}

/* REX with an index register (SIB's REX.X) */
static void emit_rex_x(uint8_t **pp, bool w, int reg, int index, int base)
{
	uint8_t rex = 0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0);

	if (rex != 0x40)
		EMIT1(rex);
}

/* a 0x66 operand-size prefix, if any, must be the first byte of op: it goes before REX */
static int emit_prefix(uint8_t **pp, const uint8_t *op, int oplen)
{
	int i = 0;

	while (i < oplen - 1 && (op[i] == 0x66 || op[i] == 0xf0)) {
		EMIT1(op[i]);
		i++;
	}
	return i;
}

void emit_op_rr(uint8_t **pp, bool w, const uint8_t *op, int oplen, int reg, int rm, bool byte)
{
	int i = emit_prefix(pp, op, oplen);

	emit_rex(pp, w, reg, rm, byte);
	for (; i < oplen; i++)
		EMIT1(op[i]);
	EMIT1(0xc0 | ((reg & 7) << 3) | (rm & 7));
}

/* ModRM + optional SIB + disp for [base + off]; rsp/r12 as base need a SIB, rbp/r13 need a displacement */
void emit_op_mem(uint8_t **pp, bool w, const uint8_t *op, int oplen, int reg, int base, int32_t off, bool byte)
{
	int i = emit_prefix(pp, op, oplen);
	int mod;

	emit_rex(pp, w, reg, base, byte);
	for (; i < oplen; i++)
		EMIT1(op[i]);
	if (off == 0 && (base & 7) != X_RBP)
		mod = 0;
	else if (is_imm8(off))
		mod = 1;
	else
		mod = 2;
	EMIT1((mod << 6) | ((reg & 7) << 3) | (base & 7));
	if ((base & 7) == X_RSP)
		EMIT1(0x24); /* SIB: no index, base */
	if (mod == 1)
		EMIT1(off);
	else if (mod == 2)
		emit_imm32(pp, (uint32_t)off);
}

/* mov dst, src (89 /r) */
void emit_mov_rr(uint8_t **pp, bool is64, int dst, int src)
{
	static const uint8_t op[] = { 0x89 };

	emit_op_rr(pp, is64, op, 1, src, dst, false);
}

/*
 * mov dst, imm. Optimization: 0 is `xor dst32, dst32` (2-3 bytes); a value that zero-extends is `mov dst32, imm32`
 * (5-6 bytes, B8+r); only a negative 64-bit value needs `mov dst64, simm32` (C7 /0, 7 bytes).
 */
void emit_mov_imm32(uint8_t **pp, bool sign_extend, int dst, int32_t imm)
{
	if (imm == 0) {
		emit_alu_rr(pp, ALU_XOR, false, dst, dst);
		return;
	}
	if (sign_extend && imm < 0) {
		static const uint8_t op[] = { 0xc7 };

		emit_op_rr(pp, true, op, 1, 0, dst, false);
		emit_imm32(pp, (uint32_t)imm);
		return;
	}
	emit_rex(pp, false, 0, dst, false);
	EMIT1(0xb8 | (dst & 7));
	emit_imm32(pp, (uint32_t)imm);
}

/* movabs dst, imm64 (REX.W B8+r io), or a shorter mov when the value fits 32 bits */
void emit_mov_imm64(uint8_t **pp, int dst, uint64_t imm)
{
	if (imm <= UINT32_MAX) {
		emit_mov_imm32(pp, false, dst, (int32_t)(uint32_t)imm);
		return;
	}
	if (is_simm32((int64_t)imm)) {
		emit_mov_imm32(pp, true, dst, (int32_t)imm);
		return;
	}
	emit_rex(pp, true, 0, dst, false);
	EMIT1(0xb8 | (dst & 7));
	emit_imm64(pp, imm);
}

/* add/or/and/sub/xor/cmp dst, src (op*8+1 /r) */
void emit_alu_rr(uint8_t **pp, enum x86_alu op, bool is64, int dst, int src)
{
	uint8_t opc = (uint8_t)((op << 3) | 1);

	emit_op_rr(pp, is64, &opc, 1, src, dst, false);
}

/* add/or/and/sub/xor/cmp dst, imm: 83 /digit ib when it fits a byte, else 81 /digit id (rax has no shorter form
 * worth the branch) */
void emit_alu_imm(uint8_t **pp, enum x86_alu op, bool is64, int dst, int32_t imm)
{
	uint8_t opc = is_imm8(imm) ? 0x83 : 0x81;

	emit_op_rr(pp, is64, &opc, 1, op, dst, false);
	if (opc == 0x83)
		EMIT1(imm);
	else
		emit_imm32(pp, (uint32_t)imm);
}

/* test a, b (85 /r) */
void emit_test_rr(uint8_t **pp, bool is64, int a, int b)
{
	static const uint8_t op[] = { 0x85 };

	emit_op_rr(pp, is64, op, 1, b, a, false);
}

/* test a, imm (F7 /0 id) */
void emit_test_imm(uint8_t **pp, bool is64, int a, int32_t imm)
{
	static const uint8_t op[] = { 0xf7 };

	emit_op_rr(pp, is64, op, 1, 0, a, false);
	emit_imm32(pp, (uint32_t)imm);
}

/* imul dst, src (0F AF /r) */
void emit_imul_rr(uint8_t **pp, bool is64, int dst, int src)
{
	static const uint8_t op[] = { 0x0f, 0xaf };

	emit_op_rr(pp, is64, op, 2, dst, src, false);
}

/* imul dst, dst, imm (6B /r ib or 69 /r id) */
void emit_imul_imm(uint8_t **pp, bool is64, int dst, int32_t imm)
{
	uint8_t opc = is_imm8(imm) ? 0x6b : 0x69;

	emit_op_rr(pp, is64, &opc, 1, dst, dst, false);
	if (opc == 0x6b)
		EMIT1(imm);
	else
		emit_imm32(pp, (uint32_t)imm);
}

/* shl/shr/sar dst, imm (D1 /digit for 1, C1 /digit ib otherwise) */
void emit_shift_imm(uint8_t **pp, enum x86_shift op, bool is64, int dst, int cnt)
{
	uint8_t opc = cnt == 1 ? 0xd1 : 0xc1;

	emit_op_rr(pp, is64, &opc, 1, op, dst, false);
	if (cnt != 1)
		EMIT1(cnt);
}

/* shl/shr/sar dst, cl (D3 /digit) */
void emit_shift_cl(uint8_t **pp, enum x86_shift op, bool is64, int dst)
{
	static const uint8_t opc = 0xd3;

	emit_op_rr(pp, is64, &opc, 1, op, dst, false);
}

/*
 * shlx/shrx/sarx dst, src, cnt (BMI2, VEX.LZ.{66,F2,F3}.0F38.W{0,1} F7 /r): the count in any register, masked by
 * the hardware to 5 or 6 bits exactly as BPF masks it, flags untouched.
 */
void emit_shiftx(uint8_t **pp, enum x86_shift op, bool is64, int dst, int src, int cnt)
{
	uint8_t pp_bits = op == SH_SHL ? 1 : op == SH_SAR ? 2 : 3; /* 66 / F3 / F2 */

	EMIT1(0xc4);
	EMIT1(((dst & 8) ? 0 : 0x80) | 0x40 /* no X */ | ((src & 8) ? 0 : 0x20) | 0x02 /* 0F38 */);
	EMIT1((is64 ? 0x80 : 0) | ((~cnt & 0xf) << 3) | pp_bits);
	EMIT1(0xf7);
	EMIT1(0xc0 | ((dst & 7) << 3) | (src & 7));
}

/* neg dst (F7 /3) */
void emit_neg(uint8_t **pp, bool is64, int dst)
{
	static const uint8_t op[] = { 0xf7 };

	emit_op_rr(pp, is64, op, 1, 3, dst, false);
}

/* div src / idiv src (F7 /6, F7 /7): rdx:rax / src */
void emit_div(uint8_t **pp, bool is64, bool is_signed, int src)
{
	static const uint8_t op[] = { 0xf7 };

	emit_op_rr(pp, is64, op, 1, is_signed ? 7 : 6, src, false);
}

/* cqo (48 99) / cdq (99): sign-extend rax into rdx */
void emit_sign_ext_ax(uint8_t **pp, bool is64)
{
	if (is64)
		EMIT1(0x48);
	EMIT1(0x99);
}

/* movzx dst32, src8 (0F B6 /r) / movzx dst32, src16 (0F B7 /r); the upper 32 bits are cleared by the 32-bit write */
void emit_movzx_rr(uint8_t **pp, int dst, int src, int bits)
{
	const uint8_t op[] = { 0x0f, bits == 8 ? 0xb6 : 0xb7 };

	emit_op_rr(pp, false, op, 2, dst, src, bits == 8);
}

/* movsx dst, src8 (0F BE) / src16 (0F BF) / movsxd dst64, src32 (REX.W 63 /r) */
void emit_movsx_rr(uint8_t **pp, bool is64, int dst, int src, int bits)
{
	if (bits == 32) {
		static const uint8_t op[] = { 0x63 };

		emit_op_rr(pp, true, op, 1, dst, src, false);
		return;
	}
	const uint8_t op[] = { 0x0f, bits == 8 ? 0xbe : 0xbf };

	emit_op_rr(pp, is64, op, 2, dst, src, bits == 8);
}

/* bswap dst (0F C8+r) */
void emit_bswap(uint8_t **pp, bool is64, int dst)
{
	emit_rex(pp, is64, 0, dst, false);
	EMIT2(0x0f, 0xc8 | (dst & 7));
}

/* rol dst16, 8 (66 C1 /0 08): swaps the two low bytes */
void emit_rol16_8(uint8_t **pp, int dst)
{
	static const uint8_t op[] = { 0x66, 0xc1 };

	emit_op_rr(pp, false, op, 2, SH_ROL, dst, false);
	EMIT1(8);
}

/*
 * dst = *(size *)(base + off): movzx r32, byte/word (0F B6/B7), mov r32 (8B), mov r64 (REX.W 8B); sign-extending
 * loads (BPF_MEMSX) use movsx r64 (REX.W 0F BE/BF) and movsxd (REX.W 63).
 */
void emit_ldx(uint8_t **pp, int size, bool sx, int dst, int base, int32_t off)
{
	uint8_t op[2];
	int oplen = 2;
	bool w = false;

	switch (size) {
	case 1:
		op[0] = 0x0f, op[1] = sx ? 0xbe : 0xb6, w = sx;
		break;
	case 2:
		op[0] = 0x0f, op[1] = sx ? 0xbf : 0xb7, w = sx;
		break;
	case 4:
		op[0] = sx ? 0x63 : 0x8b, oplen = 1, w = sx;
		break;
	default:
		op[0] = 0x8b, oplen = 1, w = true;
		break;
	}
	emit_op_mem(pp, w, op, oplen, dst, base, off, false);
}

/* *(size *)(base + off) = src: mov m8, r8 (88), mov m16 (66 89), mov m32 (89), mov m64 (REX.W 89) */
void emit_stx(uint8_t **pp, int size, int base, int32_t off, int src)
{
	static const uint8_t op8[] = { 0x88 }, op16[] = { 0x66, 0x89 }, op32[] = { 0x89 };

	if (size == 1)
		emit_op_mem(pp, false, op8, 1, src, base, off, true);
	else if (size == 2)
		emit_op_mem(pp, false, op16, 2, src, base, off, false);
	else
		emit_op_mem(pp, size == 8, op32, 1, src, base, off, false);
}

/* *(size *)(base + off) = imm: mov m8, ib (C6 /0), m16 (66 C7 /0 iw), m32 (C7 /0 id), m64 (REX.W C7 /0 id) */
void emit_st_imm(uint8_t **pp, int size, int base, int32_t off, int32_t imm)
{
	static const uint8_t op8[] = { 0xc6 }, op16[] = { 0x66, 0xc7 }, op32[] = { 0xc7 };

	if (size == 1) {
		emit_op_mem(pp, false, op8, 1, 0, base, off, false);
		EMIT1(imm);
	} else if (size == 2) {
		emit_op_mem(pp, false, op16, 2, 0, base, off, false);
		emit_imm16(pp, (uint16_t)imm);
	} else {
		emit_op_mem(pp, size == 8, op32, 1, 0, base, off, false);
		emit_imm32(pp, (uint32_t)imm);
	}
}

/* lea dst, [base + off] (REX.W 8D /r) */
void emit_lea(uint8_t **pp, int dst, int base, int32_t off)
{
	static const uint8_t op[] = { 0x8d };

	emit_op_mem(pp, true, op, 1, dst, base, off, false);
}

/* lock add/or/and/xor [base + off], src (F0 01/09/21/31 /r) */
void emit_lock_alu(uint8_t **pp, enum x86_alu op, bool is64, int base, int32_t off, int src)
{
	const uint8_t opc[] = { 0xf0, (uint8_t)((op << 3) | 1) };

	emit_op_mem(pp, is64, opc, 2, src, base, off, false);
}

/* lock xadd [base + off], src (F0 0F C1 /r): src gets the old value */
void emit_lock_xadd(uint8_t **pp, bool is64, int base, int32_t off, int src)
{
	static const uint8_t op[] = { 0xf0, 0x0f, 0xc1 };

	emit_op_mem(pp, is64, op, 3, src, base, off, false);
}

/* xchg [base + off], src (87 /r; locked implicitly) */
void emit_xchg_mem(uint8_t **pp, bool is64, int base, int32_t off, int src)
{
	static const uint8_t op[] = { 0x87 };

	emit_op_mem(pp, is64, op, 1, src, base, off, false);
}

/* lock cmpxchg [base + off], src (F0 0F B1 /r): compares with rax, rax gets the old value */
void emit_lock_cmpxchg(uint8_t **pp, bool is64, int base, int32_t off, int src)
{
	static const uint8_t op[] = { 0xf0, 0x0f, 0xb1 };

	emit_op_mem(pp, is64, op, 3, src, base, off, false);
}

/* push reg (50+r, 41 50+r) */
void emit_push(uint8_t **pp, int reg)
{
	if (reg & 8)
		EMIT1(0x41);
	EMIT1(0x50 | (reg & 7));
}

/* pop reg (58+r, 41 58+r) */
void emit_pop(uint8_t **pp, int reg)
{
	if (reg & 8)
		EMIT1(0x41);
	EMIT1(0x58 | (reg & 7));
}

/* call reg (FF /2) */
void emit_call_reg(uint8_t **pp, int reg)
{
	static const uint8_t op[] = { 0xff };

	emit_op_rr(pp, false, op, 1, 2, reg, false);
}

/* cmp dword/qword [base + off], imm8 (83 /7 ib) */
void emit_cmp_mem_imm8(uint8_t **pp, bool is64, int base, int32_t off, int8_t imm)
{
	static const uint8_t op[] = { 0x83 };

	emit_op_mem(pp, is64, op, 1, ALU_CMP, base, off, false);
	EMIT1(imm);
}

/* add/sub/... qword [base + off], imm8 (REX.W 83 /digit ib) */
void emit_alu_mem_imm8(uint8_t **pp, enum x86_alu op, int base, int32_t off, int8_t imm)
{
	static const uint8_t opc[] = { 0x83 };

	emit_op_mem(pp, true, opc, 1, op, base, off, false);
	EMIT1(imm);
}

/* lea dst, [base + index * (1 << scale)] (8D /r with a SIB); rbp/r13 as base need a zero disp8 */
void emit_lea_sib(uint8_t **pp, bool is64, int dst, int base, int index, int scale)
{
	bool disp = (base & 7) == X_RBP;

	emit_rex_x(pp, is64, dst, index, base);
	EMIT1(0x8d);
	EMIT1((disp ? 0x40 : 0) | ((dst & 7) << 3) | 4);
	EMIT1((scale << 6) | ((index & 7) << 3) | (base & 7));
	if (disp)
		EMIT1(0);
}

#endif /* __x86_64__ */
