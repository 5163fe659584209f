/* mem.c - memory accesses: check_mem_access per pointer type (stack, ctx, map value/key, packet, mem, sockets),
 * alignment, loads, stores, atomics and the legacy packet loads */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "progtypes/progtype.h"
#include "verifier/verifier.h"

#define MAX_PACKET_OFF 0xffff

static int bpf_size_to_bytes(int bpf_size)
{
	switch (bpf_size) {
	case BPF_W: return 4;
	case BPF_H: return 2;
	case BPF_B: return 1;
	case BPF_DW: return 8;
	default: return -EINVAL;
	}
}

static int check_generic_ptr_alignment(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg,
				       const char *pointer_desc, int off, int size, bool strict)
{
	struct tnum reg_off;

	/* byte size accesses are always aligned */
	if (!strict || size == 1)
		return 0;
	reg_off = tnum_add(reg->var_off, tnum_const((uint64_t)(int64_t)(reg->off + off)));
	if (!tnum_is_aligned(reg_off, (uint64_t)size)) {
		char tn_buf[48];
		if (tnum_is_const(reg->var_off))
			snprintf(tn_buf, sizeof(tn_buf), "%lld", (long long)reg->var_off.value);
		else
			tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
		verbose(env, "misaligned %saccess off %s+%d+%d size %d\n", pointer_desc, tn_buf, reg->off, off, size);
		return -EACCES;
	}
	return 0;
}

static int check_pkt_ptr_alignment(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, int off,
				   int size, bool strict)
{
	struct tnum reg_off;
	int ip_align = 2; /* NET_IP_ALIGN: the IP header is 4-byte aligned 2 bytes into the packet */

	if (!strict || size == 1)
		return 0;
	reg_off = tnum_add(reg->var_off, tnum_const((uint64_t)(int64_t)(ip_align + reg->off + off)));
	if (!tnum_is_aligned(reg_off, (uint64_t)size)) {
		char tn_buf[48];
		if (tnum_is_const(reg->var_off))
			snprintf(tn_buf, sizeof(tn_buf), "%lld", (long long)reg->var_off.value);
		else
			tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
		verbose(env, "misaligned packet access off %d+%s+%d+%d size %d\n", ip_align, tn_buf, reg->off, off, size);
		return -EACCES;
	}
	return 0;
}

static int check_ptr_alignment(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, int off, int size,
			       bool strict_alignment_once)
{
	bool strict = env->strict_alignment || strict_alignment_once;
	const char *pointer_desc = "";

	switch (reg->type) {
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		/* special case, because of NET_IP_ALIGN; metadata sits right in front, treat it the same */
		return check_pkt_ptr_alignment(env, reg, off, size, strict);
	case PTR_TO_FLOW_KEYS: pointer_desc = "flow keys "; break;
	case PTR_TO_MAP_KEY: pointer_desc = "key "; break;
	case PTR_TO_MAP_VALUE: pointer_desc = "value "; break;
	case PTR_TO_CTX: pointer_desc = "context "; break;
	case PTR_TO_STACK:
		pointer_desc = "stack ";
		/* spill tracking relies on aligned stack accesses */
		strict = true;
		break;
	case PTR_TO_SOCKET: pointer_desc = "sock "; break;
	case PTR_TO_SOCK_COMMON: pointer_desc = "sock_common "; break;
	case PTR_TO_TCP_SOCK: pointer_desc = "tcp_sock "; break;
	case PTR_TO_XDP_SOCK: pointer_desc = "xdp_sock "; break;
	default: break;
	}
	return check_generic_ptr_alignment(env, reg, pointer_desc, off, size, strict);
}

static int __check_mem_access(struct bpfvm_verifier_env *env, int regno, int off, int size, uint32_t mem_size,
			      bool zero_size_allowed)
{
	bool size_ok = size > 0 || (size == 0 && zero_size_allowed);
	struct bpf_reg_state *reg;

	if (off >= 0 && size_ok && (uint64_t)off + (uint64_t)size <= mem_size)
		return 0;
	reg = &cur_regs(env)[regno];
	switch (base_type(reg->type)) {
	case PTR_TO_MAP_KEY:
		verbose(env, "invalid access to map key, key_size=%d off=%d size=%d\n", mem_size, off, size);
		break;
	case PTR_TO_MAP_VALUE:
		verbose(env, "invalid access to map value, value_size=%d off=%d size=%d\n", mem_size, off, size);
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
	case PTR_TO_PACKET_END:
		verbose(env, "invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)\n", off, size, regno,
			reg->id, off, mem_size);
		break;
	default:
		verbose(env, "invalid access to memory, mem_size=%u off=%d size=%d\n", mem_size, off, size);
	}
	return -EACCES;
}

static int check_mem_region_access(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size,
				   uint32_t mem_size, bool zero_size_allowed)
{
	struct bpf_verifier_state *vstate = env->cur_state;
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	int err;

	(void)vstate;
	/* the floor of a signed index must be within the region */
	if (reg->smin_value < 0 &&
	    (reg->smin_value == S64_MIN || (off + reg->smin_value != (int64_t)(int32_t)(off + reg->smin_value)) ||
	     reg->smin_value + off < 0)) {
		verbose(env, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n",
			regno);
		return -EACCES;
	}
	err = __check_mem_access(env, regno, (int)(reg->smin_value + off), size, mem_size, zero_size_allowed);
	if (err) {
		verbose(env, "R%d min value is outside of the allowed memory range\n", regno);
		return err;
	}
	/* an unbounded max (or one whose sum with off could overflow) is rejected */
	if (reg->umax_value >= BPF_MAX_VAR_OFF) {
		verbose(env, "R%d unbounded memory access, make sure to bounds check any such access\n", regno);
		return -EACCES;
	}
	err = __check_mem_access(env, regno, (int)(reg->umax_value + off), size, mem_size, zero_size_allowed);
	if (err) {
		verbose(env, "R%d max value is outside of the allowed memory range\n", regno);
		return err;
	}
	return 0;
}

/* a special field of a map value: kptrs, spin lock, timer */
struct map_field {
	uint32_t off, size;
	int kind; /* 0 spin lock, 1 timer, 2 kptr */
	int kptr_kind;
	const char *type_name;
};

static int map_fields(const struct bpfvm_map_info *map, struct map_field *f)
{
	int n = 0;
	if (!map)
		return 0;
	if (map->spin_lock_off >= 0)
		f[n++] = (struct map_field){ (uint32_t)map->spin_lock_off, 4, 0, 0, NULL };
	if (map->timer_off >= 0)
		f[n++] = (struct map_field){ (uint32_t)map->timer_off, 16, 1, 0, NULL };
	for (uint32_t i = 0; i < map->n_kptrs && i < BPFVM_MAX_KPTRS; i++)
		f[n++] = (struct map_field){ map->kptrs[i].off, 8, 2, (int)map->kptrs[i].kind, map->kptrs[i].type_name };
	return n;
}

static const char *field_name(const struct map_field *f)
{
	static const char *const names[] = { "bpf_spin_lock", "bpf_timer", "kptr" };
	if (f->kind == 2 && f->kptr_kind == BPFVM_KPTR_PERCPU)
		return "percpu_kptr";
	return names[f->kind];
}

int check_map_access(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size, bool zero_size_allowed)
{
	return check_map_access_src(env, regno, off, size, zero_size_allowed, true);
}

int check_map_access_src(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size, bool zero_size_allowed,
			 bool direct)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	const struct bpfvm_map_info *map = reg->map_ptr;
	struct map_field f[BPFVM_MAX_KPTRS + 2];
	int err, n;

	err = check_mem_region_access(env, regno, off, size, map ? map->value_size : 0, zero_size_allowed);
	if (err)
		return err;
	n = map_fields(map, f);
	for (int i = 0; i < n; i++) {
		uint32_t p = f[i].off;
		/* any overlap of the access with a special field */
		if (reg->smin_value + off < (int64_t)(p + f[i].size) && (uint64_t)p < reg->umax_value + off + size) {
			if (f[i].kind == 2) {
				if (!direct) {
					verbose(env, "%s cannot be accessed indirectly by helper\n", field_name(&f[i]));
					return -EACCES;
				}
				if (!tnum_is_const(reg->var_off)) {
					verbose(env, "%s access cannot have variable offset\n", field_name(&f[i]));
					return -EACCES;
				}
				if ((uint64_t)p != off + reg->var_off.value) {
					verbose(env, "%s access misaligned expected=%u off=%llu\n", field_name(&f[i]), p,
						(unsigned long long)(off + reg->var_off.value));
					return -EACCES;
				}
				if (size != 8) {
					verbose(env, "%s access size must be BPF_DW\n", field_name(&f[i]));
					return -EACCES;
				}
			} else {
				verbose(env, "%s cannot be accessed directly by load/store\n", field_name(&f[i]));
				return -EACCES;
			}
		}
	}
	return 0;
}

static int check_map_access_type(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size, int type)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	const struct bpfvm_map_info *map = reg->map_ptr;
	uint32_t cap = 0;

	if (!map)
		return 0;
	if (map->map_flags & BPF_F_RDONLY_PROG)
		cap = BPF_READ;
	else if (map->map_flags & BPF_F_WRONLY_PROG)
		cap = BPF_WRITE;
	if (type == BPF_WRITE && cap == BPF_READ) {
		verbose(env, "write into map forbidden, value_size=%d off=%d size=%d\n", map->value_size,
			off + reg->off, size);
		return -EACCES;
	}
	if (type == BPF_READ && cap == BPF_WRITE) {
		verbose(env, "read from map forbidden, value_size=%d off=%d size=%d\n", map->value_size,
			off + reg->off, size);
		return -EACCES;
	}
	return 0;
}

bool may_access_direct_pkt_data(struct bpfvm_verifier_env *env, int t)
{
	switch (env->prog_type) {
	/* program types only with direct read access */
	case BPF_PROG_TYPE_LWT_IN: case BPF_PROG_TYPE_LWT_OUT: case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_SK_REUSEPORT: case BPF_PROG_TYPE_FLOW_DISSECTOR: case BPF_PROG_TYPE_CGROUP_SKB:
		if (t == BPF_WRITE)
			return false;
		/* fallthrough */
	/* program types with direct read + write access */
	case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT: case BPF_PROG_TYPE_XDP: case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_SK_SKB: case BPF_PROG_TYPE_SK_MSG:
		if (t == BPF_WRITE)
			env->seen_direct_write = true;
		return true;
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
		return true;
	default:
		return false;
	}
}

int check_packet_access(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size, bool zero_size_allowed)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	int err;

	/* negative offsets are not tracked well enough to be proven safe */
	if (reg->smin_value < 0) {
		verbose(env, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n",
			regno);
		return -EACCES;
	}
	err = reg->range < 0 ? -EINVAL : __check_mem_access(env, regno, off, size, (uint32_t)reg->range, zero_size_allowed);
	if (err) {
		verbose(env, "R%d offset is outside of the packet\n", regno);
		return err;
	}
	return 0;
}

/* a ctx pointer must be unmodified to be dereferenced or passed on (mirrors __check_ptr_off_reg) */
int __check_ptr_off_reg(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, int regno, bool fixed_off_ok)
{
	/* only the original, unmodified pointer may be dereferenced or passed on */
	if (reg->off < 0) {
		verbose(env, "negative offset %s ptr R%d off=%d disallowed\n", reg_type_str(env, reg->type), regno,
			reg->off);
		return -EACCES;
	}
	if (!fixed_off_ok && reg->off) {
		verbose(env, "dereference of modified %s ptr R%d off=%d disallowed\n", reg_type_str(env, reg->type), regno,
			reg->off);
		return -EACCES;
	}
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		char tn_buf[48];
		tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
		verbose(env, "variable %s access var_off=%s disallowed\n", reg_type_str(env, reg->type), tn_buf);
		return -EACCES;
	}
	return 0;
}

static int check_ctx_access(struct bpfvm_verifier_env *env, int insn_idx, int off, int size, int t,
			    struct bpf_insn_access_aux *info)
{
	if (env->ops && env->ops->is_valid_access &&
	    env->ops->is_valid_access(off, size, t, env->expected_attach_type, info) &&
	    !(info->is_ldsx && base_type(info->reg_type) != SCALAR_VALUE)) { /* no sign-extending pointer loads */
		/* a narrow load of a field is remembered for the rewrite (and pruning) */
		if (info->ctx_field_size)
			env->insn_aux_data[insn_idx].ctx_field_size = info->ctx_field_size;
		return 0;
	}
	verbose(env, "invalid bpf_context access off=%d size=%d\n", off, size);
	return -EACCES;
}

static int check_sock_access(struct bpfvm_verifier_env *env, int insn_idx, uint32_t regno, int off, int size, int t)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	bool valid;

	if (reg->smin_value < 0) {
		verbose(env, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n",
			regno);
		return -EACCES;
	}
	struct bpf_insn_access_aux info = { 0 };
	switch (reg->type) {
	case PTR_TO_SOCK_COMMON:
		valid = bpf_sock_common_is_valid_access(off, size, t, &info);
		break;
	case PTR_TO_SOCKET:
		valid = bpf_sock_is_valid_access(off, size, t, &info);
		break;
	case PTR_TO_TCP_SOCK:
		valid = bpf_tcp_sock_is_valid_access(off, size, t, &info);
		break;
	case PTR_TO_XDP_SOCK:
		valid = bpf_xdp_sock_is_valid_access(off, size, t, &info);
		break;
	default:
		valid = false;
	}
	if (valid)
		return 0;
	verbose(env, "R%d invalid %s access off=%d size=%d\n", regno, reg_type_str(env, reg->type), off, size);
	return -EACCES;
}

static bool is_flow_key_reg(const struct bpf_reg_state *reg)
{
	return reg->type == PTR_TO_FLOW_KEYS;
}

/* the kptr field at a constant offset of a map value, if any */
static const struct map_field *find_kptr(const struct bpf_reg_state *reg, int off, struct map_field *f)
{
	int n = map_fields(reg->map_ptr, f);
	for (int i = 0; i < n; i++)
		if (f[i].kind == 2 && (uint64_t)f[i].off == off + reg->var_off.value)
			return &f[i];
	return NULL;
}

static int check_map_kptr_access(struct bpfvm_verifier_env *env, uint32_t regno, int value_regno, int insn_idx,
				 const struct map_field *kptr)
{
	const struct bpf_insn *insn = &env->insns[insn_idx];
	int class = BPF_CLASS(insn->code);
	struct bpf_reg_state *regs = cur_regs(env);

	if (BPF_MODE(insn->code) != BPF_MEM) {
		verbose(env, "kptr in map can only be accessed using BPF_MEM instruction mode\n");
		return -EACCES;
	}
	/* only a load of a referenced kptr is allowed (it is marked untrusted) */
	if (class != BPF_LDX && (kptr->kptr_kind == BPFVM_KPTR_REF || kptr->kptr_kind == BPFVM_KPTR_PERCPU)) {
		verbose(env, "store to referenced kptr disallowed\n");
		return -EACCES;
	}
	if (class == BPF_LDX) {
		struct bpf_reg_state *r = &regs[value_regno];
		uint32_t flags = PTR_MAYBE_NULL;
		/* non-sleepable programs run in an RCU section: an RCU-protected referenced kptr loads as rcu */
		bool sleepable = env->prog_flags & BPF_F_SLEEPABLE;
		if (kptr->kptr_kind == BPFVM_KPTR_PERCPU && !sleepable)
			flags |= MEM_RCU | MEM_PERCPU;
		else if (kptr->kptr_kind == BPFVM_KPTR_REF && !sleepable)
			flags |= MEM_RCU;
		else if (kptr->kptr_kind != BPFVM_KPTR_PERCPU)
			flags |= PTR_UNTRUSTED;
		mark_reg_known_zero(env, regs, value_regno);
		r->type = PTR_TO_BTF_ID | flags;
		r->btf_name = kptr->type_name;
		r->id = ++env->id_gen;
	} else if (class == BPF_STX) {
		struct bpf_reg_state *val_reg = &regs[value_regno];
		uint32_t perm_flags = PTR_MAYBE_NULL | PTR_TRUSTED | MEM_RCU;
		const char *reg_name = "";
		char tstr[64];

		if (register_is_null(val_reg))
			return 0;
		/* only the unreferenced case accepts untrusted pointers */
		if (kptr->kptr_kind == BPFVM_KPTR_UNTRUSTED)
			perm_flags |= PTR_UNTRUSTED;
		if (base_type(val_reg->type) == PTR_TO_BTF_ID && !(val_reg->type & ~BPF_BASE_TYPE_MASK & ~perm_flags)) {
			reg_name = val_reg->btf_name ? val_reg->btf_name : "";
			if (__check_ptr_off_reg(env, val_reg, value_regno, true))
				return -EACCES;
			if (val_reg->btf_name && kptr->type_name && !strcmp(val_reg->btf_name, kptr->type_name) &&
			    val_reg->off == 0)
				return 0;
		}
		snprintf(tstr, sizeof(tstr), "%s", reg_type_str(env, val_reg->type));
		verbose(env, "invalid kptr access, R%d type=%s%s ", value_regno, tstr, reg_name);
		verbose(env, "expected=%s%s", reg_type_str(env, PTR_TO_BTF_ID), kptr->type_name ? kptr->type_name : "");
		if (kptr->kptr_kind == BPFVM_KPTR_UNTRUSTED)
			verbose(env, " or %s%s\n", reg_type_str(env, PTR_TO_BTF_ID | PTR_UNTRUSTED),
				kptr->type_name ? kptr->type_name : "");
		else
			verbose(env, "\n");
		return -EACCES;
	} else if (class == BPF_ST) {
		if (insn->imm) {
			verbose(env, "BPF_ST imm must be 0 when storing to kptr at off=%u\n", kptr->off);
			return -EACCES;
		}
	} else {
		verbose(env, "kptr in map can only be accessed using BPF_LDX/BPF_STX/BPF_ST\n");
		return -EACCES;
	}
	(void)regno;
	return 0;
}

int check_mem_access(struct bpfvm_verifier_env *env, int insn_idx, uint32_t regno, int off, int bpf_size,
		     enum bpf_access_type t, int value_regno, bool strict_alignment_once, bool is_ldsx)
{
	struct bpf_reg_state *regs = cur_regs(env), *reg = regs + regno;
	int size, err;

	size = bpf_size_to_bytes(bpf_size);
	if (size < 0)
		return size;
	/* alignment checks will add in reg->off themselves */
	err = check_ptr_alignment(env, reg, off, size, strict_alignment_once);
	if (err)
		return err;
	/* for access checks, reg->off is just part of off */
	off += reg->off;

	if (reg->type == PTR_TO_MAP_KEY) {
		if (t == BPF_WRITE) {
			verbose(env, "write to change key R%d not allowed\n", regno);
			return -EACCES;
		}
		err = check_mem_region_access(env, regno, off, size, reg->map_ptr ? reg->map_ptr->key_size : 0, false);
		if (err)
			return err;
		if (value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else if (reg->type == PTR_TO_MAP_VALUE) {
		struct map_field fbuf[BPFVM_MAX_KPTRS + 2];
		const struct map_field *kptr = NULL;

		if (t == BPF_WRITE && value_regno >= 0 && is_pointer_value(env, value_regno)) {
			verbose(env, "R%d leaks addr into map\n", value_regno);
			return -EACCES;
		}
		err = check_map_access_type(env, regno, off, size, t);
		if (err)
			return err;
		err = check_map_access(env, regno, off, size, false);
		if (err)
			return err;
		if (tnum_is_const(reg->var_off))
			kptr = find_kptr(reg, off, fbuf);
		if (kptr) {
			err = check_map_kptr_access(env, regno, value_regno, insn_idx, kptr);
			if (err)
				return err;
		} else if (t == BPF_READ && value_regno >= 0) {
			mark_reg_unknown(env, regs, value_regno);
		}
	} else if (base_type(reg->type) == PTR_TO_MEM) {
		bool rdonly_mem = reg->type & MEM_RDONLY;

		if (type_may_be_null(reg->type)) {
			verbose(env, "R%d invalid mem access '%s'\n", regno, reg_type_str(env, reg->type));
			return -EACCES;
		}
		if (t == BPF_WRITE && rdonly_mem) {
			verbose(env, "R%d cannot write into %s\n", regno, reg_type_str(env, reg->type));
			return -EACCES;
		}
		if (t == BPF_WRITE && value_regno >= 0 && is_pointer_value(env, value_regno)) {
			verbose(env, "R%d leaks addr into mem\n", value_regno);
			return -EACCES;
		}
		if (!(reg->type & PTR_UNTRUSTED)) {
			err = check_mem_region_access(env, regno, off, size, reg->mem_size, false);
			if (err)
				return err;
		}
		if (t == BPF_READ && value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else if (reg->type == PTR_TO_CTX) {
		struct bpf_insn_access_aux info = { .reg_type = SCALAR_VALUE, .is_ldsx = is_ldsx };

		if (t == BPF_WRITE && value_regno >= 0 && is_pointer_value(env, value_regno)) {
			verbose(env, "R%d leaks addr into ctx\n", value_regno);
			return -EACCES;
		}
		err = __check_ptr_off_reg(env, reg, regno, false);
		if (err < 0)
			return err;
		err = check_ctx_access(env, insn_idx, off, size, t, &info);
		if (err)
			return err;
		if (t == BPF_READ && value_regno >= 0) {
			/* ctx access returns either a scalar, or a PTR_TO_PACKET[_META,_END] (offset zero) */
			if (info.reg_type == SCALAR_VALUE) {
				mark_reg_unknown(env, regs, value_regno);
			} else {
				mark_reg_known_zero(env, regs, value_regno);
				if (type_may_be_null(info.reg_type))
					regs[value_regno].id = ++env->id_gen;
				regs[value_regno].btf_name = info.btf_name;
			}
			regs[value_regno].type = info.reg_type;
		}
	} else if (reg->type == PTR_TO_STACK) {
		/* basic bounds checks */
		err = check_stack_access_within_bounds(env, regno, off, size, t);
		if (err)
			return err;
		if (t == BPF_READ)
			err = check_stack_read(env, regno, off, size, value_regno);
		else
			err = check_stack_write(env, regno, off, size, value_regno, insn_idx);
		if (err)
			return err;
	} else if (reg_is_pkt_pointer(reg) || reg->type == PTR_TO_PACKET_META) {
		if (t == BPF_WRITE && !may_access_direct_pkt_data(env, t)) {
			verbose(env, "cannot write into packet\n");
			return -EACCES;
		}
		if (t == BPF_WRITE && value_regno >= 0 && is_pointer_value(env, value_regno)) {
			verbose(env, "R%d leaks addr into packet\n", value_regno);
			return -EACCES;
		}
		err = check_packet_access(env, regno, off, size, false);
		if (err)
			return err;
		if (t == BPF_READ && value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else if (is_flow_key_reg(reg)) {
		if (t == BPF_WRITE && value_regno >= 0 && is_pointer_value(env, value_regno)) {
			verbose(env, "R%d leaks addr into flow keys\n", value_regno);
			return -EACCES;
		}
		if (off < 0 || size < 0 || (size == 0 && !false) || off + size > (int)sizeof(struct bpf_flow_keys)) {
			verbose(env, "invalid access to flow keys off=%d size=%d\n", off, size);
			return -EACCES;
		}
		if (t == BPF_READ && value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else if (reg->type == PTR_TO_SOCKET || reg->type == PTR_TO_SOCK_COMMON || reg->type == PTR_TO_TCP_SOCK ||
		   reg->type == PTR_TO_XDP_SOCK) {
		if (t == BPF_WRITE) {
			verbose(env, "R%d cannot write into %s\n", regno, reg_type_str(env, reg->type));
			return -EACCES;
		}
		err = check_sock_access(env, insn_idx, regno, off, size, t);
		if (err)
			return err;
		if (value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else if (reg->type == PTR_TO_TP_BUFFER) {
		if (off < 0) {
			verbose(env, "R%d invalid tracepoint buffer access: off=%d, size=%d\n", regno, off, size);
			return -EACCES;
		}
		if (t == BPF_READ && value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else if (base_type(reg->type) == PTR_TO_BTF_ID && !type_may_be_null(reg->type)) {
		if (t == BPF_WRITE && !(reg->type & MEM_ALLOC)) {
			verbose(env, "only read is supported\n");
			return -EACCES;
		}
		if (off < 0) {
			verbose(env, "R%d is ptr_%s invalid negative access: off=%d\n", regno,
				reg->btf_name ? reg->btf_name : "", off);
			return -EACCES;
		}
		if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
			char tn_buf[48];
			tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
			verbose(env, "R%d is ptr_%s invalid variable offset: off=%d, var_off=%s\n", regno,
				reg->btf_name ? reg->btf_name : "", off, tn_buf);
			return -EACCES;
		}
		if (value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else if (reg->type == CONST_PTR_TO_MAP) {
		if (t == BPF_WRITE) {
			verbose(env, "only read from bpf_array is supported\n");
			return -EACCES;
		}
		if (off < 0) {
			verbose(env, "R%d is %s invalid negative access: off=%d\n", regno, "bpf_map", off);
			return -EACCES;
		}
		if (value_regno >= 0)
			mark_reg_unknown(env, regs, value_regno);
	} else {
		verbose(env, "R%d invalid mem access '%s'\n", regno, reg_type_str(env, reg->type));
		return -EACCES;
	}

	if (size < BPF_REG_SIZE && value_regno >= 0 && t == BPF_READ && regs[value_regno].type == SCALAR_VALUE) {
		if (!is_ldsx)
			/* b/h/w load zero-extends, mark upper bits as known 0 */
			coerce_reg_to_size(&regs[value_regno], size);
		else
			coerce_reg_to_size_sx(&regs[value_regno], size);
	}
	return 0;
}

static bool reg_type_mismatch_ok(uint32_t type)
{
	switch (base_type(type)) {
	case PTR_TO_CTX: case PTR_TO_SOCKET: case PTR_TO_SOCK_COMMON: case PTR_TO_TCP_SOCK: case PTR_TO_XDP_SOCK:
	case PTR_TO_BTF_ID: case PTR_TO_ARENA:
		return false;
	default:
		return true;
	}
}

/* one instruction may not dereference a ctx (or socket) pointer on one path and another pointer on another:
 * the kernel rewrites ctx accesses per instruction */
static int save_aux_ptr_type(struct bpfvm_verifier_env *env, uint32_t type, bool allow_trust_mismatch)
{
	uint32_t *prev_type = &env->insn_aux_data[env->insn_idx].ptr_type;

	if (*prev_type == NOT_INIT) {
		*prev_type = type;
	} else if (type != *prev_type && (!reg_type_mismatch_ok(type) || !reg_type_mismatch_ok(*prev_type))) {
		if (allow_trust_mismatch && base_type(type) == PTR_TO_BTF_ID && base_type(*prev_type) == PTR_TO_BTF_ID) {
			*prev_type = PTR_TO_BTF_ID | PTR_UNTRUSTED;
		} else {
			verbose(env, "same insn cannot be used with different pointers\n");
			return -EINVAL;
		}
	}
	return 0;
}

int check_load_mem(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpf_reg_state *regs = cur_regs(env);
	bool is_ldsx = BPF_MODE(insn->code) == BPF_MEMSX;
	uint32_t src_reg_type;
	int err;

	/* check src operand */
	err = check_reg_arg(env, insn->src_reg, SRC_OP);
	if (err)
		return err;
	/* check dst operand */
	err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK);
	if (err)
		return err;
	src_reg_type = regs[insn->src_reg].type;
	/* check that memory (src_reg + off) is readable; the state of dst_reg is updated by this call */
	err = check_mem_access(env, env->insn_idx, insn->src_reg, insn->off, BPF_SIZE(insn->code), BPF_READ,
			       insn->dst_reg, false, is_ldsx);
	if (err)
		return err;
	return save_aux_ptr_type(env, src_reg_type, true);
}

int check_store_reg(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpf_reg_state *regs = cur_regs(env);
	uint32_t dst_reg_type;
	int err;

	/* check src1 operand */
	err = check_reg_arg(env, insn->src_reg, SRC_OP);
	if (err)
		return err;
	/* check src2 operand */
	err = check_reg_arg(env, insn->dst_reg, SRC_OP);
	if (err)
		return err;
	dst_reg_type = regs[insn->dst_reg].type;
	/* check that memory (dst_reg + off) is writeable */
	err = check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, BPF_SIZE(insn->code), BPF_WRITE,
			       insn->src_reg, false, false);
	if (err)
		return err;
	return save_aux_ptr_type(env, dst_reg_type, false);
}

int check_st_mem(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpf_reg_state *regs = cur_regs(env);
	uint32_t dst_reg_type;
	int err;

	if (BPF_MODE(insn->code) != BPF_MEM || insn->src_reg != 0) {
		verbose(env, "BPF_ST uses reserved fields\n");
		return -EINVAL;
	}
	/* check src operand */
	err = check_reg_arg(env, insn->dst_reg, SRC_OP);
	if (err)
		return err;
	dst_reg_type = regs[insn->dst_reg].type;
	/* check that memory (dst_reg + off) is writeable */
	err = check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, BPF_SIZE(insn->code), BPF_WRITE, -1,
			       false, false);
	if (err)
		return err;
	return save_aux_ptr_type(env, dst_reg_type, false);
}

static bool atomic_ptr_type_ok(struct bpfvm_verifier_env *env, int regno)
{
	const struct bpf_reg_state *reg = &cur_regs(env)[regno];
	uint32_t t = base_type(reg->type);

	if (t == PTR_TO_CTX || reg_is_pkt_pointer_any(reg) || t == PTR_TO_FLOW_KEYS || t == PTR_TO_SOCKET ||
	    t == PTR_TO_SOCK_COMMON || t == PTR_TO_TCP_SOCK || t == PTR_TO_XDP_SOCK)
		return false;
	return true;
}

static int check_atomic_rmw(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	int load_reg, err;

	if (BPF_SIZE(insn->code) != BPF_W && BPF_SIZE(insn->code) != BPF_DW) {
		verbose(env, "invalid atomic operand size\n");
		return -EINVAL;
	}
	/* check src1 operand */
	err = check_reg_arg(env, insn->src_reg, SRC_OP);
	if (err)
		return err;
	/* check src2 operand */
	err = check_reg_arg(env, insn->dst_reg, SRC_OP);
	if (err)
		return err;
	if (insn->imm == BPF_CMPXCHG) {
		/* check comparison of R0 with memory location */
		err = check_reg_arg(env, BPF_REG_0, SRC_OP);
		if (err)
			return err;
		if (is_pointer_value(env, BPF_REG_0)) {
			verbose(env, "R%d leaks addr into mem\n", BPF_REG_0);
			return -EACCES;
		}
	}
	if (is_pointer_value(env, insn->src_reg)) {
		verbose(env, "R%d leaks addr into mem\n", insn->src_reg);
		return -EACCES;
	}
	if (!atomic_ptr_type_ok(env, insn->dst_reg)) {
		verbose(env, "BPF_ATOMIC stores into R%d %s is not allowed\n", insn->dst_reg,
			reg_type_str(env, cur_regs(env)[insn->dst_reg].type));
		return -EACCES;
	}
	if (insn->imm & BPF_FETCH) {
		load_reg = insn->imm == BPF_CMPXCHG ? BPF_REG_0 : insn->src_reg;
		/* check and record load of old value */
		err = check_reg_arg(env, load_reg, DST_OP);
		if (err)
			return err;
	} else {
		/* accesses memory but loads nothing into a register */
		load_reg = -1;
	}
	/* check whether we can read the memory, with a second call for fetch to save the loaded value */
	err = check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, BPF_SIZE(insn->code), BPF_READ, -1, true,
			       false);
	if (!err && load_reg >= 0)
		err = check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, BPF_SIZE(insn->code), BPF_READ,
				       load_reg, true, false);
	if (err)
		return err;
	/* check whether we can write into the same memory */
	return check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, BPF_SIZE(insn->code), BPF_WRITE, -1, true,
				false);
}

static int check_atomic_load(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	int err = check_reg_arg(env, insn->src_reg, SRC_OP);
	if (err)
		return err;
	err = check_reg_arg(env, insn->dst_reg, DST_OP_NO_MARK);
	if (err)
		return err;
	if (!atomic_ptr_type_ok(env, insn->src_reg)) {
		verbose(env, "BPF_ATOMIC loads from R%d %s is not allowed\n", insn->src_reg,
			reg_type_str(env, cur_regs(env)[insn->src_reg].type));
		return -EACCES;
	}
	/* load-acquire is a load with a stricter alignment */
	return check_mem_access(env, env->insn_idx, insn->src_reg, insn->off, BPF_SIZE(insn->code), BPF_READ,
				insn->dst_reg, true, false);
}

static int check_atomic_store(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	int err = check_reg_arg(env, insn->src_reg, SRC_OP);
	if (err)
		return err;
	err = check_reg_arg(env, insn->dst_reg, SRC_OP);
	if (err)
		return err;
	if (!atomic_ptr_type_ok(env, insn->dst_reg)) {
		verbose(env, "BPF_ATOMIC stores into R%d %s is not allowed\n", insn->dst_reg,
			reg_type_str(env, cur_regs(env)[insn->dst_reg].type));
		return -EACCES;
	}
	return check_mem_access(env, env->insn_idx, insn->dst_reg, insn->off, BPF_SIZE(insn->code), BPF_WRITE,
				insn->src_reg, true, false);
}

int check_atomic(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	switch (insn->imm) {
	case BPF_ADD: case BPF_ADD | BPF_FETCH: case BPF_AND: case BPF_AND | BPF_FETCH: case BPF_OR:
	case BPF_OR | BPF_FETCH: case BPF_XOR: case BPF_XOR | BPF_FETCH: case BPF_XCHG: case BPF_CMPXCHG:
		return check_atomic_rmw(env, insn);
	case BPF_LOAD_ACQ:
		return check_atomic_load(env, insn);
	case BPF_STORE_REL:
		return check_atomic_store(env, insn);
	default:
		verbose(env, "BPF_ATOMIC uses invalid atomic opcode %02x\n", insn->imm);
		return -EINVAL;
	}
}

int check_ld_abs(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpf_reg_state *regs = cur_regs(env);
	const int ctx_reg = BPF_REG_6;
	uint8_t mode = BPF_MODE(insn->code);
	static const int caller_saved[] = { BPF_REG_0, BPF_REG_1, BPF_REG_2, BPF_REG_3, BPF_REG_4, BPF_REG_5 };
	int err;

	if (!env->ops || !env->ops->has_ld_abs) {
		verbose(env, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
		return -EINVAL;
	}
	if (insn->dst_reg != BPF_REG_0 || insn->off != 0 || BPF_SIZE(insn->code) == BPF_DW ||
	    (mode == BPF_ABS && insn->src_reg != BPF_REG_0)) {
		verbose(env, "BPF_LD_[ABS|IND] uses reserved fields\n");
		return -EINVAL;
	}
	/* check whether implicit source operand (register R6) is readable */
	err = check_reg_arg(env, ctx_reg, SRC_OP);
	if (err)
		return err;
	/* no LD_ABS with references held: the rewrite cannot release them */
	err = check_resource_leak(env, false, true, "BPF_LD_[ABS|IND]");
	if (err)
		return err;
	if (regs[ctx_reg].type != PTR_TO_CTX) {
		verbose(env, "at the time of BPF_LD_ABS|IND R6 != pointer to skb\n");
		return -EINVAL;
	}
	if (mode == BPF_IND) {
		/* check explicit source operand */
		err = check_reg_arg(env, insn->src_reg, SRC_OP);
		if (err)
			return err;
	}
	err = __check_ptr_off_reg(env, &regs[ctx_reg], ctx_reg, false);
	if (err < 0)
		return err;
	/* reset caller saved regs to unreadable */
	for (int i = 0; i < 6; i++)
		mark_reg_not_init(env, regs, caller_saved[i]);
	/* R0 holds the value fetched from the packet */
	mark_reg_unknown(env, regs, BPF_REG_0);
	return 0;
}

int check_helper_mem_access(struct bpfvm_verifier_env *env, int regno, int access_size, int access_type,
			    bool zero_size_allowed, bool raw_mode)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];

	switch (base_type(reg->type)) {
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		return check_packet_access(env, regno, reg->off, access_size, zero_size_allowed);
	case PTR_TO_MAP_KEY:
		if (access_type == BPF_WRITE) {
			verbose(env, "R%d cannot write into %s\n", regno, reg_type_str(env, reg->type));
			return -EACCES;
		}
		return check_mem_region_access(env, regno, reg->off, access_size, reg->map_ptr ? reg->map_ptr->key_size : 0,
					       false);
	case PTR_TO_MAP_VALUE:
		if (check_map_access_type(env, regno, reg->off, access_size, access_type))
			return -EACCES;
		return check_map_access_src(env, regno, reg->off, access_size, zero_size_allowed, false);
	case PTR_TO_MEM:
		if (reg->type & MEM_RDONLY && access_type == BPF_WRITE) {
			verbose(env, "R%d cannot write into %s\n", regno, reg_type_str(env, reg->type));
			return -EACCES;
		}
		return check_mem_region_access(env, regno, reg->off, access_size, reg->mem_size, zero_size_allowed);
	case PTR_TO_STACK:
		return check_stack_range_initialized(env, regno, reg->off, access_size, zero_size_allowed, access_type,
						     raw_mode);
	case PTR_TO_BTF_ID:
		return 0;
	case PTR_TO_CTX:
		/* a ctx without a fixed layout (syscall programs) is checked when the program runs */
		if (env->ops && env->ops->ctx_unknown_size) {
			if (access_size == 0)
				return zero_size_allowed ? 0 : -EACCES;
			return check_mem_access(env, env->insn_idx, regno, access_size - 1, BPF_B, access_type, -1, false,
						false);
		}
		/* fallthrough */
	default:
		/* allow zero-byte read from NULL, regardless of pointer type */
		if (zero_size_allowed && access_size == 0 && register_is_null(reg))
			return 0;
		verbose(env, "R%d type=%s ", regno, reg_type_str(env, reg->type));
		verbose(env, "expected=%s\n", reg_type_str(env, PTR_TO_STACK));
		return -EACCES;
	}
}

void clear_all_pkt_pointers(struct bpfvm_verifier_env *env)
{
	struct bpf_verifier_state *vstate = env->cur_state;

	/* a helper that may change the packet makes every packet pointer unknown */
	for (uint32_t f = 0; f <= vstate->curframe; f++) {
		struct bpf_func_state *fr = vstate->frame[f];
		for (int r = 0; r < MAX_BPF_REG; r++)
			if (reg_is_pkt_pointer_any(&fr->regs[r]))
				mark_reg_unknown(env, fr->regs, r);
		for (int s = 0; s < fr->allocated_stack / BPF_REG_SIZE; s++)
			if (is_spilled_reg(&fr->stack[s]) && reg_is_pkt_pointer_any(&fr->stack[s].spilled_ptr))
				__mark_reg_unknown(env, &fr->stack[s].spilled_ptr);
	}
}
