/* fuzz_cbpf.c - libFuzzer: classic programs through the validator, the classic interpreter and the eBPF translation
 * on bpfvm's interpreter and JIT (any difference in the result is a crash), and any bytes through the -ddd/-dd
 * text reader. Input: byte 0 = packet length, then the packet, then 8-byte struct sock_filter instructions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/dlt.h>

#include "cbpf/cbpf.h"
#include "cbpf/engine.h"

static uint32_t run_engine(const struct sock_filter *insns, size_t len, enum cbpf_engine e, const struct cbpf_skb *skb,
			   int *err)
{
	struct bpfvm_log log = { 0 };
	struct cbpf_filter *f = cbpf_filter__new(insns, len, e, &log);
	uint32_t ret = 0, batch[2] = { 0, 0 };
	size_t failed;
	*err = f ? cbpf_filter__run(f, skb, &ret) : -1;
	/* the same packet twice as a batch: the same verdict each time */
	struct cbpf_skb two[2] = { *skb, *skb };
	if (f && !*err && (cbpf_filter__run_batch(f, two, 2, batch, &failed) || batch[0] != ret || batch[1] != ret))
		__builtin_trap();
	cbpf_filter__free(f);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfvm_log log = { 0 };
	struct sock_filter *parsed = NULL;
	size_t parsed_len = 0;

	/* the text reader on any bytes */
	if (!cbpf_parse_text((const char *)data, size, &parsed, &parsed_len, &log))
		cbpf_validate(parsed, parsed_len, CBPF_CHECK_KERNEL | CBPF_CHECK_PCAP, &log);
	free(parsed);

	if (size < 1)
		return 0;
	size_t pkt_len = data[0] < size - 1 ? data[0] : size - 1;
	const uint8_t *pkt = data + 1;
	size_t n = (size - 1 - pkt_len) / sizeof(struct sock_filter);
	if (!n || n > CBPF_MAXINSNS)
		return 0;
	struct sock_filter *insns = malloc(n * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data + 1 + pkt_len, n * sizeof(*insns));

	struct cbpf_skb skb;
	uint8_t *copy = malloc(pkt_len ? pkt_len : 1); /* its own allocation: ASan sees reads past the packet */
	memcpy(copy, pkt, pkt_len);
	cbpf_skb_init(&skb, DLT_EN10MB, copy, (uint32_t)pkt_len, (uint32_t)pkt_len + (data[0] & 3));
	skb.has_meta = data[0] & 1;

	if (!cbpf_validate(insns, n, CBPF_CHECK_KERNEL, &log)) {
		uint32_t want = cbpf_run(insns, n, &skb, 0);
		int err_i, err_j;
		uint32_t got_i = run_engine(insns, n, CBPF_ENGINE_INTERP, &skb, &err_i);
		uint32_t got_j = run_engine(insns, n, CBPF_ENGINE_JIT, &skb, &err_j);
		/* a translation bpfvm refuses (netlink ancillary loads) is not a difference */
		if ((!err_i && got_i != want) || (!err_j && got_j != want) || (!err_i && !err_j && got_i != got_j))
			abort();
	}
	if (!cbpf_validate(insns, n, CBPF_CHECK_PCAP, &log))
		cbpf_run(insns, n, &skb, CBPF_RUN_PCAP);
	free(copy);
	free(insns);
	return 0;
}
