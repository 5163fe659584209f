/* opcodes.h - the instruction table of opcodes.def as C types: op ids, formats, field masks, lookups */
#ifndef BPFVM_ISA_OPCODES_H
#define BPFVM_ISA_OPCODES_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/insn.h"
#include "bpfvm/log.h"

/* which further field tells apart forms sharing one opcode byte */
enum bpfvm_key { K_NONE, K_OFF, K_IMM, K_SRC };

/* how an instruction is written; the assembler and disassembler switch on this, never on opcodes */
enum bpfvm_fmt {
	FMT_ALU,       /* dst op= src|imm */
	FMT_NEG,       /* dst = -dst */
	FMT_MOV,       /* dst = src|imm */
	FMT_MOVSX,     /* dst = (s8,s16,s32)src */
	FMT_END,       /* dst = le16/be32/bswap64 dst */
	FMT_JCOND,     /* if dst op src|imm goto off */
	FMT_JA,        /* goto off (gotol imm; may_goto off) */
	FMT_CALL,      /* call imm (helper, local, kfunc by src) */
	FMT_CALLX,     /* callx dst */
	FMT_EXIT,      /* exit */
	FMT_LDIMM64,   /* dst = imm64 ll, two slots */
	FMT_LDABS,     /* r0 = *(size *)skb[imm] */
	FMT_LDIND,     /* r0 = *(size *)skb[src + imm] */
	FMT_LDX,       /* dst = *(size *)(src + off), sign-extending for s8/s16/s32 */
	FMT_ST,        /* *(size *)(dst + off) = imm */
	FMT_STX,       /* *(size *)(dst + off) = src */
	FMT_ATOMIC,    /* lock *(size *)(dst + off) op= src, and fetch/xchg/cmpxchg */
	FMT_LOAD_ACQ,  /* dst = load_acquire((size *)(src + off)) */
	FMT_STORE_REL, /* store_release((size *)(dst + off), src) */
};

/* fields an instruction form uses; the others must be zero */
#define F_DST 0x1u
#define F_SRC 0x2u
#define F_OFF 0x4u
#define F_IMM 0x8u

enum bpfvm_op {
#define OPC(ID, CODE, KEY, KEYVAL, FMT, SYM, UMNEM, FIELDS, ISA) BPFVM_OP_##ID,
#include "opcodes.def"
#undef OPC
	BPFVM_OP__COUNT,
	BPFVM_OP_INVALID = BPFVM_OP__COUNT,
};

struct bpfvm_opinfo {
	const char *name;  /* the row's ID as a string, "ADD64_IMM" */
	uint8_t code;
	uint8_t key;       /* enum bpfvm_key */
	int32_t keyval;
	uint8_t fmt;       /* enum bpfvm_fmt */
	const char *sym;
	const char *umnem;
	uint8_t fields;
	uint8_t isa;
};

/* indexed by enum bpfvm_op */
extern const struct bpfvm_opinfo bpfvm_opinfo[BPFVM_OP__COUNT];

/* The form of insn (a one-slot view; LD_IMM64's second slot is not decoded on its own).
 * Returns BPFVM_OP_INVALID when no row's code and key match. Reserved fields are not checked here. */
enum bpfvm_op bpfvm_op_of(const struct bpf_insn *insn);

/* true if some row has this opcode byte */
bool bpfvm_code_exists(uint8_t code);

/* access size in bytes of a memory form (1, 2, 4, 8), 0 if it is not one */
int bpfvm_op_size(enum bpfvm_op op);

/* true for JMP32 forms and 32-bit ALU forms */
bool bpfvm_op_is32(enum bpfvm_op op);

/* true for forms whose jump offset is in off: conditional jumps, JA, may_goto (not gotol, not calls) */
bool bpfvm_op_is_jump_off(enum bpfvm_op op);

/* kernel's limit on program length (BPF_COMPLEXITY_LIMIT_INSNS) */
#define BPFVM_MAX_INSNS 1000000

/*
 * Check a program's encoding: every instruction is a form of opcodes.def, no reserved field is set, registers
 * are r0..r10, LD_IMM64 pairs are whole, every jump lands inside the program and not on an LD_IMM64's second
 * slot. Returns 0 or -EINVAL/-E2BIG with one line in log naming the instruction index.
 */
int bpfvm_insns_check(const struct bpf_insn *insns, size_t cnt, struct bpfvm_log *log);

#endif
