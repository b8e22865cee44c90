/*
 * kc-cut.h - the parts of kc-cut and what they promise each other:
 * feed.c reads stdin in a thread of its own so the main loop can wait for
 * input and for its ffmpeg children at once; jobs.c runs the cuts and owns
 * every child and temporary file; after.c takes a job on once its clip is
 * in place (poster, hover strip, vertical version) and runs
 * --export-vertical's jobs; main.c dispatches records.
 */
#ifndef KC_CUT_PROG_H
#define KC_CUT_PROG_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cut.h"
#include "vertical.h"

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
	int poster;		/* a poster and hover strip per clip (not
				   --no-poster) */
	int vertical;		/* --format vertical: a vertical version too */
	int export_vertical;	/* --export-vertical: clip records in */
	kc_vert vert;		/* --vertical: how it is made */
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
/* Milliseconds the main loop may sleep before progress is due, -1: no
 * limit (nothing is drawn while it waits). */
int jobs_timeout(void);
/* --export-vertical: queues a clip record read at where. */
void jobs_add_export(const json_t *clip, const char *where);

/*
 * One highlight's way through kc-cut (jobs.c and after.c).  A job holds
 * one slot of the cleanup table from its first child to its last: -j
 * counts jobs, not children.
 */
enum state {
	J_QUEUED,
	J_KEYFRAME, J_CUT, J_VERIFY,	/* jobs.c: the clip */
	J_POSTER,			/* after.c: poster and strip */
	J_VPROBE, J_VERTICAL, J_VVERIFY,	/* after.c: vertical version */
	J_DONE
};

#define JOB_TMPS 2	/* temporary files a job may have at once */

struct job {
	long seq;		/* 1, 2, ... in arrival order */
	struct source *src;	/* NULL for --export-vertical */
	json_t *hl;		/* the highlight, for the fields copied
				   (--export-vertical: the clip record) */
	double want0, want1;
	int video;		/* cut from a keyframe of a video stream */
	enum kc_cut_mode cmode;	/* how this clip is cut; a copy that
				   failed is retried with the audio as AAC */
	char name[160];		/* clip file name, "" if none could be made */
	char path[PATH_MAX];	/* final absolute path */
	char tmp[PATH_MAX];	/* temporary path, same folder */
	char tmp2[PATH_MAX];	/* a second one (the strip) */
	enum state st;
	enum kc_cut_kf_how how;
	double start_time;	/* container start_time from the lookup */
	double k;		/* where the cut starts, stream time */
	double seek;		/* --accurate: the keyframe before k the
				   input is opened at, or -1: at k */
	int slot;		/* in the cleanup table, -1 if none */
	pid_t pid;		/* running child, 0 if none */
	int outfd, errfd;	/* memfds for the child's stdout / stderr */
	json_t *rec;		/* the clip or error record, once done */
	/* the clip made, as its check found it */
	double t0, dur;		/* stream time of its start; seconds */
	int width, height;	/* its picture, 0 if none */
	int audio;		/* it has sound */
	/* after.c */
	int export;		/* --export-vertical's job */
	char base[PATH_MAX];	/* path without ".mp4": BASE.jpg ... */
	int poster;		/* BASE.jpg and BASE.strip.jpg are made */
	int vertical;		/* BASE.vertical.mp4 is made */
	double vdur;		/* seconds of vertical to encode, for the
				   progress */
	double vdone;		/* ... encoded so far */
	struct job *next;
};

/* jobs.c, for after.c */
/* Starts argv for j, stdout to j's memfd (want_out) or nowhere; 0, or -1
 * with errno (job_spawn_error says it in words). */
int job_spawn(struct job *j, const char *const argv[], int want_out);
const char *job_spawn_error(int err);
/* job_spawn, and a failure makes the job fail. */
int job_start(struct job *j, const char *const argv[], int want_out);
/* Lists path as j's temporary file k (0 or 1), removed on every exit
 * path until job_tmp_drop(j, k). */
void job_tmp_hold(struct job *j, int k, const char *path);
void job_tmp_drop(struct job *j, int k);
/* What j's last child wrote on stdout, malloc'd; its stderr's last
 * words, in buf. */
char *job_out(struct job *j);
const char *job_child_error(struct job *j, char *buf, size_t n);
/* The job's record: its clip (export: the clip record with the vertical
 * version's keys), or an error record after a warning. */
void job_succeed(struct job *j);
void job_fail(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* after.c */
void after_init(const struct opts *o);
/* A job is queued (its vertical version counts in the progress) or
 * will make no vertical version after all. */
void after_add(struct job *j);
void after_forget(struct job *j);
/* j's clip is in place and checked: its pictures, its vertical version,
 * then job_succeed. */
void after_cut(struct job *j);
/* Starts an --export-vertical job. */
void after_export(struct job *j);
/* j's child in an after.c state exited with status. */
void after_advance(struct job *j, int status);
/* Reads how far the running vertical encodes are. */
void after_poll(struct job *head);
/* Vertical versions that failed (a warning each). */
int after_failed(void);
/* The progress line when vertical versions are made: 1 if drawn (done
 * of total records written), 0 when jobs.c draws its own. */
int after_progress(long done, long total);
void after_progress_clear(void);
void after_progress_end(void);
int after_timeout(void);

#endif
