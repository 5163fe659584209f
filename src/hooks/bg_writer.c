/* bg_writer.c - the producer fills batches (iovecs over bytes copied into the batch or referenced in place), a
 * background thread writes them out in order with writev (bg_writer.h) */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hooks/bg_writer.h"

#define ARENA_SIZE (256u << 10) /* copied bytes per batch */
#define BATCH_IOV 1024          /* IOV_MAX on Linux */
#define NBATCH 4                /* one being filled, up to three queued or being written */

struct batch {
	struct iovec iov[BATCH_IOV];
	unsigned cnt;
	uint8_t *arena;
	size_t used;
};

struct bg_writer {
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch b[NBATCH];
	unsigned head; /* next batch the thread writes */
	unsigned tail; /* the batch being filled; head..tail-1 are queued */
	bool done;     /* no more batches will be queued */
	bool failed;
};

/* writev all of iov[0..cnt), resuming after short writes; false on an error */
static bool writev_all(int fd, struct iovec *iov, unsigned cnt)
{
	while (cnt) {
		ssize_t n = writev(fd, iov, (int)cnt);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return true;
}

static void *writer_main(void *arg)
{
	struct bg_writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == w->tail && !w->done)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->head == w->tail)
			break;
		struct batch *b = &w->b[w->head % NBATCH];
		bool skip = w->failed; /* after a failed write the rest is dropped */
		pthread_mutex_unlock(&w->lock);
		bool ok = skip || writev_all(w->fd, b->iov, b->cnt);
		pthread_mutex_lock(&w->lock);
		w->failed |= !ok;
		b->cnt = 0;
		b->used = 0;
		w->head++;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct bg_writer *bg_writer_new(int fd)
{
	struct bg_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = fd;
	for (int i = 0; i < NBATCH; i++)
		if (!(w->b[i].arena = malloc(ARENA_SIZE)))
			goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	int err = pthread_create(&w->thread, NULL, writer_main, w);
	if (!err)
		return w;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	errno = err;
fail:
	for (int i = 0; i < NBATCH; i++)
		free(w->b[i].arena);
	free(w);
	return NULL;
}

/* hand the batch being filled to the thread and wait for a free one */
static void queue_current(struct bg_writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->tail++;
	pthread_cond_broadcast(&w->cond);
	while (w->tail - w->head >= NBATCH)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/* the batch being filled, with room for one more iovec */
static struct batch *current(struct bg_writer *w)
{
	struct batch *b = &w->b[w->tail % NBATCH];
	if (b->cnt == BATCH_IOV) {
		queue_current(w);
		b = &w->b[w->tail % NBATCH];
	}
	return b;
}

static void add_iov(struct batch *b, const void *p, size_t len)
{
	struct iovec *last = b->cnt ? &b->iov[b->cnt - 1] : NULL;
	if (last && (const uint8_t *)last->iov_base + last->iov_len == (const uint8_t *)p) {
		last->iov_len += len; /* contiguous with the previous piece */
		return;
	}
	b->iov[b->cnt++] = (struct iovec){ .iov_base = (void *)p, .iov_len = len };
}

void bg_writer_append(struct bg_writer *w, const void *p, size_t len)
{
	const uint8_t *src = p;
	while (len) {
		struct batch *b = current(w);
		if (b->used == ARENA_SIZE) {
			queue_current(w);
			continue;
		}
		size_t n = ARENA_SIZE - b->used < len ? ARENA_SIZE - b->used : len;
		memcpy(b->arena + b->used, src, n);
		add_iov(b, b->arena + b->used, n);
		b->used += n;
		src += n;
		len -= n;
	}
}

void bg_writer_append_ref(struct bg_writer *w, const void *p, size_t len)
{
	if (len)
		add_iov(current(w), p, len);
}

int bg_writer_finish(struct bg_writer *w)
{
	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	if (w->b[w->tail % NBATCH].cnt)
		w->tail++;
	w->done = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	int err = w->failed ? -EIO : 0;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	for (int i = 0; i < NBATCH; i++)
		free(w->b[i].arena);
	free(w);
	return err;
}
