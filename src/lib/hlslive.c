/*
 * hlslive.c - the bookkeeping of a live follower: which segments of each
 * reload of a media playlist are new, and how long to wait before the
 * next reload.  The last segment seen is known by its program date, or
 * by a hash of its URI up to the query, since tokens in a query may
 * change between reloads (hls.h says how a restart is told apart).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hash.h"
#include "hls.h"

/* ---- following a live playlist --------------------------------------- */

/* FNV-1a of a URI up to its query or fragment. */
static uint64_t
uri_id(const char *u)
{
	return u == NULL ? KC_FNV_INIT : kc_fnv1a(KC_FNV_INIT, u,
	    strcspn(u, "?#"));
}

void
kc_hls_live_init(kc_hls_live *st)
{
	st->next = -1;
	st->id_ = 0;
	st->pdt_ = NAN;
	st->window_ = 0;
}

/* Is s the segment the follower saw last? */
static int
same_segment(const kc_hls_live *st, const kc_hls_segment *s)
{
	if (isfinite(st->pdt_) && isfinite(s->pdt))
		return fabs(st->pdt_ - s->pdt) < 0.5;
	return st->id_ == uri_id(s->uri);
}

int
kc_hls_live_next(kc_hls_live *st, const kc_hls *pl, kc_hls_news *nw)
{
	long long f, l, last;
	const kc_hls_segment *end;

	memset(nw, 0, sizeof(*nw));
	if (st == NULL || pl == NULL || pl->kind != KC_HLS_MEDIA ||
	    pl->seq0 < 0 || (pl->nseg > 0 && pl->seg == NULL) ||
	    pl->nseg > KC_HLS_MAX_SEGMENTS ||
	    pl->seq0 > LLONG_MAX - (long long)pl->nseg) {
		errno = EINVAL;
		return -1;
	}
	if (pl->nseg == 0)
		return 0;
	f = pl->seq0;
	l = f + (long long)pl->nseg - 1;
	end = &pl->seg[pl->nseg - 1];
	nw->n = pl->nseg;
	if (st->next >= 0) {
		last = st->next - 1;
		if (l < last) {
			int stale;

			if (isfinite(st->pdt_) && isfinite(end->pdt))
				stale = end->pdt <= st->pdt_;
			else
				stale = (unsigned long long)(last - l) <=
				    st->window_;
			if (stale) {
				nw->n = 0;
				nw->stale = 1;
				return 0;
			}
			nw->reset = 1;
		} else if (f <= last) {
			size_t i = (size_t)(last - f);

			if (same_segment(st, &pl->seg[i])) {
				nw->first = i + 1;
				nw->n = pl->nseg - i - 1;
			} else
				nw->reset = 1;
		} else
			nw->missed = f - st->next;
	}
	st->next = l + 1;
	st->id_ = uri_id(end->uri);
	st->pdt_ = end->pdt;
	st->window_ = pl->nseg;
	return 0;
}

int
kc_hls_news_since(const kc_hls *prev, const kc_hls *cur, kc_hls_news *nw)
{
	kc_hls_live st;

	kc_hls_live_init(&st);
	if (prev != NULL && kc_hls_live_next(&st, prev, nw) < 0)
		return -1;
	return kc_hls_live_next(&st, cur, nw);
}

double
kc_hls_reload_delay(const kc_hls *pl, int changed)
{
	double t = pl != NULL && pl->target > 0 ? (double)pl->target : 1;

	if (!changed)
		t /= 2;
	return t < 0.5 ? 0.5 : t;
}
