/*
 * hlscut.c - cutting from an HLS source without making ffmpeg's HLS
 * demuxer fetch what it likes (it reads the first segment to probe, and a
 * seek-and-cut per clip reads more): the segments a clip needs are
 * fetched here, once each (clips that overlap share them), into a
 * private folder with a playlist of just those, and the cut runs on that
 * local playlist.  Segments of a live stream's local cut buffer are
 * linked, not copied, so kc-fetch pruning its buffer cannot pull them
 * away mid-cut.  HLS segments start with a keyframe, so the keyframe at
 * or before a clip's start is inside the first segment taken.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hls.h"
#include "http.h"
#include "kc-cut.h"
#include "msg.h"
#include "num.h"

static kc_http *http;
static const struct opts *hopts;	/* --cookies, --retries, --backoff */

void
hls_init(const struct opts *o)
{
	hopts = o;
}

/* The HTTP client, made on first use. */
static kc_http *
client(char *why, size_t n)
{
	kc_http_opts ho;

	if (http == NULL) {
		kc_http_opts_init(&ho);
		if (hopts) {
			ho.cookie_file = hopts->cookies;
			ho.max_retries = hopts->retries;
			ho.backoff_factor = hopts->backoff;
		}
		http = kc_http_new(&ho, why, n);
	}
	return http;
}

static int
is_local(const char *u)
{
	return strstr(u, "://") == NULL || strncmp(u, "file://", 7) == 0;
}

static const char *
local_path(const char *u)
{
	return strncmp(u, "file://", 7) == 0 ? u + 7 : u;
}

/* The playlist text of src (a path, file:// or http(s) URL). */
static char *
load(const char *src, size_t *len, char *why, size_t n)
{
	kc_http_result r;
	char *text = NULL;
	FILE *fp;
	long sz;

	if (is_local(src)) {
		if ((fp = fopen(local_path(src), "r")) == NULL ||
		    fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 0 ||
		    fseek(fp, 0, SEEK_SET) != 0 || (text = malloc((size_t)sz +
		    1)) == NULL || fread(text, 1, (size_t)sz, fp) != (size_t)sz) {
			snprintf(why, n, "%s: %s", src, strerror(errno ? errno :
			    EIO));
			if (fp)
				fclose(fp);
			free(text);
			return NULL;
		}
		fclose(fp);
		*len = (size_t)sz;
		return text;
	}
	if (client(why, n) == NULL)
		return NULL;
	if (kc_http_get_mem(http, src, NULL, 32L << 20, &text, len, &r) !=
	    KC_HTTP_OK) {
		snprintf(why, n, "%s: %s", src, r.reason);
		return NULL;
	}
	return text;
}

/* Fetches (or links) one segment into dir, once; its path in out. */
static int
obtain(const kc_hls_segment *sg, const char *dir, char *out, size_t outn,
    char *why, size_t n)
{
	kc_http_req rq = { 0, 0, NULL };
	kc_http_result r;
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p;
	struct stat st;
	char tag[64];
	int rc, round;

	for (p = sg->uri; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	snprintf(tag, sizeof(tag), "@%lld+%lld", sg->br_offset, sg->br_length);
	for (p = tag; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, outn, "%s/%016llx.ts", dir, (unsigned long long)h);
	if (stat(out, &st) == 0)
		return 0;	/* an earlier clip fetched it */
	if (sg->key) {
		snprintf(why, n, "encrypted segment (%s)", sg->key->method_name);
		return -1;
	}
	if (is_local(sg->uri) && sg->br_length == 0) {
		if (link(local_path(sg->uri), out) == 0 ||
		    symlink(local_path(sg->uri), out) == 0)
			return 0;
		snprintf(why, n, "%s: %s", sg->uri, strerror(errno));
		return -1;
	}
	if (client(why, n) == NULL)
		return -1;
	if (sg->br_length > 0) {
		rq.off = sg->br_offset;
		rq.len = sg->br_length;
	}
	/* a second round after a pause, as kc-fetch does for segments */
	for (round = 0; (rc = kc_http_get_file(http, sg->uri, sg->br_length > 0 ?
	    &rq : NULL, out, &r)) == KC_HTTP_GAVEUP && round < 1; round++)
		sleep(5);
	if (rc != KC_HTTP_OK) {
		snprintf(why, n, "%s: %s", sg->uri, r.reason);
		return -1;
	}
	return 0;
}

struct source *
hls_source(const struct source *s, double t0, double t1, const char *dir,
    char *why, size_t n)
{
	static long count;
	kc_hls *pl, out;
	kc_hls_segment *segs = NULL;
	char (*paths)[PATH_MAX + 32] = NULL, plpath[PATH_MAX + 64], perr[300];
	char *text;
	double st, first = NAN, dur = 0;
	size_t len, i, k = 0;
	struct source *ns = NULL;
	long line;
	FILE *fp;

	if ((text = load(s->cut, &len, why, n)) == NULL)
		return NULL;
	if (kc_hls_parse(text, len, s->cut, &pl, &line, perr, sizeof(perr)) !=
	    0 || pl->kind != KC_HLS_MEDIA) {
		snprintf(why, n, "%s: line %ld: %s", s->cut, line, pl ?
		    "a master playlist" : perr);
		free(text);
		if (pl)
			kc_hls_free(pl);
		return NULL;
	}
	free(text);
	if ((segs = calloc(pl->nseg ? pl->nseg : 1, sizeof(*segs))) == NULL ||
	    (paths = calloc(pl->nseg ? pl->nseg : 1, sizeof(*paths))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < pl->nseg; i++) {
		/* stream time: by program date time when both sides know
		 * it (a live buffer, a VOD with dates), else playlist time */
		st = isfinite(s->pdt0) && isfinite(pl->seg[i].pdt) ?
		    pl->seg[i].pdt - s->pdt0 : pl->seg[i].start;
		if (st >= t1 || st + pl->seg[i].duration <= t0)
			continue;
		if (obtain(&pl->seg[i], dir, paths[k], sizeof(paths[k]), why,
		    n) != 0)
			goto out;
		if (k == 0)
			first = st;
		segs[k].duration = pl->seg[i].duration;
		segs[k].uri = paths[k];
		segs[k].discontinuity = k > 0 && pl->seg[i].discontinuity;
		dur += pl->seg[i].duration;
		k++;
	}
	if (k == 0) {
		snprintf(why, n, "no segment of %s covers %.1f-%.1f s", s->cut,
		    t0, t1);
		goto out;
	}
	memset(&out, 0, sizeof(out));
	out.seg = segs;
	out.nseg = k;
	out.type = KC_HLS_TYPE_VOD;
	out.endlist = 1;
	if (kc_hls_write(&out, &text, &len, why, n) != 0)
		goto out;
	snprintf(plpath, sizeof(plpath), "%s/clip%ld.m3u8", dir, ++count);
	if ((fp = fopen(plpath, "w")) == NULL || fwrite(text, 1, len, fp) !=
	    len || fclose(fp) != 0) {
		snprintf(why, n, "%s: %s", plpath, strerror(errno));
		free(text);
		goto out;
	}
	free(text);
	ns = source_new(plpath, s->url, s->id);
	ns->video = s->video;
	ns->audio = s->audio;
	ns->duration = dur;
	ns->offset = first;
	ns->pdt0 = s->pdt0;
out:
	kc_hls_free(pl);
	free(segs);
	free(paths);
	return ns;
}

/* Removes a folder of plain files. */
static void
rmflat(const char *dir)
{
	char p[PATH_MAX + NAME_MAX + 2];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

void
hls_cleanup(const char *dir)
{
	rmflat(dir);
	kc_http_free(http);
	http = NULL;
}

/*
 * The process id between the last '.' of name and suffix
 * (".clip_001_12m30s_085_audio.mp4.4242.part", ".kc-cut.4242"), or 0.
 * Read in place: a clip's name may be as long as a file name can be.
 */
static long
pid_in(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix), d;
	const char *dot, *why;
	char digits[24];
	long pid;

	if (n <= k || strcmp(name + n - k, suffix) != 0)
		return 0;
	n -= k;
	if ((dot = memrchr(name, '.', n)) == NULL)
		return 0;
	d = n - (size_t)(dot + 1 - name);
	if (d == 0 || d >= sizeof(digits))
		return 0;
	memcpy(digits, dot + 1, d);
	digits[d] = '\0';
	return kc_parse_long(digits, 1, INT_MAX, &pid, &why) == 0 ? pid : 0;
}

void
sweep_stale(const char *outdir)
{
	char p[PATH_MAX + NAME_MAX + 2];
	const char *name;
	struct dirent *e;
	DIR *d;
	long pid;
	int isdir;

	if ((d = opendir(outdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.')
			continue;
		name = e->d_name;
		isdir = strncmp(name, ".kc-cut.", 8) == 0;
		pid = isdir ? pid_in(name, "") : pid_in(name, ".part");
		/* only what a kc-cut that is gone left behind */
		if (pid == 0 || pid == (long)getpid() || kill((pid_t)pid, 0) ==
		    0 || errno != ESRCH)
			continue;
		snprintf(p, sizeof(p), "%s/%s", outdir, name);
		if (isdir)
			rmflat(p);
		else
			unlink(p);
	}
	closedir(d);
}
