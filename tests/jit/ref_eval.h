/* ref_eval.h - a deliberately plain reference evaluator of eBPF (RFC 9669), the JIT differential's second oracle */
#ifndef BPFVM_TESTS_JIT_REF_EVAL_H
#define BPFVM_TESTS_JIT_REF_EVAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bpfvm/insn.h"

/*
 * Written from RFC 9669 alone, one case per instruction, no tables shared with src/: where the JIT and this agree,
 * two independent readings of the spec agree. Host pointers, like the engines; frames of 512 bytes, at most 8;
 * may_goto's budget 8M per run as the kernel's; LD_ABS/LD_IND outside the packet end the program with r0 = 0.
 * Returns 0 with *r0 set, or -E2BIG (too deep), -EINVAL (an instruction it does not know).
 */
struct ref_frame {
	uint64_t ret_pc, r6_9[4], r10;
};

static inline uint64_t ref_load(uint64_t addr, int size)
{
	uint8_t b1;
	uint16_t b2;
	uint32_t b4;
	uint64_t b8;

	switch (size) {
	case 1:
		memcpy(&b1, (void *)(uintptr_t)addr, 1);
		return b1;
	case 2:
		memcpy(&b2, (void *)(uintptr_t)addr, 2);
		return b2;
	case 4:
		memcpy(&b4, (void *)(uintptr_t)addr, 4);
		return b4;
	default:
		memcpy(&b8, (void *)(uintptr_t)addr, 8);
		return b8;
	}
}

static inline void ref_store(uint64_t addr, int size, uint64_t v)
{
	uint8_t b1 = (uint8_t)v;
	uint16_t b2 = (uint16_t)v;
	uint32_t b4 = (uint32_t)v;

	if (size == 1)
		memcpy((void *)(uintptr_t)addr, &b1, 1);
	else if (size == 2)
		memcpy((void *)(uintptr_t)addr, &b2, 2);
	else if (size == 4)
		memcpy((void *)(uintptr_t)addr, &b4, 4);
	else
		memcpy((void *)(uintptr_t)addr, &v, 8);
}

static inline int ref_size(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	default:
		return 8;
	}
}

static inline uint64_t ref_sext(uint64_t v, int bits)
{
	return bits == 64 ? v : (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* one ALU operation on 64-bit (is64) or 32-bit operands */
static inline uint64_t ref_alu(uint8_t op, int16_t off, bool is64, uint64_t a, uint64_t b)
{
	uint64_t r;

	if (!is64)
		a = (uint32_t)a, b = (uint32_t)b;
	switch (op) {
	case BPF_ADD: r = a + b; break;
	case BPF_SUB: r = a - b; break;
	case BPF_MUL: r = a * b; break;
	case BPF_OR: r = a | b; break;
	case BPF_AND: r = a & b; break;
	case BPF_XOR: r = a ^ b; break;
	case BPF_LSH: r = a << (b & (is64 ? 63 : 31)); break;
	case BPF_RSH: r = a >> (b & (is64 ? 63 : 31)); break;
	case BPF_ARSH:
		r = is64 ? (uint64_t)((int64_t)a >> (b & 63)) : (uint64_t)(uint32_t)((int32_t)a >> (b & 31));
		break;
	case BPF_NEG: r = -a; break;
	case BPF_MOV:
		r = off ? ref_sext(b, off) : b;
		break;
	case BPF_DIV:
		if (b == 0)
			r = 0;
		else if (!off)
			r = a / b;
		else if (is64)
			r = ((int64_t)b == -1) ? -a : (uint64_t)((int64_t)a / (int64_t)b);
		else
			r = ((int32_t)b == -1) ? (uint64_t)(uint32_t)-(uint32_t)a
					       : (uint64_t)(uint32_t)((int32_t)a / (int32_t)b);
		break;
	case BPF_MOD:
		if (b == 0)
			r = a;
		else if (!off)
			r = a % b;
		else if (is64)
			r = ((int64_t)b == -1) ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
		else
			r = ((int32_t)b == -1) ? 0 : (uint64_t)(uint32_t)((int32_t)a % (int32_t)b);
		break;
	default:
		r = 0;
		break;
	}
	return is64 ? r : (uint32_t)r;
}

static inline bool ref_cond(uint8_t op, bool is64, uint64_t a, uint64_t b)
{
	if (!is64)
		a = (uint32_t)a, b = (uint32_t)b;
	int64_t sa = is64 ? (int64_t)a : (int32_t)a, sb = is64 ? (int64_t)b : (int32_t)b;

	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JNE: return a != b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	default: return false;
	}
}

static inline uint64_t ref_bswap(uint64_t v, int bits)
{
	if (bits == 16)
		return __builtin_bswap16((uint16_t)v);
	if (bits == 32)
		return __builtin_bswap32((uint32_t)v);
	return __builtin_bswap64(v);
}

/* a helper for `call N`: returns r0, or sets *err to stop the run (then the program's r0 is 0) */
typedef uint64_t (*ref_helper_fn)(uint32_t id, const uint64_t *r1_5, int *err);

static inline int ref_eval_h(const struct bpf_insn *p, size_t cnt, uint64_t r1, uint64_t r2, const uint8_t *pkt,
			     size_t pkt_len, ref_helper_fn helper, uint64_t *r0)
{
	static uint8_t stacks[8][512];
	struct ref_frame fr[8];
	uint64_t R[11] = { 0 }, loops = 8 * 1024 * 1024;
	int depth = 0;

	R[1] = r1, R[2] = r2, R[10] = (uint64_t)(uintptr_t)(stacks[0] + 512);
	for (size_t pc = 0; pc < cnt; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
		bool k = BPF_SRC(i->code) == BPF_K;

		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64: {
			bool is64 = cls == BPF_ALU64;

			if (op == BPF_END) {
				uint64_t v = R[i->dst_reg];

				if (is64 || BPF_SRC(i->code) == BPF_TO_BE)
					v = ref_bswap(v, i->imm);
				R[i->dst_reg] = i->imm == 16 ? (uint16_t)v : i->imm == 32 ? (uint32_t)v : v;
			} else {
				uint64_t b = k ? (uint64_t)(int64_t)i->imm : R[i->src_reg];

				if (!is64 && k)
					b = (uint32_t)i->imm;
				R[i->dst_reg] = ref_alu(op, i->off, is64, R[i->dst_reg], b);
			}
			break;
		}
		case BPF_JMP:
		case BPF_JMP32:
			if (op == BPF_EXIT) {
				if (depth == 0) {
					*r0 = R[0];
					return 0;
				}
				depth--;
				pc = fr[depth].ret_pc;
				memcpy(&R[6], fr[depth].r6_9, sizeof(fr[depth].r6_9));
				R[10] = fr[depth].r10;
			} else if (op == BPF_CALL && i->src_reg == 0 && helper) {
				int err = 0;

				R[0] = helper((uint32_t)i->imm, &R[1], &err);
				if (err) {
					*r0 = 0;
					return err;
				}
			} else if (op == BPF_CALL) {
				if (i->src_reg != 1)
					return -EINVAL;
				if (depth + 1 >= 8)
					return -E2BIG;
				fr[depth].ret_pc = pc;
				memcpy(fr[depth].r6_9, &R[6], sizeof(fr[depth].r6_9));
				fr[depth].r10 = R[10];
				depth++;
				R[10] = (uint64_t)(uintptr_t)(stacks[depth] + 512);
				pc += i->imm;
			} else if (op == BPF_JA) {
				pc += cls == BPF_JMP ? i->off : i->imm;
			} else if (op == 0xe0) { /* may_goto */
				if (loops == 0)
					pc += i->off;
				else
					loops--;
			} else if (ref_cond(op, cls == BPF_JMP, R[i->dst_reg],
					    k ? (uint64_t)(int64_t)i->imm : R[i->src_reg])) {
				pc += i->off;
			}
			break;
		case BPF_LD:
			if (BPF_MODE(i->code) == BPF_IMM) {
				R[i->dst_reg] = (uint32_t)i->imm | ((uint64_t)(uint32_t)p[pc + 1].imm << 32);
				pc++;
			} else { /* BPF_ABS / BPF_IND */
				int size = ref_size(i->code);
				int64_t off = BPF_MODE(i->code) == BPF_ABS ? (int64_t)i->imm
									   : (int64_t)(int32_t)((uint32_t)R[i->src_reg] + (uint32_t)i->imm);

				if (off < 0 || (uint64_t)off + size > pkt_len) {
					*r0 = 0;
					return 0;
				}
				R[0] = ref_bswap(ref_load((uint64_t)(uintptr_t)(pkt + off), size), size * 8);
				if (size == 1)
					R[0] = pkt[off];
			}
			break;
		case BPF_LDX: {
			uint64_t v = ref_load(R[i->src_reg] + i->off, ref_size(i->code));

			R[i->dst_reg] = BPF_MODE(i->code) == BPF_MEMSX ? ref_sext(v, ref_size(i->code) * 8) : v;
			break;
		}
		case BPF_ST:
			ref_store(R[i->dst_reg] + i->off, ref_size(i->code), (uint64_t)(int64_t)i->imm);
			break;
		case BPF_STX:
			if (BPF_MODE(i->code) == BPF_MEM) {
				ref_store(R[i->dst_reg] + i->off, ref_size(i->code), R[i->src_reg]);
			} else { /* BPF_ATOMIC */
				int size = ref_size(i->code);
				uint64_t addr = R[i->dst_reg] + i->off, old, src = R[i->src_reg];

				if (i->imm == BPF_LOAD_ACQ) {
					R[i->dst_reg] = ref_load(R[i->src_reg] + i->off, size);
					break;
				}
				if (i->imm == BPF_STORE_REL) {
					ref_store(addr, size, src);
					break;
				}
				old = ref_load(addr, size);
				switch (i->imm & ~BPF_FETCH) {
				case BPF_ADD: ref_store(addr, size, old + src); break;
				case BPF_OR: ref_store(addr, size, old | src); break;
				case BPF_AND: ref_store(addr, size, old & src); break;
				case BPF_XOR: ref_store(addr, size, old ^ src); break;
				case BPF_XCHG & ~BPF_FETCH: ref_store(addr, size, src); break;
				case BPF_CMPXCHG & ~BPF_FETCH:
					if ((size == 4 ? (uint32_t)R[0] : R[0]) == old)
						ref_store(addr, size, src);
					R[0] = old;
					break;
				default:
					return -EINVAL;
				}
				if ((i->imm & BPF_FETCH) && i->imm != BPF_CMPXCHG)
					R[i->src_reg] = old;
			}
			break;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL; /* fell off the end */
}

static inline int ref_eval(const struct bpf_insn *p, size_t cnt, uint64_t r1, uint64_t r2, const uint8_t *pkt,
			   size_t pkt_len, uint64_t *r0)
{
	return ref_eval_h(p, cnt, r1, r2, pkt, pkt_len, NULL, r0);
}

#endif
