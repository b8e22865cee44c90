/*
 * vfeat.h - per-hop video features from a run of small RGB frames.
 *
 * The caller feeds frames in time order (one w x h RGB24 frame at a
 * time); the object keeps the previous frame and running sums for the hop
 * being filled, and hands out one result per hop as soon as a frame of a
 * later hop shows the hop is complete.  No I/O, no JSON, no printing; the
 * features are those of the "vfeat" record in docs/records.md.
 *
 * Hops: hop k covers [t0 + k*hop, t0 + (k+1)*hop).  A frame belongs to the
 * hop containing its time.  Values computed from a pair of consecutive
 * frames (motion, scene cuts, flash) belong to the later frame's hop; the
 * first frame of a run has no such pair.
 *
 * Units: luma Y = (77 R + 150 G + 29 B + 128) >> 8 (BT.601 weights), and
 * every level-like feature is divided by 255, so it lies in 0-1.
 */
#ifndef KC_VFEAT_H
#define KC_VFEAT_H

#include <stdint.h>

/* Index of each feature in the vals[] array that kc_vfeat_next fills. */
enum {
	KC_VFEAT_MOTION_MEAN,	/* mean |dY| of a frame pair, 0-1, mean */
	KC_VFEAT_MOTION_STD,	/*   ... population std over the hop's pairs */
	KC_VFEAT_MOTION_MAX,	/*   ... largest */
	KC_VFEAT_BRIGHT_MEAN,	/* mean Y of a frame, 0-1, mean over frames */
	KC_VFEAT_BRIGHT_STD,	/*   ... population std over the hop's frames */
	KC_VFEAT_COLOR_VAR,	/* mean over pixels and frames of the variance
				   of (R, G, B)/255 at a pixel; 0 for grey,
				   at most 2/9 (pure red, yellow, ...) */
	KC_VFEAT_EDGE_MEAN,	/* share of inner pixels whose Sobel gradient
				   magnitude on Y exceeds KC_VFEAT_EDGE_THRESH,
				   0-1, mean over frames */
	KC_VFEAT_EDGE_STD,	/*   ... population std over the hop's frames */
	KC_VFEAT_SCENE_CUTS,	/* frames whose luma histogram distance to the
				   previous frame exceeds KC_VFEAT_CUT_THRESH */
	KC_VFEAT_FLASH,		/* largest rise of mean Y between consecutive
				   frames, 0-1; 0 when it only falls */
	KC_VFEAT_MOTION_FRAC,	/* share of pixels whose |dY| exceeds
				   KC_VFEAT_CHANGE_THRESH, mean over pairs: fine
				   texture changing (crowds, particles, cellular
				   patterns) that mean |dY| averages away */
	KC_VFEAT_MOTION_RESID,	/* mean |dY| / 255 of a frame pair after the
				   global motion (camera pan) between them is
				   undone, over the overlap, mean over the
				   hop's pairs that are not scene cuts: what
				   moves in the picture, not the picture */
	KC_VFEAT_PAN,		/* length of the global motion vector, in
				   frame widths per pair, mean over pairs */
	KC_VFEAT_SHAKE,		/* length of the change of the global motion
				   vector from one pair to the next (mean over
				   the hop's steps) over the mean length of the
				   vector plus KC_VFEAT_SHAKE_PAN0: a shaking
				   camera or a jumping view, not a steady pan,
				   however fast; 0 for a still or steady
				   picture, about 1 and more for shaking */
	KC_VFEAT_N
};

/*
 * Sobel magnitude, on the 0-255 luma scale with the usual 1-2-1 kernels
 * (a clean step of d levels gives 4d on the two columns beside it), above
 * which a pixel counts as an edge: a step of 25 levels or more, i.e. an
 * outline or text, not the shading of a gradient or compression noise.
 */
#define KC_VFEAT_EDGE_THRESH 100

/*
 * Scene cut: half the L1 distance between the 32-bin luma histograms of
 * two consecutive frames (0 = same distribution, 1 = disjoint).  Motion
 * inside one scene moves pixels around but keeps most of them in their
 * bins: pans of up to a frame width per second and zooms measured below
 * 0.25 at 5 fps, fast Game-of-Life action below 0.2.  A cut to another
 * scene replaces the distribution: cuts between unrelated test shots
 * measured 0.6 to 0.76.  Not seen: a cut between shots with the same
 * brightness distribution; seen wrongly: a pan across a whole frame width
 * in a few frames.
 */
#define KC_VFEAT_CUT_THRESH 0.45

/* |dY| (0-255) above which a pixel counts as changed for motion_frac. */
#define KC_VFEAT_CHANGE_THRESH 24

/*
 * Added to the pan speed (in frame widths per pair) under the shake
 * ratio, so the jitter of an almost still picture (a pixel at 160 wide)
 * is not a shake.
 */
#define KC_VFEAT_SHAKE_PAN0 0.02

typedef struct kc_vfeat kc_vfeat;

/*
 * A new analysis of w x h frames (1-4096 each) arriving at fps frames per
 * second (for kc_vfeat_push), with hops of hop seconds starting at t0.
 * Returns NULL with errno EINVAL for bad sizes/rates or ENOMEM.
 */
kc_vfeat *kc_vfeat_new(int w, int h, double fps, double hop, double t0);

/*
 * Adds one frame: rgb24 holds h rows of w pixels, 3 bytes R, G, B each,
 * rows packed (w*3 bytes apart).  kc_vfeat_push places frame n (counting
 * from 0) at t0 + n/fps; kc_vfeat_push_at at time t, which must not be
 * earlier than the previous frame's (or a kc_vfeat_until time) and not
 * before t0.  Do not mix the
 * two in one object.
 *
 * Returns 0; -1 with errno EBUSY when finished hops are still waiting for
 * kc_vfeat_next (take them all after every push), EINVAL for a time out of
 * order or a push after kc_vfeat_finish.
 */
int kc_vfeat_push(kc_vfeat *v, const uint8_t *rgb24);
int kc_vfeat_push_at(kc_vfeat *v, const uint8_t *rgb24, double t);

/*
 * Promises that no frame earlier than t will be pushed (the caller has
 * seen the next frame, or the source ends there): the hops that end at or
 * before t become ready without waiting for a later frame.  Returns 0; -1
 * with errno EBUSY as for push, EINVAL for a t before the last frame or
 * after kc_vfeat_finish.
 */
int kc_vfeat_until(kc_vfeat *v, double t);

/*
 * Takes the next finished hop: its start *t, length *dur (seconds; hop,
 * or less for the last hop cut short by kc_vfeat_finish) and vals, indexed
 * by the enum above.  Returns 1 when a hop was taken, 0 when none is
 * ready.
 *
 * Values are finite, except: a hop with no frame pair has NaN motion_*
 * (there is nothing to measure); a hop without any frame (possible only
 * when fps * hop < 1) has every value NaN.  Callers write NaN as null.
 */
int kc_vfeat_next(kc_vfeat *v, double *t, double *dur,
    double vals[KC_VFEAT_N]);

/*
 * Ends the run at time t_end: every hop that starts before t_end becomes
 * ready, the last one with dur = t_end - its start when t_end falls inside
 * it.  Frames pushed at or after t_end are not dropped: their hop is
 * included whole.  Returns 0; -1 with errno EBUSY as for push.  No push
 * is accepted afterwards.
 */
int kc_vfeat_finish(kc_vfeat *v, double t_end);

/*
 * End of the hop holding the last frame pushed (t0 when none): the time up
 * to which a run that stops now has results.
 */
double kc_vfeat_covered(const kc_vfeat *v);

/* The record names of the features, KC_VFEAT_N strings in enum order. */
const char *const *kc_vfeat_names(void);

void kc_vfeat_free(kc_vfeat *v);

#endif
