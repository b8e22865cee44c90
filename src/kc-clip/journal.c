/*
 * journal.c - what lets an interrupted kc-clip run (killed, even with
 * kill -9) continue where it stopped.  Every record that reaches kc-score
 * (the stream, its segments and their hop features) is appended to a
 * journal file and flushed.  On the next run with the same source and
 * range, the journal is cut back to the last segment whose features are
 * complete for every kind, kc-fetch is told to skip the segments up to it,
 * and the journal is replayed into kc-score ahead of the new records: only
 * the segment that was in flight is analysed again.  Clips are named
 * deterministically, kc-cut keeps a clip already there with the same
 * bytes and kc-db add is idempotent on path, so cutting again makes no
 * duplicates.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "clip.h"
#include "msg.h"
#include "hash.h"
#include "rec.h"

struct seginfo {
	long seq;
	double t1;
};

/* FNV-1a over s, then 0xff xored in: it separates concatenated fields. */
static uint64_t
fnv(const char *s, uint64_t h)
{
	return kc_fnv1a(h, s, strlen(s)) ^ 0xff;
}

void
journal_path(struct journal *j, const char *dir, const char *src,
    double start, double end)
{
	char num[64];
	uint64_t h = KC_FNV_INIT;

	h = fnv(src, h);
	snprintf(num, sizeof(num), "%.3f/%.3f", start, end);
	h = fnv(num, h);
	memset(j, 0, sizeof(*j));
	j->resume_seq = -1;
	j->lockfd = -1;
	snprintf(j->path, sizeof(j->path), "%s/journal-%016llx.jsonl", dir,
	    (unsigned long long)h);
}

/* Reads one complete line; 0 at the end or at a torn (unfinished) line. */
static ssize_t
whole_line(FILE *fp, char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, fp);

	if (n <= 0 || (*line)[n - 1] != '\n')
		return 0;	/* a write cut short by a kill */
	return n;
}

/* First pass: the stream, which kinds it has, how far each got. */
static int
survey(FILE *fp, struct journal *j, struct seginfo **segs, size_t *nsegs,
    double *done)
{
	char *line = NULL;
	size_t cap = 0, capsegs = 0;
	ssize_t n;
	json_t *r;
	const char *type, *id;
	double t, dur, adone = -1, vdone = -1, t1, seq;
	int has_a = 1, has_v = 1, b, ended = 0;
	struct seginfo *ns;

	while ((n = whole_line(fp, &line, &cap)) > 0) {
		if ((r = json_loadb(line, (size_t)n, 0, NULL)) == NULL)
			break;	/* unreadable: trust nothing after it */
		type = kc_rec_type(r);
		if (type == NULL)
			;
		else if (strcmp(type, "end") == 0)
			ended = 1;	/* every segment was analysed */
		else if (strcmp(type, "stream") == 0 && !*j->id) {
			if ((id = kc_rec_str(r, "id")) != NULL)
				snprintf(j->id, sizeof(j->id), "%s", id);
			if (kc_rec_bool(r, "has_audio", &b) == 0)
				has_a = b;
			if (kc_rec_bool(r, "has_video", &b) == 0)
				has_v = b;
		} else if (strcmp(type, "segment") == 0 &&
		    kc_rec_num(r, "seq", &seq) == 0 &&
		    kc_rec_num(r, "t1", &t1) == 0) {
			if (*nsegs == capsegs) {
				capsegs = capsegs ? 2 * capsegs : 256;
				if ((ns = realloc(*segs, capsegs *
				    sizeof(**segs))) == NULL)
					kc_die(KC_EXIT_DATA, "out of memory");
				*segs = ns;
			}
			(*segs)[*nsegs].seq = (long)seq;
			(*segs)[(*nsegs)++].t1 = t1;
		} else if (kc_rec_num(r, "t", &t) == 0 && kc_rec_num(r, "dur",
		    &dur) == 0) {
			if (strcmp(type, "afeat") == 0 && t + dur > adone)
				adone = t + dur;
			if (strcmp(type, "vfeat") == 0 && t + dur > vdone)
				vdone = t + dur;
		}
		json_decref(r);
	}
	free(line);
	if (!*j->id)
		return -1;
	*done = has_a && has_v ? (adone < vdone ? adone : vdone) : has_a ?
	    adone : vdone;
	/* the last hop may end short of the last segment's t1 (its audio
	 * a few ms shorter): a journal that reached "end" is complete */
	if (ended)
		*done = INFINITY;
	return 0;
}

/* Second pass: the records up to the resume point, into a new file. */
static int
keep(FILE *fp, FILE *out, double cut)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *r;
	const char *type;
	double t, t0;
	int ok = 0, rc = 0;

	while ((n = whole_line(fp, &line, &cap)) > 0) {
		if ((r = json_loadb(line, (size_t)n, 0, NULL)) == NULL)
			break;
		type = kc_rec_type(r);
		ok = 0;
		if (type == NULL || strcmp(type, "end") == 0)
			ok = 0;
		else if (strcmp(type, "stream") == 0)
			ok = 1;
		else if (kc_rec_num(r, "t1", &t) == 0 && kc_rec_num(r, "t0",
		    &t0) == 0)	/* segments, gaps */
			ok = t <= cut + 1e-6;
		else if (kc_rec_num(r, "t", &t) == 0)	/* hop features */
			ok = t < cut - 1e-6;
		json_decref(r);
		if (ok && fwrite(line, 1, (size_t)n, out) != (size_t)n) {
			rc = -1;
			break;
		}
	}
	free(line);
	return rc;
}

/* Drops the lock, and its file: nobody waits on it (LOCK_NB), and one
 * opened later is a new file, which is as good. */
static void
unlock(struct journal *j)
{
	char lk[PATH_MAX + 8];

	if (j->lockfd < 0)
		return;
	snprintf(lk, sizeof(lk), "%s.lock", j->path);
	unlink(lk);
	close(j->lockfd);
	j->lockfd = -1;
}

int
journal_open(struct journal *j)
{
	struct seginfo *segs = NULL;
	size_t nsegs = 0, i;
	char tmp[PATH_MAX + 8];
	FILE *fp, *out;
	double done, cut = 0;

	/*
	 * Two runs of the same source and range at once (two terminals, two
	 * test configurations) would interleave their records in one
	 * journal: the second keeps none.
	 */
	snprintf(tmp, sizeof(tmp), "%s.lock", j->path);
	if ((j->lockfd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0) {
		kc_warn("%s: no journal (the run cannot be resumed):", tmp);
		return -1;
	}
	if (flock(j->lockfd, LOCK_EX | LOCK_NB) != 0) {
		kc_warn("%s: another kc-clip is running the same source and "
		    "range; this run keeps no journal (it cannot be resumed)",
		    j->path);
		close(j->lockfd);
		j->lockfd = -1;
		return -1;
	}
	if (j->fresh)
		unlink(j->path);
	if ((fp = fopen(j->path, "re")) != NULL) {
		if (survey(fp, j, &segs, &nsegs, &done) == 0) {
			for (i = 0; i < nsegs; i++)
				if (segs[i].t1 <= done + 1e-6 &&
				    segs[i].seq > j->resume_seq) {
					j->resume_seq = segs[i].seq;
					cut = segs[i].t1;
				}
		}
		free(segs);
		if (j->resume_seq >= 0) {
			snprintf(tmp, sizeof(tmp), "%s.tmp", j->path);
			rewind(fp);
			if ((out = fopen(tmp, "we")) == NULL ||
			    keep(fp, out, cut) != 0 || fclose(out) != 0 ||
			    rename(tmp, j->path) != 0) {
				kc_warn("%s: cannot rewrite the journal:",
				    j->path);
				j->resume_seq = -1;
			} else {
				j->resume_t = cut;
				j->resumed = 1;
			}
		}
		fclose(fp);
		if (j->resume_seq < 0) {
			unlink(j->path);
			*j->id = '\0';
		}
	}
	if ((j->fp = fopen(j->path, "ae")) == NULL) {
		kc_warn("%s: no journal (the run cannot be resumed):",
		    j->path);
		unlock(j);
		return -1;
	}
	return 0;
}

int
journal_replay(struct journal *j, FILE *out, void (*see)(const char *,
    size_t, void *), void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int rc = 0;

	if ((fp = fopen(j->path, "re")) == NULL)
		return -1;
	while ((n = whole_line(fp, &line, &cap)) > 0) {
		see(line, (size_t)n, arg);
		if (fwrite(line, 1, (size_t)n, out) != (size_t)n) {
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(fp);
	return rc;
}

void
journal_restart(struct journal *j)
{
	if (j->fp == NULL)
		return;
	if (ftruncate(fileno(j->fp), 0) != 0)
		kc_warn("%s:", j->path);
	j->resume_seq = -1;
	j->resumed = 0;
	*j->id = '\0';
}

void
journal_add(struct journal *j, const char *line, size_t n)
{
	if (j->fp == NULL)
		return;
	if (fwrite(line, 1, n, j->fp) != n || fflush(j->fp) == EOF) {
		kc_warn("%s: journal write failed (the run cannot be "
		    "resumed):", j->path);
		fclose(j->fp);
		j->fp = NULL;
	}
}

void
journal_close(struct journal *j, int done)
{
	if (j->fp)
		fclose(j->fp);
	j->fp = NULL;
	/*
	 * A resumed analysis differs a little from one in a single go (the
	 * audio filters' history restarts at the resume point), and so would
	 * the scores in the clip names of a fresh run: the journal of a
	 * resumed run stays, so that the same command again replays it and
	 * makes the same clips, not near-duplicates of them.
	 */
	if (done && !j->resumed)
		unlink(j->path);
	unlock(j);
}
