/* test_sec_def.c - SEC() names to program type and expected attach type: bpfvm's table against libbpf's own
 * libbpf_prog_type_by_name() (the installed libbpf, opened with dlopen; names it does not know are skipped) */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "bpfvm/insn.h"
#include "lib/harness.h"
#include "loader/sec_def.h"

static const char *const names[] = {
	"socket", "sk_reuseport", "sk_reuseport/migrate", "kprobe", "kprobe/do_sys_open", "uprobe/lib:func",
	"uprobe.s/x", "kretprobe/x", "uretprobe/x", "kprobe.multi/x*", "kretprobe.multi/x", "ksyscall/open",
	"kretsyscall/open", "usdt/x", "tc", "classifier", "action", "tracepoint/syscalls/sys_enter_open",
	"tp/sched/sched_switch", "raw_tracepoint/sys_enter", "raw_tp/sys_enter", "raw_tp.w/x", "raw_tracepoint.w/x",
	"tp_btf/sys_enter", "fentry/x", "fmod_ret/x", "fexit/x", "fentry.s/x", "fmod_ret.s/x", "fexit.s/x",
	"freplace/x", "lsm/bpf", "lsm.s/bpf", "iter/task", "iter.s/task", "syscall", "xdp.frags/devmap",
	"xdp/devmap", "xdp.frags/cpumap", "xdp/cpumap", "xdp.frags", "xdp", "perf_event", "lwt_in", "lwt_out",
	"lwt_xmit", "lwt_seg6local", "sockops", "sk_skb/stream_parser", "sk_skb/stream_verdict", "sk_skb/verdict",
	"sk_skb", "sk_msg", "lirc_mode2", "flow_dissector", "cgroup_skb/ingress", "cgroup_skb/egress", "cgroup/skb",
	"cgroup/sock_create", "cgroup/sock_release", "cgroup/sock", "cgroup/post_bind4", "cgroup/post_bind6",
	"cgroup/bind4", "cgroup/bind6", "cgroup/connect4", "cgroup/connect6", "cgroup/sendmsg4", "cgroup/sendmsg6",
	"cgroup/recvmsg4", "cgroup/recvmsg6", "cgroup/getpeername4", "cgroup/getpeername6", "cgroup/getsockname4",
	"cgroup/getsockname6", "cgroup/sysctl", "cgroup/getsockopt", "cgroup/setsockopt", "cgroup/dev",
	"struct_ops/x", "sk_lookup", "tc/ingress", "tcx/egress", "netfilter", "lsm_cgroup/x", "kprobe.session/x",
	"uprobe.multi/x", "cgroup/connect_unix",
};
static const char *const bad_names[] = { "sockets", "xdpx", "kprobex/y", "cgroup/skbx", "tcx", "fentryx" };

int main(void)
{
	void *lib = dlopen("libbpf.so.1", RTLD_NOW);
	int (*by_name)(const char *, enum bpf_prog_type *, enum bpf_attach_type *) =
		lib ? (int (*)(const char *, enum bpf_prog_type *, enum bpf_attach_type *))dlsym(lib, "libbpf_prog_type_by_name") : NULL;
	int compared = 0, same = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct sec_def *d = sec_def_find(names[i]);
		if (!d) {
			t_fail("sec %s: not in bpfvm's table", names[i]);
			continue;
		}
		enum bpf_prog_type t;
		enum bpf_attach_type a;
		if (!by_name || by_name(names[i], &t, &a)) {
			t_pass("sec %s: %s (libbpf %s does not know it)", names[i], prog_type_name(d->prog_type),
			       by_name ? "1.x" : "missing");
			continue;
		}
		compared++;
		same += d->prog_type == t && d->attach_type == a;
		CHECK(d->prog_type == t && d->attach_type == a, "sec %s: type %u attach %u (libbpf %u %u)", names[i],
		      d->prog_type, d->attach_type, t, a);
	}
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		CHECK(!sec_def_find(bad_names[i]), "sec %s: no match, as in libbpf", bad_names[i]);
	CHECK(sec_def_find("?xdp") && sec_def_find("?xdp")->prog_type == BPF_PROG_TYPE_XDP, "sec ?xdp: the ? is ignored");
	if (by_name)
		printf("FIGURE SEC() names as libbpf maps them: %d/%d\n", same, compared);
	else
		t_skip("libbpf.so.1 not installed: no comparison");
	if (lib)
		dlclose(lib);
	return t_done();
}
