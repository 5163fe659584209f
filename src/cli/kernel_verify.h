/* kernel_verify.h - the running kernel's verdict and log on a program, for `prog verify --kernel` */
#ifndef BPFVM_CLI_KERNEL_VERIFY_H
#define BPFVM_CLI_KERNEL_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/insn.h"
#include "bpfvm/object.h"

struct kernel_verdict {
	bool available; /* false: the kernel could not be asked (why says so) */
	char why[160];
	int err;        /* 0 accepted, else BPF_PROG_LOAD's negative errno */
	char *log;      /* the kernel's verifier log (owned) */
};

/* Returns 0 (the verdict, or why it is unavailable, in kv) or -ENOMEM. Free kv with kernel_verdict_free. */
int kernel_verify(const struct bpf_insn *insns, size_t cnt, uint32_t prog_type, uint32_t attach, uint32_t flags,
		  uint32_t log_level, struct kernel_verdict *kv);
/* an object's program with its maps created in the kernel */
int kernel_verify_object(const struct bpfvm_object *obj, const struct bpfvm_object_prog_info *pi, uint32_t log_level,
			 struct kernel_verdict *kv);
void kernel_verdict_free(struct kernel_verdict *kv);

/* the error line of a log as the corpus defines it: the last line that is not a statistics line */
void kernel_err_line(const char *log, char *out, size_t size);

/* the first line (1-based) where logs a and b differ, with both lines; 0 if they are identical */
int logs_part_at(const char *a, const char *b, const char **la, size_t *lena, const char **lb, size_t *lenb);

#endif
