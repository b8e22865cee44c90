/*
 * cutting.c - how far the cutting is.  Once the analysis is over, kc-score
 * hands its highlights to kc-cut, which may take minutes to cut them; the
 * clip records only reach kc-clip's output once kc-db add has committed
 * them all.  So kc-clip also sits before kc-cut (after kc-score, or kc-db
 * fresh: a highlight stored already comes as its clip record) and after
 * kc-cut, copying
 * records through unchanged, and counts the highlights going in and the
 * clip (or failed cut) records coming out: "cutting N/M clips".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "clip.h"
#include "msg.h"
#include "progress.h"
#include "rec.h"

void
cut_init(struct cutwatch *cw)
{
	pthread_condattr_t ca;

	memset(cw, 0, sizeof(*cw));
	pthread_mutex_init(&cw->mu, NULL);
	/* timed waits on the monotonic clock: a clock step is no minute */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cw->cv, &ca);
	pthread_condattr_destroy(&ca);
	cw->open = 2;
}

enum { SEEN_NONE, SEEN_HIGHLIGHT, SEEN_END, SEEN_CLIP, SEEN_FAILED };

/* What a record line means to the count. */
static int
seen(const char *line, size_t len, int scored)
{
	json_t *j;
	const char *type, *stage;
	int r = SEEN_NONE;

	/* only these are worth parsing (a curve record is long) */
	if (scored ? !memmem(line, len, "\"highlight\"", 11) &&
	    !memmem(line, len, "\"end\"", 5) && !memmem(line, len,
	    "\"clip\"", 6) : !memmem(line, len,
	    "\"clip\"", 6) && !memmem(line, len, "\"error\"", 7))
		return SEEN_NONE;
	if ((j = json_loadb(line, len, 0, NULL)) == NULL)
		return SEEN_NONE;	/* the next stage will report it */
	if ((type = kc_rec_type(j)) == NULL)
		;
	else if (scored && (strcmp(type, "highlight") == 0 ||
	    strcmp(type, "clip") == 0))
		r = SEEN_HIGHLIGHT;	/* a clip: stored already (kc-db fresh),
					   kc-cut passes it on */
	else if (scored && strcmp(type, "end") == 0)
		r = SEEN_END;
	else if (!scored && strcmp(type, "clip") == 0)
		r = SEEN_CLIP;
	else if (!scored && strcmp(type, "error") == 0 && (stage =
	    kc_rec_str(j, "stage")) != NULL && strcmp(stage, "kc-cut") == 0 &&
	    kc_rec_str(j, "kind") != NULL)
		r = SEEN_FAILED;	/* a failed cut of a highlight */
	json_decref(j);
	return r;
}

void *
cut_tap(void *arg)
{
	struct cuttap *t = arg;
	struct cutwatch *cw = t->cw;
	FILE *in, *out;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int what, lost = 0;

	if ((in = fdopen(t->rd, "r")) == NULL || (out = fdopen(t->wr, "w")) ==
	    NULL)
		kc_die(KC_EXIT_DATA, "fdopen:");
	/* live, each highlight and clip goes on as soon as it is written */
	setvbuf(out, NULL, _IOLBF, 0);
	while ((n = getline(&line, &cap, in)) > 0) {
		what = seen(line, (size_t)n, t->scored);
		if (fwrite(line, 1, (size_t)n, out) != (size_t)n) {
			lost = 1;
			break;
		}
		if (what == SEEN_NONE)
			continue;
		pthread_mutex_lock(&cw->mu);
		if (what == SEEN_HIGHLIGHT)
			cw->want++;
		else if (what == SEEN_END)
			cw->want_all = 1;
		else {
			cw->done++;
			cw->failed += what == SEEN_FAILED;
		}
		pthread_cond_broadcast(&cw->cv);
		pthread_mutex_unlock(&cw->mu);
	}
	if (fclose(out) == EOF)
		lost = 1;
	fclose(in);
	free(line);
	pthread_mutex_lock(&cw->mu);
	if (t->scored)
		cw->want_all = 1;
	cw->lost |= lost;
	cw->open--;
	pthread_cond_broadcast(&cw->cv);
	pthread_mutex_unlock(&cw->mu);
	return NULL;
}

static void
show(long done, long want, long failed, int tty)
{
	char more[48] = "";

	if (failed)
		snprintf(more, sizeof(more), " (%ld failed)", failed);
	if (tty)
		fprintf(stderr, "\rkc-clip: cutting %ld/%ld clips%s\033[K",
		    done, want, more);
	else
		fprintf(stderr, "kc-clip: cutting %ld/%ld clips%s\n", done,
		    want, more);
	fflush(stderr);
}

void
cut_report(struct cutwatch *cw, int tty)
{
	struct timespec ts;
	long done, want, failed, shown = -1;
	double last = 0;
	int drawn = 0, open, ready;

	pthread_mutex_lock(&cw->mu);
	for (;;) {
		done = cw->done;
		want = cw->want;
		failed = cw->failed;
		ready = cw->want_all && want > 0;
		open = cw->open;
		pthread_mutex_unlock(&cw->mu);
		/* each clip; in a log, once a minute without one too */
		if (ready && (done != shown || (!tty && kc_now() - last >=
		    60))) {
			show(done, want, failed, tty);
			shown = done;
			last = kc_now();
			drawn = 1;
		}
		pthread_mutex_lock(&cw->mu);
		if (open == 0)
			break;
		if (cw->done != done || cw->want != want || cw->open != open ||
		    (cw->want_all && want > 0) != ready)
			continue;	/* it moved while we drew */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&cw->cv, &cw->mu, &ts);
	}
	pthread_mutex_unlock(&cw->mu);
	if (drawn && tty) {
		fputc('\n', stderr);
		fflush(stderr);
	}
}
