/*
 * vertical.c - the 9:16 version of a clip: the --vertical mode as the user
 * writes it, ffmpeg's command line and filter graph for each mode, and the
 * reading of ffmpeg's progress report.
 *
 * The picture is filtered, the sound only re-encoded: both keep their
 * timestamps, so they stay as much in step as they were in the clip (an
 * MP4 cut by kc-cut: within one audio frame).  Times are never shifted
 * here (no -ss, no setpts): a frame and its sound leave at the time they
 * came in.  A clip without sound gets silence, as long as the picture,
 * because the services the file is for expect a sound track.
 *
 * How each mode fills 1080x1920 from a W x H picture:
 *   crop   the full-height slice of 9:16 (H x 9/16 wide), centred or with
 *          its centre at x = X (kept inside the picture), scaled up;
 *   fit    the whole picture scaled to 1080 wide, centred, over a copy
 *          scaled to cover the frame and blurred (blurred small, at a
 *          quarter size, then scaled up: a tenth of the cost of blurring
 *          1080x1920, and a softer result);
 *   stack  the rectangle X,Y,W,H (a facecam) scaled to cover the top
 *          part, 1080 x (1080 x H / W, between a quarter and a half of
 *          the height), and the whole picture scaled to cover the rest,
 *          both cut to size around their centres.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"
#include "vertical.h"

/* Reads a decimal integer in [lo, KC_VERT_MAXPX] at *s, moving *s past it. */
static int
number(const char **s, long lo, long *out)
{
	char *end;
	long v;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	v = strtol(*s, &end, 10);
	if (errno != 0 || v < lo || v > KC_VERT_MAXPX)
		return -1;
	*s = end;
	*out = v;
	return 0;
}

int
kc_vert_parse(const char *spec, kc_vert *v, char *why, size_t n)
{
	const char *s;

	memset(v, 0, sizeof(*v));
	v->x = -1;
	if (strcmp(spec, "crop") == 0 || strcmp(spec, "fit") == 0) {
		v->mode = spec[0] == 'c' ? KC_VERT_CROP : KC_VERT_FIT;
		return 0;
	}
	if (strncmp(spec, "crop:", 5) == 0) {
		v->mode = KC_VERT_CROP;
		s = spec + 5;
		if (number(&s, 0, &v->x) != 0 || *s != '\0') {
			snprintf(why, n, "crop:X wants X, the crop's centre in "
			    "source pixels, an integer from 0 to %d",
			    KC_VERT_MAXPX);
			return -1;
		}
		return 0;
	}
	if (strncmp(spec, "stack:", 6) == 0) {
		v->mode = KC_VERT_STACK;
		s = spec + 6;
		if (number(&s, 0, &v->rx) != 0 || *s++ != ',' ||
		    number(&s, 0, &v->ry) != 0 || *s++ != ',' ||
		    number(&s, 1, &v->rw) != 0 || *s++ != ',' ||
		    number(&s, 1, &v->rh) != 0 || *s != '\0') {
			snprintf(why, n, "stack:X,Y,W,H wants the facecam "
			    "rectangle in source pixels: four integers, X and "
			    "Y from 0, W and H from 1, at most %d",
			    KC_VERT_MAXPX);
			return -1;
		}
		return 0;
	}
	snprintf(why, n, "want crop, crop:X, fit or stack:X,Y,W,H");
	return -1;
}

const char *
kc_vert_name(const kc_vert *v)
{
	return v->mode == KC_VERT_CROP ? "crop" : v->mode == KC_VERT_FIT ?
	    "fit" : "stack";
}

/* The filter graph from [0:v:0] to [v], into buf. */
static void
graph(char *buf, size_t n, const kc_vert *v)
{
	char x[32];
	long top;

	switch (v->mode) {
	case KC_VERT_CROP:
		if (v->x >= 0)
			snprintf(x, sizeof(x), "%ld", v->x);
		else
			snprintf(x, sizeof(x), "iw/2");
		snprintf(buf, n, "[0:v:0]crop="
		    "w='trunc(min(iw,ih*9/16)/2)*2':"
		    "h='trunc(min(ih,iw*16/9)/2)*2':"
		    "x='clip(%s-ow/2,0,iw-ow)':y='(ih-oh)/2',"
		    "scale=%d:%d,setsar=1,format=yuv420p[v]", x, KC_VERT_W,
		    KC_VERT_H);
		break;
	case KC_VERT_FIT:
		snprintf(buf, n, "[0:v:0]split[a][b];"
		    "[a]scale=%d:%d:force_original_aspect_ratio=increase,"
		    "crop=%d:%d,boxblur=8:2,scale=%d:%d,setsar=1[bg];"
		    "[b]scale=%d:%d:force_original_aspect_ratio=decrease:"
		    "force_divisible_by=2,setsar=1[fg];"
		    "[bg][fg]overlay=x=(W-w)/2:y=(H-h)/2,format=yuv420p[v]",
		    KC_VERT_W / 4, KC_VERT_H / 4, KC_VERT_W / 4, KC_VERT_H / 4,
		    KC_VERT_W, KC_VERT_H, KC_VERT_W, KC_VERT_H);
		break;
	case KC_VERT_STACK:
		top = lround((double)KC_VERT_W * (double)v->rh /
		    (double)v->rw / 2) * 2;
		if (top < KC_VERT_H / 4)
			top = KC_VERT_H / 4;
		if (top > KC_VERT_H / 2)
			top = KC_VERT_H / 2;
		snprintf(buf, n, "[0:v:0]split[a][b];"
		    "[a]crop=%ld:%ld:%ld:%ld,"
		    "scale=%d:%ld:force_original_aspect_ratio=increase,"
		    "crop=%d:%ld,setsar=1[top];"
		    "[b]scale=%d:%ld:force_original_aspect_ratio=increase,"
		    "crop=%d:%ld,setsar=1[bot];"
		    "[top][bot]vstack,format=yuv420p[v]", v->rw, v->rh, v->rx,
		    v->ry, KC_VERT_W, top, KC_VERT_W, top, KC_VERT_W,
		    KC_VERT_H - top, KC_VERT_W, KC_VERT_H - top);
		break;
	}
}

/* Appends args (NULL-terminated) to c->argv after its first n entries. */
static size_t
push(kc_vert_cmd *c, size_t n, const char *const args[])
{
	size_t i;

	for (i = 0; args[i] != NULL && n < KC_VERT_MAXARG - 1; i++)
		c->argv[n++] = args[i];
	c->argv[n] = NULL;
	return n;
}

void
kc_vert_cmd_build(kc_vert_cmd *c, const kc_vert *v, const char *src,
    int audio, const char *tmp)
{
	const char *head[] = { kc_tool("KC_FFMPEG", "ffmpeg"), "-nostdin",
	    "-v", "error", "-nostats", "-y", "-i", src, NULL };
	/* silence as long as the picture (-shortest) */
	const char *silence[] = { "-f", "lavfi", "-i",
	    "anullsrc=channel_layout=stereo:sample_rate=48000", NULL };
	const char *maps[] = { "-filter_complex", c->graph, "-map", "[v]",
	    "-map", audio ? "0:a:0" : "1:a:0", NULL };
	const char *shortest[] = { "-shortest", NULL };
	const char *enc[] = { "-c:v", "libx264", "-preset", "veryfast",
	    "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a",
	    "160k", "-movflags", "+faststart", "-progress", "pipe:1",
	    "-stats_period", "0.5", "-f", "mp4", tmp, NULL };
	size_t n;

	graph(c->graph, sizeof(c->graph), v);
	n = push(c, 0, head);
	if (!audio)
		n = push(c, n, silence);
	n = push(c, n, maps);
	if (!audio)
		n = push(c, n, shortest);
	push(c, n, enc);
}

double
kc_vert_progress(const char *text, size_t len)
{
	static const char key[] = "out_time_us=";
	const size_t k = sizeof(key) - 1;
	const char *p = text, *end = text + len, *nl;
	double t = -1;
	long long us;
	char *e;

	/* line by line: the last complete one that gives a time ("N/A"
	 * before the first frame, a partial line at the end) */
	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	    p = nl + 1) {
		if ((size_t)(nl - p) <= k || memcmp(p, key, k) != 0 ||
		    p[k] < '0' || p[k] > '9')
			continue;
		errno = 0;
		us = strtoll(p + k, &e, 10);
		if (errno == 0 && (e == nl || (*e == '\r' && e + 1 == nl)))
			t = (double)us / 1e6;
	}
	return t;
}

int
kc_vert_fits(const kc_vert *v, int w, int h, char *why, size_t n)
{
	if (v->mode != KC_VERT_STACK || w <= 0 || h <= 0)
		return 0;
	if (v->rx + v->rw <= w && v->ry + v->rh <= h)
		return 0;
	snprintf(why, n, "--vertical stack:%ld,%ld,%ld,%ld: the rectangle is "
	    "not inside the %dx%d picture", v->rx, v->ry, v->rw, v->rh, w, h);
	return -1;
}
