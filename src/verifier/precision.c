/* precision.c - precision tracking: which scalars' exact ranges a verdict depended on (mark_chain_precision)
 *
 * Privileged programs start with imprecise scalars, and pruning (states.c) lets an imprecise scalar of an old
 * state match any scalar. When the verifier relies on a scalar's range (a pointer offset, a helper's size
 * argument, a branch it decides, a return value), that scalar is marked precise, and so is everything it was
 * computed from, backwards along the path: the instructions of the current state's segment (found through its
 * jump history), then each parent checkpoint, whose registers and spilled slots get the mark, as the kernel's
 * __mark_chain_precision. Where the walk meets something it cannot follow (callbacks, atomics on tracked slots,
 * more linked scalars than recorded), every scalar of the path is marked precise instead: less pruning, never
 * less safety.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/verifier.h"

/* what still needs precision, per frame: registers and stack slots */
struct backtrack_state {
	uint32_t frame;
	uint32_t reg_masks[MAX_CALL_FRAMES];
	uint64_t stack_masks[MAX_CALL_FRAMES];
};

static bool bt_empty(const struct backtrack_state *bt)
{
	for (int i = 0; i < MAX_CALL_FRAMES; i++)
		if (bt->reg_masks[i] || bt->stack_masks[i])
			return false;
	return true;
}

#define BT_REG(bt, r) ((bt)->reg_masks[(bt)->frame] & (1u << (r)))
#define BT_SET_REG(bt, r) ((bt)->reg_masks[(bt)->frame] |= 1u << (r))
#define BT_CLEAR_REG(bt, r) ((bt)->reg_masks[(bt)->frame] &= ~(1u << (r)))

static void fmt_reg_mask(char *buf, size_t size, uint32_t mask)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < MAX_BPF_REG && n < size; i++)
		if (mask & (1u << i))
			n += (size_t)snprintf(buf + n, size - n, "%sr%d", n ? "," : "", i);
}

static void fmt_stack_mask(char *buf, size_t size, uint64_t mask)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < 64 && n < size; i++)
		if (mask & (1ull << i))
			n += (size_t)snprintf(buf + n, size - n, "%s%d", n ? "," : "", -(i + 1) * 8);
}

/* ---- the jump history ---- */

int push_jmp_history(struct bpfvm_verifier_env *env, struct bpf_verifier_state *st, uint32_t flags)
{
	if (env->cur_hist_ent >= 0 && (uint32_t)env->cur_hist_ent < st->jmp_history_cnt &&
	    st->jmp_history[env->cur_hist_ent].idx == (uint32_t)env->insn_idx) {
		st->jmp_history[env->cur_hist_ent].flags |= flags;
		return 0;
	}
	if (st->jmp_history_cnt == st->jmp_history_cap) {
		uint32_t cap = st->jmp_history_cap ? st->jmp_history_cap * 2 : 16;
		struct bpf_jmp_history_entry *h = realloc(st->jmp_history, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		st->jmp_history = h;
		st->jmp_history_cap = cap;
	}
	struct bpf_jmp_history_entry *e = &st->jmp_history[st->jmp_history_cnt];
	memset(e, 0, sizeof(*e));
	e->idx = (uint32_t)env->insn_idx;
	e->prev_idx = env->prev_insn_idx;
	e->flags = flags;
	env->cur_hist_ent = (int)st->jmp_history_cnt++;
	return 0;
}

int record_linked_regs(struct bpfvm_verifier_env *env, uint32_t regno)
{
	struct bpf_verifier_state *st = env->cur_state;
	const struct bpf_reg_state *reg = &cur_regs(env)[regno];
	if (reg->type != SCALAR_VALUE || !reg->id)
		return 0;
	int err = push_jmp_history(env, st, 0);
	if (err)
		return err;
	struct bpf_jmp_history_entry *e = &st->jmp_history[env->cur_hist_ent];
	for (uint32_t fr = 0; fr <= st->curframe; fr++) {
		const struct bpf_func_state *f = st->frame[fr];
		for (int i = 0; i < MAX_BPF_REG + f->allocated_stack / BPF_REG_SIZE; i++) {
			bool is_reg = i < MAX_BPF_REG;
			int spi = i - MAX_BPF_REG;
			const struct bpf_reg_state *r = is_reg ? &f->regs[i] : &f->stack[spi].spilled_ptr;
			if (!is_reg && !is_spilled_reg(&f->stack[spi]))
				continue;
			if (r->type != SCALAR_VALUE || r->id != reg->id)
				continue;
			if (e->linked_cnt == LINKED_REGS_MAX) {
				e->flags |= INSN_F_LINKED_OVERFLOW;
				return 0;
			}
			e->linked[e->linked_cnt++] = (struct bpf_linked_reg){ (uint8_t)fr, is_reg,
									      (uint8_t)(is_reg ? i : spi) };
		}
	}
	return 0;
}

/* the history entry of instruction idx, if the top one is it */
static const struct bpf_jmp_history_entry *hist_entry(const struct bpf_verifier_state *st, uint32_t cnt, int idx)
{
	if (cnt && st->jmp_history[cnt - 1].idx == (uint32_t)idx)
		return &st->jmp_history[cnt - 1];
	return NULL;
}

/*
 * The instruction before idx on the path, consuming its history entry; -1 at the segment's start (idx is its first
 * instruction and no history is left but that instruction's own arrival: a loop may pass it several times)
 */
static int prev_insn_idx(const struct bpf_verifier_state *st, int idx, uint32_t *cnt)
{
	if ((uint32_t)idx == st->first_insn_idx &&
	    (*cnt == 0 || (*cnt == 1 && st->jmp_history[0].idx == (uint32_t)idx)))
		return -1;
	if (*cnt && st->jmp_history[*cnt - 1].idx == (uint32_t)idx)
		return st->jmp_history[--*cnt].prev_idx;
	return idx - 1;
}

/* ---- one instruction backwards ---- */

/* a linked scalar in bt pulls in all the others: the jump narrowed them together */
static int sync_linked(struct backtrack_state *bt, const struct bpf_jmp_history_entry *h)
{
	bool any = false;
	if (!h || !h->linked_cnt)
		return 0;
	for (int i = 0; i < h->linked_cnt; i++) {
		const struct bpf_linked_reg *l = &h->linked[i];
		any |= l->is_reg ? !!(bt->reg_masks[l->frameno] & (1u << l->regno)) :
				   !!(bt->stack_masks[l->frameno] & (1ull << l->regno));
	}
	if (!any)
		return 0;
	if (h->flags & INSN_F_LINKED_OVERFLOW)
		return -ENOTSUP;
	for (int i = 0; i < h->linked_cnt; i++) {
		const struct bpf_linked_reg *l = &h->linked[i];
		if (l->is_reg)
			bt->reg_masks[l->frameno] |= 1u << l->regno;
		else
			bt->stack_masks[l->frameno] |= 1ull << l->regno;
	}
	return 0;
}

static bool is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
}

/*
 * Undo instruction idx on bt: the registers and slots that held the precise values before it. subseq_idx is the
 * instruction the path went to after idx. -ENOTSUP: this walk cannot follow; mark everything precise.
 */
static int backtrack_insn(struct bpfvm_verifier_env *env, int idx, int subseq_idx,
			  const struct bpf_jmp_history_entry *h, struct backtrack_state *bt)
{
	const struct bpf_insn *insn = &env->insns[idx];
	uint8_t class = BPF_CLASS(insn->code), opcode = BPF_OP(insn->code), mode = BPF_MODE(insn->code);
	uint32_t dreg = insn->dst_reg, sreg = insn->src_reg;

	if (insn->code == 0) /* the second slot of an LD_IMM64 is never on a path */
		return -EFAULT;
	if (env->log_level & 2) {
		char regs[64], stack[320];
		fmt_reg_mask(regs, sizeof(regs), bt->reg_masks[bt->frame]);
		fmt_stack_mask(stack, sizeof(stack), bt->stack_masks[bt->frame]);
		verbose(env, "mark_precise: frame%u: regs=%s stack=%s before %d: ", bt->frame, regs, stack, idx);
		print_bpf_insn(env, insn);
	}
	if (class == BPF_ALU || class == BPF_ALU64) {
		if (!BT_REG(bt, dreg))
			return 0;
		if (opcode == BPF_END || opcode == BPF_NEG)
			return 0; /* dst is its own source */
		if (opcode == BPF_MOV) {
			BT_CLEAR_REG(bt, dreg);
			if (BPF_SRC(insn->code) == BPF_X)
				BT_SET_REG(bt, sreg);
			return 0;
		}
		if (BPF_SRC(insn->code) == BPF_X)
			BT_SET_REG(bt, sreg); /* dst stays: dst op= src needs both */
		return 0;
	}
	if (class == BPF_LDX) {
		if (!BT_REG(bt, dreg))
			return 0;
		BT_CLEAR_REG(bt, dreg);
		/* a load from memory other than the stack: the value is what memory held, no register behind it */
		if (!h || !(h->flags & INSN_F_STACK_ACCESS))
			return 0;
		bt->stack_masks[h->flags & INSN_F_FRAMENO_MASK] |= 1ull << ((h->flags >> INSN_F_SPI_SHIFT) & INSN_F_SPI_MASK);
		return 0;
	}
	if (class == BPF_STX || class == BPF_ST) {
		if (class == BPF_STX && mode == BPF_ATOMIC) {
			/* a fetch or cmpxchg result, or a tracked slot it changed: not followed */
			bool slot = h && (h->flags & INSN_F_STACK_ACCESS) &&
				    (bt->stack_masks[h->flags & INSN_F_FRAMENO_MASK] &
				     (1ull << ((h->flags >> INSN_F_SPI_SHIFT) & INSN_F_SPI_MASK)));
			if (BT_REG(bt, sreg) || BT_REG(bt, BPF_REG_0) || slot)
				return -ENOTSUP;
			return 0;
		}
		if (!h || !(h->flags & INSN_F_STACK_ACCESS))
			return 0;
		uint32_t fr = h->flags & INSN_F_FRAMENO_MASK, spi = (h->flags >> INSN_F_SPI_SHIFT) & INSN_F_SPI_MASK;
		if (!(bt->stack_masks[fr] & (1ull << spi)))
			return 0;
		bt->stack_masks[fr] &= ~(1ull << spi);
		if (class == BPF_STX)
			BT_SET_REG(bt, sreg);
		return 0;
	}
	if (class == BPF_JMP || class == BPF_JMP32) {
		if (opcode == BPF_EXIT) {
			/* back from the caller's instruction after the call into the callee's exit */
			if (subseq_idx < 1 || !is_pseudo_call(&env->insns[subseq_idx - 1]) ||
			    bt->frame + 1 >= MAX_CALL_FRAMES)
				return bt_empty(bt) ? 0 : -ENOTSUP;
			uint32_t r0 = BT_REG(bt, BPF_REG_0);
			if (bt->reg_masks[bt->frame] & 0x3eu) /* r1-r5 do not survive a call */
				return -EFAULT;
			BT_CLEAR_REG(bt, BPF_REG_0);
			bt->frame++;
			if (r0)
				BT_SET_REG(bt, BPF_REG_0);
			return 0;
		}
		if (opcode == BPF_CALL) {
			if (is_pseudo_call(insn) && subseq_idx == idx + insn->imm + 1) {
				/* back from the callee's first instruction to the call: its arguments are the caller's */
				if (bt->frame == 0)
					return -EFAULT;
				uint32_t args = bt->reg_masks[bt->frame] & 0x3eu;
				if ((bt->reg_masks[bt->frame] & ~0x3eu) || bt->stack_masks[bt->frame])
					return -ENOTSUP; /* callee registers or stack not from the caller: not followed */
				bt->reg_masks[bt->frame] = 0;
				bt->frame--;
				bt->reg_masks[bt->frame] |= args;
				return 0;
			}
			if (subseq_idx != idx + 1)
				return -ENOTSUP; /* a callback entered from a helper: not followed */
			if (is_pseudo_call(insn))
				return -ENOTSUP; /* a call whose callee the walk did not come through */
			/* a helper or kfunc: r0 is its result, r1-r5 are clobbered */
			BT_CLEAR_REG(bt, BPF_REG_0);
			if (bt->reg_masks[bt->frame] & 0x3eu)
				return -ENOTSUP;
			return 0;
		}
		if (opcode == BPF_JA || opcode == BPF_JCOND)
			return 0;
		/* a conditional jump: comparing two registers makes both matter */
		if (BPF_SRC(insn->code) == BPF_X && (BT_REG(bt, dreg) || BT_REG(bt, sreg))) {
			BT_SET_REG(bt, dreg);
			BT_SET_REG(bt, sreg);
		}
		return sync_linked(bt, h);
	}
	if (class == BPF_LD) {
		if (mode == BPF_IMM) {
			BT_CLEAR_REG(bt, dreg);
			return 0;
		}
		/* LD_ABS/LD_IND: r0 comes from the packet; r1-r5 are clobbered */
		BT_CLEAR_REG(bt, BPF_REG_0);
		return (bt->reg_masks[bt->frame] & 0x3eu) ? -ENOTSUP : 0;
	}
	return 0;
}

/* ---- marking states ---- */

static void mark_all_scalars_precise(struct bpfvm_verifier_env *env, struct bpf_verifier_state *st)
{
	if (env->log_level & 2)
		verbose(env, "mark_precise: frame%u: falling back to forcing all scalars precise\n", st->curframe);
	for (; st; st = st->parent)
		for (uint32_t fr = 0; fr <= st->curframe; fr++) {
			struct bpf_func_state *f = st->frame[fr];
			for (int i = 0; i < MAX_BPF_REG; i++)
				if (f->regs[i].type == SCALAR_VALUE)
					f->regs[i].precise = true;
			for (int spi = 0; spi < f->allocated_stack / BPF_REG_SIZE; spi++)
				if (is_spilled_reg(&f->stack[spi]) && f->stack[spi].spilled_ptr.type == SCALAR_VALUE)
					f->stack[spi].spilled_ptr.precise = true;
		}
}

void mark_all_scalars_imprecise(struct bpf_verifier_state *st)
{
	for (uint32_t fr = 0; fr <= st->curframe; fr++) {
		struct bpf_func_state *f = st->frame[fr];
		for (int i = 0; i < MAX_BPF_REG; i++)
			if (f->regs[i].type == SCALAR_VALUE)
				f->regs[i].precise = false;
		for (int spi = 0; spi < f->allocated_stack / BPF_REG_SIZE; spi++)
			if (is_spilled_reg(&f->stack[spi]) && f->stack[spi].spilled_ptr.type == SCALAR_VALUE)
				f->stack[spi].spilled_ptr.precise = false;
	}
}

/* mark what bt names in checkpoint st; drop what needs nothing more (not a scalar, already precise) */
static void mark_parent(struct bpfvm_verifier_env *env, struct bpf_verifier_state *st, struct backtrack_state *bt)
{
	for (uint32_t fr = 0; fr < MAX_CALL_FRAMES; fr++) {
		if (!bt->reg_masks[fr] && !bt->stack_masks[fr])
			continue;
		if (fr > st->curframe) { /* the walk and the state disagree on frames: cannot happen */
			bt->reg_masks[fr] = 0;
			bt->stack_masks[fr] = 0;
			continue;
		}
		struct bpf_func_state *f = st->frame[fr];
		for (int i = 0; i < MAX_BPF_REG; i++) {
			if (!(bt->reg_masks[fr] & (1u << i)))
				continue;
			struct bpf_reg_state *r = &f->regs[i];
			if (r->type != SCALAR_VALUE || r->precise)
				bt->reg_masks[fr] &= ~(1u << i);
			else
				r->precise = true;
		}
		for (int spi = 0; spi < 64; spi++) {
			if (!(bt->stack_masks[fr] & (1ull << spi)))
				continue;
			if (spi >= f->allocated_stack / BPF_REG_SIZE || !is_spilled_reg(&f->stack[spi]) ||
			    f->stack[spi].spilled_ptr.type != SCALAR_VALUE || f->stack[spi].spilled_ptr.precise) {
				bt->stack_masks[fr] &= ~(1ull << spi);
				continue;
			}
			f->stack[spi].spilled_ptr.precise = true;
		}
		if (env->log_level & 2) {
			char regs[64], stack[320];
			fmt_reg_mask(regs, sizeof(regs), bt->reg_masks[fr]);
			fmt_stack_mask(stack, sizeof(stack), bt->stack_masks[fr]);
			verbose(env, "mark_precise: frame%u: parent state regs=%s stack=%s: ", fr, regs, stack);
			print_verifier_state(env, st, f, true);
		}
	}
}

/*
 * Walk back from instruction last_idx of st (skipping it when it is the one being checked: its effect is not in
 * the state yet), then through st's parents, until nothing more needs marking.
 */
static int mark_chain(struct bpfvm_verifier_env *env, struct bpf_verifier_state *st, struct backtrack_state *bt,
		      int last_idx, bool skip_first)
{
	int subseq_idx = -1;
	bool first = true;

	while (!bt_empty(bt)) {
		uint32_t cnt = st->jmp_history_cnt;
		if (env->log_level & 2)
			verbose(env, "mark_precise: frame%u: last_idx %d first_idx %u subseq_idx %d \n", bt->frame, last_idx,
				st->first_insn_idx, subseq_idx);
		for (int i = last_idx; i >= 0;) {
			if (!(first && skip_first)) {
				int err = backtrack_insn(env, i, subseq_idx, hist_entry(st, cnt, i), bt);
				if (err == -ENOTSUP || err == -EFAULT) {
					mark_all_scalars_precise(env, env->cur_state);
					memset(bt, 0, sizeof(*bt));
					return 0;
				}
				if (err)
					return err;
			}
			first = false;
			if (bt_empty(bt))
				return 0;
			subseq_idx = i;
			i = prev_insn_idx(st, i, &cnt);
		}
		st = st->parent;
		if (!st)
			break;
		mark_parent(env, st, bt);
		last_idx = (int)st->last_insn_idx;
	}
	return 0;
}

int mark_chain_precision(struct bpfvm_verifier_env *env, int regno)
{
	struct bpf_verifier_state *st = env->cur_state;
	struct backtrack_state bt = { .frame = st->curframe };

	if (regno < 0 || regno >= MAX_BPF_REG)
		return 0;
	/* the current state's own marks are not kept (they are cleared at each checkpoint): its parents get them */
	if (cur_regs(env)[regno].type != SCALAR_VALUE)
		return 0;
	BT_SET_REG(&bt, regno);
	return mark_chain(env, st, &bt, env->insn_idx, true);
}

int mark_stack_slot_precise(struct bpfvm_verifier_env *env, uint32_t frameno, int spi)
{
	struct bpf_verifier_state *st = env->cur_state;
	struct backtrack_state bt = { .frame = st->curframe };

	if (frameno > st->curframe || spi < 0 || spi >= 64)
		return 0;
	struct bpf_func_state *f = st->frame[frameno];
	if (spi >= f->allocated_stack / BPF_REG_SIZE || !is_spilled_reg(&f->stack[spi]) ||
	    f->stack[spi].spilled_ptr.type != SCALAR_VALUE)
		return 0;
	bt.stack_masks[frameno] |= 1ull << spi;
	return mark_chain(env, st, &bt, env->insn_idx, true);
}

int propagate_precision(struct bpfvm_verifier_env *env, const struct bpf_verifier_state *old)
{
	struct bpf_verifier_state *st = env->cur_state;
	struct backtrack_state bt = { .frame = st->curframe };

	for (uint32_t fr = 0; fr <= old->curframe && fr <= st->curframe; fr++) {
		const struct bpf_func_state *f = old->frame[fr];
		for (int i = 0; i < MAX_BPF_REG; i++)
			if (f->regs[i].type == SCALAR_VALUE && f->regs[i].precise)
				bt.reg_masks[fr] |= 1u << i;
		for (int spi = 0; spi < f->allocated_stack / BPF_REG_SIZE && spi < 64; spi++)
			if (is_spilled_reg(&f->stack[spi]) && f->stack[spi].spilled_ptr.type == SCALAR_VALUE &&
			    f->stack[spi].spilled_ptr.precise)
				bt.stack_masks[fr] |= 1ull << spi;
	}
	if (bt_empty(&bt))
		return 0;
	if (env->log_level & 2) {
		char regs[64], stack[320];
		fmt_reg_mask(regs, sizeof(regs), bt.reg_masks[st->curframe]);
		fmt_stack_mask(stack, sizeof(stack), bt.stack_masks[st->curframe]);
		verbose(env, "propagating %s%s%s\n", regs, regs[0] && stack[0] ? " " : "", stack);
	}
	/* the state at entry of the instruction being pruned: the path so far ends at the previous one */
	if (env->prev_insn_idx < 0)
		return 0;
	return mark_chain(env, st, &bt, env->prev_insn_idx, false);
}
