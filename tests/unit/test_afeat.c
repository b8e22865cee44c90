/*
 * test_afeat.c - the audio feature library against signals whose answers
 * are known: sines (centroid, RMS, ZCR, level, LUFS from BS.1770's own
 * filter), white noise (flatness, centroid), click trains (tempo), digital
 * silence (finite floors), a melody against a held tone and noise (the
 * timbre, contrast and chroma features), plus the hop bookkeeping that kc-audiofeat's
 * "same features whatever the segment length" promise rests on.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ebur128.h>

#include "afeat.h"

#define RATE 22050
#define MAXHOPS 256

struct hops {
	int n;
	double t[MAXHOPS], dur[MAXHOPS];
	double v[MAXHOPS][KC_AFEAT_N];
};

/* Deterministic noise in [-1, 1): tests must not depend on rand(). */
static double
noise(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (double)(*s >> 8) / (1 << 23) - 1.0;
}

static float *
alloc_sig(size_t n)
{
	float *x = calloc(n, sizeof(*x));

	assert_non_null(x);
	return x;
}

static float *
sine(double f, double amp, double secs, size_t *n)
{
	float *x;
	size_t i;

	*n = (size_t)lround(secs * RATE);
	x = alloc_sig(*n);
	for (i = 0; i < *n; i++)
		x[i] = (float)(amp * sin(2 * M_PI * f * (double)i / RATE));
	return x;
}

static float *
white(double amp, double secs, size_t *n, uint32_t seed)
{
	float *x;
	size_t i;

	*n = (size_t)lround(secs * RATE);
	x = alloc_sig(*n);
	for (i = 0; i < *n; i++)
		x[i] = (float)(amp * noise(&seed));
	return x;
}

/* Short decaying noise bursts (5 ms) every 60/bpm seconds. */
static float *
clicks(double bpm, double secs, size_t *n)
{
	uint32_t seed = 7;
	double period = 60.0 / bpm * RATE, next = 0;
	size_t i, j, len = RATE / 200;
	float *x;

	*n = (size_t)lround(secs * RATE);
	x = alloc_sig(*n);
	for (i = 0; i < *n; i++) {
		if ((double)i >= next) {
			for (j = 0; j < len && i + j < *n; j++)
				x[i + j] = (float)(0.8 * noise(&seed) *
				    (1.0 - (double)j / len));
			next += period;
		}
	}
	return x;
}

static void
drain(kc_afeat *st, struct hops *h)
{
	while (h->n < MAXHOPS &&
	    kc_afeat_next(st, &h->t[h->n], &h->dur[h->n], h->v[h->n]) == 1)
		h->n++;
}

static void
analyse(const float *x, size_t n, double hop, size_t chunk, struct hops *h)
{
	kc_afeat *st = kc_afeat_new(RATE, hop, 0, 8);
	size_t i, k;

	assert_non_null(st);
	h->n = 0;
	for (i = 0; i < n; i += k) {
		k = n - i < chunk ? n - i : chunk;
		assert_int_equal(kc_afeat_push(st, x + i, k), 0);
		drain(st, h);
	}
	assert_int_equal(kc_afeat_finish(st), 0);
	drain(st, h);
	kc_afeat_free(st);
}

static void
assert_near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.6g, want %.6g +- %.3g", what, got, want,
		    tol);
}

static void
assert_all_finite(const struct hops *h)
{
	int i, j;

	for (i = 0; i < h->n; i++)
		for (j = 0; j < KC_AFEAT_N; j++)
			if (!isfinite(h->v[i][j]))
				fail_msg("hop %d: %s is %g", i,
				    kc_afeat_names()[j], h->v[i][j]);
}

static void
test_names(void **state)
{
	const char *const *nm = kc_afeat_names();
	int i;

	(void)state;
	for (i = 0; i < KC_AFEAT_N; i++)
		assert_non_null(nm[i]);
	assert_null(nm[KC_AFEAT_N]);
	assert_string_equal(nm[KC_AF_LOUDNESS_DB], "loudness_db");
	assert_string_equal(nm[KC_AF_MFCC1 + 12], "mfcc13");
	assert_string_equal(nm[KC_AF_FLATNESS], "flatness");
	assert_string_equal(nm[KC_AF_CONTRAST1 + 3], "contrast4");
	assert_string_equal(nm[KC_AF_CHROMA_FLUX], "chroma_flux");
}

static void
test_bad_args(void **state)
{
	kc_afeat *st;
	float x[16] = { 0 };

	(void)state;
	errno = 0;
	assert_null(kc_afeat_new(RATE, 0.01, 0, 8));	/* hop < a frame */
	assert_int_equal(errno, EINVAL);
	assert_null(kc_afeat_new(100, 1, 0, 8));
	assert_null(kc_afeat_new(RATE, 1, NAN, 8));
	assert_null(kc_afeat_new(RATE, 1, 0, 1));
	st = kc_afeat_new(RATE, 1, 0, 8);
	assert_non_null(st);
	assert_int_equal(kc_afeat_push(st, x, 16), 0);
	assert_int_equal(kc_afeat_finish(st), 0);
	errno = 0;
	assert_int_equal(kc_afeat_push(st, x, 16), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kc_afeat_finish(st), -1);
	kc_afeat_free(st);
}

static void
check_sine(double f, double amp)
{
	struct hops h;
	size_t n;
	float *x = sine(f, amp, 4, &n);
	int i;

	analyse(x, n, 1, 4096, &h);
	assert_int_equal(h.n, 4);
	for (i = 0; i < h.n; i++) {
		assert_near(h.v[i][KC_AF_CENTROID_MEAN], f, 0.03 * f,
		    "centroid");
		assert_near(h.v[i][KC_AF_RMS_MEAN], amp / sqrt(2),
		    0.01 * amp, "rms_mean");
		assert_near(h.v[i][KC_AF_RMS_STD], 0, 0.01 * amp, "rms_std");
		assert_near(h.v[i][KC_AF_LOUDNESS_DB],
		    20 * log10(amp / sqrt(2)), 0.05, "loudness_db");
		assert_near(h.v[i][KC_AF_ZCR_MEAN], 2 * f / RATE,
		    0.03 * 2 * f / RATE, "zcr_mean");
		assert_true(h.v[i][KC_AF_FLATNESS] < 0.05);
		if (f < 3000)
			assert_true(h.v[i][KC_AF_HF_RATIO] < 0.01);
		else if (f > 5000)
			assert_true(h.v[i][KC_AF_HF_RATIO] > 0.99);
		assert_near(h.v[i][KC_AF_ROLLOFF], f, 0.05 * f, "rolloff");
		assert_true(h.v[i][KC_AF_TEMPO] == 0 ||
		    h.v[i][KC_AF_BEAT_STRENGTH] < 0.3);
	}
	free(x);
}

static void
test_sines(void **state)
{
	(void)state;
	check_sine(1000, 0.5);
	check_sine(440, 0.9);
	check_sine(6000, 0.25);
}

static void
test_noise(void **state)
{
	struct hops h, hs;
	size_t n;
	float *x = white(0.5, 10, &n, 12345), *s;
	int i;

	(void)state;
	analyse(x, n, 1, 4096, &h);
	assert_int_equal(h.n, 10);
	s = sine(1000, 0.5, 10, &n);
	analyse(s, n, 1, 4096, &hs);
	for (i = 0; i < h.n; i++) {
		assert_true(h.v[i][KC_AF_FLATNESS] > 0.4);
		assert_true(hs.v[i][KC_AF_FLATNESS] <
		    h.v[i][KC_AF_FLATNESS] / 10);
		assert_near(h.v[i][KC_AF_CENTROID_MEAN], RATE / 4.0,
		    0.05 * RATE / 4, "noise centroid");
		/* uniform noise in [-A, A): RMS A / sqrt(3) */
		assert_near(h.v[i][KC_AF_RMS_MEAN], 0.5 / sqrt(3), 0.01,
		    "noise rms");
		assert_near(h.v[i][KC_AF_HF_RATIO], (RATE / 2.0 - 4000) /
		    (RATE / 2.0), 0.03, "noise hf_ratio");
		/* half the samples change sign on white noise */
		assert_near(h.v[i][KC_AF_ZCR_MEAN], 0.5, 0.03, "noise zcr");
		assert_true(h.v[i][KC_AF_FLUX_MEAN] > hs.v[i][KC_AF_FLUX_MEAN]);
		if (h.t[i] >= 7)
			assert_true(h.v[i][KC_AF_BEAT_STRENGTH] < 0.3);
	}
	free(x);
	free(s);
}

/*
 * A melody: a tone (with two harmonics) that moves between pitch classes
 * every quarter second, for secs seconds.
 */
static float *
melody(double secs, size_t *n)
{
	static const double f[4] = { 220, 277.18, 329.63, 392 };
	double ph = 0, fr;
	float *x;
	size_t i;

	*n = (size_t)lround(secs * RATE);
	x = alloc_sig(*n);
	for (i = 0; i < *n; i++) {
		fr = f[(i / (RATE / 4)) % 4];
		ph += 2 * M_PI * fr / RATE;
		x[i] = (float)(0.3 * sin(ph) + 0.15 * sin(2 * ph) +
		    0.07 * sin(3 * ph));
	}
	return x;
}

/*
 * What the timbre, contrast and chroma features are for: a held tone has
 * one pitch class and a peaky spectrum that does not change; a melody
 * keeps the peaks but moves between pitch classes and changes its MFCCs;
 * noise has no pitch class and no contrast to speak of.
 */
static void
test_timbre_chroma(void **state)
{
	struct hops ht, hm, hn;
	size_t n;
	float *t = sine(440, 0.5, 4, &n), *m, *w;
	int i, c;

	(void)state;
	analyse(t, n, 1, 4096, &ht);
	m = melody(4, &n);
	analyse(m, n, 1, 4096, &hm);
	w = white(0.5, 4, &n, 777);
	analyse(w, n, 1, 4096, &hn);
	assert_int_equal(ht.n, 4);
	assert_int_equal(hm.n, 4);
	assert_int_equal(hn.n, 4);
	assert_all_finite(&hm);
	for (i = 0; i < 4; i++) {
		/* a tone: one pitch class (A), steady */
		assert_true(ht.v[i][KC_AF_CHROMA_PEAK] > 0.9);
		assert_true(ht.v[i][KC_AF_CHROMA_FLUX] < 0.01);
		/* the timbre of a steady tone changes least */
		assert_true(ht.v[i][KC_AF_MFCC_DELTA] <
		    0.6 * hm.v[i][KC_AF_MFCC_DELTA]);
		assert_true(ht.v[i][KC_AF_MFCC_DELTA] <
		    0.6 * hn.v[i][KC_AF_MFCC_DELTA]);
		assert_true(ht.v[i][KC_AF_CONTRAST1] > 20);
		/* the melody: tonal too, but its notes change four times a
		 * second (about 1.5 of the 86 frames a second each see
		 * a change of up to 1) */
		assert_true(hm.v[i][KC_AF_CHROMA_PEAK] > 0.5);
		assert_true(hm.v[i][KC_AF_CHROMA_FLUX] > 0.01);
		assert_true(hm.v[i][KC_AF_CHROMA_FLUX] <
		    0.5 * hn.v[i][KC_AF_CHROMA_FLUX] + 0.2);
		assert_true(hm.v[i][KC_AF_MFCC_SPREAD] >
		    2 * ht.v[i][KC_AF_MFCC_SPREAD]);
		assert_true(hm.v[i][KC_AF_CONTRAST1] > 20);
		/* white noise: pitch classes near even (1/12 each, give or
		 * take the bins' uneven spread over them), a flat spectrum
		 * whose contrast is only its bins' chi-square scatter */
		assert_true(hn.v[i][KC_AF_CHROMA_PEAK] < 0.2);
		for (c = 0; c < 4; c++) {
			assert_true(hn.v[i][KC_AF_CONTRAST1 + c] > 5);
			assert_true(hn.v[i][KC_AF_CONTRAST1 + c] < 13);
		}
		assert_true(hn.v[i][KC_AF_CONTRAST1] <
		    hm.v[i][KC_AF_CONTRAST1] / 2);
	}
	free(t);
	free(m);
	free(w);
}

static void
check_tempo(double bpm)
{
	struct hops h;
	size_t n;
	float *x = clicks(bpm, 14, &n);
	int i, checked = 0;

	analyse(x, n, 1, 4096, &h);
	assert_int_equal(h.n, 14);
	for (i = 0; i < h.n; i++) {
		if (h.t[i] + h.dur[i] < 8)	/* window not yet full */
			continue;
		checked++;
		assert_near(h.v[i][KC_AF_TEMPO], bpm, 2, "tempo");
		assert_true(h.v[i][KC_AF_BEAT_STRENGTH] > 0.5);
		assert_true(h.v[i][KC_AF_BEAT_STRENGTH] <= 1);
		assert_true(h.v[i][KC_AF_ONSET_MAX] > 1);
	}
	assert_int_equal(checked, 7);
	free(x);
}

static void
test_tempo(void **state)
{
	(void)state;
	check_tempo(120);
	check_tempo(90);
	check_tempo(150);
	check_tempo(73);
}

/* The same clicks at random times (0.15-0.85 s apart): no tempo to find. */
static void
test_no_tempo(void **state)
{
	struct hops h;
	uint32_t seed = 3;
	size_t n = 14 * RATE, i, j, len = RATE / 200;
	double next = 0;
	float *x = alloc_sig(n);
	int k, looked = 0;

	(void)state;
	for (i = 0; i < n; i++)
		if ((double)i >= next) {
			for (j = 0; j < len && i + j < n; j++)
				x[i + j] = (float)(0.8 * noise(&seed) *
				    (1.0 - (double)j / len));
			next += (0.5 + 0.35 * noise(&seed)) * RATE;
		}
	analyse(x, n, 1, 4096, &h);
	for (k = 0; k < h.n; k++) {
		assert_true(h.v[k][KC_AF_BEAT_STRENGTH] < 0.4);
		assert_true(h.v[k][KC_AF_ONSET_MAX] > 1);
		looked += h.v[k][KC_AF_BEAT_STRENGTH] > 0;
	}
	assert_true(looked >= 8);	/* the estimate ran, and found little */
	free(x);
}

static void
test_silence(void **state)
{
	struct hops h;
	size_t n = 5 * RATE;
	float *x = alloc_sig(n);
	int i, j;

	(void)state;
	analyse(x, n, 1, 1000, &h);
	assert_int_equal(h.n, 5);
	assert_all_finite(&h);
	for (i = 0; i < h.n; i++) {
		assert_true(h.v[i][KC_AF_LOUDNESS_DB] == -120);
		assert_true(h.v[i][KC_AF_LUFS_M] == -120);
		assert_true(h.v[i][KC_AF_LUFS_S] == -120);
		assert_true(h.v[i][KC_AF_TEMPO] == 0);
		assert_true(h.v[i][KC_AF_BEAT_STRENGTH] == 0);
		for (j = 0; j <= KC_AF_ZCR_STD; j++)
			if (j != KC_AF_LOUDNESS_DB && j != KC_AF_LUFS_M &&
			    j != KC_AF_LUFS_S)
				assert_true(h.v[i][j] == 0);
	}
	free(x);
}

static void
test_nonfinite_input(void **state)
{
	struct hops h;
	size_t n, i;
	float *x = sine(500, 0.5, 3, &n);

	(void)state;
	for (i = 1000; i < n; i += 997)
		x[i] = (i % 2) ? NAN : INFINITY;
	analyse(x, n, 1, 333, &h);
	assert_int_equal(h.n, 3);
	assert_all_finite(&h);
	free(x);
}

/* |H(e^jw)|^2 of one biquad. */
static double
biquad_pow(const double b[3], const double a[3], double w)
{
	double br = b[0] + b[1] * cos(w) + b[2] * cos(2 * w);
	double bi = -b[1] * sin(w) - b[2] * sin(2 * w);
	double ar = a[0] + a[1] * cos(w) + a[2] * cos(2 * w);
	double ai = -a[1] * sin(w) - a[2] * sin(2 * w);

	return (br * br + bi * bi) / (ar * ar + ai * ai);
}

/*
 * ITU-R BS.1770-4: K-weighting at 48 kHz (table 1 and 2 coefficients)
 * and L = -0.691 + 10 log10(mean square of the weighted signal).
 */
static double
bs1770_sine_lufs(double f, double amp)
{
	static const double b1[3] = { 1.53512485958697, -2.69169618940638,
	    1.19839281085285 };
	static const double a1[3] = { 1.0, -1.69065929318241,
	    0.73248077421585 };
	static const double b2[3] = { 1.0, -2.0, 1.0 };
	static const double a2[3] = { 1.0, -1.99004745483398,
	    0.99007225036621 };
	double w = 2 * M_PI * f / 48000;

	return -0.691 + 10 * log10(amp * amp / 2 * biquad_pow(b1, a1, w) *
	    biquad_pow(b2, a2, w));
}

static void
test_lufs(void **state)
{
	static const double amps[] = { 1.0, 0.5, 0.05 };
	struct hops h;
	ebur128_state *ref;
	double want, integ;
	size_t n, a;
	float *x;
	int i;

	(void)state;
	for (a = 0; a < sizeof(amps) / sizeof(amps[0]); a++) {
		x = sine(1000, amps[a], 6, &n);
		analyse(x, n, 1, 4096, &h);
		want = bs1770_sine_lufs(1000, amps[a]);
		/* sanity of the formula itself: 0 dBFS sine is -3.01 LUFS */
		if (amps[a] == 1.0)
			assert_near(want, -3.01, 0.05, "BS.1770 at 0 dBFS");
		ref = ebur128_init(1, RATE, EBUR128_MODE_I);
		assert_non_null(ref);
		assert_int_equal(ebur128_add_frames_float(ref, x, n), 0);
		assert_int_equal(ebur128_loudness_global(ref, &integ), 0);
		ebur128_destroy(&ref);
		assert_near(integ, want, 0.5, "libebur128 integrated");
		for (i = 0; i < h.n; i++) {
			assert_near(h.v[i][KC_AF_LUFS_M], want, 0.5,
			    "lufs_momentary vs BS.1770");
			assert_near(h.v[i][KC_AF_LUFS_M], integ, 0.5,
			    "lufs_momentary vs libebur128");
			if (h.t[i] + h.dur[i] >= 3)
				assert_near(h.v[i][KC_AF_LUFS_S], integ, 0.5,
				    "lufs_shortterm vs libebur128");
		}
		free(x);
	}
}

/* A signal with a bit of everything: tone, noise bursts, clicks, silence. */
static float *
mixed(double secs, size_t *n)
{
	uint32_t seed = 99;
	float *x, *c;
	size_t i, nc;

	*n = (size_t)lround(secs * RATE);
	x = alloc_sig(*n);
	c = clicks(100, secs, &nc);
	for (i = 0; i < *n; i++) {
		double t = (double)i / RATE;

		x[i] = (float)(0.3 * sin(2 * M_PI * 330 * t) + c[i]);
		if (t > 2 && t < 3)
			x[i] += (float)(0.4 * noise(&seed));
		if (t > 4.2 && t < 4.9)
			x[i] = 0;
	}
	free(c);
	return x;
}

static void
test_chunking(void **state)
{
	static const size_t chunks[] = { 1, 100, 4096, 1 << 30 };
	struct hops ref, h;
	size_t n, c;
	float *x = mixed(7.3, &n);
	int i;

	(void)state;
	analyse(x, n, 1, chunks[0], &ref);
	assert_int_equal(ref.n, 8);
	assert_all_finite(&ref);
	for (c = 1; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		analyse(x, n, 1, chunks[c], &h);
		assert_int_equal(h.n, ref.n);
		for (i = 0; i < h.n; i++) {
			assert_true(h.t[i] == ref.t[i]);
			assert_true(h.dur[i] == ref.dur[i]);
			assert_memory_equal(h.v[i], ref.v[i], sizeof(h.v[i]));
		}
	}
	free(x);
}

static void
check_count(double secs, double hop, int want, double lastdur)
{
	struct hops h;
	size_t n;
	float *x = mixed(secs, &n);
	int i;

	analyse(x, n, hop, 4096, &h);
	assert_int_equal(h.n, want);
	for (i = 0; i < h.n; i++) {
		assert_near(h.t[i], i * hop, 1e-9, "hop start");
		if (i < h.n - 1)
			assert_true(h.dur[i] == hop);
	}
	assert_near(h.dur[h.n - 1], lastdur, 1.0 / RATE, "last dur");
	free(x);
}

static void
test_hop_count(void **state)
{
	(void)state;
	check_count(5.5, 1, 6, 0.5);	/* ceil(5.5 / 1), partial 0.5 s */
	check_count(5.0, 1, 5, 1);
	check_count(5.3, 1, 6, 0.3);
	check_count(5.1, 1, 5, 1);	/* 0.1 s is too short to report */
	check_count(3.0, 0.25, 12, 0.25);
	check_count(4.8, 0.5, 10, 0.3);
	check_count(4.7, 0.5, 9, 0.5);	/* 0.2 s dropped */
}

/* hop grid in stream time starts at t0 */
static void
test_t0(void **state)
{
	struct hops h;
	kc_afeat *st = kc_afeat_new(RATE, 2, 100, 8);
	size_t n;
	float *x = mixed(5, &n);

	(void)state;
	assert_non_null(st);
	h.n = 0;
	assert_int_equal(kc_afeat_push(st, x, n), 0);
	drain(st, &h);
	assert_int_equal(kc_afeat_finish(st), 0);
	drain(st, &h);
	assert_int_equal(h.n, 3);
	assert_true(h.t[0] == 100 && h.t[1] == 102 && h.t[2] == 104);
	assert_near(h.dur[2], 1, 1e-9, "partial after t0");
	kc_afeat_free(st);
	free(x);
}

/*
 * Stopping at 5 s with the next samples as a tail gives the first five
 * hops exactly as a 10 s run does; without the tail the last one differs
 * only in its last frames.  Also checks kc_afeat_on_boundary.
 */
static void
test_finish_ahead(void **state)
{
	struct hops full, cut;
	kc_afeat *st;
	size_t n, half = 5 * RATE;
	float *x = mixed(10, &n);
	int i;

	(void)state;
	analyse(x, n, 1, 4096, &full);
	assert_int_equal(full.n, 10);
	st = kc_afeat_new(RATE, 1, 0, 8);
	assert_non_null(st);
	cut.n = 0;
	assert_int_equal(kc_afeat_push(st, x, half - 3), 0);
	assert_int_equal(kc_afeat_on_boundary(st), 0);
	assert_int_equal(kc_afeat_push(st, x + half - 3, 3), 0);
	assert_int_equal(kc_afeat_on_boundary(st), 1);
	assert_true(kc_afeat_samples(st) == (long long)half);
	drain(st, &cut);
	assert_int_equal(cut.n, 4);	/* hop 4 needs frames past 5 s */
	assert_int_equal(kc_afeat_finish_ahead(st, x + half, 100000), 0);
	drain(st, &cut);
	kc_afeat_free(st);
	assert_int_equal(cut.n, 5);
	for (i = 0; i < 5; i++) {
		assert_true(cut.t[i] == full.t[i] && cut.dur[i] == full.dur[i]);
		assert_memory_equal(cut.v[i], full.v[i], sizeof(cut.v[i]));
	}

	/* a partial hop [5, 5.5) of the same media, frames completed by the
	 * tail: its loudness is that of the samples up to 5.5 s only */
	st = kc_afeat_new(RATE, 1, 0, 8);
	assert_non_null(st);
	cut.n = 0;
	assert_int_equal(kc_afeat_push(st, x, half + RATE / 2), 0);
	assert_int_equal(kc_afeat_finish_ahead(st, x + half + RATE / 2,
	    KC_AFEAT_TAIL), 0);
	drain(st, &cut);
	kc_afeat_free(st);
	assert_int_equal(cut.n, 6);
	assert_near(cut.dur[5], 0.5, 1e-9, "partial dur");
	for (i = 0; i < 5; i++)
		assert_memory_equal(cut.v[i], full.v[i], sizeof(cut.v[i]));
	free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_sines),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_timbre_chroma),
		cmocka_unit_test(test_tempo),
		cmocka_unit_test(test_no_tempo),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_nonfinite_input),
		cmocka_unit_test(test_lufs),
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_hop_count),
		cmocka_unit_test(test_t0),
		cmocka_unit_test(test_finish_ahead),
	};

	return cmocka_run_group_tests_name("afeat", tests, NULL, NULL);
}
