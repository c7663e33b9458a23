/*
 * Bounded SPSC queue of batches. Each batch is a byte buffer of records
 * "u32 path_len, u32 pkg_len, path\0, pkg\0"; the producer fills one batch
 * at a time and hands it over whole, so the lock is taken once per batch,
 * not once per pair.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/path-pipe.h"

struct pipe_batch {
	char *data;
	size_t len;
};

struct path_pipe {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct pipe_batch *batches;
	unsigned depth;
	size_t batch_bytes;
	/* Batches [head, tail) (mod depth) are full and wait for the
	 * consumer; the producer fills batch `tail` when count < depth. */
	unsigned head, tail, count;
	bool filling; /* the producer holds batch `tail` */
	bool closed, cancelled;
	int status;
};

int path_pipe_new(unsigned depth, size_t batch_bytes,
		  struct path_pipe **ret_pipe)
{
	struct path_pipe *p;

	if (depth < 2 || batch_bytes < 64)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->batches = calloc(depth, sizeof(*p->batches));
	if (!p->batches) {
		free(p);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < depth; i++) {
		p->batches[i].data = malloc(batch_bytes);
		if (!p->batches[i].data) {
			p->depth = i;
			path_pipe_free(p);
			return -ENOMEM;
		}
	}
	p->depth = depth;
	p->batch_bytes = batch_bytes;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	*ret_pipe = p;
	return 0;
}

void path_pipe_free(struct path_pipe *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->depth; i++)
		free(p->batches[i].data);
	if (p->batch_bytes) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->changed);
	}
	free(p->batches);
	free(p);
}

/* Producer: hand the batch being filled to the consumer. Lock held. */
static void pipe_publish(struct path_pipe *p)
{
	if (!p->filling)
		return;
	p->filling = false;
	if (p->batches[p->tail].len == 0)
		return;
	p->tail = (p->tail + 1) % p->depth;
	p->count++;
	pthread_cond_broadcast(&p->changed);
}

int path_pipe_push(void *ctx, const char *path, size_t path_len,
		   const char *pkg, size_t pkg_len)
{
	struct path_pipe *p = ctx;
	size_t need = 2 * sizeof(uint32_t) + path_len + pkg_len + 2;
	struct pipe_batch *b;
	uint32_t lens[2] = {(uint32_t)path_len, (uint32_t)pkg_len};

	if (need > p->batch_bytes)
		return -ENAMETOOLONG;
	if (!p->filling || p->batches[p->tail].len + need > p->batch_bytes) {
		pthread_mutex_lock(&p->lock);
		pipe_publish(p);
		while (p->count == p->depth && !p->cancelled)
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->cancelled) {
			pthread_mutex_unlock(&p->lock);
			return -ECANCELED;
		}
		p->batches[p->tail].len = 0;
		p->filling = true;
		pthread_mutex_unlock(&p->lock);
	}
	b = &p->batches[p->tail];
	memcpy(b->data + b->len, lens, sizeof(lens));
	b->len += sizeof(lens);
	memcpy(b->data + b->len, path, path_len + 1);
	b->len += path_len + 1;
	memcpy(b->data + b->len, pkg, pkg_len + 1);
	b->len += pkg_len + 1;
	return 0;
}

void path_pipe_close(struct path_pipe *p, int status)
{
	pthread_mutex_lock(&p->lock);
	pipe_publish(p);
	p->closed = true;
	p->status = status;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

int path_pipe_drain(struct path_pipe *p, arc_path_fn fn, void *ctx)
{
	int r = 0;

	for (;;) {
		struct pipe_batch *b;

		pthread_mutex_lock(&p->lock);
		while (p->count == 0 && !p->closed)
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->count == 0) {
			r = p->status;
			pthread_mutex_unlock(&p->lock);
			return r;
		}
		b = &p->batches[p->head];
		pthread_mutex_unlock(&p->lock);

		/* The batch is ours until handed back below. */
		for (size_t off = 0; off < b->len && r >= 0;) {
			uint32_t lens[2];
			const char *path, *pkg;

			memcpy(lens, b->data + off, sizeof(lens));
			path = b->data + off + sizeof(lens);
			pkg = path + lens[0] + 1;
			r = fn(ctx, path, lens[0], pkg, lens[1]);
			off += sizeof(lens) + lens[0] + lens[1] + 2;
		}

		pthread_mutex_lock(&p->lock);
		p->head = (p->head + 1) % p->depth;
		p->count--;
		if (r < 0)
			p->cancelled = true;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		if (r < 0) {
			/* Wait for the producer to notice and close, so the
			 * caller may free the pipe after joining. */
			return r;
		}
	}
}
