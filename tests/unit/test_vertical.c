/*
 * test_vertical.c - unit tests of what kc-cut makes beside a clip: the
 * --vertical modes as users write them (src/lib/vertical.c:
 * kc_vert_parse, kc_vert_fits), the command line of each mode, ffmpeg's
 * progress report read while it runs (kc_vert_progress, on partial and
 * odd reports), where the poster is taken (src/lib/poster.c:
 * kc_poster_at: the peak, else the middle, never the first frame) and
 * the poster command's strip (its tiles' times); and the picture size
 * the clip check reads (src/lib/cut.c: kc_cut_verify_parse).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "cut.h"
#include "poster.h"
#include "vertical.h"

/* kc_vert_parse's result as text: "crop -1", "stack 1,2,3,4", "ERR". */
static const char *
parsed(const char *spec)
{
	static char buf[128];
	char why[300];
	kc_vert v;

	if (kc_vert_parse(spec, &v, why, sizeof(why)) != 0) {
		assert_true(strlen(why) > 10);	/* says what is wanted */
		return "ERR";
	}
	if (v.mode == KC_VERT_STACK)
		snprintf(buf, sizeof(buf), "stack %ld,%ld,%ld,%ld", v.rx, v.ry,
		    v.rw, v.rh);
	else
		snprintf(buf, sizeof(buf), "%s %ld", kc_vert_name(&v), v.x);
	return buf;
}

static void
test_parse(void **state)
{
	(void)state;
	assert_string_equal(parsed("crop"), "crop -1");
	assert_string_equal(parsed("crop:0"), "crop 0");
	assert_string_equal(parsed("crop:1230"), "crop 1230");
	assert_string_equal(parsed("fit"), "fit -1");
	assert_string_equal(parsed("stack:0,0,1,1"), "stack 0,0,1,1");
	assert_string_equal(parsed("stack:1500,20,400,225"),
	    "stack 1500,20,400,225");
	assert_string_equal(parsed("stack:0,0,100000,100000"),
	    "stack 0,0,100000,100000");
	/* what a user may mistype */
	assert_string_equal(parsed(""), "ERR");
	assert_string_equal(parsed("Crop"), "ERR");
	assert_string_equal(parsed("crop:"), "ERR");
	assert_string_equal(parsed("crop:-5"), "ERR");
	assert_string_equal(parsed("crop:+5"), "ERR");
	assert_string_equal(parsed("crop:5px"), "ERR");
	assert_string_equal(parsed("crop:1e3"), "ERR");
	assert_string_equal(parsed("crop:100001"), "ERR");
	assert_string_equal(parsed("crop:99999999999999999999999"), "ERR");
	assert_string_equal(parsed("fit:3"), "ERR");
	assert_string_equal(parsed("stack"), "ERR");
	assert_string_equal(parsed("stack:"), "ERR");
	assert_string_equal(parsed("stack:1,2,3"), "ERR");
	assert_string_equal(parsed("stack:1,2,3,4,5"), "ERR");
	assert_string_equal(parsed("stack:1,2,0,4"), "ERR");
	assert_string_equal(parsed("stack:1,2,3,0"), "ERR");
	assert_string_equal(parsed("stack:1, 2,3,4"), "ERR");
	assert_string_equal(parsed("stack:1,2,3,4,"), "ERR");
	assert_string_equal(parsed("stack:-1,2,3,4"), "ERR");
	assert_string_equal(parsed("stack:1,2,3,100001"), "ERR");
	assert_string_equal(parsed("square"), "ERR");
}

static void
test_fits(void **state)
{
	char why[300];
	kc_vert v;

	(void)state;
	assert_int_equal(kc_vert_parse("stack:20,20,160,120", &v, why,
	    sizeof(why)), 0);
	assert_int_equal(kc_vert_fits(&v, 640, 360, why, sizeof(why)), 0);
	assert_int_equal(kc_vert_fits(&v, 180, 140, why, sizeof(why)), 0);
	assert_int_equal(kc_vert_fits(&v, 179, 140, why, sizeof(why)), -1);
	assert_string_equal(why, "--vertical stack:20,20,160,120: the "
	    "rectangle is not inside the 179x140 picture");
	assert_int_equal(kc_vert_fits(&v, 180, 139, why, sizeof(why)), -1);
	/* a size not known is not refused here (ffmpeg then says) */
	assert_int_equal(kc_vert_fits(&v, 0, 0, why, sizeof(why)), 0);
	/* crop and fit take any picture; a crop's X is kept inside */
	assert_int_equal(kc_vert_parse("crop:5000", &v, why, sizeof(why)), 0);
	assert_int_equal(kc_vert_fits(&v, 320, 180, why, sizeof(why)), 0);
}

/* The argument after flag in c's command line, or NULL. */
static const char *
arg_after(const kc_vert_cmd *c, const char *flag)
{
	size_t i;

	for (i = 0; c->argv[i] != NULL && c->argv[i + 1] != NULL; i++)
		if (strcmp(c->argv[i], flag) == 0)
			return c->argv[i + 1];
	return NULL;
}

static size_t
nargs(const char *const *argv)
{
	size_t n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

static void
test_cmd(void **state)
{
	static const char *modes[] = { "crop", "crop:900", "fit",
	    "stack:1500,20,400,225", "stack:0,0,100000,1" };
	kc_vert_cmd c;
	char why[300];
	kc_vert v;
	size_t i;
	int audio;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		for (audio = 0; audio < 2; audio++) {
			assert_int_equal(kc_vert_parse(modes[i], &v, why,
			    sizeof(why)), 0);
			kc_vert_cmd_build(&c, &v, "in put.mp4", audio,
			    "/o/.x.part");
			assert_true(nargs(c.argv) < KC_VERT_MAXARG - 1);
			assert_string_equal(c.argv[nargs(c.argv) - 1],
			    "/o/.x.part");
			assert_string_equal(arg_after(&c, "-i"), "in put.mp4");
			assert_string_equal(arg_after(&c, "-c:v"), "libx264");
			assert_string_equal(arg_after(&c, "-c:a"), "aac");
			assert_string_equal(arg_after(&c, "-movflags"),
			    "+faststart");
			assert_string_equal(arg_after(&c, "-progress"),
			    "pipe:1");
			assert_string_equal(arg_after(&c, "-f"), audio ?
			    "mp4" : "lavfi");
			/* the graph ends at the 1080x1920 picture */
			assert_non_null(strstr(c.graph, "[0:v:0]"));
			assert_int_equal(strcmp(c.graph + strlen(c.graph) - 3,
			    "[v]"), 0);
			assert_true(strlen(c.graph) < sizeof(c.graph) - 1);
			/* times are never shifted */
			assert_null(arg_after(&c, "-ss"));
			assert_null(strstr(c.graph, "setpts"));
		}
	assert_int_equal(kc_vert_parse("crop:900", &v, why, sizeof(why)), 0);
	kc_vert_cmd_build(&c, &v, "a.mp4", 1, "t");
	assert_non_null(strstr(c.graph, "x='clip(900-ow/2,0,iw-ow)'"));
	assert_non_null(strstr(c.graph, "scale=1080:1920"));
	/* stack: the facecam's height on top follows its shape, 400x225
	 * gives 1080x608; the picture takes the rest */
	assert_int_equal(kc_vert_parse("stack:1500,20,400,225", &v, why,
	    sizeof(why)), 0);
	kc_vert_cmd_build(&c, &v, "a.mp4", 1, "t");
	assert_non_null(strstr(c.graph, "crop=400:225:1500:20,"));
	assert_non_null(strstr(c.graph, "crop=1080:608,"));
	assert_non_null(strstr(c.graph, "crop=1080:1312,"));
	/* a very tall or very wide facecam: between a quarter and a half */
	assert_int_equal(kc_vert_parse("stack:0,0,10,1000", &v, why,
	    sizeof(why)), 0);
	kc_vert_cmd_build(&c, &v, "a.mp4", 1, "t");
	assert_non_null(strstr(c.graph, "crop=1080:960,"));
	assert_int_equal(kc_vert_parse("stack:0,0,1000,10", &v, why,
	    sizeof(why)), 0);
	kc_vert_cmd_build(&c, &v, "a.mp4", 1, "t");
	assert_non_null(strstr(c.graph, "crop=1080:480,"));
	assert_non_null(strstr(c.graph, "crop=1080:1440,"));
}

static double
progress(const char *text)
{
	return kc_vert_progress(text, strlen(text));
}

static void
test_progress(void **state)
{
	static const char block[] = "frame=12\nfps=0.00\n"
	    "out_time_us=400000\nout_time_ms=400000\nout_time=00:00:00.400000\n"
	    "progress=continue\n";
	char big[4096];

	(void)state;
	assert_near(progress(block), 0.4, 1e-9);
	assert_near(progress("out_time_us=400000\nout_time_us=1500000\n"), 1.5,
	    1e-9);
	/* before the first frame ffmpeg says N/A; a line still being
	 * written does not count; CRLF is a line end */
	assert_near(progress("out_time_us=N/A\n"), -1, 0);
	assert_near(progress("out_time_us=700000\nout_time_us=N/A\n"), 0.7,
	    1e-9);
	assert_near(progress("out_time_us=700000\nout_time_us=9"), 0.7, 1e-9);
	assert_near(progress("out_time_us=700000\r\n"), 0.7, 1e-9);
	assert_near(progress("out_time_us=-23000\n"), -1, 0);
	assert_near(progress("out_time_us=12x\n"), -1, 0);
	assert_near(progress(""), -1, 0);
	assert_near(progress("out_time_us="), -1, 0);
	assert_near(progress("xout_time_us=5\n"), -1, 0);
	/* the reader gives the last bytes: the first line may be cut */
	assert_near(progress("time_us=999999999\nout_time_us=2000000\n"), 2,
	    1e-9);
	assert_near(progress("_us=9\n"), -1, 0);
	memset(big, 'x', sizeof(big));
	assert_near(kc_vert_progress(big, sizeof(big)), -1, 0);
	assert_near(progress("out_time_us=99999999999999999999999\n"), -1, 0);
}

static void
test_poster_at(void **state)
{
	(void)state;
	/* a clip cut from 100 s, 30 s long: the peak when it is inside */
	assert_near(kc_poster_at(100, 30, 112.25), 12.25, 1e-9);
	/* no peak, or one the cut left out: the middle */
	assert_near(kc_poster_at(100, 30, NAN), 15, 1e-9);
	assert_near(kc_poster_at(100, 30, 99), 15, 1e-9);
	assert_near(kc_poster_at(100, 30, 130.5), 15, 1e-9);
	assert_near(kc_poster_at(100, 30, INFINITY), 15, 1e-9);
	/* never the first frame, nor the very end */
	assert_near(kc_poster_at(100, 30, 100.1), 0.5, 1e-9);
	assert_near(kc_poster_at(100, 30, 129.99), 29.9, 1e-9);
	/* a short clip: the margins are at most half of it each */
	assert_near(kc_poster_at(0, 0.6, 0.01), 0.3, 1e-9);
	assert_near(kc_poster_at(0, 0.6, 0.59), 0.5, 1e-9);
	assert_near(kc_poster_at(0, 0.1, 0.09), 0.05, 1e-9);
	assert_near(kc_poster_at(0, 0, 1), 0, 0);
}

static void
test_poster_cmd(void **state)
{
	kc_poster_cmd c;
	size_t i, n;
	int k;

	(void)state;
	kc_poster_cmd_build(&c, "a b.mp4", 12.25, 10, "/o/.p.part",
	    "/o/.s.part");
	n = nargs(c.argv);
	assert_true(n < KC_POSTER_MAXARG - 1);
	assert_string_equal(c.argv[n - 1], "/o/.s.part");
	assert_string_equal(c.at, "12.250000");
	/* the poster from an exact seek, the strip from the keyframes */
	for (i = 0; i + 3 < n && strcmp(c.argv[i], "-ss") != 0; i++)
		;
	assert_string_equal(c.argv[i + 1], "12.250000");
	assert_string_equal(c.argv[i + 2], "-i");
	assert_string_equal(c.argv[i + 4], "-skip_frame");
	assert_string_equal(c.argv[i + 5], "nokey");
	/* both JPEG, whatever the temporary names end in */
	for (i = 0, k = 0; i + 1 < n; i++)
		if (strcmp(c.argv[i], "-c:v") == 0)
			k += strcmp(c.argv[i + 1], "mjpeg") == 0;
	assert_int_equal(k, 2);
	/* 8 slots of 1.25 s: frames moved half a slot on, one per slot */
	assert_non_null(strstr(c.graph, "setpts=PTS+0.625000/TB,"));
	assert_non_null(strstr(c.graph, "fps=fps=0.8:round=down,"));
	assert_non_null(strstr(c.graph, "scale=-2:180,"));
	assert_non_null(strstr(c.graph, "tile=8x1[s]"));
	/* a long clip: rates keep their digits */
	kc_poster_cmd_build(&c, "a.mp4", 300, 601, "p", "s");
	assert_non_null(strstr(c.graph, "fps=fps=0.0133111481:"));
}

static void
test_verify_size(void **state)
{
	static const char out[] = "{\"streams\": [{\"codec_type\": \"audio\","
	    " \"start_time\": \"0.000000\", \"duration\": \"5.0\"},"
	    " {\"codec_type\": \"video\", \"width\": 1080, \"height\": 1920,"
	    " \"start_time\": \"0.000000\", \"duration\": \"5.0\"}],"
	    " \"format\": {\"duration\": \"5.0\"}}";
	kc_cut_expect e = { 1, 1, 5, 0.1, 0.2 };
	kc_cut_found f;
	char why[300];

	(void)state;
	assert_int_equal(kc_cut_verify_parse(out, &e, &f, why, sizeof(why)),
	    0);
	assert_int_equal(f.width, 1080);
	assert_int_equal(f.height, 1920);
	assert_int_equal(kc_cut_verify_parse("{\"streams\": [{\"codec_type\": "
	    "\"video\", \"width\": -4, \"height\": 1e9, \"duration\": \"5\"}]}",
	    &e, &f, why, sizeof(why)), -1);
	assert_int_equal(f.width, 0);
	assert_int_equal(f.height, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_poster_at),
		cmocka_unit_test(test_poster_cmd),
		cmocka_unit_test(test_verify_size),
	};

	return cmocka_run_group_tests_name("vertical", tests, NULL, NULL);
}
