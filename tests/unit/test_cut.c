/*
 * test_cut.c - unit tests of how kc-cut names a clip and puts it in place
 * (src/lib/cut.c: kc_cut_stem, kc_cut_name, kc_cut_place), how it reads
 * ffprobe's keyframe listing (kc_cut_keyframe_parse), and of the file
 * helpers under them (src/lib/paths.c: kc_rename_noreplace,
 * kc_same_content), on real files in a scratch folder: clips of two
 * streams never share a name, a finished clip never replaces a file, the
 * same clip cut again is kept once, and another file's name gets a
 * numbered one.
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
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "cut.h"
#include "paths.h"

/* kc_cut_stem into a buffer of its documented size; the stem or "ERR". */
static const char *
stem(const char *title, const char *id)
{
	static char buf[KC_CUT_STEM_MAX];

	if (kc_cut_stem(buf, sizeof(buf), title, id) != 0)
		return "ERR";
	return buf;
}

/* dir/name into buf, or the test fails. */
static void
join(char *buf, size_t n, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(buf, n, "%s/%s", dir, name) < n);
}

static void
test_stem(void **state)
{
	char small[8], longt[300];
	const char *s;
	size_t i;

	(void)state;
	assert_string_equal(stem("My Stream: Day 3!", "89fa840a12345678"),
	    "my-stream-day-3-89fa840a");
	/* two streams of one title differ by their ids */
	assert_string_equal(stem("kc test stream (seed 1)",
	    "6af29bc7f5d061ef"), "kc-test-stream-seed-1-6af29bc7");
	assert_string_equal(stem("kc test stream (seed 1)",
	    "0123456789abcdef"), "kc-test-stream-seed-1-01234567");
	assert_string_equal(stem("  --Hello__World--  ", "ab"),
	    "hello-world-ab");
	assert_string_equal(stem("vod.mp4", NULL), "vod-mp4");
	/* nothing left of the title */
	assert_string_equal(stem(NULL, "89fa840a12345678"), "clip-89fa840a");
	assert_string_equal(stem("", NULL), "clip");
	assert_string_equal(stem("\xe6\x97\xa5\xe6\x9c\xac \xe8\xaa\x9e",
	    "00ff00ff00"), "clip-00ff00ff");
	/* Latin letters with marks are their ASCII letters; other
	 * non-ASCII between words is one separator; shell characters too */
	assert_string_equal(stem("Caf\xc3\xa9 \xe2\x80\x94 live", "1"),
	    "cafe-live-1");
	assert_string_equal(stem("\xc2\xa1" "D\xc3\xad" "a de juegos! "
	    "Stra\xc3\x9f" "e \xc5\x81\xc3\xb3" "d\xc5\xba \xc3\x97 "
	    "G\xc3\xbc" "l", "2"), "dia-de-juegos-strasse-lodz-gul-2");
	/* a lone lead byte or one at the end is no letter */
	assert_string_equal(stem("a\xc3 b\xc3", "3"), "a-b-3");
	assert_string_equal(stem("s p'a\"c;e $(touch pwned).mp4", "x"),
	    "s-p-a-c-e-touch-pwned-mp4-x");
	/* an id only gives letters and digits, at most 8 */
	assert_string_equal(stem("t", "../a/b\\c:d-e_f.g0123"), "t-abcdefg0");
	/* a long title: at most 32 characters, no '-' at the end */
	for (i = 0; i < sizeof(longt) - 1; i++)
		longt[i] = i % 4 == 3 ? ' ' : 'x';
	longt[sizeof(longt) - 1] = '\0';
	s = stem(longt, "0123456789");
	assert_string_equal(s, "xxx-xxx-xxx-xxx-xxx-xxx-xxx-xxx-01234567");
	memset(longt, 'y', sizeof(longt) - 1);
	s = stem(longt, "0123456789");
	assert_int_equal(strlen(s), 32 + 1 + 8);
	assert_int_equal(strspn(s, "y"), 32);
	assert_int_equal(kc_cut_stem(small, sizeof(small), "long title",
	    "01234567"), -1);
}

static void
test_name(void **state)
{
	char buf[160];

	(void)state;
	assert_int_equal(kc_cut_name(buf, sizeof(buf), "my-title-89fa840a", 1,
	    750.5, 0.85, "audio"), 0);
	assert_string_equal(buf, "my-title-89fa840a_001_12m30s_085_audio.mp4");
	/* minutes go on past 99, scores are clamped to 0-999 */
	assert_int_equal(kc_cut_name(buf, sizeof(buf), "s-1", 2, 7505, -1,
	    "video"), 0);
	assert_string_equal(buf, "s-1_002_125m05s_000_video.mp4");
	assert_int_equal(kc_cut_name(buf, sizeof(buf), "s-1", 1234, 0, 12,
	    "video"), 0);
	assert_string_equal(buf, "s-1_1234_00m00s_999_video.mp4");
	/* what comes from input never makes a path */
	assert_int_equal(kc_cut_name(buf, sizeof(buf), "../x", 3, NAN, NAN,
	    "a/../b"), 0);
	assert_string_equal(buf, "___x_003_00m00s_000_a____b.mp4");
	assert_int_equal(kc_cut_name(buf, 20, "my-title-89fa840a", 1, 750.5,
	    0.85, "audio"), -1);
}

/* Writes text to dir/name. */
static void
put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];

	join(p, sizeof(p), dir, name);
	write_file(p, text);
}

/* The contents of dir/name ("" when there is no such file). */
static const char *
get(const char *dir, const char *name)
{
	static char buf[256];
	char p[PATH_MAX];
	FILE *fp;
	size_t n;

	join(p, sizeof(p), dir, name);
	buf[0] = '\0';
	if ((fp = fopen(p, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		buf[n] = '\0';
		fclose(fp);
	}
	return buf;
}

static int
exists(const char *dir, const char *name)
{
	char p[PATH_MAX];

	join(p, sizeof(p), dir, name);
	return access(p, F_OK) == 0;
}

/* Files in dir (not . and ..). */
static int
nfiles(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Removes dir with its files and empty folders. */
static void
remove_dir(const char *dir)
{
	char p[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		join(p, sizeof(p), dir, e->d_name);
		assert_true(unlink(p) == 0 || rmdir(p) == 0);
	}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_place(void **state)
{
	char dir[PATH_MAX], tmp[PATH_MAX], path[PATH_MAX], want[PATH_MAX];
	char huge[PATH_MAX + 10];
	struct stat st;
	ino_t ino;
	int kept, i;

	(void)state;
	scratch_dir(dir, sizeof(dir), "place");
	join(tmp, sizeof(tmp), dir, ".x.part");

	/* a free name: renamed */
	put(dir, ".x.part", "clip A");
	assert_int_equal(kc_cut_place(tmp, dir, "x.mp4", path, sizeof(path),
	    &kept), 0);
	join(want, sizeof(want), dir, "x.mp4");
	assert_string_equal(path, want);
	assert_int_equal(kept, 0);
	assert_false(exists(dir, ".x.part"));
	assert_string_equal(get(dir, "x.mp4"), "clip A");
	assert_int_equal(stat(path, &st), 0);
	ino = st.st_ino;

	/* the same bytes again (a rerun): the file there is kept */
	put(dir, ".x.part", "clip A");
	assert_int_equal(kc_cut_place(tmp, dir, "x.mp4", path, sizeof(path),
	    &kept), 0);
	assert_string_equal(path, want);
	assert_int_equal(kept, 1);
	assert_false(exists(dir, ".x.part"));
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_ino == ino);
	assert_int_equal(nfiles(dir), 1);

	/* other bytes: never over the file, a numbered name instead */
	put(dir, ".x.part", "clip B");
	assert_int_equal(kc_cut_place(tmp, dir, "x.mp4", path, sizeof(path),
	    &kept), 0);
	join(want, sizeof(want), dir, "x-2.mp4");
	assert_string_equal(path, want);
	assert_int_equal(kept, 0);
	assert_string_equal(get(dir, "x.mp4"), "clip A");
	assert_string_equal(get(dir, "x-2.mp4"), "clip B");
	/* ... and that one is found again by the rerun */
	put(dir, ".x.part", "clip B");
	assert_int_equal(kc_cut_place(tmp, dir, "x.mp4", path, sizeof(path),
	    NULL), 0);
	assert_string_equal(path, want);
	assert_false(exists(dir, ".x.part"));
	/* same size, other bytes: another file */
	put(dir, ".x.part", "clip C");
	assert_int_equal(kc_cut_place(tmp, dir, "x.mp4", path, sizeof(path),
	    &kept), 0);
	assert_int_equal(kept, 0);
	assert_string_equal(get(dir, "x-3.mp4"), "clip C");
	assert_string_equal(get(dir, "x.mp4"), "clip A");
	assert_string_equal(get(dir, "x-2.mp4"), "clip B");
	assert_int_equal(nfiles(dir), 3);

	/* a folder of that name is not a clip either; no '.' in the name */
	join(path, sizeof(path), dir, "y");
	assert_int_equal(mkdir(path, 0777), 0);
	put(dir, ".x.part", "clip D");
	assert_int_equal(kc_cut_place(tmp, dir, "y", path, sizeof(path),
	    &kept), 0);
	assert_string_equal(get(dir, "y-2"), "clip D");

	/* a path that cannot fit: an error, tmp stays for the caller */
	put(dir, ".x.part", "clip E");
	memset(huge, 'h', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(kc_cut_place(tmp, dir, huge, path, sizeof(path),
	    &kept), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_string_equal(get(dir, ".x.part"), "clip E");

	/* every name taken by other files: EEXIST, nothing replaced */
	for (i = 1; i <= KC_CUT_PLACE_TRIES; i++) {
		snprintf(want, sizeof(want), i == 1 ? "z.mp4" : "z-%d.mp4", i);
		put(dir, want, "other");
	}
	assert_int_equal(kc_cut_place(tmp, dir, "z.mp4", path, sizeof(path),
	    &kept), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(get(dir, ".x.part"), "clip E");
	assert_string_equal(get(dir, "z-100.mp4"), "other");

	remove_dir(dir);
}

/* A listing of ffprobe -show_packets -show_streams -show_format: video
 * keyframes at 2, 4 and 6 s (time base 1/1000), start_time 0. */
#define KF_LISTING "{\"streams\": [{\"time_base\": \"1/1000\"}], " \
	"\"format\": {\"start_time\": \"0.000000\"}, \"packets\": [" \
	"{\"pts\": 2000, \"flags\": \"K__\"}, {\"pts\": 3000, " \
	"\"flags\": \"___\"}, {\"pts\": 4000, \"flags\": \"K__\"}, " \
	"{\"pts\": 6000, \"flags\": \"K__\"}]}"

static void
test_keyframe(void **state)
{
	kc_cut_kf r;
	char why[200];

	(void)state;
	assert_int_equal(kc_cut_keyframe_parse(KF_LISTING, 5, 0, &r, why,
	    sizeof(why)), 0);
	assert_true(fabs(r.k - 4) < 1e-9);
	/* a clip that starts before the media's first keyframe (a live
	 * stream's part that was not kept): said so, with both times */
	why[0] = '\0';
	assert_int_equal(kc_cut_keyframe_parse(KF_LISTING, -3.681, 0, &r,
	    why, sizeof(why)), -1);
	assert_string_equal(why, "the clip starts at -3.681 s, before the "
	    "media's first video keyframe (2.000 s): that part of the stream "
	    "is not there (not kept, or lost)");
	/* within a second of the first and listed from the start: that one */
	assert_int_equal(kc_cut_keyframe_parse(KF_LISTING, 1.5, 1, &r, why,
	    sizeof(why)), 0);
	assert_true(fabs(r.k - 2) < 1e-9);
	/* no keyframe at all */
	assert_int_equal(kc_cut_keyframe_parse("{\"streams\": [{\"time_base"
	    "\": \"1/1000\"}], \"packets\": [{\"pts\": 0, \"flags\": \"__\"}]}",
	    1, 0, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "the media has no video keyframe");
	/* an MPEG-TS whose clock wrapped: ffmpeg's times start below 0
	 * (start_time -42.339); keyframes at -42.318 and -40.318 s, so at
	 * 0.021 and 2.021 s of the stream (they were all missed: "no video
	 * keyframe") */
	assert_int_equal(kc_cut_keyframe_parse("{\"streams\": [{\"time_base"
	    "\": \"1/90000\"}], \"format\": {\"start_time\": \"-42.339022\"},"
	    " \"packets\": [{\"pts\": -3808592, \"flags\": \"K_\"}, "
	    "{\"pts\": -3700592, \"flags\": \"__\"}, {\"pts\": -3628592, "
	    "\"flags\": \"K_\"}, {\"pts\": -3448592, \"flags\": \"__\"}]}", 3,
	    0, &r, why, sizeof(why)), 0);
	assert_true(fabs(r.k - 2.021333) < 1e-5);
	assert_int_equal(r.reached, 1);
}

static void
test_rename_noreplace(void **state)
{
	char dir[PATH_MAX], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];

	(void)state;
	scratch_dir(dir, sizeof(dir), "rename");
	join(a, sizeof(a), dir, "a");
	join(b, sizeof(b), dir, "b");
	join(c, sizeof(c), dir, "c");
	write_file(a, "AAAA");
	write_file(b, "BBBB");
	assert_int_equal(kc_rename_noreplace(a, b), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(get(dir, "a"), "AAAA");
	assert_string_equal(get(dir, "b"), "BBBB");
	assert_int_equal(kc_same_content(a, b), 0);
	assert_int_equal(kc_rename_noreplace(a, c), 0);
	assert_false(exists(dir, "a"));
	assert_string_equal(get(dir, "c"), "AAAA");
	write_file(a, "AAAA");
	assert_int_equal(kc_same_content(a, c), 1);
	write_file(a, "AAAAA");
	assert_int_equal(kc_same_content(a, c), 0);
	assert_int_equal(kc_same_content(a, dir), -1);
	unlink(a);
	assert_int_equal(kc_same_content(a, c), -1);
	assert_int_equal(errno, ENOENT);
	unlink(b);
	unlink(c);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stem),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_place),
		cmocka_unit_test(test_keyframe),
		cmocka_unit_test(test_rename_noreplace),
	};

	return cmocka_run_group_tests_name("cut", tests, NULL, NULL);
}
