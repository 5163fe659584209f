/* current.c - the helpers about the task a program runs for: bpf_get_current_pid_tgid, _uid_gid, _comm, and
 * bpf_probe_read_user/_str. A bpfvm run happens in the calling process, as a kernel test run happens in the task
 * that asked for it: the current task is this thread, and user memory is this process's, read through
 * process_vm_readv so that a bad address is -EFAULT, never a crash. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers/impl.h"
#include "interp/run.h"

HELPER(bpf_get_current_pid_tgid)
{
	(void)r1; (void)r2; (void)r3; (void)r4; (void)r5; (void)rc;
	return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)gettid();
}

HELPER(bpf_get_current_uid_gid)
{
	(void)r1; (void)r2; (void)r3; (void)r4; (void)r5; (void)rc;
	return (uint64_t)(uint32_t)getgid() << 32 | (uint32_t)getuid();
}

/* bpf_get_current_comm(buf, size): the thread's name, NUL-terminated and zero-padded (strscpy_pad) */
HELPER(bpf_get_current_comm)
{
	char *buf = (char *)(uintptr_t)r1, comm[17] = { 0 };
	uint32_t size = (uint32_t)r2;
	(void)r3; (void)r4; (void)r5;
	if (!bpfvm_run_helper_access(rc, buf, size, true, "bpf_get_current_comm"))
		return 0;
	prctl(PR_GET_NAME, comm);
	memset(buf, 0, size);
	if (size)
		memcpy(buf, comm, strnlen(comm, size - 1));
	return 0;
}

/* len bytes of this process's memory at addr: 0, or -EFAULT where any of them cannot be read */
static int read_user(void *dst, uint64_t addr, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)(uintptr_t)addr, len };
	if (!len)
		return 0;
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* bpf_probe_read_user(dst, size, unsafe_ptr): dst zeroed when the read faults */
HELPER(bpf_probe_read_user)
{
	void *dst = (void *)(uintptr_t)r1;
	uint32_t size = (uint32_t)r2;
	(void)r4; (void)r5;
	if (!bpfvm_run_helper_access(rc, dst, size, true, "bpf_probe_read_user"))
		return 0;
	int err = read_user(dst, r3, size);
	if (err)
		memset(dst, 0, size);
	return (uint64_t)(int64_t)err;
}

/* bpf_probe_read_user_str(dst, size, unsafe_ptr): up to size - 1 bytes and a NUL; the length with the NUL, or
 * -EFAULT with dst zeroed (strncpy_from_user_nofault). The kernel copies whole words while 8 bytes remain: the
 * word holding the NUL is written with zeros after it, bytes past that word are left as they were. Read a page at
 * a time, so a string ending before an unmapped page is found. */
HELPER(bpf_probe_read_user_str)
{
	char *dst = (char *)(uintptr_t)r1, chunk_buf[4096];
	uint32_t size = (uint32_t)r2;
	uint64_t src = r3;
	(void)r4; (void)r5;
	if (!bpfvm_run_helper_access(rc, dst, size, true, "bpf_probe_read_user_str"))
		return 0;
	if (!size)
		return 0;
	size_t done = 0;
	while (done < size - 1) {
		size_t to_page = 4096 - ((src + done) & 4095), want = size - 1 - done;
		size_t chunk = want < to_page ? want : to_page;
		if (read_user(chunk_buf, src + done, chunk)) {
			memset(dst, 0, size);
			return (uint64_t)(int64_t)-EFAULT;
		}
		char *nul = memchr(chunk_buf, 0, chunk);
		size_t take = nul ? (size_t)(nul - chunk_buf) + 1 : chunk;
		memcpy(dst + done, chunk_buf, take);
		if (nul) {
			size_t k = done + take - 1, word_end = (k / 8 + 1) * 8;
			if (word_end <= size)
				memset(dst + k + 1, 0, word_end - k - 1);
			return k + 1;
		}
		done += chunk;
	}
	dst[size - 1] = 0;
	return size;
}
