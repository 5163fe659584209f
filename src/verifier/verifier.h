/* verifier.h - the verifier's internal state: one struct bpfvm_verifier_env per bpfvm_verify() call */
#ifndef BPFVM_VERIFIER_VERIFIER_H
#define BPFVM_VERIFIER_VERIFIER_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/verifier.h"
#include "verifier/range.h"

#undef MAX_BPF_REG
#define MAX_BPF_REG 11
#define BPF_REG_FP 10
#define MAX_BPF_STACK 512
#define BPF_REG_SIZE 8
#define MAX_CALL_FRAMES 8
#define BPF_MAX_SUBPROGS 256
#define BPF_MAX_VAR_OFF (1 << 29)
#define BPF_COMPLEXITY_LIMIT_INSNS 1000000
#define BPF_COMPLEXITY_LIMIT_JMP_SEQ 8192
#define BPF_COMPLEXITY_LIMIT_STATES 64
#define MAX_ACQUIRED_REFS 16
#define BPF_MAX_LOOPS (8 * 1024 * 1024)

/* register types, with the kernel's flags in the high bits */
enum bpf_reg_type {
	NOT_INIT = 0,
	SCALAR_VALUE,
	PTR_TO_CTX,
	CONST_PTR_TO_MAP,
	PTR_TO_MAP_VALUE,
	PTR_TO_MAP_KEY,
	PTR_TO_STACK,
	PTR_TO_PACKET_META,
	PTR_TO_PACKET,
	PTR_TO_PACKET_END,
	PTR_TO_FLOW_KEYS,
	PTR_TO_SOCKET,
	PTR_TO_SOCK_COMMON,
	PTR_TO_TCP_SOCK,
	PTR_TO_TP_BUFFER,
	PTR_TO_XDP_SOCK,
	PTR_TO_BTF_ID,
	PTR_TO_MEM,
	PTR_TO_ARENA,
	PTR_TO_BUF,
	PTR_TO_FUNC,
	CONST_PTR_TO_DYNPTR,
	__BPF_REG_TYPE_MAX,
};
#define BPF_BASE_TYPE_MASK 0xffu
#define PTR_MAYBE_NULL (1u << 8)
#define MEM_RDONLY (1u << 9)
#define MEM_RINGBUF (1u << 10)
#define MEM_USER (1u << 11)
#define MEM_PERCPU (1u << 12)
#define OBJ_RELEASE (1u << 13)
#define PTR_UNTRUSTED (1u << 14)
#define MEM_UNINIT (1u << 15)
#define MEM_FIXED_SIZE (1u << 17)
#define MEM_ALLOC (1u << 18)
#define PTR_TRUSTED (1u << 19)
#define MEM_RCU (1u << 20)
#define base_type(t) ((t) & BPF_BASE_TYPE_MASK)
#define type_may_be_null(t) (!!((t) & PTR_MAYBE_NULL))

struct bpf_reg_state {
	union {
		struct bounds b; /* the scalar part, for range.c */
		struct {
			struct tnum var_off;
			int64_t smin_value, smax_value;
			uint64_t umin_value, umax_value;
			int32_t s32_min_value, s32_max_value;
			uint32_t u32_min_value, u32_max_value;
		};
	};
	uint32_t type;
	int32_t off;
	/* by type: packet range; map; mem size; btf type name */
	int32_t range;
	const struct bpfvm_map_info *map_ptr;
	uint32_t map_idx;
	uint32_t mem_size;
	const char *btf_name;
	uint32_t id;
	uint32_t ref_obj_id;
	uint32_t frameno;
	int32_t subprogno; /* PTR_TO_FUNC */
	bool precise;
};

enum bpf_stack_slot_type {
	STACK_INVALID = 0, /* nothing was stored or the slot was spilled from a reg, then overwritten */
	STACK_SPILL,       /* register spilled into stack */
	STACK_MISC,        /* BPF program wrote some data into this slot */
	STACK_ZERO,        /* BPF program wrote constant zero */
	STACK_DYNPTR,
	STACK_ITER,
	STACK_IRQ_FLAG,
};

struct bpf_stack_state {
	struct bpf_reg_state spilled_ptr;
	uint8_t slot_type[BPF_REG_SIZE];
};

struct bpf_func_state {
	struct bpf_reg_state regs[MAX_BPF_REG];
	int callsite;      /* insn of the call in the caller, -1 for the main program */
	uint32_t frameno;
	uint32_t subprogno;
	uint32_t async_entry_cnt;
	bool in_callback_fn;
	int callback_ret_min, callback_ret_max;
	bool in_async_callback_fn;
	uint32_t callback_depth; /* iterations of a callback-calling helper so far */
	int allocated_stack; /* bytes, multiple of 8 */
	struct bpf_stack_state stack[MAX_BPF_STACK / BPF_REG_SIZE];
};

enum ref_state_type { REF_TYPE_PTR = 1, REF_TYPE_LOCK = 2 };

struct bpf_reference_state {
	uint32_t type;
	uint32_t id;
	int insn_idx;
};

/*
 * The path a state took, for precision backtracking (precision.c): one entry per instruction reached other than
 * from the one before it (jumps, calls, returns; prev_idx says from where), and per fixed-offset stack access (which
 * slot), as the kernel's jump history.
 */
#define INSN_F_FRAMENO_MASK 0x7u
#define INSN_F_SPI_SHIFT 3
#define INSN_F_SPI_MASK 0x3fu
#define INSN_F_STACK_ACCESS (1u << 9)
#define INSN_F_LINKED_OVERFLOW (1u << 10) /* more scalars linked to a compared one than linked[] holds */
#define LINKED_REGS_MAX 8
struct bpf_linked_reg {
	uint8_t frameno;
	uint8_t is_reg; /* a register, or a spilled stack slot */
	uint8_t regno;  /* register number or spi */
};
struct bpf_jmp_history_entry {
	uint32_t idx;
	int32_t prev_idx;
	uint32_t flags;
	uint8_t linked_cnt; /* scalars sharing an id with a conditional jump's operands (sync_linked_regs) */
	struct bpf_linked_reg linked[LINKED_REGS_MAX];
};

struct bpf_verifier_state {
	struct bpf_func_state *frame[MAX_CALL_FRAMES];
	uint32_t curframe;
	struct bpf_reference_state refs[MAX_ACQUIRED_REFS];
	uint32_t acquired_refs;
	uint32_t active_locks;
	uint32_t active_lock_id;         /* the id of the map value whose bpf_spin_lock is held */
	const void *active_lock_ptr;     /* and its map */
	uint32_t active_rcu_lock;
	uint32_t insn_idx;
	uint32_t branches;   /* paths still being explored below this state (for loop detection) */
	struct bpf_verifier_state *parent;
	bool speculative;
	uint32_t callback_unroll_depth;
	uint32_t may_goto_depth;
	/* the instructions this state's path segment covers: from its parent checkpoint to here */
	uint32_t first_insn_idx, last_insn_idx;
	struct bpf_jmp_history_entry *jmp_history; /* owned */
	uint32_t jmp_history_cnt, jmp_history_cap;
};

struct bpf_subprog_info {
	int start;
	int stack_depth;
	bool has_tail_call;
	bool tail_call_reachable;
	bool has_ld_abs;
	bool is_cb;
	bool is_async_cb;
	bool changes_pkt_data;
	bool visited_with_frame0;
};

struct bpf_insn_aux_data {
	const struct bpfvm_map_info *map_ptr; /* the map an LD_IMM64 names */
	uint32_t map_off;
	uint32_t ptr_type;  /* the pointer type the insn dereferenced first (ld/st), 0 = not seen */
	bool seen;
	bool prune_point;
	bool jmp_point;
	bool force_checkpoint;
	bool calls_callback;
	int ctx_field_size;
	uint16_t live_regs_before; /* registers a later instruction may read (liveness.c) */
};

/* states seen at prune points */
struct bpf_verifier_state_list {
	struct bpf_verifier_state *state;
	struct bpf_verifier_state_list *next;
	uint32_t miss_cnt, hit_cnt;
};

/* pending branches, as push_stack/pop_stack */
struct bpf_verifier_stack_elem {
	struct bpf_verifier_state *st;
	int insn_idx;
	int prev_insn_idx;
	size_t log_pos;
	struct bpf_verifier_stack_elem *next;
};

struct progtype_ops; /* src/progtypes/progtype.h */

struct bpfvm_verifier_env {
	const struct bpf_insn *insns; /* the program (not modified) */
	/* map-in-map: the inner map of opts->maps[i] as a map of its own (the kernel's inner_map_meta), made on the
	 * first lookup that returns it */
	struct bpfvm_map_info *inner_maps;
	uint32_t insn_cnt;
	const struct bpfvm_verify_opts *opts;
	const struct progtype_ops *ops;
	uint32_t prog_type;
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	bool strict_alignment;
	bool allow_ptr_leaks;
	bool allow_uninit_stack; /* CAP_PERFMON: uninitialized stack may be read */
	struct bpf_insn_aux_data *insn_aux_data;
	struct bpf_subprog_info subprog_info[BPF_MAX_SUBPROGS + 2];
	uint32_t subprog_cnt;
	struct bpf_verifier_state *cur_state;
	struct bpf_verifier_stack_elem *head;
	int stack_size;
	struct bpf_verifier_state_list **explored_states;
	struct bpf_verifier_state_list *free_list; /* evicted states, freed at the end (they may be parents) */
	uint32_t id_gen;
	int insn_idx;
	int prev_insn_idx;
	int cur_hist_ent;       /* the jump history entry of the instruction being checked, -1 if none yet */
	/* the log's register deltas: what the last instruction touched, printed after it (the kernel's scratch marks) */
	uint32_t scratched_regs;
	uint64_t scratched_stack;
	size_t prev_log_pos;        /* where the last instruction's line ended, 0 before the first */
	size_t prev_insn_print_pos; /* that line's length, for the column of the "; R1=..." delta */
	bool seen_direct_write;
	bool jmp_seq_too_complex;
	bool changes_pkt_data_seen;
	/* statistics */
	uint32_t insn_processed;
	uint32_t prev_insn_processed;
	uint32_t total_states, peak_states, max_states_per_insn, num_states;
	uint32_t prev_jmps_processed, jmps_processed;
	/* log */
	uint32_t log_level;
	char *log; /* the whole log so far (level 1 rewinds it when a path completes) */
	size_t log_len, log_cap;
	size_t log_dropped; /* bytes dropped from the front of a very long log */
	bool log_oom;
	char tmp_str_buf[320];
	/* scratch */
	int *insn_stack, *insn_state; /* check_cfg */
};

/* ---- log.c ---- */
void verbose(struct bpfvm_verifier_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *reg_type_str(struct bpfvm_verifier_env *env, uint32_t type);
void print_verifier_state(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *vstate,
			  const struct bpf_func_state *state, bool print_all);
void print_insn_state(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *vstate, uint32_t frameno);
static inline void mark_reg_scratched(struct bpfvm_verifier_env *env, uint32_t regno)
{
	env->scratched_regs |= 1u << regno;
}
static inline void mark_stack_slot_scratched(struct bpfvm_verifier_env *env, int spi)
{
	if (spi >= 0 && spi < 64)
		env->scratched_stack |= 1ull << spi;
}
static inline void mark_verifier_state_scratched(struct bpfvm_verifier_env *env)
{
	env->scratched_regs = ~0u;
	env->scratched_stack = ~0ull;
}
void print_bpf_insn(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
void print_verification_stats(struct bpfvm_verifier_env *env);
void bpf_vlog_reset(struct bpfvm_verifier_env *env, size_t pos);
size_t bpf_vlog_pos(const struct bpfvm_verifier_env *env);
const char *bpf_alu_string(uint8_t opcode_shifted);
const char *func_id_name(int id);

/* ---- regs.c ---- */
enum reg_arg_type { SRC_OP, DST_OP, DST_OP_NO_MARK };
static inline struct bpf_func_state *cur_func(struct bpfvm_verifier_env *env)
{
	return env->cur_state->frame[env->cur_state->curframe];
}
static inline struct bpf_reg_state *cur_regs(struct bpfvm_verifier_env *env)
{
	return cur_func(env)->regs;
}
void __mark_reg_unknown(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg);
void mark_reg_unknown(struct bpfvm_verifier_env *env, struct bpf_reg_state *regs, uint32_t regno);
void __mark_reg_not_init(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg);
void mark_reg_not_init(struct bpfvm_verifier_env *env, struct bpf_reg_state *regs, uint32_t regno);
void __mark_reg_known_zero(struct bpf_reg_state *reg);
void mark_reg_known_zero(struct bpfvm_verifier_env *env, struct bpf_reg_state *regs, uint32_t regno);
void __mark_reg_const_zero(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg);
void init_reg_state(struct bpfvm_verifier_env *env, struct bpf_func_state *state);
int check_reg_arg(struct bpfvm_verifier_env *env, uint32_t regno, enum reg_arg_type t);
bool is_pointer_value(struct bpfvm_verifier_env *env, int regno);
bool __is_pointer_value(bool allow_ptr_leaks, const struct bpf_reg_state *reg);
bool reg_is_pkt_pointer(const struct bpf_reg_state *reg);
bool reg_is_pkt_pointer_any(const struct bpf_reg_state *reg);
bool register_is_null(const struct bpf_reg_state *reg);
bool reg_not_null(const struct bpf_reg_state *reg);
void coerce_reg_to_size(struct bpf_reg_state *reg, int size);
void coerce_reg_to_size_sx(struct bpf_reg_state *reg, int size);
int check_alu_op(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
int check_cond_jmp_op(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx);
int check_ld_imm(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
void mark_ptr_or_null_regs(struct bpf_verifier_state *vstate, uint32_t regno, bool is_null);

/* ---- stack.c ---- */
int grow_stack_state(struct bpfvm_verifier_env *env, struct bpf_func_state *state, int size);
int check_stack_access_within_bounds(struct bpfvm_verifier_env *env, int regno, int off, int access_size,
				     int type);
int check_stack_read(struct bpfvm_verifier_env *env, int ptr_regno, int off, int size, int dst_regno);
int check_stack_write(struct bpfvm_verifier_env *env, int ptr_regno, int off, int size, int value_regno,
		      int insn_idx);
int check_stack_range_initialized(struct bpfvm_verifier_env *env, int regno, int off, int access_size,
				  bool zero_size_allowed, int type, bool raw_mode);
bool is_spilled_reg(const struct bpf_stack_state *stack);
struct bpf_func_state *func(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg);

/* ---- mem.c ---- */
enum bpf_access_type { BPF_READ = 1, BPF_WRITE = 2 };
int check_mem_access(struct bpfvm_verifier_env *env, int insn_idx, uint32_t regno, int off, int bpf_size,
		     enum bpf_access_type t, int value_regno, bool strict_alignment_once, bool is_ldsx);
int check_load_mem(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
int check_store_reg(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
int check_st_mem(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
int check_atomic(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
int check_ld_abs(struct bpfvm_verifier_env *env, const struct bpf_insn *insn);
int check_map_access(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size, bool zero_size_allowed);
/* direct = a load/store (false: a helper's access) */
int check_map_access_src(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size, bool zero_size_allowed,
			 bool direct);
int __check_ptr_off_reg(struct bpfvm_verifier_env *env, const struct bpf_reg_state *reg, int regno, bool fixed_off_ok);
int check_packet_access(struct bpfvm_verifier_env *env, uint32_t regno, int off, int size, bool zero_size_allowed);
int check_helper_mem_access(struct bpfvm_verifier_env *env, int regno, int access_size, int access_type,
			    bool zero_size_allowed, bool raw_mode);
bool may_access_direct_pkt_data(struct bpfvm_verifier_env *env, int t);
void clear_all_pkt_pointers(struct bpfvm_verifier_env *env);
void find_good_pkt_pointers(struct bpf_verifier_state *vstate, struct bpf_reg_state *dst_reg,
			    enum bpf_reg_type type, bool range_right_open);

/* ---- calls.c ---- */
int check_helper_call(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx);
int check_func_call(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx);
int check_kfunc_call(struct bpfvm_verifier_env *env, const struct bpf_insn *insn, int *insn_idx);
int prepare_func_exit(struct bpfvm_verifier_env *env, int *insn_idx);
int check_return_code(struct bpfvm_verifier_env *env, int regno, const char *reg_name);
int check_reference_leak(struct bpfvm_verifier_env *env, bool exception_exit);
int check_resource_leak(struct bpfvm_verifier_env *env, bool exception_exit, bool check_lock, const char *prefix);
int acquire_reference(struct bpfvm_verifier_env *env, int insn_idx);
int release_reference(struct bpfvm_verifier_env *env, int ref_obj_id);
bool helper_exists(int32_t func_id);
void mark_reg_invalid(struct bpfvm_verifier_env *env, struct bpf_reg_state *reg);
/* the checks of BPF_EXIT: 1 when the path ends, 0 when it returns to a caller, or -errno */
int process_bpf_exit_full(struct bpfvm_verifier_env *env, bool *do_print_state);
#define MAX_ERRNO_VAL 4095

/* ---- cfg.c ---- */
int add_subprog_and_kfunc(struct bpfvm_verifier_env *env);
int check_subprogs(struct bpfvm_verifier_env *env);
int resolve_pseudo_ldimm64(struct bpfvm_verifier_env *env);
int check_cfg(struct bpfvm_verifier_env *env);
int find_subprog(struct bpfvm_verifier_env *env, int off);
int check_max_stack_depth(struct bpfvm_verifier_env *env);
int check_btf_info(struct bpfvm_verifier_env *env);

/* ---- liveness.c ---- */
int compute_live_registers(struct bpfvm_verifier_env *env);

/* ---- states.c ---- */
struct bpf_verifier_state *copy_verifier_state_new(const struct bpf_verifier_state *src);
int copy_verifier_state(struct bpf_verifier_state *dst, const struct bpf_verifier_state *src);
void free_verifier_state(struct bpf_verifier_state *state, bool free_self);
struct bpf_verifier_state *push_stack(struct bpfvm_verifier_env *env, int insn_idx, int prev_insn_idx,
				      bool speculative);
int pop_stack(struct bpfvm_verifier_env *env, int *prev_insn_idx, int *insn_idx, bool pop_log);
int is_state_visited(struct bpfvm_verifier_env *env, int insn_idx);
void update_branch_counts(struct bpfvm_verifier_env *env, struct bpf_verifier_state *st);
bool states_equal(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *old,
		  const struct bpf_verifier_state *cur, bool exact);
void free_explored_states(struct bpfvm_verifier_env *env);

/* ---- precision.c ---- */
/* the scalar in regno (current frame) decides safety: mark it and what it came from precise */
int mark_chain_precision(struct bpfvm_verifier_env *env, int regno);
/* the same for a spilled scalar in stack slot spi of frame frameno */
int mark_stack_slot_precise(struct bpfvm_verifier_env *env, uint32_t frameno, int spi);
/* a pruning hit on old: what old needed precise the current path needs too */
int propagate_precision(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *old);
/* record the current instruction in the jump history (flags: INSN_F_*), merging with its entry if it has one */
int push_jmp_history(struct bpfvm_verifier_env *env, struct bpf_verifier_state *st, uint32_t flags);
/* the scalars linked by id to regno's at a conditional jump, recorded in the current instruction's history */
int record_linked_regs(struct bpfvm_verifier_env *env, uint32_t regno);
void mark_all_scalars_imprecise(struct bpf_verifier_state *st);

/* ---- progtypes ---- */
struct bpf_insn_access_aux {
	uint32_t reg_type;
	int ctx_field_size;
	bool is_ldsx;
	bool is_retval;
	const char *btf_name;
};

#endif
