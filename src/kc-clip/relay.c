/*
 * relay.c - kc-clip sits between the feature filters and kc-score and
 * copies records through unchanged, reading the few it needs to show how
 * far the analysis is: media seconds analysed by both feature filters,
 * speed as a multiple of real time, and the time left.  A resumed run's
 * speed counts only what this run analysed, in this run's time.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "clip.h"
#include "msg.h"
#include "out.h"
#include "num.h"
#include "progress.h"
#include "rec.h"

volatile sig_atomic_t relay_live;

struct watch {
	double start, end;
	double base;		/* analysed before this run (resumed), or start */
	int want_a, want_v;
	double done_a, done_v;	/* stream time analysed up to */
	long gaps;
};

static void
look(struct watch *w, const char *line, size_t len)
{
	json_t *j;
	const char *type;
	double t, dur, v;
	int b;

	/* only records that move progress are worth parsing */
	if (!memmem(line, len, "\"afeat\"", 7) && !memmem(line, len,
	    "\"vfeat\"", 7) && !memmem(line, len, "\"stream\"", 8) &&
	    !memmem(line, len, "\"gap\"", 5))
		return;
	if ((j = json_loadb(line, len, 0, NULL)) == NULL)
		return;	/* kc-score will report it */
	type = kc_rec_type(j);
	if (type == NULL)
		;
	else if (strcmp(type, "stream") == 0) {
		if (kc_rec_num(j, "start", &v) == 0)
			w->start = w->base = w->done_a = w->done_v = v;
		if (kc_rec_num(j, "end", &v) == 0)
			w->end = v;
		if (kc_rec_bool(j, "has_audio", &b) == 0)
			w->want_a = b;
		if (kc_rec_bool(j, "has_video", &b) == 0)
			w->want_v = b;
		if (kc_rec_bool(j, "live", &b) == 0 && b)
			relay_live = 1;
	} else if (kc_rec_num(j, "t", &t) == 0 && kc_rec_num(j, "dur", &dur)
	    == 0) {
		if (strcmp(type, "afeat") == 0 && t + dur > w->done_a)
			w->done_a = t + dur;
		if (strcmp(type, "vfeat") == 0 && t + dur > w->done_v)
			w->done_v = t + dur;
	} else if (strcmp(type, "gap") == 0)
		w->gaps++;
	json_decref(j);
}

static double
analysed(const struct watch *w)
{
	return w->want_a && w->want_v ? fmin(w->done_a, w->done_v) :
	    w->want_a ? w->done_a : w->done_v;
}

/*
 * A "progress" record on stdout for front ends (kc-clip --json-progress):
 * media seconds analysed, of total (null when unknown), speed as a
 * multiple of real time and seconds left (null when unknown).  At most
 * two a second, and always the last.
 */
static void
progress_record(const struct watch *w, double t_start, double *last,
    int final)
{
	double now = kc_now(), el = now - t_start, done, total, speed;
	json_t *r;

	if (!final && *last >= 0 && now - *last < 0.5)
		return;
	*last = now;
	done = analysed(w) - w->start;
	if (done < 0)
		done = 0;
	total = w->end > w->start ? w->end - w->start : 0;
	speed = el > 0 && analysed(w) > w->base ? (analysed(w) - w->base) /
	    el : 0;
	if ((r = kc_rec_new("progress")) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	json_object_set_new(r, "done", kc_json_num(done));
	json_object_set_new(r, "total", total > 0 ? kc_json_num(total) :
	    json_null());
	json_object_set_new(r, "speed", kc_json_num(speed));
	json_object_set_new(r, "eta", total > 0 && speed > 0 ? kc_json_num(
	    fmax(0, total - done) / speed) : json_null());
	json_object_set_new(r, "gaps", json_integer(w->gaps));
	/* whole, between the live curve pieces the drain thread writes */
	flockfile(stdout);
	kc_out_new(r);
	kc_out_flush();
	funlockfile(stdout);
}

static void
see(const char *line, size_t len, void *arg)
{
	look(arg, line, len);
}

/* The "id" of a stream record line, into id ("" when not one); *live
 * when the record says the stream is live. */
static void
stream_id(const char *line, size_t len, char *id, size_t n, int *live)
{
	json_t *j = NULL;
	const char *type, *v;

	*id = '\0';
	*live = 0;
	if (memmem(line, len, "\"stream\"", 8) == NULL ||
	    (j = json_loadb(line, len, 0, NULL)) == NULL)
		return;
	type = kc_rec_type(j);
	if (type && strcmp(type, "stream") == 0 && (v = kc_rec_str(j, "id")))
		snprintf(id, n, "%s", v);
	if (kc_rec_bool(j, "live", live) != 0)
		*live = 0;
	json_decref(j);
}

int
relay(int rd, int wr, int show, struct relay_stats *rs, struct journal *jr)
{
	struct watch w = { 0, -1, 0, 1, 1, 0, 0, 0 };
	kc_progress *pg = NULL;
	FILE *in, *out;
	char *line = NULL, extra[64], id[64], hms[32];
	size_t cap = 0;
	ssize_t n;
	double done, t_start = kc_now(), last = -1;
	int rc = 0, first = 1, live;

	if ((in = fdopen(rd, "r")) == NULL || (out = fdopen(wr, "w")) ==
	    NULL)
		kc_die(KC_EXIT_DATA, "fdopen:");
	/* a record is passed on whole and at once: live, kc-score must see
	 * a hop as soon as the feature filters wrote it */
	setvbuf(out, NULL, _IOLBF, 0);
	rs->media = 0;
	rs->resumed = -1;
	rs->gaps = 0;
	if (show & RELAY_DRAW)
		pg = kc_progress_new(stderr, "kc-clip: analysing", 0, 1);
	while ((n = getline(&line, &cap, in)) > 0) {
		if (first && jr && jr->resume_seq >= 0) {
			first = 0;
			stream_id(line, (size_t)n, id, sizeof(id), &live);
			/* a live stream went on without us: its times start
			 * again from where kc-fetch joins it, so the journal
			 * cannot be continued */
			if (!live && strcmp(id, jr->id) == 0) {
				/* the same stream: what was done, then on */
				if (jr->announce)
					fprintf(stderr, "kc-clip: resuming an "
					    "interrupted run from %s\n",
					    kc_fmt_hms(jr->resume_t, hms,
					    sizeof(hms)));
				if (journal_replay(jr, out, see, &w) != 0) {
					rc = -1;
					break;
				}
				w.base = fmax(w.start, jr->resume_t);
				rs->resumed = w.base;
				kc_progress_base(pg, w.base - w.start);
				continue;
			}
			journal_restart(jr);
		}
		first = 0;
		look(&w, line, (size_t)n);
		if (jr)
			journal_add(jr, line, (size_t)n);
		if (fwrite(line, 1, (size_t)n, out) != (size_t)n) {
			rc = -1;
			break;
		}
		if (show & RELAY_RECORDS)
			progress_record(&w, t_start, &last, 0);
		if (pg) {
			done = analysed(&w);
			kc_progress_total(pg, w.end > w.start ? w.end - w.start :
			    0);
			extra[0] = '\0';
			if (w.gaps)
				snprintf(extra, sizeof(extra), "%ld gaps",
				    w.gaps);
			kc_progress_set(pg, done - w.start, extra);
		}
	}
	if (fclose(out) == EOF)
		rc = -1;
	fclose(in);
	free(line);
	kc_progress_free(pg);
	if (show & RELAY_RECORDS)
		progress_record(&w, t_start, &last, 1);
	rs->media = fmax(0, analysed(&w) - w.base);
	rs->gaps = w.gaps;
	return rc;
}
