/*
 * test_kick.c - unit tests of the Kick API answer readers (kick.c): a
 * live and an offline channel, a channel's video list and one video,
 * shaped like Kick's answers (and like tests/lib/kickserver.py's); what
 * is taken and what is refused (playlists that are not http(s) URLs,
 * answers that are not JSON or of another shape); and the fuzz corpus
 * (tests/fuzz/corpus/kick) replayed through the fuzzer's entry point,
 * included from tests/fuzz/fuzz_kick.c.  Expected values are written here
 * from the answers, not taken from the code under test.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "kick.h"

#include "../fuzz/fuzz_kick.c"

#define UUID FUZZ_UUID

static const char live[] =
    "{\"id\":7,\"user_id\":42,\"slug\":\"streamer-one\",\"is_banned\":false,"
    "\"playback_url\":\"https://fa723fc1b171.us-west-2.playback.live-video"
    ".net/api/video/v1/us-west-2.1962.channel.xyz.m3u8?token=abc.def\","
    "\"livestream\":{\"id\":77001,\"slug\":\"a1b2c-late-night\","
    "\"session_title\":\"Late night chat \xf0\x9f\x8e\xa4\",\"is_live\":true,"
    "\"start_time\":\"2026-03-01 18:00:00\","
    "\"source\":null,\"categories\":[{\"id\":15}]},\"user\":{\"id\":42,"
    "\"username\":\"Streamer_One\"},\"chatroom\":{\"id\":7}}";

static void
test_channel(void **state)
{
	kc_kick_info k;
	char why[200] = "";
	char *s;

	(void)state;
	assert_int_equal(kc_kick_channel(live, strlen(live), &k, why,
	    sizeof(why)), KC_KICK_OK);
	assert_string_equal(k.url, "https://fa723fc1b171.us-west-2.playback."
	    "live-video.net/api/video/v1/us-west-2.1962.channel.xyz.m3u8?"
	    "token=abc.def");
	assert_string_equal(k.title, "Late night chat \xf0\x9f\x8e\xa4");
	assert_string_equal(k.channel, "Streamer_One");
	assert_true(k.live_id == 77001);
	/* what kc-chatfeat reads the chat with */
	assert_true(k.channel_id == 7);
	assert_true(k.chatroom_id == 7);
	assert_true(k.start == 1772388000.0);
	kc_kick_info_free(&k);
	assert_null(k.url);
	assert_true(isnan(k.start));

	/* offline: Kick still gives a playback_url, but no livestream */
	s = "{\"slug\":\"x\",\"playback_url\":\"https://h/live/x/master.m3u8\","
	    "\"livestream\":null,\"user\":{\"username\":\"X\"}}";
	assert_int_equal(kc_kick_channel(s, strlen(s), &k, why, sizeof(why)),
	    KC_KICK_NONE);
	assert_null(k.url);
	s = "{\"livestream\":{\"id\":1}}";
	assert_int_equal(kc_kick_channel(s, strlen(s), &k, why, sizeof(why)),
	    KC_KICK_NONE);
	s = "{\"livestream\":{\"id\":1},\"playback_url\":\"\"}";
	assert_int_equal(kc_kick_channel(s, strlen(s), &k, why, sizeof(why)),
	    KC_KICK_NONE);

	/* what is missing or of another type is left out */
	s = "{\"livestream\":{\"id\":\"77001\",\"session_title\":5},"
	    "\"playback_url\":\"http://127.0.0.1:8123/live/a/master.m3u8?t=1\","
	    "\"user\":\"x\"}";
	assert_int_equal(kc_kick_channel(s, strlen(s), &k, why, sizeof(why)),
	    KC_KICK_OK);
	assert_string_equal(k.url, "http://127.0.0.1:8123/live/a/master.m3u8?"
	    "t=1");
	assert_null(k.title);
	assert_null(k.channel);
	assert_true(k.live_id == 0);
	kc_kick_info_free(&k);
}

static void
test_refused(void **state)
{
	static const char *const urls[] = { "file:///etc/passwd",
	    "javascript:alert(1)", "ftp://h/a.m3u8", "http:///a.m3u8",
	    "https://", "//h/a.m3u8", "/live/a.m3u8", "https://h/a b.m3u8",
	    "https://h/a\\tb.m3u8", "https://h/a\\u0001.m3u8" };
	static const char *const bodies[] = { "",
	    "<!DOCTYPE html><title>Just a moment...</title>", "{\"a\":",
	    "{\"a\":1} x" };
	kc_kick_info k;
	char body[300], why[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		snprintf(body, sizeof(body), "{\"livestream\":{},"
		    "\"playback_url\":\"%s\"}", urls[i]);
		why[0] = '\0';
		if (kc_kick_channel(body, strlen(body), &k, why, sizeof(why)) !=
		    KC_KICK_BAD)
			fail_msg("playback_url %s: not refused", urls[i]);
		assert_null(k.url);
		assert_true(strncmp(why, "playback_url is not an http(s) URL: ",
		    36) == 0);
		snprintf(body, sizeof(body), "{\"source\":\"%s\"}", urls[i]);
		assert_int_equal(kc_kick_video(body, strlen(body), &k, why,
		    sizeof(why)), KC_KICK_BAD);
		assert_true(strncmp(why, "source is not", 13) == 0);
	}
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		why[0] = '\0';
		assert_int_equal(kc_kick_channel(bodies[i], strlen(bodies[i]),
		    &k, why, sizeof(why)), KC_KICK_BAD);
		assert_true(strncmp(why, "not JSON (", 10) == 0);
		assert_int_equal(kc_kick_videos(bodies[i], strlen(bodies[i]),
		    UUID, &k, NULL, 0), KC_KICK_BAD);
	}
	/* a length that says there is less than the text */
	assert_int_equal(kc_kick_channel(live, 40, &k, why, sizeof(why)),
	    KC_KICK_BAD);
}

static void
test_videos(void **state)
{
	char list[2000];
	kc_kick_info k;
	char why[200];

	(void)state;
	snprintf(list, sizeof(list), "[{\"id\":1,\"session_title\":\"first\","
	    "\"source\":\"https://h/vod/1/master.m3u8\",\"video\":{\"uuid\":"
	    "\"%s\"}},{\"session_title\":\"other\",\"source\":\"https://h/vod/"
	    "2/master.m3u8\",\"video\":{\"uuid\":\"other\"}},{\"session_title\":"
	    "\"again\",\"source\":\"https://h/vod/3/master.m3u8\",\"video\":"
	    "{\"uuid\":\"%s\"}},5,null,{\"video\":5}]", UUID, UUID);
	assert_int_equal(kc_kick_videos(list, strlen(list), UUID, &k, why,
	    sizeof(why)), KC_KICK_OK);
	/* listed twice: the last one */
	assert_string_equal(k.url, "https://h/vod/3/master.m3u8");
	assert_string_equal(k.title, "again");
	assert_null(k.channel);
	kc_kick_info_free(&k);
	assert_int_equal(kc_kick_videos(list, strlen(list), "other", &k, why,
	    sizeof(why)), KC_KICK_OK);
	assert_string_equal(k.title, "other");
	/* no channel_id nor start_time: unknown */
	assert_true(k.channel_id == 0);
	assert_true(isnan(k.start));
	kc_kick_info_free(&k);
	/* the first entry's, in ISO 8601 with a fraction */
	snprintf(list, sizeof(list), "[{\"session_title\":\"first\","
	    "\"channel_id\":7,\"start_time\":\"2026-03-01T18:00:00.250000Z\","
	    "\"source\":\"https://h/vod/1/master.m3u8\",\"video\":{\"uuid\":"
	    "\"%s\"}}]", UUID);
	assert_int_equal(kc_kick_videos(list, strlen(list), UUID, &k, why,
	    sizeof(why)), KC_KICK_OK);
	assert_true(k.channel_id == 7);
	assert_true(k.start == 1772388000.25);
	kc_kick_info_free(&k);
	/* a start_time of another form is unknown, not misread */
	snprintf(list, sizeof(list), "[{\"start_time\":\"01/03/2026 18:00\","
	    "\"source\":\"https://h/vod/1/master.m3u8\",\"video\":{\"uuid\":"
	    "\"%s\"}}]", UUID);
	assert_int_equal(kc_kick_videos(list, strlen(list), UUID, &k, why,
	    sizeof(why)), KC_KICK_OK);
	assert_true(isnan(k.start));
	kc_kick_info_free(&k);
	assert_int_equal(kc_kick_videos(list, strlen(list), "nope", &k, why,
	    sizeof(why)), KC_KICK_NONE);
	assert_int_equal(kc_kick_videos("[]", 2, UUID, &k, why, sizeof(why)),
	    KC_KICK_NONE);
	assert_int_equal(kc_kick_videos("{\"data\":[]}", 11, UUID, &k, why,
	    sizeof(why)), KC_KICK_NONE);
	snprintf(list, sizeof(list), "[{\"source\":null,\"video\":{\"uuid\":"
	    "\"%s\"}}]", UUID);
	assert_int_equal(kc_kick_videos(list, strlen(list), UUID, &k, why,
	    sizeof(why)), KC_KICK_NONE);
}

static void
test_video(void **state)
{
	const char *s = "{\"id\":901,\"uuid\":\"" UUID "\",\"source\":"
	    "\"http://127.0.0.1:8123/vod/" UUID "/master.m3u8\",\"livestream\":"
	    "{\"id\":5001,\"session_title\":\"Day one\",\"start_time\":"
	    "\"2026-03-01 18:00:00\",\"channel\":{\"id\":7,"
	    "\"slug\":\"streamer-one\"}}}";
	kc_kick_info k;
	char why[200];

	(void)state;
	assert_int_equal(kc_kick_video(s, strlen(s), &k, why, sizeof(why)),
	    KC_KICK_OK);
	assert_string_equal(k.url, "http://127.0.0.1:8123/vod/" UUID
	    "/master.m3u8");
	assert_string_equal(k.title, "Day one");
	assert_string_equal(k.channel, "streamer-one");
	assert_true(k.channel_id == 7);
	assert_true(k.start == 1772388000.0);
	kc_kick_info_free(&k);
	s = "{\"source\":\"https://h/m.m3u8\",\"livestream\":null}";
	assert_int_equal(kc_kick_video(s, strlen(s), &k, why, sizeof(why)),
	    KC_KICK_OK);
	assert_null(k.title);
	assert_null(k.channel);
	kc_kick_info_free(&k);
	s = "{\"uuid\":\"x\",\"source\":\"\"}";
	assert_int_equal(kc_kick_video(s, strlen(s), &k, why, sizeof(why)),
	    KC_KICK_NONE);
}

static void
test_corpus(void **state)
{
	(void)state;
	replay_corpus("kick", LLVMFuzzerTestOneInput, 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_videos),
		cmocka_unit_test(test_video),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
