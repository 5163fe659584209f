/* sec_def.c - the table of SEC() names libbpf knows, matched the way libbpf 1.x matches them */
#include <string.h>

#include "bpfvm/insn.h"
#include "loader/sec_def.h"

/* numbers newer than the system's 6.1 <linux/bpf.h> (values from Linux 6.18's uapi header) */
#define PT_NETFILTER 32
#define AT_TRACE_UPROBE_MULTI 48
#define AT_CGROUP_UNIX_CONNECT 49
#define AT_CGROUP_UNIX_SENDMSG 50
#define AT_CGROUP_UNIX_RECVMSG 51
#define AT_CGROUP_UNIX_GETPEERNAME 52
#define AT_CGROUP_UNIX_GETSOCKNAME 53
#define AT_NETFILTER 45
#define AT_TCX_INGRESS 46
#define AT_TCX_EGRESS 47
#define AT_NETKIT_PRIMARY 54
#define AT_NETKIT_PEER 55
#define AT_TRACE_KPROBE_SESSION 56
#define AT_TRACE_UPROBE_SESSION 57
#define F_SLEEPABLE 16 /* BPF_F_SLEEPABLE */
#define F_XDP_HAS_FRAGS 32 /* BPF_F_XDP_HAS_FRAGS */

#define P(x) BPF_PROG_TYPE_##x
#define A(x) BPF_##x

/* order matters as in libbpf's section_defs[]: the first match wins */
static const struct sec_def sec_defs[] = {
	{ "socket", P(SOCKET_FILTER), 0, 0 },
	{ "sk_reuseport/migrate", P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT_OR_MIGRATE), 0 },
	{ "sk_reuseport", P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT), 0 },
	{ "kprobe+", P(KPROBE), 0, 0 },
	{ "uprobe+", P(KPROBE), 0, 0 },
	{ "uprobe.s+", P(KPROBE), 0, F_SLEEPABLE },
	{ "kretprobe+", P(KPROBE), 0, 0 },
	{ "uretprobe+", P(KPROBE), 0, 0 },
	{ "uretprobe.s+", P(KPROBE), 0, F_SLEEPABLE },
	{ "kprobe.multi+", P(KPROBE), A(TRACE_KPROBE_MULTI), 0 },
	{ "kretprobe.multi+", P(KPROBE), A(TRACE_KPROBE_MULTI), 0 },
	{ "kprobe.session+", P(KPROBE), AT_TRACE_KPROBE_SESSION, 0 },
	{ "uprobe.multi+", P(KPROBE), AT_TRACE_UPROBE_MULTI, 0 },
	{ "uretprobe.multi+", P(KPROBE), AT_TRACE_UPROBE_MULTI, 0 },
	{ "uprobe.session+", P(KPROBE), AT_TRACE_UPROBE_SESSION, 0 },
	{ "uprobe.multi.s+", P(KPROBE), AT_TRACE_UPROBE_MULTI, F_SLEEPABLE },
	{ "uretprobe.multi.s+", P(KPROBE), AT_TRACE_UPROBE_MULTI, F_SLEEPABLE },
	{ "ksyscall+", P(KPROBE), 0, 0 },
	{ "kretsyscall+", P(KPROBE), 0, 0 },
	{ "usdt+", P(KPROBE), 0, 0 },
	{ "usdt.s+", P(KPROBE), 0, F_SLEEPABLE },
	{ "tc/ingress", P(SCHED_CLS), AT_TCX_INGRESS, 0 },
	{ "tc/egress", P(SCHED_CLS), AT_TCX_EGRESS, 0 },
	{ "tcx/ingress", P(SCHED_CLS), AT_TCX_INGRESS, 0 },
	{ "tcx/egress", P(SCHED_CLS), AT_TCX_EGRESS, 0 },
	{ "netkit/primary", P(SCHED_CLS), AT_NETKIT_PRIMARY, 0 },
	{ "netkit/peer", P(SCHED_CLS), AT_NETKIT_PEER, 0 },
	{ "tc", P(SCHED_CLS), 0, 0 },
	{ "classifier", P(SCHED_CLS), 0, 0 },
	{ "action", P(SCHED_ACT), 0, 0 },
	{ "tracepoint+", P(TRACEPOINT), 0, 0 },
	{ "tp+", P(TRACEPOINT), 0, 0 },
	{ "raw_tracepoint+", P(RAW_TRACEPOINT), 0, 0 },
	{ "raw_tp+", P(RAW_TRACEPOINT), 0, 0 },
	{ "raw_tracepoint.w+", P(RAW_TRACEPOINT_WRITABLE), 0, 0 },
	{ "raw_tp.w+", P(RAW_TRACEPOINT_WRITABLE), 0, 0 },
	{ "tp_btf+", P(TRACING), A(TRACE_RAW_TP), 0 },
	{ "fentry+", P(TRACING), A(TRACE_FENTRY), 0 },
	{ "fmod_ret+", P(TRACING), A(MODIFY_RETURN), 0 },
	{ "fexit+", P(TRACING), A(TRACE_FEXIT), 0 },
	{ "fentry.s+", P(TRACING), A(TRACE_FENTRY), F_SLEEPABLE },
	{ "fmod_ret.s+", P(TRACING), A(MODIFY_RETURN), F_SLEEPABLE },
	{ "fexit.s+", P(TRACING), A(TRACE_FEXIT), F_SLEEPABLE },
	{ "freplace+", P(EXT), 0, 0 },
	{ "lsm+", P(LSM), A(LSM_MAC), 0 },
	{ "lsm.s+", P(LSM), A(LSM_MAC), F_SLEEPABLE },
	{ "lsm_cgroup+", P(LSM), A(LSM_CGROUP), 0 },
	{ "iter+", P(TRACING), A(TRACE_ITER), 0 },
	{ "iter.s+", P(TRACING), A(TRACE_ITER), F_SLEEPABLE },
	{ "syscall", P(SYSCALL), 0, F_SLEEPABLE },
	{ "xdp.frags/devmap", P(XDP), A(XDP_DEVMAP), F_XDP_HAS_FRAGS },
	{ "xdp/devmap", P(XDP), A(XDP_DEVMAP), 0 },
	{ "xdp.frags/cpumap", P(XDP), A(XDP_CPUMAP), F_XDP_HAS_FRAGS },
	{ "xdp/cpumap", P(XDP), A(XDP_CPUMAP), 0 },
	{ "xdp.frags", P(XDP), A(XDP), F_XDP_HAS_FRAGS },
	{ "xdp", P(XDP), A(XDP), 0 },
	{ "perf_event", P(PERF_EVENT), 0, 0 },
	{ "lwt_in", P(LWT_IN), 0, 0 },
	{ "lwt_out", P(LWT_OUT), 0, 0 },
	{ "lwt_xmit", P(LWT_XMIT), 0, 0 },
	{ "lwt_seg6local", P(LWT_SEG6LOCAL), 0, 0 },
	{ "sockops", P(SOCK_OPS), A(CGROUP_SOCK_OPS), 0 },
	{ "sk_skb/stream_parser", P(SK_SKB), A(SK_SKB_STREAM_PARSER), 0 },
	{ "sk_skb/stream_verdict", P(SK_SKB), A(SK_SKB_STREAM_VERDICT), 0 },
	{ "sk_skb/verdict", P(SK_SKB), A(SK_SKB_VERDICT), 0 },
	{ "sk_skb", P(SK_SKB), 0, 0 },
	{ "sk_msg", P(SK_MSG), A(SK_MSG_VERDICT), 0 },
	{ "lirc_mode2", P(LIRC_MODE2), A(LIRC_MODE2), 0 },
	{ "flow_dissector", P(FLOW_DISSECTOR), A(FLOW_DISSECTOR), 0 },
	{ "cgroup_skb/ingress", P(CGROUP_SKB), A(CGROUP_INET_INGRESS), 0 },
	{ "cgroup_skb/egress", P(CGROUP_SKB), A(CGROUP_INET_EGRESS), 0 },
	{ "cgroup/skb", P(CGROUP_SKB), 0, 0 },
	{ "cgroup/sock_create", P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0 },
	{ "cgroup/sock_release", P(CGROUP_SOCK), A(CGROUP_INET_SOCK_RELEASE), 0 },
	{ "cgroup/sock", P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0 },
	{ "cgroup/post_bind4", P(CGROUP_SOCK), A(CGROUP_INET4_POST_BIND), 0 },
	{ "cgroup/post_bind6", P(CGROUP_SOCK), A(CGROUP_INET6_POST_BIND), 0 },
	{ "cgroup/bind4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_BIND), 0 },
	{ "cgroup/bind6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_BIND), 0 },
	{ "cgroup/connect4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_CONNECT), 0 },
	{ "cgroup/connect6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_CONNECT), 0 },
	{ "cgroup/connect_unix", P(CGROUP_SOCK_ADDR), AT_CGROUP_UNIX_CONNECT, 0 },
	{ "cgroup/sendmsg4", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_SENDMSG), 0 },
	{ "cgroup/sendmsg6", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_SENDMSG), 0 },
	{ "cgroup/sendmsg_unix", P(CGROUP_SOCK_ADDR), AT_CGROUP_UNIX_SENDMSG, 0 },
	{ "cgroup/recvmsg4", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_RECVMSG), 0 },
	{ "cgroup/recvmsg6", P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_RECVMSG), 0 },
	{ "cgroup/recvmsg_unix", P(CGROUP_SOCK_ADDR), AT_CGROUP_UNIX_RECVMSG, 0 },
	{ "cgroup/getpeername4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETPEERNAME), 0 },
	{ "cgroup/getpeername6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETPEERNAME), 0 },
	{ "cgroup/getpeername_unix", P(CGROUP_SOCK_ADDR), AT_CGROUP_UNIX_GETPEERNAME, 0 },
	{ "cgroup/getsockname4", P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETSOCKNAME), 0 },
	{ "cgroup/getsockname6", P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETSOCKNAME), 0 },
	{ "cgroup/getsockname_unix", P(CGROUP_SOCK_ADDR), AT_CGROUP_UNIX_GETSOCKNAME, 0 },
	{ "cgroup/sysctl", P(CGROUP_SYSCTL), A(CGROUP_SYSCTL), 0 },
	{ "cgroup/getsockopt", P(CGROUP_SOCKOPT), A(CGROUP_GETSOCKOPT), 0 },
	{ "cgroup/setsockopt", P(CGROUP_SOCKOPT), A(CGROUP_SETSOCKOPT), 0 },
	{ "cgroup/dev", P(CGROUP_DEVICE), A(CGROUP_DEVICE), 0 },
	{ "struct_ops+", P(STRUCT_OPS), 0, 0 },
	{ "struct_ops.s+", P(STRUCT_OPS), 0, F_SLEEPABLE },
	{ "sk_lookup", P(SK_LOOKUP), A(SK_LOOKUP), 0 },
	{ "netfilter", PT_NETFILTER, AT_NETFILTER, 0 },
};

/* libbpf's sec_def_matches(): "name+" matches "name" and "name/..."; others match exactly */
static int sec_matches(const char *def, const char *name)
{
	size_t len = strlen(def);
	if (def[len - 1] == '+') {
		len--;
		if (strncmp(def, name, len))
			return 0;
		return name[len] == '\0' || name[len] == '/';
	}
	return !strcmp(def, name);
}

const struct sec_def *sec_def_find(const char *sec_name)
{
	if (sec_name[0] == '?')
		sec_name++;
	for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++)
		if (sec_matches(sec_defs[i].sec, sec_name))
			return &sec_defs[i];
	return NULL;
}

/* enum bpf_prog_type names as bpftool prints them (libbpf's prog_type_name[]) */
static const char *const prog_type_names[] = {
	[0] = "unspec", [1] = "socket_filter", [2] = "kprobe", [3] = "sched_cls", [4] = "sched_act",
	[5] = "tracepoint", [6] = "xdp", [7] = "perf_event", [8] = "cgroup_skb", [9] = "cgroup_sock",
	[10] = "lwt_in", [11] = "lwt_out", [12] = "lwt_xmit", [13] = "sock_ops", [14] = "sk_skb",
	[15] = "cgroup_device", [16] = "sk_msg", [17] = "raw_tracepoint", [18] = "cgroup_sock_addr",
	[19] = "lwt_seg6local", [20] = "lirc_mode2", [21] = "sk_reuseport", [22] = "flow_dissector",
	[23] = "cgroup_sysctl", [24] = "raw_tracepoint_writable", [25] = "cgroup_sockopt", [26] = "tracing",
	[27] = "struct_ops", [28] = "ext", [29] = "lsm", [30] = "sk_lookup", [31] = "syscall", [32] = "netfilter",
};

const char *prog_type_name(uint32_t prog_type)
{
	return prog_type < sizeof(prog_type_names) / sizeof(prog_type_names[0]) ? prog_type_names[prog_type] : NULL;
}

int prog_type_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(prog_type_names) / sizeof(prog_type_names[0]); i++)
		if (!strcmp(prog_type_names[i], name))
			return i;
	return -1;
}
