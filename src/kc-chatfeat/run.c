/*
 * run.c - kc-chatfeat's record loop: passes every record through and,
 * after each "segment" record, writes one "cfeat" record per hop that
 * starts in the segment, from the chat of the hop's window: [t + lag,
 * t + lag + window) for the hop at stream time t (chat reacts after the
 * picture).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "msg.h"
#include "out.h"
#include "rec.h"

#define EPS 1e-6

static struct {
	double hop;
	double off;		/* chat time of stream time 0 */
	int ready;		/* a stream record set off and hop */
	long next;		/* next hop index to write */
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

static void
on_stream(const json_t *rec, const struct cf_opts *o,
    const struct cf_chat *c)
{
	const json_t *pdt = json_object_get(rec, "pdt0");
	double hop;

	S.hop = o->hop > 0 ? o->hop : kc_rec_num(rec, "hop", &hop) == 0 ?
	    hop : 1;
	S.next = 0;
	S.lo = 0;
	S.off = 0;
	if (c->wall) {
		if (o->have_start)
			S.off = o->start;
		else if (json_is_number(pdt))
			S.off = json_number_value(pdt);
		else
			kc_out_fatal("%s: the chat log's times are wall-clock "
			    "(\"timestamp\") and the stream record has no "
			    "\"pdt0\": give --chat-start, the time stream time "
			    "0 aired (ISO 8601 or Unix seconds)", where);
	}
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
emit_hop(long k, const struct cf_opts *o, const struct cf_chat *c)
{
	const char *const *names = kc_chat_names();
	double t = (double)k * S.hop, a = t + o->lag + S.off, v[KC_CHAT_N];
	size_t i, j;
	json_t *r, *f;

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

static void
on_segment(const json_t *rec, const struct cf_opts *o,
    const struct cf_chat *c)
{
	double t0, t1;
	long k;

	if (!S.ready)
		on_stream(rec, o, c);	/* no stream record: hop 1, no pdt0 */
	if (kc_rec_num(rec, "t0", &t0) != 0 || kc_rec_num(rec, "t1", &t1) != 0)
		return;
	k = (long)ceil(t0 / S.hop - EPS);
	if (k < S.next)
		k = S.next;
	for (; (double)k * S.hop < t1 - EPS; k++)
		emit_hop(k, o, c);
	S.next = k;
}

void
cf_records(FILE *fp, const char *name, const struct cf_opts *o,
    const struct cf_chat *c)
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
		if (strcmp(type, "stream") == 0)
			on_stream(rec, o, c);
		kc_out_raw(kc_reader_raw(rd), kc_reader_rawlen(rd));
		if (strcmp(type, "segment") == 0)
			on_segment(rec, o, c);
		else if (strcmp(type, "end") == 0) {
			S.ready = 0;
			kc_out_flush();
		}
		json_decref(rec);
	}
	kc_reader_free(rd);
	where = "<stdin>";
	if (c->n > 0 && S.used == 0 && S.next > 0)
		kc_warn("%s: none of the %zu chat messages falls within the "
		    "stream's hops (is --chat-start or the log's \"t\" right?)",
		    o->chat, c->n);
}
