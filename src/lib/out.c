/*
 * out.c - checked record output on stdout, with the broken-pipe rule:
 * EPIPE runs the cleanup hook and then dies by SIGPIPE, so shells and
 * kc-clip see the usual "reader went away" and print nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "msg.h"
#include "out.h"
#include "rec.h"

static int unbuffered;

/*
 * With KC_RSS_LOG=FILE set, a program appends "NAME PEAK_KB" (VmHWM, its
 * own peak resident memory, children not included) to FILE when it exits
 * normally: how `make bench` measures each stage.
 */
static void
rss_report(void)
{
	const char *path = getenv("KC_RSS_LOG");
	char line[256];
	FILE *st, *log;
	long kb = -1;

	if ((st = fopen("/proc/self/status", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), st))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(st);
	if (kb < 0 || (log = fopen(path, "ae")) == NULL)
		return;
	fprintf(log, "%s %ld\n", kc_prog, kb);
	fclose(log);
}

void
kc_out_init(void)
{
	const char *rss = getenv("KC_RSS_LOG");

	signal(SIGPIPE, SIG_IGN);
	if (rss && *rss)
		atexit(rss_report);
}

void
kc_out_unbuffered(int on)
{
	unbuffered = on;
}

void
kc_out_fail(const char *what)
{
	if (errno == EPIPE) {
		kc_run_exit_hook();
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(KC_EXIT_DATA);	/* not reached */
	}
	kc_die(KC_EXIT_DATA, "write error on %s:", what);
}

void
kc_out_flush(void)
{
	if (fflush(stdout) == EOF)
		kc_out_fail("stdout");
}

void
kc_out_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	if (n < 0)
		kc_out_fail("stdout");
	if (unbuffered)
		kc_out_flush();
}

void
kc_out(const json_t *rec)
{
	if (kc_rec_write(stdout, rec) != 0)
		kc_out_fail("stdout");
	if (unbuffered)
		kc_out_flush();
}

void
kc_out_new(json_t *rec)
{
	if (rec == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kc_out(rec);
	json_decref(rec);
}

void
kc_out_raw(const char *line, size_t len)
{
	if (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF)
		kc_out_fail("stdout");
	if (unbuffered)
		kc_out_flush();
}

void
kc_out_close(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		kc_out_fail("stdout");
	if (fclose(stdout) == EOF)
		kc_out_fail("stdout");
}

void
kc_out_fatal(const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((r = kc_rec_new("error")) != NULL) {
		if (json_object_set_new(r, "stage", json_string(kc_prog)) ==
		    0 && json_object_set_new(r, "message", json_string(msg)) ==
		    0 && json_object_set_new(r, "fatal", json_true()) == 0) {
			kc_out_new(r);
			kc_out_flush();
		} else
			json_decref(r);
	}
	kc_die(KC_EXIT_DATA, "%s", msg);
}
