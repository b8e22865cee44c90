/*
 * kc-fetch - the head of the kc pipeline: resolves what the user gave and
 * writes one "stream" record, "segment" records covering the requested
 * range, and "end" (docs/records.md).  A local file or a media file URL
 * is probed and cut into time ranges, never copied (media.c); HLS
 * playlists, Kick/Twitch/YouTube pages and live streams go through the
 * network path (net.c, hlsrun.c), which fetches only what the analysis
 * needs into a bounded spool.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fetch.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "paths.h"

struct opts O;
volatile sig_atomic_t fetch_stop;
atomic_int fetch_cancel;

static const char usage_text[] =
"usage: kc-fetch [options] SOURCE\n"
"\n"
"Write kc records on stdout for SOURCE: one \"stream\" record, then\n"
"\"segment\" records covering [--start, --end), then \"end\".\n"
"SOURCE is a local media file or file:// URL (probed, never copied), an\n"
"http(s) URL of a media file, an HLS playlist (.m3u8, VOD or live), or a\n"
"Kick (kick.com/CHANNEL, kick.com/video/UUID, kick.com/CHANNEL/videos/\n"
"UUID), Twitch or YouTube page.  Pages are resolved with yt-dlp, and Kick\n"
"pages then with Kick's API.  HLS is analysed from the lowest rendition\n"
"with video and cut from the best; only the segments the range needs are\n"
"fetched (a VOD's --connections at a time; a live stream's one at a time)\n"
"into a bounded spool.  A live stream is followed until it ends\n"
"(ENDLIST, or --live-timeout without a new segment), --duration passes, or\n"
"SIGINT/SIGTERM (what is in flight is finished).\n"
"\n"
"options:\n"
"  -s, --start TIME     analyse from TIME (seconds or [HH:]MM:SS; default 0)\n"
"  -e, --end TIME       analyse up to TIME (default: the end)\n"
"      --segment SECS   segment length, rounded up to whole hops (default\n"
"                       60 for a file); an HLS VOD's segments are joined\n"
"                       into spool files of up to SECS (default 600: each\n"
"                       costs the feature filters a decoder start) and\n"
"                       64 MiB, a live stream's are not joined\n"
"      --hop SECS       feature hop the segments align to (default 1)\n"
"      --title TEXT     title for the stream record\n"
"      --channel NAME   channel for the stream record\n"
"      --cookies FILE   browser cookies (Netscape cookies.txt) for yt-dlp\n"
"                       and every HTTP request\n"
"      --kick-api URL   Kick API base (default https://kick.com, or\n"
"                       $KC_KICK_API)\n"
"      --no-ytdlp       do not try yt-dlp first\n"
"      --quality H      cut from the best rendition at most H pixels tall\n"
"                       (default: the best)\n"
"      --analysis-quality H  analyse the lowest rendition with video at\n"
"                       least H pixels tall (default 144)\n"
"      --spool DIR      where segments wait for the feature filters\n"
"                       (default $TMPDIR or /tmp)\n"
"      --spool-segments N  segments in the spool at most (default 6)\n"
"      --consumers LIST roles that acknowledge spool segments (default\n"
"                       audio,video; \"none\": keep every file)\n"
"      --retries N      HTTP retries after failures other than a 403\n"
"                       (default 5); a host refusing every request\n"
"                       (403) for 30 s stops the run, exit 1\n"
"      --backoff F      HTTP backoff factor (default 2)\n"
"      --connections N  an HLS VOD's segment downloads in flight, each on\n"
"                       its own connection (default 4; 1-16)\n"
"      --live-buffer SECS  best-rendition seconds kept while live, for\n"
"                       cutting (default 600)\n"
"      --duration SECS  live: stop after this much stream time\n"
"      --live-timeout SECS  live: a playlist that brings no new segment\n"
"                       for SECS (at least 3 target durations) is taken\n"
"                       as ended: stalled, or answering 404/410 (default\n"
"                       60); shorter outages are ridden out\n"
"      --resume-after SEQ --resume-id ID\n"
"                       continue an interrupted run: write no segment\n"
"                       up to SEQ if the stream's id is still ID (else\n"
"                       start over, with a note); kc-clip uses this\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"exit status: 0 ok, 1 unreadable or unreachable source, 2 usage error;\n"
"1 also for a source the records cannot describe (a range past 1000000 s).\n"
"A live playlist that stalls or answers 404/410 for --live-timeout ends\n"
"the stream (exit 0); one that fails otherwise that long is unreachable\n"
"(exit 1, no \"end\" record).\n"
"Segments that cannot be fetched become \"gap\" records; the run goes on.\n"
"environment: KC_FFPROBE, KC_YTDLP (programs to run), KC_KICK_API,\n"
"http_proxy/https_proxy (as libcurl reads them).\n";

static void
parse_args(int argc, char **argv)
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
		{ "cookies", required_argument, NULL, 'k' },
		{ "kick-api", required_argument, NULL, 'K' },
		{ "no-ytdlp", no_argument, NULL, 'Y' },
		{ "quality", required_argument, NULL, 'q' },
		{ "analysis-quality", required_argument, NULL, 'Q' },
		{ "spool", required_argument, NULL, 'P' },
		{ "spool-segments", required_argument, NULL, 'N' },
		{ "consumers", required_argument, NULL, 'c' },
		{ "retries", required_argument, NULL, 'r' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "connections", required_argument, NULL, 'J' },
		{ "live-buffer", required_argument, NULL, 'B' },
		{ "duration", required_argument, NULL, 'D' },
		{ "live-timeout", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *env;
	int c;

	O.start = 0;
	O.end = -1;
	O.segment = -1;		/* 60 s, and 600 s for HLS VOD spool files */
	O.hop = 1;
	O.resume_after = -1;
	O.kick_api = (env = getenv("KC_KICK_API")) && *env ? env :
	    "https://kick.com";
	O.consumers = "audio,video";
	O.spool_segments = 6;
	O.analysis_quality = 144;
	O.retries = 5;
	O.backoff = 2;
	O.connections = 4;
	O.live_buffer = 600;
	O.live_timeout = 60;
	while ((c = getopt_long(argc, argv, "s:e:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': O.start = kc_opt_time("--start", optarg); break;
		case 'e': O.end = kc_opt_time("--end", optarg); break;
		case 'S': O.segment = kc_opt_real("--segment", optarg, 1, 3600);
			break;
		case 'H': O.hop = kc_opt_real("--hop", optarg, 0.1, 10); break;
		case 'T': O.title = optarg; break;
		case 'C': O.channel = optarg; break;
		case 'R': O.resume_after = kc_opt_long("--resume-after", optarg,
		    -1, (long)1e15); break;
		case 'I': O.resume_id = optarg; break;
		case 'k': O.cookies = optarg; break;
		case 'K': O.kick_api = optarg; break;
		case 'Y': O.no_ytdlp = 1; break;
		case 'q': O.quality = (int)kc_opt_long("--quality", optarg, 0,
		    8640); break;
		case 'Q': O.analysis_quality = (int)kc_opt_long(
		    "--analysis-quality", optarg, 0, 8640); break;
		case 'P': O.spool = optarg; break;
		case 'N': O.spool_segments = kc_opt_long("--spool-segments",
		    optarg, 2, 100000); break;
		case 'c': O.consumers = optarg; break;
		case 'r': O.retries = (int)kc_opt_long("--retries", optarg, 0,
		    100); break;
		case 'b': O.backoff = kc_opt_real("--backoff", optarg, 1, 10);
			break;
		case 'J': O.connections = (int)kc_opt_long("--connections",
		    optarg, 1, 16); break;
		case 'B': O.live_buffer = kc_opt_real("--live-buffer", optarg,
		    30, 86400); break;
		case 'D': O.duration = kc_opt_real("--duration", optarg, 1,
		    1e6); break;
		case 'L': O.live_timeout = kc_opt_real("--live-timeout", optarg,
		    1, 86400); break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
	if (optind != argc - 1)
		kc_usage_error(optind == argc ? "no SOURCE given" :
		    "one SOURCE only (got %d)", argc - optind);
	O.arg = argv[optind];
	if (O.end >= 0 && O.end <= O.start)
		kc_usage_error("--end (%g s) must be after --start (%g s)",
		    O.end, O.start);
	/*
	 * Each spool file costs each feature filter an ffmpeg start (some
	 * 0.2 s of CPU, most of it loading ffmpeg's libraries): 300 s files
	 * take a third off the CPU time of an HLS VOD's analysis against
	 * 60 s ones, 600 s ones some 5 % more (issue 10).
	 */
	O.group = O.segment > 0 ? O.segment : 600;
	if (O.segment < 0)
		O.segment = 60;
	/* segments hold whole hops, so every segment starts on the grid */
	O.segment = ceil(O.segment / O.hop - 1e-9) * O.hop;
	O.group = ceil(O.group / O.hop - 1e-9) * O.hop;
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

/* A local path or file:// URL: checked, made absolute, then probed. */
static void
local_run(const char *arg, size_t n)
{
	char path[PATH_MAX + 16], real[PATH_MAX], media[PATH_MAX + 8];
	struct stat st;

	if (n > 0) {
		snprintf(path, sizeof(path), "%s", arg + 7);
		if (path[0] != '/')
			kc_usage_error("%s: a file:// URL needs an absolute "
			    "path (file:///dir/name)", arg);
		if (kc_pct_decode(path, 1) < 0)
			kc_usage_error("%s: bad %%-escape in file:// URL", arg);
	} else {
		if (strlen(arg) >= sizeof(path))
			kc_usage_error("path too long");
		snprintf(path, sizeof(path), "%s", arg);
	}
	if (realpath(path, real) == NULL || stat(real, &st) != 0)
		kc_die(KC_EXIT_DATA, "%s:", path);
	if (!S_ISREG(st.st_mode))
		kc_die(KC_EXIT_DATA, "%s: not a regular file", path);
	if (st.st_size == 0)	/* ffprobe would say "moov atom not found" */
		kc_die(KC_EXIT_DATA, "%s: empty file (0 bytes)", path);
	/* "file:" keeps ffmpeg from reading "a:b.mp4" as protocol "a" */
	snprintf(media, sizeof(media), "file:%s", real);
	media_run(real, media, 1);
}

int
main(int argc, char **argv)
{
	size_t n;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv);

	n = scheme_len(O.arg);
	if (n == 0 || (n == 4 && strncasecmp(O.arg, "file", 4) == 0))
		local_run(O.arg, n);
	else if ((n == 4 && strncasecmp(O.arg, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(O.arg, "https", 5) == 0))
		net_run(O.arg);
	else
		kc_usage_error("%s: unsupported URL scheme \"%.*s\" (use a "
		    "local file, file://, http:// or https://)", O.arg, (int)n,
		    O.arg);
	kc_out_close();
	return KC_EXIT_OK;
}
