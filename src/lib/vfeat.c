/*
 * vfeat.c - the video half of kc's hop features: motion, brightness,
 * colourfulness, edge density, scene cuts and flashes, computed from small
 * RGB frames (160x90 at 5 fps by default) one frame at a time.  It keeps
 * only the previous frame's luma and histogram plus running sums for the
 * open hop, so memory does not grow with the length of a stream, and a
 * frame costs a few passes over its pixels.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vfeat.h"

#define NBINS 32
/* Frame times closer than this (in hops) to a hop boundary are taken to be
 * on it: n/fps is rarely exact in binary. */
#define HOP_EPS 1e-6
/* Most hops a run may span, so hop numbers always fit a long. */
#define MAX_HOPS 1e12

/* Running sums for the hop being filled. */
struct acc {
	long frames, pairs;
	double msum, msq, mmax;	/* motion per pair */
	double fsum;		/* changed-pixel share per pair */
	double bsum, bsq;	/* brightness per frame */
	double csum;		/* colour variance per frame */
	double esum, esq;	/* edge share per frame */
	long cuts;
	double flash;
	long rpairs, spairs;	/* pairs that are not cuts; shake steps */
	double rsum;		/* residual motion per pair */
	double psum;		/* global motion length per pair */
	double ssum;		/* change of the global motion per step */
};

struct kc_vfeat {
	int w, h;
	double fps, hop, t0;
	long pushed;		/* frames so far, for kc_vfeat_push */
	uint8_t *y, *py;	/* luma of this and the previous frame */
	uint8_t *hy, *phy;	/* ... at half size, for the global motion */
	uint8_t *q, *pq;	/* ... at a quarter (NULL: frames too small) */
	long hist[NBINS], phist[NBINS];
	double pbright;
	int has_prev;
	int pdx, pdy, has_pshift;	/* the last pair's global motion */
	double last_t;		/* no frame may come before this */
	long cur_k;		/* hop the sums belong to, -1 before a frame */
	struct acc acc;
	long next_k;		/* next hop kc_vfeat_next hands out */
	long end_k;		/* hops below this one are finished */
	long done_k;		/* the finished hop that had frames, or -1 */
	double done[KC_VFEAT_N];
	int finished;
	double t_end;		/* set by kc_vfeat_finish */
};

static const char *const names[KC_VFEAT_N] = {
	"motion_mean", "motion_std", "motion_max",
	"brightness_mean", "brightness_std",
	"color_var",
	"edge_mean", "edge_std",
	"scene_cuts",
	"flash",
	"motion_frac",
	"motion_resid", "pan", "shake",
};

const char *const *
kc_vfeat_names(void)
{
	return names;
}

kc_vfeat *
kc_vfeat_new(int w, int h, double fps, double hop, double t0)
{
	kc_vfeat *v;
	size_t npix;

	if (w < 1 || w > 4096 || h < 1 || h > 4096 || !isfinite(fps) ||
	    fps <= 0 || !isfinite(hop) || hop <= 0 || !isfinite(t0)) {
		errno = EINVAL;
		return NULL;
	}
	npix = (size_t)w * (size_t)h;	/* at most 2^24: no overflow */
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if ((v->y = malloc(npix)) == NULL || (v->py = malloc(npix)) == NULL)
		goto nomem;
	if (w >= 32 && h >= 32 && ((v->hy = malloc(npix / 4)) == NULL ||
	    (v->phy = malloc(npix / 4)) == NULL || (v->q = malloc(npix / 16)) ==
	    NULL || (v->pq = malloc(npix / 16)) == NULL))
		goto nomem;
	v->w = w;
	v->h = h;
	v->fps = fps;
	v->hop = hop;
	v->t0 = t0;
	v->cur_k = -1;
	v->done_k = -1;
	return v;
nomem:
	kc_vfeat_free(v);
	return NULL;
}

void
kc_vfeat_free(kc_vfeat *v)
{
	if (v == NULL)
		return;
	free(v->y);
	free(v->py);
	free(v->hy);
	free(v->phy);
	free(v->q);
	free(v->pq);
	free(v);
}

static long
hop_index(const kc_vfeat *v, double t)
{
	double k = floor((t - v->t0) / v->hop + HOP_EPS);

	return k < 0 ? 0 : (long)k;
}

static double
std_of(double sum, double sq, long n)
{
	double m = sum / n, var = sq / n - m * m;

	/* rounding can leave a tiny negative variance for constant input */
	return var > 0 ? sqrt(var) : 0;
}

/* Turns the sums of the open hop into values and empties them. */
static void
close_hop(kc_vfeat *v)
{
	struct acc *a = &v->acc;
	double *d = v->done;
	int i;

	v->done_k = v->cur_k;
	if (a->frames == 0) {
		for (i = 0; i < KC_VFEAT_N; i++)
			d[i] = NAN;
		return;
	}
	if (a->pairs > 0) {
		d[KC_VFEAT_MOTION_MEAN] = a->msum / a->pairs;
		d[KC_VFEAT_MOTION_STD] = std_of(a->msum, a->msq, a->pairs);
		d[KC_VFEAT_MOTION_MAX] = a->mmax;
		d[KC_VFEAT_MOTION_FRAC] = a->fsum / a->pairs;
	} else {
		d[KC_VFEAT_MOTION_FRAC] = NAN;
		d[KC_VFEAT_MOTION_MEAN] = NAN;
		d[KC_VFEAT_MOTION_STD] = NAN;
		d[KC_VFEAT_MOTION_MAX] = NAN;
	}
	d[KC_VFEAT_BRIGHT_MEAN] = a->bsum / a->frames;
	d[KC_VFEAT_BRIGHT_STD] = std_of(a->bsum, a->bsq, a->frames);
	d[KC_VFEAT_COLOR_VAR] = a->csum / a->frames;
	d[KC_VFEAT_EDGE_MEAN] = a->esum / a->frames;
	d[KC_VFEAT_EDGE_STD] = std_of(a->esum, a->esq, a->frames);
	d[KC_VFEAT_MOTION_RESID] = a->rpairs > 0 ? a->rsum / a->rpairs : NAN;
	d[KC_VFEAT_PAN] = a->rpairs > 0 ? a->psum / a->rpairs : NAN;
	/* relative to the pan's speed: a fast steady pan changes its
	 * vector by a pixel or two from pair to pair, a shaking camera by
	 * as much as it moves */
	d[KC_VFEAT_SHAKE] = a->spairs > 0 ? (a->ssum / a->spairs) /
	    (a->psum / a->rpairs + KC_VFEAT_SHAKE_PAN0) : a->rpairs > 0 ? 0 :
	    NAN;
	d[KC_VFEAT_SCENE_CUTS] = (double)a->cuts;
	d[KC_VFEAT_FLASH] = a->flash;
	memset(a, 0, sizeof(*a));
}

/*
 * One pass over the RGB pixels: luma into v->y and its histogram, plus
 * the frame's mean luma and mean colour variance.  Integer sums keep the
 * results exact and independent of pixel order.
 */
static void
luma_pass(kc_vfeat *v, const uint8_t *rgb, double *bright, double *cvar)
{
	size_t i, npix = (size_t)v->w * (size_t)v->h;
	uint64_t ysum = 0, vsum = 0;
	int r, g, b, s;

	memset(v->hist, 0, sizeof(v->hist));
	for (i = 0; i < npix; i++, rgb += 3) {
		r = rgb[0];
		g = rgb[1];
		b = rgb[2];
		v->y[i] = (uint8_t)((77 * r + 150 * g + 29 * b + 128) >> 8);
		ysum += v->y[i];
		v->hist[v->y[i] >> 3]++;
		/* 9 * variance of (r, g, b) = 3 * sum of squares - sum^2 */
		s = r + g + b;
		vsum += (uint64_t)(3 * (r * r + g * g + b * b) - s * s);
	}
	*bright = (double)ysum / ((double)npix * 255.0);
	*cvar = (double)vsum / ((double)npix * 9.0 * 255.0 * 255.0);
}

/* Share of inner pixels whose Sobel magnitude exceeds the threshold. */
static double
edge_share(const kc_vfeat *v)
{
	const int w = v->w, thr2 = KC_VFEAT_EDGE_THRESH * KC_VFEAT_EDGE_THRESH;
	const uint8_t *p;
	long n = 0;
	int x, yy, gx, gy;

	if (v->w < 3 || v->h < 3)
		return 0;
	for (yy = 1; yy < v->h - 1; yy++) {
		p = v->y + (size_t)yy * w + 1;
		for (x = 1; x < w - 1; x++, p++) {
			gx = (p[-w + 1] + 2 * p[1] + p[w + 1]) -
			    (p[-w - 1] + 2 * p[-1] + p[w - 1]);
			gy = (p[w - 1] + 2 * p[w] + p[w + 1]) -
			    (p[-w - 1] + 2 * p[-w] + p[-w + 1]);
			if (gx * gx + gy * gy > thr2)
				n++;
		}
	}
	return (double)n / ((double)(v->w - 2) * (v->h - 2));
}

/* Mean |dY| / 255 against the previous frame, and the changed share. */
static double
motion(const kc_vfeat *v, double *frac)
{
	size_t i, npix = (size_t)v->w * (size_t)v->h, changed = 0;
	uint64_t sum = 0;
	int d;

	for (i = 0; i < npix; i++) {
		d = abs((int)v->y[i] - (int)v->py[i]);
		sum += (uint64_t)d;
		changed += d > KC_VFEAT_CHANGE_THRESH;
	}
	*frac = (double)changed / (double)npix;
	return (double)sum / ((double)npix * 255.0);
}

/*
 * Mean |A(x, y) - B(x - dx, y - dy)| over the part of two w x h images
 * that overlaps after the shift; -1 when that is under a quarter of the
 * frame (too little to trust).
 */
static double
overlap_mad(const uint8_t *a, const uint8_t *b, int w, int h, int dx, int dy)
{
	int x0 = dx > 0 ? dx : 0, x1 = dx < 0 ? w + dx : w;
	int y0 = dy > 0 ? dy : 0, y1 = dy < 0 ? h + dy : h;
	const uint8_t *pa, *pb;
	uint64_t sum = 0;
	int x, yy;

	if (x1 <= x0 || y1 <= y0 || 4L * (x1 - x0) * (y1 - y0) < (long)w * h)
		return -1;
	for (yy = y0; yy < y1; yy++) {
		pa = a + (size_t)yy * w;
		pb = b + (size_t)(yy - dy) * w - dx;
		for (x = x0; x < x1; x++)
			sum += (uint64_t)abs((int)pa[x] - (int)pb[x]);
	}
	return (double)sum / ((double)(x1 - x0) * (y1 - y0));
}

/*
 * The shift within (cx, cy) +- (rx, ry) with the least overlap_mad into
 * *bx, *by (ties to the shorter shift, so a flat picture does not move);
 * returns that mean, or -1 when no shift had enough overlap.
 */
static double
best_shift(const uint8_t *a, const uint8_t *b, int w, int h, int cx, int cy,
    int rx, int ry, int *bx, int *by)
{
	double m, best = -1;
	int dx, dy;

	*bx = *by = 0;
	for (dy = cy - ry; dy <= cy + ry; dy++)
		for (dx = cx - rx; dx <= cx + rx; dx++) {
			if ((m = overlap_mad(a, b, w, h, dx, dy)) < 0)
				continue;
			if (best < 0 || m < best - 1e-9 || (m < best + 1e-9 &&
			    abs(dx) + abs(dy) < abs(*bx) + abs(*by))) {
				best = m;
				*bx = dx;
				*by = dy;
			}
		}
	return best;
}

/* dst (w/2 x h/2) = 2 x 2 means of src (w x h). */
static void
halve(const uint8_t *src, int w, int h, uint8_t *dst)
{
	int x, yy, hw = w / 2;
	const uint8_t *r0, *r1;

	for (yy = 0; yy < h / 2; yy++) {
		r0 = src + (size_t)(2 * yy) * w;
		r1 = r0 + w;
		for (x = 0; x < hw; x++)
			dst[(size_t)yy * hw + x] = (uint8_t)((r0[2 * x] +
			    r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) >> 2);
	}
}

/*
 * The global motion between the previous frame and this one: the shift
 * that best maps the one onto the other, up to half the frame's width and
 * a quarter of its height (a fast pan at 5 frames a second), found on a
 * quarter-size copy and refined at half and full size.  *resid: the mean
 * |dY| / 255 left over the overlap after the shift.
 */
static void
global_motion(kc_vfeat *v, int *gdx, int *gdy, double *resid)
{
	int w2 = v->w / 2, h2 = v->h / 2, w4 = w2 / 2, h4 = h2 / 2, bx, by;
	double m;

	if (v->q == NULL) {	/* too small for the pyramid: full size */
		m = best_shift(v->y, v->py, v->w, v->h, 0, 0, v->w / 2,
		    v->h / 4, gdx, gdy);
		*resid = m < 0 ? 0 : m / 255.0;
		return;
	}
	best_shift(v->q, v->pq, w4, h4, 0, 0, w4 / 2, h4 / 4, &bx, &by);
	best_shift(v->hy, v->phy, w2, h2, 2 * bx, 2 * by, 1, 1, &bx, &by);
	m = best_shift(v->y, v->py, v->w, v->h, 2 * bx, 2 * by, 1, 1, gdx,
	    gdy);
	*resid = m < 0 ? 0 : m / 255.0;
}

static double
hist_distance(const kc_vfeat *v)
{
	long sum = 0;
	int i;

	for (i = 0; i < NBINS; i++)
		sum += labs(v->hist[i] - v->phist[i]);
	return (double)sum / (2.0 * (double)v->w * (double)v->h);
}

int
kc_vfeat_push_at(kc_vfeat *v, const uint8_t *rgb24, double t)
{
	struct acc *a = &v->acc;
	double bright, cvar, edge, m, frac, rise, resid;
	uint8_t *swap;
	int gdx, gdy;
	long k;

	if (v->next_k < v->end_k) {
		errno = EBUSY;
		return -1;
	}
	if (v->finished || !isfinite(t) || t < v->t0 - v->hop * HOP_EPS ||
	    (t - v->t0) / v->hop > MAX_HOPS ||
	    t < v->last_t - v->hop * HOP_EPS) {
		errno = EINVAL;
		return -1;
	}
	k = hop_index(v, t);
	if (a->frames > 0 && k > v->cur_k)
		close_hop(v);
	if (k > v->end_k)
		v->end_k = k;
	v->cur_k = k;
	v->last_t = t;
	v->pushed++;

	luma_pass(v, rgb24, &bright, &cvar);
	if (v->q != NULL) {
		halve(v->y, v->w, v->h, v->hy);
		halve(v->hy, v->w / 2, v->h / 2, v->q);
	}
	edge = edge_share(v);
	a->frames++;
	a->bsum += bright;
	a->bsq += bright * bright;
	a->csum += cvar;
	a->esum += edge;
	a->esq += edge * edge;
	if (v->has_prev) {
		m = motion(v, &frac);
		a->fsum += frac;
		a->pairs++;
		a->msum += m;
		a->msq += m * m;
		if (m > a->mmax)
			a->mmax = m;
		if (hist_distance(v) > KC_VFEAT_CUT_THRESH) {
			a->cuts++;
			v->has_pshift = 0;	/* no motion across a cut */
		} else {
			global_motion(v, &gdx, &gdy, &resid);
			a->rsum += resid;
			a->psum += hypot(gdx, gdy) / v->w;
			a->rpairs++;
			if (v->has_pshift) {
				a->ssum += hypot(gdx - v->pdx, gdy - v->pdy) /
				    v->w;
				a->spairs++;
			}
			v->pdx = gdx;
			v->pdy = gdy;
			v->has_pshift = 1;
		}
		rise = bright - v->pbright;
		if (rise > a->flash)
			a->flash = rise;
	}
	swap = v->py;
	v->py = v->y;
	v->y = swap;
	swap = v->phy;
	v->phy = v->hy;
	v->hy = swap;
	swap = v->pq;
	v->pq = v->q;
	v->q = swap;
	memcpy(v->phist, v->hist, sizeof(v->hist));
	v->pbright = bright;
	v->has_prev = 1;
	return 0;
}

int
kc_vfeat_push(kc_vfeat *v, const uint8_t *rgb24)
{
	return kc_vfeat_push_at(v, rgb24, v->t0 + (double)v->pushed / v->fps);
}

int
kc_vfeat_next(kc_vfeat *v, double *t, double *dur, double vals[KC_VFEAT_N])
{
	double start;
	int i;

	if (v->next_k >= v->end_k)
		return 0;
	start = v->t0 + (double)v->next_k * v->hop;
	*t = start;
	*dur = v->hop;
	if (v->finished && v->t_end > start && v->t_end < start + v->hop)
		*dur = v->t_end - start;
	for (i = 0; i < KC_VFEAT_N; i++)
		vals[i] = v->next_k == v->done_k ? v->done[i] : NAN;
	v->next_k++;
	return 1;
}

int
kc_vfeat_finish(kc_vfeat *v, double t_end)
{
	double n;
	long k;

	if (v->next_k < v->end_k) {
		errno = EBUSY;
		return -1;
	}
	if (v->finished || !isfinite(t_end) ||
	    (t_end - v->t0) / v->hop > MAX_HOPS) {
		errno = EINVAL;
		return -1;
	}
	v->finished = 1;
	v->t_end = t_end;
	/* hops starting before t_end; a frame's own hop counts regardless */
	n = ceil((t_end - v->t0) / v->hop - HOP_EPS);
	k = n > 0 ? (long)n : 0;
	if (v->acc.frames > 0) {
		close_hop(v);
		if (k < v->cur_k + 1)
			k = v->cur_k + 1;
	}
	if (k > v->end_k)
		v->end_k = k;
	return 0;
}

int
kc_vfeat_until(kc_vfeat *v, double t)
{
	double n;
	long k;

	if (v->next_k < v->end_k) {
		errno = EBUSY;
		return -1;
	}
	if (v->finished || !isfinite(t) || t < v->last_t ||
	    (t - v->t0) / v->hop > MAX_HOPS) {
		errno = EINVAL;
		return -1;
	}
	v->last_t = t;
	/* hops ending at or before t are complete */
	n = floor((t - v->t0) / v->hop + HOP_EPS);
	k = n > 0 ? (long)n : 0;
	if (v->acc.frames > 0 && v->cur_k < k)
		close_hop(v);
	if (k > v->end_k)
		v->end_k = k;
	return 0;
}

double
kc_vfeat_covered(const kc_vfeat *v)
{
	if (v->cur_k < 0)
		return v->t0;
	return v->t0 + (double)(v->cur_k + 1) * v->hop;
}
