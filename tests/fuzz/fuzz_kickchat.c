/*
 * fuzz_kickchat.c - libFuzzer target for Kick's chat readers and the
 * Pusher frame builders (src/lib/kickchat.c).  The first byte of the
 * input picks what the rest is: 'P' a replay page, 'F' a Pusher frame,
 * 'U' a WebSocket base URL, a newline and a key; any other first byte
 * gives the whole input to both readers.
 *
 * Besides "no crash, no out-of-bounds access, no leak" (ASan, UBSan),
 * it checks the promises kickchat.h makes, against a reading of its own
 * (jansson again, and plain code): a known return code; every string
 * NUL-terminated within its cap and valid UTF-8; a type that is never ""
 * nor "reply", and a chat message that has text; on a page, finite times,
 * a cursor NAN or >= 0, as many messages plus skipped entries as the
 * page's array holds, and each kept message the one of its entry (the
 * same time, and a text, user and id cut from that entry's); on a
 * frame, a kind that matches its event and fields empty where they do
 * not apply; an empty result and a reason when refused; and for the
 * builders, snprintf's promise and a URL made of what was given.  A
 * broken promise aborts, which libFuzzer reports as a crash with the
 * input saved.
 *
 * The unit tests (tests/unit/test_kickchat.c) include this file and
 * replay the corpus in tests/fuzz/corpus/kickchat/ through the same
 * entry point.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "hls.h"
#include "kickchat.h"

#define KCHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_kickchat: %s:%d: broken: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* s[0..cap] holds a NUL, and what is before it is valid UTF-8 (shortest
 * forms, no surrogates, at most U+10FFFF). */
static int
fits_utf8(const char *s, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, cap + 1), i = 0, k, j;
	unsigned long c;

	if (len > cap)
		return 0;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			k = 1, c = p[i] & 0x1f;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			k = 2, c = p[i] & 0x0f;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			k = 3, c = p[i] & 0x07;
		else
			return 0;
		if (i + k >= len)
			return 0;
		for (j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i + j] & 0x3f);
		}
		if ((k == 2 && c < 0x800) || (k == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return 0;
		i += k + 1;
	}
	return 1;
}

/* got is src (NULL: "") cut to at most cap bytes between characters:
 * a prefix that loses less than a character (4 bytes). */
static int
cut_of(const char *got, const char *src, size_t cap)
{
	size_t g = strlen(got), s;

	if (src == NULL)
		return g == 0;
	s = strlen(src);
	return strncmp(got, src, g) == 0 && g <= cap &&
	    (g == s || (s > cap && g + 4 > cap));
}

static int
msg_ok(const kc_kickmsg *m)
{
	return fits_utf8(m->id, KC_KICKMSG_ID) &&
	    fits_utf8(m->user, KC_KICKMSG_USER) &&
	    fits_utf8(m->type, KC_KICKMSG_TYPE) &&
	    fits_utf8(m->text, KC_KICKMSG_TEXT) && m->type[0] != '\0' &&
	    strcmp(m->type, "reply") != 0 &&
	    (strcmp(m->type, "message") != 0 || m->text[0] != '\0') &&
	    (isfinite(m->t) || isnan(m->t));
}

static int
msg_empty(const kc_kickmsg *m)
{
	return isnan(m->t) && !m->id[0] && !m->user[0] && !m->type[0] &&
	    !m->text[0];
}

/* A non-empty string member, or NULL. */
static const char *
nonempty(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && *s ? s : NULL;
}

/* Entry e of a page, as the header says it is kept: its time in *t. */
static int
kept(const json_t *e, double *t)
{
	const char *ca = json_string_value(json_object_get(e, "created_at"));
	const char *type = nonempty(e, "type");

	if (!json_is_object(e) || ca == NULL || hls_pdt_parse(ca, t) != NULL ||
	    !isfinite(*t))
		return 0;
	if (nonempty(e, "content"))
		return 1;
	return type && strcmp(type, "message") && strcmp(type, "reply");
}

/* Message m against the entry e it came from. */
static void
same_entry(const kc_kickmsg *m, const json_t *e, double t)
{
	const json_t *snd = json_object_get(e, "sender"),
	    *id = json_object_get(e, "id");
	const char *user = nonempty(snd, "username");

	KCHECK(m->t == t);
	KCHECK(cut_of(m->text, nonempty(e, "content"), KC_KICKMSG_TEXT));
	KCHECK(cut_of(m->user, user ? user : nonempty(snd, "slug"),
	    KC_KICKMSG_USER));
	if (!json_is_integer(id))
		KCHECK(cut_of(m->id, json_string_value(id), KC_KICKMSG_ID));
	else
		KCHECK(strtoll(m->id, NULL, 10) == json_integer_value(id));
}

static void
page(const char *body, size_t size)
{
	kc_kickpage p;
	json_t *j, *data, *list, *e;
	char why[300] = "";
	size_t i, k = 0;
	double t;
	int rc;

	rc = kc_kickchat_page(body, size, &p, why, sizeof(why));
	KCHECK(rc == KC_KICKCHAT_OK || rc == KC_KICKCHAT_BAD ||
	    rc == KC_KICKCHAT_NOMEM);
	if (rc != KC_KICKCHAT_OK) {
		KCHECK(p.msg == NULL && p.n == 0 && p.skipped == 0 &&
		    isnan(p.cursor));
		KCHECK(why[0] != '\0' && strlen(why) < sizeof(why));
		return;
	}
	KCHECK((p.msg == NULL) == (p.n == 0));
	KCHECK(isnan(p.cursor) || (isfinite(p.cursor) && p.cursor >= 0));
	for (i = 0; i < p.n; i++) {
		KCHECK(msg_ok(&p.msg[i]));
		KCHECK(isfinite(p.msg[i].t));
	}
	/* the same page read here: every entry kept or skipped, in order */
	j = json_loadb(body, size, 0, NULL);
	KCHECK(json_is_object(j));
	data = json_object_get(j, "data");
	list = json_object_get(data, "messages");
	KCHECK(json_is_null(data) || json_is_array(list));
	KCHECK(p.n + p.skipped == json_array_size(list));
	json_array_foreach(list, i, e)
		if (kept(e, &t)) {
			KCHECK(k < p.n);
			same_entry(&p.msg[k++], e, t);
		}
	KCHECK(k == p.n);
	json_decref(j);
	kc_kickchat_page_free(&p);
	KCHECK(p.msg == NULL && p.n == 0 && p.skipped == 0);
}

/* The kind an event should give, or -2 for a message event (MESSAGE or
 * BAD). */
static int
kind_of(const char *ev)
{
	static const struct { const char *ev; int kind; } k[] = {
		{ "pusher:connection_established", KC_PUSHER_ESTABLISHED },
		{ "pusher_internal:subscription_succeeded",
		    KC_PUSHER_SUBSCRIBED },
		{ "pusher:ping", KC_PUSHER_PING },
		{ "pusher:pong", KC_PUSHER_PONG },
		{ "pusher:error", KC_PUSHER_ERROR },
		{ "App\\Events\\ChatMessageEvent", -2 },
		{ "App\\Events\\GiftedSubscriptionsEvent", -2 },
		{ "App\\Events\\LuckyUsersWhoGotGiftSubscriptionsEvent", -2 },
		{ "App\\Events\\SubscriptionEvent", -2 },
		{ "App\\Events\\StreamHostEvent", -2 },
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(ev, k[i].ev) == 0)
			return k[i].kind;
	return KC_PUSHER_OTHER;
}

static void
frame(const char *body, size_t size)
{
	kc_pusher_frame f;
	json_t *j;
	const char *ev;
	char why[300] = "";
	int rc, want;

	rc = kc_pusher_frame_read(body, size, &f, why, sizeof(why));
	KCHECK(rc == f.kind);
	KCHECK(rc >= KC_PUSHER_BAD && rc <= KC_PUSHER_OTHER);
	KCHECK(fits_utf8(f.channel, KC_PUSHER_CHANNEL));
	KCHECK(fits_utf8(f.message, KC_PUSHER_ERRMSG));
	KCHECK(rc == KC_PUSHER_ESTABLISHED ? f.timeout >= 1 &&
	    f.timeout <= 3600 : f.timeout == 0);
	KCHECK(rc == KC_PUSHER_ERROR || (f.code == 0 && !f.message[0]));
	KCHECK(rc == KC_PUSHER_MESSAGE ? msg_ok(&f.msg) : msg_empty(&f.msg));
	j = json_loadb(body, size, 0, NULL);
	ev = json_string_value(json_object_get(j, "event"));
	if (rc == KC_PUSHER_BAD) {
		KCHECK(why[0] != '\0' && strlen(why) < sizeof(why));
		KCHECK(!f.channel[0]);
		if (ev != NULL)
			KCHECK(kind_of(ev) == -2);
	} else {
		KCHECK(ev != NULL);
		want = kind_of(ev);
		KCHECK(rc == want || (want == -2 && rc == KC_PUSHER_MESSAGE));
		KCHECK(cut_of(f.channel, json_string_value(json_object_get(j,
		    "channel")), KC_PUSHER_CHANNEL));
	}
	json_decref(j);
}

/* "base\nkey": the URL made of them, or refused. */
static void
url(const char *in, size_t size)
{
	char base[300], key[100], buf[600], small[8];
	const char *nl = memchr(in, '\n', size);
	size_t bl, kl, cut;
	int len, len2;

	if (nl == NULL || (bl = (size_t)(nl - in)) >= sizeof(base) ||
	    (kl = size - bl - 1) >= sizeof(key))
		return;
	memcpy(base, in, bl);
	base[bl] = '\0';
	memcpy(key, nl + 1, kl);
	key[kl] = '\0';
	len = kc_pusher_url(buf, sizeof(buf), base, key);
	len2 = kc_pusher_url(small, sizeof(small), base, key);
	KCHECK(len == len2);
	KCHECK(kc_pusher_url(NULL, 0, base, key) == len);
	if (len < 0)
		return;
	KCHECK((size_t)len < sizeof(buf) && strlen(buf) == (size_t)len);
	KCHECK(strlen(small) == sizeof(small) - 1);
	KCHECK(strncmp(buf, small, sizeof(small) - 1) == 0);
	KCHECK(strncasecmp(buf, "ws://", 5) == 0 ||
	    strncasecmp(buf, "wss://", 6) == 0);
	KCHECK(strchr(buf, ' ') == NULL && strchr(buf, '#') == NULL);
	cut = strcspn(buf, "?") - strlen("/app/") - strlen(key);
	KCHECK(strncmp(buf, base, cut) == 0);
	/* the base's trailing slashes go (a "//app/" inside it may stay) */
	KCHECK(cut > 0 && buf[cut - 1] != '/' &&
	    strncmp(buf + cut, "/app/", 5) == 0);
	KCHECK(strcmp(strchr(buf, '?'), "?protocol=7&client=js&"
	    "version=8.4.0&flash=false") == 0);
}

/* The builders: snprintf's promise at every buffer size up to the text. */
static void
builders(const uint8_t *data, size_t size)
{
	char buf[128], small[128];
	unsigned long long u = 0;
	long long id;
	size_t i, cut;
	int len;

	for (i = 0; i < size && i < 8; i++)
		u = u << 8 | data[i];
	id = (long long)u;
	len = kc_pusher_subscribe(buf, sizeof(buf), id);
	KCHECK(id < 0 ? len == -1 : len > 0 && (size_t)len < sizeof(buf));
	if (len < 0)
		return;
	snprintf(small, sizeof(small), "chatrooms.%lld.v2\"", id);
	KCHECK(strstr(buf, small) != NULL);
	cut = size > 0 ? data[0] % (size_t)len : 0;
	KCHECK(kc_pusher_subscribe(small, cut, id) == len);
	KCHECK(cut == 0 || (strlen(small) == cut - 1 &&
	    strncmp(small, buf, cut - 1) == 0));
	KCHECK(kc_pusher_ping(buf, sizeof(buf)) == (int)strlen(buf) &&
	    strcmp(buf, "{\"event\":\"pusher:ping\",\"data\":{}}") == 0);
	KCHECK(kc_pusher_pong(buf, sizeof(buf)) == (int)strlen(buf) &&
	    strcmp(buf, "{\"event\":\"pusher:pong\",\"data\":{}}") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;

	builders(data, size);
	if (size > 0 && in[0] == 'P')
		page(in + 1, size - 1);
	else if (size > 0 && in[0] == 'F')
		frame(in + 1, size - 1);
	else if (size > 0 && in[0] == 'U')
		url(in + 1, size - 1);
	else {
		page(in, size);
		frame(in, size);
	}
	return 0;
}
