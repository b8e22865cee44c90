/*
 * fuzz_hls.c - libFuzzer target for the HLS playlist parser
 * (src/lib/hlsparse.c).
 *
 * Besides "no crash, no out-of-bounds access" (ASan, UBSan), it checks the
 * promises hls.h makes about every playlist the parser accepts: derived
 * fields are consistent, the pickers return one of the variants, a
 * follower sees everything once and then nothing, kc_hls_find agrees with
 * the segment times, and the writer's text parses back to the same values
 * and rewrites to the same text.  A broken promise aborts, which libFuzzer
 * reports as a crash with the input saved.
 *
 * The base URL is chosen by the input's length, so a seed is tried under
 * each kind of base as it grows.  Bases are absolute: under them a
 * resolved URI resolves to itself, which the round trip needs.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hls.h"

static const char *const bases[] = {
	NULL,
	"https://cdn.example.net/vod/abc/1080p60/playlist.m3u8?token=x.y&z=1",
	"/srv/media/stream/playlist.m3u8",
	"file:///srv/media/a/../b/master.m3u8",
	"http://host",
};

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_hls: %s:%d: broken: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static int
same_key(const kc_hls_key *a, const kc_hls_key *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->method == b->method &&
	    same_str(a->method_name, b->method_name) &&
	    same_str(a->uri, b->uri) && same_str(a->iv, b->iv) &&
	    same_str(a->keyformat, b->keyformat);
}

static int
same_map(const kc_hls_map *a, const kc_hls_map *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return same_str(a->uri, b->uri) && a->length == b->length &&
	    a->offset == b->offset;
}

static void
check_media(const kc_hls *pl)
{
	const kc_hls_segment *s;
	kc_hls_live st;
	kc_hls_news nw;
	double sum = 0;
	long j;
	size_t i;

	CHECK(pl->nvar == 0 && pl->nmedia == 0);
	CHECK(pl->nseg <= KC_HLS_MAX_SEGMENTS);
	CHECK(pl->target >= 0);
	for (i = 0; i < pl->nseg; i++) {
		s = &pl->seg[i];
		CHECK(s->seq == pl->seq0 + (long long)i);
		CHECK(s->start == sum);
		CHECK(s->duration >= 0 && s->duration <= KC_HLS_MAX_SEGDUR);
		CHECK(s->uri != NULL && *s->uri != '\0' && s->title != NULL);
		CHECK(s->dseq == (i ? s[-1].dseq : pl->dseq0) +
		    (s->discontinuity != 0));
		CHECK(s->br_length >= 0 && s->br_offset >= 0);
		CHECK(s->key == NULL || s->key->uri != NULL);
		sum += s->duration;
		j = kc_hls_find(pl, s->start);
		/* a segment is found at its start when it holds any time: a
		 * duration lost in the sum (2 + 1e-23 == 2) holds none */
		if (s->start + s->duration > s->start)
			CHECK(j >= 0);
		if (j >= 0)
			CHECK(pl->seg[j].start <= s->start &&
			    s->start < pl->seg[j].start + pl->seg[j].duration);
	}
	CHECK(pl->duration == sum);
	CHECK(kc_hls_find(pl, sum) == -1 && kc_hls_find(pl, -1) == -1 &&
	    kc_hls_find(pl, NAN) == -1);

	kc_hls_live_init(&st);
	CHECK(kc_hls_live_next(&st, pl, &nw) == 0);
	CHECK(nw.first == 0 && nw.n == pl->nseg && !nw.reset && !nw.stale &&
	    nw.missed == 0);
	CHECK(kc_hls_live_next(&st, pl, &nw) == 0);
	CHECK(nw.n == 0 && !nw.reset && !nw.stale && nw.missed == 0);
	CHECK(kc_hls_reload_delay(pl, 1) >= 0.5);
}

/* pl written and read back must give pl again, and the same text. */
static void
round_trip(const kc_hls *pl, const char *base)
{
	kc_hls *p2 = NULL;
	char *t1 = NULL, *t2 = NULL, why[200];
	size_t n1, n2, i;
	long line;
	int rc;

	rc = kc_hls_write(pl, &t1, &n1, why, sizeof(why));
	if (rc != 0)
		fprintf(stderr, "fuzz_hls: write: %s\n", why);
	CHECK(rc == 0 && strlen(t1) == n1);
	rc = kc_hls_parse(t1, n1, base, &p2, &line, why, sizeof(why));
	if (rc != 0)
		fprintf(stderr, "fuzz_hls: reparse: line %ld: %s\n%s", line,
		    why, t1);
	CHECK(rc == 0);
	CHECK(p2->kind == KC_HLS_MEDIA);
	CHECK(p2->version >= pl->version && p2->target >= pl->target);
	CHECK(p2->seq0 == pl->seq0 && p2->dseq0 == pl->dseq0 &&
	    p2->type == pl->type && p2->endlist == pl->endlist &&
	    p2->iframes == pl->iframes && p2->nseg == pl->nseg &&
	    p2->duration == pl->duration);
	for (i = 0; i < pl->nseg; i++) {
		const kc_hls_segment *a = &pl->seg[i], *b = &p2->seg[i];

		if (!same_str(a->uri, b->uri))
			fprintf(stderr, "fuzz_hls: uri %s -> %s\n", a->uri,
			    b->uri);
		CHECK(a->seq == b->seq && a->duration == b->duration &&
		    a->start == b->start && same_str(a->title, b->title) &&
		    same_str(a->uri, b->uri) &&
		    a->discontinuity == b->discontinuity && a->gap == b->gap &&
		    a->dseq == b->dseq && same_num(a->pdt, b->pdt) &&
		    a->pdt_tag == b->pdt_tag && a->br_length == b->br_length &&
		    a->br_offset == b->br_offset && same_key(a->key, b->key) &&
		    same_map(a->map, b->map));
	}
	CHECK(kc_hls_write(p2, &t2, &n2, why, sizeof(why)) == 0);
	CHECK(n1 == n2 && memcmp(t1, t2, n1) == 0);
	free(t1);
	free(t2);
	kc_hls_free(p2);
}

static void
check_master(const kc_hls *m)
{
	const kc_hls_variant *v;
	int h;
	size_t i;

	CHECK(m->nvar > 0 && m->nseg == 0);
	for (h = -1; h <= 2200; h += 367) {
		v = kc_hls_pick_analysis(m, h);
		CHECK(v != NULL && v >= m->var && v < m->var + m->nvar);
		v = kc_hls_pick_cut(m, h);
		CHECK(v != NULL && v >= m->var && v < m->var + m->nvar);
	}
	for (i = 0; i < m->nvar; i++) {
		const kc_hls_rendition *r = kc_hls_audio(m, &m->var[i]);

		CHECK(m->var[i].uri != NULL && m->var[i].bandwidth >= 0);
		CHECK(r == NULL || (r->uri != NULL && r->type == KC_HLS_AUDIO));
	}
}

static int
has_scheme(const char *u)
{
	size_t n = strspn(u, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

	return n > 0 && u[n] == ':' && ((u[0] >= 'a' && u[0] <= 'z') ||
	    (u[0] >= 'A' && u[0] <= 'Z'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *base = bases[size % (sizeof(bases) / sizeof(bases[0]))];
	kc_hls *pl = NULL;
	char why[200], *s, *nl, *r, *val;
	const char *v;
	size_t vlen;
	long line = -1;

	why[0] = 'x';
	if (kc_hls_parse((const char *)data, size, base, &pl, &line, why,
	    sizeof(why)) == 0) {
		CHECK(pl != NULL && line == 0);
		if (pl->kind == KC_HLS_MASTER)
			check_master(pl);
		else {
			check_media(pl);
			round_trip(pl, base);
		}
		kc_hls_free(pl);
	} else {
		CHECK(pl == NULL && line >= 0 && why[0] != '\0');
		CHECK(errno == EINVAL || errno == E2BIG || errno == ENOMEM ||
		    errno == EPERM);
	}

	/* the input as an attribute list, and as "base\nref" */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (kc_hls_attr(s, "URI", &v, &vlen, NULL) == 1)
		CHECK(v >= s && v + vlen <= s + size);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		if ((r = kc_hls_resolve(s, nl + 1)) != NULL) {
			/* a result with a scheme resolves to itself */
			if (has_scheme(r) &&
			    (val = kc_hls_resolve(s, r)) != NULL) {
				CHECK(strcmp(val, r) == 0);
				free(val);
			}
			free(r);
		}
	}
	free(s);
	return 0;
}
