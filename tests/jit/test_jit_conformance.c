/* test_jit_conformance.c - the bpf_conformance suite (313 tests) in the JIT, from index.tsv's upstream bytecode */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/helpers.h"
#include "interp/prog.h"
#include "interp/run.h"
#include "jit/jit.h"
#include "lib/harness.h"

/*
 * ../shared/conformance/index.tsv holds, per test, the expected r0 and the bytecode upstream's assembler makes; the
 * test's `-- mem` section is read from its .data file. Until `bpfvm prog run --engine jit` exists this runs the
 * JIT directly, with the conventions of run-conformance.sh: r1 = a writable copy of mem, r2 = its length, and a
 * helper 5 (`call 5`, `callx` with 5) that returns r1, as uBPF's unwind helper does.
 */
static uint64_t helper5(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run_ctx *rc)
{
	return r1;
}

static const struct bpfvm_helper h5 = { 5, "unwind", helper5 };

static const struct bpfvm_helper *conf_helper(uint32_t id)
{
	return id == 5 ? &h5 : NULL;
}

/* the `-- mem` section's hex bytes; returns the count or -1 */
static int read_mem(const char *path, uint8_t *mem, int max)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	bool in_mem = false;
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *tok, *save;

		if (hash)
			*hash = 0;
		if (strstr(line, "--")) {
			in_mem = strstr(line, "mem") && !strstr(line, "asm") && !strstr(line, "result");
			continue;
		}
		if (!in_mem)
			continue;
		for (tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save))
			if (n < max)
				mem[n++] = (uint8_t)strtoul(tok, NULL, 16);
	}
	fclose(f);
	return n;
}

int main(void)
{
	const char *shared = getenv("SHARED") ? getenv("SHARED") : "../shared";
	char path[1024], line[65536];
	struct bpfvm_jit_opts modes[] = { { .helper_by_id = conf_helper },
					  { .helper_by_id = conf_helper, .harden = true, .no_peephole = true } };
	int total = 0, passed[2] = { 0, 0 };
	FILE *idx;

	snprintf(path, sizeof(path), "%s/conformance/index.tsv", shared);
	idx = fopen(path, "r");
	if (!idx) {
		t_skip("jit conformance: %s: %s", path, strerror(errno));
		return t_done();
	}
	while (fgets(line, sizeof(line), idx)) {
		char *f[6], *save, *p = line;
		static struct bpf_insn insns[4096];
		static uint8_t mem[65536], mem0[65536];
		int nf = 0, n = 0, memlen;
		uint64_t want;

		line[strcspn(line, "\r\n")] = 0;
		for (char *t = strtok_r(p, "\t", &save); t && nf < 6; t = strtok_r(NULL, "\t", &save))
			f[nf++] = t;
		if (nf < 6 || !strcmp(f[0], "test"))
			continue;
		want = strtoull(f[4], NULL, 0);
		for (char *w = strtok_r(f[5], " ", &save); w && n < 4096; w = strtok_r(NULL, " ", &save)) {
			uint8_t b[8];

			for (int k = 0; k < 8; k++) {
				char hx[3] = { w[2 * k], w[2 * k + 1], 0 };

				b[k] = (uint8_t)strtoul(hx, NULL, 16);
			}
			memcpy(&insns[n++], b, 8);
		}
		snprintf(path, sizeof(path), "%s/conformance/tests/%s.data", shared, f[0]);
		memlen = read_mem(path, mem0, sizeof(mem0));
		if (memlen < 0 || memlen != atoi(f[3])) {
			t_fail("jit conformance %s: mem section has %d bytes, index says %s", f[0], memlen, f[3]);
			continue;
		}
		total++;
		for (int m = 0; m < 2; m++) {
			struct bpfvm_prog prog = { .insns = insns, .insn_cnt = (size_t)n };
			struct bpfvm_run_ctx rc = { .prog = &prog };
			struct bpfvm_log log = { 0 };
			uint64_t r0 = 0;
			int err;

			memcpy(mem, mem0, (size_t)memlen);
			err = bpfvm_jit_compile_opts(&prog, &modes[m], &log, NULL);
			if (!err)
				r0 = prog.jit_entry(memlen ? (uint64_t)(uintptr_t)mem : 0, (uint64_t)memlen, &rc);
			if (err || rc.error || r0 != want)
				t_fail("jit conformance %s%s: expected 0x%llx got 0x%llx (compile %d%s%s, run %d)", f[0],
				       m ? " (harden, no peephole)" : "", (unsigned long long)want, (unsigned long long)r0,
				       err, log.last_error[0] ? ": " : "", log.last_error, rc.error);
			else
				passed[m]++, t_pass("jit conformance %s%s", f[0], m ? " (harden, no peephole)" : "");
			bpfvm_jit_release(&prog);
		}
	}
	fclose(idx);
	printf("FIGURE conformance (JIT, upstream bytecode from index.tsv): %d/%d; hardened without peepholes: %d/%d\n",
	       passed[0], total, passed[1], total);
	return t_done();
}
