/* pcap_map.h - classic pcap savefiles read straight from a memory mapping: the fast path of pcap_file.c for the
 * records libpcap would return unchanged; everything else (pcapng, pipes, odd records) stays libpcap's */
#ifndef BPFVM_HOOKS_PCAP_MAP_H
#define BPFVM_HOOKS_PCAP_MAP_H

#include "hooks/pcap_file.h"

struct pcap_map;

/*
 * Map path if it is a regular file holding a version 2.4 pcap savefile in this host's byte order (microsecond
 * or nanosecond magic). snaplen is the snapshot length libpcap reports for it (pcap_snapshot()): a record longer than that is
 * left to libpcap, which truncates it. NULL (no error) when the file is anything else.
 */
struct pcap_map *pcap_map_open(const char *path, uint32_t snaplen);
/*
 * The next record: 1 with *pkt set (data points into the mapping, valid until pcap_map_close), 0 at the exact end of
 * the file, -1 at a record the fast path does not take (cut short, or longer than the snapshot length): the caller
 * reads on from pcap_map_offset() with libpcap, which reports or handles it as it always does.
 */
int pcap_map_next(struct pcap_map *m, struct pcapf_pkt *pkt);
long long pcap_map_offset(const struct pcap_map *m); /* byte offset of the next record */
void pcap_map_close(struct pcap_map *m);            /* NULL-safe */

#endif
