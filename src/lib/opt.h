/*
 * opt.h - option values for kc programs: parsed strictly (num.h), or a
 * one-line usage error naming the option, the value and the allowed range,
 * and exit 2.  Program helpers: they may exit.
 */
#ifndef KC_OPT_H
#define KC_OPT_H

#include "config.h"

long kc_opt_long(const char *flag, const char *val, long lo, long hi);
double kc_opt_real(const char *flag, const char *val, double lo, double hi);
/* Seconds or [HH:]MM:SS[.frac]. */
double kc_opt_time(const char *flag, const char *val);

/* --help: text on stdout, stdout closed (a failed write exits 1), exit 0. */
_Noreturn void kc_opt_help(const char *text);
/* --version: "PROG VERSION" on stdout, then as kc_opt_help. */
_Noreturn void kc_opt_version(void);
/* getopt's answer '?' or ':': the usage error naming the option, exit 2. */
_Noreturn void kc_opt_unknown(char **argv);

/*
 * The configuration file (config.h), or NULL when use is 0 (--no-config)
 * or the default file does not exist.  A bad line or an unknown key is a
 * usage error naming FILE:LINE; a file that cannot be read (one named by
 * $KC_CONFIG that does not exist, too) a usage error naming it.  The
 * configuration is freed at exit (its values are options until then):
 * the caller never frees it.
 */
kc_config *kc_opt_config(int use);

/*
 * The value the file gives key, or NULL.  When there is one, usage errors
 * name its FILE:LINE (kc_usage_at) until kc_usage_at(NULL): check the
 * value with the option's own check in between.
 */
const char *kc_opt_conf(const kc_config *cfg, const char *key);

/*
 * The clip database: given (--db) when not NULL, else $KC_DB, else the
 * file's "db", else kc_default_db (paths.h; create: its folder is made),
 * whose one-time note about an unused ./kc.db is printed here.  Dies
 * (exit 1) when the default's folder cannot be made.
 */
const char *kc_opt_db(const char *given, const kc_config *cfg, int create);

#endif
