/*
 * http.c - GET with retries on one libcurl easy handle: the retry loop,
 * backoff and Retry-After, User-Agent rotation, Cloudflare recognition
 * (its rules, and the Content-Range parser, are in httphead.c), bodies
 * into memory or files with resume by Range, and the statistics.
 *
 * Each attempt reads every response's headers (redirects included) as
 * libcurl parsed them, once the blank line that ends them has come
 * (curl_easy_header, and the status, Content-Length and Retry-After from
 * curl_easy_getinfo; only Content-Range is ours, libcurl has no reader
 * for it), and decides at the first body byte where the body goes:
 * a 2xx body to the caller's sink, anything else into a small capture
 * buffer that is only read for the Cloudflare signs.  So an error page
 * can never end up inside a media file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <curl/curl.h>

#include "http.h"
#include "httphead.h"

const char *const kc_http_user_agents[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
	    "(KHTML, like Gecko) Version/26.1 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 "
	    "Firefox/145.0",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
	NULL
};

const char *const kc_http_headers[] = {
	"Accept: */*",
	"Accept-Language: en-US,en;q=0.9",
	NULL
};

#define CAPTURE_MAX	4096	/* bytes of an error body kept for sniffing */
#define SLEEP_SLICE	0.05	/* seconds between cancel checks in waits */
#define TICK_MS		50	/* and during transfers, at most */
#define LS_N		20	/* low-speed samples, T/16 apart: 1.25 T */
#define MAX_UA		64
#define MAX_HOSTS	16	/* hosts whose refusals are remembered */
#define REFUSED_CAP	2.0	/* longest pause between refused attempts, s */
#define BROKE_MAX	3	/* quick retries of cut-off bodies per request */
#define BROKE_DELAY	0.02	/* and the pause before each, s */
#define MAX_HEADERS	64

/* What a host thinks of our User-Agents (the retry policy, http.h). */
struct host {
	char name[256];		/* "" unused */
	size_t ua;		/* the User-Agent to use with it */
	unsigned long refused[MAX_UA];	/* when each was refused last
				   (h->clock), 0 never */
	double refused_for;	/* s of refusals since it last answered */
	unsigned long used;	/* h->clock at the last request, for LRU */
};

struct kc_http {
	CURLM *multi;		/* drives curl, so we wake every TICK */
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	kc_http_opts o;		/* the scalars; the pointers below are ours */
	char **ua;		/* User-Agents, nua of them */
	size_t nua, cur_ua;
	char **hdr;		/* header lines, nhdr of them */
	size_t nhdr;
	char *url;		/* final URL of the last request */
	uint64_t rng;		/* state of the default random source */
	kc_http_stats st;
	curl_socket_t sock;	/* the socket made last (quick_ack) */
	struct host hosts[MAX_HOSTS];
	unsigned long clock;	/* counts requests and refusals */
};

/* One response's headers, as far as they matter here. */
struct resp {
	long status;
	long long clen;			/* Content-Length, -1 */
	long long cr_first, cr_last, cr_total;	/* Content-Range, -1 */
	double retry_after;		/* seconds, -1 */
	kc_http_cf_signs cf;		/* Cloudflare's headers */
	char etag[256], lastmod[64], ctype[128];
};

enum { SINK_MEM, SINK_FD };
enum { M_UNDECIDED, M_SINK, M_CAPTURE };
enum { OC_DONE, OC_RETRY, OC_FINAL };

/* One request: its sink, what was delivered, what the server told us. */
struct job {
	kc_http *h;
	int kind;		/* SINK_MEM or SINK_FD */
	char *buf;		/* SINK_MEM: body, cap bytes allocated */
	size_t cap, max;
	int fd;			/* SINK_FD */
	off_t base;		/* where the body starts in fd */
	int rewindable;		/* fd is a regular file we can truncate */
	long long off, len;	/* the range asked for (len 0: to the end) */
	long long delivered;	/* body bytes handed to the sink */
	long long total;	/* full length of the resource, -1 */
	long long expect;	/* bytes the whole body should have, -1 */
	char etag[256], lastmod[64];	/* validators of the first 2xx */
	int have_validators;
	int restart;		/* next attempt starts from scratch */
	int resumed;		/* attempts that continued with a Range */

	/* per attempt */
	struct resp r;
	long long sent_from;	/* first byte of the Range sent, -1: none */
	long long got;		/* body bytes of this response received */
	int mode;
	long long skip;		/* bytes of this body to drop first */
	long long stop;		/* bytes still wanted, -1: all */
	int stopped;		/* stop reached: done, transfer cut short */
	int cancelled, toobig, changed, werr, stalled;
	double ls_t[LS_N];	/* low-speed window: times of samples */
	long long ls_b[LS_N];	/* and the bytes received by then */
	int ls_n, ls_head;
	const char *fatal;	/* a reason that ends the request */
	char cap_body[CAPTURE_MAX];
	size_t caplen;
};

/* ---- small helpers --------------------------------------------------- */

static void say(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || n == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A header line must not smuggle in another one. */
static int
clean_line(const char *s)
{
	return s != NULL && *s != '\0' && strpbrk(s, "\r\n") == NULL;
}

static void
free_list(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Copies a NULL-terminated list; -1 on a bad line, -2 out of memory. */
static int
copy_list(const char *const *src, int need_colon, char ***dst, size_t *n,
    size_t lim)
{
	size_t k = 0, i;
	char **v;

	while (src[k] != NULL)
		if (++k > lim)
			return -1;
	v = calloc(k + 1, sizeof(*v));
	if (v == NULL)
		return -2;
	for (i = 0; i < k; i++) {
		if (!clean_line(src[i]) ||
		    (need_colon && strpbrk(src[i], ":;") == NULL)) {
			free_list(v, i);
			return -1;
		}
		if ((v[i] = xstrdup(src[i])) == NULL) {
			free_list(v, i);
			return -2;
		}
	}
	*dst = v;
	*n = k;
	return 0;
}

static const char *
status_text(long s)
{
	switch (s) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 451: return "Unavailable For Legal Reasons";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return NULL;
	}
}

/* ---- default hooks --------------------------------------------------- */

static double
default_random(kc_http *h)
{
	/* xorshift64*: ample for jitter, and no global state touched */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return (double)((h->rng * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

static int
call_progress(kc_http *h, const struct job *j)
{
	if (h->o.progress == NULL)
		return 0;
	return h->o.progress(h->o.ctx, j->delivered, j->expect);
}

/* Sleeps secs in slices, checking the progress hook.  1: cancelled. */
static int
wait_for(kc_http *h, const struct job *j, double secs)
{
	double end;

	if (call_progress(h, j))
		return 1;
	if (h->o.sleep != NULL) {
		if (h->o.sleep(h->o.ctx, secs) != 0)
			return 1;
		return call_progress(h, j) ? 1 : 0;
	}
	end = now_mono() + secs;
	for (;;) {
		double left = end - now_mono(), s;
		struct timespec ts;

		if (left <= 0)
			break;
		s = left < SLEEP_SLICE ? left : SLEEP_SLICE;
		ts.tv_sec = (time_t)s;
		ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);	/* EINTR: the loop recomputes */
		if (call_progress(h, j))
			return 1;
	}
	return 0;
}

/* ---- object ---------------------------------------------------------- */

int
kc_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
kc_http_global_cleanup(void)
{
	curl_global_cleanup();
}

void
kc_http_opts_init(kc_http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_retries = 5;
	o->backoff_base = 1;
	o->backoff_factor = 2;
	o->backoff_max = 60;
	o->jitter = 0.25;
	o->refused_delay = 0.02;
	o->refused_max = 30;
	o->retry_after_max = 60;
	o->connect_timeout = 15;
	o->low_speed_limit = 1000;
	o->low_speed_time = 15;
	o->timeout = 0;
	o->max_redirects = 10;
}

static const char *
check_opts(const kc_http_opts *o)
{
	if (o->max_retries < 0 || o->max_retries > 100)
		return "max_retries out of range 0-100";
	if (!(o->backoff_base >= 0 && o->backoff_base <= 86400))
		return "backoff_base out of range 0-86400 s";
	if (!(o->backoff_factor >= 1 && o->backoff_factor <= 100))
		return "backoff_factor out of range 1-100";
	if (!(o->backoff_max >= 0 && o->backoff_max <= 86400))
		return "backoff_max out of range 0-86400 s";
	if (!(o->jitter >= 0 && o->jitter <= 1))
		return "jitter out of range 0-1";
	if (!(o->refused_delay >= 0 && o->refused_delay <= REFUSED_CAP))
		return "refused_delay out of range 0-2 s";
	if (!(o->refused_max >= 0 && o->refused_max <= 86400))
		return "refused_max out of range 0-86400 s";
	if (!(o->retry_after_max >= 0 && o->retry_after_max <= 86400))
		return "retry_after_max out of range 0-86400 s";
	if (!(o->connect_timeout > 0 && o->connect_timeout <= 86400))
		return "connect_timeout out of range (0, 86400] s";
	if (o->low_speed_limit < 0)
		return "low_speed_limit below 0";
	if (!(o->low_speed_time >= 0 && o->low_speed_time <= 86400))
		return "low_speed_time out of range 0-86400 s";
	if (!(o->timeout >= 0 && o->timeout <= 86400 * 7))
		return "timeout out of range 0-604800 s";
	if (o->max_redirects < 0 || o->max_redirects > 50)
		return "max_redirects out of range 0-50";
	return NULL;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud);
static size_t header_cb(char *p, size_t size, size_t nmemb, void *ud);
static int sockopt_cb(void *ud, curl_socket_t fd, curlsocktype purpose);

/* The options every request shares.  Returns NULL or what failed. */
static const char *
setup_curl(kc_http *h)
{
	CURL *c = h->curl;
	const kc_http_opts *o = &h->o;

#define SET(opt, val) do {						\
	if (curl_easy_setopt(c, opt, val) != CURLE_OK)			\
		return #opt;						\
} while (0)
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	h->sock = CURL_SOCKET_BAD;
	SET(CURLOPT_SOCKOPTFUNCTION, sockopt_cb);
	SET(CURLOPT_SOCKOPTDATA, h);
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)o->max_redirects);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)ceil(o->connect_timeout * 1000));
	SET(CURLOPT_TIMEOUT_MS, (long)ceil(o->timeout * 1000));
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	if (o->proxy != NULL)
		SET(CURLOPT_PROXY, o->proxy);
	/* the cookie engine is on even without a file: Cloudflare's own
	 * cookies (__cf_bm...) must come back on the next request */
	SET(CURLOPT_COOKIEFILE, o->cookie_file ? o->cookie_file : "");
#undef SET
	return NULL;
}

/* Loads the cookie file now, so a useless one is reported at once. */
static int
load_cookies(kc_http *h, char *why, size_t whylen)
{
	FILE *fp = fopen(h->o.cookie_file, "re");
	struct curl_slist *list = NULL, *l;
	int n = 0;

	if (fp == NULL) {
		say(why, whylen, "%s: %s", h->o.cookie_file,
		    strerror(errno));
		return -1;
	}
	fclose(fp);
	if (curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, "RELOAD") !=
	    CURLE_OK ||
	    curl_easy_getinfo(h->curl, CURLINFO_COOKIELIST, &list) !=
	    CURLE_OK) {
		say(why, whylen, "%s: libcurl cannot load cookies",
		    h->o.cookie_file);
		return -1;
	}
	for (l = list; l != NULL; l = l->next)
		n++;
	curl_slist_free_all(list);
	if (n == 0) {
		say(why, whylen, "%s: no usable cookies (expired, or not "
		    "a Netscape cookies.txt file)", h->o.cookie_file);
		return -1;
	}
	return 0;
}

kc_http *
kc_http_new(const kc_http_opts *o, char *why, size_t whylen)
{
	kc_http *h;
	const char *bad;
	struct timespec ts;
	int rc;

	if (o == NULL) {
		say(why, whylen, "no options");
		return NULL;
	}
	if ((bad = check_opts(o)) != NULL) {
		say(why, whylen, "%s", bad);
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto nomem;
	h->o = *o;
	h->o.user_agents = NULL;
	h->o.headers = NULL;
	h->o.cookie_file = NULL;
	h->o.proxy = NULL;

	rc = copy_list(o->user_agents ? o->user_agents : kc_http_user_agents,
	    0, &h->ua, &h->nua, MAX_UA);
	if (rc == 0 && h->nua == 0)
		rc = -1;
	if (rc == -1) {
		say(why, whylen, "bad User-Agent list (empty, too long, or "
		    "a line break in one)");
		goto fail;
	}
	if (rc == -2)
		goto nomem;
	rc = copy_list(o->headers ? o->headers : kc_http_headers, 1, &h->hdr,
	    &h->nhdr, MAX_HEADERS);
	if (rc == -1) {
		say(why, whylen, "bad header list (not \"Name: value\", "
		    "too long, or a line break in one)");
		goto fail;
	}
	if (rc == -2)
		goto nomem;
	if (o->cookie_file != NULL &&
	    (h->o.cookie_file = xstrdup(o->cookie_file)) == NULL)
		goto nomem;
	if (o->proxy != NULL && (h->o.proxy = xstrdup(o->proxy)) == NULL)
		goto nomem;

	clock_gettime(CLOCK_REALTIME, &ts);
	h->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)h;
	if (h->rng == 0)
		h->rng = 0x9e3779b97f4a7c15ULL;

	if ((h->multi = curl_multi_init()) == NULL ||
	    (h->curl = curl_easy_init()) == NULL) {
		say(why, whylen, "libcurl cannot make a handle");
		goto fail;
	}
	if ((bad = setup_curl(h)) != NULL) {
		say(why, whylen, "libcurl refuses %s", bad);
		goto fail;
	}
	if (h->o.cookie_file != NULL && load_cookies(h, why, whylen) != 0)
		goto fail;
	return h;
nomem:
	say(why, whylen, "out of memory");
fail:
	kc_http_free(h);
	return NULL;
}

void
kc_http_free(kc_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	free_list(h->ua, h->nua);
	free_list(h->hdr, h->nhdr);
	free((char *)h->o.cookie_file);
	free((char *)h->o.proxy);
	free(h->url);
	free(h);
}

void
kc_http_stats_add(kc_http_stats *sum, const kc_http_stats *st)
{
	sum->requests += st->requests;
	sum->attempts += st->attempts;
	sum->retries += st->retries;
	sum->resumed += st->resumed;
	sum->http_403 += st->http_403;
	sum->http_429 += st->http_429;
	sum->http_5xx += st->http_5xx;
	sum->cloudflare += st->cloudflare;
	sum->stalls += st->stalls;
	sum->neterrors += st->neterrors;
	sum->failures += st->failures;
	sum->bytes += st->bytes;
}

void
kc_http_stats_get(const kc_http *h, kc_http_stats *st)
{
	*st = h->st;
}

const char *
kc_http_user_agent(const kc_http *h)
{
	return h->ua[h->cur_ua];
}

/* ---- sinks ----------------------------------------------------------- */

static int
sink_rewind(struct job *j)
{
	j->delivered = 0;
	if (j->kind == SINK_MEM)
		return 0;
	if (!j->rewindable)
		return -1;
	if (ftruncate(j->fd, j->base) != 0 ||
	    lseek(j->fd, j->base, SEEK_SET) == (off_t)-1) {
		j->werr = errno;
		return -1;
	}
	return 0;
}

static int
sink_write(struct job *j, const char *p, size_t n)
{
	if (j->kind == SINK_MEM) {
		size_t need;

		if (n > j->max || (size_t)j->delivered > j->max - n) {
			j->toobig = 1;
			return -1;
		}
		need = (size_t)j->delivered + n + 1;
		if (need > j->cap) {
			size_t nc = j->cap ? j->cap : 16384;
			char *nb;

			while (nc < need)
				nc = nc > SIZE_MAX / 2 ? need : nc * 2;
			if ((nb = realloc(j->buf, nc)) == NULL) {
				j->werr = ENOMEM;
				return -1;
			}
			j->buf = nb;
			j->cap = nc;
		}
		memcpy(j->buf + j->delivered, p, n);
		return 0;
	}
	while (n > 0) {
		ssize_t w = write(j->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			j->werr = errno;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- callbacks ------------------------------------------------------- */

static void
copy_val(char *dst, size_t dn, const char *v, size_t vn)
{
	if (vn >= dn)
		vn = dn - 1;
	memcpy(dst, v, vn);
	dst[vn] = '\0';
}

static void
resp_reset(struct resp *r)
{
	memset(r, 0, sizeof(*r));
	r->clen = r->cr_first = r->cr_last = r->cr_total = -1;
	r->retry_after = -1;
}

/*
 * Acknowledges what was received at once.  A server with Nagle's
 * algorithm on (no TCP_NODELAY) holds a small write made after its
 * headers, such as the rest of a short body, until they are ACKed, and
 * Linux delays that ACK by 40 ms on a connection in request-response
 * rhythm: ~44 ms lost per request (issue 10).  TCP_QUICKACK sends the
 * pending ACK now; it does not stay set, so it is set again after every
 * piece of the response.  Best effort: nothing to do where it fails.
 */
static void
quick_ack(struct job *j)
{
#ifdef TCP_QUICKACK
	int one = 1;

	if (j->h->sock != CURL_SOCKET_BAD)
		(void)setsockopt(j->h->sock, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one));
#else
	(void)j;
#endif
}

/* libcurl made a socket: remember it for quick_ack (a transfer uses the
 * connection made last, or one reused from before it; an ACK sped up on
 * an idle one does no harm). */
static int
sockopt_cb(void *ud, curl_socket_t fd, curlsocktype purpose)
{
	kc_http *h = ud;

	if (purpose == CURLSOCKTYPE_IPCXN)
		h->sock = fd;
	return CURL_SOCKOPT_OK;
}

/* The value of the response's header name, NULL if it has none. */
static const char *
header(CURL *c, const char *name)
{
	struct curl_header *hv;

	return curl_easy_header(c, name, 0, CURLH_HEADER, -1, &hv) ==
	    CURLHE_OK ? hv->value : NULL;
}

/*
 * A response's headers are all in: libcurl has parsed them, we take
 * what matters here.  A Retry-After of 0 reads as none (libcurl gives 0
 * for both), so the usual backoff applies.
 */
static void
read_headers(struct job *j)
{
	CURL *c = j->h->curl;
	struct resp *r = &j->r;
	curl_off_t cl = -1, ra = 0;
	kc_http_range cr;
	const char *v;

	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status) !=
	    CURLE_OK)
		r->status = 0;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) ==
	    CURLE_OK && cl >= 0)
		r->clen = cl;
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after = ra > 86400 * 365 ? 86400.0 * 365 : (double)ra;
	if ((v = header(c, "Content-Range")) != NULL) {
		kc_http_content_range(v, strlen(v), &cr);
		r->cr_first = cr.first;
		r->cr_last = cr.last;
		r->cr_total = cr.total;
	}
	if ((v = header(c, "ETag")) != NULL)
		copy_val(r->etag, sizeof(r->etag), v, strlen(v));
	if ((v = header(c, "Last-Modified")) != NULL)
		copy_val(r->lastmod, sizeof(r->lastmod), v, strlen(v));
	if ((v = header(c, "Content-Type")) != NULL)
		copy_val(r->ctype, sizeof(r->ctype), v, strlen(v));
	r->cf.ray = header(c, "CF-RAY") != NULL;
	r->cf.mitigated = header(c, "cf-mitigated") != NULL;
	r->cf.server = (v = header(c, "Server")) != NULL &&
	    kc_http_server_is_cf(v, strlen(v));
}

/*
 * Each response's header lines: a status line starts a new response
 * (after a redirect, or 100 Continue), the blank line ends its headers.
 */
static size_t
header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct job *j = ud;
	size_t n = size * nmemb;

	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		resp_reset(&j->r);
		j->mode = M_UNDECIDED;
		j->caplen = 0;
	} else if (n <= 2 && (n == 0 || p[0] == '\r' || p[0] == '\n')) {
		read_headers(j);
		quick_ack(j);
	}
	return n;
}

/* Same representation as the first 2xx of this request? */
static int
same_validators(const struct job *j, const struct resp *r)
{
	if (j->etag[0] != '\0')
		return strcmp(j->etag, r->etag) == 0;
	if (j->lastmod[0] != '\0')
		return strcmp(j->lastmod, r->lastmod) == 0;
	return j->total >= 0 && r->clen == j->total;
}

static void
keep_validators(struct job *j, const struct resp *r, long long total)
{
	if (j->have_validators)
		return;
	j->have_validators = 1;
	/* If-Range needs a strong validator */
	if (r->etag[0] != '\0' && strncmp(r->etag, "W/", 2) != 0)
		copy_val(j->etag, sizeof(j->etag), r->etag, strlen(r->etag));
	copy_val(j->lastmod, sizeof(j->lastmod), r->lastmod,
	    strlen(r->lastmod));
	j->total = total;
}

/*
 * Where the body of this response goes, decided at its first byte (or at
 * its end when it has none).  Returns 0, or -1 to abort the attempt with
 * the job's flags saying why.
 */
static int
decide(struct job *j)
{
	struct resp *r = &j->r;
	long long want_end = j->len > 0 ? j->off + j->len : -1;
	long long e;

	if (r->status < 200 || r->status >= 300) {
		j->mode = M_CAPTURE;
		return 0;
	}
	j->mode = M_SINK;
	j->skip = 0;
	j->stop = -1;
	if (r->status == 206) {
		if (j->sent_from < 0 || r->cr_first < 0) {
			j->fatal = "a partial answer (206) that was not asked "
			    "for";
			return -1;
		}
		if (r->cr_first != j->sent_from) {
			j->fatal = "the server sent another byte range than "
			    "asked";
			return -1;
		}
		if (j->total >= 0 && r->cr_total >= 0 && r->cr_total != j->total) {
			/* the resource changed between attempts */
			if (!j->rewindable)
				j->fatal = "the resource changed during the "
				    "download and the output cannot be "
				    "rewound";
			j->changed = 1;
			return -1;
		}
		if (want_end >= 0 && r->cr_last >= want_end)
			j->stop = want_end - j->sent_from;
		keep_validators(j, r, r->cr_total);
	} else {
		/* the whole body from byte 0: the Range was ignored, or
		 * If-Range said the resource changed */
		if (j->delivered > 0) {
			if (j->rewindable || j->kind == SINK_MEM) {
				if (sink_rewind(j) != 0)
					return -1;
			} else if (!same_validators(j, r)) {
				j->fatal = "the resource changed during the "
				    "download and the output cannot be "
				    "rewound";
				return -1;
			}
		}
		j->skip = j->off + j->delivered;
		if (want_end >= 0)
			j->stop = j->len - j->delivered;
		/* a whole body is the representation from now on */
		j->have_validators = 0;
		j->etag[0] = j->lastmod[0] = '\0';
		keep_validators(j, r, r->clen);
	}
	if (j->len > 0)
		j->expect = j->len;
	else if (j->total >= 0)
		j->expect = j->total > j->off ? j->total - j->off : 0;
	if (j->kind == SINK_MEM && r->clen >= 0) {
		e = r->clen - j->skip;
		if (e < 0)
			e = 0;
		if (j->stop >= 0 && e > j->stop)
			e = j->stop;
		if ((unsigned long long)(j->delivered + e) > j->max) {
			j->toobig = 1;
			return -1;
		}
	}
	return 0;
}

static size_t
write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct job *j = ud;
	size_t n = size * nmemb, left = n;

	j->h->st.bytes += (long long)n;
	j->got += (long long)n;
	quick_ack(j);
	if (j->mode == M_UNDECIDED && decide(j) != 0)
		return 0;
	if (j->mode == M_CAPTURE) {
		size_t k = CAPTURE_MAX - 1 - j->caplen;

		if (k > n)
			k = n;
		memcpy(j->cap_body + j->caplen, p, k);
		j->caplen += k;
		j->cap_body[j->caplen] = '\0';
		return n;
	}
	if (j->skip > 0) {
		size_t k = (unsigned long long)j->skip < left ?
		    (size_t)j->skip : left;

		j->skip -= (long long)k;
		p += k;
		left -= k;
	}
	if (j->stop >= 0 && (unsigned long long)j->stop < left)
		left = (size_t)j->stop;
	if (left > 0) {
		if (sink_write(j, p, left) != 0)
			return 0;
		j->delivered += (long long)left;
	}
	if (j->stop >= 0) {
		j->stop -= (long long)left;
		if (j->stop == 0) {
			j->stopped = 1;
			return 0;
		}
	}
	return n;
}

/*
 * The low-speed check: fewer than limit * T bytes in the last T seconds.
 * Samples are kept T/16 apart, so the window looked at is T to 1.125 T
 * long (plus a tick).  libcurl's own check is not used: it averages over
 * a fixed 5 s, so a fast transfer that stops dead is only noticed 5 s
 * late, and it counts whole seconds.
 */
static int
stalled(struct job *j, long long got)
{
	const kc_http_opts *o = &j->h->o;
	double now = now_mono(), T = o->low_speed_time;
	int i, k, best = -1;

	if (T <= 0 || o->low_speed_limit <= 0)
		return 0;
	if (j->ls_n == 0 || now - j->ls_t[(j->ls_head + LS_N - 1) % LS_N] >=
	    T / 16) {
		j->ls_t[j->ls_head] = now;
		j->ls_b[j->ls_head] = got;
		j->ls_head = (j->ls_head + 1) % LS_N;
		if (j->ls_n < LS_N)
			j->ls_n++;
	}
	/* the newest sample at least T old */
	for (k = 1; k <= j->ls_n; k++) {
		i = (j->ls_head + LS_N - k) % LS_N;
		if (now - j->ls_t[i] >= T) {
			best = i;
			break;
		}
	}
	if (best < 0)
		return 0;
	return (double)(got - j->ls_b[best]) <
	    (double)o->low_speed_limit * (now - j->ls_t[best]);
}

/*
 * Runs the transfer on the multi handle, waking at least every TICK_MS
 * to call the progress hook and the low-speed check, which libcurl's own
 * progress callback would do only about once a second on a silent
 * connection.  The multi handle keeps the connection cache, so
 * connections are reused across requests all the same.
 */
static CURLcode
perform(kc_http *h, struct job *j)
{
	CURLcode rc = CURLE_OK;
	CURLMsg *msg;
	curl_off_t dl = 0;
	double last = 0;
	int running = 1, left;

	if (curl_multi_add_handle(h->multi, h->curl) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	for (;;) {
		double now;

		if (curl_multi_perform(h->multi, &running) != CURLM_OK) {
			rc = CURLE_OUT_OF_MEMORY;
			break;
		}
		if (!running)
			break;
		now = now_mono();
		if (now - last >= TICK_MS / 1000.0) {
			last = now;
			if (call_progress(h, j)) {
				j->cancelled = 1;
				rc = CURLE_ABORTED_BY_CALLBACK;
				break;
			}
			if (curl_easy_getinfo(h->curl, CURLINFO_SIZE_DOWNLOAD_T,
			    &dl) == CURLE_OK && stalled(j, (long long)dl)) {
				j->stalled = 1;
				rc = CURLE_ABORTED_BY_CALLBACK;
				break;
			}
		}
		if (curl_multi_poll(h->multi, NULL, 0, TICK_MS, NULL) !=
		    CURLM_OK) {
			rc = CURLE_OUT_OF_MEMORY;
			break;
		}
	}
	if (!running) {
		while ((msg = curl_multi_info_read(h->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE &&
			    msg->easy_handle == h->curl)
				rc = msg->data.result;
	}
	/* removing a running transfer closes its connection */
	curl_multi_remove_handle(h->multi, h->curl);
	return rc;
}

/* ---- one attempt ----------------------------------------------------- */

struct outcome {
	int kind;		/* OC_DONE, OC_RETRY, OC_FINAL */
	int code;		/* for OC_FINAL */
	char what[200];		/* what went wrong, without attempt counts */
	const char *note;	/* e.g. "Cloudflare challenge page", or NULL */
	double retry_after;	/* -1: none */
	int rotate;		/* move to the next User-Agent */
	int broke;		/* a 2xx body cut off after some of it came */
};

static void
classify_http(kc_http *h, struct job *j, struct outcome *oc)
{
	long s = j->r.status;
	const char *txt = status_text(s);
	int cf;

	if (s == 403)
		h->st.http_403++;
	else if (s == 429)
		h->st.http_429++;
	else if (s >= 500)
		h->st.http_5xx++;
	say(oc->what, sizeof(oc->what), "HTTP %ld%s%s", s,
	    txt ? " " : "", txt ? txt : "");
	oc->retry_after = j->r.retry_after;
	if (s == 403 || s == 503) {
		cf = kc_http_cloudflare(s, &j->r.cf, j->cap_body, j->caplen);
		if (cf != KC_HTTP_CF_NONE) {
			h->st.cloudflare++;
			oc->note = cf == KC_HTTP_CF_CHALLENGE ?
			    "Cloudflare challenge page" : "blocked by Cloudflare";
		}
		oc->rotate = s == 403 || cf == KC_HTTP_CF_CHALLENGE;
	}
	if (s == 403 || s == 408 || s == 429 || (s >= 500 && s <= 599)) {
		oc->kind = OC_RETRY;
	} else {
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_FAILED;
	}
}

static void
classify_curl(kc_http *h, struct job *j, CURLcode rc, struct outcome *oc)
{
	const char *eb = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);

	oc->kind = OC_RETRY;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		say(oc->what, sizeof(oc->what), "timed out (%s)", eb);
		break;
	case CURLE_COULDNT_CONNECT:
		say(oc->what, sizeof(oc->what), "cannot connect (%s)", eb);
		break;
	case CURLE_PARTIAL_FILE:
		if (j->r.clen >= 0)
			say(oc->what, sizeof(oc->what), "connection "
			    "closed after %lld of %lld bytes", j->got,
			    j->r.clen);
		else
			say(oc->what, sizeof(oc->what), "connection "
			    "closed early (%s)", eb);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		if (strstr(eb, "reset") != NULL)
			say(oc->what, sizeof(oc->what),
			    "connection reset");
		else
			say(oc->what, sizeof(oc->what), "connection "
			    "broken (%s)", eb);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		/* a typo costs the retries; a DNS hiccup in a ten-hour
		 * live run must not */
		say(oc->what, sizeof(oc->what), "%s", eb);
		break;
	case CURLE_GOT_NOTHING:
		say(oc->what, sizeof(oc->what), "empty reply from "
		    "server");
		break;
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_QUIC_CONNECT_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
		say(oc->what, sizeof(oc->what), "%s", eb);
		break;
	default:
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_FAILED;
		say(oc->what, sizeof(oc->what), "%s", eb);
		return;
	}
	h->st.neterrors++;
}

/* Length of a header line's name (up to ':' or ';'). */
static size_t
name_len(const char *line)
{
	return strcspn(line, ":;");
}

/* Does one of the request's lines name the same header as line? */
static int
overridden(const char *line, const char *const *req)
{
	size_t n = name_len(line);

	for (size_t i = 0; req != NULL && req[i] != NULL; i++)
		if (name_len(req[i]) == n && strncasecmp(line, req[i], n) == 0)
			return 1;
	return 0;
}

/*
 * Builds this attempt's header list: the object's lines less those the
 * request names again, the request's, and If-Range when resuming.
 * NULL when out of memory, or with *bad set for a malformed line.
 */
static struct curl_slist *
attempt_headers(kc_http *h, const struct job *j, const kc_http_req *rq,
    int *bad)
{
	struct curl_slist *l = NULL, *t;
	char ifr[300];
	size_t i;

	*bad = 0;
	for (i = 0; rq != NULL && rq->headers != NULL && rq->headers[i];
	    i++) {
		if (!clean_line(rq->headers[i]) ||
		    strpbrk(rq->headers[i], ":;") == NULL) {
			*bad = 1;
			return NULL;
		}
	}
	for (i = 0; i < h->nhdr; i++) {
		if (rq != NULL && overridden(h->hdr[i], rq->headers))
			continue;
		if ((t = curl_slist_append(l, h->hdr[i])) == NULL)
			goto nomem;
		l = t;
	}
	for (i = 0; rq != NULL && rq->headers != NULL && rq->headers[i];
	    i++) {
		if ((t = curl_slist_append(l, rq->headers[i])) == NULL)
			goto nomem;
		l = t;
	}
	if (j->sent_from >= 0 && j->delivered > 0 &&
	    (j->etag[0] || j->lastmod[0])) {
		snprintf(ifr, sizeof(ifr), "If-Range: %s",
		    j->etag[0] ? j->etag : j->lastmod);
		if ((t = curl_slist_append(l, ifr)) == NULL)
			goto nomem;
		l = t;
	}
	/* NULL means failure here, so no lines at all become curl's own
	 * default Accept line */
	if (l == NULL && (l = curl_slist_append(NULL, "Accept: */*")) == NULL)
		goto nomem;
	return l;
nomem:
	curl_slist_free_all(l);
	return NULL;
}

static void
attempt(kc_http *h, struct job *j, const char *url, const kc_http_req *rq,
    struct outcome *oc)
{
	CURL *c = h->curl;
	struct curl_slist *hl;
	char range[64];
	CURLcode rc;
	char *eff = NULL;
	int bad;

	memset(oc, 0, sizeof(*oc));
	oc->retry_after = -1;
	resp_reset(&j->r);
	j->mode = M_UNDECIDED;
	j->caplen = 0;
	j->cap_body[0] = '\0';
	j->skip = 0;
	j->stop = -1;
	j->got = 0;
	j->ls_n = j->ls_head = 0;
	j->stopped = j->cancelled = j->toobig = j->changed = j->werr = 0;
	j->stalled = 0;
	j->fatal = NULL;

	/* resume a file body; memory bodies start over */
	if (j->delivered > 0 && (j->kind == SINK_MEM || j->restart)) {
		if (sink_rewind(j) != 0 && j->werr != 0) {
			oc->kind = OC_FINAL;
			oc->code = KC_HTTP_ERROR;
			say(oc->what, sizeof(oc->what), "rewinding the "
			    "output: %s", strerror(j->werr));
			return;
		}
	}
	if (j->restart) {
		j->have_validators = 0;
		j->etag[0] = j->lastmod[0] = '\0';
		j->total = -1;
		j->restart = 0;
	}
	j->sent_from = -1;
	range[0] = '\0';
	if (j->off > 0 || j->len > 0 || j->delivered > 0) {
		j->sent_from = j->off + j->delivered;
		if (j->len > 0)
			snprintf(range, sizeof(range), "%lld-%lld",
			    j->sent_from, j->off + j->len - 1);
		else
			snprintf(range, sizeof(range), "%lld-", j->sent_from);
	}
	if ((hl = attempt_headers(h, j, rq, &bad)) == NULL) {
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_ERROR;
		say(oc->what, sizeof(oc->what), "%s", bad ?
		    "bad request header (not \"Name: value\", or a line "
		    "break in it)" : "out of memory");
		return;
	}
	h->errbuf[0] = '\0';
	/* compression only where nothing is resumed or ranged: a Range
	 * counts bytes of the encoded body */
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_RANGE, range[0] ? range : NULL) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING,
	    j->kind == SINK_MEM && j->sent_from < 0 ? "" : NULL) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, h->ua[h->cur_ua]) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, j) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, j) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, j) != CURLE_OK) {
		curl_slist_free_all(hl);
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_FAILED;
		say(oc->what, sizeof(oc->what), "bad URL or option%s%s",
		    h->errbuf[0] ? ": " : "", h->errbuf);
		return;
	}
	if (j->sent_from >= 0 && j->delivered > 0) {
		h->st.resumed++;
		j->resumed++;
	}

	rc = perform(h, j);

	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK &&
	    eff != NULL && (h->url == NULL || strcmp(h->url, eff) != 0)) {
		char *u = xstrdup(eff);

		if (u != NULL) {
			free(h->url);
			h->url = u;
		}
	}
	/* a response without a body is decided at its end */
	if (rc == CURLE_OK && j->mode == M_UNDECIDED && decide(j) != 0)
		rc = CURLE_WRITE_ERROR;

	if (j->cancelled) {
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_CANCELLED;
		say(oc->what, sizeof(oc->what), "cancelled");
		return;
	}
	if (j->stalled) {
		oc->kind = OC_RETRY;
		h->st.stalls++;
		say(oc->what, sizeof(oc->what), "stalled: under %ld B/s for "
		    "%g s", h->o.low_speed_limit, h->o.low_speed_time);
		return;
	}
	if (j->werr) {
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_ERROR;
		say(oc->what, sizeof(oc->what), "writing the body: %s",
		    strerror(j->werr));
		return;
	}
	if (j->toobig) {
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_TOOBIG;
		say(oc->what, sizeof(oc->what), "body larger than %zu "
		    "bytes", j->max);
		return;
	}
	if (j->fatal) {
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_FAILED;
		say(oc->what, sizeof(oc->what), "%s", j->fatal);
		return;
	}
	if (j->changed) {
		oc->kind = OC_RETRY;
		j->restart = 1;
		say(oc->what, sizeof(oc->what), "the resource changed "
		    "during the download");
		return;
	}
	if (j->stopped)
		rc = CURLE_OK;
	/* a status after a followed redirect failed belongs to the
	 * redirect, so only a final one counts */
	if (j->r.status >= 400 || (rc == CURLE_OK && j->r.status >= 300)) {
		classify_http(h, j, oc);
		return;
	}
	if (rc != CURLE_OK) {
		classify_curl(h, j, rc, oc);
		oc->broke = (rc == CURLE_PARTIAL_FILE ||
		    rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) &&
		    j->got > 0 && j->r.status >= 200 && j->r.status < 300;
		return;
	}
	if (j->r.status < 200) {
		oc->kind = OC_FINAL;
		oc->code = KC_HTTP_FAILED;
		say(oc->what, sizeof(oc->what), "no HTTP status in the "
		    "answer");
		return;
	}
	oc->kind = OC_DONE;
}

/* ---- the retry loop -------------------------------------------------- */

static double jittered(kc_http *h, double d);

static double
backoff(kc_http *h, int k)
{
	double d = h->o.backoff_base * pow(h->o.backoff_factor, k);

	if (!(d <= h->o.backoff_max))
		d = h->o.backoff_max;
	return jittered(h, d);
}

/* Multiplies d by the jitter (1 + jitter * (2u - 1)). */
static double
jittered(kc_http *h, double d)
{
	double u = h->o.random ? h->o.random(h->o.ctx) : default_random(h);

	if (!(u >= 0))
		u = 0;
	if (u >= 1)
		u = nextafter(1.0, 0.0);
	return d * (1 + h->o.jitter * (2 * u - 1));
}

/* The remembered state of url's host (a new one, or the least recently
 * used one reset, when it has none). */
static struct host *
host_of(kc_http *h, const char *url)
{
	char name[sizeof(h->hosts[0].name)], *p = NULL;
	struct host *hs, *old = &h->hosts[0];
	CURLU *u;
	size_t i;

	name[0] = '\0';
	if ((u = curl_url()) != NULL) {
		if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_HOST, &p, 0) == CURLUE_OK)
			snprintf(name, sizeof(name), "%s", p);
		curl_free(p);
		curl_url_cleanup(u);
	}
	h->clock++;
	for (i = 0; i < MAX_HOSTS; i++) {
		hs = &h->hosts[i];
		if (hs->used && strcmp(hs->name, name) == 0) {
			hs->used = h->clock;
			return hs;
		}
		if (hs->used < old->used)
			old = hs;
	}
	/* a new host starts with the User-Agent that worked last anywhere */
	memset(old, 0, sizeof(*old));
	snprintf(old->name, sizeof(old->name), "%s", name);
	old->ua = h->cur_ua;
	old->used = h->clock;
	return old;
}

/* After hs refused its User-Agent: the one it refused longest ago (or
 * never) comes next. */
static void
next_ua(kc_http *h, struct host *hs)
{
	size_t i, k, best = hs->ua;

	hs->refused[hs->ua] = ++h->clock;
	for (k = 1; k < h->nua; k++) {
		i = (hs->ua + k) % h->nua;
		if (best == hs->ua || hs->refused[i] < hs->refused[best])
			best = i;
	}
	hs->ua = best;
}

static int
run(kc_http *h, struct job *j, const char *url, const kc_http_req *rq,
    kc_http_result *res)
{
	struct outcome oc;
	struct host *hs = host_of(h, url);
	int code = KC_HTTP_OK, n, k = 0, refusals = 0, broke = 0;
	double t, d, ra;
	char *u;

	h->st.requests++;
	memset(res, 0, sizeof(*res));
	if ((u = xstrdup(url)) != NULL) {
		free(h->url);
		h->url = u;
	}
	res->url = h->url ? h->url : url;
	for (n = 1;; n++) {
		if (n > 1)
			h->st.retries++;
		h->st.attempts++;
		res->attempts = n;
		h->cur_ua = hs->ua;
		t = now_mono();
		attempt(h, j, url, rq, &oc);
		res->url = h->url ? h->url : url;
		res->status = j->r.status;
		copy_val(res->content_type, sizeof(res->content_type),
		    j->r.ctype, strlen(j->r.ctype));
		res->cloudflare = oc.note != NULL;
		if (!oc.rotate && j->r.status > 0)
			hs->refused_for = 0;	/* it answers */
		if (oc.kind == OC_DONE)
			break;
		if (oc.kind == OC_FINAL) {
			code = oc.code;
			break;
		}
		if (oc.rotate) {
			/* refused: another User-Agent, soon */
			if (h->nua > 1)
				next_ua(h, hs);
			h->cur_ua = hs->ua;
			hs->refused_for += now_mono() - t;
			if (hs->refused_for >= h->o.refused_max) {
				code = KC_HTTP_REFUSED;
				break;
			}
			/* doubling after each round of the whole list:
			 * a host that blocks each User-Agent for a few
			 * requests costs tens of milliseconds a try */
			d = h->o.refused_delay * pow(2, refusals / (int)h->nua <
			    10 ? refusals / (int)h->nua : 10);
			if (d > REFUSED_CAP)
				d = REFUSED_CAP;
			d = jittered(h, d);
			refusals++;
			hs->refused_for += d;
		} else if (oc.broke && broke < BROKE_MAX) {
			/* the server answered and sent part of the body:
			 * a dropped connection, not a busy server; the
			 * next attempt goes on at once (a file body from
			 * where it stopped) */
			d = jittered(h, BROKE_DELAY);
			broke++;
		} else {
			if (k >= h->o.max_retries) {
				code = KC_HTTP_GAVEUP;
				break;
			}
			/* the server's time when it gives one (0 is no
			 * time: the backoff then) */
			ra = oc.retry_after;
			if (ra > 0)
				d = jittered(h, ra < h->o.retry_after_max ? ra :
				    h->o.retry_after_max);
			else
				d = backoff(h, k);
			k++;
		}
		if (wait_for(h, j, d)) {
			code = KC_HTTP_CANCELLED;
			say(oc.what, sizeof(oc.what), "cancelled");
			oc.note = NULL;
			break;
		}
	}
	res->bytes = j->delivered;
	res->resumed = j->resumed;
	if (code == KC_HTTP_REFUSED) {
		h->st.failures++;
		say(res->reason, sizeof(res->reason), "%s%s%s%s: %s refused "
		    "every request for %.0f s (%d attempts, every User-Agent "
		    "tried)", oc.what, oc.note ? " (" : "", oc.note ?
		    oc.note : "", oc.note ? ")" : "", *hs->name ? hs->name :
		    "the host", hs->refused_for, n);
	} else if (code != KC_HTTP_OK) {
		h->st.failures++;
		if (n > 1 && code != KC_HTTP_CANCELLED)
			say(res->reason, sizeof(res->reason),
			    "%s after %d attempts%s%s%s", oc.what, n,
			    oc.note ? " (" : "", oc.note ? oc.note : "",
			    oc.note ? ")" : "");
		else
			say(res->reason, sizeof(res->reason), "%s%s%s%s",
			    oc.what, oc.note ? " (" : "",
			    oc.note ? oc.note : "", oc.note ? ")" : "");
	}
	return code;
}

static int
check_args(kc_http *h, const char *url, const kc_http_req *rq,
    kc_http_result *res)
{
	memset(res, 0, sizeof(*res));
	res->url = url ? url : "";
	if (h == NULL || url == NULL || *url == '\0') {
		say(res->reason, sizeof(res->reason), "no URL");
		return -1;
	}
	if (rq != NULL && (rq->off < 0 || rq->len < 0 ||
	    rq->off > LLONG_MAX - rq->len)) {
		say(res->reason, sizeof(res->reason), "bad byte range");
		return -1;
	}
	return 0;
}

static void
job_init(struct job *j, kc_http *h, const kc_http_req *rq)
{
	memset(j, 0, sizeof(*j));
	j->h = h;
	j->fd = -1;
	j->total = -1;
	j->expect = -1;
	j->off = rq ? rq->off : 0;
	j->len = rq ? rq->len : 0;
	if (j->len > 0)
		j->expect = j->len;
}

int
kc_http_get_mem(kc_http *h, const char *url, const kc_http_req *rq,
    size_t max, char **body, size_t *len, kc_http_result *res)
{
	kc_http_result tmp;
	struct job j;
	int code;

	if (res == NULL)
		res = &tmp;
	*body = NULL;
	*len = 0;
	if (check_args(h, url, rq, res) != 0)
		return KC_HTTP_ERROR;
	if (max >= SIZE_MAX - 1)
		max = SIZE_MAX - 2;
	job_init(&j, h, rq);
	j.kind = SINK_MEM;
	j.max = max;
	code = run(h, &j, url, rq, res);
	if (code == KC_HTTP_OK && j.buf == NULL &&
	    (j.buf = malloc(1)) == NULL) {
		code = KC_HTTP_ERROR;
		h->st.failures++;
		say(res->reason, sizeof(res->reason), "out of memory");
	}
	if (code != KC_HTTP_OK) {
		free(j.buf);
		res->bytes = 0;
		return code;
	}
	j.buf[j.delivered] = '\0';
	*body = j.buf;
	*len = (size_t)j.delivered;
	return code;
}

static int
get_fd(kc_http *h, const char *url, const kc_http_req *rq, int fd,
    int rewindable, off_t base, kc_http_result *res)
{
	struct job j;
	int code;

	job_init(&j, h, rq);
	j.kind = SINK_FD;
	j.fd = fd;
	j.base = base;
	j.rewindable = rewindable;
	code = run(h, &j, url, rq, res);
	if (code != KC_HTTP_OK && rewindable && ftruncate(fd, base) == 0)
		lseek(fd, base, SEEK_SET);
	return code;
}

int
kc_http_get_fd(kc_http *h, const char *url, const kc_http_req *rq, int fd,
    kc_http_result *res)
{
	kc_http_result tmp;
	struct stat sb;
	off_t base = 0;
	int rewindable = 0;

	if (res == NULL)
		res = &tmp;
	if (check_args(h, url, rq, res) != 0)
		return KC_HTTP_ERROR;
	if (fstat(fd, &sb) != 0) {
		say(res->reason, sizeof(res->reason), "output: %s",
		    strerror(errno));
		return KC_HTTP_ERROR;
	}
	if (S_ISREG(sb.st_mode) &&
	    (base = lseek(fd, 0, SEEK_CUR)) != (off_t)-1)
		rewindable = 1;
	return get_fd(h, url, rq, fd, rewindable, rewindable ? base : 0, res);
}

int
kc_http_get_file(kc_http *h, const char *url, const kc_http_req *rq,
    const char *path, kc_http_result *res)
{
	static atomic_uint serial;
	kc_http_result tmp;
	char *part;
	size_t n;
	int fd, code;

	if (res == NULL)
		res = &tmp;
	if (check_args(h, url, rq, res) != 0)
		return KC_HTTP_ERROR;
	if (path == NULL || *path == '\0') {
		say(res->reason, sizeof(res->reason), "no output path");
		return KC_HTTP_ERROR;
	}
	n = strlen(path) + 64;
	if ((part = malloc(n)) == NULL) {
		say(res->reason, sizeof(res->reason), "out of memory");
		return KC_HTTP_ERROR;
	}
	snprintf(part, n, "%s.part-%ld-%u", path, (long)getpid(),
	    atomic_fetch_add(&serial, 1));
	fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		say(res->reason, sizeof(res->reason), "%s: %s", part,
		    strerror(errno));
		free(part);
		return KC_HTTP_ERROR;
	}
	code = get_fd(h, url, rq, fd, 1, 0, res);
	if (close(fd) != 0 && code == KC_HTTP_OK) {
		code = KC_HTTP_ERROR;
		h->st.failures++;
		say(res->reason, sizeof(res->reason), "%s: %s", part,
		    strerror(errno));
	}
	if (code == KC_HTTP_OK && rename(part, path) != 0) {
		code = KC_HTTP_ERROR;
		h->st.failures++;
		say(res->reason, sizeof(res->reason), "%s: %s", path,
		    strerror(errno));
	}
	if (code != KC_HTTP_OK)
		unlink(part);
	free(part);
	return code;
}
