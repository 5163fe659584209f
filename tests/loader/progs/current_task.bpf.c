/* current_task.bpf.c - a syscall program asking about the task that runs it (pid/tgid, uid/gid, comm) and reading
 * that task's memory with probe_read_user and probe_read_user_str: whole, cut short, from an unmapped address */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	__u64 str; /* a string in the calling process */
	__u64 bad; /* an address nothing is mapped at */
};

__u64 pid_tgid, uid_gid;
char comm[16];
char whole[48], cut[12], raw[20], bad_str[8];
long ret_whole, ret_cut, ret_raw, ret_bad, ret_bad_str, ret_comm;

SEC("syscall")
int current_task(struct args *a)
{
	char buf[48];
	pid_tgid = bpf_get_current_pid_tgid();
	uid_gid = bpf_get_current_uid_gid();
	ret_comm = bpf_get_current_comm(comm, sizeof(comm));
	__builtin_memset(buf, 0xee, sizeof(buf)); /* what the kernel leaves past the NUL's word shows */
	ret_whole = bpf_probe_read_user_str(buf, sizeof(buf), (void *)a->str);
	__builtin_memcpy(whole, buf, sizeof(whole));
	ret_cut = bpf_probe_read_user_str(cut, sizeof(cut), (void *)a->str);
	ret_raw = bpf_probe_read_user(raw, sizeof(raw), (void *)a->str);
	ret_bad = bpf_probe_read_user(raw + 10, 10, (void *)a->bad);
	ret_bad_str = bpf_probe_read_user_str(bad_str, sizeof(bad_str), (void *)a->bad);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
