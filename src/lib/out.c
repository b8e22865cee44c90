/*
 * out.c - checked record output on stdout, with the broken-pipe rule:
 * EPIPE runs the cleanup hook and then dies by SIGPIPE, so shells and
 * kc-clip see the usual "reader went away" and print nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "msg.h"
#include "out.h"
#include "rec.h"

static int unbuffered;

void
kc_out_init(void)
{
	signal(SIGPIPE, SIG_IGN);
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
