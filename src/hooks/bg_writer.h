/* bg_writer.h - bytes appended to a file descriptor and written by a background thread, so that writing a large
 * output overlaps the work producing it (the pcap writer's records) */
#ifndef BPFVM_HOOKS_BG_WRITER_H
#define BPFVM_HOOKS_BG_WRITER_H

#include <stddef.h>

struct bg_writer;

/* NULL with errno when memory or the thread cannot be had */
struct bg_writer *bg_writer_new(int fd);
/* queue len bytes, copied now; a write error is kept and reported by bg_writer_finish */
void bg_writer_append(struct bg_writer *w, const void *p, size_t len);
/* queue len bytes by reference: they must stay unchanged until bg_writer_finish returns (a mapped input file) */
void bg_writer_append_ref(struct bg_writer *w, const void *p, size_t len);
/* write what is queued, stop the thread, free: 0, or -EIO if any write failed. NULL-safe. */
int bg_writer_finish(struct bg_writer *w);

#endif
