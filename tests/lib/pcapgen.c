/* pcapgen.c - seeded generator of Ethernet frames (VLAN, MPLS, ARP, IPv4/IPv6, fragments, L4, truncation) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/harness.h"
#include "lib/pcapgen.h"

struct gen {
	uint64_t *st;
	uint8_t *p;
	uint32_t n;
};

static uint32_t rnd(struct gen *g, uint32_t bound)
{
	return (uint32_t)(t_rand(g->st) % bound);
}

static void put8(struct gen *g, uint32_t v)
{
	g->p[g->n++] = (uint8_t)v;
}

static void put16(struct gen *g, uint32_t v)
{
	put8(g, v >> 8);
	put8(g, v);
}

static void put32(struct gen *g, uint32_t v)
{
	put16(g, v >> 16);
	put16(g, v);
}

static void putn(struct gen *g, const uint8_t *b, size_t n)
{
	memcpy(g->p + g->n, b, n);
	g->n += (uint32_t)n;
}

static void put_rand(struct gen *g, uint32_t n)
{
	while (n--)
		put8(g, rnd(g, 256));
}

static const uint8_t macs[][6] = {
	{ 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }, { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
	{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, { 0x00, 0x11, 0x22, 0x33, 0x44, 0x66 },
};

static const uint32_t ip4s[] = { 0x0a000001, 0x0a000002, 0x0a000003, 0xc0a80101, 0x0a010203, 0xc0a80001,
				  0xe00000fb, 0x08080808, 0xffffffff, 0x0a000101 };

static const uint16_t ports[] = { 22, 23, 53, 67, 68, 80, 123, 443, 1024, 5353, 8080, 8000, 8500, 9000, 1500,
				  30000, 35000, 65535, 20, 21, 88, 0 };

static uint32_t pick_port(struct gen *g)
{
	return rnd(g, 4) == 0 ? rnd(g, 65536) : ports[rnd(g, sizeof(ports) / sizeof(ports[0]))];
}

static void put_ip6(struct gen *g)
{
	static const uint8_t a[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 9 },
		{ 0xff, 0x02, [15] = 1 },
		{ 0xfe, 0x80, [8] = 0x02, [15] = 0x42 },
	};
	if (rnd(g, 5) == 0)
		put_rand(g, 16);
	else
		putn(g, a[rnd(g, sizeof(a) / sizeof(a[0]))], 16);
}

/* L4 header and some payload for protocol proto */
static void put_l4(struct gen *g, uint32_t proto)
{
	switch (proto) {
	case 6: {
		put16(g, pick_port(g));
		put16(g, pick_port(g));
		put32(g, rnd(g, 3) ? t_rand(g->st) : 0);
		put32(g, t_rand(g->st));
		uint32_t doff = rnd(g, 4) ? 5 : 5 + rnd(g, 4);
		put8(g, doff << 4);
		static const uint8_t flags[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01, 0x20, 0x29, 0xff };
		put8(g, rnd(g, 4) ? flags[rnd(g, sizeof(flags))] : rnd(g, 256));
		put16(g, 65535);
		put16(g, 0);
		put16(g, 0);
		put_rand(g, (doff - 5) * 4);
		if (rnd(g, 4) == 0) {
			static const uint8_t get[] = { 'G', 'E', 'T', ' ', '/' };
			putn(g, get, sizeof(get));
		}
		break;
	}
	case 17:
		put16(g, pick_port(g));
		put16(g, pick_port(g));
		put16(g, rnd(g, 8) == 0 ? rnd(g, 8) : 8 + rnd(g, 200));
		put16(g, 0);
		break;
	case 1: {
		static const uint8_t types[] = { 0, 8, 3, 11, 5, 13 };
		put8(g, types[rnd(g, sizeof(types))]);
		put8(g, rnd(g, 4));
		put16(g, 0);
		put32(g, t_rand(g->st));
		break;
	}
	case 58: {
		static const uint8_t types[] = { 128, 129, 135, 136, 1, 2 };
		put8(g, types[rnd(g, sizeof(types))]);
		put8(g, 0);
		put16(g, 0);
		put32(g, 0);
		break;
	}
	default:
		put_rand(g, 8);
	}
	put_rand(g, rnd(g, 3) == 0 ? rnd(g, 1200) : rnd(g, 64));
}

static uint32_t pick_proto(struct gen *g, bool v6)
{
	static const uint8_t p4[] = { 6, 6, 6, 17, 17, 1, 2, 132, 47, 50 };
	static const uint8_t p6[] = { 6, 6, 17, 17, 58, 58, 132 };
	return v6 ? p6[rnd(g, sizeof(p6))] : p4[rnd(g, sizeof(p4))];
}

static void put_ipv4(struct gen *g)
{
	uint32_t start = g->n, ihl = rnd(g, 6) ? 5 : 6 + rnd(g, 4), proto = pick_proto(g, false);
	put8(g, 0x40 | ihl);
	put8(g, rnd(g, 4) ? 0 : rnd(g, 256));
	put16(g, 0); /* total length, patched below */
	put16(g, rnd(g, 65536));
	uint32_t frag = 0;
	switch (rnd(g, 10)) {
	case 0: frag = 0x2000; break;                          /* MF, first fragment */
	case 1: frag = (rnd(g, 3) ? 0 : 0x2000) | (1 + rnd(g, 200)); break; /* later fragment */
	case 2: case 3: frag = 0x4000; break;                  /* DF */
	}
	put16(g, frag);
	put8(g, rnd(g, 3) ? 64 : rnd(g, 256));
	put8(g, proto);
	put16(g, 0);
	put32(g, rnd(g, 4) ? ip4s[rnd(g, sizeof(ip4s) / 4)] : (uint32_t)t_rand(g->st));
	put32(g, rnd(g, 4) ? ip4s[rnd(g, sizeof(ip4s) / 4)] : (uint32_t)t_rand(g->st));
	put_rand(g, (ihl - 5) * 4);
	put_l4(g, proto);
	uint32_t tot = g->n - start;
	if (rnd(g, 16) == 0)
		tot = rnd(g, 2) ? tot + rnd(g, 100) : rnd(g, tot);
	g->p[start + 2] = (uint8_t)(tot >> 8);
	g->p[start + 3] = (uint8_t)tot;
}

static void put_ipv6(struct gen *g)
{
	uint32_t proto = pick_proto(g, true);
	put32(g, 0x60000000 | rnd(g, 1 << 20));
	uint32_t plen_at = g->n;
	put16(g, 0);
	uint32_t ext = rnd(g, 5); /* 0: hop-by-hop, 1: fragment header, else none */
	put8(g, ext == 0 ? 0 : ext == 1 ? 44 : proto);
	put8(g, rnd(g, 3) ? 64 : rnd(g, 256));
	put_ip6(g);
	put_ip6(g);
	uint32_t start = g->n;
	if (ext == 0) {
		put8(g, proto);
		put8(g, 0);
		put_rand(g, 6);
	} else if (ext == 1) {
		put8(g, proto);
		put8(g, 0);
		put16(g, rnd(g, 2) ? 0 : rnd(g, 65536) & ~6u);
		put32(g, t_rand(g->st));
	}
	put_l4(g, proto);
	uint32_t plen = g->n - start;
	g->p[plen_at] = (uint8_t)(plen >> 8);
	g->p[plen_at + 1] = (uint8_t)plen;
}

static void put_arp(struct gen *g)
{
	put16(g, 1);
	put16(g, 0x0800);
	put8(g, 6);
	put8(g, 4);
	put16(g, 1 + rnd(g, 2));
	putn(g, macs[rnd(g, 6)], 6);
	put32(g, ip4s[rnd(g, sizeof(ip4s) / 4)]);
	putn(g, macs[rnd(g, 6)], 6);
	put32(g, ip4s[rnd(g, sizeof(ip4s) / 4)]);
}

void pcapgen_frame(uint64_t *state, uint8_t *buf, uint32_t *caplen, uint32_t *len)
{
	struct gen g = { .st = state, .p = buf };
	putn(&g, macs[rnd(&g, 6)], 6);
	putn(&g, macs[rnd(&g, 6)], 6);
	uint32_t kind = rnd(&g, 100);
	/* VLAN tags in front of some frames */
	if (kind >= 70 && kind < 85) {
		uint32_t tags = 1 + (rnd(&g, 4) == 0);
		static const uint16_t vids[] = { 100, 200, 10, 1, 4095 };
		for (uint32_t t = 0; t < tags; t++) {
			put16(&g, t == 0 && rnd(&g, 3) == 0 ? 0x88a8 : 0x8100);
			put16(&g, (rnd(&g, 8) << 13) | vids[rnd(&g, 5)]);
		}
		kind = rnd(&g, 70);
	}
	if (kind < 35) {
		put16(&g, 0x0800);
		put_ipv4(&g);
	} else if (kind < 55) {
		put16(&g, 0x86dd);
		put_ipv6(&g);
	} else if (kind < 62) {
		put16(&g, rnd(&g, 8) ? 0x0806 : 0x8035);
		put_arp(&g);
	} else if (kind < 66) { /* MPLS: one or two labels, then IPv4 */
		put16(&g, 0x8847);
		uint32_t labels = 1 + rnd(&g, 2);
		static const uint32_t lv[] = { 100, 200, 16 };
		for (uint32_t l = 0; l < labels; l++)
			put32(&g, lv[rnd(&g, 3)] << 12 | (l + 1 == labels ? 0x100 : 0) | 64);
		put_ipv4(&g);
	} else if (kind < 70) { /* 802.3 length + LLC, or another ethertype */
		static const uint16_t et[] = { 0x88cc, 0x809b, 0x6003, 0x8137, 0x80f3, 0x8100 };
		if (rnd(&g, 2)) {
			put16(&g, 40 + rnd(&g, 60));
			static const uint8_t saps[] = { 0x42, 0xaa, 0xe0, 0xf0, 0xfe, 0x06 };
			uint8_t sap = saps[rnd(&g, sizeof(saps))];
			put8(&g, sap);
			put8(&g, sap);
			put8(&g, 3);
		} else {
			put16(&g, et[rnd(&g, 6)]);
		}
		put_rand(&g, 20 + rnd(&g, 60));
	} else {
		put16(&g, 0x0800);
		put_ipv4(&g);
	}
	while (g.n < 60)
		put8(&g, 0);
	*len = g.n;
	*caplen = g.n;
	if (rnd(&g, 16) == 0) /* truncated by a short snapshot */
		*caplen = rnd(&g, g.n + 1);
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int pcapgen_write(const char *path, uint64_t seed, size_t count)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	uint8_t hdr[24] = { 0 };
	le32(hdr, 0xa1b2c3d4);
	hdr[4] = 2;
	hdr[6] = 4;
	le32(hdr + 16, PCAPGEN_SNAPLEN);
	le32(hdr + 20, 1);
	fwrite(hdr, 1, sizeof(hdr), f);
	uint64_t st = seed ? seed : 1;
	uint8_t buf[PCAPGEN_MAX_FRAME + 16];
	for (size_t i = 0; i < count; i++) {
		uint32_t caplen, len;
		pcapgen_frame(&st, buf, &caplen, &len);
		uint8_t ph[16];
		uint64_t us = i;
		le32(ph, (uint32_t)(PCAPGEN_TS_BASE + us / 1000000));
		le32(ph + 4, (uint32_t)(us % 1000000));
		le32(ph + 8, caplen);
		le32(ph + 12, len);
		fwrite(ph, 1, sizeof(ph), f);
		fwrite(buf, 1, caplen, f);
	}
	int err = ferror(f) ? -EIO : 0;
	if (fclose(f))
		err = -EIO;
	return err;
}
