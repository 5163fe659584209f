/* kprog.h - load a bpfvm-opened object into the live kernel with raw bpf(): maps, relocated programs, test runs */
#ifndef BPFVM_TESTS_LIB_KPROG_H
#define BPFVM_TESTS_LIB_KPROG_H

#include <stddef.h>
#include <stdint.h>

#include "bpfvm/object.h"

struct kobj {
	int *map_fds;     /* per object map index; -1 for maps not created */
	size_t nmaps;
	int *prog_fds;    /* per object program index; -1 when not loaded */
	size_t nprogs;
	int btf_fd;       /* the object's BTF in the kernel, 0 if none */
	char log[4096];   /* the tail of the kernel verifier's log of the last failed load */
	char err[256];    /* one line: what failed */
};

/* 0, or -errno with k->err set; -EPERM/-ENOSYS mean bpf() is refused here */
int kobj_load(const struct bpfvm_object *obj, struct kobj *k);
/* the two halves of kobj_load: every map (with initial data), then one program with extra prog_flags */
int kobj_load_maps(const struct bpfvm_object *obj, struct kobj *k);
int kprog_load_one(const struct bpfvm_object *obj, struct kobj *k, size_t idx, uint32_t extra_flags,
		   uint32_t attach_btf_id);
void kobj_close(struct kobj *k);
int kprog_test_run(int prog_fd, const void *data, uint32_t data_len, void *data_out, uint32_t *data_out_len,
		   const void *ctx, uint32_t ctx_len, void *ctx_out, uint32_t *ctx_out_len, uint32_t repeat,
		   uint32_t *retval);
/* every key and value of a kernel map, as key||value records sorted by key; values of per-CPU maps for all CPUs */
int kmap_dump(int fd, uint32_t type, uint32_t key_size, uint32_t value_size, uint8_t **out, size_t *len,
	      size_t *nrec);
/* sort n key||value records of rec bytes by their first key_size bytes, as kmap_dump() returns them */
void kmap_sort_records(uint8_t *buf, size_t n, size_t rec, size_t key_size);
int kprog_possible_cpus(void);

#endif
