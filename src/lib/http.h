/*
 * http.h - the HTTP(S) client every kc network piece uses (playlists, API
 * calls, media segments): one GET at a time, each with its whole retry
 * loop inside, on one reused libcurl handle.
 *
 * A request is retried by cause:
 *   - 403 and Cloudflare challenges (the host refuses this client): at
 *     once with another User-Agent, the one of the list this host
 *     refused longest ago (or never), after a short jittered pause
 *     (refused_delay, doubling after each round of the whole list while
 *     the refusals go on, at most 2 s).
 *     Each host (at most 16 kept) remembers which User-Agent it last
 *     took and when it refused each.  These retries do not count
 *     against max_retries: a host that has refused everything for
 *     refused_max seconds (its pauses and attempts since it last
 *     answered) makes the request return KC_HTTP_REFUSED.
 *   - 429 and 503 with Retry-After: after the server's time (capped).
 *   - A 2xx body cut off after some of it came (connection closed,
 *     reset or broken: a dropped connection, not a busy server): at
 *     once, after 20 ms (a file body from where it stopped), at most 3
 *     times per request and not counted against max_retries; then as
 *     below.
 *   - 408, other 5xx, timeouts, stalls (the low-speed limit), refused,
 *     reset or broken connections and failed name lookups: after an
 *     exponential backoff with jitter, max_retries of them.
 * Other 4xx answers, bad URLs, schemes other than
 * http/https, too many redirects and certificate failures are not
 * retried.  Cookies from an optional Netscape cookies.txt file, and those
 * the servers set, are kept in memory for the object's life (the file is
 * never written).  Received data is ACKed at once (TCP_QUICKACK), so a
 * server with Nagle's algorithm on does not hold each response's last
 * write for the 40 ms of a delayed ACK.
 *
 * Bodies go to memory (bounded) or to a file.  A file body is never
 * reported complete unless it is: after a failure part-way, the next
 * attempt resumes with a Range request (with If-Range when the server gave
 * a validator) and appends; a server that answers it with the whole body
 * (200) gets the file rewound and rewritten from the start.  Memory bodies
 * always restart from scratch.
 *
 * Threads: one kc_http per thread, never shared.  Call
 * kc_http_global_init() once in main() before any thread starts.
 * libcurl runs with CURLOPT_NOSIGNAL, so this module installs no signal
 * handlers; programs should ignore SIGPIPE (kc_out does) so that a peer
 * closing a TLS connection cannot kill them.
 *
 * Library code: every function returns a code and leaves its wording in
 * the result's reason; nothing here prints or exits.
 */
#ifndef KC_HTTP_H
#define KC_HTTP_H

#include <stddef.h>

/* Return codes of the request functions. */
enum {
	KC_HTTP_OK = 0,		/* the whole body was delivered */
	KC_HTTP_ERROR = -1,	/* local failure: bad argument, out of memory,
				 * writing the body (the reason says which,
				 * with strerror) */
	KC_HTTP_FAILED = -2,	/* a failure retrying cannot fix: an HTTP
				 * status that is not retried (404, 410, most
				 * 4xx), a bad URL or scheme, TLS
				 * verification, too many redirects, a
				 * resource that changed under a resume */
	KC_HTTP_GAVEUP = -3,	/* retryable failures (403, 429, 5xx, stalls,
				 * resets, unknown hosts...) until the
				 * retries ran out */
	KC_HTTP_TOOBIG = -4,	/* a memory body over its limit (not retried) */
	KC_HTTP_CANCELLED = -5,	/* the progress hook or sleep asked to stop */
	KC_HTTP_REFUSED = -6	/* the host refused every request (403,
				 * Cloudflare) for refused_max seconds */
};

typedef struct kc_http kc_http;

/*
 * Hooks.  ctx is the options' ctx.
 *
 * sleep waits secs seconds before a retry; it returns 0, or non-zero to
 * cancel the request.  Default: nanosleep in slices of at most 50 ms with
 * the progress hook called between slices, so a cancel is seen within
 * 50 ms.  The progress hook is also called just before and after an
 * injected sleep.
 *
 * random returns a uniform number in [0, 1) for the jitter.  Default: a
 * generator private to the object (random()'s global state is left
 * alone), seeded from the clock and the pid.
 *
 * progress is called during transfers and waits, about every 50 ms,
 * with the body bytes delivered so far (resumed parts included) and the
 * expected total (-1: unknown); non-zero cancels the request within that
 * time (KC_HTTP_CANCELLED), e.g. after SIGINT.
 */
typedef int (*kc_http_sleep_fn)(void *ctx, double secs);
typedef double (*kc_http_random_fn)(void *ctx);
typedef int (*kc_http_progress_fn)(void *ctx, long long got,
    long long total);

/*
 * Options.  Fill with kc_http_opts_init, then change what you need; the
 * strings and arrays must live until kc_http_new returns (they are
 * copied).
 */
typedef struct kc_http_opts {
	int max_retries;	/* attempts after the first, 0-100 (5) */
	double backoff_base;	/* seconds before the first retry, >= 0 (1) */
	double backoff_factor;	/* growth per retry, >= 1 (2): the k-th
				 * retry (k = 0, 1, ...) waits
				 * min(base * factor^k, backoff_max)
				 * * (1 + jitter * (2u - 1)), u = random() */
	double backoff_max;	/* cap on the un-jittered delay, s (60) */
	double jitter;		/* relative, 0-1 (0.25: +-25 %) */
	double refused_delay;	/* first pause after a 403, s (0.02) */
	double refused_max;	/* a host refusing everything for this long
				 * gives KC_HTTP_REFUSED, s (30); 0: at the
				 * first refusal */
	double retry_after_max;	/* cap on an honoured Retry-After, s (60);
				 * a retry waits max(backoff, Retry-After) */
	double connect_timeout;	/* seconds, > 0 (15) */
	long low_speed_limit;	/* bytes/s (1000), and seconds (15): an */
	double low_speed_time;	/* attempt that received fewer than
				 * limit * time body bytes in the last time
				 * seconds (a moving window, checked every
				 * 50 ms) is a stall, aborted and retried;
				 * 0: no check */
	double timeout;		/* whole attempt, seconds; 0: none (0) */
	int max_redirects;	/* followed per attempt, 0-50 (10) */
	const char *const *user_agents;	/* NULL-terminated list, used in
				 * turn after each 403; NULL: the built-in
				 * browser list kc_http_user_agents */
	const char *const *headers;	/* NULL-terminated "Name: value"
				 * lines sent with every request (replacing
				 * the defaults; "Name:" removes one of
				 * curl's own); NULL: kc_http_headers */
	const char *cookie_file;	/* Netscape cookies.txt to load, or
				 * NULL; a missing, unreadable or cookie-less
				 * file makes kc_http_new fail */
	const char *proxy;	/* NULL: libcurl's environment variables
				 * (http_proxy...); "": none, whatever the
				 * environment says; else the proxy URL */
	kc_http_sleep_fn sleep;		/* NULL: the default (above) */
	kc_http_random_fn random;	/* NULL: the default (above) */
	kc_http_progress_fn progress;	/* NULL: none */
	void *ctx;			/* passed to the three hooks */
} kc_http_opts;

/*
 * One request's extras; NULL for a plain GET of the whole resource.
 * A range asks for len bytes from byte off (len 0: to the end).  A server
 * that ignores ranges (200) is coped with: the bytes before off are
 * skipped and the transfer stops after len.
 */
typedef struct kc_http_req {
	long long off;			/* first byte, >= 0 */
	long long len;			/* bytes, >= 0; 0: to the end */
	const char *const *headers;	/* NULL-terminated header lines for
					 * this request only, or NULL; each
					 * replaces the object's header of
					 * the same name */
} kc_http_req;

/*
 * What happened to one request.  url points into the kc_http object and
 * is valid until its next request or kc_http_free.
 */
typedef struct kc_http_result {
	long status;		/* HTTP status of the last response, 0: none
				 * (connection failures) */
	long long bytes;	/* body bytes delivered, resumed parts included */
	int attempts;		/* transfers made: 1 + retries */
	int resumed;		/* attempts that continued with a Range */
	int cloudflare;		/* the last failure was a Cloudflare block:
				 * a 403/503 with cf-ray, cf-mitigated or
				 * Server: cloudflare, or a "Just a moment..."
				 * challenge page; the reason ends "(Cloudflare
				 * challenge page)" or "(blocked by
				 * Cloudflare)" */
	const char *url;	/* the final URL after redirects (the request
				 * URL when nothing was received); never NULL */
	char content_type[128];	/* of the last response, "" if none */
	char reason[256];	/* "" on success, else one line, e.g. "HTTP 403
				 * Forbidden after 6 attempts (Cloudflare
				 * challenge page)", "stalled: under 1000 B/s
				 * for 15 s", "connection reset after 3
				 * attempts", "HTTP 404 Not Found" */
} kc_http_result;

/*
 * Counts over the object's life, for a summary at the end of a run.
 */
typedef struct kc_http_stats {
	long long requests;	/* kc_http_get_* calls */
	long long attempts;	/* transfers made (requests + retries) */
	long long retries;	/* attempts after a request's first */
	long long resumed;	/* retries that continued a body by Range */
	long long http_403, http_429, http_5xx;	/* responses with them */
	long long cloudflare;	/* responses recognised as Cloudflare blocks */
	long long stalls;	/* attempts ended by the low-speed limit */
	long long neterrors;	/* attempts ended by connection failures,
				 * resets, early closes or timeouts */
	long long failures;	/* requests that did not end KC_HTTP_OK
				 * (cancelled ones included) */
	long long bytes;	/* body bytes received by every attempt, error
				 * pages and discarded parts included */
} kc_http_stats;

/* The built-in desktop browser User-Agents, then NULL.  They age: kc
 * refreshes them now and then, callers may pass their own. */
extern const char *const kc_http_user_agents[];

/* The default headers (Accept, Accept-Language), then NULL; a caller
 * adding Referer/Origin passes these plus its own. */
extern const char *const kc_http_headers[];

/*
 * libcurl's global initialisation, once per process, from main() before
 * any thread starts (it is not thread-safe on every libcurl build).
 * Returns 0, or -1 when libcurl cannot initialise.
 * kc_http_global_cleanup undoes it at the end, after every kc_http_free.
 */
int kc_http_global_init(void);
void kc_http_global_cleanup(void);

/* Fills *o with the defaults given in parentheses above. */
void kc_http_opts_init(kc_http_opts *o);

/*
 * A new client.  Returns NULL with a one-line reason in why (a bad option
 * value, an unusable cookie file, out of memory, libcurl refusing an
 * option).
 */
kc_http *kc_http_new(const kc_http_opts *o, char *why, size_t whylen);

/*
 * GET url into memory: on KC_HTTP_OK *body is a malloc'd copy of the
 * body with a NUL after its *len bytes (the caller frees it), any content
 * encoding (gzip, br...) undone.  A body over max bytes is
 * KC_HTTP_TOOBIG.  On any other return *body is NULL and *len 0.
 * Returns one of the codes above and fills *res (res may be NULL).
 */
int kc_http_get_mem(kc_http *h, const char *url, const kc_http_req *rq,
    size_t max, char **body, size_t *len, kc_http_result *res);

/*
 * GET url into the file path, atomically: the body is written to a
 * temporary file beside it ("path.part-PID-N") that is renamed onto path
 * only when complete, and removed on failure, so path is either the whole
 * body or untouched.  The file is created with mode 0666 minus the umask
 * and not fsync'ed.  Returns one of the codes above and fills *res.
 */
int kc_http_get_file(kc_http *h, const char *url, const kc_http_req *rq,
    const char *path, kc_http_result *res);

/*
 * GET url into the open descriptor fd from its current position.  For a
 * regular file, an attempt that must start over truncates the file back
 * to that position first.  For a pipe or socket, what was written cannot
 * be taken back: a retry resumes with a Range request, or skips the
 * bytes already written when the server sends the whole body again with
 * the same validator; a body that changed is KC_HTTP_FAILED.  On failure
 * a regular file is truncated back to where it started; a pipe keeps
 * what was written (the return code says it is incomplete).
 * Returns one of the codes above and fills *res.
 */
int kc_http_get_fd(kc_http *h, const char *url, const kc_http_req *rq,
    int fd, kc_http_result *res);

/* Copies the counts so far into *st. */
void kc_http_stats_get(const kc_http *h, kc_http_stats *st);

/* Adds every count of *st to *sum (several clients' totals). */
void kc_http_stats_add(kc_http_stats *sum, const kc_http_stats *st);

/* The User-Agent the next request starts with. */
const char *kc_http_user_agent(const kc_http *h);

/* Frees h and closes its connections; NULL is ignored. */
void kc_http_free(kc_http *h);

#endif
