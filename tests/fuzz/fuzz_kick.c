/*
 * fuzz_kick.c - libFuzzer target for the Kick API answer readers
 * (src/lib/kick.c): the input is given to all three as the answer text.
 *
 * Besides "no crash, no out-of-bounds access, no leak" (ASan, UBSan),
 * it checks the promises kick.h makes: a known return code; on
 * KC_KICK_OK a playlist URL that is an absolute http(s) URL without
 * blanks or control characters (checked here again in plain code); on
 * anything else an empty result; a reason for KC_KICK_BAD; and that
 * kc_kick_info_free leaves the struct empty.  A broken promise aborts,
 * which libFuzzer reports as a crash with the input saved.
 *
 * The unit tests (tests/unit/test_kick.c) include this file and replay
 * the corpus in tests/fuzz/corpus/kick/ through the same entry point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kick.h"

#define KCHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_kick: %s:%d: broken: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* The uuid the corpus's video lists hold. */
#define FUZZ_UUID "0f8c2a6e-1b2c-4d3e-a4f5-60718293a4b5"

static int
empty(const kc_kick_info *k)
{
	return k->url == NULL && k->title == NULL && k->channel == NULL &&
	    k->live_id == 0;
}

static int
plain_http_url(const char *u)
{
	const char *host;
	size_t i;

	if (strncasecmp(u, "http://", 7) == 0)
		host = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		host = u + 8;
	else
		return 0;
	if (*host == '\0' || strchr("/?#", *host) != NULL)
		return 0;
	for (i = 0; u[i]; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
			return 0;
	return 1;
}

static void
verdict(int rc, kc_kick_info *k, const char *why)
{
	KCHECK(rc == KC_KICK_OK || rc == KC_KICK_NONE || rc == KC_KICK_BAD ||
	    rc == KC_KICK_NOMEM);
	if (rc == KC_KICK_OK) {
		KCHECK(k->url != NULL && plain_http_url(k->url));
		KCHECK(k->title == NULL || *k->title != '\0');
		KCHECK(k->channel == NULL || *k->channel != '\0');
		KCHECK(k->live_id >= 0);
	} else
		KCHECK(empty(k));
	if (rc == KC_KICK_BAD)
		KCHECK(why[0] != '\0' && strlen(why) < 300);
	kc_kick_info_free(k);
	KCHECK(empty(k));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	kc_kick_info k;
	char why[300];
	int rc;

	why[0] = '\0';
	rc = kc_kick_channel(body, size, &k, why, sizeof(why));
	verdict(rc, &k, why);
	why[0] = '\0';
	rc = kc_kick_videos(body, size, FUZZ_UUID, &k, why, sizeof(why));
	verdict(rc, &k, why);
	why[0] = '\0';
	rc = kc_kick_video(body, size, &k, why, sizeof(why));
	verdict(rc, &k, why);
	/* no room for a reason at all */
	rc = kc_kick_channel(body, size, &k, NULL, 0);
	KCHECK(rc != KC_KICK_OK || k.url != NULL);
	kc_kick_info_free(&k);
	return 0;
}
