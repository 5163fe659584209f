/* test_reloc_libbpf.c - bpfvm's relocated programs against libbpf's: each test program and example is loaded by
 * the installed libbpf (dlopen, as root), and its final instructions must equal bpfvm's, instruction for
 * instruction, once map fds are mapped to the same maps by name. Skips where libbpf or bpf() is unavailable. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"
#include "lib/harness.h"

struct libbpf {
	void *h;
	void *(*open_file)(const char *, const void *);
	int (*load)(void *);
	void (*close)(void *);
	void *(*next_program)(const void *, void *);
	const char *(*prog_name)(const void *);
	const struct bpf_insn *(*insns)(const void *);
	size_t (*insn_cnt)(const void *);
	bool (*autoload)(const void *);
	int (*set_autoload)(void *, bool);
	void *(*next_map)(const void *, const void *);
	const char *(*map_name)(const void *);
	int (*map_fd)(const void *);
	void *(*set_print)(void *);
};

static int quiet(int level, const char *fmt, va_list ap) { return 0; }

static bool libbpf_open(struct libbpf *l)
{
	l->h = dlopen("libbpf.so.1", RTLD_NOW);
	if (!l->h)
		return false;
#define SYM(f, n) *(void **)&l->f = dlsym(l->h, n)
	SYM(open_file, "bpf_object__open_file"); SYM(load, "bpf_object__load"); SYM(close, "bpf_object__close");
	SYM(next_program, "bpf_object__next_program"); SYM(prog_name, "bpf_program__name");
	SYM(insns, "bpf_program__insns"); SYM(insn_cnt, "bpf_program__insn_cnt"); SYM(autoload, "bpf_program__autoload");
	SYM(set_autoload, "bpf_program__set_autoload");
	SYM(next_map, "bpf_object__next_map"); SYM(map_name, "bpf_map__name"); SYM(map_fd, "bpf_map__fd");
	SYM(set_print, "libbpf_set_print");
#undef SYM
	if (l->set_print)
		l->set_print((void *)quiet);
	return l->open_file && l->load && l->next_program && l->insns && l->insn_cnt && l->next_map && l->map_fd;
}

static const char *const objs[] = {
	"tests/loader/progs/globals_subprog.bpf.o", "tests/loader/progs/maps_btf.bpf.o", "tests/loader/progs/xdp_parse.bpf.o",
	"tests/loader/progs/tc_mark.bpf.o", "tests/loader/progs/cgroup_count.bpf.o", "tests/loader/progs/loop_csum.bpf.o",
	"tests/loader/progs/bpf_loop.bpf.o", "tests/loader/progs/hash_ops.bpf.o", "tests/loader/progs/percpu.bpf.o",
	"tests/loader/progs/lru.bpf.o", "tests/loader/progs/lpm.bpf.o", "tests/loader/progs/queue_stack.bpf.o",
	"tests/loader/progs/ringbuf.bpf.o", "tests/loader/progs/bloom.bpf.o", "tests/loader/progs/rodata_const.bpf.o",
	"tests/loader/progs/alu_v4.bpf.o", "tests/loader/progs/atomics.bpf.o", "tests/loader/progs/core_read.bpf.o",
	"tests/loader/progs/helpers_misc.bpf.o", "tests/loader/progs/syscall_ctx.bpf.o", "tests/loader/progs/raw_tp_args.bpf.o",
	"tests/loader/progs/ld_abs.bpf.o", "tests/loader/progs/for_each.bpf.o", "tests/loader/progs/multi_prog.bpf.o",
	"tests/loader/progs/deep_calls.bpf.o", "tests/loader/progs/kconfig.bpf.o", "tests/loader/progs/skb_fields.bpf.o",
	"examples/packet_counter/packet_counter.bpf.o", "examples/histogram/histogram.bpf.o",
	"examples/ringbuf_events/events.bpf.o", "examples/globals_subprogs/globals.bpf.o",
	"examples/tail_calls/tail_calls.bpf.o",
};

/* the bpfvm map index a libbpf map fd stands for (same libbpf-style names), or -1 */
static int fd_to_idx(const struct libbpf *l, void *lobj, const struct bpfvm_object *obj, int fd)
{
	for (void *m = l->next_map(lobj, NULL); m; m = l->next_map(lobj, m)) {
		if (l->map_fd(m) != fd)
			continue;
		for (size_t i = 0; i < bpfvm_object__map_cnt(obj); i++) {
			struct bpfvm_object_map_info mi;
			bpfvm_object__map_info(obj, i, &mi);
			if (!strcmp(mi.name, l->map_name(m)) || !strcmp(mi.real_name, l->map_name(m)))
				return i;
		}
	}
	return -1;
}

/* 1 same, 0 differs (a FAIL line unless quiet), -1 not found */
static int compare_prog(const struct libbpf *lb, void *lobj, void *lp, const struct bpfvm_object *obj, const char *label,
			bool quiet)
{
	const char *name = lb->prog_name(lp);
	struct bpfvm_object_prog_info pi = { 0 };
	size_t k = 0;
	for (; k < bpfvm_object__prog_cnt(obj); k++) {
		bpfvm_object__prog_info(obj, k, &pi);
		if (!strcmp(pi.name, name))
			break;
	}
	const struct bpf_insn *li = lb->insns(lp);
	size_t lcnt = lb->insn_cnt(lp);
	if (k == bpfvm_object__prog_cnt(obj) || lcnt != pi.insn_cnt) {
		t_fail("%s:%s: libbpf has %zu insns, bpfvm %zu", label, name, lcnt, pi.insn_cnt);
		return 0;
	}
	size_t bad = lcnt;
	for (size_t j = 0; j < lcnt && bad == lcnt; j++) {
		struct bpf_insn a = li[j], b = pi.insns[j];
		if (a.code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (a.src_reg == BPF_PSEUDO_MAP_FD || a.src_reg == BPF_PSEUDO_MAP_VALUE)) {
			int idx = fd_to_idx(lb, lobj, obj, a.imm);
			if (idx < 0 || bpfvm_object__map_idx_by_fd(obj, b.imm) != idx)
				bad = j;
			a.imm = b.imm = 0;
		}
		if (memcmp(&a, &b, sizeof(a)))
			bad = j;
	}
	if (bad != lcnt) {
		t_fail("%s:%s: insn %zu differs: libbpf %02x %u %u %d %d, bpfvm %02x %u %u %d %d", label, name, bad,
		       li[bad].code, li[bad].dst_reg, li[bad].src_reg, li[bad].off, li[bad].imm, pi.insns[bad].code,
		       pi.insns[bad].dst_reg, pi.insns[bad].src_reg, pi.insns[bad].off, pi.insns[bad].imm);
		return 0;
	}
	if (!quiet)
		t_pass("%s:%s: %zu insns as libbpf relocates them", label, name, lcnt);
	return 1;
}

/* the verifier-progs corpus: each program alone (libbpf loads a whole object or nothing), where libbpf loads it */
static void corpus(struct libbpf *lb)
{
	const char *shared = getenv("SHARED");
	char dir[1024], path[1400];
	snprintf(dir, sizeof(dir), "%s/corpus/verifier-progs/objs", shared ? shared : "../shared");
	DIR *d = opendir(dir);
	if (!d || !lb->set_autoload) {
		t_skip("corpus: no %s", dir);
		if (d)
			closedir(d);
		return;
	}
	int same = 0, total = 0, skipped = 0;
	long max_objs = t_env_count("BPFVM_LIBBPF_CORPUS_OBJS", t_sanitized() ? 15 : 1000), nobjs = 0;
	for (struct dirent *e; (e = readdir(d)) && nobjs < max_objs;) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		nobjs++;
		BPFVM_OPTS(bpfvm_object_open_opts, oo);
		struct bpfvm_object *obj = bpfvm_object__open_file(path, &oo);
		for (size_t k = 0; obj && k < bpfvm_object__prog_cnt(obj); k++) {
			struct bpfvm_object_prog_info pi;
			bpfvm_object__prog_info(obj, k, &pi);
			void *lobj = lb->open_file(path, NULL), *target = NULL;
			for (void *lp = lobj ? lb->next_program(lobj, NULL) : NULL; lp; lp = lb->next_program(lobj, lp)) {
				bool me = !strcmp(lb->prog_name(lp), pi.name);
				lb->set_autoload(lp, me);
				if (me)
					target = lp;
			}
			if (!lobj || !target || lb->load(lobj)) {
				skipped++;
			} else {
				total++;
				same += compare_prog(lb, lobj, target, obj, e->d_name, true) == 1;
			}
			if (lobj)
				lb->close(lobj);
		}
		bpfvm_object__close(obj);
	}
	closedir(d);
	printf("FIGURE corpus programs relocated exactly as libbpf does: %d/%d (%d that libbpf %s does not load here "
	       "skipped)\n", same, total, skipped, "1.1");
	CHECK(total > 0 && same == total, "corpus: every program libbpf loads is relocated identically");
}

int main(void)
{
	struct libbpf l = { 0 };
	if (!libbpf_open(&l)) {
		t_skip("libbpf.so.1 not available: no comparison");
		return t_done();
	}
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	int same = 0, total = 0;
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/bpf/%s", build, objs[i]);
		void *lobj = l.open_file(path, NULL);
		if (!lobj || l.load(lobj)) {
			t_skip("%s: libbpf cannot load it here (%s)", objs[i], lobj ? "load" : "open");
			if (lobj)
				l.close(lobj);
			continue;
		}
		struct bpfvm_log log = { 0 };
		BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log);
		struct bpfvm_object *obj = bpfvm_object__open_file(path, &oo);
		if (!obj) {
			t_fail("%s: bpfvm open: %s", objs[i], log.last_error);
			l.close(lobj);
			continue;
		}
		for (void *lp = l.next_program(lobj, NULL); lp; lp = l.next_program(lobj, lp)) {
			if (l.autoload && !l.autoload(lp))
				continue;
			total++;
			same += compare_prog(&l, lobj, lp, obj, objs[i], false) == 1;
		}
		bpfvm_object__close(obj);
		l.close(lobj);
	}
	if (total)
		printf("FIGURE programs relocated exactly as libbpf does: %d/%d\n", same, total);
	corpus(&l);
	dlclose(l.h);
	return t_done();
}
