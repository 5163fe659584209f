/* engine.c - one classic filter on one engine: the classic interpreter, or the eBPF translation on bpfvm */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/insn.h"
#include "cbpf/engine.h"
#include "common/log_internal.h"

struct cbpf_filter {
	enum cbpf_engine engine;
	struct sock_filter *insns;
	size_t len;
	unsigned run_flags; /* CBPF_RUN_PCAP for a program only libpcap's rules admit */
	struct bpf_insn *ebpf;
	size_t ebpf_cnt;
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
		bpfvm_logf(log, "engine %s: bpfvm's eBPF engines are not in this build yet", cbpf_engine_name(engine));
		err = -ENOTSUP;
	}
	cbpf_filter__free(f);
	errno = -err;
	return NULL;
}

int cbpf_filter__run(struct cbpf_filter *f, const struct cbpf_skb *skb, uint32_t *ret)
{
	*ret = cbpf_run(f->insns, f->len, skb, f->run_flags);
	return 0;
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
	free(f->insns);
	free(f->ebpf);
	free(f);
}
