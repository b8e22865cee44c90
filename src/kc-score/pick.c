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

#include "chat.h"
#include "msg.h"
#include "out.h"
#include "rec.h"
#include "score.h"
#include "select.h"

struct hl {
	int kind;
	long rank;
	double t0, t1, heur, model, score;	/* model: NAN without one */
	double peak;		/* middle of its best hop, NAN: none */
	double *sum, *max;	/* per column of each kind: [audio | video |
				   chat] */
	long *cnt;
	double *zsum;		/* per column: sum of the hops' z */
	long *zcnt;
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

/* Where kind k's columns start in a highlight's per-column sums. */
static size_t
col_off(const struct stream *s, int k)
{
	size_t off = 0;
	int i;

	for (i = 0; i < k; i++)
		off += s->k[i].nf;
	return off;
}

/*
 * The chat's hop score (docs/records.md, "cfeat"): how far messages,
 * chatters and the reactions in them stand out, as the heuristic scores
 * a kind from its weights file, with these weights.  Chosen on
 * bench/quality's tuning streams with a simulated chat (--chat): the
 * reactions (laughter, hype, "clip", emotes) weigh twice as much as the
 * rate and the chatters, so chatter about something else is not a
 * reaction.  The chat's own highlights (--type chat) on those streams:
 * busy 61 of 74 events (64 at most: events closer than the gap rule
 * cannot both get a clip), calm 70 of 71; with rate and chatters
 * weighing as much as the reactions 61 and 68 (a 20 s burst of chatter
 * about something else outscored a reaction), at a quarter 60 and 70.
 */
const struct kc_weightset chat_ws = {
	.f = {
		{ "msg_rate", 0.5, 0.1 },
		{ "chatter_rate", 0.5, 0.1 },
		{ "laugh_share", 1.0, 0.05 },
		{ "hype_share", 1.0, 0.05 },
		{ "clip_share", 1.0, 0.02 },
		{ "emote_share", 1.0, 0.05 },
		{ "caps_ratio", 0.5, 0.05 },
	},
	.n = 7,
	.wsum = 5.5,
	.norm = KC_NORM_ROBUST,
	.zlo = -3,
	.zhi = 10,
};

/* The name of kind k in records. */
static const char *
kind_name(int k)
{
	return k == KIND_AUDIO ? "audio" : k == KIND_VIDEO ? "video" : "chat";
}

/* The weights kind k is scored with. */
static const struct kc_weightset *
kind_ws(const struct params *p, int k)
{
	return k == KIND_AUDIO ? &p->w->audio : k == KIND_VIDEO ? &p->w->video :
	    &chat_ws;
}

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* Index of the first element of s[0..n) not less than / greater than v. */
static size_t
bound(const float *s, size_t n, float v, int upper)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (upper ? s[mid] <= v : s[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The normalised value of x within its stream.  "robust": (x - median) /
 * max(1.4826 MAD, floor).  "rank": the percentile of x among the stream's
 * values (ties share their mid rank) mapped to a normal-like score, so
 * units and outliers do not matter but neither does magnitude.
 */
static double
normalise(const struct kc_weightset *ws, const float *sorted, size_t n,
    double med, double scale, float x)
{
	double p;

	if (ws->norm == KC_NORM_RANK) {
		p = (double)(bound(sorted, n, x, 0) + bound(sorted, n, x, 1)) /
		    (2.0 * (double)n);
		return log(p / (1 - p)) / 1.702;
	}
	return (x - med) / scale;
}

/*
 * The finite values of column fi in rows that pass (all rows when pass is
 * NULL) into out; returns how many, or -1 on a read error.
 */
static long
column_values(struct kindstore *ks, long fi, const unsigned char *pass,
    float *out)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	double t;
	float *v;
	long r, n = 0;
	int rc = 1;

	rewind(ks->fp);
	for (r = 0; r < ks->rows && (rc = next_row(ks, buf, &t, &v)) == 1; r++)
		if ((pass == NULL || pass[r / 8] & (1 << (r % 8))) &&
		    isfinite(v[fi]))
			out[n++] = v[fi];
	return r == ks->rows ? n : -1;
}

/*
 * Marks (bit r of pass) the rows that pass the kind's gate, all rows when
 * there is none: quiet hops would otherwise make "normal" mean "silent",
 * and every word spoken would look like a highlight.  tmp: rows floats.
 */
static int
gate_rows(struct kindstore *ks, const struct kc_weightset *ws, float *tmp,
    unsigned char *pass)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	size_t bytes = ((size_t)ks->rows + 7) / 8;
	double p90, thr, t;
	float *v;
	long fi, n, r, npass = 0;

	memset(pass, 0xff, bytes);
	if (!*ws->gate || (fi = col_of(ks, ws->gate)) < 0)
		return 0;
	if ((n = column_values(ks, fi, NULL, tmp)) < 0)
		return -1;
	if (n == 0)
		return 0;
	qsort(tmp, (size_t)n, sizeof(float), cmp_float);
	p90 = tmp[(size_t)floor(0.9 * (double)(n - 1))];
	thr = fmax(ws->gate_abs, p90 + ws->gate_rel);
	memset(pass, 0, bytes);
	rewind(ks->fp);
	for (r = 0; r < ks->rows && next_row(ks, buf, &t, &v) == 1; r++)
		if (isfinite(v[fi]) && v[fi] >= thr) {
			pass[r / 8] |= (unsigned char)(1 << (r % 8));
			npass++;
		}
	if (r != ks->rows)
		return -1;
	if (npass < 10)		/* too little passes: gate nothing */
		memset(pass, 0xff, bytes);
	return 0;
}

/*
 * Centre and spread of every column of a kind over the rows that pass
 * its gate: median and 1.4826 MAD, the spread at least the weights
 * file's floor (or, for a feature the heuristic does not weigh, 0.1 % of
 * the median's size), then blended with the channel's earlier streams
 * (see chan_blend).  scratch: rows floats.
 */
static int
column_stats(struct kindstore *ks, const struct kc_weightset *ws,
    const struct chanstats *ch, int kind, const unsigned char *pass,
    float *scratch, struct colstat *cs)
{
	const struct kc_weight *wt;
	double floor;
	long n;
	size_t i;

	for (i = 0; i < ks->nf; i++) {
		cs[i].ok = 0;
		if ((n = column_values(ks, (long)i, pass, scratch)) < 0)
			return -1;
		if (n == 0)
			continue;
		kc_robust(scratch, (size_t)n, &cs[i].med, &cs[i].scale);
		cs[i].own_med = cs[i].med;
		cs[i].own_scale = cs[i].scale;
		cs[i].n = n;
		wt = kc_weight_of(ws, ks->names[i]);
		floor = wt ? wt->floor : fmax(1e-3 * fabs(cs[i].med), 1e-4);
		chan_blend(ch, kind, ks->names[i], n, &cs[i].med, &cs[i].scale);
		if (!(cs[i].scale >= floor))
			cs[i].scale = floor;
		cs[i].ok = 1;
	}
	return 0;
}

/*
 * Which hops of a kind have a row, into seen[0..nh), and how many of
 * [j, j + w) do, for every window j, into have[0..nh-w] (a window mostly
 * in a gap, where the picture or the sound ended or was lost, has nothing
 * to show).  0, or -1 on a read error.
 */
static int
hops_present(struct kindstore *ks, double origin, double hop, size_t nh,
    size_t w, unsigned char *seen, long *have)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	float *v;
	double t;
	long r, idx, run = 0;
	size_t j;

	memset(seen, 0, nh);
	rewind(ks->fp);
	for (r = 0; r < ks->rows && next_row(ks, buf, &t, &v) == 1; r++)
		if ((idx = lround((t - origin) / hop)) >= 0 && (size_t)idx < nh)
			seen[idx] = 1;
	if (r != ks->rows)
		return -1;
	for (j = 0; j < nh; j++) {
		run += seen[j];
		if (j >= w)
			run -= seen[j - w];
		if (j + 1 >= w)
			have[j + 1 - w] = run;
	}
	return 0;
}

/*
 * Hop scores of one kind into hs[0..nh) (0 where a hop is missing): the
 * weighted mean of the soft-clipped normalised features.  One feature at
 * a time and one or two reads of the rows per feature, so the only
 * per-row memory is one float and one bit.  cs: column_stats (robust
 * norm); pass: gate_rows; sorted: rows floats of scratch.
 */
static int
hop_scores(struct kindstore *ks, const struct kc_weightset *ws,
    const struct colstat *cs, const unsigned char *pass, float *sorted,
    double origin, double hop, float *hs, size_t nh, char *err,
    size_t errlen)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	float *v;
	double med = 0, scale = 1, wsum = 0, x, t, acc;
	long fi, n = 0, r, idx;
	size_t i, k;
	int in;

	for (i = 0; i < ws->n; i++) {
		if ((fi = col_of(ks, ws->f[i].name)) < 0 || ws->f[i].w == 0)
			continue;
		if (ws->norm == KC_NORM_RANK) {
			if ((n = column_values(ks, fi, pass, sorted)) < 0)
				goto ioerr;
			if (n == 0)
				continue;
			qsort(sorted, (size_t)n, sizeof(float), cmp_float);
		} else {
			if (!cs[fi].ok)
				continue;
			med = cs[fi].med;
			scale = cs[fi].scale;
		}
		rewind(ks->fp);
		for (r = 0; r < ks->rows && next_row(ks, buf, &t, &v) == 1;
		    r++) {
			idx = lround((t - origin) / hop);
			if (idx < 0 || (size_t)idx >= nh || !isfinite(v[fi]))
				continue;
			in = pass[r / 8] & (1 << (r % 8));
			/* a gated-out (silent) hop is as dull as can be, in
			 * every feature: whatever its spectrum says is noise */
			x = in ? kc_softclip(normalise(ws, sorted, (size_t)n,
			    med, scale, v[fi]), ws->zlo, ws->zhi) : ws->zlo;
			acc = fabs(ws->f[i].w) * (ws->f[i].w < 0 && in ? -x : x);
			hs[idx] += (float)acc;
		}
		if (r != ks->rows)
			goto ioerr;
		wsum += fabs(ws->f[i].w);
	}
	if (wsum > 0)
		for (k = 0; k < nh; k++)
			hs[k] = (float)(hs[k] / wsum);
	return 0;
ioerr:
	snprintf(err, errlen, "temporary file: %s", strerror(errno ? errno :
	    EIO));
	return -1;
}

/*
 * A hop's z of a column whose value is x: the value against cs,
 * soft-clipped like the heuristic's, and the low bound for a hop the
 * gate left out (in = 0).  These, averaged over a window, are the
 * "NAME_z" features the model learns from.
 */
static float
zval(const struct colstat *cs, const struct kc_weightset *ws, float x,
    int in)
{
	return (float)(in ? kc_softclip((x - cs->med) / cs->scale, ws->zlo,
	    ws->zhi) : ws->zlo);
}

/*
 * Each hop's z of columns cols[0..ncols) of a kind, in one pass over its
 * rows: column c's into hz[c * nh .. c * nh + nh) (NAN where a hop is
 * missing).  cs: the kind's column statistics.
 */
static int
hop_zs(struct kindstore *ks, const struct kc_weightset *ws, const long *cols,
    size_t ncols, const struct colstat *cs, const unsigned char *pass,
    double origin, double hop, float *hz, size_t nh)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	double t;
	float *v;
	long r, idx, fi;
	size_t k, c;

	for (k = 0; k < ncols * nh; k++)
		hz[k] = NAN;
	rewind(ks->fp);
	for (r = 0; r < ks->rows && next_row(ks, buf, &t, &v) == 1; r++) {
		idx = lround((t - origin) / hop);
		if (idx < 0 || (size_t)idx >= nh)
			continue;
		for (c = 0; c < ncols; c++) {
			fi = cols[c];
			if (cs[fi].ok && isfinite(v[fi]))
				hz[c * nh + (size_t)idx] = zval(&cs[fi], ws,
				    v[fi], pass[r / 8] & (1 << (r % 8)));
		}
	}
	return r == ks->rows ? 0 : -1;
}

/*
 * Plain means of the finite values of hz over every window of w hops
 * into out[0..nh-w] at stride `stride` (a matrix column); NAN for a
 * window without any.  acc: nh + 1 doubles and longs of scratch.
 */
static void
z_windows(const float *hz, size_t nh, size_t w, float *out, size_t stride,
    double *acc, long *cnt)
{
	size_t j;

	acc[0] = 0;
	cnt[0] = 0;
	for (j = 0; j < nh; j++) {
		acc[j + 1] = acc[j] + (isfinite(hz[j]) ? hz[j] : 0);
		cnt[j + 1] = cnt[j] + (isfinite(hz[j]) != 0);
	}
	for (j = 0; j + w <= nh; j++)
		out[j * stride] = cnt[j + w] > cnt[j] ? (float)((acc[j + w] -
		    acc[j]) / (double)(cnt[j + w] - cnt[j])) : NAN;
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

	for (k = 0; k < NKIND; k++) {
		ks = &s->k[k];
		if (ks->fp == NULL)
			continue;
		off = col_off(s, k);
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

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static void
emit(struct stream *s, const struct params *p, const struct hl *h)
{
	const struct kc_weightset *ws = kind_ws(p, h->kind);
	char key[64];
	json_t *r, *f;
	size_t i, off;
	int k;

	r = kc_rec_new("highlight");
	f = json_object();
	if (r == NULL || f == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (k = 0; k < NKIND; k++) {
		off = col_off(s, k);
		for (i = 0; i < s->k[k].nf; i++) {
			if (h->cnt[off + i] == 0)
				continue;
			set(f, s->k[k].names[i], kc_json_num(h->sum[off + i] /
			    (double)h->cnt[off + i]));
			if (k == h->kind && kc_weight_of(ws, s->k[k].names[i])) {
				snprintf(key, sizeof(key), "%s_max",
				    s->k[k].names[i]);
				set(f, key, kc_json_num(h->max[off + i]));
			}
			if (h->zcnt[off + i] == 0)
				continue;
			snprintf(key, sizeof(key), "%s_z", s->k[k].names[i]);
			set(f, key, kc_json_num(h->zsum[off + i] /
			    (double)h->zcnt[off + i]));
		}
	}
	set(r, "kind", json_string(kind_name(h->kind)));
	set(r, "t0", json_real(round(h->t0 * 1000) / 1000));
	set(r, "t1", json_real(round(h->t1 * 1000) / 1000));
	if (isfinite(h->peak))
		set(r, "peak", json_real(round(h->peak * 1000) / 1000));
	set(r, "score", kc_json_num(h->score));
	set(r, "heuristic", kc_json_num(h->heur));
	set(r, "model", isnan(h->model) ? json_null() : kc_json_num(h->model));
	set(r, "model_weight", kc_json_num(isnan(h->model) ? 0 :
	    p->model_weight));
	set(r, "rank", json_integer(h->rank));
	set(r, "features", f);
	kc_out_new(r);
}

/* The hop scores of a kind, for timelines and for tuning the weights. */
static void
emit_curve(int kind, double origin, double hop, const float *hs, size_t nh)
{
	json_t *r, *v;
	size_t i;

	r = kc_rec_new("curve");
	v = json_array();
	if (r == NULL || v == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < nh; i++)
		if (json_array_append_new(v, json_real(round(hs[i] * 1000) /
		    1000)) != 0)
			kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "kind", json_string(kind_name(kind)));
	set(r, "t0", json_real(origin));
	set(r, "hop", json_real(hop));
	set(r, "values", v);
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

/*
 * Centre and spread (median, 1.4826 MAD, at least 0.05) of a kind's
 * window scores, so the 0-1 score says how far a window stands out from
 * this stream's ordinary windows: the same event scores alike in a silent
 * stream and in a chatty one.  scratch: n floats, overwritten.
 */
static void
window_scale(const float *win, size_t n, float *scratch, double *med,
    double *scale)
{
	size_t i, k = 0;

	*med = 0;
	*scale = 1;
	for (i = 0; i < n; i++)
		if (isfinite(win[i]))
			scratch[k++] = win[i];
	if (k > 0 && kc_robust(scratch, k, med, scale) > 0 &&
	    !(*scale >= 0.05))
		*scale = 0.05;
}

/* Index of model feature name, or -1. */
static long
model_col(const kc_model *m, const char *name)
{
	size_t j;

	for (j = 0; j < kc_model_nfeatures(m); j++)
		if (strcmp(kc_model_feature(m, j), name) == 0)
			return (long)j;
	return -1;
}

/* The kind and column of a "NAME_z" feature; 0, or -1 when unknown. */
static int
z_column(const struct stream *s, const char *name, int *kind, long *col)
{
	size_t len = strlen(name), i;
	int k;

	if (len <= 2 || strcmp(name + len - 2, "_z") != 0)
		return -1;
	for (k = 0; k < NKIND; k++)
		for (i = 0; i < s->k[k].nf; i++)
			if (strlen(s->k[k].names[i]) == len - 2 &&
			    strncmp(s->k[k].names[i], name, len - 2) == 0) {
				*kind = k;
				*col = (long)i;
				return 0;
			}
	return -1;
}

/*
 * Whether the model can score this stream: every feature it was trained
 * on is "kind", "heuristic" or NAME_z of a feature this stream has (a
 * kind the stream lacks altogether leaves its features missing, which
 * the learners handle, and so does the chat, which a stream may have or
 * not).  NULL, or the first feature it cannot have.
 */
static int
chat_feature(const char *zname)
{
	const char *const *c;
	size_t len = strlen(zname);

	for (c = kc_chat_names(); *c; c++)
		if (strlen(*c) == len - 2 && strncmp(*c, zname, len - 2) == 0)
			return 1;
	return 0;
}

static const char *
model_misfit(const struct stream *s, const kc_model *m)
{
	const char *name;
	size_t j;
	long col;
	int kind;

	for (j = 0; j < kc_model_nfeatures(m); j++) {
		name = kc_model_feature(m, j);
		if (strcmp(name, "kind") == 0 || strcmp(name, "heuristic") == 0)
			continue;
		if (z_column(s, name, &kind, &col) == 0 || chat_feature(name))
			continue;
		if (s->k[0].rows > 0 && s->k[1].rows > 0)
			return name;
	}
	return NULL;
}

/*
 * The model's input for every window start j in [0, nh - w]: row j of x,
 * in the model's feature order.  "kind" and "heuristic" are the caller's
 * to fill; a "NAME_z" column is the window mean of NAME's hop z.
 */
static int
model_matrix(struct stream *s, const struct params *p,
    struct colstat *const cs[2], unsigned char *const pass[2],
    double origin, double hop, size_t nh, size_t w, float *x, float *hz,
    double *acc, long *cnt)
{
	size_t nf = kc_model_nfeatures(p->model), nw = nh - w + 1, j, r, n;
	long col, cols[KC_REC_FEATURES];
	size_t at[KC_REC_FEATURES];
	int kind, k;

	for (j = 0; j < nf; j++)
		if (z_column(s, kc_model_feature(p->model, j), &kind, &col) !=
		    0 || cs[kind] == NULL)
			for (r = 0; r < nw; r++)
				x[r * nf + j] = NAN;
	/* one pass over each kind's rows for all its columns the model
	 * reads (hz holds nh floats per column) */
	for (k = 0; k < NKIND; k++) {
		for (n = 0, j = 0; j < nf && n < KC_REC_FEATURES; j++)
			if (z_column(s, kc_model_feature(p->model, j), &kind,
			    &col) == 0 && kind == k && cs[k] != NULL) {
				cols[n] = col;
				at[n++] = j;
			}
		if (n == 0)
			continue;
		if (hop_zs(&s->k[k], kind_ws(p, k), cols, n, cs[k], pass[k],
		    origin, hop, hz, nh) != 0)
			return -1;
		for (j = 0; j < n; j++)
			z_windows(hz + j * nh, nh, w, x + at[j], nf, acc, cnt);
	}
	return 0;
}

/*
 * The picked windows' mean hop z of every column, for their records: one
 * pass over each kind's rows, a row's z computed for the windows that
 * hold its hop.
 */
static int
picked_z(struct stream *s, const struct params *p,
    struct colstat *const cs[2], unsigned char *const pass[2],
    double origin, double hop, struct hl *h, size_t nhl)
{
	unsigned char buf[sizeof(double) + sizeof(float) + MAXF *
	    sizeof(float)] __attribute__((aligned(8)));
	const struct kc_weightset *ws;
	struct kindstore *ks;
	size_t i, off, j;
	long r, idx;
	double t;
	float *v;
	int k;

	for (k = 0; k < NKIND; k++) {
		if (cs[k] == NULL)
			continue;
		ks = &s->k[k];
		ws = kind_ws(p, k);
		off = col_off(s, k);
		rewind(ks->fp);
		for (r = 0; r < ks->rows && next_row(ks, buf, &t, &v) == 1;
		    r++) {
			idx = lround((t - origin) / hop);
			for (j = 0; j < nhl; j++) {
				if (idx < lround((h[j].t0 - origin) / hop) ||
				    idx >= lround((h[j].t1 - origin) / hop))
					continue;
				for (i = 0; i < ks->nf; i++)
					if (cs[k][i].ok && isfinite(v[i])) {
						h[j].zsum[off + i] += zval(
						    &cs[k][i], ws, v[i],
						    pass[k][r / 8] &
						    (1 << (r % 8)));
						h[j].zcnt[off + i]++;
					}
			}
		}
		if (r != ks->rows)
			return -1;
	}
	return 0;
}

/*
 * Empty hops allowed beyond as many as have features: a day of 1 s hops.
 * A real stream may have a long hole (an outage of its source, a CDN
 * that lost an hour); a few MB of per-hop arrays are cheap, gigabytes
 * for a record that claims a far time are not.
 */
#define SPAN_SLACK_HOPS 86400

/*
 * The per-hop arrays cover every hop from origin to tmax, so a record
 * far from the others (t = 999999 after a minute of hops) would make
 * them as large as the time it claims.  Memory must follow the records
 * read: the hops left empty may outnumber those with features by
 * SPAN_SLACK_HOPS at most.  0, or -1 with a reason naming the record
 * at the end of the span farther from the records' mean time: the last
 * feature record or the first, or the stream record when its "start"
 * alone is too far before the first.
 */
static int
span_check(const struct stream *s, double origin, double tmax, double hop,
    long rows, char *err, size_t errlen)
{
	const struct kindstore *a = &s->k[KIND_AUDIO], *v = &s->k[KIND_VIDEO];
	const struct kindstore *hi, *lo;
	double allowed = 2 * (double)rows + SPAN_SLACK_HOPS;
	double span = floor((tmax - origin) / hop + 0.5) + 1, mean;
	char what[200];
	const char *other = "other ";

	if (span <= allowed)
		return 0;
	hi = a->rows == 0 || (v->rows > 0 && v->tmax > a->tmax) ? v : a;
	lo = a->rows == 0 || (v->rows > 0 && v->tmin < a->tmin) ? v : a;
	mean = (a->tsum + v->tsum) / (double)(a->rows + v->rows);
	if (tmax - mean >= mean - origin)
		snprintf(what, sizeof(what), "%s: %s: \"t\" %.10g",
		    hi->tmax_at, hi == a ? "afeat" : "vfeat", hi->tmax);
	else if ((lo->tmin - origin) / hop > allowed) {
		snprintf(what, sizeof(what), "%s: stream: \"start\" %.10g%s",
		    s->rec_at, origin, json_object_get(s->rec, "start") ? "" :
		    " (none given)");
		other = "";
	} else
		snprintf(what, sizeof(what), "%s: %s: \"t\" %.10g",
		    lo->tmin_at, lo == a ? "afeat" : "vfeat", lo->tmin);
	snprintf(err, errlen, "%s is far from the %sfeature records: they "
	    "span %.10g to %.10g s (%.0f hops of %g s) and hold %ld hops; more "
	    "empty hops than hops with features (beyond %d) are refused",
	    what, other, origin, tmax, span, hop, rows, SPAN_SLACK_HOPS);
	return -1;
}

/*
 * Where a picked window [a, a + w) should start so its event's onset is
 * pre hops into it (the onset: kc_onset in the hop scores hsc, med their
 * median).  win: the windows' scores (NAN where a window may not start);
 * a move lands only on a window that may start, else the window stays.
 */
static size_t
place_onset(const float *hsc, size_t nh, double med, const float *win,
    size_t nw, size_t a, size_t w, size_t pre)
{
	size_t q, start;

	if (!kc_onset(hsc, nh, med, a, w, &q))
		return a;	/* nothing stands out: leave it */
	start = q >= pre ? q - pre : 0;
	if (start >= nw || !isfinite(win[start]))
		return a;
	return start;
}

/*
 * Ranks picks in score order (a window whose landing place was ruled out
 * by an earlier pick stays where it is, with its own score); returns n.
 */
static size_t
rank_picks(const float *win, size_t *start, size_t n)
{
	size_t i, j, st;

	for (i = 1; i < n; i++) {
		st = start[i];
		for (j = i; j > 0 && win[start[j - 1]] < win[st]; j--)
			start[j] = start[j - 1];
		start[j] = st;
	}
	return n;
}

/* whether window i starts at least sep hops from every pick so far */
static int
clear_of(size_t i, const size_t *start, size_t got, size_t sep)
{
	size_t j;

	for (j = 0; j < got; j++)
		if ((i > start[j] ? i - start[j] : start[j] - i) < sep)
			return 0;
	return 1;
}

/*
 * When the windows left are all ruled out (near where a pick landed or
 * came from) yet fewer than k are picked, the rest are picked as without
 * onset placement: the best window starting at least sep hops from every
 * pick, placed on its onset when that place keeps the gap too.  Two
 * events closer than a clip and the gap cannot both have a clip starting
 * on them, but the one asked for is not left out.
 */
static size_t
fill_rest(const float *win, size_t nw, size_t sep, size_t k, size_t *start,
    size_t got, const size_t *land)
{
	size_t i, st, bst = 0;
	double bsc;
	int found;

	while (got < k) {
		found = 0;
		bsc = -INFINITY;
		for (i = 0; i < nw; i++) {
			if (!isfinite(win[i]) || !clear_of(i, start, got, sep))
				continue;
			st = clear_of(land[i], start, got, sep) ? land[i] : i;
			if (!found || win[st] > bsc) {
				bst = st;
				bsc = win[st];
				found = 1;
			}
		}
		if (!found)
			break;
		start[got++] = bst;
	}
	return rank_picks(win, start, got);
}

/* the score of window i where it would land now */
#define LANDED(i) (mark[land[i]] ? win[i] : win[land[i]])

/*
 * kc_pick with onset placement: every window is judged where
 * place_onset would move it (a window over the middle of an event counts
 * with the score of the window that starts at the event's pre-roll, the
 * clip the user gets), the best is picked and lands there, and every
 * window starting less than sep hops from where it landed is ruled out
 * (the gap rule holds for the windows as placed), as are those up to sep
 * hops after where it came from, when that is later, whose onset lies in
 * that gap (so a long event is not picked again by its tail; one whose
 * onset is past the gap is another event: ruling out all of them lost a
 * chat reaction whose window the tail of the one before had come from,
 * busy tuning seed 305).  Windows before the landing's gap cannot
 * hold the picked event's onset, so they stay: ruling out those before
 * where it came from too lost an event 4 s before the gap (busy tuning
 * seed 302).  start: where each landed (the highlight's window); land: nw
 * scratch.
 */
static size_t
pick_placed(const float *win, size_t nw, size_t sep, size_t k,
    const float *hsc, size_t nh, double med, size_t w, size_t pre,
    size_t *start, size_t *land, unsigned char *mark)
{
	size_t i, best, got = 0, lo, hi, st;
	int found;

	for (i = 0; i < nw; i++) {
		mark[i] = !isfinite(win[i]);
		land[i] = mark[i] ? i : place_onset(hsc, nh, med, win, nw, i,
		    w, pre);
	}
	while (got < k) {
		found = 0;
		best = 0;
		for (i = 0; i < nw; i++)
			if (!mark[i] && (!found || LANDED(i) > LANDED(best))) {
				best = i;
				found = 1;
			}
		if (!found)
			return fill_rest(win, nw, sep, k, start, got, land);
		st = mark[land[best]] ? best : land[best];
		start[got++] = st;
		lo = st >= sep - (sep > 0) ? st - (sep - (sep > 0)) : 0;
		hi = st + sep;
		for (i = lo; i < nw && i < hi; i++)
			mark[i] = 1;
		/* past the gap, up to sep after where it came from: those
		 * whose onset lies in the gap (the picked event's tail) */
		for (; i < nw && i < best + sep; i++)
			if (land[i] < hi)
				mark[i] = 1;
	}
	return rank_picks(win, start, got);
}
#undef LANDED

/*
 * The stream time of the window's highest hop score (the middle of that
 * hop; the first of equals): what its clip's poster shows.  The window
 * is hops [a, a + w) ending by t1; NAN when none of them has a score.
 */
static double
peak_of(const float *hsc, size_t nh, size_t a, size_t w, double origin,
    double hop, double t1)
{
	size_t j, best = 0;
	int found = 0;

	for (j = a; j < a + w && j < nh && origin + (double)j * hop < t1; j++)
		if (isfinite(hsc[j]) && (!found || hsc[j] > hsc[best])) {
			best = j;
			found = 1;
		}
	if (!found)
		return NAN;
	return fmin(origin + ((double)best + 0.5) * hop, t1);
}

static int model_off;		/* the model failed: heuristic from now on */

/* The chat's extra lag searched, seconds after kc-chatfeat's --lag. */
#define CHAT_LAG_LO -5.0
#define CHAT_LAG_HI 15.0

/* Pearson correlation of c[h + lag] with e[h] where both are finite. */
static double
lag_corr(const float *c, const float *e, size_t nh, long lag)
{
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0, vx, vy;
	long h, lo = lag < 0 ? -lag : 0, hi = (long)nh - (lag > 0 ? lag : 0);

	for (h = lo; h < hi; h++) {
		double x = c[h + lag], y = e[h];

		if (!isfinite(x) || !isfinite(y))
			continue;
		sx += x;
		sy += y;
		sxx += x * x;
		syy += y * y;
		sxy += x * y;
		n++;
	}
	if (n < 2)
		return NAN;
	vx = sxx - sx * sx / n;
	vy = syy - sy * sy / n;
	return vx > 0 && vy > 0 ? (sxy - sx * sy / n) / sqrt(vx * vy) : NAN;
}

/*
 * How many hops later than kc-chatfeat's --lag the chat reacts in this
 * stream: the shift of the chat's hop scores c that correlates best with
 * the stream's excitement e (each hop's higher audio or video score),
 * within CHAT_LAG_LO..CHAT_LAG_HI seconds.  0 unless that correlation
 * is at least 0.1 and beats no shift by 0.02, over 300 hops at least.
 */
static long
chat_lag(const float *c, const float *e, size_t nh, double hop, double *rho)
{
	long l, best = 0, lo = lround(CHAT_LAG_LO / hop),
	    hi = lround(CHAT_LAG_HI / hop);
	double r, r0 = lag_corr(c, e, nh, 0), rb = r0;

	*rho = r0;
	if (nh < 300)
		return 0;
	for (l = lo; l <= hi; l++)
		if (isfinite(r = lag_corr(c, e, nh, l)) && (!isfinite(rb) ||
		    r > rb)) {
			rb = r;
			best = l;
		}
	if (!(rb >= 0.1) || (isfinite(r0) && rb - r0 < 0.02))
		return 0;
	*rho = rb;
	return best;
}

long
stream_select(struct stream *s, const struct params *p, char *err,
    size_t errlen)
{
	struct hl h[64];
	struct colstat *cs[NKIND] = { NULL, NULL, NULL };
	unsigned char *pass[NKIND] = { NULL, NULL, NULL };
	float *hs = NULL, *win = NULL, *sorted = NULL, *hz = NULL, *x = NULL;
	float *zs = NULL, *cwin = NULL, *chs = NULL, *khs[2] = { NULL, NULL };
	float *ms = NULL, *hsc = NULL;
	double *acc = NULL, hmed = 0;
	long *cnt = NULL, *have = NULL, kcol = -1, hcol = -1, maxrows = 0;
	unsigned char *seen = NULL;	/* a kind's hops that have a row */
	double origin, hop, tmax, lo, hi, t0, mw = 0;
	double wmed, wscale, z;
	unsigned char *mark = NULL;
	size_t *land = NULL;
	size_t nh, w, nw, j, sep, picked[32], np, nhl = 0, i, ncol, nf = 0;
	const struct kc_weightset *ws;
	const char *misfit;
	char merr[512];
	kc_model *model = model_off ? NULL : p->model;
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
	for (k = 0; k < NKIND; k++)
		if (s->k[k].rows > maxrows)
			maxrows = s->k[k].rows;
	if (!isfinite(origin))
		return 0;	/* no features: nothing to pick */
	if (!(hop >= KC_REC_HOP_MIN))
		hop = KC_REC_HOP_MIN;	/* a guess from a short hop's dur */
	if (s->rec && s->start <= origin)
		origin = s->start;
	if (span_check(s, origin, tmax, hop, maxrows, err, errlen) != 0)
		return -1;
	nh = (size_t)lround((tmax - origin) / hop) + 1;
	lo = p->start >= 0 ? p->start : origin;
	hi = p->end >= 0 ? p->end : s->end >= 0 ? s->end : origin + nh * hop;
	if (hi > origin + nh * hop)
		hi = origin + nh * hop;
	w = (size_t)lround(p->clip_dur / hop);
	if (w < 1)
		w = 1;
	if (hi - lo < hop - 1e-9) {
		if (p->start >= 0)
			snprintf(err, errlen, "the analysed range [%.1f, %.1f) "
			    "holds no whole hop (is --start past the end of the "
			    "stream?)", lo, hi);
		else
			snprintf(err, errlen, "the stream is shorter than one "
			    "hop (%.2f s of features, hops of %.2f s): nothing "
			    "to score", hi - lo, hop);
		return -1;
	}
	if ((double)w * hop > hi - lo)	/* range shorter than a clip */
		w = (size_t)floor((hi - lo) / hop + 1e-9);
	if (w < 1) {
		snprintf(err, errlen, "the analysed range (%.1f s) holds no "
		    "whole hop", hi - lo);
		return -1;
	}
	if (w > nh)	/* no window fits: nothing for a model to do */
		model = NULL;
	sep = (size_t)ceil((p->clip_dur + p->min_gap) / hop - 1e-9);
	ncol = col_off(s, NKIND);
	if (model && (misfit = model_misfit(s, model)) != NULL) {
		kc_warn("model: trained on feature \"%s\", which this stream's "
		    "records do not have (another feature set); scoring with "
		    "the heuristic alone", misfit);
		model = NULL;
		model_off = 1;
	}
	/*
	 * Per-hop arrays live only while needed.  Without a model the peak
	 * is about 22 bytes per hop, 30 with onset placement (--pre-roll);
	 * a model adds 4 bytes per hop and model feature for its input
	 * matrix (and as much again while it is built), and 20 more per
	 * hop; a chat 4 bytes per hop, 12 while its lag is estimated.
	 */
	hs = malloc(nh * sizeof(float));
	hz = malloc(nh * sizeof(float));
	sorted = malloc((size_t)maxrows * sizeof(float));
	hsc = malloc(nh * sizeof(float));
	if (!hs || !hz || !sorted || !hsc)
		goto nomem;
	for (k = 0; k < NKIND; k++) {
		if (s->k[k].rows == 0)
			continue;
		ws = kind_ws(p, k);
		pass[k] = malloc(((size_t)s->k[k].rows + 7) / 8);
		cs[k] = malloc((s->k[k].nf ? s->k[k].nf : 1) * sizeof(**cs));
		if (pass[k] == NULL || cs[k] == NULL)
			goto nomem;
		/* the chat has no channel statistics (yet) */
		if (gate_rows(&s->k[k], ws, sorted, pass[k]) != 0 ||
		    column_stats(&s->k[k], ws, k == KIND_CHAT ? NULL : s->chan,
		    k, pass[k], sorted, cs[k]) != 0)
			goto ioerr;
	}
	/*
	 * The chat's hop scores, moved back by the chat's lag (cfeat hops
	 * already are by kc-chatfeat's --lag; this is the rest, estimated or
	 * given): the chat kind's own, and as window scores (cwin) evidence
	 * added to the robust z of each audio and video window that stands
	 * out on its own by CHAT_GATE (the chat says something happened, not
	 * whether it was heard or seen, so it must not lift a window of one
	 * kind to the other kind's event): of the windows that stand out, one
	 * the audience reacted to rises and one it let pass does not.
	 */
	if (s->k[KIND_CHAT].rows > 0 && (p->chat_weight > 0 ||
	    p->max_n[KIND_CHAT] > 0) && w <= nh) {
		float *e;
		long lag = 0;
		double rho = NAN;
		int a;

		for (j = 0; j < nh; j++)
			hs[j] = 0;
		if ((chs = malloc(nh * sizeof(float))) == NULL)
			goto nomem;
		if (hop_scores(&s->k[KIND_CHAT], &chat_ws, cs[KIND_CHAT],
		    pass[KIND_CHAT], sorted, origin, hop, hs, nh, err,
		    errlen) != 0)
			goto out;
		/* the stream's excitement, for the chat's lag: each kind's
		 * hop scores, kept for its picking below */
		if (isnan(p->chat_lag)) {
			if ((e = malloc(nh * sizeof(float))) == NULL)
				goto nomem;
			for (j = 0; j < nh; j++)
				e[j] = NAN;
			for (a = 0; a < 2; a++) {
				if (s->k[a].rows == 0)
					continue;
				if ((khs[a] = calloc(nh, sizeof(float))) == NULL) {
					free(e);
					goto nomem;
				}
				if (hop_scores(&s->k[a], kind_ws(p, a), cs[a],
				    pass[a], sorted, origin, hop, khs[a], nh, err,
				    errlen) != 0) {
					free(e);
					goto out;
				}
				for (j = 0; j < nh; j++)
					if (!(e[j] >= khs[a][j]))
						e[j] = khs[a][j];
			}
			lag = chat_lag(hs, e, nh, hop, &rho);
			free(e);
			if (isfinite(rho))
				kc_warn("note: the chat reacts %+.0f s after "
				    "kc-chatfeat's lag (correlation %.2f with "
				    "the stream's excitement)", (double)lag *
				    hop, rho);
		} else
			lag = lround(p->chat_lag / hop);
		/* shift: hop j takes the chat of hop j + lag */
		for (j = 0; j < nh; j++)
			chs[j] = (long)j + lag >= 0 && (long)j + lag < (long)nh ?
			    hs[(long)j + lag] : 0;
		if (p->chat_weight > 0) {
			if ((cwin = malloc(nh * sizeof(float))) == NULL)
				goto nomem;
			kc_window_means(chs, nh, w, cwin);
		}
	}
	if (model) {
		nf = kc_model_nfeatures(model);
		nw = nh - w + 1;
		kcol = model_col(model, "kind");
		hcol = model_col(model, "heuristic");
		mw = p->model_weight;
		x = malloc(nw * nf * sizeof(float));
		ms = malloc(nw * sizeof(float));
		acc = malloc((nh + 1) * sizeof(double));
		cnt = malloc((nh + 1) * sizeof(long));
		zs = malloc(nh * (nf < KC_REC_FEATURES ? nf : KC_REC_FEATURES) *
		    sizeof(float));
		if (x == NULL || ms == NULL || acc == NULL || cnt == NULL ||
		    zs == NULL)
			goto nomem;
		if (model_matrix(s, p, cs, pass, origin, hop, nh, w, x, zs, acc,
		    cnt) != 0)
			goto ioerr;
		free(zs);
		zs = NULL;
	}
	for (k = 0; k < NKIND; k++) {
		if (p->max_n[k] == 0 || s->k[k].rows == 0 ||
		    (k == KIND_CHAT && chs == NULL))
			continue;
		ws = kind_ws(p, k);
		for (j = 0; j < nh; j++)
			hs[j] = 0;
		if (k == KIND_CHAT)
			memcpy(hs, chs, nh * sizeof(float));
		else if (khs[k] != NULL)	/* scored for the chat's lag */
			memcpy(hs, khs[k], nh * sizeof(float));
		else if (hop_scores(&s->k[k], ws, cs[k], pass[k], sorted, origin,
		    hop, hs, nh, err, errlen) != 0)
			goto out;
		if (p->curve)
			emit_curve(k, origin, hop, hs, nh);
		/* the hop scores, for the peaks and place_onset */
		memcpy(hsc, hs, nh * sizeof(float));
		if (p->pre_roll >= 0) {
			memcpy(hz, hs, nh * sizeof(float));
			kc_robust(hz, nh, &hmed, &wscale);
		}
		if ((win = malloc(nh * sizeof(float))) == NULL ||
		    (mark = malloc(nh)) == NULL || (p->pre_roll >= 0 &&
		    (land = malloc(nh * sizeof(*land))) == NULL))
			goto nomem;
		nw = kc_window_means(hs, nh, w, win);
		if (k != KIND_CHAT && have == NULL && ((have = malloc(nh *
		    sizeof(long))) == NULL || (seen = malloc(nh)) == NULL))
			goto nomem;
		if (k != KIND_CHAT && hops_present(&s->k[k], origin, hop, nh,
		    w, seen, have) != 0)
			goto ioerr;
		for (j = 0; j < nw; j++) {
			t0 = origin + (double)j * hop;
			if (t0 < lo - 1e-6 || t0 + (double)w * hop > hi +
			    hop / 2)
				win[j] = NAN;
			/* no highlight of a kind where it is mostly missing */
			if (k != KIND_CHAT && 2 * have[j] < (long)w)
				win[j] = NAN;
		}
		window_scale(win, nw, hs, &wmed, &wscale);
		/* hs now: each window's heuristic; win: its final score */
		for (j = 0; j < nw; j++) {
			z = (win[j] - wmed) / wscale;
			if (cwin && k != KIND_CHAT && z >= CHAT_GATE &&
			    cwin[j] > 0)
				z += p->chat_weight * cwin[j];
			hs[j] = isfinite(win[j]) ? (float)kc_squash(z) : NAN;
			win[j] = hs[j];
		}
		if (model) {
			for (j = 0; j < nw; j++) {
				if (kcol >= 0)
					x[j * nf + (size_t)kcol] = (float)k;
				if (hcol >= 0)
					x[j * nf + (size_t)hcol] = hs[j];
			}
			if (kc_model_predict(model, x, nw, ms, merr,
			    sizeof(merr)) != 0) {
				kc_warn("model: %s; scoring with the heuristic "
				    "alone", merr);
				model = NULL;
				model_off = 1;
			} else
				for (j = 0; j < nw; j++)
					if (isfinite(win[j]))
						win[j] = (float)((1 - mw) *
						    hs[j] + mw * ms[j]);
		}
		np = p->pre_roll < 0 ? kc_pick(win, nw, sep,
		    (size_t)p->max_n[k], picked, mark) : pick_placed(win, nw,
		    sep, (size_t)p->max_n[k], hsc, nh, hmed, w,
		    (size_t)lround(p->pre_roll / hop), picked, land, mark);
		for (i = 0; i < np && win[picked[i]] >= p->min_score; i++)
			;
		if (i < np)
			kc_warn("%s: %zu of %zu highlights left out: they score "
			    "under --min-score %g (best left out: %.3f)",
			    kind_name(k), np - i, np,
			    p->min_score, win[picked[i]]);
		np = i;
		for (i = 0; i < np; i++, nhl++) {
			h[nhl].kind = k;
			h[nhl].rank = (long)i + 1;
			h[nhl].t0 = origin + (double)picked[i] * hop;
			h[nhl].t1 = h[nhl].t0 + (double)w * hop;
			if (h[nhl].t1 > hi)
				h[nhl].t1 = hi;
			/* a window placed so it begins in a gap (its onset
			 * where the media comes back) starts where it does:
			 * what is lost cannot be cut */
			for (j = picked[i]; k != KIND_CHAT && j + 1 < picked[i] +
			    w && j < nh && !seen[j]; j++)
				h[nhl].t0 += hop;
			h[nhl].peak = peak_of(hsc, nh, picked[i], w, origin,
			    hop, h[nhl].t1);
			h[nhl].heur = hs[picked[i]];
			h[nhl].score = win[picked[i]];
			h[nhl].model = model ? ms[picked[i]] : NAN;
			h[nhl].sum = calloc(ncol ? ncol : 1, sizeof(double));
			h[nhl].max = calloc(ncol ? ncol : 1, sizeof(double));
			h[nhl].cnt = calloc(ncol ? ncol : 1, sizeof(long));
			h[nhl].zsum = calloc(ncol ? ncol : 1, sizeof(double));
			h[nhl].zcnt = calloc(ncol ? ncol : 1, sizeof(long));
			if (!h[nhl].sum || !h[nhl].max || !h[nhl].cnt ||
			    !h[nhl].zsum || !h[nhl].zcnt) {
				nhl++;
				goto nomem;
			}
			for (j = 0; j < ncol; j++)
				h[nhl].max[j] = NAN;
		}
		free(win);
		free(mark);
		free(land);
		win = NULL;
		mark = NULL;
		land = NULL;
	}
	free(x);
	x = NULL;
	if (picked_z(s, p, cs, pass, origin, hop, h, nhl) != 0)
		goto ioerr;
	if (window_features(s, h, nhl, hop) != 0)
		goto ioerr;
	if (p->stats)
		emit_featstats(s, cs);
	qsort(h, nhl, sizeof(h[0]), by_time);
	for (i = 0; i < nhl; i++)
		emit(s, p, &h[i]);
	ret = (long)nhl;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	goto out;
ioerr:
	snprintf(err, errlen, "temporary file: %s", strerror(errno ? errno :
	    EIO));
out:
	for (i = 0; i < nhl; i++) {
		free(h[i].sum);
		free(h[i].max);
		free(h[i].cnt);
		free(h[i].zsum);
		free(h[i].zcnt);
	}
	for (k = 0; k < NKIND; k++) {
		free(cs[k]);
		free(pass[k]);
	}
	free(cwin);
	free(chs);
	free(khs[0]);
	free(khs[1]);
	free(hs);
	free(hz);
	free(zs);
	free(hsc);
	free(acc);
	free(cnt);
	free(sorted);
	free(x);
	free(ms);
	free(win);
	free(have);
	free(seen);
	free(mark);
	free(land);
	return ret;
}
