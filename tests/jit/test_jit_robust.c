/* test_jit_robust.c - the JIT compiler on random instruction streams: a clean error or an image, never a crash */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp/prog.h"
#include "isa/opcodes.h"
#include "jit/jit.h"
#include "lib/harness.h"

/* an instruction of a random form from opcodes.def with random fields, or (1 in 16) random bytes */
static int random_insn(uint64_t *st, struct bpf_insn *out, int pos, int n, int room)
{
	uint64_t r = t_rand(st);
	enum bpfvm_op op = (enum bpfvm_op)(r % BPFVM_OP__COUNT);
	const struct bpfvm_opinfo *oi = &bpfvm_opinfo[op];
	struct bpf_insn *i = out;

	if ((r >> 20) % 64 == 0) {
		uint64_t raw = t_rand(st);

		memcpy(i, &raw, sizeof(*i));
		return 1;
	}
	memset(i, 0, sizeof(*i));
	i->code = oi->code;
	i->dst_reg = (oi->fields & F_DST) ? (uint8_t)(t_rand(st) % ((r >> 8) % 64 ? 10 : 16)) : 0;
	i->src_reg = (oi->fields & F_SRC) ? (uint8_t)(t_rand(st) % 11) : 0;
	/* offsets and immediates mostly land inside the program, as jumps and calls need */
	i->off = (oi->fields & F_OFF) ? (int16_t)((int)(t_rand(st) % (unsigned)n) - pos - 1) : 0;
	i->imm = (oi->fields & F_IMM) ? (int32_t)((t_rand(st) % 4) ? (int)(t_rand(st) % (unsigned)n) - pos - 1
								 : (int32_t)t_rand(st))
				     : 0;
	if (oi->key == K_OFF)
		i->off = (int16_t)oi->keyval;
	else if (oi->key == K_IMM)
		i->imm = oi->keyval;
	else if (oi->key == K_SRC)
		i->src_reg = (uint8_t)oi->keyval;
	if (op == BPFVM_OP_LD_IMM64) {
		if (room < 2)
			return 0;
		memset(&out[1], 0, sizeof(out[1]));
		out[1].imm = (int32_t)t_rand(st);
		return 2;
	}
	return 1;
}

int main(void)
{
	static struct bpf_insn insns[80];
	long count = t_env_count("BPFVM_JIT_ROBUST_COUNT", t_sanitized() ? 4000 : 20000);
	uint64_t seed = t_seed("jit_robust"), st = seed | 1;
	long compiled = 0, refused = 0, bad = 0;

	for (long k = 0; k < count; k++) {
		int len = 1 + (int)(t_rand(&st) % 64), n = 0;
		struct bpfvm_jit_opts o = { .harden = k % 3 == 0, .no_bmi2 = k % 5 == 0 };
		struct bpfvm_prog prog = { 0 };
		struct bpfvm_log log = { 0 };
		int err;

		while (n < len) {
			int got = random_insn(&st, &insns[n], n, len, len - n);

			if (!got)
				break;
			n += got;
		}
		if (k % 4 != 0 && n > 0) /* most end properly, like real programs */
			insns[n - 1] = BPFVM_EXIT();
		prog.insns = insns;
		prog.insn_cnt = (size_t)n;
		err = bpfvm_jit_compile_opts(&prog, &o, &log, NULL);
		if (err == 0 && prog.jit_entry && prog.jit_size > 0) {
			compiled++;
		} else if (err < 0 && err != -EFAULT && log.last_error[0]) {
			refused++;
		} else {
			if (bad++ < 5)
				t_fail("jit_robust program %ld (BPFVM_SEED=%llu): compile returned %d (%s)", k,
				       (unsigned long long)seed, err, log.last_error);
		}
		bpfvm_jit_release(&prog);
	}
	if (!bad)
		t_pass("jit_robust: %ld random programs: %ld compiled, %ld refused with a reason", count, compiled,
		       refused);
	printf("FIGURE jit robustness: %ld random programs, %ld compiled, %ld refused with a reason, %ld bad\n", count,
	       compiled, refused, bad);
	return t_done();
}
