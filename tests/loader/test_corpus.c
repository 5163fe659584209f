/* test_corpus.c - the verifier-progs corpus through the loader: every object opens, and every record's program
 * is found with the program type and expected attach type libbpf gave it (the records' prog_type/attach_type) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"
#include "lib/harness.h"

struct rec {
	char obj[256], prog[128];
	int prog_type, attach_type;
};

static void run_file(const char *dir, const char *records, const char *label)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, records);
	FILE *f = fopen(path, "r");
	if (!f) {
		t_skip("%s: no %s", label, path);
		return;
	}
	char line[4096];
	struct rec r = { 0 };
	int total = 0, found = 0, type_ok = 0, attach_ok = 0, opened = 0, objs = 0;
	char last_obj[256] = "";
	struct bpfvm_object *obj = NULL;
	long progs = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "obj: ", 5))
			snprintf(r.obj, sizeof(r.obj), "%.255s", line + 5);
		else if (!strncmp(line, "prog: ", 6))
			snprintf(r.prog, sizeof(r.prog), "%.127s", line + 6);
		else if (!strncmp(line, "prog_type: ", 11))
			r.prog_type = atoi(line + 11);
		else if (!strncmp(line, "attach_type: ", 13))
			r.attach_type = atoi(line + 13);
		else if (!strcmp(line, "end")) {
			total++;
			if (strcmp(r.obj, last_obj)) {
				bpfvm_object__close(obj);
				snprintf(last_obj, sizeof(last_obj), "%s", r.obj);
				snprintf(path, sizeof(path), "%s/%s", dir, r.obj);
				struct bpfvm_log log = { 0 };
				BPFVM_OPTS(bpfvm_object_open_opts, o, .log = &log);
				obj = bpfvm_object__open_file(path, &o);
				objs++;
				if (obj) {
					opened++;
					progs += bpfvm_object__prog_cnt(obj);
				} else {
					t_fail("%s: open %s: %s", label, r.obj, log.last_error);
				}
			}
			for (size_t i = 0; obj && i < bpfvm_object__prog_cnt(obj); i++) {
				struct bpfvm_object_prog_info pi;
				bpfvm_object__prog_info(obj, i, &pi);
				if (strcmp(pi.name, r.prog))
					continue;
				found++;
				type_ok += (int)pi.prog_type == r.prog_type;
				/* libbpf passes expected_attach_type 0 where the section implies none */
				attach_ok += (int)pi.expected_attach_type == r.attach_type;
				if ((int)pi.prog_type != r.prog_type || (int)pi.expected_attach_type != r.attach_type)
					t_fail("%s: %s/%s: type %u attach %u, records say %d %d", label, r.obj, r.prog,
					       pi.prog_type, pi.expected_attach_type, r.prog_type, r.attach_type);
			}
			memset(&r, 0, sizeof(r));
		}
	}
	bpfvm_object__close(obj);
	fclose(f);
	printf("FIGURE verifier-progs %s: %d/%d objects open, %ld programs relocated, %d/%d record programs found, "
	       "%d type and %d attach type as libbpf\n", label, opened, objs, progs, found, total, type_ok, attach_ok);
	CHECK(opened == objs && found == total && type_ok == total && attach_ok == total,
	      "%s: every object opens and every record's program has libbpf's type", label);
}

/* every object in the folder, records or not */
static void open_all(const char *dir, const char *sub)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	DIR *d = opendir(path);
	if (!d) {
		t_skip("corpus: no %s", path);
		return;
	}
	int n = 0, ok = 0;
	long progs = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (l < 3 || strcmp(e->d_name + l - 2, ".o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, e->d_name);
		struct bpfvm_log log = { 0 };
		BPFVM_OPTS(bpfvm_object_open_opts, o, .log = &log);
		struct bpfvm_object *obj = bpfvm_object__open_file(path, &o);
		n++;
		if (obj) {
			ok++;
			progs += bpfvm_object__prog_cnt(obj);
		} else {
			t_fail("corpus: %s: %s", e->d_name, log.last_error);
		}
		bpfvm_object__close(obj);
	}
	closedir(d);
	printf("FIGURE verifier-progs %s: %d/%d objects open, %ld programs\n", sub, ok, n, progs);
	CHECK(ok == n && n > 0, "corpus: all objects in %s open", sub);
}

int main(void)
{
	const char *shared = getenv("SHARED");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/corpus/verifier-progs", shared ? shared : "../shared");
	open_all(dir, "objs");
	open_all(dir, "objs-cpuv4");
	run_file(dir, "shared.txt", "v3");
	run_file(dir, "shared-cpuv4.txt", "v4");
	return t_done();
}
