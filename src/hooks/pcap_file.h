/* pcap_file.h - packets from pcap/pcapng files (read by libpcap) and to pcap files; no libpcap types exposed */
#ifndef BPFVM_HOOKS_PCAP_FILE_H
#define BPFVM_HOOKS_PCAP_FILE_H

#include <stdbool.h>
#include <stdint.h>

struct bpfvm_log;

struct pcapf_pkt {
	const uint8_t *data; /* valid until the next pcapf_next(), or until pcapf_close() if mapped */
	uint32_t caplen;
	uint32_t len;        /* on the wire */
	int64_t ts_sec;
	int64_t ts_usec;
	bool mapped;         /* data lies in the reader's mapping of the file: a writer may keep a reference */
};

struct pcapf_reader;
struct pcapf_writer;

/* Open a pcap or pcapng file ("-" = stdin). NULL with errno and one line in log. */
struct pcapf_reader *pcapf_open(const char *path, struct bpfvm_log *log);
/* 1 with *pkt set, 0 at the end, -EINVAL for a corrupted file: the line in log names the packet index. */
int pcapf_next(struct pcapf_reader *r, struct pcapf_pkt *pkt);
int pcapf_linktype(const struct pcapf_reader *r); /* DLT_* */
int pcapf_snaplen(const struct pcapf_reader *r);
uint64_t pcapf_count(const struct pcapf_reader *r); /* packets returned so far */
long long pcapf_file_size(const struct pcapf_reader *r); /* -1 if unknown (a pipe) */
long long pcapf_file_pos(const struct pcapf_reader *r);
void pcapf_close(struct pcapf_reader *r); /* NULL-safe */

/* Create a pcap file (microsecond timestamps) with this link type and snapshot length. NULL with errno. */
struct pcapf_writer *pcapf_create(const char *path, int linktype, int snaplen, struct bpfvm_log *log);
/* write pkt with caplen min(pkt->caplen, keep): a socket filter's return value truncates. A mapped packet's bytes
 * are written by reference: finish the writer before closing the reader. */
int pcapf_write(struct pcapf_writer *w, const struct pcapf_pkt *pkt, uint32_t keep);
/* flush and close; returns 0 or -EIO with a line in log */
int pcapf_finish(struct pcapf_writer *w, struct bpfvm_log *log);

#endif
