/* test_verifier_kernel.c - verifier programs (safe and mutated) against the live kernel's verdicts */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diffutil.h"
#include "lib/harness.h"
#include "lib/kernel.h"
#include "lib/vprogen.h"
#include "bpfvm/verifier.h"

#define MAX_MUT 64

struct mut_stats {
	long seen, rejected;
	char example[256]; /* one kernel_err line */
};

/* bpfvm's verdict on p: the maps described as the kernel gets them, indexed by the imm of each map reference */
static char vlog[1 << 20]; /* bpfvm's log of the last bpfvm_verdict() */

/*
 * A log with its map addresses masked: the kernel prints its own addresses in `(18) r1 = 0xffff...` lines (and
 * pads the `; R1=...` delta after them by their length), bpfvm its map handles.
 */
static void mask_map_addresses(const char *in, char *out, size_t size)
{
	size_t o = 0;
	while (*in && o + 1 < size) {
		const char *nl = strchr(in, '\n');
		size_t len = nl ? (size_t)(nl - in) + 1 : strlen(in);
		const char *ld = strstr(in, ": (18) r");
		const char *eq = ld && ld < in + len ? strstr(ld, " = 0x") : NULL;
		if (eq && eq < in + len) {
			const char *semi = strstr(eq, "; ");
			const char *rest = semi && semi < in + len ? semi : in + len - (nl ? 1 : 0);
			o += (size_t)snprintf(out + o, size - o, "%.*s = ADDR %.*s", (int)(eq - in), in,
					      (int)(in + len - rest), rest);
		} else {
			o += (size_t)snprintf(out + o, size - o, "%.*s", (int)len, in);
		}
		in += len;
	}
	out[o < size ? o : size - 1] = 0;
}

static int bpfvm_verdict(const struct vprogen_prog *p, struct bpfvm_verify_stats *st)
{
	struct bpfvm_map_info maps[VPROGEN_MAX_MAPS];
	memset(maps, 0, sizeof(maps));
	for (int m = 0; m < p->nmaps; m++)
		maps[m] = (struct bpfvm_map_info){ .type = p->maps[m].type, .key_size = p->maps[m].key_size,
						   .value_size = p->maps[m].value_size,
						   .max_entries = p->maps[m].max_entries,
						   .map_flags = p->maps[m].map_flags, .spin_lock_off = -1,
						   .timer_off = -1 };
	struct bpfvm_verify_opts o = { .sz = sizeof(o), .prog_type = p->prog_type, .maps = maps,
				       .map_cnt = (size_t)p->nmaps, .log_level = 1, .log_buf = vlog,
				       .log_size = sizeof(vlog), .stats = st };
	return bpfvm_verify(p->insns, p->cnt, &o);
}

static int mutation_index(const char *m)
{
	for (int i = 0; i < MAX_MUT && vprogen_mutation_name(i); i++)
		if (!strcmp(vprogen_mutation_name(i), m))
			return i;
	return -1;
}

/*
 * tests/data/vprogen-verifier.txt holds the first 500 records of seed 1 (for `bpfvm corpus verify`). Check that
 * it is what this generator and this kernel make: a stale file (the generator changed) is a failure. Regenerate:
 * BPFVM_SEED=1 BPFVM_VDIFF_COUNT=500 BPFVM_VPROGEN_RECORDS=tests/data/vprogen-verifier.txt \
 *     build/tests/diff/test_verifier_kernel
 */
static void test_records_file(void)
{
	static struct vprogen_prog p;
	static char log[1 << 20];
	const char *path = "tests/data/vprogen-verifier.txt";
	FILE *f = fopen(path, "r");
	char *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0;
	long n = 50;

	if (!f) {
		t_fail("records file %s: cannot open it", path);
		return;
	}
	FILE *mw = open_memstream(&got, &got_len);
	for (long i = 0; i < n && mw; i++) {
		uint64_t st = diff_prog_state(1, i);
		struct vprogen_verdict v;
		char src[64];
		if (vprogen_generate(&st, NULL, &p) || vprogen_kernel_verdict(&p, log, sizeof(log), &v))
			break;
		snprintf(src, sizeof(src), "vprogen:1:%ld", i);
		vprogen_write_record(mw, &p, src, &v);
	}
	if (mw)
		fclose(mw);
	want = malloc(got_len + 1);
	if (want)
		want_len = fread(want, 1, got_len, f);
	fclose(f);
	CHECK(want && got && want_len == got_len && !memcmp(want, got, got_len),
	      "records file %s: its first %ld records are what vprogen and the kernel make now", path, n);
	free(want);
	free(got);
}

int main(void)
{
	static struct vprogen_prog p;
	static char log[1 << 20];
	static struct mut_stats ms[MAX_MUT];
	char why[128];
	uint64_t seed = t_seed("test_verifier_kernel");
	long count = t_env_count("BPFVM_VDIFF_COUNT", 2000);
	long safe = 0, safe_ok = 0, mutated = 0, mut_rej = 0, accepted = 0, gen_err = 0;
	long same_verdict = 0, both_reject = 0, same_err = 0, same_log = 0;
	int shown_log = 0;
	int shown = 0, shown_verdict = 0, shown_err = 0;
	const long show_max = t_env_count("BPFVM_VDIFF_SHOW", 10); /* differences printed, of each kind */
	/* BPFVM_VPROGEN_RECORDS=FILE: every program and verdict in corpus/verifier's record format */
	const char *records = getenv("BPFVM_VPROGEN_RECORDS");
	FILE *rf = records && *records ? fopen(records, "w") : NULL;
	if (records && *records && !rf)
		t_fail("cannot write %s", records);

	/* the generator alone: deterministic from its seed */
	{
		static struct vprogen_prog a, b;
		int bad = 0;
		for (long i = 0; i < 200; i++) {
			uint64_t s1 = diff_prog_state(seed, i), s2 = s1;
			if (vprogen_generate(&s1, NULL, &a) || vprogen_generate(&s2, NULL, &b) || a.cnt != b.cnt ||
			    memcmp(a.insns, b.insns, a.cnt * sizeof(a.insns[0])))
				bad++;
		}
		CHECK(bad == 0, "vprogen deterministic from its seed (%d differ)", bad);
	}
	if (!kernel_bpf_available(why, sizeof(why))) {
		t_skip("verifier programs against the kernel: %s", why);
		return t_done();
	}
	test_records_file();
	for (long i = 0; i < count; i++) {
		uint64_t st = diff_prog_state(seed, i);
		struct vprogen_verdict v;
		if (vprogen_generate(&st, NULL, &p)) {
			gen_err++;
			continue;
		}
		int err = vprogen_kernel_verdict(&p, log, sizeof(log), &v);
		if (err) {
			t_fail("vprogen seed %" PRIu64 " #%ld: map creation failed (%s)", seed, i, kernel_errno_name(err));
			continue;
		}
		accepted += v.err == 0;
		struct bpfvm_verify_stats bst;
		int berr = bpfvm_verdict(&p, &bst);
		static char mk[1 << 20], mb[1 << 20];
		mask_map_addresses(log, mk, sizeof(mk));
		mask_map_addresses(vlog, mb, sizeof(mb));
		if (!strcmp(mk, mb))
			same_log++;
		else if (getenv("BPFVM_VDIFF_LOGS") && shown_log++ < 3)
			fprintf(stderr, "logs differ: seed %" PRIu64 " #%ld\n--- kernel\n%s--- bpfvm\n%s---\n", seed, i, mk, mb);
		if (!berr == !v.err) {
			same_verdict++;
			if (v.err) {
				both_reject++;
				if (!strcmp(bst.err_line, v.err_line))
					same_err++;
				else if (shown_err++ < show_max)
					fprintf(stderr, "error lines differ: seed %" PRIu64 " #%ld %s\n  kernel: %s\n  bpfvm:  %s\n",
						seed, i, p.desc, v.err_line, bst.err_line);
			}
		} else if (shown_verdict++ < show_max) {
			fprintf(stderr, "verdicts differ: seed %" PRIu64 " #%ld %s (type %u): kernel %s%s%s, bpfvm %s%s%s\n",
				seed, i, p.desc, p.prog_type, v.err ? "reject: " : "accept", v.err ? v.err_line : "", "",
				berr ? "reject: " : "accept", berr ? bst.err_line : "", "");
			diff_print_prog(stderr, p.insns, p.cnt);
		}
		if (rf) {
			char src[64];
			snprintf(src, sizeof(src), "vprogen:%" PRIu64 ":%ld", seed, i);
			vprogen_write_record(rf, &p, src, &v);
		}
		if (!p.mutation) {
			safe++;
			safe_ok += v.err == 0;
			if (v.err && shown++ < 5) {
				fprintf(stderr, "safe program refused: seed %" PRIu64 " #%ld %s (type %u): %s: %s\n", seed, i,
					p.desc, p.prog_type, kernel_errno_name(v.err), v.err_line);
				diff_print_prog(stderr, p.insns, p.cnt);
			}
			continue;
		}
		mutated++;
		mut_rej += v.err != 0;
		if (!v.err) /* the mutation happened to stay safe on this draw: name it so it can be replayed */
			fprintf(stderr, "mutated program accepted: seed %" PRIu64 " #%ld %s\n", seed, i, p.desc);
		int k = mutation_index(p.mutation);
		if (k >= 0) {
			ms[k].seen++;
			ms[k].rejected += v.err != 0;
			if (v.err && !ms[k].example[0])
				snprintf(ms[k].example, sizeof(ms[k].example), "%s", v.err_line);
		}
	}
	if (rf)
		fclose(rf);
	CHECK(gen_err == 0, "vprogen generated every program (%ld errors)", gen_err);
	CHECK(safe_ok == safe, "kernel accepts every safe-by-construction program (%ld/%ld)", safe_ok, safe);
	for (int k = 0; k < MAX_MUT && vprogen_mutation_name(k); k++)
		if (ms[k].seen)
			fprintf(stderr, "mutation %-26s rejected %4ld/%-4ld e.g. %s\n", vprogen_mutation_name(k),
				ms[k].rejected, ms[k].seen, ms[k].example);
	printf("FIGURE verifier programs: %ld, kernel accepts %ld, rejects %ld (%.1f%% rejected)\n", safe + mutated,
	       accepted, safe + mutated - accepted, safe + mutated ? 100.0 * (double)(safe + mutated - accepted) /
									 (double)(safe + mutated) : 0.0);
	/* a mutation drawn with values that keep it safe is a rare generator miss (about 1 in 2000), not a failure */
	CHECK(mut_rej * 1000 >= mutated * 995, "kernel rejects at least 99.5%% of mutated programs (%ld/%ld)", mut_rej,
	      mutated);
	printf("FIGURE verifier mutations rejected by the kernel: %ld/%ld\n", mut_rej, mutated);
	long total = safe + mutated;
	printf("FIGURE bpfvm verifier vs kernel on generated programs (seed %" PRIu64 "): verdicts %ld/%ld, "
	       "error lines %ld/%ld of both-rejected\n", seed, same_verdict, total, same_err, both_reject);
	printf("FIGURE bpfvm verifier vs kernel, whole level-1 logs identical (map addresses masked): %ld/%ld\n", same_log,
	       total);
	CHECK(same_verdict == total, "bpfvm's verifier gives the kernel's verdict on every generated program (%ld/%ld)",
	      same_verdict, total);
	return t_done();
}
