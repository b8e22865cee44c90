/*
 * probe.h - what ffprobe says about a media source.
 *
 * One ffprobe run (-show_format -show_streams, JSON) parsed with jansson.
 * Library code: failures come back as a code plus a one-line reason.
 */
#ifndef KC_PROBE_H
#define KC_PROBE_H

#include <stddef.h>

typedef struct kc_probe {
	double duration;	/* seconds, < 0 when unknown */
	double start_time;	/* of the container, seconds (0 if unknown) */
	int has_audio, has_video;	/* cover art does not count as video */
	double fps;		/* first video stream, 0 if unknown */
	int width, height;	/* first video stream, display size */
	int audio_rate;		/* first audio stream, Hz */
	char title[256];	/* format tag "title", or "" */
	char artist[256];	/* format tag "artist"/"album_artist", or "" */
	char format[64];	/* ffprobe's format_name */
	char vcodec[32];	/* first video stream's codec_name ("h264",
				   "hevc", "vp9" ...), "" if none or unknown */
	char vpixfmt[32];	/* ... its pix_fmt ("yuv420p" ...), or "" */
	char acodec[32];	/* first audio stream's codec_name ("aac",
				   "opus" ...), "" if none or unknown */
} kc_probe;

/*
 * Probes src (a path or URL).  Returns 0 and fills *p; -1 when ffprobe
 * cannot be run or cannot read src, with a one-line reason in why.
 */
int kc_probe_media(const char *src, kc_probe *p, char *why, size_t whylen);

/*
 * Checks that a seekable source really has media near its end (a file cut
 * short keeps a full duration in its header).  Returns 0 when packets
 * exist in the last seconds, 1 with a reason when they do not (a crashed
 * or unfinished recording: what it has can still be read), -1 with a
 * reason when the source cannot be probed.
 */
int kc_probe_tail(const char *src, const kc_probe *p, char *why,
    size_t whylen);

#endif
