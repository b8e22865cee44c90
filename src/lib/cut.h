/*
 * cut.h - cutting one clip out of a media source with ffmpeg.
 *
 * Three steps, each one child program: find where a stream-copy cut may
 * start (the last video keyframe at or before the wanted start, from
 * ffprobe's packet list), cut (ffmpeg, stream copy or re-encode), and check
 * the finished file (ffprobe).  This module builds the command lines and
 * interprets what the children wrote; the caller runs them, so it can run
 * several at once and kill them when it has to.  It also names the clip
 * and puts the checked file in place.  Library code: returns codes and a
 * one-line reason, never prints.
 *
 * All times are stream time: seconds from the container's start_time, the
 * time base ffmpeg's -ss uses and kc records use.
 */
#ifndef KC_CUT_H
#define KC_CUT_H

#include <stddef.h>

enum kc_cut_mode {
	KC_CUT_COPY,		/* stream copy from a keyframe */
	KC_CUT_ACCURATE,	/* re-encode, frame-exact bounds */
	KC_CUT_COPY_AAC,	/* video copied, audio to AAC: for sources
				   whose audio MP4 cannot hold (PCM, ...) or
				   browsers do not all play */
	KC_CUT_ENCODE		/* re-encode to H.264/AAC from the keyframe a
				   copy would start at: a copy's bounds, in
				   codecs every browser plays */
};

/* When clips are re-encoded to H.264/AAC (kc-cut --reencode). */
enum kc_cut_reencode {
	KC_CUT_RE_AUTO,		/* when the source's codecs are not those */
	KC_CUT_RE_ALWAYS,	/* every clip */
	KC_CUT_RE_NEVER		/* never: the source's codecs, copied */
};

/*
 * The mode a cut that is not --accurate takes for a source whose first
 * video stream is vcodec with pixel format vpixfmt and whose first audio
 * stream is acodec (ffprobe's codec_name and pix_fmt; "" for a stream the
 * source does not have, or one ffprobe could not name): KC_CUT_ENCODE
 * when the picture is not 8-bit 4:2:0 H.264 (what every browser decodes:
 * HEVC, VP9, AV1, 10-bit H.264 are not), else KC_CUT_COPY_AAC when the
 * sound is not AAC, else KC_CUT_COPY.
 */
enum kc_cut_mode kc_cut_codec_mode(const char *vcodec, const char *vpixfmt,
    const char *acodec);

/* Maximum arguments in a command line built here, with its NULL. */
#define KC_CUT_MAXARG 48

/*
 * One child's command line.  argv points into the caller's strings (source,
 * paths) and into num[], so the struct must outlive the spawn.
 */
typedef struct kc_cut_cmd {
	const char *argv[KC_CUT_MAXARG];
	char num[4][64];	/* formatted numbers argv points at */
} kc_cut_cmd;

/* How the keyframe lookup reads packets (see kc_cut_keyframe_cmd). */
enum kc_cut_kf_how {
	KC_CUT_KF_NEAR,		/* ~35 s up to t0, from a seek; usual case */
	KC_CUT_KF_EXACT,	/* 30 s up to exactly t0 (needs start_time) */
	KC_CUT_KF_ALL		/* from the media start up to t0 */
};

/*
 * ffprobe listing the first video stream's packets (pts, flags) before t0,
 * with the stream's time base and the container's start_time.  ffprobe's
 * read intervals are absolute (start_time included) or relative to the
 * first packet read after a seek, so without knowing start_time the NEAR
 * listing reads a few seconds more than needed and may still stop short of
 * t0 after a seek far back; EXACT then reads the window again with the
 * start_time the first listing reported; ALL reads from the beginning, for
 * demuxers whose seeks land wide of the mark.
 */
void kc_cut_keyframe_cmd(kc_cut_cmd *c, const char *src, double t0,
    enum kc_cut_kf_how how, double start_time);

/* What a keyframe listing says. */
typedef struct kc_cut_kf {
	double k;		/* chosen keyframe, stream time */
	double start_time;	/* container start_time, seconds (0 if none) */
	int reached;		/* the listing went past t0 */
} kc_cut_kf;

/*
 * Parses that listing.  Returns 0 with r->k = the stream time of the last
 * keyframe at or before t0 (exact to the microsecond, so "-ss k" seeks to
 * that very packet); 1 when the media has no video stream (any start will
 * do); -1 when no keyframe at or before t0 was listed or the text is not
 * ffprobe's JSON, with a reason in why.  from_start: the listing began at
 * the media start, so a video that begins after t0 (audio first) may start
 * at its first keyframe if that is within a second of t0.
 */
int kc_cut_keyframe_parse(const char *json, double t0, int from_start,
    kc_cut_kf *r, char *why, size_t whylen);

/*
 * ffmpeg writing the clip [start + pre, start + pre + dur) of src to tmp
 * as MP4 (pre > 0: the input is opened at start, a keyframe, and decoded
 * and dropped for pre seconds: accurate cuts of sources whose input seek
 * lands between keyframes, such as MPEG-TS, which began with a frozen
 * picture up to a GOP long; 0: opened at start itself): the
 * first audio stream and, if video, the first video stream.  Copy mode
 * expects start to be a keyframe from kc_cut_keyframe_parse; it drops
 * audio from before the keyframe so both streams begin together.
 * Accurate and encode modes re-encode (libx264 veryfast CRF 20, yuv420p,
 * AAC 160k); copy-AAC copies the picture and encodes the sound.  Every
 * mode writes the index first (-movflags +faststart), so a browser can
 * start playing before the whole file has arrived.
 */
void kc_cut_ffmpeg_cmd(kc_cut_cmd *c, const char *src, enum kc_cut_mode mode,
    int video, double start, double pre, double dur, const char *tmp);

/* ffprobe listing the streams of a finished clip (or any media file). */
void kc_cut_verify_cmd(kc_cut_cmd *c, const char *path);

/* What a clip is checked against. */
typedef struct kc_cut_expect {
	int video, audio;	/* the source has them, so must the clip */
	double dur;		/* wanted duration, seconds */
	double tol;		/* allowed difference, seconds */
	double vlate;		/* latest start of the video, seconds */
} kc_cut_expect;

/* What the check found. */
typedef struct kc_cut_found {
	double dur;		/* first stream start to last stream end */
	double vstart, astart;	/* stream start_time, < 0 if no such stream */
	int width, height;	/* the first video stream's, 0 if unknown */
} kc_cut_found;

/*
 * Parses the verify listing and checks it against *e.  Returns 0 when the
 * clip has the expected streams, its video starts by e->vlate (a later
 * start means the cut lost its first keyframe and opens on a still or
 * empty picture) and its duration is within e->tol of e->dur; -1 with a
 * reason otherwise.  *f is filled as far as known.
 */
int kc_cut_verify_parse(const char *json, const kc_cut_expect *e,
    kc_cut_found *f, char *why, size_t whylen);

/* Longest stem kc_cut_stem makes, with its NUL. */
#define KC_CUT_STEM_MAX 48

/*
 * What names a stream's clips, so that clips of different streams cut
 * into one folder never share a name: "my-stream-title-89fa840a".  The
 * title as a slug (ASCII letters lowered and digits, Latin letters with
 * marks as their ASCII letters, "Día" "dia", "Straße" "strasse"; every
 * other run of characters, other non-ASCII ones too, one '-'; at most 32
 * characters, no '-' at either end; "clip" when nothing is left), then
 * '-' and the first 8
 * letters and digits of the stream's id.  title and id may be NULL; a
 * stream without an id gets the slug alone.  Always fits in
 * KC_CUT_STEM_MAX.  Returns 0, or -1 if buf is too small.
 */
int kc_cut_stem(char *buf, size_t n, const char *title, const char *id);

/*
 * The clip's file name: the stream's stem (kc_cut_stem) and then the seed
 * tool's style, "mytitle-89fa840a_001_12m30s_085_audio.mp4": sequence
 * number, wanted start as minutes and seconds, score x 100, kind.
 * Characters of stem and kind other than letters, digits, '-' and '_'
 * become '_' (they come from input and must not make a path).  Returns
 * 0, or -1 if buf is too small.
 */
int kc_cut_name(char *buf, size_t n, const char *stem, long seq, double t0,
    double score, const char *kind);

/* How many names kc_cut_place tries: NAME.mp4, NAME-2.mp4 ... */
#define KC_CUT_PLACE_TRIES 100

/*
 * Moves the finished clip tmp into dir as name, never replacing a file.
 * When name is taken by a file with the same bytes, that is the same
 * clip cut again (a rerun, or a resumed run, of the same stream with the
 * same settings: ffmpeg's output is deterministic), so it is kept and
 * tmp removed; when it is taken by another file, NAME-2.mp4, NAME-3.mp4
 * ... are tried the same way (the suffix goes before name's last '.').
 * Returns 0 with the clip's path in path (n bytes) and *kept (kept may be
 * NULL) 1 when an existing file was kept, 0 when tmp was renamed; -1
 * with errno (EEXIST when every name was taken, ENAMETOOLONG when a path
 * does not fit), tmp then left where it was.
 */
int kc_cut_place(const char *tmp, const char *dir, const char *name,
    char *path, size_t n, int *kept);

/*
 * ffmpeg's last words, on one line: the last three distinct non-empty
 * lines of its stderr text (which is changed), "[mp4 @ 0x..]" prefixes
 * dropped, joined with "; " into buf.  ffmpeg states the cause first and
 * its consequences after ("Could not find tag for codec ...; Could not
 * write header ...; Error initializing output stream"), so the last line
 * alone rarely says what went wrong.  Returns buf ("" if nothing).
 */
char *kc_cut_errmsg(char *text, char *buf, size_t n);

#endif
