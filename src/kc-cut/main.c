/*
 * kc-cut - the cutting stage of the kc pipeline.  Each "highlight" record
 * becomes one clip file, cut with ffmpeg from the source the preceding
 * "stream" record names, and one "clip" record (or an "error" record when
 * the cut fails).  By default a cut is a stream copy that starts at the
 * video keyframe at or before the highlight, so it costs no re-encoding
 * and never opens on frozen or broken frames; --accurate re-encodes for
 * frame-exact bounds.  A source whose codecs browsers do not all play
 * (HEVC, VP9, Opus ...) has its clips re-encoded to H.264/AAC from that
 * same keyframe (--reencode; its codecs are probed once per stream, at
 * its first highlight).  Up to -j cuts run at once; their records still come
 * out in the order the highlights came in.  Beside each clip go its
 * poster and hover strip and, with --format vertical, its 9:16 version
 * (after.c); --export-vertical makes the 9:16 version of clips already
 * cut, from their clip records.  Other records pass through byte for
 * byte, and "end" only after every clip before it is written.  Records
 * are described in docs/records.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc-cut.h"
#include "msg.h"
#include "num.h"
#include "opt.h"
#include "out.h"
#include "probe.h"
#include "rec.h"
#include "spool.h"

static const char usage_text[] =
"usage: kc-cut [options] < records\n"
"       kc-cut --export-vertical [--vertical MODE] < clip-records\n"
"\n"
"Cut one clip per \"highlight\" record from the source of the \"stream\"\n"
"record before it, and write a \"clip\" record for it, or an \"error\"\n"
"record if the cut fails.  Other records pass through unchanged; \"end\"\n"
"is held until every clip before it is written.\n"
"\n"
"Clips are named STEM_SEQ_MMmSSs_SCORE_KIND.mp4, for instance\n"
"my-title-89fa840a_001_12m30s_085_audio.mp4: STEM is the stream's title\n"
"as a slug and the first 8 digits of its id, so streams never share a\n"
"name.  No file is replaced: the same clip already there (the same\n"
"bytes: a rerun) is kept, and a name another file has becomes\n"
"NAME-2.mp4, NAME-3.mp4, ...\n"
"\n"
"Beside each clip BASE.mp4 go its poster BASE.jpg (the frame at the\n"
"highlight's peak, else the clip's middle) and its hover strip\n"
"BASE.strip.jpg (8 frames of the clip side by side); the clip record\n"
"names them (poster, strip, strip_frames).  A picture that cannot be\n"
"made is a warning, not a failed cut.\n"
"\n"
"options:\n"
"  -o, --out DIR      write clips into DIR, created if missing\n"
"                     (default ./output_clips)\n"
"      --accurate     re-encode (H.264/AAC) for frame-exact bounds; by\n"
"                     default clips start at the video keyframe at or\n"
"                     before the highlight\n"
"      --reencode MODE  when clips are re-encoded to H.264/AAC (MP4 that\n"
"                     every browser plays): auto (the default) when the\n"
"                     source's picture is not H.264 or its sound not AAC\n"
"                     (H.264 with other sound: only the sound), always,\n"
"                     or never (a stream copy of the source's codecs);\n"
"                     --accurate always re-encodes\n"
"      --no-poster    no poster and no hover strip\n"
"      --format FORMAT  landscape (the default) or vertical: each clip\n"
"                     also as BASE.vertical.mp4, 1080x1920 H.264/AAC\n"
"                     (re-encoded, with progress on stderr; it takes\n"
"                     about as long as the clip lasts), named in the clip\n"
"                     record (vertical_path, vertical_mode)\n"
"      --vertical MODE  how the vertical version is made (implies\n"
"                     --format vertical): fit, the whole picture over a\n"
"                     blurred, zoomed copy of itself (the default); crop,\n"
"                     a full-height slice of the picture, centred; crop:X,\n"
"                     its centre at source x = X pixels; stack:X,Y,W,H,\n"
"                     the source rectangle X,Y,W,H (a facecam, in source\n"
"                     pixels) on top, the picture below\n"
"      --export-vertical  read clip records instead (as kc-db list --json\n"
"                     writes them), make each clip's BASE.vertical.mp4\n"
"                     from the clip file and write the record again with\n"
"                     vertical_path and vertical_mode added (a failure:\n"
"                     an error record in its place)\n"
"  -j, --jobs N       run N cuts (or vertical versions) at once, 1-16\n"
"                     (default 2)\n"
"      --unbuffered   flush every record as soon as it is written\n"
"      --cookies FILE browser cookies (cookies.txt) for HLS requests\n"
"      --retries N    HLS requests: HTTP retries (default 5)\n"
"      --backoff F    HLS requests: backoff factor (default 2)\n"
"      --connections N  HLS: a clip's segment downloads in flight, 1-16\n"
"                     (default 4)\n"
"  -q, --quiet        no progress line on a terminal, no notes\n"
"  -h, --help         show this help\n"
"  -V, --version      show the version\n"
"\n"
"exit status: 0 ok, 1 malformed input or another failure of the run,\n"
"2 usage error, 3 at least one cut failed (each has an \"error\" record;\n"
"a highlight that fails the checks of docs/records.md is one; the other\n"
"clips were cut and their records written), or a vertical version\n"
"failed (a warning each; its clip's record has no vertical_path; with\n"
"--export-vertical an \"error\" record in place of the clip's).\n"
"environment: KC_FFMPEG, KC_FFPROBE (the ffmpeg and ffprobe to run).\n";

/*
 * Highlights read ahead of the records written, at most: keeps memory
 * bounded when one long cut holds back the records behind it.
 */
#define BACKLOG 64

struct ctx {
	struct source *src;	/* the current stream */
	char stem[KC_CUT_STEM_MAX];	/* what its clips' names start with */
	char *end_raw;		/* an "end" record held for pending cuts */
	size_t end_len;
	int eof;
	int wake[2];		/* input and SIGCHLD wake-ups */
};

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "accurate", no_argument, NULL, 'A' },
		{ "reencode", required_argument, NULL, 'E' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "unbuffered", no_argument, NULL, 'U' },
		{ "cookies", required_argument, NULL, 'k' },
		{ "retries", required_argument, NULL, 'r' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "connections", required_argument, NULL, 'C' },
		{ "no-poster", no_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'F' },
		{ "vertical", required_argument, NULL, 'W' },
		{ "export-vertical", no_argument, NULL, 'X' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *format = NULL, *out = NULL, *vspec = NULL;
	char why[300];
	int c, reencode = 0;

	memset(o, 0, sizeof(*o));
	o->out = "./output_clips";
	o->poster = 1;
	if (kc_vert_parse("fit", &o->vert, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "internal error: %s", why);
	o->mode = KC_CUT_COPY;
	o->reencode = KC_CUT_RE_AUTO;
	o->jobs = 2;
	o->retries = 5;
	o->backoff = 2;
	o->connections = 4;
	while ((c = getopt_long(argc, argv, "o:j:qVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = out = optarg; break;
		case 'A': o->mode = KC_CUT_ACCURATE; break;
		case 'E':
			if (strcmp(optarg, "auto") == 0)
				o->reencode = KC_CUT_RE_AUTO;
			else if (strcmp(optarg, "always") == 0)
				o->reencode = KC_CUT_RE_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->reencode = KC_CUT_RE_NEVER;
			else
				kc_usage_error("--reencode: '%s': want auto, "
				    "always or never", optarg);
			reencode = 1;
			break;
		case 'j':
			o->jobs = (int)kc_opt_long("-j", optarg, 1, MAX_JOBS);
			break;
		case 'U': o->unbuffered = 1; break;
		case 'k': o->cookies = optarg; break;
		case 'r': o->retries = (int)kc_opt_long("--retries", optarg, 0,
		    100); break;
		case 'b': o->backoff = kc_opt_real("--backoff", optarg, 1, 10);
			break;
		case 'C': o->connections = (int)kc_opt_long("--connections",
		    optarg, 1, MAX_CONN); break;
		case 'P': o->poster = 0; break;
		case 'F':
			if (strcmp(optarg, "landscape") != 0 &&
			    strcmp(optarg, "vertical") != 0)
				kc_usage_error("--format: '%s': want landscape "
				    "or vertical", optarg);
			format = optarg;
			break;
		case 'W':
			if (kc_vert_parse(optarg, &o->vert, why,
			    sizeof(why)) != 0)
				kc_usage_error("--vertical: '%s': %s", optarg,
				    why);
			vspec = optarg;
			break;
		case 'X': o->export_vertical = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
	if (optind != argc)
		kc_usage_error("no operands expected (got '%s'); records are "
		    "read from stdin", argv[optind]);
	if (*o->out == '\0')
		kc_usage_error("--out: empty folder name");
	if (o->mode == KC_CUT_ACCURATE && o->reencode == KC_CUT_RE_NEVER)
		kc_usage_error("--accurate re-encodes: it cannot be combined "
		    "with --reencode never");
	if (format != NULL && strcmp(format, "landscape") == 0 && (vspec ||
	    o->export_vertical))
		kc_usage_error("%s makes vertical versions: it cannot be "
		    "combined with --format landscape", vspec ? "--vertical" :
		    "--export-vertical");
	o->vertical = !o->export_vertical && (vspec != NULL ||
	    (format != NULL && strcmp(format, "vertical") == 0));
	/* the clips are there already: nothing of the cut applies */
	if (o->export_vertical && (o->mode == KC_CUT_ACCURATE || reencode ||
	    out))
		kc_usage_error("--export-vertical makes vertical versions of "
		    "clips already cut, beside them: it cannot be combined "
		    "with %s", out ? "--out" : o->mode == KC_CUT_ACCURATE ?
		    "--accurate" : "--reencode");
}

/* mkdir -p o->out, then its absolute name into o->dir. */
static void
make_outdir(struct opts *o)
{
	char path[PATH_MAX], *p;
	struct stat st;
	json_t *j;

	if (strlen(o->out) >= sizeof(path))
		kc_die(KC_EXIT_DATA, "%s: path too long", o->out);
	snprintf(path, sizeof(path), "%s", o->out);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			kc_die(KC_EXIT_DATA, "%s: cannot create folder:", path);
		*p = '/';
	}
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		kc_die(KC_EXIT_DATA, "%s: cannot create folder:", path);
	if (stat(path, &st) != 0)
		kc_die(KC_EXIT_DATA, "%s:", path);
	if (!S_ISDIR(st.st_mode))
		kc_die(KC_EXIT_DATA, "%s: not a folder", path);
	if (realpath(path, o->dir) == NULL)
		kc_die(KC_EXIT_DATA, "%s:", path);
	/* clip records name their files: JSON strings are UTF-8 */
	if ((j = json_string(o->dir)) == NULL)
		kc_die(KC_EXIT_DATA, "%s: folder name is not UTF-8, so clip "
		    "records could not name the clips", o->out);
	json_decref(j);
}

/* A broken run: an error record for the later stages, then exit 1. */
static noreturn void
fatal(const char *where, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static noreturn void
fatal(const char *where, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jobs_progress_end();
	kc_out_fatal("%s: %s", where, msg);
}

/*
 * A live stream's cut buffer (docs/records.md, "cut_ack"): kc-fetch keeps
 * it after the stream's end until kc-cut lets go, which it does once the
 * highlights before "end" have taken their segments, at another stream
 * record, and at exit.
 */
static char holdack[PATH_MAX];

static void
let_go(void)
{
	if (*holdack && kc_spool_mark(holdack, "cut", 1) != 0)
		kc_warn("%s.cut:", holdack);
	*holdack = '\0';
}

static void
hold(const char *ack)
{
	let_go();
	if (ack == NULL || *ack == '\0' || strlen(ack) >= sizeof(holdack))
		return;
	if (kc_spool_mark(ack, "cut", 0) != 0) {
		kc_warn("%s.cut:", ack);
		return;
	}
	snprintf(holdack, sizeof(holdack), "%s", ack);
}

static void
on_stream(struct ctx *c, const struct feed_item *it)
{
	struct source *s;
	const char *cut;
	double d;
	int b;

	if ((cut = kc_rec_str(it->rec, "cut")) == NULL || *cut == '\0')
		fatal(it->where, "stream: missing \"cut\"");
	s = source_new(cut, kc_rec_str(it->rec, "url"),
	    kc_rec_str(it->rec, "id"));
	if (kc_rec_bool(it->rec, "has_video", &b) == 0)
		s->video = b;
	if (kc_rec_bool(it->rec, "has_audio", &b) == 0)
		s->audio = b;
	if (kc_rec_num(it->rec, "duration", &d) == 0 && d > 0)
		s->duration = d;
	if (kc_rec_num(it->rec, "pdt0", &d) == 0)
		s->pdt0 = d;
	/* an HLS source: the clip's segments are fetched once, here */
	s->hls = strlen(cut) > 5 && strncasecmp(cut + strcspn(cut, "?#") - 5,
	    ".m3u8", 5) == 0 && strcspn(cut, "?#") >= 5;
	/* clips of every stream may share the folder: names tell them apart */
	kc_cut_stem(c->stem, sizeof(c->stem), kc_rec_str(it->rec, "title"),
	    kc_rec_str(it->rec, "id"));
	source_put(c->src);
	c->src = s;
	hold(kc_rec_str(it->rec, "cut_ack"));
	kc_out_raw(it->raw, it->len);
}

/* Where HLS segments for clips are kept while kc-cut runs. */
static char hlsdir[PATH_MAX + 32];
static const struct opts *opts;

/* "vp9/opus", "h264 yuv420p10le/no sound", "no picture/mp3" */
static void
describe(char *buf, size_t n, const kc_probe *p, int video, int audio)
{
	const char *pix = "";

	/* the pixel format only when it is what rules H.264 out */
	if (video && strcmp(p->vcodec, "h264") == 0 &&
	    kc_cut_codec_mode(p->vcodec, p->vpixfmt, "") == KC_CUT_ENCODE)
		pix = p->vpixfmt;
	snprintf(buf, n, "%s%s%s/%s", !video ? "no picture" : *p->vcodec ?
	    p->vcodec : "unknown", *pix ? " " : "", pix, !audio ? "no sound" :
	    *p->acodec ? p->acodec : "unknown");
}

/*
 * Decides, once per stream, how its clips are cut when not --accurate:
 * by the codecs of media (the stream's source, or for HLS the first
 * clip's joined segments, a local file), and says why when they are
 * re-encoded: that is slower, and the user may want it otherwise.
 */
static void
plan(struct source *st, const char *media)
{
	char why[300], what[160];
	kc_probe p;

	if (st->planned)
		return;
	st->planned = 1;
	st->copy_as = KC_CUT_COPY;
	if (opts->mode == KC_CUT_ACCURATE || opts->reencode == KC_CUT_RE_NEVER)
		return;
	if (opts->reencode == KC_CUT_RE_ALWAYS) {
		st->copy_as = KC_CUT_ENCODE;
		return;
	}
	/* unreadable: copied as before, and the cut says what is wrong */
	if (kc_probe_media(media, &p, why, sizeof(why)) != 0)
		return;
	st->copy_as = kc_cut_codec_mode(st->video && p.has_video ? p.vcodec :
	    "", p.vpixfmt, st->audio && p.has_audio ? p.acodec : "");
	if (st->copy_as == KC_CUT_COPY || opts->quiet)
		return;
	describe(what, sizeof(what), &p, st->video && p.has_video, st->audio &&
	    p.has_audio);
	if (st->copy_as == KC_CUT_ENCODE)
		jobs_note("note: the source is %s: clips are re-encoded to "
		    "H.264/AAC (--reencode never: copy)", what);
	else
		jobs_note("note: the source is %s: the clips' sound is "
		    "re-encoded to AAC%s (--reencode never: copy)", what,
		    st->video && p.has_video ? ", the picture copied" : "");
}

static void
on_highlight(struct ctx *c, const struct feed_item *it)
{
	struct source *s;
	double t0, t1;
	char why[600];

	/* a highlight that fails the check is refused by jobs_add */
	if (!c->src->hls || kc_rec_check(it->rec, why, sizeof(why)) != 0 ||
	    kc_rec_num(it->rec, "t0", &t0) != 0 ||
	    kc_rec_num(it->rec, "t1", &t1) != 0) {
		if (!c->src->hls)
			plan(c->src, c->src->cut);
		jobs_add(c->src, c->stem, it->rec, it->where, NULL);
		return;
	}
	if (!*hlsdir) {
		snprintf(hlsdir, sizeof(hlsdir), "%s/.kc-cut.%ld", opts->dir,
		    (long)getpid());
		if (mkdir(hlsdir, 0777) != 0 && errno != EEXIST)
			kc_die(KC_EXIT_DATA, "%s:", hlsdir);
	}
	if ((s = hls_source(c->src, t0, t1, hlsdir, why, sizeof(why))) ==
	    NULL) {
		jobs_add(c->src, c->stem, it->rec, it->where, why);
		return;
	}
	plan(c->src, s->cut);
	s->planned = 1;
	s->copy_as = c->src->copy_as;
	jobs_add(s, c->stem, it->rec, it->where, NULL);
	source_put(s);
}

static void
handle(struct ctx *c, struct feed_item *it)
{
	const char *type;
	char why[512];

	if (it->kind == FEED_EOF) {
		c->eof = 1;
		return;
	}
	if (it->kind == FEED_ERR)
		fatal(it->where, "%s", it->err);
	type = kc_rec_type(it->rec);
	/* a bad highlight is one failed cut (jobs_add), a bad stream or
	 * end record breaks the run; --export-vertical reads clip records
	 * alone (a bad one is one failed export) */
	if (((strcmp(type, "stream") == 0 && !opts->export_vertical) ||
	    strcmp(type, "end") == 0) &&
	    kc_rec_check(it->rec, why, sizeof(why)) != 0)
		fatal(it->where, "%s", why);
	if (opts->export_vertical && strcmp(type, "clip") == 0)
		jobs_add_export(it->rec, it->where);
	else if (opts->export_vertical && strcmp(type, "end") != 0)
		kc_out_raw(it->raw, it->len);
	else if (strcmp(type, "stream") == 0)
		on_stream(c, it);
	else if (strcmp(type, "highlight") == 0) {
		if (c->src == NULL)
			fatal(it->where, "highlight before any stream record");
		on_highlight(c, it);
	} else if (strcmp(type, "end") == 0) {
		let_go();	/* the highlights before it took their segments */
		c->end_raw = it->raw;	/* held until the cuts are done */
		c->end_len = it->len;
		it->raw = NULL;
	} else
		kc_out_raw(it->raw, it->len);
}

/* Sleeps until the reader queued something or a child exited, or
 * until progress is due. */
static void
wait_wake(int fd)
{
	struct pollfd pf = { fd, POLLIN, 0 };
	char buf[256];

	kc_out_flush();		/* what is done is worth passing on now */
	while (poll(&pf, 1, jobs_timeout()) < 0)
		if (errno != EINTR)
			kc_die(KC_EXIT_DATA, "poll:");
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void
run(struct ctx *c)
{
	struct feed_item *it;

	for (;;) {
		jobs_step();
		jobs_emit();
		while (c->end_raw == NULL && !c->eof &&
		    jobs_pending() < BACKLOG && (it = feed_next()) != NULL) {
			handle(c, it);
			feed_free(it);
			jobs_step();
		}
		jobs_emit();
		if (c->end_raw != NULL && jobs_pending() == 0) {
			kc_out_raw(c->end_raw, c->end_len);
			free(c->end_raw);
			c->end_raw = NULL;
			continue;
		}
		if (c->eof && jobs_pending() == 0)
			return;
		wait_wake(c->wake[0]);
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct ctx c;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv, &o);
	opts = &o;
	if (!o.export_vertical) {
		make_outdir(&o);
		sweep_stale(o.dir);
	}
	hls_init(&o);
	kc_out_unbuffered(o.unbuffered);
	memset(&c, 0, sizeof(c));
	if (pipe2(c.wake, O_CLOEXEC | O_NONBLOCK) != 0)
		kc_die(KC_EXIT_DATA, "pipe:");
	jobs_init(&o, c.wake[1]);
	json_object_seed(0);	/* before a second thread makes objects */
	if (atexit(let_go) != 0)
		kc_die(KC_EXIT_DATA, "atexit failed");
	if (feed_start(stdin, "<stdin>", c.wake[1]) != 0)
		kc_die(KC_EXIT_DATA, "cannot start the input thread:");
	run(&c);
	jobs_progress_end();
	if (*hlsdir)
		hls_cleanup(hlsdir);
	source_put(c.src);
	if (jobs_failed())
		kc_warn("%d %s%s failed (see the error records)",
		    jobs_failed(), o.export_vertical ? "vertical export" :
		    "cut", jobs_failed() == 1 ? "" : "s");
	if (after_failed())
		kc_warn("%d vertical version%s failed", after_failed(),
		    after_failed() == 1 ? "" : "s");
	kc_out_close();
	return jobs_failed() || after_failed() ? KC_EXIT_PARTIAL :
	    KC_EXIT_OK;
}
