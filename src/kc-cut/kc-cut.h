/*
 * kc-cut.h - the parts of kc-cut and what they promise each other:
 * feed.c reads stdin in a thread of its own so the main loop can wait for
 * input and for its ffmpeg children at once; jobs.c runs the cuts and owns
 * every child and temporary file; main.c dispatches records.
 */
#ifndef KC_CUT_PROG_H
#define KC_CUT_PROG_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cut.h"

#define MAX_JOBS 16
#define MAX_CONN 16	/* --connections */

struct opts {
	const char *out;	/* --out as given */
	char dir[PATH_MAX];	/* the same, absolute, existing */
	enum kc_cut_mode mode;	/* KC_CUT_COPY or KC_CUT_ACCURATE */
	enum kc_cut_reencode reencode;	/* --reencode */
	int jobs;		/* cuts at a time, 1..MAX_JOBS */
	int unbuffered;
	int quiet;		/* no progress line */
	const char *cookies;	/* HLS requests: cookies.txt, or NULL */
	int retries;		/* ... HTTP retries */
	double backoff;		/* ... backoff factor */
	int connections;	/* ... downloads at a time, 1..MAX_CONN */
};

/* feed.c: records from a reader thread, in input order. */
enum feed_kind { FEED_REC, FEED_EOF, FEED_ERR };

struct feed_item {
	enum feed_kind kind;
	json_t *rec;		/* FEED_REC: the record */
	char *raw;		/* FEED_REC: its line, for pass-through */
	size_t len;
	char where[80];		/* "<stdin>:12" */
	char err[300];		/* FEED_ERR: what is wrong */
	struct feed_item *next;
};

/*
 * Starts reading fp; each item read (and the end, and an error, after
 * which reading stops) is queued and announced by a byte on wakefd.
 * Returns 0, or -1 with errno.
 */
int feed_start(FILE *fp, const char *name, int wakefd);
/* The next item, or NULL when none is queued yet.  Never blocks. */
struct feed_item *feed_next(void);
void feed_free(struct feed_item *it);

/* jobs.c: the stream a highlight belongs to (shared, reference counted). */
struct source {
	char *cut;		/* what ffmpeg reads */
	char *url, *id;		/* for clip records; NULL if absent */
	int video, audio;	/* the stream record's has_video/has_audio */
	double duration;	/* seconds of cut, < 0 if unknown */
	double offset;		/* stream time at cut's time 0 */
	double pdt0;		/* the stream's pdt0 (NAN: none) */
	int hls;		/* cut is an HLS playlist: hlscut.c */
	int scratch;		/* cut is a file of ours (hlscut.c), removed
				   with the last reference */
	int planned;		/* copy_as is decided */
	enum kc_cut_mode copy_as;	/* how a cut that is not --accurate
				   is made: KC_CUT_COPY, _COPY_AAC or
				   _ENCODE (kc_cut_codec_mode) */
	int refs;
};

struct source *source_new(const char *cut, const char *url,
    const char *id);
void source_put(struct source *s);

/*
 * Sets up the scheduler: the cleanup hook (kills children, removes temp
 * files) on every exit path, signal handlers, and the SIGCHLD wake-up
 * byte on wakefd.
 */
void jobs_init(const struct opts *o, int wakefd);
/* Queues a highlight read at where, its clip named after stem (the
 * stream's, kc_cut_stem); a bad one, or one with err set (a failure found
 * before cutting), becomes an error record. */
void jobs_add(struct source *s, const char *stem, const json_t *hl,
    const char *where, const char *err);

/*
 * hlscut.c: for a highlight of an HLS source, the segments of s->cut
 * covering [t0, t1) -- the continuous run from the one that holds t0 --
 * fetched once each into dir (or linked, when they are local files) and
 * joined into one media file there; returns a new scratch source reading
 * that file (its offset: the stream time of its first segment), or NULL
 * with a reason.  Highlights must come in time order for segments to be
 * fetched only once: those ending before t0 are forgotten.
 */
struct source *hls_source(const struct source *s, double t0, double t1,
    const char *dir, char *why, size_t n);
void hls_cleanup(const char *dir);
/* The options its HTTP requests use (o must outlive them). */
void hls_init(const struct opts *o);
/* Removes the scratch folders (.kc-cut.PID) and unfinished clips
 * (.NAME.PID.part) that a killed kc-cut left in outdir. */
void sweep_stale(const char *outdir);
/* Reaps children, moves cuts on, starts queued ones. */
void jobs_step(void);
/* Writes finished records in arrival order. */
void jobs_emit(void);
int jobs_pending(void);		/* highlights whose record is not written yet */
int jobs_failed(void);		/* cuts that failed so far */
/* Ends the terminal progress line, if one was drawn. */
void jobs_progress_end(void);
/* A warning line on stderr that does not break the progress line. */
void jobs_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
