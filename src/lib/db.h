/*
 * db.h - the kc clip database: streams, the clips cut from them, and the
 * user's 1-5 star ratings with their full history.
 *
 * One SQLite file in WAL mode, shared by concurrent kc-db processes (a
 * writer waits up to 10 s for another), from the first use on: processes
 * that create the same new file at once wait for one of them to do it.  The schema carries its version
 * in PRAGMA user_version and is brought up to date on open by an ordered
 * list of migrations in db.c.  Values are always bound to prepared
 * statements.  Library code: every function returns a code and leaves a
 * one-line reason for kc_db_error(); nothing here prints or exits, and
 * nothing here knows JSON beyond storing the features object as text.
 */
#ifndef KC_DB_H
#define KC_DB_H

#include <stddef.h>

/* Return codes.  Functions that only succeed or fail use OK and ERROR. */
enum {
	KC_DB_OK = 0,
	KC_DB_ERROR = -1,	/* SQLite or I/O failure (text in kc_db_error) */
	KC_DB_NOTFOUND = -2,	/* no such database file, clip, ... */
	KC_DB_TOONEW = -3,	/* schema newer than this build: not touched */
	KC_DB_NOTKC = -4,	/* an SQLite file, but not a kc database */
	KC_DB_INVALID = -5,	/* an argument the schema would reject */
	KC_DB_CANCELLED = -6,	/* a caller's hook asked to roll back */
	KC_DB_CONFLICT = -7	/* the path is another stream's clip */
};

/* kc_db_open flags. */
#define KC_DB_CREATE	0x1	/* create the file when it does not exist */

/* Milliseconds a writer waits for another process's lock. */
#define KC_DB_BUSY_MS	10000

typedef struct kc_db kc_db;
typedef struct kc_db_iter kc_db_iter;

/*
 * A stream as the "stream" record describes it.  id is required; the
 * other strings may be NULL (unknown) and duration NAN (unknown).
 */
typedef struct kc_db_stream {
	const char *id, *url, *title, *channel;
	double duration;	/* seconds, NAN: unknown */
	int live;		/* 0 or 1 */
} kc_db_stream;

/*
 * A clip.  Reals are NAN when NULL in the database / absent in the
 * record.  Given to kc_db_add_clip: path, kind ("audio", "video" or
 * "chat"), t0 and t1 are required, stream_id/url may be NULL, features
 * is the clip's features object as JSON text (NULL: "{}"), and id,
 * created, rating, rated_at, title and channel are ignored.  Filled by
 * kc_db_next: every field, the strings pointing into the iterator (valid
 * until the next call or kc_db_iter_free); url, title and channel come
 * from the clip's stream row and may be NULL.
 */
typedef struct kc_db_clip {
	long long id;
	const char *path;
	const char *stream_id;
	const char *kind;
	double t0, t1, want_t0, want_t1;	/* stream time, seconds */
	const char *mode;			/* "copy", "accurate" or NULL */
	double score, heuristic, model, model_weight;
	const char *features;			/* JSON object text */
	const char *created;			/* UTC, ISO 8601 */
	int rating;				/* latest stars, 0: unrated */
	const char *rated_at;			/* NULL when unrated */
	const char *url, *title, *channel;	/* of the stream */
	const char *poster;			/* image file, NULL: none */
	const char *vertical_path;		/* 9:16 copy, NULL: none */
} kc_db_clip;

/* Order of kc_db_list rows. */
enum {
	KC_DB_SORT_DATE,	/* newest first (by time added, then id) */
	KC_DB_SORT_SCORE,	/* best score first, unscored last */
	KC_DB_SORT_TIME,	/* stream by stream (first seen first), by t0 */
	KC_DB_SORT_ID		/* ascending id */
};

/*
 * What kc_db_list returns.  Zero-initialised means everything, newest
 * first.
 */
typedef struct kc_db_filter {
	int rated;		/* 0 any, 1 rated only, -1 unrated only */
	const char *kind;	/* "audio", "video", "chat"; NULL any */
	const char *stream;	/* stream id or url, NULL any */
	int min_stars;		/* 1-5: rating at least this; 0 any */
	long limit;		/* at most this many rows; <= 0 no limit */
	int sort;		/* KC_DB_SORT_* */
	long long id;		/* only this clip; <= 0 any */
} kc_db_filter;

/* Grouping of kc_db_stats rows. */
enum {
	KC_DB_BY_ALL,		/* one row over every clip, name NULL */
	KC_DB_BY_KIND,		/* one row per kind, by name */
	KC_DB_BY_CHANNEL	/* one row per channel, most clips first;
				 * name NULL for clips of no known channel */
};

/* Counts over a group of clips. */
typedef struct kc_db_group {
	const char *name;	/* kind or channel, valid until the next call */
	long streams;		/* BY_ALL: rows in streams; else distinct
				 * streams the group's clips come from */
	long clips, rated;	/* unrated = clips - rated */
	long stars[6];		/* stars[n]: clips whose latest rating is n */
	double mean;		/* mean latest rating, NAN when none rated */
} kc_db_group;

/* The schema version this build creates and understands. */
int kc_db_schema_version(void);

/*
 * Opens the database at path (a file name; no URI), creating it when
 * flags has KC_DB_CREATE, and migrates it to kc_db_schema_version().
 * Returns KC_DB_OK and *out; on failure *out is NULL, err holds a
 * one-line reason and the code is NOTFOUND (no file and no CREATE),
 * TOONEW (the file's schema is newer: the file is left as it was), NOTKC
 * (another program's database) or ERROR.
 */
int kc_db_open(kc_db **out, const char *path, int flags, char *err,
    size_t errlen);

/*
 * Closes db (NULL is fine).  Iterators must be freed before.  Returns OK,
 * or ERROR when SQLite reports a failure while closing.
 */
int kc_db_close(kc_db *db);

/* The reason of the last failure on db ("" if none). */
const char *kc_db_error(const kc_db *db);

/*
 * An explicit write transaction (BEGIN IMMEDIATE: waits up to
 * KC_DB_BUSY_MS for other writers).  Without one each call below commits
 * by itself.  Begin fails when one is already open.  Rollback on a db
 * with no open transaction is a no-op.
 */
int kc_db_begin(kc_db *db);
int kc_db_commit(kc_db *db);
int kc_db_rollback(kc_db *db);

/*
 * Inserts or updates the stream row s->id: known fields overwrite, NULL
 * ones keep what the row had.  INVALID when s->id is NULL or empty.
 */
int kc_db_put_stream(kc_db *db, const kc_db_stream *s);

/* What kc_db_add_clip did with a clip. */
enum {
	KC_DB_NEW,		/* a row was inserted */
	KC_DB_KNOWN,		/* the path was stored: nothing changed */
	KC_DB_UPDATED		/* the path was stored: it took the clip's
				 * new poster and/or vertical_path */
};

/*
 * Adds clip c, keyed by its path.  When the path is already stored for
 * the same stream, the row keeps everything (a rating is never dropped)
 * but takes c's poster and vertical_path when they are not NULL, and
 * *known is set to KC_DB_KNOWN or KC_DB_UPDATED; else a row is inserted
 * and *known set to KC_DB_NEW.  *id receives the row id either way.  A stream_id without a row gets a stub stream row (id and
 * url only).  Atomic even outside a transaction.  INVALID when a
 * required field is missing, kind is not audio, video or chat, or t1 <
 * t0.  CONFLICT, with nothing changed, *id the stored clip's and the
 * error text naming its stream, when the path is stored for a clip of
 * another stream (both streams known): a file that now holds another
 * video must not take over the row, and the rating, of the one it
 * replaced.
 */
int kc_db_add_clip(kc_db *db, const kc_db_clip *c, long long *id,
    int *known);

/*
 * Records stars (1-5) for clip id: a new row in the rating history and
 * the clip's latest rating, committed together before returning.  Must
 * be called outside a transaction.  *nratings (may be NULL) receives the
 * number of ratings in the history after this one.  Returns OK, INVALID
 * (stars out of range), NOTFOUND (no such clip) or ERROR.
 */
int kc_db_rate(kc_db *db, long long id, int stars, long *nratings);

/*
 * Takes back clip id's latest rating: the last row of its rating history
 * goes, and the clip gets the rating before it back, or none; *stars (may
 * be NULL) receives that rating, 0 for none.  Must be called outside a
 * transaction.  Returns OK, NOTFOUND (no such clip, or it has no rating;
 * the text says which) or ERROR.
 */
int kc_db_undo(kc_db *db, long long id, int *stars);

/*
 * Deletes clip id and its ratings in one transaction.  hook (may be NULL)
 * is called inside the transaction, after the rows are gone and before
 * the commit, with the clip's id, path, poster and vertical_path (the
 * other fields zero): a non-zero return rolls everything back
 * (CANCELLED).  So a file is only removed by a hook when the row deletion
 * is about to be committed.  Must be called outside a
 * transaction.  Returns OK, NOTFOUND, CANCELLED or ERROR.
 */
int kc_db_delete_clip(kc_db *db, long long id,
    int (*hook)(const kc_db_clip *c, void *arg), void *arg);

/*
 * Starts a query for the clips matching f (NULL: all).  Returns OK and an
 * iterator in *it, INVALID for a bad filter, or ERROR.
 */
int kc_db_list(kc_db *db, const kc_db_filter *f, kc_db_iter **it);

/* Next row: 1 and *c filled, 0 at the end, -1 on error (kc_db_error). */
int kc_db_next(kc_db_iter *it, kc_db_clip *c);

/* Starts the rating statistics grouped by one of KC_DB_BY_*. */
int kc_db_stats(kc_db *db, int by, kc_db_iter **it);

/* Next group: 1 and *g filled, 0 at the end, -1 on error. */
int kc_db_next_group(kc_db_iter *it, kc_db_group *g);

/*
 * Stores a stream's statistics of one feature (kc-score's "featstats"):
 * its median and robust scale over hops hops.  Replaces what the stream
 * had for that kind and feature; a stream without a row gets a stub row.
 * INVALID for a missing name, a kind other than audio, video or chat,
 * hops < 1 or a non-finite or negative value.
 */
int kc_db_put_featstat(kc_db *db, const char *stream_id, const char *kind,
    const char *feature, long hops, double median, double scale);

/* A channel's statistics of one feature, over its streams. */
typedef struct kc_db_chanstat {
	const char *channel, *kind, *feature;	/* valid until the next call */
	long hops;		/* hops behind them, summed over streams */
	long streams;		/* streams they come from */
	double median, scale;	/* hop-weighted means of the streams' */
} kc_db_chanstat;

/* Starts the per-channel statistics (streams of a known channel only),
 * by channel, kind and feature. */
int kc_db_channel_stats(kc_db *db, kc_db_iter **it);

/* Next row: 1 and *c filled, 0 at the end, -1 on error. */
int kc_db_next_chanstat(kc_db_iter *it, kc_db_chanstat *c);

void kc_db_iter_free(kc_db_iter *it);

#endif
