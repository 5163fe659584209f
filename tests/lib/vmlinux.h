/* vmlinux.h - the running kernel's BTF (/sys/kernel/btf/vmlinux) for tests that resolve kfuncs or attach targets */
#ifndef BPFVM_TESTS_VMLINUX_H
#define BPFVM_TESTS_VMLINUX_H

struct btf;

/* the parsed vmlinux BTF (free with btf_free), or NULL where the kernel has none */
struct btf *vmlinux_btf_load(void);

#endif
