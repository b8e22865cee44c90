/*
 * hlsparse.c - the HLS playlist parser: kc_hls_parse reads master and
 * media playlists (RFC 8216) a line at a time and resolves their URIs as
 * it goes; the playlist and everything it points to live in an arena that
 * kc_hls_free releases.
 *
 * The input is hostile until proven otherwise (it comes off the network):
 * every line is copied into a bounded buffer before it is looked at, every
 * count and sum is checked, and all results live in one arena whose size
 * is capped, so a parse either succeeds within the limits of hls.h or
 * fails with a line number and a reason.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hls.h"
#include "hlsint.h"

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
	const char *s = hls_resolve(P->base, ref, alloc_arena, P->m);

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

	if ((r = hls_attrs_split(val, as, &toomany)) != NULL)
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
	const struct attr *a = hls_attrs_find(as, name);

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
		while (hls_is_ws(*c) || *c == ',')
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
	if ((r = hls_num_int(s, &v->bandwidth)) != NULL)
		return bad_value(P, tag, "BANDWIDTH", s, r);
	if ((s = aval(&as, "AVERAGE-BANDWIDTH")) != NULL &&
	    (r = hls_num_int(s, &v->avg_bandwidth)) != NULL)
		return bad_value(P, tag, "AVERAGE-BANDWIDTH", s, r);
	if ((s = aval(&as, "RESOLUTION")) != NULL) {
		if ((x = strchr(s, 'x')) == NULL &&
		    (x = strchr(s, 'X')) == NULL)
			return bad_value(P, tag, "RESOLUTION", s,
			    "not WIDTHxHEIGHT");
		*x = '\0';
		if ((r = hls_num_int(s, &w)) != NULL ||
		    (r = hls_num_int(x + 1, &h)) != NULL) {
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
	    (r = hls_num_dec(s, 10000, &v->frame_rate)) != NULL)
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
	while (e > val && hls_is_ws(e[-1]))
		*--e = '\0';
	if (*val == '-')
		return fail(P, EINVAL, "EXTINF: negative duration \"%.40s\"",
		    val);
	if ((r = hls_num_dec(val, KC_HLS_MAX_SEGDUR, &P->inf_dur)) != NULL)
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

	if ((r = hls_num_dec(val, KC_HLS_MAX_SEGDUR, &d)) != NULL)
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
	if ((r = hls_num_int(val, out)) != NULL)
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

	if ((r = hls_num_int(val, &v)) != NULL)
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

	if ((r = hls_pdt_parse(val, &P->pdt)) != NULL)
		return bad_value(P, "EXT-X-PROGRAM-DATE-TIME", "date", val, r);
	P->pdt_set = 1;
	return 0;
}

static int
tag_byterange(struct parser *P, char *val)
{
	const char *r;

	if ((r = hls_num_range(val, &P->br_len, &P->br_off)) != NULL)
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
	if (!hls_is_token(s))
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
			if (!hls_is_hex(s[i]))
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
		if ((r = hls_num_range(s, &mp->length, &mp->offset)) != NULL)
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
	while (hls_is_ws(*val))
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
	if (hls_is_ws(b[0]) || hls_is_ws(b[n - 1]))
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
		while (n > 0 && hls_is_ws(text[s + n - 1]))
			n--;
		while (n > 0 && hls_is_ws(text[s])) {
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
