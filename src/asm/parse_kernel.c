/* parse_kernel.c - the kernel/LLVM syntax (`r0 = 1`, `if r1 > 0x2 goto +3`), as the verifier log prints it */
#include <errno.h>

#include "asm/asm_internal.h"

int asm_kernel_line(struct asm_ctx *c)
{
	return asm_err(c, asm_peek(c), "the kernel syntax is not implemented yet");
}
