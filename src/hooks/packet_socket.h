/* packet_socket.h - live packets from an AF_PACKET socket (root), with the metadata a classic filter can read */
#ifndef BPFVM_HOOKS_PACKET_SOCKET_H
#define BPFVM_HOOKS_PACKET_SOCKET_H

#include <stdint.h>

#include "cbpf/cbpf.h"

struct bpfvm_log;
struct pktsock;

/* Open a packet socket on iface (all protocols, both directions). NULL with errno and one line in log. */
struct pktsock *pktsock_open(const char *iface, struct bpfvm_log *log);
/*
 * Wait up to timeout_ms (-1 = forever) for one packet. Returns 1 with skb (data valid until the next call, metadata
 * from the socket: protocol, pkttype, ifindex, hatype, VLAN tag) and the receive time, 0 on timeout, or a negative
 * errno with one line in log.
 */
int pktsock_next(struct pktsock *s, struct cbpf_skb *skb, int64_t *ts_sec, int64_t *ts_usec, int timeout_ms);
void pktsock_close(struct pktsock *s); /* NULL-safe */

/* tcpdump's one-line summary of an Ethernet frame ("IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], length 0"),
 * without the timestamp; buf of >= 256 bytes. */
void pkt_summary(const uint8_t *data, uint32_t caplen, uint32_t len, char *buf, size_t size);

#endif
