/* helper_protos.c - the prototypes of the kernel helpers the verifier knows, keyed by helper id */
#include <linux/bpf.h>

#include "verifier/calls.h"

#define MAYBE_NULL PTR_MAYBE_NULL
#define UNINIT_MEM (ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE)
#define RDONLY_MEM (ARG_PTR_TO_MEM | MEM_RDONLY)
#define P(...) .arg_type = { __VA_ARGS__ }

/* [id] = { ret, { args } , ...}: mirrors the kernel's bpf_func_proto definitions */
static const struct helper_proto protos[] = {
	[BPF_FUNC_map_lookup_elem] = { .ret_type = RET_PTR_TO_MAP_VALUE | MAYBE_NULL, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY), .pkt_access = true },
	[BPF_FUNC_map_update_elem] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING), .pkt_access = true },
	[BPF_FUNC_map_delete_elem] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY), .pkt_access = true },
	[BPF_FUNC_map_push_elem] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING), .pkt_access = true },
	[BPF_FUNC_map_pop_elem] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE) },
	[BPF_FUNC_map_peek_elem] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE) },
	[BPF_FUNC_probe_read] = { .ret_type = RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_user] = { .ret_type = RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_kernel] = { .ret_type = RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_str] = { .ret_type = RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_user_str] = { .ret_type = RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_kernel_str] = { .ret_type = RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_ktime_get_ns] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_strtol] = { .ret_type = RET_INTEGER, P(RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG) },
	[BPF_FUNC_strtoul] = { .ret_type = RET_INTEGER, P(RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_LONG) },
	[BPF_FUNC_ktime_get_boot_ns] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_ktime_get_coarse_ns] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_jiffies64] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_trace_printk] = { .ret_type = RET_INTEGER, P(RDONLY_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_get_prandom_u32] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_get_smp_processor_id] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_get_numa_node_id] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_skb_store_bytes] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_l3_csum_replace] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_l4_csum_replace] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_tail_call] = { .ret_type = RET_VOID, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_clone_redirect] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_get_current_pid_tgid] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_get_current_uid_gid] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_get_current_comm] = { .ret_type = RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_get_cgroup_classid] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_skb_vlan_push] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_skb_vlan_pop] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX), .changes_pkt_data = true },
	[BPF_FUNC_skb_get_tunnel_key] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_skb_set_tunnel_key] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_perf_event_read] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_redirect] = { .ret_type = RET_INTEGER, P(ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_get_route_realm] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_perf_event_output] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, RDONLY_MEM, ARG_CONST_SIZE_OR_ZERO) },
	[BPF_FUNC_skb_load_bytes] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, UNINIT_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_get_stackid] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_csum_diff] = { .ret_type = RET_INTEGER, P(RDONLY_MEM | MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO, RDONLY_MEM | MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), .pkt_access = true },
	[BPF_FUNC_skb_change_proto] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_skb_change_type] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING) },
	[BPF_FUNC_skb_under_cgroup] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_get_hash_recalc] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_current_task] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_current_task_under_cgroup] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_skb_change_tail] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_skb_pull_data] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_csum_update] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING) },
	[BPF_FUNC_set_hash_invalid] = { .ret_type = RET_VOID, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_socket_cookie] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_socket_uid] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_set_hash] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING) },
	[BPF_FUNC_skb_adjust_room] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_redirect_map] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_sk_redirect_map] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_xdp_adjust_head] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_xdp_adjust_meta] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_xdp_adjust_tail] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_get_stack] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_skb_load_bytes_relative] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_get_local_storage] = { .ret_type = RET_PTR_TO_MAP_VALUE, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_spin_lock] = { .ret_type = RET_VOID, P(ARG_PTR_TO_SPIN_LOCK) },
	[BPF_FUNC_spin_unlock] = { .ret_type = RET_VOID, P(ARG_PTR_TO_SPIN_LOCK) },
	[BPF_FUNC_sk_fullsock] = { .ret_type = RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_SOCK_COMMON) },
	[BPF_FUNC_tcp_sock] = { .ret_type = RET_PTR_TO_TCP_SOCK | MAYBE_NULL, P(ARG_PTR_TO_SOCK_COMMON) },
	[BPF_FUNC_sk_release] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE) },
	[BPF_FUNC_sk_lookup_tcp] = { .ret_type = RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_sk_lookup_udp] = { .ret_type = RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_skc_lookup_tcp] = { .ret_type = RET_PTR_TO_SOCK_COMMON | MAYBE_NULL, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_get_listener_sock] = { .ret_type = RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_SOCK_COMMON) },
	[BPF_FUNC_sk_assign] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_PTR_TO_SOCKET | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_output] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, RDONLY_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_reserve] = { .ret_type = RET_PTR_TO_MEM | MEM_RINGBUF | MAYBE_NULL, P(ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_submit] = { .ret_type = RET_VOID, P(ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_discard] = { .ret_type = RET_VOID, P(ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_query] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_per_cpu_ptr] = { .ret_type = RET_PTR_TO_MEM_OR_BTF_ID | MAYBE_NULL | MEM_RDONLY, P(ARG_PTR_TO_PERCPU_BTF_ID, ARG_ANYTHING) },
	[BPF_FUNC_this_cpu_ptr] = { .ret_type = RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY, P(ARG_PTR_TO_PERCPU_BTF_ID) },
	[BPF_FUNC_for_each_map_elem] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_loop] = { .ret_type = RET_INTEGER, P(ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_strncmp] = { .ret_type = RET_INTEGER, P(RDONLY_MEM, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR) },
	[BPF_FUNC_kptr_xchg] = { .ret_type = RET_PTR_TO_BTF_ID | MAYBE_NULL, P(ARG_KPTR_XCHG_DEST, ARG_PTR_TO_BTF_ID | MAYBE_NULL | OBJ_RELEASE) },
	[BPF_FUNC_timer_init] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_TIMER, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_timer_set_callback] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_TIMER, ARG_PTR_TO_FUNC) },
	[BPF_FUNC_timer_start] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_TIMER, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_timer_cancel] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_TIMER) },
	[BPF_FUNC_get_func_ip] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_sk_storage_get] = { .ret_type = RET_PTR_TO_MAP_VALUE | MAYBE_NULL, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON | MAYBE_NULL, ARG_PTR_TO_MAP_VALUE | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_sk_storage_delete] = { .ret_type = RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON) },
	[BPF_FUNC_fib_lookup] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_check_mtu] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_FIXED_SIZE | MEM_WRITE, ARG_ANYTHING, ARG_ANYTHING), .arg_size = { 0, 0, 4 } },
	[BPF_FUNC_get_netns_cookie] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX | MAYBE_NULL) },
	[BPF_FUNC_sock_map_update] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING) },
	[BPF_FUNC_sock_hash_update] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING) },
	[BPF_FUNC_sk_select_reuseport] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING) },
	[BPF_FUNC_xdp_load_bytes] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, UNINIT_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_xdp_store_bytes] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, RDONLY_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_xdp_get_buff_len] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_current_cgroup_id] = { .ret_type = RET_INTEGER },
	[BPF_FUNC_skb_cgroup_id] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_send_signal] = { .ret_type = RET_INTEGER, P(ARG_ANYTHING) },
	[BPF_FUNC_get_attach_cookie] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_trace_vprintk] = { .ret_type = RET_INTEGER, P(RDONLY_MEM, ARG_CONST_SIZE, RDONLY_MEM | MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO) },
	[BPF_FUNC_snprintf] = { .ret_type = RET_INTEGER, P(ARG_PTR_TO_MEM | MAYBE_NULL | MEM_UNINIT | MEM_WRITE, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, RDONLY_MEM | MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO) },
};

const struct helper_proto *helper_proto(int32_t func_id)
{
	if (func_id < 0 || (size_t)func_id >= sizeof(protos) / sizeof(protos[0]))
		return NULL;
	const struct helper_proto *p = &protos[func_id];
	/* an unset row (no return type, no args) is a helper bpfvm does not know */
	if (p->ret_type == RET_INTEGER && !p->arg_type[0] && func_id != BPF_FUNC_ktime_get_ns &&
	    func_id != BPF_FUNC_ktime_get_boot_ns && func_id != BPF_FUNC_ktime_get_coarse_ns &&
	    func_id != BPF_FUNC_jiffies64 && func_id != BPF_FUNC_get_prandom_u32 &&
	    func_id != BPF_FUNC_get_smp_processor_id && func_id != BPF_FUNC_get_numa_node_id &&
	    func_id != BPF_FUNC_get_current_pid_tgid && func_id != BPF_FUNC_get_current_uid_gid &&
	    func_id != BPF_FUNC_get_current_task && func_id != BPF_FUNC_get_current_cgroup_id)
		return NULL;
	return p;
}
