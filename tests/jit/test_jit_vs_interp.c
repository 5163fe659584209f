/* test_jit_vs_interp.c - differential: generated programs, same r0, memory and stack in JIT and interpreter */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/helpers.h"
#include "interp/prog.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "lib/harness.h"
#include "jit/ref_eval.h"

#include "jit/gen.h"

struct outcome {
	uint64_t r0;
	int err;
	uint8_t mem[MEM_LEN];
};

static const uint8_t pkt[48] = { 0x45, 0x00, 0x00, 0x54, 0xa1, 0xb2, 0x40, 0x00, 0x40, 0x01, 0xc3, 0xd4,
				 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0xf7, 0xff,
				 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0x1e, 0x2d, 0x3c,
				 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };

static void setup_rc(struct bpfvm_run_ctx *rc, const struct bpfvm_prog *prog)
{
	memset(rc, 0, sizeof(*rc));
	rc->prog = prog;
	rc->pkt = pkt;
	rc->pkt_len = sizeof(pkt);
}

static int run_jit(struct bpfvm_prog *prog, const struct bpfvm_jit_opts *o, const uint8_t *mem0, struct outcome *out,
		   char *why, size_t whylen)
{
	struct bpfvm_run_ctx rc;
	struct bpfvm_log log = { 0 };
	int err;

	bpfvm_jit_release(prog);
	err = bpfvm_jit_compile_opts(prog, o, &log, NULL);
	if (err) {
		snprintf(why, whylen, "compile: %d %.200s", err, log.last_error);
		return err;
	}
	memcpy(out->mem, mem0, MEM_LEN);
	setup_rc(&rc, prog);
	out->r0 = prog->jit_entry((uint64_t)(uintptr_t)out->mem, MEM_LEN, &rc);
	out->err = rc.error;
	return 0;
}

static bool same(const struct outcome *a, const struct outcome *b, char *why, size_t whylen)
{
	if (a->err != b->err) {
		snprintf(why, whylen, "error %d vs %d", a->err, b->err);
		return false;
	}
	if (a->r0 != b->r0) {
		snprintf(why, whylen, "r0 0x%llx vs 0x%llx", (unsigned long long)a->r0, (unsigned long long)b->r0);
		return false;
	}
	for (int i = 0; i < MEM_LEN; i++)
		if (a->mem[i] != b->mem[i]) {
			snprintf(why, whylen, "%s byte %d: 0x%02x vs 0x%02x",
				 i < MEM_REGS ? "buffer" : i < MEM_STACK ? "register dump" : "stack dump",
				 i < MEM_REGS ? i : i < MEM_STACK ? i - MEM_REGS : i - MEM_STACK, a->mem[i], b->mem[i]);
			return false;
		}
	return true;
}

int main(void)
{
	static struct bpf_insn insns[MAX_INSNS];
	static struct outcome o_int, o_jit, o_alt, o_ref;
	static uint8_t mem0[MEM_LEN];
	static const struct bpfvm_jit_opts modes[] = { { .helper_by_id = th_by_id },
						       { .no_bmi2 = true, .helper_by_id = th_by_id },
						       { .harden = true, .helper_by_id = th_by_id },
						       { .no_peephole = true, .helper_by_id = th_by_id } };
	static const char *mode_name[] = { "default", "no_bmi2", "harden", "no_peephole" };
	long count = t_env_count("BPFVM_JIT_DIFF_COUNT", 5000);
	uint64_t seed = t_seed("jit_vs_interp");
	long mismatches = 0, vs_interp = 0, vs_modes = 0, vs_ref = 0, completed = 0, total_insns = 0, errors = 0;
	char why[256];

	if (t_sanitized() && !getenv("BPFVM_JIT_DIFF_COUNT"))
		count /= 5;
	for (long i = 0; i < count; i++) {
		struct gen g = { .rng = seed + (uint64_t)i * 0x9e3779b97f4a7c15ull, .helpers = i % 8 == 7 };
		struct bpfvm_prog prog = { 0 };
		uint64_t state = g.rng ^ 0x5555;
		int n;

		t_rand(&g.rng);
		n = generate(&g, insns);
		if (n < 0)
			continue;
		for (int b = 0; b < MEM_LEN; b++)
			mem0[b] = (uint8_t)t_rand(&state);
		prog.insns = insns;
		prog.insn_cnt = (size_t)n;
		if (run_jit(&prog, &modes[0], mem0, &o_jit, why, sizeof(why))) {
			t_fail("jit_vs_interp program %ld (BPFVM_SEED=%llu): %s", i, (unsigned long long)seed, why);
			mismatches++;
			break;
		}
		total_insns += n;
		errors += o_jit.err != 0;
		completed += memcmp(o_jit.mem + MEM_REGS, mem0 + MEM_REGS, MEM_LEN - MEM_REGS) != 0;
		/* the plain reference evaluator (tests/jit/ref_eval.h) */
		memcpy(o_ref.mem, mem0, MEM_LEN);
		o_ref.r0 = 0;
		o_ref.err = ref_eval_h(insns, (size_t)n, (uint64_t)(uintptr_t)o_ref.mem, MEM_LEN, pkt, sizeof(pkt), ref_helper,
				       &o_ref.r0);
		vs_ref++;
		if (!same(&o_ref, &o_jit, why, sizeof(why))) {
			t_fail("jit_vs_interp program %ld (BPFVM_SEED=%llu, %d insns): reference vs jit: %s", i,
			       (unsigned long long)seed, n, why);
			mismatches++;
		}
		if (!g.helpers) {
			struct bpfvm_run_ctx rc;

			memcpy(o_int.mem, mem0, MEM_LEN);
			setup_rc(&rc, &prog);
			o_int.r0 = 0;
			o_int.err = bpfvm_interp_run(&prog, &rc, (uint64_t)(uintptr_t)o_int.mem, MEM_LEN, &o_int.r0);
			if (!o_int.err)
				o_int.err = rc.error;
			vs_interp++;
			if (!same(&o_int, &o_jit, why, sizeof(why))) {
				t_fail("jit_vs_interp program %ld (BPFVM_SEED=%llu, %d insns): interp vs jit: %s", i,
				       (unsigned long long)seed, n, why);
				mismatches++;
			}
		}
		/* the JIT's other code paths (no BMI2, constant blinding) against its default one */
		for (int m = 1; m < 4 && i % 4 == 0; m++) {
			if (run_jit(&prog, &modes[m], mem0, &o_alt, why, sizeof(why)) ||
			    !same(&o_jit, &o_alt, why, sizeof(why))) {
				t_fail("jit_vs_interp program %ld (BPFVM_SEED=%llu): jit default vs %s: %s", i,
				       (unsigned long long)seed, mode_name[m], why);
				mismatches++;
			}
			vs_modes++;
		}
		bpfvm_jit_release(&prog);
		bpfvm_interp_release(&prog); /* the interpreter caches its decoded form in prog */
		if (mismatches >= 5)
			break;
	}
	if (!mismatches)
		t_pass("jit_vs_interp: %ld programs identical in JIT and interpreter", vs_interp);
	if (!mismatches) {
		t_pass("jit_vs_interp: %ld programs identical in the JIT and the reference evaluator", vs_ref);
		t_pass("jit_vs_interp: %ld runs identical across JIT modes (no_bmi2, harden, no_peephole)", vs_modes);
	}
	printf("FIGURE jit vs interp: %ld programs vs the interpreter, %ld vs the reference evaluator, %ld mismatches "
	       "(JIT modes compared: %ld; %.0f insns/program, %.0f%% ran to the end, %ld stopped by the frame limit or a "
	       "failing helper)\n",
	       vs_interp, vs_ref, mismatches, vs_modes, count ? (double)total_insns / count : 0,
	       count ? 100.0 * completed / count : 0, errors);
	return t_done();
}
