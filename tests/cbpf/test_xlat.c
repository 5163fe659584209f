/* test_xlat.c - translation correctness on generated (program, packet) pairs: classic interpreter == translated eBPF
 * on bpfvm's interpreter and JIT, the libpcap-semantics mode == libpcap's own bpf_filter(), and the live kernel's
 * classic BPF (SO_ATTACH_FILTER on a unix datagram socket) == bpfvm's where the kernel can be asked */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf/cbpf.h"
#include "cbpf/engine.h"
#include "cbpf/expr.h"
#include "isa/opcodes.h"
#include "lib/harness.h"
#include "lib/pcapgen.h"

#define MAX_LEN 48

static uint32_t rnd(uint64_t *st, uint32_t bound)
{
	return (uint32_t)(t_rand(st) % bound);
}

/* a packet offset: mostly inside a frame, sometimes just past it, sometimes far or negative */
static uint32_t pick_off(uint64_t *st, bool kernel)
{
	switch (rnd(st, 16)) {
	case 0: return (uint32_t)t_rand(st);
	case 1: return 1500 + rnd(st, 200);
	case 2: return kernel ? (uint32_t)(SKF_NET_OFF + (int32_t)rnd(st, 64)) : rnd(st, 64);
	case 3: return kernel ? (uint32_t)(SKF_LL_OFF + (int32_t)rnd(st, 64)) : rnd(st, 64);
	default: return rnd(st, 80);
	}
}

static uint32_t pick_k(uint64_t *st)
{
	static const uint32_t ks[] = { 0, 1, 2, 4, 6, 0x800, 0x86dd, 0xff, 0xffff, 0x80000000, 0xffffffff, 0x1fff, 31 };
	return rnd(st, 3) ? ks[rnd(st, sizeof(ks) / sizeof(ks[0]))] : (uint32_t)t_rand(st);
}

/* a random classic program the kernel's rules admit (may still fail M[] checks; the caller retries) */
static size_t gen_prog(uint64_t *st, struct sock_filter *f, bool ancillary)
{
	static const uint16_t alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND, BPF_OR, BPF_XOR,
					    BPF_LSH, BPF_RSH };
	static const uint16_t jmp_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	static const uint16_t sizes[] = { BPF_W, BPF_H, BPF_B };
	size_t len = 2 + rnd(st, MAX_LEN - 1);
	uint16_t written = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		struct sock_filter *p = &f[i];
		memset(p, 0, sizeof(*p));
		size_t left = len - i - 1; /* instructions after this one */
		switch (rnd(st, 14)) {
		case 0: case 1:
			p->code = BPF_LD | BPF_ABS | sizes[rnd(st, 3)];
			p->k = pick_off(st, true);
			if (ancillary && rnd(st, 4) == 0)
				p->k = (uint32_t)SKF_AD_OFF + 4 * rnd(st, SKF_AD_MAX / 4);
			if (p->k - (uint32_t)SKF_AD_OFF < SKF_AD_MAX &&
			    ((p->k & 3) || p->k == (uint32_t)(SKF_AD_OFF + SKF_AD_NLATTR) ||
			     p->k == (uint32_t)(SKF_AD_OFF + SKF_AD_NLATTR_NEST)))
				p->k = 12; /* not translatable (NLATTR) or unknown: an ordinary load instead */
			break;
		case 2:
			p->code = BPF_LD | BPF_IND | sizes[rnd(st, 3)];
			p->k = rnd(st, 4) ? rnd(st, 64) : pick_off(st, true);
			break;
		case 3:
			p->code = rnd(st, 2) ? BPF_LDX | BPF_MSH | BPF_B : BPF_LDX | BPF_IMM;
			p->k = BPF_MODE(p->code) == BPF_MSH ? pick_off(st, true) : (rnd(st, 2) ? rnd(st, 40) : pick_k(st));
			break;
		case 4:
			p->code = rnd(st, 2) ? BPF_LD | BPF_IMM : (rnd(st, 2) ? BPF_LD | BPF_W | BPF_LEN : BPF_LDX | BPF_W | BPF_LEN);
			p->k = pick_k(st);
			if (BPF_MODE(p->code) == BPF_LEN)
				p->k = 0;
			break;
		case 5:
			p->code = rnd(st, 2) ? BPF_ST : BPF_STX;
			p->k = rnd(st, BPF_MEMWORDS);
			written |= (uint16_t)(1u << p->k);
			break;
		case 6:
			if (written) {
				uint32_t c;
				do
					c = rnd(st, BPF_MEMWORDS);
				while (!(written & (1u << c)));
				p->code = rnd(st, 2) ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM;
				p->k = c;
			} else {
				p->code = BPF_MISC | BPF_TAX;
			}
			break;
		case 7: case 8: {
			uint16_t op = alu_ops[rnd(st, sizeof(alu_ops) / sizeof(alu_ops[0]))];
			bool x = rnd(st, 2);
			p->code = BPF_ALU | op | (x ? BPF_X : BPF_K);
			p->k = x ? 0 : pick_k(st);
			if (!x && (op == BPF_LSH || op == BPF_RSH))
				p->k &= 31;
			if (!x && (op == BPF_DIV || op == BPF_MOD) && p->k == 0)
				p->k = 3;
			if (rnd(st, 20) == 0)
				p->code = BPF_ALU | BPF_NEG, p->k = 0;
			break;
		}
		case 9:
			p->code = BPF_MISC | (rnd(st, 2) ? BPF_TAX : BPF_TXA);
			break;
		case 10: case 11: {
			bool x = rnd(st, 3) == 0;
			p->code = BPF_JMP | jmp_ops[rnd(st, 4)] | (x ? BPF_X : BPF_K);
			p->k = x ? 0 : pick_k(st);
			p->jt = (uint8_t)rnd(st, (uint32_t)(left < 8 ? left : 8));
			p->jf = (uint8_t)rnd(st, (uint32_t)(left < 8 ? left : 8));
			break;
		}
		case 12:
			if (left > 1) {
				p->code = BPF_JMP | BPF_JA;
				p->k = rnd(st, (uint32_t)(left < 5 ? left : 5));
			} else {
				p->code = BPF_MISC | BPF_TXA;
			}
			break;
		default:
			p->code = rnd(st, 2) ? BPF_RET | BPF_A : BPF_RET | BPF_K;
			p->k = rnd(st, 2) ? 0 : pick_k(st);
			if (BPF_RVAL(p->code) == BPF_A)
				p->k = 0;
		}
	}
	f[len - 1] = (struct sock_filter){ .code = rnd(st, 2) ? BPF_RET | BPF_A : BPF_RET | BPF_K, .k = 0xffff };
	return len;
}

/* a packet: a generated frame, or random bytes */
/*
 * The kernel's verdict: the program attached to the receiving end of a unix datagram socketpair, where a socket
 * filter sees the datagram as its packet (no link layer, no metadata). Only programs without ancillary loads,
 * negative offsets or indirect loads (whose offsets may turn negative) are asked: for the rest the kernel's skb
 * differs from bpfvm's stand-in by design.
 */
struct kernel_sock {
	int fd[2];
	bool usable;
	char why[128];
};

static bool kernel_comparable(const struct sock_filter *f, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint16_t cls = BPF_CLASS(f[i].code), mode = BPF_MODE(f[i].code);
		if ((cls == BPF_LD || cls == BPF_LDX) && mode == BPF_IND)
			return false;
		if (((cls == BPF_LD && mode == BPF_ABS) || (cls == BPF_LDX && mode == BPF_MSH)) && (int32_t)f[i].k < 0)
			return false;
	}
	return true;
}

static int kernel_attach(struct kernel_sock *ks, struct sock_filter *f, size_t len)
{
	struct sock_fprog fp = { .len = (unsigned short)len, .filter = f };
	return setsockopt(ks->fd[1], SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) ? -errno : 0;
}

/* the bytes the kernel lets through (0: dropped), or a negative errno */
static long kernel_filter(struct kernel_sock *ks, const uint8_t *pkt, uint32_t len)
{
	static uint8_t rbuf[65536];
	if (send(ks->fd[0], pkt, len, 0) != (ssize_t)len)
		return -errno;
	ssize_t n = recv(ks->fd[1], rbuf, sizeof(rbuf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n ? n : (len ? -EIO : 0); /* an empty datagram passes as 0 bytes: the same as dropped here */
}

static void gen_skb(uint64_t *st, uint8_t *buf, struct cbpf_skb *skb, bool meta)
{
	uint32_t caplen, len;
	if (rnd(st, 4)) {
		pcapgen_frame(st, buf, &caplen, &len);
	} else {
		len = caplen = rnd(st, 100);
		for (uint32_t i = 0; i < caplen; i++)
			buf[i] = (uint8_t)t_rand(st);
	}
	cbpf_skb_init(skb, 1, buf, caplen, len);
	if (meta) {
		skb->has_meta = 1;
		skb->has_dev = rnd(st, 8) != 0;
		skb->pkttype = (uint8_t)rnd(st, 8);
		skb->ifindex = (uint32_t)t_rand(st);
		skb->hatype = (uint16_t)t_rand(st);
		skb->mark = (uint32_t)t_rand(st);
		skb->queue = (uint16_t)t_rand(st);
		skb->hash = (uint32_t)t_rand(st);
		skb->cpu = rnd(st, 64);
		skb->random = (uint32_t)t_rand(st);
		skb->pay_off = rnd(st, 80);
		skb->vlan_present = (uint8_t)rnd(st, 2);
		skb->vlan_tci = (uint16_t)t_rand(st);
		skb->vlan_proto = (uint16_t)t_rand(st);
		skb->protocol = (uint16_t)t_rand(st);
		skb->net_off = rnd(st, 30);
	}
}

int main(void)
{
	uint64_t st = t_seed("test_xlat");
	long pairs = t_env_count("BPFVM_CBPF_PAIRS", t_sanitized() ? 4000 : 20000);
	const long per_prog = 10;
	long progs = 0, ran = 0, pcap_cmp = 0, ebpf_cmp[2] = { 0, 0 };
	long bad_pcap = 0, bad_ebpf = 0, bad_check = 0, retries = 0, batch_cmp = 0, bad_batch = 0;
	bool ebpf_available[2] = { true, true };
	const enum cbpf_engine engines[2] = { CBPF_ENGINE_INTERP, CBPF_ENGINE_JIT };
	static uint8_t bufs[10][PCAPGEN_MAX_FRAME + 16]; /* one per packet of a program: they run again as a batch */
	struct cbpf_skb skbs[10];
	uint32_t want[10];
	struct sock_filter prog[MAX_LEN];
	char first_bad[512] = "";
	struct kernel_sock ks = { .usable = true };
	long kernel_cmp = 0, kernel_progs = 0, bad_kernel = 0;
	char first_kbad[512] = "";
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, ks.fd)) {
		ks.usable = false;
		snprintf(ks.why, sizeof(ks.why), "socketpair: %s", strerror(errno));
	}

	while (ran < pairs) {
		bool meta = rnd(&st, 3) == 0;
		size_t len = gen_prog(&st, prog, meta);
		if (cbpf_validate(prog, len, CBPF_CHECK_KERNEL, NULL)) {
			retries++;
			continue;
		}
		progs++;
		struct bpf_insn *ebpf;
		size_t cnt;
		struct bpfvm_log log = { 0 };
		if (cbpf_to_ebpf(prog, len, &ebpf, &cnt, &log) || bpfvm_insns_check(ebpf, cnt, &log)) {
			if (!bad_check++)
				snprintf(first_bad, sizeof(first_bad), "translation of program %ld: %.400s", progs, log.last_error);
			continue;
		}
		free(ebpf);
		struct cbpf_filter *ef[2] = { 0 };
		for (int e = 0; e < 2; e++)
			if (ebpf_available[e] && !(ef[e] = cbpf_filter__new(prog, len, engines[e], &log)) && errno == ENOTSUP)
				ebpf_available[e] = false;
		bool pcap_ok = cbpf_pcap_bpf_validate(prog, len);
		bool kernel_ok = ks.usable && !meta && kernel_comparable(prog, len);
		if (kernel_ok) {
			int kerr = kernel_attach(&ks, prog, len);
			if (kerr == -EPERM || kerr == -ENOPROTOOPT) {
				ks.usable = kernel_ok = false;
				snprintf(ks.why, sizeof(ks.why), "SO_ATTACH_FILTER: %s", strerror(-kerr));
			} else if (kerr) {
				kernel_ok = false; /* the kernel refuses a program bpfvm's validator admits */
				if (!bad_kernel++)
					snprintf(first_kbad, sizeof(first_kbad), "program %ld: the kernel refuses it: %s", progs,
						 strerror(-kerr));
			} else {
				kernel_progs++;
			}
		}
		long j;
		for (j = 0; j < per_prog && ran < pairs; j++, ran++) {
			struct cbpf_skb skb;
			gen_skb(&st, bufs[j], &skb, meta);
			uint32_t k = cbpf_run(prog, len, &skb, 0);
			skbs[j] = skb;
			want[j] = k;
			if (pcap_ok) {
				uint32_t p = cbpf_run(prog, len, &skb, CBPF_RUN_PCAP);
				uint32_t l = cbpf_pcap_bpf_filter(prog, skb.data, skb.len, skb.caplen);
				pcap_cmp++;
				if (p != l && !bad_pcap++)
					snprintf(first_bad, sizeof(first_bad), "program %ld packet %ld: libpcap mode %u, bpf_filter %u",
						 progs, j, p, l);
			}
			if (kernel_ok) {
				/* a datagram: every byte present, the socket filter's truncation to A bytes */
				struct cbpf_skb dg;
				cbpf_skb_init(&dg, 1, skb.data, skb.caplen, skb.caplen);
				dg.net_off = 0;
				uint32_t want = cbpf_run(prog, len, &dg, 0);
				uint64_t keep = want < dg.len ? want : dg.len;
				long got = kernel_filter(&ks, dg.data, dg.len);
				kernel_cmp++;
				if ((got < 0 || (uint64_t)got != keep) && !bad_kernel++)
					snprintf(first_kbad, sizeof(first_kbad), "program %ld packet %ld (%u bytes): bpfvm keeps %llu, "
						 "the kernel %ld", progs, j, dg.len, (unsigned long long)keep, got);
			}
			for (int e = 0; e < 2; e++) {
				uint32_t r;
				if (!ef[e])
					continue;
				ebpf_cmp[e]++;
				if ((cbpf_filter__run(ef[e], &skb, &r) || r != k) && !bad_ebpf++)
					snprintf(first_bad, sizeof(first_bad), "program %ld packet %ld: classic %u, eBPF %s %u",
						 progs, j, k, cbpf_engine_name(engines[e]), r);
			}
		}
		for (int e = 0; e < 2; e++) { /* the same packets as one batch (cbpf_filter__run_batch) */
			uint32_t rets[10];
			size_t failed;
			if (!ef[e])
				continue;
			batch_cmp += j;
			if ((cbpf_filter__run_batch(ef[e], skbs, (size_t)j, rets, &failed) || memcmp(rets, want, j * 4)) &&
			    !bad_batch++)
				snprintf(first_bad, sizeof(first_bad), "program %ld: a batch on %s differs from the classic "
					 "interpreter", progs, cbpf_engine_name(engines[e]));
		}
		cbpf_filter__free(ef[0]);
		cbpf_filter__free(ef[1]);
	}
	CHECK(bad_check == 0, "every translation passes bpfvm_insns_check (%ld programs)%s%s", progs,
	      bad_check ? ": " : "", bad_check ? first_bad : "");
	CHECK(bad_pcap == 0, "libpcap-semantics interpreter == libpcap bpf_filter() on %ld pairs%s%s", pcap_cmp,
	      bad_pcap ? ": " : "", bad_pcap ? first_bad : "");
	for (int e = 0; e < 2; e++) {
		if (!ebpf_available[e])
			t_skip("classic == translated eBPF on %s: engine not in this build yet", cbpf_engine_name(engines[e]));
		else
			CHECK(bad_ebpf == 0, "classic interpreter == translated eBPF on %s (%ld pairs)%s%s",
			      cbpf_engine_name(engines[e]), ebpf_cmp[e], bad_ebpf ? ": " : "", bad_ebpf ? first_bad : "");
	}
	CHECK(bad_batch == 0, "batches of a program's packets == the classic interpreter (%ld pairs)%s%s", batch_cmp,
	      bad_batch ? ": " : "", bad_batch ? first_bad : "");
	if (!ks.usable && !kernel_cmp)
		t_skip("classic programs vs the kernel's SO_ATTACH_FILTER: %s", ks.why);
	else
		CHECK(bad_kernel == 0, "the kernel's socket filter keeps what bpfvm's classic interpreter keeps (%ld pairs, "
		      "%ld programs)%s%s", kernel_cmp, kernel_progs, bad_kernel ? ": " : "", bad_kernel ? first_kbad : "");
	printf("FIGURE cbpf vs kernel SO_ATTACH_FILTER: %ld pairs of %ld programs, %ld differing\n", kernel_cmp,
	       kernel_progs, bad_kernel);
	if (ks.usable) {
		close(ks.fd[0]);
		close(ks.fd[1]);
	}
	printf("FIGURE cbpf translation: %ld (program, packet) pairs, %ld programs (%ld regenerated), pcap-compared %ld, "
	       "interp-compared %ld, jit-compared %ld\n", ran, progs, retries, pcap_cmp, ebpf_cmp[0], ebpf_cmp[1]);
	return t_done();
}
