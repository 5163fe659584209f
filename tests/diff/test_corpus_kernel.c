/* test_corpus_kernel.c - the verifier-progs corpus relocated by bpfvm and loaded into the live kernel: each record's
 * program must get the verdict the records say the kernel gave it when libbpf loaded it (only the records of
 * shared*.txt are read). This judges the loader (maps, globals, subprograms, CO-RE, kfuncs, BTF and ext info)
 * before bpfvm's own verifier exists. Skips where bpf() is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfvm/object.h"
#include "lib/harness.h"
#include "lib/kprog.h"
#include "lib/vmlinux.h"
#include "lib/vprogs.h"
#include "loader/btf.h"

struct ctx {
	const char *dir;
	struct btf *vmlinux;
	char cur[520];
	struct bpfvm_object *obj;
	struct kobj k;
	int maps_err;
	int agree, total, skipped, refused;
};

/* libbpf's attach_btf_id for tp_btf/X (typedef btf_trace_X) and iter/X (func bpf_iter_X) */
static int attach_id(struct ctx *c, const char *sec, uint32_t *id)
{
	char name[160];
	*id = 0;
	if (sec[0] == '?')
		sec++;
	if (!strncmp(sec, "tp_btf/", 7)) {
		snprintf(name, sizeof(name), "btf_trace_%s", sec + 7);
		*id = btf_find_by_name_kind(c->vmlinux, name, BTF_KIND_TYPEDEF);
	} else if (!strncmp(sec, "iter/", 5) || !strncmp(sec, "iter.s/", 7)) {
		snprintf(name, sizeof(name), "bpf_iter_%s", strchr(sec, '/') + 1);
		*id = btf_find_by_name_kind(c->vmlinux, name, BTF_KIND_FUNC);
	} else if (!strncmp(sec, "struct_ops", 10)) {
		return -ENOTSUP; /* needs the struct_ops map machinery of libbpf */
	} else {
		return 0;
	}
	return *id ? 0 : -ENOENT;
}

/*
 * The labeler loaded with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN only (verifier_mtu without CAP_PERFMON), as
 * test_progs does. Only the effective set changes, so the permitted set lets us raise them back afterwards.
 */
static int set_effective(const char *obj, bool restricted)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return -errno;
	uint64_t perm = (uint64_t)d[1].permitted << 32 | d[0].permitted, eff = perm;
	if (restricted) {
		eff = 1ull << 39 /* CAP_BPF */ | 1ull << 12 /* CAP_NET_ADMIN */;
		if (!strstr(obj, "verifier_mtu"))
			eff |= 1ull << 38; /* CAP_PERFMON */
		eff &= perm;
	}
	d[0].effective = (uint32_t)eff;
	d[1].effective = eff >> 32;
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static void one(struct ctx *c, const struct vprogs_rec *r)
{
	char path[1024], key[520], btf[1024];
	snprintf(key, sizeof(key), "%s|%s", r->obj, r->btf_path);
	if (strcmp(c->cur, key)) {
		kobj_close(&c->k);
		bpfvm_object__close(c->obj);
		snprintf(c->cur, sizeof(c->cur), "%s", key);
		snprintf(path, sizeof(path), "%s/%s", c->dir, r->obj);
		snprintf(btf, sizeof(btf), "%s/%s", c->dir, r->btf_path);
		struct bpfvm_log log = { 0 };
		/* a record's btf_path is the CO-RE target the test loader used instead of vmlinux */
		BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log, .btf_custom_path = r->btf_path[0] ? btf : NULL);
		c->obj = bpfvm_object__open_file(path, &oo);
		memset(&c->k, 0, sizeof(c->k));
		c->maps_err = c->obj ? kobj_load_maps(c->obj, &c->k) : -EINVAL;
		if (!c->obj)
			t_fail("corpus kernel: open %s: %s", r->obj, log.last_error);
	}
	if (c->maps_err == -EPERM) {
		c->refused++;
		return;
	}
	c->total++;
	int idx = -1;
	for (size_t i = 0; c->obj && i < bpfvm_object__prog_cnt(c->obj); i++) {
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(c->obj, i, &pi);
		if (!strcmp(pi.name, r->prog))
			idx = i;
	}
	uint32_t aid;
	int aerr = attach_id(c, r->section, &aid);
	if (aerr == -ENOTSUP) {
		c->total--;
		c->skipped++;
		return;
	}
	bool restrict_caps = !strstr(r->obj, "verifier_kfunc_prog_types") && !set_effective(r->obj, true);
	int err = idx < 0 || c->maps_err ? -EINVAL : kprog_load_one(c->obj, &c->k, idx, r->prog_flags, aid);
	if (restrict_caps)
		set_effective(r->obj, false);
	if (err == -EPERM && r->kernel_accept) {
		c->total--;
		c->refused++;
		return;
	}
	int accept = err == 0;
	if (accept == r->kernel_accept)
		c->agree++;
	else
		t_fail("corpus kernel: %s/%s: bpfvm-relocated load %s, records say %s: %s", r->obj, r->prog,
		       accept ? "accepted" : "rejected", r->kernel_accept ? "accept" : "reject",
		       c->k.err);
	if (idx >= 0 && c->k.prog_fds[idx] >= 0) {
		close(c->k.prog_fds[idx]);
		c->k.prog_fds[idx] = -1;
	}
}

static void run(struct ctx *c, const char *file, const char *label)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", c->dir, file);
	FILE *f = fopen(path, "r");
	if (!f) {
		t_skip("corpus kernel %s: no %s", label, path);
		return;
	}
	struct vprogs_rec r;
	c->agree = c->total = c->skipped = c->refused = 0;
	while (vprogs_next(f, &r) == 1)
		one(c, &r);
	fclose(f);
	kobj_close(&c->k);
	bpfvm_object__close(c->obj);
	c->obj = NULL;
	c->cur[0] = 0;
	if (!c->total) {
		t_skip("corpus kernel %s: bpf() refused here", label);
		return;
	}
	printf("FIGURE verifier-progs %s through bpfvm's loader into the kernel: %d/%d verdicts as recorded "
	       "(%d struct_ops skipped, %d refused)\n", label, c->agree, c->total, c->skipped, c->refused);
	CHECK(c->agree * 100 >= c->total * 97, "corpus kernel %s: at least 97%% of recorded verdicts", label);
}

int main(void)
{
	const char *shared = getenv("SHARED");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/corpus/verifier-progs", shared ? shared : "../shared");
	struct ctx c = { .dir = dir, .vmlinux = vmlinux_btf_load() };
	run(&c, "shared.txt", "v3");
	run(&c, "shared-cpuv4.txt", "v4");
	btf_free(c.vmlinux);
	return t_done();
}
