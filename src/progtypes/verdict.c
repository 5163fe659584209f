/* verdict.c - return-value meaning per program type, named as the uapi headers name the values */
#include <stdio.h>

#include "bpfvm/insn.h"
#include "progtypes/verdict.h"

static const char *const xdp_names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT" };
/* <linux/pkt_cls.h> TC_ACT_*, from 0; TC_ACT_UNSPEC is -1 */
static const char *const tc_names[] = { "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
					"TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT",
					"TC_ACT_TRAP" };
/* cgroup_skb: bit 0 allows the packet, bit 1 asks for congestion notification (egress) */
static const char *const cgroup_skb_names[] = { "drop", "allow", "drop+cn", "allow+cn" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *progtype_verdict(uint32_t prog_type, uint32_t retval, char *buf, size_t size)
{
	const char *name = NULL;
	switch (prog_type) {
	case BPF_PROG_TYPE_XDP:
		name = retval < N(xdp_names) ? xdp_names[retval] : NULL;
		break;
	case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT:
		name = retval == UINT32_MAX ? "TC_ACT_UNSPEC" : retval < N(tc_names) ? tc_names[retval] : NULL;
		break;
	case BPF_PROG_TYPE_CGROUP_SKB:
		name = retval < N(cgroup_skb_names) ? cgroup_skb_names[retval] : NULL;
		break;
	case BPF_PROG_TYPE_SOCKET_FILTER: /* the number of bytes to keep; 0 drops the packet */
		if (retval == 0)
			name = "drop";
		else {
			snprintf(buf, size, "keep %u bytes", retval);
			return buf;
		}
		break;
	}
	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%u", retval);
	return buf;
}
