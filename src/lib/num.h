/*
 * num.h - checked number and time parsing (no atoi, no silent garbage).
 *
 * Each parser returns 0 on success and -1 on failure; on failure *why is
 * set to a short static phrase ("not a number", "out of range 1-25", ...)
 * that the caller puts after the option name and the bad value.
 */
#ifndef KC_NUM_H
#define KC_NUM_H

/* An integer in [min, max], decimal only, whole string. */
int kc_parse_long(const char *s, long min, long max, long *out,
    const char **why);

/* A finite real in [min, max], whole string. */
int kc_parse_double(const char *s, double min, double max, double *out,
    const char **why);

/*
 * A time: plain seconds ("90", "12.5") or [HH:]MM:SS[.frac] ("1:02:03").
 * Minutes and seconds fields after the first must be below 60.
 */
int kc_parse_time(const char *s, double *out, const char **why);

/* Format seconds as H:MM:SS (or M:SS under an hour) into buf. */
char *kc_fmt_hms(double secs, char *buf, unsigned long n);

#endif
