/*
 * rec.h - reading and writing kc records (JSON Lines, see docs/records.md).
 *
 * A record is one JSON object per line with a string "type".  The reader
 * keeps the raw text of the last line so a filter can pass records it does
 * not consume through byte for byte.  Library code: returns codes, never
 * prints.
 */
#ifndef KC_REC_H
#define KC_REC_H

#include <stdio.h>
#include <jansson.h>

/* The records format version this build reads and writes. */
#define KC_RECORDS_VERSION 1

/* Longest record line accepted, in bytes. */
#define KC_REC_MAX_LINE (64L * 1024 * 1024)

/* JSON dump flags used for every record kc writes. */
#define KC_REC_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

typedef struct kc_reader kc_reader;

/*
 * name is used in locations ("<stdin>:42"); fp is not closed by _free.
 * The reader reads fp's descriptor itself: nothing else may read fp.
 */
kc_reader *kc_reader_new(FILE *fp, const char *name);
void kc_reader_free(kc_reader *r);

/*
 * Reads the next record, skipping blank lines.  Returns 1 and a new
 * reference in *rec, 0 at end of input, -1 on a malformed line or a read
 * error (see kc_reader_error).  After an error the reader may be used
 * again: it resumes at the next line.
 */
int kc_reader_next(kc_reader *r, json_t **rec);

/*
 * With on, waiting for input also watches stdout: when its reader is gone
 * (a pipe whose reading end closed), the program ends as after a failed
 * write (kc_out_fail: the exit hook, then SIGPIPE).  For filters whose
 * downstream may die while upstream writes nothing.
 */
void kc_reader_watch_output(kc_reader *r, int on);

const char *kc_reader_error(const kc_reader *r);	/* last error text */
const char *kc_reader_where(const kc_reader *r);	/* "name:line" */
const char *kc_reader_raw(const kc_reader *r);	/* last line, no '\n' */
size_t kc_reader_rawlen(const kc_reader *r);

/* Accessors; NULL / -1 when the key is missing or of another type. */
const char *kc_rec_type(const json_t *rec);
const char *kc_rec_str(const json_t *rec, const char *key);
int kc_rec_num(const json_t *rec, const char *key, double *out);
int kc_rec_bool(const json_t *rec, const char *key, int *out);

/*
 * The bounds records are checked against (docs/records.md, "What every
 * reader checks").  Stream times and durations stay within [0,
 * KC_REC_TIME_MAX] seconds (about 11.5 days, longer than any broadcast a
 * platform keeps; it keeps a hop index below 2e7 at the shortest hop, and
 * sample counts at 22050 Hz exact in a double), hops within
 * [KC_REC_HOP_MIN, KC_REC_HOP_MAX].
 */
#define KC_REC_TIME_MAX 1e6	/* seconds */
#define KC_REC_HOP_MIN 0.05	/* seconds: a stream's hop (an audio frame) */
#define KC_REC_HOP_MAX 60	/* seconds: a stream's hop, a hop's dur */
#define KC_REC_PDT_MAX 1e11	/* seconds: pdt0 (Unix time, year 5138),
				   a stream's media duration */
#define KC_REC_SEQ_MAX 9007199254740992.0	/* 2^53: seq, ids */
#define KC_REC_COUNT_MAX 1e9	/* counts: featstats hops */
#define KC_REC_RANGE_SLACK 1e-3	/* seconds: a segment's range vs t1 - t0 */
#define KC_REC_HOP_FEATURES 96	/* features of an afeat/vfeat record */
#define KC_REC_FEATURES 1024	/* features of a highlight, clip, rated */

/*
 * Checks a record of a type kc reads (stream, segment, afeat, vfeat,
 * highlight, clip, featstats, gap, error, end, rated) against
 * docs/records.md: the keys it must have, the type and range of every
 * key it has, the relations between them (t0 <= t1, start <= end, one
 * of file+range and path, a range as long as t0..t1), and the records
 * version.  Keys it does not
 * know are not looked at, nor are records of other types (0).  Returns
 * 0 when the record is valid, -1 with a one-line reason naming the
 * record type, the key and the value in why, e.g. `afeat: "t" out of
 * range 0 to 1000000: 1e+19`.  Every stage calls it for the records it reads,
 * so they all accept and refuse the same records with the same words.
 */
int kc_rec_check(const json_t *rec, char *why, size_t n);

/*
 * The kinds of highlight (and so of clip and rated record), in the order
 * of the number the learned model is given for a clip's "kind": audio 0,
 * video 1, chat 2 (chat: picked from the chat's own scores).
 * KC_REC_KINDS_TEXT names them for messages.
 */
#define KC_REC_NKINDS 3
#define KC_REC_KINDS_TEXT "audio, video or chat"

/* The number of kind s (0 .. KC_REC_NKINDS - 1); -1 for anything else,
 * NULL included. */
int kc_rec_kind(const char *s);

/* A new record {"type": type}; NULL on allocation failure. */
json_t *kc_rec_new(const char *type);

/*
 * Serialises rec plus '\n' to fp.  Returns 0, or -1 with errno set (EPIPE
 * when the reader went away).
 */
int kc_rec_write(FILE *fp, const json_t *rec);

/* A number rounded to a few significant digits, so records stay short. */
json_t *kc_json_num(double v);

#endif
