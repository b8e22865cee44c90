/*
 * msg.h - diagnostics for kc programs.
 *
 * Every message goes to stderr and starts with "prog: ".  A format that
 * ends in ':' gets ": strerror(errno)" appended (sbase's eprintf rule).
 * These helpers are for programs only: library modules return codes and
 * leave the wording to their caller.
 */
#ifndef KC_MSG_H
#define KC_MSG_H

#include <stdnoreturn.h>

/* Exit statuses shared by every kc program (documented in each man page). */
enum {
	KC_EXIT_OK = 0,		/* success */
	KC_EXIT_DATA = 1,	/* bad data, failed child, I/O or runtime failure */
	KC_EXIT_USAGE = 2,	/* bad option or operand */
	KC_EXIT_PARTIAL = 3	/* the run completed, but part of its work
				   failed (kc-cut: some cuts; each has an
				   "error" record); what succeeded is kept */
};

extern const char *kc_prog;	/* program name used as the message prefix */

void kc_setprog(const char *argv0);
void kc_warn(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
noreturn void kc_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line, "prog: MESSAGE (see 'prog --help')", and exit KC_EXIT_USAGE. */
noreturn void kc_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * Where the values being checked come from, for kc_usage_error: while
 * set (a "FILE:LINE" of the configuration file), usage errors read
 * "prog: WHERE: MESSAGE".  NULL: the command line again.  The string is
 * not copied.
 */
void kc_usage_at(const char *where);

/*
 * The option getopt just refused ("--bogus", "-x"), for the message.
 * kc_setprog turns getopt's own messages off (opterr = 0), so the
 * program's one-line usage error is the only one.
 */
const char *kc_bad_option(char **argv);

/*
 * Cleanup hook run before the process ends on a fatal error or a broken
 * pipe: programs register one to kill their children and remove temp
 * files.  Only one hook; registering again replaces it.
 */
void kc_on_exit(void (*fn)(void));
void kc_run_exit_hook(void);

#endif
