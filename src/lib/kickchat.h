/*
 * kickchat.h - Kick's chat, read from what Kick sends: a page of the
 * chat replay (/api/v2/channels/ID/messages?start_time=ISO) and one text
 * frame of the live chat's Pusher WebSocket; and the few frames and the
 * URL the client sends.  Each message comes out as a kc_kickmsg whose
 * user, text and type go to kc_chat_classify (chat.h) as they are.
 * Pure functions of the text: no I/O (kc-chatfeat does the HTTP and the
 * WebSocket), no printing.  What Kick sends is outside input: anything
 * may be missing or of another type, and extra fields are ignored.
 */
#ifndef KC_KICKCHAT_H
#define KC_KICKCHAT_H

#include <stddef.h>

/* Bytes kept of each string of a message, at most (longer ones are cut
 * at a UTF-8 character boundary, so they stay valid UTF-8). */
#define KC_KICKMSG_ID	64
#define KC_KICKMSG_USER	64
#define KC_KICKMSG_TYPE	32
#define KC_KICKMSG_TEXT	2000

/*
 * One chat message or notice, in fixed buffers of its own (no pointers:
 * copy it, keep it, drop it).  Every string is NUL-terminated valid
 * UTF-8, "" when absent.
 */
typedef struct kc_kickmsg {
	double t;		/* created_at in Unix seconds; always finite
				   in a replay page, NAN in a frame without a
				   readable created_at (the caller then uses
				   its time of receipt) */
	char id[KC_KICKMSG_ID + 1];	/* Kick's id (a string or a number) */
	char user[KC_KICKMSG_USER + 1];	/* sender.username, else
					   sender.slug; for a notice the
					   gifter, subscriber or host */
	char type[KC_KICKMSG_TYPE + 1];	/* "message" for a chat message
					   (Kick's "message", "reply", or
					   none), else the notice's type:
					   "gift", "subscription", "host",
					   or Kick's own */
	char text[KC_KICKMSG_TEXT + 1];	/* content, emote tokens
					   ("[emote:ID:NAME]") as sent;
					   never "" for a chat message */
} kc_kickmsg;

enum {
	KC_KICKCHAT_OK = 0,
	KC_KICKCHAT_BAD = -1,	/* not JSON, or not of the shape (why says
				   what) */
	KC_KICKCHAT_NOMEM = -2
};

/* Longest text read, in bytes (a replay page is some 25 kB). */
#define KC_KICKCHAT_MAX_BODY (16L << 20)

/* A page of the chat replay. */
typedef struct kc_kickpage {
	kc_kickmsg *msg;	/* n messages in the answer's order,
				   malloc'd; NULL when n is 0 */
	size_t n;
	size_t skipped;		/* entries left out: not an object, no
				   readable created_at, or a chat message
				   without content */
	double cursor;		/* data.cursor (milliseconds since 1970, a
				   string or a number) in seconds; NAN when
				   absent or not a number >= 0 */
} kc_kickpage;

/*
 * A replay page: {"data":{"messages":[...],"cursor":...}}.  "data":null
 * and an empty array are an empty page.  KC_KICKCHAT_BAD when the body
 * is not a JSON object or has no "data" that is null or holds a
 * "messages" array (why, n bytes, may be NULL, says which, with Kick's
 * status message when there is one); KC_KICKCHAT_NOMEM.  On any return
 * but KC_KICKCHAT_OK, *out is an empty page (cursor NAN).
 */
int kc_kickchat_page(const char *body, size_t len, kc_kickpage *out,
    char *why, size_t n);

/* Frees p's messages and empties it (p itself is the caller's). */
void kc_kickchat_page_free(kc_kickpage *p);

/* What a Pusher frame is: the return of kc_pusher_frame. */
enum {
	KC_PUSHER_ESTABLISHED = 0,	/* pusher:connection_established */
	KC_PUSHER_SUBSCRIBED,		/* pusher_internal:subscription_
					   succeeded */
	KC_PUSHER_PING,			/* pusher:ping: answer with a pong */
	KC_PUSHER_PONG,			/* pusher:pong */
	KC_PUSHER_ERROR,		/* pusher:error */
	KC_PUSHER_MESSAGE,		/* a chat message or a notice */
	KC_PUSHER_OTHER,		/* any other event */
	KC_PUSHER_BAD = -1		/* not JSON, not an object, no
					   "event" string, or a message
					   event without a usable message
					   (why says which) */
};

/* Bytes kept of a frame's channel and of an error's message. */
#define KC_PUSHER_CHANNEL	128
#define KC_PUSHER_ERRMSG	256

/* One frame, read.  The fields that do not apply to its kind are 0 or "";
 * strings are NUL-terminated valid UTF-8, cut like a message's. */
typedef struct kc_pusher_frame {
	int kind;			/* KC_PUSHER_* as returned */
	char channel[KC_PUSHER_CHANNEL + 1];	/* "channel", "" without */
	int timeout;			/* ESTABLISHED: activity_timeout, s
					   (1 to 3600, else 120) */
	int code;			/* ERROR: Pusher's code, 0 when null
					   or absent */
	char message[KC_PUSHER_ERRMSG + 1];	/* ERROR: its message */
	kc_kickmsg msg;			/* MESSAGE */
} kc_pusher_frame;

/*
 * One text frame's payload (len bytes) into *f, returning its kind (also
 * f->kind).  A frame's "data" is an object or a JSON string holding one
 * (Pusher encodes it twice); both are read.  MESSAGE for:
 *   App\Events\ChatMessageEvent   a chat message; a notice of its own
 *                                 "type" when that is not "message" or
 *                                 "reply" (text then may be "")
 *   App\Events\GiftedSubscriptionsEvent,
 *   App\Events\LuckyUsersWhoGotGiftSubscriptionsEvent
 *                                 "gift", user = gifter_username
 *   App\Events\SubscriptionEvent  "subscription", user = username
 *   App\Events\StreamHostEvent    "host", user = host_username,
 *                                 text = optional_message
 * msg.t is NAN when the event has no readable created_at.  A chat message
 * without content, or a message event whose data is not an object, is
 * KC_PUSHER_BAD.  why (n bytes, may be NULL) says what was wrong for
 * KC_PUSHER_BAD.
 */
int kc_pusher_frame_read(const char *body, size_t len, kc_pusher_frame *f,
    char *why, size_t n);

/*
 * What the client sends, into buf (n bytes, NUL-terminated when n > 0),
 * like snprintf: the length of the whole text (buf holds it all when
 * that is less than n), or -1 for an argument refused.
 *   kc_pusher_subscribe  {"event":"pusher:subscribe","data":{"auth":"",
 *                        "channel":"chatrooms.ID.v2"}}; -1 when id < 0
 *   kc_pusher_ping/pong  {"event":"pusher:ping","data":{}} / pusher:pong
 *   kc_pusher_url        BASE/app/KEY?protocol=7&client=js&version=8.4.0
 *                        &flash=false; base a ws:// or wss:// URL with a
 *                        host (trailing slashes dropped), without blanks,
 *                        control characters, '?' or '#'; key non-empty
 *                        letters, digits, '-' and '_'; else -1
 */
int kc_pusher_subscribe(char *buf, size_t n, long long id);
int kc_pusher_ping(char *buf, size_t n);
int kc_pusher_pong(char *buf, size_t n);
int kc_pusher_url(char *buf, size_t n, const char *base, const char *key);

#endif
