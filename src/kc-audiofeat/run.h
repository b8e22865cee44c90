/*
 * run.h - the record loop of kc-audiofeat (run.c), apart from main.c's
 * option handling.
 */
#ifndef KC_AUDIOFEAT_RUN_H
#define KC_AUDIOFEAT_RUN_H

#include <stdio.h>

#define AF_RATE 22050		/* Hz: the analysis rate of docs/records.md */

struct af_opts {
	double hop;		/* > 0: replaces the stream record's hop */
	double tempo_window;	/* seconds */
	const char *ffmpeg;	/* program to run */
};

/* Sets the options and the exit hook that stops the decoder child. */
void af_init(const struct af_opts *o);

/*
 * Reads records from fp until its end, writing records to stdout.  name
 * is used in messages ("<stdin>").  Bad data is fatal (exit 1, after an
 * "error" record); a decoder failure is a "gap" record and a warning.
 */
void af_records(FILE *fp, const char *name);

/* End of all input: analyses what is pending and writes it. */
void af_done(void);

#endif
