/*
 * kc-fetch - the head of the kc pipeline: resolves what the user gave (a
 * local file, a file:// URL or an http(s) URL ffmpeg can read directly),
 * probes it with ffprobe and writes one "stream" record followed by
 * "segment" records covering the requested range, then "end".  A local
 * file is never copied: segments are time ranges of it.  Records are
 * described in docs/records.md.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "msg.h"
#include "num.h"
#include "opt.h"
#include "out.h"
#include "probe.h"
#include "rec.h"

static const char usage_text[] =
"usage: kc-fetch [options] SOURCE\n"
"\n"
"Probe SOURCE and write kc records on stdout: one \"stream\" record, then\n"
"\"segment\" records covering [--start, --end), then \"end\".\n"
"SOURCE is a local media file, a file:// URL, or an http(s):// URL of a\n"
"media file or finished HLS playlist (.m3u8) that ffmpeg can read\n"
"directly.  Not supported yet: Kick, Twitch and YouTube page URLs, and\n"
"live streams (paste a VOD's .m3u8 URL instead).\n"
"\n"
"options:\n"
"  -s, --start TIME     analyse from TIME (seconds or [HH:]MM:SS; default 0)\n"
"  -e, --end TIME       analyse up to TIME (default: end of the media)\n"
"      --segment SECS   segment length in seconds, rounded up to whole\n"
"                       hops (default 60)\n"
"      --hop SECS       feature hop the segments align to (default 1)\n"
"      --title TEXT     title for the stream record (default: media tag or\n"
"                       file name)\n"
"      --channel NAME   channel for the stream record (default: media tag\n"
"                       \"artist\", else none)\n"
"      --resume-after SEQ --resume-id ID\n"
"                       continue an interrupted run: write no segment\n"
"                       up to SEQ if the stream's id is still ID (else\n"
"                       start over, with a note); kc-clip uses this\n"
"  -h, --help           show this help\n"
"\n"
"exit status: 0 ok, 1 unreadable or unsuitable media, 2 usage error.\n"
"environment: KC_FFPROBE (ffprobe program to run).\n";

struct opts {
	double start, end;	/* end < 0: to the end of the media */
	double segment, hop;
	const char *title, *channel;
	long resume_after;	/* skip segments with seq <= this (-1: none) */
	const char *resume_id;	/* ... if the stream still has this id */
	const char *arg;	/* SOURCE as given */
};

struct source {
	char url[PATH_MAX + 16];	/* canonical: absolute path or URL */
	char media[PATH_MAX + 16];	/* what ffmpeg reads */
	int local;
};

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "segment", required_argument, NULL, 'S' },
		{ "hop", required_argument, NULL, 'H' },
		{ "title", required_argument, NULL, 'T' },
		{ "channel", required_argument, NULL, 'C' },
		{ "resume-after", required_argument, NULL, 'R' },
		{ "resume-id", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o->start = 0;
	o->end = -1;
	o->segment = 60;
	o->hop = 1;
	o->title = o->channel = NULL;
	o->resume_after = -1;
	o->resume_id = NULL;
	while ((c = getopt_long(argc, argv, "s:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->start = kc_opt_time("--start", optarg); break;
		case 'e': o->end = kc_opt_time("--end", optarg); break;
		case 'S': o->segment = kc_opt_real("--segment", optarg, 1, 3600);
			break;
		case 'H': o->hop = kc_opt_real("--hop", optarg, 0.1, 10); break;
		case 'T': o->title = optarg; break;
		case 'C': o->channel = optarg; break;
		case 'R': o->resume_after = kc_opt_long("--resume-after", optarg,
		    -1, 100000000); break;
		case 'I': o->resume_id = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			kc_out_close();
			exit(KC_EXIT_OK);
		default:
			kc_usage_error("unknown option or missing value: '%s'",
			    kc_bad_option(argv));
		}
	}
	if (optind != argc - 1)
		kc_usage_error(optind == argc ? "no SOURCE given" :
		    "one SOURCE only (got %d)", argc - optind);
	o->arg = argv[optind];
	if (o->end >= 0 && o->end <= o->start)
		kc_usage_error("--end (%g s) must be after --start (%g s)",
		    o->end, o->start);
	/* segments hold whole hops, so every segment starts on the grid */
	o->segment = ceil(o->segment / o->hop - 1e-9) * o->hop;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX escapes of a file:// URL path in place; -1 on a bad one. */
static int
pct_decode(char *s)
{
	char *r = s, *w = s;
	int hi, lo;

	while (*r) {
		if (*r == '%') {
			if ((hi = hexval(r[1])) < 0 || (lo = hexval(r[2])) < 0 ||
			    hi * 16 + lo == 0)
				return -1;
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return 0;
}

/* Length of "scheme://" at the start of s, or 0 when s is not a URL. */
static size_t
scheme_len(const char *s)
{
	size_t i = 0;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (s[i] && (s[i] == '+' || s[i] == '-' || s[i] == '.' ||
	    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= '0' && s[i] <= '9')))
		i++;
	return strncmp(s + i, "://", 3) == 0 ? i : 0;
}

/*
 * Whether host[/...] is a streaming site's page rather than media: the
 * sites' own page hosts only, so their CDNs' .m3u8 URLs still work.
 */
static int
page_url(const char *host)
{
	static const char *const sites[] = { "kick.com", "www.kick.com",
	    "twitch.tv", "www.twitch.tv", "m.twitch.tv", "youtube.com",
	    "www.youtube.com", "m.youtube.com", "youtu.be" };
	size_t i, hl;

	hl = strcspn(host, "/:?#");
	for (i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
		if (hl == strlen(sites[i]) && strncasecmp(host, sites[i], hl)
		    == 0)
			return 1;
	return 0;
}

static void
resolve(const char *arg, struct source *src)
{
	char path[PATH_MAX + 16], real[PATH_MAX];
	struct stat st;
	size_t n;

	n = scheme_len(arg);
	if (n == 4 && strncasecmp(arg, "file", 4) == 0) {
		snprintf(path, sizeof(path), "%s", arg + 7);
		if (path[0] != '/')
			kc_usage_error("%s: a file:// URL needs an absolute "
			    "path (file:///dir/name)", arg);
		if (pct_decode(path) != 0)
			kc_usage_error("%s: bad %%-escape in file:// URL", arg);
	} else if ((n == 4 && strncasecmp(arg, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(arg, "https", 5) == 0)) {
		if (page_url(arg + n + 3))
			kc_die(KC_EXIT_DATA, "%s: Kick, Twitch and YouTube page "
			    "URLs are not supported yet; give the stream's "
			    ".m3u8 or media URL instead", arg);
		if (strlen(arg) >= sizeof(src->url))
			kc_usage_error("URL too long");
		snprintf(src->url, sizeof(src->url), "%s", arg);
		snprintf(src->media, sizeof(src->media), "%s", arg);
		src->local = 0;
		return;
	} else if (n > 0) {
		kc_usage_error("%s: unsupported URL scheme \"%.*s\" (use a "
		    "local file, file://, http:// or https://)", arg, (int)n,
		    arg);
	} else {
		if (strlen(arg) >= sizeof(path))
			kc_usage_error("path too long");
		snprintf(path, sizeof(path), "%s", arg);
	}
	if (realpath(path, real) == NULL)
		kc_die(KC_EXIT_DATA, "%s:", path);
	if (stat(real, &st) != 0)
		kc_die(KC_EXIT_DATA, "%s:", path);
	if (!S_ISREG(st.st_mode))
		kc_die(KC_EXIT_DATA, "%s: not a regular file", path);
	snprintf(src->url, sizeof(src->url), "%s", real);
	/* "file:" keeps ffmpeg from reading "a:b.mp4" as protocol "a" */
	snprintf(src->media, sizeof(src->media), "file:%s", real);
	src->local = 1;
}

static uint64_t
fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static const char *
base_name(const char *s)
{
	const char *p = strrchr(s, '/');

	return (p && p[1]) ? p + 1 : s;
}

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

static json_t *
stream_record(const struct opts *o, const struct source *src,
    const kc_probe *p, const char *id, double start, double end)
{
	json_t *r = kc_rec_new("stream");

	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "v", json_integer(KC_RECORDS_VERSION));
	set(r, "id", json_string(id));
	set(r, "url", json_string(src->url));
	set(r, "analysis", json_string(src->media));
	set(r, "cut", json_string(src->media));
	set(r, "duration", p->duration > 0 ? json_real(p->duration) :
	    json_null());
	set(r, "live", json_false());
	set(r, "title", json_string(o->title ? o->title : *p->title ?
	    p->title : base_name(src->url)));
	set(r, "channel", o->channel ? json_string(o->channel) :
	    *p->artist ? json_string(p->artist) : json_null());
	set(r, "start", json_real(start));
	set(r, "end", json_real(end));
	set(r, "has_audio", json_boolean(p->has_audio));
	set(r, "has_video", json_boolean(p->has_video));
	if (p->has_video) {
		if (p->fps > 0)
			set(r, "fps", kc_json_num(p->fps));
		if (p->width > 0 && p->height > 0) {
			set(r, "width", json_integer(p->width));
			set(r, "height", json_integer(p->height));
		}
	}
	set(r, "hop", json_real(o->hop));
	return r;
}

static void
emit_segments(const struct source *src, double start, double end,
    double seglen, long skip)
{
	json_t *r;
	double t0, t1;
	long seq;

	/* t0 = start + seq * seglen, not a running sum: no drift */
	for (seq = 0; (t0 = start + (double)seq * seglen) < end - 1e-9; seq++) {
		t1 = t0 + seglen < end - 1e-9 ? t0 + seglen : end;
		if (seq <= skip)
			continue;	/* done before an interruption */
		r = kc_rec_new("segment");
		if (r == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		set(r, "seq", json_integer(seq));
		set(r, "t0", json_real(t0));
		set(r, "t1", json_real(t1));
		set(r, "file", json_string(src->media));
		set(r, "range", json_pack("[f,f]", t0, t1));
		kc_out_new(r);
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct source src;
	kc_probe p;
	char why[1200], id[17], hms[32];
	double start, end;
	json_t *r;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv, &o);
	resolve(o.arg, &src);

	if (kc_probe_media(src.media, &p, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "%s: %s", o.arg, why);
	if (p.duration <= 0)
		kc_die(KC_EXIT_DATA, "%s: media duration unknown (a still "
		    "image, or a live source: live is not supported yet)",
		    o.arg);
	if (src.local && kc_probe_tail(src.media, &p, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "%s: %s", o.arg, why);

	start = floor(o.start / o.hop) * o.hop;
	end = o.end >= 0 && o.end < p.duration ? o.end : p.duration;
	if (start >= end)
		kc_usage_error("--start %s is at or past the end of the media "
		    "(%.1f s)", kc_fmt_hms(o.start, hms, sizeof(hms)),
		    p.duration);

	snprintf(id, sizeof(id), "%016llx",
	    (unsigned long long)fnv1a64(src.url));
	kc_out_new(stream_record(&o, &src, &p, id, start, end));
	if (o.resume_id && strcmp(o.resume_id, id) != 0) {
		kc_warn("%s: the stream changed since the interrupted run "
		    "(id %s, was %s); starting over", o.arg, id, o.resume_id);
		o.resume_after = -1;
	}
	emit_segments(&src, start, end, o.segment, o.resume_after);
	r = kc_rec_new("end");
	set(r, "stream", json_string(id));
	kc_out_new(r);
	kc_out_close();
	return KC_EXIT_OK;
}
