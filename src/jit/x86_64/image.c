/* image.c - JIT code memory: mmap read-write, write the code, mprotect read-execute; never writable and executable */
#if defined(__x86_64__) /* other hosts: src/jit/none.c */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "common/log_internal.h"
#include "jit/x86_64/image.h"

int jit_image_alloc(size_t len, uint8_t **image, struct bpfvm_log *log)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		int err = errno;

		bpfvm_logf(log, "JIT: cannot map %zu bytes of code memory: %s", len, strerror(err));
		return -err;
	}
	memset(p, 0xcc, len); /* int3 wherever nothing is written */
	*image = p;
	return 0;
}

int jit_image_seal(uint8_t *image, size_t len, struct bpfvm_log *log)
{
	if (mprotect(image, len, PROT_READ | PROT_EXEC)) {
		int err = errno;

		bpfvm_logf(log, "JIT: cannot make code memory executable: %s", strerror(err));
		return -err;
	}
	return 0;
}

void jit_image_free(void *image, size_t len)
{
	if (image)
		munmap(image, len);
}

#endif /* __x86_64__ */
