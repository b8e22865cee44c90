/*
 * kc-chatfeat - the chat stage of the kc pipeline: reads kc records,
 * passes them all through, and after each "segment" adds one "cfeat"
 * record per hop: what the stream's chat said a few seconds later
 * (message rate, chatters, emotes, laughter, hype, "clip", capitals,
 * repeats; see docs/records.md).  The chat comes from a log file or
 * from Kick (replay or live); the option handling is here, the log in
 * chatlog.c, Kick in replay.c and pusher.c, the record loop in run.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "hls.h"
#include "http.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "rec.h"

static const char usage_text[] =
"usage: kc-chatfeat [--chat FILE] [options] [RECORDS...]\n"
"\n"
"Read kc records (from RECORDS files in order, or stdin; \"-\" is stdin),\n"
"pass them through, and after each \"segment\" record write one \"cfeat\"\n"
"record per hop: what the chat said about the hop, --lag seconds later\n"
"over --window seconds (messages and chatters per second; shares with\n"
"emotes, laughter, hype and \"clip\"; capitals, repeats, length; the\n"
"share of commands, bots and notices, which are not counted).\n"
"\n"
"The chat is the --chat log file's; without one, for a stream kc-fetch\n"
"resolved through Kick's API, Kick's chat replay (a VOD) or live chat (a\n"
"channel that is live); else there is none.  The stream record passed on\n"
"says which (\"chat\": \"file\", \"kick-replay\", \"kick-live\" or \"none\").\n"
"Kick's chat failing (403, 404, not JSON) is one warning and\n"
"\"chat_error\" in the stream record: the records go on without chat.\n"
"Only the features are written, no user names or texts, unless\n"
"--chat-log asks for the raw messages.\n"
"\n"
"options:\n"
"      --chat FILE          the chat log: JSON Lines of {\"t\": seconds from\n"
"                           the stream's start, or \"timestamp\": ISO 8601;\n"
"                           \"user\"; \"text\"; \"type\" (\"message\", or a\n"
"                           notice: raid, host, gift, ...)}; jq -f\n"
"                           scripts/chat-youtube.jq or chat-twitch.jq\n"
"                           converts yt-dlp's and TwitchDownloader's\n"
"      --chat-start TIME    when stream time 0 aired (ISO 8601 or Unix\n"
"                           seconds), for \"timestamp\" logs and Kick\n"
"                           (default: the stream record's pdt0, else\n"
"                           Kick's start_time)\n"
"      --no-kick-chat       no chat from Kick\n"
"      --kick-api URL       Kick's API base for the replay (default: the\n"
"                           stream record's, from kc-fetch --kick-api; else\n"
"                           $KC_KICK_API)\n"
"      --pusher URL         the live chat's WebSocket base (default\n"
"                           wss://ws-us2.pusher.com, or $KC_PUSHER_URL;\n"
"                           ws:// for tests)\n"
"      --pusher-key KEY     its Pusher app key (default Kick's,\n"
"                           32cbd69e4b950bf97679, or $KC_PUSHER_KEY)\n"
"      --cookies FILE       browser cookies (Netscape cookies.txt) for the\n"
"                           replay's requests (not the WebSocket's)\n"
"      --retries N          retries of a failed replay request (default 5;\n"
"                           0-100)\n"
"      --chat-log FILE      also write Kick's messages to FILE as a chat\n"
"                           log (user names and texts)\n"
"      --lag SECS           how long chat takes to react, 0-60 (default 5)\n"
"      --window SECS        chat per hop, 1-60 seconds (default 5)\n"
"      --hop SECS           hop length, 0.05-60 (default: the stream\n"
"                           record's, else 1)\n"
"      --bot NAME           a bot's user name, not counted (repeatable;\n"
"                           botrix, nightbot, streamelements and others\n"
"                           are known)\n"
"  -u, --unbuffered         flush every record as it is written\n"
"  -h, --help               show this help\n"
"  -V, --version            show the version\n"
"\n"
"Kick's live chat goes over a WebSocket (libwebsockets) straight to the\n"
"host: no proxy (Debian's libwebsockets has none) and no cookies.  A\n"
"dropped connection is made again after 1, 2, 4 ... 30 s.  A live\n"
"stream's hop is written once its chat window has aired (some 10 s\n"
"after the hop); other records are passed on at once.\n"
"\n"
"kc-score adds the chat's window score to each audio and video window's\n"
"(its --chat-weight), estimates how late the chat reacts (--chat-lag\n"
"auto), and picks chat highlights of their own with --type chat or all.\n"
"\n"
"exit status: 0 ok (also when Kick's chat could not be read), 1 bad\n"
"records or a bad chat log (the file and line are named), 2 usage\n"
"error.\n";

static void
add_bot(struct cf_opts *o, int *nb, const char *name)
{
	const char *const *d = kc_chat_default_bots();
	char *s;
	size_t i;

	if (*nb == 0)		/* the known ones first */
		for (; *d && *nb < CF_MAX_BOTS; d++)
			o->bots[(*nb)++] = *d;
	if (*nb == CF_MAX_BOTS)
		kc_usage_error("--bot: at most %d bots", CF_MAX_BOTS);
	if ((s = strdup(name)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	for (i = 0; s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	o->bots[(*nb)++] = s;
	o->bots[*nb] = NULL;
}

static void
parse_args(int argc, char **argv, struct cf_opts *o)
{
	static const struct option longopts[] = {
		{ "chat", required_argument, NULL, 'c' },
		{ "chat-start", required_argument, NULL, 'S' },
		{ "lag", required_argument, NULL, 'L' },
		{ "window", required_argument, NULL, 'W' },
		{ "hop", required_argument, NULL, 'H' },
		{ "bot", required_argument, NULL, 'B' },
		{ "no-kick-chat", no_argument, NULL, 'n' },
		{ "kick-api", required_argument, NULL, 'K' },
		{ "pusher", required_argument, NULL, 'P' },
		{ "pusher-key", required_argument, NULL, 'k' },
		{ "cookies", required_argument, NULL, 'C' },
		{ "retries", required_argument, NULL, 'R' },
		{ "chat-log", required_argument, NULL, 'l' },
		{ "unbuffered", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why, *env;
	char *end;
	int c, nb = 0;

	memset(o, 0, sizeof(*o));
	o->lag = 5;
	o->window = 5;
	o->retries = 5;
	o->pusher = (env = getenv("KC_PUSHER_URL")) && *env ? env :
	    "wss://ws-us2.pusher.com";
	o->pusher_key = (env = getenv("KC_PUSHER_KEY")) && *env ? env :
	    "32cbd69e4b950bf97679";
	while ((c = getopt_long(argc, argv, "uVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->chat = optarg; break;
		case 'S':
			o->have_start = 1;
			o->start = strtod(optarg, &end);
			if (end != optarg && *end == '\0' && o->start >= 0 &&
			    o->start <= KC_REC_PDT_MAX)
				break;
			if ((why = hls_pdt_parse(optarg, &o->start)) != NULL)
				kc_usage_error("--chat-start: '%s': %s (want ISO "
				    "8601 or Unix seconds)", optarg, why);
			break;
		case 'L': o->lag = kc_opt_real("--lag", optarg, 0, 60); break;
		case 'W': o->window = kc_opt_real("--window", optarg, 1, 60);
			break;
		case 'H': o->hop = kc_opt_real("--hop", optarg,
		    KC_REC_HOP_MIN, KC_REC_HOP_MAX);
			break;
		case 'B': add_bot(o, &nb, optarg); break;
		case 'n': o->no_kick = 1; break;
		case 'K': o->kick_api = optarg; break;
		case 'P': o->pusher = optarg; break;
		case 'k': o->pusher_key = optarg; break;
		case 'C': o->cookies = optarg; break;
		case 'R': o->retries = (int)kc_opt_long("--retries", optarg, 0,
		    100); break;
		case 'l': o->chat_log = optarg; break;
		case 'u': kc_out_unbuffered(1); break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
	if (o->chat && o->chat_log)
		kc_usage_error("--chat-log writes Kick's messages; with --chat "
		    "FILE there are none");
}

int
main(int argc, char **argv)
{
	struct cf_opts o;
	struct cf_chat chat;
	FILE *fp;
	int i, status = KC_EXIT_OK;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv, &o);
	memset(&chat, 0, sizeof(chat));
	if (o.chat)
		cf_chat_load(o.chat, &o, &chat);
	else if (kc_http_global_init() != 0)
		kc_die(KC_EXIT_DATA, "libcurl: cannot initialise");
	if (optind == argc)
		cf_records(stdin, "<stdin>", &o, &chat);
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			cf_records(stdin, "<stdin>", &o, &chat);
			continue;
		}
		if ((fp = fopen(argv[i], "re")) == NULL) {
			kc_warn("%s:", argv[i]);
			status = KC_EXIT_DATA;
			continue;
		}
		cf_records(fp, argv[i], &o, &chat);
		fclose(fp);
	}
	cf_finish(&chat, &o);
	free(chat.m);
	kc_out_close();
	return status;
}
