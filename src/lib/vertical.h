/*
 * vertical.h - a clip made over as a 9:16 video (1080x1920 H.264/AAC,
 * the index first) for TikTok, Shorts and Reels, with ffmpeg.
 *
 * Three ways to fill the tall picture from a wide one: crop (a full-height
 * slice, centred or around a given x), fit (the whole picture, over a
 * blurred and zoomed copy of itself) and stack (a facecam rectangle of the
 * source on top, the gameplay below).  This module parses the mode as the
 * user writes it, builds the ffmpeg command line and reads ffmpeg's
 * progress report; the caller runs the child.  Library code: returns codes
 * and a one-line reason, never prints.
 */
#ifndef KC_VERTICAL_H
#define KC_VERTICAL_H

#include <stddef.h>

#define KC_VERT_W 1080		/* the picture's size, pixels */
#define KC_VERT_H 1920
#define KC_VERT_MAXPX 100000	/* largest coordinate a mode may give */

enum kc_vert_mode { KC_VERT_CROP, KC_VERT_FIT, KC_VERT_STACK };

/* How the vertical picture is made (kc-cut --vertical). */
typedef struct kc_vert {
	enum kc_vert_mode mode;
	long x;			/* crop: the slice's centre, source pixels;
				   < 0: the picture's centre */
	long rx, ry, rw, rh;	/* stack: the facecam rectangle, source
				   pixels, rw and rh above 0 */
} kc_vert;

/*
 * Parses "crop", "crop:X", "fit" or "stack:X,Y,W,H" (decimal integers, X
 * and Y from 0, W and H from 1, each at most KC_VERT_MAXPX).  Returns 0,
 * or -1 with what is wrong in why (without the value itself).
 */
int kc_vert_parse(const char *spec, kc_vert *v, char *why, size_t n);

/* "crop", "fit" or "stack": the mode's name in records. */
const char *kc_vert_name(const kc_vert *v);

/* Arguments in a command line built here, with its NULL. */
#define KC_VERT_MAXARG 48

/* One ffmpeg command line; argv points into the caller's strings and
 * into the struct, which must outlive the spawn. */
typedef struct kc_vert_cmd {
	const char *argv[KC_VERT_MAXARG];
	char graph[1024];	/* the filter graph */
} kc_vert_cmd;

/*
 * ffmpeg making src's first video stream (and its first audio stream, or
 * silence when audio is 0) into tmp, an MP4 of KC_VERT_W x KC_VERT_H
 * H.264 (yuv420p) and AAC with -movflags +faststart, the streams' times
 * kept as they are (so the sound stays where it was against the
 * picture).  Its progress goes to its stdout as ffmpeg's -progress
 * key=value lines, twice a second (kc_vert_progress reads them).
 */
void kc_vert_cmd_build(kc_vert_cmd *c, const kc_vert *v, const char *src,
    int audio, const char *tmp);

/*
 * How far the encode is, seconds of output, from the text the child has
 * written so far (the last complete "out_time_us=" line); -1 when there
 * is none yet.
 */
double kc_vert_progress(const char *text, size_t len);

/*
 * Whether mode v can be made from a w x h picture (a stack's rectangle
 * must lie inside it; 0 for a size not known, w or h <= 0).  Returns 0,
 * or -1 with a reason naming the mode and the size.
 */
int kc_vert_fits(const kc_vert *v, int w, int h, char *why, size_t n);

#endif
