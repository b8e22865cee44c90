/*
 * kcdb.h - what the kc-db command files share: the command context, the
 * option helper every command uses, and one entry point per command.
 */
#ifndef KC_KCDB_H
#define KC_KCDB_H

#include <getopt.h>
#include <jansson.h>

#include "config.h"
#include "db.h"

/* What every command gets from main(). */
struct kcdb {
	const char *path;	/* database path (--db, $KC_DB, the config
				   file's db, the XDG default: opt.h
				   kc_opt_db); NULL until kcdb_getopt has
				   read the command's options */
	kc_config *cfg;		/* the configuration file, or NULL */
	const char *cmd;	/* command name, for messages */
	const char *model;	/* --model DIR, or NULL */
};

/*
 * getopt_long for a command: handles --db and --help (printing usage and
 * exiting 0) and turns unknown options and missing values into usage
 * errors.  longopts must contain {"db", ..., 'D'} and {"help", ..., 'h'}.
 * shortopts lists the command's own short options ("h" is added); a
 * leading '+' stops at the first operand, so that operands such as "-1"
 * reach the command's own check instead of being taken for options.
 * Returns the next other option character, or -1 at the end (optind is
 * then the first operand, and k->path the database).
 */
int kcdb_getopt(struct kcdb *k, int argc, char **argv,
    const char *shortopts, const struct option *longopts,
    const char *usage);

/* Checks the number of operands left after options; usage error if not. */
void kcdb_operands(const struct kcdb *k, int argc, int min, int max);

/* Opens the database or dies with exit 1 naming the path. */
kc_db *kcdb_open(const struct kcdb *k, int flags);

/* Closes the database; dies when SQLite reports a failure. */
void kcdb_close(const struct kcdb *k, kc_db *db);

/* A positive clip id from an operand, or a usage error naming it. */
long long kcdb_clip_id(const struct kcdb *k, const char *s);

/* Stores v under key in o, dying on allocation failure. */
void kcdb_set(json_t *o, const char *key, json_t *v);

/* A JSON number for a database real, null when it was NULL (NAN). */
json_t *kcdb_real(double v);

/* A JSON string, null for NULL. */
json_t *kcdb_str(const char *s);

/*
 * The model directory: --model, else $KC_MODEL, else the database path
 * with ".model" appended.  Into buf; dies when it does not fit.
 */
const char *kcdb_model_dir(const struct kcdb *k, char *buf, size_t n);

/*
 * learn.c: retrains the model from the database's ratings (kc-db export
 * piped into kc-train, both children) after nratings ratings.  Returns 0
 * when a new generation was saved, -1 when training failed (reported on
 * stderr; the ratings are untouched either way).
 */
int kcdb_retrain(const struct kcdb *k, long nratings);

/*
 * learn.c: rewrites DIR/channels.json from the database's per-channel
 * statistics (atomically).  0, or -1 after a warning.
 */
int kcdb_write_channels(const struct kcdb *k, kc_db *db);

/* list.c: a clip record (docs/records.md) plus what the database knows,
 * as list --json writes it. */
json_t *kcdb_clip_record(const kc_db_clip *c);

/* learn.c: the model generations in the model directory, for stats. */
json_t *kcdb_generations(const struct kcdb *k, int text);

/* Each command: argv[0] is the command name; returns the exit status. */
int kcdb_add(struct kcdb *k, int argc, char **argv);
int kcdb_list(struct kcdb *k, int argc, char **argv);
int kcdb_export(struct kcdb *k, int argc, char **argv);
int kcdb_rate(struct kcdb *k, int argc, char **argv);
int kcdb_undo(struct kcdb *k, int argc, char **argv);
int kcdb_delete(struct kcdb *k, int argc, char **argv);
int kcdb_fresh(struct kcdb *k, int argc, char **argv);
int kcdb_stats(struct kcdb *k, int argc, char **argv);

#endif
