/*
 * kc-videofeat - the video feature filter of the kc pipeline.  It reads
 * records on stdin, decodes the media each "segment" names with an ffmpeg
 * child (small frames at a low rate) and writes one "vfeat" record per hop
 * after the segment; every other record passes through unchanged.  This
 * file holds the command line and the record loop; run.c the decoding.
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
#include "vf.h"

static const char usage_text[] =
"usage: kc-videofeat [options] < records > records\n"
"\n"
"Read kc records on stdin and write them to stdout, adding after each\n"
"\"segment\" one \"vfeat\" record per hop of its video: motion, brightness,\n"
"colour, edge density, scene cuts and flashes (see kc-videofeat(1)).\n"
"Touching segments of one file are decoded as one continuous run.\n"
"\n"
"options:\n"
"      --fps N          analysis frames per second (default 5)\n"
"      --width N        analysis frame width in pixels (default 160); the\n"
"                       height keeps the stream's aspect ratio\n"
"      --hop SECS       hop length (default: the stream record's hop)\n"
"      --exact          decode exactly: by default the decoder skips the\n"
"                       deblocking filter and frames no other frame\n"
"                       refers to, about a third less work for features\n"
"                       that move by a few per cent\n"
"  -u, --unbuffered     flush every record as it is written\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"exit status: 0 ok (media that could not be decoded is reported as a\n"
"\"gap\" record), 1 malformed input (or records that fail the checks of\n"
"docs/records.md), newer records version or runtime failure, 2 usage\n"
"error.\n"
"environment: KC_FFMPEG (ffmpeg program to run).\n";

static void
parse_args(int argc, char **argv, struct vf_opts *o, int *unbuffered)
{
	static const struct option longopts[] = {
		{ "fps", required_argument, NULL, 'F' },
		{ "width", required_argument, NULL, 'W' },
		{ "hop", required_argument, NULL, 'H' },
		{ "exact", no_argument, NULL, 'X' },
		{ "unbuffered", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o->fps = 5;
	o->width = 160;
	o->hop = 0;
	o->exact = 0;
	*unbuffered = 0;
	while ((c = getopt_long(argc, argv, "uVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': o->fps = kc_opt_real("--fps", optarg, 0.1, 60); break;
		case 'W':
			o->width = (int)kc_opt_long("--width", optarg, 16, 1920);
			break;
		case 'H': o->hop = kc_opt_real("--hop", optarg, 0.1, 10);
			break;
		case 'X': o->exact = 1; break;
		case 'u': *unbuffered = 1; break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
	if (optind != argc)
		kc_usage_error("unexpected operand '%s' (records come on "
		    "stdin)", argv[optind]);
}

/* The record loop: consume stream/segment/end, pass the rest through. */
static void
filter(kc_reader *r)
{
	const char *type, *where;
	char why[512];
	json_t *rec;
	int rc;

	while ((rc = kc_reader_next(r, &rec)) != 0) {
		where = kc_reader_where(r);
		if (rc < 0)
			kc_out_fatal("%s: %s", where, kc_reader_error(r));
		type = kc_rec_type(rec);
		if ((strcmp(type, "segment") == 0 || strcmp(type, "stream") ==
		    0 || strcmp(type, "end") == 0) &&
		    kc_rec_check(rec, why, sizeof(why)) != 0)
			kc_out_fatal("%s: %s", where, why);
		if (strcmp(type, "segment") == 0) {
			vf_segment(rec, where, kc_reader_raw(r),
			    kc_reader_rawlen(r));
		} else {
			if (strcmp(type, "stream") == 0)
				vf_stream(rec, where);
			else if (strcmp(type, "end") == 0)
				vf_flush();	/* our work first, then "end" */
			kc_out_raw(kc_reader_raw(r), kc_reader_rawlen(r));
			if (strcmp(type, "end") == 0)
				kc_out_flush();	/* at once, as kc-audiofeat */
		}
		json_decref(rec);
	}
	vf_flush();
}

int
main(int argc, char **argv)
{
	struct vf_opts o;
	kc_reader *r;
	int unbuffered;

	kc_setprog(argv[0]);
	kc_out_init();
	parse_args(argc, argv, &o, &unbuffered);
	kc_out_unbuffered(unbuffered);
	vf_setup(&o);
	if ((r = kc_reader_new(stdin, "<stdin>")) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kc_reader_watch_output(r, 1);
	filter(r);
	kc_reader_free(r);
	kc_out_close();
	return KC_EXIT_OK;
}
