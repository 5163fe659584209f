/* skb.c - packet helpers of socket-buffer programs: bpf_skb_load_bytes */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "helpers/impl.h"
#include "interp/run.h"

/*
 * bpf_skb_load_bytes(skb, offset, to, len): len bytes of the packet from offset (the kernel's skb_header_pointer
 * over the whole packet); out of range, `to` is zeroed and the result is -EFAULT.
 */
HELPER(bpf_skb_load_bytes)
{
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	uint8_t *to = (uint8_t *)(uintptr_t)r3;

	(void)r1;
	(void)r5;
	if (!bpfvm_run_helper_access(rc, to, len, true, "bpf_skb_load_bytes"))
		return 0;
	if (!rc->pkt || off > INT_MAX || (uint64_t)off + len > rc->pkt_len) {
		memset(to, 0, len);
		return (uint64_t)(int64_t)-EFAULT;
	}
	memcpy(to, rc->pkt + off, len);
	return 0;
}
