/*
 * jobopts.c - what each kind of job runs, from what the page asked for:
 * the command lines and the records given on stdin.  Every option is
 * checked here, before anything runs; a bad one is the message the page
 * shows (a 400).
 *
 *   generate  kc-clip --generate-clips --json --json-progress --curve ...
 *             (--chat FILE or --no-chat when asked)
 *   analyse   kc-clip --json --json-progress --curve ... (no cuts: the
 *             stream record and the highlights, for the page to pick from)
 *   cut       kc-clip --from-highlights - ..., stdin: the analysis's
 *             stream record and the highlights picked, t0/t1 as edited
 *   vertical  kc-cut --export-vertical | kc-db add --print, stdin: the
 *             clip's record as kc-db list --json wrote it
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "num.h"
#include "rec.h"
#include "web.h"

/* Largest picture coordinate a vertical mode may name. */
#define MAXPIX	100000

/* Is option key there, and not null? */
static int
given(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v != NULL && !json_is_null(v);
}

/* An optional number option in [lo, hi]: 0 (absent: *out kept) or 1 and
 * *out, or -1 with the message in why. */
static int
num_opt(const json_t *o, const char *key, double lo, double hi,
    int integer, double *out, char *why, size_t n)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (!given(o, key))
		return 0;
	if (!json_is_number(v)) {
		snprintf(why, n, "%s: want a number", key);
		return -1;
	}
	d = json_number_value(v);
	if (!isfinite(d) || d < lo || d > hi || (integer && d != floor(d))) {
		snprintf(why, n, "%s: want %s %g-%g", key, integer ? "an integer"
		    : "a number", lo, hi);
		return -1;
	}
	*out = d;
	return 1;
}

/* An optional string option: 0 and *out (NULL when absent or null), or
 * -1 when it is there but not a string. */
static int
str_opt(const json_t *o, const char *key, const char **out, char *why,
    size_t n)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!given(o, key))
		return 0;
	if ((*out = json_string_value(v)) == NULL) {
		snprintf(why, n, "%s: want a string", key);
		return -1;
	}
	return 0;
}

/* count comma-separated integers in [0, MAXPIX] (the last `positive` of
 * them >= 1), the whole of s. */
static int
ints(const char *s, int count, int positive)
{
	char buf[32];
	const char *e, *why;
	long v;
	size_t len;
	int i;

	for (i = 0; i < count; i++) {
		e = i < count - 1 ? strchr(s, ',') : s + strlen(s);
		if (e == NULL || (len = (size_t)(e - s)) == 0 || len >=
		    sizeof(buf))
			return -1;
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (kc_parse_long(buf, i >= count - positive ? 1 : 0, MAXPIX,
		    &v, &why) != 0)
			return -1;
		s = e + (i < count - 1);
	}
	return 0;
}

/* A kc-cut --vertical mode: crop, crop:X, fit or stack:X,Y,W,H. */
static int
vertical_mode(const char *s)
{
	if (strcmp(s, "crop") == 0 || strcmp(s, "fit") == 0)
		return 0;
	if (strncmp(s, "crop:", 5) == 0)
		return ints(s + 5, 1, 0);
	if (strncmp(s, "stack:", 6) == 0)
		return ints(s + 6, 4, 2);
	return -1;
}

/* "format" and "vertical" of o, as --format / --vertical on argv from *a;
 * vertical_only: there is no landscape choice (an export). */
static int
format_opts(const json_t *o, const char **argv, int *a, int vertical_only,
    char *why, size_t n)
{
	const char *format, *mode;

	if (str_opt(o, "format", &format, why, n) != 0 || str_opt(o,
	    "vertical", &mode, why, n) != 0)
		return -1;
	if (vertical_only)
		format = NULL;
	else if (format && strcmp(format, "landscape") && strcmp(format,
	    "vertical")) {
		snprintf(why, n, "format: want landscape or vertical");
		return -1;
	}
	if (mode && vertical_mode(mode) != 0) {
		snprintf(why, n, "vertical: want crop, crop:X, fit or "
		    "stack:X,Y,W,H (pixels of the source)");
		return -1;
	}
	if (mode && !vertical_only && (format == NULL || strcmp(format,
	    "vertical"))) {
		snprintf(why, n, "vertical: only with format vertical");
		return -1;
	}
	if (format) {
		argv[(*a)++] = "--format";
		argv[(*a)++] = format;
	}
	if (mode) {
		argv[(*a)++] = "--vertical";
		argv[(*a)++] = mode;
	}
	return 0;
}

/*
 * A file name or URL option that goes on kc-clip's command line: 0, or
 * -1 with why ("KEY: want WANT" when it is missing, empty, longer than
 * 4096 bytes or would read as an option; "KEY: control characters").
 */
static int
arg_ok(const char *key, const char *v, const char *want, char *why,
    size_t n)
{
	const char *p;

	if (v == NULL || *v == '\0' || strlen(v) > 4096 || *v == '-') {
		snprintf(why, n, "%s: want %s", key, want);
		return -1;
	}
	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(why, n, "%s: control characters", key);
			return -1;
		}
	return 0;
}

/*
 * The chat of a generate or analyse job, into argv at *a: "chat", a chat
 * log file on this machine (kc-clip --chat; "" is none), or "no_chat":
 * true (--no-chat); neither: what kc-clip finds (Kick's chat, a log
 * beside a local file).
 */
static int
chat_opts(const json_t *o, const char **argv, int *a, char *why, size_t n)
{
	json_t *nc = json_object_get(o, "no_chat");
	const char *chat;
	struct stat st;

	if (str_opt(o, "chat", &chat, why, n) != 0)
		return -1;
	if (nc && !json_is_boolean(nc) && !json_is_null(nc)) {
		snprintf(why, n, "no_chat: want true or false");
		return -1;
	}
	if (chat && *chat == '\0')
		chat = NULL;
	if (chat && json_is_true(nc)) {
		snprintf(why, n, "chat, no_chat: a chat log or no chat, not "
		    "both");
		return -1;
	}
	if (json_is_true(nc))
		argv[(*a)++] = "--no-chat";
	if (chat == NULL)
		return 0;
	if (arg_ok("chat", chat, "a chat log file", why, n) != 0)
		return -1;
	if (stat(chat, &st) != 0 || access(chat, R_OK) != 0) {
		snprintf(why, n, "chat: %.200s: %s", chat, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, n, "chat: %.200s: not a file", chat);
		return -1;
	}
	argv[(*a)++] = "--chat";
	argv[(*a)++] = chat;
	return 0;
}

/* The number options of a generate or analyse job (spec's num[]), and
 * the places of the two checked against each other. */
enum { JOB_NUMS = 7, JOB_START_MINUTE = 5, JOB_END_MINUTE = 6 };

int
jobopts_generate(const json_t *o, struct jobspec *s, char *why, size_t n)
{
	static const struct {
		const char *key, *flag;
		double lo, hi, dflt;
		int integer;
	} nums[] = {
		{ "clip_duration", "--clip-duration", 5, 600, 30, 0 },
		{ "min_gap", "--min-gap", 0, 3600, 10, 0 },
		{ "max_audio_clips", "--max-audio-clips", 1, 25, 10, 1 },
		{ "max_video_clips", "--max-video-clips", 1, 25, 10, 1 },
		{ "max_chat_clips", "--max-chat-clips", 1, 25, 10, 1 },
		{ "start_minute", "--start-minute", 0, 6000, -1, 0 },
		{ "end_minute", "--end-minute", 0, 6000, -1, 0 },
	};
	const char *url, *type, **argv = s->argv[0];
	json_t *an = json_object_get(o, "analyse");
	double v[JOB_NUMS];
	int a = 0, i, analyse;

	_Static_assert(sizeof(nums) / sizeof(nums[0]) == JOB_NUMS,
	    "JOB_NUMS counts nums[]");
	_Static_assert(JOB_NUMS <= sizeof(s->num) / sizeof(s->num[0]),
	    "num[] holds the numbers");
	url = json_string_value(json_object_get(o, "url"));
	if (arg_ok("url", url, "the stream's URL or a media file", why, n) != 0)
		return -1;
	if (str_opt(o, "type", &type, why, n) != 0)
		return -1;
	if (type == NULL)
		type = "both";
	if (kc_rec_kind(type) < 0 && strcmp(type, "both") && strcmp(type,
	    "all")) {
		snprintf(why, n, "type: want audio, video, chat, both or all");
		return -1;
	}
	if (an && !json_is_boolean(an) && !json_is_null(an)) {
		snprintf(why, n, "analyse: want true or false");
		return -1;
	}
	analyse = json_is_true(an);
	s->kind = analyse ? "analyse" : "generate";
	s->ncmd = 1;
	s->in = NULL;
	argv[a++] = web_tool("kc-clip");
	if (!analyse)
		argv[a++] = "--generate-clips";
	argv[a++] = "--json";
	argv[a++] = "--json-progress";
	argv[a++] = "--curve";
	if (W.no_config)
		argv[a++] = "--no-config";
	/* an analysis too: the database's model scores the highlights */
	argv[a++] = "--db";
	argv[a++] = W.db;
	if (!analyse) {
		argv[a++] = "--out";
		argv[a++] = W.clips;
	}
	argv[a++] = "--type";
	argv[a++] = type;
	for (i = 0; i < JOB_NUMS; i++) {
		v[i] = nums[i].dflt;
		if (num_opt(o, nums[i].key, nums[i].lo, nums[i].hi,
		    nums[i].integer, &v[i], why, n) < 0)
			return -1;
		if (v[i] < 0)
			continue;
		snprintf(s->num[i], sizeof(s->num[i]), "%g", v[i]);
		argv[a++] = nums[i].flag;
		argv[a++] = s->num[i];
	}
	if (v[JOB_END_MINUTE] >= 0 && v[JOB_END_MINUTE] <=
	    (v[JOB_START_MINUTE] < 0 ? 0 : v[JOB_START_MINUTE])) {
		snprintf(why, n, "end_minute: must be after start_minute");
		return -1;
	}
	if (chat_opts(o, argv, &a, why, n) != 0)
		return -1;
	if (analyse) {
		/* the cut that follows takes its own format */
		if (given(o, "format") || given(o, "vertical")) {
			snprintf(why, n, "format, vertical: given to the cut, "
			    "not to an analysis");
			return -1;
		}
	} else if (format_opts(o, argv, &a, 0, why, n) != 0)
		return -1;
	argv[a++] = "--url";
	argv[a++] = url;
	argv[a] = NULL;
	return 0;
}

/* A temporary file (unlinked, close-on-exec) holding recs, rewound. */
static FILE *
records_file(json_t *const *recs, size_t nrecs, char *why, size_t n)
{
	FILE *fp;
	size_t i;

	if ((fp = tmpfile()) == NULL) {
		snprintf(why, n, "temporary file: %s", strerror(errno));
		return NULL;
	}
	for (i = 0; i < nrecs; i++)
		if (kc_rec_write(fp, recs[i]) != 0)
			break;
	if (i < nrecs || fflush(fp) != 0 || fseek(fp, 0, SEEK_SET) != 0) {
		snprintf(why, n, "temporary file: %s", strerror(errno));
		fclose(fp);
		return NULL;
	}
	return fp;
}

/*
 * Highlight pick (an element of the body's "highlights": {"i": N, "t0":
 * T0, "t1": T1}) as the record to cut: the analysis's highlight N with
 * its window moved.  NULL and why when the pick is not one.  seen marks
 * the highlights already picked.
 */
static json_t *
picked(const json_t *pick, const json_t *stream, const json_t *hls,
    char *seen, char *why, size_t n)
{
	size_t nh = json_array_size(hls);
	double i = 0, t0 = 0, t1 = 0, lo, hi, peak;
	char rwhy[256];
	json_t *h;

	if (!json_is_object(pick)) {
		snprintf(why, n, "highlights: want objects {i, t0, t1}");
		return NULL;
	}
	/* the analysed range, where the stream record says it */
	if (kc_rec_num(stream, "start", &lo) != 0 || lo < 0)
		lo = 0;
	if (kc_rec_num(stream, "end", &hi) != 0 || hi <= lo)
		hi = KC_REC_TIME_MAX;
	if (num_opt(pick, "i", 0, (double)nh - 1, 1, &i, why, n) <= 0 ||
	    num_opt(pick, "t0", lo, hi, 0, &t0, why, n) <= 0 ||
	    num_opt(pick, "t1", lo, hi, 0, &t1, why, n) <= 0) {
		if (*why == '\0')
			snprintf(why, n, "highlights: want i, t0 and t1 in each");
		return NULL;
	}
	if (seen[(size_t)i]++) {
		snprintf(why, n, "highlights: %g picked twice", i);
		return NULL;
	}
	if (t1 - t0 < 1 || t1 - t0 > 600) {
		snprintf(why, n, "highlights: %g: t1 - t0 must be 1-600 s", i);
		return NULL;
	}
	if ((h = json_deep_copy(json_array_get(hls, (size_t)i))) == NULL) {
		snprintf(why, n, "out of memory");
		return NULL;
	}
	json_object_set_new(h, "t0", json_real(t0));
	json_object_set_new(h, "t1", json_real(t1));
	/* the poster shows the peak: one moved out of the clip is the
	 * middle's (a reader's default) */
	if (kc_rec_num(h, "peak", &peak) == 0 && (peak < t0 || peak > t1))
		json_object_del(h, "peak");
	if (kc_rec_check(h, rwhy, sizeof(rwhy)) != 0) {
		snprintf(why, n, "highlights: %g: %s", i, rwhy);
		json_decref(h);
		return NULL;
	}
	return h;
}

int
jobopts_cut(const json_t *o, const json_t *stream, const json_t *hls,
    struct jobspec *s, char *why, size_t n)
{
	const json_t *picks = json_object_get(o, "highlights");
	const char **argv = s->argv[0];
	json_t **recs = NULL;
	char *seen = NULL;
	size_t np = json_array_size(picks), i, nr = 0;
	int a = 0, rc = -1;

	s->kind = "cut";
	s->ncmd = 1;
	s->in = NULL;
	*why = '\0';
	if (!json_is_array(picks) || np == 0 || np > json_array_size(hls)) {
		snprintf(why, n, "highlights: want 1-%zu picks {i, t0, t1}",
		    json_array_size(hls));
		return -1;
	}
	argv[a++] = web_tool("kc-clip");
	argv[a++] = "--from-highlights";
	argv[a++] = "-";
	argv[a++] = "--json";
	argv[a++] = "--json-progress";
	if (W.no_config)
		argv[a++] = "--no-config";
	argv[a++] = "--db";
	argv[a++] = W.db;
	argv[a++] = "--out";
	argv[a++] = W.clips;
	if (format_opts(o, argv, &a, 0, why, n) != 0)
		return -1;
	argv[a] = NULL;
	if ((recs = calloc(np + 1, sizeof(*recs))) == NULL || (seen = calloc(
	    json_array_size(hls), 1)) == NULL) {
		snprintf(why, n, "out of memory");
		goto out;
	}
	recs[nr++] = json_incref((json_t *)stream);
	for (i = 0; i < np; i++)
		if ((recs[nr++] = picked(json_array_get(picks, i), stream, hls,
		    seen, why, n)) == NULL)
			goto out;
	if ((s->in = records_file(recs, nr, why, n)) != NULL)
		rc = 0;
out:
	for (i = 0; recs && i < nr; i++)
		json_decref(recs[i]);
	free(recs);
	free(seen);
	return rc;
}

int
jobopts_vertical(const json_t *o, const json_t *clip, struct jobspec *s,
    char *why, size_t n)
{
	const char **cut = s->argv[0], **add = s->argv[1];
	json_t *rec = (json_t *)clip;
	int a = 0, b = 0;

	s->kind = "vertical";
	s->ncmd = 2;
	s->in = NULL;
	cut[a++] = web_tool("kc-cut");
	cut[a++] = "--export-vertical";
	if (format_opts(o, cut, &a, 1, why, n) != 0)
		return -1;
	cut[a] = NULL;
	add[b++] = web_tool("kc-db");
	if (W.no_config)
		add[b++] = "--no-config";
	add[b++] = "--db";
	add[b++] = W.db;
	add[b++] = "add";
	add[b++] = "--print";
	add[b] = NULL;
	return (s->in = records_file(&rec, 1, why, n)) ? 0 : -1;
}
