/* skb.c - program types whose context is struct __sk_buff: socket_filter, sched_cls/act, cgroup_skb, sk_skb,
 * lwt (mirrors bpf_skb_is_valid_access() and the per-type *_is_valid_access() of net/core/filter.c) */
#include <linux/bpf.h>
#include <stdbool.h>

#include "progtypes/ctx_access.h"
#include "progtypes/progtype.h"

#define SKB struct __sk_buff

static bool bpf_skb_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info)
{
	const int size_default = sizeof(uint32_t);

	if (off < 0 || off >= (int)sizeof(SKB))
		return false;
	/* the verifier guarantees that size > 0 */
	if (off % size != 0)
		return false;
	if (IN_FIELDS(off, SKB, cb[0], cb[4])) {
		if (off + size > (int)offsetofend(SKB, cb[4]))
			return false;
	} else if (IN_FIELDS(off, SKB, remote_ip6[0], remote_ip6[3]) || IN_FIELDS(off, SKB, local_ip6[0], local_ip6[3]) ||
		   IN_FIELD(off, SKB, remote_ip4) || IN_FIELD(off, SKB, local_ip4) || IN_FIELD(off, SKB, data) ||
		   IN_FIELD(off, SKB, data_meta) || IN_FIELD(off, SKB, data_end)) {
		if (size != size_default)
			return false;
	} else if (IN_FIELD(off, SKB, flow_keys)) {
		return false;
	} else if (IN_FIELD(off, SKB, hwtstamp)) {
		if (type == BPF_WRITE || size != sizeof(uint64_t))
			return false;
	} else if (IN_FIELD(off, SKB, tstamp)) {
		if (size != sizeof(uint64_t))
			return false;
	} else if (off == (int)offsetof(SKB, sk)) {
		if (type == BPF_WRITE || size != sizeof(uint64_t))
			return false;
		info->reg_type = PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL;
	} else if (IN_FIELD(off, SKB, sk)) {
		/* inside the sk pointer (observed: the live kernel refuses these) */
		return false;
	} else if (off == (int)offsetof(SKB, tstamp_type)) {
		return false;
	} else if (off > (int)offsetof(SKB, tstamp_type) && off < (int)offsetof(SKB, hwtstamp)) {
		/* explicitly prohibit access to padding in __sk_buff */
		return false;
	} else {
		/* only narrow read access allowed for now */
		if (type == BPF_WRITE) {
			if (size != size_default)
				return false;
		} else {
			bpf_ctx_record_field_size(info, size_default);
			if (!bpf_ctx_narrow_access_ok(off, size, size_default))
				return false;
		}
	}
	return true;
}

static bool sk_filter_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				      struct bpf_insn_access_aux *info)
{
	if (IN_FIELD(off, SKB, tc_classid) || IN_FIELD(off, SKB, data) || IN_FIELD(off, SKB, data_meta) ||
	    IN_FIELD(off, SKB, data_end) || IN_FIELDS(off, SKB, family, local_port) || IN_FIELD(off, SKB, tstamp) ||
	    IN_FIELD(off, SKB, wire_len) || IN_FIELD(off, SKB, hwtstamp))
		return false;
	if (type == BPF_WRITE && !IN_FIELDS(off, SKB, cb[0], cb[4]))
		return false;
	return bpf_skb_is_valid_access(off, size, type, info);
}

static bool tc_cls_act_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				       struct bpf_insn_access_aux *info)
{
	if (type == BPF_WRITE) {
		if (!(IN_FIELD(off, SKB, mark) || IN_FIELD(off, SKB, tc_index) || IN_FIELD(off, SKB, priority) ||
		      IN_FIELD(off, SKB, tc_classid) || IN_FIELDS(off, SKB, cb[0], cb[4]) || IN_FIELD(off, SKB, tstamp) ||
		      IN_FIELD(off, SKB, queue_mapping)))
			return false;
	}
	if (IN_FIELD(off, SKB, data))
		info->reg_type = PTR_TO_PACKET;
	else if (IN_FIELD(off, SKB, data_meta))
		info->reg_type = PTR_TO_PACKET_META;
	else if (IN_FIELD(off, SKB, data_end))
		info->reg_type = PTR_TO_PACKET_END;
	else if (IN_FIELDS(off, SKB, family, local_port))
		return false;
	return bpf_skb_is_valid_access(off, size, type, info);
}

static bool cg_skb_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				   struct bpf_insn_access_aux *info)
{
	if (IN_FIELD(off, SKB, tc_classid) || IN_FIELD(off, SKB, data_meta) || IN_FIELD(off, SKB, wire_len))
		return false;
	if (type == BPF_WRITE) {
		if (!(IN_FIELD(off, SKB, mark) || IN_FIELD(off, SKB, priority) || IN_FIELDS(off, SKB, cb[0], cb[4]) ||
		      IN_FIELD(off, SKB, tstamp)))
			return false;
	}
	if (IN_FIELD(off, SKB, data))
		info->reg_type = PTR_TO_PACKET;
	else if (IN_FIELD(off, SKB, data_end))
		info->reg_type = PTR_TO_PACKET_END;
	return bpf_skb_is_valid_access(off, size, type, info);
}

static bool sk_skb_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				   struct bpf_insn_access_aux *info)
{
	if (IN_FIELD(off, SKB, tc_classid) || IN_FIELD(off, SKB, data_meta) || IN_FIELD(off, SKB, tstamp) ||
	    IN_FIELD(off, SKB, wire_len) || IN_FIELD(off, SKB, hwtstamp))
		return false;
	if (type == BPF_WRITE && !(IN_FIELD(off, SKB, tc_index) || IN_FIELD(off, SKB, priority)))
		return false;
	if (IN_FIELD(off, SKB, mark))
		return false;
	if (IN_FIELD(off, SKB, data))
		info->reg_type = PTR_TO_PACKET;
	else if (IN_FIELD(off, SKB, data_end))
		info->reg_type = PTR_TO_PACKET_END;
	return bpf_skb_is_valid_access(off, size, type, info);
}

static bool lwt_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				struct bpf_insn_access_aux *info)
{
	if (IN_FIELD(off, SKB, tc_classid) || IN_FIELDS(off, SKB, family, local_port) || IN_FIELD(off, SKB, data_meta) ||
	    IN_FIELD(off, SKB, tstamp) || IN_FIELD(off, SKB, wire_len) || IN_FIELD(off, SKB, hwtstamp))
		return false;
	if (type == BPF_WRITE && !(IN_FIELD(off, SKB, mark) || IN_FIELD(off, SKB, priority) ||
				   IN_FIELDS(off, SKB, cb[0], cb[4])))
		return false;
	if (IN_FIELD(off, SKB, data))
		info->reg_type = PTR_TO_PACKET;
	else if (IN_FIELD(off, SKB, data_end))
		info->reg_type = PTR_TO_PACKET_END;
	return bpf_skb_is_valid_access(off, size, type, info);
}

static bool sk_filter_helpers(int32_t id)
{
	switch (id) {
	case BPF_FUNC_skb_load_bytes: case BPF_FUNC_skb_load_bytes_relative: case BPF_FUNC_get_socket_cookie:
	case BPF_FUNC_get_socket_uid: case BPF_FUNC_perf_event_output:
		return true;
	default:
		return helper_in_base(id);
	}
}

static bool tc_helpers(int32_t id)
{
	switch (id) {
	case BPF_FUNC_skb_store_bytes: case BPF_FUNC_skb_load_bytes: case BPF_FUNC_skb_load_bytes_relative:
	case BPF_FUNC_skb_pull_data: case BPF_FUNC_csum_diff: case BPF_FUNC_csum_update: case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace: case BPF_FUNC_clone_redirect: case BPF_FUNC_get_cgroup_classid:
	case BPF_FUNC_skb_vlan_push: case BPF_FUNC_skb_vlan_pop: case BPF_FUNC_skb_change_proto:
	case BPF_FUNC_skb_change_type: case BPF_FUNC_skb_adjust_room: case BPF_FUNC_skb_change_tail:
	case BPF_FUNC_skb_get_tunnel_key: case BPF_FUNC_skb_set_tunnel_key: case BPF_FUNC_redirect:
	case BPF_FUNC_get_route_realm: case BPF_FUNC_get_hash_recalc: case BPF_FUNC_set_hash_invalid:
	case BPF_FUNC_set_hash: case BPF_FUNC_perf_event_output: case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_skb_under_cgroup: case BPF_FUNC_get_socket_cookie: case BPF_FUNC_get_socket_uid:
	case BPF_FUNC_fib_lookup: case BPF_FUNC_sk_lookup_tcp: case BPF_FUNC_sk_lookup_udp: case BPF_FUNC_sk_release:
	case BPF_FUNC_tcp_sock: case BPF_FUNC_get_listener_sock: case BPF_FUNC_skc_lookup_tcp:
	case BPF_FUNC_sk_fullsock: case BPF_FUNC_sk_storage_get: case BPF_FUNC_sk_storage_delete:
	case BPF_FUNC_sk_assign: case BPF_FUNC_skb_cgroup_id: case BPF_FUNC_redirect_map: case BPF_FUNC_check_mtu:
		return true;
	default:
		return helper_in_base(id);
	}
}

static bool cg_skb_helpers(int32_t id)
{
	switch (id) {
	case BPF_FUNC_get_local_storage: case BPF_FUNC_sk_fullsock: case BPF_FUNC_sk_storage_get:
	case BPF_FUNC_sk_storage_delete: case BPF_FUNC_perf_event_output: case BPF_FUNC_skb_cgroup_id:
	case BPF_FUNC_tcp_sock: case BPF_FUNC_get_listener_sock: case BPF_FUNC_skb_load_bytes:
	case BPF_FUNC_skb_load_bytes_relative: case BPF_FUNC_get_socket_cookie: case BPF_FUNC_get_socket_uid:
	case BPF_FUNC_sk_lookup_tcp: case BPF_FUNC_sk_lookup_udp: case BPF_FUNC_sk_release:
	case BPF_FUNC_skc_lookup_tcp:
		return true;
	default:
		return helper_in_base(id);
	}
}

static bool sk_skb_helpers(int32_t id)
{
	switch (id) {
	case BPF_FUNC_skb_store_bytes: case BPF_FUNC_skb_load_bytes: case BPF_FUNC_skb_pull_data:
	case BPF_FUNC_skb_change_tail: case BPF_FUNC_skb_change_head: case BPF_FUNC_skb_adjust_room:
	case BPF_FUNC_get_socket_cookie: case BPF_FUNC_get_socket_uid: case BPF_FUNC_sk_redirect_map:
	case BPF_FUNC_sk_redirect_hash: case BPF_FUNC_perf_event_output: case BPF_FUNC_sk_lookup_tcp:
	case BPF_FUNC_sk_lookup_udp: case BPF_FUNC_sk_release: case BPF_FUNC_skc_lookup_tcp:
		return true;
	default:
		return helper_in_base(id);
	}
}

const struct progtype_ops socket_filter_ops = {
	BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter", sk_filter_is_valid_access, sk_filter_helpers, true, false };
const struct progtype_ops sched_cls_ops = {
	BPF_PROG_TYPE_SCHED_CLS, "sched_cls", tc_cls_act_is_valid_access, tc_helpers, true, false };
const struct progtype_ops sched_act_ops = {
	BPF_PROG_TYPE_SCHED_ACT, "sched_act", tc_cls_act_is_valid_access, tc_helpers, true, false };
const struct progtype_ops cgroup_skb_ops = {
	BPF_PROG_TYPE_CGROUP_SKB, "cgroup_skb", cg_skb_is_valid_access, cg_skb_helpers, false, false };
/* flow_dissector_is_valid_access(): data, data_end and the flow keys pointer, read only */
static bool flow_dissector_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
					   struct bpf_insn_access_aux *info)
{
	(void)eat;
	if (off < 0 || off >= (int)sizeof(SKB) || type == BPF_WRITE)
		return false;
	if (IN_FIELD(off, SKB, data) || IN_FIELD(off, SKB, data_end)) {
		if (info->is_ldsx || size != sizeof(uint32_t))
			return false;
		info->reg_type = IN_FIELD(off, SKB, data) ? PTR_TO_PACKET : PTR_TO_PACKET_END;
		return true;
	}
	if (IN_FIELD(off, SKB, flow_keys)) {
		if (size != sizeof(uint64_t))
			return false;
		info->reg_type = PTR_TO_FLOW_KEYS;
		return true;
	}
	return false;
}

/* flow_dissector_func_proto(): bpf_skb_load_bytes (the dissector's own), then the socket base helpers */
static bool flow_dissector_helpers(int32_t id)
{
	return id == BPF_FUNC_skb_load_bytes || helper_in_base(id);
}

const struct progtype_ops flow_dissector_ops = {
	BPF_PROG_TYPE_FLOW_DISSECTOR, "flow_dissector", flow_dissector_is_valid_access, flow_dissector_helpers, false,
	false };
const struct progtype_ops sk_skb_ops = {
	BPF_PROG_TYPE_SK_SKB, "sk_skb", sk_skb_is_valid_access, sk_skb_helpers, false, false };
const struct progtype_ops lwt_in_ops = {
	BPF_PROG_TYPE_LWT_IN, "lwt_in", lwt_is_valid_access, sk_filter_helpers, false, false };
const struct progtype_ops lwt_out_ops = {
	BPF_PROG_TYPE_LWT_OUT, "lwt_out", lwt_is_valid_access, sk_filter_helpers, false, false };
const struct progtype_ops lwt_xmit_ops = {
	BPF_PROG_TYPE_LWT_XMIT, "lwt_xmit", lwt_is_valid_access, tc_helpers, false, false };
