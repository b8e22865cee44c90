/*
 * pick.c - from stored hop features to highlight records.  Per kind: each
 * weighted feature is normalised against this stream (median and MAD, so
 * what is normal here is not a highlight), the soft-clipped z-scores are
 * weighed into one score per hop, windows of the clip duration are scored
 * by their tapered mean, and the best windows that keep the minimum gap
 * are picked (non-maximum suppression).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "out.h"
#include "rec.h"
#include "score.h"
#include "select.h"

struct col {
	long fi;		/* column in the kind's rows */
	double w, med, scale;
};

struct hl {
	int kind;
	long rank;
	double t0, t1, heur;
	double *sum, *max;	/* per column of each kind: [audio | video] */
	long *cnt;
};

static size_t
rowsize(const struct kindstore *ks)
{
	return sizeof(double) + sizeof(float) + ks->nf * sizeof(float);
}

/* Reads row by row from the start; 1 per row, 0 at the end, -1 on error. */
static int
next_row(struct kindstore *ks, unsigned char *buf, double *t, float **v)
{
	size_t n = rowsize(ks);

	if (fread(buf, 1, n, ks->fp) != n)
		return ferror(ks->fp) ? -1 : 0;
	memcpy(t, buf, sizeof(double));
	*v = (float *)(void *)(buf + sizeof(double) + sizeof(float));
	return 1;
}

static long
col_of(const struct kindstore *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->nf; i++)
		if (strcmp(ks->names[i], name) == 0)
			return (long)i;
	return -1;
}

/* Robust centre and scale of each weighted feature this kind has. */
static int
columns(struct kindstore *ks, const struct kc_weightset *ws, struct col *c,
    size_t *nc, char *err, size_t errlen)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	float *col, *v;
	double t;
	size_t i, n;
	long fi, r;
	int rc;

	*nc = 0;
	if ((col = malloc((size_t)ks->rows * sizeof(float))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < ws->n; i++) {
		if ((fi = col_of(ks, ws->f[i].name)) < 0 || ws->f[i].w == 0)
			continue;
		rewind(ks->fp);
		for (r = 0; (rc = next_row(ks, buf, &t, &v)) == 1; r++)
			col[r] = v[fi];
		if (rc < 0 || r != ks->rows) {
			free(col);
			snprintf(err, errlen, "temporary file: %s",
			    strerror(errno ? errno : EIO));
			return -1;
		}
		n = kc_robust(col, (size_t)r, &c[*nc].med, &c[*nc].scale);
		if (n == 0)
			continue;
		if (!(c[*nc].scale >= ws->f[i].floor))
			c[*nc].scale = ws->f[i].floor;
		c[*nc].fi = fi;
		c[*nc].w = ws->f[i].w;
		(*nc)++;
	}
	free(col);
	return 0;
}

/* Hop scores of one kind into hs[0..nh) (0 where a hop is missing). */
static int
hop_scores(struct kindstore *ks, const struct kc_weightset *ws,
    const kc_weights *w, double origin, double hop, double *hs, size_t nh,
    char *err, size_t errlen)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	struct col c[KC_WEIGHTS_MAX];
	double t, sum, wsum = 0;
	float *v;
	size_t nc, i;
	long idx;
	int rc;

	if (columns(ks, ws, c, &nc, err, errlen) != 0)
		return -1;
	for (i = 0; i < nc; i++)
		wsum += fabs(c[i].w);
	if (wsum == 0)
		return 0;
	rewind(ks->fp);
	while ((rc = next_row(ks, buf, &t, &v)) == 1) {
		idx = lround((t - origin) / hop);
		if (idx < 0 || (size_t)idx >= nh)
			continue;
		sum = 0;
		for (i = 0; i < nc; i++)
			if (isfinite(v[c[i].fi]))
				sum += c[i].w * kc_softclip((v[c[i].fi] -
				    c[i].med) / c[i].scale, w->zlo, w->zhi);
		hs[idx] = sum / wsum;
	}
	if (rc < 0) {
		snprintf(err, errlen, "temporary file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Means (and maxima of the kind's weighted features) over each window. */
static int
window_features(struct stream *s, struct hl *h, size_t nh_, double hop)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	struct kindstore *ks;
	double t;
	float *v;
	size_t i, j, off;
	int k, rc;

	for (k = 0; k < 2; k++) {
		ks = &s->k[k];
		if (ks->fp == NULL)
			continue;
		off = k == KIND_AUDIO ? 0 : s->k[KIND_AUDIO].nf;
		rewind(ks->fp);
		while ((rc = next_row(ks, buf, &t, &v)) == 1)
			for (j = 0; j < nh_; j++) {
				if (t < h[j].t0 - hop / 2 || t >= h[j].t1 -
				    hop / 2)
					continue;
				for (i = 0; i < ks->nf; i++) {
					if (!isfinite(v[i]))
						continue;
					h[j].sum[off + i] += v[i];
					h[j].cnt[off + i]++;
					if (!(h[j].max[off + i] >= v[i]))
						h[j].max[off + i] = v[i];
				}
			}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
is_weighted(const struct kc_weightset *ws, const char *name)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		if (ws->f[i].w != 0 && strcmp(ws->f[i].name, name) == 0)
			return 1;
	return 0;
}

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static void
emit(struct stream *s, const struct params *p, const struct hl *h)
{
	const struct kc_weightset *ws = h->kind == KIND_AUDIO ? &p->w->audio :
	    &p->w->video;
	char key[64];
	json_t *r, *f;
	size_t i, off;
	int k;

	r = kc_rec_new("highlight");
	f = json_object();
	if (r == NULL || f == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (k = 0; k < 2; k++) {
		off = k == KIND_AUDIO ? 0 : s->k[KIND_AUDIO].nf;
		for (i = 0; i < s->k[k].nf; i++) {
			if (h->cnt[off + i] == 0)
				continue;
			set(f, s->k[k].names[i], kc_json_num(h->sum[off + i] /
			    (double)h->cnt[off + i]));
			if (k == h->kind && is_weighted(ws, s->k[k].names[i])) {
				snprintf(key, sizeof(key), "%s_max",
				    s->k[k].names[i]);
				set(f, key, kc_json_num(h->max[off + i]));
			}
		}
	}
	set(r, "kind", json_string(h->kind == KIND_AUDIO ? "audio" : "video"));
	set(r, "t0", json_real(round(h->t0 * 1000) / 1000));
	set(r, "t1", json_real(round(h->t1 * 1000) / 1000));
	set(r, "score", kc_json_num(h->heur));
	set(r, "heuristic", kc_json_num(h->heur));
	set(r, "model", json_null());
	set(r, "model_weight", json_real(0));
	set(r, "rank", json_integer(h->rank));
	set(r, "features", f);
	kc_out_new(r);
}

static int
by_time(const void *a, const void *b)
{
	const struct hl *x = a, *y = b;

	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	return x->kind - y->kind;
}

long
stream_select(struct stream *s, const struct params *p, char *err,
    size_t errlen)
{
	struct hl h[64];
	double *hs = NULL, *win = NULL, origin, hop, tmax, lo, hi, t0;
	unsigned char *mark = NULL;
	size_t nh, w, nw, j, sep, picked[32], np, nhl = 0, i, ncol;
	long ret = -1;
	int k;

	memset(h, 0, sizeof(h));
	origin = INFINITY;
	tmax = -INFINITY;
	hop = s->hop;
	for (k = 0; k < 2; k++) {
		if (s->k[k].rows == 0)
			continue;
		if (s->k[k].tmin < origin)
			origin = s->k[k].tmin;
		if (s->k[k].tmax > tmax)
			tmax = s->k[k].tmax;
		if (!(hop > 0))
			hop = s->k[k].dur;
	}
	if (!isfinite(origin))
		return 0;	/* no features: nothing to pick */
	if (s->rec && s->start <= origin)
		origin = s->start;
	nh = (size_t)lround((tmax - origin) / hop) + 1;
	lo = p->start >= 0 ? p->start : origin;
	hi = p->end >= 0 ? p->end : s->end >= 0 ? s->end : origin + nh * hop;
	if (hi > origin + nh * hop)
		hi = origin + nh * hop;
	w = (size_t)lround(p->clip_dur / hop);
	if (w < 1)
		w = 1;
	if ((double)w * hop > hi - lo)	/* range shorter than a clip */
		w = (size_t)floor((hi - lo) / hop + 1e-9);
	if (w < 1) {
		snprintf(err, errlen, "the analysed range (%.1f s) holds no "
		    "whole hop", hi - lo);
		return -1;
	}
	sep = (size_t)ceil((p->clip_dur + p->min_gap) / hop - 1e-9);
	ncol = s->k[0].nf + s->k[1].nf;
	hs = malloc(nh * sizeof(double));
	win = malloc(nh * sizeof(double));
	mark = malloc(nh);
	if (hs == NULL || win == NULL || mark == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (k = 0; k < 2; k++) {
		if (p->max_n[k] == 0 || s->k[k].rows == 0)
			continue;
		for (j = 0; j < nh; j++)
			hs[j] = 0;
		if (hop_scores(&s->k[k], k == KIND_AUDIO ? &p->w->audio :
		    &p->w->video, p->w, origin, hop, hs, nh, err, errlen) != 0)
			goto out;
		nw = kc_window_means(hs, nh, w, win);
		for (j = 0; j < nw; j++) {
			t0 = origin + (double)j * hop;
			if (t0 < lo - 1e-6 || t0 + (double)w * hop > hi +
			    hop / 2)
				win[j] = NAN;
		}
		np = kc_pick(win, nw, sep, (size_t)p->max_n[k], picked, mark);
		for (i = 0; i < np; i++, nhl++) {
			h[nhl].kind = k;
			h[nhl].rank = (long)i + 1;
			h[nhl].t0 = origin + (double)picked[i] * hop;
			h[nhl].t1 = h[nhl].t0 + (double)w * hop;
			if (h[nhl].t1 > hi)
				h[nhl].t1 = hi;
			h[nhl].heur = kc_squash(win[picked[i]]);
			h[nhl].sum = calloc(ncol ? ncol : 1, sizeof(double));
			h[nhl].max = calloc(ncol ? ncol : 1, sizeof(double));
			h[nhl].cnt = calloc(ncol ? ncol : 1, sizeof(long));
			if (!h[nhl].sum || !h[nhl].max || !h[nhl].cnt) {
				nhl++;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			for (j = 0; j < ncol; j++)
				h[nhl].max[j] = NAN;
		}
	}
	if (window_features(s, h, nhl, hop) != 0) {
		snprintf(err, errlen, "temporary file: %s", strerror(errno));
		goto out;
	}
	qsort(h, nhl, sizeof(h[0]), by_time);
	for (i = 0; i < nhl; i++)
		emit(s, p, &h[i]);
	ret = (long)nhl;
out:
	for (i = 0; i < nhl; i++) {
		free(h[i].sum);
		free(h[i].max);
		free(h[i].cnt);
	}
	free(hs);
	free(win);
	free(mark);
	return ret;
}
