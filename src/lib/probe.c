/*
 * probe.c - runs ffprobe on a source and keeps the few facts kc needs:
 * duration, which streams exist, their codecs, frame rate and size.  Also
 * a cheap check for files cut short after their header was written.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "probe.h"
#include "spawn.h"

static double
numstr(json_t *v)
{
	const char *s;
	char *end;
	double d;

	if (json_is_number(v))
		return json_number_value(v);
	if ((s = json_string_value(v)) == NULL)
		return NAN;
	d = strtod(s, &end);
	return end == s ? NAN : d;
}

static double
rate(json_t *v)
{
	const char *s = json_string_value(v);
	long a, b;

	if (s == NULL || sscanf(s, "%ld/%ld", &a, &b) != 2 || a <= 0 || b <= 0)
		return 0;
	return (double)a / (double)b;
}

/* The string obj[key] into dst, unless dst is already set. */
static void
copy_tag(char *dst, size_t n, json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	if (v && !*dst)
		snprintf(dst, n, "%s", v);
}

/*
 * ffmpeg's error lines, made readable: "[mov,mp4 @ 0x55] moov atom not
 * found" and "file:x.mp4: Invalid data ..." lose their prefixes, and the
 * last two distinct lines are joined with "; ".
 */
static void
clean_ffmsg(char *err, const char *src, char *why, size_t whylen)
{
	char *lines[2] = { NULL, NULL }, *l, *nl, *p;
	size_t sl = strlen(src);

	for (l = err; l && *l; l = nl) {
		if ((nl = strchr(l, '\n')) != NULL)
			*nl++ = '\0';
		if (*l == '[' && (p = strstr(l, "] ")) != NULL)
			l = p + 2;
		if (strncmp(l, src, sl) == 0 && strncmp(l + sl, ": ", 2) == 0)
			l += sl + 2;
		if (*l == '\0' || (lines[1] && strcmp(lines[1], l) == 0))
			continue;
		lines[0] = lines[1];
		lines[1] = l;
	}
	if (lines[0])
		snprintf(why, whylen, "%s; %s", lines[0], lines[1]);
	else
		snprintf(why, whylen, "%s", lines[1] ? lines[1] : "");
}

static int
run_probe(const char *const argv[], const char *src, char **out, char *why,
    size_t whylen)
{
	char err[1024];
	int st;

	if (kc_run_capture(argv, 16L << 20, out, NULL, err, sizeof(err),
	    &st) != 0) {
		snprintf(why, whylen, "cannot run %s: %s", argv[0],
		    errno == ENOENT ? "not found (install ffmpeg)" :
		    strerror(errno));
		return -1;
	}
	if (kc_status_failed(st)) {
		char sbuf[64];

		clean_ffmsg(err, src, why, whylen);
		if (*why == '\0')
			snprintf(why, whylen, "ffprobe failed: %s",
			    kc_status_str(st, sbuf, sizeof(sbuf)));
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * Where the audio and video streams end (the latest start_time +
 * duration), NAN unless every one of them says.
 */
static double
streams_end(const json_t *streams)
{
	const json_t *s;
	const char *type;
	double end = NAN, st, du;
	size_t i;

	json_array_foreach(streams, i, s) {
		type = json_string_value(json_object_get(s, "codec_type"));
		if (type == NULL || (strcmp(type, "audio") != 0 &&
		    strcmp(type, "video") != 0) ||
		    json_integer_value(json_object_get(json_object_get(s,
		    "disposition"), "attached_pic")) == 1)
			continue;
		st = numstr(json_object_get(s, "start_time"));
		du = numstr(json_object_get(s, "duration"));
		if (!isfinite(st) || !isfinite(du) || du <= 0)
			return NAN;
		if (!(st + du <= end))
			end = isnan(end) || st + du > end ? st + du : end;
	}
	return end;
}

int
kc_probe_media(const char *src, kc_probe *p, char *why, size_t whylen)
{
	const char *argv[] = { kc_tool("KC_FFPROBE", "ffprobe"), "-v", "error",
	    "-print_format", "json", "-show_format", "-show_streams",
	    "-i", src, NULL };
	json_error_t jerr;
	json_t *root, *fmt, *streams, *s, *disp;
	char *out;
	size_t i;
	const char *type;
	double d;

	memset(p, 0, sizeof(*p));
	p->duration = -1;
	if (run_probe(argv, src, &out, why, whylen) != 0)
		return -1;
	root = json_loads(out, 0, &jerr);
	free(out);
	if (root == NULL) {
		snprintf(why, whylen, "unreadable ffprobe output: %s",
		    jerr.text);
		return -1;
	}
	fmt = json_object_get(root, "format");
	streams = json_object_get(root, "streams");
	if (!json_is_object(fmt) || !json_is_array(streams) ||
	    json_array_size(streams) == 0) {
		json_decref(root);
		snprintf(why, whylen, "not a media file (no audio or video)");
		return -1;
	}
	d = numstr(json_object_get(fmt, "duration"));
	if (isfinite(d) && d > 0)
		p->duration = d;
	d = numstr(json_object_get(fmt, "start_time"));
	p->start_time = isfinite(d) ? d : 0;
	snprintf(p->format, sizeof(p->format), "%s",
	    json_string_value(json_object_get(fmt, "format_name")) ?
	    json_string_value(json_object_get(fmt, "format_name")) : "");
	copy_tag(p->title, sizeof(p->title), json_object_get(fmt, "tags"),
	    "title");
	copy_tag(p->artist, sizeof(p->artist), json_object_get(fmt, "tags"),
	    "artist");
	copy_tag(p->artist, sizeof(p->artist), json_object_get(fmt, "tags"),
	    "album_artist");
	json_array_foreach(streams, i, s) {
		type = json_string_value(json_object_get(s, "codec_type"));
		if (type == NULL)
			continue;
		if (strcmp(type, "audio") == 0 && !p->has_audio) {
			p->has_audio = 1;
			copy_tag(p->acodec, sizeof(p->acodec), s, "codec_name");
			d = numstr(json_object_get(s, "sample_rate"));
			p->audio_rate = isfinite(d) ? (int)d : 0;
		} else if (strcmp(type, "video") == 0 && !p->has_video) {
			disp = json_object_get(s, "disposition");
			if (json_integer_value(json_object_get(disp,
			    "attached_pic")) == 1)
				continue;	/* cover art, not a picture stream */
			p->has_video = 1;
			copy_tag(p->vcodec, sizeof(p->vcodec), s, "codec_name");
			copy_tag(p->vpixfmt, sizeof(p->vpixfmt), s, "pix_fmt");
			p->width = (int)json_integer_value(json_object_get(s,
			    "width"));
			p->height = (int)json_integer_value(json_object_get(s,
			    "height"));
			p->fps = rate(json_object_get(s, "avg_frame_rate"));
			if (p->fps <= 0 || p->fps > 1000)
				p->fps = rate(json_object_get(s,
				    "r_frame_rate"));
		}
	}
	/*
	 * An MP4 whose media starts late (cut with -copyts) can state its
	 * format duration from 0: its streams say where it really ends.
	 */
	if (p->duration > 0 && (d = streams_end(streams)) > p->start_time &&
	    d - p->start_time < p->duration - 1)
		p->duration = d - p->start_time;
	json_decref(root);
	if (!p->has_audio && !p->has_video) {
		snprintf(why, whylen, "not a media file (no audio or video)");
		return -1;
	}
	return 0;
}

int
kc_probe_tail(const char *src, const kc_probe *p, char *why, size_t whylen)
{
	char iv[64];
	const char *argv[] = { kc_tool("KC_FFPROBE", "ffprobe"), "-v", "error",
	    "-read_intervals", iv, "-show_entries", "packet=pts_time",
	    "-of", "csv=p=0", "-i", src, NULL };
	char *out, *line, *nl;
	double last = -1, t;
	double from;

	if (p->duration <= 0)
		return 0;
	/* -read_intervals takes timestamps, which start at start_time */
	from = p->start_time + (p->duration > 6 ? p->duration - 6 : 0);
	/* open-ended: "+N" would count from the first packet read, which in
	 * a file with cover art is the picture at 0 */
	snprintf(iv, sizeof(iv), "%.3f%%", from);
	if (run_probe(argv, src, &out, why, whylen) != 0)
		return -1;
	for (line = out; *line; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if (sscanf(line, "%lf", &t) == 1 && t > last)
			last = t;
	}
	free(out);
	last -= p->start_time;
	if (last < p->duration - 8) {
		snprintf(why, whylen, "file is cut short: media data ends "
		    "before its stated duration of %.1f s (truncated or still "
		    "being written?)", p->duration);
		return 1;
	}
	return 0;
}
