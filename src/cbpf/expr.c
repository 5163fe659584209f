/* expr.c - the libpcap front end: pcap_compile on a dead handle, link-type names, libpcap's bpf_filter() */
/* Only this file (and src/hooks/pcap_*) include libpcap: its struct bpf_insn is the classic one. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf/expr.h"
#include "common/log_internal.h"

/* struct sock_filter and libpcap's struct bpf_insn are the same four fields */
_Static_assert(sizeof(struct bpf_insn) == 8, "classic instruction is 8 bytes");

int cbpf_linktype_by_name(const char *name, struct bpfvm_log *log)
{
	char *end;
	long v = strtol(name, &end, 0);
	if (*name && !*end && v >= 0 && v < 65536)
		return (int)v;
	int dlt = pcap_datalink_name_to_val(name);
	if (dlt < 0) {
		bpfvm_logf(log, "invalid data link type %s", name);
		return -EINVAL;
	}
	return dlt;
}

const char *cbpf_linktype_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n ? n : "unknown";
}

int cbpf_compile(const char *expr, int linktype, int snaplen, struct sock_filter **out, size_t *out_len,
		 struct bpfvm_log *log)
{
	pcap_t *p = pcap_open_dead(linktype, snaplen);
	struct bpf_program prog;
	if (!p) {
		bpfvm_logf(log, "pcap_open_dead failed for link type %d", linktype);
		return -EINVAL;
	}
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		bpfvm_logf(log, "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	pcap_close(p);
	size_t n = prog.bf_len;
	void *copy = malloc(n ? n * sizeof(struct bpf_insn) : 1);
	if (!copy) {
		pcap_freecode(&prog);
		bpfvm_logf(log, "out of memory");
		return -ENOMEM;
	}
	memcpy(copy, prog.bf_insns, n * sizeof(struct bpf_insn));
	pcap_freecode(&prog);
	*out = copy;
	*out_len = n;
	return 0;
}

uint32_t cbpf_pcap_bpf_filter(const struct sock_filter *insns, const uint8_t *pkt, uint32_t wirelen,
			      uint32_t caplen)
{
	return bpf_filter((const struct bpf_insn *)(const void *)insns, pkt, wirelen, caplen);
}

bool cbpf_pcap_bpf_validate(const struct sock_filter *insns, size_t len)
{
	return bpf_validate((const struct bpf_insn *)(const void *)insns, (int)len) != 0;
}
