/* states.c - verifier states: copies, the stack of pending branches, and pruning of equivalent states */
#include <stdlib.h>
#include <string.h>

#include "verifier/verifier.h"

void free_verifier_state(struct bpf_verifier_state *state, bool free_self)
{
	if (!state)
		return;
	for (uint32_t i = 0; i <= state->curframe && i < MAX_CALL_FRAMES; i++) {
		free(state->frame[i]);
		state->frame[i] = NULL;
	}
	free(state->jmp_history);
	state->jmp_history = NULL;
	state->jmp_history_cnt = state->jmp_history_cap = 0;
	if (free_self)
		free(state);
}

int copy_verifier_state(struct bpf_verifier_state *dst, const struct bpf_verifier_state *src)
{
	/* frames deeper than src's are freed */
	for (uint32_t i = src->curframe + 1; i < MAX_CALL_FRAMES; i++) {
		free(dst->frame[i]);
		dst->frame[i] = NULL;
	}
	struct bpf_func_state *frames[MAX_CALL_FRAMES];
	struct bpf_jmp_history_entry *hist = dst->jmp_history;
	uint32_t hist_cap = dst->jmp_history_cap;
	memcpy(frames, dst->frame, sizeof(frames));
	*dst = *src;
	memcpy(dst->frame, frames, sizeof(frames));
	/* the jump history is the state's own copy */
	if (src->jmp_history_cnt > hist_cap) {
		struct bpf_jmp_history_entry *h = realloc(hist, src->jmp_history_cnt * sizeof(*h));
		if (!h) {
			dst->jmp_history = hist;
			dst->jmp_history_cap = hist_cap;
			dst->jmp_history_cnt = 0;
			return -ENOMEM;
		}
		hist = h;
		hist_cap = src->jmp_history_cnt;
	}
	dst->jmp_history = hist;
	dst->jmp_history_cap = hist_cap;
	if (src->jmp_history_cnt)
		memcpy(hist, src->jmp_history, src->jmp_history_cnt * sizeof(*hist));
	for (uint32_t i = 0; i <= src->curframe; i++) {
		if (!dst->frame[i]) {
			dst->frame[i] = malloc(sizeof(struct bpf_func_state));
			if (!dst->frame[i])
				return -ENOMEM;
		}
		memcpy(dst->frame[i], src->frame[i], sizeof(struct bpf_func_state));
	}
	return 0;
}

struct bpf_verifier_state *copy_verifier_state_new(const struct bpf_verifier_state *src)
{
	struct bpf_verifier_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	if (copy_verifier_state(st, src)) {
		free_verifier_state(st, true);
		return NULL;
	}
	return st;
}

struct bpf_verifier_state *push_stack(struct bpfvm_verifier_env *env, int insn_idx, int prev_insn_idx,
				      bool speculative)
{
	struct bpf_verifier_stack_elem *elem = calloc(1, sizeof(*elem));

	if (!elem)
		return NULL;
	elem->insn_idx = insn_idx;
	elem->prev_insn_idx = prev_insn_idx;
	elem->next = env->head;
	elem->log_pos = bpf_vlog_pos(env);
	env->head = elem;
	env->stack_size++;
	elem->st = copy_verifier_state_new(env->cur_state);
	if (!elem->st) {
		verbose(env, "out of memory\n");
		return NULL;
	}
	elem->st->speculative |= speculative;
	if (env->stack_size > BPF_COMPLEXITY_LIMIT_JMP_SEQ) {
		verbose(env, "The sequence of %d jumps is too complex.\n", env->stack_size);
		env->jmp_seq_too_complex = true;
		return NULL;
	}
	if (elem->st->parent)
		elem->st->parent->branches++;
	return elem->st;
}

int pop_stack(struct bpfvm_verifier_env *env, int *prev_insn_idx, int *insn_idx, bool pop_log)
{
	struct bpf_verifier_stack_elem *elem, *head = env->head;
	int err;

	if (!head)
		return -ENOENT;
	if (env->cur_state) {
		err = copy_verifier_state(env->cur_state, head->st);
		if (err)
			return err;
	}
	if (pop_log)
		bpf_vlog_reset(env, head->log_pos);
	if (insn_idx)
		*insn_idx = head->insn_idx;
	if (prev_insn_idx)
		*prev_insn_idx = head->prev_insn_idx;
	elem = head->next;
	free_verifier_state(head->st, true);
	free(head);
	env->head = elem;
	env->stack_size--;
	return 0;
}

void update_branch_counts(struct bpfvm_verifier_env *env, struct bpf_verifier_state *st)
{
	while (st) {
		uint32_t br = --st->branches;
		/* br == 0: exploration below st is finished */
		if (br)
			break;
		st = st->parent;
	}
}

/* ---- equivalence ---- */

#define ID_MAP_SIZE (MAX_BPF_REG + MAX_BPF_STACK / BPF_REG_SIZE) * MAX_CALL_FRAMES
struct idmap {
	uint32_t old[ID_MAP_SIZE], cur[ID_MAP_SIZE];
	int cnt;
};

/* ids of the old state map one-to-one onto ids of the current one */
static bool check_ids(uint32_t old_id, uint32_t cur_id, struct idmap *m)
{
	/* either both IDs should be set or both should be zero */
	if (!!old_id != !!cur_id)
		return false;
	if (old_id == 0)
		return true;
	for (int i = 0; i < m->cnt; i++) {
		if (m->old[i] == old_id)
			return m->cur[i] == cur_id;
		if (m->cur[i] == cur_id)
			return false;
	}
	if (m->cnt >= ID_MAP_SIZE)
		return false;
	m->old[m->cnt] = old_id;
	m->cur[m->cnt++] = cur_id;
	return true;
}

static bool check_scalar_ids(uint32_t old_id, uint32_t cur_id, struct idmap *m)
{
	/* an unlinked old scalar is fine with anything; a linked one must stay linked the same way */
	if (!old_id)
		return true;
	if (!cur_id)
		cur_id = 0x80000000u | (uint32_t)m->cnt; /* a fresh id for the comparison */
	return check_ids(old_id, cur_id, m);
}

static bool range_within(const struct bpf_reg_state *old, const struct bpf_reg_state *cur)
{
	return old->umin_value <= cur->umin_value && old->umax_value >= cur->umax_value &&
	       old->smin_value <= cur->smin_value && old->smax_value >= cur->smax_value &&
	       old->u32_min_value <= cur->u32_min_value && old->u32_max_value >= cur->u32_max_value &&
	       old->s32_min_value <= cur->s32_min_value && old->s32_max_value >= cur->s32_max_value;
}

static bool same_ptr_fields(const struct bpf_reg_state *a, const struct bpf_reg_state *b)
{
	return a->type == b->type && a->off == b->off && a->map_ptr == b->map_ptr && a->mem_size == b->mem_size &&
	       a->btf_name == b->btf_name && a->subprogno == b->subprogno && a->range == b->range;
}

static bool regs_exact(const struct bpf_reg_state *rold, const struct bpf_reg_state *rcur, struct idmap *m)
{
	return same_ptr_fields(rold, rcur) && !memcmp(&rold->b, &rcur->b, sizeof(rold->b)) &&
	       rold->frameno == rcur->frameno && check_ids(rold->id, rcur->id, m) &&
	       check_ids(rold->ref_obj_id, rcur->ref_obj_id, m);
}

static bool regsafe(const struct bpf_reg_state *rold, const struct bpf_reg_state *rcur, struct idmap *m, bool exact)
{
	if (exact)
		return rold->type == rcur->type && (rold->type == NOT_INIT || regs_exact(rold, rcur, m));
	/* an old path that never read the register is safe with anything */
	if (rold->type == NOT_INIT)
		return true;
	if (rold->type != rcur->type)
		return false;
	switch (base_type(rold->type)) {
	case SCALAR_VALUE:
		/* an imprecise scalar: the old path never relied on its range, so any value is as good */
		if (!rold->precise)
			return true;
		return check_scalar_ids(rold->id, rcur->id, m) && range_within(rold, rcur) &&
		       tnum_in(rold->var_off, rcur->var_off);
	case PTR_TO_MAP_KEY: case PTR_TO_MAP_VALUE: case PTR_TO_MEM: case PTR_TO_BUF: case PTR_TO_TP_BUFFER:
		/* new bounds within the old ones, everything else equal */
		return same_ptr_fields(rold, rcur) && range_within(rold, rcur) && tnum_in(rold->var_off, rcur->var_off) &&
		       check_ids(rold->id, rcur->id, m) && check_ids(rold->ref_obj_id, rcur->ref_obj_id, m);
	case PTR_TO_PACKET_META:
	case PTR_TO_PACKET:
		/* at least as much range as the old pointer, the same fixed offset */
		if (rold->range > rcur->range || rold->range < 0 || rcur->range < 0)
			return rold->range == rcur->range && rold->off == rcur->off && check_ids(rold->id, rcur->id, m) &&
			       range_within(rold, rcur) && tnum_in(rold->var_off, rcur->var_off);
		if (rold->off != rcur->off)
			return false;
		if (!check_ids(rold->id, rcur->id, m))
			return false;
		return range_within(rold, rcur) && tnum_in(rold->var_off, rcur->var_off);
	case PTR_TO_STACK:
		/* fp-8 in one frame is not fp-8 in another */
		return regs_exact(rold, rcur, m) && rold->frameno == rcur->frameno;
	default:
		return regs_exact(rold, rcur, m);
	}
}

static bool stacksafe(const struct bpf_func_state *old, const struct bpf_func_state *cur, struct idmap *m, bool exact)
{
	for (int i = 0; i < old->allocated_stack; i++) {
		int spi = i / BPF_REG_SIZE;
		uint8_t ot = old->stack[spi].slot_type[i % BPF_REG_SIZE];
		uint8_t ct = i < cur->allocated_stack ? cur->stack[spi].slot_type[i % BPF_REG_SIZE] : STACK_INVALID;

		if (exact && (i >= cur->allocated_stack || ot != ct))
			return false;
		if (!exact) {
			if (ot == STACK_INVALID)
				continue;
			/* uninitialized stack is readable (privileged): old misc data matches anything */
			if (ot == STACK_MISC)
				continue;
		}
		if (i >= cur->allocated_stack)
			return false;
		if (ot == STACK_ZERO && ct == STACK_ZERO)
			continue;
		if (ot != ct)
			return false;
		if (i % BPF_REG_SIZE != BPF_REG_SIZE - 1)
			continue;
		if (ot == STACK_SPILL &&
		    !regsafe(&old->stack[spi].spilled_ptr, &cur->stack[spi].spilled_ptr, m, exact))
			return false;
	}
	if (exact && old->allocated_stack != cur->allocated_stack)
		return false;
	return true;
}

static bool refsafe(const struct bpf_verifier_state *old, const struct bpf_verifier_state *cur, struct idmap *m)
{
	if (old->acquired_refs != cur->acquired_refs || old->active_locks != cur->active_locks ||
	    old->active_rcu_lock != cur->active_rcu_lock || old->active_lock_ptr != cur->active_lock_ptr ||
	    (old->active_locks && !check_ids(old->active_lock_id, cur->active_lock_id, m)))
		return false;
	for (uint32_t i = 0; i < old->acquired_refs; i++)
		if (!check_ids(old->refs[i].id, cur->refs[i].id, m) || old->refs[i].type != cur->refs[i].type)
			return false;
	return true;
}

/* live: the registers a later instruction may read (a dead register's value cannot matter) */
static bool func_states_equal(const struct bpf_func_state *old, const struct bpf_func_state *cur, struct idmap *m,
			      bool exact, uint16_t live)
{
	/* a callback's later iterations (a deeper count) are covered by an earlier one's state, not the reverse */
	if (old->callback_depth > cur->callback_depth)
		return false;
	for (int i = 0; i < MAX_BPF_REG; i++)
		if ((live & (1u << i)) && !regsafe(&old->regs[i], &cur->regs[i], m, exact))
			return false;
	return stacksafe(old, cur, m, exact);
}

bool states_equal(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *old,
		  const struct bpf_verifier_state *cur, bool exact)
{
	struct idmap *m = calloc(1, sizeof(*m));
	bool ok = true;

	if (!m)
		return false;
	if (old->curframe != cur->curframe || old->speculative != cur->speculative)
		ok = false;
	if (ok && !refsafe(old, cur, m))
		ok = false;
	/* every frame must be the same: the caller frames of the same call site too */
	for (uint32_t i = 0; ok && i <= old->curframe; i++) {
		if (old->frame[i]->callsite != cur->frame[i]->callsite)
			ok = false;
		else {
			/* a caller frame is live as at its call instruction; exact comparisons look at everything */
			int at = i == old->curframe ? (int)old->insn_idx : cur->frame[i + 1]->callsite;
			uint16_t live = exact || at < 0 || (uint32_t)at >= env->insn_cnt ?
						0xffff : env->insn_aux_data[at].live_regs_before | (1u << BPF_REG_FP);
			if (!func_states_equal(old->frame[i], cur->frame[i], m, exact, live))
				ok = false;
		}
	}
	free(m);
	return ok;
}

static bool states_maybe_looping(const struct bpf_verifier_state *old, const struct bpf_verifier_state *cur)
{
	const struct bpf_func_state *fold, *fcur;
	uint32_t fr = cur->curframe;

	if (old->curframe != fr)
		return false;
	fold = old->frame[fr];
	fcur = cur->frame[fr];
	for (int i = 0; i < MAX_BPF_REG; i++) {
		const struct bpf_reg_state *a = &fold->regs[i], *b = &fcur->regs[i];
		if (a->type != b->type || (a->type != NOT_INIT && (memcmp(&a->b, &b->b, sizeof(a->b)) ||
								   !same_ptr_fields(a, b) || a->id != b->id)))
			return false;
	}
	return true;
}

int is_state_visited(struct bpfvm_verifier_env *env, int insn_idx)
{
	struct bpf_verifier_state_list *new_sl, *sl, **pprev;
	struct bpf_verifier_state *cur = env->cur_state, *new;
	bool force_new_state = env->insn_aux_data[insn_idx].force_checkpoint;
	bool add_new_state;
	int n = 0;

	/* a long jump history makes every precision walk long: start a new segment (as the kernel, past 40) */
	if (cur->jmp_history_cnt > 40)
		force_new_state = true;
	add_new_state = force_new_state;

	/* a new state every few jumps and instructions: enough for pruning, not too many states */
	if (env->jmps_processed - env->prev_jmps_processed >= 2 && env->insn_processed - env->prev_insn_processed >= 8)
		add_new_state = true;

	for (pprev = &env->explored_states[insn_idx]; (sl = *pprev);) {
		n++;
		if (sl->state->insn_idx != (uint32_t)insn_idx)
			goto next;
		if (sl->state->branches) {
			/* the old state is still being explored below: we are in a loop */
			if (env->insn_aux_data[insn_idx].calls_callback) {
				if (states_equal(env, sl->state, cur, false))
					goto hit;
				goto skip_inf_loop_check;
			}
			if (env->insns[insn_idx].code == (BPF_JMP | BPF_JCOND)) {
				if (sl->state->may_goto_depth != cur->may_goto_depth && states_equal(env, sl->state, cur, false))
					goto hit;
			}
			/* attempt to detect an infinite loop to avoid doomed work */
			if (states_maybe_looping(sl->state, cur) && states_equal(env, sl->state, cur, true) &&
			    sl->state->may_goto_depth == cur->may_goto_depth &&
			    sl->state->callback_unroll_depth == cur->callback_unroll_depth) {
				verbose(env, "infinite loop detected at insn %d\n", insn_idx);
				verbose(env, "cur state:");
				print_verifier_state(env, cur, cur->frame[cur->curframe], true);
				verbose(env, "old state:");
				print_verifier_state(env, sl->state, sl->state->frame[cur->curframe], true);
				return -EINVAL;
			}
skip_inf_loop_check:
			/* in a loop, do not add states too often: iterations differ and rarely help pruning */
			if (!force_new_state && env->jmps_processed - env->prev_jmps_processed < 20 &&
			    env->insn_processed - env->prev_insn_processed < 100)
				add_new_state = false;
			goto miss;
		}
		if (states_equal(env, sl->state, cur, false)) {
hit:
			sl->hit_cnt++;
			/* the old state was proven safe with its precise scalars: the current path needs them exact too */
			int err = propagate_precision(env, sl->state);
			if (err)
				return err;
			return 1;
		}
miss:
		/* count misses only when a new state will be added, so loop iterations do not evict early states */
		if (add_new_state)
			sl->miss_cnt++;
		/* a state that keeps missing is evicted (kept allocated: it may be a parent of live states) */
		uint32_t lim = env->insn_aux_data[insn_idx].force_checkpoint && sl->state->branches > 0 ? 64 : 3;
		if (sl->miss_cnt > sl->hit_cnt * lim + lim) {
			*pprev = sl->next;
			env->num_states--;
			if (!sl->state->branches) {
				/* nothing being explored refers to it any more */
				free_verifier_state(sl->state, true);
				free(sl);
			} else {
				sl->next = env->free_list;
				env->free_list = sl;
			}
			continue;
		}
next:
		pprev = &sl->next;
	}
	if ((uint32_t)n > env->max_states_per_insn)
		env->max_states_per_insn = (uint32_t)n;
	if (!add_new_state)
		return 0;
	/* no equivalent state: remember the current one */
	new_sl = calloc(1, sizeof(*new_sl));
	if (!new_sl)
		return -ENOMEM;
	new = copy_verifier_state_new(cur);
	if (!new) {
		free(new_sl);
		return -ENOMEM;
	}
	env->total_states++;
	env->num_states++;
	if (env->num_states > env->peak_states)
		env->peak_states = env->num_states;
	env->prev_jmps_processed = env->jmps_processed;
	env->prev_insn_processed = env->insn_processed;
	new->insn_idx = (uint32_t)insn_idx;
	new->last_insn_idx = (uint32_t)env->prev_insn_idx; /* its path segment ends with the instruction before */
	new_sl->state = new;
	new_sl->next = env->explored_states[insn_idx];
	env->explored_states[insn_idx] = new_sl;
	/* the new state is the parent of everything the current path explores from here; the current path starts
	 * a new segment, and precision marks it needs from now on go to the checkpoint */
	cur->parent = new;
	cur->first_insn_idx = (uint32_t)insn_idx;
	cur->jmp_history_cnt = 0;
	mark_all_scalars_imprecise(cur);
	return 0;
}

void free_explored_states(struct bpfvm_verifier_env *env)
{
	if (!env->explored_states)
		return;
	for (uint32_t i = 0; i < env->insn_cnt; i++) {
		struct bpf_verifier_state_list *sl = env->explored_states[i], *next;
		for (; sl; sl = next) {
			next = sl->next;
			free_verifier_state(sl->state, true);
			free(sl);
		}
	}
	free(env->explored_states);
	env->explored_states = NULL;
	for (struct bpf_verifier_state_list *sl = env->free_list, *next; sl; sl = next) {
		next = sl->next;
		free_verifier_state(sl->state, true);
		free(sl);
	}
	env->free_list = NULL;
}
