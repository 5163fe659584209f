/* impl.h - the helper implementations bpfvm has, declared for the table in helpers.c */
#ifndef BPFVM_HELPERS_IMPL_H
#define BPFVM_HELPERS_IMPL_H

#include "helpers/helpers.h"

#define HELPER(NAME) uint64_t NAME(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, struct bpfvm_run_ctx *rc)
HELPER(bpf_map_lookup_elem); /* map.c */
HELPER(bpf_map_update_elem);
HELPER(bpf_map_delete_elem);
HELPER(bpf_map_push_elem);
HELPER(bpf_map_pop_elem);
HELPER(bpf_map_peek_elem);
HELPER(bpf_for_each_map_elem);
HELPER(bpf_loop); /* loop.c */
HELPER(bpf_ktime_get_ns);
HELPER(bpf_ktime_get_boot_ns);
HELPER(bpf_ktime_get_coarse_ns);
HELPER(bpf_get_prandom_u32);
HELPER(bpf_get_smp_processor_id);
HELPER(bpf_trace_printk);   /* trace.c */
HELPER(bpf_trace_vprintk);
HELPER(bpf_snprintf);
HELPER(bpf_skb_load_bytes); /* skb.c */
HELPER(bpf_ringbuf_output);  /* ringbuf.c */
HELPER(bpf_ringbuf_reserve);
HELPER(bpf_ringbuf_submit);
HELPER(bpf_ringbuf_discard);
HELPER(bpf_ringbuf_query);
HELPER(bpf_perf_event_output); /* perf.c */
HELPER(bpf_skb_store_bytes); /* pkt.c */
HELPER(bpf_l3_csum_replace);
HELPER(bpf_l4_csum_replace);
HELPER(bpf_csum_diff);
HELPER(bpf_xdp_adjust_head);
HELPER(bpf_xdp_adjust_tail);
HELPER(bpf_redirect);
HELPER(bpf_get_current_pid_tgid); /* current.c */
HELPER(bpf_get_current_uid_gid);
HELPER(bpf_get_current_comm);
HELPER(bpf_probe_read_user);
HELPER(bpf_probe_read_user_str);
HELPER(bpf_spin_lock); /* lock.c */
HELPER(bpf_spin_unlock);
HELPER(bpf_strtol);  /* strtol.c */
HELPER(bpf_strtoul);

#endif
