/*
 * media.c - kc-fetch for media ffmpeg can seek in: a local file (never
 * copied) or an http(s) URL of a media file.  One ffprobe run gives the
 * stream record; segments are time ranges of the file ("file" + "range").
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fetch.h"
#include "msg.h"
#include "num.h"
#include "out.h"
#include "probe.h"
#include "rec.h"

static json_t *
stream_record(const char *canon, const char *media, const kc_probe *p,
    const char *id, double start, double end)
{
	json_t *r = kc_rec_new("stream");

	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "v", json_integer(KC_RECORDS_VERSION));
	set(r, "id", json_string(id));
	set(r, "url", json_string(canon));
	set(r, "analysis", json_string(media));
	set(r, "cut", json_string(media));
	set(r, "duration", p->duration > 0 ? json_real(p->duration) :
	    json_null());
	set(r, "live", json_false());
	set(r, "title", json_string(O.title ? O.title : *p->title ?
	    p->title : base_name(canon)));
	set(r, "channel", O.channel ? json_string(O.channel) :
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
	set(r, "hop", json_real(O.hop));
	return r;
}

static void
emit_segments(const char *media, double start, double end, double seglen,
    long skip)
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
		set(r, "file", json_string(media));
		set(r, "range", json_pack("[f,f]", t0, t1));
		kc_out_new(r);
	}
}

void
media_run(const char *canon, const char *media, int local)
{
	kc_probe p;
	char why[1200], id[17], hms[32];
	double start, end;
	int rc = 0;

	if (kc_probe_media(media, &p, why, sizeof(why)) != 0)
		kc_die(KC_EXIT_DATA, "%s: %s", O.arg, why);
	if (p.duration <= 0)
		kc_die(KC_EXIT_DATA, "%s: media duration unknown (a still "
		    "image, or a live stream that is not HLS)", O.arg);
	if (local && (rc = kc_probe_tail(media, &p, why, sizeof(why))) < 0)
		kc_die(KC_EXIT_DATA, "%s: %s", O.arg, why);
	/* a crashed recording (an MKV is made to survive one): what it
	 * has is analysed, the rest becomes the feature stages' gap */
	if (rc > 0)
		kc_warn("%s: %s; analysing what it holds", O.arg, why);

	start = floor(O.start / O.hop) * O.hop;
	end = O.end >= 0 && O.end < p.duration ? O.end : p.duration;
	if (start >= end)
		kc_usage_error("--start %s is at or past the end of the media "
		    "(%.1f s)", kc_fmt_hms(O.start, hms, sizeof(hms)),
		    p.duration);
	stream_id(canon, id);
	kc_out_new(own_stream(stream_record(canon, media, &p, id, start,
	    end)));
	resume_check(id);
	emit_segments(media, start, end, O.segment, O.resume_after);
	emit_end(id);
}
