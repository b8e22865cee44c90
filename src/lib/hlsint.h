/*
 * hlsint.h - internal to the hls*.c files of src/lib, never to be included
 * elsewhere (programs, tests and fuzzers use hls.h): what hls.c shares
 * with the parser (hlsparse.c) and the writer (hlswrite.c), so that the
 * two read characters, numbers, attribute lists, URIs and dates the same
 * way.  Only what crosses a file is here; the rest stays static.
 */
#ifndef KC_HLSINT_H
#define KC_HLSINT_H

#include <stddef.h>

#include "hls.h"

/* An attribute list split by hls_attrs_split: pointers into the list. */
struct attr {
	const char *name, *val;
	size_t nlen, vlen;
	int quoted;
};

struct attrs {
	struct attr a[KC_HLS_MAX_ATTRS];
	size_t n;
};

/* Earliest and latest pdt the writer can spell: years 0000 to 9999. */
#define PDT_MIN	(-62167219200.0)
#define PDT_END	(253402300800.0)

/* Characters: space or tab; a hex digit; a METHOD value's characters. */
int hls_is_ws(int c);
int hls_is_hex(int c);
int hls_is_token(const char *s);

/*
 * Numbers as RFC 8216 writes them; each returns NULL, or a reason.
 * hls_num_int: decimal-integer, 0 .. LLONG_MAX.  hls_num_dec:
 * decimal-floating-point in [0, max].  hls_num_range: "n[@o]" of a BYTERANGE,
 * *off -1 without "@o" (s is split while read, and mended).
 */
const char *hls_num_int(const char *s, long long *out);
const char *hls_num_dec(const char *s, double max, double *out);
const char *hls_num_range(char *s, long long *len, long long *off);

/*
 * hls_attrs_split: splits an attribute list; NULL, or a reason, with
 * *toomany set when the only fault is the count.  hls_attrs_find: the first
 * attribute called name, or NULL.
 */
const char *hls_attrs_split(const char *s, struct attrs *as, int *toomany);
const struct attr *hls_attrs_find(const struct attrs *as, const char *name);

/*
 * ref resolved against base as kc_hls_resolve says, into memory from
 * alloc(ctx, size); NULL when memory runs out.
 */
char *hls_resolve(const char *base, const char *ref,
    void *(*alloc)(void *, size_t), void *ctx);

#endif
