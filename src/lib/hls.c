/*
 * hls.c - HLS playlists: a line-at-a-time parser for master and media
 * playlists (RFC 8216) that resolves URIs as it goes, the choices kc-fetch
 * makes over a master playlist, the bookkeeping of a live follower, and a
 * writer for media playlists.
 *
 * The input is hostile until proven otherwise (it comes off the network):
 * every line is copied into a bounded buffer before it is looked at, every
 * count and sum is checked, and all results live in one arena whose size
 * is capped, so a parse either succeeds within the limits of hls.h or
 * fails with a line number and a reason.  The writer is checked against
 * the parser: what it writes reads back to the same values, which is why
 * it prints numbers with as many digits as that takes.
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
#include <strings.h>
#include <time.h>

#include "hash.h"
#include "hls.h"

/* ---- arena ----------------------------------------------------------- */

struct chunk {
	struct chunk *next;
	size_t cap, used;
	max_align_t data[];
};

struct kc_hls_mem {
	struct chunk *chunks;
	size_t total;		/* bytes counted against KC_HLS_MAX_MEM */
	int err;		/* ENOMEM or E2BIG after a failed allocation */
};

#define CHUNK_SIZE	(64 * 1024)
#define ALIGN		(sizeof(max_align_t))

/* Counts n more bytes; 0, or -1 with m->err set. */
static int
mem_charge(struct kc_hls_mem *m, size_t n)
{
	if (n > KC_HLS_MAX_MEM || m->total > KC_HLS_MAX_MEM - n) {
		m->err = E2BIG;
		return -1;
	}
	m->total += n;
	return 0;
}

static void *
mem_alloc(struct kc_hls_mem *m, size_t n)
{
	struct chunk *c = m->chunks;
	size_t want, cap;
	void *p;

	if (n > KC_HLS_MAX_MEM) {
		m->err = E2BIG;
		return NULL;
	}
	want = (n + ALIGN - 1) / ALIGN * ALIGN;
	if (want == 0)
		want = ALIGN;
	if (c == NULL || c->cap - c->used < want) {
		cap = want > CHUNK_SIZE ? want : CHUNK_SIZE;
		if (mem_charge(m, cap + sizeof(*c)) < 0)
			return NULL;
		c = malloc(sizeof(*c) + cap);
		if (c == NULL) {
			m->err = ENOMEM;
			return NULL;
		}
		c->cap = cap;
		c->used = 0;
		c->next = m->chunks;
		m->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += want;
	return p;
}

static char *
mem_strndup(struct kc_hls_mem *m, const char *s, size_t n)
{
	char *p = mem_alloc(m, n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/*
 * Grows *arr (elements of size sz, capacity *cap) to hold one more than
 * n, up to max elements.  0, or -1 with m->err set.
 */
static int
mem_grow(struct kc_hls_mem *m, void **arr, size_t *cap, size_t n,
    size_t sz, size_t max)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= max) {
		m->err = E2BIG;
		return -1;
	}
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > max)
		ncap = max;
	if (mem_charge(m, (ncap - *cap) * sz) < 0)
		return -1;
	p = realloc(*arr, ncap * sz);
	if (p == NULL) {
		m->err = ENOMEM;
		return -1;
	}
	*arr = p;
	*cap = ncap;
	return 0;
}

static void
mem_free(struct kc_hls_mem *m)
{
	struct chunk *c, *next;

	if (m == NULL)
		return;
	for (c = m->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(m);
}

/* ---- characters and numbers ------------------------------------------ */

static int
is_ws(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Characters of a METHOD value (an enumerated string kc writes back). */
static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!is_alpha((unsigned char)*s) && !is_digit(*s) &&
		    *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* RFC 8216 decimal-integer, 0 .. LLONG_MAX.  NULL, or a reason. */
static const char *
num_int(const char *s, long long *out)
{
	long long v = 0;

	if (*s == '\0')
		return "empty";
	if (*s == '-')
		return "negative";
	for (; *s; s++) {
		if (!is_digit(*s))
			return "not a decimal integer";
		if (v > (LLONG_MAX - (*s - '0')) / 10)
			return "out of range";
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return NULL;
}

/* A decimal-floating-point in [0, max]: digits and at most one '.'. */
static const char *
num_dec(const char *s, double max, double *out)
{
	const char *p;
	int digits = 0, dots = 0;
	char *end;
	double v;

	if (*s == '\0')
		return "empty";
	if (*s == '-')
		return "negative";
	for (p = s; *p; p++) {
		if (is_digit(*p))
			digits++;
		else if (*p == '.' && dots++ == 0)
			continue;
		else
			return "not a decimal number";
	}
	if (digits == 0)
		return "not a decimal number";
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return "not a decimal number";
	if (v > max)
		return "out of range";
	*out = v;
	return NULL;
}

/*
 * "n[@o]" of EXT-X-BYTERANGE and EXT-X-MAP's BYTERANGE; *off -1 without
 * "@o".  s is split at the '@' while it is read, and mended.
 */
static const char *
num_range(char *s, long long *len, long long *off)
{
	char *at = strchr(s, '@');
	const char *r = NULL;

	*off = -1;
	if (at != NULL) {
		*at = '\0';
		r = num_int(at + 1, off);
	}
	if (r == NULL)
		r = num_int(s, len);
	if (at != NULL)
		*at = '@';
	if (r != NULL)
		return r;
	if (*len == 0)
		return "zero length";
	if (*off >= 0 && *len > LLONG_MAX - *off)
		return "out of range";
	return NULL;
}

/* ---- attribute lists ------------------------------------------------- */

struct attr {
	const char *name, *val;
	size_t nlen, vlen;
	int quoted;
};

struct attrs {
	struct attr a[KC_HLS_MAX_ATTRS];
	size_t n;
};

/*
 * Splits an attribute list.  NULL, or a reason; *toomany is set when the
 * only fault is the count.
 */
static const char *
attrs_split(const char *s, struct attrs *as, int *toomany)
{
	struct attr *a;
	const char *p = s;

	as->n = 0;
	*toomany = 0;
	for (;;) {
		while (is_ws(*p))
			p++;
		if (*p == '\0')
			return NULL;
		if (as->n == KC_HLS_MAX_ATTRS) {
			*toomany = 1;
			return "too many attributes";
		}
		a = &as->a[as->n];
		a->name = p;
		while (is_alpha((unsigned char)*p) || is_digit(*p) ||
		    *p == '-' || *p == '_')
			p++;
		a->nlen = (size_t)(p - a->name);
		if (a->nlen == 0)
			return "bad attribute name";
		while (is_ws(*p))
			p++;
		if (*p != '=')
			return "attribute without '='";
		p++;
		while (is_ws(*p))
			p++;
		if (*p == '"') {
			a->val = ++p;
			while (*p && *p != '"')
				p++;
			if (*p != '"')
				return "unterminated quoted string";
			a->vlen = (size_t)(p - a->val);
			a->quoted = 1;
			p++;
		} else {
			a->val = p;
			while (*p && *p != ',') {
				if (*p == '"')
					return "'\"' inside an unquoted value";
				p++;
			}
			a->vlen = (size_t)(p - a->val);
			while (a->vlen > 0 && is_ws(a->val[a->vlen - 1]))
				a->vlen--;
			if (a->vlen == 0)
				return "empty attribute value";
			a->quoted = 0;
		}
		as->n++;
		while (is_ws(*p))
			p++;
		if (*p == '\0')
			return NULL;
		if (*p != ',')
			return "expected ',' between attributes";
		p++;
	}
}

static const struct attr *
attrs_find(const struct attrs *as, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < as->n; i++)
		if (as->a[i].nlen == n && memcmp(as->a[i].name, name, n) == 0)
			return &as->a[i];
	return NULL;
}

int
kc_hls_attr(const char *list, const char *name, const char **val,
    size_t *len, int *quoted)
{
	struct attrs as;
	const struct attr *a;
	int toomany;

	if (list == NULL || name == NULL || attrs_split(list, &as, &toomany))
		return -1;
	if ((a = attrs_find(&as, name)) == NULL)
		return 0;
	*val = a->val;
	*len = a->vlen;
	if (quoted != NULL)
		*quoted = a->quoted;
	return 1;
}

/* ---- URI resolution -------------------------------------------------- */

struct uri {
	const char *scheme, *auth, *path, *query, *frag;
	size_t slen, alen, plen, qlen, flen;
	int has_auth, has_query, has_frag;
};

static void
uri_split(const char *s, struct uri *u)
{
	const char *p = s;

	memset(u, 0, sizeof(*u));
	if (is_alpha((unsigned char)*p)) {
		p++;
		while (is_alpha((unsigned char)*p) || is_digit(*p) ||
		    *p == '+' || *p == '-' || *p == '.')
			p++;
		if (*p == ':') {
			u->scheme = s;
			u->slen = (size_t)(p - s);
			s = p + 1;
		}
	}
	if (s[0] == '/' && s[1] == '/') {
		u->has_auth = 1;
		u->auth = s + 2;
		u->alen = strcspn(u->auth, "/?#");
		s = u->auth + u->alen;
	}
	u->path = s;
	u->plen = strcspn(s, "?#");
	s += u->plen;
	if (*s == '?') {
		u->has_query = 1;
		u->query = s + 1;
		u->qlen = strcspn(u->query, "#");
		s = u->query + u->qlen;
	}
	if (*s == '#') {
		u->has_frag = 1;
		u->frag = s + 1;
		u->flen = strlen(u->frag);
	}
}

/*
 * RFC 3986 5.2.4 remove_dot_segments: in[0..n) (which it changes) into
 * out, which has room for n bytes.  Returns the output length.
 */
static size_t
remove_dots(char *in, size_t n, char *out)
{
	size_t i = 0, o = 0, j;

	while (i < n) {
		size_t r = n - i;
		const char *s = in + i;

		if (r >= 3 && memcmp(s, "../", 3) == 0)
			i += 3;
		else if (r >= 2 && memcmp(s, "./", 2) == 0)
			i += 2;
		else if (r >= 3 && memcmp(s, "/./", 3) == 0)
			i += 2;
		else if (r == 2 && memcmp(s, "/.", 2) == 0) {
			i += 1;
			in[i] = '/';
		} else if ((r >= 4 && memcmp(s, "/../", 4) == 0) ||
		    (r == 3 && memcmp(s, "/..", 3) == 0)) {
			if (r == 3) {
				i += 2;
				in[i] = '/';
			} else
				i += 3;
			/* drop the output's last segment and its '/' */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if ((r == 1 && s[0] == '.') ||
		    (r == 2 && memcmp(s, "..", 2) == 0))
			i = n;
		else {
			j = i + 1;
			while (j < n && in[j] != '/')
				j++;
			memcpy(out + o, in + i, j - i);
			o += j - i;
			i = j;
		}
	}
	return o;
}

/*
 * The resolution itself, into memory from alloc(ctx, size): the arena
 * while parsing, malloc for kc_hls_resolve.  NULL when memory runs out.
 */
static char *
resolve(const char *base, const char *ref, void *(*alloc)(void *, size_t),
    void *ctx)
{
	struct uri b, r;
	const struct uri *a, *q;
	size_t blen = base ? strlen(base) : 0, rlen = strlen(ref);
	size_t plen = 0, dlen = 0, o = 0, i;
	char *path, *out;

	uri_split(ref, &r);
	if (blen > 0)
		uri_split(base, &b);
	if (blen == 0 || (r.scheme == NULL && b.scheme == NULL)) {
		/* as written, or against a local path's directory */
		if (blen > 0 && ref[0] != '/') {
			const char *sl = strrchr(base, '/');

			if (sl != NULL)
				dlen = (size_t)(sl - base) + 1;
		}
		if ((out = alloc(ctx, dlen + rlen + 1)) == NULL)
			return NULL;
		if (dlen > 0)
			memcpy(out, base, dlen);
		memcpy(out + dlen, ref, rlen + 1);
		return out;
	}

	/* RFC 3986 5.2.2; path holds the path before dot removal */
	if ((path = malloc(blen + rlen + 2)) == NULL)
		return NULL;
	if (r.scheme != NULL || r.has_auth) {
		a = q = &r;
		memcpy(path, r.path, plen = r.plen);
	} else {
		a = &b;
		q = &r;
		if (r.plen == 0) {
			memcpy(path, b.path, plen = b.plen);
			if (!r.has_query)
				q = &b;
		} else if (r.path[0] == '/')
			memcpy(path, r.path, plen = r.plen);
		else {
			if (b.has_auth && b.plen == 0)
				path[plen++] = '/';
			else
				for (i = b.plen; i > 0; i--)
					if (b.path[i - 1] == '/') {
						memcpy(path, b.path, plen = i);
						break;
					}
			memcpy(path + plen, r.path, r.plen);
			plen += r.plen;
		}
	}
	if (r.scheme != NULL)
		b = r;		/* the scheme comes from the reference */
	out = alloc(ctx, b.slen + 3 + a->alen + plen + 1 + q->qlen + 1 +
	    r.flen + 1);
	if (out == NULL) {
		free(path);
		return NULL;
	}
	memcpy(out, b.scheme, b.slen);
	o = b.slen;
	out[o++] = ':';
	if (a->has_auth) {
		out[o++] = '/';
		out[o++] = '/';
		memcpy(out + o, a->auth, a->alen);
		o += a->alen;
	}
	o += remove_dots(path, plen, out + o);
	if (q->has_query) {
		out[o++] = '?';
		memcpy(out + o, q->query, q->qlen);
		o += q->qlen;
	}
	if (r.has_frag) {
		out[o++] = '#';
		memcpy(out + o, r.frag, r.flen);
		o += r.flen;
	}
	out[o] = '\0';
	free(path);
	return out;
}

static void *
alloc_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

char *
kc_hls_resolve(const char *base, const char *ref)
{
	char *s;

	if (ref == NULL || strlen(ref) > KC_HLS_MAX_LINE ||
	    (base != NULL && strlen(base) > KC_HLS_MAX_LINE)) {
		errno = ref == NULL ? EINVAL : E2BIG;
		return NULL;
	}
	if ((s = resolve(base, ref, alloc_malloc, NULL)) == NULL)
		errno = ENOMEM;
	return s;
}

/* ---- dates ----------------------------------------------------------- */

/*
 * An ISO 8601 date and time as EXT-X-PROGRAM-DATE-TIME writes it, to Unix
 * seconds.  NULL, or a reason.  strptime and timegm read the date and
 * time; the exact shape (4-2-2 digits, which strptime does not insist
 * on), the fraction and the offset are read here.
 */
static const char *
pdt_parse(const char *s, double *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	char buf[sizeof(shape)];
	const char *p = s + sizeof(shape) - 1;
	struct tm tm, back;
	int oh = 0, om = 0, sign = 0, sec;
	double frac = 0;
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? !is_digit(s[i]) : shape[i] == 'T' ?
		    strchr("Tt ", s[i]) == NULL || s[i] == '\0' :
		    s[i] != shape[i])
			return "not YYYY-MM-DDThh:mm:ss";
	memcpy(buf, s, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	buf[10] = 'T';
	memset(&tm, 0, sizeof(tm));
	if (strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm) != buf + sizeof(buf) - 1 ||
	    tm.tm_sec > 60)
		return "no such date or time";
	/* timegm rolls 30 February over into March: a date that does not
	 * come back the same does not exist (a leap second is added after;
	 * whole minutes are never -1) */
	sec = tm.tm_sec;
	tm.tm_sec = 0;
	back = tm;
	if ((t = timegm(&back)) == (time_t)-1 || back.tm_year != tm.tm_year || back.tm_mon != tm.tm_mon ||
	    back.tm_mday != tm.tm_mday || back.tm_hour != tm.tm_hour ||
	    back.tm_min != tm.tm_min)
		return "no such date or time";
	if (*p == '.') {
		const char *q = p + 1;
		char *end;

		while (is_digit(*q))
			q++;
		if (q == p + 1)
			return "no digits after '.'";
		frac = strtod(p, &end);
		if (end != q)
			return "bad fraction of a second";
		p = q;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!is_digit(p[0]) || !is_digit(p[1]))
			return "bad time zone";
		oh = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':')
			p++;
		if (*p != '\0') {
			if (!is_digit(p[0]) || !is_digit(p[1]))
				return "bad time zone";
			om = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		if (oh > 23 || om > 59)
			return "bad time zone";
	}
	if (*p != '\0')
		return "junk after the time";
	*out = (double)t + sec - sign * (oh * 3600 + om * 60) + frac;
	return NULL;
}

/* Earliest and latest pdt the writer can spell: years 0000 to 9999. */
#define PDT_MIN	(-62167219200.0)
#define PDT_END	(253402300800.0)

/*
 * pdt as "YYYY-MM-DDThh:mm:ss.fffZ" with the fewest fraction digits (3 at
 * least) that pdt_parse reads back to the same double.  -1 when out of
 * range.
 */
static int
pdt_format(double pdt, char *buf, size_t n)
{
	char fb[512];
	double isec, frac, back;
	time_t t;
	struct tm tm;
	int k;

	if (!isfinite(pdt) || pdt < PDT_MIN || pdt >= PDT_END)
		return -1;
	isec = floor(pdt);
	frac = pdt - isec;
	t = (time_t)isec;
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	for (k = 3; k <= 400; k += k < 9 ? 3 : 1) {
		snprintf(fb, sizeof(fb), "%.*f", k, frac);
		if (fb[0] != '0')
			continue;	/* rounded up to 1.000 */
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, fb + 1);
		if (pdt_parse(buf, &back) == NULL && back == pdt)
			break;
	}
	return 0;
}

/* ---- the parser ------------------------------------------------------ */

struct parser {
	kc_hls *pl;
	struct kc_hls_mem *m;
	const char *base;
	int web;		/* the base is an http(s) URL */
	long line;
	int err;		/* errno of the failure */
	char *why;
	size_t whylen;
	size_t segcap, varcap, medcap;
	long master_line, media_line;	/* first tag of each kind */

	/* tags waiting for their segment's URI line */
	int inf;
	long inf_line;
	double inf_dur;
	const char *inf_title;
	int disc, gap, pdt_set, br_set;
	double pdt;
	long br_line;
	long long br_len, br_off;

	/* in force until changed */
	const kc_hls_key *key;
	const kc_hls_map *map;
	int target_set;
	double maxdur;

	/* an EXT-X-STREAM-INF waiting for its URI line */
	int sinf;
	long sinf_line;
	kc_hls_variant v;
};

static int
fail(struct parser *P, int err, const char *fmt, ...)
{
	va_list ap;

	P->err = err;
	if (P->why != NULL && P->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(P->why, P->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
fail_mem(struct parser *P)
{
	if (P->m->err == E2BIG)
		return fail(P, E2BIG, "playlist needs more than %lu MiB",
		    (unsigned long)(KC_HLS_MAX_MEM >> 20));
	return fail(P, ENOMEM, "out of memory");
}

static void *
alloc_arena(void *ctx, size_t n)
{
	return mem_alloc(ctx, n);
}

/* Does URI u have the scheme http or https (in any case)? */
static int
is_web(const char *u)
{
	return strncasecmp(u, "http:", 5) == 0 ||
	    strncasecmp(u, "https:", 6) == 0;
}

/*
 * ref resolved against the base, in the arena; NULL after fail().  A
 * playlist fetched over http(s) may only send its reader to http(s): a
 * file: segment, key, map or playlist would have the reader take its own
 * files (or other schemes' resources) for the server's.
 */
static const char *
P_resolve(struct parser *P, const char *ref)
{
	const char *s = resolve(P->base, ref, alloc_arena, P->m);

	if (s == NULL) {
		if (P->m->err == 0)
			P->m->err = ENOMEM;
		fail_mem(P);
	} else if (P->web && !is_web(s)) {
		fail(P, EPERM, "\"%s\" is not an http(s) URI, in a playlist "
		    "fetched over http(s)", ref);
		return NULL;
	}
	return s;
}

static const char *
P_strdup(struct parser *P, const char *s)
{
	const char *d;

	if (*s == '\0')
		return "";
	if ((d = mem_strndup(P->m, s, strlen(s))) == NULL)
		fail_mem(P);
	return d;
}

/*
 * Splits a tag's attribute list in place: each name and value is
 * NUL-terminated in the line buffer once the whole list is known good.
 */
static int
P_attrs(struct parser *P, const char *tag, char *val, struct attrs *as)
{
	const char *r;
	size_t i;
	int toomany;

	if ((r = attrs_split(val, as, &toomany)) != NULL)
		return fail(P, toomany ? E2BIG : EINVAL, "%s: %s", tag, r);
	for (i = 0; i < as->n; i++) {
		((char *)as->a[i].name)[as->a[i].nlen] = '\0';
		((char *)as->a[i].val)[as->a[i].vlen] = '\0';
	}
	return 0;
}

/* A value of a list P_attrs split: in the line buffer, so writable. */
static char *
aval(const struct attrs *as, const char *name)
{
	const struct attr *a = attrs_find(as, name);

	return a ? (char *)a->val : NULL;
}

static int
bad_value(struct parser *P, const char *tag, const char *what,
    const char *val, const char *reason)
{
	return fail(P, EINVAL, "%s: bad %s \"%.40s%s\": %s", tag, what, val,
	    strlen(val) > 40 ? "..." : "", reason);
}

/* Does a CODECS list name a video codec? */
static int
codecs_video(const char *c)
{
	static const char *const vid[] = {"avc1", "avc3", "hvc1", "hev1",
	    "dvh1", "dvhe", "dva1", "dvav", "vp08", "vp09", "av01", "mp4v"};
	size_t i, n;

	while (*c) {
		while (is_ws(*c) || *c == ',')
			c++;
		n = strcspn(c, ".,");
		for (i = 0; i < sizeof(vid) / sizeof(vid[0]); i++)
			if (n == 4 && strncasecmp(c, vid[i], 4) == 0)
				return 1;
		c += strcspn(c, ",");
	}
	return 0;
}

static int
tag_stream_inf(struct parser *P, char *val)
{
	static const char tag[] = "EXT-X-STREAM-INF";
	kc_hls_variant *v = &P->v;
	struct attrs as;
	const char *r;
	long long w, h;
	char *s, *x;

	if (P->sinf) {
		P->line = P->sinf_line;
		return fail(P, EINVAL, "EXT-X-STREAM-INF without a URI");
	}
	if (P_attrs(P, tag, val, &as) < 0)
		return -1;
	memset(v, 0, sizeof(*v));
	if ((s = aval(&as, "BANDWIDTH")) == NULL)
		return fail(P, EINVAL, "EXT-X-STREAM-INF without BANDWIDTH");
	if ((r = num_int(s, &v->bandwidth)) != NULL)
		return bad_value(P, tag, "BANDWIDTH", s, r);
	if ((s = aval(&as, "AVERAGE-BANDWIDTH")) != NULL &&
	    (r = num_int(s, &v->avg_bandwidth)) != NULL)
		return bad_value(P, tag, "AVERAGE-BANDWIDTH", s, r);
	if ((s = aval(&as, "RESOLUTION")) != NULL) {
		if ((x = strchr(s, 'x')) == NULL &&
		    (x = strchr(s, 'X')) == NULL)
			return bad_value(P, tag, "RESOLUTION", s,
			    "not WIDTHxHEIGHT");
		*x = '\0';
		if ((r = num_int(s, &w)) != NULL ||
		    (r = num_int(x + 1, &h)) != NULL) {
			*x = 'x';
			return bad_value(P, tag, "RESOLUTION", s, r);
		}
		if (w > 100000 || h > 100000)
			return bad_value(P, tag, "RESOLUTION", s,
			    "out of range");
		v->width = (int)w;
		v->height = (int)h;
	}
	if ((s = aval(&as, "FRAME-RATE")) != NULL &&
	    (r = num_dec(s, 10000, &v->frame_rate)) != NULL)
		return bad_value(P, tag, "FRAME-RATE", s, r);
	if ((s = aval(&as, "CODECS")) != NULL &&
	    (v->codecs = P_strdup(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "NAME")) != NULL &&
	    (v->name = P_strdup(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "VIDEO")) != NULL &&
	    (v->video = P_strdup(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "AUDIO")) != NULL &&
	    (v->audio = P_strdup(P, s)) == NULL)
		return -1;
	v->has_video = (v->width > 0 && v->height > 0) ||
	    (v->codecs != NULL && codecs_video(v->codecs));
	P->sinf = 1;
	P->sinf_line = P->line;
	return 0;
}

static int
tag_media(struct parser *P, char *val)
{
	static const char tag[] = "EXT-X-MEDIA";
	kc_hls *pl = P->pl;
	kc_hls_rendition *rd;
	struct attrs as;
	const char *s;

	if (P_attrs(P, tag, val, &as) < 0)
		return -1;
	if (mem_grow(P->m, (void **)&pl->media, &P->medcap, pl->nmedia,
	    sizeof(*pl->media), KC_HLS_MAX_RENDITIONS) < 0) {
		if (P->m->err == E2BIG && pl->nmedia >= KC_HLS_MAX_RENDITIONS)
			return fail(P, E2BIG, "more than %d EXT-X-MEDIA",
			    KC_HLS_MAX_RENDITIONS);
		return fail_mem(P);
	}
	rd = &pl->media[pl->nmedia];
	memset(rd, 0, sizeof(*rd));
	if ((s = aval(&as, "TYPE")) == NULL)
		return fail(P, EINVAL, "EXT-X-MEDIA without TYPE");
	rd->type = !strcmp(s, "AUDIO") ? KC_HLS_AUDIO :
	    !strcmp(s, "VIDEO") ? KC_HLS_VIDEO :
	    !strcmp(s, "SUBTITLES") ? KC_HLS_SUBTITLES :
	    !strcmp(s, "CLOSED-CAPTIONS") ? KC_HLS_CLOSED_CAPTIONS :
	    KC_HLS_OTHER;
	if ((s = aval(&as, "GROUP-ID")) == NULL)
		return fail(P, EINVAL, "EXT-X-MEDIA without GROUP-ID");
	if ((rd->group = P_strdup(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "NAME")) == NULL)
		return fail(P, EINVAL, "EXT-X-MEDIA without NAME");
	if ((rd->name = P_strdup(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "LANGUAGE")) != NULL &&
	    (rd->language = P_strdup(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "URI")) != NULL && *s &&
	    (rd->uri = P_resolve(P, s)) == NULL)
		return -1;
	rd->is_default = (s = aval(&as, "DEFAULT")) && !strcmp(s, "YES");
	rd->autoselect = (s = aval(&as, "AUTOSELECT")) && !strcmp(s, "YES");
	pl->nmedia++;
	return 0;
}

static int
tag_extinf(struct parser *P, char *val)
{
	char *comma, *e;
	const char *r;

	if (P->inf) {
		P->line = P->inf_line;
		return fail(P, EINVAL, "EXTINF without a segment URI");
	}
	if (*val == '\0')
		return fail(P, EINVAL, "EXTINF without a duration");
	P->inf_title = "";
	if ((comma = strchr(val, ',')) != NULL) {
		*comma = '\0';
		if ((P->inf_title = P_strdup(P, comma + 1)) == NULL)
			return -1;
	}
	e = val + strlen(val);
	while (e > val && is_ws(e[-1]))
		*--e = '\0';
	if (*val == '-')
		return fail(P, EINVAL, "EXTINF: negative duration \"%.40s\"",
		    val);
	if ((r = num_dec(val, KC_HLS_MAX_SEGDUR, &P->inf_dur)) != NULL)
		return bad_value(P, "EXTINF", "duration", val, r);
	P->inf = 1;
	P->inf_line = P->line;
	return 0;
}

static int
tag_targetduration(struct parser *P, char *val)
{
	const char *r;
	double d;

	if ((r = num_dec(val, KC_HLS_MAX_SEGDUR, &d)) != NULL)
		return bad_value(P, "EXT-X-TARGETDURATION", "value", val, r);
	P->pl->target = (long)ceil(d);
	P->target_set = 1;
	return 0;
}

static int
tag_seqno(struct parser *P, char *val, const char *tag, long long *out)
{
	const char *r;

	if (P->pl->nseg > 0)
		return fail(P, EINVAL, "%s after the first segment", tag);
	if ((r = num_int(val, out)) != NULL)
		return bad_value(P, tag, "value", val, r);
	return 0;
}

static int
tag_media_sequence(struct parser *P, char *val)
{
	return tag_seqno(P, val, "EXT-X-MEDIA-SEQUENCE", &P->pl->seq0);
}

static int
tag_disc_sequence(struct parser *P, char *val)
{
	return tag_seqno(P, val, "EXT-X-DISCONTINUITY-SEQUENCE",
	    &P->pl->dseq0);
}

static int
tag_playlist_type(struct parser *P, char *val)
{
	if (strcmp(val, "VOD") == 0)
		P->pl->type = KC_HLS_TYPE_VOD;
	else if (strcmp(val, "EVENT") == 0)
		P->pl->type = KC_HLS_TYPE_EVENT;
	else
		return bad_value(P, "EXT-X-PLAYLIST-TYPE", "value", val,
		    "not VOD or EVENT");
	return 0;
}

static int
tag_version(struct parser *P, char *val)
{
	long long v;
	const char *r;

	if ((r = num_int(val, &v)) != NULL)
		return bad_value(P, "EXT-X-VERSION", "value", val, r);
	if (v > INT_MAX)
		return bad_value(P, "EXT-X-VERSION", "value", val,
		    "out of range");
	P->pl->version = (int)v;
	return 0;
}

static int
tag_endlist(struct parser *P, char *val)
{
	(void)val;
	P->pl->endlist = 1;
	return 0;
}

static int
tag_iframes(struct parser *P, char *val)
{
	(void)val;
	P->pl->iframes = 1;
	return 0;
}

static int
tag_discontinuity(struct parser *P, char *val)
{
	(void)val;
	P->disc = 1;
	return 0;
}

static int
tag_gap(struct parser *P, char *val)
{
	(void)val;
	P->gap = 1;
	return 0;
}

static int
tag_pdt(struct parser *P, char *val)
{
	const char *r;

	if ((r = pdt_parse(val, &P->pdt)) != NULL)
		return bad_value(P, "EXT-X-PROGRAM-DATE-TIME", "date", val, r);
	P->pdt_set = 1;
	return 0;
}

static int
tag_byterange(struct parser *P, char *val)
{
	const char *r;

	if ((r = num_range(val, &P->br_len, &P->br_off)) != NULL)
		return bad_value(P, "EXT-X-BYTERANGE", "range", val, r);
	P->br_set = 1;
	P->br_line = P->line;
	return 0;
}

static int
tag_key(struct parser *P, char *val)
{
	static const char tag[] = "EXT-X-KEY";
	kc_hls_key *k;
	struct attrs as;
	const char *s;

	if (P_attrs(P, tag, val, &as) < 0)
		return -1;
	if ((s = aval(&as, "METHOD")) == NULL)
		return fail(P, EINVAL, "EXT-X-KEY without METHOD");
	if (!is_token(s))
		return bad_value(P, tag, "METHOD", s, "not a method name");
	if (strcmp(s, "NONE") == 0) {
		P->key = NULL;
		return 0;
	}
	if ((k = mem_alloc(P->m, sizeof(*k))) == NULL)
		return fail_mem(P);
	memset(k, 0, sizeof(*k));
	k->method = !strcmp(s, "AES-128") ? KC_HLS_KEY_AES128 :
	    !strncmp(s, "SAMPLE-AES", 10) ? KC_HLS_KEY_SAMPLE_AES :
	    KC_HLS_KEY_OTHER;
	if ((k->method_name = P_strdup(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "URI")) == NULL || *s == '\0')
		return fail(P, EINVAL, "EXT-X-KEY METHOD=%s without URI",
		    k->method_name);
	if ((k->uri = P_resolve(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "IV")) != NULL) {
		size_t i, n = strlen(s);

		if (n < 3 || n > 34 || s[0] != '0' ||
		    (s[1] != 'x' && s[1] != 'X'))
			return bad_value(P, tag, "IV", s,
			    "not 0x and 1-32 hex digits");
		for (i = 2; i < n; i++)
			if (!is_hex(s[i]))
				return bad_value(P, tag, "IV", s,
				    "not 0x and 1-32 hex digits");
		if ((k->iv = P_strdup(P, s)) == NULL)
			return -1;
	}
	if ((s = aval(&as, "KEYFORMAT")) != NULL &&
	    (k->keyformat = P_strdup(P, s)) == NULL)
		return -1;
	P->key = k;
	return 0;
}

static int
tag_map(struct parser *P, char *val)
{
	static const char tag[] = "EXT-X-MAP";
	kc_hls_map *mp;
	struct attrs as;
	const char *r;
	char *s;

	if (P_attrs(P, tag, val, &as) < 0)
		return -1;
	if ((mp = mem_alloc(P->m, sizeof(*mp))) == NULL)
		return fail_mem(P);
	memset(mp, 0, sizeof(*mp));
	if ((s = aval(&as, "URI")) == NULL || *s == '\0')
		return fail(P, EINVAL, "EXT-X-MAP without URI");
	if ((mp->uri = P_resolve(P, s)) == NULL)
		return -1;
	if ((s = aval(&as, "BYTERANGE")) != NULL) {
		if ((r = num_range(s, &mp->length, &mp->offset)) != NULL)
			return bad_value(P, tag, "BYTERANGE", s, r);
		if (mp->offset < 0)
			mp->offset = 0;
	}
	P->map = mp;
	return 0;
}

static int
tag_ignore(struct parser *P, char *val)
{
	(void)P;
	(void)val;
	return 0;
}

enum { TAG_ANY, TAG_MASTER, TAG_MEDIA };

static const struct tagdef {
	const char *name;
	int kind;
	int (*fn)(struct parser *, char *);
} tagdefs[] = {
	{"EXTINF", TAG_MEDIA, tag_extinf},
	{"EXT-X-PROGRAM-DATE-TIME", TAG_MEDIA, tag_pdt},
	{"EXT-X-BYTERANGE", TAG_MEDIA, tag_byterange},
	{"EXT-X-DISCONTINUITY", TAG_MEDIA, tag_discontinuity},
	{"EXT-X-GAP", TAG_MEDIA, tag_gap},
	{"EXT-X-KEY", TAG_MEDIA, tag_key},
	{"EXT-X-MAP", TAG_MEDIA, tag_map},
	{"EXT-X-TARGETDURATION", TAG_MEDIA, tag_targetduration},
	{"EXT-X-MEDIA-SEQUENCE", TAG_MEDIA, tag_media_sequence},
	{"EXT-X-DISCONTINUITY-SEQUENCE", TAG_MEDIA, tag_disc_sequence},
	{"EXT-X-PLAYLIST-TYPE", TAG_MEDIA, tag_playlist_type},
	{"EXT-X-ENDLIST", TAG_MEDIA, tag_endlist},
	{"EXT-X-I-FRAMES-ONLY", TAG_MEDIA, tag_iframes},
	{"EXT-X-STREAM-INF", TAG_MASTER, tag_stream_inf},
	{"EXT-X-I-FRAME-STREAM-INF", TAG_MASTER, tag_ignore},
	{"EXT-X-MEDIA", TAG_MASTER, tag_media},
	{"EXT-X-VERSION", TAG_ANY, tag_version},
};

static int
P_tag(struct parser *P, char *l)
{
	const struct tagdef *t;
	size_t i, n = strcspn(l + 1, ":") + 1;
	char *val = l + n;

	if (*val == ':')
		val++;
	while (is_ws(*val))
		val++;
	for (i = 0; i < sizeof(tagdefs) / sizeof(tagdefs[0]); i++) {
		t = &tagdefs[i];
		if (strlen(t->name) != n - 1 || memcmp(t->name, l + 1, n - 1))
			continue;
		if (t->kind == TAG_MASTER && P->master_line == 0)
			P->master_line = P->line;
		if (t->kind == TAG_MEDIA && P->media_line == 0)
			P->media_line = P->line;
		if (P->master_line && P->media_line)
			return fail(P, EINVAL, "#%s: master and media playlist "
			    "tags mixed (lines %ld and %ld)", t->name,
			    P->master_line, P->media_line);
		return t->fn(P, val);
	}
	return 0;
}

static int
P_segment(struct parser *P, const char *ref)
{
	kc_hls *pl = P->pl;
	kc_hls_segment *s, *prev;
	size_t n = pl->nseg;

	if (mem_grow(P->m, (void **)&pl->seg, &P->segcap, n, sizeof(*s),
	    KC_HLS_MAX_SEGMENTS) < 0) {
		if (P->m->err == E2BIG && n >= KC_HLS_MAX_SEGMENTS)
			return fail(P, E2BIG, "more than %d segments",
			    KC_HLS_MAX_SEGMENTS);
		return fail_mem(P);
	}
	/* seq < LLONG_MAX, so a follower's "next" always fits */
	if (pl->seq0 >= LLONG_MAX - (long long)n)
		return fail(P, EINVAL, "media sequence number past 2^63-1");
	s = &pl->seg[n];
	prev = n > 0 ? &pl->seg[n - 1] : NULL;
	memset(s, 0, sizeof(*s));
	s->seq = pl->seq0 + (long long)n;
	s->duration = P->inf_dur;
	s->title = P->inf_title;
	if ((s->uri = P_resolve(P, ref)) == NULL)
		return -1;
	s->discontinuity = P->disc;
	s->gap = P->gap;
	s->dseq = prev ? prev->dseq : pl->dseq0;
	if (P->disc) {
		if (s->dseq == LLONG_MAX)
			return fail(P, EINVAL, "discontinuity sequence number "
			    "past 2^63-1");
		s->dseq++;
	}
	s->start = pl->duration;
	pl->duration += s->duration;
	if (P->pdt_set) {
		s->pdt = P->pdt;
		s->pdt_tag = 1;
	} else if (prev != NULL && !P->disc && isfinite(prev->pdt))
		s->pdt = prev->pdt + prev->duration;
	else
		s->pdt = NAN;
	if (P->br_set) {
		s->br_length = P->br_len;
		s->br_offset = P->br_off;
		if (s->br_offset < 0) {
			if (prev == NULL || prev->br_length == 0 ||
			    strcmp(prev->uri, s->uri) != 0) {
				P->line = P->br_line;
				return fail(P, EINVAL, "EXT-X-BYTERANGE without "
				    "offset does not follow a sub-range of the "
				    "same URI");
			}
			s->br_offset = prev->br_offset + prev->br_length;
			if (s->br_length > LLONG_MAX - s->br_offset) {
				P->line = P->br_line;
				return fail(P, EINVAL, "EXT-X-BYTERANGE: offset "
				    "out of range");
			}
		}
	}
	s->key = P->key;
	s->map = P->map;
	if (s->duration > P->maxdur)
		P->maxdur = s->duration;
	pl->nseg++;
	P->inf = P->disc = P->gap = P->pdt_set = P->br_set = 0;
	return 0;
}

static int
P_uri(struct parser *P, const char *l)
{
	kc_hls *pl = P->pl;

	if (P->inf)
		return P_segment(P, l);
	if (!P->sinf)
		return fail(P, EINVAL, "URI line without %s before it",
		    P->master_line ? "EXT-X-STREAM-INF" : "EXTINF");
	if (mem_grow(P->m, (void **)&pl->var, &P->varcap, pl->nvar,
	    sizeof(*pl->var), KC_HLS_MAX_VARIANTS) < 0) {
		if (P->m->err == E2BIG && pl->nvar >= KC_HLS_MAX_VARIANTS)
			return fail(P, E2BIG, "more than %d variant streams",
			    KC_HLS_MAX_VARIANTS);
		return fail_mem(P);
	}
	if ((P->v.uri = P_resolve(P, l)) == NULL)
		return -1;
	pl->var[pl->nvar++] = P->v;
	P->sinf = 0;
	return 0;
}

/* After the last line: what can only be known at the end. */
static int
P_finish(struct parser *P)
{
	kc_hls *pl = P->pl;
	size_t i, j;

	if (P->inf) {
		P->line = P->inf_line;
		return fail(P, EINVAL, "EXTINF without a segment URI");
	}
	if (P->sinf) {
		P->line = P->sinf_line;
		return fail(P, EINVAL, "EXT-X-STREAM-INF without a URI");
	}
	if (P->master_line) {
		if (pl->nvar == 0) {
			P->line = P->master_line;
			return fail(P, EINVAL, "master playlist without "
			    "EXT-X-STREAM-INF");
		}
		pl->kind = KC_HLS_MASTER;
		for (i = 0; i < pl->nvar; i++) {
			kc_hls_variant *v = &pl->var[i];

			for (j = 0; v->name == NULL && v->video != NULL &&
			    j < pl->nmedia; j++)
				if (pl->media[j].type == KC_HLS_VIDEO &&
				    strcmp(pl->media[j].group, v->video) == 0)
					v->name = pl->media[j].name;
		}
		return 0;
	}
	pl->kind = KC_HLS_MEDIA;
	if (!P->target_set)
		pl->target = (long)ceil(P->maxdur);
	return 0;
}

/* Does the base hold anything that would make a URI unwritable? */
static int
base_ok(const char *b)
{
	size_t n = strlen(b), i;

	if (n == 0)
		return 1;
	if (is_ws(b[0]) || is_ws(b[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)b[i] < 0x20 || b[i] == 0x7f)
			return 0;
	return 1;
}

int
kc_hls_parse(const char *text, size_t len, const char *base, kc_hls **out,
    long *line, char *why, size_t whylen)
{
	struct parser P;
	size_t pos = 0, s, e, n;
	char *buf = NULL, *l;
	int header = 0, rc = -1;

	memset(&P, 0, sizeof(P));
	P.why = why;
	P.whylen = whylen;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	*out = NULL;
	if (text == NULL && len > 0) {
		fail(&P, EINVAL, "no text");
		goto done;
	}
	if (base != NULL && strlen(base) > KC_HLS_MAX_LINE) {
		fail(&P, E2BIG, "base URL longer than %d bytes",
		    KC_HLS_MAX_LINE);
		goto done;
	}
	if (base != NULL && !base_ok(base)) {
		fail(&P, EINVAL, "base URL with control characters or "
		    "surrounding space");
		goto done;
	}
	P.base = base;
	P.web = base != NULL && is_web(base);
	if ((P.m = calloc(1, sizeof(*P.m))) == NULL ||
	    (P.pl = calloc(1, sizeof(*P.pl))) == NULL ||
	    (P.pl->mem_ = P.m, buf = malloc(KC_HLS_MAX_LINE + 1)) == NULL) {
		fail(&P, ENOMEM, "out of memory");
		goto done;
	}
	P.pl->version = 1;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		s = e = pos;
		while (e < len && text[e] != '\n' && text[e] != '\r')
			e++;
		pos = e;
		if (pos < len)
			pos += text[pos] == '\r' && pos + 1 < len &&
			    text[pos + 1] == '\n' ? 2 : 1;
		P.line++;
		if (e - s > KC_HLS_MAX_LINE) {
			fail(&P, E2BIG, "line longer than %d bytes",
			    KC_HLS_MAX_LINE);
			goto done;
		}
		if (memchr(text + s, '\0', e - s) != NULL) {
			fail(&P, EINVAL, "NUL byte");
			goto done;
		}
		n = e - s;
		while (n > 0 && is_ws(text[s + n - 1]))
			n--;
		while (n > 0 && is_ws(text[s])) {
			s++;
			n--;
		}
		if (n == 0)
			continue;
		memcpy(buf, text + s, n);
		buf[n] = '\0';
		l = buf;
		if (!header) {
			if (strcmp(l, "#EXTM3U") != 0) {
				fail(&P, EINVAL, "not an HLS playlist: the "
				    "first line is not #EXTM3U");
				goto done;
			}
			header = 1;
		} else if (l[0] == '#') {
			if (strncmp(l, "#EXT", 4) == 0 && P_tag(&P, l) < 0)
				goto done;
		} else if (P_uri(&P, l) < 0)
			goto done;
	}
	if (!header) {
		P.line = P.line ? P.line : 1;
		fail(&P, EINVAL, "not an HLS playlist: no #EXTM3U");
		goto done;
	}
	if (P_finish(&P) < 0)
		goto done;
	*out = P.pl;
	P.pl = NULL;
	P.line = 0;
	rc = 0;
done:
	free(buf);
	if (P.pl != NULL)
		kc_hls_free(P.pl);
	else if (rc < 0)
		mem_free(P.m);
	if (line != NULL)
		*line = P.line;
	if (rc < 0)
		errno = P.err ? P.err : EINVAL;
	return rc;
}

void
kc_hls_free(kc_hls *pl)
{
	if (pl == NULL)
		return;
	free(pl->var);
	free(pl->media);
	free(pl->seg);
	mem_free(pl->mem_);
	free(pl);
}

/* ---- choosing variants ----------------------------------------------- */

/* Is a better than b under key (height, bandwidth), each up (+1) or down? */
static int
better(const kc_hls_variant *a, const kc_hls_variant *b, int hdir,
    int bdir)
{
	if (b == NULL)
		return 1;
	if (a->height != b->height)
		return hdir > 0 ? a->height > b->height : a->height < b->height;
	if (a->bandwidth != b->bandwidth)
		return bdir > 0 ? a->bandwidth > b->bandwidth :
		    a->bandwidth < b->bandwidth;
	return 0;
}

const kc_hls_variant *
kc_hls_pick_analysis(const kc_hls *m, int min_height)
{
	const kc_hls_variant *best = NULL, *v;
	size_t i;

	if (m == NULL || m->kind != KC_HLS_MASTER || m->nvar == 0)
		return NULL;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && v->height >= min_height &&
		    better(v, best, -1, -1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && better(v, best, +1, -1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (best == NULL || v->bandwidth < best->bandwidth)
			best = v;
	}
	return best;
}

const kc_hls_variant *
kc_hls_pick_cut(const kc_hls *m, int max_height)
{
	const kc_hls_variant *best = NULL, *v;
	size_t i;

	if (m == NULL || m->kind != KC_HLS_MASTER || m->nvar == 0)
		return NULL;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && (max_height <= 0 ||
		    v->height <= max_height) && better(v, best, +1, +1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (v->has_video && better(v, best, -1, -1))
			best = v;
	}
	if (best != NULL)
		return best;
	for (i = 0; i < m->nvar; i++) {
		v = &m->var[i];
		if (best == NULL || v->bandwidth > best->bandwidth)
			best = v;
	}
	return best;
}

const kc_hls_rendition *
kc_hls_audio(const kc_hls *m, const kc_hls_variant *v)
{
	const kc_hls_rendition *r, *first = NULL;
	size_t i;

	if (m == NULL || v == NULL || m->kind != KC_HLS_MASTER ||
	    v->audio == NULL)
		return NULL;
	for (i = 0; i < m->nmedia; i++) {
		r = &m->media[i];
		if (r->type != KC_HLS_AUDIO || r->uri == NULL ||
		    strcmp(r->group, v->audio) != 0)
			continue;
		if (r->is_default)
			return r;
		if (first == NULL)
			first = r;
	}
	return first;
}

long
kc_hls_find(const kc_hls *pl, double t)
{
	size_t lo = 0, hi, mid;

	if (pl == NULL || pl->kind != KC_HLS_MEDIA || pl->nseg == 0 ||
	    !(t >= 0) || !(t < pl->duration))
		return -1;
	/* the last segment that starts at or before t */
	hi = pl->nseg;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (pl->seg[mid].start <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (!(pl->seg[lo].start <= t &&
	    t < pl->seg[lo].start + pl->seg[lo].duration))
		return -1;
	return (long)lo;
}

/* ---- following a live playlist --------------------------------------- */

/* FNV-1a of a URI up to its query or fragment. */
static uint64_t
uri_id(const char *u)
{
	return u == NULL ? KC_FNV_INIT : kc_fnv1a(KC_FNV_INIT, u,
	    strcspn(u, "?#"));
}

void
kc_hls_live_init(kc_hls_live *st)
{
	st->next = -1;
	st->id_ = 0;
	st->pdt_ = NAN;
	st->window_ = 0;
}

/* Is s the segment the follower saw last? */
static int
same_segment(const kc_hls_live *st, const kc_hls_segment *s)
{
	if (isfinite(st->pdt_) && isfinite(s->pdt))
		return fabs(st->pdt_ - s->pdt) < 0.5;
	return st->id_ == uri_id(s->uri);
}

int
kc_hls_live_next(kc_hls_live *st, const kc_hls *pl, kc_hls_news *nw)
{
	long long f, l, last;
	const kc_hls_segment *end;

	memset(nw, 0, sizeof(*nw));
	if (st == NULL || pl == NULL || pl->kind != KC_HLS_MEDIA ||
	    pl->seq0 < 0 || (pl->nseg > 0 && pl->seg == NULL) ||
	    pl->nseg > KC_HLS_MAX_SEGMENTS ||
	    pl->seq0 > LLONG_MAX - (long long)pl->nseg) {
		errno = EINVAL;
		return -1;
	}
	if (pl->nseg == 0)
		return 0;
	f = pl->seq0;
	l = f + (long long)pl->nseg - 1;
	end = &pl->seg[pl->nseg - 1];
	nw->n = pl->nseg;
	if (st->next >= 0) {
		last = st->next - 1;
		if (l < last) {
			int stale;

			if (isfinite(st->pdt_) && isfinite(end->pdt))
				stale = end->pdt <= st->pdt_;
			else
				stale = (unsigned long long)(last - l) <=
				    st->window_;
			if (stale) {
				nw->n = 0;
				nw->stale = 1;
				return 0;
			}
			nw->reset = 1;
		} else if (f <= last) {
			size_t i = (size_t)(last - f);

			if (same_segment(st, &pl->seg[i])) {
				nw->first = i + 1;
				nw->n = pl->nseg - i - 1;
			} else
				nw->reset = 1;
		} else
			nw->missed = f - st->next;
	}
	st->next = l + 1;
	st->id_ = uri_id(end->uri);
	st->pdt_ = end->pdt;
	st->window_ = pl->nseg;
	return 0;
}

int
kc_hls_news_since(const kc_hls *prev, const kc_hls *cur, kc_hls_news *nw)
{
	kc_hls_live st;

	kc_hls_live_init(&st);
	if (prev != NULL && kc_hls_live_next(&st, prev, nw) < 0)
		return -1;
	return kc_hls_live_next(&st, cur, nw);
}

double
kc_hls_reload_delay(const kc_hls *pl, int changed)
{
	double t = pl != NULL && pl->target > 0 ? (double)pl->target : 1;

	if (!changed)
		t /= 2;
	return t < 0.5 ? 0.5 : t;
}

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
		if (!is_hex(s[i]))
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
		    is_ws(s->uri[0]) || is_ws(s->uri[n - 1]))
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

			if (m == NULL || !is_token(m))
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
			pdt_format(s->pdt, num, sizeof(num));
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
