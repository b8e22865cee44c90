/*
 * kickchat.c - Kick's chat (kickchat.h) read with jansson: replay pages
 * and Pusher frames into kc_kickmsg, and the frames and URL the client
 * sends.  Every field is looked up with its type checked, since Kick
 * changes its JSON without notice; strings are copied into the message's
 * own fixed buffers, cut at a character boundary, so that what a hostile
 * answer can make us hold is bounded per message.  Dates are read by
 * hls_pdt_parse, the one ISO 8601 reader kc has.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "hls.h"
#include "kickchat.h"

/* Entries of one replay page, at most (Kick sends some 25 to 100): a
 * bound on what a page costs, kc_kickmsg being 2 kB. */
#define MAX_ENTRIES 10000

static const char *const chat_event = "App\\Events\\ChatMessageEvent";

/* The events that are notices, and where their user and text are. */
static const struct notice {
	const char *event, *type, *user, *text;
} notices[] = {
	{ "App\\Events\\GiftedSubscriptionsEvent", "gift",
	    "gifter_username", NULL },
	{ "App\\Events\\LuckyUsersWhoGotGiftSubscriptionsEvent", "gift",
	    "gifter_username", NULL },
	{ "App\\Events\\SubscriptionEvent", "subscription", "username", NULL },
	{ "App\\Events\\StreamHostEvent", "host", "host_username",
	    "optional_message" },
};

static int
say(char *why, size_t n, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && n > 0) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A non-empty string member, or NULL. */
static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL && *s != '\0' ? s : NULL;
}

static json_t *
load(const char *body, size_t len, char *why, size_t n)
{
	json_error_t je;
	json_t *j;

	if (body == NULL || len > (size_t)KC_KICKCHAT_MAX_BODY) {
		say(why, n, 0, "text of %zu bytes, more than %ld", len,
		    KC_KICKCHAT_MAX_BODY);
		return NULL;
	}
	if ((j = json_loadb(body, len, 0, &je)) == NULL)
		say(why, n, 0, "not JSON (line %d: %s)", je.line, je.text);
	else if (!json_is_object(j)) {
		say(why, n, 0, "not a JSON object");
		json_decref(j);
		j = NULL;
	}
	return j;
}

/*
 * src (NULL: "") into dst, at most cap bytes of it.  jansson's strings
 * are valid UTF-8 without NUL, so stepping back over continuation bytes
 * cuts between characters.
 */
static void
cut(char *dst, size_t cap, const char *src)
{
	size_t k;

	if (src == NULL) {
		dst[0] = '\0';
		return;
	}
	if ((k = strnlen(src, cap + 1)) > cap)
		for (k = cap; k > 0 && ((unsigned char)src[k] & 0xc0) == 0x80;
		    k--)
			;
	memcpy(dst, src, k);
	dst[k] = '\0';
}

/* o's created_at in Unix seconds, NAN when absent or unreadable. */
static double
created(const json_t *o)
{
	const char *s = json_string_value(json_object_get(o, "created_at"));
	double t;

	if (s == NULL || hls_pdt_parse(s, &t) != NULL || !isfinite(t))
		return NAN;
	return t;
}

/* m's time and id from o; the rest emptied. */
static void
start(kc_kickmsg *m, const json_t *o)
{
	const json_t *id = json_object_get(o, "id");

	memset(m, 0, sizeof(*m));
	m->t = created(o);
	if (json_is_integer(id))
		snprintf(m->id, sizeof(m->id), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(id));
	else
		cut(m->id, KC_KICKMSG_ID, json_string_value(id));
}

/* A chat message object (a replay entry, a ChatMessageEvent's data) into
 * *m: 0, or -1 for a chat message without content. */
static int
chat_msg(kc_kickmsg *m, const json_t *o)
{
	const json_t *snd = json_object_get(o, "sender");
	const char *user, *type = str(o, "type"), *text = str(o, "content");

	start(m, o);
	if ((user = str(snd, "username")) == NULL)
		user = str(snd, "slug");
	cut(m->user, KC_KICKMSG_USER, user);
	if (type == NULL || strcmp(type, "reply") == 0)
		type = "message";
	cut(m->type, KC_KICKMSG_TYPE, type);
	if (text == NULL && strcmp(type, "message") == 0)
		return -1;
	cut(m->text, KC_KICKMSG_TEXT, text);
	return 0;
}

/* data.cursor: milliseconds since 1970 as a number or a string of
 * digits, in seconds; NAN otherwise. */
static double
cursor(const json_t *c)
{
	const char *s;
	double ms;
	size_t k;

	if (json_is_number(c))
		ms = json_number_value(c);
	else if ((s = json_string_value(c)) != NULL &&
	    (k = strspn(s, "0123456789")) > 0 && k <= 20 && s[k] == '\0')
		ms = strtod(s, NULL);
	else
		return NAN;
	return isfinite(ms) && ms >= 0 ? ms / 1000 : NAN;
}

/* Why a page without data.messages is refused, with Kick's status
 * code and message when it gave them. */
static int
no_messages(const json_t *j, char *why, size_t n)
{
	const json_t *st = json_object_get(j, "status");
	const json_t *code = json_object_get(st, "code");
	const char *msg = str(st, "message");
	char num[32] = "";

	if (json_is_integer(code))
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(code));
	if (num[0] == '\0' && msg == NULL)
		return say(why, n, KC_KICKCHAT_BAD, "no data.messages array");
	return say(why, n, KC_KICKCHAT_BAD, "no data.messages array (status "
	    "%s%s%.100s)", num, num[0] && msg ? ": " : "", msg ? msg : "");
}

int
kc_kickchat_page(const char *body, size_t len, kc_kickpage *out,
    char *why, size_t n)
{
	json_t *j, *data, *msgs, *v;
	size_t i;
	int rc = KC_KICKCHAT_OK;

	memset(out, 0, sizeof(*out));
	out->cursor = NAN;
	if ((j = load(body, len, why, n)) == NULL)
		return KC_KICKCHAT_BAD;
	data = json_object_get(j, "data");
	if (json_is_null(data))
		goto done;
	if (!json_is_array(msgs = json_object_get(data, "messages"))) {
		rc = no_messages(j, why, n);
		goto done;
	}
	if (json_array_size(msgs) > MAX_ENTRIES) {
		rc = say(why, n, KC_KICKCHAT_BAD, "%zu messages in a page, "
		    "more than %d", json_array_size(msgs), MAX_ENTRIES);
		goto done;
	}
	if (json_array_size(msgs) > 0 && (out->msg = calloc(
	    json_array_size(msgs), sizeof(*out->msg))) == NULL) {
		rc = say(why, n, KC_KICKCHAT_NOMEM, "out of memory");
		goto done;
	}
	json_array_foreach(msgs, i, v) {
		if (!json_is_object(v) || chat_msg(&out->msg[out->n], v) != 0 ||
		    isnan(out->msg[out->n].t))
			out->skipped++;
		else
			out->n++;
	}
	out->cursor = cursor(json_object_get(data, "cursor"));
	if (out->n == 0) {
		free(out->msg);
		out->msg = NULL;
	}
done:
	json_decref(j);
	return rc;
}

void
kc_kickchat_page_free(kc_kickpage *p)
{
	if (p == NULL)
		return;
	free(p->msg);
	memset(p, 0, sizeof(*p));
	p->cursor = NAN;
}

/* A frame's "data": an object, or a JSON string holding one; a new
 * reference, or NULL. */
static json_t *
frame_data(const json_t *j)
{
	json_t *d = json_object_get(j, "data");

	if (json_is_object(d))
		return json_incref(d);
	if (json_is_string(d)) {
		d = json_loadb(json_string_value(d), json_string_length(d), 0,
		    NULL);
		if (json_is_object(d))
			return d;
		json_decref(d);
	}
	return NULL;
}

/* The notice event ev is, or NULL. */
static const struct notice *
notice_of(const char *ev)
{
	size_t i;

	for (i = 0; i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(ev, notices[i].event) == 0)
			return &notices[i];
	return NULL;
}

/* The chat message event ev (no: NULL) or the notice no, with data d,
 * into f->msg: the frame's kind. */
static int
message(kc_pusher_frame *f, const char *ev, const struct notice *no,
    const json_t *d, char *why, size_t n)
{
	if (d == NULL)
		return say(why, n, KC_PUSHER_BAD, "%s: data is not an object",
		    ev);
	if (no == NULL) {
		if (chat_msg(&f->msg, d) != 0)
			return say(why, n, KC_PUSHER_BAD, "%s: a chat message "
			    "without content", ev);
		return KC_PUSHER_MESSAGE;
	}
	start(&f->msg, d);
	cut(f->msg.user, KC_KICKMSG_USER, str(d, no->user));
	cut(f->msg.type, KC_KICKMSG_TYPE, no->type);
	if (no->text != NULL)
		cut(f->msg.text, KC_KICKMSG_TEXT, str(d, no->text));
	return KC_PUSHER_MESSAGE;
}

int
kc_pusher_frame_read(const char *body, size_t len, kc_pusher_frame *f,
    char *why, size_t n)
{
	const struct notice *no;
	json_t *j, *d, *v;
	const char *ev;
	int kind = KC_PUSHER_OTHER;

	memset(f, 0, sizeof(*f));
	f->kind = KC_PUSHER_BAD;
	f->msg.t = NAN;
	if ((j = load(body, len, why, n)) == NULL)
		return KC_PUSHER_BAD;
	if ((ev = json_string_value(json_object_get(j, "event"))) == NULL) {
		json_decref(j);
		return say(why, n, KC_PUSHER_BAD, "no \"event\" string");
	}
	d = frame_data(j);
	if (strcmp(ev, "pusher:connection_established") == 0) {
		kind = KC_PUSHER_ESTABLISHED;
		v = json_object_get(d, "activity_timeout");
		f->timeout = json_is_integer(v) && json_integer_value(v) >= 1 &&
		    json_integer_value(v) <= 3600 ?
		    (int)json_integer_value(v) : 120;
	} else if (strcmp(ev, "pusher_internal:subscription_succeeded") == 0)
		kind = KC_PUSHER_SUBSCRIBED;
	else if (strcmp(ev, "pusher:ping") == 0)
		kind = KC_PUSHER_PING;
	else if (strcmp(ev, "pusher:pong") == 0)
		kind = KC_PUSHER_PONG;
	else if (strcmp(ev, "pusher:error") == 0) {
		kind = KC_PUSHER_ERROR;
		v = json_object_get(d, "code");
		if (json_is_integer(v) && json_integer_value(v) >= INT_MIN &&
		    json_integer_value(v) <= INT_MAX)
			f->code = (int)json_integer_value(v);
		cut(f->message, KC_PUSHER_ERRMSG, str(d, "message"));
	} else if ((no = notice_of(ev)) != NULL ||
	    strcmp(ev, chat_event) == 0)
		kind = message(f, ev, no, d, why, n);
	if (kind == KC_PUSHER_BAD) {
		memset(f, 0, sizeof(*f));
		f->msg.t = NAN;
	} else
		cut(f->channel, KC_PUSHER_CHANNEL, json_string_value(
		    json_object_get(j, "channel")));
	f->kind = kind;
	json_decref(d);
	json_decref(j);
	return kind;
}

int
kc_pusher_subscribe(char *buf, size_t n, long long id)
{
	if (id < 0)
		return -1;
	return snprintf(buf, n, "{\"event\":\"pusher:subscribe\",\"data\":"
	    "{\"auth\":\"\",\"channel\":\"chatrooms.%lld.v2\"}}", id);
}

int
kc_pusher_ping(char *buf, size_t n)
{
	return snprintf(buf, n, "{\"event\":\"pusher:ping\",\"data\":{}}");
}

int
kc_pusher_pong(char *buf, size_t n)
{
	return snprintf(buf, n, "{\"event\":\"pusher:pong\",\"data\":{}}");
}

int
kc_pusher_url(char *buf, size_t n, const char *base, const char *key)
{
	static const char keych[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
	size_t skip, blen, i;

	if (base == NULL || key == NULL)
		return -1;
	if (strncasecmp(base, "wss://", 6) == 0)
		skip = 6;
	else if (strncasecmp(base, "ws://", 5) == 0)
		skip = 5;
	else
		return -1;
	blen = strlen(base);
	while (blen > skip && base[blen - 1] == '/')
		blen--;
	if (blen == skip || base[skip] == '/' || blen > INT_MAX)
		return -1;
	for (i = 0; i < blen; i++)
		if ((unsigned char)base[i] <= ' ' || base[i] == 0x7f ||
		    base[i] == '?' || base[i] == '#')
			return -1;
	if (*key == '\0' || key[strspn(key, keych)] != '\0')
		return -1;
	return snprintf(buf, n, "%.*s/app/%s?protocol=7&client=js&"
	    "version=8.4.0&flash=false", (int)blen, base, key);
}
