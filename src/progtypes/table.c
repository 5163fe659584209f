/* table.c - the program types bpfvm knows, looked up by enum bpf_prog_type; the helpers every type may call */
#include <linux/bpf.h>
#include <stddef.h>

#include "progtypes/progtype.h"

extern const struct progtype_ops socket_filter_ops, sched_cls_ops, sched_act_ops, cgroup_skb_ops, sk_skb_ops,
	lwt_in_ops, lwt_out_ops, lwt_xmit_ops, xdp_ops, kprobe_ops, tracepoint_ops, raw_tracepoint_ops,
	perf_event_ops, tracing_ops, syscall_ops, sk_lookup_ops, cgroup_sock_ops, cgroup_sock_addr_ops, sock_ops_ops,
	cgroup_device_ops, cgroup_sysctl_ops, sk_msg_ops, flow_dissector_ops, netfilter_ops, sk_reuseport_ops;

static const struct progtype_ops *const types[] = {
	&socket_filter_ops, &sched_cls_ops, &sched_act_ops, &cgroup_skb_ops, &sk_skb_ops, &lwt_in_ops, &lwt_out_ops,
	&lwt_xmit_ops, &xdp_ops, &kprobe_ops, &tracepoint_ops, &raw_tracepoint_ops, &perf_event_ops, &tracing_ops,
	&syscall_ops, &sk_lookup_ops, &cgroup_sock_ops, &cgroup_sock_addr_ops, &sock_ops_ops, &cgroup_device_ops,
	&cgroup_sysctl_ops, &sk_msg_ops, &flow_dissector_ops, &netfilter_ops, &sk_reuseport_ops,
};

const struct progtype_ops *progtype_find(uint32_t prog_type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i]->prog_type == prog_type)
			return types[i];
	return NULL;
}

/* the kernel's bpf_base_func_proto() for a privileged (CAP_BPF + CAP_PERFMON) program */
bool helper_in_base(int32_t id)
{
	switch (id) {
	case BPF_FUNC_map_lookup_elem: case BPF_FUNC_map_update_elem: case BPF_FUNC_map_delete_elem:
	case BPF_FUNC_map_push_elem: case BPF_FUNC_map_pop_elem: case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_map_lookup_percpu_elem: case BPF_FUNC_get_prandom_u32: case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_get_numa_node_id: case BPF_FUNC_tail_call: case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_ktime_get_boot_ns: case BPF_FUNC_ktime_get_tai_ns: case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve: case BPF_FUNC_ringbuf_submit: case BPF_FUNC_ringbuf_discard:
	case BPF_FUNC_ringbuf_query: case BPF_FUNC_ringbuf_reserve_dynptr: case BPF_FUNC_ringbuf_submit_dynptr:
	case BPF_FUNC_ringbuf_discard_dynptr: case BPF_FUNC_for_each_map_elem: case BPF_FUNC_loop:
	case BPF_FUNC_user_ringbuf_drain: case BPF_FUNC_ktime_get_coarse_ns: case BPF_FUNC_strncmp:
	case BPF_FUNC_spin_lock: case BPF_FUNC_spin_unlock: case BPF_FUNC_jiffies64: case BPF_FUNC_per_cpu_ptr:
	case BPF_FUNC_this_cpu_ptr: case BPF_FUNC_timer_init: case BPF_FUNC_timer_set_callback:
	case BPF_FUNC_timer_start: case BPF_FUNC_timer_cancel: case BPF_FUNC_kptr_xchg: case BPF_FUNC_dynptr_from_mem:
	case BPF_FUNC_dynptr_read: case BPF_FUNC_dynptr_write: case BPF_FUNC_dynptr_data:
	case BPF_FUNC_trace_printk: case BPF_FUNC_get_current_task: case BPF_FUNC_get_current_task_btf:
	case BPF_FUNC_probe_read_user: case BPF_FUNC_probe_read_kernel: case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str: case BPF_FUNC_snprintf_btf: case BPF_FUNC_snprintf:
	case BPF_FUNC_task_pt_regs: case BPF_FUNC_trace_vprintk: case BPF_FUNC_strtol: case BPF_FUNC_strtoul:
		return true;
	default:
		return false;
	}
}
