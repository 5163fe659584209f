/* verdict.h - what a program's return value means for its type (XDP_PASS, TC_ACT_SHOT, "keep 60 bytes", ...) */
#ifndef BPFVM_PROGTYPES_VERDICT_H
#define BPFVM_PROGTYPES_VERDICT_H

#include <stddef.h>
#include <stdint.h>

/* Writes the meaning of retval (the kernel's 32-bit test.retval) for prog_type into buf; returns buf.
 * Unknown values are written as the number. */
const char *progtype_verdict(uint32_t prog_type, uint32_t retval, char *buf, size_t size);

#endif
