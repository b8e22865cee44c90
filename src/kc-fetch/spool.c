/*
 * spool.c - the bounded spool where kc-fetch puts network segments for
 * the feature filters.  A file may go once every consumer role has
 * acknowledged its segment (spool.h in src/lib, docs/records.md); while
 * the spool holds --spool-segments unacknowledged files, fetching waits.
 * If no acknowledgement comes for a long time (a pipeline without one of
 * the roles), the bound is given up with a warning rather than hanging.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "msg.h"
#include "progress.h"
#include "spool.h"

#define STALL_SECS 120.0	/* no acknowledgement for this long: give up
				   the bound */

/* Removes dir and the files in it (the spool has no subdirectories but
 * cut/, handled by the recursion). */
static void
rm_tree(const char *dir)
{
	char p[PATH_MAX + 300];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* Spools of this stream left by runs that died (their pid is gone). */
static void
clear_stale(const char *parent, const char *id)
{
	char prefix[64], p[PATH_MAX + 300], *end;
	struct dirent *e;
	long pid;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "kc-spool.%s.", id);
	if ((d = opendir(parent)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(e->d_name + strlen(prefix), &end, 10);
		if (*end != '\0' || pid <= 0 || (kill((pid_t)pid, 0) != 0 &&
		    errno == ESRCH)) {
			snprintf(p, sizeof(p), "%s/%s", parent, e->d_name);
			rm_tree(p);
		}
	}
	closedir(d);
}

int
spool_open(struct spool *sp, const char *id)
{
	const char *parent = O.spool;
	const char *r, *c;
	struct stat st;
	size_t len;

	memset(sp, 0, sizeof(*sp));
	if (parent == NULL && ((parent = getenv("TMPDIR")) == NULL ||
	    *parent == '\0'))
		parent = "/tmp";
	clear_stale(parent, id);
	if ((size_t)snprintf(sp->dir, sizeof(sp->dir), "%s/kc-spool.%s.%ld",
	    parent, id, (long)getpid()) >= sizeof(sp->dir))
		kc_die(KC_EXIT_DATA, "%s: spool path too long", parent);
	if (mkdir(sp->dir, 0777) != 0 && errno != EEXIST)
		kc_die(KC_EXIT_DATA, "%s:", sp->dir);
	snprintf(sp->ack, sizeof(sp->ack), "%s/ack", sp->dir);
	if (strcmp(O.consumers, "none") != 0)
		for (r = O.consumers; *r && sp->nroles < 8; r = *c ? c + 1 : c) {
			c = r + strcspn(r, ",");
			len = (size_t)(c - r);
			if (len == 0 || len >= sizeof(sp->roles[0]))
				kc_usage_error("--consumers: bad role in '%s'",
				    O.consumers);
			memcpy(sp->roles[sp->nroles], r, len);
			sp->roles[sp->nroles++][len] = '\0';
		}
	/* records into a file or onto a terminal: nobody downstream can
	 * acknowledge, so the files must stay for whoever reads them later */
	if (sp->nroles && fstat(1, &st) == 0 && !S_ISFIFO(st.st_mode) &&
	    !S_ISSOCK(st.st_mode)) {
		kc_warn("records are not going into a pipe: the segment files "
		    "stay in %s", sp->dir);
		sp->nroles = 0;
	}
	sp->max = sp->nroles ? O.spool_segments : 0;
	return 0;
}

void
spool_name(const struct spool *sp, long long seq, const char *kind,
    char *out, size_t n)
{
	if ((size_t)snprintf(out, n, "%s/%s%lld.ts", sp->dir, kind, seq) >= n)
		kc_die(KC_EXIT_DATA, "%s: spool path too long", sp->dir);
}

/* The lowest seq every role acknowledged; -1 when some role none yet. */
static long
all_acked(const struct spool *sp)
{
	long low = -1, s;
	int i;

	for (i = 0; i < sp->nroles; i++) {
		if (kc_spool_acked(sp->ack, sp->roles[i], &s) != 0 || s < 0)
			return -1;
		if (i == 0 || s < low)
			low = s;
	}
	return low;
}

/* Deletes the files every role is done with; returns how many left. */
static size_t
release(struct spool *sp)
{
	long low = all_acked(sp);
	size_t k = 0, i;

	if (sp->nroles == 0)
		return sp->n;
	for (i = 0; i < sp->n; i++) {
		if (sp->seq[i] <= low) {
			unlink(sp->path[i]);
			continue;
		}
		if (k != i) {
			sp->seq[k] = sp->seq[i];
			memcpy(sp->path[k], sp->path[i], sizeof(sp->path[0]));
		}
		k++;
	}
	sp->n = k;
	return k;
}

static void
nap(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

int
spool_wait_room(struct spool *sp)
{
	double since = kc_now();
	size_t before = sp->n, left;

	while (sp->max > 0 && !sp->unbounded &&
	    (left = release(sp)) >= (size_t)sp->max) {
		if (fetch_stop >= 2 || fetch_reader_gone())
			return -1;
		if (left < before) {
			before = left;
			since = kc_now();
		}
		if (kc_now() - since > STALL_SECS) {
			kc_warn("no stage acknowledged a spool segment for %.0f "
			    "s (waiting for roles %s); fetching on without the "
			    "bound (see --consumers)", STALL_SECS, O.consumers);
			sp->unbounded = 1;
			break;
		}
		nap();
	}
	return 0;
}

void
spool_added(struct spool *sp, long long seq, const char *path)
{
	void *np;

	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? 2 * sp->cap : 32;
		if ((np = realloc(sp->seq, sp->cap * sizeof(*sp->seq))) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		sp->seq = np;
		if ((np = realloc(sp->path, sp->cap * sizeof(*sp->path))) ==
		    NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		sp->path = np;
	}
	sp->seq[sp->n] = (long)seq;
	snprintf(sp->path[sp->n], sizeof(sp->path[0]), "%s", path);
	sp->n++;
}

/* Frees the list of files (the files stay). */
static void
forget(struct spool *sp)
{
	free(sp->seq);
	free(sp->path);
	sp->seq = NULL;
	sp->path = NULL;
	sp->n = sp->cap = 0;
}

/*
 * A kc-cut that read the stream record holds the live cut buffer: it
 * wrote 0 to ACK.cut, and writes 1 once it has taken (linked) what the
 * highlights before the stream's "end" record need.  Nothing there: no
 * kc-cut downstream, nothing to wait for.
 */
static void
wait_cut(struct spool *sp)
{
	double since = kc_now();
	long s;

	while (kc_spool_acked(sp->ack, "cut", &s) == 0 && s == 0) {
		if (fetch_reader_gone() || fetch_stop >= 2)
			return;
		if (kc_now() - since > STALL_SECS) {
			kc_warn("kc-cut held the live cut buffer for %.0f s "
			    "after the stream's end; removing it", STALL_SECS);
			return;
		}
		nap();
	}
}

void
spool_finish(struct spool *sp)
{
	double since = kc_now();
	size_t before = sp->n, left;

	if (sp->nroles == 0) {
		kc_warn("spool files kept in %s (--consumers none)", sp->dir);
		forget(sp);
		return;
	}
	while ((left = release(sp)) > 0) {
		if (fetch_reader_gone() || fetch_stop >= 2)
			break;
		if (left < before) {
			before = left;
			since = kc_now();
		}
		if (kc_now() - since > STALL_SECS) {
			kc_warn("%zu spool segment%s never acknowledged "
			    "(roles %s); removing them", left, left == 1 ? "" :
			    "s", O.consumers);
			break;
		}
		nap();
	}
	if (sp->held)
		wait_cut(sp);
	spool_remove(sp);
}

void
spool_remove(struct spool *sp)
{
	if (*sp->dir)
		rm_tree(sp->dir);
	forget(sp);
}
