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

/* The time of message o (line where); *wall: 1 for a Unix time. */
static double
msg_time(const json_t *o, const char *where, int *wall)
{
	const json_t *t = json_object_get(o, "t"),
	    *ts = json_object_get(o, "timestamp");
	const char *why;
	double v;

	if (json_is_number(t)) {
		v = json_number_value(t);
		if (!(v >= 0 && v <= KC_REC_TIME_MAX))
			kc_die(KC_EXIT_DATA, "%s: \"t\" %g is not a stream time "
			    "(0 to %g s)", where, v, KC_REC_TIME_MAX);
		*wall = 0;
		return v;
	}
	if (json_is_string(ts)) {
		if ((why = hls_pdt_parse(json_string_value(ts), &v)) != NULL)
			kc_die(KC_EXIT_DATA, "%s: \"timestamp\" \"%s\": %s",
			    where, json_string_value(ts), why);
		*wall = 1;
		return v;
	}
	kc_die(KC_EXIT_DATA, "%s: a message needs \"t\" (seconds from the "
	    "stream's start) or \"timestamp\" (ISO 8601)", where);
}

void
cf_chat_load(const char *path, const struct cf_opts *o, struct cf_chat *c)
{
	FILE *fp;
	char *line = NULL, where[1100];
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	json_t *j;
	json_error_t je;
	const char *user, *text, *type;
	int wall, seen = 0;

	memset(c, 0, sizeof(*c));
	c->source = CF_FILE;
	c->until = INFINITY;
	if ((fp = fopen(path, "re")) == NULL)
		kc_die(KC_EXIT_DATA, "%s:", path);
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%ld", path, lineno);
		if (len > MAX_LINE)
			kc_die(KC_EXIT_DATA, "%s: line longer than %ld bytes",
			    where, MAX_LINE);
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		if ((j = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES,
		    &je)) == NULL || !json_is_object(j))
			kc_die(KC_EXIT_DATA, "%s: not a JSON object%s%s", where,
			    j ? "" : ": ", j ? "" : je.text);
		user = json_string_value(json_object_get(j, "user"));
		text = json_string_value(json_object_get(j, "text"));
		type = json_string_value(json_object_get(j, "type"));
		if (json_object_get(j, "text") && text == NULL)
			kc_die(KC_EXIT_DATA, "%s: \"text\" is not a string",
			    where);
		if (text == NULL && (type == NULL || strcmp(type, "message") ==
		    0)) {
			c->skipped++;	/* nothing said */
			json_decref(j);
			continue;
		}
		kc_chat_classify(grow(c), user, text, type, o->bots[0] ?
		    o->bots : NULL);
		c->m[c->n].t = msg_time(j, where, &wall);
		if (seen && wall != c->wall)
			kc_die(KC_EXIT_DATA, "%s: \"t\" and \"timestamp\" mixed "
			    "in one log", where);
		c->wall = wall;
		seen = 1;
		c->n++;
		json_decref(j);
	}
	if (ferror(fp))
		kc_die(KC_EXIT_DATA, "%s:", path);
	free(line);
	fclose(fp);
	qsort(c->m, c->n, sizeof(*c->m), by_time);
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
