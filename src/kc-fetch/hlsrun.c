/*
 * hlsrun.c - HLS sources: the lowest rendition with video is analysed
 * (its segments go through the spool as "path" segments), the best is
 * cut from.  A VOD fetches only the segments its range covers, and kc-cut
 * later fetches only the best-rendition segments its clips need.  A live
 * stream is followed from its live edge, reloading the playlist about
 * every target duration; while it is on air the best rendition's
 * segments of the last --live-buffer seconds are kept in a local playlist
 * (the stream's "cut" source) so clips are cut from local copies.  A
 * segment that cannot be fetched becomes a "gap" record and the run goes
 * on.  A live stream that stops without ENDLIST (its playlist stalls, or
 * starts answering 404) is taken as ended after --live-timeout seconds
 * without a new segment; a shorter outage (a CDN hiccup, a streamer's
 * reconnect) is ridden out.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "msg.h"
#include "out.h"
#include "probe.h"
#include "progress.h"
#include "rec.h"

#define EDGE 3			/* live: segments behind the edge to start */

struct run {
	struct target *t;
	const kc_hls_variant *av, *cv;	/* analysis, cut (NULL: no master) */
	const char *aurl, *curl;	/* their media playlists */
	struct spool sp;
	char id[17];
	long gaps;
	int stream_done;	/* stream record written */
	double pdt0;		/* stream time 0 as Unix time, NAN unknown */

	/* live cut buffer */
	char cutdir[PATH_MAX + 8], cutpl[PATH_MAX + 16];
	kc_hls_segment *cb;	/* buffered cut segments, oldest first */
	char (*cbpath)[PATH_MAX + 32];
	double *cbt;		/* their stream times */
	size_t ncb, capcb;
	long long cb_seq0;

	/* a reloaded playlist was refused (it names a local file...): the
	 * run stops and kc-fetch exits 1 with this, once what it fetched is
	 * passed on */
	char refused[700];
	/* the host refused every request for the http client's refused_max
	 * (403s, Cloudflare): the run stops at once, without "end", and
	 * kc-fetch exits 1 with this */
	char blocked[1200];
	kc_http_stats wstats;	/* the download threads' clients' counts */
};

/* Notes that url's host refused every request (KC_HTTP_REFUSED): the
 * run stops (r->blocked). */
static void
note_blocked(struct run *r, const char *url, const kc_http_result *res)
{
	snprintf(r->blocked, sizeof(r->blocked), "%s: %s%s", url, res->reason,
	    blocked_advice(res));
}

/*
 * The media playlist at url, or NULL with the reason in why; *gone (may be
 * NULL) is set when the server says it is no more (404, 410).
 */
static kc_hls *
fetch_playlist(struct run *r, const char *url, char *why, size_t n,
    int *gone)
{
	kc_http_result res;
	kc_hls *pl;
	char *text, perr[300];
	size_t len;
	long line;
	int rc;

	if (gone)
		*gone = 0;
	if ((rc = kc_http_get_mem(r->t->http, url, NULL, 32L << 20, &text,
	    &len, &res)) != KC_HTTP_OK) {
		snprintf(why, n, "%s", res.reason);
		/* a live reload goes on failing until --live-timeout */
		if (rc == KC_HTTP_REFUSED && gone == NULL)
			note_blocked(r, url, &res);
		if (gone && rc == KC_HTTP_FAILED && (res.status == 404 ||
		    res.status == 410))
			*gone = 1;
		return NULL;
	}
	if (kc_hls_parse(text, len, url, &pl, &line, perr, sizeof(perr)) !=
	    0) {
		/* not worth a retry: it would be refused again */
		if (errno == EPERM)
			snprintf(r->refused, sizeof(r->refused), "%s: line "
			    "%ld: %s", url, line, perr);
		snprintf(why, n, "line %ld: %s", line, perr);
		free(text);
		return NULL;
	}
	free(text);
	if (pl->kind != KC_HLS_MEDIA) {
		kc_hls_free(pl);
		snprintf(why, n, "a master playlist where a media playlist "
		    "was expected");
		return NULL;
	}
	return pl;
}

/* Does the master offer sound apart from the picture (an audio
 * rendition with a playlist, or an audio-only variant)? */
static int
audio_elsewhere(const kc_hls *master)
{
	size_t i;

	for (i = 0; master && i < master->nmedia; i++)
		if (master->media[i].type == KC_HLS_AUDIO &&
		    master->media[i].uri != NULL)
			return 1;
	/* audio-only as the master says it (CODECS without a video codec),
	 * not merely a variant it says nothing of */
	for (i = 0; master && i < master->nvar; i++)
		if (!master->var[i].has_video && master->var[i].codecs != NULL)
			return 1;
	return 0;
}

static void
gap(struct run *r, double t0, double t1, const char *reason)
{
	json_t *g = kc_rec_new("gap");

	set(g, "t0", json_real(t0));
	set(g, "t1", json_real(t1));
	set(g, "stage", json_string("kc-fetch"));
	set(g, "reason", json_string(reason));
	kc_out_new(g);
	kc_out_flush();
	r->gaps++;
	kc_warn("%s: lost %.1f-%.1f s: %s", O.arg, t0, t1, reason);
}

static void
nap(double secs)
{
	struct timespec ts;
	double until = kc_now() + secs;

	while (!fetch_stop && !fetch_cancel && kc_now() < until) {
		ts.tv_sec = 0;
		ts.tv_nsec = 50 * 1000 * 1000;
		nanosleep(&ts, NULL);
	}
}

/*
 * Downloads a segment to path with client h (any thread); 0, or -1 with
 * the reason in why and *refused set when the host refuses everything
 * (res then says how, for note_blocked).
 */
static int
download(kc_http *h, const kc_hls_segment *s, const char *path, char *why,
    size_t n, int *refused, kc_http_result *res)
{
	kc_http_req rq = { 0, 0, NULL };
	int rc, round;

	*refused = 0;
	res->reason[0] = '\0';
	if (s->key) {
		snprintf(why, n, "encrypted segment (%s): kc cannot decrypt",
		    s->key->method_name);
		return -1;
	}
	if (s->br_length > 0) {
		rq.off = s->br_offset;
		rq.len = s->br_length;
	}
	/*
	 * A segment that used up its retries gets one more round after a
	 * pause: a gap is for media that is really gone, not for a bad
	 * minute of a CDN.
	 */
	for (round = 0;; round++) {
		rc = kc_http_get_file(h, s->uri, s->br_length > 0 ? &rq : NULL,
		    path, res);
		if (rc == KC_HTTP_OK)
			return 0;
		if (rc != KC_HTTP_GAVEUP || round == 1 || fetch_stop >= 2 ||
		    fetch_cancel)
			break;
		nap(5);
	}
	snprintf(why, n, "%s", res->reason);
	*refused = rc == KC_HTTP_REFUSED;
	return -1;
}

/* download() with the run's own client; a host that refuses everything
 * stops the run (r->blocked). */
static int
fetch_one(struct run *r, const kc_hls_segment *s, const char *path,
    char *why, size_t n)
{
	kc_http_result res;
	int refused;

	if (download(r->t->http, s, path, why, n, &refused, &res) == 0)
		return 0;
	if (refused)
		note_blocked(r, s->uri, &res);
	return -1;
}

/* ---- downloads ahead -------------------------------------------------- */

/*
 * An HLS VOD's segments are downloaded up to --connections at a time, by
 * as many threads, each with its own HTTP client (a libcurl handle is
 * one thread's): the next segments are already on disk when the run
 * wants them, and against a server 50 ms away the round trips overlap
 * instead of adding up.  Each download goes to its own part file; the
 * run takes them in playlist order, so what it writes is the same as
 * with one connection.  At most --connections part files exist beyond
 * the spool's, and nothing past the range is fetched.  Each client
 * keeps its own memory of refused User-Agents.
 */
#define MAX_CONN 16

struct done {
	size_t job;		/* the job this slot holds, SIZE_MAX none */
	int ok, refused;
	kc_http_result res;
	char why[600];
};

struct ahead;

struct worker {
	struct ahead *a;
	kc_http *h;		/* the first is the run's own client (the run
				   makes no request while they work) */
	pthread_t th;
};

struct ahead {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct worker w[MAX_CONN];
	int nth;
	struct run *r;
	const kc_hls_segment **seg;	/* the jobs, in playlist order */
	size_t n;
	size_t next;		/* the next job to start */
	size_t taken;		/* jobs the run has taken */
	struct done slot[MAX_CONN];	/* job j in slot j % nth */
	int quit;
};

static void *
ahead_worker(void *arg)
{
	struct worker *w = arg;
	struct ahead *a = w->a;
	struct done d;
	char part[PATH_MAX + 32];
	size_t j;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->quit && (a->next >= a->n || a->next >= a->taken +
		    (size_t)a->nth))
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->quit)
			break;
		j = a->next++;
		pthread_mutex_unlock(&a->mu);
		spool_name(&a->r->sp, a->seg[j]->seq, "p", part, sizeof(part));
		d.job = j;
		d.ok = download(w->h, a->seg[j], part, d.why, sizeof(d.why),
		    &d.refused, &d.res) == 0;
		if (!d.ok)
			unlink(part);
		pthread_mutex_lock(&a->mu);
		a->slot[j % (size_t)a->nth] = d;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static void
ahead_start(struct ahead *a, struct run *r, const kc_hls_segment **seg,
    size_t n)
{
	int i, k = O.connections < 1 ? 1 : O.connections > MAX_CONN ?
	    MAX_CONN : O.connections;

	memset(a, 0, sizeof(*a));
	a->r = r;
	a->seg = seg;
	a->n = n;
	for (i = 0; i < k; i++)
		a->slot[i].job = SIZE_MAX;
	if (pthread_mutex_init(&a->mu, NULL) != 0 ||
	    pthread_cond_init(&a->cv, NULL) != 0)
		kc_die(KC_EXIT_DATA, "cannot start the download threads");
	a->nth = k;
	for (i = 0; i < k; i++) {
		a->w[i].a = a;
		/* each starts on another User-Agent: a CDN that blocks a
		 * User-Agent after a 403 then blocks one download, not all */
		a->w[i].h = i == 0 ? r->t->http : new_http(r->t->kick, i);
	}
	for (i = 0; i < k; i++)
		if (pthread_create(&a->w[i].th, NULL, ahead_worker, &a->w[i])
		    != 0)
			kc_die(KC_EXIT_DATA, "cannot start a download thread");
}

/* Whether job j has finished within secs (ahead_take would not wait). */
static int
ahead_ready(struct ahead *a, size_t j, double secs)
{
	struct timespec ts;
	double whole;
	int ready, rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)(modf(secs, &whole) * 1e9);
	ts.tv_sec += (time_t)whole + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&a->mu);
	/* checked again after the wait that timed out */
	while (!(ready = a->slot[j % (size_t)a->nth].job == j) && rc == 0)
		rc = pthread_cond_timedwait(&a->cv, &a->mu, &ts);
	pthread_mutex_unlock(&a->mu);
	return ready;
}

/* Waits for job j (the next in order) and copies its outcome to *out:
 * its slot is free for job j + nth from then on. */
static void
ahead_take(struct ahead *a, size_t j, struct done *out)
{
	struct done *d = &a->slot[j % (size_t)a->nth];

	pthread_mutex_lock(&a->mu);
	while (d->job != j)
		pthread_cond_wait(&a->cv, &a->mu);
	*out = *d;
	a->taken = j + 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/*
 * Stops the threads (downloads in flight are cancelled), removes the
 * part files of jobs not taken, and adds the clients' counts to *st.
 * The first client is the run's own, left open.
 */
static void
ahead_stop(struct ahead *a, kc_http_stats *st)
{
	kc_http_stats s;
	char part[PATH_MAX + 32];
	size_t j;
	int i;

	pthread_mutex_lock(&a->mu);
	a->quit = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	fetch_cancel = 1;
	for (i = 0; i < a->nth; i++)
		pthread_join(a->w[i].th, NULL);
	fetch_cancel = 0;
	for (j = a->taken; j < a->next; j++) {
		spool_name(&a->r->sp, a->seg[j]->seq, "p", part, sizeof(part));
		unlink(part);
	}
	for (i = 1; i < a->nth; i++) {
		kc_http_stats_get(a->w[i].h, &s);
		kc_http_stats_add(st, &s);
		kc_http_free(a->w[i].h);
	}
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
}

static const char *
qname(const kc_hls_variant *v, char *buf, size_t n)
{
	if (v == NULL)
		return "source";
	if (v->name)
		return v->name;
	if (v->height > 0)
		snprintf(buf, n, "%dp", v->height);
	else
		snprintf(buf, n, "%lld bit/s", v->bandwidth);
	return buf;
}

/* The stream record, from the first segment actually fetched (probed). */
static void
stream_record(struct run *r, const char *first, double start, double end,
    double duration, int live)
{
	json_t *s = kc_rec_new("stream"), *q;
	char why[600], b1[32], b2[32], media[PATH_MAX + 8];
	kc_probe p;
	int has_a = 1, has_v = r->av ? r->av->has_video : 1;

	memset(&p, 0, sizeof(p));
	if (first) {
		snprintf(media, sizeof(media), "file:%s", first);
		if (kc_probe_media(media, &p, why, sizeof(why)) == 0) {
			has_a = p.has_audio;
			has_v = p.has_video;
			if (!has_a && has_v && audio_elsewhere(r->t->master))
				kc_warn("%s: the picture's segments have no "
				    "sound, which is a rendition of its own "
				    "(EXT-X-MEDIA TYPE=AUDIO, or an audio-only "
				    "format): kc does not read it yet, so the "
				    "picture alone is analysed and cut", O.arg);
		} else
			kc_warn("%s: first segment: %s", O.arg, why);
	}
	set(s, "v", json_integer(KC_RECORDS_VERSION));
	set(s, "id", json_string(r->id));
	set(s, "url", json_string(r->t->url));
	set(s, "analysis", json_string(r->aurl));
	set(s, "cut", json_string(live ? r->cutpl : r->curl));
	if (live && r->sp.nroles > 0)
		set(s, "cut_ack", json_string(r->sp.ack));
	set(s, "duration", live ? json_null() : json_real(duration));
	set(s, "live", json_boolean(live));
	set(s, "title", json_string(O.title ? O.title : r->t->title ?
	    r->t->title : base_name(r->t->canon)));
	set(s, "channel", O.channel ? json_string(O.channel) : r->t->channel ?
	    json_string(r->t->channel) : json_null());
	set(s, "start", json_real(start));
	set(s, "end", end >= 0 ? json_real(end) : json_null());
	set(s, "has_audio", json_boolean(has_a));
	set(s, "has_video", json_boolean(has_v));
	if (has_v) {
		if (p.fps > 0)
			set(s, "fps", kc_json_num(p.fps));
		if (p.width > 0 && p.height > 0) {
			set(s, "width", json_integer(p.width));
			set(s, "height", json_integer(p.height));
		} else if (r->av && r->av->width > 0) {
			set(s, "width", json_integer(r->av->width));
			set(s, "height", json_integer(r->av->height));
		}
	}
	set(s, "hop", json_real(O.hop));
	q = json_object();
	set(q, "analysis", json_string(qname(r->av, b1, sizeof(b1))));
	set(q, "cut", json_string(qname(r->cv, b2, sizeof(b2))));
	set(s, "quality", q);
	set(s, "pdt0", isfinite(r->pdt0) ? json_real(r->pdt0) : json_null());
	if (r->t->kick_channel > 0) {	/* for kc-chatfeat */
		q = json_object();
		set(q, "api", json_string(O.kick_api));
		set(q, "channel_id", json_integer(r->t->kick_channel));
		set(q, "chatroom_id", r->t->kick_chatroom > 0 ?
		    json_integer(r->t->kick_chatroom) : json_null());
		set(q, "start", isfinite(r->t->kick_start) ?
		    json_real(r->t->kick_start) : json_null());
		set(s, "kick", q);
	}
	kc_out_new(own_stream(s));
	kc_out_flush();
	r->stream_done = 1;
}

static void
segment(struct run *r, long long seq, double t0, double t1, const char *path,
    int disc)
{
	json_t *s = kc_rec_new("segment");

	set(s, "seq", json_integer(seq));
	set(s, "t0", json_real(t0));
	set(s, "t1", json_real(t1));
	set(s, "path", json_string(path));
	if (r->sp.nroles)
		set(s, "ack", json_string(r->sp.ack));
	if (disc)
		set(s, "discontinuity", json_true());
	kc_out_new(s);
	kc_out_flush();
}

/* ---- VOD -------------------------------------------------------------- */

/*
 * A VOD's HLS segments (often 2-10 s) are joined into spool files of up
 * to --segment seconds (default 600, O.group) and GROUP_BYTES:
 * MPEG-TS segments of one rendition concatenate into one valid stream,
 * and each spool file costs the feature filters a decoder start, which
 * for short segments costs more than the decoding.  A group ends at a
 * discontinuity, a lost segment, its length or its size (which bounds
 * the spool's disk use for a big rendition, where a decoder start costs
 * little against the decoding); and, once it holds 60 s (--segment when
 * given),
 * when the next segment has not arrived within a second, so the filters
 * do not wait on a slow link or a stalled download.
 */
#define GROUP_BYTES	(64LL << 20)

struct group {
	char path[PATH_MAX + 32];
	FILE *fp;		/* open while the group grows */
	long long bytes;	/* in it so far */
	double t0, t1;
	long long seq;		/* its last HLS segment's */
	int disc;
};

/* Appends the file at part to the group and removes part. */
static void
append(struct group *g, const char *part)
{
	char buf[65536];
	size_t n;
	FILE *in;

	if ((in = fopen(part, "rbe")) == NULL)
		kc_die(KC_EXIT_DATA, "%s:", part);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, g->fp) != n)
			kc_die(KC_EXIT_DATA, "%s:", g->path);
		g->bytes += (long long)n;
	}
	if (ferror(in))
		kc_die(KC_EXIT_DATA, "%s:", part);
	fclose(in);
	unlink(part);
}

/* Writes the group's segment record and hands its file to the spool. */
static void
flush_group(struct run *r, struct group *g)
{
	if (g->fp == NULL)
		return;
	if (fclose(g->fp) != 0)
		kc_die(KC_EXIT_DATA, "%s:", g->path);
	g->fp = NULL;
	spool_added(&r->sp, g->seq, g->path);
	segment(r, g->seq, g->t0, g->t1, g->path, g->disc);
}

static void
vod(struct run *r, kc_hls *pl)
{
	char part[PATH_MAX + 32];
	double start, end;
	size_t i, first, last, nj, j;
	struct group g;
	const kc_hls_segment *s, **jobs;
	struct done d;
	struct ahead a;

	memset(&g, 0, sizeof(g));
	end = O.end >= 0 && O.end < pl->duration ? O.end : pl->duration;
	for (first = 0; first < pl->nseg && pl->seg[first].start +
	    pl->seg[first].duration <= O.start + 1e-9; first++)
		;
	for (last = first; last < pl->nseg && pl->seg[last].start < end -
	    1e-9; last++)
		;
	if (first >= last)
		kc_usage_error("--start %.1f s is at or past the end of the "
		    "stream (%.1f s)", O.start, pl->duration);
	start = pl->seg[first].start;
	end = pl->seg[last - 1].start + pl->seg[last - 1].duration;
	r->pdt0 = pl->nseg ? pl->seg[0].pdt : NAN;
	if ((jobs = calloc(last - first, sizeof(*jobs))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (nj = 0, i = first; i < last; i++)
		if (pl->seg[i].seq > O.resume_after)	/* else done before
							   an interruption */
			jobs[nj++] = &pl->seg[i];
	ahead_start(&a, r, jobs, nj);
	for (j = 0; j < nj; j++) {
		s = jobs[j];
		i = (size_t)(s - pl->seg);
		/* a group also ends early, once it holds --segment seconds,
		 * rather than keep the filters waiting on a download that
		 * takes more than a second */
		if (g.fp && ((s->discontinuity && i > first) || fabs(s->start -
		    g.t1) > 1e-3 || s->start + s->duration - g.t0 > O.group +
		    1e-6 || g.bytes >= GROUP_BYTES ||
		    (g.t1 - g.t0 >= O.segment - 1e-6 &&
		    !ahead_ready(&a, j, 1))))
			flush_group(r, &g);
		if (g.fp == NULL && spool_wait_room(&r->sp) != 0)
			break;
		spool_name(&r->sp, s->seq, "p", part, sizeof(part));
		ahead_take(&a, j, &d);
		if (!d.ok) {
			flush_group(r, &g);
			if (d.refused) {
				note_blocked(r, s->uri, &d.res);
				break;
			}
			if (!r->stream_done)
				stream_record(r, NULL, start, end, pl->duration,
				    0);
			gap(r, s->start, s->start + s->duration, d.why);
			continue;
		}
		if (!r->stream_done)
			stream_record(r, part, start, end, pl->duration, 0);
		if (g.fp == NULL) {
			spool_name(&r->sp, s->seq, "a", g.path, sizeof(g.path));
			if ((g.fp = fopen(g.path, "wbe")) == NULL)
				kc_die(KC_EXIT_DATA, "%s:", g.path);
			g.t0 = s->start;
			g.bytes = 0;
			g.disc = s->discontinuity && i > first;
		}
		append(&g, part);
		g.t1 = s->start + s->duration;
		g.seq = s->seq;
	}
	ahead_stop(&a, &r->wstats);
	free(jobs);
	flush_group(r, &g);
	if (!r->stream_done)	/* nothing left to fetch */
		stream_record(r, NULL, start, end, pl->duration, 0);
}

/* ---- live ------------------------------------------------------------- */

/* Rewrites the local cut playlist from the buffer (atomically). */
static void
write_cutpl(struct run *r)
{
	kc_hls pl;
	char *text, why[300], tmp[PATH_MAX + 32];
	size_t len, i;
	FILE *fp;

	memset(&pl, 0, sizeof(pl));
	pl.seg = r->cb;
	pl.nseg = r->ncb;
	pl.seq0 = r->ncb ? r->cb[0].seq : 0;
	pl.type = KC_HLS_TYPE_EVENT;
	for (i = 0; i < r->ncb; i++) {
		r->cb[i].uri = r->cbpath[i];
		/* stream time, as Unix time counted from pdt0 (docs/
		 * records.md: "cut" playlists of live streams) */
		r->cb[i].pdt = r->pdt0 + r->cbt[i];
		r->cb[i].pdt_tag = 1;
		if (pl.target < (long)ceil(r->cb[i].duration))
			pl.target = (long)ceil(r->cb[i].duration);
	}
	if (kc_hls_write(&pl, &text, &len, why, sizeof(why)) != 0) {
		kc_warn("%s: cut playlist: %s", r->cutpl, why);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", r->cutpl);
	if ((fp = fopen(tmp, "we")) == NULL || fwrite(text, 1, len, fp) != len ||
	    fclose(fp) != 0 || rename(tmp, r->cutpl) != 0)
		kc_warn("%s:", r->cutpl);
	free(text);
}

/*
 * Keeps a best-rendition segment for cutting (downloaded, or linked from
 * have when the analysis rendition is the best one), and drops what is
 * older than --live-buffer.
 */
static void
buffer_cut(struct run *r, const kc_hls_segment *s, double t0,
    const char *have)
{
	char path[PATH_MAX + 32], why[600];
	size_t i, k;
	void *np;

	snprintf(path, sizeof(path), "%s/%lld.ts", r->cutdir, s->seq);
	if (have ? link(have, path) != 0 && (snprintf(why, sizeof(why),
	    "%s", strerror(errno)), 1) : fetch_one(r, s, path, why,
	    sizeof(why)) != 0) {
		kc_warn("%s: best-rendition segment %lld: %s (clips there "
		    "will fail)", O.arg, s->seq, why);
		return;
	}
	if (r->ncb == r->capcb) {
		r->capcb = r->capcb ? 2 * r->capcb : 64;
		if ((np = realloc(r->cb, r->capcb * sizeof(*r->cb))) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		r->cb = np;
		if ((np = realloc(r->cbpath, r->capcb * sizeof(*r->cbpath))) ==
		    NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		r->cbpath = np;
		if ((np = realloc(r->cbt, r->capcb * sizeof(*r->cbt))) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		r->cbt = np;
	}
	memset(&r->cb[r->ncb], 0, sizeof(r->cb[0]));
	r->cb[r->ncb].seq = s->seq;
	r->cb[r->ncb].duration = s->duration;
	r->cb[r->ncb].discontinuity = r->ncb > 0 && (s->discontinuity ||
	    s->seq != r->cb[r->ncb - 1].seq + 1);
	snprintf(r->cbpath[r->ncb], sizeof(r->cbpath[0]), "%s", path);
	r->cbt[r->ncb] = t0;
	r->ncb++;
	/* the oldest go once the buffer is longer than --live-buffer */
	for (k = 0; k < r->ncb && r->cbt[r->ncb - 1] - r->cbt[k] >
	    O.live_buffer; k++)
		unlink(r->cbpath[k]);
	if (k > 0) {
		for (i = k; i < r->ncb; i++) {
			r->cb[i - k] = r->cb[i];
			memcpy(r->cbpath[i - k], r->cbpath[i],
			    sizeof(r->cbpath[0]));
			r->cbt[i - k] = r->cbt[i];
		}
		r->ncb -= k;
		r->cb[0].discontinuity = 0;
	}
	write_cutpl(r);
}

/* The cut rendition's segment matching an analysis segment. */
static const kc_hls_segment *
cut_match(kc_hls *cpl, const kc_hls_segment *a)
{
	size_t i;

	for (i = 0; cpl && i < cpl->nseg; i++) {
		if (isfinite(a->pdt) && isfinite(cpl->seg[i].pdt)) {
			if (fabs(cpl->seg[i].pdt - a->pdt) < 0.5)
				return &cpl->seg[i];
		} else if (cpl->seg[i].seq == a->seq)
			return &cpl->seg[i];
	}
	return NULL;
}

/* How following a live stream ended. */
enum live_end {
	LIVE_ENDLIST,	/* ENDLIST, --duration or a stop asked for */
	LIVE_QUIET,	/* no new segment for --live-timeout: the playlist
			   did not change, or the server says it is gone */
	LIVE_LOST	/* no new segment for --live-timeout: the playlist
			   failed otherwise (blocked, 5xx, unreachable) */
};

/*
 * Seconds without a new segment after which a live stream is taken as
 * ended: --live-timeout, but at least three target durations (a
 * segment is due about every target duration).
 */
static double
quiet_limit(const kc_hls *pl)
{
	double t = pl->target > 0 ? 3.0 * (double)pl->target : 0;

	return O.live_timeout > t ? O.live_timeout : t;
}

/*
 * Waits and reloads the live playlist until one loads: then 0 with *pl
 * replaced.  -1 when following ends first: a stop was asked (*end
 * LIVE_ENDLIST), or nothing new came for quiet_limit() since quiet (a
 * kc_now() time) (*end LIVE_QUIET or LIVE_LOST, the reason in why).
 * changed: the playlist just loaded brought something new.
 */
static int
reload(struct run *r, kc_hls **pl, int changed, double quiet,
    enum live_end *end, char *why, size_t n)
{
	double delay = kc_hls_reload_delay(*pl, changed), limit, left;
	char err[600];
	kc_hls *npl;
	int fails = 0, gone = 0;

	limit = quiet_limit(*pl);
	*end = LIVE_ENDLIST;
	for (;;) {
		if ((left = quiet + limit - kc_now()) <= 0) {
			*end = fails == 0 || gone ? LIVE_QUIET : LIVE_LOST;
			if (fails == 0)
				snprintf(why, n, "the playlist did not change");
			else
				snprintf(why, n, "%s", err);
			return -1;
		}
		nap(delay < left ? delay : left);
		if (fetch_stop)
			return -1;
		if ((npl = fetch_playlist(r, r->aurl, err, sizeof(err),
		    &gone)) == NULL && *r->refused)
			return -1;	/* it would be refused again */
		if (npl != NULL) {
			if (fails > 0)
				kc_warn("%s: the live playlist loads again",
				    O.arg);
			kc_hls_free(*pl);
			*pl = npl;
			return 0;
		}
		if (fails++ == 0)
			kc_warn("%s: reloading the live playlist: %s (kept "
			    "trying until %.0f s without a new segment)",
			    O.arg, err, limit);
		delay = (*pl)->target > 0 ? (double)(*pl)->target : 2;
	}
}

static enum live_end
live(struct run *r, kc_hls *pl)
{
	kc_hls_live st;
	kc_hls_news nw;
	kc_hls *cpl = NULL;
	const kc_hls_segment *s, *cs;
	char path[PATH_MAX + 32], why[600];
	double t0 = 0, tnext = 0, quiet = kc_now();
	size_t i, from;
	int tries, disc = 0, first = 1, refreshed, usepdt = 0;
	enum live_end end = LIVE_ENDLIST;

	catch_stop_signals();
	kc_out_unbuffered(1);
	snprintf(r->cutdir, sizeof(r->cutdir), "%s/cut", r->sp.dir);
	snprintf(r->cutpl, sizeof(r->cutpl), "%s/cut.m3u8", r->sp.dir);
	if (mkdir(r->cutdir, 0777) != 0 && errno != EEXIST)
		kc_die(KC_EXIT_DATA, "%s:", r->cutdir);
	r->sp.held = r->sp.nroles > 0;
	kc_hls_live_init(&st);
	r->pdt0 = NAN;
	for (;;) {
		kc_hls_live_next(&st, pl, &nw);
		from = nw.first;
		if (first && nw.n > EDGE) {	/* start at the live edge */
			from = nw.first + nw.n - EDGE;
			nw.n = EDGE;
		}
		if (nw.missed > 0 && !first)
			gap(r, tnext, tnext + (double)nw.missed * pl->target,
			    "segments left the live playlist before they were "
			    "fetched");
		if (nw.reset || nw.missed > 0)
			disc = 1;
		refreshed = 0;
		for (i = from; i < from + nw.n && fetch_stop == 0; i++) {
			s = &pl->seg[i];
			/* stream time: from the program date time when the
			 * source has one, else by adding up durations */
			if (!isfinite(r->pdt0)) {
				r->pdt0 = isfinite(s->pdt) ? s->pdt : 0;
				usepdt = isfinite(s->pdt);
				tnext = 0;
			}
			if (usepdt && isfinite(s->pdt))
				t0 = s->pdt - r->pdt0;
			else
				t0 = tnext + (i == from && nw.missed > 0 ?
				    (double)nw.missed * pl->target : 0);
			if (r->cv && r->cv != r->av) {
				/* the best rendition may list it a moment
				 * later than the lowest */
				for (tries = 0; (cs = cut_match(cpl, s)) ==
				    NULL && tries < 4 && !fetch_stop &&
				    !*r->refused && !*r->blocked; tries++) {
					if (refreshed || tries > 0)
						nap(0.5);
					kc_hls_free(cpl);
					cpl = fetch_playlist(r, r->curl, why,
					    sizeof(why), NULL);
					refreshed = 1;
				}
				if (*r->refused || *r->blocked)
					break;
				if (cs)
					buffer_cut(r, cs, t0, NULL);
				else
					kc_warn("%s: segment %lld is not in the "
					    "best rendition's playlist", O.arg,
					    s->seq);
			}
			if (spool_wait_room(&r->sp) != 0)
				break;
			spool_name(&r->sp, s->seq, "a", path, sizeof(path));
			if (fetch_one(r, s, path, why, sizeof(why)) != 0) {
				if (*r->blocked)
					break;
				if (!r->stream_done)
					stream_record(r, NULL, 0, -1, 0, 1);
				gap(r, t0, t0 + s->duration, why);
				tnext = t0 + s->duration;
				continue;
			}
			if (!r->cv || r->cv == r->av)
				buffer_cut(r, s, t0, path);	/* the same */
			if (!r->stream_done)
				stream_record(r, path, 0, -1, 0, 1);
			spool_added(&r->sp, s->seq, path);
			segment(r, s->seq, t0, t0 + s->duration, path, disc ||
			    s->discontinuity);
			disc = 0;
			tnext = t0 + s->duration;
			if (O.duration > 0 && tnext >= O.duration)
				fetch_stop = 1;
		}
		first = 0;
		if (nw.n > 0)	/* counted from the last one fetched */
			quiet = kc_now();
		if (pl->endlist || fetch_stop || *r->refused || *r->blocked)
			break;
		if (reload(r, &pl, nw.n > 0, quiet, &end, why, sizeof(why)) !=
		    0)
			break;
	}
	if (end == LIVE_QUIET)
		kc_warn("%s: no new segment for %.0f s (%s): taking the "
		    "stream as ended", O.arg, quiet_limit(pl), why);
	else if (end == LIVE_LOST)
		kc_warn("%s: no new segment for %.0f s, and the live playlist "
		    "cannot be reloaded: %s", O.arg, quiet_limit(pl), why);
	else if (fetch_stop || *r->refused)
		kc_warn("%s: stopping: the segments fetched are analysed and "
		    "kept", O.arg);
	if (!r->stream_done)
		stream_record(r, NULL, 0, -1, 0, 1);
	kc_hls_free(cpl);
	kc_hls_free(pl);
	free(r->cb);
	free(r->cbpath);
	free(r->cbt);
	r->cb = NULL;
	r->cbpath = NULL;
	r->cbt = NULL;
	r->ncb = r->capcb = 0;
	return end;
}

void
hls_run(struct target *t)
{
	struct run r;
	kc_hls *pl;
	char why[600];
	int islive;
	enum live_end end = LIVE_ENDLIST;
	kc_http_stats st;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.pdt0 = NAN;
	if (t->master) {
		r.av = kc_hls_pick_analysis(t->master, O.analysis_quality);
		r.cv = kc_hls_pick_cut(t->master, O.quality);
		if (r.av == NULL || r.cv == NULL)
			kc_die(KC_EXIT_DATA, "%s: no usable rendition", O.arg);
		r.aurl = r.av->uri;
		r.curl = r.cv->uri;
	} else
		r.aurl = r.curl = t->media;
	if ((pl = fetch_playlist(&r, r.aurl, why, sizeof(why), NULL)) == NULL) {
		if (*r.blocked)
			kc_die(KC_EXIT_DATA, "%s: %s", O.arg, r.blocked);
		kc_die(KC_EXIT_DATA, "%s: %s: %s", O.arg, r.aurl, why);
	}
	if (pl->iframes)
		kc_die(KC_EXIT_DATA, "%s: an I-frames-only playlist", O.arg);
	/* not read yet: said at once, not found out segment by segment */
	if (pl->nseg > 0 && pl->seg[0].map != NULL)
		kc_die(KC_EXIT_DATA, "%s: %s: fragmented MP4 segments "
		    "(EXT-X-MAP), which kc cannot analyse yet: it reads MPEG-TS "
		    "segments (Kick's and Twitch's)", O.arg, r.aurl);

	islive = !pl->endlist && pl->type != KC_HLS_TYPE_VOD;
	stream_id(t->canon, r.id);
	resume_check(r.id);
	spool_open(&r.sp, r.id);
	if (islive)
		end = live(&r, pl);
	else {
		vod(&r, pl);
		kc_hls_free(pl);
	}
	/* lost: no "end", the stream did not finish (docs/records.md) */
	if (end != LIVE_LOST && !*r.blocked)
		emit_end(r.id);
	spool_finish(&r.sp);
	kc_http_stats_get(t->http, &st);
	kc_http_stats_add(&st, &r.wstats);
	http_summary(&st, r.gaps);
	kc_http_free(t->http);
	if (*r.blocked)
		kc_die(KC_EXIT_DATA, "%s: %s", O.arg, r.blocked);
	if (*r.refused)
		kc_die(KC_EXIT_DATA, "%s: %s", O.arg, r.refused);
	if (end == LIVE_LOST)
		kc_die(KC_EXIT_DATA, "%s: the live stream became unreachable",
		    O.arg);
}
