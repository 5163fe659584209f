/* helper_protos.c - the prototypes of the kernel helpers the verifier knows, keyed by helper id */
#include <linux/bpf.h>

#include "verifier/calls.h"

#define MAYBE_NULL PTR_MAYBE_NULL
#define UNINIT_MEM (ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE)
#define RDONLY_MEM (ARG_PTR_TO_MEM | MEM_RDONLY)
#define P(...) { __VA_ARGS__ }

/* [id] = { ret, { args } , ...}: mirrors the kernel's bpf_func_proto definitions */
static const struct helper_proto protos[] = {
	[BPF_FUNC_map_lookup_elem] = { RET_PTR_TO_MAP_VALUE | MAYBE_NULL, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY), .pkt_access = true },
	[BPF_FUNC_map_update_elem] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING), .pkt_access = true },
	[BPF_FUNC_map_delete_elem] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY), .pkt_access = true },
	[BPF_FUNC_map_push_elem] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING), .pkt_access = true },
	[BPF_FUNC_map_pop_elem] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE) },
	[BPF_FUNC_map_peek_elem] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE) },
	[BPF_FUNC_probe_read] = { RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_user] = { RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_kernel] = { RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_str] = { RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_user_str] = { RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_probe_read_kernel_str] = { RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_ktime_get_ns] = { RET_INTEGER },
	[BPF_FUNC_ktime_get_boot_ns] = { RET_INTEGER },
	[BPF_FUNC_ktime_get_coarse_ns] = { RET_INTEGER },
	[BPF_FUNC_jiffies64] = { RET_INTEGER },
	[BPF_FUNC_trace_printk] = { RET_INTEGER, P(RDONLY_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_get_prandom_u32] = { RET_INTEGER },
	[BPF_FUNC_get_smp_processor_id] = { RET_INTEGER },
	[BPF_FUNC_get_numa_node_id] = { RET_INTEGER },
	[BPF_FUNC_skb_store_bytes] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_l3_csum_replace] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_l4_csum_replace] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_tail_call] = { RET_VOID, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_clone_redirect] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_get_current_pid_tgid] = { RET_INTEGER },
	[BPF_FUNC_get_current_uid_gid] = { RET_INTEGER },
	[BPF_FUNC_get_current_comm] = { RET_INTEGER, P(UNINIT_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_get_cgroup_classid] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_skb_vlan_push] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_skb_vlan_pop] = { RET_INTEGER, P(ARG_PTR_TO_CTX), .changes_pkt_data = true },
	[BPF_FUNC_skb_get_tunnel_key] = { RET_INTEGER, P(ARG_PTR_TO_CTX, UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_skb_set_tunnel_key] = { RET_INTEGER, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_perf_event_read] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_redirect] = { RET_INTEGER, P(ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_get_route_realm] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_perf_event_output] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, RDONLY_MEM, ARG_CONST_SIZE_OR_ZERO) },
	[BPF_FUNC_skb_load_bytes] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, UNINIT_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_get_stackid] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_csum_diff] = { RET_INTEGER, P(RDONLY_MEM | MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO, RDONLY_MEM | MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), .pkt_access = true },
	[BPF_FUNC_skb_change_proto] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_skb_change_type] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING) },
	[BPF_FUNC_skb_under_cgroup] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_get_hash_recalc] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_current_task] = { RET_INTEGER },
	[BPF_FUNC_current_task_under_cgroup] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_skb_change_tail] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_skb_pull_data] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_csum_update] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING) },
	[BPF_FUNC_set_hash_invalid] = { RET_VOID, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_socket_cookie] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_socket_uid] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_set_hash] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING) },
	[BPF_FUNC_skb_adjust_room] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_redirect_map] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_sk_redirect_map] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_xdp_adjust_head] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_xdp_adjust_meta] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_xdp_adjust_tail] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING), .changes_pkt_data = true },
	[BPF_FUNC_get_stack] = { RET_INTEGER, P(ARG_PTR_TO_CTX, UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_skb_load_bytes_relative] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_get_local_storage] = { RET_PTR_TO_MAP_VALUE, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_spin_lock] = { RET_VOID, P(ARG_PTR_TO_SPIN_LOCK) },
	[BPF_FUNC_spin_unlock] = { RET_VOID, P(ARG_PTR_TO_SPIN_LOCK) },
	[BPF_FUNC_sk_fullsock] = { RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_SOCK_COMMON) },
	[BPF_FUNC_tcp_sock] = { RET_PTR_TO_TCP_SOCK | MAYBE_NULL, P(ARG_PTR_TO_SOCK_COMMON) },
	[BPF_FUNC_sk_release] = { RET_INTEGER, P(ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE) },
	[BPF_FUNC_sk_lookup_tcp] = { RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_sk_lookup_udp] = { RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_skc_lookup_tcp] = { RET_PTR_TO_SOCK_COMMON | MAYBE_NULL, P(ARG_PTR_TO_CTX, RDONLY_MEM, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_get_listener_sock] = { RET_PTR_TO_SOCKET | MAYBE_NULL, P(ARG_PTR_TO_SOCK_COMMON) },
	[BPF_FUNC_sk_assign] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_PTR_TO_SOCKET | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_output] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, RDONLY_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_reserve] = { RET_PTR_TO_MEM | MEM_RINGBUF | MAYBE_NULL, P(ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_submit] = { RET_VOID, P(ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_discard] = { RET_VOID, P(ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING) },
	[BPF_FUNC_ringbuf_query] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_per_cpu_ptr] = { RET_PTR_TO_MEM_OR_BTF_ID | MAYBE_NULL | MEM_RDONLY, P(ARG_PTR_TO_PERCPU_BTF_ID, ARG_ANYTHING) },
	[BPF_FUNC_this_cpu_ptr] = { RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY, P(ARG_PTR_TO_PERCPU_BTF_ID) },
	[BPF_FUNC_for_each_map_elem] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_loop] = { RET_INTEGER, P(ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_strncmp] = { RET_INTEGER, P(RDONLY_MEM, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR) },
	[BPF_FUNC_kptr_xchg] = { RET_PTR_TO_BTF_ID | MAYBE_NULL, P(ARG_KPTR_XCHG_DEST, ARG_PTR_TO_BTF_ID | MAYBE_NULL | OBJ_RELEASE) },
	[BPF_FUNC_timer_init] = { RET_INTEGER, P(ARG_PTR_TO_TIMER, ARG_CONST_MAP_PTR, ARG_ANYTHING) },
	[BPF_FUNC_timer_set_callback] = { RET_INTEGER, P(ARG_PTR_TO_TIMER, ARG_PTR_TO_FUNC) },
	[BPF_FUNC_timer_start] = { RET_INTEGER, P(ARG_PTR_TO_TIMER, ARG_ANYTHING, ARG_ANYTHING) },
	[BPF_FUNC_timer_cancel] = { RET_INTEGER, P(ARG_PTR_TO_TIMER) },
	[BPF_FUNC_get_func_ip] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_sk_storage_get] = { RET_PTR_TO_MAP_VALUE | MAYBE_NULL, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON | MAYBE_NULL, ARG_PTR_TO_MAP_VALUE | MAYBE_NULL, ARG_ANYTHING) },
	[BPF_FUNC_sk_storage_delete] = { RET_INTEGER, P(ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON) },
	[BPF_FUNC_fib_lookup] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING) },
	[BPF_FUNC_xdp_load_bytes] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, UNINIT_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_xdp_store_bytes] = { RET_INTEGER, P(ARG_PTR_TO_CTX, ARG_ANYTHING, RDONLY_MEM, ARG_CONST_SIZE) },
	[BPF_FUNC_xdp_get_buff_len] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_get_current_cgroup_id] = { RET_INTEGER },
	[BPF_FUNC_skb_cgroup_id] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_send_signal] = { RET_INTEGER, P(ARG_ANYTHING) },
	[BPF_FUNC_get_attach_cookie] = { RET_INTEGER, P(ARG_PTR_TO_CTX) },
	[BPF_FUNC_snprintf] = { RET_INTEGER, P(ARG_PTR_TO_MEM | MAYBE_NULL | MEM_UNINIT | MEM_WRITE, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, RDONLY_MEM | MAYBE_NULL, ARG_CONST_SIZE_OR_ZERO) },
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
