/*
 * cut.c - the ffmpeg side of kc-cut: command lines for the keyframe
 * lookup, the cut and the check of a clip, and the reading of what ffprobe
 * says; and the clip's name and its move into place.  Kept apart from the
 * program so the rules (which keyframe, which flags, what counts as a good
 * clip, which name it gets) sit in one place and can be tested without
 * running a scheduler.
 *
 * Clips of every stream may share one folder (kc-web's Generate writes
 * all its runs into one), so a name starts with the stream's title and
 * id, and a finished clip never replaces a file: the same bytes under
 * that name are the same clip cut again and are kept; anything else gets
 * a numbered name.  A replaced file would leave the database's row, and
 * its rating, describing another video.
 *
 * A copy keeps the source's codecs, and browsers do not play them all
 * (HEVC in Chromium and Firefox, VP9 or Opus in Safari's MP4): such a
 * source's clips are re-encoded to H.264/AAC (kc_cut_codec_mode), from
 * the same keyframe a copy would start at, so a clip's bounds do not
 * depend on the source's codecs; only --accurate moves them.
 *
 * How a copy cut is made, and why (measured with ffmpeg 5.1 on H.264 with
 * B-frames and AAC in MP4, GOP 2 s and 5 s):
 *   ffmpeg -ss K -i SRC -t DUR -c copy -copypriorss 0 -f mp4 TMP
 * -copypriorss 0 drops every packet stamped before K.  Without it the MP4
 * demuxer hands out audio from the keyframe's decode time, 70-80 ms before
 * its picture, and the clip's audio starts that much before its video;
 * with it both start within one audio frame (0-16 ms measured).  It also
 * means K must be the keyframe's time to the microsecond (ffmpeg's unit):
 * a hair later and the keyframe itself would be dropped.  The MP4 muxer's
 * own handling of the B-frame delay (an edit list, -avoid_negative_ts
 * auto) keeps the first picture at time 0, where make_zero would shift it
 * to about 67 ms.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cut.h"
#include "paths.h"
#include "spawn.h"

/* How far before t0 the keyframe lookup starts reading, seconds. */
#define KF_WINDOW 30.0

/* Appends args (NULL-terminated) to c->argv after its first n entries. */
static size_t
push(kc_cut_cmd *c, size_t n, const char *const args[])
{
	size_t i;

	for (i = 0; args[i] != NULL && n < KC_CUT_MAXARG - 1; i++)
		c->argv[n++] = args[i];
	c->argv[n] = NULL;
	return n;
}

void
kc_cut_keyframe_cmd(kc_cut_cmd *c, const char *src, double t0,
    enum kc_cut_kf_how how, double start_time)
{
	const char *args[] = { kc_tool("KC_FFPROBE", "ffprobe"), "-v", "error",
	    "-select_streams", "v:0", "-read_intervals", c->num[0],
	    "-show_entries",
	    "packet=pts,flags:stream=codec_type,time_base:format=start_time",
	    "-of", "json", "-i", src, NULL };
	char *iv = c->num[0];
	size_t n = sizeof(c->num[0]);

	/*
	 * "+A" seeks to start_time + A; "%+D" ends D after the first packet
	 * read, which after a backward seek to a keyframe may be up to a GOP
	 * before the target: 5 s of slack cover common GOPs, and "reached"
	 * in the parse tells when it was not enough.
	 */
	if (how == KC_CUT_KF_NEAR && t0 > KF_WINDOW)
		snprintf(iv, n, "+%.6f%%+%.6f", t0 - KF_WINDOW,
		    KF_WINDOW + 5.5);
	else if (how == KC_CUT_KF_NEAR)
		snprintf(iv, n, "%%+%.6f", t0 + 1);
	else if (how == KC_CUT_KF_EXACT && t0 > KF_WINDOW)
		snprintf(iv, n, "%.6f%%%.6f", start_time + t0 - KF_WINDOW,
		    start_time + t0 + 0.5);
	else
		snprintf(iv, n, "%%%.6f", start_time + t0 + 0.5);
	push(c, 0, args);
}

/* "1/15360" into num and den; -1 unless both are positive. */
static int
parse_rational(const char *s, long long *num, long long *den)
{
	char *end;

	if (s == NULL)
		return -1;
	errno = 0;
	*num = strtoll(s, &end, 10);
	if (errno || end == s || *end != '/' || *num <= 0)
		return -1;
	s = end + 1;
	*den = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || *den <= 0)
		return -1;
	return 0;
}

/* ffprobe prints times as strings ("0.000000"); NAN when absent or "N/A". */
static double
strnum(json_t *v)
{
	const char *s = json_string_value(v);
	char *end;
	double d;

	if (json_is_number(v))
		return json_number_value(v);
	if (s == NULL)
		return NAN;
	d = strtod(s, &end);
	return (end == s || *end != '\0' || !isfinite(d)) ? NAN : d;
}

int
kc_cut_keyframe_parse(const char *json, double t0, int from_start,
    kc_cut_kf *r, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root, *streams, *p;
	long long num, den, start_us, want_us, best = 0, first = 0, us;
	const char *flags;
	double st;
	size_t i;
	int rc = -1, has_best = 0, has_first = 0;

	r->k = -1;
	r->start_time = 0;
	r->reached = 0;
	if ((root = json_loads(json, 0, &jerr)) == NULL) {
		snprintf(why, whylen, "unreadable ffprobe output: %s",
		    jerr.text);
		return -1;
	}
	streams = json_object_get(root, "streams");
	if (!json_is_array(streams)) {
		snprintf(why, whylen, "ffprobe listed no streams");
		goto out;
	}
	if (json_array_size(streams) == 0) {
		rc = 1;		/* no video stream at all */
		goto out;
	}
	if (parse_rational(json_string_value(json_object_get(
	    json_array_get(streams, 0), "time_base")), &num, &den) != 0) {
		snprintf(why, whylen, "ffprobe gave no video time base");
		goto out;
	}
	st = strnum(json_object_get(json_object_get(root, "format"),
	    "start_time"));
	r->start_time = isfinite(st) ? st : 0;
	/*
	 * Work in whole microseconds, as ffmpeg's -ss does: then K printed
	 * with six decimals maps back to this very packet's pts.
	 */
	start_us = llround(r->start_time * 1e6);
	want_us = llround(t0 * 1e6) + start_us;
	json_array_foreach(json_object_get(root, "packets"), i, p) {
		if (!json_is_integer(json_object_get(p, "pts")))
			continue;
		us = llroundl((long double)json_integer_value(
		    json_object_get(p, "pts")) * num * 1e6L / den);
		if (us > want_us)
			r->reached = 1;
		flags = json_string_value(json_object_get(p, "flags"));
		if (flags == NULL || flags[0] != 'K' || strchr(flags, 'D'))
			continue;
		/* found-flags, not -1: an MPEG-TS whose 33-bit clock wrapped
		 * has times below 0 (ffmpeg's wrap correction) */
		if (us <= want_us && (!has_best || us > best)) {
			best = us;
			has_best = 1;
		}
		if (!has_first || us < first) {
			first = us;
			has_first = 1;
		}
	}
	if (!has_best && from_start && has_first && first - want_us <= 1000000) {
		best = first;	/* the video starts after t0 */
		has_best = 1;
	}
	if (!has_best && !has_first) {
		snprintf(why, whylen, "the media has no video keyframe");
		goto out;
	}
	if (!has_best) {	/* the first is after t0 */
		snprintf(why, whylen, "the clip starts at %.3f s, before the "
		    "media's first video keyframe (%.3f s): that part of the "
		    "stream is not there (not kept, or lost)", t0,
		    (double)(first - start_us) / 1e6);
		goto out;
	}
	r->k = (double)(best - start_us) / 1e6;
	if (r->k < 0)
		r->k = 0;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
kc_cut_ffmpeg_cmd(kc_cut_cmd *c, const char *src, enum kc_cut_mode mode,
    int video, double start, double pre, double dur, const char *tmp)
{
	const char *head[] = { kc_tool("KC_FFMPEG", "ffmpeg"), "-nostdin",
	    "-v", "error", "-y", "-ss", c->num[0], "-i", src, "-t", c->num[1],
	    NULL };
	const char *skip[] = { "-ss", c->num[2], NULL };
	const char *vmap[] = { "-map", "0:v:0?", NULL };
	const char *amap[] = { "-map", "0:a:0?", NULL };
	const char *copy[] = { "-c", "copy", "-copypriorss", "0", NULL };
	const char *copy_aac[] = { "-c:v", "copy", "-c:a", "aac", "-b:a",
	    "160k", "-copypriorss", "0", NULL };
	/* one encoder thread: x264's frame threads made the bytes of the
	 * same cut differ from run to run on a loaded machine, so a rerun
	 * could not tell its own clip from another and wrote NAME-2 */
	const char *enc[] = { "-c:v", "libx264", "-preset", "veryfast",
	    "-crf", "20", "-threads", "1", "-pix_fmt", "yuv420p", "-c:a", "aac",
	    "-b:a", "160k", NULL };
	const char *tail[] = { "-movflags", "+faststart", "-f", "mp4", tmp,
	    NULL };
	size_t n;

	snprintf(c->num[0], sizeof(c->num[0]), "%.6f", start);
	snprintf(c->num[1], sizeof(c->num[1]), "%.6f", dur);
	snprintf(c->num[2], sizeof(c->num[2]), "%.6f", pre);
	n = push(c, 0, head);
	/* an output -ss: decoded from the keyframe, dropped up to start +
	 * pre; the output's -t counts from the first frame kept */
	if (pre > 0)
		n = push(c, n, skip);
	/* cover art is a video stream too: map it only for real video */
	if (video)
		n = push(c, n, vmap);
	n = push(c, n, amap);
	/* KC_CUT_ENCODE and KC_CUT_ACCURATE differ only in where the
	 * caller starts the cut */
	n = push(c, n, mode == KC_CUT_COPY ? copy : mode == KC_CUT_COPY_AAC ?
	    copy_aac : enc);
	push(c, n, tail);
}

enum kc_cut_mode
kc_cut_codec_mode(const char *vcodec, const char *vpixfmt,
    const char *acodec)
{
	/* 4:2:2, 4:4:4 and 10-bit H.264 are High profiles that Firefox and
	 * most hardware decoders refuse */
	if (*vcodec && (strcmp(vcodec, "h264") != 0 ||
	    (*vpixfmt && strcmp(vpixfmt, "yuv420p") != 0 &&
	    strcmp(vpixfmt, "yuvj420p") != 0)))
		return KC_CUT_ENCODE;
	if (*acodec && strcmp(acodec, "aac") != 0)
		return KC_CUT_COPY_AAC;
	return KC_CUT_COPY;
}

void
kc_cut_verify_cmd(kc_cut_cmd *c, const char *path)
{
	const char *args[] = { kc_tool("KC_FFPROBE", "ffprobe"), "-v", "error",
	    "-show_entries",
	    "stream=codec_type,start_time,duration,width,height:"
	    "format=duration",
	    "-of", "json", "-i", path, NULL };

	push(c, 0, args);
}

/* A picture's width or height as ffprobe gives it; 0 if absent or odd. */
static int
dimension(json_t *v)
{
	json_int_t d = json_integer_value(v);

	return d > 0 && d <= 100000 ? (int)d : 0;
}

int
kc_cut_verify_parse(const char *json, const kc_cut_expect *e,
    kc_cut_found *f, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root, *streams, *s;
	const char *type;
	double st, d, fdur, lo = INFINITY, hi = -INFINITY;
	size_t i;
	int rc = -1;

	f->dur = -1;
	f->vstart = f->astart = -1;
	f->width = f->height = 0;
	if ((root = json_loads(json, 0, &jerr)) == NULL) {
		snprintf(why, whylen, "unreadable ffprobe output: %s",
		    jerr.text);
		return -1;
	}
	streams = json_object_get(root, "streams");
	fdur = strnum(json_object_get(json_object_get(root, "format"),
	    "duration"));
	json_array_foreach(streams, i, s) {
		type = json_string_value(json_object_get(s, "codec_type"));
		if (type == NULL)
			continue;
		st = strnum(json_object_get(s, "start_time"));
		d = strnum(json_object_get(s, "duration"));
		if (!isfinite(st))
			st = 0;
		if (!isfinite(d))
			d = fdur;
		if (strcmp(type, "video") == 0 && f->vstart < 0) {
			f->vstart = st;
			f->width = dimension(json_object_get(s, "width"));
			f->height = dimension(json_object_get(s, "height"));
		}
		else if (strcmp(type, "audio") == 0 && f->astart < 0)
			f->astart = st;
		else
			continue;
		if (st < lo)
			lo = st;
		if (isfinite(d) && st + d > hi)
			hi = st + d;
	}
	if (e->video && f->vstart < 0)
		snprintf(why, whylen, "clip has no video stream");
	else if (e->audio && f->astart < 0)
		snprintf(why, whylen, "clip has no audio stream");
	else if (!isfinite(lo) || !isfinite(hi) || hi <= lo)
		snprintf(why, whylen, "clip has no media");
	else if (f->vstart > e->vlate)
		snprintf(why, whylen, "clip's video starts %.3f s late",
		    f->vstart);
	else {
		f->dur = hi - lo;
		if (fabs(f->dur - e->dur) > e->tol)
			snprintf(why, whylen, "clip is %.3f s long, wanted "
			    "%.3f s (+/- %.1f s)", f->dur, e->dur, e->tol);
		else
			rc = 0;
	}
	json_decref(root);
	return rc;
}

/* An ASCII letter or digit (not isalnum: no locale may widen it). */
static int
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Latin letters with marks, U+00C0 to U+017F, as the ASCII a slug keeps
 * ("Día de juegos" is "dia-de-juegos", not "d-a-de-juegos"); "" for the
 * two signs among them.
 */
static const char *const latin[192] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* U+00C0 */
	"e", "e", "e", "e", "i", "i", "i", "i",	/* U+00C8 */
	"d", "n", "o", "o", "o", "o", "o", "",	/* U+00D0 */
	"o", "u", "u", "u", "u", "y", "th", "ss",	/* U+00D8 */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* U+00E0 */
	"e", "e", "e", "e", "i", "i", "i", "i",	/* U+00E8 */
	"d", "n", "o", "o", "o", "o", "o", "",	/* U+00F0 */
	"o", "u", "u", "u", "u", "y", "th", "y",	/* U+00F8 */
	"a", "a", "a", "a", "a", "a", "c", "c",	/* U+0100 */
	"c", "c", "c", "c", "c", "c", "d", "d",	/* U+0108 */
	"d", "d", "e", "e", "e", "e", "e", "e",	/* U+0110 */
	"e", "e", "e", "e", "g", "g", "g", "g",	/* U+0118 */
	"g", "g", "g", "g", "h", "h", "h", "h",	/* U+0120 */
	"i", "i", "i", "i", "i", "i", "i", "i",	/* U+0128 */
	"i", "i", "ij", "ij", "j", "j", "k", "k",	/* U+0130 */
	"k", "l", "l", "l", "l", "l", "l", "l",	/* U+0138 */
	"l", "l", "l", "n", "n", "n", "n", "n",	/* U+0140 */
	"n", "n", "n", "n", "o", "o", "o", "o",	/* U+0148 */
	"o", "o", "oe", "oe", "r", "r", "r", "r",	/* U+0150 */
	"r", "r", "s", "s", "s", "s", "s", "s",	/* U+0158 */
	"s", "s", "t", "t", "t", "t", "t", "t",	/* U+0160 */
	"u", "u", "u", "u", "u", "u", "u", "u",	/* U+0168 */
	"u", "u", "u", "u", "w", "w", "y", "y",	/* U+0170 */
	"y", "z", "z", "z", "z", "z", "z", "s",	/* U+0178 */
};

/* A character that may stand in a file name as it is. */
static int
name_char(char c)
{
	return alnum(c) || c == '-' || c == '_';
}

int
kc_cut_stem(char *buf, size_t n, const char *title, const char *id)
{
	char slug[33], idp[9], one[2] = "";
	const char *tr;
	size_t k = 0, i;
	unsigned u, cp;
	int w, sep = 0;
	char c;

	for (i = 0; title != NULL && title[i] != '\0'; i++) {
		c = title[i];
		u = (unsigned char)c;
		tr = NULL;
		/* a two-byte UTF-8 letter of latin[]: its ASCII */
		if (u >= 0xC3 && u <= 0xC5 && ((unsigned char)title[i + 1] &
		    0xC0) == 0x80) {
			cp = ((u & 0x1F) << 6) | ((unsigned char)title[i + 1] &
			    0x3F);
			if (cp >= 0xC0 && cp < 0x180 && *latin[cp - 0xC0]) {
				tr = latin[cp - 0xC0];
				i++;
			}
		}
		if (tr == NULL && !alnum(c)) {
			sep = k > 0;	/* none at the start */
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (tr == NULL) {
			one[0] = c;
			tr = one;
		}
		if (k + (size_t)sep + strlen(tr) > sizeof(slug) - 1)
			break;
		if (sep)
			slug[k++] = '-';
		for (; *tr; tr++)
			slug[k++] = *tr;
		sep = 0;
	}
	slug[k] = '\0';
	k = 0;
	for (i = 0; id != NULL && id[i] != '\0' && k < sizeof(idp) - 1; i++)
		if (alnum(id[i]))
			idp[k++] = id[i];
	idp[k] = '\0';
	w = snprintf(buf, n, "%s%s%s", *slug ? slug : "clip", *idp ? "-" : "",
	    idp);
	return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

/* src with every character name_char refuses made '_', at most n - 1. */
static void
safe_copy(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i < n - 1; i++)
		dst[i] = name_char(src[i]) ? src[i] : '_';
	dst[i] = '\0';
}

int
kc_cut_name(char *buf, size_t n, const char *stem, long seq, double t0,
    double score, const char *kind)
{
	char k[33], st[KC_CUT_STEM_MAX];
	long secs, pct;
	int w;

	secs = (isfinite(t0) && t0 > 0) ? (long)floor(t0) : 0;
	pct = isfinite(score) ? lround(score * 100) : 0;
	if (pct < 0)
		pct = 0;
	if (pct > 999)
		pct = 999;
	safe_copy(k, sizeof(k), kind);
	safe_copy(st, sizeof(st), stem);
	w = snprintf(buf, n, "%s_%03ld_%02ldm%02lds_%03ld_%s.mp4", st, seq,
	    secs / 60, secs % 60, pct, k);
	return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

/* dir/name, with "-try" before name's last '.' from the second try. */
static int
place_path(char *path, size_t n, const char *dir, const char *name, int try)
{
	const char *dot = strrchr(name, '.');
	int base = dot ? (int)(dot - name) : (int)strlen(name), w;

	if (try == 1)
		w = snprintf(path, n, "%s/%s", dir, name);
	else
		w = snprintf(path, n, "%s/%.*s-%d%s", dir, base, name, try,
		    name + base);
	if (w < 0 || (size_t)w >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
kc_cut_place(const char *tmp, const char *dir, const char *name,
    char *path, size_t n, int *kept)
{
	int try;

	if (kept)
		*kept = 0;
	for (try = 1; try <= KC_CUT_PLACE_TRIES; try++) {
		if (place_path(path, n, dir, name, try) != 0)
			return -1;
		if (kc_rename_noreplace(tmp, path) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		/* unreadable (a folder of that name, ...): another file */
		if (kc_same_content(tmp, path) == 1) {
			unlink(tmp);
			if (kept)
				*kept = 1;
			return 0;
		}
	}
	errno = EEXIST;
	return -1;
}

/* Trims one stderr line in place: "[mp4 @ 0x55..] ", blanks, " --". */
static char *
tidy(char *l)
{
	char *p;
	size_t n;

	if (l[0] == '[' && (p = strstr(l, "] ")) != NULL)
		l = p + 2;	/* names an ffmpeg object, not a place */
	while (*l == ' ' || *l == '\t')
		l++;
	n = strlen(l);
	while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t' ||
	    l[n - 1] == '\r' || l[n - 1] == '-'))
		l[--n] = '\0';
	return l;
}

char *
kc_cut_errmsg(char *text, char *buf, size_t n)
{
	char *line[3], *l, *end;
	int k = 0, i;
	size_t used = 0;

	/* walk back from the end: ffmpeg's cause comes before its effects */
	end = text + strlen(text);
	while (k < 3 && end > text) {
		for (l = end; l > text && l[-1] != '\n'; l--)
			;
		*end = '\0';
		end = l > text ? l - 1 : text;
		l = tidy(l);
		if (*l == '\0' || (k > 0 && strcmp(line[k - 1], l) == 0))
			continue;
		line[k++] = l;
	}
	buf[0] = '\0';
	for (i = k - 1; i >= 0 && used < n; i--)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
		    used ? "; " : "", line[i]);
	return buf;
}
