/* engine.h - a classic filter made ready to run on one engine: the classic interpreter, or its eBPF
 * translation on bpfvm's interpreter or JIT */
#ifndef BPFVM_CBPF_ENGINE_H
#define BPFVM_CBPF_ENGINE_H

#include "cbpf/cbpf.h"

enum cbpf_engine {
	CBPF_ENGINE_CBPF = 0, /* the classic interpreter (interp.c) */
	CBPF_ENGINE_INTERP,   /* translated to eBPF, bpfvm's interpreter */
	CBPF_ENGINE_JIT,      /* translated to eBPF, bpfvm's x86-64 JIT */
};

struct cbpf_filter;

/* "cbpf", "interp", "jit" -> engine; -EINVAL if unknown */
int cbpf_engine_by_name(const char *name);
const char *cbpf_engine_name(enum cbpf_engine e);

/* Validate (kernel rules), translate if needed, compile. NULL with errno (EINVAL, EOPNOTSUPP, ENOTSUP: engine not
 * built in) and one line in log. The filter keeps its own copy of insns. */
struct cbpf_filter *cbpf_filter__new(const struct sock_filter *insns, size_t len, enum cbpf_engine engine,
				     struct bpfvm_log *log);
/* Run on one packet: 0 with *ret set (bytes to keep, 0 = drop), or a negative errno from the engine. */
int cbpf_filter__run(struct cbpf_filter *f, const struct cbpf_skb *skb, uint32_t *ret);
/* Run on n packets in order, rets[i] as cbpf_filter__run gives it: the JIT's image is entered directly for each,
 * and every engine has the packets a few ahead prefetched. 0, or the first error with *failed set to its index
 * (rets from there on unset). */
int cbpf_filter__run_batch(struct cbpf_filter *f, const struct cbpf_skb *skbs, size_t n, uint32_t *rets,
			   size_t *failed);
/* true when the kernel's rules refuse the program (backward jumps of libpcap's protochain) and the classic engine
 * runs it with libpcap's semantics, as tcpdump does */
bool cbpf_filter__pcap_semantics(const struct cbpf_filter *f);
/* the eBPF program (NULL for the classic engine) */
const struct bpf_insn *cbpf_filter__ebpf(const struct cbpf_filter *f, size_t *cnt);
void cbpf_filter__free(struct cbpf_filter *f); /* NULL-safe */

#endif
