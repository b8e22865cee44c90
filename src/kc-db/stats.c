/*
 * stats.c - "kc-db stats": how much has been rated and how, so the user
 * sees what the model has to learn from: clip counts, the histogram of
 * stars, the mean, and the same per kind and per channel.  Text for a
 * person, or one "stats" object with --json.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kcdb.h"
#include "msg.h"
#include "out.h"
#include "rec.h"

static const char usage_text[] =
"usage: kc-db [--db PATH] stats [--json] [--model DIR]\n"
"\n"
"Show how many clips are stored and rated, the histogram of their\n"
"latest ratings (1-5 stars) and the mean, over all clips, per kind and\n"
"per channel (with the number of streams the clips come from), and for\n"
"each model generation its held-out quality: the cross-validated\n"
"Spearman correlation of model score and stars and NDCG@10, next to the\n"
"heuristic's on the same clips, and its weight in the score.\n"
"\n"
"options:\n"
"  -j, --json      one \"stats\" JSON object instead of text\n"
"      --model DIR the model directory (default $KC_MODEL, else\n"
"                  PATH.model)\n"
"      --db PATH   the database\n"
"\n"
"exit status: 0 ok, 1 database error, 2 usage error.\n";

/* {"clips", "rated", "unrated", "stars": {"1": n, ...}, "mean"}. */
static json_t *
group_json(const kc_db_group *g)
{
	json_t *o = json_object(), *stars = json_object();
	char key[2];
	int i;

	if (o == NULL || stars == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kcdb_set(o, "clips", json_integer(g->clips));
	kcdb_set(o, "rated", json_integer(g->rated));
	kcdb_set(o, "unrated", json_integer(g->clips - g->rated));
	for (i = 1; i <= 5; i++) {
		key[0] = (char)('0' + i);
		key[1] = '\0';
		kcdb_set(stars, key, json_integer(g->stars[i]));
	}
	kcdb_set(o, "stars", stars);
	kcdb_set(o, "mean", kcdb_real(g->mean));
	return o;
}

static const char *
mean_str(double m, char *buf, size_t n)
{
	if (isnan(m))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.2f", m);
	return buf;
}

/* Runs one grouping; each row goes to fn. */
static void
groups(const struct kcdb *k, kc_db *db, int by,
    void (*fn)(const kc_db_group *, void *), void *arg)
{
	kc_db_iter *it;
	kc_db_group g;
	int rc;

	if (kc_db_stats(db, by, &it) != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	while ((rc = kc_db_next_group(it, &g)) == 1)
		fn(&g, arg);
	if (rc < 0)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	kc_db_iter_free(it);
}

static void
text_total(const kc_db_group *g, void *arg)
{
	char m[32];
	int i;

	(void)arg;
	kc_out_printf("clips     %ld (%ld rated, %ld unrated) from %ld stream%s\n",
	    g->clips, g->rated, g->clips - g->rated, g->streams,
	    g->streams == 1 ? "" : "s");
	kc_out_printf("stars    ");
	for (i = 1; i <= 5; i++)
		kc_out_printf(" %d: %ld ", i, g->stars[i]);
	kc_out_printf("  mean %s\n", mean_str(g->mean, m, sizeof(m)));
}

static void
text_kind(const kc_db_group *g, void *arg)
{
	char m[32];

	(void)arg;
	kc_out_printf("  %-20s %7ld %7ld %7ld %6s\n", g->name, g->clips, g->rated,
	    g->clips - g->rated, mean_str(g->mean, m, sizeof(m)));
}

static void
text_channel(const kc_db_group *g, void *arg)
{
	char m[32];

	(void)arg;
	kc_out_printf("  %-20s %7ld %7ld %7ld %6s %7ld\n", g->name ? g->name :
	    "(unknown)", g->clips, g->rated, g->clips - g->rated,
	    mean_str(g->mean, m, sizeof(m)), g->streams);
}

static void
json_total(const kc_db_group *g, void *arg)
{
	json_t *r = arg, *o = group_json(g);

	json_object_update(r, o);
	json_decref(o);
	kcdb_set(r, "streams", json_integer(g->streams));
}

static void
json_kind(const kc_db_group *g, void *arg)
{
	kcdb_set(arg, g->name, group_json(g));
}

static void
json_channel(const kc_db_group *g, void *arg)
{
	json_t *o = group_json(g);

	kcdb_set(o, "channel", kcdb_str(g->name));
	kcdb_set(o, "streams", json_integer(g->streams));
	if (json_array_append_new(arg, o) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static const char *
fig(const json_t *o, const char *key, char *buf, size_t n)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		snprintf(buf, n, "%.2f", json_number_value(v));
	else
		snprintf(buf, n, "-");
	return buf;
}

static void
text_model(const json_t *g)
{
	char a[16], b[16], c[16], d[16], w[16];

	kc_out_printf("  %-4lld %-20s %7lld %8s %8s %8s %8s %6s\n",
	    (long long)json_integer_value(json_object_get(g, "generation")),
	    json_string_value(json_object_get(g, "created")),
	    (long long)json_integer_value(json_object_get(g, "train_size")),
	    fig(g, "spearman", a, sizeof(a)), fig(g, "ndcg", b, sizeof(b)),
	    fig(g, "heuristic_spearman", c, sizeof(c)),
	    fig(g, "heuristic_ndcg", d, sizeof(d)),
	    fig(g, "weight", w, sizeof(w)));
}

/* The last 10 model generations, a line each; takes gens. */
static void
text_models(json_t *gens)
{
	size_t i, n = json_array_size(gens);

	if (n == 0)
		kc_out_printf("\nno model yet (kc-db rate trains one every "
		    "--retrain-every ratings, 5 unless set)\n");
	else {
		kc_out_printf("\n  %-4s %-20s %7s %8s %8s %8s %8s %6s\n",
		    "gen", "created", "trained", "spearman", "ndcg@10",
		    "heur.sp", "heur.nd", "weight");
		if (n > 10)
			kc_out_printf("  (%zu earlier: kc-db stats --json)\n",
			    n - 10);
		for (i = n > 10 ? n - 10 : 0; i < n; i++)
			text_model(json_array_get(gens, i));
	}
	json_decref(gens);
}

int
kcdb_stats(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "model", required_argument, NULL, 'M' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const kc_db_group none = { .mean = NAN };
	json_t *r, *kinds, *channels;
	kc_db *db;
	int c, json = 0;

	while ((c = kcdb_getopt(k, argc, argv, "j", longopts,
	    usage_text)) != -1)
		if (c == 'j')
			json = 1;
	kcdb_operands(k, argc - optind, 0, 0);
	db = kcdb_open(k, 0);
	if (!json) {
		groups(k, db, KC_DB_BY_ALL, text_total, NULL);
		kc_out_printf("\n  %-20s %7s %7s %7s %6s\n", "kind", "clips", "rated",
		    "unrated", "mean");
		groups(k, db, KC_DB_BY_KIND, text_kind, NULL);
		kc_out_printf("\n  %-20s %7s %7s %7s %6s %7s\n", "channel", "clips",
		    "rated", "unrated", "mean", "streams");
		groups(k, db, KC_DB_BY_CHANNEL, text_channel, NULL);
		kcdb_close(k, db);
		text_models(kcdb_generations(k, 1));
		return KC_EXIT_OK;
	}
	if ((r = kc_rec_new("stats")) == NULL || (kinds = json_object()) ==
	    NULL || (channels = json_array()) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	groups(k, db, KC_DB_BY_ALL, json_total, r);
	/* every kind always present, so readers need no existence test */
	kcdb_set(kinds, "audio", group_json(&none));
	kcdb_set(kinds, "video", group_json(&none));
	kcdb_set(kinds, "chat", group_json(&none));
	groups(k, db, KC_DB_BY_KIND, json_kind, kinds);
	kcdb_set(r, "kinds", kinds);
	groups(k, db, KC_DB_BY_CHANNEL, json_channel, channels);
	kcdb_set(r, "channels", channels);
	kcdb_set(r, "models", kcdb_generations(k, 0));
	kcdb_close(k, db);
	kc_out_new(r);
	return KC_EXIT_OK;
}
