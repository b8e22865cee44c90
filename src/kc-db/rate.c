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
#include "opt.h"
#include "out.h"

static const char rate_usage[] =
"usage: kc-db [--db PATH] rate [--retrain-every N] [--model DIR] ID STARS\n"
"\n"
"Rate clip ID (see 'kc-db list') with STARS, an integer 1-5.  Rating a\n"
"clip again replaces its rating; every rating is kept in the history.\n"
"\n"
"The rating is committed first.  Then, when the number of ratings in the\n"
"history is a multiple of N, the model is retrained (kc-db export piped\n"
"into kc-train --model DIR): kc-train's summary and a line saying the\n"
"model was retrained go to stderr.  A failed training is reported there\n"
"too, leaves the model as it was and does not change the exit status:\n"
"the rating is stored either way.\n"
"\n"
"options (before ID):\n"
"  -n, --retrain-every N  retrain after every N ratings (default\n"
"                         $KC_RETRAIN_EVERY, else the config file's\n"
"                         retrain-every, else 5; 0: never)\n"
"      --model DIR        the model directory (default $KC_MODEL, else\n"
"                         PATH.model next to the database)\n"
"      --db PATH          the database\n"
"\n"
"exit status: 0 ok (also when retraining failed), 1 no such clip or a\n"
"database error, 2 usage error (including STARS not an integer 1-5).\n"
"environment: KC_RETRAIN_EVERY, KC_MODEL, KC_TRAIN (the trainer program,\n"
"default kc-train).\n";

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
		{ "retrain-every", required_argument, NULL, 'n' },
		{ "model", required_argument, NULL, 'M' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why, *env = getenv("KC_RETRAIN_EVERY"), *conf;
	long long id;
	long stars, nratings, every = 5;
	kc_db *db;
	int rc;

	if (env && *env)
		every = kc_opt_long("KC_RETRAIN_EVERY", env, 0, 1000000);
	else if ((conf = kc_opt_conf(k->cfg, "retrain-every")) != NULL) {
		every = kc_opt_long("retrain-every", conf, 0, 1000000);
		kc_usage_at(NULL);
	}
	while ((rc = kcdb_getopt(k, argc, argv, "+n:", longopts,
	    rate_usage)) != -1)
		if (rc == 'n')
			every = kc_opt_long("--retrain-every", optarg, 0,
			    1000000);
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
	 * The rating is committed: nothing can lose it any more.  The
	 * database is closed before training so the trainer's export (and
	 * any other kc-db) is not kept waiting, and a failed training does
	 * not turn a stored rating into a failed "rate".
	 */
	kcdb_close(k, db);
	if (every > 0 && nratings % every == 0)
		kcdb_retrain(k, nratings);
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
