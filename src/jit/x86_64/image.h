/* image.h - W^X executable memory for JIT images: mapped read-write, filled, then sealed read-execute */
#ifndef BPFVM_JIT_X86_IMAGE_H
#define BPFVM_JIT_X86_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bpfvm/log.h"

int jit_image_alloc(size_t len, uint8_t **image, struct bpfvm_log *log);  /* RW, never executable */
int jit_image_seal(uint8_t *image, size_t len, struct bpfvm_log *log);    /* RW -> RX, never writable again */
void jit_image_free(void *image, size_t len);                             /* NULL-safe */

#endif
