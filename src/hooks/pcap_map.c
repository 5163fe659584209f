/* pcap_map.c - classic pcap savefiles read from a memory mapping: record headers parsed in place, packet data never
 * copied. Only what libpcap would return unchanged is taken here; the rest is handed back (pcap_map.h). */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks/pcap_map.h"

#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16
#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PREFETCH_AHEAD 2048 /* bytes; prefetching past the mapping's end is harmless (no fault) */
#define POPULATE_CHUNK (4u << 20)
#define PCAP_MAX_SNAPLEN 262144u /* libpcap's MAXIMUM_SNAPLEN: longer records are its errors to report */

struct pcap_map {
	pthread_t populate; /* maps the file's pages ahead of the reader, on another CPU */
	bool populating;
	const uint8_t *base;
	size_t size;
	size_t pos;
	uint32_t snaplen;
	bool nsec;    /* nanosecond timestamps, scaled to microseconds as libpcap's default precision does */
};

static uint32_t get32(const struct pcap_map *m, size_t off)
{
	uint32_t v;
	memcpy(&v, m->base + off, sizeof(v));
	return v;
}

/* page-table work for the whole file, done while the reader parses: pages the reader reaches first it faults in
 * itself, which is as correct and only slower */
static void *populate_main(void *arg)
{
	struct pcap_map *m = arg;
	for (size_t off = 0; off < m->size; off += POPULATE_CHUNK) {
		size_t n = m->size - off < POPULATE_CHUNK ? m->size - off : POPULATE_CHUNK;
		if (madvise((void *)(m->base + off), n, MADV_POPULATE_READ))
			break; /* kernels before 5.14: the reader faults everything in */
	}
	return NULL;
}

struct pcap_map *pcap_map_open(const char *path, uint32_t snaplen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < PCAP_FILE_HDR_LEN) {
		close(fd);
		return NULL;
	}
	void *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return NULL;
	struct pcap_map *m = calloc(1, sizeof(*m));
	if (!m) {
		munmap(base, (size_t)st.st_size);
		return NULL;
	}
	*m = (struct pcap_map){ .base = base, .size = (size_t)st.st_size, .pos = PCAP_FILE_HDR_LEN,
				.snaplen = snaplen < PCAP_MAX_SNAPLEN ? snaplen : PCAP_MAX_SNAPLEN };
	uint32_t magic = get32(m, 0);
	m->nsec = magic == PCAP_MAGIC_NSEC;
	uint16_t version[2];
	memcpy(version, m->base + 4, sizeof(version));
	/* files from a host of the other byte order (libpcap extends their 32-bit fields differently), older versions
	 * (caplen and len swapped in some), modified formats (other magics): libpcap's cases */
	if ((magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC) || version[0] != 2 || version[1] != 4) {
		pcap_map_close(m);
		return NULL;
	}
	madvise(base, m->size, MADV_SEQUENTIAL);
	m->populating = pthread_create(&m->populate, NULL, populate_main, m) == 0;
	return m;
}

int pcap_map_next(struct pcap_map *m, struct pcapf_pkt *pkt)
{
	if (m->pos == m->size)
		return 0;
	/* the file is read front to back: ask for the lines a few records ahead before they are needed */
	__builtin_prefetch(m->base + m->pos + PREFETCH_AHEAD);
	__builtin_prefetch(m->base + m->pos + PREFETCH_AHEAD + 64);
	if (m->size - m->pos < PCAP_REC_HDR_LEN)
		return -1;
	uint32_t caplen = get32(m, m->pos + 8);
	if (caplen > m->snaplen || m->size - m->pos - PCAP_REC_HDR_LEN < caplen)
		return -1;
	pkt->ts_sec = (int32_t)get32(m, m->pos);
	pkt->ts_usec = (int32_t)get32(m, m->pos + 4);
	if (m->nsec)
		pkt->ts_usec /= 1000; /* libpcap's scaling, signed */
	pkt->caplen = caplen;
	pkt->len = get32(m, m->pos + 12);
	pkt->data = m->base + m->pos + PCAP_REC_HDR_LEN;
	pkt->mapped = true;
	m->pos += PCAP_REC_HDR_LEN + caplen;
	return 1;
}

long long pcap_map_offset(const struct pcap_map *m)
{
	return (long long)m->pos;
}

void pcap_map_close(struct pcap_map *m)
{
	if (!m)
		return;
	if (m->populating)
		pthread_join(m->populate, NULL);
	munmap((void *)m->base, m->size);
	free(m);
}
