/* vprogs.c - reading the records of ../shared/corpus/verifier-progs (shared.txt, shared-cpuv4.txt) */
#include <stdlib.h>
#include <string.h>

#include "lib/vprogs.h"

/* the corpus's escapes: \\ \t \n \xNN */
static void unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == 'n') {
			*o++ = '\n';
		} else if (*p == 't') {
			*o++ = '\t';
		} else if (*p == 'x' && p[1] && p[2]) {
			char hex[3] = { p[1], p[2], 0 };
			*o++ = (char)strtoul(hex, NULL, 16);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
}

int vprogs_next(FILE *f, struct vprogs_rec *r)
{
	char line[8192];

	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "obj: ", 5))
			snprintf(r->obj, sizeof(r->obj), "%.255s", line + 5);
		else if (!strncmp(line, "prog: ", 6))
			snprintf(r->prog, sizeof(r->prog), "%.127s", line + 6);
		else if (!strncmp(line, "section: ", 9))
			snprintf(r->section, sizeof(r->section), "%.127s", line + 9);
		else if (!strncmp(line, "btf_path: ", 10))
			snprintf(r->btf_path, sizeof(r->btf_path), "%.255s", line + 10);
		else if (!strncmp(line, "prog_type: ", 11))
			r->prog_type = (uint32_t)strtoul(line + 11, NULL, 10);
		else if (!strncmp(line, "attach_type: ", 13))
			r->attach_type = (uint32_t)strtoul(line + 13, NULL, 10);
		else if (!strncmp(line, "prog_flags: ", 12))
			r->prog_flags = strtoul(line + 12, NULL, 0);
		else if (!strncmp(line, "kernel: ", 8))
			r->kernel_accept = !strcmp(line + 8, "accept");
		else if (!strncmp(line, "kernel_err: ", 12)) {
			snprintf(r->kernel_err, sizeof(r->kernel_err), "%.511s", line + 12);
			unescape(r->kernel_err);
		} else if (!strcmp(line, "end"))
			return 1;
	}
	return 0;
}
