/*
 * feed.c - kc-cut's input, read by a thread of its own.
 *
 * kc-cut waits for two things at once: the next record and its ffmpeg
 * children.  stdio cannot be polled (a line may sit in the FILE buffer
 * while the descriptor looks idle), so a reader thread does the blocking
 * reads with the shared record reader and hands each record to the main
 * thread through a short queue, announcing it with a byte on the wake-up
 * pipe the main loop polls.  The queue is bounded so a fast producer
 * cannot make us hold the whole input in memory.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kc-cut.h"
#include "rec.h"

#define QUEUE_MAX 256

static struct {
	pthread_mutex_t mu;
	pthread_cond_t room;
	struct feed_item *head, *tail;
	int n;
	kc_reader *rd;
	int wakefd;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL,
    0, NULL, -1 };

/* Used when even the item for an error cannot be allocated. */
static struct feed_item oom_item = { FEED_ERR, NULL, NULL, 0, "<stdin>",
    "out of memory", NULL };

static void
push(struct feed_item *it)
{
	ssize_t w;

	pthread_mutex_lock(&q.mu);
	while (q.n >= QUEUE_MAX)
		pthread_cond_wait(&q.room, &q.mu);
	it->next = NULL;
	if (q.tail)
		q.tail->next = it;
	else
		q.head = it;
	q.tail = it;
	q.n++;
	pthread_mutex_unlock(&q.mu);
	/* a full pipe already holds a wake-up: EAGAIN is fine */
	do
		w = write(q.wakefd, "f", 1);
	while (w < 0 && errno == EINTR);
}

static struct feed_item *
read_one(void)
{
	struct feed_item *it;
	json_t *rec;
	int rc;

	rc = kc_reader_next(q.rd, &rec);
	if ((it = calloc(1, sizeof(*it))) == NULL) {
		json_decref(rec);
		return &oom_item;
	}
	snprintf(it->where, sizeof(it->where), "%s", kc_reader_where(q.rd));
	if (rc < 0) {
		it->kind = FEED_ERR;
		snprintf(it->err, sizeof(it->err), "%s", kc_reader_error(q.rd));
	} else if (rc == 0)
		it->kind = FEED_EOF;
	else {
		it->kind = FEED_REC;
		it->rec = rec;
		it->len = kc_reader_rawlen(q.rd);
		if ((it->raw = malloc(it->len + 1)) == NULL) {
			json_decref(rec);
			free(it);
			return &oom_item;
		}
		memcpy(it->raw, kc_reader_raw(q.rd), it->len);
		it->raw[it->len] = '\0';
	}
	return it;
}

static void *
feed_main(void *arg)
{
	struct feed_item *it;
	enum feed_kind kind;

	(void)arg;
	do {
		it = read_one();
		kind = it->kind;	/* it belongs to the main thread once pushed */
		push(it);
	} while (kind == FEED_REC);
	return NULL;
}

int
feed_start(FILE *fp, const char *name, int wakefd)
{
	pthread_attr_t at;
	pthread_t th;
	sigset_t all, old;
	int rc;

	if ((q.rd = kc_reader_new(fp, name)) == NULL)
		return -1;
	q.wakefd = wakefd;
	/*
	 * The thread inherits this mask: signals are for the main thread,
	 * which owns the children to kill and the loop to wake.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &at, feed_main, NULL);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

struct feed_item *
feed_next(void)
{
	struct feed_item *it;

	pthread_mutex_lock(&q.mu);
	if ((it = q.head) != NULL) {
		if ((q.head = it->next) == NULL)
			q.tail = NULL;
		q.n--;
		pthread_cond_signal(&q.room);
	}
	pthread_mutex_unlock(&q.mu);
	return it;
}

void
feed_free(struct feed_item *it)
{
	if (it == NULL || it == &oom_item)
		return;
	json_decref(it->rec);
	free(it->raw);
	free(it);
}
