/*
 * msg.c - the "prog: message" diagnostics every kc program uses, and the
 * single cleanup hook that fatal paths run before exiting.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

const char *kc_prog = "kc";
static void (*exit_hook)(void);
static const char *usage_where;	/* kc_usage_at */

void
kc_setprog(const char *argv0)
{
	const char *p;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	p = strrchr(argv0, '/');
	kc_prog = p ? p + 1 : argv0;
	opterr = 0;
}

const char *
kc_bad_option(char **argv)
{
	static char shortopt[3] = "-?";
	const char *a = argv[optind - 1];

	/* for long options optopt holds their value, not their name */
	if (optopt == 0 || strncmp(a, "--", 2) == 0)
		return a;
	shortopt[1] = (char)optopt;
	return shortopt;
}

/*
 * The message is made in one buffer and written at once: stderr is
 * unbuffered, and a line written in pieces could be cut by another
 * process's (kc-clip copies every stage's stderr to its own).
 */
static void
vwarn(const char *fmt, va_list ap)
{
	char line[4096];
	int saved = errno, len, m;
	size_t n = strlen(fmt), max = sizeof(line) - 1;

	len = snprintf(line, max, "%s: ", kc_prog);
	if (len < 0 || (size_t)len >= max)
		len = 0;
	m = vsnprintf(line + len, max - (size_t)len, fmt, ap);
	len = m < 0 ? len : (size_t)(len + m) >= max ? (int)max - 1 :
	    len + m;
	if (n > 0 && fmt[n - 1] == ':' && (m = snprintf(line + len, max -
	    (size_t)len, " %s", strerror(saved))) > 0)
		len = (size_t)(len + m) >= max ? (int)max - 1 : len + m;
	line[len++] = '\n';
	fwrite(line, 1, (size_t)len, stderr);
	errno = saved;
}

void
kc_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
kc_on_exit(void (*fn)(void))
{
	exit_hook = fn;
}

void
kc_run_exit_hook(void)
{
	void (*fn)(void) = exit_hook;

	exit_hook = NULL;	/* never twice, even if the hook dies */
	if (fn)
		fn();
}

void
kc_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	kc_run_exit_hook();
	exit(status);
}

void
kc_usage_at(const char *where)
{
	usage_where = where;
}

void
kc_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", kc_prog);
	if (usage_where)
		fprintf(stderr, "%s: ", usage_where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s --help')\n", kc_prog);
	kc_run_exit_hook();
	exit(KC_EXIT_USAGE);
}
