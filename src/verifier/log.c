/* log.c - the kernel-format verifier log: lines, instruction printing, register state, statistics */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "verifier/verifier.h"

/* append to env->log; lines reach the caller's callback when the verification ends (level 1 rewinds) */
#define LOG_KEEP (8u << 20) /* a longer log keeps its tail, as the kernel's rotating log does */

void verbose(struct bpfvm_verifier_env *env, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (!env->log_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (env->log_len + (size_t)n + 1 > 2 * LOG_KEEP) {
		/* drop the oldest half, at a line start */
		size_t cut = env->log_len - LOG_KEEP;
		char *nl = memchr(env->log + cut, '\n', env->log_len - cut);
		if (nl)
			cut = (size_t)(nl + 1 - env->log);
		memmove(env->log, env->log + cut, env->log_len - cut);
		env->log_len -= cut;
		env->log_dropped += cut;
	}
	if (env->log_len + (size_t)n + 1 > env->log_cap) {
		size_t cap = env->log_cap ? env->log_cap * 2 : 4096;
		while (cap < env->log_len + (size_t)n + 1)
			cap *= 2;
		char *p = realloc(env->log, cap);
		if (!p) {
			env->log_oom = true;
			return;
		}
		env->log = p;
		env->log_cap = cap;
	}
	memcpy(env->log + env->log_len, buf, (size_t)n);
	env->log_len += (size_t)n;
	env->log[env->log_len] = '\0';
}

size_t bpf_vlog_pos(const struct bpfvm_verifier_env *env)
{
	return env->log_dropped + env->log_len;
}

void bpf_vlog_reset(struct bpfvm_verifier_env *env, size_t pos)
{
	/* positions count every byte ever logged; a position already dropped empties the log */
	if (pos < env->log_dropped) {
		env->log_dropped = pos;
		env->log_len = 0;
	} else if (pos - env->log_dropped <= env->log_len) {
		env->log_len = pos - env->log_dropped;
	}
	if (env->log)
		env->log[env->log_len] = '\0';
}

static const char *const reg_type_names[__BPF_REG_TYPE_MAX] = {
	[NOT_INIT] = "?",
	[SCALAR_VALUE] = "scalar",
	[PTR_TO_CTX] = "ctx",
	[CONST_PTR_TO_MAP] = "map_ptr",
	[PTR_TO_MAP_VALUE] = "map_value",
	[PTR_TO_STACK] = "fp",
	[PTR_TO_PACKET] = "pkt",
	[PTR_TO_PACKET_META] = "pkt_meta",
	[PTR_TO_PACKET_END] = "pkt_end",
	[PTR_TO_FLOW_KEYS] = "flow_keys",
	[PTR_TO_SOCKET] = "sock",
	[PTR_TO_SOCK_COMMON] = "sock_common",
	[PTR_TO_TCP_SOCK] = "tcp_sock",
	[PTR_TO_TP_BUFFER] = "tp_buffer",
	[PTR_TO_XDP_SOCK] = "xdp_sock",
	[PTR_TO_BTF_ID] = "ptr_",
	[PTR_TO_MEM] = "mem",
	[PTR_TO_ARENA] = "arena",
	[PTR_TO_BUF] = "buf",
	[PTR_TO_FUNC] = "func",
	[PTR_TO_MAP_KEY] = "map_key",
	[CONST_PTR_TO_DYNPTR] = "dynptr_ptr",
};

/* mirrors reg_type_str(): flag prefixes, the base name, "_or_null" ("or_null_" after "ptr_") */
const char *reg_type_str(struct bpfvm_verifier_env *env, uint32_t type)
{
	const char *postfix = "";
	uint32_t bt = base_type(type);

	if (type & PTR_MAYBE_NULL)
		postfix = bt == PTR_TO_BTF_ID ? "or_null_" : "_or_null";
	snprintf(env->tmp_str_buf, sizeof(env->tmp_str_buf), "%s%s%s%s%s%s%s%s%s",
		 type & MEM_RDONLY ? "rdonly_" : "", type & MEM_RINGBUF ? "ringbuf_" : "",
		 type & MEM_USER ? "user_" : "", type & MEM_PERCPU ? "percpu_" : "", type & MEM_RCU ? "rcu_" : "",
		 type & PTR_UNTRUSTED ? "untrusted_" : "", type & PTR_TRUSTED ? "trusted_" : "",
		 bt < __BPF_REG_TYPE_MAX && reg_type_names[bt] ? reg_type_names[bt] : "?", postfix);
	return env->tmp_str_buf;
}

const char *bpf_alu_string(uint8_t op)
{
	static const char *const s[16] = { "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=",
					   "s>>=", "endian", "?", "?" };
	return s[op & 15];
}

/* helper names by id (the kernel's func_id_str, from the uapi header's mapper) */
#ifdef ___BPF_FUNC_MAPPER
#define __BPFVM_FN_NAME(x, ...) "bpf_" #x,
static const char *const func_id_str[] = { ___BPF_FUNC_MAPPER(__BPFVM_FN_NAME) };
#else
/* the older mapper puts the commas itself */
#define __BPFVM_FN_NAME(x) "bpf_" #x
static const char *const func_id_str[] = { __BPF_FUNC_MAPPER(__BPFVM_FN_NAME) };
#endif
#define FUNC_ID_CNT ((int)(sizeof(func_id_str) / sizeof(func_id_str[0])))

const char *func_id_name(int id)
{
	if (id >= 0 && id < FUNC_ID_CNT)
		return func_id_str[id];
	return "unknown";
}

/* kfunc calls are named from the verifier's kfunc table, as the kernel names them from BTF */
static const char *kfunc_call_name(void *arg, const struct bpf_insn *insn, char *buf, size_t size)
{
	const struct bpfvm_verifier_env *env = arg;

	(void)buf;
	(void)size;
	if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL && env->opts->kfunc_names &&
	    (uint32_t)insn->imm < env->opts->kfunc_cnt)
		return env->opts->kfunc_names[insn->imm];
	return NULL;
}

/* one instruction in the kernel's disassembler format: the shared printer of src/asm/disasm.c */
void print_bpf_insn(struct bpfvm_verifier_env *env, const struct bpf_insn *insn)
{
	struct bpfvm_insn_printer printer = { .call_name = kfunc_call_name, .arg = env };
	char text[256];
	size_t idx = (size_t)(insn - env->insns);

	bpfvm_disasm_insn(&printer, env->insns, env->insn_cnt, idx, text, sizeof(text));
	verbose(env, "%s\n", text);
}

/* the scalar part of a register, as print_scalar_ranges() and the var_off=... suffix */
static void print_scalar(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, bool *sep)
{
	char tn_buf[48];
	struct { const char *name; int64_t v; bool is_signed; bool omit; } f[] = {
		{ "smin", reg->smin_value, true, reg->smin_value == S64_MIN },
		{ "smax", reg->smax_value, true, reg->smax_value == S64_MAX },
		{ "umin", (int64_t)reg->umin_value, false, reg->umin_value == 0 },
		{ "umax", (int64_t)reg->umax_value, false, reg->umax_value == U64_MAX },
		{ "smin32", reg->s32_min_value, true, reg->s32_min_value == S32_MIN },
		{ "smax32", reg->s32_max_value, true, reg->s32_max_value == S32_MAX },
		{ "umin32", reg->u32_min_value, false, reg->u32_min_value == 0 },
		{ "umax32", reg->u32_max_value, false, reg->u32_max_value == U32_MAX },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].omit)
			continue;
		/* a 32-bit bound equal to its 64-bit twin is printed once, as the kernel merges them */
		if (i >= 4 && !f[i - 4].omit && (f[i].is_signed ? f[i - 4].v == f[i].v
							   : (uint64_t)f[i - 4].v == (uint64_t)(uint32_t)f[i].v))
			continue;
		if (f[i].is_signed)
			verbose(env, "%s%s=%" PRId64, *sep ? "," : "", f[i].name, f[i].v);
		else
			verbose(env, "%s%s=%" PRIu64, *sep ? "," : "", f[i].name, (uint64_t)(i >= 6 ? (uint32_t)f[i].v : f[i].v));
		*sep = true;
	}
	if (!tnum_is_unknown(reg->var_off)) {
		tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
		verbose(env, "%svar_off=%s", *sep ? "," : "", tn_buf);
		*sep = true;
	}
}

static void print_reg_state(struct bpfvm_verifier_env *env, const struct bpf_func_state *state,
			    const struct bpf_reg_state *reg)
{
	uint32_t t = reg->type;
	bool sep = false;

	if (t == SCALAR_VALUE && reg->precise)
		verbose(env, "P");
	if (t == SCALAR_VALUE && tnum_is_const(reg->var_off)) {
		verbose(env, "%" PRId64, (int64_t)reg->var_off.value);
		return;
	}
	if (base_type(t) == PTR_TO_STACK && tnum_is_const(reg->var_off)) {
		if (reg->frameno != state->frameno)
			verbose(env, "fp[%u]", reg->frameno);
		verbose(env, "fp%d", reg->off + (int)reg->var_off.value);
		return;
	}
	verbose(env, "%s", reg_type_str(env, t));
	verbose(env, "(");
	if (reg->id) {
		verbose(env, "id=%u", reg->id);
		sep = true;
	}
	if (reg->ref_obj_id) {
		verbose(env, "%sref_obj_id=%u", sep ? "," : "", reg->ref_obj_id);
		sep = true;
	}
	if (t != SCALAR_VALUE) {
		if (reg->off) {
			verbose(env, "%soff=%d", sep ? "," : "", reg->off);
			sep = true;
		}
		if (base_type(t) == PTR_TO_PACKET || base_type(t) == PTR_TO_PACKET_META) {
			verbose(env, "%sr=%d", sep ? "," : "", reg->range);
			sep = true;
		}
		if (base_type(t) == CONST_PTR_TO_MAP || base_type(t) == PTR_TO_MAP_VALUE ||
		    base_type(t) == PTR_TO_MAP_KEY) {
			if (reg->map_ptr)
				verbose(env, "%smap=map%u,ks=%u,vs=%u", sep ? "," : "", reg->map_idx, reg->map_ptr->key_size,
					reg->map_ptr->value_size);
			sep = true;
		}
		if (base_type(t) == PTR_TO_MEM) {
			verbose(env, "%ssz=%u", sep ? "," : "", reg->mem_size);
			sep = true;
		}
		if (tnum_is_const(reg->var_off)) {
			if (reg->var_off.value) {
				verbose(env, "%simm=%" PRIx64, sep ? "," : "", reg->var_off.value);
				sep = true;
			}
			verbose(env, ")");
			return;
		}
	}
	print_scalar(env, reg, &sep);
	verbose(env, ")");
}

static char slot_char(uint8_t t)
{
	static const char c[] = { [STACK_INVALID] = '?', [STACK_SPILL] = 'r', [STACK_MISC] = 'm', [STACK_ZERO] = '0',
				  [STACK_DYNPTR] = 'd', [STACK_ITER] = 'i', [STACK_IRQ_FLAG] = 'f' };
	return t < sizeof(c) ? c[t] : '?';
}

void print_verifier_state(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *vstate,
			  const struct bpf_func_state *state, bool print_all)
{
	if (state->frameno)
		verbose(env, " frame%d:", state->frameno);
	for (int i = 0; i < MAX_BPF_REG; i++) {
		const struct bpf_reg_state *reg = &state->regs[i];
		if (reg->type == NOT_INIT)
			continue;
		verbose(env, " R%d=", i);
		print_reg_state(env, state, reg);
	}
	for (int i = 0; i < state->allocated_stack / BPF_REG_SIZE; i++) {
		const struct bpf_stack_state *st = &state->stack[i];
		char types[BPF_REG_SIZE + 1];
		bool valid = false;
		for (int j = 0; j < BPF_REG_SIZE; j++) {
			types[j] = slot_char(st->slot_type[j]);
			if (st->slot_type[j] != STACK_INVALID)
				valid = true;
		}
		types[BPF_REG_SIZE] = 0;
		if (!valid)
			continue;
		verbose(env, " fp%d=", (-i - 1) * BPF_REG_SIZE);
		if (is_spilled_reg(st)) {
			print_reg_state(env, state, &st->spilled_ptr);
		} else {
			verbose(env, "%s", types);
		}
	}
	if (vstate->acquired_refs) {
		verbose(env, " refs=%d", vstate->refs[0].id);
		for (uint32_t i = 1; i < vstate->acquired_refs; i++)
			verbose(env, ",%d", vstate->refs[i].id);
	}
	if (state->in_callback_fn)
		verbose(env, " cb");
	(void)print_all;
	verbose(env, "\n");
}

void print_insn_state(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *vstate, uint32_t frameno)
{
	print_verifier_state(env, vstate, vstate->frame[frameno], false);
}

void print_verification_stats(struct bpfvm_verifier_env *env)
{
	/* BPF_LOG_STATS (4) adds the stack depths; bpfvm does not print "verification time" */
	if (env->log_level & 4) {
		verbose(env, "stack depth ");
		for (uint32_t i = 0; i < env->subprog_cnt; i++)
			verbose(env, "%s%d", i ? "+" : "", env->subprog_info[i].stack_depth);
		verbose(env, "\n");
	}
	verbose(env, "processed %u insns (limit %d) max_states_per_insn %u total_states %u peak_states %u "
		     "mark_read %u\n",
		env->insn_processed, BPF_COMPLEXITY_LIMIT_INSNS, env->max_states_per_insn, env->total_states,
		env->peak_states, 0u);
}
