/* calls.c - calls: helper calls checked against their prototypes, bpf-to-bpf calls and returns, callbacks
 * (bpf_loop), acquired references, the program's return value */
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progtypes/progtype.h"
#include "verifier/calls.h"
#include "verifier/verifier.h"

#define BPF_MAX_VAR_SIZ (1 << 29)
static const int caller_saved[] = { BPF_REG_0, BPF_REG_1, BPF_REG_2, BPF_REG_3, BPF_REG_4, BPF_REG_5 };
#define CALLER_SAVED_REGS 6

struct bpf_call_arg_meta {
	const struct bpfvm_map_info *map_ptr;
	uint32_t map_idx;
	bool raw_mode;
	bool pkt_access;
	int release_regno;
	int regno;
	int access_size;
	int mem_size;
	uint64_t msize_max_value;
	uint32_t ref_obj_id;
	int func_id;
	int subprogno;
	const char *ret_btf_name;
	int64_t const_map_key; /* a constant key of an array lookup, -1 if not known */
};

static bool can_elide_value_nullness(uint32_t map_type)
{
	return map_type == BPF_MAP_TYPE_ARRAY || map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* a key on the stack known to be a constant: zeroed bytes or a constant scalar spill of the key's size */
static int get_constant_map_key(struct bpfvm_verifier_env *env, const struct bpf_reg_state *key, uint32_t key_size,
				int64_t *value)
{
	struct bpf_func_state *state = func(env, key);
	int slot, spi, off, spill_size = 0, zero_size = 0, stack_off, i;
	const uint8_t *stype;

	if (key->type != PTR_TO_STACK || !tnum_is_const(key->var_off))
		return -EOPNOTSUPP;
	stack_off = key->off + (int)key->var_off.value;
	slot = -stack_off - 1;
	if (slot < 0 || slot >= MAX_BPF_STACK)
		return -EOPNOTSUPP;
	spi = slot / BPF_REG_SIZE;
	off = slot % BPF_REG_SIZE;
	stype = state->stack[spi].slot_type;
	for (i = off; i >= 0 && stype[i] == STACK_ZERO; i--)
		zero_size++;
	if ((uint32_t)zero_size >= key_size) {
		*value = 0;
		return 0;
	}
	if (!is_spilled_reg(&state->stack[spi]) || state->stack[spi].spilled_ptr.type != SCALAR_VALUE)
		return -EOPNOTSUPP;
	for (i = off; i >= 0 && stype[i] == STACK_SPILL; i--)
		spill_size++;
	if ((uint32_t)spill_size != key_size)
		return -EOPNOTSUPP;
	if (!tnum_is_const(state->stack[spi].spilled_ptr.var_off))
		return -EOPNOTSUPP;
	*value = (int64_t)state->stack[spi].spilled_ptr.var_off.value;
	/* the lookup's result depends on this constant: it must not be pruned against another key */
	return mark_stack_slot_precise(env, state->frameno, spi);
}

/* ---- references ---- */

int acquire_reference(struct bpfvm_verifier_env *env, int insn_idx)
{
	struct bpf_verifier_state *state = env->cur_state;
	if (state->acquired_refs >= MAX_ACQUIRED_REFS) {
		verbose(env, "too many acquired references\n");
		return -ENOMEM;
	}
	struct bpf_reference_state *r = &state->refs[state->acquired_refs++];
	r->type = REF_TYPE_PTR;
	r->id = ++env->id_gen;
	r->insn_idx = insn_idx;
	return (int)r->id;
}

int release_reference(struct bpfvm_verifier_env *env, int ref_obj_id)
{
	struct bpf_verifier_state *vstate = env->cur_state;
	bool found = false;

	for (uint32_t i = 0; i < vstate->acquired_refs; i++)
		if (vstate->refs[i].id == (uint32_t)ref_obj_id && vstate->refs[i].type == REF_TYPE_PTR) {
			vstate->refs[i] = vstate->refs[--vstate->acquired_refs];
			found = true;
			break;
		}
	if (!found)
		return -EINVAL;
	/* every copy of the released pointer becomes unusable */
	for (uint32_t f = 0; f <= vstate->curframe; f++) {
		struct bpf_func_state *fr = vstate->frame[f];
		for (int r = 0; r < MAX_BPF_REG; r++)
			if (fr->regs[r].ref_obj_id == (uint32_t)ref_obj_id)
				mark_reg_invalid(env, &fr->regs[r]);
		for (int s = 0; s < fr->allocated_stack / BPF_REG_SIZE; s++)
			if (is_spilled_reg(&fr->stack[s]) && fr->stack[s].spilled_ptr.ref_obj_id == (uint32_t)ref_obj_id)
				mark_reg_invalid(env, &fr->stack[s].spilled_ptr);
	}
	return 0;
}

void mark_reg_invalid(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg)
{
	/* privileged: a released pointer is an unknown scalar */
	__mark_reg_unknown(env, reg);
}

int check_reference_leak(struct bpfvm_verifier_env *env, bool exception_exit)
{
	struct bpf_verifier_state *state = env->cur_state;
	bool refs_lingering = false;

	if (!exception_exit && state->frame[state->curframe]->frameno)
		return 0;
	for (uint32_t i = 0; i < state->acquired_refs; i++) {
		if (state->refs[i].type != REF_TYPE_PTR)
			continue;
		verbose(env, "Unreleased reference id=%d alloc_insn=%d\n", state->refs[i].id, state->refs[i].insn_idx);
		refs_lingering = true;
	}
	return refs_lingering ? -EINVAL : 0;
}

int check_resource_leak(struct bpfvm_verifier_env *env, bool exception_exit, bool check_lock,
			       const char *prefix)
{
	int err;

	if (check_lock && env->cur_state->active_locks) {
		verbose(env, "%s cannot be used inside bpf_spin_lock-ed region\n", prefix);
		return -EINVAL;
	}
	err = check_reference_leak(env, exception_exit);
	if (err) {
		verbose(env, "%s would lead to reference leak\n", prefix);
		return err;
	}
	if (check_lock && env->cur_state->active_rcu_lock) {
		verbose(env, "%s cannot be used inside bpf_rcu_read_lock-ed region\n", prefix);
		return -EINVAL;
	}
	return 0;
}

/* ---- argument types ---- */

struct bpf_reg_types {
	uint32_t types[10];
};

static const struct bpf_reg_types mem_types = { { PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY,
						  PTR_TO_MAP_VALUE, PTR_TO_MEM, PTR_TO_MEM | MEM_RINGBUF, PTR_TO_BUF,
						  PTR_TO_BTF_ID | PTR_TRUSTED } };
static const struct bpf_reg_types scalar_types = { { SCALAR_VALUE } };
static const struct bpf_reg_types int_ptr_types = { { PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META,
						      PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE } };
static const struct bpf_reg_types sock_types = { { PTR_TO_SOCK_COMMON, PTR_TO_SOCKET, PTR_TO_TCP_SOCK,
						   PTR_TO_XDP_SOCK } };
static const struct bpf_reg_types btf_id_sock_common_types = { { PTR_TO_SOCK_COMMON, PTR_TO_SOCKET, PTR_TO_TCP_SOCK,
								 PTR_TO_XDP_SOCK, PTR_TO_BTF_ID,
								 PTR_TO_BTF_ID | PTR_TRUSTED } };
static const struct bpf_reg_types fullsock_types = { { PTR_TO_SOCKET } };
static const struct bpf_reg_types const_map_ptr_types = { { CONST_PTR_TO_MAP } };
static const struct bpf_reg_types context_types = { { PTR_TO_CTX } };
static const struct bpf_reg_types ringbuf_mem_types = { { PTR_TO_MEM | MEM_RINGBUF } };
static const struct bpf_reg_types spin_lock_types = { { PTR_TO_MAP_VALUE, PTR_TO_BTF_ID | MEM_ALLOC } };
static const struct bpf_reg_types percpu_btf_ptr_types = { { PTR_TO_BTF_ID | MEM_PERCPU,
							     PTR_TO_BTF_ID | MEM_PERCPU | MEM_RCU,
							     PTR_TO_BTF_ID | MEM_PERCPU | PTR_TRUSTED } };
static const struct bpf_reg_types func_ptr_types = { { PTR_TO_FUNC } };
static const struct bpf_reg_types stack_ptr_types = { { PTR_TO_STACK } };
static const struct bpf_reg_types const_str_ptr_types = { { PTR_TO_MAP_VALUE } };
static const struct bpf_reg_types timer_types = { { PTR_TO_MAP_VALUE } };
static const struct bpf_reg_types kptr_xchg_dest_types = { { PTR_TO_MAP_VALUE, PTR_TO_BTF_ID | MEM_ALLOC } };
static const struct bpf_reg_types btf_ptr_types = { { PTR_TO_BTF_ID, PTR_TO_BTF_ID | PTR_TRUSTED,
						      PTR_TO_BTF_ID | MEM_RCU } };
static const struct bpf_reg_types dynptr_types = { { PTR_TO_STACK, CONST_PTR_TO_DYNPTR } };

static const struct bpf_reg_types *compatible_reg_types(uint32_t arg)
{
	switch (arg) {
	case ARG_PTR_TO_MAP_KEY: case ARG_PTR_TO_MAP_VALUE: case ARG_PTR_TO_MEM: return &mem_types;
	case ARG_CONST_SIZE: case ARG_CONST_SIZE_OR_ZERO: case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		return &scalar_types;
	case ARG_PTR_TO_CTX: return &context_types;
	case ARG_CONST_MAP_PTR: return &const_map_ptr_types;
	case ARG_PTR_TO_SOCK_COMMON: return &sock_types;
	case ARG_PTR_TO_BTF_ID_SOCK_COMMON: return &btf_id_sock_common_types;
	case ARG_PTR_TO_SOCKET: return &fullsock_types;
	case ARG_PTR_TO_BTF_ID: return &btf_ptr_types;
	case ARG_PTR_TO_SPIN_LOCK: return &spin_lock_types;
	case ARG_PTR_TO_LONG: case ARG_PTR_TO_INT: return &int_ptr_types;
	case ARG_PTR_TO_RINGBUF_MEM: return &ringbuf_mem_types;
	case ARG_PTR_TO_PERCPU_BTF_ID: return &percpu_btf_ptr_types;
	case ARG_PTR_TO_FUNC: return &func_ptr_types;
	case ARG_PTR_TO_STACK: return &stack_ptr_types;
	case ARG_PTR_TO_CONST_STR: return &const_str_ptr_types;
	case ARG_PTR_TO_TIMER: return &timer_types;
	case ARG_KPTR_XCHG_DEST: return &kptr_xchg_dest_types;
	case ARG_PTR_TO_DYNPTR: return &dynptr_types;
	default: return NULL;
	}
}

static int check_reg_type(struct bpfvm_verifier_env *env, uint32_t regno, uint32_t arg_type,
			  struct bpf_call_arg_meta *meta)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	uint32_t type = reg->type;
	const struct bpf_reg_types *compatible = compatible_reg_types(base_type(arg_type));
	int i, j;

	if (!compatible) {
		verbose(env, "verifier internal error: unsupported arg type %d\n", arg_type);
		return -EFAULT;
	}
	/* ARG_PTR_TO_MEM | MEM_RDONLY takes read-only memory too; MAYBE_NULL args take maybe-NULL pointers */
	if (arg_type & MEM_RDONLY)
		type &= ~MEM_RDONLY;
	if (arg_type & PTR_MAYBE_NULL)
		type &= ~PTR_MAYBE_NULL;
	if (meta->func_id == BPF_FUNC_kptr_xchg && (type & MEM_ALLOC) && regno == BPF_REG_2)
		type &= ~(MEM_ALLOC | MEM_PERCPU);
	for (i = 0; i < 10; i++) {
		uint32_t expected = compatible->types[i];
		if (expected == NOT_INIT)
			break;
		if (type == expected)
			goto found;
	}
	verbose(env, "R%d type=%s expected=", regno, reg_type_str(env, reg->type));
	for (j = 0; j + 1 < i; j++)
		verbose(env, "%s, ", reg_type_str(env, compatible->types[j]));
	verbose(env, "%s\n", reg_type_str(env, compatible->types[j]));
	return -EACCES;
found:
	return 0;
}

static int check_func_arg_reg_off(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, int regno,
				  uint32_t arg_type)
{
	uint32_t type = reg->type;

	/* a released pointer must be unmodified */
	if (arg_type & OBJ_RELEASE) {
		if (base_type(type) == PTR_TO_MEM && (type & MEM_RINGBUF) && reg->off) {
			verbose(env, "R%d must have zero offset when passed to release func or trusted arg to kfunc\n",
				regno);
			return -EINVAL;
		}
		return __check_ptr_off_reg(env, reg, regno, false);
	}
	switch (type) {
	/* pointer types where both fixed and variable offset are explicitly allowed */
	case PTR_TO_STACK: case PTR_TO_PACKET: case PTR_TO_PACKET_META: case PTR_TO_MAP_KEY: case PTR_TO_MAP_VALUE:
	case PTR_TO_MEM: case PTR_TO_MEM | MEM_RDONLY: case PTR_TO_MEM | MEM_RINGBUF: case PTR_TO_BUF:
	case PTR_TO_BUF | MEM_RDONLY: case PTR_TO_ARENA: case SCALAR_VALUE:
		return 0;
	/* PTR_TO_BTF_ID allows a fixed offset */
	case PTR_TO_BTF_ID: case PTR_TO_BTF_ID | MEM_ALLOC: case PTR_TO_BTF_ID | PTR_TRUSTED:
	case PTR_TO_BTF_ID | MEM_RCU:
		return __check_ptr_off_reg(env, reg, regno, true);
	default:
		return __check_ptr_off_reg(env, reg, regno, false);
	}
}

static int check_mem_size_reg(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg, uint32_t regno,
			      int access_type, bool zero_size_allowed, struct bpf_call_arg_meta *meta)
{
	bool raw = meta && meta->raw_mode;
	int err;

	meta->msize_max_value = reg->umax_value;
	/* a variable size never leaves memory uninitialized by the helper */
	if (!tnum_is_const(reg->var_off))
		raw = false;
	if (reg->smin_value < 0) {
		verbose(env, "R%d min value is negative, either use unsigned or 'var &= const'\n", regno);
		return -EACCES;
	}
	if (reg->umin_value == 0 && !zero_size_allowed) {
		verbose(env, "R%d invalid zero-sized read: u64=[%lld,%lld]\n", regno, (long long)reg->umin_value,
			(long long)reg->umax_value);
		return -EACCES;
	}
	if (reg->umax_value >= BPF_MAX_VAR_SIZ) {
		verbose(env, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno);
		return -EACCES;
	}
	err = check_helper_mem_access(env, regno - 1, (int)reg->umax_value, access_type, zero_size_allowed, raw);
	if (!err)
		mark_chain_precision(env, regno);
	return err;
}

static int check_func_arg(struct bpfvm_verifier_env *env, uint32_t arg, struct bpf_call_arg_meta *meta,
			  const struct helper_proto *fn)
{
	uint32_t regno = BPF_REG_1 + arg;
	struct bpf_reg_state *regs = cur_regs(env), *reg = &regs[regno];
	uint32_t arg_type = fn->arg_type[arg];
	uint32_t type = reg->type;
	int err = 0;

	if (arg_type == ARG_DONTCARE)
		return 0;
	err = check_reg_arg(env, regno, SRC_OP);
	if (err)
		return err;
	if (arg_type == ARG_ANYTHING) {
		if (is_pointer_value(env, regno)) {
			verbose(env, "R%d leaks addr into helper function\n", regno);
			return -EACCES;
		}
		return 0;
	}
	if ((base_type(type) == PTR_TO_PACKET || base_type(type) == PTR_TO_PACKET_META) && !fn->pkt_access &&
	    !(may_access_direct_pkt_data(env, BPF_READ) && false)) {
		/* only helpers declared with pkt_access take packet pointers */
		if (!may_access_direct_pkt_data(env, BPF_READ) || !fn->pkt_access) {
			verbose(env, "helper access to the packet is not allowed\n");
			return -EACCES;
		}
	}
	if (base_type(arg_type) == ARG_PTR_TO_MAP_VALUE && meta->map_ptr &&
	    (meta->map_ptr->type == BPF_MAP_TYPE_SOCKMAP || meta->map_ptr->type == BPF_MAP_TYPE_SOCKHASH))
		arg_type = ARG_PTR_TO_BTF_ID_SOCK_COMMON;
	if (register_is_null(reg) && (arg_type & PTR_MAYBE_NULL))
		/* a NULL register has a SCALAR_VALUE type: skip type checking */
		goto skip_type_check;
	err = check_reg_type(env, regno, arg_type, meta);
	if (err)
		return err;
	err = check_func_arg_reg_off(env, reg, regno, arg_type);
	if (err)
		return err;
skip_type_check:
	if (arg_type & OBJ_RELEASE) {
		if (register_is_null(reg) && (arg_type & PTR_MAYBE_NULL)) {
			/* releasing NULL is a no-op */
		} else if (!reg->ref_obj_id) {
			verbose(env, "R%d must be referenced when passed to release function\n", regno);
			return -EINVAL;
		} else if (meta->release_regno) {
			verbose(env, "verifier internal error: more than one release argument\n");
			return -EFAULT;
		} else {
			meta->release_regno = regno;
		}
	}
	if (reg->ref_obj_id && base_type(arg_type) != ARG_KPTR_XCHG_DEST) {
		if (meta->ref_obj_id) {
			verbose(env, "verifier internal error: more than one arg with ref_obj_id R%d %u %u\n", regno,
				reg->ref_obj_id, meta->ref_obj_id);
			return -EFAULT;
		}
		meta->ref_obj_id = reg->ref_obj_id;
	}

	switch (base_type(arg_type)) {
	case ARG_CONST_MAP_PTR:
		meta->map_ptr = reg->map_ptr;
		meta->map_idx = reg->map_idx;
		break;
	case ARG_PTR_TO_MAP_KEY:
		if (!meta->map_ptr) {
			verbose(env, "invalid map_ptr to access map->key\n");
			return -EACCES;
		}
		err = check_helper_mem_access(env, regno, (int)meta->map_ptr->key_size, BPF_READ, false, false);
		if (!err && can_elide_value_nullness(meta->map_ptr->type) &&
		    get_constant_map_key(env, reg, meta->map_ptr->key_size, &meta->const_map_key) < 0)
			meta->const_map_key = -1;
		break;
	case ARG_PTR_TO_MAP_VALUE:
		if ((arg_type & PTR_MAYBE_NULL) && register_is_null(reg))
			return 0;
		if (!meta->map_ptr) {
			verbose(env, "invalid map_ptr to access map->value\n");
			return -EACCES;
		}
		meta->raw_mode = arg_type & MEM_UNINIT;
		err = check_helper_mem_access(env, regno, (int)meta->map_ptr->value_size,
					      arg_type & MEM_WRITE ? BPF_WRITE : BPF_READ, false, meta->raw_mode);
		break;
	case ARG_PTR_TO_PERCPU_BTF_ID:
		if (!reg->btf_name) {
			verbose(env, "Helper has invalid btf_id in R%d\n", regno);
			return -EACCES;
		}
		meta->ret_btf_name = reg->btf_name;
		break;
	case ARG_PTR_TO_SPIN_LOCK:
		/* process_spin_lock: the lock of one map value, held by one path at a time */
		if (!tnum_is_const(reg->var_off)) {
			verbose(env, "R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset\n",
				regno);
			return -EINVAL;
		}
		if (!reg->map_ptr || reg->map_ptr->spin_lock_off < 0) {
			verbose(env, "map '%s' has no valid bpf_spin_lock\n", "");
			return -EINVAL;
		}
		if ((int64_t)reg->var_off.value + reg->off != reg->map_ptr->spin_lock_off) {
			verbose(env, "off %lld doesn't point to 'struct bpf_spin_lock' that is at %d\n",
				(long long)((int64_t)reg->var_off.value + reg->off), reg->map_ptr->spin_lock_off);
			return -EINVAL;
		}
		if (meta->func_id == BPF_FUNC_spin_lock) {
			if (env->cur_state->active_locks) {
				verbose(env, "Locking two bpf_spin_locks are not allowed\n");
				return -EINVAL;
			}
			env->cur_state->active_locks++;
			env->cur_state->active_lock_id = reg->id;
			env->cur_state->active_lock_ptr = reg->map_ptr;
		} else if (meta->func_id == BPF_FUNC_spin_unlock) {
			if (!env->cur_state->active_locks) {
				verbose(env, "bpf_spin_unlock without taking a lock\n");
				return -EINVAL;
			}
			if (env->cur_state->active_lock_id != reg->id || env->cur_state->active_lock_ptr != reg->map_ptr) {
				verbose(env, "bpf_spin_unlock of different lock\n");
				return -EINVAL;
			}
			env->cur_state->active_locks--;
			env->cur_state->active_lock_id = 0;
			env->cur_state->active_lock_ptr = NULL;
		}
		break;
	case ARG_PTR_TO_TIMER:
		break;
	case ARG_PTR_TO_FUNC:
		meta->subprogno = reg->subprogno;
		break;
	case ARG_PTR_TO_MEM:
		/* checked with the size argument that follows */
		meta->raw_mode = arg_type & MEM_UNINIT;
		if (arg_type & MEM_FIXED_SIZE)
			err = check_helper_mem_access(env, regno, (int)fn->arg_size[arg],
						      arg_type & MEM_WRITE ? BPF_WRITE : BPF_READ, false, meta->raw_mode);
		break;
	case ARG_CONST_SIZE:
		err = check_mem_size_reg(env, reg, regno, fn->arg_type[arg - 1] & MEM_WRITE ? BPF_WRITE : BPF_READ,
					 false, meta);
		break;
	case ARG_CONST_SIZE_OR_ZERO:
		err = check_mem_size_reg(env, reg, regno, fn->arg_type[arg - 1] & MEM_WRITE ? BPF_WRITE : BPF_READ,
					 true, meta);
		break;
	case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (!tnum_is_const(reg->var_off)) {
			verbose(env, "R%d is not a known constant'\n", regno);
			return -EACCES;
		}
		meta->mem_size = (int)reg->var_off.value;
		mark_chain_precision(env, (int)regno);
		break;
	case ARG_PTR_TO_INT:
	case ARG_PTR_TO_LONG: {
		int size = base_type(arg_type) == ARG_PTR_TO_INT ? 4 : 8;
		err = check_helper_mem_access(env, regno, size, BPF_WRITE, false, meta->raw_mode);
		break;
	}
	case ARG_PTR_TO_CONST_STR:
		if (!reg->map_ptr || !(reg->map_ptr->map_flags & BPF_F_RDONLY_PROG)) {
			verbose(env, "R%d does not point to a readonly map'\n", regno);
			return -EACCES;
		}
		break;
	case ARG_KPTR_XCHG_DEST:
		if (base_type(reg->type) == PTR_TO_MAP_VALUE) {
			/* the destination must be a referenced kptr field at a constant offset */
			const struct bpfvm_map_info *map = reg->map_ptr;
			uint64_t kptr_off = reg->off + reg->var_off.value;
			bool found = false;
			if (!tnum_is_const(reg->var_off)) {
				verbose(env, "R%d doesn't have constant offset. kptr has to be at the constant offset\n",
					regno);
				return -EINVAL;
			}
			for (uint32_t i = 0; map && i < map->n_kptrs; i++)
				if (map->kptrs[i].off == kptr_off) {
					found = true;
					if (map->kptrs[i].kind == BPFVM_KPTR_UNTRUSTED) {
						verbose(env, "off=%d kptr isn't referenced kptr\n", (int)kptr_off);
						return -EACCES;
					}
					meta->ret_btf_name = map->kptrs[i].type_name;
				}
			if (!found) {
				verbose(env, "off=%d doesn't point to kptr\n", (int)kptr_off);
				return -EACCES;
			}
		}
		break;
	default:
		break;
	}
	return err;
}

/* may a program of this type update or delete sockmap/sockhash entries (it cannot hold a locked socket there)? */
static bool may_update_sockmap(struct bpfvm_verifier_env *env, int32_t func_id)
{
	if (func_id != BPF_FUNC_map_update_elem && func_id != BPF_FUNC_map_delete_elem)
		return false;
	switch (env->prog_type) {
	case BPF_PROG_TYPE_TRACING:
		if (env->expected_attach_type == BPF_TRACE_ITER)
			return true;
		break;
	case BPF_PROG_TYPE_SOCK_OPS:
		if (func_id == BPF_FUNC_map_delete_elem) /* updates go through the dedicated helpers */
			return true;
		break;
	case BPF_PROG_TYPE_SOCKET_FILTER: case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP: case BPF_PROG_TYPE_SK_REUSEPORT: case BPF_PROG_TYPE_FLOW_DISSECTOR:
	case BPF_PROG_TYPE_SK_LOOKUP:
		return true;
	default:
		break;
	}
	verbose(env, "cannot update sockmap in this context\n");
	return false;
}

/* the inner map of a map-in-map as a map the verifier can check uses of (the kernel's inner_map_meta) */
static const struct bpfvm_map_info *inner_map_of(struct bpfvm_verifier_env *env, const struct bpfvm_map_info *outer)
{
	const struct bpfvm_verify_opts *o = env->opts;
	if (!o->maps || outer < o->maps || outer >= o->maps + o->map_cnt)
		return outer; /* not one of the program's maps: nothing better is known */
	if (!env->inner_maps && !(env->inner_maps = calloc(o->map_cnt, sizeof(*env->inner_maps))))
		return NULL;
	struct bpfvm_map_info *in = &env->inner_maps[outer - o->maps];
	*in = (struct bpfvm_map_info){ .type = outer->inner_map_type, .key_size = outer->inner_key_size,
				       .value_size = outer->inner_value_size, .max_entries = outer->inner_max_entries,
				       .spin_lock_off = -1, .timer_off = -1 };
	return in;
}

static int check_map_func_compatibility(struct bpfvm_verifier_env *env, const struct bpfvm_map_info *map,
					int func_id)
{
	uint32_t mt;

	if (!map)
		return 0;
	mt = map->type;
	/* a map type that works only with some helpers */
	switch (mt) {
	case BPF_MAP_TYPE_PROG_ARRAY:
		if (func_id != BPF_FUNC_tail_call)
			goto error;
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		if (func_id != BPF_FUNC_perf_event_read && func_id != BPF_FUNC_perf_event_output &&
		    func_id != BPF_FUNC_skb_output && func_id != BPF_FUNC_perf_event_read_value &&
		    func_id != BPF_FUNC_xdp_output)
			goto error;
		break;
	case BPF_MAP_TYPE_RINGBUF:
		if (func_id != BPF_FUNC_ringbuf_output && func_id != BPF_FUNC_ringbuf_reserve &&
		    func_id != BPF_FUNC_ringbuf_query && func_id != BPF_FUNC_ringbuf_reserve_dynptr &&
		    func_id != BPF_FUNC_user_ringbuf_drain)
			goto error;
		break;
	case BPF_MAP_TYPE_STACK_TRACE:
		if (func_id != BPF_FUNC_get_stackid)
			goto error;
		break;
	case BPF_MAP_TYPE_CGROUP_ARRAY:
		if (func_id != BPF_FUNC_skb_under_cgroup && func_id != BPF_FUNC_current_task_under_cgroup)
			goto error;
		break;
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		if (func_id != BPF_FUNC_get_local_storage)
			goto error;
		break;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		if (func_id != BPF_FUNC_redirect_map && func_id != BPF_FUNC_map_lookup_elem)
			goto error;
		break;
	case BPF_MAP_TYPE_CPUMAP:
		if (func_id != BPF_FUNC_redirect_map)
			goto error;
		break;
	case BPF_MAP_TYPE_XSKMAP:
		if (func_id != BPF_FUNC_redirect_map && func_id != BPF_FUNC_map_lookup_elem)
			goto error;
		break;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		if (func_id != BPF_FUNC_map_lookup_elem)
			goto error;
		break;
	case BPF_MAP_TYPE_SOCKMAP:
		if (func_id != BPF_FUNC_sk_redirect_map && func_id != BPF_FUNC_sock_map_update &&
		    func_id != BPF_FUNC_msg_redirect_map && func_id != BPF_FUNC_sk_select_reuseport &&
		    func_id != BPF_FUNC_map_lookup_elem && !may_update_sockmap(env, func_id))
			goto error;
		break;
	case BPF_MAP_TYPE_SOCKHASH:
		if (func_id != BPF_FUNC_sk_redirect_hash && func_id != BPF_FUNC_sock_hash_update &&
		    func_id != BPF_FUNC_msg_redirect_hash && func_id != BPF_FUNC_sk_select_reuseport &&
		    func_id != BPF_FUNC_map_lookup_elem && !may_update_sockmap(env, func_id))
			goto error;
		break;
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		if (func_id != BPF_FUNC_sk_select_reuseport)
			goto error;
		break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		if (func_id != BPF_FUNC_map_peek_elem && func_id != BPF_FUNC_map_pop_elem &&
		    func_id != BPF_FUNC_map_push_elem)
			goto error;
		break;
	case BPF_MAP_TYPE_SK_STORAGE:
		if (func_id != BPF_FUNC_sk_storage_get && func_id != BPF_FUNC_sk_storage_delete &&
		    func_id != BPF_FUNC_kptr_xchg)
			goto error;
		break;
	default:
		break;
	}
	/* ... and a helper that works only with some map types */
	switch (func_id) {
	case BPF_FUNC_tail_call:
		if (mt != BPF_MAP_TYPE_PROG_ARRAY)
			goto error;
		break;
	case BPF_FUNC_perf_event_read:
	case BPF_FUNC_perf_event_output:
	case BPF_FUNC_perf_event_read_value:
	case BPF_FUNC_skb_output:
	case BPF_FUNC_xdp_output:
		if (mt != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			goto error;
		break;
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_query:
		if (mt != BPF_MAP_TYPE_RINGBUF)
			goto error;
		break;
	case BPF_FUNC_get_stackid:
		if (mt != BPF_MAP_TYPE_STACK_TRACE)
			goto error;
		break;
	case BPF_FUNC_current_task_under_cgroup:
	case BPF_FUNC_skb_under_cgroup:
		if (mt != BPF_MAP_TYPE_CGROUP_ARRAY)
			goto error;
		break;
	case BPF_FUNC_redirect_map:
		if (mt != BPF_MAP_TYPE_DEVMAP && mt != BPF_MAP_TYPE_DEVMAP_HASH && mt != BPF_MAP_TYPE_CPUMAP &&
		    mt != BPF_MAP_TYPE_XSKMAP)
			goto error;
		break;
	case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_push_elem:
		if (mt != BPF_MAP_TYPE_QUEUE && mt != BPF_MAP_TYPE_STACK && mt != BPF_MAP_TYPE_BLOOM_FILTER)
			goto error;
		break;
	case BPF_FUNC_get_local_storage:
		if (mt != BPF_MAP_TYPE_CGROUP_STORAGE && mt != BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE)
			goto error;
		break;
	case BPF_FUNC_sk_storage_get:
	case BPF_FUNC_sk_storage_delete:
		if (mt != BPF_MAP_TYPE_SK_STORAGE)
			goto error;
		break;
	case BPF_FUNC_sock_map_update:
	case BPF_FUNC_msg_redirect_map:
	case BPF_FUNC_sk_redirect_map:
		if (mt != BPF_MAP_TYPE_SOCKMAP)
			goto error;
		break;
	case BPF_FUNC_sock_hash_update:
	case BPF_FUNC_msg_redirect_hash:
	case BPF_FUNC_sk_redirect_hash:
		if (mt != BPF_MAP_TYPE_SOCKHASH)
			goto error;
		break;
	case BPF_FUNC_sk_select_reuseport:
		if (mt != BPF_MAP_TYPE_REUSEPORT_SOCKARRAY && mt != BPF_MAP_TYPE_SOCKMAP && mt != BPF_MAP_TYPE_SOCKHASH)
			goto error;
		break;
	default:
		break;
	}
	return 0;
error:
	verbose(env, "cannot pass map_type %d into func %s#%d\n", mt, func_id_name(func_id), func_id);
	return -EINVAL;
}

/* ---- bpf-to-bpf calls and callbacks ---- */

static void init_func_state(struct bpfvm_verifier_env *env, struct bpf_func_state *state, int callsite,
			    uint32_t frameno, uint32_t subprogno)
{
	memset(state, 0, sizeof(*state));
	state->callsite = callsite;
	state->frameno = frameno;
	state->subprogno = subprogno;
	init_reg_state(env, state);
}

typedef int (*set_callee_state_fn)(struct bpfvm_verifier_env *env, struct bpf_func_state *caller,
				   struct bpf_func_state *callee, int insn_idx);

static int set_callee_state(struct bpfvm_verifier_env *env, struct bpf_func_state *caller,
			    struct bpf_func_state *callee, int insn_idx)
{
	/* callee gets r1-r5 of the caller; r0 and r6-r9 are unreadable */
	for (int i = BPF_REG_1; i <= BPF_REG_5; i++)
		callee->regs[i] = caller->regs[i];
	return 0;
}

static int set_loop_callback_state(struct bpfvm_verifier_env *env, struct bpf_func_state *caller,
				   struct bpf_func_state *callee, int insn_idx)
{
	/* bpf_loop(nr_loops, callback_fn, callback_ctx, flags); callback_fn(u32 index, void *callback_ctx) */
	callee->regs[BPF_REG_1].type = SCALAR_VALUE;
	callee->regs[BPF_REG_2] = caller->regs[BPF_REG_3];
	__mark_reg_not_init(env, &callee->regs[BPF_REG_3]);
	__mark_reg_not_init(env, &callee->regs[BPF_REG_4]);
	__mark_reg_not_init(env, &callee->regs[BPF_REG_5]);
	callee->in_callback_fn = true;
	callee->callback_ret_min = 0;
	callee->callback_ret_max = 1;
	return 0;
}

static int set_map_elem_callback_state(struct bpfvm_verifier_env *env, struct bpf_func_state *caller,
				       struct bpf_func_state *callee, int insn_idx)
{
	/* bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags);
	 * callback_fn(struct bpf_map *map, void *key, void *value, void *callback_ctx) */
	const struct bpfvm_map_info *map = caller->regs[BPF_REG_1].map_ptr;
	(void)insn_idx;
	__mark_reg_known_zero(&callee->regs[BPF_REG_1]);
	callee->regs[BPF_REG_1].type = CONST_PTR_TO_MAP;
	callee->regs[BPF_REG_1].map_ptr = map;
	__mark_reg_known_zero(&callee->regs[BPF_REG_2]);
	callee->regs[BPF_REG_2].type = PTR_TO_MAP_KEY;
	callee->regs[BPF_REG_2].map_ptr = map;
	__mark_reg_known_zero(&callee->regs[BPF_REG_3]);
	callee->regs[BPF_REG_3].type = PTR_TO_MAP_VALUE;
	callee->regs[BPF_REG_3].map_ptr = map;
	callee->regs[BPF_REG_4] = caller->regs[BPF_REG_3]; /* a pointer to the stack, or NULL */
	__mark_reg_not_init(env, &callee->regs[BPF_REG_5]);
	callee->in_callback_fn = true;
	callee->callback_ret_min = 0;
	callee->callback_ret_max = 1;
	return 0;
}

static int setup_func_entry(struct bpfvm_verifier_env *env, int subprog, int callsite, set_callee_state_fn cb,
			    struct bpf_verifier_state *state)
{
	struct bpf_func_state *caller, *callee;
	int err;

	if (state->curframe + 1 >= MAX_CALL_FRAMES) {
		verbose(env, "the call stack of %d frames is too deep\n", state->curframe + 2);
		return -E2BIG;
	}
	caller = state->frame[state->curframe];
	callee = calloc(1, sizeof(*callee));
	if (!callee)
		return -ENOMEM;
	state->frame[state->curframe + 1] = callee;
	/* callee cannot read r0, r6-r9 and must write its own stack before reading it; it may access the caller's */
	init_func_state(env, callee, callsite, state->curframe + 1, (uint32_t)subprog);
	err = cb(env, caller, callee, callsite);
	if (err) {
		free(callee);
		state->frame[state->curframe + 1] = NULL;
		return err;
	}
	state->curframe++;
	return 0;
}

static void clear_caller_saved_regs(struct bpfvm_verifier_env *env, struct bpf_reg_state *regs)
{
	for (int i = 0; i < CALLER_SAVED_REGS; i++) {
		mark_reg_not_init(env, regs, caller_saved[i]);
		mark_reg_scratched(env, (uint32_t)caller_saved[i]); /* the log shows r0 after the call */
	}
}

int check_func_call(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx)
{
	struct bpf_verifier_state *state = env->cur_state;
	struct bpf_func_state *caller;
	int err, subprog, target_insn;

	target_insn = *insn_idx + insn->imm + 1;
	subprog = find_subprog(env, target_insn);
	if (subprog < 0) {
		verbose(env, "verifier bug. No program starts at insn %d\n", target_insn);
		return -EFAULT;
	}
	caller = state->frame[state->curframe];
	err = setup_func_entry(env, subprog, *insn_idx, set_callee_state, state);
	if (err)
		return err;
	clear_caller_saved_regs(env, caller->regs);
	/* and go analyze first insn of the callee */
	*insn_idx = env->subprog_info[subprog].start - 1;
	if (env->log_level & 1) {
		verbose(env, "caller:\n");
		print_verifier_state(env, state, caller, true);
		verbose(env, "callee:\n");
		print_verifier_state(env, state, state->frame[state->curframe], true);
	}
	return 0;
}

static int push_callback_call(struct bpfvm_verifier_env *env, int insn_idx, int subprog, set_callee_state_fn cb)
{
	struct bpf_verifier_state *state = env->cur_state, *callback_state;
	struct bpf_func_state *caller = state->frame[state->curframe];
	int err;

	if (subprog < 0 || (uint32_t)subprog >= env->subprog_cnt) {
		verbose(env, "verifier bug: bad callback subprog %d\n", subprog);
		return -EFAULT;
	}
	env->subprog_info[subprog].is_cb = true;
	/* the callback is explored as a separate path that returns to this call */
	callback_state = push_stack(env, env->subprog_info[subprog].start, insn_idx, false);
	if (!callback_state)
		return -ENOMEM;
	err = setup_func_entry(env, subprog, insn_idx, cb, callback_state);
	if (err)
		return err;
	callback_state->callback_unroll_depth++;
	callback_state->frame[callback_state->curframe - 1]->callback_depth++;
	caller->callback_depth = 0;
	return 0;
}

int prepare_func_exit(struct bpfvm_verifier_env *env, int *insn_idx)
{
	struct bpf_verifier_state *state = env->cur_state;
	struct bpf_func_state *caller, *callee;
	struct bpf_reg_state *r0;
	bool in_callback_fn;

	callee = state->frame[state->curframe];
	r0 = &callee->regs[BPF_REG_0];
	if (r0->type == PTR_TO_STACK) {
		/* the callee's stack pointer is invalid once it returns; be conservative with the others */
		verbose(env, "cannot return stack pointer to the caller\n");
		return -EINVAL;
	}
	caller = state->frame[state->curframe - 1];
	if (callee->in_callback_fn) {
		if (r0->type != SCALAR_VALUE) {
			verbose(env, "R0 not a scalar value\n");
			return -EACCES;
		}
		mark_chain_precision(env, BPF_REG_0);
		/* enforce R0 return value range */
		if (r0->smin_value < callee->callback_ret_min || r0->smax_value > callee->callback_ret_max) {
			verbose(env, "At callback return the register R0 has");
			bool unknown = true;
			if (r0->smin_value > S64_MIN) {
				verbose(env, " smin=%lld", (long long)r0->smin_value);
				unknown = false;
			}
			if (r0->smax_value < S64_MAX) {
				verbose(env, " smax=%lld", (long long)r0->smax_value);
				unknown = false;
			}
			if (unknown)
				verbose(env, " unknown scalar value");
			verbose(env, " should have been in [%d, %d]\n", callee->callback_ret_min, callee->callback_ret_max);
			return -EINVAL;
		}
	} else {
		/* return to the caller whatever r0 had in the callee */
		caller->regs[BPF_REG_0] = *r0;
	}
	/* callbacks return to their call site, where the helper decides whether to call again */
	in_callback_fn = callee->in_callback_fn;
	*insn_idx = in_callback_fn ? callee->callsite : callee->callsite + 1;
	if (env->log_level & 1) {
		verbose(env, "returning from callee:\n");
		print_verifier_state(env, state, callee, true);
		verbose(env, "to caller at %d:\n", *insn_idx);
		print_verifier_state(env, state, caller, true);
	}
	free(callee);
	state->frame[state->curframe--] = NULL;
	return 0;
}

/* ---- helper calls ---- */

bool helper_exists(int32_t func_id)
{
	return func_id > 0 && func_id < __BPF_FUNC_MAX_ID;
}

static bool is_acquire_function(int func_id, const struct bpfvm_map_info *map)
{
	uint32_t map_type = map ? map->type : BPF_MAP_TYPE_UNSPEC;

	if (func_id == BPF_FUNC_sk_lookup_tcp || func_id == BPF_FUNC_sk_lookup_udp ||
	    func_id == BPF_FUNC_skc_lookup_tcp || func_id == BPF_FUNC_ringbuf_reserve || func_id == BPF_FUNC_kptr_xchg)
		return true;
	if (func_id == BPF_FUNC_map_lookup_elem &&
	    (map_type == BPF_MAP_TYPE_SOCKMAP || map_type == BPF_MAP_TYPE_SOCKHASH))
		return true;
	return false;
}

static bool is_ptr_cast_function(int func_id)
{
	return func_id == BPF_FUNC_tcp_sock || func_id == BPF_FUNC_sk_fullsock || func_id == BPF_FUNC_skc_to_tcp_sock ||
	       func_id == BPF_FUNC_skc_to_tcp6_sock || func_id == BPF_FUNC_skc_to_udp6_sock ||
	       func_id == BPF_FUNC_skc_to_tcp_timewait_sock || func_id == BPF_FUNC_skc_to_tcp_request_sock;
}

int check_helper_call(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx_p)
{
	int insn_idx = *insn_idx_p;
	const struct helper_proto *fn;
	struct bpf_reg_state *regs;
	struct bpf_call_arg_meta meta;
	int func_id = insn->imm, err;
	uint32_t ret_type;

	/* find function prototype */
	if (func_id < 0 || func_id >= __BPF_FUNC_MAX_ID) {
		verbose(env, "invalid func %s#%d\n", func_id_name(func_id), func_id);
		return -EINVAL;
	}
	fn = helper_proto(func_id);
	int allowed = progtype_helper_allowed(env->prog_type, func_id);
	if (allowed < 0)
		allowed = env->ops && env->ops->helper_allowed && env->ops->helper_allowed(func_id);
	if (!allowed) {
		verbose(env, "program of this type cannot use helper %s#%d\n", func_id_name(func_id), func_id);
		return -EINVAL;
	}
	if (!fn) {
		/* a helper the kernel allows but bpfvm has no prototype for: refuse rather than guess */
		verbose(env, "program of this type cannot use helper %s#%d\n", func_id_name(func_id), func_id);
		return -EINVAL;
	}
	/* with LD_ABS/IND some JITs save/restore skb from r1 */
	if (fn->changes_pkt_data && base_type(fn->arg_type[0]) != ARG_PTR_TO_CTX) {
		verbose(env, "kernel subsystem misconfigured func %s#%d: r1 != ctx\n", func_id_name(func_id), func_id);
		return -EINVAL;
	}
	memset(&meta, 0, sizeof(meta));
	meta.pkt_access = fn->pkt_access;
	meta.func_id = func_id;
	meta.subprogno = -1;
	meta.const_map_key = -1;

	if (env->cur_state->active_locks && func_id != BPF_FUNC_spin_unlock && func_id != BPF_FUNC_spin_lock &&
	    func_id != BPF_FUNC_kptr_xchg) {
		verbose(env, "function calls are not allowed while holding a lock\n");
		return -EINVAL;
	}
	/* check args */
	for (uint32_t i = 0; i < 5; i++) {
		err = check_func_arg(env, i, &meta, fn);
		if (err)
			return err;
	}
	/* tail calls use the map pointer of every path: a map may not change at the same call */
	if (meta.map_ptr && func_id == BPF_FUNC_tail_call) {
		/* nothing to record for the verdict */
	}
	regs = cur_regs(env);
	if (meta.release_regno) {
		uint32_t ref = regs[meta.release_regno].ref_obj_id;
		err = -EINVAL;
		if (ref)
			err = release_reference(env, (int)ref);
		else if (register_is_null(&regs[meta.release_regno]))
			err = 0;
		if (err) {
			verbose(env, "func %s#%d reference has not been acquired before\n", func_id_name(func_id), func_id);
			return err;
		}
	}
	switch (func_id) {
	case BPF_FUNC_get_local_storage:
		/* the kernel's check_helper_call: the flags argument must be a known zero */
		if (!register_is_null(&regs[BPF_REG_2])) {
			verbose(env, "get_local_storage() doesn't support non-zero flags\n");
			return -EINVAL;
		}
		break;
	case BPF_FUNC_tail_call:
		err = check_reference_leak(env, false);
		if (err) {
			verbose(env, "tail_call would lead to reference leak\n");
			return err;
		}
		break;
	case BPF_FUNC_for_each_map_elem:
		/* the callback may run any number of times: explored again from each return until the states at
		 * this call converge (as the kernel does) */
		err = push_callback_call(env, insn_idx, meta.subprogno, set_map_elem_callback_state);
		if (err)
			return err;
		break;
	case BPF_FUNC_loop:
		mark_chain_precision(env, BPF_REG_1);
		/* one more iteration while the callback depth is below the loop count */
		if ((uint64_t)cur_func(env)->callback_depth < regs[BPF_REG_1].umax_value &&
		    env->cur_state->callback_unroll_depth < 64) {
			err = push_callback_call(env, insn_idx, meta.subprogno, set_loop_callback_state);
			if (err)
				return err;
		} else {
			cur_func(env)->callback_depth = 0;
			if (env->log_level & 2)
				verbose(env, "frame%d bpf_loop iteration limit reached\n", env->cur_state->curframe);
		}
		break;
	default:
		break;
	}
	regs = cur_regs(env);
	/* reset caller saved regs */
	clear_caller_saved_regs(env, regs);
	/* update return register */
	ret_type = fn->ret_type;
	switch (base_type(ret_type)) {
	case RET_INTEGER:
		mark_reg_unknown(env, regs, BPF_REG_0);
		break;
	case RET_VOID:
		regs[BPF_REG_0].type = NOT_INIT;
		break;
	case RET_PTR_TO_MAP_VALUE:
		/* there is no offset yet applied, variable or fixed */
		mark_reg_known_zero(env, regs, BPF_REG_0);
		if (!meta.map_ptr) {
			verbose(env, "kernel subsystem misconfigured verifier\n");
			return -EINVAL;
		}
		regs[BPF_REG_0].map_ptr = meta.map_ptr;
		regs[BPF_REG_0].map_idx = meta.map_idx;
		regs[BPF_REG_0].type = PTR_TO_MAP_VALUE | (ret_type & PTR_MAYBE_NULL);
		/* an array lookup with a constant in-bounds key cannot fail */
		if (func_id == BPF_FUNC_map_lookup_elem && can_elide_value_nullness(meta.map_ptr->type) &&
		    meta.const_map_key >= 0 && meta.const_map_key < meta.map_ptr->max_entries)
			regs[BPF_REG_0].type &= ~PTR_MAYBE_NULL;
		if (!type_may_be_null(regs[BPF_REG_0].type) && meta.map_ptr->spin_lock_off >= 0)
			regs[BPF_REG_0].id = ++env->id_gen;
		/* map in map: the value is an inner map pointer */
		if (meta.map_ptr->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || meta.map_ptr->type == BPF_MAP_TYPE_HASH_OF_MAPS) {
			regs[BPF_REG_0].type = CONST_PTR_TO_MAP | (ret_type & PTR_MAYBE_NULL);
			regs[BPF_REG_0].map_ptr = inner_map_of(env, meta.map_ptr);
			if (!regs[BPF_REG_0].map_ptr)
				return -ENOMEM;
		}
		break;
	case RET_PTR_TO_SOCKET:
		mark_reg_known_zero(env, regs, BPF_REG_0);
		regs[BPF_REG_0].type = PTR_TO_SOCKET | (ret_type & PTR_MAYBE_NULL);
		break;
	case RET_PTR_TO_SOCK_COMMON:
		mark_reg_known_zero(env, regs, BPF_REG_0);
		regs[BPF_REG_0].type = PTR_TO_SOCK_COMMON | (ret_type & PTR_MAYBE_NULL);
		break;
	case RET_PTR_TO_TCP_SOCK:
		mark_reg_known_zero(env, regs, BPF_REG_0);
		regs[BPF_REG_0].type = PTR_TO_TCP_SOCK | (ret_type & PTR_MAYBE_NULL);
		break;
	case RET_PTR_TO_MEM:
		mark_reg_known_zero(env, regs, BPF_REG_0);
		regs[BPF_REG_0].type = PTR_TO_MEM | (ret_type & ~BPF_BASE_TYPE_MASK);
		regs[BPF_REG_0].mem_size = (uint32_t)meta.mem_size;
		break;
	case RET_PTR_TO_MEM_OR_BTF_ID:
		mark_reg_known_zero(env, regs, BPF_REG_0);
		regs[BPF_REG_0].type = PTR_TO_BTF_ID | MEM_PERCPU | (ret_type & PTR_MAYBE_NULL);
		regs[BPF_REG_0].btf_name = meta.ret_btf_name;
		break;
	case RET_PTR_TO_BTF_ID:
		mark_reg_known_zero(env, regs, BPF_REG_0);
		regs[BPF_REG_0].type = PTR_TO_BTF_ID | (ret_type & PTR_MAYBE_NULL);
		regs[BPF_REG_0].btf_name = meta.ret_btf_name;
		break;
	default:
		verbose(env, "unknown return type %u of func %s#%d\n", base_type(ret_type), func_id_name(func_id),
			func_id);
		return -EINVAL;
	}
	if (type_may_be_null(regs[BPF_REG_0].type))
		regs[BPF_REG_0].id = ++env->id_gen;
	if (is_ptr_cast_function(func_id)) {
		/* for release_reference() */
		regs[BPF_REG_0].ref_obj_id = meta.ref_obj_id;
	} else if (is_acquire_function(func_id, meta.map_ptr)) {
		int id = acquire_reference(env, insn_idx);
		if (id < 0)
			return id;
		/* for mark_ptr_or_null_reg() and release_reference() */
		regs[BPF_REG_0].id = (uint32_t)id;
		regs[BPF_REG_0].ref_obj_id = (uint32_t)id;
	}
	/* helpers returning a length: bounded by the buffer size argument */
	if ((func_id == BPF_FUNC_get_stack || func_id == BPF_FUNC_probe_read_str ||
	     func_id == BPF_FUNC_probe_read_kernel_str || func_id == BPF_FUNC_probe_read_user_str) &&
	    regs[BPF_REG_0].type == SCALAR_VALUE) {
		regs[BPF_REG_0].smax_value = (int64_t)meta.msize_max_value;
		regs[BPF_REG_0].s32_max_value = (int32_t)meta.msize_max_value;
		regs[BPF_REG_0].smin_value = -MAX_ERRNO_VAL;
		regs[BPF_REG_0].s32_min_value = -MAX_ERRNO_VAL;
		reg_bounds_sync(&regs[BPF_REG_0].b);
	} else if (func_id == BPF_FUNC_get_smp_processor_id && regs[BPF_REG_0].type == SCALAR_VALUE) {
		/* nr_cpu_ids - 1: the kernel's bound depends on the machine; bpfvm uses this host's */
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);
		uint32_t max_cpu = ncpu > 0 && ncpu <= 8192 ? (uint32_t)ncpu - 1 : 4095;
		regs[BPF_REG_0].umax_value = regs[BPF_REG_0].u32_max_value = max_cpu;
		regs[BPF_REG_0].smax_value = regs[BPF_REG_0].s32_max_value = (int32_t)max_cpu;
		regs[BPF_REG_0].smin_value = regs[BPF_REG_0].s32_min_value = 0;
		reg_bounds_sync(&regs[BPF_REG_0].b);
	}
	err = check_map_func_compatibility(env, meta.map_ptr, func_id);
	if (err)
		return err;
	if (fn->changes_pkt_data)
		clear_all_pkt_pointers(env);
	return 0;
}

int check_kfunc_call(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx)
{
	/* kfuncs need the kernel's BTF; bpfvm knows none of them */
	verbose(env, "calling kernel function %s is not allowed\n",
		env->opts->kfunc_names && (uint32_t)insn->imm < env->opts->kfunc_cnt ? env->opts->kfunc_names[insn->imm]
										  : "unknown");
	return -EACCES;
}

/* ---- program exit ---- */

int check_return_code(struct bpfvm_verifier_env *env, int regno, const char *reg_name)
{
	struct bpf_reg_state *reg = &cur_regs(env)[regno];
	struct bpf_func_state *frame = env->cur_state->frame[0];
	bool is_subprog = frame->subprogno;
	int64_t minval = 0, maxval = 1;
	int err;

	/* R0 must hold something at exit */
	err = check_reg_arg(env, (uint32_t)regno, SRC_OP);
	if (err)
		return err;
	if (is_pointer_value(env, regno)) {
		verbose(env, "R%d leaks addr as return value\n", regno);
		return -EACCES;
	}
	if (is_subprog) {
		if (reg->type != SCALAR_VALUE) {
			verbose(env, "At subprogram exit the register R%d is not a scalar value (%s)\n", regno,
				reg_type_str(env, reg->type));
			return -EINVAL;
		}
		return 0;
	}
	switch (env->prog_type) {
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		switch (env->expected_attach_type) {
		case BPF_CGROUP_UDP4_RECVMSG: case BPF_CGROUP_UDP6_RECVMSG: case BPF_CGROUP_INET4_GETPEERNAME:
		case BPF_CGROUP_INET6_GETPEERNAME: case BPF_CGROUP_INET4_GETSOCKNAME: case BPF_CGROUP_INET6_GETSOCKNAME:
		case 51: case 52: case 53: /* BPF_CGROUP_UNIX_RECVMSG, _GETPEERNAME, _GETSOCKNAME (6.18 uapi) */
			minval = 1, maxval = 1;
			break;
		case BPF_CGROUP_INET4_BIND: case BPF_CGROUP_INET6_BIND:
			minval = 0, maxval = 3;
			break;
		default:
			break;
		}
		break;
	case BPF_PROG_TYPE_CGROUP_SKB:
		if (env->expected_attach_type == BPF_CGROUP_INET_EGRESS)
			maxval = 3;
		break;
	case BPF_PROG_TYPE_CGROUP_SOCK: case BPF_PROG_TYPE_SOCK_OPS: case BPF_PROG_TYPE_CGROUP_DEVICE:
	case BPF_PROG_TYPE_CGROUP_SYSCTL: case BPF_PROG_TYPE_CGROUP_SOCKOPT:
		break;
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return 0;
	case BPF_PROG_TYPE_TRACING:
		switch (env->expected_attach_type) {
		case BPF_TRACE_FENTRY: case BPF_TRACE_FEXIT:
			minval = 0, maxval = 0;
			break;
		case BPF_TRACE_RAW_TP: case BPF_MODIFY_RETURN:
			return 0;
		case BPF_TRACE_ITER:
			break;
		default:
			return -ENOTSUP;
		}
		break;
	case BPF_PROG_TYPE_SK_LOOKUP:
		minval = SK_DROP, maxval = SK_PASS;
		break;
	case 32: /* BPF_PROG_TYPE_NETFILTER */
		minval = 0, maxval = 1;
		break;
	default:
		return 0;
	}
	if (reg->type != SCALAR_VALUE) {
		verbose(env, "At program exit the register R%d is not a known value (%s)\n", regno,
			reg_type_str(env, reg->type));
		return -EINVAL;
	}
	mark_chain_precision(env, regno);
	if (reg->smin_value < minval || reg->smax_value > maxval) {
		bool unknown = true;
		verbose(env, "At program exit the register %s has", reg_name);
		if (reg->smin_value > S64_MIN) {
			verbose(env, " smin=%lld", (long long)reg->smin_value);
			unknown = false;
		}
		if (reg->smax_value < S64_MAX) {
			verbose(env, " smax=%lld", (long long)reg->smax_value);
			unknown = false;
		}
		if (unknown)
			verbose(env, " unknown scalar value");
		verbose(env, " should have been in [%d, %d]\n", (int)minval, (int)maxval);
		return -EINVAL;
	}
	return 0;
}

int process_bpf_exit_full(struct bpfvm_verifier_env *env, bool *do_print_state)
{
	/* references must be released before the main program exits; a callback must match its caller */
	int err = check_resource_leak(env, false, !env->cur_state->curframe, "BPF_EXIT instruction in main prog");
	if (err)
		return err;
	if (env->cur_state->curframe) {
		/* exit from nested function */
		err = prepare_func_exit(env, &env->insn_idx);
		if (err)
			return err;
		*do_print_state = true;
		return 0;
	}
	err = check_return_code(env, BPF_REG_0, "R0");
	if (err)
		return err;
	return 1; /* the path ends here */
}
