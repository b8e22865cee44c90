/*
 * select.c - robust per-stream statistics and the window/NMS selection
 * used by kc-score.  Medians use quickselect so a 10-hour stream's column
 * (36,000 values) costs microseconds and no extra memory.
 */
#include <math.h>

#include "select.h"

static size_t
compact_finite(float *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	return k;
}

/* k-th smallest of v[0..n) (Hoare quickselect, median-of-three pivot). */
static float
select_kth(float *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1, i, j, mid;
	float p, t;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid] < v[lo]) { t = v[mid]; v[mid] = v[lo]; v[lo] = t; }
		if (v[hi] < v[lo]) { t = v[hi]; v[hi] = v[lo]; v[lo] = t; }
		if (v[hi] < v[mid]) { t = v[hi]; v[hi] = v[mid]; v[mid] = t; }
		p = v[mid];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < p)
				i++;
			while (v[j] > p)
				j--;
			if (i <= j) {
				t = v[i]; v[i] = v[j]; v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

static double
median_of(float *v, size_t n)
{
	float a, b;

	if (n % 2)
		return select_kth(v, n, n / 2);
	a = select_kth(v, n, n / 2 - 1);
	b = select_kth(v, n, n / 2);
	return ((double)a + (double)b) / 2;
}

size_t
kc_median(float *v, size_t n, double *med)
{
	size_t k = compact_finite(v, n);

	*med = k ? median_of(v, k) : NAN;
	return k;
}

size_t
kc_robust(float *v, size_t n, double *med, double *scale)
{
	size_t i, k = compact_finite(v, n);

	if (k == 0) {
		*med = *scale = NAN;
		return 0;
	}
	*med = median_of(v, k);
	for (i = 0; i < k; i++)
		v[i] = (float)fabs(v[i] - *med);
	*scale = 1.4826 * median_of(v, k);
	return k;
}

double
kc_softclip(double z, double lo, double hi)
{
	if (isnan(z))
		return 0;
	if (z >= 0)
		return hi > 0 ? hi * tanh(z / hi) : 0;
	return lo < 0 ? -lo * tanh(z / -lo) : 0;
}

size_t
kc_window_means(const float *s, size_t n, size_t w, float *out)
{
	const double pi = 3.14159265358979323846;
	double sum, norm = 0;
	size_t i, j;

	if (w == 0 || n < w)
		return 0;
	for (i = 0; i < w; i++)
		norm += 0.5 + 0.5 * sin(pi * (i + 0.5) / w);
	for (j = 0; j + w <= n; j++) {
		sum = 0;
		for (i = 0; i < w; i++)
			sum += (0.5 + 0.5 * sin(pi * (i + 0.5) / w)) * s[j + i];
		out[j] = (float)(sum / norm);
	}
	return n - w + 1;
}

int
kc_onset(const float *s, size_t n, double med, size_t a, size_t w,
    size_t *onset)
{
	double best = -INFINITY, m, thr;
	size_t j, pk = a, q, lim;
	int k;

	for (j = a; j < a + w && j < n; j++) {
		m = 0;
		k = 0;
		if (j > 0 && isfinite(s[j - 1]))
			m += s[j - 1], k++;
		if (isfinite(s[j]))
			m += s[j], k++;
		if (j + 1 < n && isfinite(s[j + 1]))
			m += s[j + 1], k++;
		if (k > 0 && m / k > best) {
			best = m / k;
			pk = j;
		}
	}
	if (!(best > med))
		return 0;
	thr = med + (best - med) / 2;
	lim = pk >= w ? pk - w : 0;
	for (q = pk; q > lim && isfinite(s[q - 1]) && s[q - 1] >= thr; q--)
		;
	*onset = q;
	return 1;
}

size_t
kc_pick(const float *score, size_t m, size_t sep, size_t k, size_t *picked,
    unsigned char *mark)
{
	size_t i, best, got = 0, lo, hi;
	int found;

	for (i = 0; i < m; i++)
		mark[i] = !isfinite(score[i]);
	while (got < k) {
		found = 0;
		best = 0;
		for (i = 0; i < m; i++)
			if (!mark[i] && (!found || score[i] > score[best])) {
				best = i;
				found = 1;
			}
		if (!found)
			break;
		picked[got++] = best;
		lo = best >= sep - (sep > 0) ? best - (sep - (sep > 0)) : 0;
		hi = best + sep;
		for (i = lo; i < m && i < hi; i++)
			mark[i] = 1;
		mark[best] = 1;
	}
	return got;
}

double
kc_squash(double z)
{
	if (isnan(z))
		return 0;
	/* asinh keeps big z apart: 0 -> 0.14, 1 -> 0.31, 3 -> 0.60,
	 * 10 -> 0.85, 100 -> 0.99 */
	return 1.0 / (1.0 + exp(-1.2 * (asinh(z) - 1.5)));
}
