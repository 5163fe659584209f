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

/* numbers as the kernel's log prints them: decimal when they fit an s16, else hexadecimal */
static bool is_snum_decimal(int64_t v)
{
	return v >= -32768 && v <= 32767;
}

static void verbose_snum(struct bpfvm_verifier_env *env, int64_t v)
{
	if (is_snum_decimal(v))
		verbose(env, "%" PRId64, v);
	else
		verbose(env, "%#" PRIx64, (uint64_t)v);
}

static void verbose_unum(struct bpfvm_verifier_env *env, uint64_t v)
{
	if (v <= 32767)
		verbose(env, "%" PRIu64, v);
	else
		verbose(env, "%#" PRIx64, v);
}

/*
 * The bounds of a scalar as print_scalar_ranges(): the ones not at their extreme, each min (max) followed by the
 * later mins (maxes) of equal value and sign as "smin=umin=smin32=...=V". A 32-bit signed bound that is not a
 * small number is compared and printed as its u32 bits.
 */
static void print_scalar_ranges(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, bool *sep)
{
	int32_t s32min = reg->s32_min_value, s32max = reg->s32_max_value;
	struct { const char *name; uint64_t val; bool omit; } m[] = {
		{ "smin", (uint64_t)reg->smin_value, reg->smin_value == S64_MIN },
		{ "smax", (uint64_t)reg->smax_value, reg->smax_value == S64_MAX },
		{ "umin", reg->umin_value, reg->umin_value == 0 },
		{ "umax", reg->umax_value, reg->umax_value == U64_MAX },
		{ "smin32", is_snum_decimal(s32min) ? (uint64_t)(int64_t)s32min : (uint32_t)s32min, s32min == S32_MIN },
		{ "smax32", is_snum_decimal(s32max) ? (uint64_t)(int64_t)s32max : (uint32_t)s32max, s32max == S32_MAX },
		{ "umin32", reg->u32_min_value, reg->u32_min_value == 0 },
		{ "umax32", reg->u32_max_value, reg->u32_max_value == U32_MAX },
	};
	size_t n = sizeof(m) / sizeof(m[0]);
	for (size_t i = 0; i < n; i++) {
		if (m[i].omit)
			continue;
		bool neg1 = m[i].name[0] == 's' && (int64_t)m[i].val < 0;
		verbose(env, "%s%s=", *sep ? "," : "", m[i].name);
		*sep = true;
		for (size_t j = i + 2; j < n; j += 2) {
			bool neg2 = m[j].name[0] == 's' && (int64_t)m[j].val < 0;
			if (m[j].omit || m[j].val != m[i].val || neg2 != neg1)
				continue;
			m[j].omit = true;
			verbose(env, "%s=", m[j].name);
		}
		if (m[i].name[0] == 's')
			verbose_snum(env, (int64_t)m[i].val);
		else
			verbose_unum(env, m[i].val);
	}
}

/* one register as print_reg_state(): P for precise, constants as numbers, fp-N, else type(fields) */
static void print_reg_state(struct bpfvm_verifier_env *env, const struct bpf_func_state *state,
			    const struct bpf_reg_state *reg)
{
	uint32_t t = reg->type;
	bool sep = false;
#define SEP() (sep ? "," : ((sep = true), ""))

	if (t == SCALAR_VALUE && reg->precise)
		verbose(env, "P");
	if (t == SCALAR_VALUE && tnum_is_const(reg->var_off)) {
		verbose_snum(env, (int64_t)reg->var_off.value);
		return;
	}
	verbose(env, "%s", reg_type_str(env, t));
	if (base_type(t) == PTR_TO_STACK) {
		if (reg->frameno != state->frameno)
			verbose(env, "[%u]", reg->frameno);
		if (tnum_is_const(reg->var_off)) {
			verbose_snum(env, (int64_t)reg->var_off.value + reg->off);
			return;
		}
	}
	verbose(env, "(");
	if (reg->id)
		verbose(env, "%sid=%u", SEP(), reg->id);
	if (reg->ref_obj_id)
		verbose(env, "%sref_obj_id=%u", SEP(), reg->ref_obj_id);
	if ((base_type(t) == CONST_PTR_TO_MAP || base_type(t) == PTR_TO_MAP_VALUE || base_type(t) == PTR_TO_MAP_KEY) &&
	    reg->map_ptr)
		verbose(env, "%sks=%u,vs=%u", SEP(), reg->map_ptr->key_size, reg->map_ptr->value_size);
	if (t != SCALAR_VALUE && reg->off) {
		verbose(env, "%soff=", SEP());
		verbose_snum(env, reg->off);
	}
	if (base_type(t) == PTR_TO_PACKET || base_type(t) == PTR_TO_PACKET_META) {
		verbose(env, "%sr=", SEP());
		verbose_unum(env, (uint64_t)(int64_t)reg->range);
	}
	if (base_type(t) == PTR_TO_MEM) {
		verbose(env, "%ssz=", SEP());
		verbose_unum(env, reg->mem_size);
	}
	if (tnum_is_const(reg->var_off)) {
		/* a pointer with a fixed offset too large for off */
		if (reg->var_off.value) {
			verbose(env, "%simm=", SEP());
			verbose_snum(env, (int64_t)reg->var_off.value);
		}
	} else {
		print_scalar_ranges(env, reg, &sep);
		if (!tnum_is_unknown(reg->var_off)) {
			char tn_buf[48];
			tnum_strn(tn_buf, sizeof(tn_buf), reg->var_off);
			verbose(env, "%svar_off=%s", SEP(), tn_buf);
		}
	}
	verbose(env, ")");
#undef SEP
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
		if (reg->type == NOT_INIT || (!print_all && !(env->scratched_regs & (1u << i))))
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
		if (!valid || (!print_all && (i >= 64 || !(env->scratched_stack & (1ull << i)))))
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
	verbose(env, "\n");
	if (!print_all) {
		env->scratched_regs = 0;
		env->scratched_stack = 0;
	}
}

/* the column where an instruction's "; R1=..." delta starts: at least 40, on a multiple of 8 */
static size_t vlog_alignment(size_t pos)
{
	size_t want = pos + 4 > 40 ? pos + 4 : 40;
	return ((want + 7) & ~(size_t)7) - pos - 1;
}

/*
 * What the last instruction touched: appended to its line as "<spaces>; R1=..." when nothing was logged since,
 * else on a line of its own ("N: R1=...").
 */
void print_insn_state(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *vstate, uint32_t frameno)
{
	if (env->prev_log_pos && env->prev_log_pos == bpf_vlog_pos(env)) {
		bpf_vlog_reset(env, env->prev_log_pos - 1); /* the newline */
		verbose(env, "%*c;", (int)vlog_alignment(env->prev_insn_print_pos), ' ');
	} else {
		verbose(env, "%d:", env->insn_idx);
	}
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
