/*
 * clip.h - kc-clip's internals: the pipeline of stage processes it runs,
 * and the relay through which it watches records go by to show progress.
 */
#ifndef KC_CLIP_INTERNAL_H
#define KC_CLIP_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#define MAXSTAGES 8
#define MAXARGS 48

struct stage {
	char name[32];
	const char *argv[MAXARGS];
	int argc;
	pid_t pid;
	int status, exited;
	int err_rd;		/* its stderr (and its children's), or -1 */
	int said;		/* it wrote at least one line there */
	int tap;		/* the driver copies its stdout to the next
				   stage's stdin (through tap_rd, tap_wr) */
	int tap_rd, tap_wr;	/* (pl_start) the driver's ends, or -1 */
};

struct pipeline {
	struct stage st[MAXSTAGES];
	int n;
	int in_set, in_fd;	/* in_set: the first stage reads in_fd (the
				   driver's, left open), else /dev/null */
	int relay_after;	/* stage whose output the driver relays */
	int relay_rd, relay_wr;	/* driver's ends around the relay point */
	int out_rd;		/* last stage's stdout */
	int partial;		/* (pl_wait) a stage exited KC_EXIT_PARTIAL:
				   it completed, part of its work failed */
};

/* Adds a stage running program prog (found beside kc-clip, else PATH). */
struct stage *pl_stage(struct pipeline *pl, const char *prog);
void pl_arg(struct stage *s, const char *arg);
/* Adds the option flag with its value val, unless val is NULL. */
void pl_opt(struct stage *s, const char *flag, const char *val);

/* Starts every stage, wired stdout to stdin, with the driver in the
 * middle after stage relay_after and after each stage with tap set.
 * Returns 0, or -1 (message printed). */
int pl_start(struct pipeline *pl);

/* Waits for all stages.  Returns the index of the stage to blame (the
 * first in pipeline order that failed other than by a broken pipe), or -1
 * when all succeeded.  kc-cut exiting KC_EXIT_PARTIAL (some cuts failed)
 * did not fail the run: it sets pl->partial instead. */
int pl_wait(struct pipeline *pl);

/*
 * Copies every stage's stderr to ours line by line until all of them are
 * closed, clearing a progress line on a terminal first, and notes which
 * stages said anything.  Run in its own thread (arg: the pipeline).
 */
void *pl_stderr(void *arg);

/* Kills every stage still running (SIGTERM). */
void pl_kill(struct pipeline *pl);

/* journal.c: resuming an interrupted run. */
struct journal {
	char path[PATH_MAX];
	FILE *fp;		/* open for appending, or NULL */
	char id[64];		/* stream id of the journal, "" if none */
	long resume_seq;	/* last complete segment, -1: start afresh */
	double resume_t;	/* its end, stream time */
	int resumed;		/* an earlier run's records are reused */
	int announce;		/* say so on stderr when replaying */
	int fresh;		/* --no-resume: forget an earlier journal */
	int lockfd;		/* flock'ed PATH.lock while open, or -1 */
};

/* Names the journal of a source and range under dir (no I/O). */
void journal_path(struct journal *j, const char *dir, const char *src,
    double start, double end);
/* Locks the journal (one run per journal: another run of the same
 * source and range keeps none), reads an earlier one (unless j->fresh),
 * cuts it back to its last complete segment and opens it for appending.
 * Returns 0, or -1 (warned; no journal). */
int journal_open(struct journal *j);
/* Writes the journal's records to out, showing each to see(). */
int journal_replay(struct journal *j, FILE *out,
    void (*see)(const char *, size_t, void *), void *arg);
void journal_restart(struct journal *j);	/* empties it */
void journal_add(struct journal *j, const char *line, size_t n);
/* Closes it; done: the run completed, so the journal is removed, unless
 * the run was a resumed one (see journal.c). */
void journal_close(struct journal *j, int done);

/* relay's show: progress on stderr (a line redrawn on a terminal, plain
 * lines in a log), and/or "progress" records on stdout (kc-clip
 * --json-progress). */
#define RELAY_DRAW	1
#define RELAY_RECORDS	2

/* What relay saw of this run. */
struct relay_stats {
	double media;		/* stream seconds this run analysed (a resumed
				   run: those after the resume point) */
	double resumed;		/* stream time resumed from, -1: not resumed */
	long gaps;		/* "gap" records */
};

/*
 * Copies records from rd to wr until EOF, watching "stream", "afeat",
 * "vfeat" and "gap" records to show progress (see RELAY_*), and appending
 * them to the journal j (may be NULL).  With a journal to resume from,
 * the journal's records go first and the new stream record is dropped (or,
 * when the stream changed, the journal is started afresh).  Returns 0, or
 * -1 on a write error (the next stage went away); fills *rs either way.
 */
int relay(int rd, int wr, int show, struct relay_stats *rs,
    struct journal *j);

/*
 * cutting.c: how far the cutting is.  Two taps copy records through
 * unchanged: after kc-score (counting the highlights kc-cut gets) and
 * after kc-cut (counting its clip records and its error records of failed
 * cuts); cut_report shows "cutting N/M clips" until both taps are done.
 */
struct cutwatch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long want;		/* highlights kc-cut got */
	long done, failed;	/* clips kc-cut wrote; of them, failed cuts */
	int want_all;		/* kc-score's output ended: want is final */
	int open;		/* taps still copying */
	int lost;		/* a tap could not write (a stage went away) */
};

struct cuttap {
	struct cutwatch *cw;
	int rd, wr;
	int scored;		/* 1: kc-score's output; 0: kc-cut's */
};

void cut_init(struct cutwatch *cw);
/* Copies one tap's records (arg: struct cuttap) until EOF.  Thread. */
void *cut_tap(void *arg);
/* Shows the cutting progress on stderr until both taps are done: on a
 * terminal, a line redrawn at every clip; else a plain line when the
 * highlights are known, at every clip, and each minute without one. */
void cut_report(struct cutwatch *cw, int tty);

/*
 * from.c: checks FILE (kc-clip --json's records, "-" for stdin) for
 * --from-highlights and writes to out what kc-cut is given: its stream
 * record, its highlight records (*nhl of them) and an "end" record.
 * Returns 0, or -1 with the problem in why.
 */
int from_prepare(const char *file, FILE *out, long *nhl, char *why,
    size_t n);

/* Set by relay once a stream record says the stream is live (read by
 * kc-clip's signal handler: a live run stops gracefully). */
extern volatile sig_atomic_t relay_live;

#endif
