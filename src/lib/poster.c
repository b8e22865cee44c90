/*
 * poster.c - the poster and hover strip of a clip: where the poster is
 * taken and the ffmpeg command that makes both in one run.
 *
 * One child for both pictures: ffmpeg's start-up (libraries, probing the
 * clip) costs more than decoding the few frames they need.  The strip is
 * made from the keyframes alone (-skip_frame nokey): its tiles are then
 * laid on an even grid of times by the fps filter, which repeats the
 * latest frame into a slot that got none.  The frames are shifted half a
 * slot later first, so slot i takes the last keyframe at or before the
 * middle of its stretch of the clip; the last keyframe is held to the
 * clip's end (tpad), or the last slots would be missing and the tile
 * filter would leave them black.
 */
#include <math.h>
#include <stdio.h>

#include "poster.h"
#include "spawn.h"

double
kc_poster_at(double t0, double dur, double peak)
{
	double at = dur / 2, lo, hi;

	if (!(dur > 0))
		return 0;
	if (isfinite(peak) && peak > t0 && peak < t0 + dur)
		at = peak - t0;
	lo = fmin(0.5, dur / 2);
	hi = dur - fmin(0.1, dur / 2);
	return at < lo ? lo : at > hi ? hi : at;
}

void
kc_poster_cmd_build(kc_poster_cmd *c, const char *clip, double at,
    double dur, const char *poster, const char *strip)
{
	const char *args[] = { kc_tool("KC_FFMPEG", "ffmpeg"), "-nostdin",
	    "-v", "error", "-nostats", "-y",
	    "-ss", c->at, "-i", clip,
	    "-skip_frame", "nokey", "-i", clip,
	    "-map", "0:v:0", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3",
	    "-f", "image2", "-update", "1", poster,
	    "-filter_complex", c->graph, "-map", "[s]", "-frames:v", "1",
	    "-c:v", "mjpeg", "-q:v", "5", "-f", "image2", "-update", "1", strip,
	    NULL };
	double slot = dur / KC_STRIP_FRAMES;
	size_t i;

	snprintf(c->at, sizeof(c->at), "%.6f", at);
	snprintf(c->graph, sizeof(c->graph), "[1:v:0]"
	    "tpad=stop_mode=clone:stop_duration=%.3f,"
	    "setpts=PTS+%.6f/TB,fps=fps=%.9g:round=down,"
	    "scale=-2:%d,setsar=1,tile=%dx1[s]", dur + 1, slot / 2, 1 / slot,
	    KC_STRIP_HEIGHT, KC_STRIP_FRAMES);
	for (i = 0; args[i] != NULL && i < KC_POSTER_MAXARG - 1; i++)
		c->argv[i] = args[i];
	c->argv[i] = NULL;
}
