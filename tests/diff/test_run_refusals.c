/* test_run_refusals.c - BPF_PROG_TEST_RUN inputs the kernel refuses (short or huge packets, context fields it does
 * not accept, packet data for context-only types): bpfvm's test run refuses the same ones with the same errno */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"
#include "lib/harness.h"
#include "lib/kprog.h"

struct refusal {
	const char *name, *obj, *prog;
	uint32_t data_len;        /* 0: no data */
	int ctx;                  /* which ctx_in below; 0 none */
	uint32_t ctx_len;
};

static const struct refusal cases[] = {
	{ "skb: packet shorter than Ethernet", "tc_mark", "tc_mark", 10, 0, 0 },
	{ "skb: no packet", "tc_mark", "tc_mark", 0, 0, 0 },
	{ "skb: packet larger than a page allows", "multi_prog", "first", 5000, 0, 0 },
	{ "skb: ctx_in sets len", "tc_mark", "tc_mark", 74, 1, sizeof(struct __sk_buff) },
	{ "skb: ctx_in sets data", "multi_prog", "first", 74, 2, sizeof(struct __sk_buff) },
	{ "skb: ctx_in wire_len below the packet", "tc_mark", "tc_mark", 74, 3, sizeof(struct __sk_buff) },
	{ "skb: ctx_in with a non-zero tail", "tc_mark", "tc_mark", 74, 4, sizeof(struct __sk_buff) + 8 },
	{ "xdp: packet shorter than Ethernet", "xdp_parse", "xdp_echo", 8, 0, 0 },
	{ "xdp: packet needing more than 17 fragments", "xdp_parse", "xdp_echo", 80000, 0, 0 },
	{ "xdp: ctx_in sets egress_ifindex", "xdp_parse", "xdp_echo", 74, 5, sizeof(struct xdp_md) },
	{ "raw_tp: packet data given", "raw_tp_args", "raw_tp_args", 74, 0, 0 },
	{ "syscall: packet data given", "syscall_ctx", "syscall_ctx", 74, 0, 0 },
};

static void make_ctx(int which, uint8_t *buf)
{
	memset(buf, 0, 256);
	struct __sk_buff *s = (struct __sk_buff *)buf;
	struct xdp_md *x = (struct xdp_md *)buf;
	switch (which) {
	case 1: s->len = 1; break;
	case 2: s->data = 1; break;
	case 3: s->wire_len = 20; break;
	case 4: buf[sizeof(struct __sk_buff) + 3] = 1; break;
	case 5: x->egress_ifindex = 1; break;
	}
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	int same = 0, total = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct refusal *c = &cases[i];
		char path[512];
		snprintf(path, sizeof(path), "%s/bpf/tests/loader/progs/%s.bpf.o", build, c->obj);
		struct bpfvm_log log = { 0 };
		BPFVM_OPTS(bpfvm_object_open_opts, oo, .log = &log);
		struct bpfvm_object *obj = bpfvm_object__open_file(path, &oo);
		struct bpfvm_object *kobj_src = bpfvm_object__open_file(path, &oo);
		struct kobj k = { 0 };
		if (!obj || !kobj_src || bpfvm_object__load(obj)) {
			t_fail("%s: open/load %s: %s", c->name, c->obj, log.last_error);
			goto next;
		}
		int err = kobj_load(kobj_src, &k);
		if (err == -EPERM || err == -ENOSYS) {
			t_skip("%s: bpf() refused here", c->name);
			goto next;
		}
		int pidx = -1;
		for (size_t p = 0; p < bpfvm_object__prog_cnt(obj); p++) {
			struct bpfvm_object_prog_info pi;
			bpfvm_object__prog_info(obj, p, &pi);
			if (!strcmp(pi.name, c->prog))
				pidx = p;
		}
		if (err || pidx < 0) {
			t_fail("%s: kernel load: %s", c->name, k.err);
			goto next;
		}
		uint8_t *data = calloc(1, c->data_len + 1), ctx[256], out[1 << 17];
		for (uint32_t b = 0; b < c->data_len; b++)
			data[b] = b < 12 ? 0 : b == 12 ? 8 : (uint8_t)(b * 13);
		make_ctx(c->ctx, ctx);
		uint32_t kret, olen = sizeof(out);
		int kerr = kprog_test_run(k.prog_fds[pidx], c->data_len ? data : NULL, c->data_len, out, &olen,
					  c->ctx ? ctx : NULL, c->ctx_len, NULL, NULL, 1, &kret);
		struct bpfvm_object_prog_info pi;
		bpfvm_object__prog_info(obj, pidx, &pi);
		BPFVM_OPTS(bpfvm_test_run_opts, ro, .data_in = c->data_len ? data : NULL, .data_size_in = c->data_len,
			   .data_out = out, .data_size_out = sizeof(out), .ctx_in = c->ctx ? ctx : NULL,
			   .ctx_size_in = c->ctx_len, .log = &log);
		int berr = bpfvm_prog__test_run(pi.prog, &ro);
		free(data);
		total++;
		if (!kerr && berr == -ENOTSUP) {
			t_skip("%s: the kernel runs it; this build has no engine to compare with", c->name);
			total--;
		} else {
			CHECK(kerr == berr && (kerr || !berr), "%s: kernel %d, bpfvm %d (%s)", c->name, kerr, berr,
			      berr ? log.last_error : "");
			same += kerr == berr;
		}
next:
		kobj_close(&k);
		bpfvm_object__close(obj);
		bpfvm_object__close(kobj_src);
	}
	if (total)
		printf("FIGURE test-run refusals as the kernel's: %d/%d\n", same, total);
	return t_done();
}
