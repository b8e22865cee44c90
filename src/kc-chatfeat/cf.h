/*
 * cf.h - kc-chatfeat's parts: the chat log (chatlog.c) and the record
 * loop (run.c), apart from main.c's option handling.
 */
#ifndef KC_CHATFEAT_CF_H
#define KC_CHATFEAT_CF_H

#include <stdio.h>

#include "chat.h"

#define CF_MAX_BOTS 64

struct cf_opts {
	const char *chat;	/* the chat log file */
	double lag;		/* seconds chat lags the picture */
	double window;		/* seconds of chat per hop */
	double hop;		/* > 0: replaces the stream record's hop */
	int have_start;		/* start was given (--chat-start) */
	double start;		/* Unix time of stream time 0 */
	const char *bots[CF_MAX_BOTS + 1];	/* lower case, NULL-ended */
};

/* The chat, classified and in time order. */
struct cf_chat {
	struct kc_chatmsg *m;
	size_t n;
	int wall;		/* times are Unix times (ISO timestamps) */
	size_t skipped;		/* lines with neither text nor a notice */
};

/*
 * Reads the chat log at path (JSON Lines of {"t" | "timestamp", "user",
 * "text", "type"}) into c.  A line that is not such an object is fatal
 * (exit 1, naming the file and line).
 */
void cf_chat_load(const char *path, const struct cf_opts *o,
    struct cf_chat *c);

/* Reads records from fp until its end, writing records to stdout. */
void cf_records(FILE *fp, const char *name, const struct cf_opts *o,
    const struct cf_chat *c);

#endif
