/*
 * opt.c - the option-value parsers every kc program shares, so a bad value
 * reads the same everywhere: "kc-score: --max-audio-clips: '0': out of
 * range (1 to 25) (see 'kc-score --help')".
 */
#include <stdio.h>
#include <stdlib.h>

#include "msg.h"
#include "num.h"
#include "opt.h"
#include "out.h"
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
