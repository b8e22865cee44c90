/*
 * db.c - the clip database on SQLite: opening with the right pragmas,
 * the schema and its migrations, and the few queries kc needs.
 *
 * The schema version lives in PRAGMA user_version and the file is marked
 * as kc's by PRAGMA application_id.  migrations[] below is the ordered
 * history of the schema: entry i takes a database from version i to i+1,
 * each in its own BEGIN IMMEDIATE transaction, so a crash leaves the file
 * at a whole version.  To change the schema, append an entry; never edit
 * a shipped one.  A database newer than the list is refused before
 * anything is written to it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "db.h"
#include "rec.h"

/* 0x6b634442, "kcDB": tells a kc database from any other SQLite file. */
#define KC_DB_APPLICATION_ID 1801667650
#define STR_(x) #x
#define STR(x) STR_(x)

/* Timestamps are UTC with milliseconds, made by SQLite itself. */
#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

struct migration {
	const char *what;	/* for error messages */
	const char *sql;	/* static DDL, run in the migration's transaction */
};

static const struct migration migrations[] = {
	{ "version 1 (streams, clips, ratings)",
	/*
	 * streams.id is the stream record's id (FNV-1a of the URL), so a
	 * stream analysed twice stays one row.  A clip's path is its
	 * identity: adding the same file again must not duplicate it or
	 * lose its rating.  Clip ids are what the user types ("rate 12"),
	 * so AUTOINCREMENT: an id is never handed out again after a delete.  clips.rating is the latest of the clip's rows
	 * in ratings, the history that training may want later; ratings
	 * deliberately do not cascade so that only an explicit delete can
	 * remove them.
	 */
	"CREATE TABLE streams ("
	"  id         TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),"
	"  url        TEXT,"
	"  title      TEXT,"
	"  channel    TEXT,"
	"  duration   REAL CHECK (duration IS NULL OR duration >= 0),"
	"  live       INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1)),"
	"  first_seen TEXT NOT NULL,"
	"  last_seen  TEXT NOT NULL"
	");"
	"CREATE TABLE clips ("
	"  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  path         TEXT NOT NULL UNIQUE CHECK (length(path) > 0),"
	"  stream_id    TEXT REFERENCES streams(id),"
	"  kind         TEXT NOT NULL CHECK (kind IN ('audio', 'video')),"
	"  t0           REAL NOT NULL,"
	"  t1           REAL NOT NULL CHECK (t1 >= t0),"
	"  want_t0      REAL,"
	"  want_t1      REAL,"
	"  mode         TEXT,"
	"  score        REAL,"
	"  heuristic    REAL,"
	"  model        REAL,"
	"  model_weight REAL,"
	"  features     TEXT NOT NULL DEFAULT '{}'"
	"               CHECK (json_valid(features) AND"
	"                      json_type(features) = 'object'),"
	"  created      TEXT NOT NULL,"
	"  rating       INTEGER CHECK (rating BETWEEN 1 AND 5),"
	"  rated_at     TEXT,"
	"  CHECK ((rating IS NULL) = (rated_at IS NULL))"
	");"
	"CREATE INDEX clips_stream ON clips(stream_id, t0);"
	"CREATE TABLE ratings ("
	"  id      INTEGER PRIMARY KEY,"
	"  clip_id INTEGER NOT NULL REFERENCES clips(id),"
	"  stars   INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),"
	"  created TEXT NOT NULL"
	");"
	"CREATE INDEX ratings_clip ON ratings(clip_id);"
	"PRAGMA application_id = " STR(KC_DB_APPLICATION_ID) ";"
	},
	{ "version 2 (per-stream feature statistics)",
	/*
	 * What kc-score measured of each stream (its "featstats" record):
	 * per feature the median and robust spread over the stream's hops.
	 * Keyed by stream, so analysing a stream again replaces its row
	 * rather than counting it twice; a channel's statistics are the
	 * hop-weighted means over its streams (kc_db_channel_stats).
	 */
	"CREATE TABLE stream_stats ("
	"  stream_id TEXT NOT NULL REFERENCES streams(id),"
	"  kind      TEXT NOT NULL CHECK (kind IN ('audio', 'video')),"
	"  feature   TEXT NOT NULL CHECK (length(feature) > 0),"
	"  hops      INTEGER NOT NULL CHECK (hops > 0),"
	"  median    REAL NOT NULL,"
	"  scale     REAL NOT NULL CHECK (scale >= 0),"
	"  updated   TEXT NOT NULL,"
	"  PRIMARY KEY (stream_id, kind, feature)"
	");"
	},
	{ "version 3 (chat highlights)",
	/*
	 * A third kind of clip, "chat" (picked from the chat's own scores),
	 * in clips and stream_stats.  SQLite cannot alter a CHECK, so the
	 * tables are rebuilt, copied row for row with their ids, and their
	 * indexes made again.  Not in the order of SQLite's own recipe
	 * (create the new table, drop the old, rename the new): foreign
	 * keys are on and cannot be turned off inside the migration's
	 * transaction, so dropping clips while ratings refer to it fails,
	 * and renaming a table makes the references to it follow the new
	 * name.  So the old clips is renamed aside (ratings follow it),
	 * the new one filled, ratings rebuilt the same way to refer to the
	 * new clips, and only then are the old two dropped: every
	 * reference is checked as it is copied, and no rating is ever
	 * without its clip.  The AUTOINCREMENT counter moves over from
	 * the old clips, so the id of a deleted clip is still never handed
	 * out again.  Column lists are spelled out, so the copy does not
	 * depend on the order of columns.  migrate() checks every foreign
	 * key once more before the version is set.
	 */
	"ALTER TABLE clips RENAME TO clips_v2;"
	"CREATE TABLE clips ("
	"  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  path         TEXT NOT NULL UNIQUE CHECK (length(path) > 0),"
	"  stream_id    TEXT REFERENCES streams(id),"
	"  kind         TEXT NOT NULL CHECK (kind IN ('audio', 'video',"
	"                                             'chat')),"
	"  t0           REAL NOT NULL,"
	"  t1           REAL NOT NULL CHECK (t1 >= t0),"
	"  want_t0      REAL,"
	"  want_t1      REAL,"
	"  mode         TEXT,"
	"  score        REAL,"
	"  heuristic    REAL,"
	"  model        REAL,"
	"  model_weight REAL,"
	"  features     TEXT NOT NULL DEFAULT '{}'"
	"               CHECK (json_valid(features) AND"
	"                      json_type(features) = 'object'),"
	"  created      TEXT NOT NULL,"
	"  rating       INTEGER CHECK (rating BETWEEN 1 AND 5),"
	"  rated_at     TEXT,"
	"  CHECK ((rating IS NULL) = (rated_at IS NULL))"
	");"
	"INSERT INTO clips (id, path, stream_id, kind, t0, t1, want_t0,"
	"    want_t1, mode, score, heuristic, model, model_weight, features,"
	"    created, rating, rated_at)"
	"  SELECT id, path, stream_id, kind, t0, t1, want_t0, want_t1, mode,"
	"    score, heuristic, model, model_weight, features, created, rating,"
	"    rated_at FROM clips_v2;"
	"DELETE FROM sqlite_sequence WHERE name = 'clips';"
	"UPDATE sqlite_sequence SET name = 'clips' WHERE name = 'clips_v2';"
	"ALTER TABLE ratings RENAME TO ratings_v2;"
	"CREATE TABLE ratings ("
	"  id      INTEGER PRIMARY KEY,"
	"  clip_id INTEGER NOT NULL REFERENCES clips(id),"
	"  stars   INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),"
	"  created TEXT NOT NULL"
	");"
	"INSERT INTO ratings (id, clip_id, stars, created)"
	"  SELECT id, clip_id, stars, created FROM ratings_v2;"
	"DROP TABLE ratings_v2;"
	"DROP TABLE clips_v2;"
	"CREATE INDEX clips_stream ON clips(stream_id, t0);"
	"CREATE INDEX ratings_clip ON ratings(clip_id);"
	"ALTER TABLE stream_stats RENAME TO stream_stats_v2;"
	"CREATE TABLE stream_stats ("
	"  stream_id TEXT NOT NULL REFERENCES streams(id),"
	"  kind      TEXT NOT NULL CHECK (kind IN ('audio', 'video', 'chat')),"
	"  feature   TEXT NOT NULL CHECK (length(feature) > 0),"
	"  hops      INTEGER NOT NULL CHECK (hops > 0),"
	"  median    REAL NOT NULL,"
	"  scale     REAL NOT NULL CHECK (scale >= 0),"
	"  updated   TEXT NOT NULL,"
	"  PRIMARY KEY (stream_id, kind, feature)"
	");"
	"INSERT INTO stream_stats (stream_id, kind, feature, hops, median,"
	"    scale, updated)"
	"  SELECT stream_id, kind, feature, hops, median, scale, updated"
	"  FROM stream_stats_v2;"
	"DROP TABLE stream_stats_v2;"
	},
	{ "version 4 (a clip's poster and its vertical copy)",
	/*
	 * kc-cut's poster image of a clip and its 9:16 copy belong to the
	 * clip's one row: a rating is never split between a clip's
	 * formats.  Both are files kc-web may serve, so both are unique
	 * like path (NULLs do not collide in a unique index).
	 */
	"ALTER TABLE clips ADD COLUMN poster TEXT"
	"  CHECK (poster IS NULL OR length(poster) > 0);"
	"ALTER TABLE clips ADD COLUMN vertical_path TEXT"
	"  CHECK (vertical_path IS NULL OR length(vertical_path) > 0);"
	"CREATE UNIQUE INDEX clips_poster ON clips(poster);"
	"CREATE UNIQUE INDEX clips_vertical ON clips(vertical_path);"
	},
	/* Append new migrations here. */
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Statements prepared once per connection, on first use. */
enum {
	ST_PUT_STREAM,
	ST_STUB_STREAM,
	ST_ADD_CLIP,
	ST_CLIP_ID,
	ST_CLIP_FILES,
	ST_RATE,
	ST_RATE_HISTORY,
	ST_COUNT_RATINGS,
	ST_CLIP_PATH,
	ST_DEL_RATINGS,
	ST_DEL_CLIP,
	ST_LAST_RATING,
	ST_DEL_RATING,
	ST_UNRATE,
	ST_PUT_FEATSTAT,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_PUT_STREAM] =
	"INSERT INTO streams (id, url, title, channel, duration, live,"
	"    first_seen, last_seen)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, " NOW ", " NOW ")"
	" ON CONFLICT (id) DO UPDATE SET"
	"  url = coalesce(excluded.url, url),"
	"  title = coalesce(excluded.title, title),"
	"  channel = coalesce(excluded.channel, channel),"
	"  duration = coalesce(excluded.duration, duration),"
	"  live = excluded.live,"
	"  last_seen = excluded.last_seen",
	[ST_STUB_STREAM] =
	"INSERT INTO streams (id, url, first_seen, last_seen)"
	" VALUES (?1, ?2, " NOW ", " NOW ")"
	" ON CONFLICT (id) DO NOTHING",
	[ST_ADD_CLIP] =
	"INSERT INTO clips (path, stream_id, kind, t0, t1, want_t0, want_t1,"
	"    mode, score, heuristic, model, model_weight, features, created,"
	"    poster, vertical_path)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	"    coalesce(?13, '{}'), " NOW ", ?14, ?15)"
	" ON CONFLICT (path) DO NOTHING",
	[ST_CLIP_ID] =
	"SELECT c.id, c.stream_id, s.title FROM clips c"
	" LEFT JOIN streams s ON s.id = c.stream_id WHERE c.path = ?1",
	[ST_CLIP_FILES] =
	"UPDATE clips SET poster = coalesce(?2, poster),"
	"  vertical_path = coalesce(?3, vertical_path)"
	" WHERE id = ?1 AND (poster IS NOT coalesce(?2, poster)"
	"  OR vertical_path IS NOT coalesce(?3, vertical_path))",
	[ST_RATE] =
	"UPDATE clips SET rating = ?2, rated_at = " NOW " WHERE id = ?1",
	[ST_RATE_HISTORY] =
	"INSERT INTO ratings (clip_id, stars, created)"
	" SELECT id, rating, rated_at FROM clips WHERE id = ?1",
	[ST_COUNT_RATINGS] =
	"SELECT count(*) FROM ratings",
	[ST_CLIP_PATH] =
	"SELECT path, poster, vertical_path FROM clips WHERE id = ?1",
	[ST_DEL_RATINGS] =
	"DELETE FROM ratings WHERE clip_id = ?1",
	[ST_DEL_CLIP] =
	"DELETE FROM clips WHERE id = ?1",
	[ST_LAST_RATING] =
	"SELECT id FROM ratings WHERE clip_id = ?1 ORDER BY id DESC LIMIT 1",
	[ST_DEL_RATING] =
	"DELETE FROM ratings WHERE id = ?1",
	[ST_UNRATE] =
	"UPDATE clips SET (rating, rated_at) = (SELECT stars, created"
	"  FROM ratings WHERE clip_id = ?1 ORDER BY id DESC LIMIT 1)"
	" WHERE id = ?1 RETURNING rating",
	[ST_PUT_FEATSTAT] =
	"INSERT INTO stream_stats (stream_id, kind, feature, hops, median,"
	"    scale, updated)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, " NOW ")"
	" ON CONFLICT (stream_id, kind, feature) DO UPDATE SET"
	"  hops = excluded.hops, median = excluded.median,"
	"  scale = excluded.scale, updated = excluded.updated",
};

#define CHANNEL_STATS_SQL \
	"SELECT s.channel, f.kind, f.feature, sum(f.hops)," \
	"  sum(f.hops * f.median) / sum(f.hops)," \
	"  sum(f.hops * f.scale) / sum(f.hops), count(*)" \
	" FROM stream_stats f JOIN streams s ON s.id = f.stream_id" \
	" WHERE s.channel IS NOT NULL" \
	" GROUP BY s.channel, f.kind, f.feature" \
	" ORDER BY s.channel, f.kind, f.feature"

/*
 * The list query: every filter is a bound parameter that is NULL (or -1)
 * when unused, so the text never depends on the caller's values.  Only
 * the ORDER BY differs, chosen from fixed strings.
 */
#define LIST_SQL \
	"SELECT c.id, c.path, c.stream_id, c.kind, c.t0, c.t1, c.want_t0," \
	"  c.want_t1, c.mode, c.score, c.heuristic, c.model, c.model_weight," \
	"  c.features, c.created, c.rating, c.rated_at," \
	"  s.url, s.title, s.channel, c.poster, c.vertical_path" \
	" FROM clips c LEFT JOIN streams s ON s.id = c.stream_id" \
	" WHERE (?1 = 0 OR (?1 = 1 AND c.rating IS NOT NULL)" \
	"        OR (?1 = -1 AND c.rating IS NULL))" \
	"   AND (?2 IS NULL OR c.kind = ?2)" \
	"   AND (?3 IS NULL OR c.stream_id = ?3 OR s.url = ?3)" \
	"   AND (?4 IS NULL OR c.rating >= ?4)" \
	"   AND (?6 IS NULL OR c.id = ?6)"

static const char *const list_sql[] = {
	[KC_DB_SORT_DATE] = LIST_SQL
	    " ORDER BY c.created DESC, c.id DESC LIMIT ?5",
	[KC_DB_SORT_SCORE] = LIST_SQL
	    " ORDER BY c.score IS NULL, c.score DESC, c.id LIMIT ?5",
	[KC_DB_SORT_TIME] = LIST_SQL
	    " ORDER BY s.first_seen IS NULL, s.first_seen, c.stream_id,"
	    "  c.t0, c.id LIMIT ?5",
	[KC_DB_SORT_ID] = LIST_SQL " ORDER BY c.id LIMIT ?5",
};

#define STARS_COLS \
	"  count(CASE WHEN c.rating = 1 THEN 1 END)," \
	"  count(CASE WHEN c.rating = 2 THEN 1 END)," \
	"  count(CASE WHEN c.rating = 3 THEN 1 END)," \
	"  count(CASE WHEN c.rating = 4 THEN 1 END)," \
	"  count(CASE WHEN c.rating = 5 THEN 1 END)," \
	"  avg(c.rating)"

static const char *const stats_sql[] = {
	[KC_DB_BY_ALL] =
	"SELECT NULL, (SELECT count(*) FROM streams), count(c.id),"
	"  count(c.rating)," STARS_COLS
	" FROM clips c",
	[KC_DB_BY_KIND] =
	"SELECT c.kind, count(DISTINCT c.stream_id), count(c.id),"
	"  count(c.rating)," STARS_COLS
	" FROM clips c GROUP BY c.kind ORDER BY c.kind",
	[KC_DB_BY_CHANNEL] =
	"SELECT s.channel, count(DISTINCT c.stream_id), count(c.id),"
	"  count(c.rating)," STARS_COLS
	" FROM clips c LEFT JOIN streams s ON s.id = c.stream_id"
	" GROUP BY s.channel ORDER BY count(c.id) DESC, s.channel",
};

struct kc_db {
	sqlite3 *h;			/* the connection */
	sqlite3_stmt *st[ST_COUNT];	/* by ST_*, NULL until first used */
	char err[512];			/* reason of the last failure */
};

struct kc_db_iter {
	kc_db *db;		/* for error texts */
	sqlite3_stmt *st;	/* its own statement, finalized by _free */
};

int
kc_db_schema_version(void)
{
	return NMIGRATIONS;
}

const char *
kc_db_error(const kc_db *db)
{
	return db ? db->err : "";
}

/* Sets the error text to "what: SQLite's message" and returns ERROR. */
static int
fail(kc_db *db, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what,
	    sqlite3_errmsg(db->h));
	return KC_DB_ERROR;
}

/* Sets the error text and returns code. */
static int
failcode(kc_db *db, int code, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s", what);
	return code;
}

/* Runs static SQL that returns no rows we need. */
static int
exec(kc_db *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, what);
	return KC_DB_OK;
}

/* Runs static SQL returning one integer (a pragma); -1 on error. */
static int
query_int(kc_db *db, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* The cached statement which, reset and with no bindings. */
static sqlite3_stmt *
stmt(kc_db *db, int which)
{
	sqlite3_stmt *st = db->st[which];

	if (st == NULL) {
		if (sqlite3_prepare_v3(db->h, stmt_sql[which], -1,
		    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
			fail(db, "preparing a statement");
			return NULL;
		}
		db->st[which] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Steps a statement that returns no rows; 0 or -1 (error text set). */
static int
run(kc_db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		fail(db, what);
		return -1;
	}
	return 0;
}

static int
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int
bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_double(st, i, v);
}

static double
col_real(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(st, i);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/*
 * 0 when no row of the database refers to a row that is not there; else
 * -1 with the error text set.  A migration that rebuilds a table must
 * leave every reference whole (a rating without its clip is a rating
 * lost), and what its own statements checked is checked again here as
 * a whole before its version is set.
 */
static int
foreign_keys_whole(kc_db *db, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &st,
	    NULL) != SQLITE_OK) {
		fail(db, "checking foreign keys");
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(db->err, sizeof(db->err), "migrating to schema %s: "
		    "row %lld of %s refers to a missing row of %s", what,
		    (long long)sqlite3_column_int64(st, 1),
		    col_text(st, 0) ? col_text(st, 0) : "?",
		    col_text(st, 2) ? col_text(st, 2) : "?");
	else if (rc != SQLITE_DONE)
		fail(db, "checking foreign keys");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Brings the database up to date.  Each step re-reads the version inside
 * its write lock: another process may have migrated meanwhile.
 */
static int
migrate(kc_db *db)
{
	char sql[64], what[160];
	long long v;
	int i;

	/* the common case, up to date, must not take the write lock */
	if (query_int(db, "PRAGMA user_version", &v) != 0)
		return fail(db, "reading the schema version");
	if (v > NMIGRATIONS)	/* a newer kc got here since check_kind */
		return failcode(db, KC_DB_TOONEW, "database schema is newer "
		    "than this build knows; use a newer kc");
	for (i = (int)v; i < NMIGRATIONS; i++) {
		if (exec(db, "BEGIN IMMEDIATE", "starting a migration") != 0)
			return KC_DB_ERROR;
		if (query_int(db, "PRAGMA user_version", &v) != 0) {
			fail(db, "reading the schema version");
			goto rollback;
		}
		if (v > i) {
			exec(db, "ROLLBACK", "ending a migration");
			continue;
		}
		snprintf(what, sizeof(what), "migrating to schema %s",
		    migrations[i].what);
		if (exec(db, migrations[i].sql, what) != 0)
			goto rollback;
		if (foreign_keys_whole(db, migrations[i].what) != 0)
			goto rollback;
		/* a pragma takes no parameters; i + 1 is our own number */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (exec(db, sql, "setting the schema version") != 0)
			goto rollback;
		if (exec(db, "COMMIT", "committing a migration") != 0)
			goto rollback;
	}
	return KC_DB_OK;
rollback:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return KC_DB_ERROR;
}

/*
 * The file's application id, schema version and number of schema
 * objects, read by one statement: a statement sees one snapshot, so
 * another process's migration is seen whole or not at all.  Read one
 * by one, a first migration committed between the reads looked like
 * "application id 0, version 1": someone else's database.
 */
static int
read_header(kc_db *db, long long *app, long long *ver, long long *objects)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "SELECT"
	    " (SELECT application_id FROM pragma_application_id),"
	    " (SELECT user_version FROM pragma_user_version),"
	    " (SELECT count(*) FROM sqlite_schema)", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*app = sqlite3_column_int64(st, 0);
		*ver = sqlite3_column_int64(st, 1);
		*objects = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Refuses files that are not kc databases or are newer than this build,
 * reading only: nothing may be written before this passed.
 */
static int
check_kind(kc_db *db)
{
	long long app, ver, objects;

	if (read_header(db, &app, &ver, &objects) != 0)
		return fail(db, "reading the database header");
	if (app == KC_DB_APPLICATION_ID) {
		if (ver < 0)
			return failcode(db, KC_DB_NOTKC,
			    "negative schema version");
		if (ver > NMIGRATIONS) {
			snprintf(db->err, sizeof(db->err), "database schema "
			    "version %lld is newer than this build knows (%d); "
			    "use a newer kc", ver, NMIGRATIONS);
			return KC_DB_TOONEW;
		}
		return KC_DB_OK;
	}
	if (app != 0 || ver != 0 || objects != 0)
		return failcode(db, KC_DB_NOTKC,
		    "an SQLite database, but not a kc one");
	return KC_DB_OK;
}

/*
 * WAL lets readers (list, stats) run beside a writer, and makes a
 * rating's commit a single append.  journal_mode answers with the mode
 * in effect; a file system without shared memory may keep the old one,
 * which still works, only with more waiting.
 *
 * Turning a new file to WAL writes its header under an exclusive lock
 * taken on top of the shared lock the pragma read the header with.
 * SQLite never waits for a lock while holding one (two such waiters
 * would deadlock), so the busy timeout does not apply: when several
 * processes create the database at once, all but one get "database is
 * locked" at once.  They try again after a short random pause (random,
 * so that the same ones do not collide again), for up to the busy
 * timeout; by then the winner has converted the file, and the pragma
 * only reads that it is WAL.
 */
static int
set_wal(kc_db *db)
{
	sqlite3_stmt *st;
	unsigned r;
	int rc, ms, waited = 0;

	for (;;) {
		if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1,
		    &st, NULL) != SQLITE_OK)
			return fail(db, "setting WAL mode");
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			fail(db, "setting WAL mode");
		sqlite3_finalize(st);
		if (rc == SQLITE_ROW)
			return KC_DB_OK;
		if ((rc & 0xff) != SQLITE_BUSY || waited >= KC_DB_BUSY_MS)
			return KC_DB_ERROR;
		sqlite3_randomness(sizeof(r), &r);
		ms = 1 + (int)(r % 20);
		sqlite3_sleep(ms);
		waited += ms;
	}
}

int
kc_db_open(kc_db **out, const char *path, int flags, char *err,
    size_t errlen)
{
	struct stat sb;
	kc_db *db;
	char *name;
	size_t n;
	int rc, oflags;

	*out = NULL;
	if (!(flags & KC_DB_CREATE) && stat(path, &sb) != 0 &&
	    errno == ENOENT) {
		snprintf(err, errlen, "no such database");
		return KC_DB_NOTFOUND;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return KC_DB_ERROR;
	}
	oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (flags & KC_DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	/*
	 * SQLite builds with USE_URI (Debian's) read "file:..." as a URI
	 * with ?options; "./" keeps a file of that name a file name.
	 */
	n = strlen(path) + 3;
	if ((name = malloc(n)) == NULL) {
		free(db);
		snprintf(err, errlen, "out of memory");
		return KC_DB_ERROR;
	}
	snprintf(name, n, "%s%s", strncmp(path, "file:", 5) == 0 ? "./" : "",
	    path);
	rc = sqlite3_open_v2(name, &db->h, oflags, NULL);
	free(name);
	if (rc != SQLITE_OK) {
		rc = fail(db, "cannot open");
		goto bad;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, KC_DB_BUSY_MS);
	if ((rc = check_kind(db)) != KC_DB_OK)
		goto bad;
	rc = KC_DB_ERROR;
	if (exec(db, "PRAGMA foreign_keys = ON", "enabling foreign keys"))
		goto bad;
	if (set_wal(db) != KC_DB_OK)
		goto bad;
	if ((rc = migrate(db)) != KC_DB_OK)
		goto bad;
	*out = db;
	return KC_DB_OK;
bad:
	snprintf(err, errlen, "%s", db->err);
	kc_db_close(db);
	return rc;
}

int
kc_db_close(kc_db *db)
{
	int i, rc;

	if (db == NULL)
		return KC_DB_OK;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(db->st[i]);
	rc = sqlite3_close(db->h);
	free(db);
	return rc == SQLITE_OK ? KC_DB_OK : KC_DB_ERROR;
}

int
kc_db_begin(kc_db *db)
{
	return exec(db, "BEGIN IMMEDIATE", "starting a transaction");
}

int
kc_db_commit(kc_db *db)
{
	return exec(db, "COMMIT", "committing");
}

int
kc_db_rollback(kc_db *db)
{
	if (sqlite3_get_autocommit(db->h))
		return KC_DB_OK;
	return exec(db, "ROLLBACK", "rolling back");
}

int
kc_db_put_stream(kc_db *db, const kc_db_stream *s)
{
	sqlite3_stmt *st;

	if (s->id == NULL || *s->id == '\0')
		return failcode(db, KC_DB_INVALID, "stream without an id");
	if ((st = stmt(db, ST_PUT_STREAM)) == NULL)
		return KC_DB_ERROR;
	bind_text(st, 1, s->id);
	bind_text(st, 2, s->url);
	bind_text(st, 3, s->title);
	bind_text(st, 4, s->channel);
	bind_real(st, 5, s->duration);
	sqlite3_bind_int(st, 6, s->live != 0);
	return run(db, st, "storing the stream") == 0 ? KC_DB_OK :
	    KC_DB_ERROR;
}

static int
valid_clip(kc_db *db, const kc_db_clip *c)
{
	if (c->path == NULL || *c->path == '\0')
		return failcode(db, KC_DB_INVALID, "clip without a path");
	if (kc_rec_kind(c->kind) < 0)
		return failcode(db, KC_DB_INVALID,
		    "clip kind is not " KC_REC_KINDS_TEXT);
	if (!isfinite(c->t0) || !isfinite(c->t1) || c->t1 < c->t0)
		return failcode(db, KC_DB_INVALID,
		    "clip needs finite t0 <= t1");
	return KC_DB_OK;
}

/*
 * CONFLICT when the stored clip st (ST_CLIP_ID's row) is of a stream
 * other than c's, both known; else OK.  A clip without a stream (hand
 * written) says nothing either way.
 */
static int
other_stream(kc_db *db, const kc_db_clip *c, sqlite3_stmt *st)
{
	const char *sid = col_text(st, 1), *title = col_text(st, 2);

	if (c->stream_id == NULL || sid == NULL ||
	    strcmp(c->stream_id, sid) == 0)
		return KC_DB_OK;
	snprintf(db->err, sizeof(db->err), "the path already belongs to clip "
	    "%lld of stream %s%s%.200s%s", (long long)sqlite3_column_int64(st,
	    0), sid, title ? " \"" : "", title ? title : "", title ? "\"" :
	    "");
	return KC_DB_CONFLICT;
}

int
kc_db_add_clip(kc_db *db, const kc_db_clip *c, long long *id, int *known)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = valid_clip(db, c)) != KC_DB_OK)
		return rc;
	/* a savepoint makes stub stream + clip one step, in or out of a
	 * transaction */
	if (exec(db, "SAVEPOINT add_clip", "starting to add a clip") != 0)
		return KC_DB_ERROR;
	if (c->stream_id != NULL) {
		if ((st = stmt(db, ST_STUB_STREAM)) == NULL)
			goto bad;
		bind_text(st, 1, c->stream_id);
		bind_text(st, 2, c->url);
		if (run(db, st, "storing the clip's stream") != 0)
			goto bad;
	}
	if ((st = stmt(db, ST_ADD_CLIP)) == NULL)
		goto bad;
	bind_text(st, 1, c->path);
	bind_text(st, 2, c->stream_id);
	bind_text(st, 3, c->kind);
	bind_real(st, 4, c->t0);
	bind_real(st, 5, c->t1);
	bind_real(st, 6, c->want_t0);
	bind_real(st, 7, c->want_t1);
	bind_text(st, 8, c->mode);
	bind_real(st, 9, c->score);
	bind_real(st, 10, c->heuristic);
	bind_real(st, 11, c->model);
	bind_real(st, 12, c->model_weight);
	bind_text(st, 13, c->features);
	bind_text(st, 14, c->poster);
	bind_text(st, 15, c->vertical_path);
	if (run(db, st, "storing the clip") != 0)
		goto bad;
	*known = sqlite3_changes(db->h) == 0 ? KC_DB_KNOWN : KC_DB_NEW;
	if ((st = stmt(db, ST_CLIP_ID)) == NULL)
		goto bad;
	bind_text(st, 1, c->path);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fail(db, "finding the clip's id");
		sqlite3_reset(st);
		goto bad;
	}
	*id = sqlite3_column_int64(st, 0);
	rc = *known ? other_stream(db, c, st) : KC_DB_OK;
	sqlite3_reset(st);
	if (rc != KC_DB_OK)
		goto undo;
	if (*known && (c->poster != NULL || c->vertical_path != NULL)) {
		/* the same clip again, with files made since: its one row */
		if ((st = stmt(db, ST_CLIP_FILES)) == NULL)
			goto bad;
		sqlite3_bind_int64(st, 1, *id);
		bind_text(st, 2, c->poster);
		bind_text(st, 3, c->vertical_path);
		if (run(db, st, "storing the clip's files") != 0)
			goto bad;
		if (sqlite3_changes(db->h) > 0)
			*known = KC_DB_UPDATED;
	}
	if (exec(db, "RELEASE add_clip", "adding a clip") != 0)
		goto bad;
	return KC_DB_OK;
bad:
	rc = KC_DB_ERROR;
undo:
	sqlite3_exec(db->h, "ROLLBACK TO add_clip; RELEASE add_clip", NULL,
	    NULL, NULL);
	return rc;
}

/* Our own transactions must not nest inside a caller's. */
static int
need_autocommit(kc_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		return failcode(db, KC_DB_ERROR,
		    "called inside an open transaction");
	return KC_DB_OK;
}

int
kc_db_rate(kc_db *db, long long id, int stars, long *nratings)
{
	sqlite3_stmt *st;
	long long n = 0;

	if (stars < 1 || stars > 5)
		return failcode(db, KC_DB_INVALID, "stars must be 1-5");
	if (need_autocommit(db) != KC_DB_OK || kc_db_begin(db) != KC_DB_OK)
		return KC_DB_ERROR;
	if ((st = stmt(db, ST_RATE)) == NULL)
		goto bad;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, stars);
	if (run(db, st, "rating the clip") != 0)
		goto bad;
	if (sqlite3_changes(db->h) == 0) {
		kc_db_rollback(db);
		snprintf(db->err, sizeof(db->err), "no clip with id %lld", id);
		return KC_DB_NOTFOUND;
	}
	if ((st = stmt(db, ST_RATE_HISTORY)) == NULL)
		goto bad;
	sqlite3_bind_int64(st, 1, id);
	if (run(db, st, "recording the rating") != 0)
		goto bad;
	if ((st = stmt(db, ST_COUNT_RATINGS)) == NULL)
		goto bad;
	if (sqlite3_step(st) != SQLITE_ROW) {
		fail(db, "counting ratings");
		sqlite3_reset(st);
		goto bad;
	}
	n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (kc_db_commit(db) != KC_DB_OK)
		goto bad;
	if (nratings)
		*nratings = (long)n;
	return KC_DB_OK;
bad:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return KC_DB_ERROR;
}

int
kc_db_undo(kc_db *db, long long id, int *stars)
{
	sqlite3_stmt *st;
	long long rid;

	if (need_autocommit(db) != KC_DB_OK || kc_db_begin(db) != KC_DB_OK)
		return KC_DB_ERROR;
	if ((st = stmt(db, ST_LAST_RATING)) == NULL)
		goto bad;
	sqlite3_bind_int64(st, 1, id);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		rid = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		break;
	case SQLITE_DONE:
		sqlite3_reset(st);
		kc_db_rollback(db);
		if ((st = stmt(db, ST_CLIP_PATH)) == NULL)
			return KC_DB_ERROR;
		sqlite3_bind_int64(st, 1, id);
		rid = sqlite3_step(st);
		sqlite3_reset(st);
		if (rid != SQLITE_ROW && rid != SQLITE_DONE)
			return fail(db, "finding the clip");
		snprintf(db->err, sizeof(db->err), rid == SQLITE_ROW ?
		    "clip %lld has no rating to take back" :
		    "no clip with id %lld", id);
		return KC_DB_NOTFOUND;
	default:
		fail(db, "finding the clip's last rating");
		sqlite3_reset(st);
		goto bad;
	}
	if ((st = stmt(db, ST_DEL_RATING)) == NULL)
		goto bad;
	sqlite3_bind_int64(st, 1, rid);
	if (run(db, st, "taking back the rating") != 0)
		goto bad;
	if ((st = stmt(db, ST_UNRATE)) == NULL)
		goto bad;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fail(db, "restoring the clip's rating");
		sqlite3_reset(st);
		goto bad;
	}
	if (stars)
		*stars = sqlite3_column_int(st, 0);	/* NULL reads 0 */
	sqlite3_reset(st);
	if (kc_db_commit(db) != KC_DB_OK)
		goto bad;
	return KC_DB_OK;
bad:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return KC_DB_ERROR;
}

/* Frees what clip_files copied. */
static void
free_files(kc_db_clip *c)
{
	free((char *)c->path);
	free((char *)c->poster);
	free((char *)c->vertical_path);
	memset(c, 0, sizeof(*c));
}

/* A copy of column i, NULL for NULL; -1 when out of memory. */
static int
dup_col(sqlite3_stmt *st, int i, const char **dst)
{
	const char *s = col_text(st, i);

	*dst = NULL;
	if (s != NULL && (*dst = strdup(s)) == NULL)
		return -1;
	return 0;
}

int
kc_db_delete_clip(kc_db *db, long long id,
    int (*hook)(const kc_db_clip *c, void *arg), void *arg)
{
	sqlite3_stmt *st;
	kc_db_clip c;
	int rc = KC_DB_ERROR;

	memset(&c, 0, sizeof(c));
	if (need_autocommit(db) != KC_DB_OK || kc_db_begin(db) != KC_DB_OK)
		return KC_DB_ERROR;
	if ((st = stmt(db, ST_CLIP_PATH)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		c.id = id;
		if (dup_col(st, 0, &c.path) != 0 || dup_col(st, 1,
		    &c.poster) != 0 || dup_col(st, 2, &c.vertical_path) != 0) {
			sqlite3_reset(st);
			failcode(db, KC_DB_ERROR, "out of memory");
			goto out;
		}
		sqlite3_reset(st);
		break;
	case SQLITE_DONE:
		sqlite3_reset(st);
		snprintf(db->err, sizeof(db->err), "no clip with id %lld", id);
		rc = KC_DB_NOTFOUND;
		goto out;
	default:
		fail(db, "finding the clip");
		sqlite3_reset(st);
		goto out;
	}
	if ((st = stmt(db, ST_DEL_RATINGS)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (run(db, st, "deleting the clip's ratings") != 0)
		goto out;
	if ((st = stmt(db, ST_DEL_CLIP)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (run(db, st, "deleting the clip") != 0)
		goto out;
	if (hook && hook(&c, arg) != 0) {
		rc = failcode(db, KC_DB_CANCELLED, "cancelled");
		goto out;
	}
	if (kc_db_commit(db) == KC_DB_OK)
		rc = KC_DB_OK;
out:
	if (rc != KC_DB_OK)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	free_files(&c);
	return rc;
}

static int
iter_new(kc_db *db, const char *sql, kc_db_iter **it)
{
	kc_db_iter *i;

	*it = NULL;
	if ((i = calloc(1, sizeof(*i))) == NULL)
		return failcode(db, KC_DB_ERROR, "out of memory");
	if (sqlite3_prepare_v2(db->h, sql, -1, &i->st, NULL) != SQLITE_OK) {
		free(i);
		return fail(db, "preparing a query");
	}
	i->db = db;
	*it = i;
	return KC_DB_OK;
}

int
kc_db_list(kc_db *db, const kc_db_filter *f, kc_db_iter **it)
{
	static const kc_db_filter all;
	sqlite3_stmt *st;
	int rc;

	*it = NULL;
	if (f == NULL)
		f = &all;
	if (f->sort < KC_DB_SORT_DATE || f->sort > KC_DB_SORT_ID ||
	    f->rated < -1 || f->rated > 1 ||
	    f->min_stars < 0 || f->min_stars > 5)
		return failcode(db, KC_DB_INVALID, "bad list filter");
	if ((rc = iter_new(db, list_sql[f->sort], it)) != KC_DB_OK)
		return rc;
	st = (*it)->st;
	sqlite3_bind_int(st, 1, f->rated);
	bind_text(st, 2, f->kind);
	bind_text(st, 3, f->stream);
	if (f->min_stars > 0)
		sqlite3_bind_int(st, 4, f->min_stars);
	/* a negative LIMIT means none to SQLite */
	sqlite3_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
	if (f->id > 0)
		sqlite3_bind_int64(st, 6, f->id);
	return KC_DB_OK;
}

/* Steps the iterator: 1 row, 0 done, -1 error (text set). */
static int
iter_step(kc_db_iter *it)
{
	switch (sqlite3_step(it->st)) {
	case SQLITE_ROW:
		return 1;
	case SQLITE_DONE:
		return 0;
	default:
		fail(it->db, "reading the database");
		return -1;
	}
}

int
kc_db_next(kc_db_iter *it, kc_db_clip *c)
{
	sqlite3_stmt *st = it->st;
	int rc;

	if ((rc = iter_step(it)) != 1)
		return rc;
	c->id = sqlite3_column_int64(st, 0);
	c->path = col_text(st, 1);
	c->stream_id = col_text(st, 2);
	c->kind = col_text(st, 3);
	c->t0 = col_real(st, 4);
	c->t1 = col_real(st, 5);
	c->want_t0 = col_real(st, 6);
	c->want_t1 = col_real(st, 7);
	c->mode = col_text(st, 8);
	c->score = col_real(st, 9);
	c->heuristic = col_real(st, 10);
	c->model = col_real(st, 11);
	c->model_weight = col_real(st, 12);
	c->features = col_text(st, 13);
	c->created = col_text(st, 14);
	c->rating = sqlite3_column_int(st, 15);
	c->rated_at = col_text(st, 16);
	c->url = col_text(st, 17);
	c->title = col_text(st, 18);
	c->channel = col_text(st, 19);
	c->poster = col_text(st, 20);
	c->vertical_path = col_text(st, 21);
	return 1;
}

int
kc_db_stats(kc_db *db, int by, kc_db_iter **it)
{
	*it = NULL;
	if (by < KC_DB_BY_ALL || by > KC_DB_BY_CHANNEL)
		return failcode(db, KC_DB_INVALID, "bad statistics grouping");
	return iter_new(db, stats_sql[by], it);
}

int
kc_db_next_group(kc_db_iter *it, kc_db_group *g)
{
	sqlite3_stmt *st = it->st;
	int rc, i;

	if ((rc = iter_step(it)) != 1)
		return rc;
	g->name = col_text(st, 0);
	g->streams = (long)sqlite3_column_int64(st, 1);
	g->clips = (long)sqlite3_column_int64(st, 2);
	g->rated = (long)sqlite3_column_int64(st, 3);
	g->stars[0] = 0;
	for (i = 1; i <= 5; i++)
		g->stars[i] = (long)sqlite3_column_int64(st, 3 + i);
	g->mean = col_real(st, 9);
	return 1;
}

void
kc_db_iter_free(kc_db_iter *it)
{
	if (it == NULL)
		return;
	sqlite3_finalize(it->st);
	free(it);
}

int
kc_db_put_featstat(kc_db *db, const char *stream_id, const char *kind,
    const char *feature, long hops, double median, double scale)
{
	sqlite3_stmt *st;

	if (stream_id == NULL || *stream_id == '\0' || kind == NULL ||
	    kc_rec_kind(kind) < 0 ||
	    feature == NULL || *feature == '\0' || hops <= 0 ||
	    !isfinite(median) || !isfinite(scale) || scale < 0)
		return failcode(db, KC_DB_INVALID, "bad feature statistics");
	if ((st = stmt(db, ST_STUB_STREAM)) == NULL)
		return KC_DB_ERROR;
	bind_text(st, 1, stream_id);
	if (run(db, st, "adding a stream") != 0)
		return KC_DB_ERROR;
	if ((st = stmt(db, ST_PUT_FEATSTAT)) == NULL)
		return KC_DB_ERROR;
	bind_text(st, 1, stream_id);
	bind_text(st, 2, kind);
	bind_text(st, 3, feature);
	sqlite3_bind_int64(st, 4, hops);
	sqlite3_bind_double(st, 5, median);
	sqlite3_bind_double(st, 6, scale);
	return run(db, st, "storing feature statistics") == 0 ? KC_DB_OK :
	    KC_DB_ERROR;
}

int
kc_db_channel_stats(kc_db *db, kc_db_iter **it)
{
	return iter_new(db, CHANNEL_STATS_SQL, it);
}

int
kc_db_next_chanstat(kc_db_iter *it, kc_db_chanstat *c)
{
	sqlite3_stmt *st = it->st;
	int rc;

	if ((rc = iter_step(it)) != 1)
		return rc;
	c->channel = col_text(st, 0);
	c->kind = col_text(st, 1);
	c->feature = col_text(st, 2);
	c->hops = (long)sqlite3_column_int64(st, 3);
	c->median = col_real(st, 4);
	c->scale = col_real(st, 5);
	c->streams = (long)sqlite3_column_int64(st, 6);
	return 1;
}
