/*
 * weights.h - the heuristic scoring weights, read from a JSON data file
 * (data/weights.json) so they can be tuned without a rebuild.
 *
 * File shape:
 *   { "version": 1,
 *     "z": [lo, hi],                       soft-clip bounds of z-scores
 *     "audio": { "NAME": {"w": W, "floor": F}, ... },
 *     "video": { ... } }
 * W weighs the feature's robust z-score in a hop's score (negative W:
 * lower is more exciting); F is the smallest scale used for the z-score
 * (in the feature's unit), so a feature that never varies in a stream
 * cannot blow up.
 */
#ifndef KC_WEIGHTS_H
#define KC_WEIGHTS_H

#include <stddef.h>

#define KC_WEIGHTS_MAX 64

struct kc_weight {
	char name[48];
	double w, floor;
};

struct kc_weightset {
	struct kc_weight f[KC_WEIGHTS_MAX];
	size_t n;
	double wsum;		/* sum of |w| */
};

typedef struct kc_weights {
	struct kc_weightset audio, video;
	double zlo, zhi;
} kc_weights;

/* Loads path.  Returns 0, or -1 with a one-line reason in err. */
int kc_weights_load(const char *path, kc_weights *w, char *err,
    size_t errlen);

#endif
