/*
 * replay.c - Kick's chat replay: GET API/api/v2/channels/ID/messages
 * ?start_time=ISO answers the messages of a few seconds from that time
 * on, and its "cursor" says where the next page starts.  Pages are read
 * as the record loop needs them (the chat a few seconds past each
 * segment), through kc's HTTP client: its retries, User-Agent rotation
 * after a 403 and cookies.  A page that fails after those retries, or
 * that is not a page, ends the chat for the stream with one warning;
 * what was read stays.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "hls.h"
#include "http.h"
#include "kick.h"
#include "msg.h"

/* Seconds a page moves on when it gives no cursor and no message. */
#define PAGE_SECS 5.0

static struct {
	kc_http *http;
	char base[1200];	/* .../messages?start_time= */
	double next;		/* the next page's start_time */
	long long pages;
} R;

/* One page from R.next: 0, or -1 with c->error set. */
static int
page(struct cf_chat *c, const struct cf_opts *o)
{
	kc_http_req rq = { 0, 0, kc_kick_headers };
	kc_http_result r;
	kc_kickpage pg;
	char url[1300], ts[40], why[300];
	double last = -INFINITY, start = R.next;
	size_t len, i;
	char *body;
	int rc;

	if (hls_pdt_format(start, ts, sizeof(ts)) != 0) {
		snprintf(c->error, sizeof(c->error), "Kick's chat replay: "
		    "start time %.0f out of range", start);
		return -1;
	}
	snprintf(url, sizeof(url), "%s%s", R.base, ts);
	if ((rc = kc_http_get_mem(R.http, url, &rq, KC_KICKCHAT_MAX_BODY, &body,
	    &len, &r)) != KC_HTTP_OK) {
		snprintf(c->error, sizeof(c->error), "Kick's chat replay %.200s: "
		    "%.150s", url, r.reason);
		return -1;
	}
	rc = kc_kickchat_page(body, len, &pg, why, sizeof(why));
	free(body);
	if (rc == KC_KICKCHAT_NOMEM)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (rc != KC_KICKCHAT_OK) {
		snprintf(c->error, sizeof(c->error), "Kick's chat replay %.200s: "
		    "%.150s", url, why);
		return -1;
	}
	R.pages++;
	c->skipped += pg.skipped;
	for (i = 0; i < pg.n; i++) {
		/* an earlier page's, or before the stream */
		if (pg.msg[i].t < start)
			continue;
		cf_chat_add(c, &pg.msg[i], o);
		if (pg.msg[i].t > last)
			last = pg.msg[i].t;
	}
	/* the cursor when it moves on; else just past the last message
	 * (a page may be cut short), or the page's seconds when it was
	 * empty */
	if (pg.cursor > start)
		R.next = pg.cursor;
	else if (isfinite(last))
		R.next = last + 0.001 > start ? last + 0.001 : start + 0.001;
	else
		R.next = start + PAGE_SECS;
	c->until = R.next;
	kc_kickchat_page_free(&pg);
	return 0;
}

int
cf_replay_open(struct cf_chat *c, const char *api, long long id, double t0,
    const struct cf_opts *o)
{
	kc_http_opts ho;
	char why[300];
	size_t n = strlen(api);

	c->wall = 1;
	c->until = t0;
	c->error[0] = '\0';
	kc_http_opts_init(&ho);
	ho.max_retries = o->retries;
	ho.cookie_file = o->cookies;
	if (R.http == NULL && (R.http = kc_http_new(&ho, why, sizeof(why))) ==
	    NULL)
		kc_die(KC_EXIT_DATA, "%s", why);
	snprintf(R.base, sizeof(R.base), "%.*s/api/v2/channels/%lld/messages"
	    "?start_time=", (int)(n && api[n - 1] == '/' ? n - 1 : n), api, id);
	R.next = t0;
	if (page(c, o) != 0) {
		c->source = CF_NONE;
		return -1;
	}
	c->source = CF_REPLAY;
	return 0;
}

void
cf_replay_need(struct cf_chat *c, double from, double t,
    const struct cf_opts *o)
{
	if (c->until < from - PAGE_SECS)	/* a gap: skip its chat */
		R.next = c->until = from;
	while (c->source == CF_REPLAY && c->until < t)
		if (page(c, o) != 0) {
			kc_warn("%s; going on without the rest of the chat "
			    "(%lld pages read)", c->error, R.pages);
			c->source = CF_NONE;
		}
}

void
cf_replay_close(void)
{
	if (R.http != NULL)
		kc_http_free(R.http);
	R.http = NULL;
}
