/*
 * test_httphead.c - unit tests of httphead.c: Content-Range values (RFC
 * 9110's own examples, and what servers send that the RFC does not
 * allow but http.c has always taken), the Cloudflare verdicts for the
 * pages and headers Cloudflare sends, and the fuzz corpus
 * (tests/fuzz/corpus/httphead) replayed through the fuzzer's entry point,
 * included from tests/fuzz/fuzz_httphead.c.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "httphead.h"

#include "../fuzz/fuzz_httphead.c"

/* v must read as first-last/total (rc 0), or be refused (rc -1). */
static void
range(const char *v, int rc, long long first, long long last,
    long long total)
{
	kc_http_range r;
	int got = kc_http_content_range(v, strlen(v), &r);

	if (got != rc || r.first != first || r.last != last ||
	    r.total != total)
		fail_msg("\"%s\": %d %lld-%lld/%lld, want %d %lld-%lld/%lld", v,
		    got, r.first, r.last, r.total, rc, first, last, total);
}

static void
test_content_range(void **state)
{
	(void)state;
	/* RFC 9110, 14.4 */
	range("bytes 42-1233/1234", 0, 42, 1233, 1234);
	range("bytes 42-1233/*", 0, 42, 1233, -1);
	range("bytes */1234", 0, -1, -1, 1234);
	range("bytes 0-0/1", 0, 0, 0, 1);
	range("BYTES 7-9/10", 0, 7, 9, 10);
	range("bytes 9223372036854775806-9223372036854775807/"
	    "9223372036854775807", 0, LLONG_MAX - 1, LLONG_MAX, LLONG_MAX);
	/* no total, or one that is not a number: the range still counts */
	range("bytes 100-149", 0, 100, 149, -1);
	range("bytes 100-149/", 0, 100, 149, -1);
	range("bytes 100-149/50x", 0, 100, 149, -1);
	range("bytes 100-149x", 0, 100, 149, -1);
	/* not a byte range */
	range("", -1, -1, -1, -1);
	range("bytes", -1, -1, -1, -1);
	range("bytes ", -1, -1, -1, -1);
	range("bytes *", -1, -1, -1, -1);
	range("bytes */*", -1, -1, -1, -1);
	range("items 0-9/10", -1, -1, -1, -1);
	range("bytes 5-1/10", -1, -1, -1, -1);
	range("bytes -5/10", -1, -1, -1, -1);
	range("bytes 5-/10", -1, -1, -1, -1);
	range("bytes  0-9/10", -1, -1, -1, -1);
	range("bytes 0-9223372036854775808/1", -1, -1, -1, -1);
	range("bytes 99999999999999999999-1/1", -1, -1, -1, -1);
	/* the length is the value's, whatever follows it */
	{
		kc_http_range r;

		assert_int_equal(kc_http_content_range("bytes 1-2/30",
		    sizeof("bytes 1-2/3") - 1, &r), 0);
		assert_true(r.first == 1 && r.last == 2 && r.total == 3);
		assert_int_equal(kc_http_content_range("bytes 1-2/3", 4, &r),
		    -1);
		assert_int_equal(kc_http_content_range(NULL, 0, &r), -1);
	}
}

static void
test_cloudflare(void **state)
{
	static const char challenge[] = "<!DOCTYPE html><html><head><title>"
	    "Just a moment...</title></head><body><script src=\"/cdn-cgi/"
	    "challenge-platform/h/g/orchestrate/chl_page/v1\"></script>";
	static const char blocked[] = "<title>Attention Required! | "
	    "Cloudflare</title>";
	static const char plain[] = "<h1>403 Forbidden</h1>";
	static const char hidden[] = "\0\0x\0Just a moment...";
	kc_http_cf_signs none = { 0, 0, 0 }, ray = { 1, 0, 0 },
	    mit = { 0, 1, 0 }, srv = { 0, 0, 1 };

	(void)state;
	assert_int_equal(kc_http_cloudflare(403, &none, challenge,
	    strlen(challenge)), KC_HTTP_CF_CHALLENGE);
	assert_int_equal(kc_http_cloudflare(503, &ray, blocked,
	    strlen(blocked)), KC_HTTP_CF_CHALLENGE);
	assert_int_equal(kc_http_cloudflare(403, &mit, plain, strlen(plain)),
	    KC_HTTP_CF_CHALLENGE);
	assert_int_equal(kc_http_cloudflare(403, &ray, plain, strlen(plain)),
	    KC_HTTP_CF_BLOCKED);
	assert_int_equal(kc_http_cloudflare(503, &srv, NULL, 0),
	    KC_HTTP_CF_BLOCKED);
	assert_int_equal(kc_http_cloudflare(403, &none, plain, strlen(plain)),
	    KC_HTTP_CF_NONE);
	assert_int_equal(kc_http_cloudflare(403, NULL, NULL, 0),
	    KC_HTTP_CF_NONE);
	/* other statuses are never Cloudflare's refusals */
	assert_int_equal(kc_http_cloudflare(429, &mit, challenge,
	    strlen(challenge)), KC_HTTP_CF_NONE);
	assert_int_equal(kc_http_cloudflare(200, &ray, challenge,
	    strlen(challenge)), KC_HTTP_CF_NONE);
	/* a NUL byte in the body hides nothing; the length bounds the search */
	assert_int_equal(kc_http_cloudflare(403, &none, hidden,
	    sizeof(hidden) - 1), KC_HTTP_CF_CHALLENGE);
	assert_int_equal(kc_http_cloudflare(403, &none, challenge, 40),
	    KC_HTTP_CF_NONE);
	assert_true(kc_http_server_is_cf("cloudflare", 10));
	assert_true(kc_http_server_is_cf("CloudFlare-nginx", 16));
	assert_false(kc_http_server_is_cf("cloudflare", 9));
	assert_false(kc_http_server_is_cf("nginx", 5));
}

static void
test_corpus(void **state)
{
	(void)state;
	replay_corpus("httphead", LLVMFuzzerTestOneInput, 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_range),
		cmocka_unit_test(test_cloudflare),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
