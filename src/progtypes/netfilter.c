/* netfilter.c - BPF_PROG_TYPE_NETFILTER: hooks on netfilter's chains; the context, struct bpf_nf_ctx, holds two
 * kernel pointers (the hook state and the sk_buff) and the return value is a verdict, NF_DROP (0) or NF_ACCEPT (1) */
#include <stddef.h>

#include "bpfvm/insn.h"
#include "progtypes/progtype.h"

#define BPF_PROG_TYPE_NETFILTER_K 32 /* BPF_PROG_TYPE_NETFILTER: newer than some uapi headers */
#define NF_CTX_SIZE 16               /* struct bpf_nf_ctx { const struct nf_hook_state *state; struct sk_buff *skb; } */

/*
 * The kernel's nf_is_valid_access: each of the two pointers read whole, nothing written. The kernel types them as
 * BTF pointers (nf_hook_state, sk_buff), which bpfvm's verifier does not model: here they load as scalars, so a
 * program that dereferences them is refused where the kernel accepts it (never the other way round).
 */
static bool nf_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
			       struct bpf_insn_access_aux *info)
{
	(void)eat;
	(void)info;
	return type == BPF_READ && (off == 0 || off == 8) && size == 8 && off + size <= NF_CTX_SIZE;
}

const struct progtype_ops netfilter_ops = {
	BPF_PROG_TYPE_NETFILTER_K, "netfilter", nf_is_valid_access, helper_in_base, false, false };
