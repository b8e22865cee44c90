/*
 * net.c - what an http(s) SOURCE is and where its media lives.  Kick,
 * Twitch and YouTube pages and HLS playlists go to yt-dlp first (its
 * format list gives the renditions); Kick pages then to Kick's own API
 * (channel -> live playback_url, channel videos -> a VOD's source, the
 * answers read by src/lib/kick.c); any other URL is sniffed: an HLS
 * playlist, or a media file for ffprobe.  Everything is fetched with
 * src/lib/http.c (retries, backoff, cookies).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetch.h"
#include "kick.h"
#include "msg.h"
#include "spawn.h"

enum kind { PLAIN, KICK, OTHER_PAGE };

#define PLAYLIST_MAX (32L << 20)

static char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	return d;
}

/* A part of url (libcurl's reading: userinfo, ports and IPv6 hosts as
 * RFC 3986 has them) into out; 0, or -1 when url has none or it is too
 * long. */
static int
url_part(const char *url, CURLUPart what, char *out, size_t n)
{
	CURLU *u = curl_url();
	char *p = NULL;
	int rc = -1;

	/* (CURLU_URLENCODE: a space or a backquote in a path makes it no
	 * other host, just a bad path) */
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_URLENCODE) ==
	    CURLUE_OK &&
	    curl_url_get(u, what, &p, 0) == CURLUE_OK && strlen(p) < n) {
		memcpy(out, p, strlen(p) + 1);
		rc = 0;
	}
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

static int
host_is(const char *url, const char *const *hosts)
{
	char host[256];
	size_t i;

	if (url_part(url, CURLUPART_HOST, host, sizeof(host)) != 0)
		return 0;
	for (i = 0; hosts[i]; i++)
		if (strcasecmp(host, hosts[i]) == 0)
			return 1;
	return 0;
}

static enum kind
classify(const char *url)
{
	static const char *const kick[] = { "kick.com", "www.kick.com",
	    NULL };
	static const char *const pages[] = { "twitch.tv", "www.twitch.tv",
	    "m.twitch.tv", "youtube.com", "www.youtube.com", "m.youtube.com",
	    "youtu.be", NULL };

	if (host_is(url, kick))
		return KICK;
	if (host_is(url, pages))
		return OTHER_PAGE;
	return PLAIN;
}

/* The URL without query and fragment: tokens change, the stream not. */
static char *
canonical(const char *url)
{
	char *c = xstrdup(url);

	c[strcspn(c, "?#")] = '\0';
	return c;
}

static int
looks_m3u8(const char *url)
{
	size_t n = strcspn(url, "?#");

	return n >= 5 && strncasecmp(url + n - 5, ".m3u8", 5) == 0;
}

/*
 * Cancels a transfer or retry wait when nobody reads our output any more
 * (kc-clip killed with its stages left running) or after a second stop
 * signal, so an orphaned kc-fetch does not wait out a stalled download.
 */
static int
on_progress(void *ctx, long long got, long long total)
{
	(void)ctx;
	(void)got;
	(void)total;
	return fetch_stop >= 2 || fetch_cancel || fetch_reader_gone();
}

kc_http *
new_http(int kick, int rot)
{
	const char *ua[64];
	kc_http_opts ho;
	kc_http *h;
	char why[300];
	size_t n, i;

	kc_http_opts_init(&ho);
	/* the built-in User-Agents, starting rot places on */
	for (n = 0; kc_http_user_agents[n] != NULL && n < 63; n++)
		;
	for (i = 0; i < n; i++)
		ua[i] = kc_http_user_agents[(i + (size_t)rot) % n];
	ua[n] = NULL;
	ho.user_agents = ua;
	ho.max_retries = O.retries;
	ho.backoff_factor = O.backoff;
	ho.cookie_file = O.cookies;
	ho.progress = on_progress;
	if (kick)
		ho.headers = kc_kick_headers;
	if ((h = kc_http_new(&ho, why, sizeof(why))) == NULL)
		kc_die(KC_EXIT_DATA, "%s", why);
	return h;
}

/* The advice to add when a site blocks us. */
const char *
blocked_advice(const kc_http_result *r)
{
	return r->cloudflare || r->status == 403 ? "; try --cookies FILE "
	    "(cookies.txt exported from a browser where the site works), a "
	    "newer yt-dlp (KC_YTDLP=/path/to/yt-dlp), or paste the .m3u8 URL "
	    "your browser plays" : "";
}

/* GETs url into memory or dies naming what. */
static char *
get_or_die(kc_http *h, const char *url, const char *what, size_t *len)
{
	kc_http_result r;
	char *body;
	int rc, round;

	/* a second round of retries before giving up (see hlsrun.c) */
	for (round = 0; (rc = kc_http_get_mem(h, url, NULL, PLAYLIST_MAX, &body,
	    len, &r)) == KC_HTTP_GAVEUP && round < 1; round++)
		sleep(5);
	if (rc != KC_HTTP_OK)
		kc_die(KC_EXIT_DATA, "%s: %s: %s%s", O.arg, what, r.reason,
		    blocked_advice(&r));
	return body;
}

static kc_hls *
parse_or_die(const char *text, size_t len, const char *url)
{
	kc_hls *pl;
	long line;
	char why[300];

	if (kc_hls_parse(text, len, url, &pl, &line, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "%s: %s: line %ld: %s", O.arg, url, line,
		    why);
	return pl;
}

/* Fills t from an HLS playlist URL (master or media). */
static void
from_playlist(struct target *t, const char *url)
{
	size_t len;
	char *text = get_or_die(t->http, url, "playlist", &len);
	kc_hls *pl = parse_or_die(text, len, url);

	free(text);
	if (pl->kind == KC_HLS_MASTER)
		t->master = pl;
	else {
		t->media = xstrdup(url);
		kc_hls_free(pl);
	}
}

/* ---- yt-dlp ----------------------------------------------------------- */

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && *s ? s : NULL;
}

/* A master playlist made from yt-dlp's HLS formats (each a rendition's
 * media playlist). */
static kc_hls *
master_from_formats(json_t *formats)
{
	kc_hls *m;
	json_t *f;
	size_t i, n = 0;
	const char *proto, *url, *vc;
	double tbr;

	if ((m = calloc(1, sizeof(*m))) == NULL || (m->var = calloc(
	    json_array_size(formats) + 1, sizeof(*m->var))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	m->kind = KC_HLS_MASTER;
	json_array_foreach(formats, i, f) {
		proto = jstr(f, "protocol");
		url = jstr(f, "url");
		if (proto == NULL || url == NULL || strncmp(proto, "m3u8", 4))
			continue;
		vc = jstr(f, "vcodec");
		m->var[n].uri = xstrdup(url);
		m->var[n].height = (int)json_integer_value(json_object_get(f,
		    "height"));
		m->var[n].width = (int)json_integer_value(json_object_get(f,
		    "width"));
		/* kbit/s; a number out of range must not overflow the cast */
		tbr = json_number_value(json_object_get(f, "tbr"));
		m->var[n].bandwidth = tbr > 0 && tbr < 1e9 ? (long long)(tbr *
		    1000) : 0;
		m->var[n].frame_rate = json_number_value(json_object_get(f,
		    "fps"));
		m->var[n].name = xstrdup(jstr(f, "format_id"));
		m->var[n].has_video = vc == NULL || strcmp(vc, "none") != 0;
		/* yt-dlp says it is sound alone: as a master's CODECS would */
		if (!m->var[n].has_video)
			m->var[n].codecs = "mp4a";
		n++;
	}
	m->nvar = n;
	if (n == 0) {
		free(m->var);
		free(m);
		return NULL;
	}
	return m;
}

/* Returns 0 when yt-dlp resolved url into t; -1 with why. */
static int
ytdlp(const char *url, struct target *t, char *why, size_t n)
{
	const char *argv[12];
	char err[2048], sbuf[64], *out;
	json_t *info, *formats;
	json_error_t jerr;
	size_t k = 0;
	int st;

	argv[k++] = kc_tool("KC_YTDLP", "yt-dlp");
	argv[k++] = "-J";
	argv[k++] = "--no-warnings";
	argv[k++] = "--no-playlist";
	if (O.cookies) {
		argv[k++] = "--cookies";
		argv[k++] = O.cookies;
	}
	argv[k++] = "--";
	argv[k++] = url;
	argv[k] = NULL;
	if (kc_run_capture(argv, 64L << 20, &out, NULL, err, sizeof(err),
	    &st) != 0) {
		snprintf(why, n, "cannot run %s: %s", argv[0], errno == ENOENT ?
		    "not found" : strerror(errno));
		return -1;
	}
	if (kc_status_failed(st)) {
		kc_last_line(err);
		snprintf(why, n, "%s", *err ? err : kc_status_str(st, sbuf,
		    sizeof(sbuf)));
		free(out);
		return -1;
	}
	info = json_loads(out, 0, &jerr);
	free(out);
	if (!json_is_object(info)) {
		json_decref(info);
		snprintf(why, n, "unreadable yt-dlp output");
		return -1;
	}
	formats = json_object_get(info, "formats");
	if (json_is_array(formats))
		t->master = master_from_formats(formats);
	t->own_vars = t->master != NULL;
	if (t->master == NULL) {
		json_decref(info);
		snprintf(why, n, "yt-dlp found no HLS formats");
		return -1;
	}
	t->title = xstrdup(jstr(info, "title"));
	t->channel = xstrdup(jstr(info, "channel") ? jstr(info, "channel") :
	    jstr(info, "uploader"));
	if (json_is_true(json_object_get(info, "is_live")))
		t->live = 1;
	json_decref(info);
	return 0;
}

/* ---- Kick's API ------------------------------------------------------- */

/* Path segment i (0-based) of url into out; 0 when there is one. */
static int
path_seg(const char *url, int i, char *out, size_t n)
{
	char path[2048];
	const char *p = path, *e;

	if (url_part(url, CURLUPART_PATH, path, sizeof(path)) != 0)
		return -1;
	for (;;) {
		if (*p != '/')
			return -1;
		p++;
		e = p + strcspn(p, "/");
		if (i-- == 0)
			break;
		p = e;
	}
	if (e == p || (size_t)(e - p) >= n)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static int
safe_token(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* GETs an API path: the answer's text (len bytes), or NULL on a 404. */
static char *
api_get(kc_http *h, const char *path, size_t *len)
{
	char url[2048], *body;
	kc_http_result r;
	int rc, round;

	snprintf(url, sizeof(url), "%s%s%s", O.kick_api, O.kick_api[0] &&
	    O.kick_api[strlen(O.kick_api) - 1] == '/' ? "" : "/", path + 1);
	/* a second round of retries, as for playlists (get_or_die) */
	for (round = 0; (rc = kc_http_get_mem(h, url, NULL, KC_KICK_MAX_BODY,
	    &body, len, &r)) == KC_HTTP_GAVEUP && round < 1; round++)
		sleep(5);
	if (rc == KC_HTTP_FAILED && r.status == 404)
		return NULL;
	if (rc != KC_HTTP_OK)
		kc_die(KC_EXIT_DATA, "%s: Kick API %s: %s%s", O.arg, url,
		    r.reason, blocked_advice(&r));
	return body;
}

/* What kc_kick_* said about an answer: dies unless it is OK or NONE. */
static int
api_answer(int rc, const char *path, const char *why)
{
	if (rc == KC_KICK_NOMEM)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (rc == KC_KICK_BAD)
		kc_die(KC_EXIT_DATA, "%s: Kick API %s: %s%s", O.arg, path, why,
		    strncmp(why, "not JSON", 8) == 0 ? " (blocked? try "
		    "--cookies FILE or paste the .m3u8 URL)" : "");
	return rc;
}

static void
kick_live(struct target *t, const char *slug)
{
	char path[300], canon[400], why[400];
	kc_kick_info k;
	size_t len;
	char *body;

	snprintf(path, sizeof(path), "/api/v2/channels/%s", slug);
	if ((body = api_get(t->http, path, &len)) == NULL)
		kc_die(KC_EXIT_DATA, "%s: Kick has no channel \"%s\"", O.arg,
		    slug);
	if (api_answer(kc_kick_channel(body, len, &k, why, sizeof(why)), path,
	    why) == KC_KICK_NONE)
		kc_die(KC_EXIT_DATA, "%s: %s is not live now (for a past "
		    "stream give https://kick.com/%s/videos/UUID)", O.arg, slug,
		    slug);
	free(body);
	t->title = xstrdup(k.title);
	t->channel = xstrdup(k.channel ? k.channel : slug);
	t->live = 1;
	t->kick_channel = k.channel_id;
	t->kick_chatroom = k.chatroom_id;
	t->kick_start = k.start;
	snprintf(canon, sizeof(canon), "kick:live:%s:%lld", slug, k.live_id);
	free(t->canon);
	t->canon = xstrdup(canon);
	from_playlist(t, k.url);
	kc_kick_info_free(&k);
}

static void
kick_vod(struct target *t, const char *slug, const char *uuid)
{
	char path[400], canon[300], why[400];
	kc_kick_info k;
	char *body;
	size_t len;
	int rc = KC_KICK_NONE;

	if (*slug) {
		snprintf(path, sizeof(path), "/api/v2/channels/%s/videos",
		    slug);
		if ((body = api_get(t->http, path, &len)) == NULL)
			kc_die(KC_EXIT_DATA, "%s: Kick has no channel \"%s\"",
			    O.arg, slug);
		rc = api_answer(kc_kick_videos(body, len, uuid, &k, why,
		    sizeof(why)), path, why);
		free(body);
		if (rc == KC_KICK_OK && (k.channel = strdup(slug)) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
	} else {
		snprintf(path, sizeof(path), "/api/v1/video/%s", uuid);
		if ((body = api_get(t->http, path, &len)) != NULL) {
			rc = api_answer(kc_kick_video(body, len, &k, why,
			    sizeof(why)), path, why);
			free(body);
		}
	}
	if (rc != KC_KICK_OK)
		kc_die(KC_EXIT_DATA, "%s: Kick's API does not list video %s%s",
		    O.arg, uuid, *slug ? "" : " (its /api/v1/video is often "
		    "gone: give https://kick.com/CHANNEL/videos/UUID, or paste "
		    "the .m3u8 URL)");
	t->title = xstrdup(k.title);
	t->channel = xstrdup(k.channel);
	t->live = 0;
	t->kick_channel = k.channel_id;
	t->kick_start = k.start;
	snprintf(canon, sizeof(canon), "kick:video:%s", uuid);
	free(t->canon);
	t->canon = xstrdup(canon);
	from_playlist(t, k.url);
	kc_kick_info_free(&k);
}

/* kick.com/CHANNEL, kick.com/video/UUID, kick.com/CHANNEL/videos/UUID. */
static void
kick(struct target *t, const char *url)
{
	char a[256], b[256], c[256];
	int na, nb, nc;

	na = path_seg(url, 0, a, sizeof(a)) == 0;
	nb = path_seg(url, 1, b, sizeof(b)) == 0;
	nc = path_seg(url, 2, c, sizeof(c)) == 0;
	if ((na && !safe_token(a)) || (nb && !safe_token(b)) || (nc &&
	    !safe_token(c)))
		kc_die(KC_EXIT_DATA, "%s: not a Kick channel or video URL",
		    O.arg);
	if (na && nb && !nc && strcmp(a, "video") == 0)
		kick_vod(t, "", b);
	else if (na && nb && nc && strcmp(b, "videos") == 0)
		kick_vod(t, a, c);
	else if (na && !nb)
		kick_live(t, a);
	else
		kc_die(KC_EXIT_DATA, "%s: not a Kick channel or video URL (want "
		    "kick.com/CHANNEL, kick.com/video/UUID or kick.com/CHANNEL/"
		    "videos/UUID)", O.arg);
}

/*
 * The ids and start kc-chatfeat reads a Kick stream's chat with, for a
 * stream yt-dlp resolved (Kick's API resolves with them): one API
 * request, whose failure only means no chat (one warning).
 */
static void
kick_chat_ids(struct target *t, const char *url)
{
	char a[256], b[256], c[256], path[600], api[2048], why[400];
	int na, nb, nc, rc = KC_KICK_NONE;
	kc_http_result r;
	kc_kick_info k;
	char *body;
	size_t len;

	na = path_seg(url, 0, a, sizeof(a)) == 0 && safe_token(a);
	nb = path_seg(url, 1, b, sizeof(b)) == 0 && safe_token(b);
	nc = path_seg(url, 2, c, sizeof(c)) == 0 && safe_token(c);
	if (na && nb && nc && strcmp(b, "videos") == 0)
		snprintf(path, sizeof(path), "api/v2/channels/%s/videos", a);
	else if (na && nb && !nc && strcmp(a, "video") == 0)
		snprintf(path, sizeof(path), "api/v1/video/%s", b);
	else if (na && !nb)
		snprintf(path, sizeof(path), "api/v2/channels/%s", a);
	else
		return;
	snprintf(api, sizeof(api), "%s%s%s", O.kick_api, O.kick_api[0] &&
	    O.kick_api[strlen(O.kick_api) - 1] == '/' ? "" : "/", path);
	if (kc_http_get_mem(t->http, api, NULL, KC_KICK_MAX_BODY, &body, &len,
	    &r) != KC_HTTP_OK) {
		kc_warn("%s: Kick API %s: %s; no chat ids for kc-chatfeat",
		    O.arg, api, r.reason);
		return;
	}
	if (nc)
		rc = kc_kick_videos(body, len, c, &k, why, sizeof(why));
	else if (nb)
		rc = kc_kick_video(body, len, &k, why, sizeof(why));
	else
		rc = kc_kick_channel(body, len, &k, why, sizeof(why));
	free(body);
	if (rc != KC_KICK_OK) {
		kc_warn("%s: Kick API %s: %s; no chat ids for kc-chatfeat",
		    O.arg, api, rc == KC_KICK_NONE ? "the stream is not there" :
		    why);
		return;
	}
	t->kick_channel = k.channel_id;
	t->kick_chatroom = k.chatroom_id;
	t->kick_start = k.start;
	kc_kick_info_free(&k);
}

/* A Kick VOD's id names the video, however its URL was written and
 * whichever way it is resolved (yt-dlp or the API), so that a resumed run
 * and the database see the same stream. */
static void
kick_vod_canon(struct target *t, const char *url)
{
	char a[256], b[256], c[256], canon[300];
	int na, nb, nc;

	na = path_seg(url, 0, a, sizeof(a)) == 0;
	nb = path_seg(url, 1, b, sizeof(b)) == 0;
	nc = path_seg(url, 2, c, sizeof(c)) == 0;
	if (na && nb && !nc && strcmp(a, "video") == 0 && safe_token(b))
		snprintf(canon, sizeof(canon), "kick:video:%s", b);
	else if (na && nb && nc && strcmp(b, "videos") == 0 && safe_token(c))
		snprintf(canon, sizeof(canon), "kick:video:%s", c);
	else
		return;
	free(t->canon);
	t->canon = xstrdup(canon);
}

/* ---- dispatch --------------------------------------------------------- */

/* Whether url serves an HLS playlist: its first bytes say "#EXTM3U". */
static int
sniff_hls(kc_http *h, const char *url)
{
	kc_http_req rq = { 0, 512, NULL };
	kc_http_result r;
	char *body;
	size_t len, i = 0;
	int yes;

	if (kc_http_get_mem(h, url, &rq, 4096, &body, &len, &r) != KC_HTTP_OK)
		return 0;	/* ffprobe will say what is wrong */
	if (len >= 3 && (unsigned char)body[0] == 0xef)
		i = 3;		/* a byte order mark */
	yes = len >= i + 7 && strncmp(body + i, "#EXTM3U", 7) == 0;
	free(body);
	return yes;
}

/* Frees what t owns (hls_run has freed its http client). */
static void
target_free(struct target *t)
{
	size_t i;

	free(t->canon);
	free(t->url);
	free(t->title);
	free(t->channel);
	free(t->media);
	for (i = 0; t->own_vars && i < t->master->nvar; i++) {
		free((char *)t->master->var[i].uri);
		free((char *)t->master->var[i].name);
	}
	kc_hls_free(t->master);
	memset(t, 0, sizeof(*t));
}

void
net_run(const char *url)
{
	struct target t;
	enum kind k = classify(url);
	char why[2048];

	memset(&t, 0, sizeof(t));
	t.live = -1;
	t.kick_start = NAN;
	t.url = xstrdup(url);
	t.canon = canonical(url);
	t.kick = k == KICK;
	t.http = new_http(t.kick, 0);
	if (k == KICK)
		kick_vod_canon(&t, url);
	if (k != PLAIN || looks_m3u8(url)) {
		if (!O.no_ytdlp && ytdlp(url, &t, why, sizeof(why)) == 0) {
			if (k == KICK)
				kick_chat_ids(&t, url);
			hls_run(&t);
			target_free(&t);
			return;
		}
		if (!O.no_ytdlp && k != PLAIN)
			kc_warn("%s: yt-dlp: %s%s", url, why, k == KICK ?
			    "; trying Kick's API" : "");
		if (k == KICK) {
			kick(&t, url);
			hls_run(&t);
			target_free(&t);
			return;
		}
		if (k == OTHER_PAGE)
			kc_die(KC_EXIT_DATA, "%s: yt-dlp could not resolve it: "
			    "%s (a newer yt-dlp may; or paste the .m3u8 URL)",
			    url, O.no_ytdlp ? "--no-ytdlp" : why);
	}
	if (looks_m3u8(url) || sniff_hls(t.http, url)) {
		from_playlist(&t, url);
		hls_run(&t);
		target_free(&t);
		return;
	}
	kc_http_free(t.http);
	free(t.url);
	free(t.canon);
	media_run(url, url, 0);
}
