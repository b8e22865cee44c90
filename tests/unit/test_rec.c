/*
 * test_rec.c - unit tests of the record checker (kc_rec_check in rec.c):
 * records as kc's programs write them pass; each bound of
 * docs/records.md ("What every reader checks") holds at its edge and
 * refuses just past it; wrong types, missing keys, relations between
 * keys and newer versions are refused with the documented words and the
 * value; reasons fit any buffer.  Expected verdicts and messages are
 * written here from docs/records.md, not taken from the code under test.
 * The fuzz corpus (tests/fuzz/corpus/rec) is replayed through the
 * fuzzer's own entry point, included from tests/fuzz/fuzz_rec.c.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "check.h"
#include "rec.h"

#include "../fuzz/fuzz_rec.c"

/* json (one record) must pass, or fail with exactly want. */
static void
expect(const char *json, const char *want)
{
	json_error_t je;
	json_t *rec = json_loads(json, JSON_REJECT_DUPLICATES, &je);
	char why[600];
	int rc;

	if (rec == NULL)
		fail_msg("test record is not JSON: %s: %s", je.text, json);
	memset(why, 'x', sizeof(why));
	rc = kc_rec_check(rec, why, sizeof(why));
	if (want == NULL && rc != 0)
		fail_msg("refused: %s\n  why: %s", json, why);
	if (want == NULL && why[0] != '\0')
		fail_msg("accepted but a reason: %s", why);
	if (want != NULL && rc != -1)
		fail_msg("accepted: %s\n  wanted: %s", json, want);
	if (want != NULL && strcmp(why, want) != 0)
		fail_msg("%s\n  got:    %s\n  wanted: %s", json, why, want);
	json_decref(rec);
}

#define STREAM "\"type\":\"stream\",\"v\":1"
#define FEATS "\"features\":{\"rms_mean\":0.1,\"lufs_momentary\":null}"

static void
test_as_written(void **state)
{
	(void)state;
	/* what kc-fetch writes for a file, and for HLS (docs/records.md) */
	expect("{" STREAM ",\"id\":\"0123456789abcdef\",\"url\":\"/m/a b.mp4\","
	    "\"analysis\":\"/m/a b.mp4\",\"cut\":\"/m/a b.mp4\",\"duration\":"
	    "40000.5,\"live\":false,\"title\":\"A\",\"channel\":null,\"start\":"
	    "0,\"end\":40000.5,\"has_audio\":true,\"has_video\":true,\"fps\":"
	    "29.97,\"width\":1920,\"height\":1080,\"hop\":1}", NULL);
	expect("{" STREAM ",\"id\":\"x\",\"duration\":null,\"live\":true,"
	    "\"start\":0,\"end\":null,\"quality\":{\"analysis\":\"160p30\","
	    "\"cut\":\"source\"},\"pdt0\":1733390000.25}", NULL);
	expect("{" STREAM ",\"pdt0\":null}", NULL);
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":60,\"file\":"
	    "\"/m/a.mp4\",\"range\":[0,60]}", NULL);
	expect("{\"type\":\"segment\",\"seq\":17,\"t0\":6,\"t1\":12,\"path\":"
	    "\"/sp/x.ts\",\"ack\":\"/sp/x\",\"discontinuity\":true}", NULL);
	expect("{\"type\":\"afeat\",\"t\":12,\"dur\":1," FEATS "}", NULL);
	expect("{\"type\":\"vfeat\",\"t\":12,\"dur\":0.2,\"features\":{}}",
	    NULL);
	expect("{\"type\":\"highlight\",\"kind\":\"audio\",\"t0\":10,\"t1\":"
	    "40,\"score\":0.9,\"heuristic\":0.9,\"model\":null,"
	    "\"model_weight\":0,\"rank\":null,\"live\":true,\"decided\":42,"
	    "\"features\":{\"a\":1,\"a_z\":-0.5}}", NULL);
	/* the third kind, picked from the chat's own scores */
	expect("{\"type\":\"highlight\",\"kind\":\"chat\",\"t0\":10,\"t1\":"
	    "40,\"score\":0.7,\"heuristic\":0.7,\"model\":null,"
	    "\"model_weight\":0,\"rank\":1,\"features\":{\"msg_rate_z\":"
	    "2.5}}", NULL);
	expect("{\"type\":\"clip\",\"path\":\"/o/c_chat.mp4\",\"t0\":9.5,"
	    "\"t1\":40,\"kind\":\"chat\",\"score\":0.7,\"rank\":1}", NULL);
	expect("{\"type\":\"rated\",\"id\":2,\"kind\":\"chat\",\"t0\":0,"
	    "\"t1\":30,\"stars\":4,\"features\":{}}", NULL);
	expect("{\"type\":\"clip\",\"path\":\"/o/c.mp4\",\"t0\":9.5,\"t1\":40,"
	    "\"kind\":\"video\",\"score\":0.5,\"heuristic\":0.5,\"model\":"
	    "null,\"model_weight\":0,\"rank\":1,\"features\":{},\"want_t0\":"
	    "10,\"want_t1\":40,\"mode\":\"copy\",\"url\":\"/m/a\",\"stream\":"
	    "\"s\",\"id\":3}", NULL);
	expect("{\"type\":\"featstats\",\"stream\":null,\"channel\":\"c\","
	    "\"audio\":{\"hops\":100,\"features\":{\"x\":[0.5,0.1],\"y\":"
	    "[null,null]}}}", NULL);
	expect("{\"type\":\"gap\",\"t0\":5,\"t1\":5,\"stage\":\"kc-fetch\","
	    "\"reason\":\"HTTP 404\"}", NULL);
	expect("{\"type\":\"error\",\"stage\":\"kc-cut\",\"message\":\"m\","
	    "\"fatal\":true}", NULL);
	expect("{\"type\":\"end\",\"stream\":\"0123456789abcdef\"}", NULL);
	expect("{\"type\":\"rated\",\"id\":1,\"stream\":null,\"channel\":null,"
	    "\"kind\":\"audio\",\"t0\":0,\"t1\":30,\"stars\":5,\"score\":0.4,"
	    "\"heuristic\":0.4,\"model\":null,\"model_weight\":0,\"rated_at\":"
	    "\"2025-01-01T00:00:00.000Z\",\"features\":{\"a_z\":1}}", NULL);
	/* the peak a poster shows; a clip's poster, strip, vertical copy */
	expect("{\"type\":\"highlight\",\"kind\":\"video\",\"t0\":10,"
	    "\"t1\":40,\"score\":0.5,\"peak\":17.5}", NULL);
	expect("{\"type\":\"highlight\",\"kind\":\"video\",\"t0\":10,"
	    "\"t1\":40,\"score\":0.5,\"peak\":\"17\"}",
	    "highlight: \"peak\" is not a number: \"17\"");
	expect("{\"type\":\"clip\",\"path\":\"/o/c.mp4\",\"t0\":9.5,\"t1\":40,"
	    "\"kind\":\"video\",\"poster\":\"/o/c.jpg\",\"strip\":"
	    "\"/o/c.strip.jpg\",\"strip_frames\":8,\"vertical_path\":"
	    "\"/o/c.vertical.mp4\",\"vertical_mode\":\"fit\"}", NULL);
	expect("{\"type\":\"clip\",\"path\":\"/o/c.mp4\",\"t0\":9.5,\"t1\":40,"
	    "\"kind\":\"video\",\"poster\":null,\"vertical_path\":null}", NULL);
	expect("{\"type\":\"clip\",\"path\":\"/o/c.mp4\",\"t0\":9.5,\"t1\":40,"
	    "\"kind\":\"video\",\"poster\":\"\"}",
	    "clip: \"poster\" is empty");
	expect("{\"type\":\"clip\",\"path\":\"/o/c.mp4\",\"t0\":9.5,\"t1\":40,"
	    "\"kind\":\"video\",\"strip_frames\":0}",
	    "clip: \"strip_frames\" out of range 1 to 100: 0");
	/* other types, and keys no type lists, are not looked at */
	expect("{\"type\":\"curve\",\"t0\":-5,\"values\":\"x\"}", NULL);
	expect("{\"type\":\"progress\",\"done\":\"x\"}", NULL);
	expect("{" STREAM ",\"extra\":[1,\"x\"],\"t\":-1}", NULL);
}

static void
test_bounds(void **state)
{
	(void)state;
	/* times: 0 to 1e6 s, both ends included */
	expect("{\"type\":\"afeat\",\"t\":0,\"dur\":1," FEATS "}", NULL);
	expect("{\"type\":\"afeat\",\"t\":1000000,\"dur\":1," FEATS "}", NULL);
	expect("{\"type\":\"afeat\",\"t\":1000000.001,\"dur\":1," FEATS "}",
	    "afeat: \"t\" out of range 0 to 1000000: 1000000.001");
	expect("{\"type\":\"afeat\",\"t\":-0.5,\"dur\":1," FEATS "}",
	    "afeat: \"t\" out of range 0 to 1000000: -0.5");
	expect("{\"type\":\"afeat\",\"t\":1e19,\"dur\":1," FEATS "}",
	    "afeat: \"t\" out of range 0 to 1000000: 1e19");
	expect("{\"type\":\"vfeat\",\"t\":1e9,\"dur\":1," FEATS "}",
	    "vfeat: \"t\" out of range 0 to 1000000: 1000000000.0");
	/* dur: above 0, at most 60 */
	expect("{\"type\":\"afeat\",\"t\":0,\"dur\":1e-9," FEATS "}", NULL);
	expect("{\"type\":\"afeat\",\"t\":0,\"dur\":60," FEATS "}", NULL);
	expect("{\"type\":\"afeat\",\"t\":0,\"dur\":0," FEATS "}",
	    "afeat: \"dur\" out of range above 0 to 60: 0");
	expect("{\"type\":\"afeat\",\"t\":0,\"dur\":60.5," FEATS "}",
	    "afeat: \"dur\" out of range above 0 to 60: 60.5");
	/* hop: 0.05 to 60 */
	expect("{" STREAM ",\"hop\":0.05}", NULL);
	expect("{" STREAM ",\"hop\":60}", NULL);
	expect("{" STREAM ",\"hop\":0.049}",
	    "stream: \"hop\" out of range 0.05 to 60: 0.049");
	expect("{" STREAM ",\"hop\":1e-9}",
	    "stream: \"hop\" out of range 0.05 to 60: 1e-9");
	expect("{" STREAM ",\"hop\":61}",
	    "stream: \"hop\" out of range 0.05 to 60: 61");
	/* the range of a segment, a highlight's time */
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":7,\"file\":"
	    "\"x\",\"range\":[1e17,1.00000000000000007e17]}",
	    "segment: \"range\" is not [a, b] with 0 <= a <= b <= 1000000: "
	    "[1e17,1e17]");
	expect("{\"type\":\"highlight\",\"kind\":\"audio\",\"t0\":1.8e302,"
	    "\"t1\":1.9e302,\"score\":0.5}",
	    "highlight: \"t0\" out of range 0 to 1000000: 1.8e302");
	/* the media may be longer than the range analysed */
	expect("{" STREAM ",\"duration\":2000000,\"start\":0,\"end\":"
	    "1000}", NULL);
	expect("{" STREAM ",\"duration\":1e12}",
	    "stream: \"duration\" out of range 0 to 100000000000: 1e12");
	expect("{" STREAM ",\"end\":1000001}",
	    "stream: \"end\" out of range 0 to 1000000: 1000001");
	/* counts */
	expect("{\"type\":\"segment\",\"seq\":9007199254740992,\"t0\":0,"
	    "\"t1\":1,\"path\":\"p\"}", NULL);
	expect("{\"type\":\"segment\",\"seq\":9007199254740993,\"t0\":0,"
	    "\"t1\":1,\"path\":\"p\"}", "segment: \"seq\" out of range 0 to "
	    "9007199254740992: 9007199254740993");
	expect("{\"type\":\"segment\",\"seq\":-1,\"t0\":0,\"t1\":1,\"path\":"
	    "\"p\"}", "segment: \"seq\" out of range 0 to 9007199254740992: -1");
	expect("{\"type\":\"rated\",\"id\":1,\"kind\":\"audio\",\"t0\":0,"
	    "\"t1\":1,\"stars\":6,\"features\":{}}",
	    "rated: \"stars\" out of range 1 to 5: 6");
	expect("{\"type\":\"highlight\",\"kind\":\"audio\",\"t0\":0,\"t1\":1,"
	    "\"score\":1.5}", "highlight: \"score\" out of range 0 to 1: 1.5");
	expect("{\"type\":\"featstats\",\"video\":{\"hops\":1000000001}}",
	    "featstats: \"video\".\"hops\" is not an integer 0 to 1000000000: "
	    "1000000001");
}

/* A features object of n entries. */
static char *
features(int n)
{
	size_t cap = 64 + (size_t)n * 16, k;
	char *s = malloc(cap);
	int i;

	assert_non_null(s);
	k = (size_t)snprintf(s, cap, "{\"type\":\"afeat\",\"t\":0,\"dur\":1,"
	    "\"features\":{");
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(s + k, cap - k, "%s\"f%d\":%d", i ? "," :
		    "", i, i);
	snprintf(s + k, cap - k, "}}");
	return s;
}

static void
test_features(void **state)
{
	char *s;

	(void)state;
	s = features(96);
	expect(s, NULL);
	free(s);
	s = features(97);
	expect(s, "afeat: \"features\" has more than 96 features: 97");
	free(s);
	expect("{\"type\":\"vfeat\",\"t\":0,\"dur\":1,\"features\":{\"a\":1,"
	    "\"motion\":\"high\"}}",
	    "vfeat: feature \"motion\" is not a number or null: \"high\"");
	expect("{\"type\":\"vfeat\",\"t\":0,\"dur\":1,\"features\":[1]}",
	    "vfeat: \"features\" is not an object: [1]");
	expect("{\"type\":\"vfeat\",\"t\":0,\"dur\":1}",
	    "vfeat: missing \"features\"");
	expect("{\"type\":\"featstats\",\"audio\":{\"features\":{\"a\":[1]}}}",
	    "featstats: \"audio\" feature \"a\" is not [median, scale]: [1]");
}

static void
test_types(void **state)
{
	(void)state;
	expect("{" STREAM ",\"hop\":\"1\"}",
	    "stream: \"hop\" is not a number: \"1\"");
	expect("{\"type\":\"afeat\",\"t\":\"1\",\"dur\":1," FEATS "}",
	    "afeat: \"t\" is not a number: \"1\"");
	expect("{\"type\":\"afeat\",\"dur\":1," FEATS "}",
	    "afeat: missing \"t\"");
	expect("{\"type\":\"afeat\",\"t\":null,\"dur\":1," FEATS "}",
	    "afeat: \"t\" is null");
	expect("{" STREAM ",\"end\":null,\"duration\":null,\"channel\":null}",
	    NULL);
	expect("{" STREAM ",\"start\":null}", "stream: \"start\" is null");
	expect("{" STREAM ",\"live\":1}", "stream: \"live\" is not true or "
	    "false: 1");
	expect("{" STREAM ",\"width\":640.5}",
	    "stream: \"width\" is not an integer: 640.5");
	expect("{" STREAM ",\"id\":\"\"}", "stream: \"id\" is empty");
	expect("{" STREAM ",\"cut\":5}", "stream: \"cut\" is not a string: 5");
	expect("{" STREAM ",\"quality\":\"best\"}",
	    "stream: \"quality\" is not an object: \"best\"");
	expect("{\"type\":\"clip\",\"path\":\"/x.mp4\",\"kind\":\"speech\","
	    "\"t0\":0,\"t1\":5}",
	    "clip: \"kind\" is not \"audio\", \"video\" or \"chat\": "
	    "\"speech\"");
	/* kinds are matched exactly: no case folding, no prefix */
	expect("{\"type\":\"highlight\",\"kind\":\"Chat\",\"t0\":0,"
	    "\"t1\":5,\"score\":0.5}",
	    "highlight: \"kind\" is not \"audio\", \"video\" or \"chat\": "
	    "\"Chat\"");
	expect("{\"type\":\"rated\",\"id\":1,\"kind\":\"chatter\",\"t0\":0,"
	    "\"t1\":1,\"stars\":2,\"features\":{}}",
	    "rated: \"kind\" is not \"audio\", \"video\" or \"chat\": "
	    "\"chatter\"");
	expect("{\"type\":\"clip\",\"path\":\"/x.mp4\",\"kind\":2,"
	    "\"t0\":0,\"t1\":5}",
	    "clip: \"kind\" is not \"audio\", \"video\" or \"chat\": 2");
	expect("{\"type\":\"clip\",\"kind\":\"audio\",\"t0\":0,\"t1\":5}",
	    "clip: missing \"path\"");
	expect("{\"type\":\"end\"}", "end: missing \"stream\"");
	expect("{\"type\":\"end\",\"stream\":5}",
	    "end: \"stream\" is not a string: 5");
	expect("{\"type\":\"rated\",\"id\":1,\"kind\":\"audio\",\"t0\":0,"
	    "\"t1\":1,\"stars\":2.5,\"features\":{}}",
	    "rated: \"stars\" is not an integer: 2.5");
	expect("{\"type\":\"error\",\"stage\":\"kc-cut\"}",
	    "error: missing \"message\"");
	expect("{\"type\":\"gap\",\"t0\":1,\"t1\":2,\"stage\":\"s\"}",
	    "gap: missing \"reason\"");
}

static void
test_versions(void **state)
{
	(void)state;
	expect("{\"type\":\"stream\",\"v\":\"1\"}", "stream: \"v\" is not a "
	    "records version (an integer from 1): \"1\"");
	expect("{\"type\":\"stream\",\"v\":null}", "stream: \"v\" is null");
	expect("{\"type\":\"stream\",\"v\":1.0}", "stream: \"v\" is not a "
	    "records version (an integer from 1): 1.0");
	expect("{\"type\":\"stream\",\"v\":0}", "stream: \"v\" is not a "
	    "records version (an integer from 1): 0");
	expect("{\"type\":\"stream\"}", "stream: missing \"v\"");
	expect("{\"type\":\"stream\",\"v\":2}", "stream: records version 2 "
	    "is newer than this program reads (1)");
	expect("{\"type\":\"stream\",\"v\":99}", "stream: records version 99 "
	    "is newer than this program reads (1)");
}

static void
test_relations(void **state)
{
	(void)state;
	expect("{" STREAM ",\"start\":100,\"end\":50}",
	    "stream: \"end\" before \"start\": start 100, end 50");
	expect("{" STREAM ",\"start\":50,\"end\":50}", NULL);
	expect("{" STREAM ",\"start\":50}", NULL);
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":7,\"t1\":3,\"path\":"
	    "\"p\"}", "segment: \"t1\" before \"t0\": t0 7, t1 3");
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":3,\"t1\":3,\"path\":"
	    "\"p\"}", NULL);
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":7,\"file\":"
	    "\"x\",\"range\":[0,7],\"path\":\"p\"}", "segment: needs \"file\" "
	    "and \"range\", or \"path\" (not both)");
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":7}",
	    "segment: needs \"file\" and \"range\", or \"path\" (not both)");
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":7,\"file\":"
	    "\"x\"}", "segment: needs \"file\" and \"range\", or \"path\" "
	    "(not both)");
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":7,\"file\":"
	    "\"x\",\"range\":[7,0]}", "segment: \"range\" is not [a, b] with "
	    "0 <= a <= b <= 1000000: [7,0]");
	/* a range as long as the stream time it covers, within 1 ms */
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":60,\"t1\":120,"
	    "\"file\":\"x\",\"range\":[10,70.0009]}", NULL);
	expect("{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":1000000,"
	    "\"file\":\"x\",\"range\":[0,1]}", "segment: \"range\" [0, 1] is "
	    "not as long as \"t0\" to \"t1\": t0 0, t1 1000000");
	expect("{\"type\":\"highlight\",\"kind\":\"audio\",\"t0\":30,\"t1\":"
	    "30,\"score\":0.5}", "highlight: \"t1\" not after \"t0\": t0 30, "
	    "t1 30");
	expect("{\"type\":\"clip\",\"path\":\"/c\",\"kind\":\"audio\",\"t0\":0,"
	    "\"t1\":5,\"want_t0\":5,\"want_t1\":1}", "clip: \"want_t1\" not "
	    "after \"want_t0\": want_t0 5, want_t1 1");
	expect("{\"type\":\"clip\",\"path\":\"/c\",\"kind\":\"audio\",\"t0\":0,"
	    "\"t1\":5,\"want_t0\":null,\"want_t1\":1}", NULL);
	expect("{\"type\":\"gap\",\"t0\":2,\"t1\":1,\"stage\":\"s\","
	    "\"reason\":\"r\"}", "gap: \"t1\" before \"t0\": t0 2, t1 1");
}

/* A reason is cut to the buffer, never overruns it, and none is needed. */
/* The kinds' numbers are the model's "kind" input (kc-train, kc-score):
 * they must not move. */
static void
test_kinds(void **state)
{
	(void)state;
	assert_int_equal(KC_REC_NKINDS, 3);
	assert_int_equal(kc_rec_kind("audio"), 0);
	assert_int_equal(kc_rec_kind("video"), 1);
	assert_int_equal(kc_rec_kind("chat"), 2);
	assert_int_equal(kc_rec_kind(NULL), -1);
	assert_int_equal(kc_rec_kind(""), -1);
	assert_int_equal(kc_rec_kind("both"), -1);
	assert_int_equal(kc_rec_kind("chat "), -1);
	assert_int_equal(kc_rec_kind("Audio"), -1);
	assert_string_equal(KC_REC_KINDS_TEXT, "audio, video or chat");
}

static void
test_buffers(void **state)
{
	static const char want[] = "afeat: \"t\" out of range 0 to 1000000: -1";
	static const char head[] = "stream: \"url\" is not a string: [\"aaaa";
	json_t *rec = json_loads("{\"type\":\"afeat\",\"t\":-1,\"dur\":1,"
	    "\"features\":{}}", 0, NULL);
	json_t *big = json_pack("{s:s, s:i}", "type", "stream", "v", 1);
	char buf[sizeof(want) + 2], why[600], *longstr;
	size_t n;

	(void)state;
	assert_non_null(rec);
	assert_non_null(big);
	assert_int_equal(kc_rec_check(rec, NULL, 0), -1);
	for (n = 1; n <= sizeof(want) + 1; n++) {
		memset(buf, 'z', sizeof(buf));
		assert_int_equal(kc_rec_check(rec, buf, n), -1);
		if (n < sizeof(buf))
			assert_int_equal(buf[n], 'z');
		assert_int_equal(strlen(buf), n <= sizeof(want) ? n - 1 :
		    sizeof(want) - 1);
		assert_memory_equal(buf, want, strlen(buf));
	}
	/* a long value is shown cut short */
	longstr = malloc(5000);
	assert_non_null(longstr);
	memset(longstr, 'a', 4999);
	longstr[4999] = '\0';
	json_object_set_new(big, "url", json_pack("[s]", longstr));
	assert_int_equal(kc_rec_check(big, why, sizeof(why)), -1);
	assert_true(strncmp(why, head, strlen(head)) == 0);
	assert_true(strlen(why) < 120);
	assert_string_equal(why + strlen(why) - 3, "...");
	free(longstr);
	json_decref(big);
	json_decref(rec);
}

static void
test_corpus(void **state)
{
	(void)state;
	replay_corpus("rec", LLVMFuzzerTestOneInput, 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_written),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_relations),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_buffers),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
