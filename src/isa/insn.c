/* insn.c - decoding instructions against opcodes.def and checking a program's encoding (fields, jumps, LD_IMM64) */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/log_internal.h"
#include "isa/opcodes.h"

const struct bpfvm_opinfo bpfvm_opinfo[BPFVM_OP__COUNT] = {
#define OPC(ID, CODE, KEY, KEYVAL, FMT, SYM, UMNEM, FIELDS, ISA)                                                 \
	[BPFVM_OP_##ID] = { #ID, CODE, KEY, KEYVAL, FMT, SYM, UMNEM, FIELDS, ISA },
#include "isa/opcodes.def"
#undef OPC
};

/* For each opcode byte, the first row with that code; rows sharing a code are tried in table order. */
static int key_value(const struct bpf_insn *insn, enum bpfvm_key key)
{
	switch (key) {
	case K_OFF: return insn->off;
	case K_IMM: return insn->imm;
	case K_SRC: return insn->src_reg;
	default: return 0;
	}
}

enum bpfvm_op bpfvm_op_of(const struct bpf_insn *insn)
{
	/* built on first use: the rows of each opcode byte, at most 16 per byte */
	static uint8_t n_rows[256];
	static uint16_t rows[256][16];
	static int built;

	if (!__atomic_load_n(&built, __ATOMIC_ACQUIRE)) {
		static uint8_t tmp_n[256];
		static uint16_t tmp_rows[256][16];
		memset(tmp_n, 0, sizeof(tmp_n));
		for (int op = 0; op < BPFVM_OP__COUNT; op++) {
			uint8_t c = bpfvm_opinfo[op].code;
			tmp_rows[c][tmp_n[c]++] = (uint16_t)op;
		}
		/* every thread computes the same tables; the copy is idempotent */
		memcpy(rows, tmp_rows, sizeof(rows));
		memcpy(n_rows, tmp_n, sizeof(n_rows));
		__atomic_store_n(&built, 1, __ATOMIC_RELEASE);
	}
	uint8_t c = insn->code;
	for (int i = 0; i < n_rows[c]; i++) {
		const struct bpfvm_opinfo *oi = &bpfvm_opinfo[rows[c][i]];
		if (oi->key == K_NONE || key_value(insn, oi->key) == oi->keyval)
			return (enum bpfvm_op)rows[c][i];
	}
	return BPFVM_OP_INVALID;
}

bool bpfvm_code_exists(uint8_t code)
{
	for (int op = 0; op < BPFVM_OP__COUNT; op++)
		if (bpfvm_opinfo[op].code == code)
			return true;
	return false;
}

int bpfvm_op_size(enum bpfvm_op op)
{
	if (op >= BPFVM_OP__COUNT)
		return 0;
	switch (bpfvm_opinfo[op].fmt) {
	case FMT_LDX: case FMT_ST: case FMT_STX: case FMT_ATOMIC: case FMT_LOAD_ACQ: case FMT_STORE_REL:
	case FMT_LDABS: case FMT_LDIND:
		break;
	default:
		return 0;
	}
	switch (BPF_SIZE(bpfvm_opinfo[op].code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

bool bpfvm_op_is32(enum bpfvm_op op)
{
	if (op >= BPFVM_OP__COUNT)
		return false;
	uint8_t cls = BPF_CLASS(bpfvm_opinfo[op].code);
	return cls == BPF_ALU || cls == BPF_JMP32;
}

/* the kernel's name for the class, as in its "BPF_xxx uses reserved fields" messages */
static const char *reserved_fields_name(enum bpfvm_op op)
{
	switch (bpfvm_opinfo[op].fmt) {
	case FMT_ALU: case FMT_NEG: case FMT_MOV: case FMT_MOVSX: case FMT_END: return "BPF_ALU";
	case FMT_JCOND: return "BPF_JMP/JMP32";
	case FMT_JA: return "BPF_JA";
	case FMT_CALL: case FMT_CALLX: return "BPF_CALL";
	case FMT_EXIT: return "BPF_EXIT";
	case FMT_LDABS: case FMT_LDIND: return "BPF_LD_[ABS|IND]";
	case FMT_LDX: return "BPF_LDX";
	case FMT_ST: return "BPF_ST";
	default: return "BPF_STX";
	}
}

static int fail(struct bpfvm_log *log, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct bpfvm_log *log, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bpfvm_vlogf(log, fmt, ap);
	va_end(ap);
	return err;
}

/* true if insn[i] uses a field outside what its form allows (the form's key field counts as used) */
static bool uses_reserved_fields(const struct bpf_insn *insn, enum bpfvm_op op)
{
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	unsigned used = oi->fields;
	if (oi->key == K_OFF) used |= F_OFF;
	if (oi->key == K_IMM) used |= F_IMM;
	if (oi->key == K_SRC) used |= F_SRC;
	if (!(used & F_DST) && insn->dst_reg) return true;
	if (!(used & F_SRC) && insn->src_reg) return true;
	if (!(used & F_OFF) && insn->off) return true;
	if (!(used & F_IMM) && insn->imm) return true;
	return false;
}

int bpfvm_insns_check(const struct bpf_insn *insns, size_t cnt, struct bpfvm_log *log)
{
	if (cnt == 0)
		return fail(log, -EINVAL, "empty program");
	if (cnt > BPFVM_MAX_INSNS)
		return fail(log, -E2BIG, "program has %zu instructions, more than the limit of %d", cnt, BPFVM_MAX_INSNS);

	/* second_slot[i]: insn i is the second half of an LD_IMM64, so no jump may land there */
	uint8_t *second_slot = calloc(cnt, 1);
	if (!second_slot)
		return fail(log, -ENOMEM, "out of memory");
	int err = 0;
	for (size_t i = 0; i < cnt && !err; i++) {
		const struct bpf_insn *insn = &insns[i];
		enum bpfvm_op op = bpfvm_op_of(insn);
		if (op == BPFVM_OP_INVALID) {
			if (bpfvm_code_exists(insn->code))
				err = fail(log, -EINVAL, "insn %zu: invalid form of opcode 0x%02x (src_reg %d off %d imm %d)",
					   i, insn->code, insn->src_reg, insn->off, insn->imm);
			else
				err = fail(log, -EINVAL, "insn %zu: unknown opcode %02x", i, insn->code);
		} else if (insn->dst_reg >= BPFVM_MAX_REG) {
			err = fail(log, -EINVAL, "insn %zu: R%d is invalid", i, insn->dst_reg);
		} else if (insn->src_reg >= BPFVM_MAX_REG) {
			err = fail(log, -EINVAL, "insn %zu: R%d is invalid", i, insn->src_reg);
		} else if (op == BPFVM_OP_LD_IMM64) {
			const struct bpf_insn *hi = i + 1 < cnt ? &insns[i + 1] : NULL;
			if (!hi || hi->code || hi->dst_reg || hi->src_reg || hi->off || insn->off ||
			    insn->src_reg > BPF_PSEUDO_MAP_IDX_VALUE)
				err = fail(log, -EINVAL, "insn %zu: invalid bpf_ld_imm64 insn", i);
			else
				second_slot[++i] = 1;
		} else if (uses_reserved_fields(insn, op)) {
			err = fail(log, -EINVAL, "insn %zu: %s uses reserved fields", i, reserved_fields_name(op));
		}
	}

	for (size_t i = 0; i < cnt && !err; i++) {
		if (second_slot[i])
			continue;
		enum bpfvm_op op = bpfvm_op_of(&insns[i]);
		long long target;
		if (bpfvm_op_is_jump_off(op))
			target = (long long)i + 1 + insns[i].off;
		else if (op == BPFVM_OP_JA32 || op == BPFVM_OP_CALL_LOCAL)
			target = (long long)i + 1 + insns[i].imm;
		else
			continue;
		if (target < 0 || target >= (long long)cnt)
			err = fail(log, -EINVAL, "jump out of range from insn %zu to %lld", i, target);
		else if (second_slot[target])
			err = fail(log, -EINVAL, "jump into the middle of ldimm64 insn %lld", target - 1);
	}
	free(second_slot);
	return err;
}

bool bpfvm_op_is_jump_off(enum bpfvm_op op)
{
	if (op >= BPFVM_OP__COUNT)
		return false;
	return bpfvm_opinfo[op].fmt == FMT_JCOND || op == BPFVM_OP_JA || op == BPFVM_OP_MAY_GOTO;
}
