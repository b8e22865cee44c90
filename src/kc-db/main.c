/*
 * kc-db - the user's end of the kc pipeline: stores the clips a run cut
 * (add), shows them (list, stats), takes 1-5 star ratings (rate), hands
 * the rated clips to training (export) and removes clips (delete).  This
 * file holds the dispatcher and the helpers the commands share; each
 * command lives in its own file.  The database itself is src/lib/db.c.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcdb.h"
#include "msg.h"
#include "opt.h"
#include "num.h"
#include "out.h"

static const char usage_text[] =
"usage: kc-db [--db PATH] COMMAND [options] [args]\n"
"\n"
"The kc clip database: stores the clips a pipeline cut, lists them, takes\n"
"your 1-5 star ratings and exports the rated clips for training.\n"
"\n"
"commands:\n"
"  add              read kc records on stdin and store their clips\n"
"  list             show clips: a table, or --json records\n"
"  rate ID STARS    rate clip ID with 1-5 stars; retrains the model\n"
"                   every 5 ratings (kc-train)\n"
"  undo ID          take back clip ID's latest rating\n"
"  stats            counts, rating histogram, per kind and per channel,\n"
"                   model generations and their held-out quality\n"
"  export           one \"rated\" record per rated clip, for training\n"
"  delete ID        remove clip ID, its ratings and its files\n"
"  fresh            a filter before kc-cut: a highlight stored already\n"
"                   becomes its stored clip's record (not cut again)\n"
"\n"
"options (also accepted after COMMAND):\n"
"      --db PATH    the database (default: $KC_DB, else the config file's\n"
"                   db, else $XDG_DATA_HOME/kc/kc.db or\n"
"                   ~/.local/share/kc/kc.db); its model is PATH.model\n"
"      --no-config  do not read the config file (before COMMAND)\n"
"  -h, --help       show this help; 'kc-db COMMAND --help' for one command\n"
"  -V, --version    show the version (before COMMAND)\n"
"\n"
"config file: $KC_CONFIG, else $XDG_CONFIG_HOME/kc/config or\n"
"~/.config/kc/config; kc-db takes its db and retrain-every keys.\n"
"exit status: 0 ok, 1 bad data or a database error, 2 usage error.\n"
"environment: KC_DB (database path when --db is not given), KC_CONFIG.\n";

static const struct command {
	const char *name;
	int (*run)(struct kcdb *, int, char **);
} commands[] = {
	{ "add", kcdb_add },
	{ "list", kcdb_list },
	{ "rate", kcdb_rate },
	{ "undo", kcdb_undo },
	{ "stats", kcdb_stats },
	{ "export", kcdb_export },
	{ "delete", kcdb_delete },
	{ "fresh", kcdb_fresh },
};

int
kcdb_getopt(struct kcdb *k, int argc, char **argv, const char *shortopts,
    const struct option *longopts, const char *usage)
{
	char opts[64];
	int c;

	/*
	 * ':' first: a missing value is ':' rather than '?'.  A leading '+'
	 * (options before operands) keeps getopt's order rule in front.
	 */
	if ((size_t)snprintf(opts, sizeof(opts), "%s:%sh",
	    *shortopts == '+' ? "+" : "", shortopts + (*shortopts == '+')) >=
	    sizeof(opts))
		kc_die(KC_EXIT_DATA, "internal error: too many options");
	for (;;) {
		c = getopt_long(argc, argv, opts, longopts, NULL);
		switch (c) {
		case 'D':
			k->path = optarg;
			break;
		case 'M':
			k->model = optarg;
			break;
		case 'h':
			kc_opt_help(usage);
		case ':':
			kc_usage_error("%s: option '%s' needs a value", k->cmd,
			    kc_bad_option(argv));
		case '?':
			kc_usage_error("%s: unknown option '%s'", k->cmd,
			    kc_bad_option(argv));
		case -1:
			/* only now: a --db after COMMAND is known, and the
			 * default's note is not given for a database not used */
			if (k->path == NULL)
				k->path = kc_opt_db(NULL, k->cfg, 1);
			return c;
		default:
			return c;
		}
	}
}

void
kcdb_operands(const struct kcdb *k, int n, int min, int max)
{
	if (n < min)
		kc_usage_error("%s: missing operand", k->cmd);
	if (n > max)
		kc_usage_error("%s: too many operands", k->cmd);
}

kc_db *
kcdb_open(const struct kcdb *k, int flags)
{
	char err[600];
	kc_db *db;
	int rc;

	rc = kc_db_open(&db, k->path, flags, err, sizeof(err));
	if (rc == KC_DB_NOTFOUND)
		kc_die(KC_EXIT_DATA, "%s: no such database (clips are stored "
		    "by 'kc-db add')", k->path);
	if (rc != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: %s", k->path, err);
	return db;
}

void
kcdb_close(const struct kcdb *k, kc_db *db)
{
	if (kc_db_close(db) != KC_DB_OK)
		kc_die(KC_EXIT_DATA, "%s: error while closing the database",
		    k->path);
}

long long
kcdb_clip_id(const struct kcdb *k, const char *s)
{
	const char *why;
	long v;

	if (kc_parse_long(s, 1, LONG_MAX, &v, &why) != 0)
		kc_usage_error("%s: clip id must be a positive integer, got "
		    "'%s'", k->cmd, s);
	return v;
}

void
kcdb_set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

json_t *
kcdb_real(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

json_t *
kcdb_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

const char *
kcdb_model_dir(const struct kcdb *k, char *buf, size_t n)
{
	const char *env = getenv("KC_MODEL");

	if (k->model && *k->model)
		env = k->model;
	if (env && *env) {
		if ((size_t)snprintf(buf, n, "%s", env) >= n)
			kc_die(KC_EXIT_DATA, "%s: path too long", env);
	} else if ((size_t)snprintf(buf, n, "%s.model", k->path) >= n)
		kc_die(KC_EXIT_DATA, "%s: path too long", k->path);
	return buf;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "no-config", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct kcdb k;
	size_t i;
	int c, use_config = 1;

	kc_setprog(argv[0]);
	kc_out_init();
	k.path = NULL;
	k.model = NULL;
	k.cfg = NULL;
	k.cmd = "kc-db";
	/* '+': options stop at COMMAND; the rest belongs to the command */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D': k.path = optarg; break;
		case 'N': use_config = 0; break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		case ':':
			kc_usage_error("option '%s' needs a value",
			    kc_bad_option(argv));
		default:
			kc_usage_error("unknown option '%s'", kc_bad_option(argv));
		}
	}
	if (optind == argc)
		kc_usage_error("no command given (add, list, rate, undo, "
		    "stats, export, delete, fresh)");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		kc_usage_error("unknown command '%s'", argv[optind]);
	/* a command's --help is shown whatever the file holds */
	for (c = optind + 1; c < argc && strcmp(argv[c], "--") != 0; c++)
		if (strcmp(argv[c], "--help") == 0 || strcmp(argv[c], "-h") == 0)
			use_config = 0;
	k.cfg = kc_opt_config(use_config);
	k.cmd = commands[i].name;
	argc -= optind;
	argv += optind;
	/* 0 makes glibc's getopt start afresh on the command's argv */
	optind = 0;
	c = commands[i].run(&k, argc, argv);
	kc_out_close();
	return c;
}
