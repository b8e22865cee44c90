/*
 * kc-audiofeat - the audio stage of the kc pipeline: reads kc records,
 * passes them all through, and for each "segment" decodes its audio with
 * an ffmpeg child and adds one "afeat" record per hop (loudness, spectral
 * shape, onsets, tempo, MFCCs; see docs/records.md).  The option handling
 * is here; the record loop and the decoding are in run.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "num.h"
#include "opt.h"
#include "out.h"
#include "rec.h"
#include "run.h"
#include "spawn.h"

static const char usage_text[] =
"usage: kc-audiofeat [options] [FILE...]\n"
"\n"
"Read kc records (from FILEs in order, or stdin; \"-\" is stdin), pass\n"
"them through, and after each \"segment\" record write one \"afeat\"\n"
"record per hop of its audio: loudness, EBU R128 loudness, spectral\n"
"shape, onsets, tempo and MFCCs.  Media that cannot be decoded becomes\n"
"a \"gap\" record.\n"
"\n"
"options:\n"
"      --hop SECS           hop length, 0.05-60 (default: the stream\n"
"                           record's, else 1)\n"
"      --tempo-window SECS  onset history the tempo is taken from\n"
"                           (2-120, default 8)\n"
"  -u, --unbuffered         flush every record as it is written\n"
"  -h, --help               show this help\n"
"  -V, --version            show the version\n"
"\n"
"exit status: 0 ok (also when some media could not be decoded: see the\n"
"\"gap\" records), 1 bad records (those that fail the checks of\n"
"docs/records.md, or a newer records version), an unreadable FILE or no\n"
"ffmpeg to run, 2 usage error.\n"
"environment: KC_FFMPEG (ffmpeg program to run, default \"ffmpeg\").\n";

static void
parse_args(int argc, char **argv, struct af_opts *o)
{
	static const struct option longopts[] = {
		{ "hop", required_argument, NULL, 'H' },
		{ "tempo-window", required_argument, NULL, 'W' },
		{ "unbuffered", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o->hop = 0;
	o->tempo_window = 8;
	o->ffmpeg = kc_tool("KC_FFMPEG", "ffmpeg");
	while ((c = getopt_long(argc, argv, "uVh", longopts, NULL)) != -1) {
		switch (c) {
		/* a hop must hold a frame (1024 samples at 22050 Hz), and
		 * the records' bounds (KC_REC_HOP_MIN..MAX) */
		case 'H': o->hop = kc_opt_real("--hop", optarg,
		    KC_REC_HOP_MIN, KC_REC_HOP_MAX);
			break;
		case 'W': o->tempo_window = kc_opt_real("--tempo-window", optarg, 2,
			    120);
			break;
		case 'u': kc_out_unbuffered(1); break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
}

/* Like cat: a FILE that cannot be opened is reported and skipped. */
static int
read_operand(const char *arg)
{
	FILE *fp;

	if (strcmp(arg, "-") == 0) {
		af_records(stdin, "<stdin>");
		return 0;
	}
	if ((fp = fopen(arg, "re")) == NULL) {
		kc_warn("%s:", arg);
		return -1;
	}
	af_records(fp, arg);
	fclose(fp);
	return 0;
}

int
main(int argc, char **argv)
{
	struct af_opts o;
	int i, status = KC_EXIT_OK;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv, &o);
	af_init(&o);
	if (optind == argc)
		af_records(stdin, "<stdin>");
	for (i = optind; i < argc; i++)
		if (read_operand(argv[i]) != 0)
			status = KC_EXIT_DATA;
	af_done();
	kc_out_close();
	return status;
}
