/*
 * out.h - stdout for kc filters: records only, every write checked.
 *
 * A broken pipe (the reader went away: "kc-score | head") ends the program
 * quietly the classic way, by SIGPIPE, after the cleanup hook ran; any other
 * write error is fatal with a message.  Program helpers: they may exit.
 */
#ifndef KC_OUT_H
#define KC_OUT_H

#include <stddef.h>
#include <jansson.h>

/* Ignore SIGPIPE (so writes return EPIPE and cleanup can run); with
 * KC_RSS_LOG set, log the peak RSS at exit (see out.c). */
void kc_out_init(void);

/* Flush after every record (live mode, --unbuffered). */
void kc_out_unbuffered(int on);

/* Write one record / one raw line (no '\n' in it) to stdout. */
void kc_out(const json_t *rec);
void kc_out_raw(const char *line, size_t len);

/* Write and drop the reference. */
void kc_out_new(json_t *rec);

void kc_out_flush(void);

/* printf for human text on stdout (tables), checked like records. */
void kc_out_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Flush and close stdout; fatal on error.  Call once, at the end of main. */
void kc_out_close(void);

/* Shared handling for a failed write to a stream ("stdout", a file name). */
void kc_out_fail(const char *what);

/*
 * Bad input in a filter: writes (and flushes) an "error" record with
 * stage kc_prog, the message and "fatal": true, for the later stages,
 * then exits 1 with the message on stderr.
 */
_Noreturn void kc_out_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
