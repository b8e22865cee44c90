/*
 * run.c - kc-chatfeat's record loop: passes every record through and,
 * after each "segment" record, writes one "cfeat" record per hop that
 * starts in the segment, from the chat of the hop's window: [t + lag,
 * t + lag + window) for the hop at stream time t (chat reacts after the
 * picture).  The chat is the log file's, or, for a stream kc-fetch
 * resolved through Kick's API (its record's "kick"), Kick's replay or
 * live chat; the stream record passed on says which ("chat", and
 * "chat_error" when the chat could not be read).  A live chat's hop
 * waits until its window has aired; the records never wait for it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cf.h"
#include "msg.h"
#include "out.h"
#include "rec.h"

#define EPS 1e-6

/* Seconds a live chat's window is given to arrive after it aired. */
#define LIVE_GRACE 1.5

static struct {
	double hop;
	double off;		/* chat time of stream time 0 */
	int ready;		/* a stream record set off and hop */
	long next;		/* next hop index to write */
	long upto;		/* hops before it are due (segments seen) */
	double aired;		/* chat time the stream has reached */
	size_t used;		/* messages inside some hop's window */
	size_t lo;		/* first message of the last window */
} S;

static const char *where = "<stdin>";

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

double
cf_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
close_kick(struct cf_chat *c)
{
	if (c->source == CF_REPLAY)
		cf_replay_close();
	else if (c->source == CF_LIVE || c->source == CF_NONE)
		cf_live_close();
}

/*
 * A stream's Kick chat, when kc-fetch resolved it through Kick's API:
 * the replay from the VOD's start, or the live chat; rec gets "chat"
 * (and "chat_error").  Returns the chat time of stream time 0 (pdt0,
 * else Kick's start_time), NAN without a Kick chat.
 */
static double
open_kick(json_t *rec, const struct cf_opts *o, struct cf_chat *c)
{
	const json_t *k = json_object_get(rec, "kick"),
	    *pdt = json_object_get(rec, "pdt0");
	const char *api = o->kick_api ? o->kick_api :
	    json_string_value(json_object_get(k, "api")) ?
	    json_string_value(json_object_get(k, "api")) :
	    getenv("KC_KICK_API");
	json_int_t chan = json_integer_value(json_object_get(k, "channel_id")),
	    room = json_integer_value(json_object_get(k, "chatroom_id"));
	double t0 = json_is_number(pdt) ? json_number_value(pdt) :
	    json_number_value(json_object_get(k, "start"));
	int live = json_is_true(json_object_get(rec, "live")), rc;
	double from = 0;

	if (o->no_kick || !json_is_object(k))
		return NAN;
	if (kc_rec_num(rec, "start", &from) != 0)
		from = 0;
	if (live && room > 0)
		rc = cf_live_open(c, room, o);
	else if (!live && chan > 0 && api != NULL && t0 > 0)
		rc = cf_replay_open(c, api, chan, t0 + from + o->lag, o);
	else {
		snprintf(c->error, sizeof(c->error), "the stream record's "
		    "\"kick\" lacks the %s", live ? "chatroom_id" :
		    "channel_id, the API or the start time");
		rc = -1;
	}
	if (rc != 0) {
		kc_warn("%s: no chat: %s; going on without it", where,
		    c->error);
		set(rec, "chat", json_string("none"));
		set(rec, "chat_error", json_string(c->error));
		return NAN;
	}
	set(rec, "chat", json_string(live ? "kick-live" : "kick-replay"));
	return live && !(t0 > 0) ? cf_now() : t0;
}

static void
on_stream(json_t *rec, const struct cf_opts *o, struct cf_chat *c)
{
	const json_t *pdt = json_object_get(rec, "pdt0");
	double hop, t0;

	S.hop = o->hop > 0 ? o->hop : rec && kc_rec_num(rec, "hop", &hop) == 0 ?
	    hop : 1;
	if (json_is_true(json_object_get(rec, "live")))
		kc_out_unbuffered(1);	/* a live record waits for nobody */
	S.next = S.upto = 0;
	S.lo = 0;
	S.off = 0;
	S.aired = -INFINITY;
	if (c->source != CF_FILE) {	/* a Kick chat of the last stream */
		close_kick(c);
		cf_chat_clear(c);
		c->source = CF_NONE;
		c->error[0] = '\0';
		t0 = rec ? open_kick(rec, o, c) : NAN;
		if (isnan(t0)) {
			if (rec && !json_object_get(rec, "chat"))
				set(rec, "chat", json_string("none"));
		} else
			S.off = o->have_start ? o->start : t0;
	} else if (c->broken) {
		kc_warn("no chat: %s; going on without it", c->error);
		if (rec) {
			set(rec, "chat", json_string("none"));
			set(rec, "chat_error", json_string(c->error));
		}
	} else if (c->wall) {
		if (rec)
			set(rec, "chat", json_string("file"));
		if (o->have_start)
			S.off = o->start;
		else if (json_is_number(pdt))
			S.off = json_number_value(pdt);
		else
			kc_out_fatal("%s: the chat log's times are wall-clock "
			    "(\"timestamp\") and the stream record has no "
			    "\"pdt0\": give --chat-start, the time stream time "
			    "0 aired (ISO 8601 or Unix seconds)", where);
	} else if (rec)
		set(rec, "chat", json_string("file"));
	S.ready = 1;
}

/* Index of the first message at chat time t or later. */
static size_t
first_at(const struct cf_chat *c, double t)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->m[mid].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
emit_hop(long k, const struct cf_opts *o, struct cf_chat *c)
{
	const char *const *names = kc_chat_names();
	double t = (double)k * S.hop, a = t + o->lag + S.off, v[KC_CHAT_N];
	size_t i, j;
	json_t *r, *f;

	if (c->source == CF_REPLAY)
		cf_replay_need(c, a, a + o->window, o);
	if (c->source == CF_NONE || c->broken)
		return;		/* no chat, or no more */
	i = first_at(c, a);
	j = first_at(c, a + o->window);
	if (kc_chat_window(c->m + i, j - i, o->window, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
	/* messages counted once however many windows they are in */
	if (j > S.lo)
		S.used += j - (i > S.lo ? i : S.lo);
	if (j > S.lo)
		S.lo = j;
	if ((r = kc_rec_new("cfeat")) == NULL || (f = json_object()) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "t", json_real(t));
	set(r, "dur", kc_json_num(S.hop));
	for (i = 0; i < KC_CHAT_N; i++)
		set(f, names[i], kc_json_num(v[i]));
	set(r, "features", f);
	kc_out_new(r);
}

/*
 * Writes the hops that are due and whose chat is in: all of them, but
 * for a live chat those whose window has aired LIVE_GRACE seconds ago
 * (by the wall clock or by the segments seen).  With wait (the stream's
 * end), the rest are waited for while the chat is connected, for at most
 * --lag + --window + LIVE_GRACE seconds, then written with what came.
 */
static void
flush_hops(const struct cf_opts *o, struct cf_chat *c, int wait)
{
	/* waiting at the end: at most a window's worth of wall time */
	double limit = cf_now() + o->lag + o->window + LIVE_GRACE, end;

	for (; S.next < S.upto; S.next++) {
		if (c->source == CF_LIVE) {
			end = (double)S.next * S.hop + o->lag + o->window +
			    S.off + LIVE_GRACE;
			while (cf_live_take(c, o), c->source == CF_LIVE &&
			    cf_now() < end && S.aired < end) {
				/* no chat is coming while disconnected */
				if (!wait || !cf_live_up() ||
				    cf_now() >= limit)
					goto out;
				usleep(100000);
			}
		}
		emit_hop(S.next, o, c);
	}
	return;
out:
	if (wait)	/* the end: the rest with what has come */
		for (; S.next < S.upto; S.next++)
			emit_hop(S.next, o, c);
}

static void
on_segment(const json_t *rec, const struct cf_opts *o, struct cf_chat *c)
{
	double t0, t1;
	long k;

	if (!S.ready)
		on_stream(NULL, o, c);	/* no stream record: hop 1, no pdt0 */
	if (kc_rec_num(rec, "t0", &t0) != 0 || kc_rec_num(rec, "t1", &t1) != 0)
		return;
	k = (long)ceil(t0 / S.hop - EPS);
	if (k > S.upto && S.next == S.upto)
		S.upto = S.next = k;	/* a gap: no chat for it */
	for (; (double)k * S.hop < t1 - EPS; k++)
		;
	if (k > S.upto)
		S.upto = k;
	if (t1 + S.off > S.aired)
		S.aired = t1 + S.off;
	flush_hops(o, c, 0);
}

void
cf_records(FILE *fp, const char *name, const struct cf_opts *o,
    struct cf_chat *c)
{
	kc_reader *rd;
	json_t *rec;
	const char *type;
	char why[512];
	int r;

	if ((rd = kc_reader_new(fp, name)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kc_reader_watch_output(rd, 1);
	while ((r = kc_reader_next(rd, &rec)) != 0) {
		where = kc_reader_where(rd);
		if (r < 0)
			kc_out_fatal("%s: %s", where, kc_reader_error(rd));
		type = kc_rec_type(rec);
		if ((strcmp(type, "stream") == 0 || strcmp(type, "segment") ==
		    0) && kc_rec_check(rec, why, sizeof(why)) != 0)
			kc_out_fatal("%s: %s", where, why);
		if (strcmp(type, "stream") == 0) {
			flush_hops(o, c, 1);
			on_stream(rec, o, c);
			kc_out_new(json_incref(rec));
		} else {
			if (strcmp(type, "end") == 0)
				flush_hops(o, c, 1);
			kc_out_raw(kc_reader_raw(rd), kc_reader_rawlen(rd));
		}
		if (strcmp(type, "segment") == 0)
			on_segment(rec, o, c);
		else if (strcmp(type, "end") == 0) {
			S.ready = 0;
			kc_out_flush();
		}
		json_decref(rec);
	}
	flush_hops(o, c, 1);
	kc_reader_free(rd);
	where = "<stdin>";
}

void
cf_finish(struct cf_chat *c, const struct cf_opts *o)
{
	if (c->source == CF_FILE && c->n > 0 && S.used == 0 && S.next > 0)
		kc_warn("%s: none of the %zu chat messages falls within the "
		    "stream's hops (is --chat-start or the log's \"t\" right?)",
		    o->chat, c->n);
	if (c->source != CF_FILE && c->skipped > 0)
		kc_warn("%zu malformed chat messages skipped", c->skipped);
	if (c->source != CF_FILE)
		close_kick(c);
}
