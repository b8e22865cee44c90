/*
 * run.c - kc-videofeat's decoding runs.  A run is one stretch of stream
 * time analysed without a break: one ffmpeg child kept alive across the
 * touching segments of one file, or a chain of standalone segment files
 * whose times follow on.  Keeping the child and the analysis state alive
 * across segment boundaries is what makes the features independent of how
 * kc-fetch cut the stream (--segment 7 and --segment 60 give the same
 * records).  Whatever media cannot be decoded becomes a "gap" record; the
 * run then ends and the next segment starts afresh.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "out.h"
#include "rec.h"
#include "spool.h"
#include "spawn.h"
#include "vf.h"
#include "vfeat.h"
#include "videodec.h"

/* Two times closer than this are the same instant (segment edges are
 * written as decimal seconds). */
#define TIME_EPS 1e-6

enum { RUN_NONE, RUN_FILE, RUN_PATH };

struct segment {
	double t0, t1;
	const char *file;	/* file + range, or */
	double a, b;
	const char *path;	/* a standalone file */
};

static struct {
	struct vf_opts o;
	const char *ffmpeg;
	/* from the stream record */
	double hop;
	int has_video, noted_novideo, noted_sparse;
	int w, h;
	/* the run */
	int kind;
	char *file;		/* file runs: the source */
	double file_end;	/* file runs: file time the last segment ended */
	double t1;		/* stream time the last segment ended */
	kc_vfeat *feat;
	kc_videodec *dec;	/* NULL once the decode ended */
	double dec_t0;		/* stream time of the decode's frame 0 */
	long n;			/* frames taken from the decode */
	uint8_t *frame;
	size_t fsize;
	int pending;		/* frame holds frame n, not yet analysed */
} S;

static void set_size(int, double);

static void
cleanup(void)
{
	kc_videodec_stop(S.dec);
	S.dec = NULL;
}

void
vf_setup(const struct vf_opts *o)
{
	S.o = *o;
	S.ffmpeg = kc_tool("KC_FFMPEG", "ffmpeg");
	S.hop = o->hop > 0 ? o->hop : 1;
	S.has_video = 1;
	set_size(o->width, o->width * 9.0 / 16.0);
	kc_on_exit(cleanup);
}

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static void
emit_gap(double t0, double t1, const char *reason)
{
	json_t *r;

	if (t1 <= t0 + TIME_EPS)
		return;
	if ((r = kc_rec_new("gap")) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "t0", json_real(t0));
	set(r, "t1", json_real(t1));
	set(r, "stage", json_string("kc-videofeat"));
	set(r, "reason", json_string(reason));
	kc_out_new(r);
}

/* Writes every finished hop of the run. */
static void
emit_hops(void)
{
	const char *const *names = kc_vfeat_names();
	double t, dur, vals[KC_VFEAT_N];
	json_t *r, *f;
	int i;

	while (kc_vfeat_next(S.feat, &t, &dur, vals)) {
		if ((r = kc_rec_new("vfeat")) == NULL ||
		    (f = json_object()) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		set(r, "t", json_real(t));
		set(r, "dur", json_real(dur));
		for (i = 0; i < KC_VFEAT_N; i++)
			set(f, names[i], kc_json_num(vals[i]));
		set(r, "features", f);
		kc_out_new(r);
	}
}

/* Ends the analysis at t_end (hops out) and forgets the run. */
static void
end_run(double t_end)
{
	if (S.feat != NULL) {
		if (kc_vfeat_finish(S.feat, t_end) != 0)
			kc_die(KC_EXIT_DATA, "internal error: finish: %s",
			    strerror(errno));
		emit_hops();
		kc_vfeat_free(S.feat);
		S.feat = NULL;
	}
	kc_videodec_stop(S.dec);
	S.dec = NULL;
	free(S.file);
	S.file = NULL;
	S.pending = 0;
	S.kind = RUN_NONE;
}

void
vf_flush(void)
{
	end_run(S.t1);
}

static void
start_run(int kind, const struct segment *sg)
{
	end_run(S.t1);
	S.kind = kind;
	S.feat = kc_vfeat_new(S.w, S.h, S.o.fps, S.hop, sg->t0);
	if (S.feat == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (kind == RUN_FILE && (S.file = strdup(sg->file)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static void
start_decode(const char *src, double ss, double t0)
{
	S.dec = kc_videodec_open(S.ffmpeg, src, ss, S.w, S.h, S.o.fps,
	    !S.o.exact);
	if (S.dec == NULL)
		kc_out_fatal("cannot run %s: %s", S.ffmpeg, strerror(errno));
	S.dec_t0 = t0;
	S.n = 0;
	S.pending = 0;
}

/*
 * Every frame before the segment's end has been analysed: the hop ending
 * there is complete now, not when the next segment's first frame comes.
 */
static void
segment_done(const struct segment *sg)
{
	if (kc_vfeat_until(S.feat, sg->t1) != 0)
		kc_die(KC_EXIT_DATA, "internal error: until %.3f: %s", sg->t1,
		    strerror(errno));
	emit_hops();
}

/*
 * The decode ended before the segment did.  A short shortfall is the
 * usual rounding of stream lengths; more than a hop, or a failing ffmpeg,
 * loses media: a gap from the last hop with frames to the segment's end.
 */
static void
decode_ended(const char *src, const struct segment *sg, int read_rc)
{
	char err[512], st[64], reason[700];
	double media_end, covered;
	int status = 0, failed;

	media_end = S.dec_t0 + (double)S.n / S.o.fps;
	if (read_rc < 0) {
		snprintf(reason, sizeof(reason), "reading ffmpeg's output: %s",
		    strerror(errno));
		kc_videodec_stop(S.dec);
		failed = 1;
	} else {
		if (kc_videodec_wait(S.dec, &status, err, sizeof(err)) != 0)
			kc_die(KC_EXIT_DATA, "waiting for ffmpeg:");
		failed = kc_status_failed(status);
		if (failed)
			snprintf(reason, sizeof(reason), "ffmpeg %s: %s",
			    kc_status_str(status, st, sizeof(st)),
			    *err ? err : "no message");
		else if (*err)
			kc_warn("%s: ffmpeg: %s", src, err);
	}
	S.dec = NULL;
	S.pending = 0;
	covered = kc_vfeat_covered(S.feat);
	if (failed) {
		kc_warn("%s: %s", src, reason);
	} else if (sg->t1 - media_end > S.hop + TIME_EPS) {
		snprintf(reason, sizeof(reason), "video ends at %.3f s, "
		    "%.3f s before the segment's end", media_end,
		    sg->t1 - media_end);
		kc_warn("%s: %s", src, reason);
		failed = 1;
	}
	if (failed) {
		end_run(covered);
		emit_gap(covered, sg->t1, reason);
	} else if (S.kind == RUN_FILE) {
		end_run(sg->t1);	/* the media is over: last hop out */
	} else {
		segment_done(sg);	/* a path run goes on with the next file */
	}
}

/* Analyses frames of the decode up to the segment's end. */
static void
read_segment(const char *src, const struct segment *sg)
{
	double t;
	int rc;

	for (;;) {
		if (!S.pending) {
			rc = kc_videodec_read(S.dec, S.frame);
			if (rc <= 0) {
				decode_ended(src, sg, rc);
				return;
			}
			S.pending = 1;
		}
		t = S.dec_t0 + (double)S.n / S.o.fps;
		if (t >= sg->t1 - TIME_EPS)
			break;	/* the next segment's */
		if (kc_vfeat_push_at(S.feat, S.frame, t) != 0)
			kc_die(KC_EXIT_DATA, "internal error: push at %.3f: %s",
			    t, strerror(errno));
		S.pending = 0;
		S.n++;
		emit_hops();
	}
	segment_done(sg);
	if (S.kind == RUN_PATH) {	/* the rest of the file is the next */
		kc_videodec_stop(S.dec);	/* segment's first frames */
		S.dec = NULL;
		S.pending = 0;
	}
}

static int
num_field(const json_t *rec, const char *key, double *out)
{
	return kc_rec_num(rec, key, out) == 0 && isfinite(*out) ? 0 : -1;
}

/* A segment that passed kc_rec_check: its times are within bounds,
 * t0 <= t1, and it has file + range [a <= b] or path. */
static void
parse_segment(const json_t *rec, struct segment *sg)
{
	const json_t *range = json_object_get(rec, "range");

	sg->t0 = json_number_value(json_object_get(rec, "t0"));
	sg->t1 = json_number_value(json_object_get(rec, "t1"));
	sg->file = kc_rec_str(rec, "file");
	sg->path = kc_rec_str(rec, "path");
	sg->a = json_number_value(json_array_get(range, 0));
	sg->b = json_number_value(json_array_get(range, 1));
}

static void segment(const json_t *rec, const char *where, const char *raw,
    size_t rawlen);

void
vf_segment(const json_t *rec, const char *where, const char *raw,
    size_t rawlen)
{
	segment(rec, where, raw, rawlen);
	/* its file is done with (or was never needed) */
	if (kc_spool_ack(rec, "video") != 0)
		kc_warn("%s: segment acknowledgement:", where);
}

static void
segment(const json_t *rec, const char *where, const char *raw, size_t rawlen)
{
	struct segment sg;

	(void)where;
	parse_segment(rec, &sg);
	kc_out_raw(raw, rawlen);
	if (!S.has_video || sg.t1 <= sg.t0 + TIME_EPS)
		return;
	if (sg.file != NULL) {
		if (!(S.kind == RUN_FILE && S.dec != NULL &&
		    strcmp(S.file, sg.file) == 0 &&
		    fabs(sg.a - S.file_end) < TIME_EPS &&
		    fabs(sg.t0 - S.t1) < TIME_EPS)) {
			start_run(RUN_FILE, &sg);
			start_decode(sg.file, sg.a, sg.t0);
		}
		S.file_end = sg.b;
		S.t1 = sg.t1;
		read_segment(sg.file, &sg);
	} else {
		/* after a discontinuity the media timeline starts afresh */
		if (!(S.kind == RUN_PATH && S.feat != NULL &&
		    fabs(sg.t0 - S.t1) < TIME_EPS) ||
		    json_is_true(json_object_get(rec, "discontinuity")))
			start_run(RUN_PATH, &sg);
		start_decode(sg.path, 0, sg.t0);
		S.t1 = sg.t1;
		read_segment(sg.path, &sg);
	}
}

/* Sets the analysis frame size and sizes the frame buffer for it. */
static void
set_size(int w, double h)
{
	size_t fsize;
	uint8_t *nf;

	h = 2 * floor(h / 2 + 0.5);	/* even, as video sizes go */
	S.w = w;
	S.h = h < 2 ? 2 : h > 4096 ? 4096 : (int)h;
	fsize = (size_t)S.w * (size_t)S.h * 3;
	if (fsize != S.fsize) {
		if ((nf = realloc(S.frame, fsize)) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		S.frame = nf;
		S.fsize = fsize;
	}
}

/* --width wide, the stream's aspect ratio kept (16:9 when unknown). */
static void
frame_size(const json_t *rec)
{
	double sw, sh;

	if (num_field(rec, "width", &sw) == 0 && num_field(rec, "height",
	    &sh) == 0 && sw >= 1 && sh >= 1)
		set_size(S.o.width, S.o.width * sh / sw);
	else
		set_size(S.o.width, S.o.width * 9.0 / 16.0);
}

void
vf_stream(const json_t *rec, const char *where)
{
	double hop;
	int live;

	(void)where;	/* checked by the caller (kc_rec_check) */
	vf_flush();
	S.hop = 1;
	if (S.o.hop > 0)
		S.hop = S.o.hop;
	else if (num_field(rec, "hop", &hop) == 0)
		S.hop = hop;
	if (kc_rec_bool(rec, "has_video", &S.has_video) != 0)
		S.has_video = 1;
	if (!S.has_video && !S.noted_novideo) {
		kc_warn("note: the stream has no video; records pass through "
		    "without vfeat");
		S.noted_novideo = 1;
	}
	if (S.has_video && S.o.fps * S.hop < 1 - TIME_EPS &&
	    !S.noted_sparse) {
		kc_warn("note: %g frames/s leave some %g s hops without a "
		    "frame (their features are null); raise --fps",
		    S.o.fps, S.hop);
		S.noted_sparse = 1;
	}
	if (kc_rec_bool(rec, "live", &live) == 0 && live)
		kc_out_unbuffered(1);
	frame_size(rec);
	S.t1 = 0;
}
