/* insn.h - the eBPF instruction (struct bpf_insn, kernel layout) and builders for writing programs in C */
#ifndef BPFVM_INSN_H
#define BPFVM_INSN_H

#include <stdint.h>
#include <linux/bpf.h> /* struct bpf_insn and the kernel's opcode constants */

/* Constants newer than some distributions' <linux/bpf.h>; values from Linux 6.18's uapi header. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#ifndef BPF_MAY_GOTO
#define BPF_MAY_GOTO 0
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL 0x110
#endif

#define BPFVM_MAX_REG 11 /* r0..r10; r10 is the read-only frame pointer */
#define BPFVM_STACK_SIZE 512 /* bytes of stack per frame, as MAX_BPF_STACK */
#define BPFVM_MAX_CALL_FRAMES 8 /* as MAX_CALL_FRAMES */

/* Builders, in the spirit of the kernel's BPF_* instruction macros. */
#define BPFVM_INSN(CODE, DST, SRC, OFF, IMM)                                                                    \
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), .off = (OFF), .imm = (IMM) })
#define BPFVM_ALU64_IMM(OP, DST, IMM) BPFVM_INSN(BPF_ALU64 | (OP) | BPF_K, DST, 0, 0, IMM)
#define BPFVM_ALU64_REG(OP, DST, SRC) BPFVM_INSN(BPF_ALU64 | (OP) | BPF_X, DST, SRC, 0, 0)
#define BPFVM_ALU32_IMM(OP, DST, IMM) BPFVM_INSN(BPF_ALU | (OP) | BPF_K, DST, 0, 0, IMM)
#define BPFVM_ALU32_REG(OP, DST, SRC) BPFVM_INSN(BPF_ALU | (OP) | BPF_X, DST, SRC, 0, 0)
#define BPFVM_MOV64_IMM(DST, IMM) BPFVM_ALU64_IMM(BPF_MOV, DST, IMM)
#define BPFVM_MOV64_REG(DST, SRC) BPFVM_ALU64_REG(BPF_MOV, DST, SRC)
#define BPFVM_MOV32_IMM(DST, IMM) BPFVM_ALU32_IMM(BPF_MOV, DST, IMM)
#define BPFVM_LDX_MEM(SIZE, DST, SRC, OFF) BPFVM_INSN(BPF_LDX | BPF_MEM | (SIZE), DST, SRC, OFF, 0)
#define BPFVM_STX_MEM(SIZE, DST, SRC, OFF) BPFVM_INSN(BPF_STX | BPF_MEM | (SIZE), DST, SRC, OFF, 0)
#define BPFVM_ST_MEM(SIZE, DST, OFF, IMM) BPFVM_INSN(BPF_ST | BPF_MEM | (SIZE), DST, 0, OFF, IMM)
#define BPFVM_JMP_IMM(OP, DST, IMM, OFF) BPFVM_INSN(BPF_JMP | (OP) | BPF_K, DST, 0, OFF, IMM)
#define BPFVM_JMP_REG(OP, DST, SRC, OFF) BPFVM_INSN(BPF_JMP | (OP) | BPF_X, DST, SRC, OFF, 0)
#define BPFVM_JMP32_IMM(OP, DST, IMM, OFF) BPFVM_INSN(BPF_JMP32 | (OP) | BPF_K, DST, 0, OFF, IMM)
#define BPFVM_JMP32_REG(OP, DST, SRC, OFF) BPFVM_INSN(BPF_JMP32 | (OP) | BPF_X, DST, SRC, OFF, 0)
#define BPFVM_JA(OFF) BPFVM_INSN(BPF_JMP | BPF_JA, 0, 0, OFF, 0)
#define BPFVM_CALL_HELPER(ID) BPFVM_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, ID)
#define BPFVM_EXIT() BPFVM_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define BPFVM_ATOMIC(SIZE, OP, DST, SRC, OFF) BPFVM_INSN(BPF_STX | BPF_ATOMIC | (SIZE), DST, SRC, OFF, OP)
/* two slots: use as `BPFVM_LD_IMM64(r, v)` inside an initializer list */
#define BPFVM_LD_IMM64(DST, V)                                                                                  \
	BPFVM_INSN(BPF_LD | BPF_DW | BPF_IMM, DST, 0, 0, (int32_t)(uint32_t)(uint64_t)(V)),                     \
		BPFVM_INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(V) >> 32))

#endif
