/* vprogen.c - verifier test programs from a seed: snippets over scalars, stack, maps, packets, ctx; mutations */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kernel.h"
#include "lib/vprogen.h"

struct vgen {
	uint64_t *rng;
	struct vprogen_prog *p;
	bool overflow;
};

static uint32_t rnd(struct vgen *g, uint32_t n)
{
	return n ? (uint32_t)(t_rand(g->rng) % n) : 0;
}

static int emit(struct vgen *g, struct bpf_insn in)
{
	if (g->p->cnt >= VPROGEN_MAX_INSNS) {
		g->overflow = true;
		return (int)g->p->cnt - 1;
	}
	g->p->insns[g->p->cnt] = in;
	return (int)g->p->cnt++;
}

/* point the jump at pc to the next instruction to be emitted */
static void land_here(struct vgen *g, int pc)
{
	g->p->insns[pc].off = (int16_t)((int)g->p->cnt - pc - 1);
}

static void emit_ld_map(struct vgen *g, int dst, int src_pseudo, int map, int32_t off)
{
	emit(g, BPFVM_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, src_pseudo, 0, map));
	emit(g, BPFVM_INSN(0, 0, 0, 0, off));
}

/* the corpus's fixup map kinds (corpus/verifier/README.md), so records load as test_verifier loads them */
static const struct vprogen_map map_kinds[] = {
	{ "map_hash_8b", BPF_MAP_TYPE_HASH, 8, 8, 1, BPF_F_NO_PREALLOC, false },
	{ "map_hash_16b", BPF_MAP_TYPE_HASH, 8, 16, 1, BPF_F_NO_PREALLOC, false },
	{ "map_hash_48b", BPF_MAP_TYPE_HASH, 8, 48, 1, BPF_F_NO_PREALLOC, false },
	{ "map_array_48b", BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, true },
	{ "map_array_small", BPF_MAP_TYPE_ARRAY, 4, 1, 1, 0, true },
};
#define NKINDS (sizeof(map_kinds) / sizeof(map_kinds[0]))

/* a map of the type (one per kind and program, as test_verifier's fixups have it); its index in p->maps */
static int add_map(struct vgen *g, uint32_t type)
{
	struct vprogen_prog *p = g->p;
	int cand[NKINDS], n = 0;
	for (size_t k = 0; k < NKINDS; k++)
		if (map_kinds[k].type == type)
			cand[n++] = (int)k;
	const struct vprogen_map *kind = &map_kinds[cand[rnd(g, (uint32_t)n)]];
	for (int i = 0; i < p->nmaps; i++)
		if (p->maps[i].kind == kind->kind)
			return i;
	if (p->nmaps >= VPROGEN_MAX_MAPS)
		return (int)rnd(g, (uint32_t)p->nmaps);
	p->maps[p->nmaps] = *kind;
	return p->nmaps++;
}

static bool is(const char *m, const char *name)
{
	return m && !strcmp(m, name);
}

/* ---- snippets ---- */

/* reg = a fresh bpf_get_prandom_u32(): whatever earlier snippets did to r7..r9, this one is unbounded */
static void fresh_unknown(struct vgen *g, int reg)
{
	emit(g, BPFVM_CALL_HELPER(BPF_FUNC_get_prandom_u32));
	emit(g, BPFVM_MOV64_REG(reg, 0));
}

static const uint8_t alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
				   BPF_MOD, BPF_XOR, BPF_ARSH };

static void sn_scalar(struct vgen *g, const char *m)
{
	int n = 2 + (int)rnd(g, 5);
	for (int i = 0; i < n; i++) {
		uint8_t op = alu_ops[rnd(g, sizeof(alu_ops))];
		bool is64 = rnd(g, 2);
		int dst = 7 + (int)rnd(g, 3);
		uint8_t cls = is64 ? BPF_ALU64 : BPF_ALU;
		if (rnd(g, 2)) {
			emit(g, BPFVM_INSN(cls | op | BPF_X, dst, 7 + (int)rnd(g, 3), 0, 0));
		} else {
			int32_t imm = (int32_t)t_rand(g->rng);
			if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
				imm = (int32_t)rnd(g, is64 ? 64 : 32);
			else if ((op == BPF_DIV || op == BPF_MOD) && !imm)
				imm = 3;
			emit(g, BPFVM_INSN(cls | op | BPF_K, dst, 0, 0, imm));
		}
	}
	if (is(m, "uninit_reg")) {
		emit(g, BPFVM_CALL_HELPER(BPF_FUNC_get_prandom_u32));
		emit(g, BPFVM_ALU64_REG(BPF_ADD, 7, 1 + (int)rnd(g, 5)));
	} else if (is(m, "div_by_zero_imm")) {
		emit(g, BPFVM_ALU64_IMM(rnd(g, 2) ? BPF_DIV : BPF_MOD, 7, 0));
	} else if (is(m, "bad_shift_imm")) {
		emit(g, BPFVM_ALU64_IMM(BPF_LSH, 8, 64 + (int32_t)rnd(g, 64)));
	} else if (is(m, "write_fp")) {
		emit(g, BPFVM_MOV64_REG(10, 7));
	} else if (is(m, "ptr_mul")) {
		emit(g, BPFVM_MOV64_REG(1, 10));
		emit(g, BPFVM_ALU64_REG(BPF_MUL, 1, 7));
	} else if (is(m, "ptr_add_ptr")) {
		emit(g, BPFVM_MOV64_REG(1, 10));
		emit(g, BPFVM_ALU64_REG(BPF_ADD, 1, 6));
	} else if (is(m, "ptr_alu32")) {
		emit(g, BPFVM_MOV64_REG(1, 10));
		emit(g, BPFVM_ALU32_IMM(BPF_ADD, 1, -8));
	}
}

static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static int size_bytes(uint8_t sz)
{
	return sz == BPF_B ? 1 : sz == BPF_H ? 2 : sz == BPF_W ? 4 : 8;
}

static void sn_stack(struct vgen *g, const char *m)
{
	uint8_t sz = sizes[rnd(g, 4)];
	int bytes = size_bytes(sz);
	/* leave r10-8..r10-1 and r10-16.. to the map snippets' keys: use -64..-24 */
	int16_t off = (int16_t)(-64 + bytes * (int)rnd(g, (uint32_t)(40 / bytes)));

	if (is(m, "stack_oob_low"))
		off = (int16_t)(-512 - bytes * (1 + (int)rnd(g, 4)));
	else if (is(m, "stack_above_fp"))
		off = (int16_t)(bytes * (int)rnd(g, 4));
	else if (is(m, "stack_misaligned") && bytes > 1)
		off = (int16_t)(off + 1);
	else if (is(m, "stack_misaligned"))
		sz = BPF_DW, off = -61;
	if (rnd(g, 2))
		emit(g, BPFVM_STX_MEM(sz, 10, 7 + (int)rnd(g, 3), off));
	else
		emit(g, BPFVM_ST_MEM(sz, 10, off, (int32_t)t_rand(g->rng)));
	emit(g, BPFVM_LDX_MEM(sz, 9, 10, off));

	/* a variable offset: bounded (r7 & 31 within [-96, -64)), or not */
	if (is(m, "stack_var_off_unbounded"))
		fresh_unknown(g, 7);
	if (rnd(g, 2) || is(m, "stack_var_off_unbounded")) {
		emit(g, BPFVM_MOV64_REG(2, 7));
		if (!is(m, "stack_var_off_unbounded"))
			emit(g, BPFVM_ALU64_IMM(BPF_AND, 2, 31));
		emit(g, BPFVM_MOV64_REG(1, 10));
		emit(g, BPFVM_ALU64_IMM(BPF_ADD, 1, -96));
		emit(g, BPFVM_ALU64_REG(BPF_ADD, 1, 2));
		emit(g, BPFVM_ST_MEM(BPF_B, 1, 0, (int32_t)rnd(g, 256)));
	}
}

/* key at r10-8 (r10-8 as key pointer for 8-byte keys, r10-4 for 4-byte keys), map in r1, lookup */
static int emit_key_and_map(struct vgen *g, int map, const char *m)
{
	const struct vprogen_map *mp = &g->p->maps[map];
	int koff = -(int)mp->key_size;
	/*
	 * An array key: a constant, in range or not (the kernel knows a lookup with a constant in-range key is
	 * non-NULL, since 6.13), or unknown for the null-check mutations, so that they stay unsafe.
	 */
	if (mp->type == BPF_MAP_TYPE_ARRAY && (is(m, "map_no_null_check") || is(m, "map_null_branch_inverted")))
		emit(g, BPFVM_STX_MEM(BPF_W, 10, 7, -4));
	else if (mp->type == BPF_MAP_TYPE_ARRAY)
		emit(g, BPFVM_ST_MEM(BPF_W, 10, -4, (int32_t)rnd(g, mp->max_entries + 1)));
	else
		emit(g, BPFVM_STX_MEM(mp->key_size == 8 ? BPF_DW : BPF_W, 10, 7, (int16_t)koff));
	if (is(m, "map_key_not_ptr")) {
		emit(g, BPFVM_MOV64_REG(2, 8));
	} else {
		emit(g, BPFVM_MOV64_REG(2, 10));
		emit(g, BPFVM_ALU64_IMM(BPF_ADD, 2, is(m, "map_key_above_fp") ? koff + 2 : koff));
	}
	if (is(m, "map_arg_scalar"))
		emit(g, BPFVM_MOV64_REG(1, 7));
	else
		emit_ld_map(g, 1, BPF_PSEUDO_MAP_FD, map, 0);
	return koff;
}

static void sn_map(struct vgen *g, const char *m)
{
	int map = add_map(g, rnd(g, 2) ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH);
	const struct vprogen_map *mp = &g->p->maps[map];
	int vs = (int)mp->value_size;

	if (is(m, "map_var_off_unbounded"))
		fresh_unknown(g, 8);
	emit_key_and_map(g, map, m);
	emit(g, BPFVM_CALL_HELPER(BPF_FUNC_map_lookup_elem));
	int jmp = -1;
	if (is(m, "map_null_branch_inverted"))
		jmp = emit(g, BPFVM_JMP_IMM(BPF_JNE, 0, 0, 0)); /* the accesses below run when r0 == NULL */
	else if (!is(m, "map_no_null_check"))
		jmp = emit(g, BPFVM_JMP_IMM(BPF_JEQ, 0, 0, 0));

	uint8_t sz = sizes[rnd(g, 4)];
	int bytes = size_bytes(sz);
	while (bytes > vs) {
		sz = sizes[rnd(g, 4)];
		bytes = size_bytes(sz);
	}
	int16_t off = (int16_t)(bytes * (int)rnd(g, (uint32_t)(vs / bytes)));
	if (is(m, "map_value_oob"))
		off = (int16_t)(vs - bytes + 1 + (int)rnd(g, 8));
	else if (is(m, "map_value_neg_off"))
		off = (int16_t)-(bytes * (1 + (int)rnd(g, 4)));
	emit(g, BPFVM_LDX_MEM(sz, 9, 0, off));
	if (rnd(g, 2))
		emit(g, BPFVM_STX_MEM(sz, 0, 7, off));

	if (is(m, "map_var_off_unbounded") || is(m, "map_var_off_too_big") || rnd(g, 3) == 0) {
		/* r1 = r0 + (r8 & mask): in bounds for a 1-byte access when mask < value_size */
		int mask = 1;
		while (mask * 2 <= vs)
			mask *= 2;
		mask -= 1;
		if (is(m, "map_var_off_too_big"))
			mask = 2 * vs + 255;
		emit(g, BPFVM_MOV64_REG(2, 8));
		if (!is(m, "map_var_off_unbounded"))
			emit(g, BPFVM_ALU64_IMM(BPF_AND, 2, mask));
		emit(g, BPFVM_MOV64_REG(1, 0));
		emit(g, BPFVM_ALU64_REG(BPF_ADD, 1, 2));
		emit(g, BPFVM_LDX_MEM(BPF_B, 9, 1, 0));
	}
	if (jmp >= 0)
		land_here(g, jmp);
}

static void sn_map_update(struct vgen *g, const char *m)
{
	int map = add_map(g, rnd(g, 2) ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH);
	const struct vprogen_map *mp = &g->p->maps[map];
	int voff = -16 - (int)((mp->value_size + 7) & ~7u);

	if (is(m, "map_update_flags_uninit")) /* a call leaves r1..r5 unreadable, whatever came before */
		emit(g, BPFVM_CALL_HELPER(BPF_FUNC_get_prandom_u32));
	/* the value at r10+voff, initialised 8 bytes at a time */
	for (int o = voff; o < voff + (int)mp->value_size; o += 8)
		emit(g, BPFVM_STX_MEM(BPF_DW, 10, 8, (int16_t)o));
	emit_key_and_map(g, map, m);
	emit(g, BPFVM_MOV64_REG(3, 10));
	/* the unsafe variant's value runs 4 bytes past the frame pointer */
	emit(g, BPFVM_ALU64_IMM(BPF_ADD, 3, is(m, "map_update_value_above_fp") ? 4 - (int)mp->value_size : voff));
	if (!is(m, "map_update_flags_uninit"))
		emit(g, BPFVM_MOV64_IMM(4, BPF_ANY));
	emit(g, BPFVM_CALL_HELPER(BPF_FUNC_map_update_elem));
	emit(g, BPFVM_MOV64_REG(9, 0));
}

static void sn_map_direct(struct vgen *g, const char *m)
{
	int map = add_map(g, BPF_MAP_TYPE_ARRAY); /* both array kinds have one entry, as direct access needs */
	const struct vprogen_map *mp = &g->p->maps[map];
	if (mp->type != BPF_MAP_TYPE_ARRAY) { /* the table is full of hash maps */
		sn_scalar(g, NULL);
		return;
	}
	int vs = (int)mp->value_size;
	uint8_t sz = sizes[rnd(g, 4)];
	while (size_bytes(sz) > vs)
		sz = sizes[rnd(g, 4)];
	int bytes = size_bytes(sz);
	int32_t base = (int32_t)(bytes * rnd(g, (uint32_t)(vs / bytes))); /* the pointer: value + base */
	int16_t off = (int16_t)(bytes * (int)rnd(g, (uint32_t)((vs - base) / bytes)));
	if (is(m, "map_direct_oob"))
		off = (int16_t)(vs - base - bytes + 1 + (int)rnd(g, 8));
	emit_ld_map(g, 1, BPF_PSEUDO_MAP_VALUE, map, base);
	emit(g, BPFVM_LDX_MEM(sz, 9, 1, off));
	if (rnd(g, 2))
		emit(g, BPFVM_STX_MEM(sz, 1, 7, off));
}

/* the context offsets of packet data and data_end */
static void pkt_offsets(uint32_t prog_type, int16_t *data, int16_t *data_end)
{
	if (prog_type == BPF_PROG_TYPE_XDP) {
		*data = offsetof(struct xdp_md, data);
		*data_end = offsetof(struct xdp_md, data_end);
	} else {
		*data = offsetof(struct __sk_buff, data);
		*data_end = offsetof(struct __sk_buff, data_end);
	}
}

static void sn_packet(struct vgen *g, const char *m)
{
	int16_t d, de;
	int n = 1 + (int)rnd(g, 64);
	uint8_t sz = sizes[rnd(g, 4)];
	int bytes = size_bytes(sz);

	pkt_offsets(g->p->prog_type, &d, &de);
	if (is(m, "pkt_var_off_unbounded"))
		fresh_unknown(g, 7);
	emit(g, BPFVM_LDX_MEM(is(m, "pkt_data_as_u64") ? BPF_DW : BPF_W, 2, 6, d));
	emit(g, BPFVM_LDX_MEM(BPF_W, 3, 6, de));
	if (is(m, "pkt_var_off_unbounded") || rnd(g, 4) == 0) {
		emit(g, BPFVM_MOV64_REG(5, 7));
		if (!is(m, "pkt_var_off_unbounded"))
			emit(g, BPFVM_ALU64_IMM(BPF_AND, 5, 15));
		emit(g, BPFVM_ALU64_REG(BPF_ADD, 2, 5));
	}
	if (n < bytes)
		n = bytes;
	emit(g, BPFVM_MOV64_REG(4, 2));
	emit(g, BPFVM_ALU64_IMM(BPF_ADD, 4, n));
	int jmp = -1;
	if (is(m, "pkt_bounds_inverted"))
		jmp = emit(g, BPFVM_JMP_REG(BPF_JLE, 4, 3, 0)); /* the accesses below run when r2 + n > data_end */
	else if (!is(m, "pkt_no_bounds_check") && rnd(g, 2))
		jmp = emit(g, BPFVM_JMP_REG(BPF_JGT, 4, 3, 0)); /* if r2 + n > data_end goto out */
	else if (!is(m, "pkt_no_bounds_check"))
		jmp = emit(g, BPFVM_JMP_REG(BPF_JLT, 3, 4, 0)); /* the same, written the other way round */
	int16_t off = (int16_t)(bytes * (int)rnd(g, (uint32_t)(n / bytes)));
	if (is(m, "pkt_oob"))
		off = (int16_t)(n - bytes + 1 + (int)rnd(g, 4));
	emit(g, BPFVM_LDX_MEM(sz, 9, 2, off));
	if (rnd(g, 2))
		emit(g, BPFVM_STX_MEM(sz, 2, 7, off));
	if (jmp >= 0)
		land_here(g, jmp);
}

static void sn_ctx(struct vgen *g, const char *m)
{
	bool xdp = g->p->prog_type == BPF_PROG_TYPE_XDP;
	/* u32 fields every one of our program types may read */
	static const int16_t skb_fields[] = { offsetof(struct __sk_buff, len), offsetof(struct __sk_buff, pkt_type),
					      offsetof(struct __sk_buff, mark), offsetof(struct __sk_buff, protocol),
					      offsetof(struct __sk_buff, ifindex), offsetof(struct __sk_buff, hash),
					      offsetof(struct __sk_buff, cb[0]), offsetof(struct __sk_buff, cb[4]) };
	static const int16_t xdp_fields[] = { offsetof(struct xdp_md, ingress_ifindex),
					      offsetof(struct xdp_md, rx_queue_index) };
	int16_t off = xdp ? xdp_fields[rnd(g, 2)] : skb_fields[rnd(g, 8)];
	int base = 6;

	if (is(m, "ctx_misaligned"))
		off = (int16_t)(off + 1 + (int)rnd(g, 3));
	else if (is(m, "ctx_oob"))
		off = (int16_t)(xdp ? sizeof(struct xdp_md) + 4 * rnd(g, 8) : sizeof(struct __sk_buff) + 4 * rnd(g, 8));
	if (is(m, "ctx_modified_ptr")) {
		emit(g, BPFVM_MOV64_REG(1, 6));
		emit(g, BPFVM_ALU64_IMM(BPF_ADD, 1, 4));
		base = 1;
		off = 0;
	}
	if (is(m, "ctx_write_ro"))
		emit(g, BPFVM_STX_MEM(BPF_W, base, 7, xdp ? offsetof(struct xdp_md, ingress_ifindex)
							     : offsetof(struct __sk_buff, len)));
	else
		emit(g, BPFVM_LDX_MEM(BPF_W, 9, base, off));
	if (!xdp && !m && rnd(g, 2)) /* cb[] is writable in socket filters and tc programs */
		emit(g, BPFVM_STX_MEM(BPF_W, 6, 7, (int16_t)offsetof(struct __sk_buff, cb[rnd(g, 5)])));
}

/* lookup, null check, then a variable offset bounded by a branch: the verifier's range tracking */
static void sn_map_range(struct vgen *g, const char *m)
{
	int map = add_map(g, rnd(g, 2) ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH);
	const struct vprogen_map *mp = &g->p->maps[map];
	uint8_t sz = sizes[rnd(g, 4)];
	int bytes = size_bytes(sz);
	while (bytes > (int)mp->value_size) {
		sz = sizes[rnd(g, 4)];
		bytes = size_bytes(sz);
	}
	int limit = (int)mp->value_size - bytes; /* the largest offset that still fits */

	if (m) /* the mutations need r8 unknown; earlier snippets may have bounded it */
		fresh_unknown(g, 8);
	emit_key_and_map(g, map, NULL);
	emit(g, BPFVM_CALL_HELPER(BPF_FUNC_map_lookup_elem));
	int null_jmp = emit(g, BPFVM_JMP_IMM(BPF_JEQ, 0, 0, 0));
	emit(g, BPFVM_MOV64_REG(2, 8));
	if (is(m, "range_jmp32")) /* a product of two unknowns: the upper half is unknown too */
		emit(g, BPFVM_ALU64_REG(BPF_MUL, 2, 7));
	if (is(m, "range_signed_check"))
		emit(g, BPFVM_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 2, 32, 0)); /* r2 = (s32)r2: may be negative */
	int range_jmp;
	if (is(m, "range_signed_check"))
		range_jmp = emit(g, BPFVM_JMP_IMM(BPF_JSGT, 2, limit, 0));
	else if (is(m, "range_jmp32"))
		range_jmp = emit(g, BPFVM_JMP32_IMM(BPF_JGT, 2, limit, 0)); /* bounds only w2 */
	else if (is(m, "range_off_by_one"))
		range_jmp = emit(g, BPFVM_JMP_IMM(BPF_JGT, 2, limit + 1, 0));
	else if (rnd(g, 2))
		range_jmp = emit(g, BPFVM_JMP_IMM(BPF_JGT, 2, limit, 0));
	else
		range_jmp = emit(g, BPFVM_JMP_IMM(BPF_JGE, 2, limit + 1, 0));
	emit(g, BPFVM_MOV64_REG(1, 0));
	emit(g, BPFVM_ALU64_REG(BPF_ADD, 1, 2));
	emit(g, BPFVM_LDX_MEM(sz, 9, 1, 0));
	land_here(g, range_jmp);
	land_here(g, null_jmp);
}

/* spill a pointer to the stack and fill it back */
static void sn_spill(struct vgen *g, const char *m)
{
	int16_t off = (int16_t)(-8 * (3 + (int)rnd(g, 4)));
	emit(g, BPFVM_STX_MEM(BPF_DW, 10, 6, off));
	if (is(m, "spill_clobbered"))
		emit(g, BPFVM_ST_MEM(BPF_B, 10, (int16_t)(off + (int)rnd(g, 8)), 0));
	emit(g, BPFVM_LDX_MEM(is(m, "spill_partial_fill") ? BPF_W : BPF_DW, 1, 10, off));
	int16_t field = g->p->prog_type == BPF_PROG_TYPE_XDP ? (int16_t)offsetof(struct xdp_md, rx_queue_index)
							      : (int16_t)offsetof(struct __sk_buff, len);
	emit(g, BPFVM_LDX_MEM(BPF_W, 9, 1, field));
}

/* helper calls, and instructions that are malformed or break the control-flow rules */
static void sn_insn(struct vgen *g, const char *m)
{
	static const uint8_t bad_opcodes[] = { 0x8e, 0xe7, 0xf0, 0xff }; /* no such instruction */
	static const int32_t helpers[] = { BPF_FUNC_ktime_get_ns, BPF_FUNC_get_prandom_u32,
					   BPF_FUNC_ktime_get_boot_ns }; /* not get_smp_processor_id: its range is the machine's CPU count */
	if (is(m, "helper_unknown_id"))
		emit(g, BPFVM_CALL_HELPER(300 + (int32_t)rnd(g, 1000)));
	else
		emit(g, BPFVM_CALL_HELPER(helpers[rnd(g, 3)]));
	emit(g, BPFVM_MOV64_REG(9, 0));
	if (is(m, "reserved_field"))
		emit(g, BPFVM_INSN(BPF_ALU64 | BPF_ADD | BPF_X, 7, 8, 1 + (int16_t)rnd(g, 7), 0));
	else if (is(m, "unknown_opcode"))
		emit(g, BPFVM_INSN(bad_opcodes[rnd(g, sizeof(bad_opcodes))], 7, 0, 0, 0));
	else if (is(m, "invalid_reg"))
		emit(g, BPFVM_MOV64_REG(11 + (int)rnd(g, 4), 7));
	else if (is(m, "cfg_unreachable")) {
		emit(g, BPFVM_JA(1));
		emit(g, BPFVM_MOV64_IMM(9, 1));
	} else if (is(m, "cfg_infinite_loop")) {
		emit(g, BPFVM_JMP_IMM(BPF_JEQ, 7, 0, -1)); /* once r7 == 0, forever */
	} else if (is(m, "cfg_jump_out_of_range")) {
		emit(g, BPFVM_JMP_IMM(BPF_JEQ, 7, 0, (int16_t)(VPROGEN_MAX_INSNS + 1000)));
	} else {
		emit(g, BPFVM_ALU64_REG(BPF_ADD, 7, 9));
	}
}

/* ---- the program ---- */

struct snippet {
	const char *name;
	uint32_t feature;
	void (*fn)(struct vgen *g, const char *m);
	const char *const *mutations; /* NULL-terminated */
};

static const char *const mut_scalar[] = { "uninit_reg", "div_by_zero_imm", "bad_shift_imm", "write_fp",
					  "ptr_mul", "ptr_add_ptr", "ptr_alu32", NULL };
static const char *const mut_stack[] = { "stack_oob_low", "stack_above_fp", "stack_misaligned",
					 "stack_var_off_unbounded", NULL };
static const char *const mut_map[] = { "map_no_null_check", "map_null_branch_inverted", "map_value_oob",
				       "map_value_neg_off", "map_var_off_unbounded", "map_var_off_too_big",
				       "map_arg_scalar", "map_key_not_ptr", "map_key_above_fp", NULL };
static const char *const mut_map_update[] = { "map_update_value_above_fp", "map_update_flags_uninit", NULL };
static const char *const mut_map_direct[] = { "map_direct_oob", NULL };
static const char *const mut_packet[] = { "pkt_no_bounds_check", "pkt_oob", "pkt_bounds_inverted",
					  "pkt_data_as_u64", "pkt_var_off_unbounded", NULL };
static const char *const mut_ctx[] = { "ctx_misaligned", "ctx_oob", "ctx_write_ro", "ctx_modified_ptr", NULL };
static const char *const mut_map_range[] = { "range_off_by_one", "range_signed_check", "range_jmp32", NULL };
static const char *const mut_spill[] = { "spill_partial_fill", "spill_clobbered", NULL };
static const char *const mut_insn[] = { "helper_unknown_id", "reserved_field", "unknown_opcode", "invalid_reg",
					"cfg_unreachable", "cfg_infinite_loop", "cfg_jump_out_of_range", NULL };

static const struct snippet snippets[] = {
	{ "scalar", VPROGEN_F_SCALAR, sn_scalar, mut_scalar },
	{ "stack", VPROGEN_F_STACK, sn_stack, mut_stack },
	{ "map", VPROGEN_F_MAP, sn_map, mut_map },
	{ "map_update", VPROGEN_F_MAP, sn_map_update, mut_map_update },
	{ "map_direct", VPROGEN_F_MAP, sn_map_direct, mut_map_direct },
	{ "packet", VPROGEN_F_PACKET, sn_packet, mut_packet },
	{ "ctx", VPROGEN_F_CTX, sn_ctx, mut_ctx },
	{ "map_range", VPROGEN_F_MAP, sn_map_range, mut_map_range },
	{ "spill", VPROGEN_F_STACK, sn_spill, mut_spill },
	{ "insn", VPROGEN_F_SCALAR, sn_insn, mut_insn },
};
#define NSNIPPETS (sizeof(snippets) / sizeof(snippets[0]))

bool vprogen_mutation_expect_reject(const char *mutation)
{
	return mutation != NULL; /* every mutation below is meant to be refused by a privileged load */
}

const char *vprogen_mutation_name(int i)
{
	for (size_t k = 0; k < NSNIPPETS; k++)
		for (const char *const *m = snippets[k].mutations; *m; m++)
			if (i-- == 0)
				return *m;
	return NULL;
}

static int count_names(const char *const *names)
{
	int n = 0;
	while (names[n])
		n++;
	return n;
}

int vprogen_generate(uint64_t *rng, const struct vprogen_opts *opts, struct vprogen_prog *p)
{
	static const struct vprogen_opts defaults;
	struct vgen g = { .rng = rng, .p = p };
	int chosen[8], n;

	if (!opts)
		opts = &defaults;
	uint32_t features = opts->features ? opts->features : VPROGEN_F_ALL;
	if (!rng || !p || (features & ~VPROGEN_F_ALL) || opts->unsafe_percent < -1 || opts->unsafe_percent > 100 ||
	    opts->snippets < 0 || opts->snippets > 8)
		return -EINVAL;
	memset(p, 0, sizeof(*p));

	n = opts->snippets ? opts->snippets : 1 + (int)rnd(&g, 4);
	for (int i = 0; i < n; i++) {
		do
			chosen[i] = (int)rnd(&g, NSNIPPETS);
		while (!(snippets[chosen[i]].feature & features));
	}
	bool packet = false;
	for (int i = 0; i < n; i++)
		packet |= snippets[chosen[i]].feature == VPROGEN_F_PACKET;
	if (packet)
		p->prog_type = rnd(&g, 2) ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;
	else
		p->prog_type = (uint32_t[]){ BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS,
					     BPF_PROG_TYPE_XDP }[rnd(&g, 3)];

	int pct = opts->unsafe_percent == -1 ? 0 : opts->unsafe_percent ? opts->unsafe_percent : 50;
	int victim = (int)rnd(&g, 100) < pct ? (int)rnd(&g, (uint32_t)n) : -1;

	/* prologue: r6 = ctx, r7, r8 unknown, r9 known */
	emit(&g, BPFVM_MOV64_REG(6, 1));
	emit(&g, BPFVM_CALL_HELPER(BPF_FUNC_get_prandom_u32));
	emit(&g, BPFVM_MOV64_REG(7, 0));
	emit(&g, BPFVM_CALL_HELPER(BPF_FUNC_get_prandom_u32));
	emit(&g, BPFVM_MOV64_REG(8, 0));
	emit(&g, BPFVM_MOV64_IMM(9, (int32_t)rnd(&g, 1000)));

	size_t dl = 0;
	for (int i = 0; i < n; i++) {
		const struct snippet *s = &snippets[chosen[i]];
		const char *m = i == victim ? s->mutations[rnd(&g, (uint32_t)count_names(s->mutations))] : NULL;
		if (m)
			p->mutation = m;
		s->fn(&g, m);
		dl += (size_t)snprintf(p->desc + dl, dl < sizeof(p->desc) ? sizeof(p->desc) - dl : 0, "%s%s",
				       i ? "+" : "", s->name);
	}
	if (p->mutation && dl < sizeof(p->desc))
		snprintf(p->desc + dl, sizeof(p->desc) - dl, ":%s", p->mutation);
	emit(&g, BPFVM_MOV64_IMM(0, 0));
	emit(&g, BPFVM_EXIT());
	return g.overflow ? -E2BIG : 0;
}

/* the corpus's "filled" element 0: index = 28 and foo[6] = 0xabcdef12 in test_val, 0x1c in a 1-byte value */
static int fill_map(int fd, const struct vprogen_map *m)
{
	uint8_t value[64] = { 0 };
	uint32_t key = 0, index = 28, foo6 = 0xabcdef12;
	memcpy(value, &index, m->value_size < 4 ? m->value_size : 4);
	if (m->value_size >= 32)
		memcpy(value + 4 + 6 * 4, &foo6, 4);
	return kernel_map_update(fd, &key, value, BPF_ANY);
}

int vprogen_kernel_verdict(const struct vprogen_prog *p, char *log, size_t log_size, struct vprogen_verdict *v)
{
	static struct bpf_insn insns[VPROGEN_MAX_INSNS];
	int fds[VPROGEN_MAX_MAPS];
	int err = 0, n = 0;

	for (; n < p->nmaps; n++) {
		const struct vprogen_map *m = &p->maps[n];
		fds[n] = kernel_map_create(m->type, m->key_size, m->value_size, m->max_entries, m->map_flags);
		if (fds[n] < 0 || (m->filled && (err = fill_map(fds[n], m)) < 0)) {
			if (fds[n] < 0)
				err = fds[n];
			else
				n++;
			break;
		}
	}
	if (!err) {
		/* the fixups: each map reference's imm, an index into maps[], becomes that map's fd */
		memcpy(insns, p->insns, p->cnt * sizeof(insns[0]));
		for (size_t i = 0; i + 1 < p->cnt; i++)
			if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
			    (insns[i].src_reg == BPF_PSEUDO_MAP_FD || insns[i].src_reg == BPF_PSEUDO_MAP_VALUE)) {
				if (insns[i].imm >= 0 && insns[i].imm < p->nmaps)
					insns[i].imm = fds[insns[i].imm];
				i++;
			}
		struct kernel_load_opts o = { .prog_type = p->prog_type, .insns = insns, .insn_cnt = p->cnt,
					      .log_level = 1, .log_buf = log, .log_size = log_size };
		int fd = kernel_prog_load(&o);
		v->err = fd < 0 ? fd : 0;
		if (fd >= 0)
			close(fd);
		if (fd < 0)
			kernel_log_error_line(log, v->err_line, sizeof(v->err_line));
		else
			v->err_line[0] = '\0';
		v->insns_processed = kernel_log_insns_processed(log);
	}
	while (n-- > 0)
		close(fds[n]);
	return err;
}

/* a record string, escaped as the corpus escapes them: \\, \t, \n, \xNN */
static void put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '\\')
			fputs("\\\\", f);
		else if (*c == '\t')
			fputs("\\t", f);
		else if (*c == '\n')
			fputs("\\n", f);
		else if (*c < 0x20 || *c > 0x7e)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
	}
}

static const char *prog_type_name(uint32_t t)
{
	return t == BPF_PROG_TYPE_SOCKET_FILTER ? "socket_filter" : t == BPF_PROG_TYPE_SCHED_CLS ? "sched_cls"
	       : t == BPF_PROG_TYPE_XDP ? "xdp" : "unknown";
}

int vprogen_write_record(FILE *f, const struct vprogen_prog *p, const char *src, const struct vprogen_verdict *v)
{
	fprintf(f, "test: vprogen ");
	put_escaped(f, p->desc);
	fprintf(f, "\nsrc: %s\nprog_type: %u %s\nattach_type: 0 cgroup_inet_ingress\nresult: %s\n", src, p->prog_type,
		prog_type_name(p->prog_type), p->mutation ? "reject" : "accept");
	fprintf(f, "result_unpriv: -\nflags: 0x0\nprog_flags: 0x0\n");
	for (int m = 0; m < p->nmaps; m++) {
		int refs = 0; /* a map no instruction names (a mutation replaced the reference) gets no line */
		for (size_t i = 0; i + 1 < p->cnt; i++)
			if (p->insns[i].code == (BPF_LD | BPF_DW | BPF_IMM)) {
				if ((p->insns[i].src_reg == BPF_PSEUDO_MAP_FD || p->insns[i].src_reg == BPF_PSEUDO_MAP_VALUE) &&
				    p->insns[i].imm == m) {
					if (!refs++)
						fprintf(f, "fixup: %s", p->maps[m].kind);
					fprintf(f, " %zu", i);
				}
				i++;
			}
		if (refs)
			fputc('\n', f);
	}
	fprintf(f, "insns: %zu\n", p->cnt);
	for (size_t i = 0; i < p->cnt; i++) {
		const struct bpf_insn *in = &p->insns[i];
		/* the fixed-up imm of a map reference is 0 in a record */
		bool map_ref = in->code == (BPF_LD | BPF_DW | BPF_IMM) &&
			       (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE);
		fprintf(f, "%02x %d %d %d %d\n", in->code, in->dst_reg, in->src_reg, in->off, map_ref ? 0 : in->imm);
	}
	if (v) {
		fprintf(f, "kernel: %s\n", v->err ? "reject" : "accept");
		if (v->err)
			fprintf(f, "kernel_errno: %d %s\nkernel_err: ", -v->err, kernel_errno_name(v->err));
		else
			fprintf(f, "kernel_errno: 0 -\n");
		if (v->err) {
			put_escaped(f, v->err_line);
			fputc('\n', f);
		}
		fprintf(f, "kernel_insns: %ld\n", v->insns_processed);
	}
	fprintf(f, "end\n\n");
	return ferror(f) ? -EIO : 0;
}
