/* run_ctx.h - the RUN side of program types: how BPF_PROG_TEST_RUN builds each type's context and reads it back */
#ifndef BPFVM_PROGTYPES_RUN_CTX_H
#define BPFVM_PROGTYPES_RUN_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/object.h"

/*
 * Memory of one test run. The packet lives in memory mapped below 4 GiB (MAP_32BIT): struct __sk_buff and
 * struct xdp_md hold data/data_end/data_meta as 32-bit fields, and the kernel rewrites loads of them into
 * 64-bit pointer loads. bpfvm lays out the real uapi structs instead, with packet addresses that fit in 32 bits,
 * so `(void *)(long)ctx->data` is the real address for the interpreter and the JIT alike, with no rewriting.
 */
struct test_run_mem {
	uint8_t *base;        /* the mapping (owned) */
	size_t size;
	uint8_t *ctx;         /* the context struct, inside the mapping */
	size_t ctx_size;
	uint8_t *head;        /* start of the packet buffer (headroom included) */
	uint8_t *data;        /* first byte of the packet the program sees as data */
	uint8_t *data_end;
	size_t buf_size;      /* head .. end of tailroom */
	const uint8_t *pkt;   /* LD_ABS/LD_IND base (skb->data), or NULL */
	size_t pkt_len;
	uint64_t r1;          /* what the program gets in r1 */
	uint8_t *frags;       /* XDP: packet bytes beyond one page, held in fragments the program does not see */
	size_t frags_len;
	uint8_t *out_buf;     /* data_out assembled from the linear part and the fragments (owned) */
	uint64_t arg[4];      /* per type: what before_each needs (flow dissector: the input flags) */
	bool pkt_writable;
};

struct progtype_run {
	uint32_t prog_type;
	/* validate opts (ctx_in, data_in) and build the context; -EINVAL with a line in log on refusal */
	int (*prepare)(uint32_t prog_type, struct test_run_mem *m, const struct bpfvm_test_run_opts *opts,
		       struct bpfvm_log *log);
	/* after the run: data_out contents (start and size) and ctx_out */
	int (*finish)(uint32_t prog_type, struct test_run_mem *m, struct bpfvm_test_run_opts *opts,
		      const uint8_t **out, size_t *out_size);
	/* before every run of a repeated test run (NULL: nothing to reset) */
	void (*before_each)(struct test_run_mem *m);
	/* after every run (NULL: nothing) */
	void (*after_each)(struct test_run_mem *m);
};

const struct progtype_run *progtype_run_find(uint32_t prog_type);

/* mapping helpers shared by the builders */
int test_run_mem_alloc(struct test_run_mem *m, size_t ctx_size, size_t headroom, size_t data_size, size_t tailroom);
void test_run_mem_free(struct test_run_mem *m);
/* libbpf/kernel's bpf_check_uarg_tail_zero for ctx_in larger than the struct */
bool ctx_tail_zero(const void *ctx, size_t size, size_t known);

#endif
