/*
 * spool.h - the segment spool's acknowledgement protocol (docs/records.md,
 * "segment"): kc-fetch downloads network media into a bounded spool of
 * files and may delete a file only when every decoding stage is done with
 * it.  A segment record that carries "ack": PREFIX asks each consumer to
 * write the segment's "seq" into the file PREFIX.ROLE once it no longer
 * needs the file (also when it skipped it).  Library code: codes only.
 */
#ifndef KC_SPOOL_H
#define KC_SPOOL_H

#include <jansson.h>

/*
 * Consumer side: if seg has "ack" and "seq", atomically replaces
 * PREFIX.role with the seq (temporary file + rename).  Returns 0 (also
 * when there is nothing to acknowledge), -1 with errno.
 */
int kc_spool_ack(const json_t *seg, const char *role);

/* The same with the prefix and seq given: PREFIX.role holds seq. */
int kc_spool_mark(const char *prefix, const char *role, long long seq);

/*
 * Producer side: the last seq acknowledged by role under prefix, in
 * *seq; -1 when nothing was acknowledged yet.  Returns 0, or -1 with
 * errno for a read error other than a missing file.
 */
int kc_spool_acked(const char *prefix, const char *role, long *seq);

#endif
