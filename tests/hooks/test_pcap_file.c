/* test_pcap_file.c - the pcap reader's mapped fast path returns exactly what libpcap returns (records, timestamps,
 * the end or the error and its packet index) on savefiles of every byte order and timestamp precision, with odd
 * records mixed in; the writer's output equals pcap_dump()'s byte for byte; a failed write is reported */
#include <errno.h>
#include <signal.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/log.h"
#include "hooks/pcap_file.h"
#include "lib/harness.h"

static char dir[] = "/tmp/bpfvm-test-pcap.XXXXXX";

static void put32(FILE *f, uint32_t v, int swap)
{
	if (swap)
		v = __builtin_bswap32(v);
	fwrite(&v, 4, 1, f);
}

static void put16(FILE *f, uint16_t v, int swap)
{
	if (swap)
		v = __builtin_bswap16(v);
	fwrite(&v, 2, 1, f);
}

enum oddity { ODD_NONE, ODD_OVER_SNAPLEN, ODD_HUGE, ODD_CUT_DATA, ODD_CUT_HEADER, ODD_OLD_VERSION, ODD__COUNT };

/* a savefile of n random records; odd puts one kind of unusual record (or header) at a random place */
static void make_file(const char *path, uint64_t *rng, int swap, int nsec, enum oddity odd, int n)
{
	FILE *f = fopen(path, "wb");
	uint32_t snaplen = 64 + (uint32_t)(t_rand(rng) % 200);
	int where = (int)(t_rand(rng) % (uint64_t)n);
	put32(f, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, swap);
	put16(f, 2, swap);
	put16(f, odd == ODD_OLD_VERSION ? 3 : 4, swap);
	put32(f, 0, swap);
	put32(f, 0, swap);
	put32(f, snaplen, swap);
	put32(f, 1, swap); /* Ethernet */
	for (int i = 0; i < n; i++) {
		uint32_t caplen = (uint32_t)(t_rand(rng) % (snaplen + 1)), len = caplen + (uint32_t)(t_rand(rng) % 100);
		uint32_t sec = (uint32_t)t_rand(rng), frac = (uint32_t)t_rand(rng) % (nsec ? 1000000000u : 1000000u);
		if (t_rand(rng) % 8 == 0)
			frac = (uint32_t)t_rand(rng); /* out of range: passed through as libpcap does */
		if (i == where && odd == ODD_OVER_SNAPLEN)
			caplen = snaplen + 1 + (uint32_t)(t_rand(rng) % 1000);
		if (i == where && odd == ODD_HUGE)
			caplen = 300000;
		if (i == where && odd == ODD_CUT_HEADER) {
			put32(f, sec, swap);
			put32(f, frac, swap);
			break;
		}
		put32(f, sec, swap);
		put32(f, frac, swap);
		put32(f, caplen, swap);
		put32(f, len, swap);
		uint32_t have = i == where && odd == ODD_CUT_DATA ? caplen / 2 : caplen;
		if (odd == ODD_HUGE && i == where)
			have = 10;
		for (uint32_t k = 0; k < have; k++)
			fputc((int)(t_rand(rng) & 0xff), f);
		if (i == where && (odd == ODD_CUT_DATA || odd == ODD_HUGE))
			break;
	}
	fclose(f);
}

/* read the file with bpfvm's reader and with libpcap alone; every record and the ending must agree */
static void compare_readers(const char *path, const char *name)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpfvm_log log = { 0 };
	struct pcapf_reader *r = pcapf_open(path, &log);
	pcap_t *p = pcap_open_offline(path, errbuf);
	if (!r || !p) {
		CHECK(!r && !p, "%s: both refuse the file", name);
		if (r)
			pcapf_close(r);
		if (p)
			pcap_close(p);
		return;
	}
	int idx = 0, bad = 0;
	for (;; idx++) {
		struct pcapf_pkt got;
		struct pcap_pkthdr *h;
		const u_char *data;
		int a = pcapf_next(r, &got), b = pcap_next_ex(p, &h, &data);
		if (a != 1 || b != 1) {
			bad |= !((a == 0 && b == PCAP_ERROR_BREAK) || (a < 0 && b == PCAP_ERROR));
			if (a < 0 && b == PCAP_ERROR) {
				char want[64];
				snprintf(want, sizeof(want), "packet index %d:", idx);
				bad |= !strstr(log.last_error, want) || !strstr(log.last_error, pcap_geterr(p));
			}
			break;
		}
		bad |= got.caplen != h->caplen || got.len != h->len || got.ts_sec != (int64_t)h->ts.tv_sec ||
		       got.ts_usec != (int64_t)h->ts.tv_usec || memcmp(got.data, data, h->caplen) != 0;
		if (bad) {
			fprintf(stderr, "%s: record %d: caplen %u/%u len %u/%u ts %lld.%lld/%lld.%lld\n", name, idx,
				got.caplen, h->caplen, got.len, h->len, (long long)got.ts_sec, (long long)got.ts_usec,
				(long long)h->ts.tv_sec, (long long)h->ts.tv_usec);
			break;
		}
	}
	CHECK(!bad, "%s: %d records and the ending as libpcap's", name, idx);
	pcapf_close(r);
	pcap_close(p);
}

/* the writer, fed the reader's packets (mapped, so written by reference) and copies of them, against pcap_dump */
static void compare_writer(const char *in, const char *name)
{
	char out[300], want[300];
	snprintf(out, sizeof(out), "%s/out.pcap", dir);
	snprintf(want, sizeof(want), "%s/want.pcap", dir);
	struct pcapf_reader *r = pcapf_open(in, NULL);
	struct pcapf_writer *w = r ? pcapf_create(out, pcapf_linktype(r), pcapf_snaplen(r), NULL) : NULL;
	pcap_t *dead = r ? pcap_open_dead(pcapf_linktype(r), pcapf_snaplen(r)) : NULL;
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, want) : NULL;
	if (!w || !d) {
		t_fail("%s: cannot open the writers", name);
		return;
	}
	struct pcapf_pkt pkt;
	uint8_t copy[1 << 16];
	unsigned i = 0;
	while (pcapf_next(r, &pkt) == 1) {
		uint32_t keep = i % 3 == 0 ? (uint32_t)-1 : i % 3 == 1 ? 0 : i % 50; /* socket filter truncation */
		if (i % 2 && pkt.caplen <= sizeof(copy)) {
			memcpy(copy, pkt.data, pkt.caplen);
			pkt.data = copy;
			pkt.mapped = false;
		}
		pcapf_write(w, &pkt, keep);
		struct pcap_pkthdr h = { .caplen = pkt.caplen < keep ? pkt.caplen : keep, .len = pkt.len };
		h.ts.tv_sec = (time_t)pkt.ts_sec;
		h.ts.tv_usec = (suseconds_t)pkt.ts_usec;
		pcap_dump((u_char *)d, &h, pkt.data);
		i++;
	}
	CHECK(pcapf_finish(w, NULL) == 0, "%s: writer finishes", name);
	pcap_dump_close(d);
	pcap_close(dead);
	pcapf_close(r);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", out, want);
	CHECK(system(cmd) == 0, "%s: %u records written as pcap_dump() writes them", name, i);
}

int main(void)
{
	uint64_t rng = t_seed("test_pcap_file");
	if (!mkdtemp(dir)) {
		t_fail("mkdtemp: %s", strerror(errno));
		return t_done();
	}
	char path[300];
	snprintf(path, sizeof(path), "%s/in.pcap", dir);
	static const char *const odd_names[] = { "plain", "caplen over snaplen", "caplen over 262144", "cut data",
						 "cut header", "version 2.3" };
	for (int round = 0; round < 4; round++)
		for (int swap = 0; swap < 2; swap++)
			for (int nsec = 0; nsec < 2; nsec++)
				for (int odd = 0; odd < ODD__COUNT; odd++) {
					char name[128];
					snprintf(name, sizeof(name), "%s %s %s #%d", swap ? "swapped" : "native",
						 nsec ? "nsec" : "usec", odd_names[odd], round);
					make_file(path, &rng, swap, nsec, (enum oddity)odd, 1 + (int)(t_rand(&rng) % 300));
					compare_readers(path, name);
					if (odd == ODD_NONE)
						compare_writer(path, name);
				}

	/* a write that fails (a full device) is reported at the end, not lost */
	struct bpfvm_log log = { 0 };
	struct pcapf_writer *w = pcapf_create("/dev/full", 1, 65535, &log);
	if (w) {
		static uint8_t big[60000];
		struct pcapf_pkt pkt = { .data = big, .caplen = sizeof(big), .len = sizeof(big) };
		for (int i = 0; i < 100; i++)
			pcapf_write(w, &pkt, (uint32_t)-1);
		int err = pcapf_finish(w, &log);
		CHECK(err == -EIO && strstr(log.last_error, "/dev/full: write error"), "write to /dev/full: %s",
		      log.last_error);
	} else {
		CHECK(strstr(log.last_error, "/dev/full") != NULL, "write to /dev/full refused at open: %s",
		      log.last_error);
	}
	/* a write that fails in the background thread (the pipe's reader gone) is reported by pcapf_finish */
	int fds[2];
	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds) == 0) {
		char fdpath[64];
		snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fds[1]);
		struct bpfvm_log plog = { 0 };
		w = pcapf_create(fdpath, 1, 65535, &plog);
		close(fds[0]);
		if (w) {
			static uint8_t big[60000];
			struct pcapf_pkt pkt = { .data = big, .caplen = sizeof(big), .len = sizeof(big), .mapped = true };
			for (int i = 0; i < 100; i++)
				pcapf_write(w, &pkt, (uint32_t)-1);
			int err = pcapf_finish(w, &plog);
			CHECK(err == -EIO && strstr(plog.last_error, "write error"), "broken pipe reported: %s",
			      plog.last_error);
		} else {
			t_fail("cannot open %s: %s", fdpath, plog.last_error);
		}
		close(fds[1]);
	}
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		t_fail("cannot remove %s", dir);
	return t_done();
}
