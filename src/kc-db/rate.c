/*
 * rate.c - the commands that change one clip: "kc-db rate ID STARS", the
 * user's verdict that the model learns from, "kc-db undo ID", which takes
 * the latest one back, and "kc-db delete ID", which removes a clip's row,
 * its ratings and its files together.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

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

static const char undo_usage[] =
"usage: kc-db [--db PATH] undo ID\n"
"\n"
"Take back clip ID's latest rating: it leaves the rating history, and the\n"
"clip gets the rating before it back, or none.  Prints the rating the\n"
"clip has now (1-5, or \"unrated\") on stdout.  The model is not\n"
"retrained; the next retraining learns without the rating.\n"
"\n"
"options:\n"
"      --db PATH     the database\n"
"\n"
"exit status: 0 ok, 1 no such clip, the clip has no rating or a database\n"
"error, 2 usage error.\n";

static const char delete_usage[] =
"usage: kc-db [--db PATH] delete [--keep-file] ID\n"
"\n"
"Remove clip ID, its ratings and its files: the clip, its poster and\n"
"hover strip, its vertical copy.  The files are removed inside the\n"
"transaction that deletes the row, so either the clip and its row both\n"
"go or neither does.  A clip file that is already gone is only warned\n"
"about.\n"
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

int
kcdb_undo(struct kcdb *k, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	long long id;
	kc_db *db;
	int rc, stars;

	while (kcdb_getopt(k, argc, argv, "+", longopts, undo_usage) != -1)
		;
	kcdb_operands(k, argc - optind, 1, 1);
	id = kcdb_clip_id(k, argv[optind]);

	db = kcdb_open(k, 0);
	if ((rc = kc_db_undo(db, id, &stars)) != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	kcdb_close(k, db);
	if (stars > 0)
		kc_out_printf("%d\n", stars);
	else
		kc_out_printf("unrated\n");
	kc_out_flush();
	return KC_EXIT_OK;
}

/*
 * A clip's files on their way out: each is first renamed to a hidden name
 * beside it (.NAME.kc-deleting), removed once the row's deletion is
 * committed and renamed back if it is not, so the row and its files go
 * together or not at all (a full disk can fail the commit).
 */
struct doomed {
	int keep;		/* --keep-file */
	int n;
	char from[4][4096], to[4][4096];
};

/* Moves path aside: 0, or -1 (warned) when it cannot go. */
static int
doom_one(struct doomed *d, const char *path, int must)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path + 1) : 0;
	char *to = d->to[d->n];
	struct stat sb;

	if (strlen(path) >= sizeof(d->from[0]) ||
	    (size_t)snprintf(to, sizeof(d->to[0]), "%.*s.%s.kc-deleting", dir,
	    path, path + dir) >= sizeof(d->to[0])) {
		kc_warn("delete: %s: name too long", path);
		return -1;
	}
	/* what unlink() would refuse stays */
	if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		errno = EISDIR;
	else if (rename(path, to) == 0) {
		snprintf(d->from[d->n++], sizeof(d->from[0]), "%s", path);
		return 0;
	}
	if (errno == ENOENT) {
		if (must)
			kc_warn("delete: %s: file already gone", path);
		return 0;
	}
	kc_warn("delete: %s: cannot remove:", path);
	return -1;
}

/* The files moved aside go back (the deletion was not committed). */
static void
undoom(struct doomed *d)
{
	while (d->n > 0) {
		d->n--;
		if (rename(d->to[d->n], d->from[d->n]) != 0)
			kc_warn("delete: %s: cannot put it back from %s:",
			    d->from[d->n], d->to[d->n]);
	}
}

/*
 * Called by kc_db_delete_clip inside its transaction: moves the clip's
 * files aside or vetoes (and puts back what it moved).  The poster, the
 * strip (BASE.strip.jpg beside the clip, kc-cut(1)) and the vertical copy
 * are the clip's too.
 */
static int
remove_files(const kc_db_clip *c, void *arg)
{
	struct doomed *d = arg;
	char strip[4096];
	size_t n = strlen(c->path);

	if (d->keep)
		return 0;
	if ((n > 4 && strcmp(c->path + n - 4, ".mp4") == 0 &&
	    (size_t)snprintf(strip, sizeof(strip), "%.*s.strip.jpg",
	    (int)(n - 4), c->path) < sizeof(strip) &&
	    doom_one(d, strip, 0) != 0) ||
	    (c->poster && doom_one(d, c->poster, 0) != 0) ||
	    (c->vertical_path && doom_one(d, c->vertical_path, 0) != 0) ||
	    doom_one(d, c->path, 1) != 0) {
		undoom(d);
		return -1;
	}
	return 0;
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
	struct doomed *d;
	long long id;
	kc_db *db;
	int c, rc, i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	while ((c = kcdb_getopt(k, argc, argv, "+k", longopts,
	    delete_usage)) != -1)
		if (c == 'k')
			d->keep = 1;
	kcdb_operands(k, argc - optind, 1, 1);
	id = kcdb_clip_id(k, argv[optind]);

	db = kcdb_open(k, 0);
	rc = kc_db_delete_clip(db, id, remove_files, d);
	if (rc == KC_DB_OK) {
		for (i = 0; i < d->n; i++)
			if (unlink(d->to[i]) != 0)
				kc_warn("delete: %s (was %s): cannot remove:",
				    d->to[i], d->from[i]);
	} else
		undoom(d);
	free(d);
	if (rc == KC_DB_CANCELLED)
		kc_die(KC_EXIT_DATA, "%s: clip %lld not deleted", k->path, id);
	if (rc != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, kc_db_error(db));
	kcdb_close(k, db);
	return KC_EXIT_OK;
}
