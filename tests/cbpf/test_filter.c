/* test_filter.c - filtering equivalence: the packets `tcpdump -r FILE EXPR` matches are the ones bpfvm matches, on
 * every engine (classic interpreter, libpcap-semantics mode, eBPF interpreter, JIT), for every test expression */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cbpf/cbpf.h"
#include "cbpf/engine.h"
#include "cbpf/expr.h"
#include "hooks/pcap_file.h"
#include "lib/harness.h"
#include "lib/pcapgen.h"

struct pkt {
	uint8_t *data;
	uint32_t caplen, len;
};

/* indices tcpdump matches, from the timestamps of what `tcpdump -w -` writes (packet i has PCAPGEN_TS_BASE + i us);
 * its printed lines would miss packets with caplen 0 */
static uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int tcpdump_matches(const char *file, const char *expr, uint8_t *hit, size_t n)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "tcpdump -r %s -w - '%s' 2>/dev/null", file, expr);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -errno;
	static uint8_t buf[1 << 17];
	uint8_t hdr[24], ph[16];
	memset(hit, 0, n);
	int bad = fread(hdr, 1, sizeof(hdr), p) != sizeof(hdr);
	while (!bad && fread(ph, 1, sizeof(ph), p) == sizeof(ph)) {
		uint32_t caplen = rd32le(ph + 8);
		if (caplen > sizeof(buf) || fread(buf, 1, caplen, p) != caplen) {
			bad = 1;
			break;
		}
		unsigned long long idx = (unsigned long long)(rd32le(ph) - PCAPGEN_TS_BASE) * 1000000 + rd32le(ph + 4);
		if (idx < n)
			hit[idx] = 1;
	}
	int st = pclose(p);
	return st == 0 && !bad ? 0 : -EINVAL;
}

static size_t load_packets(const char *file, struct pkt **out)
{
	struct pcapf_reader *r = pcapf_open(file, NULL);
	struct pcapf_pkt pp;
	size_t n = 0, cap = 1024;
	struct pkt *v = malloc(cap * sizeof(*v));
	while (r && pcapf_next(r, &pp) == 1) {
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[n].data = malloc(pp.caplen ? pp.caplen : 1);
		memcpy(v[n].data, pp.data, pp.caplen);
		v[n].caplen = pp.caplen;
		v[n].len = pp.len;
		n++;
	}
	pcapf_close(r);
	*out = v;
	return n;
}

int main(void)
{
	if (system("command -v tcpdump >/dev/null 2>&1") != 0) {
		t_skip("filter-vs-tcpdump: tcpdump is not installed");
		return t_done();
	}
	uint64_t seed = t_seed("test_filter");
	long npk = t_env_count("BPFVM_CBPF_PACKETS", t_sanitized() ? 1000 : 3000);
	char file[] = "/tmp/bpfvm-cbpf-filter-XXXXXX";
	int fd = mkstemp(file);
	if (fd < 0) {
		t_fail("mkstemp: %s", strerror(errno));
		return t_done();
	}
	close(fd);
	if (pcapgen_write(file, seed, (size_t)npk)) {
		t_fail("pcapgen_write failed");
		return t_done();
	}
	struct pkt *pk;
	size_t n = load_packets(file, &pk);
	CHECK(n == (size_t)npk, "generated pcap reads back (%zu packets)", n);

	FILE *ef = fopen("tests/data/cbpf_exprs.txt", "r");
	if (!ef) {
		t_fail("tests/data/cbpf_exprs.txt: %s", strerror(errno));
		return t_done();
	}
	uint8_t *want = malloc(n);
	char expr[1024];
	int nexpr = 0, agree = 0, ebpf_skipped = 0;
	const enum cbpf_engine ebpf_engines[] = { CBPF_ENGINE_INTERP, CBPF_ENGINE_JIT };
	while (fgets(expr, sizeof(expr), ef)) {
		expr[strcspn(expr, "\n")] = '\0';
		if (!expr[0] || expr[0] == '#')
			continue;
		nexpr++;
		struct bpfvm_log log = { 0 };
		struct sock_filter *prog;
		size_t len;
		if (tcpdump_matches(file, expr, want, n)) {
			/* inbound, outbound, ifindex: packet metadata a savefile does not have */
			t_skip("filter '%s': tcpdump refuses it on a savefile", expr);
			continue;
		}
		if (cbpf_compile(expr, 1, PCAPGEN_SNAPLEN, &prog, &len, &log)) {
			t_fail("filter '%s': %s", expr, log.last_error);
			continue;
		}
		/* libpcap's protochain code jumps backwards: the kernel refuses it, libpcap's semantics still run it */
		struct bpfvm_log vlog = { 0 };
		bool kernel_ok = cbpf_validate(prog, len, CBPF_CHECK_KERNEL, &vlog) == 0;
		if (!kernel_ok && !cbpf_pcap_bpf_validate(prog, len)) {
			t_fail("filter '%s': rejected by both validators: %s", expr, vlog.last_error);
			free(prog);
			continue;
		}
		struct cbpf_filter *ef_[2] = { 0 };
		for (int e = 0; e < 2; e++) {
			ef_[e] = cbpf_filter__new(prog, len, ebpf_engines[e], &log);
			if (!ef_[e] && errno == ENOTSUP && nexpr == 1)
				ebpf_skipped++;
		}
		size_t matched = 0, bad = 0;
		const char *who = "";
		for (size_t i = 0; i < n && !bad; i++) {
			struct cbpf_skb skb;
			cbpf_skb_init(&skb, 1, pk[i].data, pk[i].caplen, pk[i].len);
			uint32_t k = cbpf_run(prog, len, &skb, 0);
			uint32_t p = cbpf_run(prog, len, &skb, CBPF_RUN_PCAP);
			uint32_t l = cbpf_pcap_bpf_filter(prog, pk[i].data, pk[i].len, pk[i].caplen);
			matched += want[i];
			if (!kernel_ok)
				k = p;
			if ((k != 0) != want[i])
				who = "classic interpreter", bad = i + 1;
			else if (p != l)
				who = "classic interpreter (libpcap mode) vs bpf_filter()", bad = i + 1;
			else if ((l != 0) != want[i])
				who = "bpf_filter()", bad = i + 1;
			for (int e = 0; e < 2 && !bad; e++) {
				uint32_t r;
				if (ef_[e] && (cbpf_filter__run(ef_[e], &skb, &r) || r != k))
					who = cbpf_engine_name(ebpf_engines[e]), bad = i + 1;
			}
		}
		if (bad)
			t_fail("filter '%s': %s disagrees with tcpdump on packet index %zu", expr, who, bad - 1);
		else if (kernel_ok)
			t_pass("filter '%s' (%zu of %zu packets match)", expr, matched, n);
		else
			t_pass("filter '%s' (%zu of %zu packets match; libpcap semantics only, the kernel validator says "
			       "'%s')", expr, matched, n, vlog.last_error);
		agree += !bad;
		cbpf_filter__free(ef_[0]);
		cbpf_filter__free(ef_[1]);
		free(prog);
	}
	fclose(ef);
	if (ebpf_skipped)
		t_skip("eBPF interpreter/JIT engines: not in this build yet");
	printf("FIGURE filter == tcpdump -r: %d/%d expressions on %zu packets (seed %llu)\n", agree, nexpr, n,
	       (unsigned long long)seed);
	for (size_t i = 0; i < n; i++)
		free(pk[i].data);
	free(pk);
	free(want);
	unlink(file);
	return t_done();
}
