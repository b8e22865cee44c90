/*
 * kc-score - joins the audio and video hop features of a stream, scores
 * every hop against what is normal for this stream, and picks the best
 * clip-length windows of each kind as "highlight" records (see pick.c).
 * Records it does not consume pass through unchanged; the highlights of a
 * stream are written when its "end" record (or the input's end) arrives,
 * before "end" is forwarded.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "msg.h"
#include "num.h"
#include "opt.h"
#include "out.h"
#include "paths.h"
#include "rec.h"
#include "score.h"
#include "weights.h"

static const char usage_text[] =
"usage: kc-score [options] [FILE...]\n"
"\n"
"Read kc records (stdin, or FILEs in order; - is stdin), score the\n"
"afeat/vfeat hop\n"
"features of each stream and write its best windows as \"highlight\"\n"
"records, in time order, before the stream's \"end\" record.  Every other\n"
"record passes through unchanged.\n"
"\n"
"options:\n"
"  -d, --clip-duration SECS  window (clip) length (default 30; 5-600)\n"
"  -g, --min-gap SECS        minimum gap between two highlights of a kind\n"
"                            (default 10; 0-3600)\n"
"      --pre-roll SECS|off   place each highlight so the event's onset (where\n"
"                            its hop scores rise to half their peak) is SECS\n"
"                            into it (default 3; 0 up to the clip length;\n"
"                            off: the best-scoring window as it is; live,\n"
"                            the window as it was decided on)\n"
"      --min-score S         pick no window scoring under S (0-1; default\n"
"                            0: none left out), so a dull stream gets fewer\n"
"                            highlights than the maximum; the count left out\n"
"                            is reported on stderr\n"
"  -a, --max-audio-clips N   audio highlights (default 10; 1-25)\n"
"  -v, --max-video-clips N   video highlights (default 10; 1-25)\n"
"      --max-chat-clips N    chat highlights (default 10; 1-25), with\n"
"                            --type chat or all\n"
"  -t, --type KIND           audio, video, chat, both (audio and video,\n"
"                            the default) or all; chat highlights are\n"
"                            picked from the chat's own scores (cfeat\n"
"                            records), where the audience reacted\n"
"  -s, --start TIME          only windows starting at or after TIME\n"
"  -e, --end TIME            only windows ending by TIME\n"
"  -w, --weights FILE        heuristic weights (default: weights.json\n"
"                            from the data directory, or $KC_WEIGHTS)\n"
"      --curve               also write each kind's hop scores as a\n"
"                            \"curve\" record (for timelines; live, in\n"
"                            pieces as the stream airs)\n"
"  -m, --model DIR           the learned model directory (default\n"
"                            $KC_MODEL; kc-clip passes DB.model): its\n"
"                            model.json is blended into the score and its\n"
"                            channels.json normalises a stream against its\n"
"                            channel's earlier streams too.  No model.json\n"
"                            yet: heuristic alone, silently; a missing\n"
"                            directory or a damaged, foreign or\n"
"                            incompatible model: one warning, then the\n"
"                            heuristic alone (exit status unchanged)\n"
"      --no-model            ignore $KC_MODEL\n"
"      --chat-weight B       weight of the chat's window score (cfeat\n"
"                            records, kc-chatfeat) added to each audio and\n"
"                            video window that stands out on its own, 0-5\n"
"                            (default 0.25); live, the chat that has come\n"
"                            when the window is judged (never waited for)\n"
"      --chat-lag auto|SECS  how much later than kc-chatfeat's --lag the\n"
"                            chat reacts: auto (the default) estimates it\n"
"                            per stream from the chat's correlation with\n"
"                            the audio and video (-5 to +15 s; a note on\n"
"                            stderr says what it found), or SECS (-60-60)\n"
"      --no-chat             the same as --chat-weight 0 (cfeat records\n"
"                            still give the highlights their chat\n"
"                            features)\n"
"      --featstats           also write a \"featstats\" record per stream\n"
"                            (its feature statistics, for kc-db add)\n"
"      --live                judge each window as it closes (also when the\n"
"                            stream record says \"live\": true): features\n"
"                            against the last 30 minutes, a window written\n"
"                            once it stands --live-threshold robust\n"
"                            deviations above the windows before it\n"
"                            (default 2) and stays the best for 2 hops;\n"
"                            records are flushed as written\n"
"      --require-end         input that stops before the stream's \"end\"\n"
"                            record was cut short (its producer died):\n"
"                            write no highlights for it and exit 1\n"
"                            (kc-clip uses this)\n"
"  -h, --help                show this help\n"
"  -V, --version             show the version\n"
"\n"
"score = (1 - w) heuristic + w model, w the model's weight (it grows with\n"
"the number of rated clips and the model's held-out quality; see\n"
"kc-train).  Live scoring (--live) blends the model in as well, and a\n"
"window must stand out by half --live-threshold at least.\n"
"\n"
"exit status: 0 ok, 1 bad records (those that fail the checks of\n"
"docs/records.md; feature records far from the others) or I/O failure,\n"
"2 usage error.\n"
"environment: KC_WEIGHTS (weights file), KC_DATADIR (data directory),\n"
"KC_MODEL (model directory).\n";

struct opts {
	struct params p;
	const char *weights;
	const char *model;
	char **files;
	int nfiles;
	int require_end;	/* EOF inside a stream is an error */
};

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "clip-duration", required_argument, NULL, 'd' },
		{ "min-gap", required_argument, NULL, 'g' },
		{ "max-audio-clips", required_argument, NULL, 'a' },
		{ "max-video-clips", required_argument, NULL, 'v' },
		{ "max-chat-clips", required_argument, NULL, 'c' },
		{ "type", required_argument, NULL, 't' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "weights", required_argument, NULL, 'w' },
		{ "curve", no_argument, NULL, 'C' },
		{ "live", no_argument, NULL, 'L' },
		{ "model", required_argument, NULL, 'm' },
		{ "no-model", no_argument, NULL, 'M' },
		{ "featstats", no_argument, NULL, 'F' },
		{ "live-threshold", required_argument, NULL, 'T' },
		{ "require-end", no_argument, NULL, 'Q' },
		{ "pre-roll", required_argument, NULL, 'P' },
		{ "min-score", required_argument, NULL, 'S' },
		{ "chat-weight", required_argument, NULL, 'W' },
		{ "no-chat", no_argument, NULL, 'N' },
		{ "chat-lag", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	long na = 10, nv = 10, nc = 10;
	int c, audio = 1, video = 1, chat = 0;

	memset(o, 0, sizeof(*o));
	o->p.clip_dur = 30;
	o->p.min_gap = 10;
	o->p.start = o->p.end = -1;
	o->p.live_threshold = 2;
	o->p.pre_roll = 3;
	o->p.chat_weight = 0.25;
	o->p.chat_lag = NAN;
	o->weights = getenv("KC_WEIGHTS");
	o->model = getenv("KC_MODEL");
	while ((c = getopt_long(argc, argv, "d:g:a:v:t:s:e:w:m:Vh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd': o->p.clip_dur = kc_opt_real("--clip-duration", optarg,
		    5, 600); break;
		case 'g': o->p.min_gap = kc_opt_real("--min-gap", optarg, 0, 3600);
			break;
		case 'a': na = kc_opt_long("--max-audio-clips", optarg, 1, 25);
			break;
		case 'v': nv = kc_opt_long("--max-video-clips", optarg, 1, 25);
			break;
		case 'c': nc = kc_opt_long("--max-chat-clips", optarg, 1, 25);
			break;
		case 't':
			audio = strcmp(optarg, "audio") == 0 ||
			    strcmp(optarg, "both") == 0 ||
			    strcmp(optarg, "all") == 0;
			video = strcmp(optarg, "video") == 0 ||
			    strcmp(optarg, "both") == 0 ||
			    strcmp(optarg, "all") == 0;
			chat = strcmp(optarg, "chat") == 0 ||
			    strcmp(optarg, "all") == 0;
			if (!audio && !video && !chat)
				kc_usage_error("--type: '%s': want audio, video, "
				    "chat, both or all", optarg);
			break;
		case 's': o->p.start = kc_opt_time("--start", optarg); break;
		case 'e': o->p.end = kc_opt_time("--end", optarg); break;
		case 'w': o->weights = optarg; break;
		case 'C': o->p.curve = 1; break;
		case 'L': o->p.live = 1; break;
		case 'm': o->model = optarg; break;
		case 'M': o->model = NULL; break;
		case 'F': o->p.stats = 1; break;
		case 'Q': o->require_end = 1; break;
		case 'P':
			o->p.pre_roll = strcmp(optarg, "off") == 0 ? -1 :
			    kc_opt_real("--pre-roll", optarg, 0, 60);
			break;
		case 'W': o->p.chat_weight = kc_opt_real("--chat-weight",
		    optarg, 0, 5);
			break;
		case 'N': o->p.chat_weight = 0; break;
		case 'G':
			o->p.chat_lag = strcmp(optarg, "auto") == 0 ? NAN :
			    kc_opt_real("--chat-lag", optarg, -60, 60);
			break;
		case 'S': o->p.min_score = kc_opt_real("--min-score", optarg,
		    0, 1); break;
		case 'T': o->p.live_threshold = kc_opt_real("--live-threshold",
		    optarg, 0, 1000); break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
	if (o->p.pre_roll >= o->p.clip_dur)
		kc_usage_error("--pre-roll must be shorter than the clip");
	if (o->p.end >= 0 && o->p.end <= o->p.start)
		kc_usage_error("--end must be after --start");
	o->p.max_n[KIND_AUDIO] = audio ? na : 0;
	o->p.max_n[KIND_VIDEO] = video ? nv : 0;
	o->p.max_n[KIND_CHAT] = chat ? nc : 0;
	if (chat && o->p.live)
		kc_usage_error("--type %s: live scoring has no chat highlights "
		    "yet", audio ? "all" : "chat");
	o->files = argv + optind;
	o->nfiles = argc - optind;
}

static void
load_weights(struct opts *o, kc_weights *w)
{
	char path[PATH_MAX], err[PATH_MAX + 200];

	if (o->weights == NULL || *o->weights == '\0') {
		if (kc_datafile("weights.json", path, sizeof(path)) != 0)
			kc_die(KC_EXIT_DATA, "weights.json not found (set "
			    "KC_WEIGHTS or use --weights FILE)");
		o->weights = path;
	}
	if (kc_weights_load(o->weights, w, err, sizeof(err)) != 0)
		kc_die(KC_EXIT_DATA, "%s", err);
	o->weights = NULL;	/* path was on our stack */
}

/*
 * The model directory: model.json (when trained) and channels.json (when
 * kc-db has statistics).  Anything wrong is one warning, and the score is
 * the heuristic's; a directory without a model yet is not a problem.
 */
static void
load_model(struct opts *o)
{
	char path[4096], err[4400];
	struct stat st;

	if (o->model == NULL || *o->model == '\0')
		return;
	if (stat(o->model, &st) != 0 || !S_ISDIR(st.st_mode)) {
		kc_warn("model: %s: no such directory; scoring with the "
		    "heuristic alone", o->model);
		return;
	}
	if (chan_load(o->model, err, sizeof(err)) != 0)
		kc_warn("model: %s; streams are normalised against "
		    "themselves alone", err);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", o->model,
	    KC_MODEL_CURRENT) >= sizeof(path) || stat(path, &st) != 0)
		return;
	if (kc_model_load(path, &o->p.model, err, sizeof(err)) != 0) {
		kc_warn("model: %s; scoring with the heuristic alone", err);
		o->p.model = NULL;
		return;
	}
	o->p.model_weight = kc_model_about(o->p.model)->weight;
}

static struct stream cur;
static kc_model *loaded;
static int live_now;		/* the current stream is judged live */
static int broken;		/* streams dropped after a fatal error */
static int dropping;		/* ... the current one: its records ignored */

static void
cleanup(void)
{
	stream_clear(&cur);
	kc_model_free(loaded);
	loaded = NULL;
	chan_free();
}

/* Scores and writes the current stream's highlights, then forgets it. */
static void
finish(const struct params *p)
{
	char err[256];
	long n;

	if (live_now) {
		live_finish(p);
		live_now = 0;
		stream_clear(&cur);
		return;
	}
	if ((n = stream_select(&cur, p, err, sizeof(err))) < 0)
		kc_die(KC_EXIT_DATA, "%s", err);
	if (cur.k[KIND_AUDIO].rows == 0 && p->max_n[KIND_AUDIO] &&
	    cur.k[KIND_VIDEO].rows > 0)
		kc_warn("no audio features: no audio highlights");
	if (cur.k[KIND_VIDEO].rows == 0 && p->max_n[KIND_VIDEO] &&
	    cur.k[KIND_AUDIO].rows > 0)
		kc_warn("no video features: no video highlights");
	if (cur.k[KIND_CHAT].rows == 0 && p->max_n[KIND_CHAT])
		kc_warn("no chat features (cfeat records: kc-chatfeat): no "
		    "chat highlights");
	stream_clear(&cur);
}

static void
begin(json_t *rec, const char *where, const struct params *p)
{
	int live;

	cur.rec = json_incref(rec);
	snprintf(cur.rec_at, sizeof(cur.rec_at), "%s", where);
	cur.chan = chan_find(kc_rec_str(rec, "channel"));
	if (kc_rec_num(rec, "start", &cur.start) != 0)
		cur.start = 0;
	if (kc_rec_num(rec, "end", &cur.end) != 0)
		cur.end = -1;
	if (kc_rec_num(rec, "hop", &cur.hop) != 0)
		cur.hop = 0;	/* from the hops' "dur" */
	live_now = p->live || (kc_rec_bool(rec, "live", &live) == 0 && live);
	if (live_now) {
		/* a highlight is worth nothing if it waits in a buffer */
		kc_out_unbuffered(1);
		int has[2] = { 1, 1 };

		if (kc_rec_bool(rec, "has_audio", &has[KIND_AUDIO]) != 0)
			has[KIND_AUDIO] = 1;
		if (kc_rec_bool(rec, "has_video", &has[KIND_VIDEO]) != 0)
			has[KIND_VIDEO] = 1;
		live_begin(cur.start, cur.hop > 0 ? cur.hop : 1, has);
		if (p->max_n[KIND_CHAT])
			kc_warn("a live stream: no chat highlights (live "
			    "scoring has none yet)");
	}
}

static void
run(kc_reader *r, const struct params *p)
{
	char err[512];
	const char *type;
	json_t *rec;
	int rc, kind, fatal;

	while ((rc = kc_reader_next(r, &rec)) != 0) {
		if (rc < 0)
			kc_die(KC_EXIT_DATA, "%s: %s", kc_reader_where(r),
			    kc_reader_error(r));
		type = kc_rec_type(rec);
		kind = strcmp(type, "afeat") == 0 ? KIND_AUDIO :
		    strcmp(type, "vfeat") == 0 ? KIND_VIDEO :
		    strcmp(type, "cfeat") == 0 ? KIND_CHAT : -1;
		if ((kind >= 0 || strcmp(type, "stream") == 0 ||
		    strcmp(type, "end") == 0) &&
		    kc_rec_check(rec, err, sizeof(err)) != 0)
			kc_die(KC_EXIT_DATA, "%s: %s", kc_reader_where(r), err);
		if (kind >= 0 && dropping)
			;	/* a broken stream's last hops (flushed at EOF) */
		else if (kind >= 0) {
			if ((live_now ? live_add(kind, rec, p, err,
			    sizeof(err)) : stream_add(&cur, kind, rec,
			    kc_reader_where(r), err, sizeof(err))) != 0)
				kc_die(KC_EXIT_DATA, "%s: %s", kc_reader_where(r),
				    err);
		} else if (strcmp(type, "stream") == 0) {
			if (!dropping && (cur.rec || cur.k[0].rows ||
			    cur.k[1].rows || cur.k[KIND_CHAT].rows))
				finish(p);
			dropping = 0;
			begin(rec, kc_reader_where(r), p);
			kc_out_raw(kc_reader_raw(r), kc_reader_rawlen(r));
		} else if (strcmp(type, "end") == 0) {
			finish(p);
			kc_out_raw(kc_reader_raw(r), kc_reader_rawlen(r));
			kc_out_flush();	/* at once, as kc-audiofeat */
		} else if (strcmp(type, "error") == 0 && kc_rec_bool(rec,
		    "fatal", &fatal) == 0 && fatal) {
			/* an earlier stage broke the run: a VOD's highlights
			 * of what came would be cut and then dropped by kc-db
			 * add, leaving clip files without rows */
			kc_out_raw(kc_reader_raw(r), kc_reader_rawlen(r));
			kc_out_flush();
			if (!dropping && (live_now || cur.rec ||
			    cur.k[0].rows || cur.k[1].rows ||
			    cur.k[KIND_CHAT].rows)) {
				/* live: what was written stays, what is
				 * pending goes */
				if (live_now) {
					live_reset();
					live_now = 0;
				}
				stream_clear(&cur);
				broken++;
				dropping = 1;
				kc_warn("%s: %s failed: no highlights for a "
				    "broken stream", kc_reader_where(r),
				    kc_rec_str(rec, "stage") ? kc_rec_str(rec,
				    "stage") : "an earlier stage");
			}
		} else
			kc_out_raw(kc_reader_raw(r), kc_reader_rawlen(r));
		json_decref(rec);
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	kc_weights w;
	kc_reader *r;
	FILE *fp;
	int i;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv, &o);
	load_weights(&o, &w);
	o.p.w = &w;
	stream_init(&cur);
	kc_on_exit(cleanup);
	load_model(&o);
	loaded = o.p.model;
	for (i = 0; i < (o.nfiles ? o.nfiles : 1); i++) {
		fp = o.nfiles && strcmp(o.files[i], "-") != 0 ?
		    fopen(o.files[i], "r") : stdin;
		if (fp == NULL)
			kc_die(KC_EXIT_DATA, "%s:", o.files[i]);
		if ((r = kc_reader_new(fp, fp != stdin ? o.files[i] :
		    "<stdin>")) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		run(r, &o.p);
		kc_reader_free(r);
		if (fp != stdin)
			fclose(fp);
	}
	if (!dropping && (cur.rec || cur.k[0].rows || cur.k[1].rows ||
	    cur.k[KIND_CHAT].rows)) {
		/* kc-clip killed: what came is a torn part of the stream, and
		 * highlights of it would be cut and kept as if they were the
		 * stream's */
		if (o.require_end)
			kc_die(KC_EXIT_DATA, "<stdin>: the input stopped before "
			    "the stream's end record; no highlights written");
		finish(&o.p);
	}
	cleanup();
	kc_out_close();
	return broken ? KC_EXIT_DATA : KC_EXIT_OK;
}
