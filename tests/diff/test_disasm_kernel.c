/* test_disasm_kernel.c - bpfvm_disasm_insn against the live kernel's level-2 verifier log, line for line */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asm/asm.h"
#include "lib/harness.h"
#include "lib/kernel.h"
#include "lib/progen.h"
#include "lib/vprogen.h"
#include "verifier/corpus.h"

#define LOG_SIZE (16u << 20)

struct tally {
	long programs, lines, same, masked, differ;
	bool seen[256]; /* opcodes compared at least once */
};

/* the kernel prints map references as the map's kernel address: no text can equal it */
static bool masked(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
	       (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE);
}

/*
 * Every `N: (xx) text` line of the log against bpfvm's text for instruction N. Level 2 may append the register
 * state after padding and "; "; an instruction's text never contains ';'.
 */
static void compare_log(const char *what, const char *log, const struct bpf_insn *insns, size_t cnt,
			struct tally *t)
{
	const char *p = log;
	int shown = 0;

	t->programs++;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		unsigned long idx;
		char code[3], *end;

		idx = strtoul(p, &end, 10);
		if (end != p && end[0] == ':' && end[1] == ' ' && end[2] == '(' && end + 6 <= p + len && end[5] == ')' &&
		    idx < cnt) {
			const char *text = end + 2;
			size_t tlen = (size_t)(p + len - text);
			const char *semi = memchr(text, ';', tlen);
			if (semi)
				tlen = (size_t)(semi - text);
			while (tlen && text[tlen - 1] == ' ')
				tlen--;
			memcpy(code, end + 3, 2);
			code[2] = 0;
			char mine[256];
			bpfvm_disasm_insn(NULL, insns, cnt, idx, mine, sizeof(mine));
			t->lines++;
			t->seen[insns[idx].code] = true;
			if (masked(&insns[idx])) {
				t->masked++;
			} else if (strlen(mine) == tlen && !memcmp(mine, text, tlen)) {
				t->same++;
			} else {
				t->differ++;
				if (shown++ < 3)
					t_fail("%s: insn %lu: kernel '%.*s', bpfvm '%s'", what, idx, (int)tlen, text, mine);
			}
		}
		p = nl ? nl + 1 : NULL;
	}
}

static void load_and_compare(const char *what, struct kernel_load_opts *o, char *log, struct tally *t)
{
	log[0] = 0;
	o->log_level = 2;
	o->log_buf = log;
	o->log_size = LOG_SIZE;
	o->no_retry_log = true;
	int fd = kernel_prog_load(o);
	if (fd >= 0)
		close(fd);
	compare_log(what, log, o->insns, o->insn_cnt, t);
}

static void run_progen(char *log, struct tally *t, long count)
{
	uint64_t rng = t_seed("disasm_kernel progen");
	static struct progen_prog p;

	for (long i = 0; i < count; i++) {
		struct progen_opts po = { .flags = PROGEN_F_ALL };
		if (progen_generate(&rng, &po, &p))
			continue;
		struct kernel_load_opts o = { .prog_type = BPF_PROG_TYPE_SYSCALL, .prog_flags = BPF_F_SLEEPABLE,
					      .insns = p.insns, .insn_cnt = p.cnt };
		char what[64];
		snprintf(what, sizeof(what), "progen #%ld", i);
		load_and_compare(what, &o, log, t);
	}
}

static void run_vprogen(char *log, struct tally *t, long count)
{
	uint64_t rng = t_seed("disasm_kernel vprogen");
	static struct vprogen_prog p;

	for (long i = 0; i < count; i++) {
		struct vprogen_opts vo = { 0 };
		if (vprogen_generate(&rng, &vo, &p))
			continue;
		int fds[VPROGEN_MAX_MAPS];
		int n = 0;
		bool ok = true;
		for (; n < p.nmaps && ok; n++) {
			fds[n] = kernel_map_create(p.maps[n].type, p.maps[n].key_size, p.maps[n].value_size,
						   p.maps[n].max_entries, p.maps[n].map_flags);
			ok = fds[n] >= 0;
		}
		if (ok) {
			for (size_t k = 0; k + 1 < p.cnt; k++)
				if (masked(&p.insns[k]) && p.insns[k].imm >= 0 && p.insns[k].imm < p.nmaps)
					p.insns[k].imm = fds[p.insns[k].imm];
			struct kernel_load_opts o = { .prog_type = p.prog_type, .insns = p.insns, .insn_cnt = p.cnt };
			char what[64];
			snprintf(what, sizeof(what), "vprogen #%ld", i);
			load_and_compare(what, &o, log, t);
		}
		for (int k = 0; k < n; k++)
			if (fds[k] >= 0)
				close(fds[k]);
	}
}

/* the corpus's records: maps of their fixups created in the kernel; records needing kfuncs or BTF are left out */
static void run_corpus(const char *path, char *log, struct tally *t, long *skipped)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		t_skip("disasm_kernel corpus: %s: %s", path, strerror(errno));
		return;
	}
	static char buf[64 << 20];
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	struct corpus_parser cp = { .buf = buf, .len = len };
	struct corpus_record rec;
	struct bpfvm_log blog = { 0 };
	int r;

	while ((r = corpus_next(&cp, &rec, &blog)) == 1) {
		struct corpus_prog prog;
		if (rec.attach_btf || corpus_prog_build(&rec, &prog, &blog)) {
			(*skipped)++;
			corpus_record_free(&rec);
			continue;
		}
		int fds[3 + CORPUS_MAX_FIXUPS];
		bool ok = prog.kfunc_cnt == 0;
		for (size_t m = 0; m < prog.map_cnt; m++) {
			fds[m] = -1;
			if (ok && prog.maps[m].type)
				fds[m] = kernel_map_create(prog.maps[m].type, prog.maps[m].key_size, prog.maps[m].value_size,
							   prog.maps[m].max_entries, prog.maps[m].map_flags);
			if (prog.maps[m].type && fds[m] < 0)
				ok = false;
		}
		if (ok) {
			for (size_t k = 0; k + 1 < prog.insn_cnt; k++)
				if (masked(&prog.insns[k]) && prog.insns[k].imm >= 0 &&
				    (size_t)prog.insns[k].imm < prog.map_cnt && fds[prog.insns[k].imm] >= 0)
					prog.insns[k].imm = fds[prog.insns[k].imm];
			struct kernel_load_opts o = { .prog_type = rec.prog_type,
						      .expected_attach_type = rec.attach_type,
						      .prog_flags = rec.prog_flags,
						      .insns = prog.insns,
						      .insn_cnt = prog.insn_cnt };
			char what[96];
			snprintf(what, sizeof(what), "corpus line %d", rec.line);
			load_and_compare(what, &o, log, t);
		} else {
			(*skipped)++;
		}
		for (size_t m = 0; m < prog.map_cnt; m++)
			if (fds[m] >= 0)
				close(fds[m]);
		corpus_prog_free(&prog);
		corpus_record_free(&rec);
	}
	if (r < 0)
		t_fail("disasm_kernel corpus: %s", blog.last_error);
}

int main(void)
{
	char why[128];
	if (!kernel_bpf_available(why, sizeof(why))) {
		t_skip("disasm_kernel: %s", why);
		return t_done();
	}
	char *log = malloc(LOG_SIZE);
	if (!log) {
		t_fail("disasm_kernel: out of memory");
		return t_done();
	}
	struct tally t = { 0 };
	long skipped = 0;
	const char *shared = getenv("SHARED");
	char path[4096];
	snprintf(path, sizeof(path), "%s/corpus/verifier/shared.txt", shared ? shared : "../shared");

	run_corpus(path, log, &t, &skipped);
	struct tally corpus = t;
	run_progen(log, &t, t_env_count("BPFVM_DISASM_PROGEN", 2000));
	run_vprogen(log, &t, t_env_count("BPFVM_DISASM_VPROGEN", 1000));
	int opcodes = 0;
	for (int i = 0; i < 256; i++)
		opcodes += t.seen[i];
	if (!t.differ && t.lines)
		t_pass("disasm_kernel: %ld instruction lines of %ld programs identical to the kernel's (%ld map "
		       "references masked)", t.same, t.programs, t.masked);
	else if (!t.lines)
		t_fail("disasm_kernel: the kernel's logs had no instruction lines");
	printf("FIGURE disasm vs kernel log: %ld lines identical, %ld differing, %ld masked (map addresses); %ld "
	       "programs (%ld corpus records, %ld left out: kfuncs/BTF/map kinds), %d distinct opcodes\n",
	       t.same, t.differ, t.masked, t.programs, corpus.programs, skipped, opcodes);
	free(log);
	return t_done();
}
