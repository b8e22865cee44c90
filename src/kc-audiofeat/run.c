/*
 * run.c - kc-audiofeat's record loop: passes every record through, turns
 * the audio of "segment" records into "afeat" records, and reports media
 * that cannot be decoded as "gap" records.
 *
 * The unit of work is a run: one ffmpeg child decoding one source from
 * one point on, feeding one kc_afeat analyser.  Segments of the same file
 * whose ranges touch extend the current run instead of starting a new
 * one, so hops, the tempo window and libebur128's history never see a
 * segment boundary and the features do not depend on the segment length.
 * For that, each hop must get exactly the samples a single long decode
 * would give it, including the half frame of audio after its end: a
 * segment reads KC_AFEAT_TAIL samples past its end ("hold") and pushes
 * them at once when the segment ends on a hop boundary (they can only
 * change the next hop), else keeps them until it is known whether the run
 * goes on (they are pushed) or stops there (they complete the last
 * frames through kc_afeat_finish_ahead).
 *
 * "path" segments are whole files; consecutive ones whose times touch
 * share an analyser, each with its own decoder.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afeat.h"
#include "audiodec.h"
#include "msg.h"
#include "out.h"
#include "rec.h"
#include "spool.h"
#include "run.h"

#define HOLD KC_AFEAT_TAIL
#define BLOCK 4096		/* samples read from the decoder at once */
#define TOUCH 1e-6		/* seconds: ranges this close are contiguous */
#define LOST_MIN 1e-3		/* seconds: less than this is not a gap */

static struct af_opts opt;

/* What the last "stream" record said. */
static struct {
	double hop;
	int has_audio;
} strm = { 1, 1 };

/* The current run; src == NULL when there is none. */
static struct {
	char *src;		/* what ffmpeg reads */
	int ispath;		/* made of "path" segments */
	kc_afeat *af;
	kc_audiodec *dec;	/* NULL between path files and once ended */
	double a;		/* file time of the first sample (file+range) */
	double t0;		/* stream time of the first sample */
	double seg_b;		/* file time the last segment ends */
	double seg_t1;		/* stream time the last segment ends */
	int ended;		/* the media ran out: later segments are gaps */
	int failed;		/* ... because ffmpeg failed */
	double tend;		/* stream time it ran out */
	int warned;		/* the user was told */
	char endwhy[720];	/* why, for their gap records */
	float hold[HOLD];	/* read past the last segment, not pushed */
	size_t nhold;
} run;

static float block[BLOCK];
static const char *where = "<stdin>";	/* the record being handled */

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static void
gap(double t0, double t1, const char *reason)
{
	json_t *r = kc_rec_new("gap");

	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "t0", json_real(t0));
	set(r, "t1", json_real(t1));
	set(r, "stage", json_string(kc_prog));
	set(r, "reason", json_string(reason));
	kc_out_new(r);
}

static void
emit_hops(void)
{
	const char *const *names = kc_afeat_names();
	double t, dur, v[KC_AFEAT_N];
	json_t *r, *f;
	int i;

	while (kc_afeat_next(run.af, &t, &dur, v) == 1) {
		if ((r = kc_rec_new("afeat")) == NULL ||
		    (f = json_object()) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		set(r, "t", json_real(t));
		set(r, "dur", kc_json_num(dur));
		for (i = 0; i < KC_AFEAT_N; i++)
			set(f, names[i], kc_json_num(v[i]));
		set(r, "features", f);
		kc_out_new(r);
	}
}

static void
push(const float *x, size_t n)
{
	if (kc_afeat_push(run.af, x, n) != 0)
		kc_die(KC_EXIT_DATA, "analysis:");
	emit_hops();
}

static void
finish(const float *tail, size_t n)
{
	if (kc_afeat_finish_ahead(run.af, tail, n) != 0)
		kc_die(KC_EXIT_DATA, "analysis:");
	emit_hops();
}

/* Stream time of the analyser's next sample. */
static double
now(void)
{
	return run.t0 + (double)kc_afeat_samples(run.af) / AF_RATE;
}

/* Stops the decoder; 1 and the reason in why when ffmpeg failed. */
static int
stop_decoder(char *why, size_t n)
{
	int rc;

	why[0] = '\0';
	if (run.dec == NULL)
		return 0;
	rc = kc_audiodec_close(run.dec, why, n);
	run.dec = NULL;
	return rc;
}

static void
start_decoder(double ss)
{
	if ((run.dec = kc_audiodec_open(opt.ffmpeg, run.src, ss, AF_RATE)) ==
	    NULL)
		kc_out_fatal("%s: cannot run %s: %s", run.src, opt.ffmpeg,
		    strerror(errno));
}

/* Ends the current run, analysing what it still holds. */
static void
end_run(void)
{
	char why[600];

	if (run.src == NULL)
		return;
	if (run.af != NULL && !run.ended)
		finish(run.hold, run.nhold);
	if (stop_decoder(why, sizeof(why)) == 1)
		kc_warn("%s: ffmpeg failed: %s", run.src, why);
	kc_afeat_free(run.af);
	free(run.src);
	memset(&run, 0, sizeof(run));
}

static void
start_run(const char *src, int ispath, double a, double t0)
{
	if ((run.src = strdup(src)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	run.ispath = ispath;
	run.a = a;
	run.t0 = t0;
	if ((run.af = kc_afeat_new(AF_RATE, strm.hop, t0,
	    opt.tempo_window)) == NULL)
		kc_die(KC_EXIT_DATA, "analysis:");
}

/*
 * Reads and analyses the run's samples up to sample target (counted from
 * the run's start), held samples first.  Returns 1 when target was
 * reached, 0 when the decoder's output ended before.
 */
static int
pull(long long target)
{
	long long got = kc_afeat_samples(run.af);
	size_t k;
	long r;

	if (run.nhold > 0 && got < target) {
		k = target - got < (long long)run.nhold ?
		    (size_t)(target - got) : run.nhold;
		push(run.hold, k);
		memmove(run.hold, run.hold + k, (run.nhold - k) *
		    sizeof(run.hold[0]));
		run.nhold -= k;
		got += (long long)k;
	}
	while (got < target) {
		k = target - got < BLOCK ? (size_t)(target - got) : BLOCK;
		if (run.dec == NULL ||
		    (r = kc_audiodec_read(run.dec, block, k)) <= 0)
			return 0;
		push(block, (size_t)r);
		got += r;
	}
	return 1;
}

/*
 * The media of the current segment (ending at t1) ran out at stream time
 * tend: warn and write a gap for what is lost, and remember why for the
 * segments that would continue the run.
 */
static void
media_ended(double tend, double t1, int failed, const char *why)
{
	char reason[700];

	run.ended = 1;
	run.tend = tend;
	run.failed = failed;
	if (failed) {
		snprintf(reason, sizeof(reason), "ffmpeg failed: %s", why);
		kc_warn("%s: %s", run.src, reason);
		run.warned = 1;
	} else
		snprintf(reason, sizeof(reason), "media ends at %.3f s", tend);
	snprintf(run.endwhy, sizeof(run.endwhy), "%s", reason);
	if (failed ? t1 - tend > LOST_MIN : t1 - tend > strm.hop) {
		if (!failed) {
			kc_warn("%s: media ends %.3f s before the segment's "
			    "end (%.3f s)", run.src, t1 - tend, t1);
			run.warned = 1;
		}
		gap(tend, t1, reason);
	}
}

/* A segment that continues a run whose media already ran out. */
static void
after_end(double t0, double t1)
{
	double from = t0 > run.tend ? t0 : run.tend;

	/* media that just ends, up to a hop before a stream's probed
	 * duration (a last segment of 21 ms), loses nothing worth a word */
	if (t1 - from <= (run.failed ? LOST_MIN : strm.hop))
		return;
	if (!run.warned)
		kc_warn("%s: %s, before the segment %.3f-%.3f s", run.src,
		    run.endwhy, t0, t1);
	run.warned = 1;
	gap(from, t1, run.endwhy);
}

static void
seg_range(const char *file, double a, double b, double t0, double t1)
{
	char why[600];
	double tend;
	long r;
	int failed;

	if (!(run.src && !run.ispath && strcmp(run.src, file) == 0 &&
	    fabs(a - run.seg_b) < TOUCH)) {
		end_run();
		start_run(file, 0, a, t0);
		start_decoder(a);
	}
	run.seg_b = b;
	run.seg_t1 = t1;
	if (run.ended) {
		after_end(t0, t1);
		return;
	}
	if (!pull(llround((b - run.a) * AF_RATE))) {
		tend = now();
		finish(NULL, 0);
		failed = stop_decoder(why, sizeof(why));
		media_ended(tend, t1, failed, why);
		return;
	}
	while (run.nhold < HOLD && (r = kc_audiodec_read(run.dec,
	    run.hold + run.nhold, HOLD - run.nhold)) > 0)
		run.nhold += (size_t)r;
	if (run.nhold < HOLD) {
		/* the media ends within the hold: so does the run */
		finish(run.hold, run.nhold);
		run.ended = 1;
		run.tend = now() + (double)run.nhold / AF_RATE;
		snprintf(run.endwhy, sizeof(run.endwhy), "media ends at "
		    "%.3f s", run.tend);
		if (stop_decoder(why, sizeof(why)) == 1) {
			kc_warn("%s: ffmpeg failed: %s", run.src, why);
			run.warned = 1;
			run.failed = 1;
		}
	} else if (kc_afeat_on_boundary(run.af)) {
		push(run.hold, run.nhold);
		run.nhold = 0;
	}
}

static void
seg_path(const char *path, double t0, double t1)
{
	static const float zeros[BLOCK];
	char why[600];
	long long pad;
	double tend;
	int failed, reached;

	if (run.src && run.ispath && fabs(t0 - run.seg_t1) < TOUCH) {
		/* a file a little short of its end time: keep the clock */
		pad = llround((t0 - run.t0) * AF_RATE) -
		    kc_afeat_samples(run.af);
		for (; pad > 0; pad -= BLOCK)
			push(zeros, pad < BLOCK ? (size_t)pad : BLOCK);
		free(run.src);
		if ((run.src = strdup(path)) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
	} else {
		end_run();
		start_run(path, 1, 0, t0);
	}
	run.seg_t1 = t1;
	start_decoder(-1);
	reached = pull(llround((t1 - run.t0) * AF_RATE));
	tend = now();
	failed = stop_decoder(why, sizeof(why));
	if (reached) {
		if (failed)
			kc_warn("%s: ffmpeg failed: %s", run.src, why);
		return;
	}
	if (failed || t1 - tend > strm.hop) {
		finish(NULL, 0);
		media_ended(tend, t1, failed, why);
		end_run();
	}
}

/* A path ffmpeg must not read as a protocol ("a:b.wav"). */
static const char *
as_file(const char *path, char *buf, size_t n)
{
	if (strstr(path, "://") != NULL || strncmp(path, "file:", 5) == 0)
		return path;
	if ((size_t)snprintf(buf, n, "file:%s", path) >= n)
		kc_out_fatal("%s: path too long", where);
	return buf;
}

/* The records this stage reads pass kc_rec_check, or the run stops. */
static void
check(const json_t *rec)
{
	char why[512];

	if (kc_rec_check(rec, why, sizeof(why)) != 0)
		kc_out_fatal("%s: %s", where, why);
}

static void
on_stream(const json_t *rec)
{
	double hop;
	int b;

	end_run();
	/* a checked hop (KC_REC_HOP_MIN) holds an analysis frame */
	hop = 1;
	if (opt.hop > 0)
		hop = opt.hop;
	else if (kc_rec_num(rec, "hop", &hop) != 0)
		hop = 1;
	strm.hop = hop;
	strm.has_audio = kc_rec_bool(rec, "has_audio", &b) == 0 ? b : 1;
	if (!strm.has_audio)
		kc_warn("%s: the stream has no audio: no afeat records",
		    where);
}

static void
on_segment(const json_t *rec)
{
	char buf[8192];
	const char *file, *path;
	json_t *range;
	double t0, t1, a, b;

	/* checked: times within bounds, t0 <= t1, file+range or path */
	kc_rec_num(rec, "t0", &t0);
	kc_rec_num(rec, "t1", &t1);
	if (!strm.has_audio || !(t1 > t0))
		return;		/* nothing to analyse */
	file = kc_rec_str(rec, "file");
	path = kc_rec_str(rec, "path");
	range = json_object_get(rec, "range");
	if (file != NULL) {
		a = json_number_value(json_array_get(range, 0));
		b = json_number_value(json_array_get(range, 1));
		seg_range(file, a, b, t0, t1);
	} else {
		/* after a discontinuity the media timeline starts afresh */
		if (json_is_true(json_object_get(rec, "discontinuity")))
			end_run();
		seg_path(as_file(path, buf, sizeof(buf)), t0, t1);
	}
}

static void
hook(void)
{
	kc_audiodec_kill(run.dec);
}

void
af_init(const struct af_opts *o)
{
	opt = *o;
	if (opt.hop > 0)
		strm.hop = opt.hop;
	kc_on_exit(hook);
}

void
af_records(FILE *fp, const char *name)
{
	kc_reader *rd;
	json_t *rec;
	const char *type;
	int r;

	if ((rd = kc_reader_new(fp, name)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kc_reader_watch_output(rd, 1);
	while ((r = kc_reader_next(rd, &rec)) != 0) {
		where = kc_reader_where(rd);
		if (r < 0)
			kc_out_fatal("%s: %s", where, kc_reader_error(rd));
		type = kc_rec_type(rec);
		if (strcmp(type, "stream") == 0 || strcmp(type, "segment") ==
		    0 || strcmp(type, "end") == 0)
			check(rec);
		if (strcmp(type, "stream") == 0)
			on_stream(rec);
		else if (strcmp(type, "end") == 0)
			end_run();
		/* through first: the next stage may start on it meanwhile */
		kc_out_raw(kc_reader_raw(rd), kc_reader_rawlen(rd));
		/* a stream's end goes on at once: kc-fetch may be waiting
		 * for what it sets off downstream (docs/records.md,
		 * "cut_ack") */
		if (strcmp(type, "end") == 0)
			kc_out_flush();
		if (strcmp(type, "segment") == 0) {
			kc_out_flush();
			on_segment(rec);
			/* done with its file (held samples are in memory) */
			if (kc_spool_ack(rec, "audio") != 0)
				kc_warn("%s: segment acknowledgement:", where);
		}
		json_decref(rec);
	}
	kc_reader_free(rd);
	where = "<stdin>";
}

void
af_done(void)
{
	end_run();
}
