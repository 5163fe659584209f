/* pkt_print.c - tcpdump-style one-line summaries of Ethernet frames (IPv4/IPv6 TCP/UDP/ICMP, ARP) */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "hooks/packet_socket.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void tcp_flags(uint8_t f, char *out)
{
	static const struct { uint8_t bit; char c; } names[] = {
		{ 0x02, 'S' }, { 0x01, 'F' }, { 0x04, 'R' }, { 0x08, 'P' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'W' },
		{ 0x10, '.' },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			out[n++] = names[i].c;
	if (!n)
		out[n++] = 'n', out[n++] = 'o', out[n++] = 'n', out[n++] = 'e';
	out[n] = '\0';
}

/* the transport part after "SRC > DST"; sport/dport printed after the addresses */
static void l4_summary(const char *fam, const char *src, const char *dst, uint8_t proto, const uint8_t *l4,
		       uint32_t l4len, uint32_t payload_len, char *buf, size_t size)
{
	char fl[16];
	if (proto == 6 && l4len >= 20) {
		uint32_t hl = (uint32_t)(l4[12] >> 4) * 4;
		tcp_flags(l4[13], fl);
		snprintf(buf, size, "%s %s.%u > %s.%u: Flags [%s], length %u", fam, src, rd16(l4), dst, rd16(l4 + 2), fl,
			 payload_len > hl ? payload_len - hl : 0);
	} else if (proto == 17 && l4len >= 8) {
		snprintf(buf, size, "%s %s.%u > %s.%u: UDP, length %u", fam, src, rd16(l4), dst, rd16(l4 + 2),
			 payload_len >= 8 ? payload_len - 8 : 0);
	} else if ((proto == 1 || proto == 58) && l4len >= 1) {
		const char *what = NULL;
		if (proto == 1)
			what = l4[0] == 8 ? "echo request" : l4[0] == 0 ? "echo reply" : NULL;
		else
			what = l4[0] == 128 ? "echo request" : l4[0] == 129 ? "echo reply" : NULL;
		if (what)
			snprintf(buf, size, "%s %s > %s: %s %s, length %u", fam, src, dst, proto == 1 ? "ICMP" : "ICMP6",
				 what, payload_len);
		else
			snprintf(buf, size, "%s %s > %s: %s type %u, length %u", fam, src, dst,
				 proto == 1 ? "ICMP" : "ICMP6", l4[0], payload_len);
	} else {
		snprintf(buf, size, "%s %s > %s: ip-proto-%u %u", fam, src, dst, proto, payload_len);
	}
}

void pkt_summary(const uint8_t *d, uint32_t caplen, uint32_t len, char *buf, size_t size)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pre[32] = "";
	uint32_t off = 12;
	if (caplen < 14) {
		snprintf(buf, size, "[|ether], length %u", len);
		return;
	}
	uint16_t type = rd16(d + off);
	while ((type == 0x8100 || type == 0x88a8) && caplen >= off + 6) {
		snprintf(pre, sizeof(pre), "vlan %u, ", rd16(d + off + 2) & 0xfff);
		off += 4;
		type = rd16(d + off);
	}
	off += 2;
	const uint8_t *l3 = d + off;
	uint32_t l3len = caplen - off;
	char rest[200];
	if (type == 0x0800 && l3len >= 20) {
		uint32_t ihl = (uint32_t)(l3[0] & 0xf) * 4, tot = rd16(l3 + 2);
		inet_ntop(AF_INET, l3 + 12, src, sizeof(src));
		inet_ntop(AF_INET, l3 + 16, dst, sizeof(dst));
		if ((rd16(l3 + 6) & 0x1fff) || ihl < 20 || l3len < ihl)
			snprintf(rest, sizeof(rest), "IP %s > %s: ip-proto-%u", src, dst, l3[9]);
		else
			l4_summary("IP", src, dst, l3[9], l3 + ihl, l3len - ihl, tot > ihl ? tot - ihl : 0, rest,
				   sizeof(rest));
	} else if (type == 0x86dd && l3len >= 40) {
		inet_ntop(AF_INET6, l3 + 8, src, sizeof(src));
		inet_ntop(AF_INET6, l3 + 24, dst, sizeof(dst));
		l4_summary("IP6", src, dst, l3[6], l3 + 40, l3len - 40, rd16(l3 + 4), rest, sizeof(rest));
	} else if (type == 0x0806 && l3len >= 28) {
		inet_ntop(AF_INET, l3 + 24, dst, sizeof(dst));
		inet_ntop(AF_INET, l3 + 14, src, sizeof(src));
		if (rd16(l3 + 6) == 1)
			snprintf(rest, sizeof(rest), "ARP, Request who-has %s tell %s, length %u", dst, src, len - off);
		else
			snprintf(rest, sizeof(rest), "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x, length %u", src,
				 l3[8], l3[9], l3[10], l3[11], l3[12], l3[13], len - off);
	} else {
		snprintf(rest, sizeof(rest), "ethertype 0x%04x, length %u", type, len);
	}
	snprintf(buf, size, "%s%s", pre, rest);
}
