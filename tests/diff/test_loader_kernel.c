/* test_loader_kernel.c - bpfvm's relocations judged by the live kernel: every test program and example, opened
 * and relocated by bpfvm (maps, globals, subprograms, CO-RE, BTF with its DATASEC fix-up, func/line info), must load
 * through raw bpf() and test-run without error. Skips where bpf() is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"
#include "diff/progs_cases.h"
#include "lib/harness.h"
#include "lib/kprog.h"

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	int ok = 0, total = 0;
	for (size_t i = 0; i < sizeof(prog_cases) / sizeof(prog_cases[0]); i++) {
		const struct prog_case *c = &prog_cases[i];
		char path[512];
		snprintf(path, sizeof(path), "%s/bpf/%s", build, c->obj);
		struct bpfvm_log log = { 0 };
		BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log);
		struct bpfvm_object *obj = bpfvm_object__open_file(path, &oo);
		if (!obj) {
			t_fail("%s: open: %s", c->obj, log.last_error);
			continue;
		}
		struct kobj k;
		int err = kobj_load(obj, &k);
		if (err == -EPERM || err == -ENOSYS) {
			t_skip("%s: bpf() refused here: %s", c->obj, k.err);
			kobj_close(&k);
			bpfvm_object__close(obj);
			continue;
		}
		total++;
		int pidx = -1;
		for (size_t p = 0; p < bpfvm_object__prog_cnt(obj); p++) {
			struct bpfvm_object_prog_info pi;
			bpfvm_object__prog_info(obj, p, &pi);
			if (!strcmp(pi.name, c->prog))
				pidx = p;
		}
		if (err || pidx < 0) {
			t_fail("%s:%s: kernel load: %s", c->obj, c->prog, err ? k.err : "no such program");
		} else {
			uint8_t in[256], out[4096];
			uint32_t olen = sizeof(out), ret;
			int n = make_input(c->input, in, sizeof(in));
			bool ctx_only = c->input == IN_SYSCALL || c->input == IN_RAW_TP || c->input == IN_SYSCALL_PTR;
			err = ctx_only ? kprog_test_run(k.prog_fds[pidx], NULL, 0, NULL, NULL, in, n, NULL, NULL, 0, &ret) :
					 kprog_test_run(k.prog_fds[pidx], in, n, out, &olen, NULL, 0, NULL, NULL, 1, &ret);
			CHECK(!err, "%s:%s%s: loads and runs in the kernel (retval %u)", c->obj, c->prog,
			      c->input == IN_PKT_SHORT ? "(short)" : "", ret);
			ok += !err;
		}
		kobj_close(&k);
		bpfvm_object__close(obj);
	}
	if (total)
		printf("FIGURE programs relocated by bpfvm that the kernel loads and runs: %d/%d\n", ok, total);
	return t_done();
}
