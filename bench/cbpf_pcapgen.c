/* cbpf_pcapgen.c - write a seeded generated pcap (tests/lib/pcapgen): `cbpf_pcapgen OUT.pcap COUNT [SEED]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pcapgen.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUT.pcap COUNT [SEED]\n", argv[0]);
		return 2;
	}
	unsigned long long seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	int err = pcapgen_write(argv[1], seed, (size_t)strtoull(argv[2], NULL, 0));
	if (err) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-err));
		return 2;
	}
	return 0;
}
