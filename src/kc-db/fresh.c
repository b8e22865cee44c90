/*
 * fresh.c - "kc-db fresh": a filter between kc-score and kc-cut that
 * keeps a stream analysed again from getting a second clip of a moment
 * it has.  The same stream's highlights come back at the same windows,
 * but their scores (and so kc-cut's file names) move with the model and
 * the channel's statistics, so kc-cut would cut them again under new
 * names.  A highlight whose window a stored clip of the stream and kind
 * covers is replaced by that clip's record, which kc-cut passes on and
 * kc-db add keeps as it is.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kcdb.h"
#include "msg.h"
#include "out.h"
#include "rec.h"

static const char usage_text[] =
"usage: kc-db [--db PATH] fresh [--quiet]\n"
"\n"
"A filter between kc-score and kc-cut (kc-clip puts it there): copies kc\n"
"records from stdin to stdout, except a highlight that is stored already,\n"
"as a clip of the same stream and kind whose window overlaps the\n"
"highlight's by more than half of the longer of the two.  In its place\n"
"goes that clip's record, as 'list --json' writes it, which kc-cut passes\n"
"on and 'kc-db add' keeps as it is: a stream analysed again gets no\n"
"second clip of a moment it has, though its score (and so kc-cut's file\n"
"name) moved with the model or the channel's statistics.  A database that\n"
"does not exist yet stores nothing (it is not created); a clip whose\n"
"file is gone does not count.  How many\n"
"highlights were stored already goes to stderr.\n"
"\n"
"options:\n"
"  -q, --quiet      no summary line\n"
"      --db PATH    the database\n"
"\n"
"exit status: 0 ok, 1 malformed input or a database error, 2 usage "
"error.\n";

/* A stored clip of the open stream. */
struct stored {
	char kind[8];
	double t0, t1;		/* its highlight's window */
	long long id;
	json_t *rec;		/* its list --json record */
	int used;		/* a highlight of this run took it */
};

struct fresh {
	struct kcdb *k;
	struct stored *s;
	size_t n;
	long highlights, known;	/* of the open stream */
	char ids[200];		/* the known ones' ids, for the summary */
	int quiet;
};

static void
forget(struct fresh *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		json_decref(f->s[i].rec);
	free(f->s);
	f->s = NULL;
	f->n = 0;
	f->highlights = f->known = 0;
	f->ids[0] = '\0';
}

/* The stream's stored clips, read and the database closed again. */
static void
load(struct fresh *f, const char *sid)
{
	kc_db_filter flt;
	kc_db_iter *it;
	kc_db_clip c;
	kc_db *db;
	char err[600];
	int rc;

	forget(f);
	rc = kc_db_open(&db, f->k->path, 0, err, sizeof(err));
	if (rc == KC_DB_NOTFOUND)
		return;		/* nothing stored yet */
	if (rc != KC_DB_OK)
		kc_out_fatal("%s: %s", f->k->path, err);
	memset(&flt, 0, sizeof(flt));
	flt.stream = sid;
	flt.sort = KC_DB_SORT_ID;
	if (kc_db_list(db, &flt, &it) != KC_DB_OK)
		kc_out_fatal("%s: %s", f->k->path, kc_db_error(db));
	while ((rc = kc_db_next(it, &c)) == 1) {
		struct stored *s;

		/* the stream's id, not a url that happens to match; a clip
		 * whose file is gone is cut again */
		if (c.stream_id == NULL || strcmp(c.stream_id, sid) != 0 ||
		    access(c.path, F_OK) != 0)
			continue;
		if ((f->s = realloc(f->s, (f->n + 1) * sizeof(*f->s))) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		s = &f->s[f->n++];
		snprintf(s->kind, sizeof(s->kind), "%s", c.kind);
		s->t0 = isfinite(c.want_t0) ? c.want_t0 : c.t0;
		s->t1 = isfinite(c.want_t1) ? c.want_t1 : c.t1;
		s->id = c.id;
		s->rec = kcdb_clip_record(&c);
		s->used = 0;
	}
	if (rc < 0)
		kc_out_fatal("%s: %s", f->k->path, kc_db_error(db));
	kc_db_iter_free(it);
	kc_db_close(db);
}

/* The stored clip that covers [t0, t1] of kind, or NULL. */
static struct stored *
covering(struct fresh *f, const char *kind, double t0, double t1)
{
	struct stored *best = NULL;
	double ov, bestov = 0, len;
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct stored *s = &f->s[i];

		if (s->used || strcmp(s->kind, kind) != 0)
			continue;
		ov = fmin(t1, s->t1) - fmax(t0, s->t0);
		len = fmax(t1 - t0, s->t1 - s->t0);
		if (ov > 0.5 * len && ov > bestov) {
			best = s;
			bestov = ov;
		}
	}
	return best;
}

static void
summary(struct fresh *f)
{
	if (f->known > 0 && !f->quiet)
		kc_warn("%s: %ld of %ld highlight%s stored already (clip%s "
		    "%s): not cut again", f->k->cmd, f->known, f->highlights,
		    f->highlights == 1 ? "" : "s", f->known == 1 ? "" : "s",
		    f->ids);
	f->highlights = f->known = 0;
	f->ids[0] = '\0';
}

static void
highlight(struct fresh *f, const json_t *rec, const char *raw, size_t len)
{
	const char *kind = kc_rec_str(rec, "kind");
	struct stored *s;
	double t0, t1;
	size_t used;

	f->highlights++;
	if (kind == NULL || kc_rec_num(rec, "t0", &t0) != 0 ||
	    kc_rec_num(rec, "t1", &t1) != 0 || (s = covering(f, kind, t0,
	    t1)) == NULL) {
		kc_out_raw(raw, len);	/* kc-cut judges a bad one */
		return;
	}
	s->used = 1;
	kc_out(s->rec);
	f->known++;
	used = strlen(f->ids);
	if (used + 24 < sizeof(f->ids))
		snprintf(f->ids + used, sizeof(f->ids) - used, "%s%lld",
		    used ? ", " : "", s->id);
	else if (used + 4 < sizeof(f->ids) && strcmp(f->ids + used - 3,
	    "...") != 0)
		snprintf(f->ids + used, sizeof(f->ids) - used, "...");
}

int
kcdb_fresh(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct fresh f;
	kc_reader *rd;
	json_t *rec;
	const char *type, *sid;
	char why[512];
	int c, rc;

	memset(&f, 0, sizeof(f));
	f.k = k;
	while ((c = kcdb_getopt(k, argc, argv, "q", longopts, usage_text)) !=
	    -1)
		if (c == 'q')
			f.quiet = 1;
	kcdb_operands(k, argc - optind, 0, 0);
	/* a live stream's highlights go on one by one */
	kc_out_unbuffered(1);
	if ((rd = kc_reader_new(stdin, "<stdin>")) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kc_reader_watch_output(rd, 1);
	while ((rc = kc_reader_next(rd, &rec)) != 0) {
		if (rc < 0)
			kc_out_fatal("%s: %s", kc_reader_where(rd),
			    kc_reader_error(rd));
		type = kc_rec_type(rec);
		if (strcmp(type, "stream") == 0) {
			if (kc_rec_check(rec, why, sizeof(why)) != 0)
				kc_out_fatal("%s: %s", kc_reader_where(rd), why);
			summary(&f);
			forget(&f);	/* no id: nothing of it is known */
			if ((sid = kc_rec_str(rec, "id")) != NULL)
				load(&f, sid);
			kc_out_raw(kc_reader_raw(rd), kc_reader_rawlen(rd));
		} else if (strcmp(type, "highlight") == 0 && f.n > 0)
			highlight(&f, rec, kc_reader_raw(rd),
			    kc_reader_rawlen(rd));
		else {
			if (strcmp(type, "end") == 0)
				summary(&f);
			kc_out_raw(kc_reader_raw(rd), kc_reader_rawlen(rd));
		}
		json_decref(rec);
	}
	summary(&f);
	forget(&f);
	kc_reader_free(rd);
	return KC_EXIT_OK;
}
