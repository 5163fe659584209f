/* object.h - the object API (libbpf's shape): open a BPF ELF object, load it, find its programs and maps, test-run */
#ifndef BPFVM_OBJECT_H
#define BPFVM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct bpfvm_object;
struct bpfvm_map;

/*
 * In a program's relocated instructions an LD_IMM64 of BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE holds
 * BPFVM_MAP_FD_BASE + the object's map index in imm, like a file descriptor: fds 0..2 never name a map, so a raw
 * `r1 = map_fd 0` written in assembly stays invalid ("fd 0 is not pointing to valid bpf_map"), as in the kernel.
 * bpfvm_object__map_by_fd() turns such an imm back into the map.
 */
#define BPFVM_MAP_FD_BASE 3

struct bpfvm_object_open_opts {
	size_t sz;
	const char *object_name;    /* default: the file's base name without ".o"/".bpf.o"; prefixes .data map names */
	const char *btf_custom_path; /* target BTF for CO-RE; NULL = /sys/kernel/btf/vmlinux when present */
	struct bpfvm_log *log;      /* one line per error: naming the section or symbol; may be NULL */
	bool pin_all_maps; /* pin every map whose type can be pinned, not only the declared ones (not global data) */
	/* where maps declared with __uint(pinning, LIBBPF_PIN_BY_NAME) are pinned, as files NAME (bpfvm_map_create_pinned;
	 * an existing compatible pin is reused). NULL: /run/bpfvm for root, else /tmp/bpfvm-UID (libbpf's /sys/fs/bpf is
	 * the kernel's bpffs, which takes no files) */
	const char *pin_root_path;
};
#define bpfvm_object_open_opts__last_field pin_root_path

/*
 * Open an ELF object: parse sections, BTF and BTF.ext, programs (by SEC() name), map definitions (.maps,
 * legacy "maps", .data, .rodata, .bss and .data.NAME, .rodata.NAME), relocate map references, global data, subprogram calls
 * and CO-RE. Nothing is created or verified yet. Returns NULL with errno set (EINVAL bad input, ENOENT no
 * file, ENOMEM) and the reason in opts->log.
 */
struct bpfvm_object *bpfvm_object__open_file(const char *path, const struct bpfvm_object_open_opts *opts);
struct bpfvm_object *bpfvm_object__open_mem(const void *buf, size_t size, const struct bpfvm_object_open_opts *opts);

/* Create the maps (with initial contents), verify every program that is loaded automatically (SEC names without
 * a leading '?'), make the runnable programs. Returns 0 or a negative errno (-EACCES: a program was rejected). */
int bpfvm_object__load(struct bpfvm_object *obj);
void bpfvm_object__close(struct bpfvm_object *obj); /* NULL-safe; frees programs and maps */
const char *bpfvm_object__name(const struct bpfvm_object *obj);
const char *bpfvm_object__license(const struct bpfvm_object *obj);

/* Before load: whether the program named `name` is loaded (SEC("?...") programs are not by default), as libbpf's
 * bpf_program__set_autoload(). Returns 0, -ENOENT (no such program) or -EBUSY (already loaded). */
int bpfvm_object__set_autoload(struct bpfvm_object *obj, const char *name, bool autoload);

/* Borrowed pointers, valid until close. Programs exist after a successful load; maps after load too. */
struct bpfvm_prog *bpfvm_object__find_prog_by_name(const struct bpfvm_object *obj, const char *name);
struct bpfvm_map *bpfvm_object__find_map_by_name(const struct bpfvm_object *obj, const char *name);

/* Programs as the loader sees them, available right after open (before load). */
struct bpfvm_object_prog_info {
	const char *name;
	const char *sec_name;
	uint32_t prog_type;            /* enum bpf_prog_type from the section name */
	uint32_t expected_attach_type;
	uint32_t prog_flags;           /* BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS from the section name */
	bool autoload;                 /* false for SEC("?...") */
	const struct bpf_insn *insns;  /* relocated: subprograms appended, map refs as BPFVM_MAP_FD_BASE + map index */
	size_t insn_cnt;
	const struct bpf_func_info *func_info; /* insn_off in instructions, as BPF_PROG_LOAD takes them */
	uint32_t func_info_cnt;
	const uint8_t *func_ret_scalar; /* per func_info record: returns an int or enum (bpfvm_verify_opts) */
	const struct bpf_line_info *line_info; /* file_name_off/line_off index the object's BTF strings */
	uint32_t line_info_cnt;
	struct bpfvm_prog *prog;       /* after load; NULL before */
};
size_t bpfvm_object__prog_cnt(const struct bpfvm_object *obj);
int bpfvm_object__prog_info(const struct bpfvm_object *obj, size_t idx, struct bpfvm_object_prog_info *info);
/* The object's .BTF prepared as libbpf prepares it for BPF_BTF_LOAD (DATASEC sizes and offsets, extern kfuncs and
 * ksyms, unnamed parameters); NULL if none. Owned by the object. */
const void *bpfvm_object__btf_raw(const struct bpfvm_object *obj, size_t *size);
/* a string of the object's BTF (line_info's file_name_off/line_off index them); NULL if out of range */
const char *bpfvm_object__btf_str(const struct bpfvm_object *obj, uint32_t off);
/* The source line of a line_info as the kernel's verifier log prints it: "; <line, left-trimmed> @ <file base
 * name>:<line>" (no newline). Returns the length written (snprintf's), or -EINVAL. */
int bpfvm_object__format_line_info(const struct bpfvm_object *obj, const struct bpf_line_info *li, char *buf,
				   size_t size);

/* an initial value of a prog array or map-in-map slot (__array(values, ...) = { ... } in the source) */
struct bpfvm_map_init_slot {
	uint32_t slot;
	int map_idx;   /* map-in-map: the object's map index; -1 otherwise */
	int prog_idx;  /* prog array: the object's program index; -1 otherwise */
	int func_idx;  /* the loader's function index (internal) */
};

struct bpfvm_object_map_info {
	const char *name;       /* libbpf's name: "obj.data" style for global data (prefix truncated like libbpf) */
	const char *real_name;  /* ".data", or the map's symbol name */
	uint32_t type, key_size, value_size, max_entries, map_flags;
	uint32_t btf_key_type_id, btf_value_type_id;
	uint64_t map_extra;     /* bloom filter hashes, arena address, ... */
	const void *init_data;  /* initial contents of a global data map (value_size bytes), or NULL */
	int inner_map_idx;      /* map-in-map: index of the inner map template among the object's maps, or -1 */
	bool is_inner_template; /* this map only describes the inner maps of a map-in-map; it is not created */
	const struct bpfvm_map_init_slot *slots; /* initial slots, applied at load after the programs exist */
	size_t nslots;
	struct bpfvm_map *map;  /* after load; NULL before */
	int32_t spin_lock_off;  /* the value's struct bpf_spin_lock (from BTF), -1 when none */
	int32_t timer_off;      /* the value's struct bpf_timer, -1 when none */
};
size_t bpfvm_object__map_cnt(const struct bpfvm_object *obj);
/* the object's map index for an LD_IMM64 imm (see BPFVM_MAP_FD_BASE), or -1 */
int bpfvm_object__map_idx_by_fd(const struct bpfvm_object *obj, int fd);
int bpfvm_object__map_info(const struct bpfvm_object *obj, size_t idx, struct bpfvm_object_map_info *info);

/*
 * Verify the program `name` with bpfvm's verifier as BPF_PROG_LOAD would (its type, attach type and flags from the
 * section name, the object's maps, kfuncs by their target BTF names, func_info). opts gives the log (log_level,
 * log_fn/log_arg, log_buf/log_size) and stats; its program fields are ignored. Works before or after load.
 * Returns 0 (accepted), the verifier's negative errno, or -ENOENT (no such program).
 */
struct bpfvm_verify_opts;
int bpfvm_object__verify_prog(const struct bpfvm_object *obj, const char *name, const struct bpfvm_verify_opts *opts);

/* BPF_PROG_TEST_RUN for a loaded program: the context of its type is built from data_in/ctx_in. */
struct bpfvm_test_run_opts {
	size_t sz;
	const void *data_in;    /* packet (skb, xdp) or input buffer; copied */
	uint32_t data_size_in;
	void *data_out;         /* may be NULL */
	uint32_t data_size_out; /* in: capacity of data_out (0 = unlimited, as the kernel); out: full size */
	const void *ctx_in;     /* struct __sk_buff, or the program type's context (raw_tp args, syscall ctx) */
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;  /* in: capacity; out: size */
	uint32_t repeat;        /* 0 = 1 */
	enum bpfvm_engine engine;
	uint64_t max_insns;     /* 0 = no limit */
	struct bpfvm_log *log;
	/* outputs */
	uint32_t retval;        /* as the kernel's test.retval: the low 32 bits of r0 */
	uint64_t retval64;      /* the whole r0 */
	uint64_t duration_ns;   /* mean per run */
	/* more inputs (appended; a smaller sz leaves them zero) */
	bpfvm_trace_fn trace;   /* bpf_trace_printk/vprintk output; NULL drops it */
	void *trace_arg;
	/* out: the target of the last bpf_redirect of the run (the verdict says whether it counts), -1 for none */
	int32_t redirect_ifindex;
	uint32_t redirect_flags; /* its flags (BPF_F_INGRESS) */
};
#define bpfvm_test_run_opts__last_field redirect_flags

/*
 * Returns 0 or a negative errno with the kernel's test-run errors: -EINVAL data shorter than an Ethernet header
 * or a context with fields the kernel refuses, -ENOSPC data_out too small (data_size_out still says the full
 * size), -ENOTSUP a program type bpfvm cannot test-run; run-time errors of the engine as bpfvm_prog__run.
 */
int bpfvm_prog__test_run(struct bpfvm_prog *prog, struct bpfvm_test_run_opts *opts);

#endif
