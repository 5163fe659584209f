/* pcapgen.h - seeded generator of Ethernet frames and pcap files for filter tests and benchmarks */
#ifndef BPFVM_TESTS_PCAPGEN_H
#define BPFVM_TESTS_PCAPGEN_H

#include <stddef.h>
#include <stdint.h>

#define PCAPGEN_MAX_FRAME 1600
#define PCAPGEN_SNAPLEN 65535
#define PCAPGEN_TS_BASE 1000000000 /* packet i has timestamp PCAPGEN_TS_BASE + i microseconds */

/*
 * One frame from the generator state: Ethernet (some 802.1Q/802.1ad tagged, some MPLS, some 802.3/LLC), ARP,
 * IPv4 (options, fragments, multicast), IPv6 (extension headers), TCP/UDP/ICMP/ICMPv6/IGMP/SCTP/GRE with ports,
 * addresses and flags drawn from small pools so that filter expressions hit, and about 1 in 16 truncated
 * (caplen < len). Writes up to PCAPGEN_MAX_FRAME bytes into buf.
 */
void pcapgen_frame(uint64_t *state, uint8_t *buf, uint32_t *caplen, uint32_t *len);

/* Write count generated frames to a pcap file (EN10MB, snaplen PCAPGEN_SNAPLEN). Returns 0 or -errno. */
int pcapgen_write(const char *path, uint64_t seed, size_t count);

#endif
