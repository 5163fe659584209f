/* fuzz_verifier.c - libFuzzer target: raw bytecode through bpfvm_verify(); the first 4 bytes pick the program
 * type, log level and flags, the rest are instructions; a fixed set of maps is available as fds 3..6 */
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpfvm/verifier.h"

static const uint32_t prog_types[] = {
	BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_KPROBE,
	BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_SK_SKB, BPF_PROG_TYPE_SK_LOOKUP,
	BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_SYSCALL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bpfvm_map_info maps[] = {
		{ 0 }, { 0 }, { 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, -1, -1 },
		{ BPF_MAP_TYPE_HASH, 8, 8, 1, BPF_F_NO_PREALLOC, -1, -1 },
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, -1, -1 },
		{ BPF_MAP_TYPE_ARRAY, 4, 24, 1, 0, -1, -1, 3,
		  { { 0, BPFVM_KPTR_UNTRUSTED, "prog_test_ref_kfunc" }, { 8, BPFVM_KPTR_REF, "prog_test_ref_kfunc" },
		    { 16, BPFVM_KPTR_REF, "prog_test_member" } } },
	};
	struct bpf_insn insns[512];
	struct bpfvm_verify_stats stats;
	char log_buf[4096];
	size_t cnt;

	if (size < 4 + sizeof(struct bpf_insn))
		return 0;
	cnt = (size - 4) / sizeof(struct bpf_insn);
	if (cnt > sizeof(insns) / sizeof(insns[0]))
		cnt = sizeof(insns) / sizeof(insns[0]);
	memcpy(insns, data + 4, cnt * sizeof(struct bpf_insn));
	BPFVM_OPTS(bpfvm_verify_opts, opts, .prog_type = prog_types[data[0] % (sizeof(prog_types) / sizeof(prog_types[0]))],
		   .expected_attach_type = data[1] % 64, .prog_flags = data[2] & 0x1f, .maps = maps,
		   .map_cnt = sizeof(maps) / sizeof(maps[0]), .log_level = data[3] % 3, .log_buf = log_buf,
		   .log_size = sizeof(log_buf), .stats = &stats);
	bpfvm_verify(insns, cnt, &opts);
	return 0;
}
