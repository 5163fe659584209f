/* test_verifier_progs.c - bpfvm's verifier on the verifier-progs corpus (ELF objects through the loader) against
 * the live kernel's recorded verdicts and error lines. Only the records of shared*.txt are read; the programs'
 * annotations in the objects are not looked at. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"
#include "bpfvm/verifier.h"
#include "lib/harness.h"
#include "lib/vmlinux.h"
#include "lib/vprogs.h"
#include "loader/btf.h"

#define LOG_SIZE (1u << 20)

struct tally {
	int total, same_verdict, both_reject, same_err, open_failed;
	int false_accept, false_reject;
};

struct ctx {
	const char *dir;
	char cur[520];
	struct bpfvm_object *obj;
	struct bpfvm_map_info *maps; /* indexed by the LD_IMM64 "fd": BPFVM_MAP_FD_BASE + the object's map index */
	size_t map_cnt;
	char *log;
	struct btf *vmlinux; /* names the kfuncs the loader resolved to vmlinux BTF ids */
};

/*
 * The loader leaves a kfunc call's imm as the callee's vmlinux BTF id (what BPF_PROG_LOAD takes); the verifier's
 * kfunc table is by name: rewrite each imm to an index into names[]. Returns the copy (caller frees) or NULL.
 */
static struct bpf_insn *kfuncs_by_name(const struct ctx *c, const struct bpf_insn *insns, size_t cnt,
				       const char **names, size_t *n_names, size_t max_names)
{
	struct bpf_insn *out = malloc(cnt * sizeof(*out));
	if (!out)
		return NULL;
	memcpy(out, insns, cnt * sizeof(*out));
	*n_names = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (out[i].code != (BPF_JMP | BPF_CALL) || out[i].src_reg != BPF_PSEUDO_KFUNC_CALL || !c->vmlinux)
			continue;
		const struct btf_type *t = btf_type_by_id(c->vmlinux, (uint32_t)out[i].imm);
		const char *name = t ? btf_type_name(c->vmlinux, t) : NULL;
		size_t k = 0;
		while (name && k < *n_names && strcmp(names[k], name))
			k++;
		if (name && k == *n_names && *n_names < max_names)
			names[(*n_names)++] = name;
		if (name && k < *n_names)
			out[i].imm = (int32_t)k;
	}
	return out;
}

static int open_obj(struct ctx *c, const struct vprogs_rec *r)
{
	char key[520], path[1024], btf[1024];

	snprintf(key, sizeof(key), "%s|%s", r->obj, r->btf_path);
	if (!strcmp(c->cur, key))
		return c->obj ? 0 : -EINVAL;
	bpfvm_object__close(c->obj);
	free(c->maps);
	c->obj = NULL;
	c->maps = NULL;
	snprintf(c->cur, sizeof(c->cur), "%s", key);
	snprintf(path, sizeof(path), "%s/%s", c->dir, r->obj);
	snprintf(btf, sizeof(btf), "%s/%s", c->dir, r->btf_path);
	struct bpfvm_log log = { 0 };
	BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log, .btf_custom_path = r->btf_path[0] ? btf : NULL);
	c->obj = bpfvm_object__open_file(path, &oo);
	if (!c->obj)
		return -EINVAL;
	size_t n = bpfvm_object__map_cnt(c->obj);
	c->map_cnt = BPFVM_MAP_FD_BASE + n;
	c->maps = calloc(c->map_cnt, sizeof(*c->maps));
	if (!c->maps)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct bpfvm_object_map_info mi;
		struct bpfvm_map_info *m = &c->maps[BPFVM_MAP_FD_BASE + i];
		if (bpfvm_object__map_info(c->obj, i, &mi))
			continue;
		*m = (struct bpfvm_map_info){ .type = mi.type, .key_size = mi.key_size, .value_size = mi.value_size,
					      .max_entries = mi.max_entries, .map_flags = mi.map_flags,
					      .spin_lock_off = mi.spin_lock_off, .timer_off = mi.timer_off };
		if (mi.inner_map_idx >= 0) {
			struct bpfvm_object_map_info in;
			if (!bpfvm_object__map_info(c->obj, (size_t)mi.inner_map_idx, &in)) {
				m->inner_map_type = in.type;
				m->inner_key_size = in.key_size;
				m->inner_value_size = in.value_size;
				m->inner_max_entries = in.max_entries;
			}
		}
	}
	return 0;
}

static void one(struct ctx *c, const struct vprogs_rec *r, struct tally *t)
{
	t->total++;
	if (open_obj(c, r)) {
		t->open_failed++;
		return;
	}
	struct bpfvm_object_prog_info pi;
	bool found = false;
	for (size_t i = 0; i < bpfvm_object__prog_cnt(c->obj) && !found; i++)
		found = !bpfvm_object__prog_info(c->obj, i, &pi) && !strcmp(pi.name, r->prog);
	if (!found) {
		t->open_failed++;
		return;
	}
	const char *kfuncs[64];
	size_t n_kfuncs;
	struct bpf_insn *insns = kfuncs_by_name(c, pi.insns, pi.insn_cnt, kfuncs, &n_kfuncs, 64);
	if (!insns) {
		t->open_failed++;
		return;
	}
	struct bpfvm_verify_stats stats = { 0 };
	c->log[0] = 0;
	/* the record's flags, and those libbpf adds for the section (the records list .s and xdp.frags, but libbpf
	 * also loads SEC("syscall") programs sleepable, which the kernel requires of them) */
	BPFVM_OPTS(bpfvm_verify_opts, vo, .prog_type = r->prog_type, .expected_attach_type = r->attach_type,
		   .prog_flags = (uint32_t)r->prog_flags | pi.prog_flags, .maps = c->maps, .map_cnt = c->map_cnt, .log_level = 1,
		   .log_buf = c->log, .log_size = LOG_SIZE, .stats = &stats, .func_info = pi.func_info,
		   .func_info_cnt = pi.func_info_cnt, .func_ret_scalar = pi.func_ret_scalar, .kfunc_names = kfuncs, .kfunc_cnt = n_kfuncs,
		   /* the corpus README: verifier_mtu's programs were loaded without CAP_PERFMON */
		   .without_perfmon = strstr(r->obj, "/verifier_mtu.bpf.o") != NULL);
	int err = bpfvm_verify(insns, pi.insn_cnt, &vo);
	free(insns);
	bool accept = err == 0;
	if (accept == r->kernel_accept) {
		t->same_verdict++;
	} else {
		if (accept)
			t->false_accept++;
		else
			t->false_reject++;
		if (getenv("BPFVM_VPROGS_VERBOSE"))
			printf("    differ %s:%s: bpfvm %s (%s), kernel %s (%s)\n", r->obj, r->prog,
			       accept ? "accept" : "reject", stats.err_line, r->kernel_accept ? "accept" : "reject",
			       r->kernel_err);
	}
	if (!accept && !r->kernel_accept) {
		t->both_reject++;
		t->same_err += !strcmp(stats.err_line, r->kernel_err);
	}
}

static void run(struct ctx *c, const char *file, const char *label, int min_verdict_pct)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", c->dir, file);
	FILE *f = fopen(path, "r");
	if (!f) {
		t_fail("verifier-progs %s: %s: %s (the shared folder must sit beside the repository)", label, path,
		       strerror(errno));
		return;
	}
	struct vprogs_rec r;
	struct tally t = { 0 };
	while (vprogs_next(f, &r) == 1)
		one(c, &r, &t);
	fclose(f);
	printf("FIGURE verifier-progs %s (bpfvm's verifier): verdicts %d/%d (%.1f%%; %d accepted that the kernel "
	       "rejects, %d rejected that it accepts, %d not opened), error lines %d/%d of records both reject\n",
	       label, t.same_verdict, t.total, t.total ? 100.0 * t.same_verdict / t.total : 0.0, t.false_accept,
	       t.false_reject, t.open_failed, t.same_err, t.both_reject);
	CHECK(t.total > 0 && t.same_verdict * 100 >= t.total * min_verdict_pct,
	      "verifier-progs %s: at least %d%% of the kernel's verdicts (a floor under today's figure: it may only rise)",
	      label, min_verdict_pct);
}

int main(void)
{
	const char *shared = getenv("SHARED");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/corpus/verifier-progs", shared ? shared : "../shared");
	struct ctx c = { .dir = dir, .log = malloc(LOG_SIZE), .vmlinux = vmlinux_btf_load() };
	if (!c.log) {
		t_fail("verifier-progs: out of memory");
		return t_done();
	}
	run(&c, "shared.txt", "v3", 90);
	c.cur[0] = 0;
	run(&c, "shared-cpuv4.txt", "v4", 70);
	bpfvm_object__close(c.obj);
	free(c.maps);
	free(c.log);
	btf_free(c.vmlinux);
	return t_done();
}
