/*
 * cf.h - kc-chatfeat's parts: the chat log file (chatlog.c), Kick's chat
 * replay (replay.c) and live chat (pusher.c), and the record loop
 * (run.c), apart from main.c's option handling.
 */
#ifndef KC_CHATFEAT_CF_H
#define KC_CHATFEAT_CF_H

#include <stdio.h>

#include <jansson.h>

#include "chat.h"
#include "kickchat.h"

#define CF_MAX_BOTS 64

struct cf_opts {
	const char *chat;	/* the chat log file, or NULL: the stream's */
	int no_kick;		/* --no-kick-chat: no chat from Kick */
	double lag;		/* seconds chat lags the picture */
	double window;		/* seconds of chat per hop */
	double hop;		/* > 0: replaces the stream record's hop */
	int have_start;		/* start was given (--chat-start) */
	double start;		/* Unix time of stream time 0 */
	const char *bots[CF_MAX_BOTS + 1];	/* lower case, NULL-ended */
	const char *kick_api;	/* replaces the stream record's, or NULL */
	const char *pusher;	/* the live chat's WebSocket base URL */
	const char *pusher_key;
	const char *cookies;	/* cookies.txt for the replay, or NULL */
	int retries;		/* per replay request */
	const char *chat_log;	/* raw messages written here, or NULL */
};

/* Where a stream's chat comes from. */
enum { CF_NONE, CF_FILE, CF_REPLAY, CF_LIVE };

/* A stream's chat, classified and in time order. */
struct cf_chat {
	struct kc_chatmsg *m;
	size_t n, cap;
	int wall;		/* times are Unix times */
	int source;		/* CF_* */
	double until;		/* every message before this time is in */
	size_t skipped;		/* messages without text, or malformed */
	char error[1600];	/* why there is no chat (source CF_NONE
				   after a Kick source failed, or a log
				   none of whose lines could be read), or "" */
	int broken;		/* a log without one usable message */
};

/*
 * Reads the chat log at path (JSON Lines of {"t" | "timestamp", "user",
 * "text", "type"}) into c.  A line that is not such a message is left
 * out (one warning names how many and the first); a log of which no line
 * can be read has c->broken and c->error set: no chat.  A message before
 * the stream's start ("t" below 0) is left out too.  A log that cannot
 * be opened is fatal.
 */
void cf_chat_load(const char *path, const struct cf_opts *o,
    struct cf_chat *c);

/* Appends Kick's message m (a Unix time) to c, classified, and writes
 * it to --chat-log when asked. */
void cf_chat_add(struct cf_chat *c, const kc_kickmsg *m,
    const struct cf_opts *o);

/* Forgets c's messages (not its source). */
void cf_chat_clear(struct cf_chat *c);

/*
 * Kick's chat replay of channel id from Unix time t0 on, read through
 * the API at api: 0 when its first page came (c->source CF_REPLAY), or
 * -1 with c->error set (source CF_NONE).  cf_replay_need pages on until
 * every message from Unix time from (skipping ahead to it) to t is in,
 * or the replay fails (one warning; the chat stops there).
 */
int cf_replay_open(struct cf_chat *c, const char *api, long long id,
    double t0, const struct cf_opts *o);
void cf_replay_need(struct cf_chat *c, double from, double t,
    const struct cf_opts *o);
void cf_replay_close(void);

/*
 * Kick's live chat of chatroom id, read over Pusher's WebSocket in a
 * thread of its own (reconnecting with backoff after a drop): 0, or -1
 * with c->error set.  cf_live_take moves the messages received so far
 * into c (c->until: now); cf_live_up says whether it is subscribed now;
 * cf_live_close stops the thread and reports the reconnections.
 */
int cf_live_open(struct cf_chat *c, long long id, const struct cf_opts *o);
void cf_live_take(struct cf_chat *c, const struct cf_opts *o);
int cf_live_up(void);		/* subscribed now */
void cf_live_close(void);

/* Unix seconds, the wall clock (run.c). */
double cf_now(void);

/* Reads records from fp until its end, writing records to stdout. */
void cf_records(FILE *fp, const char *name, const struct cf_opts *o,
    struct cf_chat *c);

/* At the end of the input: closes a Kick source, reports what was
 * skipped. */
void cf_finish(struct cf_chat *c, const struct cf_opts *o);

#endif
