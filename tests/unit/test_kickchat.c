/*
 * test_kickchat.c - unit tests of Kick's chat readers and the Pusher
 * builders (kickchat.c): a replay page and every kind of Pusher frame,
 * shaped like Kick's; pages that are empty, refused or hold malformed
 * entries (counted); data encoded twice; the cursor as a string, a
 * number or absent; dates with offsets; strings cut at a character
 * boundary; the frames and the URL the client sends; and the fuzz corpus
 * (tests/fuzz/corpus/kickchat) replayed through the fuzzer's entry
 * point, included from tests/fuzz/fuzz_kickchat.c.  Expected values are
 * written here from the texts, not taken from the code under test
 * (2026-03-01T18:00:05Z is 1772388005).
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
#include "kickchat.h"

#include "../fuzz/fuzz_kickchat.c"

#define T0 1772388005.0

static const char real_page[] =
    "{\"status\":{\"error\":false,\"code\":200,\"message\":\"SUCCESS\"},"
    "\"data\":{\"messages\":[{\"id\":\"2f1c0a7e-5b1d\",\"chat_id\":123,"
    "\"user_id\":456,\"content\":\"KEKW [emote:37226:KEKW]\",\"type\":"
    "\"message\",\"metadata\":null,\"created_at\":"
    "\"2026-03-01T18:00:05.123000Z\",\"sender\":{\"id\":456,\"slug\":"
    "\"user1\",\"username\":\"User1\",\"identity\":{\"color\":\"#8A2BE2\","
    "\"badges\":[{\"type\":\"subscriber\",\"text\":\"Subscriber\","
    "\"count\":3}]}}},"
    "{\"id\":\"9a8b\",\"content\":\"@User1 W\",\"type\":\"reply\","
    "\"metadata\":{\"original_sender\":{\"id\":456}},\"created_at\":"
    "\"2026-03-01T19:00:06+01:00\",\"sender\":{\"id\":7,\"slug\":"
    "\"user-two\",\"username\":\"\"}},"
    "{\"id\":31,\"content\":\"gg\",\"created_at\":"
    "\"2026-03-01T12:30:07.5-05:30\",\"sender\":{\"username\":\"Three\"}},"
    "{\"id\":\"g1\",\"type\":\"gift\",\"created_at\":"
    "\"2026-03-01T18:00:08Z\",\"sender\":{\"slug\":\"giver\"}}],"
    "\"cursor\":\"1772388010000\",\"pinned_message\":null}}";

static void
page_of(const char *body, kc_kickpage *p)
{
	char why[200] = "";

	if (kc_kickchat_page(body, strlen(body), p, why, sizeof(why)) !=
	    KC_KICKCHAT_OK)
		fail_msg("page %.60s refused: %s", body, why);
}

static void
test_page(void **state)
{
	kc_kickpage p;

	(void)state;
	page_of(real_page, &p);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.skipped, 0);
	assert_near(p.cursor, 1772388010.0, 1e-6);
	assert_near(p.msg[0].t, T0 + 0.123, 1e-6);
	assert_string_equal(p.msg[0].id, "2f1c0a7e-5b1d");
	assert_string_equal(p.msg[0].user, "User1");
	assert_string_equal(p.msg[0].type, "message");
	assert_string_equal(p.msg[0].text, "KEKW [emote:37226:KEKW]");
	/* a reply is a chat message; an empty username gives the slug */
	assert_near(p.msg[1].t, T0 + 1, 1e-6);
	assert_string_equal(p.msg[1].user, "user-two");
	assert_string_equal(p.msg[1].type, "message");
	assert_string_equal(p.msg[1].text, "@User1 W");
	/* no type: a chat message; a numeric id */
	assert_near(p.msg[2].t, T0 + 2.5, 1e-6);
	assert_string_equal(p.msg[2].id, "31");
	assert_string_equal(p.msg[2].type, "message");
	/* a notice needs no content */
	assert_near(p.msg[3].t, T0 + 3, 1e-6);
	assert_string_equal(p.msg[3].user, "giver");
	assert_string_equal(p.msg[3].type, "gift");
	assert_string_equal(p.msg[3].text, "");
	kc_kickchat_page_free(&p);
	assert_null(p.msg);
	assert_int_equal(p.n, 0);
	assert_true(isnan(p.cursor));
	kc_kickchat_page_free(NULL);
}

static void
test_page_empty(void **state)
{
	static const struct { const char *body; double cursor; } c[] = {
		{ "{\"data\":{\"messages\":[]}}", NAN },
		{ "{\"status\":{\"error\":false},\"data\":null}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":1772388010000}}",
		    1772388010.0 },
		{ "{\"data\":{\"messages\":[],\"cursor\":1772388010500.0}}",
		    1772388010.5 },
		{ "{\"data\":{\"messages\":[],\"cursor\":\"1772388010250\"}}",
		    1772388010.25 },
		{ "{\"data\":{\"messages\":[],\"cursor\":null}}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":\"\"}}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":\"17e3\"}}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":\" 1\"}}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":\"-1\"}}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":-5}}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":\"0x10\"}}", NAN },
		{ "{\"data\":{\"messages\":[],\"cursor\":{}}}", NAN },
	};
	kc_kickpage p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		page_of(c[i].body, &p);
		assert_int_equal(p.n, 0);
		assert_int_equal(p.skipped, 0);
		assert_null(p.msg);
		if (isnan(c[i].cursor)) {
			if (!isnan(p.cursor))
				fail_msg("%s: cursor %g, want NAN", c[i].body,
				    p.cursor);
		} else
			assert_near(p.cursor, c[i].cursor, 1e-6);
		kc_kickchat_page_free(&p);
	}
}

/* A page of k entries that are not messages (k > 0), malloc'd. */
static char *
entries(size_t k)
{
	static const char head[] = "{\"data\":{\"messages\":[0",
	    tail[] = "]}}";
	size_t o = sizeof(head) - 1, i;
	char *s = malloc(o + 2 * k + sizeof(tail));

	assert_non_null(s);
	memcpy(s, head, o);
	for (i = 1; i < k; i++, o += 2)
		memcpy(s + o, ",0", 2);
	memcpy(s + o, tail, sizeof(tail));
	return s;
}

static void
test_page_refused(void **state)
{
	static const struct { const char *body, *why; } c[] = {
		{ "", "not JSON (" },
		{ "<!DOCTYPE html><title>Just a moment...</title>",
		    "not JSON (" },
		{ "{\"data\":{\"messages\":[]}} x", "not JSON (" },
		{ "[]", "not a JSON object" },
		{ "\"data\"", "not JSON (" },
		{ "{}", "no data.messages array" },
		{ "{\"data\":{}}", "no data.messages array" },
		{ "{\"data\":[]}", "no data.messages array" },
		{ "{\"data\":{\"messages\":{}}}", "no data.messages array" },
		{ "{\"data\":{\"messages\":null}}", "no data.messages array" },
		{ "{\"status\":{\"error\":true,\"code\":404,\"message\":"
		    "\"Channel not found\"},\"data\":{}}",
		    "no data.messages array (status 404: Channel not found)" },
		{ "{\"status\":{\"code\":500}}",
		    "no data.messages array (status 500)" },
		{ "{\"status\":{\"message\":\"Server Error\"},\"data\":5}",
		    "no data.messages array (status Server Error)" },
	};
	kc_kickpage p;
	char why[200], *big;
	size_t i, l;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		why[0] = '\0';
		if (kc_kickchat_page(c[i].body, strlen(c[i].body), &p, why,
		    sizeof(why)) != KC_KICKCHAT_BAD)
			fail_msg("%s: not refused", c[i].body);
		/* exactly, or what begins with "not JSON (" */
		l = strlen(c[i].why);
		if (c[i].why[l - 1] == '(' ? strncmp(why, c[i].why, l) != 0 :
		    strcmp(why, c[i].why) != 0)
			fail_msg("%s: why \"%s\", want \"%s\"", c[i].body, why,
			    c[i].why);
		assert_null(p.msg);
		assert_int_equal(p.n + p.skipped, 0);
		assert_true(isnan(p.cursor));
		assert_int_equal(kc_kickchat_page(c[i].body, strlen(c[i].body),
		    &p, NULL, 0), KC_KICKCHAT_BAD);
	}
	/* a length that says there is less than the text */
	assert_int_equal(kc_kickchat_page(real_page, 40, &p, why,
	    sizeof(why)), KC_KICKCHAT_BAD);
	/* more entries than a page can be */
	big = entries(10001);
	assert_int_equal(kc_kickchat_page(big, strlen(big), &p, why,
	    sizeof(why)), KC_KICKCHAT_BAD);
	assert_string_equal(why, "10001 messages in a page, more than 10000");
	free(big);
	big = entries(10000);	/* as many as can be: all skipped */
	page_of(big, &p);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.skipped, 10000);
	free(big);
}

static void
test_page_malformed(void **state)
{
	const char *s = "{\"data\":{\"messages\":[5,null,\"x\",[],"
	    "{\"content\":\"no time\"},"
	    "{\"content\":\"date only\",\"created_at\":\"2026-03-01\"},"
	    "{\"content\":\"30 Feb\",\"created_at\":\"2026-02-30T10:00:00Z\"},"
	    "{\"content\":\"junk\",\"created_at\":\"2026-03-01T18:00:05Zx\"},"
	    "{\"content\":\"time is a number\",\"created_at\":1772388005},"
	    "{\"created_at\":\"2026-03-01T18:00:05Z\"},"
	    "{\"created_at\":\"2026-03-01T18:00:05Z\",\"content\":\"\"},"
	    "{\"created_at\":\"2026-03-01T18:00:05Z\",\"content\":5},"
	    "{\"created_at\":\"2026-03-01T18:00:05Z\",\"type\":\"reply\"},"
	    "{\"created_at\":\"2026-03-01T18:00:05Z\",\"content\":\"ok\","
	    "\"type\":7,\"sender\":\"x\",\"id\":[1]},"
	    "{\"created_at\":\"2026-03-01T18:00:05Z\",\"type\":\"host\","
	    "\"content\":5,\"sender\":{\"username\":5,\"slug\":\"h\"}}]}}";
	kc_kickpage p;

	(void)state;
	page_of(s, &p);
	assert_int_equal(p.skipped, 13);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.msg[0].text, "ok");
	assert_string_equal(p.msg[0].type, "message");
	assert_string_equal(p.msg[0].user, "");
	assert_string_equal(p.msg[0].id, "");
	assert_string_equal(p.msg[1].type, "host");
	assert_string_equal(p.msg[1].user, "h");
	assert_string_equal(p.msg[1].text, "");
	assert_true(isnan(p.cursor));
	kc_kickchat_page_free(&p);
}

static void
test_times(void **state)
{
	static const struct { const char *at; double t; } c[] = {
		{ "2026-03-01T18:00:05Z", T0 },
		{ "2026-03-01T18:00:05.123000Z", T0 + 0.123 },
		{ "2026-03-01T18:00:05.123456Z", T0 + 0.123456 },
		{ "2026-03-01T18:00:05.5z", T0 + 0.5 },
		{ "2026-03-01T19:00:05+01:00", T0 },
		{ "2026-03-01T12:30:05.25-05:30", T0 + 0.25 },
		{ "2026-03-01T23:30:05+0530", T0 },
		{ "2026-03-02T03:00:05+09", T0 },
		{ "2026-03-01 18:00:05Z", T0 },
		{ "2026-03-01T18:00:05", T0 },	/* no zone: UTC */
	};
	char body[300];
	kc_kickpage p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(body, sizeof(body), "{\"data\":{\"messages\":[{"
		    "\"content\":\"x\",\"created_at\":\"%s\"}]}}", c[i].at);
		page_of(body, &p);
		if (p.n != 1)
			fail_msg("%s: not read", c[i].at);
		assert_near(p.msg[0].t, c[i].t, 1e-6);
		kc_kickchat_page_free(&p);
	}
}

/* A string of k copies of the UTF-8 character ch. */
static char *
rep(const char *ch, size_t k)
{
	size_t l = strlen(ch), i;
	char *s = malloc(l * k + 1);

	assert_non_null(s);
	for (i = 0; i < k; i++)
		memcpy(s + i * l, ch, l);
	s[l * k] = '\0';
	return s;
}

static void
test_cut(void **state)
{
	static const struct {
		const char *ch;		/* repeated in the text */
		size_t k, keep;		/* copies, bytes kept */
	} text[] = {
		{ "a", 2000, 2000 }, { "a", 2001, 2000 },
		{ "\xe2\x82\xac", 667, 1998 },		/* 2001 bytes */
		{ "\xe2\x82\xac", 666, 1998 },
		{ "\xc3\xa9", 1001, 2000 },
		{ "\xf0\x9f\x98\x80", 501, 2000 },
		{ "\xf0\x9f\x98\x80", 500, 2000 },
	}, user[] = {
		{ "u", 64, 64 }, { "u", 65, 64 },
		{ "\xf0\x9f\x98\x80", 17, 64 },
		{ "\xe2\x82\xac", 22, 63 },		/* 66 bytes */
	};
	char *body, *s;
	kc_kickpage p;
	size_t i;

	(void)state;
	body = malloc(20000);
	assert_non_null(body);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		s = rep(text[i].ch, text[i].k);
		snprintf(body, 20000, "{\"data\":{\"messages\":[{\"content\":"
		    "\"%s\",\"created_at\":\"2026-03-01T18:00:05Z\"}]}}", s);
		page_of(body, &p);
		assert_int_equal(p.n, 1);
		assert_int_equal(strlen(p.msg[0].text), text[i].keep);
		assert_memory_equal(p.msg[0].text, s, text[i].keep);
		kc_kickchat_page_free(&p);
		free(s);
	}
	for (i = 0; i < sizeof(user) / sizeof(user[0]); i++) {
		s = rep(user[i].ch, user[i].k);
		snprintf(body, 20000, "{\"data\":{\"messages\":[{\"content\":"
		    "\"x\",\"created_at\":\"2026-03-01T18:00:05Z\",\"sender\":"
		    "{\"username\":\"%s\"}}]}}", s);
		page_of(body, &p);
		assert_int_equal(strlen(p.msg[0].user), user[i].keep);
		assert_memory_equal(p.msg[0].user, s, user[i].keep);
		kc_kickchat_page_free(&p);
		free(s);
	}
	/* \u escapes count as the bytes they stand for */
	snprintf(body, 20000, "{\"data\":{\"messages\":[{\"content\":\"x\","
	    "\"created_at\":\"2026-03-01T18:00:05Z\",\"sender\":{\"username\":"
	    "\"%s\\u00e9\"}}]}}", s = rep("v", 63));
	page_of(body, &p);
	assert_string_equal(p.msg[0].user, s);
	kc_kickchat_page_free(&p);
	free(s);
	free(body);
}

static int
frame_of(const char *body, kc_pusher_frame *f)
{
	char why[200] = "";
	int kind = kc_pusher_frame_read(body, strlen(body), f, why,
	    sizeof(why));

	assert_int_equal(kind, f->kind);
	if (kind == KC_PUSHER_BAD)
		fail_msg("frame %.80s refused: %s", body, why);
	return kind;
}

#define EST "{\"event\":\"pusher:connection_established\","

static void
test_frames_pusher(void **state)
{
	kc_pusher_frame f;

	(void)state;
	assert_int_equal(frame_of(EST
	    "\"data\":\"{\\\"socket_id\\\":\\\"123.456\\\","
	    "\\\"activity_timeout\\\":30}\"}", &f), KC_PUSHER_ESTABLISHED);
	assert_int_equal(f.timeout, 30);
	assert_int_equal(frame_of(EST
	    "\"data\":\"{\\\"socket_id\\\":\\\"123.456\\\"}\"}", &f),
	    KC_PUSHER_ESTABLISHED);
	assert_int_equal(f.timeout, 120);
	assert_int_equal(frame_of(EST "\"data\":{\"activity_timeout\":0}}",
	    &f), KC_PUSHER_ESTABLISHED);
	assert_int_equal(f.timeout, 120);
	assert_int_equal(frame_of(EST
	    "\"data\":{\"activity_timeout\":\"60\"}}", &f),
	    KC_PUSHER_ESTABLISHED);
	assert_int_equal(f.timeout, 120);
	assert_int_equal(frame_of(EST "\"data\":\"not json\"}", &f),
	    KC_PUSHER_ESTABLISHED);
	assert_int_equal(f.timeout, 120);

	assert_int_equal(frame_of("{\"event\":\"pusher_internal:subscription_"
	    "succeeded\",\"data\":\"{}\",\"channel\":\"chatrooms.123.v2\"}",
	    &f), KC_PUSHER_SUBSCRIBED);
	assert_string_equal(f.channel, "chatrooms.123.v2");
	assert_int_equal(f.timeout, 0);
	assert_true(isnan(f.msg.t));
	assert_int_equal(frame_of("{\"event\":\"pusher:ping\",\"data\":{}}",
	    &f), KC_PUSHER_PING);
	assert_string_equal(f.channel, "");
	assert_int_equal(frame_of("{\"event\":\"pusher:pong\"}", &f),
	    KC_PUSHER_PONG);

	assert_int_equal(frame_of("{\"event\":\"pusher:error\",\"data\":"
	    "{\"code\":4001,\"message\":\"App key x not in this cluster\"}}",
	    &f), KC_PUSHER_ERROR);
	assert_int_equal(f.code, 4001);
	assert_string_equal(f.message, "App key x not in this cluster");
	assert_int_equal(frame_of("{\"event\":\"pusher:error\",\"data\":"
	    "\"{\\\"code\\\":null,\\\"message\\\":\\\"Bad\\\"}\"}", &f),
	    KC_PUSHER_ERROR);
	assert_int_equal(f.code, 0);
	assert_string_equal(f.message, "Bad");
	assert_int_equal(frame_of("{\"event\":\"pusher:error\",\"data\":"
	    "{\"code\":99999999999}}", &f), KC_PUSHER_ERROR);
	assert_int_equal(f.code, 0);
	assert_string_equal(f.message, "");

	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "ChatMessageDeletedEvent\",\"channel\":\"chatrooms.1.v2\","
	    "\"data\":\"{}\"}", &f), KC_PUSHER_OTHER);
	assert_string_equal(f.channel, "chatrooms.1.v2");
	assert_int_equal(frame_of("{\"event\":\"\",\"x\":[1,2]}", &f),
	    KC_PUSHER_OTHER);
	assert_int_equal(frame_of("{\"event\":\"pusher:ping\",\"data\":5,"
	    "\"channel\":7}", &f), KC_PUSHER_PING);
	assert_string_equal(f.channel, "");
}

static void
test_frames_messages(void **state)
{
	kc_pusher_frame f;

	(void)state;
	/* data encoded twice, as Pusher sends it */
	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "ChatMessageEvent\",\"channel\":\"chatrooms.123.v2\",\"data\":"
	    "\"{\\\"id\\\":\\\"5c6d\\\",\\\"chatroom_id\\\":123,"
	    "\\\"content\\\":\\\"hi \\\\u00e9\\\",\\\"type\\\":\\\"message\\\","
	    "\\\"created_at\\\":\\\"2026-03-01T18:00:05.123456Z\\\","
	    "\\\"sender\\\":{\\\"id\\\":1,\\\"username\\\":\\\"u\\\","
	    "\\\"slug\\\":\\\"u-slug\\\",\\\"identity\\\":{\\\"color\\\":"
	    "\\\"#fff\\\",\\\"badges\\\":[]}}}\"}", &f), KC_PUSHER_MESSAGE);
	assert_string_equal(f.channel, "chatrooms.123.v2");
	assert_near(f.msg.t, T0 + 0.123456, 1e-6);
	assert_string_equal(f.msg.id, "5c6d");
	assert_string_equal(f.msg.user, "u");
	assert_string_equal(f.msg.type, "message");
	assert_string_equal(f.msg.text, "hi \xc3\xa9");
	/* once, as an object; a reply; no created_at */
	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "ChatMessageEvent\",\"data\":{\"id\":9,\"content\":\"@u W\","
	    "\"type\":\"reply\",\"sender\":{\"slug\":\"s\"}}}", &f),
	    KC_PUSHER_MESSAGE);
	assert_true(isnan(f.msg.t));
	assert_string_equal(f.msg.id, "9");
	assert_string_equal(f.msg.user, "s");
	assert_string_equal(f.msg.type, "message");
	/* a type of its own is a notice, with or without content */
	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "ChatMessageEvent\",\"data\":{\"type\":\"celebration\","
	    "\"created_at\":\"2026-03-01T18:00:05Z\"}}", &f),
	    KC_PUSHER_MESSAGE);
	assert_string_equal(f.msg.type, "celebration");
	assert_string_equal(f.msg.text, "");
	assert_near(f.msg.t, T0, 1e-6);

	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "GiftedSubscriptionsEvent\",\"channel\":\"chatrooms.123.v2\","
	    "\"data\":\"{\\\"chatroom_id\\\":123,\\\"gifted_usernames\\\":"
	    "[\\\"a\\\",\\\"b\\\"],\\\"gifter_username\\\":\\\"Giver\\\"}\"}",
	    &f), KC_PUSHER_MESSAGE);
	assert_string_equal(f.msg.type, "gift");
	assert_string_equal(f.msg.user, "Giver");
	assert_string_equal(f.msg.text, "");
	assert_true(isnan(f.msg.t));
	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "LuckyUsersWhoGotGiftSubscriptionsEvent\",\"data\":\"{\\\"channel"
	    "\\\":{\\\"id\\\":1},\\\"usernames\\\":[\\\"x\\\"],"
	    "\\\"gifter_username\\\":\\\"G\\\"}\"}", &f), KC_PUSHER_MESSAGE);
	assert_string_equal(f.msg.type, "gift");
	assert_string_equal(f.msg.user, "G");
	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "SubscriptionEvent\",\"data\":\"{\\\"chatroom_id\\\":123,"
	    "\\\"username\\\":\\\"Sub\\\",\\\"months\\\":3}\"}", &f),
	    KC_PUSHER_MESSAGE);
	assert_string_equal(f.msg.type, "subscription");
	assert_string_equal(f.msg.user, "Sub");
	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "StreamHostEvent\",\"data\":{\"chatroom_id\":123,"
	    "\"optional_message\":\"Hosting!\",\"number_viewers\":42,"
	    "\"host_username\":\"Host\",\"created_at\":"
	    "\"2026-03-01T18:00:05Z\"}}", &f), KC_PUSHER_MESSAGE);
	assert_string_equal(f.msg.type, "host");
	assert_string_equal(f.msg.user, "Host");
	assert_string_equal(f.msg.text, "Hosting!");
	assert_near(f.msg.t, T0, 1e-6);
	/* a notice's fields of another type are left out */
	assert_int_equal(frame_of("{\"event\":\"App\\\\Events\\\\"
	    "StreamHostEvent\",\"data\":{\"optional_message\":5,"
	    "\"host_username\":null}}", &f), KC_PUSHER_MESSAGE);
	assert_string_equal(f.msg.type, "host");
	assert_string_equal(f.msg.user, "");
	assert_string_equal(f.msg.text, "");
}

static void
test_frames_refused(void **state)
{
	static const struct { const char *body, *why; } c[] = {
		{ "", "not JSON (" },
		{ "pusher:ping", "not JSON (" },
		{ "[\"pusher:ping\"]", "not a JSON object" },
		{ "{}", "no \"event\" string" },
		{ "{\"event\":5}", "no \"event\" string" },
		{ "{\"event\":null,\"data\":{}}", "no \"event\" string" },
		{ "{\"event\":\"App\\\\Events\\\\ChatMessageEvent\","
		    "\"channel\":\"c\",\"data\":"
		    "\"{\\\"content\\\":\\\"\\\"}\"}",
		    "App\\Events\\ChatMessageEvent: a chat message without "
		    "content" },
		{ "{\"event\":\"App\\\\Events\\\\ChatMessageEvent\","
		    "\"data\":{\"type\":\"message\",\"content\":5}}",
		    "App\\Events\\ChatMessageEvent: a chat message without "
		    "content" },
		{ "{\"event\":\"App\\\\Events\\\\ChatMessageEvent\","
		    "\"data\":\"{\\\"content\\\":\"}",
		    "App\\Events\\ChatMessageEvent: data is not an object" },
		{ "{\"event\":\"App\\\\Events\\\\ChatMessageEvent\","
		    "\"data\":\"[]\"}",
		    "App\\Events\\ChatMessageEvent: data is not an object" },
		{ "{\"event\":\"App\\\\Events\\\\SubscriptionEvent\"}",
		    "App\\Events\\SubscriptionEvent: data is not an object" },
	};
	kc_pusher_frame f;
	char why[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		why[0] = '\0';
		if (kc_pusher_frame_read(c[i].body, strlen(c[i].body), &f, why,
		    sizeof(why)) != KC_PUSHER_BAD)
			fail_msg("%s: not refused", c[i].body);
		if (strncmp(why, c[i].why, strlen(c[i].why)) != 0)
			fail_msg("%s: why \"%s\", want \"%s\"", c[i].body, why,
			    c[i].why);
		assert_int_equal(f.kind, KC_PUSHER_BAD);
		assert_string_equal(f.channel, "");
		assert_true(isnan(f.msg.t));
		assert_string_equal(f.msg.type, "");
		assert_int_equal(kc_pusher_frame_read(c[i].body,
		    strlen(c[i].body), &f, NULL, 0), KC_PUSHER_BAD);
	}
}

static void
test_builders(void **state)
{
	static const char sub[] = "{\"event\":\"pusher:subscribe\",\"data\":"
	    "{\"auth\":\"\",\"channel\":\"chatrooms.123.v2\"}}";
	static const char q[] = "?protocol=7&client=js&version=8.4.0&"
	    "flash=false";
	static const char *const refused[][2] = {
		{ "https://ws-us2.pusher.com", "k" }, { "wss://", "k" },
		{ "wss:///x", "k" }, { "wss:////", "k" },
		{ "wss://h x", "k" }, { "wss://h?a=1", "k" },
		{ "wss://h#f", "k" }, { "wss://h\t", "k" }, { "ws:/h", "k" },
		{ "wss://h", "" }, { "wss://h", "a/b" }, { "wss://h", "a?b" },
		{ "wss://h", "a b" }, { "", "k" },
	};
	char buf[200], small[10];
	size_t i;

	(void)state;
	assert_int_equal(kc_pusher_subscribe(buf, sizeof(buf), 123),
	    (int)strlen(sub));
	assert_string_equal(buf, sub);
	assert_int_equal(kc_pusher_subscribe(small, sizeof(small), 123),
	    (int)strlen(sub));
	assert_string_equal(small, "{\"event\":");
	assert_int_equal(kc_pusher_subscribe(NULL, 0, 123), (int)strlen(sub));
	assert_int_equal(kc_pusher_subscribe(buf, sizeof(buf), 0),
	    (int)strlen(sub) - 2);
	assert_int_equal(kc_pusher_subscribe(buf, sizeof(buf), -1), -1);
	assert_int_equal(kc_pusher_ping(buf, sizeof(buf)), 33);
	assert_string_equal(buf, "{\"event\":\"pusher:ping\",\"data\":{}}");
	assert_int_equal(kc_pusher_pong(buf, sizeof(buf)), 33);
	assert_string_equal(buf, "{\"event\":\"pusher:pong\",\"data\":{}}");
	assert_int_equal(kc_pusher_pong(small, 1), 33);
	assert_string_equal(small, "");

	assert_int_equal(kc_pusher_url(buf, sizeof(buf),
	    "wss://ws-us2.pusher.com", "32cbd69e4b950bf97679"),
	    (int)strlen("wss://ws-us2.pusher.com/app/32cbd69e4b950bf97679") +
	    (int)strlen(q));
	assert_string_equal(buf, "wss://ws-us2.pusher.com/app/"
	    "32cbd69e4b950bf97679?protocol=7&client=js&version=8.4.0&"
	    "flash=false");
	assert_true(kc_pusher_url(buf, sizeof(buf), "ws://127.0.0.1:8123/",
	    "local-key_1") > 0);
	assert_string_equal(buf, "ws://127.0.0.1:8123/app/local-key_1?"
	    "protocol=7&client=js&version=8.4.0&flash=false");
	assert_true(kc_pusher_url(buf, sizeof(buf), "WSS://h/p//", "k") > 0);
	assert_string_equal(buf, "WSS://h/p/app/k?protocol=7&client=js&"
	    "version=8.4.0&flash=false");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (kc_pusher_url(buf, sizeof(buf), refused[i][0],
		    refused[i][1]) != -1)
			fail_msg("url %s + %s: not refused", refused[i][0],
			    refused[i][1]);
	assert_int_equal(kc_pusher_url(buf, sizeof(buf), NULL, "k"), -1);
	assert_int_equal(kc_pusher_url(buf, sizeof(buf), "wss://h", NULL), -1);
}

static void
test_corpus(void **state)
{
	(void)state;
	replay_corpus("kickchat", LLVMFuzzerTestOneInput, 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_page_empty),
		cmocka_unit_test(test_page_refused),
		cmocka_unit_test(test_page_malformed),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_frames_pusher),
		cmocka_unit_test(test_frames_messages),
		cmocka_unit_test(test_frames_refused),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
