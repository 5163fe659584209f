/* alu.h - operand macros and the pre-decoded instruction form the interpreter dispatches on */
#ifndef BPFVM_INTERP_ALU_H
#define BPFVM_INTERP_ALU_H

#include <stdint.h>

#include "isa/opcodes.h"

/* one pre-decoded instruction: LD_IMM64 combined in k, jump targets resolved to an index in k */
struct dinsn {
	uint16_t op;  /* enum bpfvm_op */
	uint8_t dst, src;
	int16_t off;
	int32_t imm;
	uint64_t k;   /* sign-extended imm, the 64-bit constant, or the jump target index */
};

struct interp_code {
	size_t cnt;
	struct dinsn insns[];
};

#define DST regs[pc->dst]
#define SRC regs[pc->src]
#define IMM ((uint64_t)(int64_t)pc->imm)
#define K pc->k
#define OFF pc->off
#define DST32 ((uint32_t)DST)
#define SRC32 ((uint32_t)SRC)
#define IMM32 ((uint32_t)pc->imm)

#endif
