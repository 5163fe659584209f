/* kernel_verify.c - the running kernel's verdict on a program (BPF_PROG_LOAD with a log), for `prog verify --kernel`
 *
 * Only the command uses this: the library never calls bpf(). Maps of an object are created in the kernel from
 * their numbers (no BTF: programs whose verdict needs map or program BTF may differ), global data maps get their
 * initial contents and .rodata is frozen as libbpf does; map references are patched to the new fds.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/kernel_verify.h"

#define KLOG_SIZE (16u << 20)

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_create(const struct bpfvm_object_map_info *mi, int inner_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = mi->type;
	a.key_size = mi->key_size;
	a.value_size = mi->value_size;
	a.max_entries = mi->max_entries;
	a.map_flags = mi->map_flags;
	a.map_extra = mi->map_extra;
	a.inner_map_fd = inner_fd > 0 ? (uint32_t)inner_fd : 0;
	snprintf(a.map_name, sizeof(a.map_name), "%.15s", mi->name ? mi->name : "");
	for (char *p = a.map_name; *p; p++)
		if (*p != '_' && *p != '.' && !(*p >= '0' && *p <= '9') && !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			*p = '_';
	long fd = sys_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : (int)fd;
}

static int map_fill(int fd, const struct bpfvm_object_map_info *mi)
{
	union bpf_attr a;
	uint32_t zero = 0;
	if (!mi->init_data)
		return 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)&zero;
	a.value = (uint64_t)(uintptr_t)mi->init_data;
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0)
		return -errno;
	if (mi->real_name && !strncmp(mi->real_name, ".rodata", 7)) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		if (sys_bpf(BPF_MAP_FREEZE, &a) < 0)
			return -errno;
	}
	return 0;
}

static int prog_load(const struct bpf_insn *insns, size_t cnt, uint32_t prog_type, uint32_t attach, uint32_t flags,
		     uint32_t log_level, struct kernel_verdict *kv)
{
	union bpf_attr a;
	kv->log = calloc(1, KLOG_SIZE);
	if (!kv->log)
		return -ENOMEM;
	memset(&a, 0, sizeof(a));
	a.prog_type = prog_type;
	a.expected_attach_type = attach;
	a.prog_flags = flags;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_level = log_level;
	a.log_buf = (uint64_t)(uintptr_t)kv->log;
	a.log_size = KLOG_SIZE;
	long fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0 && (errno == EPERM || errno == ENOSYS) && !kv->log[0]) {
		snprintf(kv->why, sizeof(kv->why), "bpf() refused: %s", strerror(errno));
		return 0;
	}
	kv->available = true;
	kv->err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close((int)fd);
	return 0;
}

int kernel_verify(const struct bpf_insn *insns, size_t cnt, uint32_t prog_type, uint32_t attach, uint32_t flags,
		  uint32_t log_level, struct kernel_verdict *kv)
{
	memset(kv, 0, sizeof(*kv));
	return prog_load(insns, cnt, prog_type, attach, flags, log_level, kv);
}

int kernel_verify_object(const struct bpfvm_object *obj, const struct bpfvm_object_prog_info *pi, uint32_t log_level,
			 struct kernel_verdict *kv)
{
	size_t nmaps = bpfvm_object__map_cnt(obj);
	int *fds = calloc(nmaps + 1, sizeof(*fds));
	struct bpf_insn *insns = malloc(pi->insn_cnt * sizeof(*insns));
	int err = 0;

	memset(kv, 0, sizeof(*kv));
	if (!fds || !insns) {
		free(fds);
		free(insns);
		return -ENOMEM;
	}
	/* inner map templates first: a map-in-map names one at creation */
	for (int pass = 0; pass < 2 && !err; pass++)
		for (size_t i = 0; i < nmaps && !err; i++) {
			struct bpfvm_object_map_info mi;
			if (bpfvm_object__map_info(obj, i, &mi) || mi.is_inner_template != (pass == 0))
				continue;
			int inner = mi.inner_map_idx >= 0 ? fds[mi.inner_map_idx] : 0;
			int fd = map_create(&mi, inner);
			if (fd < 0) {
				snprintf(kv->why, sizeof(kv->why), "cannot create map '%s' in the kernel: %s", mi.name,
					 strerror(-fd));
				if (fd == -EPERM || fd == -ENOSYS)
					break;
				err = fd;
				break;
			}
			fds[i] = fd;
			if ((err = map_fill(fd, &mi)))
				snprintf(kv->why, sizeof(kv->why), "cannot fill map '%s': %s", mi.name, strerror(-err));
		}
	memcpy(insns, pi->insns, pi->insn_cnt * sizeof(*insns));
	for (size_t i = 0; !err && !kv->why[0] && i + 1 < pi->insn_cnt; i++) {
		struct bpf_insn *in = &insns[i];
		if (in->code != (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			int idx = bpfvm_object__map_idx_by_fd(obj, in->imm);
			if (idx >= 0 && fds[idx] > 0)
				in->imm = fds[idx];
		}
		i++;
	}
	if (!err && !kv->why[0])
		err = prog_load(insns, pi->insn_cnt, pi->prog_type, pi->expected_attach_type, pi->prog_flags, log_level, kv);
	for (size_t i = 0; i < nmaps; i++)
		if (fds[i] > 0)
			close(fds[i]);
	free(fds);
	free(insns);
	return err == -ENOMEM ? err : 0;
}

void kernel_verdict_free(struct kernel_verdict *kv)
{
	free(kv->log);
	kv->log = NULL;
}

/* the next line of *p (without its newline), or NULL at the end */
static const char *next_line(const char **p, size_t *len)
{
	const char *s = *p;
	if (!s || !*s)
		return NULL;
	const char *nl = strchr(s, '\n');
	*len = nl ? (size_t)(nl - s) : strlen(s);
	*p = nl ? nl + 1 : s + *len;
	return s;
}

int logs_part_at(const char *a, const char *b, const char **la, size_t *lena, const char **lb, size_t *lenb)
{
	int line = 0;
	for (;;) {
		line++;
		*la = next_line(&a, lena);
		*lb = next_line(&b, lenb);
		if (!*la && !*lb)
			return 0;
		if (!*la || !*lb || *lena != *lenb || memcmp(*la, *lb, *lena))
			return line;
	}
}

void kernel_err_line(const char *log, char *out, size_t size)
{
	const char *p = log, *line, *last = NULL;
	size_t len, last_len = 0;
	while ((line = next_line(&p, &len))) {
		if (!len || !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
		    !strncmp(line, "stack depth", 11))
			continue;
		last = line;
		last_len = len;
	}
	snprintf(out, size, "%.*s", (int)last_len, last ? last : "");
}
