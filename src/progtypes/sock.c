/* sock.c - socket program types: sk_lookup, cgroup_sock, cgroup_sock_addr, sock_ops, cgroup_device,
 * cgroup_sysctl (context rules as the kernel's *_is_valid_access()) */
#include <linux/bpf.h>
#include <stdbool.h>

#include "progtypes/ctx_access.h"
#include "progtypes/progtype.h"

#define SKL struct bpf_sk_lookup

static bool sk_lookup_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				      struct bpf_insn_access_aux *info)
{
	if (off < 0 || off >= (int)sizeof(SKL))
		return false;
	if (off % size != 0)
		return false;
	if (type != BPF_READ)
		return false;
	if (off == (int)offsetof(SKL, sk)) {
		info->reg_type = PTR_TO_SOCKET | PTR_MAYBE_NULL;
		return size == sizeof(uint64_t);
	}
	if (IN_FIELD(off, SKL, family) || IN_FIELD(off, SKL, protocol) || IN_FIELD(off, SKL, remote_ip4) ||
	    IN_FIELD(off, SKL, local_ip4) || IN_FIELDS(off, SKL, remote_ip6[0], remote_ip6[3]) ||
	    IN_FIELDS(off, SKL, local_ip6[0], local_ip6[3]) || IN_FIELD(off, SKL, local_port) ||
	    IN_FIELD(off, SKL, ingress_ifindex)) {
		bpf_ctx_record_field_size(info, sizeof(uint32_t));
		return bpf_ctx_narrow_access_ok(off, size, sizeof(uint32_t));
	}
	if (IN_FIELD(off, SKL, remote_port)) {
		/* 4-byte access to the 2-byte field for backward compatibility */
		if (size == sizeof(uint32_t))
			return true;
		bpf_ctx_record_field_size(info, sizeof(uint16_t));
		return bpf_ctx_narrow_access_ok(off, size, sizeof(uint16_t));
	}
	if (off >= (int)offsetofend(SKL, remote_port) && off < (int)offsetof(SKL, local_ip4)) {
		/* zero padding, readable for backward compatibility */
		bpf_ctx_record_field_size(info, sizeof(uint16_t));
		return bpf_ctx_narrow_access_ok(off, size, sizeof(uint16_t));
	}
	return false;
}

static bool sk_lookup_helpers(int32_t id)
{
	switch (id) {
	case BPF_FUNC_perf_event_output: case BPF_FUNC_sk_assign: case BPF_FUNC_sk_release:
		return true;
	default:
		return helper_in_base(id);
	}
}

#define SK struct bpf_sock

bool bpf_sock_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info)
{
	const int size_default = sizeof(uint32_t);
	int field_size;

	if (off < 0 || off >= (int)sizeof(SK))
		return false;
	if (off % size != 0)
		return false;
	if (off == (int)offsetof(SK, state) || off == (int)offsetof(SK, family) || off == (int)offsetof(SK, type) ||
	    off == (int)offsetof(SK, protocol) || off == (int)offsetof(SK, src_port) ||
	    off == (int)offsetof(SK, rx_queue_mapping) || IN_FIELD(off, SK, src_ip4) ||
	    IN_FIELDS(off, SK, src_ip6[0], src_ip6[3]) || IN_FIELD(off, SK, dst_ip4) ||
	    IN_FIELDS(off, SK, dst_ip6[0], dst_ip6[3])) {
		bpf_ctx_record_field_size(info, size_default);
		return bpf_ctx_narrow_access_ok(off, size, size_default);
	}
	if (IN_FIELD(off, SK, dst_port)) {
		field_size = size == size_default ? size_default : (int)sizeof(((SK *)0)->dst_port);
		bpf_ctx_record_field_size(info, field_size);
		return bpf_ctx_narrow_access_ok(off, size, field_size);
	}
	if (off >= (int)offsetofend(SK, dst_port) && off < (int)offsetof(SK, dst_ip4))
		return false;
	return size == size_default;
}

bool bpf_sock_common_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info)
{
	/* type .. priority are not in struct sock_common */
	if (off >= (int)offsetof(SK, type) && off < (int)offsetofend(SK, priority))
		return false;
	return bpf_sock_is_valid_access(off, size, type, info);
}

bool bpf_tcp_sock_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info)
{
	if (off < 0 || off >= (int)offsetofend(struct bpf_tcp_sock, icsk_retransmits))
		return false;
	if (off % size != 0)
		return false;
	if (off == (int)offsetof(struct bpf_tcp_sock, bytes_received) ||
	    off == (int)offsetof(struct bpf_tcp_sock, bytes_acked))
		return size == sizeof(uint64_t);
	return size == sizeof(uint32_t);
}

bool bpf_xdp_sock_is_valid_access(int off, int size, enum bpf_access_type type, struct bpf_insn_access_aux *info)
{
	if (off < 0 || off >= (int)offsetofend(struct bpf_xdp_sock, queue_id))
		return false;
	if (off % size != 0)
		return false;
	return size == sizeof(uint32_t);
}

static bool __sock_filter_check_attach_type(int off, enum bpf_access_type access_type, uint32_t attach_type)
{
	if (off == (int)offsetof(SK, bound_dev_if) || off == (int)offsetof(SK, mark) ||
	    off == (int)offsetof(SK, priority)) {
		if (attach_type == BPF_CGROUP_INET_SOCK_CREATE || attach_type == BPF_CGROUP_INET_SOCK_RELEASE)
			return true;
		return false;
	}
	if (IN_FIELD(off, SK, src_ip4)) {
		if (attach_type != BPF_CGROUP_INET4_POST_BIND)
			return false;
	} else if (IN_FIELDS(off, SK, src_ip6[0], src_ip6[3])) {
		if (attach_type != BPF_CGROUP_INET6_POST_BIND)
			return false;
	} else if (IN_FIELD(off, SK, src_port)) {
		if (attach_type != BPF_CGROUP_INET4_POST_BIND && attach_type != BPF_CGROUP_INET6_POST_BIND)
			return false;
	}
	return access_type == BPF_READ;
}

static bool sock_filter_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
					struct bpf_insn_access_aux *info)
{
	if (!bpf_sock_is_valid_access(off, size, type, info))
		return false;
	return __sock_filter_check_attach_type(off, type, eat);
}

#define SA struct bpf_sock_addr

#define bpf_ctx_wide_access_ok(off, size, T, f)                                                                 \
	((size) == 8 && (off) >= (int)offsetof(T, f) && (off) + 8 <= (int)offsetofend(T, f) && (off) % 8 == 0)

static bool sock_addr_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				      struct bpf_insn_access_aux *info)
{
	const int size_default = sizeof(uint32_t);

	if (off < 0 || off >= (int)sizeof(SA))
		return false;
	if (off % size != 0)
		return false;
	/* only the fields of the attach type's address family */
	if (IN_FIELD(off, SA, user_ip4)) {
		switch (eat) {
		case BPF_CGROUP_INET4_BIND: case BPF_CGROUP_INET4_CONNECT: case BPF_CGROUP_INET4_GETPEERNAME:
		case BPF_CGROUP_INET4_GETSOCKNAME: case BPF_CGROUP_UDP4_SENDMSG: case BPF_CGROUP_UDP4_RECVMSG:
			break;
		default:
			return false;
		}
	} else if (IN_FIELDS(off, SA, user_ip6[0], user_ip6[3])) {
		switch (eat) {
		case BPF_CGROUP_INET6_BIND: case BPF_CGROUP_INET6_CONNECT: case BPF_CGROUP_INET6_GETPEERNAME:
		case BPF_CGROUP_INET6_GETSOCKNAME: case BPF_CGROUP_UDP6_SENDMSG: case BPF_CGROUP_UDP6_RECVMSG:
			break;
		default:
			return false;
		}
	} else if (IN_FIELD(off, SA, msg_src_ip4)) {
		if (eat != BPF_CGROUP_UDP4_SENDMSG)
			return false;
	} else if (IN_FIELDS(off, SA, msg_src_ip6[0], msg_src_ip6[3])) {
		if (eat != BPF_CGROUP_UDP6_SENDMSG)
			return false;
	}

	if (IN_FIELD(off, SA, user_ip4) || IN_FIELDS(off, SA, user_ip6[0], user_ip6[3]) ||
	    IN_FIELD(off, SA, msg_src_ip4) || IN_FIELDS(off, SA, msg_src_ip6[0], msg_src_ip6[3]) ||
	    IN_FIELD(off, SA, user_port)) {
		if (type == BPF_READ) {
			bpf_ctx_record_field_size(info, size_default);
			if (bpf_ctx_wide_access_ok(off, size, SA, user_ip6) ||
			    bpf_ctx_wide_access_ok(off, size, SA, msg_src_ip6))
				return true;
			if (!bpf_ctx_narrow_access_ok(off, size, size_default))
				return false;
		} else {
			if (bpf_ctx_wide_access_ok(off, size, SA, user_ip6) ||
			    bpf_ctx_wide_access_ok(off, size, SA, msg_src_ip6))
				return true;
			if (size != size_default)
				return false;
		}
		return true;
	}
	if (IN_FIELD(off, SA, user_family) || IN_FIELD(off, SA, family) || IN_FIELD(off, SA, type) ||
	    IN_FIELD(off, SA, protocol)) {
		if (type != BPF_READ)
			return false;
		return size == size_default;
	}
	if (IN_FIELD(off, SA, sk)) {
		if (type != BPF_READ || size != sizeof(uint64_t))
			return false;
		info->reg_type = PTR_TO_SOCKET;
		return true;
	}
	if (type == BPF_READ)
		return size == size_default;
	return false;
}

static bool sock_ops_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				     struct bpf_insn_access_aux *info)
{
	if (off < 0 || off >= (int)sizeof(struct bpf_sock_ops) || off % size != 0)
		return false;
	if (type == BPF_WRITE)
		return (IN_FIELD(off, struct bpf_sock_ops, reply) || IN_FIELD(off, struct bpf_sock_ops, replylong) ||
			IN_FIELD(off, struct bpf_sock_ops, sk_txhash)) &&
		       size == sizeof(uint32_t);
	/* as the kernel's sock_ops_is_valid_access: the pointers whole, flags narrow, every other field a u32 */
	if (IN_FIELD(off, struct bpf_sock_ops, skb_data) || IN_FIELD(off, struct bpf_sock_ops, skb_data_end)) {
		info->reg_type = IN_FIELD(off, struct bpf_sock_ops, skb_data) ? PTR_TO_PACKET : PTR_TO_PACKET_END;
		return off % 8 == 0 && size == sizeof(uint64_t);
	}
	if (IN_FIELD(off, struct bpf_sock_ops, sk)) {
		info->reg_type = PTR_TO_SOCKET | PTR_MAYBE_NULL;
		return off == offsetof(struct bpf_sock_ops, sk) && size == sizeof(uint64_t);
	}
	if (IN_FIELD(off, struct bpf_sock_ops, skb_tcp_flags)) {
		bpf_ctx_record_field_size(info, sizeof(uint32_t));
		return bpf_ctx_narrow_access_ok(off, size, sizeof(uint32_t));
	}
	if (off >= (int)(offsetof(struct bpf_sock_ops, skb_tcp_flags) + sizeof(uint32_t)))
		return size == sizeof(uint64_t); /* skb_hwtstamp (6.2+), past the end of the 6.1 header's struct */
	return size == sizeof(uint32_t);
}

static bool cgroup_dev_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				       struct bpf_insn_access_aux *info)
{
	if (type == BPF_WRITE)
		return false;
	if (off < 0 || off + size > (int)sizeof(struct bpf_cgroup_dev_ctx))
		return false;
	if (off % size != 0)
		return false;
	if (IN_FIELD(off, struct bpf_cgroup_dev_ctx, access_type)) {
		bpf_ctx_record_field_size(info, sizeof(uint32_t));
		return bpf_ctx_narrow_access_ok(off, size, sizeof(uint32_t));
	}
	return size == sizeof(uint32_t);
}

static bool sysctl_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				   struct bpf_insn_access_aux *info)
{
	if (off < 0 || off + size > (int)sizeof(struct bpf_sysctl) || off % size)
		return false;
	if (IN_FIELD(off, struct bpf_sysctl, write)) {
		if (type != BPF_READ)
			return false;
		bpf_ctx_record_field_size(info, sizeof(uint32_t));
		return bpf_ctx_narrow_access_ok(off, size, sizeof(uint32_t));
	}
	if (IN_FIELD(off, struct bpf_sysctl, file_pos)) {
		if (type == BPF_READ) {
			bpf_ctx_record_field_size(info, sizeof(uint32_t));
			return bpf_ctx_narrow_access_ok(off, size, sizeof(uint32_t));
		}
		return size == sizeof(uint32_t);
	}
	return false;
}

static bool base_helpers(int32_t id)
{
	return helper_in_base(id) || id == BPF_FUNC_get_local_storage || id == BPF_FUNC_perf_event_output ||
	       id == BPF_FUNC_get_current_uid_gid || id == BPF_FUNC_get_socket_cookie || id == BPF_FUNC_sk_storage_get ||
	       id == BPF_FUNC_sk_storage_delete;
}

/* sk_msg: the kernel's sk_msg_is_valid_access (read-only; pointers whole and typed, the rest u32) */
static bool sk_msg_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				   struct bpf_insn_access_aux *info)
{
	if (type == BPF_WRITE || off < 0 || off >= (int)sizeof(struct sk_msg_md) || off % size != 0)
		return false;
	if (off == offsetof(struct sk_msg_md, data) || off == offsetof(struct sk_msg_md, data_end)) {
		info->reg_type = off == offsetof(struct sk_msg_md, data) ? PTR_TO_PACKET : PTR_TO_PACKET_END;
		return size == sizeof(uint64_t);
	}
	if (off == offsetof(struct sk_msg_md, sk)) {
		info->reg_type = PTR_TO_SOCKET;
		return size == sizeof(uint64_t);
	}
	if (IN_FIELD(off, struct sk_msg_md, data) || IN_FIELD(off, struct sk_msg_md, data_end) ||
	    IN_FIELD(off, struct sk_msg_md, sk))
		return false;
	return size == sizeof(uint32_t);
}

static bool sk_msg_helpers(int32_t id)
{
	return base_helpers(id) || id == BPF_FUNC_msg_redirect_map || id == BPF_FUNC_msg_redirect_hash ||
	       id == BPF_FUNC_msg_apply_bytes || id == BPF_FUNC_msg_cork_bytes || id == BPF_FUNC_msg_pull_data ||
	       id == BPF_FUNC_msg_push_data || id == BPF_FUNC_msg_pop_data || id == BPF_FUNC_get_current_pid_tgid ||
	       id == BPF_FUNC_get_netns_cookie || id == BPF_FUNC_get_current_cgroup_id;
}

/* cgroup/connect*, sendmsg*, recvmsg*, getpeername*, getsockname*, bind*: the socket helpers, and the netns cookie */
static bool sock_addr_helpers(int32_t id)
{
	return base_helpers(id) || id == BPF_FUNC_get_netns_cookie;
}

const struct progtype_ops sk_msg_ops = {
	BPF_PROG_TYPE_SK_MSG, "sk_msg", sk_msg_is_valid_access, sk_msg_helpers, false, false };
const struct progtype_ops sk_lookup_ops = {
	BPF_PROG_TYPE_SK_LOOKUP, "sk_lookup", sk_lookup_is_valid_access, sk_lookup_helpers, false, false };
const struct progtype_ops cgroup_sock_ops = {
	BPF_PROG_TYPE_CGROUP_SOCK, "cgroup_sock", sock_filter_is_valid_access, base_helpers, false, false };
const struct progtype_ops cgroup_sock_addr_ops = {
	BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "cgroup_sock_addr", sock_addr_is_valid_access, sock_addr_helpers, false,
	false };
/* sock_ops: the socket helpers, and adding the socket to a sockmap or sockhash */
static bool sock_ops_helpers(int32_t id)
{
	return base_helpers(id) || id == BPF_FUNC_sock_map_update || id == BPF_FUNC_sock_hash_update ||
	       id == BPF_FUNC_get_netns_cookie;
}

/* sk_reuseport: the kernel's sk_reuseport_is_valid_access (read-only; the packet, the socket being selected for
 * and the one migrating; the u32 fields but hash narrow) */
static bool sk_reuseport_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
					 struct bpf_insn_access_aux *info)
{
	(void)eat;
	if (off < 0 || off >= (int)sizeof(struct sk_reuseport_md) || off % size != 0 || type != BPF_READ)
		return false;
	if (off == offsetof(struct sk_reuseport_md, data)) {
		info->reg_type = PTR_TO_PACKET;
		return size == sizeof(uint64_t);
	}
	if (off == offsetof(struct sk_reuseport_md, data_end)) {
		info->reg_type = PTR_TO_PACKET_END;
		return size == sizeof(uint64_t);
	}
	if (off == offsetof(struct sk_reuseport_md, hash))
		return size == sizeof(uint32_t);
	if (IN_FIELD(off, struct sk_reuseport_md, sk)) {
		info->reg_type = PTR_TO_SOCKET;
		return size == sizeof(uint64_t);
	}
	if (IN_FIELD(off, struct sk_reuseport_md, migrating_sk)) {
		info->reg_type = PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL;
		return size == sizeof(uint64_t);
	}
	if (IN_FIELD(off, struct sk_reuseport_md, eth_protocol) && size < 2) /* sk_buff's protocol is 2 bytes */
		return false;
	if (IN_FIELD(off, struct sk_reuseport_md, eth_protocol) || IN_FIELD(off, struct sk_reuseport_md, ip_protocol) ||
	    IN_FIELD(off, struct sk_reuseport_md, bind_inany) || IN_FIELD(off, struct sk_reuseport_md, len)) {
		info->ctx_field_size = sizeof(uint32_t);
		return size <= (int)sizeof(uint32_t) && (off % 4) + size <= 4;
	}
	return false;
}

static bool sk_reuseport_helpers(int32_t id)
{
	return helper_in_base(id) || id == BPF_FUNC_sk_select_reuseport || id == BPF_FUNC_skb_load_bytes ||
	       id == BPF_FUNC_skb_load_bytes_relative || id == BPF_FUNC_get_socket_cookie;
}

const struct progtype_ops sock_ops_ops = {
	BPF_PROG_TYPE_SOCK_OPS, "sock_ops", sock_ops_is_valid_access, sock_ops_helpers, false, false };
const struct progtype_ops sk_reuseport_ops = {
	BPF_PROG_TYPE_SK_REUSEPORT, "sk_reuseport", sk_reuseport_is_valid_access, sk_reuseport_helpers, false, false };
const struct progtype_ops cgroup_device_ops = {
	BPF_PROG_TYPE_CGROUP_DEVICE, "cgroup_device", cgroup_dev_is_valid_access, base_helpers, false, false };
const struct progtype_ops cgroup_sysctl_ops = {
	BPF_PROG_TYPE_CGROUP_SYSCTL, "cgroup_sysctl", sysctl_is_valid_access, base_helpers, false, false };
