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
	if (end == s || *end != '\0') {
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
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0') {
		*why = "not a number";
		return -1;
	}
	if (errno == ERANGE || !isfinite(v)) {
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
	const char *p = s;
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
