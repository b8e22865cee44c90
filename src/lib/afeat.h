/*
 * afeat.h - per-hop audio features of a mono sample stream (the "afeat"
 * record of docs/records.md), computed incrementally in constant memory.
 *
 * Samples are pushed in chunks of any size; features come out one hop at a
 * time as soon as every frame of the hop has been analysed.  Hop k covers
 * stream time [t0 + k*hop, t0 + (k+1)*hop), that is samples
 * [B(k), B(k+1)) with B(k) = round(k * hop * rate) counted from the first
 * sample pushed, which is at stream time t0.
 *
 * Frames are KC_AFEAT_FRAME samples long and start every KC_AFEAT_STEP
 * samples (frame j is samples [j*STEP, j*STEP + FRAME)); a frame belongs
 * to the hop that contains its centre sample j*STEP + FRAME/2.  Frames
 * are Hann-windowed and transformed with KissFFT; their power spectra are
 * scaled so that a sine of amplitude A shows a peak of A^2.
 * Loudness values (loudness_db, lufs_*) are measured on the hop's own
 * samples, not on frames.
 *
 * Library code (no I/O, no JSON): functions return codes and never print.
 * One kc_afeat is used by one thread at a time.
 */
#ifndef KC_AFEAT_H
#define KC_AFEAT_H

#include <stddef.h>

#define KC_AFEAT_FRAME 1024	/* frame length, samples */
#define KC_AFEAT_STEP 256	/* frame step, samples */

/*
 * At most this many samples after the end are ever needed by
 * kc_afeat_finish_ahead to complete the frames straddling the end.
 */
#define KC_AFEAT_TAIL (KC_AFEAT_FRAME / 2)

/* A partial last hop is reported only when it has at least this much. */
#define KC_AFEAT_MIN_PARTIAL 0.25	/* seconds */

/*
 * Index of each feature in the vals[] array of kc_afeat_next; the names
 * (kc_afeat_names) are those of docs/records.md.  Units and floors:
 *
 *   RMS_*          frame RMS, full scale = 1 (mean, std, max over frames)
 *   LOUDNESS_DB    20 log10 of the hop's sample RMS, floor -120 dB
 *   LOUDNESS_VAR   variance of the frames' levels in dB (floor -120), dB^2
 *   LUFS_M, LUFS_S EBU R128 momentary (400 ms) and short-term (3 s)
 *                  loudness at the hop's last sample, LUFS, floor -120
 *   CENTROID_*     power-weighted spectral centroid, Hz
 *   ROLLOFF        frequency below which 85 % of the power lies, Hz
 *   FLUX_*         mean over bins of the half-wave rectified rise of the
 *                  log power spectrum (dB) from the previous frame
 *   ONSET_*        the same over the 40 mel bands: the onset strength
 *                  envelope that TEMPO is estimated from, dB
 *   ZCR_*          zero crossings per sample within each frame
 *   TEMPO          BPM, 60-200, from the autocorrelation of the onset
 *                  envelope over the tempo window ending at the hop's end;
 *                  0 when nothing periodic is found (peak below 0.1 of
 *                  lag 0), when the envelope is flat (std below 0.5 dB)
 *                  and while less than half a window has been seen
 *   BEAT_STRENGTH  autocorrelation at the tempo's lag over that at lag 0,
 *                  0-1 (0 with TEMPO 0)
 *   MFCC1..13      mean over frames of DCT-II (orthonormal) of the 40 mel
 *                  band levels in dB (floor -100); MFCC1 is c0
 *   HF_RATIO       share of the hop's spectral power above 4 kHz, 0-1
 *   FLATNESS       geometric over arithmetic mean of the power spectrum,
 *                  mean over frames, 0-1
 *   MFCC_DELTA     how fast the timbre changes: mean over frames of the
 *                  mean |change| of MFCC2..13 from the previous frame, dB
 *   MFCC_SPREAD    how much it varies within the hop: mean of the
 *                  standard deviations over frames of MFCC2..13, dB
 *   CONTRAST1..4   spectral contrast in 0-500 Hz, 500-1500 Hz,
 *                  1500-4000 Hz and 4 kHz to Nyquist: the mean level of
 *                  the band's bins above its mean level minus that of
 *                  the bins below, dB, mean over frames (peaky harmonic
 *                  spectra score high, noise low)
 *   CHROMA_PEAK    the largest of the 12 pitch-class shares of the power
 *                  in 65 Hz-5 kHz, mean over frames, 1/12-1 (a tone or a
 *                  chord high, noise low)
 *   CHROMA_FLUX    half the summed |change| of the pitch-class shares
 *                  from the previous frame, mean over frames, 0-1 (notes
 *                  and chords changing)
 *
 * Frames quieter than -100 dBFS have no spectral shape: they count as 0
 * for FLATNESS and are left out of CENTROID_*, ROLLOFF, CONTRAST* and
 * CHROMA_* (0 when every frame of the hop is that quiet; CHROMA_FLUX
 * also leaves out a frame after a quiet one).  Every value is finite for
 * any finite input.
 */
enum {
	KC_AF_RMS_MEAN, KC_AF_RMS_STD, KC_AF_RMS_MAX,
	KC_AF_LOUDNESS_DB, KC_AF_LOUDNESS_VAR,
	KC_AF_LUFS_M, KC_AF_LUFS_S,
	KC_AF_CENTROID_MEAN, KC_AF_CENTROID_STD, KC_AF_ROLLOFF,
	KC_AF_FLUX_MEAN, KC_AF_FLUX_MAX,
	KC_AF_ONSET_MEAN, KC_AF_ONSET_MAX,
	KC_AF_ZCR_MEAN, KC_AF_ZCR_STD,
	KC_AF_TEMPO, KC_AF_BEAT_STRENGTH,
	KC_AF_MFCC1,
	KC_AF_HF_RATIO = KC_AF_MFCC1 + 13,
	KC_AF_FLATNESS,
	KC_AF_MFCC_DELTA, KC_AF_MFCC_SPREAD,
	KC_AF_CONTRAST1,
	KC_AF_CHROMA_PEAK = KC_AF_CONTRAST1 + 4,
	KC_AF_CHROMA_FLUX,
	KC_AFEAT_N		/* number of features (41) */
};

typedef struct kc_afeat kc_afeat;

/*
 * A new analyser for samples at rate Hz (8000-192000) whose first sample
 * is at stream time t0 (seconds), with hops of hop seconds (at least
 * KC_AFEAT_FRAME samples long) and a tempo window of tempo_window seconds
 * (2-120).  Returns NULL with errno EINVAL for a bad argument or ENOMEM.
 */
kc_afeat *kc_afeat_new(int rate, double hop, double t0, double tempo_window);

/*
 * Analyses n mono samples (full scale +-1; NaN and Inf are read as 0).
 * Hops finished by them are queued for kc_afeat_next, which should be
 * drained after every push: the queue grows with the chunk size.
 * Returns 0, or -1 with errno ENOMEM (nothing is lost: the samples are
 * analysed, only the queue could not grow), or EINVAL after finish.
 */
int kc_afeat_push(kc_afeat *st, const float *x, size_t n);

/*
 * Takes the oldest finished hop: its start *t (stream time, s), its length
 * *dur (s; hop, or less for a partial last hop) and vals[KC_AFEAT_N] in
 * the order of the enum above.  Returns 1 when a hop was taken, 0 when
 * none is ready.
 */
int kc_afeat_next(kc_afeat *st, double *t, double *dur,
    double vals[KC_AFEAT_N]);

/*
 * End of input.  Frames that would reach past the last sample are left
 * out; every hop not yet reported is queued, the last one as a partial
 * hop (dur < hop) when it has KC_AFEAT_MIN_PARTIAL seconds or more, else
 * dropped.  Returns 0, or -1 with errno ENOMEM or EINVAL (called twice).
 */
int kc_afeat_finish(kc_afeat *st);

/*
 * As kc_afeat_finish, for input that stops here while the media goes on:
 * tail holds the n samples that follow the last one pushed (n may be
 * anything; at most KC_AFEAT_TAIL are used).  They complete the frames
 * whose centre is before the end and count for nothing else, so the hops
 * up to the end get exactly the values a longer run would give them.
 */
int kc_afeat_finish_ahead(kc_afeat *st, const float *tail, size_t n);

/* 1 when the samples pushed so far end exactly on a hop boundary. */
int kc_afeat_on_boundary(const kc_afeat *st);

/* Number of samples pushed so far. */
long long kc_afeat_samples(const kc_afeat *st);

/* The KC_AFEAT_N feature names, then NULL. */
const char *const *kc_afeat_names(void);

void kc_afeat_free(kc_afeat *st);

#endif
