/*
 * learn.c - the measures kc reports for a model generation: Spearman's
 * rank correlation between model scores and stars, and NDCG of the
 * ranking the scores make.  Both are what a user cares about: does the
 * model put the clips they like above the ones they do not.  And the
 * order in which to ask for ratings (kc_informative).
 */
#include <math.h>
#include <stdlib.h>

#include "learn.h"

struct pair {
	double key, other;
	size_t i;
};

static int
by_key(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Mean ranks (1-based) of v into r; 0 ok, -1 out of memory. */
static int
ranks(const double *v, size_t n, double *r)
{
	struct pair *p = malloc(n * sizeof(*p));
	size_t i, j, k;

	if (p == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		p[i].key = v[i];
		p[i].i = i;
	}
	qsort(p, n, sizeof(*p), by_key);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && p[j].key == p[i].key; j++)
			;
		for (k = i; k < j; k++)
			r[p[k].i] = (double)(i + j + 1) / 2.0;
	}
	free(p);
	return 0;
}

double
kc_spearman(const double *x, const double *y, size_t n)
{
	double *rx, *ry, mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0, out = NAN;
	size_t i;

	if (n < 2)
		return NAN;
	rx = malloc(n * sizeof(double));
	ry = malloc(n * sizeof(double));
	if (rx == NULL || ry == NULL || ranks(x, n, rx) != 0 ||
	    ranks(y, n, ry) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		mx += rx[i];
		my += ry[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		sxy += (rx[i] - mx) * (ry[i] - my);
		sxx += (rx[i] - mx) * (rx[i] - mx);
		syy += (ry[i] - my) * (ry[i] - my);
	}
	if (sxx > 0 && syy > 0)
		out = sxy / sqrt(sxx * syy);
out:
	free(rx);
	free(ry);
	return out;
}

/* Best score first; among equal scores the less relevant first. */
static int
by_score_desc(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	if (x->other != y->other)
		return x->other < y->other ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static double
dcg(const struct pair *p, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (pow(2.0, p[i].other) - 1) / log2((double)i + 2);
	return s;
}

double
kc_ndcg(const double *score, const double *rel, size_t n, size_t k)
{
	struct pair *p;
	double got, best;
	size_t i;

	if (n == 0)
		return NAN;
	if (k == 0 || k > n)
		k = n;
	if ((p = malloc(n * sizeof(*p))) == NULL)
		return NAN;
	for (i = 0; i < n; i++) {
		p[i].key = score[i];
		p[i].other = rel[i];
		p[i].i = i;
	}
	qsort(p, n, sizeof(*p), by_score_desc);
	got = dcg(p, k);
	for (i = 0; i < n; i++)
		p[i].key = p[i].other;
	qsort(p, n, sizeof(*p), by_score_desc);
	best = dcg(p, k);
	free(p);
	return best > 0 ? got / best : NAN;
}

/* ---- which clips to rate first ---------------------------------------- */

static double
sc(const double *score, size_t i)
{
	return score && isfinite(score[i]) ? score[i] : 0;
}

/* dmin[i] lowered to item i's squared distance to item c, for all i (z:
 * n items of d). */
static void
closer(const double *z, size_t n, size_t d, size_t c, double *dmin)
{
	double t;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (t = 0, j = 0; j < d; j++)
			t += (z[i * d + j] - z[c * d + j]) *
			    (z[i * d + j] - z[c * d + j]);
		if (t < dmin[i])
			dmin[i] = t;
	}
}

long
kc_informative(const double *x, size_t n, size_t d, const double *score,
    const unsigned char *known, size_t *order, size_t maxpick)
{
	double *z = NULL, *dmin = NULL, m, v, best, p;
	unsigned char *used = NULL;
	size_t i, j, k, c, bi;
	long no = 0;
	int any = 0, cover;

	if (n == 0)
		return 0;
	z = malloc(n * (d ? d : 1) * sizeof(*z));
	dmin = malloc(n * sizeof(*dmin));
	used = calloc(n, 1);
	if (z == NULL || dmin == NULL || used == NULL) {
		no = -1;
		goto out;
	}
	/* standardised columns; a constant (or non-finite) one weighs 0 */
	for (j = 0; j < d; j++) {
		for (m = 0, k = 0, i = 0; i < n; i++)
			if (isfinite(x[i * d + j])) {
				m += x[i * d + j];
				k++;
			}
		m = k ? m / (double)k : 0;
		for (v = 0, i = 0; i < n; i++)
			if (isfinite(x[i * d + j]))
				v += (x[i * d + j] - m) * (x[i * d + j] - m);
		v = k > 1 ? sqrt(v / (double)(k - 1)) : 0;
		for (i = 0; i < n; i++)
			z[i * d + j] = v > 1e-12 && isfinite(x[i * d + j]) ?
			    (x[i * d + j] - m) / v : 0;
	}
	for (i = 0; i < n; i++)
		dmin[i] = INFINITY;
	/* the distance of every item to the nearest one rated */
	for (c = 0; c < n; c++)
		if (known && known[c]) {
			used[c] = 1;
			any = 1;
			closer(z, n, d, c, dmin);
		}
	/* then the next by coverage, maxpick of them; the rest by score */
	for (;;) {
		cover = (size_t)no < maxpick && any;
		bi = n;
		best = -INFINITY;
		for (i = 0; i < n; i++) {
			if (used[i])
				continue;
			p = cover ? sqrt(dmin[i]) * (0.5 + sc(score, i)) :
			    sc(score, i);
			if (p > best) {
				best = p;
				bi = i;
			}
		}
		if (bi == n)
			break;
		used[bi] = 1;
		order[no++] = bi;
		any = 1;
		if ((size_t)no < maxpick)
			closer(z, n, d, bi, dmin);
	}
out:
	free(z);
	free(dmin);
	free(used);
	return no;
}
