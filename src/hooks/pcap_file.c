/* pcap_file.c - packets from pcap/pcapng files through libpcap (classic savefiles through a memory mapping while
 * their records are plain, pcap_map.c), and matching packets written to pcap files in libpcap's format */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log_internal.h"
#include "hooks/bg_writer.h"
#include "hooks/pcap_file.h"
#include "hooks/pcap_map.h"

struct pcapf_reader {
	pcap_t *p;
	struct pcap_map *map; /* the fast path, until the end or a record left to libpcap (kept mapped till close) */
	bool map_done;
	char *path;
	uint64_t count;
	long long size;
	struct bpfvm_log *log;
};

struct pcapf_writer {
	pcap_t *dead;
	pcap_dumper_t *d;      /* writes the file header; the records go to its descriptor through bg */
	struct bg_writer *bg; /* writing overlaps filtering */
	char *path;
};

struct pcapf_reader *pcapf_open(const char *path, struct bpfvm_log *log)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapf_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		free(r);
		bpfvm_logf(log, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->p = pcap_open_offline(path, errbuf);
	if (!r->p) {
		bpfvm_logf(log, "%s: %s", path, errbuf);
		free(r->path);
		free(r);
		errno = EINVAL;
		return NULL;
	}
	struct stat st;
	r->size = strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
	r->log = log;
	if (r->size >= 0)
		r->map = pcap_map_open(path, (uint32_t)pcap_snapshot(r->p));
	return r;
}

int pcapf_next(struct pcapf_reader *r, struct pcapf_pkt *pkt)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	if (r->map && !r->map_done) {
		int got = pcap_map_next(r->map, pkt);
		if (got >= 0) {
			r->count += (uint64_t)got;
			return got;
		}
		/* a record libpcap treats specially: it reads on from here and says what it says */
		FILE *f = pcap_file(r->p);
		long long off = pcap_map_offset(r->map);
		r->map_done = true;
		if (!f || fseeko(f, (off_t)off, SEEK_SET)) {
			bpfvm_logf(r->log, "%s: packet index %llu: cannot seek to offset %lld", r->path,
				   (unsigned long long)r->count, off);
			return -EINVAL;
		}
	}
	int rc = pcap_next_ex(r->p, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		bpfvm_logf(r->log, "%s: packet index %llu: %s", r->path, (unsigned long long)r->count,
			   rc == PCAP_ERROR ? pcap_geterr(r->p) : "unexpected read result");
		return -EINVAL;
	}
	pkt->data = data;
	pkt->caplen = h->caplen;
	pkt->len = h->len;
	pkt->ts_sec = h->ts.tv_sec;
	pkt->ts_usec = h->ts.tv_usec;
	pkt->mapped = false;
	r->count++;
	return 1;
}

int pcapf_linktype(const struct pcapf_reader *r)
{
	return pcap_datalink(r->p);
}

int pcapf_snaplen(const struct pcapf_reader *r)
{
	return pcap_snapshot(r->p);
}

uint64_t pcapf_count(const struct pcapf_reader *r)
{
	return r->count;
}

long long pcapf_file_size(const struct pcapf_reader *r)
{
	return r->size;
}

long long pcapf_file_pos(const struct pcapf_reader *r)
{
	if (r->map && !r->map_done)
		return pcap_map_offset(r->map);
	FILE *f = pcap_file(r->p);
	return f ? (long long)ftello(f) : -1;
}

void pcapf_close(struct pcapf_reader *r)
{
	if (!r)
		return;
	pcap_map_close(r->map);
	pcap_close(r->p);
	free(r->path);
	free(r);
}

struct pcapf_writer *pcapf_create(const char *path, int linktype, int snaplen, struct bpfvm_log *log)
{
	struct pcapf_writer *w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path))) {
		free(w);
		bpfvm_logf(log, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	w->dead = pcap_open_dead(linktype, snaplen);
	if (!w->dead) {
		bpfvm_logf(log, "%s: cannot create a pcap handle for link type %d", path, linktype);
		goto fail;
	}
	w->d = pcap_dump_open(w->dead, path);
	if (!w->d) {
		bpfvm_logf(log, "%s", pcap_geterr(w->dead));
		goto fail;
	}
	if (pcap_dump_flush(w->d) != 0) {
		bpfvm_logf(log, "%s: write error", path);
		goto fail;
	}
	w->bg = bg_writer_new(fileno(pcap_dump_file(w->d)));
	if (!w->bg) {
		bpfvm_logf(log, "%s: cannot start the writer: %s", path, strerror(errno));
		goto fail;
	}
	return w;
fail:
	if (w->d)
		pcap_dump_close(w->d);
	if (w->dead)
		pcap_close(w->dead);
	free(w->path);
	free(w);
	errno = EINVAL;
	return NULL;
}

/* a record as pcap_dump() writes it: 32-bit seconds and microseconds, caplen, len, in this host's byte order */
int pcapf_write(struct pcapf_writer *w, const struct pcapf_pkt *pkt, uint32_t keep)
{
	uint32_t hdr[4] = { (uint32_t)pkt->ts_sec, (uint32_t)pkt->ts_usec, pkt->caplen < keep ? pkt->caplen : keep,
			    pkt->len };
	bg_writer_append(w->bg, hdr, sizeof(hdr));
	if (pkt->mapped)
		bg_writer_append_ref(w->bg, pkt->data, hdr[2]);
	else
		bg_writer_append(w->bg, pkt->data, hdr[2]);
	return 0;
}

int pcapf_finish(struct pcapf_writer *w, struct bpfvm_log *log)
{
	if (!w)
		return 0;
	int err = 0;
	if (bg_writer_finish(w->bg) || pcap_dump_flush(w->d) != 0 || ferror(pcap_dump_file(w->d))) {
		bpfvm_logf(log, "%s: write error", w->path);
		err = -EIO;
	}
	pcap_dump_close(w->d);
	pcap_close(w->dead);
	free(w->path);
	free(w);
	return err;
}
