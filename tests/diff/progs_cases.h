/* progs_cases.h - the BPF C test programs the differential test runs through bpfvm and the live kernel */
#ifndef BPFVM_TESTS_PROGS_CASES_H
#define BPFVM_TESTS_PROGS_CASES_H

#include <stdint.h>

enum case_input {
	IN_PKT_V4, IN_PKT_SHORT, IN_SYSCALL, IN_RAW_TP,
	IN_PKT_V6,    /* Ethernet + IPv6 + UDP */
	IN_PKT_BCAST, /* IPv4 to ff:ff:ff:ff:ff:ff */
	IN_PKT_MCAST, /* IPv4 to 01:00:5e:00:00:01 */
	IN_PKT_OTHER, /* IPv4 to another host's MAC */
	IN_PKT_8023,  /* 802.3 length field instead of an EtherType */
	IN_SYSCALL_PTR, /* syscall ctx { u64 str, u64 bad }: a string in this process's memory, an unmapped address */
};

/* the user memory IN_SYSCALL_PTR points at: read by bpf_probe_read_user from the test's own process */
static const char user_string[] = "user memory, read by probe_read_user";

struct prog_case {
	const char *obj;   /* under $BUILD/bpf/ */
	const char *prog;
	enum case_input input;
	int repeat;        /* runs before comparing (state in maps accumulates) */
	int nondet_maps;   /* 1: map contents depend on time/random/CPU: compare retval and data only */
};

static const struct prog_case prog_cases[] = {
	{ "tests/loader/progs/globals_subprog.bpf.o", "globals", IN_PKT_V4, 3, 0 },
	{ "tests/loader/progs/maps_btf.bpf.o", "use_maps", IN_PKT_V4, 2, 0 },
	{ "tests/loader/progs/xdp_parse.bpf.o", "xdp_echo", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/xdp_parse.bpf.o", "xdp_echo", IN_PKT_SHORT, 1, 0 },
	{ "tests/loader/progs/tc_mark.bpf.o", "tc_mark", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/cgroup_count.bpf.o", "count_ingress", IN_PKT_V4, 4, 0 },
	{ "tests/loader/progs/loop_csum.bpf.o", "loop_csum", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/bpf_loop.bpf.o", "loop_squares", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/hash_ops.bpf.o", "hash_ops", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/percpu.bpf.o", "percpu", IN_PKT_V4, 2, 1 },
	{ "tests/loader/progs/lru.bpf.o", "lru_fill", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/lru_churn.bpf.o", "lru_churn", IN_PKT_V4, 3, 0 },
	{ "tests/loader/progs/lpm.bpf.o", "lpm_lookup", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/queue_stack.bpf.o", "queue_stack", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/ringbuf.bpf.o", "ringbuf", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/bloom.bpf.o", "bloom", IN_PKT_V4, 1, 1 },
	{ "tests/loader/progs/legacy_maps.bpf.o", "legacy", IN_PKT_V4, 2, 0 },
	{ "tests/loader/progs/rodata_const.bpf.o", "rodata", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/alu_v4.bpf.o", "alu_v4", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/atomics.bpf.o", "atomics", IN_PKT_V4, 2, 0 },
	{ "tests/loader/progs/core_read.bpf.o", "core_read", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/helpers_misc.bpf.o", "helpers_misc", IN_PKT_V4, 1, 1 },
	{ "tests/loader/progs/syscall_ctx.bpf.o", "syscall_ctx", IN_SYSCALL, 1, 0 },
	{ "tests/loader/progs/raw_tp_args.bpf.o", "raw_tp_args", IN_RAW_TP, 1, 0 },
	{ "tests/loader/progs/ld_abs.bpf.o", "ld_abs", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/for_each.bpf.o", "for_each", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/multi_prog.bpf.o", "first", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/multi_prog.bpf.o", "second", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/multi_prog.bpf.o", "third", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/deep_calls.bpf.o", "deep_calls", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/kconfig.bpf.o", "kconfig", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_tc", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_tc", IN_PKT_V6, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_tc", IN_PKT_BCAST, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_tc", IN_PKT_MCAST, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_tc", IN_PKT_OTHER, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_tc", IN_PKT_8023, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_socket", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_socket", IN_PKT_V6, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_socket", IN_PKT_OTHER, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_cgroup", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/skb_fields.bpf.o", "fields_cgroup", IN_PKT_V6, 1, 0 },
	{ "tests/loader/progs/flow_dissector.bpf.o", "dissect", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/flow_dissector.bpf.o", "dissect", IN_PKT_V6, 1, 0 },
	{ "tests/loader/progs/perf_output.bpf.o", "perf_tc", IN_PKT_V4, 2, 0 },
	{ "tests/loader/progs/perf_output.bpf.o", "perf_xdp", IN_PKT_V4, 2, 0 },
	{ "tests/loader/progs/perf_output.bpf.o", "perf_fill", IN_PKT_V4, 3, 0 }, /* lost samples reported next run */
	{ "tests/loader/progs/pkt_helpers.bpf.o", "tc_rewrite", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/pkt_helpers.bpf.o", "xdp_adjust", IN_PKT_V4, 1, 0 },
	{ "tests/loader/progs/spin_lock.bpf.o", "locked_count", IN_PKT_V4, 3, 0 },
	{ "tests/loader/progs/current_task.bpf.o", "current_task", IN_SYSCALL_PTR, 1, 0 },
	{ "tests/loader/progs/misc_maps_fmt.bpf.o", "misc", IN_PKT_V4, 2, 0 },
	{ "examples/packet_counter/packet_counter.bpf.o", "count_packets", IN_PKT_V4, 3, 0 },
	{ "examples/histogram/histogram.bpf.o", "record_len", IN_PKT_V4, 2, 0 },
	{ "examples/ringbuf_events/events.bpf.o", "emit_event", IN_PKT_V4, 2, 0 },
	{ "examples/globals_subprogs/globals.bpf.o", "classify", IN_PKT_V4, 2, 0 },
	{ "examples/tail_calls/tail_calls.bpf.o", "entry", IN_PKT_V4, 1, 0 },
};

/* 74 bytes: Ethernet (zero MACs, IPv4), IPv4 10.0.0.1 -> 10.0.0.2 UDP, UDP 1234 -> 7, 32 payload bytes */
static inline int make_input(enum case_input in, uint8_t *buf, size_t cap)
{
	static const uint8_t hdr[42] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,
		0x45, 0x00, 0x00, 60, 0x12, 0x34, 0x40, 0x00, 64, 17, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
		0x04, 0xd2, 0x00, 0x07, 0x00, 40, 0x00, 0x00,
	};
	if (in == IN_PKT_SHORT) { /* only Ethernet + a truncated IPv4 header */
		for (size_t i = 0; i < 20 && i < cap; i++)
			buf[i] = i < 14 ? hdr[i] : 0x45;
		return 20;
	}
	if (in == IN_PKT_V4 || in == IN_PKT_BCAST || in == IN_PKT_MCAST || in == IN_PKT_OTHER || in == IN_PKT_8023) {
		static const uint8_t macs[][6] = { { 0 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
						   { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }, { 0x02, 0, 0, 0, 0, 0x42 } };
		for (size_t i = 0; i < 74 && i < cap; i++)
			buf[i] = i < 42 ? hdr[i] : (uint8_t)(i * 7 + 3);
		int m = in == IN_PKT_BCAST ? 1 : in == IN_PKT_MCAST ? 2 : in == IN_PKT_OTHER ? 3 : 0;
		__builtin_memcpy(buf, macs[m], 6);
		if (in == IN_PKT_8023) { /* length 60, then an LLC header */
			buf[12] = 0;
			buf[13] = 60;
		}
		return 74;
	}
	if (in == IN_PKT_V6) { /* 14 + 40 + 8 + 32 = 94 bytes, 2001:db8::1 -> 2001:db8::2 */
		for (size_t i = 0; i < 94 && i < cap; i++)
			buf[i] = i < 14 ? 0 : (uint8_t)(i * 5 + 1);
		static const uint8_t ip6[8] = { 0x60, 0, 0, 0, 0, 40, 17, 64 };
		__builtin_memcpy(buf + 12, "\x86\xdd", 2);
		__builtin_memcpy(buf + 14, ip6, 8);
		static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
		__builtin_memcpy(buf + 22, a, 16);
		__builtin_memcpy(buf + 38, a, 16);
		buf[53] = 2;
		return 94;
	}
	if (in == IN_SYSCALL) { /* struct args { u32 a, b; u64 out; char num[8]; } */
		uint32_t ab[2] = { 6, 7 };
		for (size_t i = 0; i < 24; i++)
			buf[i] = 0;
		__builtin_memcpy(buf, ab, 8);
		__builtin_memcpy(buf + 16, "-123", 5);
		return 24;
	}
	if (in == IN_SYSCALL_PTR) {
		uint64_t p[2] = { (uint64_t)(uintptr_t)user_string, 8 };
		__builtin_memcpy(buf, p, sizeof(p));
		return sizeof(p);
	}
	uint64_t args[2] = { 11, 1000 }; /* raw_tp: two u64 arguments */
	__builtin_memcpy(buf, args, sizeof(args));
	return sizeof(args);
}

#endif
