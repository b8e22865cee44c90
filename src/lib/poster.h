/*
 * poster.h - a clip's still pictures, with ffmpeg: the poster (one frame
 * at the clip's peak, at the clip's own size) and the hover strip (a few
 * frames spread over the clip, tiled left to right in one JPEG, for a
 * player to scrub through on hover).  This module picks the poster's time
 * and builds the command line; the caller runs it.  Library code: never
 * prints.
 */
#ifndef KC_POSTER_H
#define KC_POSTER_H

#include <stddef.h>

#define KC_STRIP_FRAMES 8	/* tiles in a hover strip */
#define KC_STRIP_HEIGHT 180	/* their height, pixels (width: the
				   clip's aspect, even) */

/*
 * Where in a clip (seconds from its start) the poster is taken: at peak
 * (stream time) when it lies inside the clip, which starts at stream time
 * t0 and lasts dur seconds; else (no peak: NAN, or one the cut left out)
 * the clip's middle.  Never in the first half second (the first frame
 * is often black, a fade or a still) nor in the last tenth of a second
 * (each margin at most half the clip: a clip of 0.2 s gives its middle).
 */
double kc_poster_at(double t0, double dur, double peak);

/* Arguments in a command line built here, with its NULL. */
#define KC_POSTER_MAXARG 48

typedef struct kc_poster_cmd {
	const char *argv[KC_POSTER_MAXARG];
	char at[32];		/* formatted numbers and the filter graph */
	char graph[256];	/* argv points at */
} kc_poster_cmd;

/*
 * One ffmpeg writing both pictures of clip (dur seconds long) as JPEG:
 * the frame at at seconds into poster, and the strip into strip.
 * The poster's frame is decoded exactly (a seek, then the frames from
 * the keyframe before it); the strip's tiles are keyframes only (the
 * decoder skips every other frame, so the strip costs a few frames'
 * decoding however long the clip): tile i shows the last keyframe at or
 * before (i + 1/2) x dur / KC_STRIP_FRAMES, so a clip with keyframes
 * further apart than that repeats a tile rather than leaving one out.
 */
void kc_poster_cmd_build(kc_poster_cmd *c, const char *clip, double at,
    double dur, const char *poster, const char *strip);

#endif
