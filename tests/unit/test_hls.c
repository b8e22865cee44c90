/*
 * test_hls.c - unit tests of the HLS playlist module (hls*.c): attribute
 * lists, URI resolution (RFC 3986's own examples), master and media
 * playlists shaped like Kick's (AWS IVS), Twitch's and ffmpeg's, the
 * rendition pickers, segment lookup, the live follower, the writer and its
 * round trip, errors with their line numbers, limits, and the fuzz corpus
 * replayed.  Playlists ffmpeg makes are checked against ffprobe's view of
 * the same files, and a written playlist is played by ffprobe.  Expected
 * values come from the RFCs, from timegm(3) for dates, and from ffmpeg and
 * ffprobe, never from the code under test.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "hls.h"
#include "spawn.h"

/* ---- helpers --------------------------------------------------------- */

static kc_hls *
parse_ok(const char *text, const char *base)
{
	kc_hls *pl = NULL;
	char why[256] = "";
	long line = -1;

	if (kc_hls_parse(text, strlen(text), base, &pl, &line, why,
	    sizeof(why)) != 0)
		fail_msg("parse failed: line %ld: %s\n%s", line, why, text);
	assert_non_null(pl);
	assert_int_equal(line, 0);
	return pl;
}

/*
 * Parsing text[0..len) fails with errno err at line want_line (-1: any)
 * with why holding sub.
 */
static void
parse_err_n(const char *text, size_t len, const char *base, int err,
    long want_line, const char *sub)
{
	kc_hls *pl = (kc_hls *)1;
	char why[256] = "";
	long line = -1;

	errno = 0;
	if (kc_hls_parse(text, len, base, &pl, &line, why, sizeof(why)) == 0)
		fail_msg("parse succeeded, want error \"%s\":\n%.300s", sub,
		    text);
	assert_null(pl);
	if (errno != err)
		fail_msg("errno %d (%s), want %d; why: %s", errno,
		    strerror(errno), err, why);
	if (want_line >= 0 && line != want_line)
		fail_msg("line %ld, want %ld; why: %s", line, want_line, why);
	if (strstr(why, sub) == NULL)
		fail_msg("why \"%s\" lacks \"%s\"", why, sub);
}

static void
parse_err(const char *text, int err, long line, const char *sub)
{
	parse_err_n(text, strlen(text), NULL, err, line, sub);
}

/* Unix time of a UTC date, through the C library. */
static double
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (double)timegm(&tm);
}

/* A growing text buffer for generated playlists. */
struct text {
	char *p;
	size_t n, cap;
};

static void
tprintf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0,
		    fmt, ap);
		va_end(ap);
		assert_true(k >= 0);
		if (t->p != NULL && (size_t)k < t->cap - t->n) {
			t->n += (size_t)k;
			return;
		}
		t->cap = t->cap ? t->cap * 2 : 4096;
		while (t->cap - t->n <= (size_t)k)
			t->cap *= 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct text t = {NULL, 0, 0};
	char buf[8192];
	size_t k;

	if (fp == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	tprintf(&t, "%s", "");
	while ((k = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (t.cap - t.n <= k) {
			t.cap = (t.n + k) * 2;
			t.p = realloc(t.p, t.cap);
			assert_non_null(t.p);
		}
		memcpy(t.p + t.n, buf, k);
		t.n += k;
	}
	assert_int_equal(ferror(fp), 0);
	fclose(fp);
	t.p[t.n] = '\0';
	*len = t.n;
	return t.p;
}

/* Runs argv; its stdout (malloc'd) or NULL when it failed. */
static char *
run(const char *const argv[])
{
	char *out = NULL, err[2048];
	size_t len;
	int st;

	if (kc_run_capture(argv, 1 << 20, &out, &len, err, sizeof(err),
	    &st) != 0 || kc_status_failed(st)) {
		free(out);
		return NULL;
	}
	return out;
}

static int
have_ffmpeg(void)
{
	const char *a1[] = {"ffmpeg", "-version", NULL};
	const char *a2[] = {"ffprobe", "-version", NULL};
	char *o1 = run(a1), *o2 = run(a2);
	int ok = o1 != NULL && o2 != NULL;

	free(o1);
	free(o2);
	return ok;
}

/* ffprobe's format duration of src (extra input options first). */
static double
probe_duration(const char *src, const char *opt1, const char *opt2,
    const char *opt3, const char *opt4)
{
	const char *argv[16];
	char *out;
	double d;
	int n = 0;

	argv[n++] = "ffprobe";
	argv[n++] = "-v";
	argv[n++] = "error";
	if (opt1 != NULL) {
		argv[n++] = opt1;
		argv[n++] = opt2;
	}
	if (opt3 != NULL) {
		argv[n++] = opt3;
		argv[n++] = opt4;
	}
	argv[n++] = "-show_entries";
	argv[n++] = "format=duration";
	argv[n++] = "-of";
	argv[n++] = "csv=p=0";
	argv[n++] = src;
	argv[n] = NULL;
	if ((out = run(argv)) == NULL)
		return -1;
	d = strtod(out, NULL);
	free(out);
	return d;
}

/* ---- attribute lists ------------------------------------------------- */

static void
expect_attr(const char *list, const char *name, const char *want,
    int want_quoted)
{
	const char *v;
	size_t n;
	int q = -1;

	if (kc_hls_attr(list, name, &v, &n, &q) != 1)
		fail_msg("%s not found in %s", name, list);
	if (n != strlen(want) || memcmp(v, want, n) != 0)
		fail_msg("%s = \"%.*s\", want \"%s\"", name, (int)n, v, want);
	assert_int_equal(q, want_quoted);
}

static void
test_attr(void **state)
{
	const char *l = "BANDWIDTH=8578000,CODECS=\"avc1.64002A,mp4a.40.2\","
	    "RESOLUTION=1920x1080,IV=0x1F,AVERAGE-BANDWIDTH=6000000,"
	    "NAME=\"a=b, c\",FRAME-RATE=59.940,TYPE=CLOSED-CAPTIONS,"
	    "EMPTY=\"\"";
	const char *bad[] = {"A=1,B", "A=\"x", "A=", "=1", "A=\"x\"y",
	    "A=x\"y", "A=1,,B=2", "A B=1", "A-=1,="};
	const char *v;
	size_t n, i;
	struct text t = {NULL, 0, 0};

	(void)state;
	expect_attr(l, "BANDWIDTH", "8578000", 0);
	expect_attr(l, "AVERAGE-BANDWIDTH", "6000000", 0);
	expect_attr(l, "CODECS", "avc1.64002A,mp4a.40.2", 1);
	expect_attr(l, "RESOLUTION", "1920x1080", 0);
	expect_attr(l, "IV", "0x1F", 0);
	expect_attr(l, "NAME", "a=b, c", 1);
	expect_attr(l, "FRAME-RATE", "59.940", 0);
	expect_attr(l, "TYPE", "CLOSED-CAPTIONS", 0);
	expect_attr(l, "EMPTY", "", 1);
	assert_int_equal(kc_hls_attr(l, "WIDTH", &v, &n, NULL), 0);
	assert_int_equal(kc_hls_attr(l, "BANDWIDT", &v, &n, NULL), 0);
	assert_int_equal(kc_hls_attr("", "A", &v, &n, NULL), 0);

	/* spaces around names, '=' and ','; a trailing comma; first wins */
	expect_attr(" A = 1 , B = \"2, 3\" ,", "A", "1", 0);
	expect_attr(" A = 1 , B = \"2, 3\" ,", "B", "2, 3", 1);
	expect_attr("A=1,A=2", "A", "1", 0);
	expect_attr("A=x y", "A", "x y", 0);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (kc_hls_attr(bad[i], "A", &v, &n, NULL) != -1)
			fail_msg("\"%s\" accepted", bad[i]);

	/* KC_HLS_MAX_ATTRS attributes, and one more */
	for (i = 0; i < KC_HLS_MAX_ATTRS; i++)
		tprintf(&t, "%sA%zu=%zu", i ? "," : "", i, i);
	expect_attr(t.p, "A63", "63", 0);
	tprintf(&t, ",Z=1");
	assert_int_equal(kc_hls_attr(t.p, "A0", &v, &n, NULL), -1);
	free(t.p);
}

/* ---- URI resolution -------------------------------------------------- */

static void
expect_resolve(const char *base, const char *ref, const char *want)
{
	char *got = kc_hls_resolve(base, ref);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("resolve(%s, %s) = %s, want %s", base ? base : "NULL",
		    ref, got, want);
	free(got);
}

static void
test_resolve_rfc3986(void **state)
{
	/* RFC 3986 section 5.4: normal and abnormal examples */
	static const char *const ex[][2] = {
		{"g:h", "g:h"}, {"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"}, {"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"}, {"//g", "http://g"},
		{"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},
		{"#s", "http://a/b/c/d;p?q#s"}, {"g#s", "http://a/b/c/g#s"},
		{"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"},
		{"g;x?y#s", "http://a/b/c/g;x?y#s"},
		{"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"},
		{"./", "http://a/b/c/"}, {"..", "http://a/b/"},
		{"../", "http://a/b/"}, {"../g", "http://a/b/g"},
		{"../..", "http://a/"}, {"../../", "http://a/"},
		{"../../g", "http://a/g"},
		{"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"}, {"/../g", "http://a/g"},
		{"g.", "http://a/b/c/g."}, {".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"},
		{"./../g", "http://a/b/g"}, {"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"},
		{"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g#s/./x"},
		{"g#s/../x", "http://a/b/c/g#s/../x"},
		{"http:g", "http:g"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		expect_resolve("http://a/b/c/d;p?q", ex[i][0], ex[i][1]);
}

static void
test_resolve_hls(void **state)
{
	const char *ivs = "https://x.playback.live-video.net/api/video/v1/"
	    "ch.m3u8?token=abc.def&player=web";

	(void)state;
	/* URL bases: the reference's query kept, the base's dropped */
	expect_resolve(ivs, "720p60.m3u8?token=abc.def",
	    "https://x.playback.live-video.net/api/video/v1/720p60.m3u8"
	    "?token=abc.def");
	expect_resolve(ivs, "https://edge.example/seg/1.ts?q=1",
	    "https://edge.example/seg/1.ts?q=1");
	expect_resolve(ivs, "/hls/1.ts",
	    "https://x.playback.live-video.net/hls/1.ts");
	expect_resolve(ivs, "//cdn2.example/1.ts", "https://cdn2.example/1.ts");
	expect_resolve("https://s.example/vod/abc/1080p60/playlist.m3u8",
	    "../720p60/playlist.m3u8",
	    "https://s.example/vod/abc/720p60/playlist.m3u8");
	expect_resolve("https://s.example/vod/x/playlist.m3u8", "12.ts",
	    "https://s.example/vod/x/12.ts");
	expect_resolve("http://host", "seg.ts", "http://host/seg.ts");
	expect_resolve("http://host:8080?x", "a/b.ts",
	    "http://host:8080/a/b.ts");
	expect_resolve("file:///srv/a/b.m3u8", "../c.ts", "file:///srv/c.ts");
	expect_resolve("http://h/a/b.m3u8", "HTTPS://H2/A/./B.ts",
	    "HTTPS://H2/A/B.ts");
	/* rootless paths (RFC 3986 5.2.4 steps A and D) */
	expect_resolve("http://h/a", "x:./g", "x:g");
	expect_resolve("http://h/a", "x:../g", "x:g");
	expect_resolve("http://h/a", "x:g/..", "x:/");
	expect_resolve("http://h/a", "x:.", "x:");

	/* local paths: the base's directory, no folding, '?' literal */
	expect_resolve("/srv/media/x/pl.m3u8", "seg1.ts",
	    "/srv/media/x/seg1.ts");
	expect_resolve("/srv/media/x/pl.m3u8", "../y/seg1.ts",
	    "/srv/media/x/../y/seg1.ts");
	expect_resolve("/srv/media/x/pl.m3u8", "/abs/seg.ts", "/abs/seg.ts");
	expect_resolve("/srv/media/x/pl.m3u8", "s.ts?x=1",
	    "/srv/media/x/s.ts?x=1");
	expect_resolve("rel/dir/pl.m3u8", "a.ts", "rel/dir/a.ts");
	expect_resolve("pl.m3u8", "a.ts", "a.ts");
	expect_resolve("/srv/pl.m3u8", "http://h/a/../b.ts", "http://h/b.ts");
	expect_resolve("/My Streams/pl.m3u8", "a b.ts", "/My Streams/a b.ts");

	/* no base: as written */
	expect_resolve(NULL, "../x/a.ts", "../x/a.ts");
	expect_resolve("", "a.ts", "a.ts");
}

/* ---- master playlists ------------------------------------------------ */

static const char kick_master[] =
    "#EXTM3U\n"
    "#EXT-X-SESSION-DATA:DATA-ID=\"NODE\",VALUE=\"video-edge-c2b0c4.fra02\"\n"
    "#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"1080p60\",NAME=\"1080p60\","
    "AUTOSELECT=YES,DEFAULT=YES\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=8578000,RESOLUTION=1920x1080,"
    "CODECS=\"avc1.64002A,mp4a.40.2\",VIDEO=\"1080p60\",FRAME-RATE=60.000\n"
    "https://cdn.example/api/1080p60.m3u8?token=t1\n"
    "#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"720p60\",NAME=\"720p60\","
    "AUTOSELECT=YES,DEFAULT=YES\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=3422999,RESOLUTION=1280x720,"
    "CODECS=\"avc1.4D401F,mp4a.40.2\",VIDEO=\"720p60\",FRAME-RATE=60.000\n"
    "720p60.m3u8?token=t1\n"
    "#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"480p30\",NAME=\"480p\","
    "AUTOSELECT=YES,DEFAULT=YES\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1427999,RESOLUTION=852x480,"
    "CODECS=\"avc1.4D401F,mp4a.40.2\",VIDEO=\"480p30\",FRAME-RATE=30.000\n"
    "480p30.m3u8?token=t1\n"
    "#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"360p30\",NAME=\"360p\","
    "AUTOSELECT=YES,DEFAULT=YES\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=630000,RESOLUTION=640x360,"
    "CODECS=\"avc1.4D401E,mp4a.40.2\",VIDEO=\"360p30\",FRAME-RATE=30.000\n"
    "360p30.m3u8?token=t1\n"
    "#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"160p30\",NAME=\"160p\","
    "AUTOSELECT=YES,DEFAULT=YES\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=230000,RESOLUTION=284x160,"
    "CODECS=\"avc1.4D400C,mp4a.40.2\",VIDEO=\"160p30\",FRAME-RATE=30.000\n"
    "160p30.m3u8?token=t1\n"
    "#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"audio_only\",NAME=\"audio_only\","
    "AUTOSELECT=NO,DEFAULT=NO\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=160000,CODECS=\"mp4a.40.2\","
    "VIDEO=\"audio_only\"\n"
    "audio_only.m3u8?token=t1\n";

static void
test_master_kick(void **state)
{
	const char *base = "https://cdn.example/api/master.m3u8?token=t0";
	static const struct {
		const char *uri, *name, *codecs;
		long long bw;
		int w, h;
		double fps;
		int video;
	} want[] = {
		{"https://cdn.example/api/1080p60.m3u8?token=t1", "1080p60",
		    "avc1.64002A,mp4a.40.2", 8578000, 1920, 1080, 60, 1},
		{"https://cdn.example/api/720p60.m3u8?token=t1", "720p60",
		    "avc1.4D401F,mp4a.40.2", 3422999, 1280, 720, 60, 1},
		{"https://cdn.example/api/480p30.m3u8?token=t1", "480p",
		    "avc1.4D401F,mp4a.40.2", 1427999, 852, 480, 30, 1},
		{"https://cdn.example/api/360p30.m3u8?token=t1", "360p",
		    "avc1.4D401E,mp4a.40.2", 630000, 640, 360, 30, 1},
		{"https://cdn.example/api/160p30.m3u8?token=t1", "160p",
		    "avc1.4D400C,mp4a.40.2", 230000, 284, 160, 30, 1},
		{"https://cdn.example/api/audio_only.m3u8?token=t1",
		    "audio_only", "mp4a.40.2", 160000, 0, 0, 0, 0},
	};
	kc_hls *m = parse_ok(kick_master, base);
	size_t i;

	(void)state;
	assert_int_equal(m->kind, KC_HLS_MASTER);
	assert_int_equal(m->nvar, 6);
	assert_int_equal(m->nmedia, 6);
	assert_int_equal(m->nseg, 0);
	for (i = 0; i < 6; i++) {
		const kc_hls_variant *v = &m->var[i];

		assert_string_equal(v->uri, want[i].uri);
		assert_string_equal(v->name, want[i].name);
		assert_string_equal(v->codecs, want[i].codecs);
		assert_string_equal(v->video, m->media[i].group);
		assert_null(v->audio);
		assert_true(v->bandwidth == want[i].bw);
		assert_true(v->avg_bandwidth == 0);
		assert_int_equal(v->width, want[i].w);
		assert_int_equal(v->height, want[i].h);
		assert_near(v->frame_rate, want[i].fps, 0);
		assert_int_equal(v->has_video, want[i].video);
		assert_int_equal(m->media[i].type, KC_HLS_VIDEO);
		assert_null(m->media[i].uri);
		assert_null(kc_hls_audio(m, v));
	}
	assert_int_equal(m->media[0].is_default, 1);
	assert_int_equal(m->media[0].autoselect, 1);
	assert_int_equal(m->media[5].is_default, 0);

	/* analysis: lowest with video at least min_height tall */
	assert_ptr_equal(kc_hls_pick_analysis(m, KC_HLS_MIN_HEIGHT), &m->var[4]);
	assert_ptr_equal(kc_hls_pick_analysis(m, 0), &m->var[4]);
	assert_ptr_equal(kc_hls_pick_analysis(m, 161), &m->var[3]);
	assert_ptr_equal(kc_hls_pick_analysis(m, 480), &m->var[2]);
	assert_ptr_equal(kc_hls_pick_analysis(m, 2000), &m->var[0]);
	/* cut: highest, or highest within a limit, else the shortest */
	assert_ptr_equal(kc_hls_pick_cut(m, 0), &m->var[0]);
	assert_ptr_equal(kc_hls_pick_cut(m, 720), &m->var[1]);
	assert_ptr_equal(kc_hls_pick_cut(m, 719), &m->var[2]);
	assert_ptr_equal(kc_hls_pick_cut(m, 100), &m->var[4]);
	kc_hls_free(m);
}

static void
test_master_shapes(void **state)
{
	kc_hls *m;
	const kc_hls_rendition *r;

	(void)state;
	/* no RESOLUTION, no CODECS: nothing is known to have video */
	m = parse_ok("#EXTM3U\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=2560000\nmid/index.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=1280000\nlow/index.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=7680000\n/hi/index.m3u8\n",
	    "http://h/live/master.m3u8");
	assert_int_equal(m->nvar, 3);
	assert_int_equal(m->var[0].has_video, 0);
	assert_null(m->var[0].codecs);
	assert_null(m->var[0].name);
	assert_int_equal(m->version, 1);
	assert_string_equal(m->var[2].uri, "http://h/hi/index.m3u8");
	assert_ptr_equal(kc_hls_pick_analysis(m, 144), &m->var[1]);
	assert_ptr_equal(kc_hls_pick_cut(m, 0), &m->var[2]);
	assert_ptr_equal(kc_hls_pick_cut(m, 480), &m->var[2]);
	kc_hls_free(m);

	/* CODECS says video without RESOLUTION; an audio-only variant */
	m = parse_ok("#EXTM3U\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS=\"mp4a.40.5\"\na.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS=\"hvc1.1.6.L93.B0,"
	    "mp4a.40.2\"\nv1.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=500000,CODECS=\" mp4a.40.2 , "
	    "AVC1.42e01e \"\nv0.m3u8\n", NULL);
	assert_int_equal(m->var[0].has_video, 0);
	assert_int_equal(m->var[1].has_video, 1);
	assert_int_equal(m->var[2].has_video, 1);
	assert_string_equal(m->var[2].uri, "v0.m3u8");
	assert_ptr_equal(kc_hls_pick_analysis(m, 144), &m->var[2]);
	assert_ptr_equal(kc_hls_pick_cut(m, 0), &m->var[1]);
	kc_hls_free(m);

	/* only audio: lowest and highest bandwidth */
	m = parse_ok("#EXTM3U\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=96000,CODECS=\"mp4a.40.2\"\na96.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS=\"mp4a.40.5\"\na64.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\n"
	    "a128.m3u8\n", NULL);
	assert_ptr_equal(kc_hls_pick_analysis(m, 144), &m->var[1]);
	assert_ptr_equal(kc_hls_pick_cut(m, 0), &m->var[2]);
	kc_hls_free(m);

	/* ties: same height, bandwidth decides; then the first listed */
	m = parse_ok("#EXTM3U\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720,"
	    "FRAME-RATE=60\n720p60.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,"
	    "FRAME-RATE=30\n720p30.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720\n"
	    "720b.m3u8\n", NULL);
	assert_ptr_equal(kc_hls_pick_analysis(m, 144), &m->var[1]);
	assert_ptr_equal(kc_hls_pick_cut(m, 0), &m->var[0]);
	kc_hls_free(m);

	/* separate audio renditions, subtitles, captions, I-frame streams,
	 * AVERAGE-BANDWIDTH, a NAME attribute, odd spacing */
	m = parse_ok("#EXTM3U\n#EXT-X-VERSION:6\n"
	    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",LANGUAGE=\"de\","
	    "NAME=\"Deutsch, Stereo\",DEFAULT=NO,URI=\"audio/de/p.m3u8\"\n"
	    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",LANGUAGE=\"en\","
	    "NAME=\"English\",DEFAULT=YES,URI=\"audio/en/p.m3u8\"\n"
	    "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\","
	    "URI=\"subs/en.m3u8\"\n"
	    "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\","
	    "INSTREAM-ID=\"CC1\"\n"
	    "#EXT-X-STREAM-INF: BANDWIDTH = 2227464 , AVERAGE-BANDWIDTH="
	    "2218327,CODECS=\"avc1.640020,mp4a.40.2\",RESOLUTION=960x540,"
	    "FRAME-RATE=59.940,AUDIO=\"aac\",SUBTITLES=\"subs\","
	    "CLOSED-CAPTIONS=\"cc\",NAME=\"540p\"\nv5/prog_index.m3u8\n"
	    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=186522,URI=\"v9/if.m3u8\"\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=300000,AUDIO=\"none\"\nx.m3u8\n",
	    "https://h/p/master.m3u8");
	assert_int_equal(m->version, 6);
	assert_int_equal(m->nvar, 2);
	assert_int_equal(m->nmedia, 4);
	assert_true(m->var[0].avg_bandwidth == 2218327);
	assert_near(m->var[0].frame_rate, 59.94, 1e-12);
	assert_string_equal(m->var[0].name, "540p");
	assert_string_equal(m->var[0].audio, "aac");
	assert_string_equal(m->media[0].name, "Deutsch, Stereo");
	assert_string_equal(m->media[0].language, "de");
	assert_int_equal(m->media[2].type, KC_HLS_SUBTITLES);
	assert_int_equal(m->media[3].type, KC_HLS_CLOSED_CAPTIONS);
	assert_null(m->media[3].uri);
	r = kc_hls_audio(m, &m->var[0]);
	assert_non_null(r);
	assert_string_equal(r->uri, "https://h/p/audio/en/p.m3u8");
	assert_null(kc_hls_audio(m, &m->var[1]));
	kc_hls_free(m);

	/* without a DEFAULT=YES, the first with a URI */
	m = parse_ok("#EXTM3U\n"
	    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"muxed\"\n"
	    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"x\",URI=\"x.m3u8\"\n"
	    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"y\",URI=\"y.m3u8\"\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"a\"\nv.m3u8\n", NULL);
	assert_string_equal(kc_hls_audio(m, &m->var[0])->uri, "x.m3u8");
	kc_hls_free(m);
}

/* ---- media playlists ------------------------------------------------- */

static void
test_media_vod(void **state)
{
	struct text t = {NULL, 0, 0};
	kc_hls *pl;
	double t0 = utc(2026, 3, 14, 18, 2, 11) + 0.402;
	size_t i;

	(void)state;
	/* a Kick VOD rendition: 10 s segments with a date each, the last
	 * one short */
	tprintf(&t, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n"
	    "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n");
	for (i = 0; i < 30; i++) {
		time_t s = (time_t)(t0 - 0.402) + (time_t)(10 * i);
		struct tm tm;

		gmtime_r(&s, &tm);
		tprintf(&t, "#EXT-X-PROGRAM-DATE-TIME:%04d-%02d-%02dT%02d:%02d:"
		    "%02d.402Z\n#EXTINF:10.000,\n%zu.ts\n", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    i);
	}
	tprintf(&t, "#EXTINF:4.733,\n30.ts\n#EXT-X-ENDLIST\n");
	pl = parse_ok(t.p, "https://stream.kick.com/ivs/v1/196233775518/"
	    "aBcD/2026/3/14/18/2/xyz/media/hls/160p30/playlist.m3u8");
	assert_int_equal(pl->kind, KC_HLS_MEDIA);
	assert_int_equal(pl->version, 3);
	assert_int_equal(pl->target, 10);
	assert_int_equal(pl->type, KC_HLS_TYPE_VOD);
	assert_int_equal(pl->endlist, 1);
	assert_int_equal(pl->iframes, 0);
	assert_int_equal(pl->nseg, 31);
	assert_true(pl->seq0 == 0 && pl->dseq0 == 0);
	assert_near(pl->duration, 304.733, 1e-9);
	for (i = 0; i < 31; i++) {
		const kc_hls_segment *s = &pl->seg[i];
		char u[200];

		snprintf(u, sizeof(u), "https://stream.kick.com/ivs/v1/"
		    "196233775518/aBcD/2026/3/14/18/2/xyz/media/hls/160p30/"
		    "%zu.ts", i);
		assert_string_equal(s->uri, u);
		assert_true(s->seq == (long long)i);
		assert_near(s->start, 10.0 * (double)i, 1e-9);
		assert_near(s->duration, i < 30 ? 10 : 4.733, 0);
		assert_string_equal(s->title, "");
		assert_int_equal(s->discontinuity, 0);
		assert_true(s->dseq == 0);
		assert_near(s->pdt, t0 + 10.0 * (double)i, 1e-6);
		assert_int_equal(s->pdt_tag, i < 30);
		assert_true(s->br_length == 0);
		assert_null(s->key);
		assert_null(s->map);
	}
	kc_hls_free(pl);
	free(t.p);
}

static void
test_media_live(void **state)
{
	kc_hls *pl;

	(void)state;
	/* a live sliding window (2 s segments, Twitch/IVS extras and LL-HLS
	 * parts, which are not segments) */
	pl = parse_ok("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
	    "#EXT-X-MEDIA-SEQUENCE:5012\n"
	    "#EXT-X-TWITCH-ELAPSED-SECS:10024.000\n"
	    "#EXT-X-DATERANGE:ID=\"s\",CLASS=\"twitch-stream-source\","
	    "START-DATE=\"2026-11-25T05:00:00.000Z\",END-ON-NEXT=YES\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2026-11-25T07:47:04.120Z\n"
	    "#EXTINF:2.000,live\nhttps://e.example/v1/segment/A.ts?a=1\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2026-11-25T07:47:06.120Z\n"
	    "#EXTINF:2.000,live\nhttps://e.example/v1/segment/B.ts?a=1\n"
	    "#EXTINF:2.002,live\nhttps://e.example/v1/segment/C.ts?a=1\n"
	    "#EXT-X-PART:DURATION=0.500,URI=\"https://e.example/p/D.0.ts\"\n"
	    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"https://e.example/p/D.1.ts\"\n",
	    "https://e.example/v1/playlist/x.m3u8");
	assert_int_equal(pl->nseg, 3);
	assert_true(pl->seq0 == 5012);
	assert_true(pl->seg[2].seq == 5014);
	assert_int_equal(pl->endlist, 0);
	assert_int_equal(pl->type, KC_HLS_TYPE_NONE);
	assert_string_equal(pl->seg[0].title, "live");
	assert_near(pl->seg[0].pdt, utc(2026, 11, 25, 7, 47, 4) + 0.12, 1e-6);
	/* carried forward by the durations */
	assert_int_equal(pl->seg[2].pdt_tag, 0);
	assert_near(pl->seg[2].pdt, utc(2026, 11, 25, 7, 47, 8) + 0.12, 1e-6);
	assert_near(pl->seg[2].start, 4, 0);
	assert_near(pl->duration, 6.002, 1e-12);
	kc_hls_free(pl);

	/* no segments yet; EVENT; no TARGETDURATION */
	pl = parse_ok("#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n", NULL);
	assert_int_equal(pl->kind, KC_HLS_MEDIA);
	assert_int_equal(pl->nseg, 0);
	assert_int_equal(pl->type, KC_HLS_TYPE_EVENT);
	assert_int_equal(pl->target, 0);
	kc_hls_free(pl);
	pl = parse_ok("#EXTM3U\n", NULL);
	assert_int_equal(pl->kind, KC_HLS_MEDIA);
	assert_int_equal(pl->nseg, 0);
	kc_hls_free(pl);

	/* missing TARGETDURATION: the longest EXTINF rounded up; a fraction
	 * in it is rounded up; EXTINF without comma; I-frames only */
	pl = parse_ok("#EXTM3U\n#EXT-X-I-FRAMES-ONLY\n#EXTINF:4.2\na.ts\n"
	    "#EXTINF:6.01,\nb.ts\n", NULL);
	assert_int_equal(pl->target, 7);
	assert_int_equal(pl->iframes, 1);
	assert_string_equal(pl->seg[0].title, "");
	kc_hls_free(pl);
	pl = parse_ok("#EXTM3U\n#EXT-X-TARGETDURATION:5.5\n#EXTINF:5,\na.ts\n",
	    NULL);
	assert_int_equal(pl->target, 6);
	kc_hls_free(pl);
}

static void
test_pdt(void **state)
{
	static const struct {
		const char *s;
		int y, mo, d, h, mi, sec;
		double frac, off;	/* off: seconds east of UTC */
	} ok[] = {
		{"2026-11-25T06:17:34.741+0000", 2026, 11, 25, 6, 17, 34, .741,
		    0},
		{"2026-11-25T06:17:34.741Z", 2026, 11, 25, 6, 17, 34, .741, 0},
		{"2026-11-25T06:17:34Z", 2026, 11, 25, 6, 17, 34, 0, 0},
		{"2026-01-31T23:59:58.5+01:00", 2026, 1, 31, 23, 59, 58, .5,
		    3600},
		{"2026-02-01T00:00:30-0530", 2026, 2, 1, 0, 0, 30, 0, -19800},
		{"2026-02-01T00:00:30-05", 2026, 2, 1, 0, 0, 30, 0, -18000},
		{"2024-02-29t12:00:00.000001z", 2024, 2, 29, 12, 0, 0, 1e-6, 0},
		{"2000-02-29 00:00:00", 2000, 2, 29, 0, 0, 0, 0, 0},
		{"1969-12-31T23:59:59.25Z", 1969, 12, 31, 23, 59, 59, .25, 0},
		{"2016-12-31T23:59:60Z", 2016, 12, 31, 23, 59, 60, 0, 0},
	};
	static const char *const bad[] = {
		"2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
		"2100-02-29T00:00:00Z", "2026-01-01T24:00:00Z",
		"2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z",
		"2026-01-01", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+1",
		"2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00Zjunk",
		"26-01-01T00:00:00Z", "2026-1-01T00:00:00Z", "today",
		"2026-01-01T00:00:00,5Z",
	};
	char text[300];
	kc_hls *pl;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "#EXTM3U\n"
		    "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:1,\na.ts\n", ok[i].s);
		pl = parse_ok(text, NULL);
		assert_int_equal(pl->seg[0].pdt_tag, 1);
		assert_near(pl->seg[0].pdt, utc(ok[i].y, ok[i].mo, ok[i].d,
		    ok[i].h, ok[i].mi, ok[i].sec) + ok[i].frac - ok[i].off,
		    1e-6);
		kc_hls_free(pl);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "#EXTM3U\n#EXTINF:1,\n"
		    "#EXT-X-PROGRAM-DATE-TIME:%s\na.ts\n", bad[i]);
		parse_err(text, EINVAL, 3, "EXT-X-PROGRAM-DATE-TIME");
	}
}

static void
test_discontinuity(void **state)
{
	kc_hls *pl;
	double t0 = utc(2026, 1, 31, 22, 59, 58) + 0.5;

	(void)state;
	pl = parse_ok("#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
	    "#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-DISCONTINUITY-SEQUENCE:7\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2026-01-31T23:59:58.5+01:00\n"
	    "#EXTINF:5.005,\nseg100.ts\n"
	    "#EXTINF:5.005,\nseg101.ts\n"
	    "#EXT-X-DISCONTINUITY\n#EXTINF:3.2,ad break\nad/ad0.ts\n"
	    "#EXT-X-DISCONTINUITY\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2026-02-01T00:00:30Z\n"
	    "#EXTINF:5.005,\nseg102.ts\n"
	    "#EXT-X-GAP\n#EXTINF:5.005,\nseg103.ts\n", "/v/p.m3u8");
	assert_int_equal(pl->nseg, 5);
	assert_true(pl->dseq0 == 7);
	assert_true(pl->seg[0].dseq == 7 && pl->seg[1].dseq == 7 &&
	    pl->seg[2].dseq == 8 && pl->seg[3].dseq == 9 &&
	    pl->seg[4].dseq == 9);
	assert_int_equal(pl->seg[2].discontinuity, 1);
	assert_int_equal(pl->seg[3].discontinuity, 1);
	assert_int_equal(pl->seg[4].discontinuity, 0);
	assert_string_equal(pl->seg[2].title, "ad break");
	assert_string_equal(pl->seg[2].uri, "/v/ad/ad0.ts");
	assert_true(pl->seg[4].seq == 104);
	assert_near(pl->seg[0].pdt, t0, 1e-6);
	assert_near(pl->seg[1].pdt, t0 + 5.005, 1e-6);
	assert_true(isnan(pl->seg[2].pdt));	/* not across a discontinuity */
	assert_near(pl->seg[3].pdt, utc(2026, 2, 1, 0, 0, 30), 1e-6);
	assert_near(pl->seg[4].pdt, utc(2026, 2, 1, 0, 0, 30) + 5.005, 1e-6);
	assert_int_equal(pl->seg[4].gap, 1);
	assert_int_equal(pl->seg[3].gap, 0);
	assert_near(pl->seg[4].start, 5.005 * 3 + 3.2, 1e-9);
	kc_hls_free(pl);
}

static void
test_byterange_map(void **state)
{
	kc_hls *pl;

	(void)state;
	pl = parse_ok("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n"
	    "#EXT-X-MAP:URI=\"main.mp4\",BYTERANGE=\"720@0\"\n"
	    "#EXTINF:9.9,\n#EXT-X-BYTERANGE:75232@720\nmain.mp4\n"
	    "#EXTINF:10.0,\n#EXT-X-BYTERANGE:82112\nmain.mp4\n"
	    "#EXT-X-BYTERANGE:69864\n#EXTINF:10.0,\nmain.mp4\n"
	    "#EXT-X-MAP:URI=\"init2.mp4\"\n"
	    "#EXTINF:10.0,\n#EXT-X-BYTERANGE:100@9223372036854775707\n"
	    "other.mp4\n#EXT-X-ENDLIST\n", "http://h/d/p.m3u8");
	assert_int_equal(pl->nseg, 4);
	assert_true(pl->seg[0].br_length == 75232 && pl->seg[0].br_offset == 720);
	assert_true(pl->seg[1].br_length == 82112 &&
	    pl->seg[1].br_offset == 720 + 75232);
	assert_true(pl->seg[2].br_length == 69864 &&
	    pl->seg[2].br_offset == 720 + 75232 + 82112);
	assert_true(pl->seg[3].br_offset == LLONG_MAX - 100);
	assert_non_null(pl->seg[0].map);
	assert_ptr_equal(pl->seg[0].map, pl->seg[2].map);
	assert_string_equal(pl->seg[0].map->uri, "http://h/d/main.mp4");
	assert_true(pl->seg[0].map->length == 720 &&
	    pl->seg[0].map->offset == 0);
	assert_string_equal(pl->seg[3].map->uri, "http://h/d/init2.mp4");
	assert_true(pl->seg[3].map->length == 0);
	kc_hls_free(pl);

	/* the implicit offset needs a sub-range of the same URI before */
	parse_err("#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:10\na.ts\n", EINVAL,
	    3, "without offset");
	parse_err("#EXTM3U\n#EXTINF:1,\na.ts\n#EXT-X-BYTERANGE:10\n"
	    "#EXTINF:1,\na.ts\n", EINVAL, 4, "without offset");
	parse_err("#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:10@0\na.ts\n"
	    "#EXTINF:1,\n#EXT-X-BYTERANGE:10\nb.ts\n", EINVAL, 6,
	    "same URI");
	parse_err("#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:10@"
	    "9223372036854775798\na.ts\n", EINVAL, 3, "out of range");
	parse_err("#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:10@"
	    "9223372036854775790\na.ts\n#EXTINF:1,\n#EXT-X-BYTERANGE:10\n"
	    "a.ts\n", EINVAL, 6, "out of range");
	parse_err("#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:0@0\na.ts\n", EINVAL,
	    3, "zero length");
	parse_err("#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:x\na.ts\n", EINVAL,
	    3, "EXT-X-BYTERANGE");
	parse_err("#EXTM3U\n#EXT-X-MAP:BYTERANGE=\"1@0\"\n", EINVAL, 2,
	    "EXT-X-MAP without URI");
	parse_err("#EXTM3U\n#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"1@-1\"\n",
	    EINVAL, 2, "BYTERANGE");
}

static void
test_keys(void **state)
{
	kc_hls *pl;
	const kc_hls_key *k;

	(void)state;
	pl = parse_ok("#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
	    "#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example.com/k?id=1\","
	    "IV=0X00000000000000000000000000000001\n"
	    "#EXTINF:4,\na.ts\n#EXTINF:4,\na2.ts\n"
	    "#EXT-X-KEY:METHOD=NONE\n#EXTINF:4,\nb.ts\n"
	    "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://key42\","
	    "KEYFORMAT=\"com.apple.streamingkeydelivery\","
	    "KEYFORMATVERSIONS=\"1\"\n#EXTINF:4,\nc.ts\n"
	    "#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI=\"../k2\"\n"
	    "#EXTINF:4,\nd.ts\n"
	    "#EXT-X-KEY:METHOD=ZZZ-9,URI=\"k3\"\n#EXTINF:4,\ne.ts\n",
	    "file:///h/a/b/p.m3u8");	/* skd: is refused over http(s) */
	k = pl->seg[0].key;
	assert_non_null(k);
	assert_ptr_equal(pl->seg[1].key, k);
	assert_int_equal(k->method, KC_HLS_KEY_AES128);
	assert_string_equal(k->method_name, "AES-128");
	assert_string_equal(k->uri, "https://keys.example.com/k?id=1");
	assert_string_equal(k->iv, "0X00000000000000000000000000000001");
	assert_null(k->keyformat);
	assert_null(pl->seg[2].key);
	k = pl->seg[3].key;
	assert_int_equal(k->method, KC_HLS_KEY_SAMPLE_AES);
	assert_string_equal(k->uri, "skd://key42");
	assert_string_equal(k->keyformat, "com.apple.streamingkeydelivery");
	assert_null(k->iv);
	assert_int_equal(pl->seg[4].key->method, KC_HLS_KEY_SAMPLE_AES);
	assert_string_equal(pl->seg[4].key->uri, "file:///h/a/k2");
	assert_int_equal(pl->seg[5].key->method, KC_HLS_KEY_OTHER);
	assert_string_equal(pl->seg[5].key->method_name, "ZZZ-9");
	kc_hls_free(pl);

	parse_err("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128\n", EINVAL, 2,
	    "without URI");
	parse_err("#EXTM3U\n#EXT-X-KEY:URI=\"k\"\n", EINVAL, 2,
	    "without METHOD");
	parse_err("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x\n",
	    EINVAL, 2, "IV");
	parse_err("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x"
	    "000000000000000000000000000000001\n", EINVAL, 2, "IV");
	parse_err("#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=12\n",
	    EINVAL, 2, "IV");
	parse_err("#EXTM3U\n#EXT-X-KEY:METHOD=\"AES 128\",URI=\"k\"\n",
	    EINVAL, 2, "METHOD");
}

/*
 * A playlist fetched over http(s) may only reference http(s): a file:
 * segment would have kc-cut cut the reader's own files (issue 8).  Every
 * kind of reference, in any case, after resolution; local playlists keep
 * referencing what they like.
 */
static void
test_web_only(void **state)
{
	static const char *const web[] = {"http://h.example/a/p.m3u8",
	    "https://h.example/a/p.m3u8?t=1", "HTTPS://H.EXAMPLE/a/p.m3u8"};
	static const char *const local[] = {NULL, "", "/srv/a/p.m3u8",
	    "file:///srv/a/p.m3u8"};
	const char *seg = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
	    "#EXTINF:4,\na.ts\n#EXTINF:4,\nfile:///etc/passwd\n";
	const char *key = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n"
	    "#EXT-X-KEY:METHOD=AES-128,URI=\"file:/home/u/.ssh/id_rsa\"\n"
	    "#EXTINF:4,\nb.ts\n";
	const char *skd = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
	    "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://key42\"\n#EXTINF:4,\na.ts\n";
	const char *map = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
	    "#EXT-X-MAP:URI=\"FILE:///srv/init.mp4\"\n#EXTINF:4,\na.m4s\n";
	const char *var = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nlow.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=2\nfile:///tmp/x/../evil.m3u8\n";
	const char *media = "#EXTM3U\n"
	    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"data:,x\"\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"a\"\nlow.m3u8\n";
	const char *fine = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
	    "#EXT-X-KEY:METHOD=AES-128,URI=\"/k?id=1\"\n"
	    "#EXT-X-MAP:URI=\"//cdn.example/init.mp4\"\n"
	    "#EXTINF:4,\n../b/a.m4s\n#EXTINF:4,\nhttps://c.example/b.m4s\n"
	    "#EXTINF:4,\nHttP://c.example/c.m4s\n";
	kc_hls *pl;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(web) / sizeof(web[0]); i++) {
		parse_err_n(seg, strlen(seg), web[i], EPERM, 6,
		    "\"file:///etc/passwd\" is not an http(s) URI");
		parse_err_n(key, strlen(key), web[i], EPERM, 5,
		    "\"file:/home/u/.ssh/id_rsa\" is not an http(s) URI");
		parse_err_n(skd, strlen(skd), web[i], EPERM, 3, "\"skd://key42\"");
		parse_err_n(map, strlen(map), web[i], EPERM, 3,
		    "\"FILE:///srv/init.mp4\"");
		parse_err_n(var, strlen(var), web[i], EPERM, 5,
		    "\"file:///tmp/x/../evil.m3u8\"");
		parse_err_n(media, strlen(media), web[i], EPERM, 2,
		    "\"data:,x\"");
	}
	/* relative, network-path and other http(s) references are fine */
	pl = parse_ok(fine, "http://h.example/a/p.m3u8");
	assert_string_equal(pl->seg[0].key->uri, "http://h.example/k?id=1");
	assert_string_equal(pl->seg[0].map->uri, "http://cdn.example/init.mp4");
	assert_string_equal(pl->seg[0].uri, "http://h.example/b/a.m4s");
	assert_string_equal(pl->seg[1].uri, "https://c.example/b.m4s");
	assert_string_equal(pl->seg[2].uri, "HttP://c.example/c.m4s");
	kc_hls_free(pl);
	/* a local playlist (kc-fetch's live cut buffer) may name files */
	for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		pl = parse_ok(seg, local[i]);
		assert_string_equal(pl->seg[1].uri, "file:///etc/passwd");
		kc_hls_free(pl);
		kc_hls_free(parse_ok(skd, local[i]));
		kc_hls_free(parse_ok(var, local[i]));
	}
}

static void
test_find(void **state)
{
	kc_hls *pl;

	(void)state;
	pl = parse_ok("#EXTM3U\n#EXTINF:10,\na\n#EXTINF:10,\nb\n#EXTINF:0,\nc\n"
	    "#EXTINF:4.733,\nd\n", NULL);
	assert_int_equal(kc_hls_find(pl, 0), 0);
	assert_int_equal(kc_hls_find(pl, 9.999), 0);
	assert_int_equal(kc_hls_find(pl, 10), 1);
	assert_int_equal(kc_hls_find(pl, 19.5), 1);
	assert_int_equal(kc_hls_find(pl, 20), 3);	/* c covers nothing */
	assert_int_equal(kc_hls_find(pl, 24.7), 3);
	assert_int_equal(kc_hls_find(pl, 24.733), -1);
	assert_int_equal(kc_hls_find(pl, 1e9), -1);
	assert_int_equal(kc_hls_find(pl, -0.001), -1);
	assert_int_equal(kc_hls_find(pl, NAN), -1);
	assert_int_equal(kc_hls_find(pl, INFINITY), -1);
	kc_hls_free(pl);
	pl = parse_ok("#EXTM3U\n", NULL);
	assert_int_equal(kc_hls_find(pl, 0), -1);
	kc_hls_free(pl);
	pl = parse_ok(kick_master, NULL);
	assert_int_equal(kc_hls_find(pl, 0), -1);
	assert_null(kc_hls_pick_analysis(NULL, 0));
	kc_hls_free(pl);
}

/* ---- live ------------------------------------------------------------ */

/*
 * A live window: segments seq0 .. seq0+n-1 named PREFIX<seq>.ts with a
 * query that changes with every reload, dated from t0 (NAN: no dates).
 */
static kc_hls *
window(long long seq0, int n, const char *prefix, double t0, int reload)
{
	struct text t = {NULL, 0, 0};
	kc_hls *pl;
	int i;

	tprintf(&t, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
	    "#EXT-X-MEDIA-SEQUENCE:%lld\n", seq0);
	for (i = 0; i < n; i++) {
		if (!isnan(t0)) {
			time_t s = (time_t)t0 + 2 * (seq0 + i);
			struct tm tm;

			gmtime_r(&s, &tm);
			tprintf(&t, "#EXT-X-PROGRAM-DATE-TIME:%04d-%02d-%02dT"
			    "%02d:%02d:%02dZ\n", tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			    tm.tm_sec);
		}
		tprintf(&t, "#EXTINF:2.000,\n%s%lld.ts?tok=%d\n", prefix,
		    seq0 + i, reload);
	}
	pl = parse_ok(t.p, "https://edge.example/live/ch/720p60.m3u8");
	free(t.p);
	return pl;
}

static void
expect_news(kc_hls_live *st, kc_hls *pl, size_t first, size_t n,
    long long missed, int reset, int stale)
{
	kc_hls_news nw;

	assert_int_equal(kc_hls_live_next(st, pl, &nw), 0);
	if (nw.first != first || nw.n != n || nw.missed != missed ||
	    nw.reset != reset || nw.stale != stale)
		fail_msg("news first %zu n %zu missed %lld reset %d stale %d, "
		    "want %zu %zu %lld %d %d", nw.first, nw.n, nw.missed,
		    nw.reset, nw.stale, first, n, missed, reset, stale);
	kc_hls_free(pl);
}

static void
test_live_dated(void **state)
{
	double t0 = utc(2026, 11, 25, 7, 0, 0);
	kc_hls_live st;

	(void)state;
	kc_hls_live_init(&st);
	assert_true(st.next == -1);
	expect_news(&st, window(10, 6, "s", t0, 1), 0, 6, 0, 0, 0);
	assert_true(st.next == 16);
	expect_news(&st, window(10, 6, "s", t0, 2), 6, 0, 0, 0, 0);
	expect_news(&st, window(12, 6, "s", t0, 3), 4, 2, 0, 0, 0);
	assert_true(st.next == 18);
	/* 18..24 came and went unseen */
	expect_news(&st, window(25, 6, "s", t0, 4), 0, 6, 7, 0, 0);
	/* a CDN's stale copy, then the real thing again */
	expect_news(&st, window(20, 6, "s", t0, 5), 0, 0, 0, 0, 1);
	assert_true(st.next == 31);
	expect_news(&st, window(26, 6, "s", t0, 6), 5, 1, 0, 0, 0);
	/* exactly one window later: nothing missed */
	expect_news(&st, window(32, 6, "s", t0, 7), 0, 6, 0, 0, 0);
	/* the stream restarted at 0 with newer dates */
	expect_news(&st, window(0, 3, "r", t0 + 3600, 8), 0, 3, 0, 1, 0);
	assert_true(st.next == 3);
	/* same seq, different date: another restart lined up by chance */
	expect_news(&st, window(0, 4, "q", t0 + 7200, 9), 0, 4, 0, 1, 0);
	/* an empty playlist changes nothing */
	expect_news(&st, parse_ok("#EXTM3U\n#EXT-X-TARGETDURATION:2\n", NULL),
	    0, 0, 0, 0, 0);
	expect_news(&st, window(1, 4, "q", t0 + 7200, 10), 3, 1, 0, 0, 0);
}

static void
test_live_undated(void **state)
{
	kc_hls_live st;
	kc_hls_news nw;
	kc_hls *a, *b, *m;

	(void)state;
	kc_hls_live_init(&st);
	expect_news(&st, window(100, 5, "s", NAN, 1), 0, 5, 0, 0, 0);
	/* the query changed, the path did not: the same segment */
	expect_news(&st, window(102, 5, "s", NAN, 2), 3, 2, 0, 0, 0);
	/* within a window behind: stale */
	expect_news(&st, window(99, 5, "s", NAN, 3), 0, 0, 0, 0, 1);
	/* the last seen seq now names another file: reset */
	expect_news(&st, window(104, 5, "x", NAN, 4), 0, 5, 0, 1, 0);
	/* far behind: a restart */
	expect_news(&st, window(0, 5, "y", NAN, 5), 0, 5, 0, 1, 0);

	/* the stateless form */
	a = window(7, 4, "s", NAN, 1);
	b = window(9, 4, "s", NAN, 2);
	assert_int_equal(kc_hls_news_since(a, b, &nw), 0);
	assert_true(nw.first == 2 && nw.n == 2 && !nw.reset && !nw.missed);
	assert_int_equal(kc_hls_news_since(NULL, b, &nw), 0);
	assert_true(nw.first == 0 && nw.n == 4);
	m = parse_ok(kick_master, NULL);
	errno = 0;
	assert_int_equal(kc_hls_news_since(a, m, &nw), -1);
	assert_int_equal(errno, EINVAL);

	/* reload timing (RFC 8216 6.3.4) */
	assert_near(kc_hls_reload_delay(a, 1), 2, 0);
	assert_near(kc_hls_reload_delay(a, 0), 1, 0);
	b->target = 0;
	assert_near(kc_hls_reload_delay(b, 1), 1, 0);
	assert_near(kc_hls_reload_delay(b, 0), 0.5, 0);
	assert_near(kc_hls_reload_delay(NULL, 0), 0.5, 0);
	kc_hls_free(a);
	kc_hls_free(b);
	kc_hls_free(m);
}

/* ---- errors and limits ----------------------------------------------- */

static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		int err;
		long line;
		const char *why;
	} t[] = {
		{"", EINVAL, 1, "no #EXTM3U"},
		{"\n\n  \n", EINVAL, 3, "no #EXTM3U"},
		{"<!DOCTYPE html><html><title>Just a moment...</title>", EINVAL,
		    1, "not an HLS playlist"},
		{"#EXTM3U8\n", EINVAL, 1, "not an HLS playlist"},
		{"#EXTINF:1,\na.ts\n", EINVAL, 1, "not an HLS playlist"},
		{"#EXTM3U\n#EXTINF\na.ts\n", EINVAL, 2, "without a duration"},
		{"#EXTM3U\n#EXTINF:,x\na.ts\n", EINVAL, 2, "duration"},
		{"#EXTM3U\n#EXTINF:-2.5,\na.ts\n", EINVAL, 2, "negative"},
		{"#EXTM3U\n#EXTINF:1e3,\na.ts\n", EINVAL, 2, "duration"},
		{"#EXTM3U\n#EXTINF:nan,\na.ts\n", EINVAL, 2, "duration"},
		{"#EXTM3U\n#EXTINF:1.2.3,\na.ts\n", EINVAL, 2, "duration"},
		{"#EXTM3U\n#EXTINF:99999999999999999999999999,\na.ts\n", EINVAL,
		    2, "out of range"},
		{"#EXTM3U\n#EXTINF:1000000.5,\na.ts\n", EINVAL, 2,
		    "out of range"},
		{"#EXTM3U\n#EXTINF:10,\n", EINVAL, 2, "without a segment URI"},
		{"#EXTM3U\n#EXTINF:10,\n#EXTINF:10,\na.ts\n", EINVAL, 2,
		    "without a segment URI"},
		{"#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n", EINVAL, 3,
		    "without EXTINF"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\na.m3u8\n", EINVAL,
		    2, "without BANDWIDTH"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", EINVAL, 2,
		    "without a URI"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"
		    "#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n", EINVAL, 2,
		    "without a URI"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\nb.m3u8\n",
		    EINVAL, 4, "without EXT-X-STREAM-INF"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=-1\na\n", EINVAL, 2,
		    "negative"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=9223372036854775808\na\n",
		    EINVAL, 2, "out of range"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1920\na\n",
		    EINVAL, 2, "RESOLUTION"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1x999999\n"
		    "a\n", EINVAL, 2, "RESOLUTION"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,FRAME-RATE=fast\na\n",
		    EINVAL, 2, "FRAME-RATE"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1\n",
		    EINVAL, 2, "unterminated"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH\na\n", EINVAL, 2,
		    "without '='"},
		{"#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME=\"a\"\n", EINVAL, 2,
		    "without GROUP-ID"},
		{"#EXTM3U\n#EXT-X-MEDIA:GROUP-ID=\"g\",NAME=\"a\"\n", EINVAL, 2,
		    "without TYPE"},
		{"#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"g\"\n", EINVAL, 2,
		    "without NAME"},
		{"#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"g\",NAME=\"a\"\n",
		    EINVAL, 2, "without EXT-X-STREAM-INF"},
		{"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na\n#EXTINF:1,\nb\n",
		    EINVAL, 4, "mixed"},
		{"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA:TYPE=AUDIO\n",
		    EINVAL, 3, "mixed"},
		{"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:99999999999999999999\n",
		    EINVAL, 2, "out of range"},
		{"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-1\n", EINVAL, 2, "negative"},
		{"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0x10\n", EINVAL, 2,
		    "not a decimal integer"},
		{"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:9223372036854775806\n"
		    "#EXTINF:1,\na\n#EXTINF:1,\nb\n", EINVAL, 6, "2^63-1"},
		{"#EXTM3U\n#EXT-X-DISCONTINUITY-SEQUENCE:9223372036854775807\n"
		    "#EXT-X-DISCONTINUITY\n#EXTINF:1,\na\n", EINVAL, 5, "2^63-1"},
		{"#EXTM3U\n#EXTINF:1,\na\n#EXT-X-MEDIA-SEQUENCE:5\n", EINVAL, 4,
		    "after the first segment"},
		{"#EXTM3U\n#EXTINF:1,\na\n#EXT-X-DISCONTINUITY-SEQUENCE:5\n",
		    EINVAL, 4, "after the first segment"},
		{"#EXTM3U\n#EXT-X-PLAYLIST-TYPE:LIVE\n", EINVAL, 2,
		    "not VOD or EVENT"},
		{"#EXTM3U\n#EXT-X-TARGETDURATION:-2\n", EINVAL, 2, "negative"},
		{"#EXTM3U\n#EXT-X-TARGETDURATION:\n", EINVAL, 2, "empty"},
		{"#EXTM3U\n#EXT-X-VERSION:three\n", EINVAL, 2, "VERSION"},
		{"#EXTM3U\n#EXT-X-VERSION:2147483648\n", EINVAL, 2,
		    "out of range"},
	};
	static const char nul[] = "#EXTM3U\n#EXTINF:1,\na\0b.ts\n";
	char big[100];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		parse_err(t[i].text, t[i].err, t[i].line, t[i].why);

	/* NUL bytes, with their line */
	parse_err_n(nul, sizeof(nul) - 1, NULL, EINVAL, 3, "NUL");
	parse_err_n("\0", 1, NULL, EINVAL, 1, "NUL");
	/* bases that would make unwritable URIs */
	parse_err_n("#EXTM3U\n", 8, " /x/p.m3u8", EINVAL, 0, "base");
	parse_err_n("#EXTM3U\n", 8, "/x/p.m3u8\n", EINVAL, 0, "base");
	/* why and line are optional, a short why is cut */
	{
		kc_hls *pl;

		assert_int_equal(kc_hls_parse("x", 1, NULL, &pl, NULL, NULL,
		    0), -1);
		assert_int_equal(kc_hls_parse("x", 1, NULL, &pl, NULL, big,
		    4), -1);
		assert_int_equal(strlen(big), 3);
		assert_int_equal(kc_hls_parse(NULL, 0, NULL, &pl, NULL, NULL,
		    0), -1);
		assert_int_equal(kc_hls_parse(NULL, 1, NULL, &pl, NULL, NULL,
		    0), -1);
	}
}

static void
test_whitespace(void **state)
{
	const char *clean = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
	    "#EXT-X-MEDIA-SEQUENCE:3\n#EXTINF:1.5,title, with comma\n"
	    "dir/seg 1.ts\n#EXTINF:2,\nseg2.ts\n#EXT-X-ENDLIST\n";
	const char *odd[] = {
		"\xEF\xBB\xBF#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n\r\n"
		"#EXT-X-MEDIA-SEQUENCE:3\r\n#EXTINF:1.5,title, with comma\r\n"
		"dir/seg 1.ts\r\n#EXTINF:2,\r\nseg2.ts\r\n#EXT-X-ENDLIST\r\n",
		"\n\n  #EXTM3U  \n# a comment\n\t#EXT-X-TARGETDURATION:  2\n"
		"#EXT-X-MEDIA-SEQUENCE:3\t\n  #EXTINF:1.5 ,title, with comma\t"
		"\n   dir/seg 1.ts   \r#EXTINF:2\nseg2.ts\n"
		"#EXT-X-UNKNOWN-TAG:FOO=\"BAR\n#EXT-X-STREAM-INFO:garbage\n"
		"#EXTRA\n#EXT-X-ENDLIST",
		"#EXTM3U\r#EXT-X-TARGETDURATION:2\r#EXT-X-MEDIA-SEQUENCE:3\r"
		"#EXTINF:1.5,title, with comma\rdir/seg 1.ts\r#EXTINF:2,\r"
		"seg2.ts\r#EXT-X-ENDLIST",
	};
	kc_hls *a, *b;
	size_t i, j;

	(void)state;
	a = parse_ok(clean, "/m/p.m3u8");
	assert_int_equal(a->nseg, 2);
	assert_string_equal(a->seg[0].title, "title, with comma");
	assert_string_equal(a->seg[0].uri, "/m/dir/seg 1.ts");
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		b = parse_ok(odd[i], "/m/p.m3u8");
		assert_int_equal(b->nseg, a->nseg);
		assert_int_equal(b->target, a->target);
		assert_true(b->seq0 == a->seq0);
		assert_int_equal(b->endlist, 1);
		for (j = 0; j < a->nseg; j++) {
			assert_string_equal(b->seg[j].uri, a->seg[j].uri);
			assert_near(b->seg[j].duration, a->seg[j].duration, 0);
		}
		assert_string_equal(b->seg[0].title, "title, with comma");
		kc_hls_free(b);
	}
	kc_hls_free(a);
	/* line numbers count CRLF once, lone CR too */
	parse_err("#EXTM3U\r\n#EXTINF:1,\r\na\r\n\r\n#EXTINF:x,\r\n", EINVAL,
	    5, "EXTINF");
	parse_err("#EXTM3U\r#EXTINF:1,\ra\r\r#EXTINF:x,\r", EINVAL, 5,
	    "EXTINF");
	/* leading title spaces are kept */
	a = parse_ok("#EXTM3U\n#EXTINF:1,  x \na\n", NULL);
	assert_string_equal(a->seg[0].title, "  x");
	kc_hls_free(a);
}

static void
test_limits(void **state)
{
	struct text t = {NULL, 0, 0};
	kc_hls *pl;
	char *line;
	size_t i;

	(void)state;
	/* 100 000 segments: fine */
	tprintf(&t, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
	    "#EXT-X-MEDIA-SEQUENCE:9000000000000000000\n");
	for (i = 0; i < 100000; i++)
		tprintf(&t, "#EXTINF:2.000,\ns%zu.ts\n", i);
	pl = parse_ok(t.p, "http://h/x/p.m3u8");
	assert_int_equal(pl->nseg, 100000);
	assert_true(pl->seg[99999].seq == 9000000000000099999LL);
	assert_near(pl->seg[99999].start, 199998, 0);
	assert_near(pl->duration, 200000, 0);
	assert_string_equal(pl->seg[99999].uri, "http://h/x/s99999.ts");
	assert_int_equal(kc_hls_find(pl, 123457), 61728);
	kc_hls_free(pl);

	/* the limit exactly, then one more */
	for (; i < KC_HLS_MAX_SEGMENTS; i++)
		tprintf(&t, "#EXTINF:2.000,\ns%zu.ts\n", i);
	pl = parse_ok(t.p, NULL);
	assert_int_equal(pl->nseg, KC_HLS_MAX_SEGMENTS);
	kc_hls_free(pl);
	tprintf(&t, "#EXTINF:2.000,\nover.ts\n");
	parse_err_n(t.p, t.n, NULL, E2BIG, 3 + 2 * KC_HLS_MAX_SEGMENTS + 2,
	    "more than 200000 segments");
	free(t.p);

	/* variants */
	memset(&t, 0, sizeof(t));
	tprintf(&t, "#EXTM3U\n");
	for (i = 0; i < KC_HLS_MAX_VARIANTS; i++)
		tprintf(&t, "#EXT-X-STREAM-INF:BANDWIDTH=%zu\nv%zu.m3u8\n",
		    i + 1, i);
	pl = parse_ok(t.p, NULL);
	assert_int_equal(pl->nvar, KC_HLS_MAX_VARIANTS);
	assert_ptr_equal(kc_hls_pick_cut(pl, 0), &pl->var[i - 1]);
	kc_hls_free(pl);
	tprintf(&t, "#EXT-X-STREAM-INF:BANDWIDTH=1\nover.m3u8\n");
	parse_err_n(t.p, t.n, NULL, E2BIG, 2 + 2 * KC_HLS_MAX_VARIANTS + 1,
	    "more than 1024 variant");
	free(t.p);

	/* attributes in one tag */
	memset(&t, 0, sizeof(t));
	tprintf(&t, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1");
	for (i = 1; i < KC_HLS_MAX_ATTRS; i++)
		tprintf(&t, ",X%zu=1", i);
	tprintf(&t, "\nv.m3u8\n");
	pl = parse_ok(t.p, NULL);
	kc_hls_free(pl);
	t.n -= strlen("\nv.m3u8\n");
	tprintf(&t, ",Y=2\nv.m3u8\n");
	parse_err_n(t.p, t.n, NULL, E2BIG, 2, "too many attributes");
	free(t.p);

	/* line length: the limit, and one byte more */
	line = malloc(KC_HLS_MAX_LINE + 64);
	assert_non_null(line);
	i = (size_t)snprintf(line, 64, "#EXTM3U\n#EXTINF:1,\n");
	memset(line + i, 'a', KC_HLS_MAX_LINE);
	memcpy(line + i + KC_HLS_MAX_LINE, "\n", 2);
	pl = parse_ok(line, NULL);
	assert_int_equal(strlen(pl->seg[0].uri), KC_HLS_MAX_LINE);
	kc_hls_free(pl);
	memcpy(line + i + KC_HLS_MAX_LINE, "a\n", 3);
	parse_err(line, E2BIG, 3, "line longer than");
	/* ... and in the base */
	memset(line, 'b', KC_HLS_MAX_LINE + 1);
	line[KC_HLS_MAX_LINE + 1] = '\0';
	parse_err_n("#EXTM3U\n", 8, line, E2BIG, 0, "base");
	errno = 0;
	assert_null(kc_hls_resolve(line, "a"));
	assert_int_equal(errno, E2BIG);

	/* memory: a long base times many segments */
	memset(line, 'c', KC_HLS_MAX_LINE);
	line[0] = '/';
	line[KC_HLS_MAX_LINE] = '\0';
	memset(&t, 0, sizeof(t));
	tprintf(&t, "#EXTM3U\n");
	for (i = 0; i < 5000; i++)
		tprintf(&t, "#EXTINF:1,\nx\n");
	line[KC_HLS_MAX_LINE - 1] = '/';
	parse_err_n(t.p, t.n, line, E2BIG, -1, "more than 256 MiB");
	free(t.p);
	free(line);
}

/* ---- the writer ------------------------------------------------------ */

static void
test_write_text(void **state)
{
	kc_hls_segment seg[2];
	kc_hls pl;
	char *text;
	size_t len;
	char why[200];

	(void)state;
	memset(&pl, 0, sizeof(pl));
	memset(seg, 0, sizeof(seg));
	seg[0].duration = 2;
	seg[0].uri = "/buf/seg7.ts";
	seg[0].pdt = utc(2026, 1, 31, 12, 0, 0) + 0.25;
	seg[0].pdt_tag = 1;
	seg[1].duration = 1.5;
	seg[1].uri = "/buf/seg8.ts";
	seg[1].title = "intro";
	seg[1].discontinuity = 1;
	seg[1].pdt = 12345;	/* not written: no pdt_tag */
	pl.seq0 = 7;
	pl.type = KC_HLS_TYPE_EVENT;
	pl.endlist = 1;
	pl.seg = seg;
	pl.nseg = 2;
	assert_int_equal(kc_hls_write(&pl, &text, &len, why, sizeof(why)), 0);
	assert_string_equal(text, "#EXTM3U\n#EXT-X-VERSION:3\n"
	    "#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n"
	    "#EXT-X-PLAYLIST-TYPE:EVENT\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2026-01-31T12:00:00.250Z\n"
	    "#EXTINF:2.000,\n/buf/seg7.ts\n"
	    "#EXT-X-DISCONTINUITY\n#EXTINF:1.500,intro\n/buf/seg8.ts\n"
	    "#EXT-X-ENDLIST\n");
	assert_int_equal(len, strlen(text));
	free(text);

	/* an empty playlist; the target follows the longest segment */
	memset(&pl, 0, sizeof(pl));
	assert_int_equal(kc_hls_write(&pl, &text, &len, NULL, 0), 0);
	assert_string_equal(text, "#EXTM3U\n#EXT-X-VERSION:3\n"
	    "#EXT-X-TARGETDURATION:0\n#EXT-X-MEDIA-SEQUENCE:0\n");
	free(text);
	seg[0].pdt_tag = 0;
	seg[0].duration = 6.5;
	pl.seg = seg;
	pl.nseg = 1;
	pl.target = 4;
	assert_int_equal(kc_hls_write(&pl, &text, &len, NULL, 0), 0);
	assert_non_null(strstr(text, "#EXT-X-TARGETDURATION:7\n"));
	assert_non_null(strstr(text, "#EXTINF:6.500,\n"));
	free(text);
	seg[0].duration = 0.1 + 0.2;	/* not 0.3: needs 17 digits */
	assert_int_equal(kc_hls_write(&pl, &text, &len, NULL, 0), 0);
	assert_non_null(strstr(text, "#EXTINF:0.30000000000000004,\n"));
	free(text);
}

static void
test_write_errors(void **state)
{
	kc_hls_segment seg[2];
	kc_hls_key key;
	kc_hls_map map;
	kc_hls pl;
	kc_hls *m;
	char *text = (char *)1, why[200];
	size_t len, i;
	static const char *const bad_uri[] = {"", "a\nb", "a\rb", "#a", " a",
	    "a\t"};

	(void)state;
	memset(&pl, 0, sizeof(pl));
	memset(seg, 0, sizeof(seg));
	pl.seg = seg;
	pl.nseg = 1;
	seg[0].uri = "a.ts";
	seg[0].duration = 1;
#define WBAD(sub) do {							\
	errno = 0;							\
	assert_int_equal(kc_hls_write(&pl, &text, &len, why,		\
	    sizeof(why)), -1);						\
	assert_int_equal(errno, EINVAL);				\
	assert_null(text);						\
	if (strstr(why, sub) == NULL)					\
		fail_msg("why \"%s\" lacks \"%s\"", why, sub);		\
} while (0)
	for (i = 0; i < sizeof(bad_uri) / sizeof(bad_uri[0]); i++) {
		seg[0].uri = bad_uri[i];
		WBAD("URI");
	}
	seg[0].uri = NULL;
	WBAD("URI");
	seg[0].uri = "a.ts";
	seg[0].duration = -1;
	WBAD("duration");
	seg[0].duration = NAN;
	WBAD("duration");
	seg[0].duration = 1;
	seg[0].title = "x\ny";
	WBAD("title");
	seg[0].title = NULL;
	seg[0].pdt_tag = 1;
	seg[0].pdt = NAN;
	WBAD("date");
	seg[0].pdt = 253402300800.0;	/* year 10000 */
	WBAD("date");
	seg[0].pdt = -62167219201.0;	/* before year 0 */
	WBAD("date");
	seg[0].pdt_tag = 0;
	seg[0].br_length = -1;
	WBAD("byte range");
	seg[0].br_length = 10;
	seg[0].br_offset = LLONG_MAX - 5;
	WBAD("byte range");
	seg[0].br_length = 0;
	memset(&key, 0, sizeof(key));
	key.method_name = "AES-128";
	key.uri = "k\"ey";
	seg[0].key = &key;
	WBAD("key URI");
	key.uri = "k";
	key.iv = "0xZZ";
	WBAD("IV");
	key.iv = NULL;
	key.method_name = "AES 128";
	WBAD("METHOD");
	key.method_name = NULL;
	key.method = KC_HLS_KEY_OTHER;
	WBAD("METHOD");
	seg[0].key = NULL;
	memset(&map, 0, sizeof(map));
	map.uri = "i.mp4";
	seg[0].map = &map;
	seg[1] = seg[0];
	seg[1].map = NULL;
	pl.nseg = 2;
	WBAD("EXT-X-MAP");
	pl.nseg = 1;
	pl.seq0 = -1;
	WBAD("negative");
	pl.seq0 = 0;
	pl.type = 7;
	WBAD("type");
	pl.type = 0;
	assert_int_equal(kc_hls_write(&pl, &text, &len, why, sizeof(why)), 0);
	free(text);
	m = parse_ok(kick_master, NULL);
	errno = 0;
	assert_int_equal(kc_hls_write(m, &text, &len, why, sizeof(why)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(why, "not a media playlist"));
	kc_hls_free(m);
	errno = 0;
	assert_int_equal(kc_hls_write(NULL, &text, &len, NULL, 0), -1);
	assert_int_equal(errno, EINVAL);
#undef WBAD
}

static void
expect_same(const kc_hls *a, const kc_hls *b)
{
	size_t i;

	assert_int_equal(a->nseg, b->nseg);
	assert_true(a->seq0 == b->seq0 && a->dseq0 == b->dseq0);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->endlist, b->endlist);
	assert_int_equal(a->iframes, b->iframes);
	for (i = 0; i < a->nseg; i++) {
		const kc_hls_segment *x = &a->seg[i], *y = &b->seg[i];

		assert_true(x->duration == y->duration);
		assert_string_equal(x->title ? x->title : "", y->title);
		assert_string_equal(x->uri, y->uri);
		assert_int_equal(x->discontinuity, y->discontinuity);
		assert_int_equal(x->gap, y->gap);
		assert_int_equal(x->pdt_tag, y->pdt_tag);
		if (x->pdt_tag && x->pdt != y->pdt)
			fail_msg("segment %zu: pdt %.17g, want %.17g", i,
			    y->pdt, x->pdt);
		assert_true(x->br_length == y->br_length);
		if (x->br_length > 0)
			assert_true(x->br_offset == y->br_offset);
		assert_int_equal(x->key == NULL, y->key == NULL);
		if (x->key != NULL) {
			assert_string_equal(x->key->method_name,
			    y->key->method_name);
			assert_int_equal(x->key->method, y->key->method);
			assert_string_equal(x->key->uri, y->key->uri);
			assert_int_equal(x->key->iv == NULL, y->key->iv == NULL);
			if (x->key->iv)
				assert_string_equal(x->key->iv, y->key->iv);
			assert_int_equal(x->key->keyformat == NULL,
			    y->key->keyformat == NULL);
		}
		assert_int_equal(x->map == NULL, y->map == NULL);
		if (x->map != NULL) {
			assert_string_equal(x->map->uri, y->map->uri);
			assert_true(x->map->length == y->map->length &&
			    x->map->offset == y->map->offset);
		}
	}
}

static void
test_write_round_trip(void **state)
{
	kc_hls_key aes = {KC_HLS_KEY_AES128, "AES-128",
	    "https://k.example/key?id=9", "0x00ff", NULL};
	kc_hls_key sa = {KC_HLS_KEY_SAMPLE_AES, "SAMPLE-AES", "skd://x",
	    NULL, "com.apple.streamingkeydelivery"};
	kc_hls_map map = {"https://c.example/init.mp4", 720, 0};
	kc_hls_segment seg[8];
	kc_hls pl, *p2, *p3;
	char *t1, *t2, *t3;
	size_t n1, n2, n3, i;
	double base = utc(2026, 11, 25, 6, 0, 0);

	(void)state;
	memset(&pl, 0, sizeof(pl));
	memset(seg, 0, sizeof(seg));
	for (i = 0; i < 8; i++) {
		static char uris[8][64];

		snprintf(uris[i], sizeof(uris[i]),
		    "https://c.example/v/%zu.m4s?tok=a,b", i);
		seg[i].uri = uris[i];
		seg[i].duration = 2.002 + (double)i / 3;
		seg[i].map = &map;
	}
	seg[0].pdt_tag = 1;
	seg[0].pdt = base + 0.123456789;	/* more than milliseconds */
	seg[1].title = "  spaced, with comma";
	seg[2].discontinuity = 1;
	seg[2].key = &aes;
	seg[3].key = &aes;
	seg[3].gap = 1;
	seg[3].pdt_tag = 1;
	seg[3].pdt = -86400.5;			/* 1969 */
	seg[4].br_length = 1000;
	seg[4].br_offset = 0;
	seg[5].br_length = 2000;
	seg[5].br_offset = 1000;
	seg[5].key = &sa;
	seg[6].br_length = 10;
	seg[6].br_offset = LLONG_MAX - 10;
	seg[6].pdt_tag = 1;
	seg[6].pdt = 253402300799.999;		/* 9999-12-31T23:59:59.999 */
	seg[7].duration = 0;
	pl.version = 7;
	pl.target = 3;
	pl.seq0 = 41;
	pl.dseq0 = 3;
	pl.type = KC_HLS_TYPE_VOD;
	pl.endlist = 1;
	pl.seg = seg;
	pl.nseg = 8;

	assert_int_equal(kc_hls_write(&pl, &t1, &n1, NULL, 0), 0);
	/* a local base: an http(s) one would refuse the skd: key */
	p2 = parse_ok(t1, "file:///elsewhere/p.m3u8");
	expect_same(&pl, p2);
	assert_int_equal(p2->version, 7);
	assert_int_equal(p2->target, 4);	/* 2.002 + 6/3 rounds to 4 */
	assert_true(p2->seg[7].seq == 48 && p2->seg[7].dseq == 4);
	assert_near(p2->seg[1].pdt, seg[0].pdt + seg[0].duration, 1e-6);
	assert_true(isnan(p2->seg[2].pdt));
	assert_non_null(strstr(t1, "#EXT-X-PROGRAM-DATE-TIME:"
	    "1969-12-30T23:59:59.500Z\n"));
	assert_non_null(strstr(t1, "#EXT-X-PROGRAM-DATE-TIME:"
	    "9999-12-31T23:59:59."));
	assert_non_null(strstr(t1, "#EXT-X-KEY:METHOD=NONE\n"));
	assert_non_null(strstr(t1, "#EXT-X-MAP:URI=\"https://c.example/"
	    "init.mp4\",BYTERANGE=\"720@0\"\n"));
	/* the map is written once while it stays the same */
	assert_null(strstr(strstr(t1, "#EXT-X-MAP") + 1, "#EXT-X-MAP"));
	assert_int_equal(kc_hls_write(p2, &t2, &n2, NULL, 0), 0);
	assert_int_equal(n1, n2);
	assert_string_equal(t1, t2);

	/* a parsed playlist round-trips too (ffmpeg's own shape) */
	p3 = parse_ok("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
	    "#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:"
	    "2026-11-25T06:17:34.741+0000\ns0.ts\n#EXTINF:1.001,\ns1.ts\n"
	    "#EXT-X-ENDLIST\n", "/abs/dir/p.m3u8");
	assert_int_equal(kc_hls_write(p3, &t3, &n3, NULL, 0), 0);
	assert_string_equal(t3, "#EXTM3U\n#EXT-X-VERSION:3\n"
	    "#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2026-11-25T06:17:34.741Z\n"
	    "#EXTINF:2.000,\n/abs/dir/s0.ts\n#EXTINF:1.001,\n/abs/dir/s1.ts\n"
	    "#EXT-X-ENDLIST\n");
	kc_hls_free(p2);
	p2 = parse_ok(t3, "/other/q.m3u8");
	expect_same(p3, p2);
	assert_true(p2->seg[1].pdt == p3->seg[1].pdt);
	free(t1);
	free(t2);
	free(t3);
	kc_hls_free(p2);
	kc_hls_free(p3);
}

/* ---- ffmpeg and ffprobe ---------------------------------------------- */

static int
count_files(const char *dir, const char *prefix, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	size_t pl = strlen(prefix), sl = strlen(suffix), l;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		l = strlen(e->d_name);
		if (l >= pl + sl && strncmp(e->d_name, prefix, pl) == 0 &&
		    strcmp(e->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static kc_hls *
parse_file(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	kc_hls *pl = parse_ok(text, path);

	free(text);
	return pl;
}

static void
test_ffmpeg_hls(void **state)
{
	char dir[4096], path[4200], pat[4200], want[4200];
	kc_hls *m, *pl;
	size_t i, v;
	double sum;
	struct stat st;

	(void)state;
	if (!have_ffmpeg())
		skip();
	scratch_dir(dir, sizeof(dir), "ffhls");
	snprintf(path, sizeof(path), "%s/p%%v.m3u8", dir);
	snprintf(pat, sizeof(pat), "%s/s%%v_%%03d.ts", dir);
	{
		const char *argv[] = {"ffmpeg", "-nostdin", "-hide_banner",
		    "-loglevel", "error", "-f", "lavfi", "-i",
		    "testsrc2=size=320x180:rate=25:duration=7", "-f", "lavfi",
		    "-i", "sine=frequency=440:duration=7", "-filter_complex",
		    "[0:v]split=2[a][b];[b]scale=160:90[b2]", "-map", "[a]",
		    "-map", "[b2]", "-map", "1:a", "-map", "1:a", "-c:v",
		    "libx264", "-g", "25", "-c:a", "aac", "-f", "hls",
		    "-hls_time", "2", "-hls_playlist_type", "vod",
		    "-hls_flags", "program_date_time", "-var_stream_map",
		    "v:0,a:0 v:1,a:1", "-master_pl_name", "master.m3u8",
		    "-hls_segment_filename", pat, path, NULL};
		char *out = run(argv);

		assert_non_null(out);
		free(out);
	}
	snprintf(path, sizeof(path), "%s/master.m3u8", dir);
	m = parse_file(path);
	assert_int_equal(m->kind, KC_HLS_MASTER);
	assert_int_equal(m->nvar, 2);
	assert_int_equal(m->var[0].width, 320);
	assert_int_equal(m->var[0].height, 180);
	assert_int_equal(m->var[1].width, 160);
	assert_int_equal(m->var[1].height, 90);
	for (v = 0; v < 2; v++) {
		snprintf(want, sizeof(want), "%s/p%zu.m3u8", dir, v);
		assert_string_equal(m->var[v].uri, want);
		assert_non_null(strstr(m->var[v].codecs, "avc1."));
		assert_non_null(strstr(m->var[v].codecs, "mp4a.40.2"));
		assert_int_equal(m->var[v].has_video, 1);
		assert_true(m->var[v].bandwidth > 0);
	}
	assert_ptr_equal(kc_hls_pick_analysis(m, KC_HLS_MIN_HEIGHT),
	    &m->var[0]);
	assert_ptr_equal(kc_hls_pick_analysis(m, 0), &m->var[1]);
	assert_ptr_equal(kc_hls_pick_cut(m, 0), &m->var[0]);
	assert_ptr_equal(kc_hls_pick_cut(m, 100), &m->var[1]);

	for (v = 0; v < 2; v++) {
		char prefix[16];

		pl = parse_file(m->var[v].uri);
		snprintf(prefix, sizeof(prefix), "s%zu_", v);
		assert_int_equal(pl->nseg, count_files(dir, prefix, ".ts"));
		assert_true(pl->nseg >= 3);
		assert_int_equal(pl->type, KC_HLS_TYPE_VOD);
		assert_int_equal(pl->endlist, 1);
		assert_int_equal(pl->target, 2);
		sum = 0;
		for (i = 0; i < pl->nseg; i++) {
			const kc_hls_segment *s = &pl->seg[i];

			assert_int_equal(stat(s->uri, &st), 0);
			assert_near(s->duration, probe_duration(s->uri, NULL,
			    NULL, NULL, NULL), 0.1);
			assert_int_equal(s->pdt_tag, 1);
			if (i > 0)
				assert_near(s->pdt - pl->seg[i - 1].pdt,
				    pl->seg[i - 1].duration, 0.002);
			sum += s->duration;
		}
		assert_near(pl->duration, sum, 1e-9);
		assert_near(pl->duration, probe_duration(m->var[v].uri, NULL,
		    NULL, NULL, NULL), 0.1);
		assert_near(pl->duration, 7, 0.1);
		kc_hls_free(pl);
	}
	kc_hls_free(m);

	/* a live sliding window of 3, as ffmpeg leaves it */
	snprintf(path, sizeof(path), "%s/live.m3u8", dir);
	snprintf(pat, sizeof(pat), "%s/live%%d.ts", dir);
	{
		const char *argv[] = {"ffmpeg", "-nostdin", "-hide_banner",
		    "-loglevel", "error", "-f", "lavfi", "-i",
		    "testsrc2=size=160x90:rate=10:duration=9", "-c:v",
		    "libx264", "-g", "10", "-f", "hls", "-hls_time", "2",
		    "-hls_list_size", "3", "-hls_flags",
		    "delete_segments+omit_endlist", "-hls_segment_filename",
		    pat, path, NULL};
		char *out = run(argv);

		assert_non_null(out);
		free(out);
	}
	pl = parse_file(path);
	assert_int_equal(pl->nseg, 3);
	assert_int_equal(pl->endlist, 0);
	assert_int_equal(pl->type, KC_HLS_TYPE_NONE);
	assert_true(pl->seq0 >= 2);
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "%s/live%lld.ts", dir,
		    pl->seq0 + (long long)i);
		assert_string_equal(pl->seg[i].uri, want);
		assert_int_equal(stat(want, &st), 0);
	}
	kc_hls_free(pl);
}

/* Makes a 2 s MPEG-TS file with video and audio. */
static void
make_ts(const char *path, int freq)
{
	char sine[64];
	const char *argv[] = {"ffmpeg", "-nostdin", "-hide_banner",
	    "-loglevel", "error", "-y", "-f", "lavfi", "-i",
	    "testsrc2=size=160x90:rate=25:duration=2", "-f", "lavfi", "-i",
	    sine, "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-f",
	    "mpegts", path, NULL};
	char *out;

	snprintf(sine, sizeof(sine), "sine=frequency=%d:duration=2", freq);
	out = run(argv);
	assert_non_null(out);
	free(out);
}

static void
test_write_ffprobe(void **state)
{
	char dir[4096], a[4200], b[4200], pls[4200], rel[4200];
	char *text, *out;
	size_t len;
	kc_hls_segment seg[2];
	kc_hls pl;

	(void)state;
	if (!have_ffmpeg())
		skip();
	scratch_dir(dir, sizeof(dir), "wprobe");
	snprintf(a, sizeof(a), "%s/seg 100.ts", dir);
	snprintf(b, sizeof(b), "%s/seg101.ts", dir);
	make_ts(a, 440);
	make_ts(b, 660);

	memset(&pl, 0, sizeof(pl));
	memset(seg, 0, sizeof(seg));
	seg[0].uri = a;
	seg[0].duration = 2;
	seg[0].pdt_tag = 1;
	seg[0].pdt = utc(2026, 11, 25, 6, 0, 0) + 0.5;
	seg[1].uri = b;
	seg[1].duration = 2;
	pl.seq0 = 100;
	pl.type = KC_HLS_TYPE_VOD;
	pl.endlist = 1;
	pl.seg = seg;
	pl.nseg = 2;
	assert_int_equal(kc_hls_write(&pl, &text, &len, NULL, 0), 0);
	snprintf(pls, sizeof(pls), "%s/cut.m3u8", dir);
	write_file(pls, text);
	free(text);
	assert_near(probe_duration(pls, NULL, NULL, NULL, NULL), 4, 0.1);
	{
		const char *argv[] = {"ffprobe", "-v", "error", "-show_entries",
		    "stream=codec_type", "-of", "csv=p=0", pls, NULL};

		out = run(argv);
		assert_non_null(out);
		assert_non_null(strstr(out, "video"));
		assert_non_null(strstr(out, "audio"));
		free(out);
	}

	/* with a discontinuity, and relative URIs */
	seg[1].discontinuity = 1;
	seg[0].uri = "seg 100.ts";
	seg[1].uri = "seg101.ts";
	assert_int_equal(kc_hls_write(&pl, &text, &len, NULL, 0), 0);
	snprintf(rel, sizeof(rel), "%s/rel.m3u8", dir);
	write_file(rel, text);
	free(text);
	assert_near(probe_duration(rel, NULL, NULL, NULL, NULL), 4, 0.1);

	/* segment files without a media extension need two options */
	snprintf(a, sizeof(a), "%s/000100.seg", dir);
	snprintf(b, sizeof(b), "%s/000101.seg", dir);
	make_ts(a, 440);
	make_ts(b, 660);
	seg[0].uri = a;
	seg[1].uri = b;
	assert_int_equal(kc_hls_write(&pl, &text, &len, NULL, 0), 0);
	write_file(pls, text);
	free(text);
	assert_true(probe_duration(pls, NULL, NULL, NULL, NULL) < 0);
	assert_near(probe_duration(pls, "-allowed_extensions", "ALL",
	    "-extension_picky", "0"), 4, 0.1);
}

/* ---- the fuzz corpus ------------------------------------------------- */

static void
test_corpus(void **state)
{
	const char *root = getenv("KC_ROOT");
	char dir[4096], path[4400];
	struct dirent *e;
	DIR *d;
	int files = 0, good = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/hls",
	    root && *root ? root : ".");
	d = opendir(dir);
	if (d == NULL)
		fail_msg("%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		const char *bases[] = {NULL, "https://h.example/a/p.m3u8?t=1",
		    "/srv/a/p.m3u8"};
		int expect_ok, b;
		size_t len;
		char *text;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = read_file(path, &len);
		files++;
		expect_ok = strncmp(e->d_name, "bad-", 4) != 0 &&
		    strncmp(e->d_name, "garbage", 7) != 0 &&
		    strncmp(e->d_name, "cloudflare", 10) != 0 &&
		    strncmp(e->d_name, "nul-", 4) != 0 &&
		    strcmp(e->d_name, "empty.m3u8") != 0;
		for (b = 0; b < 3; b++) {
			kc_hls *pl = NULL, *p2;
			char why[256], *t1, *t2;
			size_t n1, n2;
			long line;
			int rc = kc_hls_parse(text, len, bases[b], &pl, &line,
			    why, sizeof(why));
			/* local-*: references only a local playlist may make
			 * (file:, skd:), refused from an http(s) base */
			int want = expect_ok && !(b == 1 &&
			    strncmp(e->d_name, "local-", 6) == 0);

			if ((rc == 0) != want)
				fail_msg("%s: parse %s (line %ld: %s)",
				    e->d_name, rc ? "failed" : "succeeded",
				    line, why);
			if (rc != 0 && expect_ok)
				assert_int_equal(errno, EPERM);
			if (rc != 0)
				continue;
			good++;
			if (pl->kind == KC_HLS_MEDIA) {
				assert_int_equal(kc_hls_write(pl, &t1, &n1, why,
				    sizeof(why)), 0);
				p2 = parse_ok(t1, bases[b]);
				expect_same(pl, p2);
				assert_int_equal(kc_hls_write(p2, &t2, &n2, NULL,
				    0), 0);
				assert_string_equal(t1, t2);
				free(t1);
				free(t2);
				kc_hls_free(p2);
			} else
				assert_non_null(kc_hls_pick_analysis(pl, 144));
			kc_hls_free(pl);
		}
		free(text);
	}
	closedir(d);
	if (files < 25)
		fail_msg("only %d corpus files in %s", files, dir);
	assert_true(good > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attr),
		cmocka_unit_test(test_resolve_rfc3986),
		cmocka_unit_test(test_resolve_hls),
		cmocka_unit_test(test_master_kick),
		cmocka_unit_test(test_master_shapes),
		cmocka_unit_test(test_media_vod),
		cmocka_unit_test(test_media_live),
		cmocka_unit_test(test_pdt),
		cmocka_unit_test(test_discontinuity),
		cmocka_unit_test(test_byterange_map),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_web_only),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_live_dated),
		cmocka_unit_test(test_live_undated),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_write_text),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test(test_ffmpeg_hls),
		cmocka_unit_test(test_write_ffprobe),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests_name("hls", tests, NULL, NULL);
}
