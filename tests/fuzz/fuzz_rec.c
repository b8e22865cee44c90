/*
 * fuzz_rec.c - libFuzzer target for the record reader and the record
 * checker (src/lib/rec.c): the input is read as JSON Lines, and every
 * record is checked with kc_rec_check.
 *
 * Besides "no crash, no out-of-bounds access" (ASan, UBSan), it checks
 * the promises rec.h makes: a reader error or a refused record comes with
 * a reason, an accepted one has no reason, the reason fits any buffer
 * (down to none at all) and does not depend on the buffer's size beyond
 * being cut short; and a record the checker accepts really is within the
 * bounds the stages rely on, checked here again in plain code, apart from
 * the checker's tables.  A broken promise aborts, which libFuzzer reports
 * as a crash with the input saved.
 *
 * The unit tests (tests/unit/test_rec.c) include this file and replay the
 * corpus in tests/fuzz/corpus/rec/ through the same entry point.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rec.h"

#define FCHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_rec: %s:%d: broken: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

static int
is(const char *type, const char *name)
{
	return strcmp(type, name) == 0;
}

/* rec[key] is a number in [lo, hi], or absent when it may be. */
static int
num_in(const json_t *rec, const char *key, double lo, double hi, int need)
{
	json_t *v = json_object_get(rec, key);

	if (v == NULL)
		return !need;
	return json_is_number(v) && json_number_value(v) >= lo &&
	    json_number_value(v) <= hi;
}

static int
time_ok(const json_t *rec, const char *key, int need)
{
	return num_in(rec, key, 0, KC_REC_TIME_MAX, need);
}

static int
kind_ok(const json_t *rec)
{
	const char *k = json_string_value(json_object_get(rec, "kind"));

	return k != NULL && (strcmp(k, "audio") == 0 ||
	    strcmp(k, "video") == 0);
}

static int
features_ok(const json_t *f, size_t max)
{
	const char *name;
	json_t *v;

	if (!json_is_object(f) || json_object_size(f) > max)
		return 0;
	json_object_foreach((json_t *)f, name, v)
		if (!json_is_number(v) && !json_is_null(v))
			return 0;
	return 1;
}

/* t0 before t1 (or equal when not strict), both present. */
static int
ordered(const json_t *rec, int strict)
{
	double a = json_number_value(json_object_get(rec, "t0"));
	double b = json_number_value(json_object_get(rec, "t1"));

	return strict ? a < b : a <= b;
}

/* What an accepted record promises, for the types the stages read. */
static void
accepted(const json_t *rec)
{
	const char *type = kc_rec_type(rec);
	json_t *v, *range;

	if (is(type, "stream")) {
		v = json_object_get(rec, "v");
		FCHECK(json_is_integer(v) && json_integer_value(v) >= 1 &&
		    json_integer_value(v) <= KC_RECORDS_VERSION);
		FCHECK(num_in(rec, "hop", KC_REC_HOP_MIN, KC_REC_HOP_MAX, 0));
		FCHECK(time_ok(rec, "start", 0));
		v = json_object_get(rec, "end");
		FCHECK(v == NULL || json_is_null(v) || time_ok(rec, "end", 1));
		if (json_is_number(v) && json_object_get(rec, "start"))
			FCHECK(json_number_value(v) >= json_number_value(
			    json_object_get(rec, "start")));
	} else if (is(type, "segment")) {
		FCHECK(json_is_integer(json_object_get(rec, "seq")));
		FCHECK(time_ok(rec, "t0", 1) && time_ok(rec, "t1", 1) &&
		    ordered(rec, 0));
		range = json_object_get(rec, "range");
		if (kc_rec_str(rec, "file") != NULL) {
			FCHECK(*kc_rec_str(rec, "file") != '\0');
			FCHECK(json_object_get(rec, "path") == NULL);
			FCHECK(json_is_array(range) &&
			    json_array_size(range) == 2);
			FCHECK(json_number_value(json_array_get(range, 0)) >= 0);
			FCHECK(json_number_value(json_array_get(range, 0)) <=
			    json_number_value(json_array_get(range, 1)));
			FCHECK(json_number_value(json_array_get(range, 1)) <=
			    KC_REC_TIME_MAX);
			FCHECK(fabs(json_number_value(json_array_get(range, 1)) -
			    json_number_value(json_array_get(range, 0)) -
			    (json_number_value(json_object_get(rec, "t1")) -
			    json_number_value(json_object_get(rec, "t0")))) <=
			    KC_REC_RANGE_SLACK);
		} else {
			FCHECK(kc_rec_str(rec, "path") != NULL &&
			    *kc_rec_str(rec, "path") != '\0');
			FCHECK(range == NULL);
		}
	} else if (is(type, "afeat") || is(type, "vfeat")) {
		FCHECK(time_ok(rec, "t", 1));
		FCHECK(num_in(rec, "dur", 0, KC_REC_HOP_MAX, 1) &&
		    json_number_value(json_object_get(rec, "dur")) > 0);
		FCHECK(features_ok(json_object_get(rec, "features"),
		    KC_REC_HOP_FEATURES));
	} else if (is(type, "highlight") || is(type, "clip") ||
	    is(type, "rated")) {
		FCHECK(kind_ok(rec));
		FCHECK(time_ok(rec, "t0", 1) && time_ok(rec, "t1", 1) &&
		    ordered(rec, 1));
		if (is(type, "highlight"))
			FCHECK(num_in(rec, "score", 0, 1, 1));
		if (is(type, "clip"))
			FCHECK(kc_rec_str(rec, "path") != NULL &&
			    *kc_rec_str(rec, "path") != '\0');
		if (is(type, "rated"))
			FCHECK(num_in(rec, "stars", 1, 5, 1) &&
			    json_is_integer(json_object_get(rec, "stars")));
		v = json_object_get(rec, "features");
		FCHECK(v == NULL || json_is_null(v) ||
		    features_ok(v, KC_REC_FEATURES));
	} else if (is(type, "gap")) {
		FCHECK(time_ok(rec, "t0", 1) && time_ok(rec, "t1", 1) &&
		    ordered(rec, 0));
	} else if (is(type, "end")) {
		FCHECK(kc_rec_str(rec, "stream") != NULL);
	}
}

/* The checker's verdict with buffers of several sizes: the same, and the
 * reason cut short, never overrun. */
static void
check_record(const json_t *rec)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 40 };
	char why[600], small[48];
	size_t i;
	int rc, rc2;

	memset(why, 'x', sizeof(why));
	rc = kc_rec_check(rec, why, sizeof(why));
	FCHECK(rc == 0 || rc == -1);
	FCHECK(memchr(why, '\0', sizeof(why)) != NULL);
	if (rc == 0) {
		FCHECK(why[0] == '\0');
		accepted(rec);
	} else {
		FCHECK(strncmp(why, kc_rec_type(rec), strlen(kc_rec_type(rec)))
		    == 0 && strlen(why) > strlen(kc_rec_type(rec)) + 2);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(small, 'y', sizeof(small));
		rc2 = kc_rec_check(rec, small, sizes[i]);
		FCHECK(rc2 == rc);
		if (sizes[i] == 0) {
			FCHECK(small[0] == 'y');
			continue;
		}
		FCHECK(small[sizes[i]] == 'y');
		FCHECK(memchr(small, '\0', sizes[i]) != NULL);
		FCHECK(strncmp(small, why, strlen(small)) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kc_reader *r;
	json_t *rec;
	FILE *fp;
	int rc, n = 0;

	if (size == 0)
		return 0;
	if ((fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	if ((r = kc_reader_new(fp, "fuzz")) == NULL) {
		fclose(fp);
		return 0;
	}
	while ((rc = kc_reader_next(r, &rec)) != 0 && n++ < 10000) {
		/* the raw line for pass-through: its length, then a NUL */
		FCHECK(kc_reader_raw(r)[kc_reader_rawlen(r)] == '\0');
		if (rc < 0) {
			FCHECK(rec == NULL && *kc_reader_error(r) != '\0');
			continue;
		}
		FCHECK(rc == 1 && json_is_object(rec) && kc_rec_type(rec) &&
		    *kc_rec_type(rec) != '\0');
		check_record(rec);
		json_decref(rec);
	}
	kc_reader_free(r);
	fclose(fp);
	return 0;
}
