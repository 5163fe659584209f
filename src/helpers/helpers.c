/* helpers.c - the helper table: kernel id -> name and implementation (NULL where bpfvm has none) */
#include <stddef.h>

#include "helpers/helpers.h"
#include "helpers/impl.h"

static const char *const helper_names[] = {
#define FN(NAME, ID) [ID] = "bpf_" #NAME,
#include "helpers/helpers.def"
#undef FN
};

static const struct bpfvm_helper helper_impls[] = {
	[1] = { 1, "bpf_map_lookup_elem", bpf_map_lookup_elem },
	[2] = { 2, "bpf_map_update_elem", bpf_map_update_elem },
	[3] = { 3, "bpf_map_delete_elem", bpf_map_delete_elem },
	[5] = { 5, "bpf_ktime_get_ns", bpf_ktime_get_ns },
	[6] = { 6, "bpf_trace_printk", bpf_trace_printk },
	[7] = { 7, "bpf_get_prandom_u32", bpf_get_prandom_u32 },
	[8] = { 8, "bpf_get_smp_processor_id", bpf_get_smp_processor_id },
	[9] = { 9, "bpf_skb_store_bytes", bpf_skb_store_bytes },
	[10] = { 10, "bpf_l3_csum_replace", bpf_l3_csum_replace },
	[11] = { 11, "bpf_l4_csum_replace", bpf_l4_csum_replace },
	[14] = { 14, "bpf_get_current_pid_tgid", bpf_get_current_pid_tgid },
	[15] = { 15, "bpf_get_current_uid_gid", bpf_get_current_uid_gid },
	[16] = { 16, "bpf_get_current_comm", bpf_get_current_comm },
	[23] = { 23, "bpf_redirect", bpf_redirect },
	[25] = { 25, "bpf_perf_event_output", bpf_perf_event_output },
	[26] = { 26, "bpf_skb_load_bytes", bpf_skb_load_bytes },
	[28] = { 28, "bpf_csum_diff", bpf_csum_diff },
	[44] = { 44, "bpf_xdp_adjust_head", bpf_xdp_adjust_head },
	[65] = { 65, "bpf_xdp_adjust_tail", bpf_xdp_adjust_tail },
	[87] = { 87, "bpf_map_push_elem", bpf_map_push_elem },
	[88] = { 88, "bpf_map_pop_elem", bpf_map_pop_elem },
	[89] = { 89, "bpf_map_peek_elem", bpf_map_peek_elem },
	[93] = { 93, "bpf_spin_lock", bpf_spin_lock },
	[94] = { 94, "bpf_spin_unlock", bpf_spin_unlock },
	[105] = { 105, "bpf_strtol", bpf_strtol },
	[106] = { 106, "bpf_strtoul", bpf_strtoul },
	[112] = { 112, "bpf_probe_read_user", bpf_probe_read_user },
	[114] = { 114, "bpf_probe_read_user_str", bpf_probe_read_user_str },
	[125] = { 125, "bpf_ktime_get_boot_ns", bpf_ktime_get_boot_ns },
	[130] = { 130, "bpf_ringbuf_output", bpf_ringbuf_output },
	[131] = { 131, "bpf_ringbuf_reserve", bpf_ringbuf_reserve },
	[132] = { 132, "bpf_ringbuf_submit", bpf_ringbuf_submit },
	[133] = { 133, "bpf_ringbuf_discard", bpf_ringbuf_discard },
	[134] = { 134, "bpf_ringbuf_query", bpf_ringbuf_query },
	[160] = { 160, "bpf_ktime_get_coarse_ns", bpf_ktime_get_coarse_ns },
	[164] = { 164, "bpf_for_each_map_elem", bpf_for_each_map_elem },
	[165] = { 165, "bpf_snprintf", bpf_snprintf },
	[177] = { 177, "bpf_trace_vprintk", bpf_trace_vprintk },
	[181] = { 181, "bpf_loop", bpf_loop },
};

const struct bpfvm_helper *bpfvm_helper_by_id(uint32_t id)
{
	if (id >= sizeof(helper_impls) / sizeof(helper_impls[0]) || !helper_impls[id].fn)
		return NULL;
	return &helper_impls[id];
}

const char *bpfvm_helper_name(uint32_t id)
{
	if (id >= sizeof(helper_names) / sizeof(helper_names[0]))
		return NULL;
	return helper_names[id];
}
