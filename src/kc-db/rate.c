/*
 * rate.c - the commands that change one clip: "kc-db rate ID STARS", the
 * user's verdict that the model learns from, and "kc-db delete ID",
 * which removes a clip's row, its ratings and its file together.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kcdb.h"
#include "msg.h"
#include "num.h"
#include "out.h"

static const char rate_usage[] =
"usage: kc-db [--db PATH] rate ID STARS\n"
"\n"
"Rate clip ID (see 'kc-db list') with STARS, an integer 1-5.  Rating a\n"
"clip again replaces its rating; every rating is kept in the history.\n"
"\n"
"options (before ID):\n"
"      --db PATH   the database\n"
"\n"
"exit status: 0 ok, 1 no such clip or a database error, 2 usage error\n"
"(including STARS not an integer 1-5).\n";

static const char delete_usage[] =
"usage: kc-db [--db PATH] delete [--keep-file] ID\n"
"\n"
"Remove clip ID, its ratings and its file.  The file is removed inside\n"
"the transaction that deletes the row, so either both go or neither\n"
"does.  A file that is already gone is only warned about.\n"
"\n"
"options (before ID):\n"
"  -k, --keep-file   leave the clip file where it is\n"
"      --db PATH     the database\n"
"\n"
"exit status: 0 ok, 1 no such clip, the file cannot be removed or a\n"
"database error, 2 usage error.\n";

int
kcdb_rate(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	long long id;
	long stars, nratings;
	kc_db *db;
	int rc;

	while (kcdb_getopt(k, argc, argv, "+", longopts, rate_usage) != -1)
		;
	kcdb_operands(k, argc - optind, 2, 2);
	id = kcdb_clip_id(k, argv[optind]);
	if (kc_parse_long(argv[optind + 1], 1, 5, &stars, &why) != 0)
		kc_usage_error("rate: stars must be an integer 1-5, got '%s'",
		    argv[optind + 1]);

	db = kcdb_open(k, 0);
	rc = kc_db_rate(db, id, (int)stars, &nratings);
	if (rc != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	/*
	 * RETRAIN HOOK.  The rating is committed at this point and nothing
	 * can lose it any more.  A later change retrains the model here
	 * every N ratings (the seed's default: 5), deciding from nratings,
	 * the size of the rating history including this one.  Training
	 * must not run before the commit above, and a training failure
	 * must not turn a stored rating into a failed "rate".
	 */
	(void)nratings;
	kcdb_close(k, db);
	return KC_EXIT_OK;
}

/* Called by kc_db_delete_clip inside its transaction: unlink or veto. */
static int
remove_file(const char *path, void *arg)
{
	const int *keep = arg;

	if (*keep)
		return 0;
	if (unlink(path) == 0)
		return 0;
	if (errno == ENOENT) {
		kc_warn("delete: %s: file already gone", path);
		return 0;
	}
	kc_warn("delete: %s: cannot remove:", path);
	return -1;
}

int
kcdb_delete(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keep-file", no_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	long long id;
	kc_db *db;
	int c, keep = 0, rc;

	while ((c = kcdb_getopt(k, argc, argv, "+k", longopts,
	    delete_usage)) != -1)
		if (c == 'k')
			keep = 1;
	kcdb_operands(k, argc - optind, 1, 1);
	id = kcdb_clip_id(k, argv[optind]);

	db = kcdb_open(k, 0);
	rc = kc_db_delete_clip(db, id, remove_file, &keep);
	if (rc == KC_DB_CANCELLED)
		kc_die(KC_EXIT_DATA, "%s: clip %lld not deleted", k->path, id);
	if (rc != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	kcdb_close(k, db);
	return KC_EXIT_OK;
}
