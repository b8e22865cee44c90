/*
 * num.c - strict parsers for option values: integers, reals and times.
 * They reject empty strings, trailing junk, NaN/Inf and out-of-range
 * values, and say which of those it was.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/*
 * strtod also takes leading space, "+", hex ("0x10") and "inf"; options
 * want decimals ("-1.5", and "2e3" where exp is set), so check the
 * spelling first.
 */
static int
plain_decimal(const char *s, int exp)
{
	int digits = 0, dot = 0;

	if (*s == '-')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && !dot)
			dot = 1;
		else if ((*s == 'e' || *s == 'E') && exp && digits) {
			s++;
			if (*s == '-' || *s == '+')
				s++;
			if (*s < '0' || *s > '9')
				return 0;
			while (*s >= '0' && *s <= '9')
				s++;
			return *s == '\0';
		} else
			return 0;
	}
	return digits > 0;
}

int
kc_parse_long(const char *s, long min, long max, long *out, const char **why)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0') {
		*why = "empty value";
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || !plain_decimal(s, 0) ||
	    strchr(s, '.')) {
		*why = "not an integer";
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}

int
kc_parse_double(const char *s, double min, double max, double *out,
    const char **why)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0') {
		*why = "empty value";
		return -1;
	}
	if (!plain_decimal(s, 1)) {
		*why = "not a number";
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0') {
		*why = "not a number";
		return -1;
	}
	if (!isfinite(v)) {
		*why = "not a finite number";
		return -1;
	}
	if (v < min || v > max) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}

int
kc_parse_time(const char *s, double *out, const char **why)
{
	double field[3], v;
	const char *p = s, *q;
	char *end;
	int n = 0, i;

	if (s == NULL || *s == '\0') {
		*why = "empty time";
		return -1;
	}
	for (;;) {
		if (n == 3) {
			*why = "too many ':' fields (want [HH:]MM:SS or seconds)";
			return -1;
		}
		if (*p < '0' || *p > '9') {
			*why = "not a time (want seconds or [HH:]MM:SS)";
			return -1;
		}
		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno == ERANGE || !isfinite(v)) {
			*why = "not a time (want seconds or [HH:]MM:SS)";
			return -1;
		}
		for (q = p; q < end; q++)
			if (!((*q >= '0' && *q <= '9') || *q == '.')) {
				*why = "not a time (want seconds or "
				    "[HH:]MM:SS)";
				return -1;
			}
		field[n++] = v;
		if (*end == '\0')
			break;
		if (*end != ':') {
			*why = "not a time (want seconds or [HH:]MM:SS)";
			return -1;
		}
		/* only the last field may have a fraction */
		if (v != floor(v)) {
			*why = "only seconds may have a fraction";
			return -1;
		}
		p = end + 1;
	}
	v = 0;
	for (i = 0; i < n; i++) {
		if (i > 0 && field[i] >= 60) {
			*why = "minutes and seconds must be below 60";
			return -1;
		}
		v = v * 60 + field[i];
	}
	*out = v;
	return 0;
}

char *
kc_fmt_hms(double secs, char *buf, unsigned long n)
{
	long t;

	if (!isfinite(secs) || secs < 0)
		secs = 0;
	t = (long)(secs + 0.5);
	if (t >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60,
		    t % 60);
	else
		snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
	return buf;
}
