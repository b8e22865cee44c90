/*
 * add.c - "kc-db add": the last stage of a pipeline run.  It reads kc
 * records on stdin and stores the clips kc-cut made, following the
 * commit rules of docs/records.md: a stream's clips are held in memory
 * and written in one transaction when the stream's "end" record arrives,
 * so a run that broke half-way (no "end", or a fatal "error" record)
 * adds nothing, and the database's write lock is held for milliseconds,
 * not for the hours a long stream takes to analyse.  Live streams are
 * stored clip by clip.  Clips outside any stream (hand-written input)
 * are stored at the end of input.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kcdb.h"
#include "msg.h"
#include "out.h"
#include "rec.h"

static const char usage_text[] =
"usage: kc-db [--db PATH] add [--print] [--quiet]\n"
"\n"
"Read kc records on stdin and store the \"clip\" records in the database.\n"
"A stream's clips are committed when its \"end\" record arrives; if the\n"
"input ends before it, or a fatal \"error\" record arrives, nothing of\n"
"that stream is stored.  A live stream's clips are stored one by one.\n"
"Clips without a stream record are stored at the end of input.  A clip\n"
"whose path is already stored is left as it is, but takes the record's\n"
"\"poster\" and \"vertical_path\" when it has them (kc-cut\n"
"--export-vertical: one row per clip, whatever its formats); if that\n"
"path is stored for a clip of another stream, the clip is refused (not\n"
"stored, the stored one keeps its stream and rating) and the exit status\n"
"is 1.  A summary goes to stderr.\n"
"\n"
"options:\n"
"  -p, --print      write each stored clip record on stdout, with its\n"
"                   database \"id\" added; \"stream\", \"curve\" (kc-score\n"
"                   --curve) and non-fatal \"error\" records (failed\n"
"                   cuts) pass through\n"
"  -q, --quiet      no summary line\n"
"      --model DIR  where the channel statistics go (default $KC_MODEL,\n"
"                   else PATH.model): a stream's \"featstats\" record is\n"
"                   stored with its clips, and DIR/channels.json\n"
"                   rewritten from every stream of a known channel\n"
"      --db PATH    the database (created when missing)\n"
"\n"
"exit status: 0 ok, 1 malformed input (or a record that fails the checks\n"
"of docs/records.md), a dropped stream, a refused clip or a database\n"
"error (what was committed before stays), 2 usage error.\n";

/* Where the input is in the stream protocol. */
enum state {
	S_NONE,		/* between streams */
	S_LOOSE,	/* clips without a stream record, stored at EOF */
	S_STREAM,	/* in a stream, clips held until its "end" */
	S_LIVE,		/* in a live stream, clips stored as they come */
	S_SKIP		/* a stream failed: its records are dropped */
};

struct add {
	struct kcdb *k;
	kc_db *db;
	kc_reader *rd;
	int print, quiet;
	enum state state;
	json_t *stream;		/* the open stream's record, or NULL */
	json_t *held;		/* clip records waiting for their commit */
	json_t *fstats;		/* the open stream's "featstats", or NULL */
	long added, known;	/* committed: new rows, already stored */
	long updated;		/* already stored, new poster/vertical copy */
	long refused;		/* paths of another stream's clips */
	long live_kept;		/* clips of the open live stream stored */
	int failed;		/* a stream was dropped: exit 1 at the end */
	long records;		/* records read, of any type */
};

static void
summary(const struct add *a)
{
	char more[120] = "", upd[100] = "";

	/* no input at all: an earlier stage failed and said so */
	if (a->quiet || a->records == 0)
		return;
	if (a->updated > 0)
		snprintf(upd, sizeof(upd), "; %ld stored clip%s took a new "
		    "poster or vertical copy", a->updated, a->updated == 1 ?
		    "" : "s");
	if (a->known > 0 && a->refused > 0)
		snprintf(more, sizeof(more), " (%ld already known, %ld refused)",
		    a->known, a->refused);
	else if (a->known > 0)
		snprintf(more, sizeof(more), " (%ld already known)", a->known);
	else if (a->refused > 0)
		snprintf(more, sizeof(more), " (%ld refused)", a->refused);
	kc_warn("added %ld clip%s%s to %s%s", a->added, a->added == 1 ? "" :
	    "s", more, a->k->path, upd);
}

/*
 * Ends the run on bad input or a database failure: what is held is
 * dropped, what was committed stays and is summed up.
 */
static noreturn void
stop(struct add *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static noreturn void
stop(struct add *a, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kc_warn("%s", msg);
	kc_db_rollback(a->db);
	if (a->added + a->known + a->refused > 0)
		summary(a);
	kc_out_close();
	kc_run_exit_hook();
	exit(KC_EXIT_DATA);
}

/* "0123456789abcdef "Title"" for messages. */
static const char *
stream_name(const json_t *s, char *buf, size_t n)
{
	const char *title = kc_rec_str(s, "title");

	if (title)
		snprintf(buf, n, "stream %s \"%s\"", kc_rec_str(s, "id"), title);
	else
		snprintf(buf, n, "stream %s", kc_rec_str(s, "id"));
	return buf;
}

/* An optional string: absent or null gives NULL; -1 for another type. */
static int
opt_str(const json_t *r, const char *key, const char **out)
{
	json_t *v = json_object_get(r, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* An optional number: absent or null gives NAN; -1 for another type. */
static int
opt_num(const json_t *r, const char *key, double *out)
{
	json_t *v = json_object_get(r, key);

	*out = NAN;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

/*
 * Reads a stream record into *s.  Returns 0, or -1 with the problem in
 * why.
 */
static int
stream_fields(const json_t *r, kc_db_stream *s, char *why, size_t n)
{
	static const char *const strs[] = { "url", "title", "channel" };
	const char **dst[] = { &s->url, &s->title, &s->channel };
	json_t *v;
	size_t i;

	v = json_object_get(r, "v");
	if (v != NULL && !json_is_integer(v)) {
		snprintf(why, n, "stream: \"v\" is not an integer");
		return -1;
	}
	if (v != NULL && json_integer_value(v) > KC_RECORDS_VERSION) {
		snprintf(why, n, "stream: records version %lld is newer than "
		    "this kc-db reads (%d)", (long long)json_integer_value(v),
		    KC_RECORDS_VERSION);
		return -1;
	}
	s->id = kc_rec_str(r, "id");
	if (s->id == NULL || *s->id == '\0') {
		snprintf(why, n, "stream: missing \"id\"");
		return -1;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (opt_str(r, strs[i], dst[i]) != 0) {
			snprintf(why, n, "stream: \"%s\" is not a string",
			    strs[i]);
			return -1;
		}
	if (opt_num(r, "duration", &s->duration) != 0 ||
	    (!isnan(s->duration) && s->duration < 0)) {
		snprintf(why, n, "stream: \"duration\" is not a number >= 0");
		return -1;
	}
	s->live = 0;
	v = json_object_get(r, "live");
	if (v != NULL && !json_is_boolean(v)) {
		snprintf(why, n, "stream: \"live\" is not true or false");
		return -1;
	}
	s->live = json_is_true(v);
	return 0;
}

/*
 * Reads a clip record into *c.  *features receives the features object
 * as JSON text (malloc'd, NULL without features) unless features is
 * NULL.  Returns 0, or -1 with the problem in why.
 */
static int
clip_fields(const json_t *r, kc_db_clip *c, char **features, char *why,
    size_t n)
{
	static const char *const nums[] = { "want_t0", "want_t1", "score",
	    "heuristic", "model", "model_weight" };
	double *ndst[] = { &c->want_t0, &c->want_t1, &c->score,
	    &c->heuristic, &c->model, &c->model_weight };
	static const char *const strs[] = { "mode", "stream", "url",
	    "poster", "vertical_path" };
	const char **sdst[] = { &c->mode, &c->stream_id, &c->url,
	    &c->poster, &c->vertical_path };
	json_t *f;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->path = kc_rec_str(r, "path");
	if (c->path == NULL || *c->path == '\0') {
		snprintf(why, n, "clip: missing string \"path\"");
		return -1;
	}
	c->kind = kc_rec_str(r, "kind");
	if (kc_rec_kind(c->kind) < 0) {
		snprintf(why, n, "clip %s: \"kind\" must be \"audio\", "
		    "\"video\" or \"chat\"", c->path);
		return -1;
	}
	if (kc_rec_num(r, "t0", &c->t0) != 0 ||
	    kc_rec_num(r, "t1", &c->t1) != 0) {
		snprintf(why, n, "clip %s: missing number \"t0\" or \"t1\"",
		    c->path);
		return -1;
	}
	if (c->t0 < 0 || c->t1 <= c->t0) {
		snprintf(why, n, "clip %s: want 0 <= t0 < t1, got t0 %g, t1 "
		    "%g", c->path, c->t0, c->t1);
		return -1;
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (opt_num(r, nums[i], ndst[i]) != 0) {
			snprintf(why, n, "clip %s: \"%s\" is not a number",
			    c->path, nums[i]);
			return -1;
		}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (opt_str(r, strs[i], sdst[i]) != 0) {
			snprintf(why, n, "clip %s: \"%s\" is not a string",
			    c->path, strs[i]);
			return -1;
		}
	f = json_object_get(r, "features");
	if (f != NULL && !json_is_null(f) && !json_is_object(f)) {
		snprintf(why, n, "clip %s: \"features\" is not an object",
		    c->path);
		return -1;
	}
	if (features == NULL)
		return 0;
	*features = NULL;
	if (json_is_object(f) && (*features = json_dumps(f,
	    JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * Stores the held featstats record of stream sid (inside store's
 * transaction).  Returns 1 when something was stored.
 */
static int
put_featstats(struct add *a, const char *sid)
{
	static const char *const kinds[] = { "audio", "video" };
	json_t *k, *f, *v;
	const char *name;
	double hops;
	int i, n = 0, rc;

	for (i = 0; i < 2; i++) {
		k = json_object_get(a->fstats, kinds[i]);
		f = json_object_get(k, "features");
		if (kc_rec_num(k, "hops", &hops) != 0 || hops < 1 ||
		    !json_is_object(f))
			continue;
		json_object_foreach(f, name, v) {
			if (!json_is_array(v) || json_array_size(v) != 2)
				continue;
			rc = kc_db_put_featstat(a->db, sid, kinds[i], name,
			    (long)hops, json_number_value(json_array_get(v, 0)),
			    json_number_value(json_array_get(v, 1)));
			if (rc == KC_DB_INVALID)
				continue;	/* a null value: nothing known */
			if (rc != KC_DB_OK)
				stop(a, "%s: %s", a->k->path,
				    kc_db_error(a->db));
			n++;
		}
	}
	return n > 0;
}

/*
 * A clip whose path is another stream's clip: that file was replaced by
 * another video (an older kc-cut named clips of every stream alike), or
 * the record is wrong.  Either way the row keeps its stream and rating,
 * and this clip is not stored; the others are.
 */
static void
refuse(struct add *a, const json_t *stream, const kc_db_clip *c)
{
	char name[400];

	if (stream)
		stream_name(stream, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "stream %s", c->stream_id);
	kc_warn("%s: clip %s of %s: %s; not added", a->k->path, c->path, name,
	    kc_db_error(a->db));
	a->failed = 1;
}

/*
 * Writes the stream row (if any) and the held clips in one transaction,
 * then, once committed, counts them and prints them for --print.
 * Returns how many of the clips are stored (new or already known).
 */
static size_t
store(struct add *a, const json_t *stream, json_t *clips)
{
	kc_db_stream s;
	kc_db_clip c;
	char why[600], *feat;
	const char *sid = NULL, *surl = NULL;
	long long id;
	long added = 0, known = 0, updated = 0, refused = 0;
	size_t i;
	json_t *r, *stored;
	int isknown, stats = 0, rc;

	if (json_array_size(clips) == 0 && (stream == NULL ||
	    a->state == S_LIVE))
		return 0;
	if ((stored = json_array()) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (kc_db_begin(a->db) != KC_DB_OK)
		stop(a, "%s: %s", a->k->path, kc_db_error(a->db));
	if (stream) {
		if (stream_fields(stream, &s, why, sizeof(why)) != 0)
			stop(a, "%s", why);	/* checked when read */
		if (kc_db_put_stream(a->db, &s) != KC_DB_OK)
			stop(a, "%s: %s", a->k->path, kc_db_error(a->db));
		sid = s.id;
		surl = s.url;
		if (a->fstats && a->state == S_STREAM)
			stats = put_featstats(a, sid);
	}
	json_array_foreach(clips, i, r) {
		if (clip_fields(r, &c, &feat, why, sizeof(why)) != 0)
			stop(a, "%s", why);
		if (c.stream_id == NULL)
			c.stream_id = sid;
		if (c.url == NULL)
			c.url = surl;
		c.features = feat;
		rc = kc_db_add_clip(a->db, &c, &id, &isknown);
		free(feat);
		if (rc == KC_DB_CONFLICT) {
			refuse(a, stream, &c);
			refused++;
			continue;
		}
		if (rc != KC_DB_OK)
			stop(a, "%s: %s: %s", a->k->path, c.path,
			    kc_db_error(a->db));
		kcdb_set(r, "id", json_integer(id));
		if (json_array_append(stored, r) != 0)
			kc_die(KC_EXIT_DATA, "out of memory");
		if (isknown == KC_DB_UPDATED)
			updated++;
		if (isknown != KC_DB_NEW)
			known++;
		else
			added++;
	}
	if (kc_db_commit(a->db) != KC_DB_OK)
		stop(a, "%s: %s", a->k->path, kc_db_error(a->db));
	a->added += added;
	a->known += known;
	a->updated += updated;
	a->refused += refused;
	if (stats && kc_rec_str(stream, "channel"))
		kcdb_write_channels(a->k, a->db);
	if (a->print) {
		json_array_foreach(stored, i, r)
			kc_out(r);
		kc_out_flush();
	}
	json_decref(stored);
	return (size_t)(added + known);
}

static void
drop_held(struct add *a)
{
	json_array_clear(a->held);
	json_decref(a->fstats);
	a->fstats = NULL;
}

static void
set_stream(struct add *a, json_t *rec)
{
	json_decref(a->stream);
	a->stream = rec ? json_incref(rec) : NULL;
}

/* The open stream did not finish: say so and drop what it held. */
static void
abandon(struct add *a, const char *where, const char *problem)
{
	char name[400];

	stream_name(a->stream, name, sizeof(name));
	if (a->state == S_LIVE)
		kc_warn("%s: live %s: %s; its %ld clip%s stored so far are "
		    "kept", where, name, problem, a->live_kept,
		    a->live_kept == 1 ? "" : "s");
	else
		kc_warn("%s: %s: %s; an earlier stage failed? nothing added",
		    where, name, problem);
	drop_held(a);
	a->failed = 1;
}

static void
on_stream(struct add *a, json_t *rec)
{
	kc_db_stream s;
	char why[600];
	const char *open;

	if (stream_fields(rec, &s, why, sizeof(why)) != 0)
		stop(a, "%s: %s", kc_reader_where(a->rd), why);
	open = a->stream ? kc_rec_str(a->stream, "id") : NULL;
	if ((a->state == S_STREAM || a->state == S_LIVE) &&
	    strcmp(open, s.id) == 0) {
		/* the same stream announced again (a resumed run) */
		set_stream(a, rec);
		return;
	}
	switch (a->state) {
	case S_STREAM:
	case S_LIVE:
		abandon(a, kc_reader_where(a->rd), "the next stream began "
		    "before this one's end record");
		break;
	case S_LOOSE:
		store(a, NULL, a->held);
		drop_held(a);
		break;
	case S_NONE:
	case S_SKIP:
		break;
	}
	set_stream(a, rec);
	a->live_kept = 0;
	a->state = s.live ? S_LIVE : S_STREAM;
}

/* Makes rec's key, whose value is path (NULL: none), an absolute path. */
static void
absolute(json_t *rec, const char *key, const char *path)
{
	char *abs, *cwd;
	size_t n;

	if (path == NULL || path[0] == '/')
		return;
	if ((cwd = getcwd(NULL, 0)) == NULL)
		kc_die(KC_EXIT_DATA, "getcwd:");
	n = strlen(cwd) + strlen(path) + 2;
	if ((abs = malloc(n)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	snprintf(abs, n, "%s/%s", cwd, path);
	free(cwd);
	kcdb_set(rec, key, json_string(abs));
	free(abs);
}

static void
on_clip(struct add *a, json_t *rec)
{
	kc_db_clip c;
	char why[600];
	const char *open;

	if (clip_fields(rec, &c, NULL, why, sizeof(why)) != 0)
		stop(a, "%s: %s", kc_reader_where(a->rd), why);
	if (a->state == S_SKIP)
		return;
	open = a->stream ? kc_rec_str(a->stream, "id") : NULL;
	if (open && c.stream_id && strcmp(open, c.stream_id) != 0)
		stop(a, "%s: clip %s belongs to stream %s, but stream %s is "
		    "open", kc_reader_where(a->rd), c.path, c.stream_id, open);
	/* delete (and kc-web) must find the files from any directory */
	absolute(rec, "path", c.path);
	absolute(rec, "poster", c.poster);
	absolute(rec, "vertical_path", c.vertical_path);
	if (json_array_append(a->held, rec) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
	switch (a->state) {
	case S_NONE:
		a->state = S_LOOSE;
		break;
	case S_LIVE:
		a->live_kept += (long)store(a, a->stream, a->held);
		drop_held(a);
		break;
	default:
		break;
	}
}

static void
on_end(struct add *a, const json_t *rec)
{
	const char *id = kc_rec_str(rec, "stream");
	const char *open;

	if (id == NULL)
		stop(a, "%s: end: missing string \"stream\"",
		    kc_reader_where(a->rd));
	open = a->stream ? kc_rec_str(a->stream, "id") : NULL;
	switch (a->state) {
	case S_STREAM:
	case S_LIVE:
		if (strcmp(open, id) != 0)
			stop(a, "%s: end record of stream %s, but stream %s "
			    "is open", kc_reader_where(a->rd), id, open);
		if (a->state == S_STREAM)
			store(a, a->stream, a->held);
		drop_held(a);
		set_stream(a, NULL);
		a->state = S_NONE;
		break;
	case S_SKIP:
		if (open && strcmp(open, id) == 0) {
			set_stream(a, NULL);
			a->state = S_NONE;
		}
		break;
	case S_NONE:
	case S_LOOSE:
		/* hand-written clips followed by an end: stored at EOF */
		break;
	}
}

static void
on_error(struct add *a, const json_t *rec)
{
	const char *stage = kc_rec_str(rec, "stage");
	const char *message = kc_rec_str(rec, "message");
	char problem[700];
	int fatal = 0;

	/* non-fatal errors were reported by their stage; the run goes on */
	if (kc_rec_bool(rec, "fatal", &fatal) != 0 || !fatal ||
	    a->state == S_SKIP)
		return;
	snprintf(problem, sizeof(problem), "fatal error from %s: %s",
	    stage ? stage : "an earlier stage", message ? message : "?");
	switch (a->state) {
	case S_STREAM:
	case S_LIVE:
		abandon(a, kc_reader_where(a->rd), problem);
		break;
	default:
		kc_warn("%s: %s; %zu clip%s not added", kc_reader_where(a->rd),
		    problem, json_array_size(a->held),
		    json_array_size(a->held) == 1 ? "" : "s");
		drop_held(a);
		a->failed = 1;
		break;
	}
	a->state = S_SKIP;
}

/* Held with the stream's clips and committed with them. */
static void
on_featstats(struct add *a, json_t *rec)
{
	const char *id = kc_rec_str(rec, "stream");
	const char *open = a->stream ? kc_rec_str(a->stream, "id") : NULL;

	if (a->state != S_STREAM || (id && strcmp(id, open) != 0))
		return;		/* no stream to keep them for */
	json_decref(a->fstats);
	a->fstats = json_incref(rec);
}

static void
at_eof(struct add *a)
{
	switch (a->state) {
	case S_STREAM:
		abandon(a, kc_reader_where(a->rd), "input ended before the "
		    "stream's end record");
		break;
	case S_LIVE:
		abandon(a, kc_reader_where(a->rd), "input ended before the "
		    "stream's end record");
		break;
	case S_LOOSE:
		store(a, NULL, a->held);
		drop_held(a);
		break;
	default:
		break;
	}
	set_stream(a, NULL);
	a->state = S_NONE;
}

/*
 * What --print passes through besides the stored clips: what a driver
 * reports (kc-clip's table and highlights JSON, kc-web): the stream's
 * title and URL, the timeline (kc-clip --curve) and the failed cuts.
 */
static int
passed_on(const char *type, const json_t *rec)
{
	int fatal;

	if (strcmp(type, "error") == 0)
		return kc_rec_bool(rec, "fatal", &fatal) == 0 && !fatal;
	return strcmp(type, "stream") == 0 || strcmp(type, "curve") == 0;
}

/* The record types add reads (the others it ignores or passes on). */
static int
consumed(const char *type)
{
	static const char *const types[] = { "stream", "clip", "end",
	    "error", "featstats" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}

int
kcdb_add(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "print", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "model", required_argument, NULL, 'M' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct add a;	/* static: reachable from kc_die's exit */
	const char *type;
	char why[512];
	json_t *rec;
	int c, rc;

	memset(&a, 0, sizeof(a));
	a.k = k;
	while ((c = kcdb_getopt(k, argc, argv, "pq", longopts,
	    usage_text)) != -1) {
		switch (c) {
		case 'p': a.print = 1; break;
		case 'q': a.quiet = 1; break;
		}
	}
	kcdb_operands(k, argc - optind, 0, 0);
	a.db = kcdb_open(k, KC_DB_CREATE);
	if ((a.rd = kc_reader_new(stdin, "<stdin>")) == NULL ||
	    (a.held = json_array()) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	while ((rc = kc_reader_next(a.rd, &rec)) != 0) {
		if (rc < 0)
			stop(&a, "%s: %s", kc_reader_where(a.rd),
			    kc_reader_error(a.rd));
		a.records++;
		type = kc_rec_type(rec);
		if (consumed(type) && kc_rec_check(rec, why, sizeof(why)) != 0)
			stop(&a, "%s: %s", kc_reader_where(a.rd), why);
		if (strcmp(type, "stream") == 0)
			on_stream(&a, rec);
		else if (strcmp(type, "clip") == 0)
			on_clip(&a, rec);
		else if (strcmp(type, "end") == 0)
			on_end(&a, rec);
		else if (strcmp(type, "error") == 0)
			on_error(&a, rec);
		else if (strcmp(type, "featstats") == 0)
			on_featstats(&a, rec);
		if (a.print && passed_on(type, rec))
			kc_out_raw(kc_reader_raw(a.rd), kc_reader_rawlen(a.rd));
		json_decref(rec);
	}
	at_eof(&a);
	summary(&a);
	json_decref(a.held);
	json_decref(a.fstats);
	kc_reader_free(a.rd);
	kcdb_close(k, a.db);
	return a.failed ? KC_EXIT_DATA : KC_EXIT_OK;
}
