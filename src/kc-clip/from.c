/*
 * from.c - kc-clip --from-highlights: cutting chosen highlights without
 * analysing again.  The file is what "kc-clip --json" wrote (a stream
 * record, then curves and highlights), perhaps cut down to the
 * highlights someone picked, their t0/t1 moved.  It is checked here,
 * before anything is cut, and handed to kc-cut as the stream record, the
 * highlights and an "end" record, which is what kc-db add needs to store
 * the stream's clips.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "clip.h"
#include "msg.h"
#include "rec.h"

/* Says what is wrong with the file at the reader's line. */
static void
bad(char *why, size_t n, kc_reader *r, const char *what)
{
	snprintf(why, n, "%s: %s", kc_reader_where(r), what);
}

static int
put(FILE *out, const json_t *rec, char *why, size_t n)
{
	if (kc_rec_write(out, rec) == 0)
		return 0;
	snprintf(why, n, "temporary file: %s", strerror(errno));
	return -1;
}

int
from_prepare(const char *file, FILE *out, long *nhl, char *why, size_t n)
{
	kc_reader *r;
	json_t *rec, *stream = NULL, *end;
	FILE *in;
	const char *type, *sid = NULL;
	char ck[400], msg[600];
	int rc, live, ret = -1;

	*nhl = 0;
	if (strcmp(file, "-") == 0)
		in = stdin;
	else if ((in = fopen(file, "r")) == NULL) {
		snprintf(why, n, "%s: %s", file, strerror(errno));
		return -1;
	}
	if ((r = kc_reader_new(in, strcmp(file, "-") == 0 ? "<stdin>" :
	    file)) == NULL) {
		snprintf(why, n, "out of memory");
		goto out;
	}
	while ((rc = kc_reader_next(r, &rec)) != 0) {
		if (rc < 0) {
			bad(why, n, r, kc_reader_error(r));
			goto out;
		}
		type = kc_rec_type(rec);
		if (kc_rec_check(rec, ck, sizeof(ck)) != 0) {
			bad(why, n, r, ck);
			json_decref(rec);
			goto out;
		}
		if (type && strcmp(type, "stream") == 0) {
			if (stream != NULL) {
				bad(why, n, r, "a second stream record (one "
				    "stream's highlights per file)");
				json_decref(rec);
				goto out;
			}
			if (kc_rec_bool(rec, "live", &live) == 0 && live) {
				snprintf(msg, sizeof(msg), "%s is a live "
				    "stream: its highlights are cut while it "
				    "airs, from media kept only then",
				    kc_rec_str(rec, "url") ? kc_rec_str(rec,
				    "url") : "it");
				bad(why, n, r, msg);
				json_decref(rec);
				goto out;
			}
			stream = rec;
			sid = kc_rec_str(rec, "id");
			if (put(out, rec, why, n) != 0)
				goto out;
			continue;
		}
		if (type && strcmp(type, "highlight") == 0) {
			if (stream == NULL) {
				bad(why, n, r, "a highlight before the stream "
				    "record (want what kc-clip --json wrote)");
				json_decref(rec);
				goto out;
			}
			(*nhl)++;
			rc = put(out, rec, why, n);
			json_decref(rec);
			if (rc != 0)
				goto out;
			continue;
		}
		/* curves, clips, progress: not for cutting */
		json_decref(rec);
	}
	if (stream == NULL) {
		snprintf(why, n, "%s: no stream record (want what kc-clip "
		    "--json wrote)", file);
		goto out;
	}
	if (*nhl == 0) {
		snprintf(why, n, "%s: no highlight records: nothing to cut",
		    file);
		goto out;
	}
	if ((end = kc_rec_new("end")) == NULL ||
	    json_object_set_new(end, "stream", json_string(sid)) != 0) {
		json_decref(end);
		snprintf(why, n, "out of memory");
		goto out;
	}
	rc = put(out, end, why, n);
	json_decref(end);
	if (rc != 0)
		goto out;
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(why, n, "temporary file: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	json_decref(stream);
	kc_reader_free(r);
	if (in != stdin)
		fclose(in);
	return ret;
}
