/* ctx_layout.h - what lies behind the uapi context of a test run, for helpers that need more than the
 * program sees (skb_load_bytes, skb_store_bytes, xdp_adjust_head/tail, ...) */
#ifndef BPFVM_PROGTYPES_CTX_LAYOUT_H
#define BPFVM_PROGTYPES_CTX_LAYOUT_H

#include <stdint.h>

#include "bpfvm/insn.h"

/*
 * A test run's context is the uapi struct itself, followed by this trailer (the program only ever sees the uapi
 * part: the verifier bounds ctx accesses by the uapi size). data/data_end/data_meta in the uapi struct are the
 * real addresses of the packet (below 4 GiB, so they fit the 32-bit fields). head..end is the whole buffer
 * including headroom and tailroom: helpers that move data or data_end stay inside it.
 */
struct bpfvm_ctx_trailer {
	uint64_t magic;      /* BPFVM_CTX_MAGIC: the context was built by a bpfvm test run */
	uint64_t head;       /* first byte of the buffer (headroom starts here) */
	uint64_t end;        /* one past the last byte of the buffer (tailroom included) */
	uint64_t data;       /* skb: the first byte of skb->data (network header for non-L2 types) */
	uint64_t data_end;   /* skb: one past skb->data + skb->len */
	uint32_t prog_type;
	uint32_t pad;
};
#define BPFVM_CTX_MAGIC 0x6270667663747821ull /* "bpfvctx!" */

struct bpfvm_skb_ctx {
	struct __sk_buff skb;
	struct bpfvm_ctx_trailer t;
};

/* an XDP frame of a test run is one page; its last SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) bytes are
 * tailroom the packet never grows into (the trailer's end is the page's end) */
#define BPFVM_XDP_TAILROOM 320

struct bpfvm_xdp_ctx {
	struct xdp_md md;
	uint32_t pad;
	struct bpfvm_ctx_trailer t;
};

#endif
