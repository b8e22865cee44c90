/*
 * fetch.h - kc-fetch's internals: its options, the seekable-media path
 * (media.c), network sources (net.c: yt-dlp, Kick's API, HLS detection),
 * HLS fetching for VODs and live streams (hlsrun.c) and the bounded
 * segment spool (spool.c).
 */
#ifndef KC_FETCH_H
#define KC_FETCH_H

#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <jansson.h>

#include "hls.h"
#include "http.h"

struct opts {
	double start, end;	/* end < 0: to the end of the media */
	double segment, hop;
	double group;		/* an HLS VOD's spool files, at most (s) */
	const char *title, *channel;
	long resume_after;	/* skip segments with seq <= this (-1: none) */
	const char *resume_id;	/* ... if the stream still has this id */
	const char *arg;	/* SOURCE as given */

	/* network sources */
	const char *cookies;	/* Netscape cookies.txt, or NULL */
	const char *kick_api;	/* Kick API base URL */
	const char *spool;	/* parent of the spool dir, or NULL: $TMPDIR */
	const char *consumers;	/* roles that acknowledge spool files */
	long spool_segments;	/* most segments in the spool */
	int no_ytdlp;		/* skip yt-dlp */
	int quality;		/* cut rendition at most this tall (0: best) */
	int analysis_quality;	/* analysis rendition at least this tall */
	int retries;		/* HTTP retries */
	double backoff;		/* HTTP backoff factor */
	double live_buffer;	/* seconds of best rendition kept when live */
	double duration;	/* live: stop after this much (0: never) */
	int connections;	/* segment downloads in flight, at most */
	double live_timeout;	/* live: no new segment for this long ends
				   the stream (s) */
};

extern struct opts O;

/* Set by SIGINT/SIGTERM: 1 asks to finish what is in flight and stop,
 * 2 or more to stop now. */
extern volatile sig_atomic_t fetch_stop;
/* Set to cancel every transfer and retry wait in flight (the segment
 * downloads ahead of a run that stops); the progress hook reads it. */
extern atomic_int fetch_cancel;

/* A resolved network source, from net.c for hlsrun.c. */
struct target {
	char *canon;		/* names the stream id */
	char *url;		/* the stream record's "url" */
	char *title, *channel;	/* NULL when unknown */
	int live;		/* 1 live, 0 VOD, -1 unknown yet */
	kc_hls *master;		/* renditions (parsed or made from yt-dlp
				   formats), or NULL */
	int own_vars;		/* master's variant strings are malloc'd
				   (made from yt-dlp formats) */
	char *media;		/* a media playlist URL when no master */
	int kick;		/* a Kick source: its headers on requests */
	long long kick_channel;	/* resolved through Kick's API: the ids
				   and start kc-chatfeat reads its chat
				   with (0, 0, NAN when unknown) */
	long long kick_chatroom;
	double kick_start;
	kc_http *http;
};

/* common */
void set(json_t *o, const char *k, json_t *v);
void stream_id(const char *canon, char id[17]);
void resume_check(const char *id);
void emit_end(const char *id);
/* The stream record about to be written, checked as the stages will
 * check it (kc_rec_check): a source the records cannot describe (longer
 * than their bounds) is refused here, naming the source.  Returns s. */
json_t *own_stream(json_t *s);
/*
 * Whether our stdout's reader went away (a pipe whose reader closed or
 * died): nobody will read or acknowledge what we fetch.
 */
int fetch_reader_gone(void);
/* SIGINT/SIGTERM count in fetch_stop instead of killing (live). */
void catch_stop_signals(void);
const char *base_name(const char *s);
void http_summary(const kc_http_stats *st, long gaps);

/* media.c: a local file, or an http(s) URL of a media file ffmpeg reads */
void media_run(const char *canon, const char *media, int local);

/* net.c: the advice to add to a failure when a site blocks us ("" when
 * r is no block) */
const char *blocked_advice(const kc_http_result *r);
/* net.c: an http(s) source of any kind */
void net_run(const char *url);
/* net.c: an HTTP client with --retries, --backoff, --cookies, the
 * progress hook and, for a Kick source, Kick's headers, its User-Agents
 * the built-in ones from the rot'th on; dies on failure */
kc_http *new_http(int kick, int rot);

/* hlsrun.c: an HLS VOD or live stream */
void hls_run(struct target *t);

/* spool.c: where network segments wait for the feature filters */
struct spool {
	char dir[PATH_MAX];	/* the spool directory */
	char ack[PATH_MAX + 8];	/* the acknowledgement prefix */
	char roles[8][16];
	int nroles;
	long max;		/* segments at most; 0: unbounded */
	long *seq;		/* seqs of the files present, oldest first */
	char (*path)[PATH_MAX + 32];
	size_t n, cap;
	int unbounded;		/* the bound was given up (no acks came) */
	int held;		/* a live cut buffer is in cut/: kc-cut may
				   hold it (role "cut", docs/records.md) */
};
int spool_open(struct spool *sp, const char *id);
/* Path for a new file of seq (kind: "a" analysis, "c" cut). */
void spool_name(const struct spool *sp, long long seq, const char *kind,
    char *out, size_t n);
/* Waits for room for one more file; 0, or -1 when stopping. */
int spool_wait_room(struct spool *sp);
void spool_added(struct spool *sp, long long seq, const char *path);
/* At the end: waits until every file was acknowledged (or nobody is left
 * to) and, with a cut buffer, until a kc-cut that holds it lets go; then
 * removes the spool. */
void spool_finish(struct spool *sp);
void spool_remove(struct spool *sp);

#endif
