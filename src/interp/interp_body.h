/* interp_body.h - the interpreter's dispatch loop; included twice by interp.c, with CHECKED 0 and 1 */
/* expects: INTERP_FN (the function name), CHECKED (0 fast, 1 bounds-checked, 2 strict: checked and no reads of
 * registers or stack bytes never written) */

#if CHECKED
#define MEMCHK(ADDR, SZ, WR)                                                                                   \
	do {                                                                                                   \
		if (!mem_ok(rc, frames, depth, (uintptr_t)(ADDR), SZ, WR)) {                                               \
			bpfvm_run_fail(rc, -EFAULT, "invalid %s of %d bytes at address 0x%llx at insn %zu",       \
				       (WR) ? "write" : "read", (int)(SZ), (unsigned long long)(uintptr_t)(ADDR), \
				       (size_t)(pc - code->insns));                                             \
			return rc->error;                                                                    \
		}                                                                                              \
		STACK_INIT_CHK(ADDR, SZ, WR);                                                                  \
	} while (0)
#else
#define MEMCHK(ADDR, SZ, WR) do { } while (0)
#endif

#if CHECKED == 2
#define STACK_INIT_CHK(ADDR, SZ, WR)                                                                           \
	do {                                                                                                   \
		if (!stack_init_ok(shadow, frames, depth, (uintptr_t)(ADDR), SZ, WR)) {                       \
			bpfvm_run_fail(rc, -EFAULT, "read of %d uninitialized stack bytes at insn %zu", (int)(SZ),   \
				       (size_t)(pc - code->insns));                                             \
			return rc->error;                                                                    \
		}                                                                                              \
	} while (0)
/* atomics read before they write */
#define RMW_CHK(ADDR, SZ) MEMCHK(ADDR, SZ, 0)
#else
#define STACK_INIT_CHK(ADDR, SZ, WR) do { } while (0)
#define RMW_CHK(ADDR, SZ) do { } while (0)
#endif

#define LOADU(T) do { uintptr_t a = (uintptr_t)(SRC + (int64_t)OFF); MEMCHK(a, sizeof(T), 0); T v; memcpy(&v, (void *)a, sizeof(T)); DST = (uint64_t)v; } while (0)
#define LOADS(T) do { uintptr_t a = (uintptr_t)(SRC + (int64_t)OFF); MEMCHK(a, sizeof(T), 0); T v; memcpy(&v, (void *)a, sizeof(T)); DST = (uint64_t)(int64_t)v; } while (0)
#define STORE(T, V) do { uintptr_t a = (uintptr_t)(DST + (int64_t)OFF); MEMCHK(a, sizeof(T), 1); T v = (T)(V); memcpy((void *)a, &v, sizeof(T)); } while (0)
#define ATOMIC_ADDR(T) T *ap = (T *)(uintptr_t)(DST + (int64_t)OFF); MEMCHK(ap, sizeof(T), 1)
#define ATOMIC_RMW_ADDR(T) T *ap = (T *)(uintptr_t)(DST + (int64_t)OFF); RMW_CHK(ap, sizeof(T)); MEMCHK(ap, sizeof(T), 1)

/* run from instruction start (0, or a callback's first instruction) with r1..r5 = args */
static int INTERP_FN(const struct interp_code *code0, struct bpfvm_run_ctx *rc, const uint64_t args[5], size_t start,
		     uint64_t *r0_out)
{
	const struct interp_code *code = code0; /* a tail call changes the running program */
	static const void *const labels[BPFVM_OP__COUNT + 1] = {
		[BPFVM_OP__COUNT] = &&L_fell_off,
#define OPC(ID, ...) [BPFVM_OP_##ID] = &&L_##ID,
#include "isa/opcodes.def"
#undef OPC
	};
	uint64_t regs[BPFVM_MAX_REG] = { 0 };
	struct frame frames[BPFVM_MAX_CALL_FRAMES];
	int depth = 0;
	struct frame *fr = &frames[0];
	const struct dinsn *pc = code->insns + start;
	const bool limited = rc->max_insns != 0;
	uint64_t steps = 0;

#if CHECKED == 2
	uint8_t shadow[BPFVM_MAX_CALL_FRAMES][BPFVM_STACK_SIZE]; /* which stack bytes of each frame were written */
	/* which registers hold a value: r1 (ctx), r10, and r2 where the caller passes one */
	uint16_t rinit = (uint16_t)(1u << 1 | 1u << 10 | (rc->r2_is_arg ? 1u << 2 : 0) | (start ? R1_R5 : 0));
	uint16_t saved_rinit[BPFVM_MAX_CALL_FRAMES];
	memset(shadow[0], 0, sizeof(shadow[0]));
#define REGS_CHK()                                                                                             \
	do {                                                                                                   \
		uint8_t u_ = reg_use[pc->op];                                                                  \
		uint16_t need_ = (uint16_t)(((u_ & U_RD) ? 1u << pc->dst : 0) | ((u_ & U_RS) ? 1u << pc->src : 0) | \
					    ((u_ & U_R0) ? 1u : 0) | ((u_ & U_R6) ? 1u << 6 : 0));             \
		if (need_ & ~rinit) {                                                                          \
			bpfvm_run_fail(rc, -EFAULT, "R%d is read before it is written at insn %zu",             \
				       __builtin_ctz(need_ & ~rinit), (size_t)(pc - code->insns));               \
			return rc->error;                                                                    \
		}                                                                                              \
		if (u_ & U_CLOB)                                                                               \
			rinit &= (uint16_t)~R1_R5;                                                             \
		rinit |= (uint16_t)(((u_ & U_WD) ? 1u << pc->dst : 0) | ((u_ & U_WS) ? 1u << pc->src : 0) |     \
				    ((u_ & U_W0) ? 1u : 0));                                                   \
	} while (0)
/* after a call: r0 holds the result, r1-r5 are gone */
#define REGS_AFTER_CALL() (rinit = (uint16_t)((rinit & ~R1_R5) | 1u))
#else
#define REGS_CHK() do { } while (0)
#define REGS_AFTER_CALL() do { } while (0)
#endif

	fr->may_goto_cnt = BPF_MAX_LOOPS;
	for (int i = 0; i < 5; i++)
		regs[1 + i] = args[i];
	regs[10] = (uint64_t)(uintptr_t)(fr->stack + BPFVM_STACK_SIZE);

#define vmdispatch()                                                                                           \
	do {                                                                                                   \
		if (limited && ++steps > rc->max_insns) {                                                      \
			bpfvm_run_fail(rc, -E2BIG, "step limit of %llu instructions reached at insn %zu",      \
				       (unsigned long long)rc->max_insns, (size_t)(pc - code->insns));          \
			return rc->error;                                                                    \
		}                                                                                              \
		REGS_CHK();                                                                                    \
		goto *labels[pc->op];                                                                          \
	} while (0)
#define vmcase(ID) L_##ID:
#define vmbreak do { pc++; vmdispatch(); } while (0)
#define vmjump(T) do { pc = code->insns + (T); vmdispatch(); } while (0)

	vmdispatch();

	/* ALU: RFC 9669 §4.1; 32-bit forms zero-extend */
#define ALU(NAME, EXPR64, EXPR32)                                                                              \
	vmcase(NAME##64_IMM) { uint64_t s = IMM; (void)s; DST = EXPR64; vmbreak; }                              \
	vmcase(NAME##64_REG) { uint64_t s = SRC; (void)s; DST = EXPR64; vmbreak; }                              \
	vmcase(NAME##32_IMM) { uint32_t s = IMM32; (void)s; DST = (uint32_t)(EXPR32); vmbreak; }                \
	vmcase(NAME##32_REG) { uint32_t s = SRC32; (void)s; DST = (uint32_t)(EXPR32); vmbreak; }
	ALU(ADD, DST + s, DST32 + s)
	ALU(SUB, DST - s, DST32 - s)
	ALU(MUL, DST * s, DST32 * s)
	ALU(OR, DST | s, DST32 | s)
	ALU(AND, DST & s, DST32 & s)
	ALU(XOR, DST ^ s, DST32 ^ s)
	ALU(LSH, DST << (s & 63), DST32 << (s & 31))
	ALU(RSH, DST >> (s & 63), DST32 >> (s & 31))
	ALU(ARSH, (uint64_t)((int64_t)DST >> (s & 63)), (uint32_t)((int32_t)DST32 >> (s & 31)))
	/* division by zero gives 0; modulo by zero leaves dst (truncated to 32 bits in the 32-bit forms) */
	ALU(DIV, s ? DST / s : 0, s ? DST32 / s : 0)
	ALU(MOD, s ? DST % s : DST, s ? DST32 % s : DST32)
	ALU(SDIV, sdiv64(DST, s), sdiv32(DST32, s))
	ALU(SMOD, smod64(DST, s), smod32(DST32, s))
	vmcase(NEG64) { DST = -DST; vmbreak; }
	vmcase(NEG32) { DST = (uint32_t)-DST32; vmbreak; }
	vmcase(MOV64_IMM) { DST = IMM; vmbreak; }
	vmcase(MOV64_REG) { DST = SRC; vmbreak; }
	vmcase(MOV32_IMM) { DST = IMM32; vmbreak; }
	vmcase(MOV32_REG) { DST = SRC32; vmbreak; }
	vmcase(MOVSX32_8) { DST = (uint32_t)(int32_t)(int8_t)SRC; vmbreak; }
	vmcase(MOVSX32_16) { DST = (uint32_t)(int32_t)(int16_t)SRC; vmbreak; }
	vmcase(MOVSX64_8) { DST = (uint64_t)(int64_t)(int8_t)SRC; vmbreak; }
	vmcase(MOVSX64_16) { DST = (uint64_t)(int64_t)(int16_t)SRC; vmbreak; }
	vmcase(MOVSX64_32) { DST = (uint64_t)(int64_t)(int32_t)SRC; vmbreak; }
	/* byte order: the host is little-endian (x86-64) */
	vmcase(LE16) { DST = (uint16_t)DST; vmbreak; }
	vmcase(LE32) { DST = (uint32_t)DST; vmbreak; }
	vmcase(LE64) { vmbreak; }
	vmcase(BE16) { DST = __builtin_bswap16((uint16_t)DST); vmbreak; }
	vmcase(BE32) { DST = __builtin_bswap32((uint32_t)DST); vmbreak; }
	vmcase(BE64) { DST = __builtin_bswap64(DST); vmbreak; }
	vmcase(BSWAP16) { DST = __builtin_bswap16((uint16_t)DST); vmbreak; }
	vmcase(BSWAP32) { DST = __builtin_bswap32((uint32_t)DST); vmbreak; }
	vmcase(BSWAP64) { DST = __builtin_bswap64(DST); vmbreak; }

	/* jumps: K holds the target index */
#define JMP(NAME, T, OP)                                                                                       \
	vmcase(NAME##_IMM) { if ((T)DST OP (T)IMM) vmjump(K); vmbreak; }                                          \
	vmcase(NAME##_REG) { if ((T)DST OP (T)SRC) vmjump(K); vmbreak; }                                          \
	vmcase(NAME##32_IMM) { if ((T##32)DST OP (T##32)IMM) vmjump(K); vmbreak; }                                \
	vmcase(NAME##32_REG) { if ((T##32)DST OP (T##32)SRC) vmjump(K); vmbreak; }
#define u uint64_t
#define s int64_t
#define u32 uint32_t
#define s32 int32_t
	JMP(JEQ, u, ==)
	JMP(JNE, u, !=)
	JMP(JGT, u, >)
	JMP(JGE, u, >=)
	JMP(JLT, u, <)
	JMP(JLE, u, <=)
	JMP(JSGT, s, >)
	JMP(JSGE, s, >=)
	JMP(JSLT, s, <)
	JMP(JSLE, s, <=)
#undef u
#undef s
#undef u32
#undef s32
	vmcase(JSET_IMM) { if (DST & IMM) vmjump(K); vmbreak; }
	vmcase(JSET_REG) { if (DST & SRC) vmjump(K); vmbreak; }
	vmcase(JSET32_IMM) { if (DST32 & IMM32) vmjump(K); vmbreak; }
	vmcase(JSET32_REG) { if (DST32 & SRC32) vmjump(K); vmbreak; }
	vmcase(JA) { vmjump(K); }
	vmcase(JA32) { vmjump(K); }
	/* kernel: a per-frame counter starting at BPF_MAX_LOOPS; the jump is taken once it is exhausted */
	vmcase(MAY_GOTO) {
		if (fr->may_goto_cnt == 0)
			vmjump(K);
		fr->may_goto_cnt--;
		vmbreak;
	}

	vmcase(LD_IMM64) { DST = K; pc += 2; vmdispatch(); }
	vmcase(LD_ABS_W) { if (!ld_pkt(rc, (int64_t)(int32_t)pc->imm, 4, &regs[0])) goto pkt_oob; vmbreak; }
	vmcase(LD_ABS_H) { if (!ld_pkt(rc, (int64_t)(int32_t)pc->imm, 2, &regs[0])) goto pkt_oob; vmbreak; }
	vmcase(LD_ABS_B) { if (!ld_pkt(rc, (int64_t)(int32_t)pc->imm, 1, &regs[0])) goto pkt_oob; vmbreak; }
	vmcase(LD_IND_W) { if (!ld_pkt(rc, (int64_t)(int32_t)((uint32_t)SRC + (uint32_t)pc->imm), 4, &regs[0])) goto pkt_oob; vmbreak; }
	vmcase(LD_IND_H) { if (!ld_pkt(rc, (int64_t)(int32_t)((uint32_t)SRC + (uint32_t)pc->imm), 2, &regs[0])) goto pkt_oob; vmbreak; }
	vmcase(LD_IND_B) { if (!ld_pkt(rc, (int64_t)(int32_t)((uint32_t)SRC + (uint32_t)pc->imm), 1, &regs[0])) goto pkt_oob; vmbreak; }

	vmcase(LDX_B) { LOADU(uint8_t); vmbreak; }
	vmcase(LDX_H) { LOADU(uint16_t); vmbreak; }
	vmcase(LDX_W) { LOADU(uint32_t); vmbreak; }
	vmcase(LDX_DW) { LOADU(uint64_t); vmbreak; }
	vmcase(LDXSX_B) { LOADS(int8_t); vmbreak; }
	vmcase(LDXSX_H) { LOADS(int16_t); vmbreak; }
	vmcase(LDXSX_W) { LOADS(int32_t); vmbreak; }
	vmcase(ST_B) { STORE(uint8_t, IMM); vmbreak; }
	vmcase(ST_H) { STORE(uint16_t, IMM); vmbreak; }
	vmcase(ST_W) { STORE(uint32_t, IMM); vmbreak; }
	vmcase(ST_DW) { STORE(uint64_t, IMM); vmbreak; }
	vmcase(STX_B) { STORE(uint8_t, SRC); vmbreak; }
	vmcase(STX_H) { STORE(uint16_t, SRC); vmbreak; }
	vmcase(STX_W) { STORE(uint32_t, SRC); vmbreak; }
	vmcase(STX_DW) { STORE(uint64_t, SRC); vmbreak; }

	/* atomics: 32-bit fetch results are zero-extended into src (r0 for cmpxchg) */
#define ATOMIC_OPS(W, T)                                                                                       \
	vmcase(ATOMIC##W##_ADD) { ATOMIC_RMW_ADDR(T); __atomic_fetch_add(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; }         \
	vmcase(ATOMIC##W##_OR) { ATOMIC_RMW_ADDR(T); __atomic_fetch_or(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; }           \
	vmcase(ATOMIC##W##_AND) { ATOMIC_RMW_ADDR(T); __atomic_fetch_and(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; }         \
	vmcase(ATOMIC##W##_XOR) { ATOMIC_RMW_ADDR(T); __atomic_fetch_xor(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; }         \
	vmcase(ATOMIC##W##_FETCH_ADD) { ATOMIC_RMW_ADDR(T); SRC = __atomic_fetch_add(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; } \
	vmcase(ATOMIC##W##_FETCH_OR) { ATOMIC_RMW_ADDR(T); SRC = __atomic_fetch_or(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; }   \
	vmcase(ATOMIC##W##_FETCH_AND) { ATOMIC_RMW_ADDR(T); SRC = __atomic_fetch_and(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; } \
	vmcase(ATOMIC##W##_FETCH_XOR) { ATOMIC_RMW_ADDR(T); SRC = __atomic_fetch_xor(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; } \
	vmcase(ATOMIC##W##_XCHG) { ATOMIC_RMW_ADDR(T); SRC = __atomic_exchange_n(ap, (T)SRC, __ATOMIC_SEQ_CST); vmbreak; }     \
	vmcase(ATOMIC##W##_CMPXCHG) {                                                                          \
		ATOMIC_RMW_ADDR(T);                                                                                \
		T expected = (T)regs[0];                                                                       \
		__atomic_compare_exchange_n(ap, &expected, (T)SRC, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);  \
		regs[0] = expected;                                                                            \
		vmbreak;                                                                                       \
	}
	ATOMIC_OPS(32, uint32_t)
	ATOMIC_OPS(64, uint64_t)
#define LOAD_ACQ(SFX, T) vmcase(LOAD_ACQ_##SFX) { T *ap = (T *)(uintptr_t)(SRC + (int64_t)OFF); MEMCHK(ap, sizeof(T), 0); DST = __atomic_load_n(ap, __ATOMIC_ACQUIRE); vmbreak; }
#define STORE_REL(SFX, T) vmcase(STORE_REL_##SFX) { ATOMIC_ADDR(T); __atomic_store_n(ap, (T)SRC, __ATOMIC_RELEASE); vmbreak; }
	LOAD_ACQ(B, uint8_t) LOAD_ACQ(H, uint16_t) LOAD_ACQ(W, uint32_t) LOAD_ACQ(DW, uint64_t)
	STORE_REL(B, uint8_t) STORE_REL(H, uint16_t) STORE_REL(W, uint32_t) STORE_REL(DW, uint64_t)

	vmcase(CALLX) {
		uint32_t id = (uint32_t)DST;
		goto call_helper_id;
	vmcase(CALL_HELPER)
		id = (uint32_t)pc->imm;
	call_helper_id:;
		if (id == BPF_FUNC_tail_call) {
			/*
			 * bpf_tail_call(ctx, map, index): the target replaces the running function, with r1 and a fresh
			 * stack frame; a missing target or the 33 calls of MAX_TAIL_CALL_CNT used up fall through
			 */
			struct bpfvm_prog *t = NULL;
#if CHECKED
			if (!bpfvm_map_is_live((void *)(uintptr_t)regs[2])) {
				bpfvm_run_fail(rc, -EFAULT, "bpf_tail_call: R2 0x%llx is not a map, at insn %zu",
					       (unsigned long long)regs[2], (size_t)(pc - code->insns));
				return rc->error;
			}
#endif
			if (rc->tail_call_cnt < BPFVM_MAX_TAIL_CALLS)
				t = bpfvm_prog_array_lookup((void *)(uintptr_t)regs[2], (uint32_t)regs[3]);
			const struct interp_code *tc = t ? interp_code_of(t) : NULL;
			if (!tc)
				vmbreak;
			rc->tail_call_cnt++;
			rc->prog = t;
			code = tc;
			fr->may_goto_cnt = BPF_MAX_LOOPS;
#if CHECKED == 2
			memset(shadow[depth], 0, sizeof(shadow[0]));
			rinit = (uint16_t)(1u << 1 | 1u << 10);
#endif
			pc = code->insns;
			vmdispatch();
		}
		const struct bpfvm_helper *h = bpfvm_helper_by_id(id);
		if (!h || !h->fn) {
			bpfvm_run_fail(rc, -EINVAL, "helper %u (%s) is not implemented by bpfvm, called at insn %zu", id,
				       bpfvm_helper_name(id) ? bpfvm_helper_name(id) : "unknown", (size_t)(pc - code->insns));
			return rc->error;
		}
#if CHECKED
		rc->stack_base = (uintptr_t)frames[0].stack;
		rc->stack_stride = sizeof(struct frame);
		rc->stack_frames = depth + 1;
		rc->helper_insn = (size_t)(pc - code->insns);
#endif
		regs[0] = h->fn(regs[1], regs[2], regs[3], regs[4], regs[5], rc);
		if (rc->error)
			return rc->error;
		REGS_AFTER_CALL();
		vmbreak;
	}
	vmcase(CALL_KFUNC) {
		bpfvm_run_fail(rc, -EINVAL, "kernel function calls are not supported (insn %zu)", (size_t)(pc - code->insns));
		return rc->error;
	}
	vmcase(CALL_LOCAL) {
		if (depth + 1 >= BPFVM_MAX_CALL_FRAMES) {
			bpfvm_run_fail(rc, -E2BIG, "the call stack of %d frames is too deep at insn %zu",
				       BPFVM_MAX_CALL_FRAMES, (size_t)(pc - code->insns));
			return rc->error;
		}
		/*
		 * 8-byte copies: r6..r10 were just written one by one, and a vectorized 16-byte load of them stalls
		 * on store forwarding (measured: a third of the calls benchmark's time); the empty asm keeps them scalar
		 */
		for (int i = 0; i < 5; i++) {
			uint64_t v = regs[6 + i];
			__asm__("" : "+r"(v));
			fr->saved[i] = v;
		}
		fr->ret = pc + 1;
		fr->code = code;
#if CHECKED == 2
		saved_rinit[depth] = rinit;
		rinit = (uint16_t)((rinit & R1_R5) | 1u << 10); /* the callee sees its arguments and its frame */
		memset(shadow[depth + 1], 0, sizeof(shadow[0]));
#endif
		fr = &frames[++depth];
		fr->may_goto_cnt = BPF_MAX_LOOPS;
		regs[10] = (uint64_t)(uintptr_t)(fr->stack + BPFVM_STACK_SIZE);
		vmjump(K);
	}
	vmcase(EXIT) {
		if (depth == 0) {
			*r0_out = regs[0];
			if (limited)
				rc->insn_count = steps;
			return 0;
		}
		fr = &frames[--depth];
		code = fr->code;
#if CHECKED == 2
		rinit = (uint16_t)((saved_rinit[depth] & ~R1_R5) | 1u);
#endif
		memcpy(&regs[6], fr->saved, sizeof(fr->saved));
		pc = fr->ret;
		vmdispatch();
	}

L_fell_off:
	bpfvm_run_fail(rc, -EINVAL, "the program ran past its last instruction at insn %zu", (size_t)(pc - code->insns));
	return rc->error;

pkt_oob:
	/* kernel: an out-of-bounds legacy packet load ends the program with r0 = 0 */
	*r0_out = 0;
	return 0;

#undef vmdispatch
#undef vmcase
#undef vmbreak
#undef vmjump
#undef ALU
#undef JMP
#undef ATOMIC_OPS
#undef LOAD_ACQ
#undef STORE_REL
}

#undef MEMCHK
#undef STACK_INIT_CHK
#undef RMW_CHK
#undef REGS_CHK
#undef REGS_AFTER_CALL
#undef ATOMIC_RMW_ADDR
#undef LOADU
#undef LOADS
#undef STORE
#undef ATOMIC_ADDR
