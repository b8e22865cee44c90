/*
 * select.h - the numeric core of highlight selection: robust statistics,
 * soft clipping, window scores and non-maximum suppression.
 *
 * Pure functions on arrays: no I/O, no JSON, no allocation unless noted.
 * Per-hop arrays are float: a 10-hour stream's scores then take 144 kB.
 */
#ifndef KC_SELECT_H
#define KC_SELECT_H

#include <stddef.h>

/*
 * Median of the finite values among v[0..n) (v is reordered).  Returns
 * the number of finite values used; *med is NaN when there are none.
 */
size_t kc_median(float *v, size_t n, double *med);

/*
 * Median and robust scale (1.4826 x median absolute deviation) of the
 * finite values of v (v is overwritten).  Returns the count used.
 */
size_t kc_robust(float *v, size_t n, double *med, double *scale);

/* z squashed smoothly into (lo, hi): lo*tanh(z/lo) below 0, hi*tanh(z/hi)
 * above (lo < 0 < hi); keeps order, unlike a hard clip. */
double kc_softclip(double z, double lo, double hi);

/*
 * Tapered window means: out[j] = sum_i t(i) s[j+i] / sum_i t(i) for
 * i in [0, w), j in [0, n-w], where t rises from 0.5 at the window's edges
 * to 1 in its middle, so of two windows holding the same event the one
 * that centres it scores higher.  Returns the number of windows (n-w+1),
 * or 0 when n < w or w == 0.
 */
size_t kc_window_means(const float *s, size_t n, size_t w, float *out);

/*
 * Greedy non-maximum suppression: picks up to k indices of score[0..m)
 * in descending score order such that any two picked indices are at least
 * sep apart; NaN scores are never picked.  picked[] receives them best
 * first.  Uses mark[0..m) as scratch.  Returns the number picked.
 */
size_t kc_pick(const float *score, size_t m, size_t sep, size_t k,
    size_t *picked, unsigned char *mark);

/*
 * The onset of the event in the hop scores s[a..a+w) (of s[0..n)): its
 * peak is the hop with the highest mean score over it and its two
 * neighbours; its onset, going back from the peak (at most w hops), the
 * first hop of the run whose scores stay at least half way from med (the
 * stream's typical hop score) to the peak.  Returns 1 with *onset set, 0
 * when no hop stands above med.  NaN hops end the run and count nothing.
 */
int kc_onset(const float *s, size_t n, double med, size_t a, size_t w,
    size_t *onset);

/* A window's standing (z-score among the stream's windows) as a 0-1 score:
 * logistic of asinh(z), increasing, 0.14 at z = 0 and 0.85 at z = 10. */
double kc_squash(double z);

#endif
