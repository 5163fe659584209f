/* tracing.c - tracing program types: kprobe (pt_regs), tracepoint, raw_tracepoint, perf_event, tracing, syscall */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <stdbool.h>

#include "progtypes/ctx_access.h"
#include "progtypes/progtype.h"

#define PT_REGS_SIZE 168          /* struct pt_regs on x86-64 */
#define PERF_MAX_TRACE_SIZE 8192
#define MAX_BPF_FUNC_ARGS 12

static bool kprobe_prog_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
					struct bpf_insn_access_aux *info)
{
	if (off < 0 || off >= PT_REGS_SIZE)
		return false;
	if (type != BPF_READ)
		return false;
	if (off % size != 0)
		return false;
	/* no 8-byte access to the last 4-byte member */
	if (off + size > PT_REGS_SIZE)
		return false;
	return true;
}

static bool tp_prog_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				    struct bpf_insn_access_aux *info)
{
	if (off < (int)sizeof(void *) || off >= PERF_MAX_TRACE_SIZE)
		return false;
	if (type != BPF_READ)
		return false;
	if (off % size != 0)
		return false;
	return true;
}

static bool raw_tp_prog_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
					struct bpf_insn_access_aux *info)
{
	if (off < 0 || off >= (int)sizeof(uint64_t) * MAX_BPF_FUNC_ARGS)
		return false;
	if (type != BPF_READ)
		return false;
	if (off % size != 0)
		return false;
	return true;
}

static bool pe_prog_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
				    struct bpf_insn_access_aux *info)
{
	const int size_u64 = sizeof(uint64_t);
	const int ctx_size = PT_REGS_SIZE + 16; /* struct bpf_perf_event_data: regs, sample_period, addr */

	if (off < 0 || off >= ctx_size)
		return false;
	if (type != BPF_READ)
		return false;
	if (off % size != 0)
		return false;
	if (off >= PT_REGS_SIZE && off < PT_REGS_SIZE + 16) {
		/* sample_period and addr: narrow reads allowed */
		bpf_ctx_record_field_size(info, size_u64);
		if (!bpf_ctx_narrow_access_ok(off, size, size_u64))
			return false;
	} else if (size != (int)sizeof(long)) {
		return false;
	}
	return true;
}

static bool tracing_prog_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
					 struct bpf_insn_access_aux *info)
{
	/* BTF-typed arguments: u64 slots, read only */
	if (off < 0 || off >= (int)sizeof(uint64_t) * MAX_BPF_FUNC_ARGS)
		return false;
	if (type != BPF_READ)
		return false;
	if (off % size != 0)
		return false;
	return true;
}

static bool syscall_prog_is_valid_access(int off, int size, enum bpf_access_type type, uint32_t eat,
					 struct bpf_insn_access_aux *info)
{
	if (off < 0 || off >= 0xffff)
		return false;
	if (off % size != 0)
		return false;
	return true;
}

bool helper_in_tracing(int32_t id)
{
	switch (id) {
	case BPF_FUNC_probe_read: case BPF_FUNC_probe_read_str: case BPF_FUNC_probe_read_user:
	case BPF_FUNC_probe_read_user_str: case BPF_FUNC_probe_read_kernel: case BPF_FUNC_probe_read_kernel_str:
	case BPF_FUNC_get_current_pid_tgid: case BPF_FUNC_get_current_uid_gid: case BPF_FUNC_get_current_comm:
	case BPF_FUNC_get_current_task: case BPF_FUNC_get_current_cgroup_id: case BPF_FUNC_perf_event_output:
	case BPF_FUNC_get_stackid: case BPF_FUNC_get_stack: case BPF_FUNC_perf_event_read:
	case BPF_FUNC_current_task_under_cgroup: case BPF_FUNC_send_signal: case BPF_FUNC_get_func_ip:
	case BPF_FUNC_get_attach_cookie: case BPF_FUNC_get_smp_processor_id: case BPF_FUNC_get_numa_node_id:
		return true;
	default:
		return helper_in_base(id);
	}
}

static bool tracing_helpers(int32_t id)
{
	return helper_in_tracing(id);
}

const struct progtype_ops kprobe_ops = {
	BPF_PROG_TYPE_KPROBE, "kprobe", kprobe_prog_is_valid_access, tracing_helpers, false, false };
const struct progtype_ops tracepoint_ops = {
	BPF_PROG_TYPE_TRACEPOINT, "tracepoint", tp_prog_is_valid_access, tracing_helpers, false, false };
const struct progtype_ops raw_tracepoint_ops = {
	BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint", raw_tp_prog_is_valid_access, tracing_helpers, false, false };
const struct progtype_ops perf_event_ops = {
	BPF_PROG_TYPE_PERF_EVENT, "perf_event", pe_prog_is_valid_access, tracing_helpers, false, false };
const struct progtype_ops tracing_ops = {
	BPF_PROG_TYPE_TRACING, "tracing", tracing_prog_is_valid_access, tracing_helpers, false, false };
const struct progtype_ops syscall_ops = {
	BPF_PROG_TYPE_SYSCALL, "syscall", syscall_prog_is_valid_access, tracing_helpers, false, true };
