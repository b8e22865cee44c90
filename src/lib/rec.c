/*
 * rec.c - the JSON Lines reader and writer behind every kc filter.  Parsing
 * is jansson's; this file adds line framing, locations for messages, the
 * "type" check and the raw line for byte-exact pass-through, and the one
 * checker every stage runs on the records it reads (kc_rec_check): which
 * keys each type has, their types and bounds.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "rec.h"

struct kc_reader {
	FILE *fp;
	int fd;			/* read(2) directly: the buffer is ours, so we
				 * know when the next line needs a wait */
	char *name;
	char *buf;		/* input not yet consumed: buf[beg..end) */
	size_t cap, beg, end;
	int eof, skip, watch;
	char *line;		/* the current line, in buf */
	size_t len;		/* length of the current line, no '\n' */
	long lineno;
	char where[300];
	char err[300];
};

#define READ_CHUNK	65536

kc_reader *
kc_reader_new(FILE *fp, const char *name)
{
	kc_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->name = strdup(name ? name : "<stdin>")) == NULL) {
		free(r);
		return NULL;
	}
	r->fp = fp;
	r->fd = fileno(fp);
	return r;
}

void
kc_reader_watch_output(kc_reader *r, int on)
{
	r->watch = on;
}

void
kc_reader_free(kc_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->name);
	free(r);
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/*
 * Waits until there is input, or our stdout's reader is gone: a filter
 * waiting for input whose own output nobody reads any more ends as if a
 * write had failed (by SIGPIPE), instead of waiting for an upstream that
 * may never write again.
 */
static void
wait_input(kc_reader *r)
{
	struct pollfd pf[2] = { { r->fd, POLLIN, 0 }, { 1, 0, 0 } };

	while (poll(pf, 2, -1) < 0)
		if (errno != EINTR)
			return;
	if ((pf[1].revents & (POLLERR | POLLHUP)) &&
	    !(pf[0].revents & (POLLIN | POLLHUP))) {
		errno = EPIPE;
		kc_out_fail("stdout");
	}
}

/* Reads more input after buf[end]: 1 some, 0 end of input, -1 error. */
static int
fill(kc_reader *r)
{
	size_t ncap;
	ssize_t n;
	char *nb;

	if (r->beg > 0) {
		memmove(r->buf, r->buf + r->beg, r->end - r->beg);
		r->end -= r->beg;
		r->beg = 0;
	}
	if (r->cap - r->end < READ_CHUNK) {
		ncap = r->cap ? r->cap * 2 : 2 * READ_CHUNK;
		if ((nb = realloc(r->buf, ncap)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		r->buf = nb;
		r->cap = ncap;
	}
	if (r->fd < 0) {	/* a stream with no descriptor (fmemopen) */
		n = (ssize_t)fread(r->buf + r->end, 1, r->cap - r->end - 1,
		    r->fp);
		if (n == 0 && ferror(r->fp))
			return -1;
	} else {
		if (r->watch)
			wait_input(r);
		while ((n = read(r->fd, r->buf + r->end, r->cap - r->end -
		    1)) < 0)
			if (errno != EINTR)
				return -1;
	}
	r->end += (size_t)n;
	return n > 0;
}

/*
 * The next line in r->line (no '\n', NUL-terminated): 1, or 0 at the end
 * of input, -1 on a read error or an overlong line (skipped).
 */
static int
next_line(kc_reader *r)
{
	char *nl;
	size_t have;
	int rc;

	for (;;) {
		have = r->end - r->beg;
		nl = have ? memchr(r->buf + r->beg, '\n', have) : NULL;
		if (nl != NULL || (r->eof && have > 0)) {
			r->line = r->buf + r->beg;
			r->len = nl ? (size_t)(nl - r->line) : have;
			r->line[r->len] = '\0';	/* room: cap > end */
			r->beg += nl ? r->len + 1 : have;
			if (r->skip) {	/* the rest of an overlong line */
				r->skip = 0;
				continue;
			}
			r->lineno++;
			if (r->len > KC_REC_MAX_LINE) {
				snprintf(r->err, sizeof(r->err), "record line "
				    "longer than %ld bytes", KC_REC_MAX_LINE);
				return -1;
			}
			return 1;
		}
		if (r->eof)
			return 0;
		if (have > KC_REC_MAX_LINE) {
			r->lineno += !r->skip;
			r->beg = r->end;
			if (!r->skip) {
				r->skip = 1;
				snprintf(r->err, sizeof(r->err), "record line "
				    "longer than %ld bytes", KC_REC_MAX_LINE);
				return -1;
			}
		}
		if ((rc = fill(r)) < 0) {
			snprintf(r->err, sizeof(r->err), "read error: %s",
			    strerror(errno ? errno : EIO));
			return -1;
		}
		if (rc == 0)
			r->eof = 1;
	}
}

int
kc_reader_next(kc_reader *r, json_t **rec)
{
	json_error_t jerr;
	json_t *j, *type;
	int rc;

	*rec = NULL;
	r->err[0] = '\0';
	do {
		if ((rc = next_line(r)) <= 0) {
			r->len = 0;
			r->line = NULL;
			return rc;
		}
	} while (blank(r->line, r->len));
	j = json_loadb(r->line, r->len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		snprintf(r->err, sizeof(r->err),
		    "malformed record (column %d: %s)", jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(r->err, sizeof(r->err),
		    "malformed record (not a JSON object)");
		return -1;
	}
	type = json_object_get(j, "type");
	if (!json_is_string(type) || json_string_length(type) == 0) {
		json_decref(j);
		snprintf(r->err, sizeof(r->err),
		    "malformed record (no string \"type\")");
		return -1;
	}
	*rec = j;
	return 1;
}

const char *
kc_reader_error(const kc_reader *r)
{
	return r->err;
}

const char *
kc_reader_where(const kc_reader *r)
{
	kc_reader *w = (kc_reader *)r;	/* location text is a cache */

	snprintf(w->where, sizeof(w->where), "%s:%ld", r->name, r->lineno);
	return w->where;
}

const char *
kc_reader_raw(const kc_reader *r)
{
	return r->line ? r->line : "";
}

size_t
kc_reader_rawlen(const kc_reader *r)
{
	return r->len;
}

const char *
kc_rec_type(const json_t *rec)
{
	return json_string_value(json_object_get(rec, "type"));
}

const char *
kc_rec_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

int
kc_rec_num(const json_t *rec, const char *key, double *out)
{
	json_t *v = json_object_get(rec, key);

	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

int
kc_rec_bool(const json_t *rec, const char *key, int *out)
{
	json_t *v = json_object_get(rec, key);

	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

int
kc_rec_kind(const char *s)
{
	static const char *const kinds[KC_REC_NKINDS] = { "audio", "video",
	    "chat" };
	int i;

	for (i = 0; s != NULL && i < KC_REC_NKINDS; i++)
		if (strcmp(s, kinds[i]) == 0)
			return i;
	return -1;
}

/* ---- the record checker ------------------------------------------------
 *
 * One table per record type: each key with what it may hold.  A key that
 * is absent is fine unless REQ; null is fine only with NUL.  The checks
 * between keys (t0 <= t1, ...) are in each type's function after the
 * table.
 */

enum ck_kind {
	CK_VERSION,	/* int 1..KC_RECORDS_VERSION */
	CK_NUM,		/* number in [lo, hi] (lo excluded with POS) */
	CK_INT,		/* integer in [lo, hi] */
	CK_STR,		/* string (not empty with FULL) */
	CK_BOOL,
	CK_OBJ,		/* any object */
	CK_KIND,	/* a kind of highlight (kc_rec_kind) */
	CK_RANGE,	/* [a, b], numbers, lo <= a <= b <= hi */
	CK_FEATURES,	/* object of at most hi numbers or nulls */
	CK_STATS	/* featstats per kind: {hops, features: {n: [m, s]}} */
};

#define REQ	1	/* must be present */
#define NUL	2	/* may be null */
#define FULL	4	/* a string must not be empty */
#define POS	8	/* a number must be above lo */

struct ck_field {
	const char *key;
	unsigned char kind, flags;
	double lo, hi;
};

#define TIME(k, f) { k, CK_NUM, f, 0, KC_REC_TIME_MAX }
#define SCORE(k) { k, CK_NUM, NUL, 0, 1 }

static const struct ck_field ck_stream[] = {
	{ "v", CK_VERSION, REQ, 1, KC_RECORDS_VERSION },
	{ "id", CK_STR, FULL, 0, 0 },
	{ "url", CK_STR, 0, 0, 0 },
	{ "analysis", CK_STR, FULL, 0, 0 },
	{ "cut", CK_STR, FULL, 0, 0 },
	{ "title", CK_STR, 0, 0, 0 },
	{ "channel", CK_STR, NUL, 0, 0 },
	/* the media's length: it may be longer than what is analysed */
	{ "duration", CK_NUM, NUL, 0, KC_REC_PDT_MAX },
	{ "live", CK_BOOL, 0, 0, 0 },
	TIME("start", 0),
	TIME("end", NUL),
	{ "has_audio", CK_BOOL, 0, 0, 0 },
	{ "has_video", CK_BOOL, 0, 0, 0 },
	{ "fps", CK_NUM, POS, 0, 1e6 },
	{ "width", CK_INT, 0, 1, 1e5 },
	{ "height", CK_INT, 0, 1, 1e5 },
	{ "hop", CK_NUM, 0, KC_REC_HOP_MIN, KC_REC_HOP_MAX },
	{ "quality", CK_OBJ, 0, 0, 0 },
	{ "pdt0", CK_NUM, NUL, 0, KC_REC_PDT_MAX },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_segment[] = {
	{ "seq", CK_INT, REQ, 0, KC_REC_SEQ_MAX },
	TIME("t0", REQ),
	TIME("t1", REQ),
	{ "file", CK_STR, FULL, 0, 0 },
	{ "range", CK_RANGE, 0, 0, KC_REC_TIME_MAX },
	{ "path", CK_STR, FULL, 0, 0 },
	{ "discontinuity", CK_BOOL, 0, 0, 0 },
	{ "ack", CK_STR, FULL, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_feat[] = {
	TIME("t", REQ),
	{ "dur", CK_NUM, REQ | POS, 0, KC_REC_HOP_MAX },
	{ "features", CK_FEATURES, REQ, 0, KC_REC_HOP_FEATURES },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_highlight[] = {
	{ "kind", CK_KIND, REQ, 0, 0 },
	TIME("t0", REQ),
	TIME("t1", REQ),
	{ "score", CK_NUM, REQ, 0, 1 },
	SCORE("heuristic"),
	SCORE("model"),
	SCORE("model_weight"),
	{ "rank", CK_INT, NUL, 1, KC_REC_COUNT_MAX },
	{ "live", CK_BOOL, 0, 0, 0 },
	TIME("decided", 0),
	TIME("peak", 0),
	{ "features", CK_FEATURES, 0, 0, KC_REC_FEATURES },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_clip[] = {
	{ "path", CK_STR, REQ | FULL, 0, 0 },
	{ "kind", CK_KIND, REQ, 0, 0 },
	TIME("t0", REQ),
	TIME("t1", REQ),
	TIME("want_t0", NUL),
	TIME("want_t1", NUL),
	SCORE("score"),
	SCORE("heuristic"),
	SCORE("model"),
	SCORE("model_weight"),
	{ "rank", CK_INT, NUL, 1, KC_REC_COUNT_MAX },
	{ "mode", CK_STR, NUL, 0, 0 },
	{ "url", CK_STR, NUL, 0, 0 },
	{ "stream", CK_STR, NUL, 0, 0 },
	{ "id", CK_INT, NUL, 1, KC_REC_SEQ_MAX },
	{ "features", CK_FEATURES, NUL, 0, KC_REC_FEATURES },
	{ "poster", CK_STR, NUL | FULL, 0, 0 },
	{ "strip", CK_STR, NUL | FULL, 0, 0 },
	{ "strip_frames", CK_INT, NUL, 1, 100 },
	{ "vertical_path", CK_STR, NUL | FULL, 0, 0 },
	{ "vertical_mode", CK_STR, NUL | FULL, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_featstats[] = {
	{ "stream", CK_STR, NUL, 0, 0 },
	{ "channel", CK_STR, NUL, 0, 0 },
	{ "audio", CK_STATS, 0, 0, KC_REC_HOP_FEATURES },
	{ "video", CK_STATS, 0, 0, KC_REC_HOP_FEATURES },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_gap[] = {
	TIME("t0", REQ),
	TIME("t1", REQ),
	{ "stage", CK_STR, REQ, 0, 0 },
	{ "reason", CK_STR, REQ, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_error[] = {
	{ "stage", CK_STR, REQ, 0, 0 },
	{ "message", CK_STR, REQ, 0, 0 },
	TIME("t0", 0),
	TIME("t1", 0),
	{ "path", CK_STR, 0, 0, 0 },
	{ "fatal", CK_BOOL, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_end[] = {
	{ "stream", CK_STR, REQ | FULL, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct ck_field ck_rated[] = {
	{ "id", CK_INT, REQ, 1, KC_REC_SEQ_MAX },
	{ "stream", CK_STR, NUL, 0, 0 },
	{ "channel", CK_STR, NUL, 0, 0 },
	{ "kind", CK_KIND, REQ, 0, 0 },
	TIME("t0", REQ),
	TIME("t1", REQ),
	{ "stars", CK_INT, REQ, 1, 5 },
	SCORE("score"),
	SCORE("heuristic"),
	SCORE("model"),
	SCORE("model_weight"),
	{ "rated_at", CK_STR, 0, 0, 0 },
	{ "features", CK_FEATURES, REQ, 0, KC_REC_FEATURES },
	{ NULL, 0, 0, 0, 0 }
};

#undef TIME
#undef SCORE

/* The start of a reason: "TYPE: " then the rest, formatted. */
static int ck_fail(char *why, size_t n, const char *type, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
ck_fail(char *why, size_t n, const char *type, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (n == 0)
		return -1;
	k = snprintf(why, n, "%s: ", type);
	if (k >= 0 && (size_t)k < n) {
		va_start(ap, fmt);
		vsnprintf(why + k, n - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A value as JSON text for a message, cut short when long. */
static const char *
ck_show(const json_t *v, char *buf, size_t n)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
	    JSON_REAL_PRECISION(10));

	if (s == NULL)
		snprintf(buf, n, "(a value)");
	else if (strlen(s) < n)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, "%.*s...", (int)(n > 4 ? n - 4 : 0), s);
	free(s);
	return buf;
}

/* A bound for a message: "1000000", "0.01", "9007199254740992". */
static const char *
ck_bound(double x, char *buf, size_t n)
{
	if (x == floor(x) && fabs(x) < 1e17)
		snprintf(buf, n, "%.0f", x);
	else
		snprintf(buf, n, "%.15g", x);
	return buf;
}

static int
ck_range(double x, const struct ck_field *f)
{
	return (f->flags & POS ? x > f->lo : x >= f->lo) && x <= f->hi;
}

/* The features object of a record: numbers or nulls, at most max. */
static int
ck_features(const json_t *o, const char *type, const char *key, double max,
    char *why, size_t n)
{
	const char *name;
	json_t *v;
	char b[64];

	if (!json_is_object(o))
		return ck_fail(why, n, type, "\"%s\" is not an object: %s",
		    key, ck_show(o, b, sizeof(b)));
	if ((double)json_object_size(o) > max)
		return ck_fail(why, n, type, "\"%s\" has more than %.0f "
		    "features: %zu", key, max, json_object_size(o));
	json_object_foreach((json_t *)o, name, v)
		if (!json_is_number(v) && !json_is_null(v))
			return ck_fail(why, n, type, "feature \"%s\" is not a "
			    "number or null: %s", name, ck_show(v, b,
			    sizeof(b)));
	return 0;
}

/* featstats' "audio"/"video": {"hops": N, "features": {NAME: [m, s]}}. */
static int
ck_stats(const json_t *o, const char *type, const struct ck_field *f,
    char *why, size_t n)
{
	const char *name;
	json_t *v, *h, *feat;
	char b[64];
	size_t i;

	if (!json_is_object(o))
		return ck_fail(why, n, type, "\"%s\" is not an object: %s",
		    f->key, ck_show(o, b, sizeof(b)));
	h = json_object_get(o, "hops");
	if (h != NULL && !(json_is_integer(h) && json_integer_value(h) >= 0 &&
	    (double)json_integer_value(h) <= KC_REC_COUNT_MAX))
		return ck_fail(why, n, type, "\"%s\".\"hops\" is not an "
		    "integer 0 to %.0f: %s", f->key, KC_REC_COUNT_MAX,
		    ck_show(h, b, sizeof(b)));
	feat = json_object_get(o, "features");
	if (feat == NULL)
		return 0;
	if (!json_is_object(feat) || (double)json_object_size(feat) > f->hi)
		return ck_fail(why, n, type, "\"%s\".\"features\" is not an "
		    "object of at most %.0f features: %s", f->key, f->hi,
		    ck_show(feat, b, sizeof(b)));
	json_object_foreach(feat, name, v) {
		if (!json_is_array(v) || json_array_size(v) != 2)
			goto bad;
		for (i = 0; i < 2; i++)
			if (!json_is_number(json_array_get(v, i)) &&
			    !json_is_null(json_array_get(v, i)))
				goto bad;
		continue;
bad:
		return ck_fail(why, n, type, "\"%s\" feature \"%s\" is not "
		    "[median, scale]: %s", f->key, name, ck_show(v, b,
		    sizeof(b)));
	}
	return 0;
}

/* One key of a record against its table entry. */
static int
ck_field(const json_t *rec, const char *type, const struct ck_field *f,
    char *why, size_t n)
{
	json_t *v = json_object_get(rec, f->key), *a, *b;
	char show[64], lo[32], hi[32];
	double x;

	if (v == NULL) {
		if (f->flags & REQ)
			return ck_fail(why, n, type, "missing \"%s\"", f->key);
		return 0;
	}
	if (json_is_null(v)) {
		if (f->flags & NUL)
			return 0;
		return ck_fail(why, n, type, "\"%s\" is null", f->key);
	}
	/* the value and the bounds are formatted only for a message:
	 * dumping every record's features would cost more than the rest
	 * of reading it */
#define SHOW ck_show(v, show, sizeof(show))
#define LO ck_bound(f->lo, lo, sizeof(lo))
#define HI ck_bound(f->hi, hi, sizeof(hi))
	switch (f->kind) {
	case CK_VERSION:
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return ck_fail(why, n, type, "\"%s\" is not a records "
			    "version (an integer from 1): %s", f->key, SHOW);
		if (json_integer_value(v) > KC_RECORDS_VERSION)
			return ck_fail(why, n, type, "records version %lld is "
			    "newer than this program reads (%d)",
			    (long long)json_integer_value(v),
			    KC_RECORDS_VERSION);
		return 0;
	case CK_NUM:
		if (!json_is_number(v))
			return ck_fail(why, n, type, "\"%s\" is not a number: "
			    "%s", f->key, SHOW);
		x = json_number_value(v);
		if (!ck_range(x, f))
			return ck_fail(why, n, type, "\"%s\" out of range "
			    "%s%s to %s: %s", f->key, f->flags & POS ?
			    "above " : "", LO, HI, SHOW);
		return 0;
	case CK_INT:
		if (!json_is_integer(v))
			return ck_fail(why, n, type, "\"%s\" is not an "
			    "integer: %s", f->key, SHOW);
		/* as integers: 2^53 + 1 is not 2^53 */
		if (json_integer_value(v) < (json_int_t)f->lo ||
		    json_integer_value(v) > (json_int_t)f->hi)
			return ck_fail(why, n, type, "\"%s\" out of range %s "
			    "to %s: %s", f->key, LO, HI, SHOW);
		return 0;
	case CK_STR:
		if (!json_is_string(v))
			return ck_fail(why, n, type, "\"%s\" is not a string: "
			    "%s", f->key, SHOW);
		if ((f->flags & FULL) && json_string_length(v) == 0)
			return ck_fail(why, n, type, "\"%s\" is empty",
			    f->key);
		return 0;
	case CK_BOOL:
		if (!json_is_boolean(v))
			return ck_fail(why, n, type, "\"%s\" is not true or "
			    "false: %s", f->key, SHOW);
		return 0;
	case CK_OBJ:
		if (!json_is_object(v))
			return ck_fail(why, n, type, "\"%s\" is not an object: "
			    "%s", f->key, SHOW);
		return 0;
	case CK_KIND:
		if (kc_rec_kind(json_string_value(v)) < 0)
			return ck_fail(why, n, type, "\"%s\" is not \"audio\", "
			    "\"video\" or \"chat\": %s", f->key, SHOW);
		return 0;
	case CK_RANGE:
		a = json_array_get(v, 0);
		b = json_array_get(v, 1);
		if (!json_is_array(v) || json_array_size(v) != 2 ||
		    !json_is_number(a) || !json_is_number(b) ||
		    !(json_number_value(a) >= f->lo) ||
		    !(json_number_value(b) >= json_number_value(a)) ||
		    !(json_number_value(b) <= f->hi))
			return ck_fail(why, n, type, "\"%s\" is not [a, b] "
			    "with %s <= a <= b <= %s: %s", f->key, LO, HI,
			    SHOW);
		return 0;
	case CK_FEATURES:
		return ck_features(v, type, f->key, f->hi, why, n);
	case CK_STATS:
		return ck_stats(v, type, f, why, n);
	}
	return 0;
#undef SHOW
#undef LO
#undef HI
}

static int
ck_table(const json_t *rec, const char *type, const struct ck_field *f,
    char *why, size_t n)
{
	for (; f->key != NULL; f++)
		if (ck_field(rec, type, f, why, n) != 0)
			return -1;
	return 0;
}

/* Numbers a and b (when both are) in order: a < b, or a <= b. */
static int
ck_order(const json_t *rec, const char *type, const char *a, const char *b,
    int strict, char *why, size_t n)
{
	double x, y;

	if (kc_rec_num(rec, a, &x) != 0 || kc_rec_num(rec, b, &y) != 0)
		return 0;
	if (strict ? x < y : x <= y)
		return 0;
	return ck_fail(why, n, type, "\"%s\" %s \"%s\": %s %.10g, %s "
	    "%.10g", b, strict ? "not after" : "before", a, a, x, b, y);
}

static int
ck_segment_media(const json_t *rec, char *why, size_t n)
{
	json_t *range = json_object_get(rec, "range");
	int file = json_object_get(rec, "file") != NULL;
	int path = json_object_get(rec, "path") != NULL;
	double a, b, t0 = 0, t1 = 0;

	if (path && !file && range == NULL)
		return 0;
	if (!file || range == NULL || path)
		return ck_fail(why, n, "segment", "needs \"file\" and "
		    "\"range\", or \"path\" (not both)");
	/* the file's [a, b] is the stream's [t0, t1]: a decoder that
	 * read one and wrote the other would lose or invent media */
	a = json_number_value(json_array_get(range, 0));
	b = json_number_value(json_array_get(range, 1));
	kc_rec_num(rec, "t0", &t0);
	kc_rec_num(rec, "t1", &t1);
	if (fabs((b - a) - (t1 - t0)) > KC_REC_RANGE_SLACK)
		return ck_fail(why, n, "segment", "\"range\" [%.10g, %.10g] "
		    "is not as long as \"t0\" to \"t1\": t0 %.10g, t1 %.10g",
		    a, b, t0, t1);
	return 0;
}

int
kc_rec_check(const json_t *rec, char *why, size_t n)
{
	const char *type = kc_rec_type(rec);

	if (n > 0)
		why[0] = '\0';
	if (type == NULL)
		return ck_fail(why, n, "record", "no string \"type\"");
	if (strcmp(type, "stream") == 0)
		return ck_table(rec, type, ck_stream, why, n) != 0 ||
		    ck_order(rec, type, "start", "end", 0, why, n) != 0 ?
		    -1 : 0;
	if (strcmp(type, "segment") == 0)
		return ck_table(rec, type, ck_segment, why, n) != 0 ||
		    ck_order(rec, type, "t0", "t1", 0, why, n) != 0 ||
		    ck_segment_media(rec, why, n) != 0 ? -1 : 0;
	if (strcmp(type, "afeat") == 0 || strcmp(type, "vfeat") == 0 ||
	    strcmp(type, "cfeat") == 0)
		return ck_table(rec, type, ck_feat, why, n);
	if (strcmp(type, "highlight") == 0)
		return ck_table(rec, type, ck_highlight, why, n) != 0 ||
		    ck_order(rec, type, "t0", "t1", 1, why, n) != 0 ? -1 : 0;
	if (strcmp(type, "clip") == 0)
		return ck_table(rec, type, ck_clip, why, n) != 0 ||
		    ck_order(rec, type, "t0", "t1", 1, why, n) != 0 ||
		    ck_order(rec, type, "want_t0", "want_t1", 1, why, n) != 0 ?
		    -1 : 0;
	if (strcmp(type, "featstats") == 0)
		return ck_table(rec, type, ck_featstats, why, n);
	if (strcmp(type, "gap") == 0)
		return ck_table(rec, type, ck_gap, why, n) != 0 ||
		    ck_order(rec, type, "t0", "t1", 0, why, n) != 0 ? -1 : 0;
	if (strcmp(type, "error") == 0)
		return ck_table(rec, type, ck_error, why, n) != 0 ||
		    ck_order(rec, type, "t0", "t1", 0, why, n) != 0 ? -1 : 0;
	if (strcmp(type, "end") == 0)
		return ck_table(rec, type, ck_end, why, n);
	if (strcmp(type, "rated") == 0)
		return ck_table(rec, type, ck_rated, why, n) != 0 ||
		    ck_order(rec, type, "t0", "t1", 1, why, n) != 0 ? -1 : 0;
	return 0;
}

json_t *
kc_rec_new(const char *type)
{
	json_t *j = json_object();

	if (j && json_object_set_new(j, "type", json_string(type)) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int
kc_rec_write(FILE *fp, const json_t *rec)
{
	char *s;
	size_t n;
	int rc = 0;

	if ((s = json_dumps(rec, KC_REC_DUMP_FLAGS)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	n = strlen(s);
	if (fwrite(s, 1, n, fp) != n || putc('\n', fp) == EOF)
		rc = -1;
	free(s);
	return rc;
}

json_t *
kc_json_num(double v)
{
	double m;
	int e;

	if (!isfinite(v))
		return json_null();
	if (v == 0)
		return json_real(0);
	/* keep 7 significant digits: plenty for features, short lines */
	e = (int)floor(log10(fabs(v)));
	m = pow(10, 6 - e);
	if (isfinite(m) && m > 0)
		v = round(v * m) / m;
	return json_real(v);
}
