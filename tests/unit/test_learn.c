/*
 * test_learn.c - unit tests of the learned model's library: the quality
 * measures (learn.c) against values worked out by hand here, the order
 * in which to ask for ratings (kc_informative), and the
 * model (model.c): training on a planted rule, the save/load round trip
 * with generations, the blend weight formula, and the refusal of damaged,
 * edited and foreign files with a reason instead of a crash.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "learn.h"
#include "model.h"

static void
test_spearman(void **state)
{
	double x[] = { 1, 2, 3, 4, 5 }, up[] = { 10, 20, 30, 40, 50 };
	double down[] = { 9, 7, 5, 3, 1 };
	/* ties: ranks of y are 1.5 1.5 3 4 5; by hand rho = 0.9746794 */
	double y[] = { 1, 1, 2, 3, 4 }, c[] = { 2, 2, 2 };

	(void)state;
	assert_near(kc_spearman(x, up, 5), 1, 1e-12);
	assert_near(kc_spearman(x, down, 5), -1, 1e-12);
	assert_near(kc_spearman(x, y, 5), 0.9746794344808963, 1e-12);
	assert_true(isnan(kc_spearman(x, c, 3)));	/* constant side */
	assert_true(isnan(kc_spearman(x, up, 1)));
}

static void
test_ndcg(void **state)
{
	double s[] = { 0.9, 0.1, 0.5 }, r[] = { 0, 3, 1 };
	double best[] = { 1, 3, 2 };
	double tie[] = { 1, 1 }, tr[] = { 0, 1 }, zero[] = { 0, 0 };
	/* order 0, 2, 1: gains 0, 1, 7 -> 0 + 1/log2(3) + 7/2;
	 * ideal 1, 2, 0: 7 + 1/log2(3) */
	double want = (1 / log2(3) + 3.5) / (7 + 1 / log2(3));

	(void)state;
	assert_near(kc_ndcg(s, r, 3, 0), want, 1e-12);
	assert_near(kc_ndcg(best, r, 3, 0), 1, 1e-12);
	/* @1: the top one has gain 0 */
	assert_near(kc_ndcg(s, r, 3, 1), 0, 1e-12);
	/* ties count pessimistically: the irrelevant one first */
	assert_near(kc_ndcg(tie, tr, 2, 1), 0, 1e-12);
	assert_true(isnan(kc_ndcg(tie, zero, 2, 0)));
	assert_true(isnan(kc_ndcg(s, r, 0, 0)));
}

/*
 * Which clips to rate first.  Items on a line (one feature), scores in
 * [0, 1]: with nothing rated the best score leads; then each next one is
 * the farthest from what is rated or chosen, weighed by 0.5 + score.
 */
static void
test_informative(void **state)
{
	/* 0 and 1 close together, 2 far away, 3 in the middle */
	double x[] = { 0, 0.1, 10, 5 };
	double sc[] = { 0.9, 0.8, 0.1, 0.5 };
	double sc2[] = { 0.5, 0.5, 0.5, 0.5 };
	double x2[] = { 0, 7, 1, 7, 2, 7 };	/* 3 items of 2 features */
	unsigned char none[4] = { 0 }, one[4] = { 1, 0, 0, 0 };
	size_t o[4];

	(void)state;
	/* nothing known: the best score, then the farthest from it (2:
	 * 10 * 0.6 = 6 beats 3: 5 * 1.0 = 5), then 3 (between 0 and 2,
	 * nearest 5 away), then 1 */
	assert_int_equal(kc_informative(x, 4, 1, sc, none, o, 10), 4);
	assert_int_equal(o[0], 0);
	assert_int_equal(o[1], 2);
	assert_int_equal(o[2], 3);
	assert_int_equal(o[3], 1);
	/* 0 rated: it is not listed; 2 leads (the farthest, weighed) */
	assert_int_equal(kc_informative(x, 4, 1, sc, one, o, 10), 3);
	assert_int_equal(o[0], 2);
	assert_int_equal(o[1], 3);
	assert_int_equal(o[2], 1);
	/* maxpick 1: the first by coverage, the rest by score */
	assert_int_equal(kc_informative(x, 4, 1, sc, one, o, 1), 3);
	assert_int_equal(o[0], 2);
	assert_int_equal(o[1], 1);
	assert_int_equal(o[2], 3);
	/* ties go to the lower index; a constant feature weighs nothing */
	assert_int_equal(kc_informative(x2, 3, 2, sc2, none, o, 10), 3);
	assert_int_equal(o[0], 0);	/* equal scores: the first */
	assert_int_equal(o[1], 2);	/* the farthest from it */
	assert_int_equal(o[2], 1);
	/* no scores: all weigh the same */
	assert_int_equal(kc_informative(x, 4, 1, NULL, one, o, 10), 3);
	assert_int_equal(o[0], 2);
	assert_int_equal(kc_informative(x, 0, 1, sc, none, o, 10), 0);
}

static void
test_weight(void **state)
{
	(void)state;
	/* 0.9 n / (n + 2) (l clamp(2 rho) + 1 - l), l = n / (n + 20) */
	assert_near(kc_model_weight_for(0, 0.9), 0, 0);
	assert_near(kc_model_weight_for(20, 0.9), 0.9 * 20 / 22.0, 1e-12);
	assert_near(kc_model_weight_for(20, 0.25), 0.9 * 20 / 22.0 * 0.75,
	    1e-12);
	assert_near(kc_model_weight_for(20, -0.3), 0.9 * 20 / 22.0 * 0.5,
	    1e-12);
	assert_near(kc_model_weight_for(20, NAN), 0.9 * 20 / 22.0 * 0.5,
	    1e-12);
	assert_near(kc_model_weight_for(5, 0), 0.9 * 5 / 7.0 * 0.8, 1e-12);
	assert_true(kc_model_weight_for(1000, 1) < 0.9);
	assert_true(kc_model_weight_for(100, 1) > kc_model_weight_for(50, 1));
	/* a model that does not predict held-out stars loses its say as
	 * the ratings grow */
	assert_true(kc_model_weight_for(1000, 0) < 0.02);
	assert_true(kc_model_weight_for(200, 0) < kc_model_weight_for(20, 0));
}

/* 60 examples over 3 streams: stars follow feature 1 ("good_z"), feature
 * 2 is noise. */
#define N 60
#define NF 3
static float X[N * NF], Y[N], B[N];
static unsigned G[N];
static const char *const NAMES[NF] = { "kind", "good_z", "noise_z" };

static void
make_set(kc_trainset *ts)
{
	uint32_t r = 12345;
	int i;

	for (i = 0; i < N; i++) {
		r = r * 1103515245u + 12345u;
		X[i * NF] = (float)(i % 2);
		X[i * NF + 1] = (float)((i * 7) % 10) / 2;	/* 0..4.5 */
		X[i * NF + 2] = (float)(r >> 16 & 0xff) / 64;
		Y[i] = 1 + (float)floor(X[i * NF + 1] * 0.9);	/* 1..5 */
		B[i] = X[i * NF + 2];
		G[i] = (unsigned)(i % 3);
	}
	ts->n = N;
	ts->nf = NF;
	ts->names = NAMES;
	ts->x = X;
	ts->stars = Y;
	ts->group = G;
	ts->base = B;
}

/*
 * Trains objective obj on ts, checks its held-out quality, name and
 * folds, saves it into dir and predicts rows 0 (stars ~5) and 1 (~1)
 * through the file read back as dir's current model.
 */
static void
roundtrip(const kc_trainset *ts, kc_train_opts *o, int obj,
    const char *name, int folds, const char *dir)
{
	float row[2][NF] = { { 0, 4.5f, 1 }, { 0, 0, 1 } }, out[2];
	char path[1024], cur[1024], err[1024];
	kc_model *m, *l;

	o->objective = obj;
	assert_int_equal(kc_model_train(ts, o, &m, err, sizeof(err)), 0);
	assert_true(kc_model_about(m)->spearman > 0.8);
	assert_string_equal(kc_model_about(m)->objective, name);
	assert_int_equal(kc_model_about(m)->folds, folds);
	assert_int_equal(kc_model_save(m, dir, path, sizeof(path), err,
	    sizeof(err)), 0);
	snprintf(cur, sizeof(cur), "%s/%s", dir, KC_MODEL_CURRENT);
	assert_int_equal(kc_model_load(cur, &l, err, sizeof(err)), 0);
	assert_int_equal(kc_model_predict(l, &row[0][0], 2, out, err,
	    sizeof(err)), 0);
	assert_true(out[0] > 0.7 && out[0] <= 1);
	assert_true(out[1] < 0.3 && out[1] >= 0);
	kc_model_free(l);
	kc_model_free(m);
}

static void
test_train_roundtrip(void **state)
{
	kc_train_opts o;
	kc_trainset ts;
	kc_model *m, *l;
	char dir[512], path[1024], err[1024], cur[1024], created[32];
	char stale[600];
	struct timeval times[2];
	float row[2][NF] = { { 0, 4.5f, 1 }, { 0, 0, 1 } }, out[2];
	kc_model_info in;
	size_t i;

	(void)state;
	make_set(&ts);
	kc_train_defaults(&o);
	assert_int_equal(kc_model_train(&ts, &o, &m, err, sizeof(err)), 0);
	/* the rule is learnable; the noise baseline is not */
	assert_true(kc_model_about(m)->spearman > 0.8);
	assert_true(fabs(kc_model_about(m)->base_spearman) < 0.5);
	assert_true(kc_model_about(m)->weight > 0.5);
	assert_int_equal(kc_model_about(m)->streams, 3);
	assert_int_equal(kc_model_about(m)->train_size, N);
	/* the ridge regression (auto, up to 100 clips) */
	assert_string_equal(kc_model_about(m)->objective, "linear");
	assert_int_equal(kc_model_about(m)->folds, 5);

	scratch_dir(dir, sizeof(dir), "train");
	/* a temporary file a killed trainer left an hour ago goes */
	snprintf(stale, sizeof(stale), "%s/.model-AbCdEf", dir);
	write_file(stale, "{\"kc_model\": 1, \"trunc");
	times[0].tv_sec = times[1].tv_sec = time(NULL) - 7200;
	times[0].tv_usec = times[1].tv_usec = 0;
	assert_int_equal(utimes(stale, times), 0);
	assert_int_equal(kc_model_save(m, dir, path, sizeof(path), err,
	    sizeof(err)), 0);
	assert_non_null(strstr(path, "gen-000001.json"));
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(kc_model_save(m, dir, path, sizeof(path), err,
	    sizeof(err)), 0);
	assert_non_null(strstr(path, "gen-000002.json"));
	snprintf(cur, sizeof(cur), "%s/%s", dir, KC_MODEL_CURRENT);
	assert_int_equal(kc_model_load(cur, &l, err, sizeof(err)), 0);
	assert_int_equal(kc_model_about(l)->generation, 2);
	assert_int_equal(kc_model_generation_of("gen-000002.json"), 2);
	assert_int_equal(kc_model_generation_of("gen-12.json"), 12);
	assert_int_equal(kc_model_generation_of("gen-000002.json.x"), 0);
	assert_int_equal(kc_model_generation_of("gen-0.json"), 0);
	assert_int_equal(kc_model_generation_of(KC_MODEL_CURRENT), 0);
	assert_int_equal((int)kc_model_nfeatures(l), NF);
	for (i = 0; i < NF; i++)
		assert_string_equal(kc_model_feature(l, i), NAMES[i]);
	assert_int_equal(kc_model_predict(l, &row[0][0], 2, out, err,
	    sizeof(err)), 0);
	assert_true(out[0] > 0.7 && out[0] <= 1);	/* good_z high: ~5 */
	assert_true(out[1] < 0.3 && out[1] >= 0);	/* low: ~1 */
	assert_int_equal(kc_model_peek(cur, &in, created, sizeof(created), err,
	    sizeof(err)), 0);
	assert_int_equal(in.generation, 2);
	assert_near(in.weight, kc_model_about(m)->weight, 1e-4);
	assert_string_equal(in.objective, "linear");	/* auto: 60 clips */
	kc_model_free(l);
	kc_model_free(m);

	/* nearest neighbours (leave one out), and the trees */
	roundtrip(&ts, &o, KC_OBJ_KNN, "knn", N, dir);
	roundtrip(&ts, &o, KC_OBJ_STARS, "stars", 5, dir);
}

/*
 * Trains objective obj on ts, saves it into dir, changes one digit (of
 * the set digits: the last becomes the one before it, another the next)
 * after the first "after" in the file, and checks the load refuses it
 * with want in the reason.
 */
static void
refused_edited(const kc_trainset *ts, kc_train_opts *o, int obj,
    const char *dir, const char *after, const char *digits,
    const char *want)
{
	char path[1024], bad[1100], err[1024], *text, *p;
	char top = digits[strlen(digits) - 1];
	kc_model *m, *l = NULL;
	size_t size;

	o->objective = obj;
	assert_int_equal(kc_model_train(ts, o, &m, err, sizeof(err)), 0);
	assert_int_equal(kc_model_save(m, dir, path, sizeof(path), err,
	    sizeof(err)), 0);
	kc_model_free(m);
	text = slurp(path, &size);
	snprintf(bad, sizeof(bad), "%s/bad.json", dir);
	p = strstr(text, after);
	assert_non_null(p);
	p = strpbrk(p, digits);
	*p = *p == top ? (char)(top - 1) : (char)(*p + 1);
	write_file(bad, text);
	assert_int_equal(kc_model_load(bad, &l, err, sizeof(err)), -1);
	assert_null(l);
	assert_non_null(strstr(err, want));
	free(text);
}

static void
test_refusals(void **state)
{
	kc_train_opts o;
	kc_trainset ts;
	kc_model *m, *l = NULL;
	char dir[512], path[1024], err[1024], bad[1100], *text;
	size_t size;

	(void)state;
	make_set(&ts);
	kc_train_defaults(&o);
	o.folds = 0;
	o.objective = KC_OBJ_STARS;
	assert_int_equal(kc_model_train(&ts, &o, &m, err, sizeof(err)), 0);
	scratch_dir(dir, sizeof(dir), "train");
	assert_int_equal(kc_model_save(m, dir, path, sizeof(path), err,
	    sizeof(err)), 0);
	kc_model_free(m);
	text = slurp(path, &size);
	snprintf(bad, sizeof(bad), "%s/bad.json", dir);

	text[size / 2] = '\0';		/* truncated */
	write_file(bad, text);
	assert_int_equal(kc_model_load(bad, &l, err, sizeof(err)), -1);
	assert_null(l);
	assert_non_null(strstr(err, "not valid JSON"));
	free(text);

	/* one number of the model's part edited: the checksum catches it,
	 * for the trees, the neighbours and the linear weights alike */
	refused_edited(&ts, &o, KC_OBJ_STARS, dir, "\"split_conditions\"",
	    "0123456789", "trees do not match their checksum");
	refused_edited(&ts, &o, KC_OBJ_KNN, dir, "\"stars\": [", "12345",
	    "neighbours do not match their checksum");
	refused_edited(&ts, &o, KC_OBJ_LINEAR, dir, "\"weights\": [",
	    "123456789", "linear weights do not match their checksum");

	write_file(bad, "{\"kc_model\": 2}");
	assert_int_equal(kc_model_load(bad, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a kc model"));
	write_file(bad, "[1, 2]");
	assert_int_equal(kc_model_load(bad, &l, err, sizeof(err)), -1);
	snprintf(bad, sizeof(bad), "%s/none.json", dir);
	assert_int_equal(kc_model_load(bad, &l, err, sizeof(err)), -1);
}

static void
test_too_little(void **state)
{
	kc_train_opts o;
	kc_trainset ts;
	kc_model *m = NULL;
	float same[N], row[2][NF] = { { 0, 4.5f, 1 }, { 1, 0, 3 } }, out[2];
	char err[512];
	int i;

	(void)state;
	make_set(&ts);
	kc_train_defaults(&o);
	ts.n = 1;
	assert_int_equal(kc_model_train(&ts, &o, &m, err, sizeof(err)), -1);
	assert_null(m);
	assert_non_null(strstr(err, "not enough"));
	/* all alike: a flat model, the same for every window, so blending
	 * it in leaves the heuristic's order as it was (its held-out
	 * correlation is undefined, counted as 0) */
	for (i = 0; i < N; i++)
		same[i] = 4;
	ts.n = N;
	ts.stars = same;
	for (i = 0; i < 3; i++) {
		o.objective = i == 0 ? KC_OBJ_KNN : i == 1 ? KC_OBJ_STARS :
		    KC_OBJ_LINEAR;
		assert_int_equal(kc_model_train(&ts, &o, &m, err, sizeof(err)),
		    0);
		assert_true(isnan(kc_model_about(m)->spearman));
		assert_near(kc_model_about(m)->weight, kc_model_weight_for(N,
		    NAN), 1e-12);
		assert_int_equal(kc_model_predict(m, &row[0][0], 2, out, err,
		    sizeof(err)), 0);
		assert_near(out[0], out[1], 1e-6);
		assert_near(out[0], 0.75, 1e-4);	/* 4 stars */
		kc_model_free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spearman),
		cmocka_unit_test(test_ndcg),
		cmocka_unit_test(test_informative),
		cmocka_unit_test(test_weight),
		cmocka_unit_test(test_train_roundtrip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_too_little),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
