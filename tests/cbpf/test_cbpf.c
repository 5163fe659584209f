/* test_cbpf.c - table-driven cases for the classic validator, interpreter (incl. ancillary loads), text parser
 * and dump; the validator checked against libpcap's bpf_validate() on random programs */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf/cbpf.h"
#include "cbpf/expr.h"
#include "lib/harness.h"

#define S(CODE, K) { (uint16_t)(CODE), 0, 0, (uint32_t)(K) }
#define J(CODE, K, JT, JF) { (uint16_t)(CODE), JT, JF, (uint32_t)(K) }
#define PROG(...) ((const struct sock_filter[]){ __VA_ARGS__ }), sizeof((const struct sock_filter[]){ __VA_ARGS__ }) / 8

struct vcase {
	const char *name;
	const struct sock_filter *prog;
	size_t len;
	int err;          /* expected return of cbpf_validate(KERNEL) */
	const char *msg;  /* substring of the reason */
};

static const struct vcase vcases[] = {
	{ "ret only", PROG(S(BPF_RET | BPF_K, 0)), 0, NULL },
	{ "unknown opcode", PROG(S(0x47, 0), S(BPF_RET | BPF_K, 0)), -EINVAL, "insn 0: unknown opcode 0x47" },
	{ "div by constant 0", PROG(S(BPF_ALU | BPF_DIV | BPF_K, 0), S(BPF_RET | BPF_A, 0)), -EINVAL,
	  "insn 0: division by constant zero" },
	{ "mod by constant 0", PROG(S(BPF_LD | BPF_IMM, 1), S(BPF_ALU | BPF_MOD | BPF_K, 0), S(BPF_RET | BPF_A, 0)),
	  -EINVAL, "insn 1: division by constant zero" },
	{ "shift by 32", PROG(S(BPF_ALU | BPF_LSH | BPF_K, 32), S(BPF_RET | BPF_A, 0)), -EINVAL, "insn 0: shift by 32" },
	{ "M[16]", PROG(S(BPF_ST, 16), S(BPF_RET | BPF_A, 0)), -EINVAL, "insn 0: scratch memory index 16" },
	{ "jump past end", PROG(J(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), S(BPF_RET | BPF_A, 0)), -EINVAL,
	  "insn 0: jump out of range" },
	{ "ja past end", PROG(S(BPF_JMP | BPF_JA, 1), S(BPF_RET | BPF_A, 0)), -EINVAL, "insn 0: jump out of range" },
	{ "ja backwards", PROG(S(BPF_LD | BPF_IMM, 0), S(BPF_JMP | BPF_JA, -2), S(BPF_RET | BPF_A, 0)), -EINVAL,
	  "insn 1: jump out of range" },
	{ "no final ret", PROG(S(BPF_RET | BPF_A, 0), S(BPF_LD | BPF_IMM, 0)), -EINVAL,
	  "insn 1: last instruction is not a return" },
	{ "M read before write", PROG(S(BPF_LD | BPF_MEM, 3), S(BPF_RET | BPF_A, 0)), -EINVAL,
	  "insn 0: M[3] may be read before it is written" },
	{ "M written on one path only",
	  PROG(J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), S(BPF_ST, 2), S(BPF_LDX | BPF_MEM, 2), S(BPF_RET | BPF_A, 0)),
	  -EINVAL, "insn 2: M[2] may be read" },
	{ "M written on both paths",
	  PROG(S(BPF_ST, 2), J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), S(BPF_ST, 2), S(BPF_LDX | BPF_MEM, 2),
	       S(BPF_RET | BPF_A, 0)),
	  0, NULL },
	{ "unknown ancillary", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 64), S(BPF_RET | BPF_A, 0)), -EINVAL,
	  "insn 0: unknown ancillary load SKF_AD_OFF+64" },
	{ "known ancillary", PROG(S(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TPID), S(BPF_RET | BPF_A, 0)), 0,
	  NULL },
	{ "SKF_NET_OFF load", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 12), S(BPF_RET | BPF_A, 0)), 0, NULL },
	{ "LDX ABS is not classic", PROG(S(BPF_LDX | BPF_W | BPF_ABS, 0), S(BPF_RET | BPF_A, 0)), -EINVAL,
	  "insn 0: unknown opcode 0x21" },
};

static void test_validator(void)
{
	for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *c = &vcases[i];
		struct bpfvm_log log = { 0 };
		int err = cbpf_validate(c->prog, c->len, CBPF_CHECK_KERNEL, &log);
		CHECK(err == c->err && (!c->msg || strstr(log.last_error, c->msg)), "validate: %s (err %d, '%s')", c->name,
		      err, log.last_error);
	}
	struct bpfvm_log log = { 0 };
	CHECK(cbpf_validate(NULL, 0, CBPF_CHECK_KERNEL, &log) == -EINVAL, "validate: empty program");
	static struct sock_filter big[CBPF_MAXINSNS + 1];
	CHECK(cbpf_validate(big, CBPF_MAXINSNS + 1, CBPF_CHECK_KERNEL, &log) == -EINVAL &&
		      strstr(log.last_error, "too long"),
	      "validate: more than BPF_MAXINSNS");

	/* CBPF_CHECK_PCAP agrees with libpcap's bpf_validate() on random instruction soup */
	uint64_t st = t_seed("test_cbpf");
	int agree = 0, total = 20000;
	for (int n = 0; n < total; n++) {
		struct sock_filter p[6];
		size_t len = 1 + t_rand(&st) % 6;
		for (size_t i = 0; i < len; i++) {
			uint64_t r = t_rand(&st);
			p[i].code = (uint16_t)(r % 3 ? (r >> 8) & 0xff : (r >> 8) & 0xffff);
			p[i].jt = (uint8_t)(r >> 24) % 8;
			p[i].jf = (uint8_t)(r >> 32) % 8;
			p[i].k = (uint32_t)(t_rand(&st) % 4 ? t_rand(&st) % 24 : t_rand(&st));
		}
		if (t_rand(&st) % 2)
			p[len - 1].code = BPF_RET | BPF_K;
		bool ours = cbpf_validate(p, len, CBPF_CHECK_PCAP, NULL) == 0;
		agree += ours == cbpf_pcap_bpf_validate(p, len);
	}
	CHECK(agree == total, "validate(CBPF_CHECK_PCAP) == libpcap bpf_validate() on %d random programs (%d agree)",
	      total, agree);
}

struct rcase {
	const char *name;
	const struct sock_filter *prog;
	size_t len;
	uint32_t want;
};

static const uint8_t frame[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, /* Ethernet, IPv4 */
	0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, /* ihl 5, TCP */
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0x04, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0, /* 1024 -> 80, SYN */
};

static const struct rcase rcases[] = {
	{ "ldh [12]", PROG(S(BPF_LD | BPF_H | BPF_ABS, 12), S(BPF_RET | BPF_A, 0)), 0x0800 },
	{ "ld [26] big-endian", PROG(S(BPF_LD | BPF_W | BPF_ABS, 26), S(BPF_RET | BPF_A, 0)), 0x0a000001 },
	{ "load past end returns 0", PROG(S(BPF_LD | BPF_IMM, 7), S(BPF_LD | BPF_W | BPF_ABS, 52), S(BPF_RET | BPF_K, 9)), 0 },
	{ "last byte loads", PROG(S(BPF_LD | BPF_B | BPF_ABS, 53), S(BPF_RET | BPF_K, 9)), 9 },
	{ "msh + ind: dst port", PROG(S(BPF_LDX | BPF_B | BPF_MSH, 14), S(BPF_LD | BPF_H | BPF_IND, 16), S(BPF_RET | BPF_A, 0)),
	  80 },
	{ "len", PROG(S(BPF_LD | BPF_W | BPF_LEN, 0), S(BPF_RET | BPF_A, 0)), 54 },
	{ "div by X = 0 returns 0", PROG(S(BPF_LD | BPF_IMM, 5), S(BPF_ALU | BPF_DIV | BPF_X, 0), S(BPF_RET | BPF_K, 1)), 0 },
	{ "lsh by X masks to 5 bits",
	  PROG(S(BPF_LDX | BPF_IMM, 33), S(BPF_LD | BPF_IMM, 1), S(BPF_ALU | BPF_LSH | BPF_X, 0), S(BPF_RET | BPF_A, 0)), 2 },
	{ "neg", PROG(S(BPF_LD | BPF_IMM, 1), S(BPF_ALU | BPF_NEG, 0), S(BPF_RET | BPF_A, 0)), 0xffffffff },
	{ "jgt unsigned", PROG(S(BPF_LD | BPF_IMM, 0xffffffff), J(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 1), S(BPF_RET | BPF_K, 1),
			       S(BPF_RET | BPF_K, 2)), 1 },
	{ "scratch memory", PROG(S(BPF_LD | BPF_IMM, 42), S(BPF_ST, 15), S(BPF_LD | BPF_IMM, 0), S(BPF_LDX | BPF_MEM, 15),
				 S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0)), 42 },
	{ "SKF_NET_OFF + 9 is the IP protocol", PROG(S(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 9), S(BPF_RET | BPF_A, 0)), 6 },
	{ "SKF_LL_OFF + 12 is the ethertype", PROG(S(BPF_LD | BPF_H | BPF_ABS, SKF_LL_OFF + 12), S(BPF_RET | BPF_A, 0)),
	  0x0800 },
	{ "below SKF_LL_OFF fails", PROG(S(BPF_LD | BPF_IMM, 3), S(BPF_LD | BPF_B | BPF_ABS, SKF_LL_OFF - 1),
				      S(BPF_RET | BPF_K, 1)), 0 },
	{ "ancillary protocol", PROG(S(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL), S(BPF_RET | BPF_A, 0)), 0x0800 },
	{ "ancillary pkttype", PROG(S(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE), S(BPF_RET | BPF_A, 0)), 1 },
	{ "ancillary ifindex", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX), S(BPF_RET | BPF_A, 0)), 7 },
	{ "ancillary vlan tci", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG), S(BPF_RET | BPF_A, 0)), 100 },
	{ "ancillary vlan present", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT),
					 S(BPF_RET | BPF_A, 0)), 1 },
	{ "ancillary vlan tpid", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TPID), S(BPF_RET | BPF_A, 0)),
	  0x88a8 },
	{ "ancillary xor x", PROG(S(BPF_LDX | BPF_IMM, 3), S(BPF_LD | BPF_IMM, 5),
				  S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_ALU_XOR_X), S(BPF_RET | BPF_A, 0)), 6 },
	{ "ancillary mark", PROG(S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_MARK), S(BPF_RET | BPF_A, 0)), 0xabcd },
};

static void test_interp(void)
{
	struct cbpf_skb skb;
	for (size_t i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		const struct rcase *c = &rcases[i];
		cbpf_skb_init(&skb, 1, frame, sizeof(frame), sizeof(frame));
		skb.has_meta = 1;
		skb.pkttype = 1; /* PACKET_BROADCAST */
		skb.ifindex = 7;
		skb.vlan_present = 1;
		skb.vlan_tci = 100;
		skb.vlan_proto = 0xa888; /* 0x88a8 in network byte order */
		skb.mark = 0xabcd;
		int err = cbpf_validate(c->prog, c->len, CBPF_CHECK_KERNEL, NULL);
		uint32_t got = cbpf_run(c->prog, c->len, &skb, 0);
		CHECK(!err && got == c->want, "run: %s (got 0x%x, want 0x%x)", c->name, got, c->want);
	}
	/* without metadata (a packet from a file) every ancillary load ends the program with 0 */
	cbpf_skb_init(&skb, 1, frame, sizeof(frame), sizeof(frame));
	const struct sock_filter anc[] = { S(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL), S(BPF_RET | BPF_K, 1) };
	CHECK(cbpf_run(anc, 2, &skb, 0) == 0, "run: ancillary load without metadata returns 0");
	/* no device: IFINDEX ends the program with A */
	skb.has_meta = 1;
	skb.has_dev = 0;
	const struct sock_filter ifi[] = { S(BPF_LD | BPF_IMM, 5), S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX),
					   S(BPF_RET | BPF_K, 1) };
	CHECK(cbpf_run(ifi, 3, &skb, 0) == 5, "run: ifindex without a device returns A, as the kernel's translation");
	/* a backward loop cannot hang */
	const struct sock_filter loop[] = { S(BPF_LD | BPF_IMM, 0), S(BPF_ALU | BPF_ADD | BPF_K, 1),
					    S(BPF_JMP | BPF_JA, (uint32_t)-2), S(BPF_RET | BPF_A, 0) };
	CHECK(cbpf_run(loop, 4, &skb, CBPF_RUN_PCAP) == 0, "run: an endless backward loop stops (budget)");
	/* an unvalidated program never reads outside itself */
	const struct sock_filter wild[] = { J(BPF_JMP | BPF_JEQ | BPF_K, 0, 200, 200), S(BPF_LD | BPF_MEM, 1000) };
	CHECK(cbpf_run(wild, 2, &skb, 0) == 0, "run: unvalidated jumps past the end return 0");
}

struct pcase {
	const char *name;
	const char *text;
	int err;
	size_t len;
	const char *msg;
};

static const struct pcase pcases[] = {
	{ "ddd", "4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n", 0, 4, NULL },
	{ "ddd with commas (iptables bytecode)", "4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0", 0, 4, NULL },
	{ "dd", "{ 0x28, 0, 0, 0x0000000c },\n{ 0x6, 0, 0, 0x00040000 },\n", 0, 2, NULL },
	{ "comments and blanks", "# a filter\n\n2\n6 0 0 1 # accept\n\n6 0 0 0\n", 0, 2, NULL },
	{ "count too small", "1\n6 0 0 1\n6 0 0 0\n", -EINVAL, 0, "line 3: more instructions" },
	{ "count too large", "3\n6 0 0 1\n6 0 0 0\n", -EINVAL, 0, "2 instructions, the first line announced 3" },
	{ "jt out of range", "1\n21 256 0 0\n", -EINVAL, 0, "line 2: number out of range (max 255)" },
	{ "k out of range", "1\n6 0 0 4294967296\n", -EINVAL, 0, "line 2: number out of range" },
	{ "missing field", "1\n6 0 0\n", -EINVAL, 0, "line 2: expected a number" },
	{ "trailing junk", "1\n6 0 0 1 x\n", -EINVAL, 0, "line 2: unexpected 'x'" },
	{ "empty", "", -EINVAL, 0, "empty program text" },
	{ "zero count", "0\n", -EINVAL, 0, "instruction count is 0" },
	{ "dd missing brace", "{ 0x6, 0, 0, 1 ,\n", -EINVAL, 0, "line 1: expected '}'" },
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *c = &pcases[i];
		struct bpfvm_log log = { 0 };
		struct sock_filter *p = NULL;
		size_t len = 0;
		int err = cbpf_parse_text(c->text, strlen(c->text), &p, &len, &log);
		CHECK(err == c->err && (err || len == c->len) && (!c->msg || strstr(log.last_error, c->msg)),
		      "parse: %s (err %d, len %zu, '%s')", c->name, err, len, log.last_error);
		free(p);
	}
	/* dump -ddd then parse gives the program back */
	struct sock_filter *prog, *back;
	size_t len, blen;
	if (cbpf_compile("tcp port 80 or udp", 1, 262144, &prog, &len, NULL) == 0) {
		char *text = NULL;
		size_t tl = 0;
		FILE *f = open_memstream(&text, &tl);
		cbpf_dump(f, prog, len, CBPF_DUMP_DEC);
		fclose(f);
		int e1 = cbpf_parse_text(text, tl, &back, &blen, NULL);
		CHECK(!e1 && blen == len && !memcmp(back, prog, len * 8), "parse: -ddd round trip (%zu insns)", len);
		if (!e1)
			free(back);
		free(text);
		f = open_memstream(&text, &tl);
		cbpf_dump(f, prog, len, CBPF_DUMP_C);
		fclose(f);
		e1 = cbpf_parse_text(text, tl, &back, &blen, NULL);
		CHECK(!e1 && blen == len && !memcmp(back, prog, len * 8), "parse: -dd round trip (%zu insns)", len);
		if (!e1)
			free(back);
		free(text);
		free(prog);
	} else {
		t_fail("compile 'tcp port 80 or udp'");
	}
}

int main(void)
{
	test_validator();
	test_interp();
	test_parse();
	return t_done();
}
