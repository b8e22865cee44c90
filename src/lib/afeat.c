/*
 * afeat.c - the audio analysis behind kc-audiofeat: per-hop loudness,
 * spectral shape, onset/tempo and MFCC features of a mono stream (see
 * afeat.h for the contract and docs/records.md for the names).
 *
 * Two clocks run side by side.  The sample clock sees every sample once:
 * it feeds libebur128 and the hop's sum of squares and, at each hop
 * boundary, parks the hop's sample results in a small pending list.  The
 * frame clock lags it by half a frame: a hop is closed when the next
 * frame's centre lies past the hop's end, which needs KC_AFEAT_TAIL
 * samples beyond it.  Everything the analysis keeps is a fixed-size
 * buffer (one frame, the previous spectra, the onset envelope of the tempo
 * window, libebur128's 3 s of history), so memory does not grow with the
 * length of the stream.  The only growing thing is the queue of finished
 * hops, which the caller drains.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>
#include <kiss_fftr.h>

#include "afeat.h"

#define FRAME KC_AFEAT_FRAME
#define STEP KC_AFEAT_STEP
#define NBIN (FRAME / 2 + 1)
#define NMEL 40
#define NMFCC 13
#define NDELTA (NMFCC - 1)	/* MFCC2..13: the timbre without c0 */
#define NCON 4			/* spectral contrast bands */
#define NCHROMA 12
#define CHROMA_LO 65.0		/* Hz: C2 and up */
#define CHROMA_HI 5000.0
#define CHUNK 1024		/* samples sanitised and analysed at once */

/*
 * -100 dB: the floor under every log of a power, so digital silence gives
 * finite levels; frames with a mean square below it count as silent.
 */
#define POW_FLOOR 1e-10f
#define DB_FLOOR -120.0		/* floor of the reported dB/LUFS levels */
#define HF_EDGE 4000.0		/* Hz, for hf_ratio */
#define ROLL_SHARE 0.85
#define BPM_LO 60.0
#define BPM_HI 200.0
/*
 * dB: an onset envelope that varies less than this (standard deviation)
 * has no beat.  White noise gives about 0.2, a steady tone less; what
 * the frame grid does to a tone is periodic but is not a tempo.
 */
#define MIN_ONSET_STD 0.5
/*
 * A correlation peak lower than this share of lag 0 is chance, not a
 * beat: one loud onset in the window gives about 0.01, clicks at random
 * times 0.1-0.3, a steady beat 0.8 and more.
 */
#define MIN_BEAT 0.1
#define DB_PER_NEPER 4.342944819032518	/* 10 / ln 10 */

static const char *const names[KC_AFEAT_N + 1] = {
	"rms_mean", "rms_std", "rms_max", "loudness_db", "loudness_var",
	"lufs_momentary", "lufs_shortterm", "centroid_mean", "centroid_std",
	"rolloff", "flux_mean", "flux_max", "onset_mean", "onset_max",
	"zcr_mean", "zcr_std", "tempo", "beat_strength",
	"mfcc1", "mfcc2", "mfcc3", "mfcc4", "mfcc5", "mfcc6", "mfcc7",
	"mfcc8", "mfcc9", "mfcc10", "mfcc11", "mfcc12", "mfcc13",
	"hf_ratio", "flatness", "mfcc_delta", "mfcc_spread", "contrast1",
	"contrast2", "contrast3", "contrast4", "chroma_peak", "chroma_flux",
	NULL
};

/* What the sample clock knows about one hop. */
struct hopsum {
	long long k;		/* hop index */
	double sq;		/* sum of squared samples */
	long long n;		/* samples */
	double lufs_m, lufs_s;	/* at the hop's last sample */
};

/* Sums over the frames of the hop the frame clock is filling. */
struct frameacc {
	long nf;		/* frames */
	long nspec;		/* frames loud enough to have a spectrum */
	double rms, rms2, rmsmax;
	double db, db2;
	double cen, cen2, roll, flat;
	double flux, fluxmax, onset, onsetmax;
	double zcr, zcr2;
	double phf, ptot;
	double mel[NMEL];
	double mfd;			/* sum of frames' mean |MFCC change| */
	long nmfd;
	double mfs[NDELTA], mfs2[NDELTA];	/* MFCC2..13 sums, squares */
	double con[NCON];
	double chp, chf;		/* chroma peak, flux sums */
	long nchf;
};

struct outhop {
	double t, dur;
	double v[KC_AFEAT_N];
};

struct kc_afeat {
	int rate;
	double hop, t0;
	int done;		/* finish was called */

	/* sample clock */
	long long n;		/* samples pushed */
	struct hopsum cur;	/* hop cur.k, the one the next sample is in */
	long long snext;	/* B(cur.k + 1) */
	struct hopsum pend[2];	/* hops with all samples, frames pending */
	int npend;
	ebur128_state *r128;
	float chunk[CHUNK];

	/* frame clock */
	float buf[FRAME];	/* samples [nframes*STEP, nframes*STEP+nbuf) */
	size_t nbuf;
	long long nframes;	/* frames analysed */
	long long fk;		/* hop the frames are filling */
	long long fnext;	/* B(fk + 1) */
	struct frameacc acc;
	int haveprev, haveprevch;
	float prevl[NBIN], prevmel[NMEL];
	float prevc[NDELTA], prevch[NCHROMA];

	/* fixed tables and work space */
	kiss_fftr_cfg fft;
	float win[FRAME], tin[FRAME];
	kiss_fft_cpx spec[NBIN];
	float pw[NBIN + 4];	/* zeros past NBIN, for the mel loop */
	float freq[NBIN], hfmask[NBIN];	/* hfmask: 1 above HF_EDGE */
	/* mel band m: weights melw[meloff[m] + i] of bins melbin[m] + i,
	 * i < mellen[m] (triangles, peak 1; zeros pad mellen to 4k) */
	int melbin[NMEL], mellen[NMEL], meloff[NMEL];
	float melw[2 * NBIN + 4 * NMEL];
	float dct[NMFCC][NMEL];
	int conlo[NCON + 1];	/* contrast band i: bins [conlo[i], conlo[i+1]) */
	signed char chroma[NBIN];	/* pitch class of a bin, -1: none */
	int chlo, chhi;		/* the bins that have one: [chlo, chhi) */

	/* tempo: the onset envelope of the last tempo window */
	float *onring, *ontmp;
	size_t onsize, onpos, oncount;
	double *acf;
	int laglo, laghi;	/* lags searched, frames */
	double frate;		/* frames per second */

	/* finished hops, oldest at qhead */
	struct outhop *q;
	size_t qhead, qlen, qcap;
};

const char *const *
kc_afeat_names(void)
{
	return names;
}

/* First sample of hop k, counted from the first sample pushed. */
static long long
bound(const kc_afeat *st, long long k)
{
	return llround((double)k * st->hop * st->rate);
}

static double
mel_of(double f)
{
	return 2595.0 * log10(1.0 + f / 700.0);
}

static double
hz_of(double m)
{
	return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
}

/* Hz: the contrast bands' edges (the last: past any Nyquist) */
static const double con_edge[NCON + 1] = { 0, 500, 1500, 4000, 1e9 };

static void
init_tables(kc_afeat *st)
{
	double pts[NMEL + 2], melmax, f, w;
	int b, i, c, m, off = 0;

	for (i = 0; i < FRAME; i++)
		st->win[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * i / FRAME));
	for (b = 0; b < NBIN; b++) {
		f = (double)b * st->rate / FRAME;
		st->freq[b] = (float)f;
		st->hfmask[b] = f > HF_EDGE;
	}
	/* HTK mel scale, 40 triangles from 0 Hz to Nyquist */
	melmax = mel_of(st->rate / 2.0);
	for (i = 0; i < NMEL + 2; i++)
		pts[i] = hz_of(melmax * i / (NMEL + 1));
	for (m = 0; m < NMEL; m++) {
		st->melbin[m] = -1;
		st->mellen[m] = 0;
		st->meloff[m] = off;
		for (b = 0; b < NBIN; b++) {
			f = st->freq[b];
			if (f <= pts[m] || f >= pts[m + 2])
				continue;
			w = f < pts[m + 1] ? (f - pts[m]) / (pts[m + 1] - pts[m])
			    : (pts[m + 2] - f) / (pts[m + 2] - pts[m + 1]);
			if (st->melbin[m] < 0)
				st->melbin[m] = b;
			st->melw[off++] = (float)w;
			st->mellen[m]++;
		}
		if (st->melbin[m] < 0)
			st->melbin[m] = 0;
		for (; st->mellen[m] % 4 != 0; st->mellen[m]++)
			st->melw[off++] = 0;
	}
	for (c = 0; c < NMFCC; c++)
		for (m = 0; m < NMEL; m++)
			st->dct[c][m] = (float)(sqrt((c ? 2.0 : 1.0) / NMEL) *
			    cos(M_PI * c * (m + 0.5) / NMEL));
	for (i = 0; i <= NCON; i++) {	/* the DC bin is in no band */
		b = (int)ceil(con_edge[i] * FRAME / st->rate);
		st->conlo[i] = b < 1 ? 1 : b > NBIN ? NBIN : b;
	}
	st->chlo = NBIN;
	for (b = 0; b < NBIN; b++) {
		f = st->freq[b];
		st->chroma[b] = f < CHROMA_LO || f > CHROMA_HI ? -1 :
		    (signed char)(((lround(12 * log2(f / 440.0)) % NCHROMA) +
		    NCHROMA) % NCHROMA);
		if (st->chroma[b] >= 0) {
			st->chlo = b < st->chlo ? b : st->chlo;
			st->chhi = b + 1;
		}
	}
}

kc_afeat *
kc_afeat_new(int rate, double hop, double t0, double tempo_window)
{
	kc_afeat *st;

	if (rate < 8000 || rate > 192000 || !isfinite(hop) ||
	    hop * rate < FRAME || hop > 3600 || !isfinite(t0) ||
	    !(tempo_window >= 2 && tempo_window <= 120)) {
		errno = EINVAL;
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->rate = rate;
	st->hop = hop;
	st->t0 = t0;
	st->frate = (double)rate / STEP;
	st->laglo = (int)floor(60.0 * st->frate / BPM_HI);
	st->laghi = (int)ceil(60.0 * st->frate / BPM_LO);
	st->onsize = (size_t)lround(tempo_window * st->frate);
	st->onring = calloc(st->onsize, sizeof(*st->onring));
	st->ontmp = calloc(st->onsize, sizeof(*st->ontmp));
	st->acf = calloc((size_t)st->laghi + 3, sizeof(*st->acf));
	st->fft = kiss_fftr_alloc(FRAME, 0, NULL, NULL);
	st->r128 = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_S);
	if (st->onring == NULL || st->ontmp == NULL || st->acf == NULL ||
	    st->fft == NULL || st->r128 == NULL) {
		kc_afeat_free(st);
		errno = ENOMEM;
		return NULL;
	}
	init_tables(st);
	st->snext = bound(st, 1);
	st->fnext = st->snext;
	return st;
}

void
kc_afeat_free(kc_afeat *st)
{
	if (st == NULL)
		return;
	if (st->r128)
		ebur128_destroy(&st->r128);
	if (st->fft)
		kiss_fftr_free(st->fft);
	free(st->acf);
	free(st->ontmp);
	free(st->onring);
	free(st->q);
	free(st);
}

/* A level in LUFS from libebur128, floored so silence stays finite. */
static double
floor_db(double v)
{
	return v > DB_FLOOR ? v : DB_FLOOR;
}

static void
measure_lufs(kc_afeat *st, struct hopsum *h)
{
	double v;

	h->lufs_m = h->lufs_s = DB_FLOOR;
	if (ebur128_loudness_momentary(st->r128, &v) == EBUR128_SUCCESS)
		h->lufs_m = floor_db(v);
	if (ebur128_loudness_shortterm(st->r128, &v) == EBUR128_SUCCESS)
		h->lufs_s = floor_db(v);
}

static struct outhop *
queue_slot(kc_afeat *st)
{
	struct outhop *nq;
	size_t ncap, i;

	if (st->qlen == st->qcap) {
		ncap = st->qcap ? st->qcap * 2 : 8;
		if (ncap > SIZE_MAX / sizeof(*nq) ||
		    (nq = malloc(ncap * sizeof(*nq))) == NULL)
			return NULL;
		for (i = 0; i < st->qlen; i++)
			nq[i] = st->q[(st->qhead + i) % st->qcap];
		free(st->q);
		st->q = nq;
		st->qcap = ncap;
		st->qhead = 0;
	}
	return &st->q[(st->qhead + st->qlen) % st->qcap];
}

static double
acf_at(const float *x, size_t n, size_t lag)
{
	double sum = 0;
	size_t i;

	for (i = 0; i + lag < n; i++)
		sum += (double)x[i] * x[i + lag];
	return sum;
}

/* Vertex of the parabola through (-1, a), (0, b), (1, c): offset, height. */
static double
vertex(double a, double b, double c, double *height)
{
	double den = a - 2 * b + c, d = den < 0 ? 0.5 * (a - c) / den : 0;

	if (d < -0.5)
		d = -0.5;
	if (d > 0.5)
		d = 0.5;
	*height = b - 0.25 * (a - c) * d;
	return d;
}

/*
 * Tempo from the onset envelope now in the ring, the classic way: the
 * autocorrelation peak inside 60-200 BPM, its lag and height refined by a
 * parabola.  The envelope is smoothed first (binomial, 7 taps): a click
 * lights up one or two frames, and a beat period that is not a whole
 * number of frames would split its peak over two lags while the peak at
 * twice the period stays whole and wins.  Of two octave-related peaks the
 * shorter lag is kept when it is at least half as high: the biased
 * autocorrelation (sums, not means) already leans that way, as a click
 * train correlates as well at twice its period as at its period.
 */
static void
tempo(kc_afeat *st, double *bpm, double *strength)
{
	static const float g[7] = { 1 / 64.0f, 6 / 64.0f, 15 / 64.0f,
	    20 / 64.0f, 15 / 64.0f, 6 / 64.0f, 1 / 64.0f };
	size_t n = st->oncount, i, j, start;
	double mean = 0, var = 0, r0, h, best = 0, bestd = 0, d, *r = st->acf;
	int lag, hi, at = 0, m, k;
	float *x = st->ontmp;

	*bpm = *strength = 0;
	/* a few beats make any spacing look regular: wait for half a window */
	if (n < 7 || n < st->onsize / 2)
		return;
	start = (st->onpos + st->onsize - n) % st->onsize;
	for (i = 0; i < n; i++) {
		x[i] = st->onring[(start + i) % st->onsize];
		mean += x[i];
	}
	mean /= (double)n;
	for (i = 0; i < n; i++) {
		x[i] -= (float)mean;
		var += (double)x[i] * x[i];
	}
	if (var < MIN_ONSET_STD * MIN_ONSET_STD * (double)n)
		return;		/* a flat envelope: no beat to speak of */
	for (i = 0; i + 7 <= n; i++) {	/* in place: x[i] is read last */
		float sum = 0;

		for (j = 0; j < 7; j++)
			sum += g[j] * x[i + j];
		x[i] = sum;
	}
	n -= 6;
	/* two periods at least, and the neighbours of the top lag */
	hi = st->laghi < (int)(n / 2) ? st->laghi : (int)(n / 2);
	if (hi - 1 < st->laglo)
		return;
	if ((r0 = acf_at(x, n, 0)) <= 0)
		return;
	for (lag = st->laglo - 1; lag <= hi + 1; lag++)
		r[lag] = acf_at(x, n, (size_t)lag);
	for (lag = st->laglo; lag <= hi; lag++)
		if (r[lag] > 0 && r[lag] > r[lag - 1] && r[lag] >= r[lag + 1]) {
			d = vertex(r[lag - 1], r[lag], r[lag + 1], &h);
			if (h > best) {
				best = h;
				bestd = d;
				at = lag;
			}
		}
	if (at == 0 || best < MIN_BEAT * r0)
		return;
	/* a peak near a half or a third of the lag: the beat, not the bar */
	for (m = 3; m >= 2; m--) {
		k = (int)lround((at + bestd) / m);
		for (lag = k - 1; lag <= k + 1; lag++) {
			if (lag < st->laglo || lag > hi || !(r[lag] > 0 &&
			    r[lag] > r[lag - 1] && r[lag] >= r[lag + 1]))
				continue;
			d = vertex(r[lag - 1], r[lag], r[lag + 1], &h);
			if (h >= 0.5 * best) {
				best = h;
				bestd = d;
				at = lag;
				m = 0;	/* take the shortest, stop looking */
				break;
			}
		}
	}
	*bpm = 60.0 * st->frate / (at + bestd);
	if (*bpm < BPM_LO)
		*bpm = BPM_LO;
	if (*bpm > BPM_HI)
		*bpm = BPM_HI;
	*strength = best / r0 < 1 ? best / r0 : 1;
}

static double
mean_of(double sum, long n)
{
	return n > 0 ? sum / (double)n : 0;
}

static double
std_of(double sum, double sum2, long n)
{
	double m, v;

	if (n <= 0)
		return 0;
	m = sum / (double)n;
	v = sum2 / (double)n - m * m;
	return v > 0 ? sqrt(v) : 0;
}

/*
 * Turns the frame sums of hop st->fk and the sample results h into a
 * queued hop of nsamp samples, and starts the next hop.  Returns -1 when
 * the queue cannot grow (the hop is lost, the state stays consistent).
 */
static int
close_hop(kc_afeat *st, const struct hopsum *h, long long nsamp, int emit)
{
	const struct frameacc *a = &st->acc;
	struct outhop *o;
	double *v, melmean[NMEL], s;
	int c, m, rc = 0;

	if (!emit)
		goto next;
	if ((o = queue_slot(st)) == NULL) {
		rc = -1;
		goto next;
	}
	v = o->v;
	o->t = st->t0 + (double)st->fk * st->hop;
	o->dur = nsamp == bound(st, st->fk + 1) - bound(st, st->fk) ?
	    st->hop : (double)nsamp / st->rate;
	v[KC_AF_RMS_MEAN] = mean_of(a->rms, a->nf);
	v[KC_AF_RMS_STD] = std_of(a->rms, a->rms2, a->nf);
	v[KC_AF_RMS_MAX] = a->rmsmax;
	v[KC_AF_LOUDNESS_DB] = h->n > 0 && h->sq > 0 ?
	    floor_db(10 * log10(h->sq / (double)h->n)) : DB_FLOOR;
	s = std_of(a->db, a->db2, a->nf);
	v[KC_AF_LOUDNESS_VAR] = s * s;
	v[KC_AF_LUFS_M] = h->lufs_m;
	v[KC_AF_LUFS_S] = h->lufs_s;
	v[KC_AF_CENTROID_MEAN] = mean_of(a->cen, a->nspec);
	v[KC_AF_CENTROID_STD] = std_of(a->cen, a->cen2, a->nspec);
	v[KC_AF_ROLLOFF] = mean_of(a->roll, a->nspec);
	v[KC_AF_FLUX_MEAN] = mean_of(a->flux, a->nf);
	v[KC_AF_FLUX_MAX] = a->fluxmax;
	v[KC_AF_ONSET_MEAN] = mean_of(a->onset, a->nf);
	v[KC_AF_ONSET_MAX] = a->onsetmax;
	v[KC_AF_ZCR_MEAN] = mean_of(a->zcr, a->nf);
	v[KC_AF_ZCR_STD] = std_of(a->zcr, a->zcr2, a->nf);
	tempo(st, &v[KC_AF_TEMPO], &v[KC_AF_BEAT_STRENGTH]);
	/* the DCT is linear: the mean of the MFCCs is the DCT of the mean */
	for (m = 0; m < NMEL; m++)
		melmean[m] = a->nf > 0 ? a->mel[m] / (double)a->nf :
		    10 * log10(POW_FLOOR);
	for (c = 0; c < NMFCC; c++) {
		for (s = 0, m = 0; m < NMEL; m++)
			s += st->dct[c][m] * melmean[m];
		v[KC_AF_MFCC1 + c] = s;
	}
	v[KC_AF_HF_RATIO] = a->ptot > 0 ? a->phf / a->ptot : 0;
	v[KC_AF_FLATNESS] = mean_of(a->flat, a->nf);
	v[KC_AF_MFCC_DELTA] = mean_of(a->mfd, a->nmfd);
	for (s = 0, c = 0; c < NDELTA; c++)
		s += std_of(a->mfs[c], a->mfs2[c], a->nf);
	v[KC_AF_MFCC_SPREAD] = s / NDELTA;
	for (c = 0; c < NCON; c++)
		v[KC_AF_CONTRAST1 + c] = mean_of(a->con[c], a->nspec);
	v[KC_AF_CHROMA_PEAK] = mean_of(a->chp, a->nspec);
	v[KC_AF_CHROMA_FLUX] = mean_of(a->chf, a->nchf);
	st->qlen++;
next:
	memset(&st->acc, 0, sizeof(st->acc));
	st->fk++;
	st->fnext = bound(st, st->fk + 1);
	return rc;
}

/*
 * Closes hop st->fk from its parked sample results, which exist once
 * every sample of it was pushed (the sample clock leads the frame clock,
 * so they always do when this is called).
 */
static int
close_full(kc_afeat *st)
{
	struct hopsum h;

	memset(&h, 0, sizeof(h));
	if (st->npend > 0 && st->pend[0].k == st->fk) {
		h = st->pend[0];
		st->npend--;
		memmove(st->pend, st->pend + 1,
		    (size_t)st->npend * sizeof(st->pend[0]));
	}
	return close_hop(st, &h, bound(st, st->fk + 1) - bound(st, st->fk),
	    1);
}

/*
 * The per-bin work runs on 4-float vectors (GCC/Clang vector extensions:
 * plain SSE2/NEON code without extra compiler flags).  The scalar version
 * spent its time waiting on long chains of dependent adds and on logf;
 * this one is about three times faster, which keeps the analysis of an
 * hour of audio within seconds.
 */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static inline v4f
load4(const float *p)
{
	v4f v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
store4(float *p, v4f v)
{
	memcpy(p, &v, sizeof(v));
}

static inline float
hsum4(v4f v)
{
	return (v[0] + v[1]) + (v[2] + v[3]);
}

/*
 * ln x for normal x > 0, error below 2e-5: the exponent plus the atanh
 * series of the mantissa m in [1, 2), t = (m - 1) / (m + 1) < 1/3.
 */
static inline v4f
ln4(v4f x)
{
	v4i u = (v4i)x;
	v4f e = __builtin_convertvector((u >> 23) - 127, v4f), m, t, t2;

	u = (u & 0x7fffff) | 0x3f800000;
	m = (v4f)u;
	t = (m - 1) / (m + 1);
	t2 = t * t;
	return e * 0.693147181f + 2 * t * (1 + t2 * (1 / 3.0f + t2 *
	    (1 / 5.0f + t2 * (1 / 7.0f))));
}

static inline float
ln1(float x)
{
	v4f v = { x, x, x, x };

	return ln4(v)[0];
}

/*
 * The frame's MFCC2..13 (from the mel levels in prevmel): their sums for
 * the spread and their mean |change| from the previous frame's.
 */
static void
timbre(kc_afeat *st)
{
	struct frameacc *a = &st->acc;
	const v4f zero = { 0, 0, 0, 0 };
	double d = 0, c;
	v4f acc;
	int k, m;

	for (k = 0; k < NDELTA; k++) {
		for (acc = zero, m = 0; m < NMEL; m += 4)
			acc += load4(st->dct[k + 1] + m) *
			    load4(st->prevmel + m);
		c = hsum4(acc);
		a->mfs[k] += c;
		a->mfs2[k] += c * c;
		d += fabs(c - st->prevc[k]);
		st->prevc[k] = (float)c;
	}
	if (st->haveprev) {
		a->mfd += d / NDELTA;
		a->nmfd++;
	}
}

/*
 * Spectral contrast of each band, from the log spectrum in prevl: the
 * mean of the bins above the band's mean less that of those below (in
 * natural log units until the end), four bins at a time.
 */
static void
contrast(kc_afeat *st)
{
	const float *l = st->prevl;
	const v4f zero = { 0, 0, 0, 0 };
	v4f s, sh, nh, v, mv;
	float mean, tot, hi, nhi;
	int i, b, lo, end, n;

	for (i = 0; i < NCON; i++) {
		lo = st->conlo[i];
		end = st->conlo[i + 1];
		if ((n = end - lo) < 2)
			continue;
		for (s = zero, b = lo; b + 4 <= end; b += 4)
			s += load4(l + b);
		for (tot = hsum4(s); b < end; b++)
			tot += l[b];
		mean = tot / (float)n;
		mv = (v4f){ mean, mean, mean, mean };
		sh = nh = zero;
		for (b = lo; b + 4 <= end; b += 4) {
			v = load4(l + b);
			sh += (v4f)((v4i)v & (v > mv));
			nh += (v4f)((v4i)(v4f){ 1, 1, 1, 1 } & (v > mv));
		}
		hi = hsum4(sh);
		nhi = hsum4(nh);
		for (; b < end; b++)
			if (l[b] > mean) {
				hi += l[b];
				nhi++;
			}
		if (nhi > 0 && nhi < (float)n)
			st->acc.con[i] += DB_PER_NEPER * (hi / nhi - (tot -
			    hi) / ((float)n - nhi));
	}
}

/* Pitch-class shares of the frame's power (in pw) in 65 Hz-5 kHz. */
static void
chroma(kc_afeat *st)
{
	struct frameacc *a = &st->acc;
	double ch[NCHROMA] = { 0 }, tot = 0, peak = 0, flux = 0;
	int b, k;

	for (b = st->chlo; b < st->chhi; b++)
		ch[st->chroma[b]] += st->pw[b];
	for (k = 0; k < NCHROMA; k++)
		tot += ch[k];
	if (!(tot > 0)) {
		st->haveprevch = 0;
		return;
	}
	for (k = 0; k < NCHROMA; k++) {
		ch[k] /= tot;
		if (ch[k] > peak)
			peak = ch[k];
		flux += fabs(ch[k] - st->prevch[k]);
		st->prevch[k] = (float)ch[k];
	}
	a->chp += peak;
	if (st->haveprevch) {
		a->chf += 0.5 * flux;
		a->nchf++;
	}
	st->haveprevch = 1;
}

static int
analyse_frame(kc_afeat *st)
{
	struct frameacc *a = &st->acc;
	long long centre = st->nframes * STEP + FRAME / 2;
	double ms, rms, db, cen, roll, flat, d;
	float sp, sfp, hf, slog, flux, onset = 0, cum, blk, l, x, p;
	float *pw = st->pw, *buf = st->buf;
	const v4f zero = { 0, 0, 0, 0 };
	v4f v, vl, vx, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero;
	v4i z4 = { 0, 0, 0, 0 };
	const float *w;
	int i, b, m, n, zc = 0, rc = 0;

	/* a frame past the end of hop fk first closes that hop (and any
	 * frameless one between); its samples are all in by now */
	while (centre >= st->fnext)
		if (close_full(st) != 0)
			rc = -1;

	for (i = 0; i < FRAME; i += 4) {
		v = load4(buf + i);
		s1 += v * v;
		store4(st->tin + i, v * load4(st->win + i));
	}
	ms = (double)hsum4(s1) / FRAME;
	for (i = 1; i < 4; i++)
		zc += (buf[i] >= 0) != (buf[i - 1] >= 0);
	for (i = 4; i < FRAME; i += 4)
		z4 += ((load4(buf + i) >= 0) ^ (load4(buf + i - 1) >= 0)) & 1;
	zc += z4[0] + z4[1] + z4[2] + z4[3];
	rms = sqrt(ms);
	db = ms > 1e-12 ? 10 * log10(ms) : DB_FLOOR;
	kiss_fftr(st->fft, st->tin, st->spec);

	/* scaled so that a sine of amplitude A peaks at A^2: (2 / sum(w))^2 */
	for (b = 0; b < NBIN; b++)
		pw[b] = (st->spec[b].r * st->spec[b].r +
		    st->spec[b].i * st->spec[b].i) * (1.0f / 65536.0f);
	s1 = zero;
	for (b = 0; b + 4 <= NBIN; b += 4) {
		v = load4(pw + b);
		vl = ln4(v + POW_FLOOR);
		vx = vl - load4(st->prevl + b);
		store4(st->prevl + b, vl);
		s1 += v;
		s2 += load4(st->freq + b) * v;
		s3 += load4(st->hfmask + b) * v;
		s4 += vl;
		s5 += (v4f)((v4i)vx & (vx > 0));
	}
	sp = hsum4(s1);
	sfp = hsum4(s2);
	hf = hsum4(s3);
	slog = hsum4(s4);
	flux = hsum4(s5);
	for (; b < NBIN; b++) {		/* the Nyquist bin */
		p = pw[b];
		l = ln1(p + POW_FLOOR);
		x = l - st->prevl[b];
		st->prevl[b] = l;
		sp += p;
		sfp += st->freq[b] * p;
		hf += st->hfmask[b] * p;
		slog += l;
		flux += x > 0 ? x : 0;
	}
	flux = st->haveprev ? flux * (float)(DB_PER_NEPER / NBIN) : 0;

	for (m = 0; m < NMEL; m++) {
		w = st->melw + st->meloff[m];
		n = st->mellen[m];
		for (s1 = zero, i = 0; i < n; i += 4)
			s1 += load4(w + i) * load4(pw + st->melbin[m] + i);
		l = (float)DB_PER_NEPER * ln1(hsum4(s1) + POW_FLOOR);
		if (st->haveprev && l > st->prevmel[m])
			onset += l - st->prevmel[m];
		st->prevmel[m] = l;
		a->mel[m] += l;
	}
	onset /= NMEL;
	timbre(st);
	st->haveprev = 1;

	a->nf++;
	a->rms += rms;
	a->rms2 += rms * rms;
	if (rms > a->rmsmax)
		a->rmsmax = rms;
	a->db += db;
	a->db2 += db * db;
	a->flux += flux;
	if (flux > a->fluxmax)
		a->fluxmax = flux;
	a->onset += onset;
	if (onset > a->onsetmax)
		a->onsetmax = onset;
	d = (double)zc / (FRAME - 1);
	a->zcr += d;
	a->zcr2 += d * d;
	a->phf += hf;
	a->ptot += sp;
	if (ms >= POW_FLOOR && sp > 0) {
		cen = sfp / sp;
		roll = st->freq[NBIN - 1];
		/* whole blocks of four first, then bin by bin */
		for (cum = 0, b = 0; b + 4 <= NBIN; b += 4) {
			blk = hsum4(load4(pw + b));
			if (cum + blk >= (float)ROLL_SHARE * sp)
				break;
			cum += blk;
		}
		for (; b < NBIN; b++) {
			cum += pw[b];
			if (cum >= (float)ROLL_SHARE * sp) {
				roll = st->freq[b];
				break;
			}
		}
		flat = exp(slog / NBIN) / (sp / NBIN + POW_FLOOR);
		a->nspec++;
		a->cen += cen;
		a->cen2 += cen * cen;
		a->roll += roll;
		a->flat += flat < 1 ? flat : 1;
		contrast(st);
		chroma(st);
	} else
		st->haveprevch = 0;

	st->onring[st->onpos] = onset;
	st->onpos = (st->onpos + 1) % st->onsize;
	if (st->oncount < st->onsize)
		st->oncount++;
	st->nframes++;
	memmove(st->buf, st->buf + STEP, (FRAME - STEP) * sizeof(float));
	st->nbuf = FRAME - STEP;

	/* close now rather than at the next frame when nothing is missing,
	 * so a hop comes out as early as possible */
	if (centre + STEP >= st->fnext && st->fnext <= st->n)
		if (close_full(st) != 0)
			rc = -1;
	return rc;
}

/* Feeds samples to the frame clock only. */
static int
feed_frames(kc_afeat *st, const float *x, size_t n, long long stop)
{
	size_t k;
	int rc = 0;

	while (n > 0) {
		k = FRAME - st->nbuf < n ? FRAME - st->nbuf : n;
		memcpy(st->buf + st->nbuf, x, k * sizeof(float));
		st->nbuf += k;
		x += k;
		n -= k;
		if (st->nbuf == FRAME) {
			if (st->nframes * STEP + FRAME / 2 >= stop)
				return rc;
			if (analyse_frame(st) != 0)
				rc = -1;
		}
	}
	return rc;
}

static void
sanitise(float *dst, const float *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = isfinite(src[i]) ? src[i] : 0.0f;
}

int
kc_afeat_push(kc_afeat *st, const float *x, size_t n)
{
	size_t k, i;
	int rc = 0;

	if (st->done) {
		errno = EINVAL;
		return -1;
	}
	while (n > 0) {
		/* pieces never straddle a hop boundary, so libebur128 can be
		 * asked for the loudness exactly at the boundary */
		k = n < CHUNK ? n : CHUNK;
		if ((long long)k > st->snext - st->n)
			k = (size_t)(st->snext - st->n);
		sanitise(st->chunk, x, k);
		ebur128_add_frames_float(st->r128, st->chunk, k);
		for (i = 0; i < k; i++)
			st->cur.sq += (double)st->chunk[i] * st->chunk[i];
		st->cur.n += (long long)k;
		st->n += (long long)k;
		if (st->n == st->snext) {
			/* a hop is closed at most 768 samples after its end
			 * and is 1024 or more long: one pending at a time */
			measure_lufs(st, &st->cur);
			st->pend[st->npend++] = st->cur;
			memset(&st->cur, 0, sizeof(st->cur));
			st->cur.k = st->pend[st->npend - 1].k + 1;
			st->snext = bound(st, st->cur.k + 1);
		}
		if (feed_frames(st, st->chunk, k, LLONG_MAX) != 0)
			rc = -1;
		x += k;
		n -= k;
	}
	if (rc != 0)
		errno = ENOMEM;
	return rc;
}

int
kc_afeat_finish_ahead(kc_afeat *st, const float *tail, size_t n)
{
	float t[KC_AFEAT_TAIL];
	long long last, nsamp;
	int rc = 0;

	if (st->done) {
		errno = EINVAL;
		return -1;
	}
	st->done = 1;
	if (n > KC_AFEAT_TAIL)
		n = KC_AFEAT_TAIL;
	if (tail != NULL && n > 0) {
		sanitise(t, tail, n);
		if (feed_frames(st, t, n, st->n) != 0)
			rc = -1;
	}
	if (st->n == 0)
		goto out;
	/* the hops whose frames were cut short, then the partial one */
	last = st->n == bound(st, st->cur.k) ? st->cur.k - 1 : st->cur.k;
	while (st->fk < last)
		if (close_full(st) != 0)
			rc = -1;
	if (st->fk == last && last < st->cur.k) {
		if (close_full(st) != 0)
			rc = -1;
	} else if (st->fk == last) {
		measure_lufs(st, &st->cur);
		nsamp = st->n - bound(st, last);
		if (close_hop(st, &st->cur, nsamp,
		    nsamp >= KC_AFEAT_MIN_PARTIAL * st->rate) != 0)
			rc = -1;
	}
out:
	if (rc != 0)
		errno = ENOMEM;
	return rc;
}

int
kc_afeat_finish(kc_afeat *st)
{
	return kc_afeat_finish_ahead(st, NULL, 0);
}

int
kc_afeat_next(kc_afeat *st, double *t, double *dur, double vals[KC_AFEAT_N])
{
	const struct outhop *o;

	if (st->qlen == 0)
		return 0;
	o = &st->q[st->qhead];
	*t = o->t;
	*dur = o->dur;
	memcpy(vals, o->v, sizeof(o->v));
	st->qhead = (st->qhead + 1) % st->qcap;
	st->qlen--;
	return 1;
}

int
kc_afeat_on_boundary(const kc_afeat *st)
{
	return st->n == bound(st, st->cur.k);
}

long long
kc_afeat_samples(const kc_afeat *st)
{
	return st->n;
}
