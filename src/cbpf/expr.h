/* expr.h - the libpcap front end: filter expressions compiled by pcap_compile, link types, bpf_filter() */
#ifndef BPFVM_CBPF_EXPR_H
#define BPFVM_CBPF_EXPR_H

/* No libpcap or Linux header here: <pcap/bpf.h> and <linux/bpf.h> both define struct bpf_insn. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sock_filter;
struct bpfvm_log;

#define CBPF_DEFAULT_SNAPLEN 262144 /* tcpdump's MAXIMUM_SNAPLEN: what `ret #262144` comes from */

/* DLT_* value of a link-type name as tcpdump -y takes it ("EN10MB", "LINUX_SLL", "RAW", ...) or a number;
 * -EINVAL with the reason in log when unknown. */
int cbpf_linktype_by_name(const char *name, struct bpfvm_log *log);

/* The name of a DLT_* value ("EN10MB"), or "unknown". */
const char *cbpf_linktype_name(int dlt);

/*
 * Compile a filter expression as tcpdump does (pcap_open_dead(linktype, snaplen), pcap_compile with optimization,
 * netmask unknown). Returns 0 with *out (malloc'ed) and *out_len, or -EINVAL with libpcap's message in log.
 */
int cbpf_compile(const char *expr, int linktype, int snaplen, struct sock_filter **out, size_t *out_len,
		 struct bpfvm_log *log);

/* libpcap's own interpreter (bpf_filter()), the reference tcpdump uses when filtering a file */
uint32_t cbpf_pcap_bpf_filter(const struct sock_filter *insns, const uint8_t *pkt, uint32_t wirelen,
			      uint32_t caplen);

/* libpcap's bpf_validate(): true if it accepts the program */
bool cbpf_pcap_bpf_validate(const struct sock_filter *insns, size_t len);

#endif
