/* cbpf_bench.c - classic filters over a generated capture: libpcap's bpf_filter() vs bpfvm's classic interpreter,
 * eBPF interpreter and JIT (packets/s, one process), then the whole `bpfvm cbpf filter` command vs `tcpdump -r -w`
 * on the same file with the output files compared. BENCH_PACKETS sets the capture size (default 1,000,000). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cbpf/cbpf.h"
#include "cbpf/engine.h"
#include "cbpf/expr.h"
#include "hooks/pcap_file.h"
#include "lib/pcapgen.h"

static const char *const filters[] = {
	"tcp",
	"udp port 53",
	"ip and not icmp",
	"host 10.0.0.1",
	"net 192.168.0.0/16 and tcp",
	"tcp[tcpflags] & tcp-syn != 0",
	"portrange 1000-2000",
	"vlan and tcp",
	"ip6 and udp",
	"len > 500 and (tcp or udp)",
};
#define NFILTERS (sizeof(filters) / sizeof(filters[0]))

struct capture {
	struct cbpf_skb *skbs;
	uint8_t *bytes;
	size_t n;
	int dlt;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int load_capture(const char *path, struct capture *c)
{
	struct bpfvm_log log = { 0 };
	struct pcapf_reader *r = pcapf_open(path, &log);
	struct pcapf_pkt p;
	size_t cap = 1 << 16, used = 0, bcap = 1 << 26;
	int err;

	if (!r)
		return -errno;
	c->dlt = pcapf_linktype(r);
	c->skbs = malloc(cap * sizeof(*c->skbs));
	c->bytes = malloc(bcap);
	c->n = 0;
	while (c->skbs && c->bytes && (err = pcapf_next(r, &p)) == 1) {
		if (c->n == cap)
			c->skbs = realloc(c->skbs, (cap *= 2) * sizeof(*c->skbs));
		if (used + p.caplen > bcap)
			c->bytes = realloc(c->bytes, bcap *= 2);
		if (!c->skbs || !c->bytes)
			break;
		memcpy(c->bytes + used, p.data, p.caplen);
		c->skbs[c->n].caplen = p.caplen; /* the packet's metadata once the buffer stops moving */
		c->skbs[c->n].len = p.len;
		used += p.caplen;
		c->n++;
	}
	pcapf_close(r);
	if (!c->skbs || !c->bytes)
		return -ENOMEM;
	used = 0;
	for (size_t i = 0; i < c->n; i++) {
		uint32_t caplen = c->skbs[i].caplen, len = c->skbs[i].len;
		cbpf_skb_init(&c->skbs[i], c->dlt, c->bytes + used, caplen, len);
		used += caplen;
	}
	return 0;
}

/* packets/s of one engine over the capture (the best of 3 passes), and the number it matched; -1 if it fails */
static double run_engine(const struct capture *c, const struct sock_filter *prog, size_t len, int engine,
			 size_t *matched)
{
	struct bpfvm_log log = { 0 };
	struct cbpf_filter *f = engine >= 0 ? cbpf_filter__new(prog, len, (enum cbpf_engine)engine, &log) : NULL;
	double best = -1;

	if (engine >= 0 && !f)
		return -1;
	for (int pass = 0; pass < 3; pass++) {
		uint32_t rets[256];
		size_t m = 0, failed;
		double t0 = now_s();
		if (f) { /* bpfvm: batches (cbpf_filter__run_batch), as the cbpf filter command runs them */
			for (size_t i = 0; i < c->n; i += 256) {
				size_t k = c->n - i < 256 ? c->n - i : 256;
				if (cbpf_filter__run_batch(f, &c->skbs[i], k, rets, &failed)) {
					cbpf_filter__free(f);
					return -1;
				}
				for (size_t j = 0; j < k; j++)
					m += rets[j] != 0;
			}
		} else { /* libpcap: one call per packet, as tcpdump makes them */
			for (size_t i = 0; i < c->n; i++)
				m += cbpf_pcap_bpf_filter(prog, c->skbs[i].data, c->skbs[i].len, c->skbs[i].caplen) != 0;
		}
		double pps = (double)c->n / (now_s() - t0);
		best = pps > best ? pps : best;
		*matched = m;
	}
	cbpf_filter__free(f);
	return best;
}

/*
 * The floor under every engine: packets/s of a loop that only reads what any filter must (each packet's record,
 * and its EtherType at offset 12, which every filter here loads first), without a software prefetch or with one
 * 8, 16 or 32 packets ahead, whichever is fastest. No engine can filter this capture faster than its memory
 * delivers it.
 */
static double run_touch(const struct capture *c)
{
	double best = 0;
	for (size_t ahead = 0; ahead <= 32; ahead = ahead ? ahead * 2 : 8) {
		uint64_t sum = 0;
		double t0 = now_s();
		for (size_t i = 0; i < c->n; i++) {
			if (ahead && i + ahead < c->n)
				__builtin_prefetch(c->skbs[i + ahead].data + 12);
			sum += c->skbs[i].len + (c->skbs[i].caplen > 12 ? c->skbs[i].data[12] : 0);
		}
		double pps = (double)c->n / (now_s() - t0);
		__asm__ volatile("" : : "r"(sum));
		best = pps > best ? pps : best;
	}
	return best;
}

/* wall time of a shell command, the best of 3 runs (writing the page cache out makes single runs noisy), or -1
 * if it failed */
static double time_cmd(const char *cmd)
{
	double best = -1;
	for (int i = 0; i < 3; i++) {
		double t0 = now_s();
		if (system(cmd) != 0)
			return -1;
		double t = now_s() - t0;
		best = best < 0 || t < best ? t : best;
	}
	return best;
}

int main(void)
{
	const char *env = getenv("BENCH_PACKETS");
	size_t count = env ? strtoull(env, NULL, 0) : 1000000;
	char dir[] = "/tmp/bpfvm-cbpf-bench.XXXXXX", path[256], cmd[1024];
	struct capture c = { 0 };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/in.pcap", dir);
	if (pcapgen_write(path, 1, count) || load_capture(path, &c)) {
		fprintf(stderr, "bench: cannot make the capture %s\n", path);
		return 1;
	}
	printf("%zu generated packets (tests/lib/pcapgen, seed 1); Mpackets/s (best of 3 passes), one process; ratios: JIT "
	       "vs libpcap\n", c.n);
	printf("%-30s %9s %9s %9s %9s %9s  %s\n", "filter", "bpf_filt", "cbpf", "interp", "jit", "jit/lib", "matched");
	double lg = 0;
	int k = 0;
	for (size_t i = 0; i < NFILTERS; i++) {
		struct sock_filter *prog;
		size_t len, m[4];
		struct bpfvm_log log = { 0 };
		if (cbpf_compile(filters[i], c.dlt, 262144, &prog, &len, &log)) {
			printf("%-30s %s\n", filters[i], log.last_error);
			continue;
		}
		double pps[4] = { run_engine(&c, prog, len, -1, &m[0]), run_engine(&c, prog, len, CBPF_ENGINE_CBPF, &m[1]),
				  run_engine(&c, prog, len, CBPF_ENGINE_INTERP, &m[2]),
				  run_engine(&c, prog, len, CBPF_ENGINE_JIT, &m[3]) };
		bool same = m[0] == m[1] && m[1] == m[2] && m[2] == m[3];
		printf("%-30s %9.1f %9.1f %9.1f %9.1f %8.2fx  %zu%s\n", filters[i], pps[0] / 1e6, pps[1] / 1e6,
		       pps[2] / 1e6, pps[3] / 1e6, pps[3] / pps[0], m[3], same ? "" : "  (engines disagree!)");
		if (pps[0] > 0 && pps[3] > 0) {
			lg += __builtin_log(pps[3] / pps[0]);
			k++;
		}
		free(prog);
	}
	printf("geomean: JIT %.2fx libpcap's bpf_filter() per packet (%d filters)\n", k ? __builtin_exp(lg / k) : 0, k);
	double floor_pps = run_touch(&c), lib_pps = 0;
	size_t lib_m;
	struct sock_filter *tcp_prog;
	size_t tcp_len;
	struct bpfvm_log tlog = { 0 };
	if (!cbpf_compile("tcp", c.dlt, 262144, &tcp_prog, &tcp_len, &tlog)) {
		lib_pps = run_engine(&c, tcp_prog, tcp_len, -1, &lib_m);
		free(tcp_prog);
	}
	printf("memory floor (only each packet's record and EtherType read, no filter): %.1f Mpackets/s, %.2fx "
	       "bpf_filter() on 'tcp': the most any engine could gain here\n", floor_pps / 1e6,
	       lib_pps > 0 ? floor_pps / lib_pps : 0);
	printf("FIGURE cbpf memory floor: %.2fx bpf_filter() at most over %zu packets\n",
	       lib_pps > 0 ? floor_pps / lib_pps : 0, c.n);

	/* the whole command against tcpdump on the same file, output files compared */
	printf("\n%-30s %10s %10s %8s  %s\n", "command (whole file)", "tcpdump s", "bpfvm s", "speedup", "output");
	lg = 0;
	k = 0;
	const char *bpfvm = getenv("BPFVM") ? getenv("BPFVM") : "build/bpfvm";
	for (size_t i = 0; i < NFILTERS; i++) {
		snprintf(cmd, sizeof(cmd), "tcpdump -n -r %s -w %s/want.pcap '%s' 2>/dev/null", path, dir, filters[i]);
		double td = time_cmd(cmd);
		snprintf(cmd, sizeof(cmd), "%s cbpf filter '%s' -r %s -w %s/got.pcap --engine jit >/dev/null 2>&1", bpfvm,
			 filters[i], path, dir);
		double tb = time_cmd(cmd);
		snprintf(cmd, sizeof(cmd), "cmp -s %s/want.pcap %s/got.pcap", dir, dir);
		bool same = td > 0 && tb > 0 && system(cmd) == 0;
		if (td < 0 || tb < 0) {
			printf("%-30s %s\n", filters[i], td < 0 ? "tcpdump not available" : "bpfvm failed");
			continue;
		}
		printf("%-30s %10.3f %10.3f %7.2fx  %s\n", filters[i], td, tb, td / tb, same ? "identical" : "DIFFERENT");
		lg += __builtin_log(td / tb);
		k++;
	}
	if (k)
		printf("geomean: `bpfvm cbpf filter` %.2fx faster than `tcpdump -r -w` (%d filters)\n",
		       __builtin_exp(lg / k), k);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "bench: could not remove %s\n", dir);
	free(c.skbs);
	free(c.bytes);
	return 0;
}
