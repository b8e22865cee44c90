/*
 * test_chat.c - the chat library: what a message is (emotes, laughter,
 * hype, "clip", commands, bots, notices, capitals, length) and what a
 * window of messages adds up to, including the non-events that must not
 * look like a burst: one spammer, a bot, a raid, a gift train.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chat.h"
#include "check.h"

static struct kc_chatmsg
msg(const char *user, const char *text, const char *type)
{
	struct kc_chatmsg m;

	kc_chat_classify(&m, user, text, type, NULL);
	return m;
}

static void
test_names(void **state)
{
	const char *const *nm = kc_chat_names();
	int i;

	(void)state;
	for (i = 0; i < KC_CHAT_N; i++)
		assert_non_null(nm[i]);
	assert_null(nm[KC_CHAT_N]);
	assert_string_equal(nm[KC_CF_MSG_RATE], "msg_rate");
	assert_string_equal(nm[KC_CF_NOISE_SHARE], "noise_share");
}

static void
test_classify(void **state)
{
	struct kc_chatmsg m;

	(void)state;
	m = msg("a", "KEKW that was great", NULL);
	assert_true(m.flags & KC_CHAT_LAUGH);
	assert_false(m.flags & (KC_CHAT_EMOTE | KC_CHAT_NOISE));
	/* a Kick emote: an emote and its name's word */
	m = msg("a", "[emote:37226:KEKW][emote:39261:OMEGALUL]", "message");
	assert_true(m.flags & KC_CHAT_EMOTE);
	assert_true(m.flags & KC_CHAT_LAUGH);
	assert_int_equal(m.len, 2);
	assert_int_equal(m.letters, 0);
	m = msg("a", "hahahaha", NULL);
	assert_true(m.flags & KC_CHAT_LAUGH);
	m = msg("a", "lol\xf0\x9f\x98\x82", NULL);		/* lol + tears of joy */
	assert_true(m.flags & KC_CHAT_LAUGH);
	assert_true(m.flags & KC_CHAT_EMOTE);
	assert_int_equal(m.len, 4);
	m = msg("a", "W", NULL);
	assert_true(m.flags & KC_CHAT_HYPE);
	m = msg("a", "lets GOOOO", NULL);
	assert_true(m.flags & KC_CHAT_HYPE);
	m = msg("a", "no way!!", NULL);
	assert_true(m.flags & KC_CHAT_HYPE);
	m = msg("a", "someone CLIP IT", NULL);
	assert_true(m.flags & KC_CHAT_CLIP);
	assert_int_equal(m.upper, 6);
	assert_int_equal(m.letters, 13);
	/* words, not substrings: "wow" is hype, "window" is not */
	m = msg("a", "close the window", NULL);
	assert_int_equal(m.flags, 0);
	m = msg("a", "  !giveaway", NULL);
	assert_true(m.flags & KC_CHAT_COMMAND);
	m = msg("NightBot", "Follow me", NULL);
	assert_true(m.flags & KC_CHAT_BOT);
	m = msg("a", "Carol subscribed at Tier 1", NULL);
	assert_true(m.flags & KC_CHAT_NOTICE);
	m = msg("a", "RAID HYPE", NULL);
	assert_true(m.flags & KC_CHAT_NOTICE);
	m = msg("a", "hello", "gift");
	assert_true(m.flags & KC_CHAT_NOTICE);
	/* the same text however it is cased and spaced */
	assert_true(msg("a", "Let's  GO ", NULL).text ==
	    msg("b", "let's go", NULL).text);
	assert_true(msg("a", "x", NULL).user == msg("A", "y", NULL).user);
	/* bad UTF-8 and empty text are messages like any other */
	m = msg(NULL, "\xff\xfe ok", NULL);
	assert_int_equal(m.len, 5);
	m = msg("", "", NULL);
	assert_int_equal(m.len, 0);
}

static void
test_window(void **state)
{
	struct kc_chatmsg m[8];
	double v[KC_CHAT_N];

	(void)state;
	memset(m, 0, sizeof(m));
	assert_int_equal(kc_chat_window(m, 0, 5, v), 0);
	assert_true(v[KC_CF_MSG_RATE] == 0 && v[KC_CF_NOISE_SHARE] == 0);
	m[0] = msg("a", "KEKW", NULL);
	m[1] = msg("b", "KEKW", NULL);
	m[2] = msg("c", "CLIP IT", NULL);
	m[3] = msg("d", "nice", NULL);
	m[4] = msg("nightbot", "follow", NULL);
	assert_int_equal(kc_chat_window(m, 5, 2, v), 0);
	assert_near(v[KC_CF_MSG_RATE], 4 / 2.0, 1e-12);
	assert_near(v[KC_CF_CHATTER_RATE], 4 / 2.0, 1e-12);
	assert_near(v[KC_CF_LAUGH_SHARE], 0.5, 1e-12);
	assert_near(v[KC_CF_CLIP_SHARE], 0.25, 1e-12);
	assert_near(v[KC_CF_REPEAT_SHARE], 0.5, 1e-12);	/* KEKW twice */
	assert_near(v[KC_CF_NOISE_SHARE], 0.2, 1e-12);
	/* caps: KEKW KEKW CLIPIT over those letters and "nice" */
	assert_near(v[KC_CF_CAPS_RATIO], 14 / 18.0, 1e-12);
	assert_near(v[KC_CF_MEAN_LEN], (4 + 4 + 7 + 4) / 4.0, 1e-12);
}

/* Bursts that follow nothing on screen must not look like one that does. */
static void
test_non_events(void **state)
{
	struct kc_chatmsg m[40];
	double v[KC_CHAT_N], crowd;
	int i;

	(void)state;
	/* a crowd: 20 chatters laughing */
	for (i = 0; i < 20; i++) {
		char u[16];

		snprintf(u, sizeof(u), "u%d", i);
		m[i] = msg(u, "KEKW", NULL);
	}
	assert_int_equal(kc_chat_window(m, 20, 5, v), 0);
	crowd = v[KC_CF_MSG_RATE];
	assert_near(crowd, 4, 1e-12);
	assert_near(v[KC_CF_LAUGH_SHARE], 1, 1e-12);
	assert_near(v[KC_CF_REPEAT_SHARE], 1, 1e-12);
	/* one spammer's 20 messages count as 2 */
	for (i = 0; i < 20; i++)
		m[i] = msg("spammer", "KEKW", NULL);
	assert_int_equal(kc_chat_window(m, 20, 5, v), 0);
	assert_near(v[KC_CF_MSG_RATE], 2 / 5.0, 1e-12);
	assert_near(v[KC_CF_CHATTER_RATE], 1 / 5.0, 1e-12);
	assert_near(v[KC_CF_REPEAT_SHARE], 0, 1e-12);	/* one chatter */
	assert_near(v[KC_CF_NOISE_SHARE], 18 / 20.0, 1e-12);
	/* a raid, a giveaway, a gift train, a bot: nothing counted */
	for (i = 0; i < 40; i++) {
		char u[16];

		snprintf(u, sizeof(u), "r%d", i);
		m[i] = i % 4 == 0 ? msg(u, "RAID HYPE", NULL) : i % 4 == 1 ?
		    msg(u, "!enter", NULL) : i % 4 == 2 ? msg(u,
		    "gifted 5 subs", "gift") : msg("botrix", "follow", NULL);
	}
	assert_int_equal(kc_chat_window(m, 40, 5, v), 0);
	assert_near(v[KC_CF_MSG_RATE], 0, 1e-12);
	assert_near(v[KC_CF_NOISE_SHARE], 1, 1e-12);
	assert_true(v[KC_CF_MSG_RATE] < crowd / 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_non_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
