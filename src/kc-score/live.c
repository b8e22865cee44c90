/*
 * live.c - kc-score on a stream that is still on air: no global top-N is
 * possible, so each window is judged as it closes.  Hop features are
 * normalised against the last RING hops of the stream (the last half
 * hour), a window's score against the windows before it, and a window is
 * decided on once it stands out by --live-threshold robust deviations
 * and no better window followed within the next few hops.  A decided
 * window is then placed as in a VOD (kc-score(1), "Onset placement"): its
 * event's onset --pre-roll seconds into it, and written as a highlight as
 * soon as the placed window has closed.  Memory is constant however long
 * the stream runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "out.h"
#include "rec.h"
#include "score.h"
#include "select.h"

#define RING 1800		/* hops of history (30 min at 1 s) */
#define LOOKAHEAD 2		/* hops a candidate must stay the best for */
#define WARMUP 10		/* windows scored before any is written */
#define PEAK 0.75		/* where in a live window the taper peaks */

struct lkind {
	char *names[MAXF];
	size_t nf;
	float (*row)[MAXF];	/* RING rows, by hop index % RING */
	long *at;		/* hop index held in each ring slot, -1 none */
	float *score;		/* hop scores, by hop index % RING */
	float *hist;		/* recent window scores, RING of them */
	long nhist;
	long last;		/* highest hop index seen, -1 none */
	long cand;		/* candidate window start, -1 none */
	double cand_win, cand_z;
	long cand_close;	/* hop index at which it closed */
	long pend;		/* placed start of a decided window waiting
				   for its last hop, -1 none */
	double pend_z;
	long emitted;		/* start of the last decided window (the
				   later of where it was and where it was
				   placed), or a value far enough back */
	long count;		/* highlights written */
	long left_out;		/* decided ones under --min-score */
	double best_left;	/* the best score among them */
};

static struct {
	struct lkind k[2];
	double origin, hop;
	int have_origin;
	float *tmp;		/* RING floats of scratch */
} L;

static long
col(const struct lkind *lk, const char *name)
{
	size_t i;

	for (i = 0; i < lk->nf; i++)
		if (strcmp(lk->names[i], name) == 0)
			return (long)i;
	return -1;
}

static void
kind_init(struct lkind *lk)
{
	long i;

	lk->row = malloc(RING * sizeof(*lk->row));
	lk->at = malloc(RING * sizeof(long));
	lk->score = calloc(RING, sizeof(float));
	lk->hist = malloc(RING * sizeof(float));
	if (!lk->row || !lk->at || !lk->score || !lk->hist)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < RING; i++)
		lk->at[i] = -1;
	lk->last = -1;
	lk->cand = -1;
	lk->pend = -1;
	lk->emitted = -1000000000L;
}

void
live_reset(void)
{
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < L.k[k].nf; i++)
			free(L.k[k].names[i]);
		free(L.k[k].row);
		free(L.k[k].at);
		free(L.k[k].score);
		free(L.k[k].hist);
	}
	free(L.tmp);
	memset(&L, 0, sizeof(L));
}

void
live_begin(double origin, double hop)
{
	live_reset();
	L.origin = origin;
	L.hop = hop;
	L.have_origin = 1;
	if ((L.tmp = malloc(RING * sizeof(float))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kind_init(&L.k[0]);
	kind_init(&L.k[1]);
}

/* Values of column fi over the ring's hops that pass the gate. */
static size_t
ring_column(const struct lkind *lk, long fi, long gi, double thr,
    float *out)
{
	size_t n = 0;
	long i;

	for (i = 0; i < RING; i++) {
		if (lk->at[i] < 0 || !isfinite(lk->row[i][fi]))
			continue;
		if (gi >= 0 && !(lk->row[i][gi] >= thr))
			continue;
		out[n++] = lk->row[i][fi];
	}
	return n;
}

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* The gate threshold over the ring (-inf when there is no gate). */
static double
gate_threshold(const struct lkind *lk, const struct kc_weightset *ws,
    long *gi)
{
	size_t n;

	*gi = *ws->gate ? col(lk, ws->gate) : -1;
	if (*gi < 0)
		return -INFINITY;
	if ((n = ring_column(lk, *gi, -1, 0, L.tmp)) < 10) {
		*gi = -1;
		return -INFINITY;
	}
	qsort(L.tmp, n, sizeof(float), cmp_float);
	return fmax(ws->gate_abs, L.tmp[(size_t)floor(0.9 * (double)(n - 1))] +
	    ws->gate_rel);
}

/* The score of the newest hop, against the ring. */
static double
hop_score(struct lkind *lk, const struct kc_weightset *ws, long slot)
{
	double thr, med, scale, x, sum = 0, wsum = 0;
	size_t i, n, below, equal;
	long gi, fi, j;
	int pass;

	thr = gate_threshold(lk, ws, &gi);
	pass = gi < 0 || lk->row[slot][gi] >= thr;
	for (i = 0; i < ws->n; i++) {
		if (ws->f[i].w == 0 || (fi = col(lk, ws->f[i].name)) < 0 ||
		    !isfinite(lk->row[slot][fi]))
			continue;
		wsum += fabs(ws->f[i].w);
		if (!pass) {
			sum += fabs(ws->f[i].w) * ws->zlo;
			continue;
		}
		n = ring_column(lk, fi, gi, thr, L.tmp);
		if (n == 0)
			continue;
		if (ws->norm == KC_NORM_RANK) {
			below = equal = 0;
			for (j = 0; j < (long)n; j++) {
				below += L.tmp[j] < lk->row[slot][fi];
				equal += L.tmp[j] == lk->row[slot][fi];
			}
			x = ((double)below + (double)equal / 2) / (double)n;
			x = fmin(fmax(x, 0.5 / n), 1 - 0.5 / n);
			x = log(x / (1 - x)) / 1.702;
		} else {
			kc_robust(L.tmp, n, &med, &scale);
			if (!(scale >= ws->f[i].floor))
				scale = ws->f[i].floor;
			x = (lk->row[slot][fi] - med) / scale;
		}
		x = kc_softclip(x, ws->zlo, ws->zhi);
		sum += ws->f[i].w * x;
	}
	return wsum > 0 ? sum / wsum : 0;
}

/*
 * Tapered mean of the w hop scores ending at hop last, with the taper's
 * top at three quarters of the window: a live clip keeps the lead-up to a
 * moment and closes soon after it, so it can be cut while still fresh.
 */
static double
window(const struct lkind *lk, long last, long w)
{
	double sum = 0, norm = 0, x, t;
	long i, h;

	for (i = 0; i < w; i++) {
		h = last - w + 1 + i;
		x = (i + 0.5) / (double)w;
		t = x < PEAK ? 0.5 + 0.5 * x / PEAK : 1 - 0.5 * (x - PEAK) /
		    (1 - PEAK);
		norm += t;
		if (h >= 0 && lk->at[h % RING] == h)
			sum += t * lk->score[h % RING];
	}
	return norm > 0 ? sum / norm : 0;
}

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static int
weighted(const struct kc_weightset *ws, const char *name)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		if (ws->f[i].w != 0 && strcmp(ws->f[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Writes the pending window of kind k, hops [pend, pend + w), as a
 * highlight at hop now.
 */
static void
emit(int k, const struct params *p, long w, long now)
{
	const struct kc_weightset *ws = k == KIND_AUDIO ? &p->w->audio :
	    &p->w->video;
	struct lkind *lk = &L.k[k], *ok;
	long s = lk->pend, h, slot;
	double sum, mx, t0;
	size_t i, n;
	char key[64];
	json_t *r, *f;
	int k2;

	r = kc_rec_new("highlight");
	f = json_object();
	if (r == NULL || f == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (k2 = 0; k2 < 2; k2++) {
		ok = &L.k[k2];
		for (i = 0; i < ok->nf; i++) {
			sum = 0;
			mx = -INFINITY;
			n = 0;
			for (h = s; h < s + w; h++) {
				slot = h % RING;
				if (h < 0 || ok->at[slot] != h ||
				    !isfinite(ok->row[slot][i]))
					continue;
				sum += ok->row[slot][i];
				if (ok->row[slot][i] > mx)
					mx = ok->row[slot][i];
				n++;
			}
			if (n == 0)
				continue;
			set(f, ok->names[i], kc_json_num(sum / (double)n));
			if (k2 == k && weighted(ws, ok->names[i])) {
				snprintf(key, sizeof(key), "%s_max",
				    ok->names[i]);
				set(f, key, kc_json_num(mx));
			}
		}
	}
	t0 = L.origin + (double)s * L.hop;
	set(r, "kind", json_string(k == KIND_AUDIO ? "audio" : "video"));
	set(r, "t0", json_real(round(t0 * 1000) / 1000));
	set(r, "t1", json_real(round((t0 + (double)w * L.hop) * 1000) / 1000));
	set(r, "score", kc_json_num(kc_squash(lk->pend_z)));
	set(r, "heuristic", kc_json_num(kc_squash(lk->pend_z)));
	set(r, "model", json_null());
	set(r, "model_weight", json_real(0));
	set(r, "rank", json_null());
	set(r, "live", json_true());
	set(r, "decided", json_real(L.origin + (double)(now + 1) * L.hop));
	set(r, "features", f);
	kc_out_new(r);
	kc_out_flush();
	lk->pend = -1;
	lk->count++;
}

/*
 * Where the decided window [s, s + w) starts once placed so its event's
 * onset (kc_onset, against the median hop score of the ring) is pre hops
 * into it: hops s - w to now are all the search can look at.  Never
 * earlier than the gap rule allows after the last decided window.
 */
static long
place(const struct lkind *lk, long s, long w, long pre, long sep, long now)
{
	double med;
	size_t n = 0, q;
	long base = s - w > 0 ? s - w : 0, h, st, i;

	if (now - base + 1 > RING)
		base = now - RING + 1;
	for (i = 0; i < RING; i++)
		if (lk->at[i] >= 0)
			L.tmp[n++] = lk->score[i];
	if (kc_median(L.tmp, n, &med) == 0)
		return s;
	n = 0;
	for (h = base; h <= now; h++)
		L.tmp[n++] = lk->at[h % RING] == h ? lk->score[h % RING] : NAN;
	if (s < base || !kc_onset(L.tmp, n, med, (size_t)(s - base),
	    (size_t)w, &q))
		return s;
	st = base + (long)q - pre;
	if (st < 0)
		st = 0;
	if (st < lk->emitted + sep)
		st = lk->emitted + sep;
	return st;
}

/*
 * Decides on the candidate of kind k at hop now: placed (--pre-roll), or
 * left out under --min-score; written at once when its placed window has
 * closed, else when it does.
 */
static void
decide(int k, const struct params *p, long w, long sep, long now)
{
	struct lkind *lk = &L.k[k];
	long s = lk->cand, st;
	double score = kc_squash(lk->cand_z);

	lk->cand = -1;
	if (score < p->min_score) {
		if (lk->left_out++ == 0 || score > lk->best_left)
			lk->best_left = score;
		lk->emitted = s;	/* its event is not decided on again */
		return;
	}
	st = p->pre_roll < 0 ? s : place(lk, s, w, lround(p->pre_roll /
	    L.hop), sep, now);
	lk->pend = st;
	lk->pend_z = lk->cand_z;
	lk->emitted = st > s ? st : s;
	if (now >= st + w - 1)
		emit(k, p, w, now);
}

/* A clip's length and the gap rule's spacing, in hops (L.hop is set). */
static void
clip_hops(const struct params *p, long *w, long *sep)
{
	*w = lround(p->clip_dur / L.hop);
	if (*w < 1)
		*w = 1;
	*sep = (long)ceil((p->clip_dur + p->min_gap) / L.hop - 1e-9);
}

static double
window_z(struct lkind *lk, const struct kc_weightset *ws, double win)
{
	double med, scale;
	long i, n = lk->nhist < RING ? lk->nhist : RING;

	if (n < WARMUP)
		return -INFINITY;
	for (i = 0; i < n; i++)
		L.tmp[i] = lk->hist[i];
	kc_robust(L.tmp, (size_t)n, &med, &scale);
	if (!(scale >= ws->live_floor))
		scale = ws->live_floor;
	return (win - med) / scale;
}

int
live_add(int kind, const json_t *rec, const struct params *p, char *err,
    size_t errlen)
{
	const struct kc_weightset *ws = kind == KIND_AUDIO ? &p->w->audio :
	    &p->w->video;
	struct lkind *lk = &L.k[kind];
	const char *name;
	json_t *feats, *v;
	double t, dur, win, z;
	long idx, slot, w, sep, i, fi;

	/* kc_rec_check made sure of t, dur and features */
	if (kc_rec_num(rec, "t", &t) != 0 || kc_rec_num(rec, "dur", &dur) !=
	    0 || !json_is_object(feats = json_object_get(rec, "features"))) {
		snprintf(err, errlen, "internal error: an unchecked record");
		return -1;
	}
	if (!L.have_origin)
		live_begin(t, fmax(dur, KC_REC_HOP_MIN));
	if (lk->nf == 0)
		json_object_foreach(feats, name, v) {
			if (lk->nf == MAXF)
				break;
			if ((lk->names[lk->nf++] = strdup(name)) == NULL)
				kc_die(KC_EXIT_DATA, "out of memory");
		}
	idx = lround((t - L.origin) / L.hop);
	if (idx < 0 || idx <= lk->last)
		return 0;	/* before the start, or a repeat: nothing new */
	/* hops skipped over (a gap) are forgotten, not scored */
	for (i = lk->last + 1; i < idx && i <= lk->last + RING; i++)
		lk->at[i % RING] = -1;
	slot = idx % RING;
	for (i = 0; i < (long)lk->nf; i++)
		lk->row[slot][i] = NAN;
	json_object_foreach(feats, name, v)
		if ((fi = col(lk, name)) >= 0 && json_is_number(v))
			lk->row[slot][fi] = (float)json_number_value(v);
	lk->at[slot] = idx;
	lk->last = idx;
	lk->score[slot] = (float)hop_score(lk, ws, slot);

	clip_hops(p, &w, &sep);
	if (idx + 1 < w || p->max_n[kind] == 0)
		return 0;
	if (lk->pend >= 0 && idx >= lk->pend + w - 1)
		emit(kind, p, w, idx);
	win = window(lk, idx, w);
	z = window_z(lk, ws, win);
	lk->hist[lk->nhist++ % RING] = (float)win;
	if (lk->cand >= 0 && idx - lk->cand_close >= LOOKAHEAD)
		decide(kind, p, w, sep, idx);
	if (z >= p->live_threshold && idx - w + 1 >= lk->emitted + sep &&
	    (lk->cand < 0 || win > lk->cand_win)) {
		lk->cand = idx - w + 1;
		lk->cand_win = win;
		lk->cand_z = z;
		lk->cand_close = idx;
	}
	return 0;
}

/*
 * The stream ended: a candidate is decided on, and a window still
 * waiting for hops is written with the hops there are.
 */
void
live_finish(const struct params *p)
{
	struct lkind *lk;
	long w, sep;
	int k;

	if (!L.have_origin)
		return;
	clip_hops(p, &w, &sep);
	for (k = 0; k < 2; k++) {
		lk = &L.k[k];
		if (lk->cand >= 0)
			decide(k, p, w, sep, lk->last);
		if (lk->pend >= 0 && lk->pend <= lk->last)
			emit(k, p, lk->last - lk->pend + 1 < w ? lk->last -
			    lk->pend + 1 : w, lk->last);
		if (lk->left_out > 0)
			kc_warn("%s: %ld live highlights left out: they score "
			    "under --min-score %g (best left out: %.3f)", k ==
			    KIND_AUDIO ? "audio" : "video", lk->left_out,
			    p->min_score, lk->best_left);
	}
	live_reset();
}
