/*
 * hls.c - what the HLS playlist files share: reading characters and
 * numbers, attribute lists (kc_hls_attr), URI resolution (kc_hls_resolve)
 * and the dates of EXT-X-PROGRAM-DATE-TIME.  The parser is in hlsparse.c,
 * the choice of variants in hlspick.c, the live follower in hlslive.c and
 * the writer in hlswrite.c; hlsint.h declares what they take from here.
 *
 * These live in one place because the parser and the writer must agree:
 * the writer refuses a METHOD, an IV or a date the parser would refuse,
 * and prints dates with as many digits as reading them back here takes;
 * kc_hls_resolve is the parser's own resolution, so a URI a program
 * resolves is the one the parser would give.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hls.h"
#include "hlsint.h"

/* ---- characters and numbers ------------------------------------------ */

int
hls_is_ws(int c)
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

int
hls_is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Characters of a METHOD value (an enumerated string kc writes back). */
int
hls_is_token(const char *s)
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
const char *
hls_num_int(const char *s, long long *out)
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
const char *
hls_num_dec(const char *s, double max, double *out)
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
const char *
hls_num_range(char *s, long long *len, long long *off)
{
	char *at = strchr(s, '@');
	const char *r = NULL;

	*off = -1;
	if (at != NULL) {
		*at = '\0';
		r = hls_num_int(at + 1, off);
	}
	if (r == NULL)
		r = hls_num_int(s, len);
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

/*
 * Splits an attribute list.  NULL, or a reason; *toomany is set when the
 * only fault is the count.
 */
const char *
hls_attrs_split(const char *s, struct attrs *as, int *toomany)
{
	struct attr *a;
	const char *p = s;

	as->n = 0;
	*toomany = 0;
	for (;;) {
		while (hls_is_ws(*p))
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
		while (hls_is_ws(*p))
			p++;
		if (*p != '=')
			return "attribute without '='";
		p++;
		while (hls_is_ws(*p))
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
			while (a->vlen > 0 && hls_is_ws(a->val[a->vlen - 1]))
				a->vlen--;
			if (a->vlen == 0)
				return "empty attribute value";
			a->quoted = 0;
		}
		as->n++;
		while (hls_is_ws(*p))
			p++;
		if (*p == '\0')
			return NULL;
		if (*p != ',')
			return "expected ',' between attributes";
		p++;
	}
}

const struct attr *
hls_attrs_find(const struct attrs *as, const char *name)
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

	if (list == NULL || name == NULL ||
	    hls_attrs_split(list, &as, &toomany))
		return -1;
	if ((a = hls_attrs_find(&as, name)) == NULL)
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
char *
hls_resolve(const char *base, const char *ref, void *(*alloc)(void *, size_t),
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
	if ((s = hls_resolve(base, ref, alloc_malloc, NULL)) == NULL)
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
const char *
hls_pdt_parse(const char *s, double *out)
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
	if ((t = timegm(&back)) == (time_t)-1 || back.tm_year != tm.tm_year ||
	    back.tm_mon != tm.tm_mon || back.tm_mday != tm.tm_mday ||
	    back.tm_hour != tm.tm_hour || back.tm_min != tm.tm_min)
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

/*
 * pdt as "YYYY-MM-DDThh:mm:ss.fffZ" with the fewest fraction digits (3 at
 * least) that pdt_parse reads back to the same double.  -1 when out of
 * range.
 */
int
hls_pdt_format(double pdt, char *buf, size_t n)
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
		if (hls_pdt_parse(buf, &back) == NULL && back == pdt)
			break;
	}
	return 0;
}
