/*
 * model.h - kc's learned model of the user's taste: gradient-boosted trees
 * (XGBoost's C API) that map a window's features to a 0-1 score, trained
 * from the clips the user rated.
 *
 * A model file is one JSON object: XGBoost's own JSON model under
 * "xgboost" (or the rated clips under "knn", or the ridge regression's
 * weights under "linear"), plus kc's metadata (format version, generation, creation
 * time, objective, the feature names in input order, how the features
 * were normalised, training size, held-out quality, the blend weight and
 * a checksum of the XGBoost part).  A model directory holds every
 * generation as gen-NNNNNN.json and the current one as model.json, each
 * written to a temporary file and renamed into place, so a reader sees
 * the old model or the new one, never half of one.
 *
 * Library code: functions return 0 or -1 and leave a one-line reason in
 * err; nothing prints (XGBoost's own log messages are swallowed).
 */
#ifndef KC_MODEL_H
#define KC_MODEL_H

#include <stddef.h>

/* Version of the model file's kc metadata this build reads and writes. */
#define KC_MODEL_FORMAT 1

/* The file name of the current model in a model directory. */
#define KC_MODEL_CURRENT "model.json"

typedef struct kc_model kc_model;

/* Training objectives (kc_train_opts.objective). */
enum {
	KC_OBJ_STARS,	/* regression on the stars (squared error) */
	KC_OBJ_RANK,	/* pairwise ranking within each stream */
	KC_OBJ_KNN,	/* nearest neighbours: the stars of the rated clips
			 * most like a window (no trees) */
	KC_OBJ_AUTO,	/* LINEAR up to KC_LINEAR_MAX rated clips, STARS
			 * beyond */
	KC_OBJ_LINEAR	/* ridge regression on the stars (missing: 0) */
};

/*
 * The most rated clips the automatic objective learns from with the
 * ridge regression: a few rated clips say more through a linear model
 * than through trees (bench/learn-eval, kc-train(1)); beyond, the trees
 * can follow what a line cannot.
 */
#define KC_LINEAR_MAX 100
/* Neighbours a prediction averages (distance-weighted). */
#define KC_KNN_K 3

/*
 * Training examples: n rows of nf features, row-major in x (NAN:
 * missing), stars[i] in 1-5 and group[i] the example's stream (any
 * numbering; the ranking objective only compares examples of the same
 * group).  names[0..nf) are the feature names, in x's column order.
 */
typedef struct kc_trainset {
	size_t n, nf;
	const char *const *names;
	const float *x;
	const float *stars;
	const unsigned *group;
	const float *base;	/* each example's heuristic score, for the
				 * baseline figures; NULL or NAN: unknown */
} kc_trainset;

typedef struct kc_train_opts {
	int objective;		/* KC_OBJ_* */
	int rounds;		/* boosting rounds (trees), 1-1000 */
	int depth;		/* maximum tree depth, 1-10 */
	double eta;		/* learning rate, (0, 1] */
	int folds;		/* cross-validation folds for the quality
				 * figures, 2-10 (fewer when n is small) */
	int threads;		/* XGBoost threads, >= 1 */
} kc_train_opts;

/* What a model says about itself (strings owned by the model). */
typedef struct kc_model_info {
	int generation;		/* 0 until saved */
	const char *created;	/* UTC, ISO 8601 */
	const char *objective;	/* "stars", "rank", "knn" or "linear" */
	long train_size;	/* rated clips it was trained on */
	long streams;		/* streams they come from */
	int folds;		/* cross-validation folds, 0: none */
	double spearman;	/* held-out Spearman (model vs stars), NAN */
	double ndcg;		/* held-out NDCG@10, NAN */
	double base_spearman;	/* the heuristic's Spearman on the same clips */
	double base_ndcg;	/* the heuristic's NDCG@10 on them */
	double weight;		/* the model's weight in the blended score */
} kc_model_info;

/* Fills o with kc's defaults (auto, 40 rounds, depth 2, eta 0.3, 5
 * folds, 1 thread). */
void kc_train_defaults(kc_train_opts *o);

/*
 * Trains a model on ts (at least 2 examples), measures it by
 * cross-validation (leave-one-out for nearest neighbours) and sets its
 * weight.
 * Returns 0 and *out, or -1 with a reason.
 */
int kc_model_train(const kc_trainset *ts, const kc_train_opts *o,
    kc_model **out, char *err, size_t errlen);

/*
 * The blend weight for a model trained on n rated clips whose held-out
 * Spearman correlation is rho: 0.9 * n / (n + 2) * (l * clamp(2 rho, 0,
 * 1) + 1 - l) with l = n / (n + 20), rho NAN counting as 0.  A few
 * ratings cannot measure rho (5 rated clips give it by chance), so the
 * measurement gets its say as the ratings grow: a model that does not
 * predict held-out stars falls towards half the weight at 20 ratings and
 * towards none at hundreds.  0 for n <= 0.
 */
double kc_model_weight_for(long n, double rho);

/*
 * Saves m into directory dir (created when missing) as the next
 * generation and as the current model.  Returns 0 with the generation's
 * path in path (may be NULL), or -1 with a reason; on failure the
 * current model is the one before.
 */
int kc_model_save(kc_model *m, const char *dir, char *path, size_t pathlen,
    char *err, size_t errlen);

/*
 * Loads a model file.  Returns 0 and *out; -1 with a reason when the file
 * cannot be read, is not a kc model, is of another format version, is
 * damaged (checksum), or XGBoost refuses it.
 */
int kc_model_load(const char *path, kc_model **out, char *err,
    size_t errlen);

/* The generation number of a file named gen-NNNNNN.json, else 0. */
int kc_model_generation_of(const char *name);

/* Reads only a model file's metadata (no XGBoost); 0 or -1. */
int kc_model_peek(const char *path, kc_model_info *info, char *created,
    size_t createdlen, char *err, size_t errlen);

const kc_model_info *kc_model_about(const kc_model *m);
size_t kc_model_nfeatures(const kc_model *m);
const char *kc_model_feature(const kc_model *m, size_t i);

/*
 * Scores nrow rows of kc_model_nfeatures(m) features (row-major, NAN:
 * missing) into out[0..nrow), each 0-1 (1: the user's taste).  Returns
 * 0, or -1 with a reason.
 */
int kc_model_predict(kc_model *m, const float *x, size_t nrow, float *out,
    char *err, size_t errlen);

void kc_model_free(kc_model *m);

#endif
