/* fuzz_pcap.c - libFuzzer target over the pcap reader (pcap_file.c: the mapped fast path and the hand-over to
 * libpcap at any record it does not take), then the writer on what was read: no crash, no leak, no hang */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "bpfvm/log.h"
#include "hooks/pcap_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_pcap.%d", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct bpfvm_log log = { 0 };
	struct pcapf_reader *r = pcapf_open(path, &log);
	if (!r)
		return 0;
	struct pcapf_writer *w = pcapf_create("/dev/null", pcapf_linktype(r), pcapf_snaplen(r), &log);
	struct pcapf_pkt pkt;
	while (pcapf_next(r, &pkt) == 1)
		if (w)
			pcapf_write(w, &pkt, pkt.caplen / 2 + 1);
	pcapf_finish(w, &log);
	pcapf_close(r);
	return 0;
}
