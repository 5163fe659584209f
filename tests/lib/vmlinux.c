/* vmlinux.c - the running kernel's BTF (/sys/kernel/btf/vmlinux) for tests that resolve kfuncs or attach targets */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/vmlinux.h"
#include "loader/btf.h"

struct btf *vmlinux_btf_load(void)
{
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 23, n = 0;
	uint8_t *buf = malloc(cap);
	for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		if ((n += r) == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	struct btf *btf = NULL;
	if (buf)
		btf_parse(buf, n, &btf, NULL);
	free(buf);
	return btf;
}
