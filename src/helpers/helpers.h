/* helpers.h - the helper table: kernel-numbered functions a program calls with `call N` */
#ifndef BPFVM_HELPERS_H
#define BPFVM_HELPERS_H

#include <stdint.h>

struct bpfvm_run_ctx;

/*
 * Every helper takes the five argument registers and the run context, and returns r0. The signature is the
 * SysV calling convention the JIT uses directly: r1..r5 in rdi, rsi, rdx, rcx, r8; the context in r9.
 * A helper that must stop the run calls bpfvm_run_fail(rc, ...); the engine checks rc->error after the call.
 */
typedef uint64_t (*bpfvm_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				    struct bpfvm_run_ctx *rc);

struct bpfvm_helper {
	uint32_t id;          /* enum bpf_func_id */
	const char *name;     /* "bpf_map_lookup_elem" */
	bpfvm_helper_fn fn;
};

/* The helper with this id, or NULL if bpfvm does not implement it. */
const struct bpfvm_helper *bpfvm_helper_by_id(uint32_t id);

/* "bpf_map_lookup_elem" for any id of Linux 6.18's enum bpf_func_id, NULL beyond it */
const char *bpfvm_helper_name(uint32_t id);

#endif
