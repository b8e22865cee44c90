/*
 * kc-clip - the one-command driver: runs kc-fetch | kc-audiofeat |
 * kc-videofeat | kc-score [| kc-cut | kc-db add] as a pipeline of processes
 * with the seed's options, shows progress, writes the seed's
 * highlights_YYYYMMDD_HHMMSS.json, and on failure names the stage that
 * failed and exits with its status.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clip.h"
#include "msg.h"
#include "num.h"
#include "opt.h"
#include "out.h"
#include "paths.h"
#include "progress.h"
#include "rec.h"
#include "spawn.h"

static const char usage_text[] =
"usage: kc-clip [options] SOURCE\n"
"       kc-clip [options] --url SOURCE\n"
"       kc-clip [cut options] --from-highlights FILE\n"
"\n"
"Find the best audio and video highlights of SOURCE and, with\n"
"--generate-clips, cut them into --out and record them in the clip\n"
"database.  SOURCE is what kc-fetch reads: a local media file, an http(s)\n"
"URL of one, an HLS playlist (.m3u8, VOD or live), or a Kick, Twitch or\n"
"YouTube page.  A live stream is clipped while it is on air: each\n"
"highlight is cut and recorded as soon as kc-score finds it.  Runs:\n"
"  kc-fetch [| kc-chatfeat] | kc-audiofeat | kc-videofeat | kc-score\n"
"      [| kc-cut | kc-db add]\n"
"\n"
"options:\n"
"  -u, --url SOURCE          the stream (instead of the operand)\n"
"  -d, --clip-duration SECS  clip length (default 30; 5-600)\n"
"  -g, --min-gap SECS        gap between clips of a kind (default 10)\n"
"      --pre-roll SECS|off   seconds from a clip's start to its event's\n"
"                            onset (default 3; see kc-score(1))\n"
"      --min-score S         no clip for a window scoring under S (0-1;\n"
"                            default 0): a dull stream gets fewer clips\n"
"  -a, --max-audio-clips N   audio highlights (default 10; 1-25)\n"
"  -v, --max-video-clips N   video highlights (default 10; 1-25)\n"
"      --max-chat-clips N    chat highlights (default 10; 1-25), with\n"
"                            --type chat or all\n"
"  -t, --type KIND           audio, video, chat, both (audio and video,\n"
"                            the default) or all; chat highlights are\n"
"                            where the chat of --chat reacted most\n"
"      --start-minute M      analyse from minute M (default 0)\n"
"      --end-minute M        analyse up to minute M (default: the end)\n"
"  -c, --generate-clips      cut the clips and add them to the database\n"
"      --analyse-only        only find the highlights (the default)\n"
"      --from-highlights FILE  cut the highlights of FILE and add them\n"
"                            to the database, without analysing: FILE\n"
"                            (\"-\": stdin) holds what --json wrote, the\n"
"                            stream record and the highlights wanted,\n"
"                            their t0/t1 changed if need be (a file or\n"
"                            VOD's; a live stream's highlights are cut\n"
"                            while it airs).  No SOURCE then\n"
"  -o, --out DIR             output folder for the clips and the\n"
"                            highlights JSON (default output_clips;\n"
"                            an analysis without -c writes nothing\n"
"                            there unless --out is given)\n"
"      --db PATH             clip database (default $KC_DB, else the\n"
"                            config file's db, else\n"
"                            $XDG_DATA_HOME/kc/kc.db or\n"
"                            ~/.local/share/kc/kc.db)\n"
"      --model DIR           learned model directory for kc-score and\n"
"                            kc-db add (default $KC_MODEL, else the\n"
"                            database path + \".model\", used when it\n"
"                            exists)\n"
"      --chat FILE           the stream's chat log (kc-chatfeat --chat:\n"
"                            JSON Lines of t or timestamp, user, text):\n"
"                            the chat's reactions lift the windows they\n"
"                            follow (kc-score --chat-weight); a kick.com\n"
"                            page's chat is read from Kick without it\n"
"                            (its replay, or its live chat over Pusher's\n"
"                            WebSocket: kc-chatfeat(1)); a chat that\n"
"                            cannot be read is one warning (default:\n"
"                            FILE.chat.jsonl beside a local FILE.mp4,\n"
"                            when there is one)\n"
"      --chat-start TIME     when stream time 0 aired, for a log of\n"
"                            wall-clock timestamps (kc-chatfeat)\n"
"      --no-chat             no chat (not Kick's either)\n"
"      --accurate            frame-exact cuts (re-encode) instead of copy\n"
"      --reencode MODE       auto, always or never: when clips are\n"
"                            re-encoded to H.264/AAC (kc-cut --reencode;\n"
"                            default auto: when the source's codecs are\n"
"                            not those, so every browser plays them)\n"
"      --format FORMAT       landscape (the default) or vertical: also\n"
"                            a 1080x1920 copy of each clip for TikTok,\n"
"                            Shorts and Reels (kc-cut --format)\n"
"      --vertical MODE       how the vertical copy is made: fit (the\n"
"                            default), crop[:X] or stack:X,Y,W,H (the\n"
"                            facecam rectangle above the gameplay;\n"
"                            kc-cut --vertical)\n"
"      --no-poster           no poster image and hover strip per clip\n"
"      --again               cut highlights the database has a clip of\n"
"                            already (the same stream, kind and window;\n"
"                            by default they are listed with that clip,\n"
"                            not cut again: kc-db fresh)\n"
"  -j, --jobs N              cuts run N at a time (default 2)\n"
"      --state DIR           where the journal of a run is kept, so an\n"
"                            interrupted run resumes when started again\n"
"                            with the same SOURCE, range and\n"
"                            --analysis-quality (default OUT/.kc-state;\n"
"                            without -c and --out,\n"
"                            $XDG_STATE_HOME/kc or ~/.local/state/kc);\n"
"                            it goes when the run completes, unless the\n"
"                            run was resumed: then it stays, so the same\n"
"                            command again makes the same clips\n"
"      --no-resume           start over, forgetting an interrupted run\n"
"      --json                write the records on stdout, not a table:\n"
"                            the stream record first, then highlights\n"
"                            (or clips and failed cuts with -c)\n"
"      --curve               with --json, also each kind's hop scores as\n"
"                            \"curve\" records (kc-score --curve), for a\n"
"                            timeline of the whole stream (live: in\n"
"                            pieces, as it airs)\n"
"      --json-progress       with --json, also \"progress\" records on\n"
"                            stdout while the analysis runs (flushed; for\n"
"                            front ends such as kc-web)\n"
"  -q, --quiet               no progress or summary lines (the stages'\n"
"                            too); errors are still reported\n"
"      --no-config           do not read the configuration file\n"
"  -h, --help                show this help\n"
"  -V, --version             show the version\n"
"network sources (passed to kc-fetch, the first four to kc-cut too;\n"
"see kc-fetch --help):\n"
"      --cookies FILE        browser cookies (Netscape cookies.txt)\n"
"      --retries N           HTTP retries (default 5)\n"
"      --backoff F           HTTP backoff factor (default 2)\n"
"      --connections N       an HLS VOD's segment downloads in flight,\n"
"                            for the analysis and each clip (default 4)\n"
"      --kick-api URL        Kick API base (default https://kick.com)\n"
"      --no-ytdlp            do not try yt-dlp first\n"
"      --quality H           cut from the best rendition at most H tall\n"
"      --analysis-quality H  analyse the lowest rendition at least H tall\n"
"                            (default 144)\n"
"      --duration SECS       live: stop after this much stream time\n"
"      --live-buffer SECS    live: best-rendition seconds kept for cutting\n"
"                            (default 600)\n"
"      --live-timeout SECS   live: a playlist without a new segment for\n"
"                            SECS has ended (default 60)\n"
"      --live-threshold Z    live: how far a window must stand out\n"
"                            (kc-score; default 2)\n"
"progress on stderr: on a terminal, a line redrawn while analysing\n"
"(percent, speed, ETA), then \"cutting N/M clips\"; otherwise (a log)\n"
"plain lines: analysing at every 10% or minute, cutting at every clip\n"
"or minute (none with --json-progress: its records say it).  The\n"
"summary's speed is the media this run analysed over its own time; a\n"
"resumed run says \"resumed from H:MM:SS\" and counts only what came\n"
"after.\n"
"Ctrl-C (SIGINT) or SIGTERM stops a file or VOD run at once: no analysis\n"
"or cut starts after it, unfinished clip files are removed, clips already\n"
"recorded stay, and the journal stays, so the same command resumes; exit\n"
"130 (SIGINT) or 143 (SIGTERM).  Live, once stops after what is in\n"
"flight, whose clips are still cut and recorded (exit 0); twice aborts\n"
"(130/143).  --max-*-clips do not apply live (no top-N is known before\n"
"the end).\n"
"\n"
"Not implemented yet: resuming a live stream after a kill (the run\n"
"starts again at the live edge).\n"
"\n"
"exit status: 0 ok; 2 usage error; 3 partly done: some cuts failed (the\n"
"table and the highlights JSON mark them; the other clips are cut and\n"
"stored; the same command again retries them without analysing again);\n"
"130/143 stopped by SIGINT/SIGTERM (see above); when a stage fails,\n"
"kc-clip names the first one that failed (other than by a broken pipe)\n"
"and exits with its status (1 for bad data, 128+N for a signal N).\n"
"config file: $KC_CONFIG, else $XDG_CONFIG_HOME/kc/config or\n"
"~/.config/kc/config: \"key = value\" lines, '#' comments; the keys\n"
"max-audio-clips, max-video-clips, max-chat-clips, clip-duration, min-gap,\n"
"min-score, out and db set those options' defaults (the command line\n"
"wins); a bad line is a usage error naming FILE:LINE.\n"
"environment: KC_DB (database), KC_CONFIG (config file), KC_JQ (jq\n"
"program for the highlights JSON), KC_MODEL (model directory), and those\n"
"of the stages (KC_FFMPEG, KC_FFPROBE, KC_WEIGHTS).\n";

struct opts {
	const char *src;
	const char *dur, *gap, *na, *nv, *nc, *type, *out, *db, *jobs,
	    *state;
	const char *model;	/* model directory to pass on, or NULL */
	int no_resume;
	double start, end;	/* seconds; end < 0: to the end */
	int generate, accurate, json, quiet, curve, jprogress;
	int out_given;		/* --out was given */
	/* kc-fetch options passed through: pairs of option and value (NULL
	 * for a flag) */
	const char *fetch[32];
	int nfetch;
	const char *live_threshold;
	const char *pre_roll, *min_score;
	const char *chat, *chat_start;	/* kc-chatfeat's --chat, --chat-start */
	const char *reencode;	/* kc-cut's --reencode, or NULL */
	int no_chat;
	const char *from;	/* --from-highlights FILE, or NULL */
	const char *format, *vertical;	/* kc-cut's, or NULL */
	int no_poster;
	int again;		/* --again: no kc-db fresh stage */
};

/*
 * The model directory kc-score and kc-db add get: --model, $KC_MODEL, or
 * the database's DB.model when it exists (it appears with the first
 * stored stream), so a first run does not warn about a missing model.
 */
static void
default_model(struct opts *o)
{
	static char buf[4096];
	const char *env = getenv("KC_MODEL");
	struct stat st;

	if (o->model)
		return;
	if (env && *env) {
		o->model = env;
		return;
	}
	if ((size_t)snprintf(buf, sizeof(buf), "%s.model", o->db) < sizeof(buf) &&
	    stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
		o->model = buf;
}

/* Checks and remembers a kc-fetch option to pass on. */
static void
pass(struct opts *o, const char *flag, const char *val)
{
	if (o->nfetch + 2 > (int)(sizeof(o->fetch) / sizeof(o->fetch[0])))
		kc_usage_error("%s: too many network options", flag);
	o->fetch[o->nfetch++] = flag;
	o->fetch[o->nfetch++] = val;
}

/*
 * The chat log beside a local media file: the same name with its
 * extension replaced by ".chat.jsonl" (video.mp4: video.chat.jsonl),
 * when it exists; NULL for a URL or without one.
 */
static const char *
chat_beside(const char *src, int quiet)
{
	static char path[PATH_MAX];
	const char *slash = strrchr(src, '/'), *dot = strrchr(src, '.');
	size_t n;

	if (strstr(src, "://") != NULL)
		return NULL;
	n = dot && (!slash || dot > slash + 1) ? (size_t)(dot - src) :
	    strlen(src);
	if (n + sizeof(".chat.jsonl") > sizeof(path))
		return NULL;
	memcpy(path, src, n);
	memcpy(path + n, ".chat.jsonl", sizeof(".chat.jsonl"));
	if (access(path, R_OK) != 0)
		return NULL;
	if (!quiet)
		kc_warn("note: using the chat log %s (--no-chat: without it)",
		    path);
	return path;
}

static const struct option longopts[] = {
	{ "url", required_argument, NULL, 'u' },
	{ "clip-duration", required_argument, NULL, 'd' },
	{ "min-gap", required_argument, NULL, 'g' },
	{ "max-audio-clips", required_argument, NULL, 'a' },
	{ "max-video-clips", required_argument, NULL, 'v' },
	{ "type", required_argument, NULL, 't' },
	{ "start-minute", required_argument, NULL, 'S' },
	{ "end-minute", required_argument, NULL, 'E' },
	{ "generate-clips", no_argument, NULL, 'c' },
	{ "analyse-only", no_argument, NULL, 'A' },
	{ "out", required_argument, NULL, 'o' },
	{ "db", required_argument, NULL, 'D' },
	{ "model", required_argument, NULL, 'M' },
	{ "accurate", no_argument, NULL, 'R' },
	{ "reencode", required_argument, NULL, 275 },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, 'J' },
	{ "curve", no_argument, NULL, 'C' },
	{ "json-progress", no_argument, NULL, 'P' },
	{ "state", required_argument, NULL, 'Z' },
	{ "no-resume", no_argument, NULL, 'N' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "cookies", required_argument, NULL, 256 },
	{ "kick-api", required_argument, NULL, 257 },
	{ "no-ytdlp", no_argument, NULL, 258 },
	{ "quality", required_argument, NULL, 259 },
	{ "analysis-quality", required_argument, NULL, 260 },
	{ "retries", required_argument, NULL, 261 },
	{ "backoff", required_argument, NULL, 262 },
	{ "duration", required_argument, NULL, 263 },
	{ "live-buffer", required_argument, NULL, 264 },
	{ "live-timeout", required_argument, NULL, 266 },
	{ "live-threshold", required_argument, NULL, 265 },
	{ "pre-roll", required_argument, NULL, 267 },
	{ "min-score", required_argument, NULL, 268 },
	{ "connections", required_argument, NULL, 269 },
	{ "chat", required_argument, NULL, 270 },
	{ "chat-start", required_argument, NULL, 271 },
	{ "no-chat", no_argument, NULL, 272 },
	{ "max-chat-clips", required_argument, NULL, 273 },
	{ "no-config", no_argument, NULL, 274 },
	{ "from-highlights", required_argument, NULL, 276 },
	{ "format", required_argument, NULL, 277 },
	{ "vertical", required_argument, NULL, 278 },
	{ "no-poster", no_argument, NULL, 279 },
	{ "again", no_argument, NULL, 280 },
	{ NULL, 0, NULL, 0 }
};

/* One option's value, checked; from_config: it comes from the file. */
static void
option(struct opts *o, int c, const char *arg, int from_config, char **argv)
{
	switch (c) {
	case 'u': o->src = arg; break;
	case 'd': kc_opt_real("--clip-duration", arg, 5, 600);
		o->dur = arg; break;
	case 'g': kc_opt_real("--min-gap", arg, 0, 3600);
		o->gap = arg; break;
	case 'a': kc_opt_long("--max-audio-clips", arg, 1, 25);
		o->na = arg; break;
	case 'v': kc_opt_long("--max-video-clips", arg, 1, 25);
		o->nv = arg; break;
	case 273: kc_opt_long("--max-chat-clips", arg, 1, 25);
		o->nc = arg; break;
	case 't':
		if (kc_rec_kind(arg) < 0 && strcmp(arg, "both") &&
		    strcmp(arg, "all"))
			kc_usage_error("--type: '%s': want audio, "
			    "video, chat, both or all", arg);
		o->type = arg;
		break;
	case 'S':
		o->start = 60 * kc_opt_real("--start-minute", arg, 0,
		    6000);
		break;
	case 'E':
		o->end = 60 * kc_opt_real("--end-minute", arg, 0,
		    6000);
		break;
	case 'c': o->generate = 1; break;
	case 'A': o->generate = 0; break;
	case 'o': o->out = arg; o->out_given = !from_config; break;
	case 'D': o->db = arg; break;
	case 'M': o->model = arg; break;
	case 'R': o->accurate = 1; break;
	case 275:
		if (strcmp(arg, "auto") && strcmp(arg, "always") &&
		    strcmp(arg, "never"))
			kc_usage_error("--reencode: '%s': want auto, always "
			    "or never", arg);
		o->reencode = arg;
		break;
	case 'j': kc_opt_long("--jobs", arg, 1, 16); o->jobs = arg;
		break;
	case 'J': o->json = 1; break;
	case 'C': o->curve = 1; break;
	case 'P': o->jprogress = 1; break;
	case 'Z': o->state = arg; break;
	case 'N': o->no_resume = 1; break;
	case 'q': o->quiet = 1; break;
	/* the same ranges as kc-fetch and kc-score, so a bad value is
	 * a usage error here rather than a failed stage */
	case 256: pass(o, "--cookies", arg); break;
	case 257: pass(o, "--kick-api", arg); break;
	case 258: pass(o, "--no-ytdlp", NULL); break;
	case 259: kc_opt_long("--quality", arg, 0, 8640);
		pass(o, "--quality", arg); break;
	case 260: kc_opt_long("--analysis-quality", arg, 0, 8640);
		pass(o, "--analysis-quality", arg); break;
	case 261: kc_opt_long("--retries", arg, 0, 100);
		pass(o, "--retries", arg); break;
	case 262: kc_opt_real("--backoff", arg, 1, 10);
		pass(o, "--backoff", arg); break;
	case 269: kc_opt_long("--connections", arg, 1, 16);
		pass(o, "--connections", arg); break;
	case 263: kc_opt_real("--duration", arg, 1, 1e6);
		pass(o, "--duration", arg); break;
	case 266: kc_opt_real("--live-timeout", arg, 1, 86400);
		pass(o, "--live-timeout", arg); break;
	case 264: kc_opt_real("--live-buffer", arg, 30, 86400);
		pass(o, "--live-buffer", arg); break;
	case 267:
		if (strcmp(arg, "off") != 0)
			kc_opt_real("--pre-roll", arg, 0, 599);
		o->pre_roll = arg;
		break;
	case 268: kc_opt_real("--min-score", arg, 0, 1);
		o->min_score = arg; break;
	case 265: kc_opt_real("--live-threshold", arg, 0, 1000);
		o->live_threshold = arg; break;
	case 270: o->chat = arg; break;
	case 271: o->chat_start = arg; break;
	case 272: o->no_chat = 1; break;
	case 274: break;	/* --no-config: seen by config() */
	case 276: o->from = arg; break;
	case 277:
		if (strcmp(arg, "landscape") && strcmp(arg, "vertical"))
			kc_usage_error("--format: '%s': want landscape or "
			    "vertical", arg);
		o->format = arg;
		break;
	case 278: o->vertical = arg; break;	/* kc-cut checks it */
	case 279: o->no_poster = 1; break;
	case 280: o->again = 1; break;
	case 'h': kc_opt_help(usage_text);
	case 'V': kc_opt_version();
	default: kc_opt_unknown(argv);
	}
}

/*
 * The configuration file's defaults, through the options' own checks
 * (before the command line, which wins).  Its "db" is kc_opt_db's, below
 * $KC_DB.  --no-config, anywhere before "--", leaves the file unread;
 * so do --help and --version, which a bad file must not stop.
 */
static kc_config *
config(int argc, char **argv, struct opts *o)
{
	static const char *const keys[] = { "max-audio-clips",
	    "max-video-clips", "max-chat-clips", "clip-duration", "min-gap",
	    "min-score", "out", NULL };
	const struct option *lo;
	kc_config *cfg;
	const char *v;
	int i, use = 1;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--no-config") == 0 ||
		    strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0)
			use = 0;
	if ((cfg = kc_opt_config(use)) == NULL)
		return NULL;
	for (i = 0; keys[i]; i++) {
		if ((v = kc_opt_conf(cfg, keys[i])) == NULL)
			continue;
		for (lo = longopts; strcmp(lo->name, keys[i]) != 0; lo++)
			;
		option(o, lo->val, v, 1, argv);
		kc_usage_at(NULL);
	}
	return cfg;
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	kc_config *cfg;
	int c;

	memset(o, 0, sizeof(*o));
	o->start = 0;
	o->end = -1;
	o->dur = "30";
	o->gap = "10";
	o->na = o->nv = o->nc = "10";
	o->type = "both";
	o->out = "output_clips";
	o->jobs = "2";
	cfg = config(argc, argv, o);
	while ((c = getopt_long(argc, argv, "u:d:g:a:v:t:co:j:qVh", longopts,
	    NULL)) != -1)
		option(o, c, optarg, 0, argv);
	if (o->src == NULL && optind < argc)
		o->src = argv[optind++];
	if (o->from && o->src)
		kc_usage_error("--from-highlights takes no SOURCE: the file's "
		    "stream record names it");
	if (o->from) {
		o->generate = 1;
		o->src = "";
		o->no_chat = 1;
	}
	if (o->src == NULL)
		kc_usage_error("no SOURCE given");
	if (optind < argc)
		kc_usage_error("one SOURCE only (extra: '%s')", argv[optind]);
	if (*o->out == '\0')
		kc_usage_error("--out: empty folder name");
	if (o->end >= 0 && o->end <= o->start)
		kc_usage_error("--end-minute must be after --start-minute");
	if (o->pre_roll && strcmp(o->pre_roll, "off") != 0 &&
	    strtod(o->pre_roll, NULL) >= strtod(o->dur, NULL))
		kc_usage_error("--pre-roll must be shorter than the clip");
	if (o->chat_start && !o->chat)
		kc_usage_error("--chat-start needs --chat");
	if (o->chat && access(o->chat, R_OK) != 0)
		kc_usage_error("--chat: %s: %s", o->chat, strerror(errno));
	if (o->no_chat)
		o->chat = NULL;
	else if (o->chat == NULL)
		o->chat = chat_beside(o->src, o->quiet);
	if (o->vertical && !(o->format && strcmp(o->format, "vertical") == 0))
		kc_usage_error("--vertical needs --format vertical");
	if ((o->curve || o->jprogress) && !o->json)
		kc_usage_error("%s needs --json", o->curve ? "--curve" :
		    "--json-progress");
	/* an analysis alone makes no folder: it only reads the model */
	o->db = kc_opt_db(o->db, cfg, o->generate);
	/* cfg stays: the options taken from it point into it */
	default_model(o);
}

static char start_s[32], end_s[32], resume_s[32];

/* Whether src is a kick.com page: its chat is Kick's (kc-chatfeat). */
static int
kick_page(const char *src)
{
	static const char *const pre[] = { "https://kick.com/",
	    "https://www.kick.com/", "http://kick.com/", "http://www.kick.com/",
	    NULL };
	size_t i;

	for (i = 0; pre[i]; i++)
		if (strncasecmp(src, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

static void build_cut(struct pipeline *, const struct opts *);

static void
build(struct pipeline *pl, const struct opts *o, const struct journal *j)
{
	struct stage *s;
	int i;

	memset(pl, 0, sizeof(*pl));
	s = pl_stage(pl, "kc-fetch");
	for (i = 0; i < o->nfetch; i += 2) {
		pl_arg(s, o->fetch[i]);
		if (o->fetch[i + 1])
			pl_arg(s, o->fetch[i + 1]);
	}
	if (j->resume_seq >= 0) {
		snprintf(resume_s, sizeof(resume_s), "%ld", j->resume_seq);
		pl_arg(s, "--resume-after");
		pl_arg(s, resume_s);
		pl_arg(s, "--resume-id");
		pl_arg(s, j->id);
	}
	if (o->start > 0) {
		snprintf(start_s, sizeof(start_s), "%.3f", o->start);
		pl_arg(s, "--start");
		pl_arg(s, start_s);
	}
	if (o->end >= 0) {
		snprintf(end_s, sizeof(end_s), "%.3f", o->end);
		pl_arg(s, "--end");
		pl_arg(s, end_s);
	}
	pl_arg(s, "--");
	pl_arg(s, o->src);
	if (o->chat || (!o->no_chat && kick_page(o->src))) {
		s = pl_stage(pl, "kc-chatfeat");
		pl_opt(s, "--chat", o->chat);
		pl_opt(s, "--chat-start", o->chat_start);
		for (i = 0; !o->chat && i < o->nfetch; i += 2)
			if (strcmp(o->fetch[i], "--cookies") == 0)
				pl_opt(s, "--cookies", o->fetch[i + 1]);
	}
	pl_stage(pl, "kc-audiofeat");
	pl_stage(pl, "kc-videofeat");
	pl->relay_after = pl->n - 1;
	s = pl_stage(pl, "kc-score");
	pl_arg(s, "--clip-duration"); pl_arg(s, o->dur);
	pl_arg(s, "--min-gap"); pl_arg(s, o->gap);
	pl_arg(s, "--max-audio-clips"); pl_arg(s, o->na);
	pl_arg(s, "--max-video-clips"); pl_arg(s, o->nv);
	pl_arg(s, "--max-chat-clips"); pl_arg(s, o->nc);
	pl_arg(s, "--type"); pl_arg(s, o->type);
	if (o->curve)
		pl_arg(s, "--curve");
	pl_opt(s, "--model", o->model);
	pl_arg(s, "--require-end");
	pl_opt(s, "--live-threshold", o->live_threshold);
	pl_opt(s, "--pre-roll", o->pre_roll);
	if (o->no_chat)
		pl_arg(s, "--no-chat");
	pl_opt(s, "--min-score", o->min_score);
	if (!o->generate)
		return;
	pl_arg(s, "--featstats");	/* for kc-db add's channel statistics */
	if (!o->again) {
		/* what the database has a clip of already is not cut again */
		s = pl_stage(pl, "kc-db");
		pl_arg(s, "--no-config");
		pl_opt(s, "--db", o->db);
		pl_arg(s, "fresh");
		if (o->quiet)
			pl_arg(s, "--quiet");
	}
	build_cut(pl, o);
}

/* The stages after kc-score: kc-cut | kc-db add --print. */
static void
build_cut(struct pipeline *pl, const struct opts *o)
{
	struct stage *s;
	int i;

	s = pl_stage(pl, "kc-cut");
	pl_arg(s, "--out"); pl_arg(s, o->out);
	pl_arg(s, "-j"); pl_arg(s, o->jobs);
	if (o->accurate)
		pl_arg(s, "--accurate");
	pl_opt(s, "--reencode", o->reencode);
	pl_opt(s, "--format", o->format);
	pl_opt(s, "--vertical", o->vertical);
	if (o->no_poster)
		pl_arg(s, "--no-poster");
	/* kc-cut fetches the clips' HLS segments itself */
	for (i = 0; i < o->nfetch; i += 2)
		if (strcmp(o->fetch[i], "--cookies") == 0 || strcmp(o->fetch[i],
		    "--retries") == 0 || strcmp(o->fetch[i], "--backoff") == 0 ||
		    strcmp(o->fetch[i], "--connections") == 0)
			pl_opt(s, o->fetch[i], o->fetch[i + 1]);
	if (o->quiet)
		pl_arg(s, "--quiet");
	s = pl_stage(pl, "kc-db");
	/* the database was chosen here, the config file read (or not:
	 * --no-config) by kc-clip itself */
	pl_arg(s, "--no-config");
	pl_opt(s, "--db", o->db);
	pl_arg(s, "add");
	pl_opt(s, "--model", o->model);
	pl_arg(s, "--print");
	if (o->quiet)
		pl_arg(s, "--quiet");
}

/*
 * The last stage's output, collected by a thread so no pipe ever fills.
 * With live_curve, the pieces of a live stream's curve (curve records
 * that say "live": true) go to stdout as they come, for a page that
 * draws the stream as it airs, and not into tmp; the stream record,
 * which must come before them, goes to stdout at once too (and into tmp,
 * for the highlights JSON) and stream_sent says so.
 */
struct sink {
	int fd;
	FILE *tmp;
	int err;
	int live_curve;
};

static int stream_sent;

/* 1: line is a curve record of a live stream; 2: the first stream
 * record; 0: anything else. */
static int
forwarded(const char *line, size_t len)
{
	json_t *j;
	const char *type;
	int what = 0;

	if ((!memmem(line, len, "\"curve\"", 7) && (stream_sent ||
	    !memmem(line, len, "\"stream\"", 8))) || (j = json_loadb(line,
	    len, 0, NULL)) == NULL)
		return 0;
	type = kc_rec_type(j);
	if (type && strcmp(type, "curve") == 0 && json_is_true(
	    json_object_get(j, "live")))
		what = 1;
	else if (type && strcmp(type, "stream") == 0 && !stream_sent)
		what = 2;
	json_decref(j);
	return what;
}

static void *
drain(void *arg)
{
	struct sink *k = arg;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *in;
	int what;

	if ((in = fdopen(k->fd, "r")) == NULL) {
		k->err = errno ? errno : EIO;
		close(k->fd);
		return NULL;
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		if (k->live_curve && (what = forwarded(line, (size_t)n)) != 0) {
			flockfile(stdout);
			kc_out_raw(line, (size_t)n - (line[n - 1] == '\n'));
			kc_out_flush();
			funlockfile(stdout);
			stream_sent |= what == 2;
			if (what == 1)
				continue;	/* on stdout only */
		}
		if (fwrite(line, 1, (size_t)n, k->tmp) != (size_t)n) {
			k->err = errno ? errno : EIO;
			break;
		}
	}
	if (ferror(in) && !k->err)
		k->err = errno ? errno : EIO;
	free(line);
	fclose(in);
	return NULL;
}

/*
 * Moves the finished tmp to OUT/highlights_STAMP.json, or _2, _3... when
 * that name is taken (another run in the same second): link() never
 * replaces a file.  Returns 0 with the name in path, or -1.
 */
static int
place_json(const char *tmp, const char *out, const char *stamp, char *path,
    size_t pathlen)
{
	int i;

	for (i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(path, pathlen, "%s/highlights_%s.json", out,
			    stamp);
		else
			snprintf(path, pathlen, "%s/highlights_%s_%d.json",
			    out, stamp, i);
		if (link(tmp, path) == 0) {
			unlink(tmp);
			return 0;
		}
		if (errno == EEXIST)
			continue;
		/* a filesystem without hard links: the name is free now */
		if ((errno == EPERM || errno == ENOTSUP) &&
		    access(path, F_OK) != 0 && rename(tmp, path) == 0)
			return 0;
		kc_warn("%s:", path);
		return -1;
	}
	kc_warn("%s: every name taken", path);
	return -1;
}

/*
 * Writes OUT/highlights_YYYYMMDD_HHMMSS.json with scripts/highlights.jq;
 * runs sharing OUT never write into one file.
 */
static void
write_json(const struct opts *o, FILE *recs)
{
	char script[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], stamp[32];
	char iso[32], sbuf[64];
	const char *argv[] = { kc_tool("KC_JQ", "jq"), "-s", "-f", script,
	    "--arg", "generated", iso, NULL };
	time_t now = time(NULL);
	struct tm tm;
	pid_t pid;
	int fd, st;

	if (kc_datafile("highlights.jq", script, sizeof(script)) != 0) {
		kc_warn("highlights.jq not found; no highlights JSON written");
		return;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* a name of this process's own, so two runs never share one */
	snprintf(tmp, sizeof(tmp), "%s/.highlights_%s.%ld.tmp", o->out, stamp,
	    (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666))
	    < 0) {
		kc_warn("%s:", tmp);
		return;
	}
	rewind(recs);
	if (kc_spawn(argv, fileno(recs), fd, -1, &pid) != 0) {
		kc_warn("cannot run %s:", argv[0]);
		close(fd);
		unlink(tmp);
		return;
	}
	close(fd);
	if (kc_wait(pid, &st) != 0 || kc_status_failed(st)) {
		kc_warn("%s: jq failed (%s)", tmp, kc_status_str(st, sbuf,
		    sizeof(sbuf)));
		unlink(tmp);
		return;
	}
	if (place_json(tmp, o->out, stamp, path, sizeof(path)) != 0) {
		unlink(tmp);
		return;
	}
	if (!o->quiet)
		fprintf(stderr, "kc-clip: wrote %s\n", path);
}

/* Is rec a failed cut (kc-cut's non-fatal error record of a highlight)? */
static int
failed_cut(const json_t *rec)
{
	const char *stage = kc_rec_str(rec, "stage");

	return strcmp(kc_rec_type(rec), "error") == 0 && stage != NULL &&
	    strcmp(stage, "kc-cut") == 0 && kc_rec_str(rec, "kind") != NULL;
}

/*
 * Table or records on stdout; returns the number of results, and in
 * *nfailed the highlights whose cut failed (listed too, marked).
 */
static long
report(const struct opts *o, FILE *recs, long *nfailed)
{
	kc_reader *r;
	json_t *rec;
	const char *type, *kind, *path;
	char a[32];
	double t0, t1, score, id;
	long n = 0;
	int rc, failed;

	*nfailed = 0;
	rewind(recs);
	if ((r = kc_reader_new(recs, "results")) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (!o->json)
		kc_out_printf("%s\n", o->generate ?
		    "   id  kind   start      len  score  clip" :
		    "  #  kind   start      len  score");
	while ((rc = kc_reader_next(r, &rec)) != 0) {
		if (rc < 0)
			break;
		type = kc_rec_type(rec);
		if ((o->curve && strcmp(type, "curve") == 0) || (o->json &&
		    strcmp(type, "stream") == 0)) {
			/* not a result: not counted; a stream record
			 * already on stdout (live_curve) not twice */
			if (strcmp(type, "stream") || !stream_sent)
				kc_out(rec);
			json_decref(rec);
			continue;
		}
		failed = failed_cut(rec);
		if (strcmp(type, "highlight") && strcmp(type, "clip") &&
		    !failed) {
			json_decref(rec);
			continue;
		}
		if (failed)
			(*nfailed)++;
		else
			n++;
		if (o->json)
			kc_out(rec);
		else {
			kind = kc_rec_str(rec, "kind");
			path = kc_rec_str(rec, "path");
			if (kc_rec_num(rec, "t0", &t0) || kc_rec_num(rec, "t1",
			    &t1) || kc_rec_num(rec, "score", &score))
				t0 = t1 = score = 0;
			if (kc_rec_num(rec, "id", &id))
				id = 0;
			if (failed)
				kc_out_printf("%5s  %-5s %9s %6.1fs  %.2f  FAILED: "
				    "%s\n", "-", kind, kc_fmt_hms(t0, a,
				    sizeof(a)), t1 - t0, score,
				    kc_rec_str(rec, "message") ?
				    kc_rec_str(rec, "message") : "");
			else if (o->generate)
				kc_out_printf("%5.0f  %-5s %9s %6.1fs  %.2f  %s\n", id,
				    kind ? kind : "?", kc_fmt_hms(t0, a,
				    sizeof(a)), t1 - t0, score, path ? path :
				    "");
			else
				kc_out_printf("%3ld  %-5s %9s %6.1fs  %.2f\n", n,
				    kind ? kind : "?", kc_fmt_hms(t0, a,
				    sizeof(a)), t1 - t0, score);
		}
		json_decref(rec);
	}
	kc_reader_free(r);
	return n;
}

/*
 * Where the journal goes: --state, else OUT/.kc-state when the run writes
 * into OUT, else the user's state folder (an analysis alone creates no
 * folder in the current one).  "" when there is none ($HOME unset).
 */
static const char *
state_dir(const struct opts *o, char *buf, size_t n)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (o->state)
		snprintf(buf, n, "%s", o->state);
	else if (o->generate || o->out_given)
		snprintf(buf, n, "%s/.kc-state", o->out);
	else if (x && *x == '/')
		snprintf(buf, n, "%s/kc", x);
	else if (home && *home)
		snprintf(buf, n, "%s/.local/state/kc", home);
	else
		*buf = '\0';
	return buf;
}

/* What names a run's journal: the source, and the analysis rendition
 * when one is chosen (another gives other features). */
static const char *
journal_key(const struct opts *o, char *buf, size_t n)
{
	int i;

	snprintf(buf, n, "%s", o->src);
	for (i = 0; i < o->nfetch; i += 2)
		if (strcmp(o->fetch[i], "--analysis-quality") == 0)
			snprintf(buf, n, "%s\n--analysis-quality=%s", o->src,
			    o->fetch[i + 1]);
	return buf;
}

static struct pipeline pl;
static volatile sig_atomic_t stops;
static volatile sig_atomic_t aborted;	/* the signal that stopped every
					   stage, 0: none */

static void
cleanup(void)
{
	pl_kill(&pl);
}

/*
 * Ctrl-C (or SIGTERM) on a file or a VOD: stop every stage now, their
 * children too (the stages form one process group, ffmpeg included): no
 * analysis or cut starts after it, kc-cut removes its unfinished files,
 * what kc-db add committed stays, and the journal stays for resuming.
 * The relay only learns that a stream is live from its stream record, so
 * a stop before that one is treated the same way (nothing is in flight).
 *
 * Live, once: ask kc-fetch to stop; it finishes what is in flight and the
 * rest of the pipeline completes (its clips cut and recorded).  Twice:
 * stop every stage now, as above.
 */
static void
on_stop(int sig)
{
	static const char live_msg[] = "\nkc-clip: stopping after what is "
	    "in flight (again to abort)\n";
	int i, alive = 0, saved = errno;
	ssize_t w;

	if (stops++ == 0 && relay_live) {
		if (pl.st[0].pid > 0)
			kill(pl.st[0].pid, SIGTERM);
		w = write(STDERR_FILENO, live_msg, sizeof(live_msg) - 1);
		(void)w;	/* nothing to do about a failed message */
		errno = saved;
		return;
	}
	if (aborted == 0)
		aborted = sig;
	for (i = 0; i < pl.n; i++)
		if (pl.st[i].pid > 0 && !pl.st[i].exited) {
			kill(pl.st[i].pid, SIGTERM);
			alive = 1;
		}
	/* their children: the group outlives a leader that has exited, and
	 * while a stage is not reaped its id cannot name another group */
	if (alive && pl.st[0].pid > 0)
		kill(-pl.st[0].pid, SIGTERM);
	errno = saved;
}

/* After an abort: the journal kept, 128 + the signal (130 for SIGINT,
 * 143 for SIGTERM), as a shell reports a command a signal ended. */
static int
interrupted(struct journal *jr)
{
	journal_close(jr, 0);
	kc_warn("interrupted by %s: no analysis or cut was started after it; "
	    "clips already recorded stay, and the same command resumes the "
	    "run", aborted == SIGINT ? "SIGINT" : "SIGTERM");
	return 128 + aborted;
}

/* Stops on SIGINT and SIGTERM through on_stop, from now on. */
static void
catch_stops(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * Starts the pipeline pl, watched for stops, with the threads that
 * collect its output into sink (a fresh temporary file; live_curve: a
 * live stream's curve pieces to stdout) and copy its stages' stderr to
 * ours.  Dies when it cannot.
 */
static void
start(struct sink *sink, int live_curve, pthread_t *th, pthread_t *eth)
{
	if ((sink->tmp = tmpfile()) == NULL ||
	    fcntl(fileno(sink->tmp), F_SETFD, FD_CLOEXEC) != 0)
		kc_die(KC_EXIT_DATA, "temporary file:");
	kc_on_exit(cleanup);
	/* before the stages start, so no stop finds a stage unwatched */
	catch_stops();
	if (pl_start(&pl) != 0)
		kc_die(KC_EXIT_DATA, "cannot start the pipeline");
	if (aborted)	/* a stop came while they were starting */
		pl_kill(&pl);
	sink->fd = pl.out_rd;
	sink->err = 0;
	sink->live_curve = live_curve;
	if (pthread_create(th, NULL, drain, sink) != 0 ||
	    pthread_create(eth, NULL, pl_stderr, &pl) != 0)
		kc_die(KC_EXIT_DATA, "thread:");
}

/*
 * The exit status of a run whose stage blame failed.  A stage that
 * exited with a status said why itself, under its own name; only a
 * silent or killed one needs naming.
 */
static int
blamed(int blame)
{
	char sbuf[64];

	if (!pl.st[blame].said || !WIFEXITED(pl.st[blame].status))
		kc_warn("%s failed (%s)", pl.st[blame].name,
		    kc_status_str(pl.st[blame].status, sbuf, sizeof(sbuf)));
	return kc_status_code(pl.st[blame].status);
}

/*
 * kc-clip --from-highlights: kc-cut | kc-db add on the file's stream and
 * highlights, with the cutting progress, the highlights JSON, the table
 * or records and the exit status of a -c run.  Nothing is analysed, so
 * there is no journal: the same command again stores no clip twice
 * (kc-cut names a clip after its stream and window, and kc-db add keeps
 * a known path).
 */
static int
cut_chosen(struct opts *o)
{
	struct sink sink;
	struct cutwatch cw;
	struct cuttap tap;
	pthread_t th, eth, tth;
	FILE *in;
	char why[1024];
	double t;
	long nhl, n, nfailed;
	int blame, tty = isatty(STDERR_FILENO), cutting;

	if ((in = tmpfile()) == NULL)
		kc_die(KC_EXIT_DATA, "temporary file:");
	if (from_prepare(o->from, in, &nhl, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "--from-highlights: %s", why);
	rewind(in);
	if (kc_mkdirs(o->out) != 0)
		kc_die(KC_EXIT_DATA, "%s:", o->out);
	memset(&pl, 0, sizeof(pl));
	pl.relay_after = -1;
	pl.in_set = 1;
	pl.in_fd = fileno(in);
	build_cut(&pl, o);
	if ((cutting = !o->quiet && (tty || !o->jprogress))) {
		cut_init(&cw);
		pl.st[0].tap = 1;
		cw.want = nhl;
		cw.want_all = 1;
		cw.open = 1;
	}
	t = kc_now();
	start(&sink, 0, &th, &eth);
	fclose(in);	/* kc-cut has its own copy */
	if (cutting) {
		tap.cw = &cw;
		tap.scored = 0;
		tap.rd = pl.st[0].tap_rd;
		tap.wr = pl.st[0].tap_wr;
		if (pthread_create(&tth, NULL, cut_tap, &tap) != 0)
			kc_die(KC_EXIT_DATA, "thread:");
		cut_report(&cw, tty);
		pthread_join(tth, NULL);
	}
	pthread_join(th, NULL);
	blame = pl_wait(&pl);
	pthread_join(eth, NULL);
	kc_on_exit(NULL);
	if (aborted && blame >= 0) {
		kc_warn("interrupted by %s: no cut was started after it; "
		    "clips already recorded stay", aborted == SIGINT ?
		    "SIGINT" : "SIGTERM");
		return 128 + aborted;
	}
	if (blame >= 0)
		return blamed(blame);
	if (sink.err || (cutting && cw.lost))
		kc_die(KC_EXIT_DATA, "lost records between stages");
	write_json(o, sink.tmp);
	n = report(o, sink.tmp, &nfailed);
	if (!o->quiet) {
		fprintf(stderr, "kc-clip: %ld clips", n);
		if (nfailed)
			fprintf(stderr, " (%ld more failed to cut)", nfailed);
		fprintf(stderr, " of the %ld highlight%s in %s, cut in %.1f "
		    "s\n", nhl, nhl == 1 ? "" : "s", o->from, kc_now() - t);
	}
	fclose(sink.tmp);
	kc_out_close();
	if (pl.partial) {
		kc_warn("partly done: %ld cut%s failed (marked FAILED above); "
		    "the other clips are stored", nfailed, nfailed == 1 ? "" :
		    "s");
		return KC_EXIT_PARTIAL;
	}
	return KC_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct sink sink;
	struct journal jr;
	char state[PATH_MAX], key[PATH_MAX + 64];
	struct relay_stats rs;
	struct cutwatch cw;
	struct cuttap taps[2];
	pthread_t th, eth, tth[2];
	char hms[32];
	double t, ta;
	long n, nfailed;
	int blame, relay_rc, rc, i, sc, tty = isatty(STDERR_FILENO), cutting;
	/* progress on a terminal, and in a log unless a front end reads
	 * --json-progress's records instead */
	int draw;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv, &o);
	if (o.from)
		return cut_chosen(&o);
	draw = !o.quiet && (tty || !o.jprogress);
	/* an analysis alone makes no output folder nobody asked for */
	if ((o.generate || o.out_given) && kc_mkdirs(o.out) != 0)
		kc_die(KC_EXIT_DATA, "%s:", o.out);
	journal_path(&jr, state_dir(&o, state, sizeof(state)),
	    journal_key(&o, key, sizeof(key)), o.start, o.end);
	jr.fresh = o.no_resume;
	if (*state == '\0' || kc_mkdirs(state) != 0)
		kc_warn("%s: no journal (the run cannot be resumed)%s", *state ?
		    state : "no state folder ($HOME is not set)", *state ?
		    ":" : "");
	else
		journal_open(&jr);
	jr.announce = !o.quiet;
	build(&pl, &o, &jr);
	/* kc-clip sits before and after kc-cut too, to count the cuts */
	for (sc = 1; sc < pl.n && strcmp(pl.st[sc].name, "kc-cut"); sc++)
		;
	sc--;			/* the stage that feeds kc-cut */
	if ((cutting = draw && o.generate && sc + 2 < pl.n)) {
		pl.st[sc].tap = pl.st[sc + 1].tap = 1;
		cut_init(&cw);
	}
	t = kc_now();
	start(&sink, o.curve && o.json, &th, &eth);
	for (i = 0; cutting && i < 2; i++) {
		taps[i].cw = &cw;
		taps[i].scored = i == 0;
		taps[i].rd = pl.st[sc + i].tap_rd;
		taps[i].wr = pl.st[sc + i].tap_wr;
		if (pthread_create(&tth[i], NULL, cut_tap, &taps[i]) != 0)
			kc_die(KC_EXIT_DATA, "thread:");
	}
	relay_rc = relay(pl.relay_rd, pl.relay_wr, (draw ? RELAY_DRAW : 0) |
	    (o.jprogress ? RELAY_RECORDS : 0), &rs, &jr);
	ta = kc_now() - t;	/* the analysis is over; cutting may not be */
	if (cutting) {
		cut_report(&cw, tty);
		for (i = 0; i < 2; i++)
			pthread_join(tth[i], NULL);
		if (cw.lost && relay_rc == 0)
			relay_rc = -1;
	}
	pthread_join(th, NULL);
	blame = pl_wait(&pl);
	pthread_join(eth, NULL);
	kc_on_exit(NULL);
	if (aborted && blame >= 0)
		return interrupted(&jr);
	if (blame >= 0) {
		rc = blamed(blame);
		journal_close(&jr, 0);
		return rc;
	}
	/* partly done: the journal stays, so the same command again cuts
	 * the failed ones without analysing again */
	journal_close(&jr, !pl.partial);
	if (relay_rc != 0 || sink.err)
		kc_die(KC_EXIT_DATA, "lost records between stages");
	if (o.generate || o.out_given)
		write_json(&o, sink.tmp);
	n = report(&o, sink.tmp, &nfailed);
	if (!o.quiet) {
		t = kc_now() - t;
		fprintf(stderr, "kc-clip: %ld %s", n, o.generate ? "clips" :
		    "highlights");
		if (nfailed)
			fprintf(stderr, " (%ld more failed to cut)", nfailed);
		/* a resumed run: what this run analysed, in its own time */
		fputs("; ", stderr);
		if (rs.resumed >= 0)
			fprintf(stderr, "resumed from %s, ", kc_fmt_hms(
			    rs.resumed, hms, sizeof(hms)));
		/* the analysis's own speed; the cutting after it apart */
		fprintf(stderr, "analysed %s of media in %.1f s (%.1fx "
		    "realtime)", kc_fmt_hms(rs.media, hms, sizeof(hms)), ta,
		    ta > 0 ? rs.media / ta : 0);
		if (o.generate && n + nfailed > 0)
			fprintf(stderr, ", cut in %.1f s", t - ta);
		if (rs.gaps)	/* media that could not be fetched */
			fprintf(stderr, "; %ld gap%s", rs.gaps, rs.gaps == 1 ?
			    "" : "s");
		fputc('\n', stderr);
	}
	fclose(sink.tmp);
	kc_out_close();
	if (pl.partial) {
		kc_warn("partly done: %ld cut%s failed (marked FAILED above); "
		    "the other clips are stored.  The same command again "
		    "retries them without analysing again", nfailed, nfailed ==
		    1 ? "" : "s");
		return KC_EXIT_PARTIAL;
	}
	return KC_EXIT_OK;
}
