/*
 * opt.c - the option-value parsers every kc program shares, so a bad value
 * reads the same everywhere: "kc-score: --max-audio-clips: '0': out of
 * range (1 to 25) (see 'kc-score --help')"; and the defaults a program
 * takes from outside its command line: the configuration file, the
 * database.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "opt.h"
#include "out.h"
#include "paths.h"
#include "version.h"

long
kc_opt_long(const char *flag, const char *val, long lo, long hi)
{
	const char *why;
	long v;

	if (kc_parse_long(val, lo, hi, &v, &why) != 0)
		kc_usage_error("%s: '%s': %s (%ld to %ld)", flag, val, why, lo,
		    hi);
	return v;
}

double
kc_opt_real(const char *flag, const char *val, double lo, double hi)
{
	const char *why;
	double v;

	if (kc_parse_double(val, lo, hi, &v, &why) != 0)
		kc_usage_error("%s: '%s': %s (%g to %g)", flag, val, why, lo, hi);
	return v;
}

double
kc_opt_time(const char *flag, const char *val)
{
	const char *why;
	double v;

	if (kc_parse_time(val, &v, &why) != 0)
		kc_usage_error("%s: '%s': %s", flag, val, why);
	return v;
}

void
kc_opt_help(const char *text)
{
	if (fputs(text, stdout) == EOF)
		kc_out_fail("stdout");
	kc_out_close();
	exit(KC_EXIT_OK);
}

void
kc_opt_version(void)
{
	kc_out_printf("%s %s\n", kc_prog, kc_version);
	kc_out_close();
	exit(KC_EXIT_OK);
}

void
kc_opt_unknown(char **argv)
{
	kc_usage_error("unknown option or missing value: '%s'",
	    kc_bad_option(argv));
}

static char conf_where[PATH_MAX + 32];

/* The configs read: their values are the programs' options until exit. */
static kc_config *held[4];
static int nheld;

static void
free_held(void)
{
	while (nheld > 0)
		kc_config_free(held[--nheld]);
}

kc_config *
kc_opt_config(int use)
{
	char path[PATH_MAX];
	kc_config *cfg;
	const char *why;
	long line;
	int named;

	if (!use || (named = kc_config_path(path, sizeof(path))) < 0)
		return NULL;
	switch (kc_config_read(&cfg, path, &line, &why)) {
	case 0:
		if (nheld == 0)
			atexit(free_held);
		if (nheld < (int)(sizeof(held) / sizeof(held[0])))
			held[nheld++] = cfg;
		return cfg;
	case -2:
		snprintf(conf_where, sizeof(conf_where), "%s:%ld", path, line);
		kc_usage_at(conf_where);
		kc_usage_error("%s", why);
	default:
		if (errno == ENOENT && !named)
			return NULL;
		if (errno == ENOMEM)
			kc_die(KC_EXIT_DATA, "out of memory");
		kc_usage_error("%s%s: %s", named ? "KC_CONFIG: " : "", path,
		    strerror(errno));
	}
}

const char *
kc_opt_conf(const kc_config *cfg, const char *key)
{
	const char *v;
	long line;

	if ((v = kc_config_get(cfg, key, &line)) != NULL) {
		snprintf(conf_where, sizeof(conf_where), "%s:%ld",
		    kc_config_file(cfg), line);
		kc_usage_at(conf_where);
	}
	return v;
}

const char *
kc_opt_db(const char *given, const kc_config *cfg, int create)
{
	static char buf[PATH_MAX];
	const char *env = getenv("KC_DB"), *v;
	int note;

	if (given)
		return given;
	if (env && *env)
		return env;
	if ((v = kc_config_get(cfg, "db", NULL)) != NULL)
		return v;
	if (kc_default_db(buf, sizeof(buf), create, &note) != 0)
		kc_die(KC_EXIT_DATA, "the default database's folder (under "
		    "$XDG_DATA_HOME or ~/.local/share) cannot be made; give "
		    "--db or set KC_DB:");
	if (note)
		kc_warn("note: using %s; ./kc.db here is not used (give --db "
		    "./kc.db, or set KC_DB)", buf);
	return buf;
}
