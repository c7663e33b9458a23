/*
 * A bounded single-producer, single-consumer queue of (path, package)
 * pairs, so that reading and decompressing inputs (one thread) overlaps
 * with grouping paths (another): on two cores `aliasctl check` then takes
 * about the longer of the two instead of their sum. Pairs travel in
 * batches; at most `depth` batches exist, so memory stays bounded however
 * far the producer runs ahead.
 */
#ifndef PATH_PIPE_H
#define PATH_PIPE_H

#include <stddef.h>

#include "archive/archive-input.h"

struct path_pipe;

/* New pipe of @depth (>= 2) batches of @batch_bytes each. Returns 0 and
 * *ret_pipe, -EINVAL, -ENOMEM. */
int path_pipe_new(unsigned depth, size_t batch_bytes,
		  struct path_pipe **ret_pipe);

/* Free. Only once both sides are done. Accepts NULL. */
void path_pipe_free(struct path_pipe *pipe);

/*
 * Producer: queue one pair (arc_path_fn signature; @ctx is the pipe).
 * May block while every batch is full. Returns 0, -ENAMETOOLONG (pair
 * larger than a batch), or -ECANCELED once the consumer gave up.
 */
int path_pipe_push(void *ctx, const char *path, size_t path_len,
		   const char *pkg, size_t pkg_len);

/* Producer: no more pairs; @status (0 or -errno) is what the consumer's
 * path_pipe_drain() returns after the last pair. */
void path_pipe_close(struct path_pipe *pipe, int status);

/*
 * Consumer: call @fn for every pair, in order, until the producer closed
 * the pipe. Returns the producer's status, or the first negative value
 * @fn returned (after which the producer's pushes fail with -ECANCELED
 * and the rest is discarded).
 */
int path_pipe_drain(struct path_pipe *pipe, arc_path_fn fn, void *ctx);

#endif /* PATH_PIPE_H */
