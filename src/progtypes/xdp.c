/* xdp.c - XDP programs: struct xdp_md context (read only, 4-byte fields), packet pointers, return value */
#include <linux/bpf.h>
#include <stdbool.h>

#include "progtypes/ctx_access.h"
#include "progtypes/progtype.h"

static bool __is_valid_xdp_access(int off, int size)
{
	if (off < 0 || off >= (int)sizeof(struct xdp_md))
		return false;
	if (off % size != 0)
		return false;
	if (size != sizeof(uint32_t))
		return false;
	return true;
}

static bool xdp_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				struct bpf_insn_access_aux *info)
{
	if (eat != BPF_XDP_DEVMAP && off == (int)offsetof(struct xdp_md, egress_ifindex))
		return false;
	if (type == BPF_WRITE)
		return false;
	if (off == (int)offsetof(struct xdp_md, data))
		info->reg_type = PTR_TO_PACKET;
	else if (off == (int)offsetof(struct xdp_md, data_meta))
		info->reg_type = PTR_TO_PACKET_META;
	else if (off == (int)offsetof(struct xdp_md, data_end))
		info->reg_type = PTR_TO_PACKET_END;
	return __is_valid_xdp_access(off, size);
}

static bool xdp_helpers(int32_t id)
{
	switch (id) {
	case BPF_FUNC_perf_event_output: case BPF_FUNC_get_smp_processor_id: case BPF_FUNC_csum_diff:
	case BPF_FUNC_xdp_adjust_head: case BPF_FUNC_xdp_adjust_meta: case BPF_FUNC_redirect:
	case BPF_FUNC_redirect_map: case BPF_FUNC_xdp_adjust_tail: case BPF_FUNC_fib_lookup:
	case BPF_FUNC_check_mtu: case BPF_FUNC_sk_lookup_udp: case BPF_FUNC_sk_lookup_tcp: case BPF_FUNC_sk_release:
	case BPF_FUNC_skc_lookup_tcp: case BPF_FUNC_tcp_check_syncookie: case BPF_FUNC_tcp_gen_syncookie:
	case BPF_FUNC_xdp_load_bytes: case BPF_FUNC_xdp_store_bytes: case BPF_FUNC_xdp_get_buff_len:
		return true;
	default:
		return helper_in_base(id);
	}
}

const struct progtype_ops xdp_ops = { BPF_PROG_TYPE_XDP, "xdp", xdp_is_valid_access, xdp_helpers, false, false };
