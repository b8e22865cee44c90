/*
 * list.c - "kc-db list" and "kc-db export": the two ways out of the
 * database for clips.  list shows them to a person (a table) or to a
 * program (--json: clip records with their id, rating and stream);
 * export writes one "rated" record per rated clip, the training set for
 * the model (docs/records.md).
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcdb.h"
#include "learn.h"
#include "msg.h"
#include "num.h"
#include "out.h"
#include "rec.h"

static const char list_usage[] =
"usage: kc-db [--db PATH] list [options]\n"
"\n"
"Show the stored clips, newest first: a table of id, stars (\"-\" when\n"
"unrated), kind, score, start in the stream, length, stream title and\n"
"file name; with --json one \"clip\" record per line.\n"
"\n"
"options:\n"
"  -j, --json            JSON Lines: clip records with id, rating,\n"
"                        rated_at, added, title, channel, poster and\n"
"                        vertical_path\n"
"  -u, --unrated         only clips not rated yet\n"
"  -r, --rated           only rated clips\n"
"  -k, --kind KIND       only audio, video or chat clips\n"
"  -s, --stream ID|URL   only clips of this stream\n"
"  -m, --min-stars N     only clips rated N stars or more (1-5)\n"
"  -n, --limit N         at most N clips\n"
"  -i, --id ID           only clip ID (none: exit 1)\n"
"  -S, --sort ORDER      date (newest first, default), score (best\n"
"                        first), time (stream by stream, by start) or\n"
"                        informative (unrated clips only: first those\n"
"                        whose rating would teach the model most, see\n"
"                        kc-db(1)); --order is the same option\n"
"      --db PATH         the database\n"
"\n"
"exit status: 0 ok, 1 database error or no clip --id ID, 2 usage error.\n";

static const char export_usage[] =
"usage: kc-db [--db PATH] export [--kind KIND]\n"
"\n"
"Write one \"rated\" record per rated clip, in id order, for training:\n"
"clip id, stream, channel, kind, t0, t1, stars, score, heuristic, model,\n"
"model_weight, rated_at and the clip's features.\n"
"\n"
"options:\n"
"  -k, --kind KIND   only audio, video or chat clips\n"
"      --db PATH     the database\n"
"\n"
"exit status: 0 ok, 1 database error, 2 usage error.\n";

/* Title column width, in characters. */
#define TITLE_WIDTH 24

/* --sort informative: done here, over what kc_db_list gives by id */
#define SORT_INFORMATIVE	(-1)
/* clips chosen one by one for coverage; the rest follow by score */
#define INFORMATIVE_MAX		500

static const char *
opt_kind(const struct kcdb *k, const char *v)
{
	if (kc_rec_kind(v) < 0)
		kc_usage_error("%s: --kind must be " KC_REC_KINDS_TEXT ", got "
		    "'%s'", k->cmd, v);
	return v;
}

static long
opt_long(const struct kcdb *k, const char *flag, const char *v, long lo,
    long hi)
{
	const char *why;
	long n;

	if (kc_parse_long(v, lo, hi, &n, &why) != 0)
		kc_usage_error("%s: %s: '%s': %s (%ld to %ld)", k->cmd, flag, v,
		    why, lo, hi);
	return n;
}

static int
opt_sort(const struct kcdb *k, const char *v)
{
	if (strcmp(v, "date") == 0)
		return KC_DB_SORT_DATE;
	if (strcmp(v, "score") == 0)
		return KC_DB_SORT_SCORE;
	if (strcmp(v, "time") == 0)
		return KC_DB_SORT_TIME;
	if (strcmp(v, "informative") == 0)
		return SORT_INFORMATIVE;
	kc_usage_error("%s: --sort must be date, score, time or informative, "
	    "got '%s'", k->cmd, v);
}

/* H:MM:SS, always with hours so the column lines up. */
static const char *
hms(double t, char *buf, size_t n)
{
	long s = isfinite(t) && t > 0 ? (long)(t + 0.5) : 0;

	snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	return buf;
}

/*
 * Writes n bytes of s with control characters (a newline in a title)
 * shown as spaces, so one clip stays one line of the table.
 */
static void
put_clean(const char *s, size_t n)
{
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (putchar(c < 0x20 || c == 0x7f ? ' ' : c) == EOF)
			kc_out_fail("stdout");
	}
}

/*
 * Writes s in a column of width characters: UTF-8 aware, cut with an
 * ellipsis when longer, padded with spaces when shorter.
 */
static void
cell(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	int chars = 0, i;
	size_t cut = 0;

	for (i = 0; p[i]; i++)
		if ((p[i] & 0xc0) != 0x80) {	/* not a continuation byte */
			if (chars == width - 1)
				cut = (size_t)i;
			chars++;
		}
	if (chars > width) {
		put_clean(s, cut);
		kc_out_printf("\xe2\x80\xa6");	/* U+2026 ellipsis */
		return;
	}
	put_clean(s, strlen(s));
	kc_out_printf("%*s", width - chars, "");
}

static void
table_row(const kc_db_clip *c)
{
	const char *base;
	char score[32], start[32], length[32], stars[8];

	snprintf(stars, sizeof(stars), c->rating ? "%d" : "-", c->rating);
	if (isnan(c->score))
		snprintf(score, sizeof(score), "-");
	else
		snprintf(score, sizeof(score), "%.3f", c->score);
	base = strrchr(c->path, '/');
	base = base && base[1] ? base + 1 : c->path;
	kc_out_printf("%6lld  %5s  %-5s  %5s  %8s  %6s  ", c->id, stars, c->kind,
	    score, hms(c->t0, start, sizeof(start)),
	    kc_fmt_hms(c->t1 - c->t0, length, sizeof(length)));
	cell(c->title ? c->title : "-", TITLE_WIDTH);
	kc_out_printf("  ");
	put_clean(base, strlen(base));
	kc_out_printf("\n");
}

/* The stored features object; dies if the text is not JSON. */
static json_t *
features(const kc_db_clip *c)
{
	json_error_t e;
	json_t *f;

	f = json_loads(c->features ? c->features : "{}", 0, &e);
	if (f == NULL || !json_is_object(f))
		kc_die(KC_EXIT_DATA, "clip %lld: stored features are not a "
		    "JSON object", c->id);
	return f;
}

json_t *
kcdb_clip_record(const kc_db_clip *c)
{
	json_t *r = kc_rec_new("clip");

	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kcdb_set(r, "id", json_integer(c->id));
	kcdb_set(r, "path", json_string(c->path));
	kcdb_set(r, "kind", json_string(c->kind));
	kcdb_set(r, "t0", json_real(c->t0));
	kcdb_set(r, "t1", json_real(c->t1));
	if (!isnan(c->want_t0))
		kcdb_set(r, "want_t0", json_real(c->want_t0));
	if (!isnan(c->want_t1))
		kcdb_set(r, "want_t1", json_real(c->want_t1));
	if (c->mode)
		kcdb_set(r, "mode", json_string(c->mode));
	kcdb_set(r, "score", kcdb_real(c->score));
	kcdb_set(r, "heuristic", kcdb_real(c->heuristic));
	kcdb_set(r, "model", kcdb_real(c->model));
	kcdb_set(r, "model_weight", kcdb_real(c->model_weight));
	kcdb_set(r, "features", features(c));
	kcdb_set(r, "url", kcdb_str(c->url));
	kcdb_set(r, "stream", kcdb_str(c->stream_id));
	kcdb_set(r, "title", kcdb_str(c->title));
	kcdb_set(r, "channel", kcdb_str(c->channel));
	kcdb_set(r, "rating", c->rating ? json_integer(c->rating) :
	    json_null());
	kcdb_set(r, "rated_at", kcdb_str(c->rated_at));
	kcdb_set(r, "added", json_string(c->created));
	kcdb_set(r, "poster", kcdb_str(c->poster));
	kcdb_set(r, "vertical_path", kcdb_str(c->vertical_path));
	return r;
}

/* The "rated" record export writes: one training example. */
static json_t *
rated_record(const kc_db_clip *c)
{
	json_t *r = kc_rec_new("rated");

	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kcdb_set(r, "id", json_integer(c->id));
	kcdb_set(r, "stream", kcdb_str(c->stream_id));
	kcdb_set(r, "channel", kcdb_str(c->channel));
	kcdb_set(r, "kind", json_string(c->kind));
	kcdb_set(r, "t0", json_real(c->t0));
	kcdb_set(r, "t1", json_real(c->t1));
	kcdb_set(r, "stars", json_integer(c->rating));
	kcdb_set(r, "score", kcdb_real(c->score));
	kcdb_set(r, "heuristic", kcdb_real(c->heuristic));
	kcdb_set(r, "model", kcdb_real(c->model));
	kcdb_set(r, "model_weight", kcdb_real(c->model_weight));
	kcdb_set(r, "rated_at", json_string(c->rated_at));
	kcdb_set(r, "features", features(c));
	return r;
}

/*
 * Runs the query and hands each row to emit, after a header if any.
 * Returns how many rows there were.
 */
static long
each_clip(const struct kcdb *k, const kc_db_filter *f, const char *header,
    void (*emit)(const kc_db_clip *))
{
	kc_db_iter *it;
	kc_db_clip c;
	kc_db *db;
	long n = 0;
	int rc;

	db = kcdb_open(k, 0);
	if (header)
		kc_out_printf("%s\n", header);
	if (kc_db_list(db, f, &it) != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	while ((rc = kc_db_next(it, &c)) == 1) {
		emit(&c);
		n++;
	}
	if (rc < 0)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	kc_db_iter_free(it);
	kcdb_close(k, db);
	return n;
}

static void
emit_row(const kc_db_clip *c)
{
	table_row(c);
}

static void
emit_clip(const kc_db_clip *c)
{
	kc_out_new(kcdb_clip_record(c));
}

static void
emit_rated(const kc_db_clip *c)
{
	kc_out_new(rated_record(c));
}

/* ---- --sort informative ---------------------------------------------- */

struct held {
	kc_db_clip *c;		/* deep copies */
	size_t n, cap;
};

static char *
dup_or_null(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	return d;
}

static void
hold(struct held *h, const kc_db_clip *c)
{
	kc_db_clip *d;
	void *np;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		if ((np = realloc(h->c, h->cap * sizeof(*h->c))) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		h->c = np;
	}
	d = &h->c[h->n++];
	*d = *c;
	d->path = dup_or_null(c->path);
	d->stream_id = dup_or_null(c->stream_id);
	d->kind = dup_or_null(c->kind);
	d->mode = dup_or_null(c->mode);
	d->features = dup_or_null(c->features);
	d->created = dup_or_null(c->created);
	d->rated_at = dup_or_null(c->rated_at);
	d->url = dup_or_null(c->url);
	d->title = dup_or_null(c->title);
	d->channel = dup_or_null(c->channel);
	d->poster = dup_or_null(c->poster);
	d->vertical_path = dup_or_null(c->vertical_path);
}

/* What list_informative gathers, through each_clip. */
static struct held held;

static void
hold_clip(const kc_db_clip *c)
{
	hold(&held, c);
}

static void
held_free(struct held *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free((char *)h->c[i].path);
		free((char *)h->c[i].stream_id);
		free((char *)h->c[i].kind);
		free((char *)h->c[i].mode);
		free((char *)h->c[i].features);
		free((char *)h->c[i].created);
		free((char *)h->c[i].rated_at);
		free((char *)h->c[i].url);
		free((char *)h->c[i].title);
		free((char *)h->c[i].channel);
		free((char *)h->c[i].poster);
		free((char *)h->c[i].vertical_path);
	}
	free(h->c);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The clips f selects, unrated, in the order that teaches the model most
 * (kc_informative): every clip in the database is an item, described by
 * its kind and its "*_z" features (the model's inputs; a feature a clip
 * lacks counts as the stream's median, 0), and the rated ones are what
 * the model knows.
 */
static void
list_informative(const struct kcdb *k, const kc_db_filter *uf,
    const char *header, void (*emit)(const kc_db_clip *))
{
	kc_db_filter f;
	struct held *h = &held;
	json_t **fo, *v;
	const char *key, **names = NULL;
	double *x, *score;
	unsigned char *known;
	size_t *order, i, j, nn = 0, cap = 0, d;
	long no, shown = 0;
	void *np;

	/* every clip, by id */
	memset(&f, 0, sizeof(f));
	f.sort = KC_DB_SORT_ID;
	each_clip(k, &f, header, hold_clip);

	/* the feature names: every "*_z" any clip has, sorted */
	if ((fo = calloc(h->n ? h->n : 1, sizeof(*fo))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < h->n; i++) {
		fo[i] = features(&h->c[i]);
		json_object_foreach(fo[i], key, v) {
			size_t kl = strlen(key);

			if (kl < 3 || strcmp(key + kl - 2, "_z") != 0 ||
			    !json_is_number(v))
				continue;
			if (nn == cap) {
				cap = cap ? 2 * cap : 64;
				if ((np = realloc(names, cap * sizeof(*names)))
				    == NULL)
					kc_die(KC_EXIT_DATA, "out of memory");
				names = np;
			}
			names[nn++] = key;
		}
	}
	if (nn > 1)
		qsort(names, nn, sizeof(*names), by_name);
	for (i = j = 0; i < nn; i++)
		if (j == 0 || strcmp(names[i], names[j - 1]) != 0)
			names[j++] = names[i];
	nn = j;
	d = nn + 1;
	x = calloc(h->n ? h->n * d : 1, sizeof(*x));
	score = calloc(h->n ? h->n : 1, sizeof(*score));
	known = calloc(h->n ? h->n : 1, 1);
	order = calloc(h->n ? h->n : 1, sizeof(*order));
	if (x == NULL || score == NULL || known == NULL || order == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < h->n; i++) {
		/*
		 * the kind as the model is given it (audio 0, video 1,
		 * chat 2: kc-train, kc-score), so "unlike what was
		 * rated" sees kinds as the model tells them apart.  Chat
		 * needs a value of its own, or a chat clip would pass
		 * for an audio one and never come first as a kind not
		 * rated yet.  The column is standardised, so only the
		 * spacing counts: audio and video alone order as with
		 * the 0 and 3 used before chat.
		 */
		x[i * d] = kc_rec_kind(h->c[i].kind);
		for (j = 0; j < nn; j++) {
			v = json_object_get(fo[i], names[j]);
			x[i * d + 1 + j] = json_is_number(v) ?
			    json_number_value(v) : 0;
		}
		score[i] = h->c[i].score;
		/* every rated clip is known, whatever f shows */
		known[i] = h->c[i].rating != 0;
	}
	if ((no = kc_informative(x, h->n, d, score, known, order,
	    INFORMATIVE_MAX)) < 0)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < (size_t)no; i++) {
		const kc_db_clip *p = &h->c[order[i]];

		if (uf->kind && strcmp(p->kind, uf->kind) != 0)
			continue;
		if (uf->stream && !(p->stream_id && strcmp(p->stream_id,
		    uf->stream) == 0) && !(p->url && strcmp(p->url,
		    uf->stream) == 0))
			continue;
		if (uf->limit > 0 && shown >= uf->limit)
			break;
		emit(p);
		shown++;
	}
	for (i = 0; i < h->n; i++)
		json_decref(fo[i]);
	free(fo);
	free(names);
	free(x);
	free(score);
	free(known);
	free(order);
	held_free(h);
}

int
kcdb_list(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "unrated", no_argument, NULL, 'u' },
		{ "rated", no_argument, NULL, 'r' },
		{ "kind", required_argument, NULL, 'k' },
		{ "stream", required_argument, NULL, 's' },
		{ "min-stars", required_argument, NULL, 'm' },
		{ "limit", required_argument, NULL, 'n' },
		{ "id", required_argument, NULL, 'i' },
		{ "sort", required_argument, NULL, 'S' },
		{ "order", required_argument, NULL, 'S' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	kc_db_filter f;
	char header[200];
	int c, json = 0, unrated = 0, rated = 0;

	memset(&f, 0, sizeof(f));
	f.sort = KC_DB_SORT_DATE;
	while ((c = kcdb_getopt(k, argc, argv, "jurk:s:m:n:i:S:",
	    longopts, list_usage)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'u': unrated = 1; break;
		case 'r': rated = 1; break;
		case 'k': f.kind = opt_kind(k, optarg); break;
		case 's': f.stream = optarg; break;
		case 'm':
			f.min_stars = (int)opt_long(k, "--min-stars", optarg, 1,
			    5);
			break;
		case 'n':
			f.limit = opt_long(k, "--limit", optarg, 1, LONG_MAX);
			break;
		case 'i': f.id = kcdb_clip_id(k, optarg); break;
		case 'S': f.sort = opt_sort(k, optarg); break;
		}
	}
	kcdb_operands(k, argc - optind, 0, 0);
	if (unrated && (rated || f.min_stars))
		kc_usage_error("list: --unrated cannot go with --rated or "
		    "--min-stars");
	f.rated = unrated ? -1 : rated ? 1 : 0;
	if (f.sort == SORT_INFORMATIVE && (rated || f.min_stars))
		kc_usage_error("list: --sort informative lists unrated clips; "
		    "it cannot go with --rated or --min-stars");
	snprintf(header, sizeof(header), "%6s  %5s  %-5s  %5s  %8s  %6s  "
	    "%-*s  %s", "ID", "STARS", "KIND", "SCORE", "START", "LENGTH",
	    TITLE_WIDTH, "STREAM", "FILE");
	if (f.sort == SORT_INFORMATIVE)
		list_informative(k, &f, json ? NULL : header, json ? emit_clip :
		    emit_row);
	else if (each_clip(k, &f, json ? NULL : header, json ? emit_clip :
	    emit_row) == 0 && f.id > 0) {
		kc_out_flush();
		kc_die(KC_EXIT_DATA, "%s: no clip with id %lld", k->path,
		    f.id);
	}
	return KC_EXIT_OK;
}

int
kcdb_export(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	kc_db_filter f;
	int c;

	memset(&f, 0, sizeof(f));
	f.rated = 1;
	f.sort = KC_DB_SORT_ID;
	while ((c = kcdb_getopt(k, argc, argv, "k:", longopts,
	    export_usage)) != -1)
		if (c == 'k')
			f.kind = opt_kind(k, optarg);
	kcdb_operands(k, argc - optind, 0, 0);
	each_clip(k, &f, NULL, emit_rated);
	return KC_EXIT_OK;
}
