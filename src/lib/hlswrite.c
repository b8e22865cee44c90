/*
 * hlswrite.c - the writer of media playlists (kc_hls_write), which
 * ffmpeg reads.
 *
 * The writer is checked against the parser: what it writes reads back to
 * the same values, which is why it prints numbers with as many digits as
 * that takes, and why it first refuses (write_check) a playlist it could
 * not write that way.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hls.h"
#include "hlsint.h"

/* ---- the writer ------------------------------------------------------ */

struct sbuf {
	char *p;
	size_t n, cap;
	int err;
};

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;
	size_t ncap;
	char *np;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->p ? b->p + b->n : NULL,
		    b->p ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->err = EINVAL;
			return;
		}
		if (b->p != NULL && (size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		ncap = b->cap ? b->cap : 4096;
		while (ncap - b->n <= (size_t)k) {
			if (ncap > SIZE_MAX / 2) {
				b->err = ENOMEM;
				return;
			}
			ncap *= 2;
		}
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->err = ENOMEM;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

/* d with 3 decimals, or the fewest beyond that that read back as d. */
static void
fmt_dur(double d, char *buf, size_t n)
{
	int p;

	for (p = 3; p <= 400; p++) {
		snprintf(buf, n, "%.*f", p, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static int
wfail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

static int
has_break(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The METHOD a key is written with; NULL for none or an unwritable key. */
static const char *
key_method(const kc_hls_key *k)
{
	if (k == NULL)
		return NULL;
	if (k->method_name != NULL)
		return k->method_name;
	return k->method == KC_HLS_KEY_AES128 ? "AES-128" :
	    k->method == KC_HLS_KEY_SAMPLE_AES ? "SAMPLE-AES" : NULL;
}

/* k, with a METHOD of NONE taken as no key at all. */
static const kc_hls_key *
key_norm(const kc_hls_key *k)
{
	const char *m = key_method(k);

	return m != NULL && strcmp(m, "NONE") == 0 ? NULL : k;
}

static int
key_eq(const kc_hls_key *a, const kc_hls_key *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return str_eq(key_method(a), key_method(b)) && str_eq(a->uri, b->uri) &&
	    str_eq(a->iv, b->iv) && str_eq(a->keyformat, b->keyformat);
}

static int
map_eq(const kc_hls_map *a, const kc_hls_map *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return str_eq(a->uri, b->uri) && a->length == b->length &&
	    (a->length == 0 || a->offset == b->offset);
}

static int
qstr_ok(const char *s)
{
	return s != NULL && *s && strpbrk(s, "\r\n\"") == NULL;
}

static int
iv_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 34 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	for (i = 2; i < n; i++)
		if (!hls_is_hex(s[i]))
			return 0;
	return 1;
}

/* Checks what kc_hls_write cannot write; also the version it needs. */
static int
write_check(const kc_hls *pl, int *version, long *target, char *why,
    size_t whylen)
{
	const kc_hls_segment *s;
	const kc_hls_key *k;
	size_t i, n;
	int v = 3;
	double r;
	long t = pl->target;

	if (pl->kind != KC_HLS_MEDIA)
		return wfail(why, whylen, "not a media playlist");
	if (pl->seq0 < 0 || pl->dseq0 < 0 || pl->target < 0 ||
	    pl->version < 0)
		return wfail(why, whylen, "negative sequence number, target "
		    "duration or version");
	if (pl->type != KC_HLS_TYPE_NONE && pl->type != KC_HLS_TYPE_VOD &&
	    pl->type != KC_HLS_TYPE_EVENT)
		return wfail(why, whylen, "unknown playlist type %d", pl->type);
	if (pl->nseg > 0 && pl->seg == NULL)
		return wfail(why, whylen, "no segment array");
	if (pl->iframes)
		v = 4;
	for (i = 0; i < pl->nseg; i++) {
		s = &pl->seg[i];
		if (!isfinite(s->duration) || s->duration < 0 ||
		    s->duration > KC_HLS_MAX_SEGDUR)
			return wfail(why, whylen, "segment %zu: duration out "
			    "of range", i);
		if (s->uri == NULL || (n = strlen(s->uri)) == 0 ||
		    has_break(s->uri) || s->uri[0] == '#' ||
		    hls_is_ws(s->uri[0]) || hls_is_ws(s->uri[n - 1]))
			return wfail(why, whylen, "segment %zu: URI empty, "
			    "with a line break, or starting with '#' or "
			    "space", i);
		if (s->title != NULL && has_break(s->title))
			return wfail(why, whylen, "segment %zu: title with a "
			    "line break", i);
		if (s->br_length < 0 || (s->br_length > 0 &&
		    (s->br_offset < 0 ||
		    s->br_length > LLONG_MAX - s->br_offset)))
			return wfail(why, whylen, "segment %zu: byte range out "
			    "of range", i);
		if (s->br_length > 0 && v < 4)
			v = 4;
		if (s->pdt_tag && (!isfinite(s->pdt) || s->pdt < PDT_MIN ||
		    s->pdt >= PDT_END))
			return wfail(why, whylen, "segment %zu: program date "
			    "out of range", i);
		if ((k = key_norm(s->key)) != NULL) {
			const char *m = key_method(k);

			if (m == NULL || !hls_is_token(m))
				return wfail(why, whylen, "segment %zu: bad key "
				    "METHOD", i);
			if (!qstr_ok(k->uri) || (k->keyformat != NULL &&
			    (!qstr_ok(k->keyformat))))
				return wfail(why, whylen, "segment %zu: key URI "
				    "or KEYFORMAT empty or with '\"' or a line "
				    "break", i);
			if (k->iv != NULL && !iv_ok(k->iv))
				return wfail(why, whylen, "segment %zu: bad key "
				    "IV", i);
			if (k->keyformat != NULL && v < 5)
				v = 5;
		}
		if (s->map != NULL) {
			if (!qstr_ok(s->map->uri) || s->map->length < 0 ||
			    (s->map->length > 0 && (s->map->offset < 0 ||
			    s->map->length > LLONG_MAX - s->map->offset)))
				return wfail(why, whylen, "segment %zu: bad "
				    "EXT-X-MAP URI or byte range", i);
			if (v < (pl->iframes ? 5 : 6))
				v = pl->iframes ? 5 : 6;
		} else if (i > 0 && pl->seg[i - 1].map != NULL)
			return wfail(why, whylen, "segment %zu: no EXT-X-MAP "
			    "after a segment with one", i);
		r = floor(s->duration + 0.5);
		if (r > (double)t)
			t = (long)r;
	}
	*version = pl->version > v ? pl->version : v;
	*target = t;
	return 0;
}

int
kc_hls_write(const kc_hls *pl, char **text, size_t *len, char *why,
    size_t whylen)
{
	struct sbuf b = {NULL, 0, 0, 0};
	const kc_hls_segment *s;
	const kc_hls_key *k, *pk = NULL;
	const kc_hls_map *pm = NULL;
	char num[640];
	size_t i;
	int version = 3;
	long target = 0;

	*text = NULL;
	*len = 0;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (pl == NULL)
		return wfail(why, whylen, "no playlist");
	if (write_check(pl, &version, &target, why, whylen) < 0)
		return -1;
	sb_printf(&b, "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%ld\n"
	    "#EXT-X-MEDIA-SEQUENCE:%lld\n", version, target, pl->seq0);
	if (pl->dseq0 != 0)
		sb_printf(&b, "#EXT-X-DISCONTINUITY-SEQUENCE:%lld\n",
		    pl->dseq0);
	if (pl->type != KC_HLS_TYPE_NONE)
		sb_printf(&b, "#EXT-X-PLAYLIST-TYPE:%s\n",
		    pl->type == KC_HLS_TYPE_VOD ? "VOD" : "EVENT");
	if (pl->iframes)
		sb_printf(&b, "#EXT-X-I-FRAMES-ONLY\n");
	for (i = 0; i < pl->nseg; i++) {
		s = &pl->seg[i];
		if (s->discontinuity)
			sb_printf(&b, "#EXT-X-DISCONTINUITY\n");
		k = key_norm(s->key);
		if (!key_eq(k, pk)) {
			if (k == NULL)
				sb_printf(&b, "#EXT-X-KEY:METHOD=NONE\n");
			else {
				sb_printf(&b, "#EXT-X-KEY:METHOD=%s,URI=\"%s\"",
				    key_method(k), k->uri);
				if (k->iv != NULL)
					sb_printf(&b, ",IV=%s", k->iv);
				if (k->keyformat != NULL)
					sb_printf(&b, ",KEYFORMAT=\"%s\"",
					    k->keyformat);
				sb_printf(&b, "\n");
			}
			pk = k;
		}
		if (!map_eq(s->map, pm)) {
			sb_printf(&b, "#EXT-X-MAP:URI=\"%s\"", s->map->uri);
			if (s->map->length > 0)
				sb_printf(&b, ",BYTERANGE=\"%lld@%lld\"",
				    s->map->length, s->map->offset);
			sb_printf(&b, "\n");
			pm = s->map;
		}
		if (s->pdt_tag) {
			hls_pdt_format(s->pdt, num, sizeof(num));
			sb_printf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n", num);
		}
		if (s->gap)
			sb_printf(&b, "#EXT-X-GAP\n");
		if (s->br_length > 0)
			sb_printf(&b, "#EXT-X-BYTERANGE:%lld@%lld\n",
			    s->br_length, s->br_offset);
		fmt_dur(s->duration, num, sizeof(num));
		sb_printf(&b, "#EXTINF:%s,%s\n%s\n", num,
		    s->title ? s->title : "", s->uri);
	}
	if (pl->endlist)
		sb_printf(&b, "#EXT-X-ENDLIST\n");
	if (b.err) {
		free(b.p);
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "out of memory");
		errno = b.err;
		return -1;
	}
	*text = b.p;
	*len = b.n;
	return 0;
}
