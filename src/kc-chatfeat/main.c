/*
 * kc-chatfeat - the chat stage of the kc pipeline: reads kc records,
 * passes them all through, and after each "segment" adds one "cfeat"
 * record per hop: what the stream's chat said a few seconds later
 * (message rate, chatters, emotes, laughter, hype, "clip", capitals,
 * repeats; see docs/records.md).  The chat comes from a log file; the
 * option handling is here, the log in chatlog.c, the record loop in
 * run.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"
#include "hls.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "rec.h"

static const char usage_text[] =
"usage: kc-chatfeat --chat FILE [options] [RECORDS...]\n"
"\n"
"Read kc records (from RECORDS files in order, or stdin; \"-\" is stdin),\n"
"pass them through, and after each \"segment\" record write one \"cfeat\"\n"
"record per hop: what the chat said about the hop, --lag seconds later\n"
"over --window seconds (messages and chatters per second; shares with\n"
"emotes, laughter, hype and \"clip\"; capitals, repeats, length; the\n"
"share of commands, bots and notices, which are not counted).\n"
"\n"
"options:\n"
"      --chat FILE          the chat log: JSON Lines of {\"t\": seconds from\n"
"                           the stream's start, or \"timestamp\": ISO 8601;\n"
"                           \"user\"; \"text\"; \"type\" (\"message\", or a\n"
"                           notice: raid, host, gift, ...)}; jq -f\n"
"                           scripts/chat-youtube.jq or chat-twitch.jq\n"
"                           converts yt-dlp's and TwitchDownloader's\n"
"      --chat-start TIME    when stream time 0 aired (ISO 8601 or Unix\n"
"                           seconds), for \"timestamp\" logs (default: the\n"
"                           stream record's pdt0)\n"
"      --lag SECS           how long chat takes to react, 0-60 (default 5)\n"
"      --window SECS        chat per hop, 1-60 seconds (default 5)\n"
"      --hop SECS           hop length, 0.05-60 (default: the stream\n"
"                           record's, else 1)\n"
"      --bot NAME           a bot's user name, not counted (repeatable;\n"
"                           botrix, nightbot, streamelements and others\n"
"                           are known)\n"
"  -u, --unbuffered         flush every record as it is written\n"
"  -h, --help               show this help\n"
"\n"
"kc-score adds the chat's window score to each audio and video window's\n"
"(its --chat-weight).\n"
"\n"
"Not implemented yet: Kick's chat replay and live chat (only a log\n"
"file), estimating the lag per stream, the chat in live scoring, and\n"
"kc-web or batch runs passing a chat log on (kc-clip --chat does).\n"
"\n"
"exit status: 0 ok, 1 bad records or a bad chat log (the file and line\n"
"are named), 2 usage error.\n";

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
		{ "unbuffered", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	char *end;
	int c, nb = 0;

	memset(o, 0, sizeof(*o));
	o->lag = 5;
	o->window = 5;
	while ((c = getopt_long(argc, argv, "uh", longopts, NULL)) != -1) {
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
		case 'u': kc_out_unbuffered(1); break;
		case 'h': kc_opt_help(usage_text);
		default: kc_opt_unknown(argv);
		}
	}
	if (o->chat == NULL)
		kc_usage_error("no chat: give --chat FILE (Kick's chat replay "
		    "and live chat are not implemented yet)");
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
	cf_chat_load(o.chat, &o, &chat);
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
	free(chat.m);
	kc_out_close();
	return status;
}
