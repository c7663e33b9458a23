/*
 * The request loop: worker threads that poll /dev/fuse for a moment after
 * each request before they sleep.
 *
 * A FUSE request is a round trip: the caller sleeps until the reply. When
 * the daemon's thread sleeps too, every request pays for waking it, and on
 * a virtual machine that means waking a halted virtual CPU, which costs
 * more than the request itself. Callers such as find, tar or dpkg send
 * their next request a few microseconds after the last reply, so one
 * thread that keeps reading for a short while (yielding the CPU to anyone
 * else runnable) picks it up at once. Only one thread polls at a time; the
 * others wait in epoll with EPOLLEXCLUSIVE, so a request wakes one of them.
 *
 * Polling only pays while requests come close together: a caller that
 * works for a while between requests (exec, dynamic linking) would just
 * lose a CPU to the poller. So the loop polls after a request only if
 * that request came within the polling time of the one before it.
 *
 * Layer 7 (daemon, fs/README.md): calls the view services and leaf helpers
 * below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "fs/caller-umask.h"
#include "fs/session-loop.h"
#include "fs/tmpfile.h"

struct afs_loop {
	struct fuse_session *se;
	int fd;
	uint64_t poll_ns;
	atomic_bool polling;	       /* one thread polls, the others sleep */
	_Atomic uint64_t last_done_ns; /* when the last request was answered */
	atomic_int error;
	atomic_bool umask_warned;
};

static uint64_t afs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleep until /dev/fuse has a request (or the session ends). */
static int afs_loop_wait(int epfd)
{
	struct epoll_event ev;
	int n;

	/* The timeout lets a worker see the end of the session that a
	 * signal handler in another thread asked for. */
	n = epoll_wait(epfd, &ev, 1, 250);
	return n < 0 && errno != EINTR ? -errno : 0;
}

/* This worker (*@polling) stops polling, if it was the one. */
static void afs_loop_stop_polling(struct afs_loop *loop, bool *polling)
{
	if (*polling) {
		atomic_store(&loop->polling, false);
		*polling = false;
	}
}

static void *afs_loop_worker(void *arg)
{
	struct afs_loop *loop = arg;
	struct fuse_buf buf;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
	uint64_t until = 0;
	bool polling = false, close_together;
	int epfd, r;

	memset(&buf, 0, sizeof(buf));
	/* Each worker creates entries with its caller's umask. */
	r = afs_umask_thread_init();
	if (r < 0 && !atomic_exchange(&loop->umask_warned, true))
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: no umask per thread (%s): modes of new "
			 "entries ignore default ACLs\n",
			 strerror(-r));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, loop->fd, &ev) < 0) {
		atomic_store(&loop->error, -errno);
		fuse_session_exit(loop->se);
		if (epfd >= 0)
			close(epfd);
		return NULL;
	}
	while (!fuse_session_exited(loop->se)) {
		r = fuse_session_receive_buf(loop->se, &buf);
		if (r == -EAGAIN) {
			if (polling && afs_now_ns() < until) {
				sched_yield();
				continue;
			}
			afs_loop_stop_polling(loop, &polling);
			r = afs_loop_wait(epfd);
			if (r < 0) {
				atomic_store(&loop->error, r);
				fuse_session_exit(loop->se);
				break;
			}
			continue;
		}
		if (r == -EINTR)
			continue;
		if (r <= 0) {
			/* 0: unmounted; below: a real error. */
			if (r < 0)
				atomic_store(&loop->error, r);
			fuse_session_exit(loop->se);
			break;
		}
		afs_tmpfile_request(&buf);
		if (loop->poll_ns == 0) {
			fuse_session_process_buf(loop->se, &buf);
			continue;
		}
		/* Did this request come soon enough after the last answer
		 * for polling to pay? */
		close_together =
			afs_now_ns() - atomic_load(&loop->last_done_ns) <=
			loop->poll_ns;
		fuse_session_process_buf(loop->se, &buf);
		atomic_store(&loop->last_done_ns, afs_now_ns());
		if (!close_together) {
			afs_loop_stop_polling(loop, &polling);
			continue;
		}
		if (!polling) {
			bool expected = false;

			polling = atomic_compare_exchange_strong(
				&loop->polling, &expected, true);
		}
		if (polling)
			until = afs_now_ns() + loop->poll_ns;
	}
	afs_loop_stop_polling(loop, &polling);
	free(buf.mem);
	close(epfd);
	return NULL;
}

int afs_session_loop(struct fuse_session *se, unsigned threads,
		     unsigned poll_us)
{
	struct afs_loop loop = {
		.se = se,
		.fd = fuse_session_fd(se),
		.poll_ns = (uint64_t)poll_us * 1000u,
	};
	pthread_t *tids;
	unsigned i, started = 0;
	int flags;

	flags = fcntl(loop.fd, F_GETFL);
	if (flags < 0 || fcntl(loop.fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	atomic_init(&loop.polling, false);
	atomic_init(&loop.last_done_ns, 0);
	atomic_init(&loop.error, 0);
	atomic_init(&loop.umask_warned, false);
	tids = calloc(threads, sizeof(*tids));
	if (!tids)
		return -ENOMEM;
	for (i = 0; i < threads; i++) {
		int r = pthread_create(&tids[i], NULL, afs_loop_worker, &loop);

		if (r != 0) {
			atomic_store(&loop.error, -r);
			fuse_session_exit(se);
			break;
		}
		started++;
	}
	/* A worker that sees the end stops; the others sleep in epoll
	 * until told. */
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	fuse_session_reset(se);
	return atomic_load(&loop.error);
}
