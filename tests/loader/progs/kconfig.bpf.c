/* kconfig.bpf.c - __kconfig externs: the kernel version, a bool, a tristate and a weak unknown option */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPFVM_NO_SUCH_OPTION __kconfig __weak;

SEC("socket")
int kconfig(struct __sk_buff *skb)
{
	return (LINUX_KERNEL_VERSION >> 16) * 1000000 + CONFIG_BPF_SYSCALL * 100000 + CONFIG_HZ +
	       CONFIG_BPFVM_NO_SUCH_OPTION * 10000;
}

char LICENSE[] SEC("license") = "GPL";
