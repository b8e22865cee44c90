/*
 * hls.h - HLS playlists (RFC 8216): parsing master and media playlists,
 * choosing the renditions kc fetches, following a live playlist, and
 * writing media playlists that ffmpeg reads.
 *
 * Text in, structs out: no I/O and no network here.  kc-fetch downloads a
 * playlist (http.h) and hands its bytes and its URL to kc_hls_parse, which
 * returns the variants of a master playlist or the segments of a media
 * playlist with every URI resolved against that URL.  Library code: it
 * returns codes with a line number and a one-line reason, never prints.
 *
 * What the parser accepts -- lenient where real servers are sloppy, strict
 * where a mistake would fetch or splice the wrong bytes:
 *   - an optional UTF-8 byte order mark; LF, CRLF or lone CR line ends;
 *     blank lines anywhere; spaces and tabs around a line (trimmed), and
 *     around attribute names, '=' and ',' outside quoted strings;
 *   - the first non-blank line must be exactly "#EXTM3U";
 *   - lines starting "#EXT" are tags, other lines starting '#' comments;
 *     tags kc does not read are ignored (EXT-X-PART, EXT-X-DATERANGE,
 *     EXT-X-SESSION-DATA, EXT-X-TWITCH-*, ...), unread attributes too;
 *   - a playlist with EXT-X-STREAM-INF, EXT-X-I-FRAME-STREAM-INF or
 *     EXT-X-MEDIA is a master playlist, and must not also carry the tags
 *     of a media playlist; any other is a media playlist, possibly with no
 *     segment (a live playlist between two segments);
 *   - numbers: decimal-integer is 0 .. 2^63-1 (digits only); a
 *     decimal-floating-point is digits with at most one '.' (no sign, no
 *     exponent); attribute values may be quoted or not, whatever the RFC
 *     says for that attribute;
 *   - lenient extras, each said where it applies: EXTINF without its comma,
 *     a fractional TARGETDURATION, a PROGRAM-DATE-TIME without time zone,
 *     a missing TARGETDURATION.
 * Errors (kc_hls_parse returns -1 with the line number and a reason):
 *   EINVAL  no #EXTM3U; a NUL byte; a tag kc reads whose value or one of
 *           whose read attributes is malformed or out of range (each field
 *           below says what it takes); a required attribute missing
 *           (BANDWIDTH; TYPE, GROUP-ID, NAME of EXT-X-MEDIA; METHOD, and
 *           URI unless METHOD=NONE, of EXT-X-KEY; URI of EXT-X-MAP); an
 *           EXTINF or EXT-X-STREAM-INF whose URI line never comes, or a URI
 *           line with no such tag before it; master and media tags mixed;
 *           EXT-X-MEDIA-SEQUENCE or EXT-X-DISCONTINUITY-SEQUENCE after the
 *           first segment; a BYTERANGE without offset that does not follow
 *           a sub-range of the same URI; a media sequence number of
 *           2^63-1 or more (the next one must still fit) or a
 *           discontinuity sequence number past it; a base (the playlist's
 *           URL) with control characters or surrounding whitespace;
 *   EPERM   a playlist whose base is an http:// or https:// URL (any
 *           case) references a URI of another scheme once resolved
 *           (file:, data:, ftp:, skd: ...): a segment, EXT-X-KEY,
 *           EXT-X-MAP, EXT-X-MEDIA or variant URI; the reason quotes it
 *           as written.  Such a playlist could make its reader take local
 *           files for the server's;
 *   E2BIG   a limit below exceeded (line length, count, memory);
 *   ENOMEM  out of memory (line 0).
 *
 * Numbers are read with strtod and written with printf in the "C" locale's
 * format; kc programs never call setlocale.
 *
 * Playing a written playlist with ffmpeg/ffprobe (5.1, Debian 12): a local
 * playlist whose segments are local files ending ".ts" (absolute paths,
 * paths relative to the playlist, or file: URLs) plays with no options.
 * Segment files with other extensions need "-allowed_extensions ALL
 * -extension_picky 0" (the Debian build also refuses a file whose
 * extension does not match its content, e.g. MPEG-TS named .mp4, unless
 * extension_picky is off); http(s) segments inside a local playlist need
 * "-protocol_whitelist file,http,https,tcp,tls,crypto".  These are input
 * options and go before -i.
 */
#ifndef KC_HLS_H
#define KC_HLS_H

#include <stddef.h>
#include <stdint.h>

/* Limits against hostile or broken playlists (errno E2BIG past them). */
#define KC_HLS_MAX_LINE		65536	/* bytes in one line, and in the base */
#define KC_HLS_MAX_SEGMENTS	200000	/* 55 h of 1 s segments */
#define KC_HLS_MAX_VARIANTS	1024	/* EXT-X-STREAM-INF entries */
#define KC_HLS_MAX_RENDITIONS	1024	/* EXT-X-MEDIA entries */
#define KC_HLS_MAX_ATTRS	64	/* attributes in one tag */
#define KC_HLS_MAX_MEM		(256UL << 20)	/* bytes of one parse result */
#define KC_HLS_MAX_SEGDUR	1e6	/* seconds in one EXTINF (EINVAL) */

/* Default of kc_hls_pick_analysis's min_height: Kick's lowest is 160p. */
#define KC_HLS_MIN_HEIGHT	144

/*
 * Kind of playlist.  A zeroed kc_hls is an empty media playlist, so one
 * built by hand for kc_hls_write needs only its fields filled in.
 */
enum kc_hls_kind { KC_HLS_MEDIA = 0, KC_HLS_MASTER = 1 };

/* EXT-X-PLAYLIST-TYPE. */
enum kc_hls_type { KC_HLS_TYPE_NONE = 0, KC_HLS_TYPE_VOD, KC_HLS_TYPE_EVENT };

/* TYPE of an EXT-X-MEDIA rendition. */
enum kc_hls_mtype {
	KC_HLS_AUDIO, KC_HLS_VIDEO, KC_HLS_SUBTITLES, KC_HLS_CLOSED_CAPTIONS,
	KC_HLS_OTHER		/* any other TYPE value */
};

/* METHOD of an EXT-X-KEY, as far as kc cares: it decrypts nothing. */
enum kc_hls_keymethod {
	KC_HLS_KEY_AES128 = 1,	/* "AES-128": whole segments, AES-CBC */
	KC_HLS_KEY_SAMPLE_AES,	/* "SAMPLE-AES", "SAMPLE-AES-CTR", ... */
	KC_HLS_KEY_OTHER	/* any other METHOD but NONE */
};

/* An EXT-X-MEDIA rendition (master playlists). */
typedef struct kc_hls_rendition {
	int type;		/* enum kc_hls_mtype */
	const char *group;	/* GROUP-ID (required) */
	const char *name;	/* NAME (required) */
	const char *language;	/* LANGUAGE, NULL when absent */
	const char *uri;	/* URI resolved against the playlist's URL; NULL
				   when absent: the rendition is carried in the
				   variant's own stream (IVS and Twitch mark
				   their muxed renditions this way) */
	int is_default;		/* DEFAULT=YES */
	int autoselect;		/* AUTOSELECT=YES */
} kc_hls_rendition;

/* An EXT-X-STREAM-INF variant stream (master playlists). */
typedef struct kc_hls_variant {
	const char *uri;	/* its media playlist, resolved */
	long long bandwidth;	/* BANDWIDTH, peak bits/s (required) */
	long long avg_bandwidth; /* AVERAGE-BANDWIDTH, bits/s; 0 when absent */
	int width, height;	/* RESOLUTION WxH in pixels; 0 when absent */
	double frame_rate;	/* FRAME-RATE, frames/s; 0 when absent */
	const char *codecs;	/* CODECS ("avc1.64002A,mp4a.40.2"); NULL when
				   absent */
	const char *name;	/* a label: the variant's own NAME attribute
				   (not in the RFC, some servers write it),
				   else the NAME of the TYPE=VIDEO rendition of
				   its VIDEO group (IVS/Kick and Twitch:
				   "1080p60", "audio_only"), else NULL */
	const char *video;	/* VIDEO group id, NULL when absent */
	const char *audio;	/* AUDIO group id, NULL when absent */
	int has_video;		/* 1 when it has RESOLUTION or CODECS names a
				   video codec (avc1/avc3, hvc1/hev1, dvh1/dvhe,
				   vp08/vp09, av01, mp4v); 0 for audio-only
				   variants, and when the master does not say */
} kc_hls_variant;

/* An EXT-X-KEY in force (media playlists); shared by its segments. */
typedef struct kc_hls_key {
	int method;		/* enum kc_hls_keymethod */
	const char *method_name; /* METHOD as written, "AES-128" */
	const char *uri;	/* key URI, resolved (required) */
	const char *iv;		/* IV as written ("0x" and 1-32 hex digits);
				   NULL when absent */
	const char *keyformat;	/* KEYFORMAT; NULL when absent ("identity") */
} kc_hls_key;

/* An EXT-X-MAP media initialisation section; shared by its segments. */
typedef struct kc_hls_map {
	const char *uri;	/* resolved (required) */
	long long length;	/* BYTERANGE "n[@o]" length, bytes; 0: the
				   whole resource */
	long long offset;	/* its offset, bytes (0 when not given) */
} kc_hls_map;

/*
 * A media segment.  Fields marked (derived) are computed by the parser and
 * ignored by kc_hls_write; a zeroed segment with duration and uri set is a
 * plain segment for the writer.
 */
typedef struct kc_hls_segment {
	long long seq;		/* (derived) media sequence number:
				   EXT-X-MEDIA-SEQUENCE + index */
	double duration;	/* EXTINF, seconds, 0 .. KC_HLS_MAX_SEGDUR */
	double start;		/* (derived) sum of the EXTINF durations before
				   it in this playlist, seconds */
	const char *title;	/* EXTINF title after the comma, leading spaces
				   kept, trailing ones trimmed; "" when none
				   (the writer takes NULL as "") */
	const char *uri;	/* resolved against the playlist's URL */
	int discontinuity;	/* EXT-X-DISCONTINUITY before it */
	int gap;		/* EXT-X-GAP: the server says it is missing */
	long long dseq;		/* (derived) discontinuity sequence number:
				   EXT-X-DISCONTINUITY-SEQUENCE + the
				   discontinuities up to and including it */
	double pdt;		/* EXT-X-PROGRAM-DATE-TIME of its first sample,
				   Unix time in seconds (UTC); without a tag of
				   its own, the previous segment's pdt plus that
				   one's duration, except after a discontinuity;
				   NAN when unknown.  The writer reads it only
				   when pdt_tag is set */
	int pdt_tag;		/* pdt came from a tag of this segment (the
				   writer writes the tag when set).  Accepted:
				   YYYY-MM-DDThh:mm:ss[.frac] then Z, +hh:mm,
				   +hhmm, +hh (or -); no zone is taken as UTC */
	long long br_length;	/* EXT-X-BYTERANGE length, bytes; 0: the whole
				   resource (a zero-length range is EINVAL) */
	long long br_offset;	/* its offset, bytes; without "@o" the byte
				   after the previous segment's sub-range, which
				   must be of the same URI */
	const kc_hls_key *key;	/* EXT-X-KEY in force; NULL when none or
				   METHOD=NONE: not encrypted */
	const kc_hls_map *map;	/* EXT-X-MAP in force; NULL when none */
} kc_hls_segment;

/* A parsed playlist, or a media playlist made by hand for kc_hls_write. */
typedef struct kc_hls {
	int kind;		/* enum kc_hls_kind */
	int version;		/* EXT-X-VERSION; 1 when absent */

	/* Master playlists; empty in media playlists. */
	kc_hls_variant *var;	/* variant streams in playlist order */
	size_t nvar;		/* 1 .. KC_HLS_MAX_VARIANTS */
	kc_hls_rendition *media; /* EXT-X-MEDIA renditions in playlist order */
	size_t nmedia;		/* 0 .. KC_HLS_MAX_RENDITIONS */

	/* Media playlists; zero in master playlists. */
	long target;		/* EXT-X-TARGETDURATION, seconds (a fraction is
				   rounded up); when missing, the longest
				   EXTINF rounded up (0 without segments) */
	long long seq0;		/* EXT-X-MEDIA-SEQUENCE: seq of seg[0] (0) */
	long long dseq0;	/* EXT-X-DISCONTINUITY-SEQUENCE (0) */
	int type;		/* enum kc_hls_type; EXT-X-PLAYLIST-TYPE VOD or
				   EVENT, other values are EINVAL */
	int endlist;		/* EXT-X-ENDLIST: no segment will be added */
	int iframes;		/* EXT-X-I-FRAMES-ONLY: segments are single
				   I-frames, not media kc can analyse */
	kc_hls_segment *seg;	/* segments in playlist order */
	size_t nseg;		/* 0 .. KC_HLS_MAX_SEGMENTS */
	double duration;	/* (derived) sum of the EXTINF durations */

	struct kc_hls_mem *mem_; /* private: the parser's memory; NULL in a
				    playlist made by hand */
} kc_hls;

/*
 * Parses the playlist text[0..len) (not NUL-terminated; may hold any
 * bytes).  base is the URL it was fetched from (http://, https://,
 * file://...) or the path of a local file; relative URIs are resolved
 * against it with kc_hls_resolve; NULL or "" leaves them as written.  With
 * an http(s) base every URI must resolve to http(s) (else EPERM).
 * Returns 0 and a new playlist in *out, to be released with kc_hls_free;
 * or -1 with errno (see the top of this file), *line set to the 1-based
 * line at fault (0 when none) and a reason in why ("EXTINF without a
 * segment URI").  line and why may be NULL.
 */
int kc_hls_parse(const char *text, size_t len, const char *base,
    kc_hls **out, long *line, char *why, size_t whylen);

/* Releases a playlist from kc_hls_parse; NULL is ignored. */
void kc_hls_free(kc_hls *pl);

/*
 * Resolves reference ref against base, the way the parser resolves URIs:
 *   - a ref with a scheme ("https:", "file:") stays as it is, less any
 *     "." and ".." path segments;
 *   - a base with a scheme: RFC 3986 section 5.2 ("//host/x" keeps the
 *     base's scheme, "/x" its scheme and host, "x/y.ts" and "../x" go
 *     against the base's directory, "?q" its path); the ref's query
 *     string and fragment are kept, the base's are not; dot segments are
 *     removed;
 *   - a base without a scheme is a local path: an absolute ref path stays
 *     as it is, a relative one is appended to the base's directory (up to
 *     its last '/'), with no '.'/'..' folding (the file system resolves
 *     those, symlinks included) and '?' taken literally;
 *   - base NULL or "": ref as it is.
 * Returns a malloc'd string, or NULL with errno ENOMEM, E2BIG when base or
 * ref is longer than KC_HLS_MAX_LINE, EINVAL when ref is NULL.
 */
char *kc_hls_resolve(const char *base, const char *ref);

/*
 * Looks up attribute name in an RFC 8216 attribute list (what follows the
 * ':' of a tag), checking the grammar of the whole list: NAME=VALUE
 * separated by ',', NAME of letters, digits, '-' and '_', VALUE either a
 * quoted string (which may hold ',' and '=') or a run of characters up to
 * the next ',' (enumerated strings, hex 0x..., decimals, WxH resolutions)
 * that is not empty and holds no '"'; more than KC_HLS_MAX_ATTRS
 * attributes count as malformed.  Returns 1 with the first occurrence's
 * value in *val and *len (pointing into list, quotes excluded) and *quoted
 * set; 0 when name is absent; -1 when the list is malformed.  quoted may
 * be NULL.
 */
int kc_hls_attr(const char *list, const char *name, const char **val,
    size_t *len, int *quoted);

/*
 * The variant to analyse: the lowest variant that has video and is at
 * least min_height tall (smallest height, then smallest BANDWIDTH; pass
 * KC_HLS_MIN_HEIGHT by default).  When no variant with video is that
 * tall, the tallest variant with video (variants with video but without
 * RESOLUTION count as height 0; among equals the smallest BANDWIDTH).
 * When none has video, the lowest BANDWIDTH.  Ties go to the first in the
 * playlist.  Returns NULL when m is not a master playlist.
 */
const kc_hls_variant *kc_hls_pick_analysis(const kc_hls *m, int min_height);

/*
 * The variant to cut from: the highest variant with video (tallest, then
 * largest BANDWIDTH) that is at most max_height tall (max_height <= 0: no
 * limit).  When every variant with video is taller, the shortest of them
 * (the caller may compare its height and refuse).  When none has video,
 * the largest BANDWIDTH.  Ties go to the first in the playlist.  Returns
 * NULL when m is not a master playlist.
 */
const kc_hls_variant *kc_hls_pick_cut(const kc_hls *m, int max_height);

/*
 * Where the audio of variant v comes from when it is not muxed into v's
 * own segments: the rendition of v's AUDIO group that has a URI (the
 * DEFAULT=YES one first, else the first listed).  Returns NULL when the
 * audio is muxed (no AUDIO group, or no rendition of it has a URI, as
 * with IVS).
 */
const kc_hls_rendition *kc_hls_audio(const kc_hls *m,
    const kc_hls_variant *v);

/*
 * The segment covering playlist time t: the i with seg[i].start <= t <
 * seg[i].start + seg[i].duration (zero-length segments cover nothing).
 * Binary search over the (derived) start fields, so pl comes from
 * kc_hls_parse.  Returns i, or -1 when t is NaN or outside [0, duration)
 * or pl is not a media playlist.
 */
long kc_hls_find(const kc_hls *pl, double t);

/*
 * Following a live media playlist.  The caller keeps a kc_hls_live between
 * reloads and, after each reload, asks kc_hls_live_next what is new:
 *
 *	kc_hls_live st;
 *	kc_hls_live_init(&st);
 *	for (;;) {
 *		fetch and kc_hls_parse the media playlist into pl;
 *		kc_hls_live_next(&st, pl, &nw);
 *		if (nw.missed) report a gap of nw.missed segments;
 *		if (nw.reset) treat the next segment as a discontinuity;
 *		for (i = nw.first; i < nw.first + nw.n; i++)
 *			fetch pl->seg[i];
 *		if (pl->endlist) break;
 *		sleep kc_hls_reload_delay(pl, nw.n > 0);
 *		kc_hls_free(pl);
 *	}
 *
 * The first playlist's segments are all new; a follower that wants to
 * begin at the live edge skips all but the last few of them.  Segments
 * are recognised by media sequence number, and the last one seen is
 * remembered by its PROGRAM-DATE-TIME and by its URI without query string
 * (tokens in queries may change between reloads), to tell a restarted
 * sequence from a continuing one.  No allocation: the struct is all the
 * state, and needs no freeing.
 */
typedef struct kc_hls_live {
	long long next;		/* sequence number expected next; -1 before
				   the first playlist with segments */
	uint64_t id_;		/* private: hash of the last seen segment's
				   URI up to '?' or '#' */
	double pdt_;		/* private: its pdt, NAN when unknown */
	size_t window_;		/* private: segments in the last playlist */
} kc_hls_live;

/* What a reload brought. */
typedef struct kc_hls_news {
	size_t first;		/* the new segments are pl->seg[first ..  */
	size_t n;		/* ... first + n); 0: nothing new */
	long long missed;	/* segments that entered and left the window
				   between two reloads, never seen (the reload
				   came too late): the first new one's seq
				   minus the one expected; 0 normally, and
				   after a reset */
	int reset;		/* the sequence restarted: the segment last
				   seen now has another seq or content (a
				   different pdt, or URI when there is no pdt),
				   or the sequence went backwards to newer
				   content; every segment of pl is new */
	int stale;		/* pl is an older copy than one seen before (a
				   CDN cache lagging): it ends before the last
				   segment seen, with an older pdt or, without
				   pdts, within one window of it; nothing new,
				   state unchanged */
} kc_hls_news;

/* Starts a follower: nothing seen yet. */
void kc_hls_live_init(kc_hls_live *st);

/*
 * Compares pl with what the follower has seen, fills *nw and remembers
 * pl's last segment (not when stale; a playlist without segments changes
 * nothing).  Returns 0, or -1 with errno EINVAL when pl is not a media
 * playlist.
 */
int kc_hls_live_next(kc_hls_live *st, const kc_hls *pl, kc_hls_news *nw);

/*
 * The same, statelessly: what cur brings after prev (prev NULL: nothing
 * seen before).  Returns 0, or -1 with errno EINVAL.
 */
int kc_hls_news_since(const kc_hls *prev, const kc_hls *cur,
    kc_hls_news *nw);

/*
 * Seconds to wait before reloading a live playlist (RFC 8216 6.3.4): the
 * target duration after a reload that brought something new (changed
 * non-zero), half of it after one that did not; at least 0.5 s, and 1 s
 * in place of a missing or zero target.
 */
double kc_hls_reload_delay(const kc_hls *pl, int changed);

/*
 * Writes media playlist pl as text: a malloc'd NUL-terminated string in
 * *text of *len bytes, LF line ends:
 *
 *	#EXTM3U
 *	#EXT-X-VERSION:v		max(pl->version, what the tags need; >= 3)
 *	#EXT-X-TARGETDURATION:t		pl->target, raised if needed to the
 *					longest EXTINF rounded to nearest
 *	#EXT-X-MEDIA-SEQUENCE:pl->seq0
 *	#EXT-X-DISCONTINUITY-SEQUENCE:pl->dseq0		when not 0
 *	#EXT-X-PLAYLIST-TYPE:VOD|EVENT			when pl->type is set
 *	#EXT-X-I-FRAMES-ONLY				when pl->iframes
 *   then per segment, each line only when it applies:
 *	#EXT-X-DISCONTINUITY
 *	#EXT-X-KEY:METHOD=..,URI="..",IV=..,KEYFORMAT=".."  when the key
 *					changes (METHOD=NONE when it ends)
 *	#EXT-X-MAP:URI="..",BYTERANGE="n@o"		when the map changes
 *	#EXT-X-PROGRAM-DATE-TIME:2026-01-31T12:00:00.250Z  when pdt_tag, in
 *					UTC, with milliseconds or as many
 *					digits as reading it back exactly needs
 *	#EXT-X-GAP
 *	#EXT-X-BYTERANGE:n@o		always with its offset
 *	#EXTINF:2.002,title		3 decimals, or the fewest beyond that
 *					which read back to the same double
 *	URI				as given (resolved URIs are absolute;
 *					relative ones stay relative to where the
 *					text is stored)
 *   and #EXT-X-ENDLIST when pl->endlist.
 *
 * kc_hls_parse of the text (with a base under which seg[].uri resolve to
 * themselves: absolute URIs, or the same base they were resolved with)
 * gives back every field of pl and its segments; a second write gives the
 * same text.  Titles lose trailing whitespace.  Returns 0, or -1 with
 * errno EINVAL and a reason in why when pl cannot be written (a master
 * playlist; a URI that is empty, holds a line break, starts with '#' or
 * space; a title with a line break; a negative or non-finite number; a
 * pdt outside years 0000-9999; a key or map URI with '"'; a malformed
 * METHOD or IV; a segment without map after one with), or ENOMEM.
 */
int kc_hls_write(const kc_hls *pl, char **text, size_t *len, char *why,
    size_t whylen);

/*
 * An ISO 8601 date and time ("YYYY-MM-DDThh:mm:ss", a fraction, "Z" or
 * an offset), as EXT-X-PROGRAM-DATE-TIME and chat logs write it, to Unix
 * seconds in *out.  NULL, or a reason.
 */
const char *hls_pdt_parse(const char *s, double *out);

/*
 * pdt (Unix seconds) as "YYYY-MM-DDThh:mm:ss.fffZ" with the fewest
 * fraction digits (3 at least) that hls_pdt_parse reads back to the
 * same double, into buf (n bytes); 0, or -1 when outside years
 * 0000-9999.
 */
int hls_pdt_format(double pdt, char *buf, size_t n);

#endif
