/*
 * hlspick.c - the choices kc-fetch makes over a parsed playlist: the
 * variant to analyse and the one to cut from, the audio rendition that
 * goes with a variant, and the segment that holds a given time.
 */
#include <stddef.h>
#include <string.h>

#include "hls.h"

/* ---- choosing variants ----------------------------------------------- */

/* Is a better than b under key (height, bandwidth), each up (+1) or down? */
static int
better(const kc_hls_variant *a, const kc_hls_variant *b, int hdir,
    int bdir)
{
	if (b == NULL)
		return 1;
	if (a->height != b->height)
		return hdir > 0 ? a->height > b->height : a->height < b->height;
	if (a->bandwidth != b->bandwidth)
		return bdir > 0 ? a->bandwidth > b->bandwidth :
		    a->bandwidth < b->bandwidth;
	return 0;
}

const kc_hls_variant *
kc_hls_pick_analysis(const kc_hls *m, int min_height)
{
	const kc_hls_variant *best = NULL, *v;
	size_t i;

	if (m == NULL || m->kind != KC_HLS_MASTER || m->nvar == 0)
		return NULL;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && v->height >= min_height &&
		    better(v, best, -1, -1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && better(v, best, +1, -1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (best == NULL || v->bandwidth < best->bandwidth)
			best = v;
	}
	return best;
}

const kc_hls_variant *
kc_hls_pick_cut(const kc_hls *m, int max_height)
{
	const kc_hls_variant *best = NULL, *v;
	size_t i;

	if (m == NULL || m->kind != KC_HLS_MASTER || m->nvar == 0)
		return NULL;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && (max_height <= 0 ||
		    v->height <= max_height) && better(v, best, +1, +1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && better(v, best, -1, -1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (best == NULL || v->bandwidth > best->bandwidth)
			best = v;
	}
	return best;
}

const kc_hls_rendition *
kc_hls_audio(const kc_hls *m, const kc_hls_variant *v)
{
	const kc_hls_rendition *r, *first = NULL;
	size_t i;

	if (m == NULL || v == NULL || m->kind != KC_HLS_MASTER ||
	    v->audio == NULL)
		return NULL;
	for (i = 0; i < m->nmedia; i++) {
		r = &m->media[i];
		if (r->type != KC_HLS_AUDIO || r->uri == NULL ||
		    strcmp(r->group, v->audio) != 0)
			continue;
		if (r->is_default)
			return r;
		if (first == NULL)
			first = r;
	}
	return first;
}

long
kc_hls_find(const kc_hls *pl, double t)
{
	size_t lo = 0, hi, mid;

	if (pl == NULL || pl->kind != KC_HLS_MEDIA || pl->nseg == 0 ||
	    !(t >= 0) || !(t < pl->duration))
		return -1;
	/* the last segment that starts at or before t */
	hi = pl->nseg;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (pl->seg[mid].start <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (!(pl->seg[lo].start <= t &&
	    t < pl->seg[lo].start + pl->seg[lo].duration))
		return -1;
	return (long)lo;
}
