/*
 * common.c - small pieces every kc-fetch source path shares: record
 * fields, the stream id, resuming, the closing "end" record and the
 * network summary.
 */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fetch.h"
#include "hash.h"
#include "msg.h"
#include "out.h"
#include "rec.h"

void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

void
stream_id(const char *canon, char id[17])
{
	snprintf(id, 17, "%016llx", (unsigned long long)kc_fnv1a(KC_FNV_INIT,
	    canon, strlen(canon)));
}

void
resume_check(const char *id)
{
	if (O.resume_id && strcmp(O.resume_id, id) != 0) {
		kc_warn("%s: the stream changed since the interrupted run "
		    "(id %s, was %s); starting over", O.arg, id, O.resume_id);
		O.resume_after = -1;
	}
}

int
fetch_reader_gone(void)
{
	struct pollfd pf = { 1, 0, 0 };

	return poll(&pf, 1, 0) == 1 && (pf.revents & (POLLERR | POLLHUP));
}

static void
on_signal(int sig)
{
	(void)sig;
	fetch_stop++;
}

void
catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

json_t *
own_stream(json_t *s)
{
	char why[512];

	if (kc_rec_check(s, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "%s: %s (kc records go up to %.0f s: "
		    "use --start/--end)", O.arg, why, KC_REC_TIME_MAX);
	return s;
}

void
emit_end(const char *id)
{
	json_t *r = kc_rec_new("end");

	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "stream", json_string(id));
	kc_out_new(r);
	kc_out_flush();
}

const char *
base_name(const char *s)
{
	const char *p = strrchr(s, '/');

	return (p && p[1]) ? p + 1 : s;
}

void
http_summary(const kc_http_stats *st, long gaps)
{
	kc_warn("%lld requests, %lld retries, %lld answered 403 (%lld by "
	    "Cloudflare), %lld answered 429, %lld stalls or dropped "
	    "connections, %ld gap%s, %.1f MB received", st->requests,
	    st->retries, st->http_403, st->cloudflare, st->http_429,
	    st->stalls + st->neterrors, gaps, gaps == 1 ? "" : "s",
	    (double)st->bytes / 1e6);
}
