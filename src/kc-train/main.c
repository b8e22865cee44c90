/*
 * kc-train - learns the user's taste: reads the rated clips that
 * "kc-db export" writes, fits gradient-boosted trees (XGBoost) that
 * predict the stars from a clip's normalised features, measures the
 * model on ratings it was not trained on (cross-validation) and saves it
 * as the next generation in the model directory, which kc-score reads.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "rec.h"

static const char usage_text[] =
"usage: kc-train [options] [FILE]\n"
"\n"
"Read \"rated\" records (kc-db export; stdin, or FILE), train a model\n"
"of the user's taste and save it as the next generation in the model\n"
"directory: DIR/gen-NNNNNN.json, and DIR/model.json, the current model\n"
"that kc-score reads (each written to a temporary file and renamed).\n"
"The inputs are a clip's kind and the \"*_z\" features kc-score gives\n"
"every highlight (the window's features against its stream and\n"
"channel); clips without them are skipped.  Writes one \"model\" record\n"
"on stdout and a summary line on stderr.\n"
"\n"
"options:\n"
"  -m, --model DIR       the model directory (default $KC_MODEL; kc-db\n"
"                        uses DB.model next to the database)\n"
"  -o, --objective OBJ   auto (default): linear up to 100 rated clips,\n"
"                        stars beyond; knn: nearest neighbours (the\n"
"                        mean stars of the 3 rated clips most like a\n"
"                        window); stars: boosted trees' regression on\n"
"                        the stars; rank: trees' pairwise ranking\n"
"                        within each stream; linear: ridge regression\n"
"                        on the stars\n"
"  -r, --rounds N        boosting rounds (default 40; 1-1000)\n"
"      --depth N         tree depth (default 2; 1-10)\n"
"      --folds N         cross-validation folds for the held-out quality\n"
"                        (default 5; 2-10; 0: none)\n"
"  -j, --threads N       XGBoost threads (default 1)\n"
"  -n, --dry-run         train and measure, but save nothing\n"
"  -q, --quiet           no summary line\n"
"  -h, --help            show this help\n"
"  -V, --version         show the version\n"
"\n"
"Held-out quality: every clip is scored by a model trained without its\n"
"fold (without itself, for knn); the pooled scores' Spearman correlation\n"
"with the stars and NDCG@10 (gain 2^(stars-1)-1) are stored with the\n"
"model, next to the same figures for the heuristic score.  The model's\n"
"weight in kc-score's blend is 0.9 * n / (n + 2) * (l * clamp(2 *\n"
"Spearman, 0, 1) + 1 - l), l = n / (n + 20), for n rated clips: the\n"
"held-out figure gets its say as the ratings grow.\n"
"\n"
"exit status: 0 ok, 1 bad input (a record that fails the checks of\n"
"docs/records.md), too few ratings or a failure to train\n"
"or save (the current model is then unchanged), 2 usage error.\n"
"environment: KC_MODEL (model directory); KC_TRAIN_PAUSE=SECS waits\n"
"before saving (for tests that interrupt a training).\n";

struct opts {
	const char *dir, *file;
	kc_train_opts t;
	int dry, quiet;
};

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "objective", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "depth", required_argument, NULL, 'D' },
		{ "folds", required_argument, NULL, 'F' },
		{ "threads", required_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	kc_train_defaults(&o->t);
	o->dir = getenv("KC_MODEL");
	while ((c = getopt_long(argc, argv, "m:o:r:j:nqVh", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'm': o->dir = optarg; break;
		case 'o':
			if (strcmp(optarg, "stars") == 0)
				o->t.objective = KC_OBJ_STARS;
			else if (strcmp(optarg, "rank") == 0)
				o->t.objective = KC_OBJ_RANK;
			else if (strcmp(optarg, "knn") == 0)
				o->t.objective = KC_OBJ_KNN;
			else if (strcmp(optarg, "linear") == 0)
				o->t.objective = KC_OBJ_LINEAR;
			else if (strcmp(optarg, "auto") == 0)
				o->t.objective = KC_OBJ_AUTO;
			else
				kc_usage_error("--objective: '%s': want auto, "
				    "knn, stars, rank or linear", optarg);
			break;
		case 'r': o->t.rounds = (int)kc_opt_long("--rounds", optarg, 1,
		    1000); break;
		case 'D': o->t.depth = (int)kc_opt_long("--depth", optarg, 1,
		    10); break;
		case 'F':
			o->t.folds = (int)kc_opt_long("--folds", optarg, 0, 10);
			if (o->t.folds == 1)
				kc_usage_error("--folds: '1': want 0 or 2-10");
			break;
		case 'j': o->t.threads = (int)kc_opt_long("--threads", optarg,
		    1, 64); break;
		case 'n': o->dry = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
	if (argc - optind > 1)
		kc_usage_error("too many operands");
	o->file = optind < argc ? argv[optind] : NULL;
	if (!o->dry && (o->dir == NULL || *o->dir == '\0'))
		kc_usage_error("no model directory (--model DIR or KC_MODEL)");
}

/* The examples as they are read, before the feature set is known. */
struct data {
	json_t **rec;		/* the rated records kept */
	size_t n, cap;
	char **names;		/* "kind", then the sorted *_z */
	size_t nf, ncap;
	char **streams;		/* distinct stream ids, for the groups */
	size_t ns;
	long skipped;
	float *x, *y, *base;	/* the training set built from them */
	unsigned *g;
	kc_model *model;
};

static struct data D;

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < D.n; i++)
		json_decref(D.rec[i]);
	for (i = 0; i < D.nf; i++)
		free(D.names[i]);
	for (i = 0; i < D.ns; i++)
		free(D.streams[i]);
	free(D.rec);
	free(D.names);
	free(D.streams);
	free(D.x);
	free(D.y);
	free(D.base);
	free(D.g);
	kc_model_free(D.model);
	memset(&D, 0, sizeof(D));
}

static void *
grow(void *p, size_t *cap, size_t elem)
{
	size_t n = *cap ? *cap * 2 : 64;

	if ((p = realloc(p, n * elem)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	*cap = n;
	return p;
}

static int
has_name(const char *s)
{
	size_t i;

	for (i = 0; i < D.nf; i++)
		if (strcmp(D.names[i], s) == 0)
			return 1;
	return 0;
}

static void
add_name(const char *s)
{
	if (D.nf == D.ncap)
		D.names = grow(D.names, &D.ncap, sizeof(char *));
	if ((D.names[D.nf++] = strdup(s)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static int
is_z(const char *s)
{
	size_t n = strlen(s);

	return n > 2 && strcmp(s + n - 2, "_z") == 0;
}

/* Keeps a rated record that carries z features; notes their names. */
static void
take(json_t *rec, const char *where)
{
	json_t *f = json_object_get(rec, "features"), *v;
	const char *k;
	char why[512];
	int any = 0;

	if (kc_rec_check(rec, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "%s: %s", where, why);
	json_object_foreach(f, k, v)
		if (is_z(k) && json_is_number(v)) {
			any = 1;
			if (has_name(k))
				continue;
			/* the matrix is records x names: names from each
			 * record must not make it quadratic in the input */
			if (D.nf > KC_REC_FEATURES)
				kc_die(KC_EXIT_DATA, "%s: rated: more than %d "
				    "different \"*_z\" features in the input: "
				    "\"%s\"", where, KC_REC_FEATURES, k);
			add_name(k);
		}
	if (!any) {
		D.skipped++;
		return;
	}
	if (D.n == D.cap)
		D.rec = grow(D.rec, &D.cap, sizeof(json_t *));
	D.rec[D.n++] = json_incref(rec);
}

static void
read_input(const struct opts *o)
{
	FILE *fp = o->file && strcmp(o->file, "-") ? fopen(o->file, "r") :
	    stdin;
	kc_reader *r;
	json_t *rec;
	int rc;

	if (fp == NULL)
		kc_die(KC_EXIT_DATA, "%s:", o->file);
	if ((r = kc_reader_new(fp, fp == stdin ? "<stdin>" : o->file)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	add_name("kind");
	while ((rc = kc_reader_next(r, &rec)) != 0) {
		if (rc < 0)
			kc_die(KC_EXIT_DATA, "%s: %s", kc_reader_where(r),
			    kc_reader_error(r));
		if (strcmp(kc_rec_type(rec), "rated") == 0)
			take(rec, kc_reader_where(r));
		json_decref(rec);
	}
	kc_reader_free(r);
	if (fp != stdin)
		fclose(fp);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned
group_of(const json_t *rec)
{
	const char *s = kc_rec_str(rec, "stream");
	size_t i;

	if (s == NULL)
		s = "";
	for (i = 0; i < D.ns; i++)
		if (strcmp(D.streams[i], s) == 0)
			return (unsigned)i;
	if ((D.streams = realloc(D.streams, (D.ns + 1) * sizeof(char *))) ==
	    NULL || (D.streams[D.ns] = strdup(s)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	return (unsigned)D.ns++;
}

/* A figure for the summary line: two decimals, or "n/a". */
static const char *
fig(double v, char *buf, size_t n)
{
	if (isfinite(v))
		snprintf(buf, n, "%.2f", v);
	else
		snprintf(buf, n, "n/a");
	return buf;
}

static void
report(const struct opts *o, const kc_model *m, const char *path)
{
	const kc_model_info *in = kc_model_about(m);
	json_t *r = kc_rec_new("model");
	char a[16], b[16], c[16], d[16];

	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (path)
		json_object_set_new(r, "generation",
		    json_integer(in->generation));
	json_object_set_new(r, "path", path ? json_string(path) : json_null());
	json_object_set_new(r, "objective", json_string(in->objective));
	json_object_set_new(r, "train_size", json_integer(in->train_size));
	json_object_set_new(r, "streams", json_integer(in->streams));
	json_object_set_new(r, "spearman", kc_json_num(in->spearman));
	json_object_set_new(r, "ndcg", kc_json_num(in->ndcg));
	json_object_set_new(r, "heuristic_spearman",
	    kc_json_num(in->base_spearman));
	json_object_set_new(r, "heuristic_ndcg", kc_json_num(in->base_ndcg));
	json_object_set_new(r, "weight", kc_json_num(in->weight));
	kc_out_new(r);
	if (o->quiet)
		return;
	fig(in->spearman, a, sizeof(a));
	fig(in->ndcg, b, sizeof(b));
	fig(in->base_spearman, c, sizeof(c));
	fig(in->base_ndcg, d, sizeof(d));
	if (path)
		kc_warn("model generation %d from %ld rated clips (%ld "
		    "streams): held-out Spearman %s, NDCG@10 %s (heuristic "
		    "%s, %s); weight %.2f", in->generation, in->train_size,
		    in->streams, a, b, c, d, in->weight);
	else
		kc_warn("%ld rated clips (%ld streams): held-out Spearman %s, "
		    "NDCG@10 %s (heuristic %s, %s); not saved",
		    in->train_size, in->streams, a, b, c, d);
}

/* The examples as a training set (arrays owned by D). */
static void
build_set(kc_trainset *ts)
{
	json_t *f, *v;
	size_t i, j, n = D.n ? D.n : 1;
	double t;

	qsort(D.names + 1, D.nf - 1, sizeof(char *), by_name);
	D.x = malloc(n * D.nf * sizeof(float));
	D.y = malloc(n * sizeof(float));
	D.g = malloc(n * sizeof(unsigned));
	D.base = malloc(n * sizeof(float));
	if (D.x == NULL || D.y == NULL || D.g == NULL || D.base == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < D.n; i++) {
		f = json_object_get(D.rec[i], "features");
		/* as kc-score gives it: audio 0, video 1, chat 2 */
		D.x[i * D.nf] = (float)kc_rec_kind(kc_rec_str(D.rec[i],
		    "kind"));
		for (j = 1; j < D.nf; j++) {
			v = json_object_get(f, D.names[j]);
			D.x[i * D.nf + j] = json_is_number(v) ?
			    (float)json_number_value(v) : NAN;
		}
		D.base[i] = kc_rec_num(D.rec[i], "heuristic", &t) == 0 ?
		    (float)t : NAN;
		kc_rec_num(D.rec[i], "stars", &t);
		D.y[i] = (float)t;
		D.g[i] = group_of(D.rec[i]);
	}
	ts->n = D.n;
	ts->nf = D.nf;
	ts->names = (const char *const *)D.names;
	ts->x = D.x;
	ts->stars = D.y;
	ts->group = D.g;
	ts->base = D.base;
}

int
main(int argc, char **argv)
{
	char err[4200], path[4200];
	const char *pause;
	struct opts o;
	kc_trainset ts;

	kc_setprog(argv[0]);
	kc_out_init();
	kc_on_exit(cleanup);
	parse_args(argc, argv, &o);
	read_input(&o);
	if (D.skipped)
		kc_warn("%ld rated clip%s without \"*_z\" features skipped "
		    "(cut by an older kc-score)", D.skipped,
		    D.skipped == 1 ? "" : "s");
	build_set(&ts);
	if (kc_model_train(&ts, &o.t, &D.model, err, sizeof(err)) != 0)
		kc_die(KC_EXIT_DATA, "%s", err);
	if ((pause = getenv("KC_TRAIN_PAUSE")) && *pause)
		sleep((unsigned)kc_opt_long("KC_TRAIN_PAUSE", pause, 0, 3600));
	if (!o.dry && kc_model_save(D.model, o.dir, path, sizeof(path), err,
	    sizeof(err)) != 0)
		kc_die(KC_EXIT_DATA, "%s", err);
	report(&o, D.model, o.dry ? NULL : path);
	cleanup();
	kc_out_close();
	return KC_EXIT_OK;
}
