/* test_conformance_bytes.c - assemble every conformance test's asm section; compare with upstream's bytecode */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "lib/harness.h"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* the `-- asm` section with comments as is (the assembler strips `#` comments itself) */
static size_t asm_section(const char *data, size_t len, char *out)
{
	size_t o = 0;
	int in_asm = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *hash = memchr(p, '#', (size_t)(le - p));
		const char *dd = NULL;
		for (const char *q = p; q + 1 < (hash ? hash : le); q++)
			if (q[0] == '-' && q[1] == '-') {
				dd = q;
				break;
			}
		if (dd) {
			in_asm = memmem(p, (size_t)(le - p), "asm", 3) != NULL;
		} else if (in_asm) {
			memcpy(out + o, p, (size_t)(le - p));
			o += (size_t)(le - p);
			out[o++] = '\n';
		}
		p = nl ? nl + 1 : end;
	}
	return o;
}

int main(void)
{
	const char *shared = getenv("SHARED") ? getenv("SHARED") : "../shared";
	char path[4096];
	snprintf(path, sizeof(path), "%s/conformance/index.tsv", shared);
	FILE *idx = fopen(path, "r");
	if (!idx) {
		t_skip("conformance_bytes: no %s", path);
		return t_done();
	}
	char *line = NULL;
	size_t lcap = 0;
	int total = 0, same = 0;
	while (getline(&line, &lcap, idx) > 0) {
		char *f[6];
		char *s = line;
		int nf = 0;
		for (; nf < 6 && s; nf++) {
			f[nf] = strsep(&s, "\t");
		}
		if (nf < 6 || !strcmp(f[0], "test"))
			continue;
		f[5][strcspn(f[5], "\r\n")] = '\0';
		total++;
		snprintf(path, sizeof(path), "%s/conformance/tests/%s.data", shared, f[0]);
		size_t len;
		char *data = read_all(path, &len);
		if (!data) {
			t_fail("asm_bytes %s: cannot read %s", f[0], path);
			continue;
		}
		char *text = malloc(len + 1);
		size_t tlen = asm_section(data, len, text);
		struct bpf_insn *insns;
		size_t cnt;
		struct bpfvm_log log = { 0 };
		int err = bpfvm_asm(text, tlen, path, BPFVM_ASM_AUTO, &insns, &cnt, &log);
		if (err) {
			t_fail("asm_bytes %s: %s", f[0], log.last_error);
		} else {
			char *hex = malloc(cnt * 17 + 1), *h = hex;
			for (size_t i = 0; i < cnt; i++) {
				const uint8_t *b = (const uint8_t *)&insns[i];
				h += sprintf(h, "%s", i ? " " : "");
				for (int j = 0; j < 8; j++)
					h += sprintf(h, "%02x", b[j]);
			}
			if (!strcmp(hex, f[5])) {
				same++;
				t_pass("asm_bytes %s", f[0]);
			} else {
				t_fail("asm_bytes %s: got %s want %s", f[0], hex, f[5]);
			}
			free(hex);
			free(insns);
		}
		free(text);
		free(data);
	}
	free(line);
	fclose(idx);
	printf("FIGURE conformance asm bytes: %d/%d\n", same, total);
	return t_done();
}
