/*
 * progress.h - one self-rewriting progress line on a terminal:
 * "label  42.0%  12.3x realtime  ETA 3:12  extra".
 *
 * Work is measured in media seconds; speed is media seconds per wall
 * second.  Updates are rate-limited (4 per second).  When the stream is
 * not a terminal nothing is drawn unless forced; then each update is a
 * plain line (no carriage return), written at the first update, at every
 * further tenth of the total and at least 60 s apart otherwise, for logs.
 */
#ifndef KC_PROGRESS_H
#define KC_PROGRESS_H

#include <stdio.h>

typedef struct kc_progress kc_progress;

/* total <= 0: unknown length (no percent, no ETA).  force: draw even when
 * fp is not a terminal (plain lines, see above). */
kc_progress *kc_progress_new(FILE *fp, const char *label, double total,
    int force);
void kc_progress_total(kc_progress *p, double total);
/* Work already done before p was made (a resumed run): the speed and ETA
 * count only what is done from here on, in p's own wall time. */
void kc_progress_base(kc_progress *p, double done);
void kc_progress_set(kc_progress *p, double done, const char *extra);
/* Ends the line (newline) if anything was drawn; frees p. */
void kc_progress_free(kc_progress *p);

/* Seconds since an arbitrary start, monotonic. */
double kc_now(void);

#endif
