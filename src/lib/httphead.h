/*
 * httphead.h - two readings of an HTTP response that http.c makes and
 * that are worth testing and fuzzing on their own: the Content-Range
 * header of a partial answer, and whether a refusal (403, 503) comes
 * from Cloudflare, and whether as a challenge page.  Pure functions of
 * the header values and the captured body: no I/O, no state, no
 * printing.
 */
#ifndef KC_HTTPHEAD_H
#define KC_HTTPHEAD_H

#include <stddef.h>

/* A Content-Range: bytes first-last/total, each -1 when not given. */
typedef struct kc_http_range {
	long long first, last, total;
} kc_http_range;

/*
 * Reads a Content-Range value (n bytes, no CR LF): "bytes 100-149/5000";
 * the total may be "*" (unknown), and the range "*" when there is a
 * total (an unsatisfied range: no first and last).  "bytes" is matched
 * in any case.  Numbers
 * are decimal, 0 to LLONG_MAX, and last is not below first.  Returns 0
 * when the value is a byte range (a total that is missing or not a whole
 * number is -1, as servers that leave it out are not refused), -1 when
 * it is not one, with every part -1.
 */
int kc_http_content_range(const char *v, size_t n, kc_http_range *r);

/* The Cloudflare signs in a response's headers. */
typedef struct kc_http_cf_signs {
	int ray;		/* a CF-RAY header */
	int mitigated;		/* a cf-mitigated header (a challenge) */
	int server;		/* Server: cloudflare */
} kc_http_cf_signs;

/* Whether a Server header value (n bytes) names Cloudflare. */
int kc_http_server_is_cf(const char *v, size_t n);

enum {
	KC_HTTP_CF_NONE = 0,	/* not Cloudflare, or not a refusal */
	KC_HTTP_CF_BLOCKED,	/* refused by Cloudflare */
	KC_HTTP_CF_CHALLENGE	/* a challenge page ("Just a moment...") */
};

/*
 * What a response with status and headers signs, and the start of its
 * body (len bytes, any bytes, NULs included), says: a 403 or 503 is a
 * Cloudflare challenge when cf-mitigated is set or the body has one of
 * Cloudflare's challenge marks, else a Cloudflare block when any sign is
 * there; every other response is KC_HTTP_CF_NONE.
 */
int kc_http_cloudflare(long status, const kc_http_cf_signs *signs,
    const char *body, size_t len);

#endif
