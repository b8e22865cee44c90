/*
 * opt.h - option values for kc programs: parsed strictly (num.h), or a
 * one-line usage error naming the option, the value and the allowed range,
 * and exit 2.  Program helpers: they may exit.
 */
#ifndef KC_OPT_H
#define KC_OPT_H

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

#endif
