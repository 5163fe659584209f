/* cbpf.h - classic BPF (struct sock_filter programs): validator, interpreter, eBPF translation, dump, text parser */
#ifndef BPFVM_CBPF_H
#define BPFVM_CBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/filter.h> /* struct sock_filter, BPF_MEMWORDS, SKF_AD_*, SKF_NET_OFF, SKF_LL_OFF */

#include "bpfvm/log.h"

#define CBPF_MAXINSNS 4096 /* BPF_MAXINSNS */

/*
 * The packet and its metadata as a classic program sees it; the stand-in for the kernel's sk_buff.
 * The translated eBPF program receives a pointer to this struct in r1 (it is the program's context),
 * so the layout is an ABI between to_ebpf.c and the engines: fields are only ever appended.
 */
struct cbpf_skb {
	const uint8_t *data;  /* 0: first byte of the link-layer header */
	uint32_t len;         /* 8: length on the wire (BPF_LEN, skb->len) */
	uint32_t caplen;      /* 12: bytes present at data; loads beyond it fail (the program returns 0) */
	uint32_t net_off;     /* 16: offset of the network header from data (SKF_NET_OFF base) */
	uint32_t mac_off;     /* 20: offset of the link-layer header from data (SKF_LL_OFF base), usually 0 */
	uint16_t protocol;    /* 24: SKF_AD_PROTOCOL, network byte order as skb->protocol */
	uint16_t vlan_tci;    /* 26: SKF_AD_VLAN_TAG */
	uint16_t vlan_proto;  /* 28: SKF_AD_VLAN_TPID, network byte order */
	uint8_t pkttype;      /* 30: SKF_AD_PKTTYPE (PACKET_HOST, ...) */
	uint8_t vlan_present; /* 31: SKF_AD_VLAN_TAG_PRESENT (0 or 1) */
	uint32_t ifindex;     /* 32: SKF_AD_IFINDEX */
	uint16_t hatype;      /* 36: SKF_AD_HATYPE (ARPHRD_*) */
	uint16_t queue;       /* 38: SKF_AD_QUEUE */
	uint32_t mark;        /* 40: SKF_AD_MARK */
	uint32_t hash;        /* 44: SKF_AD_RXHASH */
	uint32_t cpu;         /* 48: SKF_AD_CPU */
	uint32_t random;      /* 52: SKF_AD_RANDOM (the caller picks it, so runs are reproducible) */
	uint32_t pay_off;     /* 56: SKF_AD_PAY_OFFSET (transport payload offset, as the flow dissector finds it) */
	uint32_t has_dev;     /* 60: 0 makes SKF_AD_IFINDEX/HATYPE end the program with A, as a NULL skb->dev */
	uint32_t has_meta;    /* 64: 0 = no metadata (a packet read from a file): every ancillary load ends the
			       * program with 0, as libpcap's bpf_filter() does on savefiles */
};

/* Fill skb for a captured frame: data/len/caplen, mac_off 0, net_off and protocol from the link type
 * (DLT_* value: Ethernet, Linux cooked v1/v2, raw IP, BSD loopback), has_dev 1, has_meta 0, the rest 0. */
void cbpf_skb_init(struct cbpf_skb *skb, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len);

/* validation rules */
#define CBPF_CHECK_KERNEL 0x1u /* bpf_check_classic(): opcode set, jumps, M[] written before read, ancillary k */
#define CBPF_CHECK_PCAP 0x2u   /* libpcap's bpf_validate() */

/*
 * Check a classic program. Returns 0, or -EINVAL with one line in log naming the instruction index
 * (`insn 3: jump out of range`). flags: CBPF_CHECK_KERNEL, CBPF_CHECK_PCAP or both.
 */
int cbpf_validate(const struct sock_filter *insns, size_t len, unsigned flags, struct bpfvm_log *log);

/* interpreter semantics */
#define CBPF_MAX_BACK_JUMPS (1u << 20) /* a program taking more backward jumps than this returns 0 (no hang) */
#define CBPF_RUN_PCAP 0x1u /* libpcap's bpf_filter(): shifts by X >= 32 give 0, no ancillary or negative offsets,
			    * LD_IND offsets X + k checked without wrap-around */

/*
 * Run a validated classic program on skb. Returns A at the RET (the number of bytes to keep; 0 = drop).
 * Default semantics are Linux's (the reference): loads outside the packet return 0, division by X == 0 returns 0,
 * shifts by X are masked to 5 bits as in the eBPF translation, ancillary loads and SKF_NET_OFF/SKF_LL_OFF
 * offsets are honoured. The program must have passed cbpf_validate(CBPF_CHECK_KERNEL) (or _PCAP for
 * CBPF_RUN_PCAP, which admits the backward jumps of libpcap's protochain code); an unvalidated program still
 * cannot read or jump outside its bounds, nor loop forever, but may return garbage.
 */
uint32_t cbpf_run(const struct sock_filter *insns, size_t len, const struct cbpf_skb *skb, unsigned flags);

/* translation to eBPF */
struct bpf_insn;

/*
 * Translate a validated classic program into eBPF the way the kernel's bpf_convert_filter() does: A = r0,
 * X = r7, ctx = r6, tmp = r2, M[i] at r10 - (4 * i + 4), packet data and length cached in r8/r9. The program takes
 * a struct cbpf_skb * in r1 and needs no helper: packet loads are inline bounds-checked loads from r8
 * (SKF_NET_OFF/SKF_LL_OFF offsets too), ancillary loads read struct cbpf_skb fields.
 * Returns 0 with *out (malloc'ed, the caller frees) and *out_cnt set, or -EINVAL / -EOPNOTSUPP (SKF_AD_NLATTR,
 * SKF_AD_NLATTR_NEST need netlink parsing and are not translated) / -ENOMEM with one line in log.
 */
int cbpf_to_ebpf(const struct sock_filter *insns, size_t len, struct bpf_insn **out, size_t *out_cnt,
		 struct bpfvm_log *log);

/* dump formats of tcpdump */
enum cbpf_dump_fmt {
	CBPF_DUMP_IMAGE = 1, /* tcpdump -d:   (000) ldh      [12] */
	CBPF_DUMP_C = 2,     /* tcpdump -dd:  { 0x28, 0, 0, 0x0000000c }, */
	CBPF_DUMP_DEC = 3,   /* tcpdump -ddd: count line, then "40 0 0 12" */
};

/* Print the program as tcpdump -d/-dd/-ddd does (byte-identical). Returns 0 or -EINVAL. */
int cbpf_dump(FILE *f, const struct sock_filter *insns, size_t len, enum cbpf_dump_fmt fmt);

/* One instruction as bpf_image() prints it (tcpdump -d line without the newline); buf of >= 256 bytes. */
void cbpf_image(const struct sock_filter *insn, int n, char *buf, size_t size);

/*
 * Parse a classic program from text: the tcpdump -ddd form ("N" then N lines "code jt jf k") or the -dd form
 * ("{ 0x28, 0, 0, 0x0000000c },"); blank lines and '#' comments are skipped. Returns 0 with *out (malloc'ed)
 * and *out_len, or -EINVAL with the line number in log.
 */
int cbpf_parse_text(const char *text, size_t text_len, struct sock_filter **out, size_t *out_len,
		    struct bpfvm_log *log);

#endif
