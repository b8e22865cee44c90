/*
 * weights.h - the heuristic scoring weights, read from a JSON data file
 * (data/weights.json) so they can be tuned without a rebuild.
 *
 * File shape:
 *   { "version": 1,
 *     "audio": {
 *        "norm": "robust" | "rank",     how a feature is compared with the
 *                                       rest of its stream (default robust)
 *        "z": [lo, hi],                 soft-clip bounds of normalised values
 *        "gate": {"feature": NAME, "abs": A, "rel": R},   optional: hops
 *                                       whose NAME is below A, or below the
 *                                       stream's 90th percentile + R (R < 0),
 *                                       are left out of the statistics and
 *                                       score the low clip bound in every
 *                                       feature
 *        "live_floor": S,               optional (default 0.05): the
 *                                       smallest spread of window scores
 *                                       kc-score --live measures a window
 *                                       against
 *        "features": { "NAME": {"w": W, "floor": F}, ... } },
 *     "video": { ... } }
 * W weighs the feature's normalised value in a hop's score (negative W:
 * lower is more exciting); F is the smallest scale used by "robust" (in the
 * feature's unit), so a feature that never varies in a stream cannot blow
 * up.
 */
#ifndef KC_WEIGHTS_H
#define KC_WEIGHTS_H

#include <stddef.h>

#define KC_WEIGHTS_MAX 64

enum { KC_NORM_ROBUST, KC_NORM_RANK };

struct kc_weight {
	char name[48];
	double w, floor;
};

struct kc_weightset {
	struct kc_weight f[KC_WEIGHTS_MAX];
	size_t n;
	double wsum;		/* sum of |w| */
	int norm;		/* KC_NORM_* */
	double zlo, zhi;
	char gate[48];		/* "" when not gated */
	double gate_abs, gate_rel;
	double live_floor;	/* smallest live window-score spread */
};

typedef struct kc_weights {
	struct kc_weightset audio, video;
} kc_weights;

/* Loads path.  Returns 0, or -1 with a one-line reason in err. */
/* The weighted (w != 0) feature name of ws, or NULL. */
const struct kc_weight *kc_weight_of(const struct kc_weightset *ws,
    const char *name);

int kc_weights_load(const char *path, kc_weights *w, char *err,
    size_t errlen);

#endif
