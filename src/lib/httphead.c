/*
 * httphead.c - the Content-Range parser and the Cloudflare recognition of
 * http.c (httphead.h), apart so that they can be fuzzed and unit tested
 * without a transfer.  Values are taken with their length, not as C
 * strings, and bodies are searched with memmem, so a NUL byte hides
 * nothing.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "httphead.h"

/* A decimal number at v[*i..n), 0..LLONG_MAX; -1 if there is none. */
static long long
number(const char *v, size_t n, size_t *i)
{
	long long x = 0;
	size_t k = *i;

	if (k >= n || v[k] < '0' || v[k] > '9')
		return -1;
	for (; k < n && v[k] >= '0' && v[k] <= '9'; k++) {
		if (x > (LLONG_MAX - (v[k] - '0')) / 10)
			return -1;
		x = x * 10 + (v[k] - '0');
	}
	*i = k;
	return x;
}

int
kc_http_content_range(const char *v, size_t n, kc_http_range *r)
{
	long long a = -1, b = -1, t;
	size_t i = 6;

	r->first = r->last = r->total = -1;
	if (v == NULL || n < 6 || strncasecmp(v, "bytes ", 6) != 0)
		return -1;
	if (i < n && v[i] == '*') {
		i++;
	} else {
		if ((a = number(v, n, &i)) < 0 || i >= n || v[i++] != '-' ||
		    (b = number(v, n, &i)) < 0 || b < a)
			return -1;
	}
	r->first = a;
	r->last = b;
	if (i < n && v[i] == '/') {
		i++;
		if (i < n && v[i] != '*' && (t = number(v, n, &i)) >= 0 &&
		    i == n)
			r->total = t;
	}
	if (a < 0 && r->total < 0) {
		/* "bytes *" says nothing */
		r->first = r->last = -1;
		return -1;
	}
	return 0;
}

int
kc_http_server_is_cf(const char *v, size_t n)
{
	return n >= 10 && strncasecmp(v, "cloudflare", 10) == 0;
}

static int
has(const char *body, size_t len, const char *mark)
{
	return body != NULL && len > 0 && memmem(body, len, mark,
	    strlen(mark)) != NULL;
}

int
kc_http_cloudflare(long status, const kc_http_cf_signs *signs,
    const char *body, size_t len)
{
	static const char *const marks[] = { "Just a moment",
	    "challenge-platform", "cf-chl", "Attention Required! | Cloudflare" };
	size_t i;

	if (status != 403 && status != 503)
		return KC_HTTP_CF_NONE;
	if (signs != NULL && signs->mitigated)
		return KC_HTTP_CF_CHALLENGE;
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (has(body, len, marks[i]))
			return KC_HTTP_CF_CHALLENGE;
	if (signs != NULL && (signs->ray || signs->server))
		return KC_HTTP_CF_BLOCKED;
	return KC_HTTP_CF_NONE;
}
