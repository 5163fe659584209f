/* dump.c - classic programs printed as tcpdump -d (libpcap's bpf_image), -dd and -ddd print them */
#include <errno.h>

#include "cbpf/cbpf.h"

enum operand {
	OPD_NONE,   /* ""        */
	OPD_X,      /* "x"       */
	OPD_DEC,    /* "#%d"     */
	OPD_HEX,    /* "#0x%x"   */
	OPD_ABS,    /* "[%d]" or "[proto]" for Linux ancillary offsets */
	OPD_IND,    /* "[x + %d]" */
	OPD_MSH,    /* "4*([%d]&0xf)" */
	OPD_MEM,    /* "M[%d]"   */
	OPD_JA,     /* absolute target */
	OPD_PKTLEN, /* "#pktlen" */
};

struct image_row {
	uint16_t code;
	const char *op;
	uint8_t operand;
};

/* one row per classic opcode, as bpf_image() names it */
static const struct image_row rows[] = {
	{ BPF_RET | BPF_K, "ret", OPD_DEC },
	{ BPF_RET | BPF_A, "ret", OPD_NONE },
	{ BPF_LD | BPF_W | BPF_ABS, "ld", OPD_ABS },
	{ BPF_LD | BPF_H | BPF_ABS, "ldh", OPD_ABS },
	{ BPF_LD | BPF_B | BPF_ABS, "ldb", OPD_ABS },
	{ BPF_LD | BPF_W | BPF_LEN, "ld", OPD_PKTLEN },
	{ BPF_LD | BPF_W | BPF_IND, "ld", OPD_IND },
	{ BPF_LD | BPF_H | BPF_IND, "ldh", OPD_IND },
	{ BPF_LD | BPF_B | BPF_IND, "ldb", OPD_IND },
	{ BPF_LD | BPF_IMM, "ld", OPD_HEX },
	{ BPF_LDX | BPF_IMM, "ldx", OPD_HEX },
	{ BPF_LDX | BPF_MSH | BPF_B, "ldxb", OPD_MSH },
	{ BPF_LD | BPF_MEM, "ld", OPD_MEM },
	{ BPF_LDX | BPF_MEM, "ldx", OPD_MEM },
	{ BPF_ST, "st", OPD_MEM },
	{ BPF_STX, "stx", OPD_MEM },
	{ BPF_JMP | BPF_JA, "ja", OPD_JA },
	{ BPF_JMP | BPF_JGT | BPF_K, "jgt", OPD_HEX },
	{ BPF_JMP | BPF_JGE | BPF_K, "jge", OPD_HEX },
	{ BPF_JMP | BPF_JEQ | BPF_K, "jeq", OPD_HEX },
	{ BPF_JMP | BPF_JSET | BPF_K, "jset", OPD_HEX },
	{ BPF_JMP | BPF_JGT | BPF_X, "jgt", OPD_X },
	{ BPF_JMP | BPF_JGE | BPF_X, "jge", OPD_X },
	{ BPF_JMP | BPF_JEQ | BPF_X, "jeq", OPD_X },
	{ BPF_JMP | BPF_JSET | BPF_X, "jset", OPD_X },
	{ BPF_ALU | BPF_ADD | BPF_X, "add", OPD_X },
	{ BPF_ALU | BPF_SUB | BPF_X, "sub", OPD_X },
	{ BPF_ALU | BPF_MUL | BPF_X, "mul", OPD_X },
	{ BPF_ALU | BPF_DIV | BPF_X, "div", OPD_X },
	{ BPF_ALU | BPF_MOD | BPF_X, "mod", OPD_X },
	{ BPF_ALU | BPF_AND | BPF_X, "and", OPD_X },
	{ BPF_ALU | BPF_OR | BPF_X, "or", OPD_X },
	{ BPF_ALU | BPF_XOR | BPF_X, "xor", OPD_X },
	{ BPF_ALU | BPF_LSH | BPF_X, "lsh", OPD_X },
	{ BPF_ALU | BPF_RSH | BPF_X, "rsh", OPD_X },
	{ BPF_ALU | BPF_ADD | BPF_K, "add", OPD_DEC },
	{ BPF_ALU | BPF_SUB | BPF_K, "sub", OPD_DEC },
	{ BPF_ALU | BPF_MUL | BPF_K, "mul", OPD_DEC },
	{ BPF_ALU | BPF_DIV | BPF_K, "div", OPD_DEC },
	{ BPF_ALU | BPF_MOD | BPF_K, "mod", OPD_DEC },
	{ BPF_ALU | BPF_AND | BPF_K, "and", OPD_HEX },
	{ BPF_ALU | BPF_OR | BPF_K, "or", OPD_HEX },
	{ BPF_ALU | BPF_XOR | BPF_K, "xor", OPD_HEX },
	{ BPF_ALU | BPF_LSH | BPF_K, "lsh", OPD_DEC },
	{ BPF_ALU | BPF_RSH | BPF_K, "rsh", OPD_DEC },
	{ BPF_ALU | BPF_NEG, "neg", OPD_NONE },
	{ BPF_MISC | BPF_TAX, "tax", OPD_NONE },
	{ BPF_MISC | BPF_TXA, "txa", OPD_NONE },
};

/* libpcap's symbolic names for the Linux ancillary offsets */
static const char *const anc_names[SKF_AD_MAX] = {
	[SKF_AD_PROTOCOL] = "proto",      [SKF_AD_PKTTYPE] = "type",     [SKF_AD_IFINDEX] = "ifidx",
	[SKF_AD_NLATTR] = "nla",          [SKF_AD_NLATTR_NEST] = "nlan", [SKF_AD_MARK] = "mark",
	[SKF_AD_QUEUE] = "queue",         [SKF_AD_HATYPE] = "hatype",    [SKF_AD_RXHASH] = "rxhash",
	[SKF_AD_CPU] = "cpu",             [SKF_AD_ALU_XOR_X] = "xor_x",  [SKF_AD_VLAN_TAG] = "vlan_tci",
	[SKF_AD_VLAN_TAG_PRESENT] = "vlanp", [SKF_AD_PAY_OFFSET] = "poff", [SKF_AD_RANDOM] = "random",
	[SKF_AD_VLAN_TPID] = "vlan_tpid",
};

void cbpf_image(const struct sock_filter *p, int n, char *buf, size_t size)
{
	const struct image_row *row = NULL;
	char operand[64];
	const char *op = "unimp";
	uint32_t k = p->k;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].code == p->code)
			row = &rows[i];
	if (!row) {
		snprintf(operand, sizeof(operand), "0x%x", p->code);
	} else {
		op = row->op;
		switch (row->operand) {
		case OPD_NONE: operand[0] = '\0'; break;
		case OPD_X: snprintf(operand, sizeof(operand), "x"); break;
		case OPD_DEC: snprintf(operand, sizeof(operand), "#%d", (int)k); break;
		case OPD_HEX: snprintf(operand, sizeof(operand), "#0x%x", k); break;
		case OPD_ABS:
			if (k - (uint32_t)SKF_AD_OFF < SKF_AD_MAX && anc_names[k - (uint32_t)SKF_AD_OFF])
				snprintf(operand, sizeof(operand), "[%s]", anc_names[k - (uint32_t)SKF_AD_OFF]);
			else
				snprintf(operand, sizeof(operand), "[%d]", (int)k);
			break;
		case OPD_IND: snprintf(operand, sizeof(operand), "[x + %d]", (int)k); break;
		case OPD_MSH: snprintf(operand, sizeof(operand), "4*([%d]&0xf)", (int)k); break;
		case OPD_MEM: snprintf(operand, sizeof(operand), "M[%d]", (int)k); break;
		case OPD_JA: snprintf(operand, sizeof(operand), "%d", (int)(n + 1 + k)); break;
		case OPD_PKTLEN: snprintf(operand, sizeof(operand), "#pktlen"); break;
		}
	}
	if (BPF_CLASS(p->code) == BPF_JMP && BPF_OP(p->code) != BPF_JA)
		snprintf(buf, size, "(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand, n + 1 + p->jt, n + 1 + p->jf);
	else
		snprintf(buf, size, "(%03d) %-8s %s", n, op, operand);
}

int cbpf_dump(FILE *f, const struct sock_filter *insns, size_t len, enum cbpf_dump_fmt fmt)
{
	char line[256];
	switch (fmt) {
	case CBPF_DUMP_DEC:
		fprintf(f, "%zu\n", len);
		for (size_t i = 0; i < len; i++)
			fprintf(f, "%u %u %u %u\n", insns[i].code, insns[i].jt, insns[i].jf, insns[i].k);
		return 0;
	case CBPF_DUMP_C:
		for (size_t i = 0; i < len; i++)
			fprintf(f, "{ 0x%x, %d, %d, 0x%08x },\n", insns[i].code, insns[i].jt, insns[i].jf, insns[i].k);
		return 0;
	case CBPF_DUMP_IMAGE:
		for (size_t i = 0; i < len; i++) {
			cbpf_image(&insns[i], (int)i, line, sizeof(line));
			fprintf(f, "%s\n", line);
		}
		return 0;
	}
	return -EINVAL;
}
