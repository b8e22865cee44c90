/*
 * kick.c - Kick's API answers (kick.h) read with jansson into
 * kc_kick_info.  Every field is looked up with its type checked, since
 * the site changes its JSON without notice and may answer with anything;
 * a playlist URL must be an http(s) URL without spaces or control
 * characters, because kc-fetch fetches whatever it is given.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "hls.h"
#include "kick.h"

const char *const kc_kick_headers[] = {
	"Accept: application/json, text/plain, */*",
	"Accept-Language: en-US,en;q=0.9",
	"Referer: https://kick.com/", "Origin: https://kick.com", NULL
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

	if (body == NULL || len > (size_t)KC_KICK_MAX_BODY) {
		say(why, n, 0, "answer of %zu bytes, more than %ld", len,
		    KC_KICK_MAX_BODY);
		return NULL;
	}
	if ((j = json_loadb(body, len, 0, &je)) == NULL)
		say(why, n, 0, "not JSON (line %d: %s)", je.line, je.text);
	return j;
}

/* An absolute http(s) URL with a host and nothing a request could not
 * carry (blanks, control characters). */
static int
http_url(const char *u)
{
	size_t skip, i;

	if (strncasecmp(u, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(u, "http://", 7) == 0)
		skip = 7;
	else
		return 0;
	if (u[skip] == '\0' || u[skip] == '/' || u[skip] == '?' ||
	    u[skip] == '#')
		return 0;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return 0;
	return 1;
}

/* A positive integer member, or 0. */
static long long
id_of(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	    (long long)json_integer_value(v) : 0;
}

/*
 * A time member as Kick writes it, "2026-03-01 18:00:00" (UTC) or ISO
 * 8601 with a 'T', a fraction and a zone (hls_pdt_parse reads both):
 * Unix seconds, NAN when absent or of another form.
 */
static double
time_of(const json_t *o, const char *k)
{
	const char *s = str(o, k);
	double t;

	return s != NULL && hls_pdt_parse(s, &t) == NULL ? t : NAN;
}

static char *
dup_or_null(const char *s, int *nomem)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*nomem = 1;
	return d;
}

/* Fills out from the strings found; the return code for them. */
static int
fill(kc_kick_info *out, const char *what, const char *url,
    const char *title, const char *channel, long long id, char *why,
    size_t n)
{
	int nomem = 0;

	memset(out, 0, sizeof(*out));
	if (!http_url(url))
		return say(why, n, KC_KICK_BAD, "%s is not an http(s) URL: "
		    "%.200s", what, url);
	out->url = dup_or_null(url, &nomem);
	out->title = dup_or_null(title, &nomem);
	out->channel = dup_or_null(channel, &nomem);
	out->live_id = id;
	out->start = NAN;
	if (nomem) {
		kc_kick_info_free(out);
		return say(why, n, KC_KICK_NOMEM, "out of memory");
	}
	return KC_KICK_OK;
}

int
kc_kick_channel(const char *body, size_t len, kc_kick_info *out, char *why,
    size_t n)
{
	json_t *ch, *ls, *id;
	const char *pb;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((ch = load(body, len, why, n)) == NULL)
		return KC_KICK_BAD;
	ls = json_object_get(ch, "livestream");
	pb = str(ch, "playback_url");
	if (!json_is_object(ls) || pb == NULL) {
		json_decref(ch);
		return KC_KICK_NONE;
	}
	id = json_object_get(ls, "id");
	rc = fill(out, "playback_url", pb, str(ls, "session_title"),
	    str(json_object_get(ch, "user"), "username"),
	    json_is_integer(id) && json_integer_value(id) > 0 ?
	    (long long)json_integer_value(id) : 0, why, n);
	if (rc == KC_KICK_OK) {
		out->channel_id = id_of(ch, "id");
		out->chatroom_id = id_of(json_object_get(ch, "chatroom"), "id");
		out->start = time_of(ls, "start_time");
	}
	json_decref(ch);
	return rc;
}

int
kc_kick_videos(const char *body, size_t len, const char *uuid,
    kc_kick_info *out, char *why, size_t n)
{
	json_t *list, *v, *found = NULL;
	const char *u, *src;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((list = load(body, len, why, n)) == NULL)
		return KC_KICK_BAD;
	json_array_foreach(list, i, v) {
		u = json_string_value(json_object_get(json_object_get(v,
		    "video"), "uuid"));
		if (u != NULL && uuid != NULL && strcmp(u, uuid) == 0)
			found = v;
	}
	if (found == NULL || (src = str(found, "source")) == NULL) {
		json_decref(list);
		return KC_KICK_NONE;
	}
	rc = fill(out, "source", src, str(found, "session_title"), NULL, 0,
	    why, n);
	if (rc == KC_KICK_OK) {
		out->channel_id = id_of(found, "channel_id");
		out->start = time_of(found, "start_time");
	}
	json_decref(list);
	return rc;
}

int
kc_kick_video(const char *body, size_t len, kc_kick_info *out, char *why,
    size_t n)
{
	json_t *v, *ls;
	const char *src;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((v = load(body, len, why, n)) == NULL)
		return KC_KICK_BAD;
	if ((src = str(v, "source")) == NULL) {
		json_decref(v);
		return KC_KICK_NONE;
	}
	ls = json_object_get(v, "livestream");
	rc = fill(out, "source", src, str(ls, "session_title"),
	    str(json_object_get(ls, "channel"), "slug"), 0, why, n);
	if (rc == KC_KICK_OK) {
		out->channel_id = id_of(json_object_get(ls, "channel"), "id");
		if (out->channel_id == 0)
			out->channel_id = id_of(ls, "channel_id");
		out->start = time_of(ls, "start_time");
	}
	json_decref(v);
	return rc;
}

void
kc_kick_info_free(kc_kick_info *k)
{
	if (k == NULL)
		return;
	free(k->url);
	free(k->title);
	free(k->channel);
	memset(k, 0, sizeof(*k));
	k->start = NAN;
}
