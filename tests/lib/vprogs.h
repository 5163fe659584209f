/* vprogs.h - reading the records of ../shared/corpus/verifier-progs (shared.txt, shared-cpuv4.txt) */
#ifndef BPFVM_TESTS_VPROGS_H
#define BPFVM_TESTS_VPROGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* the lines of one record the tests use (the README there describes them all) */
struct vprogs_rec {
	char obj[256], prog[128], section[128], btf_path[256];
	char kernel_err[512];          /* unescaped; "" when the kernel accepted */
	uint32_t prog_type, attach_type;
	unsigned long prog_flags;
	bool kernel_accept;
};

/* the next record of f into r: 1, or 0 at the end of the file */
int vprogs_next(FILE *f, struct vprogs_rec *r);

#endif
