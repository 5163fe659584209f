/* file_util.c - reading a whole input file for the CLI commands */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/file_util.h"

int cli_read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 1 << 16, n = 0;
	char *b;

	if (!f)
		return -errno;
	b = malloc(cap + 1);
	if (!b) {
		if (f != stdin)
			fclose(f);
		return -ENOMEM;
	}
	for (;;) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n < cap) {
			if (ferror(f)) {
				free(b);
				if (f != stdin)
					fclose(f);
				return -EIO;
			}
			break;
		}
		char *nb = cap > (1u << 30) ? NULL : realloc(b, cap * 2 + 1);
		if (!nb) {
			free(b);
			if (f != stdin)
				fclose(f);
			return -ENOMEM;
		}
		b = nb;
		cap *= 2;
	}
	if (f != stdin)
		fclose(f);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}
