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
 *
 * Every hop's features are also normalised as a VOD's are for the model
 * (the "NAME_z" of kc-score(1)), against the ring's gated hops, the
 * medians and spreads refreshed every STATS_EVERY hops.  With a learned
 * model a window's score is the blend of its heuristic part and the
 * model's prediction from the window means of those z values, as in a
 * VOD; the window must still stand out by half the threshold.
 *
 * The chat (cfeat records) is kept in a ring of its own and never
 * waited for: when an audio or video window is judged, the chat's hop
 * scores of its hops that are in (kc-chatfeat writes a live hop some
 * 10 s after it aired) add --chat-weight times their mean to a window
 * that stands out by CHAT_GATE, as in a VOD but without the lag
 * estimate (kc-chatfeat's --lag alone).
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
#define MAXLAG 90		/* hops one kind waits for the other */
#define STATS_EVERY 10		/* hops between refreshes of the z stats */
#define STATS_WARM 60		/* ... refreshed every hop before this many */
#define CURVE_EVERY 10		/* hops in a --curve piece */

/* A feature's centre and spread over the ring, for its hop z. */
struct zstat {
	double med, scale;
	int ok;
};

struct lkind {
	char *names[MAXF];
	size_t nf;
	float (*row)[MAXF];	/* RING rows, by hop index % RING */
	float (*z)[MAXF];	/* their z values (NAN: none) */
	struct zstat zs[MAXF];
	long zs_at;		/* hop index of the last refresh, -1 none */
	long zs_gate;		/* gate column then, -1 none */
	double zs_thr;		/* gate threshold then */
	long *at;		/* hop index held in each ring slot, -1 none */
	float *score;		/* hop scores, by hop index % RING */
	float *hist;		/* recent window scores, RING of them */
	long nhist;
	long last;		/* highest hop index seen, -1 none */
	long done;		/* highest hop index judged, -1 none */
	long cand;		/* candidate window start, -1 none */
	double cand_win, cand_z;
	double cand_b, cand_m;	/* its blended score, model part (NAN) */
	long cand_close;	/* hop index at which it closed */
	long pend;		/* placed start of a decided window waiting
				   for its last hop, -1 none */
	double pend_z, pend_b, pend_m;
	long emitted;		/* start of the last decided window (the
				   later of where it was and where it was
				   placed), or a value far enough back */
	long curve_next;	/* first hop not yet in a --curve piece */
	long count;		/* highlights written */
	long left_out;		/* decided ones under --min-score */
	double best_left;	/* the best score among them */
};

static struct {
	struct lkind k[NKIND];	/* audio, video, and the chat's ring */
	double origin, hop;
	int have_origin;
	float *tmp;		/* RING floats of scratch */
	float *mx;		/* one model input row */
	int has[2];		/* the stream record did not say a kind is
				   absent */
	int model_off;		/* the model failed: the heuristic alone */
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
	lk->z = malloc(RING * sizeof(*lk->z));
	lk->at = malloc(RING * sizeof(long));
	lk->score = calloc(RING, sizeof(float));
	lk->hist = malloc(RING * sizeof(float));
	if (!lk->row || !lk->z || !lk->at || !lk->score || !lk->hist)
		kc_die(KC_EXIT_DATA, "out of memory");
	lk->zs_at = -1;
	for (i = 0; i < RING; i++)
		lk->at[i] = -1;
	lk->last = -1;
	lk->done = -1;
	lk->cand = -1;
	lk->pend = -1;
	lk->emitted = -1000000000L;
}

void
live_reset(void)
{
	size_t i;
	int k;

	for (k = 0; k < NKIND; k++) {
		for (i = 0; i < L.k[k].nf; i++)
			free(L.k[k].names[i]);
		free(L.k[k].row);
		free(L.k[k].z);
		free(L.k[k].at);
		free(L.k[k].score);
		free(L.k[k].hist);
	}
	free(L.tmp);
	free(L.mx);
	memset(&L, 0, sizeof(L));
}

void
live_begin(double origin, double hop, const int has[2])
{
	live_reset();
	L.origin = origin;
	L.hop = hop;
	L.has[0] = has[0];
	L.has[1] = has[1];
	L.have_origin = 1;
	if ((L.tmp = malloc(RING * sizeof(float))) == NULL ||
	    (L.mx = malloc(KC_REC_FEATURES * sizeof(float))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kind_init(&L.k[KIND_AUDIO]);
	kind_init(&L.k[KIND_VIDEO]);
	kind_init(&L.k[KIND_CHAT]);
}

/* The weights kind k is scored with. */
static const struct kc_weightset *
weights_of(const struct params *p, int k)
{
	return k == KIND_AUDIO ? &p->w->audio : k == KIND_VIDEO ?
	    &p->w->video : &chat_ws;
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
 * Every feature's median and spread over the ring's hops that pass the
 * gate, the spread at least the weights' floor (0.1 % of the median for
 * a feature the weights do not use), as a VOD's column statistics but
 * without the channel's.
 */
static void
refresh_zstats(struct lkind *lk, const struct kc_weightset *ws)
{
	const struct kc_weight *wt;
	double floor;
	size_t n, i;

	lk->zs_thr = gate_threshold(lk, ws, &lk->zs_gate);
	for (i = 0; i < lk->nf; i++) {
		n = ring_column(lk, (long)i, lk->zs_gate, lk->zs_thr, L.tmp);
		if ((lk->zs[i].ok = n > 0) == 0)
			continue;
		kc_robust(L.tmp, n, &lk->zs[i].med, &lk->zs[i].scale);
		wt = kc_weight_of(ws, lk->names[i]);
		floor = wt ? wt->floor : fmax(1e-3 * fabs(lk->zs[i].med), 1e-4);
		if (!(lk->zs[i].scale >= floor))
			lk->zs[i].scale = floor;
	}
}

/* The z values of the hop in slot (the newest), for the model. */
static void
hop_zrow(struct lkind *lk, const struct kc_weightset *ws, long slot,
    long idx)
{
	const float *v = lk->row[slot];
	size_t i;
	int pass;

	if (lk->zs_at < 0 || idx - lk->zs_at >= STATS_EVERY ||
	    idx < STATS_WARM) {
		refresh_zstats(lk, ws);
		lk->zs_at = idx;
	}
	pass = lk->zs_gate < 0 || v[lk->zs_gate] >= lk->zs_thr;
	for (i = 0; i < lk->nf; i++)
		lk->z[slot][i] = !lk->zs[i].ok || !isfinite(v[i]) ? NAN :
		    pass ? (float)kc_softclip((v[i] - lk->zs[i].med) /
		    lk->zs[i].scale, ws->zlo, ws->zhi) : (float)ws->zlo;
}

/*
 * The mean z of feature i of kind lk over hops [s, s + w) that are in
 * the ring; NAN when none is.
 */
static double
zmean(const struct lkind *lk, size_t i, long s, long w)
{
	double sum = 0;
	long h, n = 0;

	for (h = s < 0 ? 0 : s; h < s + w; h++)
		if (lk->at[h % RING] == h && isfinite(lk->z[h % RING][i])) {
			sum += lk->z[h % RING][i];
			n++;
		}
	return n > 0 ? sum / (double)n : NAN;
}

/*
 * The model's say on window [s, s + w) of kind k with heuristic part
 * heur (0-1): its 0-1 prediction, or NAN without a model (or after it
 * failed once: kc-score warns and goes on with the heuristic alone).
 */
static double
model_of(int k, const struct params *p, long s, long w, double heur)
{
	size_t nf, j, len;
	const char *name;
	char merr[256];
	long fi;
	float out;
	int k2;

	if (p->model == NULL || L.model_off)
		return NAN;
	nf = kc_model_nfeatures(p->model);
	if (nf > KC_REC_FEATURES) {
		L.model_off = 1;
		kc_warn("model: %zu features; scoring live with the heuristic "
		    "alone", nf);
		return NAN;
	}
	for (j = 0; j < nf; j++) {
		name = kc_model_feature(p->model, j);
		len = strlen(name);
		L.mx[j] = NAN;
		if (strcmp(name, "kind") == 0)
			L.mx[j] = (float)k;
		else if (strcmp(name, "heuristic") == 0)
			L.mx[j] = (float)heur;
		else if (len > 2 && strcmp(name + len - 2, "_z") == 0)
			for (k2 = 0; k2 < NKIND; k2++)
				for (fi = 0; fi < (long)L.k[k2].nf; fi++)
					if (strlen(L.k[k2].names[fi]) ==
					    len - 2 && strncmp(L.k[k2].names[fi],
					    name, len - 2) == 0)
						L.mx[j] = (float)zmean(&L.k[k2],
						    (size_t)fi, s, w);
	}
	if (kc_model_predict(p->model, L.mx, 1, &out, merr,
	    sizeof(merr)) != 0) {
		kc_warn("model: %s; scoring live with the heuristic alone",
		    merr);
		L.model_off = 1;
		return NAN;
	}
	return out;
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

/*
 * With --curve, for a kind asked for: kind k's hop scores from the last
 * piece up to hop upto (at most a ring of them) as a "curve" record, once
 * CURVE_EVERY hops are there or, at the end (all), whatever is there.  A
 * hop not analysed (a gap) is null.
 */
static void
curve_piece(int k, const struct params *p, long upto, int all)
{
	struct lkind *lk = &L.k[k];
	json_t *r, *v;
	long h;

	if (!p->curve || p->max_n[k] == 0 || upto < 0 ||
	    upto + 1 - lk->curve_next <
	    (all ? 1 : CURVE_EVERY))
		return;
	if (lk->curve_next < upto + 1 - RING)
		lk->curve_next = upto + 1 - RING;
	r = kc_rec_new("curve");
	v = json_array();
	if (r == NULL || v == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (h = lk->curve_next; h <= upto; h++)
		if (json_array_append_new(v, lk->at[h % RING] == h &&
		    isfinite(lk->score[h % RING]) ? json_real(round(
		    lk->score[h % RING] * 1000) / 1000) : json_null()) != 0)
			kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "kind", json_string(k == KIND_AUDIO ? "audio" : k ==
	    KIND_VIDEO ? "video" : "chat"));
	set(r, "t0", json_real(L.origin + (double)lk->curve_next * L.hop));
	set(r, "hop", json_real(L.hop));
	set(r, "values", v);
	set(r, "live", json_true());
	kc_out_new(r);
	kc_out_flush();
	lk->curve_next = upto + 1;
}

/*
 * Writes the pending window of kind k, hops [pend, pend + w), as a
 * highlight at hop now.
 */
static void
emit(int k, const struct params *p, long w, long now)
{
	const struct kc_weightset *ws = weights_of(p, k);
	struct lkind *lk = &L.k[k], *ok;
	long s = lk->pend, h, slot, best = -1;
	double sum, mx, t0, z;
	size_t i, n;
	char key[64];
	json_t *r, *f;
	int k2;

	r = kc_rec_new("highlight");
	f = json_object();
	if (r == NULL || f == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (k2 = 0; k2 < NKIND; k2++) {
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
			if (k2 == k && kc_weight_of(ws, ok->names[i])) {
				snprintf(key, sizeof(key), "%s_max",
				    ok->names[i]);
				set(f, key, kc_json_num(mx));
			}
			if (isfinite(z = zmean(ok, i, s, w))) {
				snprintf(key, sizeof(key), "%s_z",
				    ok->names[i]);
				set(f, key, kc_json_num(z));
			}
		}
	}
	/* the peak: the middle of the window's best hop, as in a VOD */
	for (h = s < 0 ? 0 : s; h < s + w; h++)
		if (lk->at[h % RING] == h && isfinite(lk->score[h % RING]) &&
		    (best < 0 || lk->score[h % RING] > lk->score[best % RING]))
			best = h;
	t0 = L.origin + (double)s * L.hop;
	set(r, "kind", json_string(k == KIND_AUDIO ? "audio" : "video"));
	set(r, "t0", json_real(round(t0 * 1000) / 1000));
	set(r, "t1", json_real(round((t0 + (double)w * L.hop) * 1000) / 1000));
	if (best >= 0)
		set(r, "peak", json_real(round((L.origin + ((double)best +
		    0.5) * L.hop) * 1000) / 1000));
	set(r, "score", kc_json_num(lk->pend_b));
	set(r, "heuristic", kc_json_num(kc_squash(lk->pend_z)));
	set(r, "model", isnan(lk->pend_m) ? json_null() :
	    kc_json_num(lk->pend_m));
	set(r, "model_weight", isnan(lk->pend_m) ? json_real(0) :
	    kc_json_num(p->model_weight));
	set(r, "rank", json_null());
	set(r, "live", json_true());
	/* written now: after the newest hop of either kind, which may be
	 * later than the hop judged (the kinds are judged in step) */
	if (L.k[1 - k].last > now)
		now = L.k[1 - k].last;
	if (lk->last > now)
		now = lk->last;
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
	double score = lk->cand_b;

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
	lk->pend_b = lk->cand_b;
	lk->pend_m = lk->cand_m;
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

/*
 * Judges the window of kind k that ends at hop h (in the ring): writes
 * a decided window whose hops are all in, decides on a candidate that
 * stayed the best for LOOKAHEAD hops, and makes this window the
 * candidate when it stands out.
 */
/*
 * The mean chat hop score over hops [s, s + w) that are in the chat's
 * ring, 0 when none is.
 */
static double
chat_window(long s, long w)
{
	const struct lkind *c = &L.k[KIND_CHAT];
	double sum = 0;
	long h, n = 0;

	for (h = s < 0 ? 0 : s; h < s + w; h++)
		if (c->at[h % RING] == h) {
			sum += c->score[h % RING];
			n++;
		}
	return n > 0 ? sum / (double)n : 0;
}

static void
judge(int k, const struct params *p, long h)
{
	const struct kc_weightset *ws = weights_of(p, k);
	struct lkind *lk = &L.k[k];
	double win, z, m, b, zmin, cw;
	long w, sep;

	clip_hops(p, &w, &sep);
	if (h + 1 < w || p->max_n[k] == 0)
		return;
	if (lk->pend >= 0 && h >= lk->pend + w - 1)
		emit(k, p, w, h);
	win = window(lk, h, w);
	z = window_z(lk, ws, win);
	lk->hist[lk->nhist++ % RING] = (float)win;
	if (p->chat_weight > 0 && z >= CHAT_GATE &&
	    (cw = chat_window(h - w + 1, w)) > 0)
		z += p->chat_weight * cw;
	if (lk->cand >= 0 && h - lk->cand_close >= LOOKAHEAD)
		decide(k, p, w, sep, h);
	/*
	 * Without a model a window is a candidate at --live-threshold and
	 * the better of two is the higher; with one, the blend (as a VOD's
	 * score) must reach what the threshold is in score and the window
	 * stand out by half the threshold at least, and the better of two
	 * is the one the blend puts higher.
	 */
	m = NAN;
	b = kc_squash(z);
	zmin = p->live_threshold;
	if (isfinite(z) && z >= p->live_threshold / 2 &&
	    !isnan(m = model_of(k, p, h - w + 1, w, b))) {
		b = (1 - p->model_weight) * b + p->model_weight * m;
		zmin = p->live_threshold / 2;
	}
	if (z >= zmin && b >= kc_squash(p->live_threshold) &&
	    h - w + 1 >= lk->emitted + sep &&
	    (lk->cand < 0 || (isnan(m) ? win > lk->cand_win :
	    b > lk->cand_b))) {
		lk->cand = h - w + 1;
		lk->cand_win = win;
		lk->cand_z = z;
		lk->cand_b = b;
		lk->cand_m = m;
		lk->cand_close = h;
	}
}

/*
 * Judges the hops of each kind that both kinds have reached, so that a
 * window's features (and the model's inputs) hold the other kind's hops
 * too: a feature filter writes a segment's records after the other's.
 * A kind the stream record says is absent is not waited for, one that
 * lags more than MAXLAG hops (or has not come yet) no further; at the
 * end (all = 1) every hop is judged.
 */
static void
advance(const struct params *p, int all)
{
	struct lkind *lk, *ok;
	long lim;
	int k;

	for (k = 0; k < 2; k++) {
		lk = &L.k[k];
		ok = &L.k[1 - k];
		lim = lk->last;
		if (!all && L.has[1 - k] && ok->last < lim)
			lim = ok->last > lk->last - MAXLAG ? ok->last :
			    lk->last - MAXLAG;
		for (; lk->done < lim; lk->done++)
			if (lk->at[(lk->done + 1) % RING] == lk->done + 1)
				judge(k, p, lk->done + 1);
	}
}

int
live_add(int kind, const json_t *rec, const struct params *p, char *err,
    size_t errlen)
{
	const struct kc_weightset *ws = weights_of(p, kind);
	struct lkind *lk = &L.k[kind];
	const char *name;
	json_t *feats, *v;
	double t, dur;
	long idx, slot, i, fi;

	/* kc_rec_check made sure of t, dur and features */
	if (kc_rec_num(rec, "t", &t) != 0 || kc_rec_num(rec, "dur", &dur) !=
	    0 || !json_is_object(feats = json_object_get(rec, "features"))) {
		snprintf(err, errlen, "internal error: an unchecked record");
		return -1;
	}
	if (!L.have_origin)
		live_begin(t, fmax(dur, KC_REC_HOP_MIN), (const int[2]){ 1,
		    1 });
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
	hop_zrow(lk, ws, slot, idx);
	if (kind != KIND_CHAT)
		curve_piece(kind, p, idx, 0);
	if (kind != KIND_CHAT)	/* the chat is evidence, never waited for */
		advance(p, 0);
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
	advance(p, 1);
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
		curve_piece(k, p, lk->last, 1);
	}
	live_reset();
}
