/* kprog.c - the kernel side of the program differential test: bpf() wrappers over the loader's descriptors */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/kprog.h"

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : r;
}

int kprog_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int a = 0, b = 0, n = 0;
	if (f) {
		n = fscanf(f, "%d-%d", &a, &b);
		fclose(f);
	}
	return n == 2 ? b + 1 : 1;
}

static bool is_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int create_map(const struct bpfvm_object_map_info *mi, int inner_fd, struct kobj *k)
{
	union bpf_attr a = { 0 };
	if (k->btf_fd > 0 && mi->btf_value_type_id) { /* as libbpf: maps carry their BTF types (spin locks, storage) */
		a.btf_fd = k->btf_fd;
		a.btf_key_type_id = mi->btf_key_type_id;
		a.btf_value_type_id = mi->btf_value_type_id;
	}
	a.map_type = mi->type;
	a.key_size = mi->key_size;
	a.value_size = mi->value_size;
	a.max_entries = mi->max_entries;
	a.map_flags = mi->map_flags;
	a.inner_map_fd = inner_fd;
	a.map_extra = mi->map_extra;
	snprintf(a.map_name, sizeof(a.map_name), "%.15s", mi->name);
	for (char *p = a.map_name; *p; p++)
		if (*p != '_' && *p != '.' && !(*p >= '0' && *p <= '9') && !((*p | 32) >= 'a' && (*p | 32) <= 'z'))
			*p = '_';
	long fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0 && a.btf_fd) { /* as libbpf: some map types take no BTF; retry without */
		a.btf_fd = a.btf_key_type_id = a.btf_value_type_id = 0;
		fd = sys_bpf(BPF_MAP_CREATE, &a);
	}
	if (fd < 0)
		snprintf(k->err, sizeof(k->err), "BPF_MAP_CREATE '%s': %s", mi->name, strerror(-fd));
	if (fd >= 0 && mi->type == 33 /* BPF_MAP_TYPE_ARENA */ && !mi->map_extra) /* libbpf maps the arena */
		mmap(NULL, (size_t)mi->max_entries * sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return fd;
}

static int map_update(int fd, const void *key, const void *val, uint64_t flags)
{
	union bpf_attr a = { 0 };
	a.map_fd = fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)val;
	a.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

int kobj_load_maps(const struct bpfvm_object *obj, struct kobj *k)
{
	memset(k, 0, sizeof(*k));
	k->nmaps = bpfvm_object__map_cnt(obj);
	k->nprogs = bpfvm_object__prog_cnt(obj);
	k->map_fds = malloc((k->nmaps + 1) * sizeof(int));
	k->prog_fds = malloc((k->nprogs + 1) * sizeof(int));
	for (size_t i = 0; i < k->nmaps; i++)
		k->map_fds[i] = -1;
	for (size_t i = 0; i < k->nprogs; i++)
		k->prog_fds[i] = -1;
	size_t btf_size;
	const void *btf = bpfvm_object__btf_raw(obj, &btf_size);
	if (btf) {
		union bpf_attr a = { 0 };
		a.btf = (uintptr_t)btf;
		a.btf_size = btf_size;
		long fd = sys_bpf(BPF_BTF_LOAD, &a);
		if (fd < 0) { /* again with a log for the reason: its last line */
			static char blog[1 << 24];
			a.btf_log_buf = (uintptr_t)blog;
			a.btf_log_size = sizeof(blog);
			a.btf_log_level = 1;
			blog[0] = 0;
			sys_bpf(BPF_BTF_LOAD, &a);
			size_t n = strlen(blog);
			while (n && blog[n - 1] == '\n')
				blog[--n] = 0;
			const char *last = strrchr(blog, '\n');
			snprintf(k->err, sizeof(k->err), "BPF_BTF_LOAD: %s: %.180s", strerror(-fd), last ? last + 1 : blog);
			return fd;
		}
		k->btf_fd = fd;
	}
	/* inner templates first, then the maps that need them */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < k->nmaps; i++) {
			struct bpfvm_object_map_info mi;
			bpfvm_object__map_info(obj, i, &mi);
			bool is_inner = mi.is_inner_template;
			if (pass == 0 && !is_inner)
				continue;
			if (pass == 1 && is_inner)
				continue;
			int inner = mi.inner_map_idx >= 0 ? k->map_fds[mi.inner_map_idx] : 0;
			int fd = create_map(&mi, inner, k);
			if (fd < 0)
				return fd;
			k->map_fds[i] = fd;
			if (mi.init_data) {
				uint32_t zero = 0;
				int err = map_update(fd, &zero, mi.init_data, BPF_ANY);
				if (err) {
					snprintf(k->err, sizeof(k->err), "initialise '%s': %s", mi.name, strerror(-err));
					return err;
				}
				if (mi.map_flags & BPF_F_RDONLY_PROG) {
					union bpf_attr a = { .map_fd = fd };
					sys_bpf(BPF_MAP_FREEZE, &a);
				}
			}
		}
	return 0;
}

int kprog_load_one(const struct bpfvm_object *obj, struct kobj *k, size_t i, uint32_t extra_flags,
		   uint32_t attach_btf_id)
{
	{
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, i, &pi);
		struct bpf_insn *insns = malloc(pi.insn_cnt * sizeof(*insns));
		memcpy(insns, pi.insns, pi.insn_cnt * sizeof(*insns));
		for (size_t j = 0; j + 1 < pi.insn_cnt; j++) {
			struct bpf_insn *in = &insns[j];
			if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
				continue;
			long m = (long)in->imm - BPFVM_MAP_FD_BASE;
			if ((in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) && m >= 0 &&
			    (size_t)m < k->nmaps)
				in->imm = k->map_fds[m];
			j++;
		}
		union bpf_attr a = { 0 };
		if (k->btf_fd > 0) {
			a.prog_btf_fd = k->btf_fd;
			a.func_info = (uintptr_t)pi.func_info;
			a.func_info_cnt = pi.func_info_cnt;
			a.func_info_rec_size = sizeof(struct bpf_func_info);
			a.line_info = (uintptr_t)pi.line_info;
			a.line_info_cnt = pi.line_info_cnt;
			a.line_info_rec_size = sizeof(struct bpf_line_info);
		}
		a.prog_type = pi.prog_type;
		a.expected_attach_type = pi.expected_attach_type;
		a.insns = (uintptr_t)insns;
		a.insn_cnt = pi.insn_cnt;
		a.license = (uintptr_t)bpfvm_object__license(obj);
		a.prog_flags = pi.prog_flags | extra_flags;
		a.attach_btf_id = attach_btf_id;
		snprintf(a.prog_name, sizeof(a.prog_name), "%.15s", pi.name);
		k->log[0] = 0;
		long fd = sys_bpf(BPF_PROG_LOAD, &a);
		if (fd < 0 && fd != -EPERM) { /* again with a log, for the error line */
			static char big[1 << 20];
			a.log_buf = (uintptr_t)big;
			a.log_size = sizeof(big);
			a.log_level = 1;
			big[0] = 0;
			sys_bpf(BPF_PROG_LOAD, &a);
			size_t n = strlen(big);
			const char *tail = n > sizeof(k->log) - 1 ? big + n - (sizeof(k->log) - 1) : big;
			memcpy(k->log, tail, strlen(tail) + 1);
		}
		free(insns);
		if (fd < 0) {
			char *last = k->log, *p;
			size_t n = strlen(k->log);
			while (n && k->log[n - 1] == '\n')
				k->log[--n] = 0;
			/* the error line: last line before "processed N insns" */
			for (p = k->log; (p = strchr(p, '\n')); p++)
				if (strncmp(p + 1, "processed", 9))
					last = p + 1;
				else
					break;
			snprintf(k->err, sizeof(k->err), "BPF_PROG_LOAD '%s': %s: %.150s", pi.name, strerror(-fd), last);
			return fd;
		}
		k->prog_fds[i] = fd;
	}
	return 0;
}

int kobj_load(const struct bpfvm_object *obj, struct kobj *k)
{
	int err = kobj_load_maps(obj, k);
	for (size_t i = 0; !err && i < k->nprogs; i++) {
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, i, &pi);
		if (pi.autoload)
			err = kprog_load_one(obj, k, i, 0, 0);
	}
	if (err)
		return err;
	/* initial slots: prog arrays (programs) and map-in-map (maps), from the ELF's .rel.maps */
	for (size_t i = 0; i < k->nmaps; i++) {
		struct bpfvm_object_map_info mi;
		bpfvm_object__map_info(obj, i, &mi);
		for (size_t s = 0; s < mi.nslots; s++) {
			int val = mi.slots[s].prog_idx >= 0 ? k->prog_fds[mi.slots[s].prog_idx] :
							       k->map_fds[mi.slots[s].map_idx];
			uint32_t key = mi.slots[s].slot;
			int err = val < 0 ? -EBADF : map_update(k->map_fds[i], &key, &val, BPF_ANY);
			if (err) {
				snprintf(k->err, sizeof(k->err), "slot %u of '%s': %s", key, mi.name, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

void kobj_close(struct kobj *k)
{
	for (size_t i = 0; k->map_fds && i < k->nmaps; i++)
		if (k->map_fds[i] >= 0)
			close(k->map_fds[i]);
	for (size_t i = 0; k->prog_fds && i < k->nprogs; i++)
		if (k->prog_fds[i] >= 0)
			close(k->prog_fds[i]);
	if (k->btf_fd > 0)
		close(k->btf_fd);
	free(k->map_fds);
	free(k->prog_fds);
	k->map_fds = k->prog_fds = NULL;
	k->nmaps = k->nprogs = 0;
	k->btf_fd = 0;
}

int kprog_test_run(int prog_fd, const void *data, uint32_t data_len, void *data_out, uint32_t *data_out_len,
		   const void *ctx, uint32_t ctx_len, void *ctx_out, uint32_t *ctx_out_len, uint32_t repeat,
		   uint32_t *retval)
{
	union bpf_attr a = { 0 };
	a.test.prog_fd = prog_fd;
	a.test.data_in = (uintptr_t)data;
	a.test.data_size_in = data_len;
	a.test.data_out = (uintptr_t)data_out;
	a.test.data_size_out = data_out_len ? *data_out_len : 0;
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = ctx_len;
	a.test.ctx_out = (uintptr_t)ctx_out;
	a.test.ctx_size_out = ctx_out_len ? *ctx_out_len : 0;
	a.test.repeat = repeat;
	long err = sys_bpf(BPF_PROG_TEST_RUN, &a);
	if (data_out_len)
		*data_out_len = a.test.data_size_out;
	if (ctx_out_len)
		*ctx_out_len = a.test.ctx_size_out;
	*retval = a.test.retval;
	return err;
}

static int cmp_rec(const void *a, const void *b, void *key_size) { return memcmp(a, b, *(size_t *)key_size); }

void kmap_sort_records(uint8_t *buf, size_t n, size_t rec, size_t key_size)
{
	if (n)
		qsort_r(buf, n, rec, cmp_rec, &key_size);
}

int kmap_dump(int fd, uint32_t type, uint32_t key_size, uint32_t value_size, uint8_t **out, size_t *len, size_t *nrec)
{
	size_t vsz = is_percpu(type) ? ((value_size + 7) & ~7u) * kprog_possible_cpus() : value_size;
	size_t rec = key_size + vsz, cap = 16, n = 0;
	uint8_t *buf = malloc(cap * rec), *key = calloc(1, key_size + 1), *next = calloc(1, key_size + 1);
	int err = 0;
	bool first = true;
	for (;;) {
		union bpf_attr a = { 0 };
		a.map_fd = fd;
		a.key = first ? 0 : (uintptr_t)key;
		a.next_key = (uintptr_t)next;
		err = sys_bpf(BPF_MAP_GET_NEXT_KEY, &a);
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		if (err)
			break;
		first = false;
		memcpy(key, next, key_size);
		if (n == cap)
			buf = realloc(buf, (cap *= 2) * rec);
		memcpy(buf + n * rec, key, key_size);
		union bpf_attr l = { 0 };
		l.map_fd = fd;
		l.key = (uintptr_t)key;
		l.value = (uintptr_t)(buf + n * rec + key_size);
		if ((err = sys_bpf(BPF_MAP_LOOKUP_ELEM, &l)))
			break;
		n++;
		if (n > 1000000)
			break;
	}
	free(key);
	free(next);
	kmap_sort_records(buf, n, rec, key_size);
	*out = buf;
	*len = n * rec;
	*nrec = n;
	return err;
}
