/*
 * fuzz_httphead.c - libFuzzer target for the HTTP response readings of
 * src/lib/httphead.c: the input is a Content-Range value, and the
 * captured body of a refusal that may come from Cloudflare.
 *
 * Besides "no crash, no out-of-bounds access" (ASan, UBSan), it checks
 * what httphead.h promises: an accepted Content-Range has first <= last
 * (or neither, with a total), is written back and read again to the same
 * parts, and a refused one leaves every part -1; the Cloudflare verdict
 * is the one a plain byte-by-byte search of the body for the challenge
 * marks gives, whatever the bytes (NULs included), and no status but 403
 * and 503 is ever Cloudflare's.  A broken promise aborts, which libFuzzer
 * reports as a crash with the input saved.
 *
 * The unit tests (tests/unit/test_httphead.c) include this file and
 * replay the corpus in tests/fuzz/corpus/httphead/ through the same
 * entry point.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httphead.h"

#define HCHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_httphead: %s:%d: broken: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

static void
check_range(const char *v, size_t n)
{
	kc_http_range r, r2;
	char buf[100];
	int rc, k;

	rc = kc_http_content_range(v, n, &r);
	HCHECK(rc == 0 || rc == -1);
	if (rc != 0) {
		HCHECK(r.first == -1 && r.last == -1 && r.total == -1);
		return;
	}
	HCHECK(r.total >= -1);
	if (r.first < 0) {
		HCHECK(r.first == -1 && r.last == -1 && r.total >= 0);
		k = snprintf(buf, sizeof(buf), "bytes */%lld", r.total);
	} else {
		HCHECK(r.last >= r.first);
		if (r.total >= 0)
			k = snprintf(buf, sizeof(buf), "bytes %lld-%lld/%lld",
			    r.first, r.last, r.total);
		else
			k = snprintf(buf, sizeof(buf), "bytes %lld-%lld/*",
			    r.first, r.last);
	}
	HCHECK(k > 0 && (size_t)k < sizeof(buf));
	HCHECK(kc_http_content_range(buf, (size_t)k, &r2) == 0);
	HCHECK(r2.first == r.first && r2.last == r.last &&
	    r2.total == r.total);
}

/* mark in body[0..len), the slow way. */
static int
naive_has(const char *body, size_t len, const char *mark)
{
	size_t m = strlen(mark), i, j;

	for (i = 0; i + m <= len; i++) {
		for (j = 0; j < m && body[i + j] == mark[j]; j++)
			;
		if (j == m)
			return 1;
	}
	return 0;
}

static void
check_cloudflare(const char *body, size_t len, unsigned bits)
{
	static const long statuses[] = { 200, 206, 403, 404, 429, 503 };
	static const char *const marks[] = { "Just a moment",
	    "challenge-platform", "cf-chl",
	    "Attention Required! | Cloudflare" };
	kc_http_cf_signs s = { (bits & 1) != 0, (bits & 2) != 0,
	    (bits & 4) != 0 };
	size_t i, k;
	int want, mark = 0;

	for (k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
		mark |= naive_has(body, len, marks[k]);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		if (statuses[i] != 403 && statuses[i] != 503)
			want = KC_HTTP_CF_NONE;
		else if (s.mitigated || mark)
			want = KC_HTTP_CF_CHALLENGE;
		else if (s.ray || s.server)
			want = KC_HTTP_CF_BLOCKED;
		else
			want = KC_HTTP_CF_NONE;
		HCHECK(kc_http_cloudflare(statuses[i], &s, body, len) == want);
	}
	HCHECK(kc_http_cloudflare(403, NULL, body, len) == (mark ?
	    KC_HTTP_CF_CHALLENGE : KC_HTTP_CF_NONE));
	for (k = 0; k < 10 && k < len && tolower((unsigned char)body[k]) ==
	    "cloudflare"[k]; k++)
		;
	HCHECK(kc_http_server_is_cf(body, len) == (k == 10));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;

	check_range(v, size);
	check_cloudflare(v, size, size ? data[0] : 0);
	/* the same with the first byte as the signs, the rest as the body */
	if (size > 0)
		check_cloudflare(v + 1, size - 1, data[0] >> 3);
	return 0;
}
