/* kernel.c - raw bpf(2) wrappers: program load and test run, map operations, verifier-log parsing */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/kernel.h"

#define ENOTSUPP_KERNEL 524 /* the kernel-internal ENOTSUPP some bpf() paths return */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* fd or result of a bpf() call as "value or -errno" */
static int bpf_ret(long r)
{
	if (r < 0)
		return errno ? -errno : -EINVAL;
	return (int)r;
}

static uint64_t ptr64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },   { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },     { EINTR, "EINTR" },
	{ EIO, "EIO" },       { E2BIG, "E2BIG" },   { EBADF, "EBADF" },     { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },   { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },   { ENOSPC, "ENOSPC" },
	{ ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" }, { ENOTSUP, "ENOTSUP" }, { ELOOP, "ELOOP" },
	{ EPROTO, "EPROTO" }, { ENXIO, "ENXIO" },   { EOVERFLOW, "EOVERFLOW" }, { ENOTSUPP_KERNEL, "ENOTSUPP" },
};

const char *kernel_errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "E?";
}

int kernel_prog_load(const struct kernel_load_opts *o)
{
	union bpf_attr attr;
	bool retry;
	long fd;

	if (!o || !o->insns || !o->insn_cnt || (o->log_buf && !o->log_size))
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = o->prog_type;
	attr.expected_attach_type = o->expected_attach_type;
	attr.insns = ptr64(o->insns);
	attr.insn_cnt = (uint32_t)o->insn_cnt;
	attr.license = ptr64(o->license ? o->license : "GPL");
	attr.prog_flags = o->prog_flags;
	attr.kern_version = o->kern_version;
	attr.fd_array = ptr64(o->fd_array);
	if (o->name)
		snprintf(attr.prog_name, sizeof(attr.prog_name), "%s", o->name);
	/* the kernel refuses a log buffer with log_level 0, so pass one only with a level */
	retry = o->log_buf && !o->log_level && !o->no_retry_log;
	if (o->log_buf && o->log_level) {
		attr.log_level = o->log_level;
		attr.log_buf = ptr64(o->log_buf);
		attr.log_size = (uint32_t)(o->log_size > UINT32_MAX ? UINT32_MAX : o->log_size);
		o->log_buf[0] = '\0';
	} else if (o->log_buf) {
		o->log_buf[0] = '\0';
	}
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0 && retry && errno != EPERM) {
		int saved = errno;
		attr.log_level = 1;
		attr.log_buf = ptr64(o->log_buf);
		attr.log_size = (uint32_t)(o->log_size > UINT32_MAX ? UINT32_MAX : o->log_size);
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0) { /* accepted with a log: not expected, keep the first answer */
			close((int)fd);
			fd = -1;
		}
		errno = saved;
	}
	return bpf_ret(fd);
}

bool kernel_bpf_available(char *why, size_t n)
{
	/*
	 * Probed once per process: the one mutable static in the test library, since the answer cannot change
	 * while the process runs and every differential test asks.
	 */
	static int state; /* 0 unknown, 1 available, -errno refused */
	if (!state) {
		const struct bpf_insn prog[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		struct kernel_load_opts o = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insns = prog, .insn_cnt = 2 };
		int fd = kernel_prog_load(&o);
		if (fd >= 0) {
			close(fd);
			state = 1;
		} else {
			state = fd;
		}
	}
	if (state < 0 && why && n)
		snprintf(why, n, "bpf() refused: %s", kernel_errno_name(state));
	return state == 1;
}

int kernel_prog_test_run(int prog_fd, struct kernel_run_opts *o)
{
	union bpf_attr attr;
	int r;

	if (!o)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)prog_fd;
	attr.test.data_in = ptr64(o->data_in);
	attr.test.data_size_in = o->data_size_in;
	attr.test.data_out = ptr64(o->data_out);
	attr.test.data_size_out = o->data_out ? o->data_size_out : 0;
	attr.test.ctx_in = ptr64(o->ctx_in);
	attr.test.ctx_size_in = o->ctx_size_in;
	attr.test.ctx_out = ptr64(o->ctx_out);
	attr.test.ctx_size_out = o->ctx_out ? o->ctx_size_out : 0;
	attr.test.repeat = o->repeat;
	attr.test.flags = o->flags;
	attr.test.cpu = o->cpu;
	r = bpf_ret(sys_bpf(BPF_PROG_TEST_RUN, &attr));
	if (r < 0)
		return r;
	o->retval = attr.test.retval;
	o->duration = attr.test.duration;
	o->data_size_out = o->data_out ? attr.test.data_size_out : 0;
	o->ctx_size_out = o->ctx_out ? attr.test.ctx_size_out : 0;
	return 0;
}

int kernel_map_create_outer(uint32_t map_type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
			    uint32_t map_flags, int inner_map_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = map_type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = map_flags;
	attr.inner_map_fd = (uint32_t)inner_map_fd;
	return bpf_ret(sys_bpf(BPF_MAP_CREATE, &attr));
}

int kernel_map_create(uint32_t map_type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		      uint32_t map_flags)
{
	return kernel_map_create_outer(map_type, key_size, value_size, max_entries, map_flags, 0);
}

uint32_t kernel_obj_id(int fd, bool prog)
{
	union bpf_attr attr;
	struct bpf_prog_info pi;
	struct bpf_map_info mi;

	memset(&attr, 0, sizeof(attr));
	memset(&pi, 0, sizeof(pi));
	memset(&mi, 0, sizeof(mi));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = prog ? sizeof(pi) : sizeof(mi);
	attr.info.info = (uint64_t)(uintptr_t)(prog ? (void *)&pi : (void *)&mi);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
		return 0;
	return prog ? pi.id : mi.id;
}

/* one element command: map fd, key, value-or-next_key, flags */
static int map_elem(int cmd, int map_fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;
	long r;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)map_fd;
	attr.key = ptr64(key);
	attr.value = ptr64(value); /* shares its slot with next_key */
	attr.flags = flags;
	r = sys_bpf(cmd, &attr);
	return r < 0 ? bpf_ret(r) : 0;
}

int kernel_map_update(int map_fd, const void *key, const void *value, uint64_t flags)
{
	return map_elem(BPF_MAP_UPDATE_ELEM, map_fd, key, value, flags);
}

int kernel_map_lookup(int map_fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, map_fd, key, value, 0);
}

int kernel_map_delete(int map_fd, const void *key)
{
	return map_elem(BPF_MAP_DELETE_ELEM, map_fd, key, NULL, 0);
}

int kernel_map_get_next_key(int map_fd, const void *key, void *next_key)
{
	return map_elem(BPF_MAP_GET_NEXT_KEY, map_fd, key, next_key, 0);
}

int kernel_map_lookup_and_delete(int map_fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, map_fd, key, value, 0);
}

static const char *const stat_prefixes[] = { "processed ", "verification time ", "stack depth " };

static bool is_stat_line(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(stat_prefixes) / sizeof(stat_prefixes[0]); i++) {
		size_t pl = strlen(stat_prefixes[i]);
		if (len >= pl && !memcmp(s, stat_prefixes[i], pl))
			return true;
	}
	return false;
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

char *kernel_log_error_line(const char *log, char *buf, size_t n)
{
	const char *best = NULL;
	size_t best_len = 0;

	if (!buf || !n)
		return buf;
	buf[0] = '\0';
	if (!log)
		return buf;
	for (const char *p = log; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (!is_blank(p, len) && !is_stat_line(p, len)) {
			best = p;
			best_len = len;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (best) {
		if (best_len >= n)
			best_len = n - 1;
		memcpy(buf, best, best_len);
		buf[best_len] = '\0';
	}
	return buf;
}

long kernel_log_insns_processed(const char *log)
{
	const char *p = log;
	long v = -1;

	/* the last occurrence counts (a retried load appends nothing, but be safe) */
	while (p && (p = strstr(p, "processed ")) != NULL) {
		long x;
		if (sscanf(p, "processed %ld insns", &x) == 1)
			v = x;
		p += 10;
	}
	return v;
}
