/*
 * hlscut.c - cutting from an HLS source.  Each clip is cut from one local
 * file of its own: the segments it needs, fetched here once each into a
 * private folder (clips that overlap share them; a live stream's local
 * cut buffer is linked, not copied, so kc-fetch pruning its buffer cannot
 * pull a segment away), then joined byte for byte into the clip's file
 * (MPEG-TS joins that way; fMP4 gets its EXT-X-MAP init section first).
 * ffmpeg then reads that file with the container's own demuxer.
 *
 * Why not a playlist of those segments: after a seek, ffmpeg's HLS
 * demuxer drops packets until a keyframe whose decode time (DTS) reaches
 * the target.  With B-frames a keyframe's DTS is a frame or two before its
 * PTS, so the keyframe the lookup picked by PTS was dropped and the clip
 * began a GOP late (issue 8).  The MPEG-TS and MP4 demuxers seek by
 * presentation time, as cut.c expects.
 *
 * A clip's file holds only the continuous run of segments (no
 * discontinuity, gap or change of init section inside) from the one that
 * holds the highlight's start; time 0 of the file is that segment's stream
 * time.  The file is removed when the last job cutting from it is done
 * (struct source's scratch), and the fetched segments as soon as no later
 * highlight can need them: highlights come in time order, so a segment
 * that ends before a highlight's start is not needed again.
 *
 * A clip's missing segments are fetched --connections at a time (default
 * 4), each download thread with its own HTTP client kept for the run (a
 * libcurl handle belongs to one thread), so round trips to a far server
 * overlap; they are joined in playlist order once all are there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hls.h"
#include "http.h"
#include "kc-cut.h"
#include "msg.h"
#include "num.h"

static kc_http *http[MAX_CONN];	/* [0] also loads the playlists */
static const struct opts *hopts;	/* --cookies, --retries, --backoff,
					   --connections */

/*
 * The fetched pieces (segments, init sections) in the scratch folder, of
 * the playlist cache_of.  A piece is known by its URI and byte range.
 */
struct piece {
	char *uri;
	long long off, len;	/* byte range; len 0: the whole resource */
	double end;		/* stream time its segment ends (INFINITY for
				   an init section: every segment needs it) */
	char path[PATH_MAX];
	int ready;		/* fetched; else being fetched for a clip */
};
static struct piece *cache;
static size_t ncache, capcache;
static char *cache_of;
static long npieces, nclips;	/* names made so far */

void
hls_init(const struct opts *o)
{
	hopts = o;
}

/* HTTP client k, made on first use (in the main thread). */
static kc_http *
client(int k, char *why, size_t n)
{
	kc_http_opts ho;

	if (http[k] == NULL) {
		kc_http_opts_init(&ho);
		if (hopts) {
			ho.cookie_file = hopts->cookies;
			ho.max_retries = hopts->retries;
			ho.backoff_factor = hopts->backoff;
		}
		http[k] = kc_http_new(&ho, why, n);
	}
	return http[k];
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
		if ((fp = fopen(local_path(src), "re")) == NULL ||
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
	if (client(0, why, n) == NULL)
		return NULL;
	if (kc_http_get_mem(http[0], src, NULL, 32L << 20, &text, len, &r) !=
	    KC_HTTP_OK) {
		snprintf(why, n, "%s: %s", src, r.reason);
		return NULL;
	}
	return text;
}

/* Forgets the pieces that end by stream time before, and with unready
 * those not fetched, and their files. */
static void
cache_drop(double before, int unready)
{
	size_t i, k = 0;

	for (i = 0; i < ncache; i++) {
		if (cache[i].end <= before || (unready && !cache[i].ready)) {
			unlink(cache[i].path);
			free(cache[i].uri);
		} else
			cache[k++] = cache[i];
	}
	ncache = k;
}

/*
 * The piece uri [off, off + len) in the cache: the one an earlier clip
 * fetched (its end raised to end), or a new entry to fetch into dir.
 * Its index, or -1 with a reason.
 */
static long
piece(const char *uri, long long off, long long len, double end,
    const char *dir, char *why, size_t n)
{
	struct piece *p;
	size_t i;
	void *np;

	for (i = 0; i < ncache; i++)
		if (cache[i].off == off && cache[i].len == len &&
		    strcmp(cache[i].uri, uri) == 0) {
			if (end > cache[i].end)
				cache[i].end = end;
			return (long)i;
		}
	if (ncache == capcache) {
		capcache = capcache ? 2 * capcache : 16;
		if ((np = realloc(cache, capcache * sizeof(*cache))) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		cache = np;
	}
	p = &cache[ncache];
	memset(p, 0, sizeof(*p));
	p->off = off;
	p->len = len;
	p->end = end;
	if (snprintf(p->path, sizeof(p->path), "%s/%ld.seg", dir, ++npieces) >=
	    (int)sizeof(p->path)) {
		snprintf(why, n, "%s: path too long", dir);
		return -1;
	}
	if ((p->uri = strdup(uri)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	unlink(p->path);	/* a left-over of a run with our PID */
	return (long)ncache++;
}

/* Fetches (or links, when it is a local file) piece p with client h;
 * 0, or -1 with a reason. */
static int
fetch(kc_http *h, const struct piece *p, char *why, size_t n)
{
	kc_http_req rq = { 0, 0, NULL };
	kc_http_result r;
	int rc, round;

	if (is_local(p->uri) && p->len == 0) {
		if (link(local_path(p->uri), p->path) == 0 ||
		    symlink(local_path(p->uri), p->path) == 0)
			return 0;
		snprintf(why, n, "%s: %s", p->uri, strerror(errno));
		return -1;
	}
	if (p->len > 0) {
		rq.off = p->off;
		rq.len = p->len;
	}
	/* a second round after a pause, as kc-fetch does for segments */
	for (round = 0; (rc = kc_http_get_file(h, p->uri, p->len > 0 ? &rq :
	    NULL, p->path, &r)) == KC_HTTP_GAVEUP && round < 1; round++)
		sleep(5);
	if (rc != KC_HTTP_OK) {
		snprintf(why, n, "%s: %s", p->uri, r.reason);
		return -1;
	}
	return 0;
}

/* One clip's downloads: the pieces want[] not ready, taken in turn. */
struct fetches {
	const long *want;
	size_t n, next;
	int failed;		/* stop taking more */
	size_t bad;		/* the first failed one (in want[]) */
	char why[600];
	pthread_mutex_t mu;
};

struct worker {
	struct fetches *f;
	kc_http *h;
	pthread_t th;
};

static void *
fetch_worker(void *arg)
{
	struct worker *w = arg;
	struct fetches *f = w->f;
	char why[600];
	size_t k;
	long i;
	int rc;

	pthread_mutex_lock(&f->mu);
	while (!f->failed && f->next < f->n) {
		k = f->next++;
		i = f->want[k];
		pthread_mutex_unlock(&f->mu);
		/* cache[] is not reallocated while the threads run */
		rc = fetch(w->h, &cache[i], why, sizeof(why));
		pthread_mutex_lock(&f->mu);
		if (rc == 0)
			cache[i].ready = 1;
		else if (!f->failed || k < f->bad) {
			f->failed = 1;
			f->bad = k;
			snprintf(f->why, sizeof(f->why), "%s", why);
		}
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/*
 * Fetches the pieces want[0..n) that are not ready, --connections at a
 * time.  0, or -1 with the reason of the first in want[] that failed; the
 * pieces that failed, and those not fetched, leave the cache.
 */
static int
fetch_all(const long *want, size_t n, char *why, size_t wn)
{
	struct worker w[MAX_CONN];
	struct fetches f;
	long *todo;
	size_t i, k, nt = 0;
	sigset_t all, old;
	int nth = hopts && hopts->connections > 0 ? hopts->connections : 1;

	if ((todo = calloc(n ? n : 1, sizeof(*todo))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < n; i++)
		if (!cache[want[i]].ready)
			todo[nt++] = want[i];
	memset(&f, 0, sizeof(f));
	f.want = todo;
	f.n = nt;
	if (nth > MAX_CONN)
		nth = MAX_CONN;
	if ((size_t)nth > nt)
		nth = (int)nt;
	for (k = 0; k < (size_t)nth; k++) {
		w[k].f = &f;
		if ((w[k].h = client((int)k, why, wn)) == NULL) {
			free(todo);
			return -1;
		}
	}
	if (pthread_mutex_init(&f.mu, NULL) != 0)
		kc_die(KC_EXIT_DATA, "cannot start the download threads");
	if (nth == 1)
		fetch_worker(&w[0]);
	else if (nth > 1) {
		/* signals go to the main thread, which owns the cleanup */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		for (k = 0; k < (size_t)nth; k++)
			if (pthread_create(&w[k].th, NULL, fetch_worker, &w[k])
			    != 0)
				kc_die(KC_EXIT_DATA, "cannot start a download "
				    "thread");
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		for (k = 0; k < (size_t)nth; k++)
			pthread_join(w[k].th, NULL);
	}
	pthread_mutex_destroy(&f.mu);
	if (f.failed)
		snprintf(why, wn, "%s", f.why);
	free(todo);
	cache_drop(-INFINITY, 1);	/* what is not there is not kept */
	return f.failed ? -1 : 0;
}

/* Appends the file src to fd (the file dst); 0, or -1 with a reason. */
static int
append(int fd, const char *src, const char *dst, char *why, size_t n)
{
	char buf[1 << 16];
	ssize_t r, w, done;
	int in, rc = -1;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, n, "%s: %s", src, strerror(errno));
		return -1;
	}
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, n, "%s: %s", src, strerror(errno));
			goto out;
		}
		for (done = 0; done < r; done += w)
			if ((w = write(fd, buf + done, (size_t)(r - done))) <
			    0) {
				if (errno != EINTR) {
					snprintf(why, n, "%s: %s", dst,
					    strerror(errno));
					goto out;
				}
				w = 0;
			}
	}
	rc = 0;
out:
	close(in);
	return rc;
}

/* Can segment b follow segment a in one file? */
static int
continues(const kc_hls_segment *a, const kc_hls_segment *b)
{
	if (b->discontinuity || b->gap)
		return 0;
	if (a->map == NULL || b->map == NULL)
		return a->map == b->map;
	return a->map == b->map || (strcmp(a->map->uri, b->map->uri) == 0 &&
	    a->map->offset == b->map->offset &&
	    a->map->length == b->map->length);
}

/* Stream time of segment sg: by program date time when both sides know
 * it (a live buffer, a VOD with dates), else playlist time. */
static double
stream_time(const struct source *s, const kc_hls_segment *sg)
{
	return isfinite(s->pdt0) && isfinite(sg->pdt) ? sg->pdt - s->pdt0 :
	    sg->start;
}

struct source *
hls_source(const struct source *s, double t0, double t1, const char *dir,
    char *why, size_t n)
{
	kc_hls *pl;
	const kc_hls_segment *sg;
	char clip[PATH_MAX], perr[300];
	char *text;
	double st, first = NAN, dur = 0;
	size_t len, i, k = 0, nw = 0;
	struct source *ns = NULL;
	long line, *want = NULL;
	int fd = -1, rc, mp4 = 0;

	if ((text = load(s->cut, &len, why, n)) == NULL)
		return NULL;
	rc = kc_hls_parse(text, len, s->cut, &pl, &line, perr, sizeof(perr));
	free(text);
	if (rc != 0) {
		snprintf(why, n, "%s: line %ld: %s", s->cut, line, perr);
		return NULL;
	}
	if (pl->kind != KC_HLS_MEDIA) {
		snprintf(why, n, "%s: a master playlist where a media playlist "
		    "was expected", s->cut);
		kc_hls_free(pl);
		return NULL;
	}
	if (cache_of == NULL || strcmp(cache_of, s->cut) != 0) {
		cache_drop(INFINITY, 0);	/* another stream */
		free(cache_of);
		if ((cache_of = strdup(s->cut)) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
	}
	/* the run: from the first segment that reaches t0 to a break; its
	 * pieces (the init section first) in want[] */
	if ((want = calloc(pl->nseg + 1, sizeof(*want))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; i < pl->nseg; i++) {
		sg = &pl->seg[i];
		st = stream_time(s, sg);
		if (k == 0 && (st + sg->duration <= t0 || sg->gap ||
		    sg->duration <= 0))
			continue;
		if (st >= t1 || (k > 0 && !continues(sg - 1, sg)))
			break;
		if (sg->key) {
			snprintf(why, n, "encrypted segment (%s)",
			    sg->key->method_name);
			goto out;
		}
		if (k == 0) {
			first = st;
			mp4 = sg->map != NULL;
			if (sg->map && (want[nw++] = piece(sg->map->uri,
			    sg->map->offset, sg->map->length, INFINITY, dir,
			    why, n)) < 0)
				goto out;
		}
		if ((want[nw++] = piece(sg->uri, sg->br_offset, sg->br_length,
		    st + sg->duration, dir, why, n)) < 0)
			goto out;
		dur += sg->duration;
		k++;
	}
	if (k == 0) {
		snprintf(why, n, "no segment of %s covers %.1f-%.1f s", s->cut,
		    t0, t1);
		goto out;
	}
	if (fetch_all(want, nw, why, n) != 0) {
		nw = 0;		/* the cache changed */
		goto out;
	}
	if (snprintf(clip, sizeof(clip), "%s/clip%ld.%s", dir, ++nclips,
	    mp4 ? "mp4" : "ts") >= (int)sizeof(clip)) {
		snprintf(why, n, "%s: path too long", dir);
		goto out;
	}
	unlink(clip);	/* a left-over of a run with our PID */
	if ((fd = open(clip, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) <
	    0) {
		snprintf(why, n, "%s: %s", clip, strerror(errno));
		goto out;
	}
	for (i = 0; i < nw; i++)
		if (append(fd, cache[want[i]].path, clip, why, n) != 0)
			goto out;
	if (close(fd) != 0) {
		fd = -1;
		snprintf(why, n, "%s: %s", clip, strerror(errno));
		unlink(clip);
		goto out;
	}
	fd = -1;
	ns = source_new(clip, s->url, s->id);
	ns->scratch = 1;
	ns->video = s->video;
	ns->audio = s->audio;
	ns->duration = dur;
	ns->offset = first;
	ns->pdt0 = s->pdt0;
	/* later highlights start at t0 or after: earlier segments are done */
	cache_drop(t0, 0);
out:
	if (fd >= 0) {
		close(fd);
		unlink(clip);
	}
	free(want);
	kc_hls_free(pl);
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
	int k;

	cache_drop(INFINITY, 0);
	free(cache);
	free(cache_of);
	cache = NULL;
	cache_of = NULL;
	ncache = capcache = 0;
	rmflat(dir);
	for (k = 0; k < MAX_CONN; k++) {
		kc_http_free(http[k]);
		http[k] = NULL;
	}
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
