/* kernel.h - the live kernel as an oracle: raw bpf(2) wrappers (no libbpf) for tests and benchmarks */
#ifndef BPFVM_TESTS_KERNEL_H
#define BPFVM_TESTS_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h> /* Linux 6.1 uapi here; newer constants below */

/* Newer than the system's 6.1 <linux/bpf.h>; values from Linux 6.18's uapi header. */
#ifndef BPF_F_TEST_REG_INVARIANTS
#define BPF_F_TEST_REG_INVARIANTS (1U << 7)
#endif
#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif

/*
 * Every function returns a negative errno on failure (never -1); errno is left as the syscall set it.
 * Descriptors returned are the caller's to close(2).
 */

/*
 * true if this process may load a trivial program (BPF_PROG_TYPE_SOCKET_FILTER, `r0 = 0; exit`). Tried once
 * per process, the answer cached. On false, `why` (if non-NULL) gets the reason, e.g. "bpf() refused: EPERM".
 */
bool kernel_bpf_available(char *why, size_t n);

struct kernel_load_opts {
	uint32_t prog_type;            /* enum bpf_prog_type */
	uint32_t expected_attach_type; /* enum bpf_attach_type */
	const struct bpf_insn *insns;
	size_t insn_cnt;
	const char *license;           /* NULL = "GPL" */
	uint32_t prog_flags;           /* BPF_F_* (BPF_F_SLEEPABLE for SYSCALL programs, BPF_F_TEST_RND_HI32, ...) */
	const char *name;              /* optional program name (at most 15 chars kept) */
	uint32_t log_level;            /* 0, 1, 2 (| 4 for stats) */
	char *log_buf;                 /* may be NULL; kept as the kernel left it, on success too */
	size_t log_size;
	/*
	 * With log_level 0 and a log_buf: load silently, and only if the load fails load again with log_level 1
	 * so log_buf gets the reason (libbpf does the same). Set to disable that retry.
	 */
	bool no_retry_log;
	const int *fd_array;           /* for BPF_PSEUDO_MAP_IDX / kfunc BTF fds; NULL if unused */
	uint32_t kern_version;
};

/*
 * BPF_PROG_LOAD. Returns the program fd or a negative errno (-EACCES verifier rejection, -EINVAL malformed,
 * -EPERM no privilege, -ENOSPC the log did not fit: 6.x kernels report a truncated log so even on an accepted
 * program, give a big buffer with log_level >= 1).
 */
int kernel_prog_load(const struct kernel_load_opts *o);

struct kernel_run_opts {
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;
	uint32_t data_size_out; /* in: capacity of data_out; out: bytes the kernel wrote */
	/*
	 * ctx. Note BPF_PROG_TYPE_SYSCALL (6.18, bpf_prog_test_run_syscall): no data, no ctx_out, no repeat, no
	 * flags; the kernel writes the context back into ctx_in, so pass writable memory there (ctx_in is declared
	 * const only for the other program types' sake: this wrapper casts it away for SYSCALL).
	 */
	const void *ctx_in;
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out; /* in: capacity; out: bytes written */
	uint32_t repeat;       /* 0 or 1 = once */
	uint32_t flags;        /* BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_XDP_LIVE_FRAMES */
	uint32_t cpu;
	/* outputs */
	uint32_t retval;
	uint32_t duration;     /* mean ns per run, as the kernel measured it */
};

/* BPF_PROG_TEST_RUN. Returns 0 (o->retval, o->duration and the out sizes set) or a negative errno. */
int kernel_prog_test_run(int prog_fd, struct kernel_run_opts *o);

/* BPF_MAP_CREATE. Returns the map fd or a negative errno. */
int kernel_map_create(uint32_t map_type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		      uint32_t map_flags);
/* BPF_MAP_CREATE of a map-in-map type, whose inner maps look like inner_map_fd's (0 for the other types) */
int kernel_map_create_outer(uint32_t map_type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
			    uint32_t map_flags, int inner_map_fd);
/* the id of a program's (prog) or a map's fd, 0 when the kernel will not say */
uint32_t kernel_obj_id(int fd, bool prog);
/* Element operations; 0 or a negative errno (-ENOENT missing key / last key, -EEXIST with BPF_NOEXIST). */
int kernel_map_update(int map_fd, const void *key, const void *value, uint64_t flags);
int kernel_map_lookup(int map_fd, const void *key, void *value);
int kernel_map_delete(int map_fd, const void *key);
int kernel_map_get_next_key(int map_fd, const void *key, void *next_key); /* key NULL = first key */
int kernel_map_lookup_and_delete(int map_fd, const void *key, void *value);

/*
 * The verifier log's error line, as the corpus defines kernel_err: the last line that is neither empty nor a
 * statistics line ("processed N insns ...", "verification time ...", "stack depth ..."). Copied into buf
 * (truncated to n-1 bytes, no newline); buf is "" if there is none. Returns buf.
 */
char *kernel_log_error_line(const char *log, char *buf, size_t n);

/* "processed N insns" from a log: N, or -1 if absent */
long kernel_log_insns_processed(const char *log);

/* the errno's symbolic name ("EACCES"), or "E?" */
const char *kernel_errno_name(int err);

#endif
