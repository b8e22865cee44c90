/*
 * kick.h - what Kick's web API answers, read into a plain struct: for a
 * channel (/api/v2/channels/SLUG) its live playback playlist, the
 * session title, the streamer's name and the livestream's id; for a
 * video (/api/v2/channels/SLUG/videos, /api/v1/video/UUID) its source
 * playlist, title and channel.  Pure functions of the response text: no
 * I/O (kc-fetch does the HTTP), no printing.  The answers are outside
 * input: anything may be missing or of another type, and a playlist URL
 * is taken only when it is an http(s) URL.
 */
#ifndef KC_KICK_H
#define KC_KICK_H

#include <stddef.h>

/* What a Kick API answer gives.  Strings are malloc'd, NULL when absent. */
typedef struct kc_kick_info {
	char *url;		/* the HLS playlist: playback_url or source */
	char *title;		/* session title */
	char *channel;		/* streamer (username) or channel slug */
	long long live_id;	/* livestream id (a channel), 0 if unknown */
	long long channel_id;	/* the channel's numeric id (its chat
				   replay's), 0 if unknown */
	long long chatroom_id;	/* its chatroom's (the live chat's), 0 if
				   unknown (a channel's answer has it) */
	double start;		/* the livestream's start_time, Unix
				   seconds; NAN if unknown */
} kc_kick_info;

enum {
	KC_KICK_OK = 0,		/* found: out->url is set */
	KC_KICK_NONE = 1,	/* valid JSON, but not live / not listed */
	KC_KICK_BAD = -1,	/* not JSON, or a playlist that is not an
				   http(s) URL (why says which) */
	KC_KICK_NOMEM = -2
};

/* The request headers Kick's API and chat replay are asked with, as a
 * browser on kick.com sends them (NULL-terminated, for kc_http). */
extern const char *const kc_kick_headers[];

/* Longest answer read, in bytes (a channel's video list is ~100 kB). */
#define KC_KICK_MAX_BODY (16L << 20)

/*
 * A channel (/api/v2/channels/SLUG): KC_KICK_OK when it is live (a
 * "livestream" object and a "playback_url"), with url, title (the
 * livestream's session_title), channel (user.username), live_id,
 * channel_id (id), chatroom_id (chatroom.id) and start (the
 * livestream's start_time);
 * KC_KICK_NONE when it is not live.  On any other return *out is empty.
 * why (n bytes, may be NULL) says what was wrong for KC_KICK_BAD.
 */
int kc_kick_channel(const char *body, size_t len, kc_kick_info *out,
    char *why, size_t n);

/*
 * A channel's videos (/api/v2/channels/SLUG/videos, an array): the
 * entry whose video.uuid is uuid (the last one when several are), with
 * url (its "source"), title (its session_title), channel_id and start
 * (its channel_id and start_time); channel is left NULL (the caller
 * knows the slug).  KC_KICK_NONE when uuid is not
 * listed or has no source.
 */
int kc_kick_videos(const char *body, size_t len, const char *uuid,
    kc_kick_info *out, char *why, size_t n);

/*
 * One video (/api/v1/video/UUID): url (its "source"), title, channel,
 * channel_id and start (livestream.session_title, .channel.slug,
 * .channel.id or .channel_id, .start_time).  KC_KICK_NONE
 * without a source.
 */
int kc_kick_video(const char *body, size_t len, kc_kick_info *out,
    char *why, size_t n);

/* Frees the strings of k and empties it (k itself is the caller's). */
void kc_kick_info_free(kc_kick_info *k);

#endif
