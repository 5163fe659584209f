/* engine.c - one classic filter on one engine: the classic interpreter, or the eBPF translation on bpfvm */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "cbpf/engine.h"
#include "common/log_internal.h"
#include "interp/run.h"
#include "jit/jit.h"

struct cbpf_filter {
	enum cbpf_engine engine;
	struct sock_filter *insns;
	size_t len;
	unsigned run_flags; /* CBPF_RUN_PCAP for a program only libpcap's rules admit */
	struct bpf_insn *ebpf;
	size_t ebpf_cnt;
	struct bpfvm_prog *prog; /* the translation, for the eBPF engines */
	struct bpfvm_run_ctx rc; /* reused for every packet: the per-packet cost is the run itself */
	struct bpfvm_log *log;
};

static const char *const engine_names[] = {
	[CBPF_ENGINE_CBPF] = "cbpf",
	[CBPF_ENGINE_INTERP] = "interp",
	[CBPF_ENGINE_JIT] = "jit",
};

int cbpf_engine_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(engine_names) / sizeof(engine_names[0]); i++)
		if (!strcmp(name, engine_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *cbpf_engine_name(enum cbpf_engine e)
{
	return (unsigned)e < sizeof(engine_names) / sizeof(engine_names[0]) ? engine_names[e] : "unknown";
}

struct cbpf_filter *cbpf_filter__new(const struct sock_filter *insns, size_t len, enum cbpf_engine engine,
				     struct bpfvm_log *log)
{
	unsigned run_flags = 0;
	int err = cbpf_validate(insns, len, CBPF_CHECK_KERNEL, log);
	if (err && engine == CBPF_ENGINE_CBPF && cbpf_validate(insns, len, CBPF_CHECK_PCAP, NULL) == 0) {
		/* libpcap's protochain code jumps backwards: the kernel refuses it, tcpdump runs it in libpcap */
		run_flags = CBPF_RUN_PCAP;
		err = 0;
	}
	if (err) {
		errno = -err;
		return NULL;
	}
	struct cbpf_filter *f = calloc(1, sizeof(*f));
	if (!f || !(f->insns = malloc(len * sizeof(*insns)))) {
		free(f);
		bpfvm_logf(log, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	memcpy(f->insns, insns, len * sizeof(*insns));
	f->len = len;
	f->engine = engine;
	f->run_flags = run_flags;
	if (engine == CBPF_ENGINE_CBPF)
		return f;
	err = cbpf_to_ebpf(insns, len, &f->ebpf, &f->ebpf_cnt, log);
	if (!err) {
		BPFVM_OPTS(bpfvm_prog_opts, po, .name = "cbpf", .log = log);
		f->prog = bpfvm_prog__new(f->ebpf, f->ebpf_cnt, &po);
		err = f->prog ? 0 : -errno;
	}
	if (!err && engine == CBPF_ENGINE_JIT)
		err = bpfvm_jit_compile(f->prog, log);
	if (!err) {
		f->rc.prog = f->prog;
		f->rc.log = log;
		return f;
	}
	cbpf_filter__free(f);
	errno = -err;
	return NULL;
}

int cbpf_filter__run(struct cbpf_filter *f, const struct cbpf_skb *skb, uint32_t *ret)
{
	uint64_t r0 = 0;
	int err;

	switch (f->engine) {
	case CBPF_ENGINE_INTERP:
		f->rc.error = 0;
		err = bpfvm_interp_run(f->prog, &f->rc, (uint64_t)(uintptr_t)skb, 0, &r0);
		break;
	case CBPF_ENGINE_JIT:
		err = bpfvm_jit_run(f->prog, &f->rc, (uint64_t)(uintptr_t)skb, 0, &r0);
		break;
	default:
		*ret = cbpf_run(f->insns, f->len, skb, f->run_flags);
		return 0;
	}
	*ret = (uint32_t)r0; /* a socket filter's verdict is the low 32 bits, as sk_filter_trim_cap reads it */
	return err;
}

/* how many packets ahead a batch prefetches: far enough to cover a miss, near enough to stay in cache */
#define BATCH_PREFETCH 16

int cbpf_filter__run_batch(struct cbpf_filter *f, const struct cbpf_skb *skbs, size_t n, uint32_t *rets,
			   size_t *failed)
{
	int err = 0;
	bpfvm_jit_fn entry = f->engine == CBPF_ENGINE_JIT ? bpfvm_jit_entry(f->prog, &f->rc, &err) : NULL;
	for (size_t i = 0; i < n && !err; i++) {
		if (i + BATCH_PREFETCH < n) {
			/* the packet's first bytes (every filter reads its link-layer header) and its record further on */
			__builtin_prefetch(skbs[i + BATCH_PREFETCH].data + 12);
			if (i + 2 * BATCH_PREFETCH < n)
				__builtin_prefetch(&skbs[i + 2 * BATCH_PREFETCH]);
		}
		if (entry) { /* set up once: per packet, only the image runs */
			rets[i] = (uint32_t)entry((uint64_t)(uintptr_t)&skbs[i], 0, &f->rc);
			err = f->rc.error;
		} else {
			err = cbpf_filter__run(f, &skbs[i], &rets[i]);
		}
		if (err)
			*failed = i;
	}
	return err;
}

bool cbpf_filter__pcap_semantics(const struct cbpf_filter *f)
{
	return f->run_flags & CBPF_RUN_PCAP;
}

const struct bpf_insn *cbpf_filter__ebpf(const struct cbpf_filter *f, size_t *cnt)
{
	*cnt = f->ebpf_cnt;
	return f->ebpf;
}

void cbpf_filter__free(struct cbpf_filter *f)
{
	if (!f)
		return;
	bpfvm_prog__free(f->prog);
	free(f->insns);
	free(f->ebpf);
	free(f);
}
