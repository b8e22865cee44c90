/*
 * chat.h - what a stream's chat says, hop by hop: the "cfeat" record of
 * docs/records.md.  Messages are classified one at a time (emotes,
 * laughter, hype, "clip", capitals, and what is not a viewer's reaction:
 * commands, bots, system notices of raids, hosts, gifts and
 * giveaways); a window of them becomes the features of one hop.
 *
 * Library code (no I/O, no JSON): functions return codes and never print.
 */
#ifndef KC_CHAT_H
#define KC_CHAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Index of each feature in the vals[] of kc_chat_window; the names
 * (kc_chat_names) are those of docs/records.md.  Rates are per second of
 * the window; shares are of the window's counted messages (0 without
 * any).  Counted: a viewer's message, not a command ("!..."), not a
 * bot's, not a system notice, and at most KC_CHAT_PER_USER of one
 * chatter's in a window (one chatter cannot make a burst).
 *
 *   MSG_RATE      counted messages per second
 *   CHATTER_RATE  different chatters among them, per second
 *   EMOTE_SHARE   share with an emote ([emote:ID:NAME] or an emoji)
 *   LAUGH_SHARE   share with a laughter token (KEKW, LUL, OMEGALUL,
 *                 LMAO, haha, ...)
 *   HYPE_SHARE    share with a hype token (W, POG, POGGERS, HYPE,
 *                 LETSGO, ...)
 *   CLIP_SHARE    share asking for a clip ("clip", "clip it", "CLIPPED")
 *   CAPS_RATIO    capital letters over letters, over the counted
 *                 messages (emote tokens left out)
 *   REPEAT_SHARE  share whose text (case and spacing aside) another
 *                 chatter also sent in the window
 *   MEAN_LEN      mean length of the counted messages, characters
 *   NOISE_SHARE   share of all the window's messages that were not
 *                 counted (commands, bots, notices, one chatter's
 *                 excess): high for a raid, a giveaway or a gift train
 */
enum {
	KC_CF_MSG_RATE, KC_CF_CHATTER_RATE,
	KC_CF_EMOTE_SHARE, KC_CF_LAUGH_SHARE, KC_CF_HYPE_SHARE,
	KC_CF_CLIP_SHARE, KC_CF_CAPS_RATIO, KC_CF_REPEAT_SHARE,
	KC_CF_MEAN_LEN, KC_CF_NOISE_SHARE,
	KC_CHAT_N			/* number of features (10) */
};

/* A chatter's messages in one window beyond this many are not counted. */
#define KC_CHAT_PER_USER 2

/* Classes of a message (kc_chatmsg.flags). */
enum {
	KC_CHAT_EMOTE = 1 << 0,
	KC_CHAT_LAUGH = 1 << 1,
	KC_CHAT_HYPE = 1 << 2,
	KC_CHAT_CLIP = 1 << 3,
	KC_CHAT_COMMAND = 1 << 4,	/* "!something" */
	KC_CHAT_BOT = 1 << 5,		/* sent by a known bot */
	KC_CHAT_NOTICE = 1 << 6		/* raid, host, gift, subscription,
					 * giveaway: not a reaction */
};
#define KC_CHAT_NOISE (KC_CHAT_COMMAND | KC_CHAT_BOT | KC_CHAT_NOTICE)

/* One classified message. */
struct kc_chatmsg {
	double t;		/* stream time, s */
	uint64_t user;		/* hash of the lower-cased user name */
	uint64_t text;		/* hash of the normalised text */
	unsigned flags;		/* KC_CHAT_* */
	unsigned len;		/* characters (UTF-8 code points), emote
				 * tokens counted as one */
	unsigned upper, letters;	/* ASCII letters outside emote tokens */
};

/*
 * Classifies a message of user (may be NULL or "") with text, of the
 * given type (NULL or "message" for a chat message; anything else, such
 * as "raid", "host", "gift", "subscription", is a notice) into m (t is
 * left to the caller).  bots: NULL-terminated lower-case user names that
 * are bots (NULL: kc_chat_default_bots).
 */
void kc_chat_classify(struct kc_chatmsg *m, const char *user,
    const char *text, const char *type, const char *const *bots);

/* The bot names kc knows (NULL-terminated). */
const char *const *kc_chat_default_bots(void);

/*
 * The features of the n messages m[0..n) that make up a window of secs
 * seconds (secs > 0) into vals[KC_CHAT_N].  Returns 0, or -1 (ENOMEM).
 */
int kc_chat_window(const struct kc_chatmsg *m, size_t n, double secs,
    double vals[KC_CHAT_N]);

/* The KC_CHAT_N feature names, then NULL. */
const char *const *kc_chat_names(void);

#endif
