/*
 * test_db.c - unit tests of the clip database library (src/lib/db.c),
 * each on a fresh temporary file: migrating an empty file, refusing a
 * newer or foreign database without touching it, idempotent adds, the
 * rating history, statistics, list filters and delete's all-or-nothing
 * hook, chat clips, and a database of the previous schema (made by that
 * kc-db: tests/data/db/kc-v2.sql) migrated with every row and rating,
 * alone and by many processes at once.  The database is checked behind
 * the library's back with SQLite directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "check.h"
#include "db.h"

struct fixture {
	char dir[512];
	char path[600];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("KC_TMP");

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/test_db.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/kc.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char p[700];
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, sfx[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/other", fx->dir);
	unlink(p);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* One integer from SQL run on path directly with SQLite. */
static long long
q(const char *path, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long v = -999;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* One text value, copied into buf. */
static const char *
qs(const char *path, const char *sql, char *buf, size_t n)
{
	sqlite3 *h;
	sqlite3_stmt *st;

	buf[0] = '\0';
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, n, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return buf;
}

static void
exec_sql(const char *path, const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

/* The database of schema version 2 (tests/data/db/kc-v2.sql) into path:
 * streams, 4 clips (ids 1-4, the counter at 5), 5 ratings, 3 rows of
 * feature statistics. */
static void
load_v2(const char *path)
{
	const char *root = getenv("KC_ROOT");
	char file[4096], *sql;
	size_t n;
	FILE *fp;

	snprintf(file, sizeof(file), "%s/tests/data/db/kc-v2.sql",
	    root && *root ? root : ".");
	if ((fp = fopen(file, "r")) == NULL)
		fail_msg("%s: %s", file, strerror(errno));
	sql = malloc(1 << 16);
	assert_non_null(sql);
	n = fread(sql, 1, (1 << 16) - 1, fp);
	assert_false(ferror(fp));
	assert_true(feof(fp));
	fclose(fp);
	sql[n] = '\0';
	exec_sql(path, sql);
	free(sql);
}

/*
 * Every row select gives, a line each, every value with its storage
 * class (reals to 17 digits): what must come through a migration
 * unchanged, byte for byte.  Freed by the caller.
 */
static char *
rows_text(const char *path, const char *select)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int i, rc;

	assert_non_null(out = open_memstream(&text, &len));
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, select, -1, &st, NULL),
	    SQLITE_OK);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++)
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				fprintf(out, "|null");
				break;
			case SQLITE_INTEGER:
				fprintf(out, "|i%lld", (long long)
				    sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				fprintf(out, "|r%.17g",
				    sqlite3_column_double(st, i));
				break;
			default:
				fprintf(out, "|t%s", sqlite3_column_text(st,
				    i));
			}
		fputc('\n', out);
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(fclose(out), 0);
	return text;
}

/* What a migration must keep: each table, in a fixed order. */
static const char *const kept[] = {
	"SELECT * FROM streams ORDER BY id",
	/* clips' columns up to schema 3; later ones are new (NULL) */
	"SELECT id, path, stream_id, kind, t0, t1, want_t0, want_t1, mode,"
	"  score, heuristic, model, model_weight, features, created, rating,"
	"  rated_at FROM clips ORDER BY id",
	"SELECT * FROM ratings ORDER BY id",
	"SELECT * FROM stream_stats ORDER BY stream_id, kind, feature",
	"SELECT * FROM sqlite_sequence ORDER BY name",
};
#define NKEPT (sizeof(kept) / sizeof(kept[0]))

static void
kept_rows(const char *path, char *rows[NKEPT])
{
	size_t i;

	for (i = 0; i < NKEPT; i++)
		rows[i] = rows_text(path, kept[i]);
}

/* The rows of path are those of before (each freed here). */
static void
assert_kept(const char *path, char *before[NKEPT])
{
	char *now;
	size_t i;

	for (i = 0; i < NKEPT; i++) {
		now = rows_text(path, kept[i]);
		assert_string_equal(now, before[i]);
		free(now);
		free(before[i]);
	}
}


static kc_db *
open_ok(const char *path)
{
	char err[300];
	kc_db *db;

	assert_int_equal(kc_db_open(&db, path, KC_DB_CREATE, err,
	    sizeof(err)), KC_DB_OK);
	assert_non_null(db);
	return db;
}

static kc_db_clip
clip(const char *path, const char *kind, const char *stream, double t0)
{
	kc_db_clip c;

	memset(&c, 0, sizeof(c));
	c.path = path;
	c.kind = kind;
	c.stream_id = stream;
	c.t0 = t0;
	c.t1 = t0 + 30;
	c.want_t0 = c.want_t1 = NAN;
	c.score = 0.5;
	c.heuristic = 0.5;
	c.model = NAN;
	c.model_weight = 0;
	c.features = "{\"rms_mean\":0.25}";
	return c;
}

static long long
add(kc_db *db, kc_db_clip c, int want_known)
{
	long long id = -1;
	int known = -1;

	assert_int_equal(kc_db_add_clip(db, &c, &id, &known), KC_DB_OK);
	assert_int_equal(known, want_known);
	assert_true(id > 0);
	return id;
}

static void
put_stream(kc_db *db, const char *id, const char *channel)
{
	kc_db_stream s = { id, "/media/x.mp4", "Title", channel, 100, 0 };

	assert_int_equal(kc_db_put_stream(db, &s), KC_DB_OK);
}

static void
test_migrate_empty(void **state)
{
	struct fixture *fx = *state;
	char buf[64];
	kc_db *db;

	assert_true(kc_db_schema_version() >= 1);
	db = open_ok(fx->path);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	assert_int_equal(q(fx->path, "PRAGMA user_version"),
	    kc_db_schema_version());
	assert_int_equal(q(fx->path, "PRAGMA application_id"), 0x6b634442);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('streams', 'clips', "
	    "'ratings')"), 3);
	assert_string_equal(qs(fx->path, "PRAGMA journal_mode", buf,
	    sizeof(buf)), "wal");
	assert_string_equal(qs(fx->path, "PRAGMA integrity_check", buf,
	    sizeof(buf)), "ok");
	/* opening again migrates nothing and keeps the data */
	db = open_ok(fx->path);
	add(db, clip("/c/1.mp4", "audio", NULL, 0), 0);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	db = open_ok(fx->path);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 1);
	assert_int_equal(q(fx->path, "PRAGMA user_version"),
	    kc_db_schema_version());
}

static void
test_missing_without_create(void **state)
{
	struct fixture *fx = *state;
	char err[300];
	kc_db *db = (kc_db *)1;

	assert_int_equal(kc_db_open(&db, fx->path, 0, err, sizeof(err)),
	    KC_DB_NOTFOUND);
	assert_null(db);
	assert_int_equal(access(fx->path, F_OK), -1);
}

static void
test_too_new(void **state)
{
	struct fixture *fx = *state;
	char err[300], sql[64];
	char *before, *after;
	size_t nb, na;
	kc_db *db;

	db = open_ok(fx->path);
	add(db, clip("/c/1.mp4", "audio", NULL, 0), 0);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    kc_db_schema_version() + 1);
	exec_sql(fx->path, sql);
	before = slurp(fx->path, &nb);

	db = (kc_db *)1;
	assert_int_equal(kc_db_open(&db, fx->path, KC_DB_CREATE, err,
	    sizeof(err)), KC_DB_TOONEW);
	assert_null(db);
	assert_non_null(strstr(err, "newer"));

	after = slurp(fx->path, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	assert_int_equal(q(fx->path, "PRAGMA user_version"),
	    kc_db_schema_version() + 1);
	free(before);
	free(after);
}

static void
test_not_kc(void **state)
{
	struct fixture *fx = *state;
	char err[300], other[700];
	kc_db *db;
	FILE *fp;

	exec_sql(fx->path, "CREATE TABLE notes (x TEXT)");
	assert_int_equal(kc_db_open(&db, fx->path, KC_DB_CREATE, err,
	    sizeof(err)), KC_DB_NOTKC);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM sqlite_schema"),
	    1);

	snprintf(other, sizeof(other), "%s/other", fx->dir);
	fp = fopen(other, "w");
	assert_non_null(fp);
	fputs("this is not a database, just a long enough text file to be "
	    "read as one by SQLite, which checks the header magic first\n",
	    fp);
	fclose(fp);
	assert_int_equal(kc_db_open(&db, other, KC_DB_CREATE, err,
	    sizeof(err)), KC_DB_ERROR);
	assert_non_null(strstr(err, "not a database"));
}

static void
test_add_twice(void **state)
{
	struct fixture *fx = *state;
	kc_db_clip c = clip("/c/1.mp4", "audio", "s1", 10);
	kc_db *db;
	long long id1, id2;
	long long id;
	int known;

	db = open_ok(fx->path);
	put_stream(db, "s1", "chan");
	id1 = add(db, c, 0);
	c.score = 0.9;	/* a second run must not overwrite the first */
	id2 = add(db, c, 1);
	assert_int_equal(id1, id2);
	/* a clip of an unknown stream gets a stub stream row */
	add(db, clip("/c/2.mp4", "video", "s2", 10), 0);

	c = clip("/c/3.mp4", "speech", NULL, 0);
	assert_int_equal(kc_db_add_clip(db, &c, &id, &known), KC_DB_INVALID);
	c = clip("/c/3.mp4", "audio", NULL, 0);
	c.t1 = -1;
	assert_int_equal(kc_db_add_clip(db, &c, &id, &known), KC_DB_INVALID);
	c = clip("/c/3.mp4", "audio", NULL, 0);
	c.features = "[1,2]";	/* the schema wants an object */
	assert_int_equal(kc_db_add_clip(db, &c, &id, &known), KC_DB_ERROR);
	assert_int_equal(kc_db_close(db), KC_DB_OK);

	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 2);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips WHERE "
	    "path = '/c/1.mp4' AND score = 0.5"), 1);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM streams"), 2);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM streams WHERE "
	    "id = 's2' AND title IS NULL"), 1);
}

static void
test_transaction(void **state)
{
	struct fixture *fx = *state;
	kc_db *db;

	db = open_ok(fx->path);
	assert_int_equal(kc_db_begin(db), KC_DB_OK);
	put_stream(db, "s1", "chan");
	add(db, clip("/c/1.mp4", "audio", "s1", 0), 0);
	add(db, clip("/c/2.mp4", "audio", "s1", 50), 0);
	assert_int_equal(kc_db_rollback(db), KC_DB_OK);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 0);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM streams"), 0);

	assert_int_equal(kc_db_begin(db), KC_DB_OK);
	put_stream(db, "s1", "chan");
	add(db, clip("/c/1.mp4", "audio", "s1", 0), 0);
	/* rate and delete refuse to nest in the caller's transaction */
	assert_int_equal(kc_db_rate(db, 1, 3, NULL), KC_DB_ERROR);
	assert_int_equal(kc_db_commit(db), KC_DB_OK);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 1);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 0);
}

static void
test_rate_history(void **state)
{
	struct fixture *fx = *state;
	kc_db *db;
	long long id;
	long n = -1;

	db = open_ok(fx->path);
	id = add(db, clip("/c/1.mp4", "audio", NULL, 0), 0);
	assert_int_equal(kc_db_rate(db, id, 3, &n), KC_DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(kc_db_rate(db, id, 5, &n), KC_DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(kc_db_rate(db, id + 100, 4, &n), KC_DB_NOTFOUND);
	assert_non_null(strstr(kc_db_error(db), "no clip with id"));
	assert_int_equal(kc_db_rate(db, id, 0, &n), KC_DB_INVALID);
	assert_int_equal(kc_db_rate(db, id, 6, &n), KC_DB_INVALID);
	/* adding the same file again keeps its rating */
	add(db, clip("/c/1.mp4", "audio", NULL, 0), 1);
	assert_int_equal(kc_db_close(db), KC_DB_OK);

	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 2);
	assert_int_equal(q(fx->path, "SELECT stars FROM ratings ORDER BY id "
	    "LIMIT 1"), 3);
	assert_int_equal(q(fx->path, "SELECT stars FROM ratings ORDER BY id "
	    "DESC LIMIT 1"), 5);
	assert_int_equal(q(fx->path, "SELECT rating FROM clips"), 5);
	/* two ratings may share a millisecond: compare the latest row */
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips c JOIN "
	    "ratings r ON r.clip_id = c.id WHERE r.created = c.rated_at AND "
	    "r.id = (SELECT max(id) FROM ratings)"), 1);
}

/* Expected statistics, computed by SQLite here and by the library. */
static void
test_stats(void **state)
{
	struct fixture *fx = *state;
	kc_db_iter *it;
	kc_db_group g;
	kc_db *db;
	long long a1, a2, v1, v2, v3;

	db = open_ok(fx->path);
	put_stream(db, "s1", "alpha");
	put_stream(db, "s2", "alpha");
	put_stream(db, "s3", "beta");
	put_stream(db, "s4", "beta");	/* a stream without clips */
	a1 = add(db, clip("/c/a1.mp4", "audio", "s1", 0), 0);
	a2 = add(db, clip("/c/a2.mp4", "audio", "s3", 0), 0);
	v1 = add(db, clip("/c/v1.mp4", "video", "s2", 0), 0);
	v2 = add(db, clip("/c/v2.mp4", "video", "s1", 0), 0);
	v3 = add(db, clip("/c/v3.mp4", "video", NULL, 0), 0);
	assert_int_equal(kc_db_rate(db, a1, 5, NULL), KC_DB_OK);
	assert_int_equal(kc_db_rate(db, a2, 2, NULL), KC_DB_OK);
	assert_int_equal(kc_db_rate(db, v1, 1, NULL), KC_DB_OK);
	assert_int_equal(kc_db_rate(db, v1, 4, NULL), KC_DB_OK); /* re-rated */
	assert_int_equal(kc_db_rate(db, v3, 4, NULL), KC_DB_OK);
	(void)v2;

	assert_int_equal(kc_db_stats(db, KC_DB_BY_ALL, &it), KC_DB_OK);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_null(g.name);
	assert_int_equal(g.streams, 4);
	assert_int_equal(g.clips, 5);
	assert_int_equal(g.rated, 4);
	assert_int_equal(g.stars[1], 0);	/* v1's 1 was replaced */
	assert_int_equal(g.stars[2], 1);
	assert_int_equal(g.stars[3], 0);
	assert_int_equal(g.stars[4], 2);
	assert_int_equal(g.stars[5], 1);
	assert_float_equal(g.mean, (5 + 2 + 4 + 4) / 4.0, 1e-9);
	assert_int_equal(kc_db_next_group(it, &g), 0);
	kc_db_iter_free(it);

	assert_int_equal(kc_db_stats(db, KC_DB_BY_KIND, &it), KC_DB_OK);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_string_equal(g.name, "audio");
	assert_int_equal(g.clips, 2);
	assert_int_equal(g.rated, 2);
	assert_int_equal(g.streams, 2);
	assert_float_equal(g.mean, 3.5, 1e-9);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_string_equal(g.name, "video");
	assert_int_equal(g.clips, 3);
	assert_int_equal(g.rated, 2);
	assert_int_equal(g.stars[4], 2);
	assert_float_equal(g.mean, 4.0, 1e-9);
	assert_int_equal(kc_db_next_group(it, &g), 0);
	kc_db_iter_free(it);

	/* alpha: a1 v1 v2 from s1 s2; beta: a2 from s3; none: v3 */
	assert_int_equal(kc_db_stats(db, KC_DB_BY_CHANNEL, &it), KC_DB_OK);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_string_equal(g.name, "alpha");
	assert_int_equal(g.clips, 3);
	assert_int_equal(g.rated, 2);
	assert_int_equal(g.streams, 2);
	assert_float_equal(g.mean, 4.5, 1e-9);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_null(g.name);
	assert_int_equal(g.clips, 1);
	assert_int_equal(g.streams, 0);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_string_equal(g.name, "beta");
	assert_int_equal(g.clips, 1);
	assert_int_equal(g.streams, 1);
	assert_float_equal(g.mean, 2.0, 1e-9);
	assert_int_equal(kc_db_next_group(it, &g), 0);
	kc_db_iter_free(it);

	assert_int_equal(kc_db_stats(db, 99, &it), KC_DB_INVALID);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
}

static void
test_stats_empty(void **state)
{
	struct fixture *fx = *state;
	kc_db_iter *it;
	kc_db_group g;
	kc_db *db;

	db = open_ok(fx->path);
	assert_int_equal(kc_db_stats(db, KC_DB_BY_ALL, &it), KC_DB_OK);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_int_equal(g.clips, 0);
	assert_int_equal(g.rated, 0);
	assert_true(isnan(g.mean));
	kc_db_iter_free(it);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
}

/* The ids kc_db_list returns for f, as "1,2,3". */
static const char *
list_ids(kc_db *db, const kc_db_filter *f, char *buf, size_t n)
{
	kc_db_iter *it;
	kc_db_clip c;
	size_t len = 0;
	int rc;

	buf[0] = '\0';
	assert_int_equal(kc_db_list(db, f, &it), KC_DB_OK);
	while ((rc = kc_db_next(it, &c)) == 1)
		len += (size_t)snprintf(buf + len, n - len, "%s%lld",
		    len ? "," : "", c.id);
	assert_int_equal(rc, 0);
	kc_db_iter_free(it);
	return buf;
}

static void
test_list(void **state)
{
	struct fixture *fx = *state;
	kc_db_filter f;
	kc_db_iter *it;
	kc_db_clip c;
	kc_db *db;
	char buf[200];

	db = open_ok(fx->path);
	put_stream(db, "s1", "alpha");
	put_stream(db, "s2", "beta");
	add(db, clip("/c/1.mp4", "audio", "s2", 90), 0);
	add(db, clip("/c/2.mp4", "video", "s1", 50), 0);
	add(db, clip("/c/3.mp4", "audio", "s1", 10), 0);
	assert_int_equal(kc_db_rate(db, 1, 2, NULL), KC_DB_OK);
	assert_int_equal(kc_db_rate(db, 3, 5, NULL), KC_DB_OK);

	memset(&f, 0, sizeof(f));
	f.sort = KC_DB_SORT_ID;
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "1,2,3");
	f.rated = -1;
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "2");
	f.rated = 1;
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "1,3");
	f.rated = 0;
	f.kind = "audio";
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "1,3");
	f.kind = NULL;
	f.min_stars = 3;
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "3");
	f.min_stars = 0;
	f.stream = "s1";
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "2,3");
	f.stream = "/media/x.mp4";	/* by url: both streams have it */
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "1,2,3");
	f.stream = NULL;
	f.limit = 2;
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "1,2");
	f.limit = 0;
	f.sort = KC_DB_SORT_TIME;	/* s1 was seen first, then by t0 */
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "3,2,1");
	f.sort = KC_DB_SORT_DATE;	/* same second: newest id first */
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "3,2,1");
	f.sort = 42;
	assert_int_equal(kc_db_list(db, &f, &it), KC_DB_INVALID);

	assert_int_equal(kc_db_list(db, NULL, &it), KC_DB_OK);
	assert_int_equal(kc_db_next(it, &c), 1);
	assert_int_equal(c.id, 3);
	assert_string_equal(c.path, "/c/3.mp4");
	assert_string_equal(c.kind, "audio");
	assert_string_equal(c.channel, "alpha");
	assert_string_equal(c.title, "Title");
	assert_int_equal(c.rating, 5);
	assert_non_null(c.rated_at);
	assert_float_equal(c.t0, 10, 0);
	assert_float_equal(c.t1, 40, 0);
	assert_true(isnan(c.model));
	assert_true(isnan(c.want_t0));
	assert_string_equal(c.features, "{\"rms_mean\":0.25}");
	kc_db_iter_free(it);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
}

static int
veto(const kc_db_clip *c, void *arg)
{
	snprintf(arg, 64, "%s %s %s", c->path, c->poster ? c->poster : "-",
	    c->vertical_path ? c->vertical_path : "-");
	return -1;
}

static int
agree(const kc_db_clip *c, void *arg)
{
	veto(c, arg);
	return 0;
}

static void
test_delete(void **state)
{
	struct fixture *fx = *state;
	char seen[64] = "";
	kc_db *db;
	long long id;

	kc_db_clip c;

	db = open_ok(fx->path);
	c = clip("/c/1.mp4", "audio", NULL, 0);
	c.poster = "/c/1.jpg";
	id = add(db, c, KC_DB_NEW);
	add(db, clip("/c/2.mp4", "audio", NULL, 0), KC_DB_NEW);
	assert_int_equal(kc_db_rate(db, id, 4, NULL), KC_DB_OK);

	assert_int_equal(kc_db_delete_clip(db, id, veto, seen),
	    KC_DB_CANCELLED);
	/* the hook is given every file of the clip */
	assert_string_equal(seen, "/c/1.mp4 /c/1.jpg -");
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 2);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 1);

	seen[0] = '\0';
	assert_int_equal(kc_db_delete_clip(db, id, agree, seen), KC_DB_OK);
	assert_string_equal(seen, "/c/1.mp4 /c/1.jpg -");
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 1);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 0);
	assert_int_equal(kc_db_delete_clip(db, id, agree, seen),
	    KC_DB_NOTFOUND);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 1);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
}

/*
 * A clip's poster and vertical copy (schema 4): the same clip again with
 * its files updates its one row, rating and all kept; a clip of another
 * stream cannot hand its files to the row; two rows cannot share a
 * vertical copy.  Listing by id.  Undo walks the rating history back to
 * unrated, and says which of "no clip" and "no rating" it was.
 */
static void
test_files_and_undo(void **state)
{
	struct fixture *fx = *state;
	kc_db_clip c;
	kc_db_filter f;
	kc_db_iter *it;
	kc_db *db;
	long long id, id2;
	int known, stars = -1;

	db = open_ok(fx->path);
	put_stream(db, "s1", NULL);
	put_stream(db, "s2", NULL);
	id = add(db, clip("/c/a.mp4", "audio", "s1", 0), KC_DB_NEW);
	id2 = add(db, clip("/c/b.mp4", "video", "s1", 60), KC_DB_NEW);
	assert_int_equal(kc_db_rate(db, id, 3, NULL), KC_DB_OK);

	c = clip("/c/a.mp4", "audio", "s1", 0);
	c.poster = "/c/a.jpg";
	c.vertical_path = "/c/a.vertical.mp4";
	assert_int_equal(add(db, c, KC_DB_UPDATED), id);
	assert_int_equal(add(db, c, KC_DB_KNOWN), id);
	/* a record without the files leaves them */
	assert_int_equal(add(db, clip("/c/a.mp4", "audio", "s1", 0),
	    KC_DB_KNOWN), id);
	/* another stream's clip of that path changes nothing */
	c.stream_id = "s2";
	c.poster = "/c/other.jpg";
	assert_int_equal(kc_db_add_clip(db, &c, &id2, &known),
	    KC_DB_CONFLICT);
	/* b cannot take a's vertical copy */
	c = clip("/c/b.mp4", "video", "s1", 60);
	c.vertical_path = "/c/a.vertical.mp4";
	assert_int_equal(kc_db_add_clip(db, &c, &id2, &known), KC_DB_ERROR);

	memset(&f, 0, sizeof(f));
	f.id = id;
	assert_int_equal(kc_db_list(db, &f, &it), KC_DB_OK);
	assert_int_equal(kc_db_next(it, &c), 1);
	assert_int_equal(c.id, id);
	assert_string_equal(c.poster, "/c/a.jpg");
	assert_string_equal(c.vertical_path, "/c/a.vertical.mp4");
	assert_int_equal(c.rating, 3);
	assert_int_equal(kc_db_next(it, &c), 0);
	kc_db_iter_free(it);
	f.id = id2;
	assert_int_equal(kc_db_list(db, &f, &it), KC_DB_OK);
	assert_int_equal(kc_db_next(it, &c), 1);
	assert_null(c.poster);
	assert_null(c.vertical_path);
	kc_db_iter_free(it);

	assert_int_equal(kc_db_rate(db, id, 5, NULL), KC_DB_OK);
	assert_int_equal(kc_db_rate(db, id, 1, NULL), KC_DB_OK);
	assert_int_equal(kc_db_undo(db, id, &stars), KC_DB_OK);
	assert_int_equal(stars, 5);
	assert_int_equal(q(fx->path, "SELECT rating FROM clips WHERE id = 1"),
	    5);
	assert_int_equal(kc_db_undo(db, id, &stars), KC_DB_OK);
	assert_int_equal(stars, 3);
	assert_int_equal(kc_db_undo(db, id, &stars), KC_DB_OK);
	assert_int_equal(stars, 0);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips WHERE "
	    "rating IS NULL AND rated_at IS NULL AND id = 1"), 1);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 0);
	assert_int_equal(kc_db_undo(db, id, &stars), KC_DB_NOTFOUND);
	assert_string_equal(kc_db_error(db),
	    "clip 1 has no rating to take back");
	assert_int_equal(kc_db_undo(db, 99, &stars), KC_DB_NOTFOUND);
	assert_string_equal(kc_db_error(db), "no clip with id 99");
	/* only the undone clip's history is touched */
	assert_int_equal(kc_db_rate(db, id2, 2, NULL), KC_DB_OK);
	assert_int_equal(kc_db_rate(db, id, 4, NULL), KC_DB_OK);
	assert_int_equal(kc_db_undo(db, id2, &stars), KC_DB_OK);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 1);
	assert_int_equal(q(fx->path, "SELECT rating FROM clips WHERE id = 1"),
	    4);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
}

/*
 * Per-stream feature statistics and the per-channel view: hop-weighted
 * means over a channel's streams (worked out here by hand), a stream's
 * statistics replaced rather than added when stored again, streams of no
 * channel left out, bad values refused.
 */
static void
test_featstats(void **state)
{
	struct fixture *fx = *state;
	kc_db_chanstat c;
	kc_db_iter *it;
	kc_db *db;
	int n = 0;

	db = open_ok(fx->path);
	put_stream(db, "s1", "alpha");
	put_stream(db, "s2", "alpha");
	put_stream(db, "s3", NULL);
	assert_int_equal(kc_db_put_featstat(db, "s1", "audio", "loud", 100,
	    -30, 2), KC_DB_OK);
	/* stored again: replaces */
	assert_int_equal(kc_db_put_featstat(db, "s1", "audio", "loud", 100,
	    -20, 2), KC_DB_OK);
	assert_int_equal(kc_db_put_featstat(db, "s2", "audio", "loud", 300,
	    -40, 6), KC_DB_OK);
	assert_int_equal(kc_db_put_featstat(db, "s2", "video", "motion", 50,
	    0.1, 0.02), KC_DB_OK);
	assert_int_equal(kc_db_put_featstat(db, "s3", "audio", "loud", 10,
	    0, 1), KC_DB_OK);
	/* a stream not stored yet gets a stub row */
	assert_int_equal(kc_db_put_featstat(db, "s9", "audio", "loud", 10,
	    0, 1), KC_DB_OK);
	assert_int_equal(kc_db_put_featstat(db, "s1", "audio", "x", 0, 0, 1),
	    KC_DB_INVALID);
	assert_int_equal(kc_db_put_featstat(db, "s1", "other", "x", 1, 0, 1),
	    KC_DB_INVALID);
	assert_int_equal(kc_db_put_featstat(db, "s1", "audio", "x", 1, NAN,
	    1), KC_DB_INVALID);
	assert_int_equal(kc_db_put_featstat(db, "s1", "audio", "x", 1, 0,
	    -1), KC_DB_INVALID);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM stream_stats"), 5);

	assert_int_equal(kc_db_channel_stats(db, &it), KC_DB_OK);
	while (kc_db_next_chanstat(it, &c) == 1) {
		assert_string_equal(c.channel, "alpha");
		if (n++ == 0) {
			assert_string_equal(c.kind, "audio");
			assert_string_equal(c.feature, "loud");
			assert_int_equal(c.hops, 400);
			assert_int_equal(c.streams, 2);
			assert_float_equal(c.median, (100 * -20.0 + 300 *
			    -40.0) / 400, 1e-9);
			assert_float_equal(c.scale, (100 * 2.0 + 300 * 6.0) /
			    400, 1e-9);
		} else {
			assert_string_equal(c.kind, "video");
			assert_int_equal(c.hops, 50);
			assert_float_equal(c.median, 0.1, 1e-12);
		}
	}
	kc_db_iter_free(it);
	assert_int_equal(n, 2);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
}

/* A version-1 database (before the statistics) is brought up to date. */
static void
test_migrate_v1(void **state)
{
	struct fixture *fx = *state;
	kc_db *db;

	db = open_ok(fx->path);
	add(db, clip("/c/1.mp4", "audio", NULL, 0), 0);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	exec_sql(fx->path, "DROP TABLE stream_stats; PRAGMA user_version = 1");
	db = open_ok(fx->path);
	put_stream(db, "s1", "alpha");
	assert_int_equal(kc_db_put_featstat(db, "s1", "audio", "loud", 10,
	    -30, 2), KC_DB_OK);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	assert_int_equal(q(fx->path, "PRAGMA user_version"),
	    kc_db_schema_version());
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 1);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM stream_stats"), 1);
}

/*
 * A chat clip (kc-score --type chat) is stored, listed by its kind,
 * rated, counted per kind, and its feature statistics kept; a kind
 * nobody knows is still refused, before SQLite sees it.
 */
static void
test_chat_kind(void **state)
{
	struct fixture *fx = *state;
	kc_db_clip c;
	kc_db_filter f;
	kc_db_iter *it;
	kc_db_group g;
	kc_db *db;
	long long id;
	char buf[200];
	int known;

	db = open_ok(fx->path);
	put_stream(db, "s1", "alpha");
	add(db, clip("/c/a.mp4", "audio", "s1", 0), 0);
	id = add(db, clip("/c/c.mp4", "chat", "s1", 60), 0);
	add(db, clip("/c/v.mp4", "video", "s1", 120), 0);
	/* the same file again: known, one row */
	assert_int_equal(add(db, clip("/c/c.mp4", "chat", "s1", 60), 1), id);
	assert_int_equal(kc_db_rate(db, id, 4, NULL), KC_DB_OK);

	memset(&f, 0, sizeof(f));
	f.sort = KC_DB_SORT_ID;
	f.kind = "chat";
	assert_string_equal(list_ids(db, &f, buf, sizeof(buf)), "2");
	f.kind = NULL;
	assert_int_equal(kc_db_list(db, &f, &it), KC_DB_OK);
	assert_int_equal(kc_db_next(it, &c), 1);
	assert_int_equal(kc_db_next(it, &c), 1);
	assert_string_equal(c.kind, "chat");
	assert_int_equal(c.rating, 4);
	kc_db_iter_free(it);

	assert_int_equal(kc_db_stats(db, KC_DB_BY_KIND, &it), KC_DB_OK);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_string_equal(g.name, "audio");
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_string_equal(g.name, "chat");
	assert_int_equal(g.clips, 1);
	assert_int_equal(g.rated, 1);
	assert_int_equal(g.stars[4], 1);
	assert_float_equal(g.mean, 4, 0);
	assert_int_equal(kc_db_next_group(it, &g), 1);
	assert_string_equal(g.name, "video");
	assert_int_equal(kc_db_next_group(it, &g), 0);
	kc_db_iter_free(it);

	assert_int_equal(kc_db_put_featstat(db, "s1", "chat", "msg_rate", 60,
	    0.5, 0.25), KC_DB_OK);

	c = clip("/c/x.mp4", "Chat", "s1", 0);
	assert_int_equal(kc_db_add_clip(db, &c, &id, &known), KC_DB_INVALID);
	assert_string_equal(kc_db_error(db),
	    "clip kind is not audio, video or chat");
	c = clip("/c/x.mp4", NULL, "s1", 0);
	assert_int_equal(kc_db_add_clip(db, &c, &id, &known), KC_DB_INVALID);
	assert_int_equal(kc_db_put_featstat(db, "s1", "chatter", "x", 1, 0,
	    1), KC_DB_INVALID);
	assert_int_equal(kc_db_close(db), KC_DB_OK);

	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips"), 3);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM stream_stats "
	    "WHERE kind = 'chat'"), 1);
	/* the schema itself refuses other kinds, whoever writes */
	assert_int_equal(q(fx->path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('clips', 'stream_stats') AND sql LIKE "
	    "'%kind IN (''audio'', ''video'',%''chat'')%'"), 2);
}

/*
 * A database of schema version 2, as kc-db of that version left it
 * (WAL, ratings of a clip re-rated, the last clip deleted), is brought
 * to the current version on open: every row of every table the same
 * value for value, the id counter where it was, the ratings still
 * referring to their clips and checked as before, no table left over;
 * then chat clips are taken.
 */
static void
test_migrate_v2(void **state)
{
	struct fixture *fx = *state;
	char *before[NKEPT], buf[64], err[300];
	kc_db_filter f;
	kc_db_iter *it;
	kc_db_clip c;
	kc_db *db;
	sqlite3 *h;
	long long id;
	long n;
	int i;
	static const int stars[] = { 4, 3, 0, 3 };

	load_v2(fx->path);
	assert_int_equal(q(fx->path, "PRAGMA user_version"), 2);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 5);
	assert_int_equal(q(fx->path, "SELECT seq FROM sqlite_sequence"), 5);
	kept_rows(fx->path, before);

	db = open_ok(fx->path);
	assert_int_equal(q(fx->path, "PRAGMA user_version"),
	    kc_db_schema_version());
	assert_kept(fx->path, before);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM clips WHERE "
	    "poster IS NULL AND vertical_path IS NULL"), 4);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name LIKE '%v2%'"), 0);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'index' AND name IN ('clips_stream', "
	    "'ratings_clip')"), 2);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM "
	    "pragma_foreign_key_list('ratings') WHERE \"table\" = 'clips' "
	    "AND \"from\" = 'clip_id'"), 1);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);
	assert_string_equal(qs(fx->path, "PRAGMA integrity_check", buf,
	    sizeof(buf)), "ok");

	/* the library reads the old clips and ratings as they were */
	memset(&f, 0, sizeof(f));
	f.sort = KC_DB_SORT_ID;
	assert_int_equal(kc_db_list(db, &f, &it), KC_DB_OK);
	for (i = 0; i < 4; i++) {
		assert_int_equal(kc_db_next(it, &c), 1);
		assert_int_equal(c.id, i + 1);
		assert_int_equal(c.rating, stars[i]);
	}
	assert_int_equal(kc_db_next(it, &c), 0);
	kc_db_iter_free(it);

	/* a chat clip: the id after the deleted one, never its id again */
	id = add(db, clip("/c/chat.mp4", "chat", "89fa840a00000002", 200), 0);
	assert_int_equal(id, 6);
	assert_int_equal(kc_db_rate(db, id, 5, &n), KC_DB_OK);
	assert_int_equal(n, 6);
	assert_int_equal(kc_db_put_featstat(db, "89fa840a00000002", "chat",
	    "msg_rate", 100, 0.5, 0.1), KC_DB_OK);
	/* deleting a clip takes its ratings, and only those */
	assert_int_equal(kc_db_delete_clip(db, 1, NULL, NULL), KC_DB_OK);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM ratings"), 4);
	assert_int_equal(q(fx->path, "SELECT group_concat(clip_id || ':' || "
	    "stars) = '2:2,4:3,2:3,6:5' FROM (SELECT * FROM ratings ORDER BY "
	    "id)"), 1);

	/* references are enforced as before the rebuild */
	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA foreign_keys = ON", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "INSERT INTO ratings (clip_id, "
	    "stars, created) VALUES (99, 3, 'x')", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(h, "DELETE FROM clips WHERE id = 2",
	    NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(h, "UPDATE clips SET kind = 'speech' "
	    "WHERE id = 2", NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);

	/* opened again: nothing to migrate, nothing changed */
	kept_rows(fx->path, before);
	assert_int_equal(kc_db_open(&db, fx->path, 0, err, sizeof(err)),
	    KC_DB_OK);
	assert_int_equal(kc_db_close(db), KC_DB_OK);
	assert_kept(fx->path, before);
}

/*
 * A migration that cannot keep every rating is not made: a version-2
 * file with a rating of a clip that is not there (written by hand,
 * foreign keys off) is refused with the reason and left as it was,
 * rather than migrated without that rating.
 */
static void
test_migrate_v2_refused(void **state)
{
	struct fixture *fx = *state;
	char *before[NKEPT], err[300];
	kc_db *db;

	load_v2(fx->path);
	exec_sql(fx->path, "PRAGMA foreign_keys = OFF; INSERT INTO ratings "
	    "(clip_id, stars, created) VALUES (5, 2, 'x')");
	kept_rows(fx->path, before);
	assert_int_equal(kc_db_open(&db, fx->path, 0, err, sizeof(err)),
	    KC_DB_ERROR);
	assert_null(db);
	assert_non_null(strstr(err, "migrating to schema version 3 (chat "
	    "highlights): FOREIGN KEY constraint failed"));
	assert_int_equal(q(fx->path, "PRAGMA user_version"), 2);
	assert_kept(fx->path, before);
	assert_int_equal(q(fx->path, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name LIKE '%v2%'"), 0);
}

/*
 * Rounds and processes of the first-use race: enough that the old
 * check (three separate reads) failed it every time, 40 rounds of 8
 * failing 2-15 of them.
 */
#define RACE_ROUNDS 40
#define RACE_PROCS 8

/* Removes the database and its WAL files, for a new round. */
static void
remove_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[700];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		assert_true(unlink(p) == 0 || errno == ENOENT);
	}
}

/*
 * A child of the race: waits until the parent lets every child go at
 * once, opens (so creates and migrates) the database, and reports a
 * failure as one line on fd.  Never returns.
 */
static void
race_child(const char *path, int go, int fd)
{
	char err[300], line[400];
	kc_db *db;
	ssize_t w;
	int rc, n;

	w = read(go, line, 1);		/* EOF when the parent closes it */
	rc = kc_db_open(&db, path, KC_DB_CREATE, err, sizeof(err));
	if (rc == KC_DB_OK && kc_db_close(db) != KC_DB_OK) {
		snprintf(err, sizeof(err), "close failed");
		rc = KC_DB_ERROR;
	}
	if (rc != KC_DB_OK) {
		n = snprintf(line, sizeof(line), "code %d: %s\n", rc, err);
		/* below PIPE_BUF: whole or, on a full pipe, not at all */
		w = write(fd, line, (size_t)n);
	}
	(void)w;
	_exit(rc == KC_DB_OK ? 0 : 1);
}

/*
 * One round of a race: RACE_PROCS children open path at once.  Returns
 * how many failed (each wrote its reason on rep); the file must end up a
 * whole, current kc database.
 */
static int
race_round(const char *path, int rep)
{
	pid_t pid[RACE_PROCS];
	char buf[64];
	int go[2], status, i, failed = 0;

	assert_int_equal(pipe(go), 0);
	for (i = 0; i < RACE_PROCS; i++) {
		assert_true((pid[i] = fork()) >= 0);
		if (pid[i] == 0) {
			close(go[1]);
			race_child(path, go[0], rep);
		}
	}
	close(go[0]);
	close(go[1]);		/* all go */
	for (i = 0; i < RACE_PROCS; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		failed += WEXITSTATUS(status) != 0;
	}
	assert_int_equal(q(path, "PRAGMA user_version"),
	    kc_db_schema_version());
	assert_int_equal(q(path, "PRAGMA application_id"), 0x6b634442);
	assert_string_equal(qs(path, "PRAGMA integrity_check", buf,
	    sizeof(buf)), "ok");
	return failed;
}

/* Fails the test when some of the rounds' opens failed, with the first
 * reason the children wrote on rep (the reading end; closed here). */
static void
race_verdict(int failed, int opens, int rep, const char *what)
{
	char msg[4096];
	ssize_t n;
	size_t used = 0;

	while (used < sizeof(msg) - 1 && (n = read(rep, msg + used,
	    sizeof(msg) - 1 - used)) > 0)
		used += (size_t)n;
	msg[used] = '\0';
	close(rep);
	if (failed)
		fail_msg("%d of %d %s failed; the first:\n%.400s", failed,
		    opens, what, msg);
}

/*
 * Many processes using a database that does not exist yet, all at
 * once, as "make -f batch.mk -j4" does: every one must open it, and
 * the file must end up a whole, current kc database.
 */
static void
test_first_open_race(void **state)
{
	struct fixture *fx = *state;
	int rep[2], round, failed = 0;

	/* non-blocking: a child never waits for the report to be read */
	assert_int_equal(pipe2(rep, O_NONBLOCK), 0);
	for (round = 0; round < RACE_ROUNDS; round++) {
		remove_db(fx->path);
		failed += race_round(fx->path, rep[1]);
	}
	close(rep[1]);
	race_verdict(failed, RACE_ROUNDS * RACE_PROCS, rep[0],
	    "first opens");
}

/*
 * The same with a database of the previous schema: one process
 * rebuilds the tables, the others wait for it (or find it done), none
 * fails, and every row comes through once.
 */
static void
test_migrate_race(void **state)
{
	struct fixture *fx = *state;
	char *before[NKEPT];
	int rep[2], round, failed = 0;

	assert_int_equal(pipe2(rep, O_NONBLOCK), 0);
	for (round = 0; round < RACE_ROUNDS / 4; round++) {
		remove_db(fx->path);
		load_v2(fx->path);
		kept_rows(fx->path, before);
		failed += race_round(fx->path, rep[1]);
		assert_kept(fx->path, before);
	}
	close(rep[1]);
	race_verdict(failed, RACE_ROUNDS / 4 * RACE_PROCS, rep[0],
	    "opens of a version-2 database");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_without_create,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_kc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rate_history, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_and_undo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_featstats, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_first_open_race, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_chat_kind, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v2, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v2_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_race, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
