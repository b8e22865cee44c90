/*
 * chatlog.c - kc-chatfeat's chat, classified message by message: from a
 * chat log (JSON Lines, one message a line, {"t": seconds from the
 * stream's start} or {"timestamp": ISO 8601}, with "user", "text" and an
 * optional "type"; docs/records.md, "Chat logs"), read whole and sorted
 * at the start, or from Kick as it comes (cf_chat_add), with the raw
 * messages written to --chat-log only when asked.  A message is 40 bytes
 * of kc_chatmsg, so even a busy 10-hour chat (a million messages) is
 * some 40 MB.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cf.h"
#include "hls.h"
#include "msg.h"
#include "rec.h"

#define MAX_LINE (1L << 20)

static FILE *rawlog;		/* --chat-log */

/* Room for one more message in c. */
static struct kc_chatmsg *
grow(struct cf_chat *c)
{
	struct kc_chatmsg *nm;
	size_t cap;

	if (c->n == c->cap) {
		cap = c->cap ? c->cap * 2 : 1024;
		if ((nm = realloc(c->m, cap * sizeof(*nm))) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		c->m = nm;
		c->cap = cap;
	}
	return &c->m[c->n];
}

static int
by_time(const void *a, const void *b)
{
	const struct kc_chatmsg *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/*
 * The time of message o; *wall: 1 for a Unix time.  NAN with why set
 * when it has none that can be used.
 */
static double
msg_time(const json_t *o, int *wall, char *why, size_t whylen)
{
	const json_t *t = json_object_get(o, "t"),
	    *ts = json_object_get(o, "timestamp");
	const char *err;
	double v;

	if (json_is_number(t)) {
		v = json_number_value(t);
		if (!(v <= KC_REC_TIME_MAX)) {
			snprintf(why, whylen, "\"t\" %g is not a stream time "
			    "(at most %g s)", v, KC_REC_TIME_MAX);
			return NAN;
		}
		*wall = 0;
		return v;
	}
	if (json_is_string(ts)) {
		if ((err = hls_pdt_parse(json_string_value(ts), &v)) != NULL) {
			snprintf(why, whylen, "\"timestamp\" \"%.60s\": %s",
			    json_string_value(ts), err);
			return NAN;
		}
		*wall = 1;
		return v;
	}
	snprintf(why, whylen, "a message needs \"t\" (seconds from the "
	    "stream's start, a number) or \"timestamp\" (ISO 8601)");
	return NAN;
}

/* A line that cannot be used: counted, the first one's reason kept. */
static void
bad_line(long *nbad, char *first, size_t firstlen, const char *where,
    const char *why)
{
	if ((*nbad)++ == 0)
		snprintf(first, firstlen, "%s: %s", where, why);
}

void
cf_chat_load(const char *path, const struct cf_opts *o, struct cf_chat *c)
{
	FILE *fp;
	char *line = NULL, where[1100], why[300], first[1500] = "";
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, nbad = 0, before = 0;
	json_t *j;
	json_error_t je;
	const char *user, *text, *type;
	double t;
	int wall = 0, seen = 0;

	memset(c, 0, sizeof(*c));
	c->source = CF_FILE;
	c->until = INFINITY;
	if ((fp = fopen(path, "re")) == NULL)
		kc_die(KC_EXIT_DATA, "%s:", path);
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%ld", path, lineno);
		if (len > MAX_LINE) {
			snprintf(why, sizeof(why), "line longer than %ld bytes",
			    MAX_LINE);
			bad_line(&nbad, first, sizeof(first), where, why);
			continue;
		}
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		if ((j = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES,
		    &je)) == NULL || !json_is_object(j)) {
			snprintf(why, sizeof(why), "not a JSON object%s%s",
			    j ? "" : ": ", j ? "" : je.text);
			bad_line(&nbad, first, sizeof(first), where, why);
			json_decref(j);
			continue;
		}
		user = json_string_value(json_object_get(j, "user"));
		text = json_string_value(json_object_get(j, "text"));
		type = json_string_value(json_object_get(j, "type"));
		if (json_object_get(j, "text") && text == NULL) {
			bad_line(&nbad, first, sizeof(first), where,
			    "\"text\" is not a string");
			json_decref(j);
			continue;
		}
		if (text == NULL && (type == NULL || strcmp(type, "message") ==
		    0)) {
			c->skipped++;	/* nothing said */
			json_decref(j);
			continue;
		}
		if (isnan(t = msg_time(j, &wall, why, sizeof(why)))) {
			bad_line(&nbad, first, sizeof(first), where, why);
			json_decref(j);
			continue;
		}
		if (seen && wall != c->wall) {
			bad_line(&nbad, first, sizeof(first), where, c->wall ?
			    "\"t\" in a log of \"timestamp\"s" :
			    "\"timestamp\" in a log of \"t\"s");
			json_decref(j);
			continue;
		}
		c->wall = wall;
		seen = 1;
		if (!wall && t < 0) {
			before++;	/* said before the stream began */
			json_decref(j);
			continue;
		}
		kc_chat_classify(grow(c), user, text, type, o->bots[0] ?
		    o->bots : NULL);
		c->m[c->n++].t = t;
		json_decref(j);
	}
	if (ferror(fp))
		kc_die(KC_EXIT_DATA, "%s:", path);
	free(line);
	fclose(fp);
	/* qsort's pointer must never be NULL, even for 0 elements (a log
	 * with no usable line has no array) */
	if (c->n > 1)
		qsort(c->m, c->n, sizeof(*c->m), by_time);
	/* a log cut short or with odd lines is read for what it has */
	if (nbad > 0 && c->n == 0 && before == 0) {
		snprintf(c->error, sizeof(c->error), "%s: no message could be "
		    "read (%ld line%s; the first, %s)", path, nbad, nbad == 1 ?
		    "" : "s", first);
		c->broken = 1;
	} else if (nbad > 0)
		kc_warn("%s: %ld line%s not used (the first, %s); the chat is "
		    "read without %s", path, nbad, nbad == 1 ? "" : "s", first,
		    nbad == 1 ? "it" : "them");
}

/* Writes m to --chat-log as a chat log line. */
static void
log_raw(const kc_kickmsg *m, const char *path)
{
	char ts[64];
	json_t *j;

	if (rawlog == NULL && (rawlog = fopen(path, "we")) == NULL)
		kc_die(KC_EXIT_DATA, "--chat-log %s:", path);
	if (hls_pdt_format(m->t, ts, sizeof(ts)) != 0)
		return;		/* not a time a log can hold */
	if ((j = json_pack("{ss ss ss ss}", "timestamp", ts, "user", m->user,
	    "text", m->text, "type", m->type)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (json_dumpf(j, rawlog, JSON_COMPACT) != 0 || putc('\n', rawlog) ==
	    EOF || fflush(rawlog) != 0)
		kc_die(KC_EXIT_DATA, "--chat-log %s:", path);
	json_decref(j);
}

void
cf_chat_add(struct cf_chat *c, const kc_kickmsg *m, const struct cf_opts *o)
{
	struct kc_chatmsg cm;
	size_t i;

	if (!isfinite(m->t))
		return;
	kc_chat_classify(&cm, m->user, m->text, m->type, o->bots[0] ?
	    o->bots : NULL);
	cm.t = m->t;
	grow(c);
	/* in time order: Kick's pages and frames nearly always are */
	for (i = c->n; i > 0 && c->m[i - 1].t > cm.t; i--)
		c->m[i] = c->m[i - 1];
	c->m[i] = cm;
	c->n++;
	if (o->chat_log)
		log_raw(m, o->chat_log);
}

void
cf_chat_clear(struct cf_chat *c)
{
	c->n = 0;
	c->skipped = 0;
}
