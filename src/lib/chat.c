/*
 * chat.c - classifying chat messages and turning a window of them into
 * one hop's chat features (see chat.h and docs/records.md, "cfeat").
 *
 * A message is read once, as words: runs of ASCII letters and digits
 * (anything else separates them), an emote token [emote:ID:NAME] standing
 * for its NAME, and emoji (code points from U+2600 on outside the
 * letters' blocks) for themselves.  The word lists are what Twitch and
 * Kick chats write; they are compared without case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "hash.h"

static const char *const names[KC_CHAT_N + 1] = {
	"msg_rate", "chatter_rate", "emote_share", "laugh_share",
	"hype_share", "clip_share", "caps_ratio", "repeat_share", "mean_len",
	"noise_share", NULL
};

static const char *const laugh_words[] = {
	"kekw", "kek", "kekl", "lul", "lulw", "omegalul", "lol", "lmao",
	"lmfao", "rofl", "icant", "xd", "pepelaugh", "kappa", NULL
};

static const char *const hype_words[] = {
	"w", "ww", "www", "pog", "poggers", "pogchamp", "pogu", "poggies",
	"hype", "letsgo", "letsgoo", "letsgooo", "insane", "omg", "wow",
	"gg", "clutch", "noway", "sheesh", "goat", NULL
};

/* Words that make a message a notice, not a reaction. */
static const char *const notice_words[] = {
	"raid", "raiders", "raiding", "raided", "host", "hosting", "hosted",
	"giveaway", "gifted", "subscribed", "resubscribed", NULL
};

static const char *const bots[] = {
	"botrix", "botrixoficial", "nightbot", "streamelements", "fossabot",
	"moobot", "streamlabs", "wizebot", "sery_bot", "kickbot", "kicklet",
	NULL
};

const char *const *
kc_chat_names(void)
{
	return names;
}

const char *const *
kc_chat_default_bots(void)
{
	return bots;
}

static int
in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (strcmp(*list, w) == 0)
			return 1;
	return 0;
}

static int
ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The code point at s (UTF-8; a bad byte counts as itself), its length. */
static unsigned long
code_point(const unsigned char *s, int *len)
{
	unsigned long c = s[0];
	int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ?
	    3 : (c & 0xf8) == 0xf0 ? 4 : 1, i;

	if (n > 1)
		c &= 0x3f >> (n - 1);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return s[0];
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	*len = n;
	return c;
}

/* Flags a word (lower case) earns; prev: the word before it ("" none). */
static unsigned
word_flags(const char *w, const char *prev)
{
	unsigned f = 0;

	if (in_list(laugh_words, w) || strncmp(w, "haha", 4) == 0 ||
	    strncmp(w, "jaja", 4) == 0)
		f |= KC_CHAT_LAUGH;
	if (in_list(hype_words, w) || (strcmp(prev, "lets") == 0 &&
	    strncmp(w, "go", 2) == 0) || (strcmp(prev, "no") == 0 &&
	    strcmp(w, "way") == 0))
		f |= KC_CHAT_HYPE;
	if (strncmp(w, "clip", 4) == 0)
		f |= KC_CHAT_CLIP;
	if (in_list(notice_words, w))
		f |= KC_CHAT_NOTICE;
	return f;
}

void
kc_chat_classify(struct kc_chatmsg *m, const char *user, const char *text,
    const char *type, const char *const *botlist)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	char w[64], prev[64] = "", u[128], norm[512];
	size_t nw, nn = 0, i;
	unsigned long c;
	const char *e;
	int len, space = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; user && user[i] && i + 1 < sizeof(u); i++)
		u[i] = lower(user[i]);
	u[i] = '\0';
	m->user = kc_fnv1a(KC_FNV_INIT, u, i);
	if (type && *type && strcmp(type, "message") != 0)
		m->flags |= KC_CHAT_NOTICE;
	if (in_list(botlist ? botlist : bots, u))
		m->flags |= KC_CHAT_BOT;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '!')
		m->flags |= KC_CHAT_COMMAND;
	while (*s) {
		/* an emote token stands for its name */
		if (strncmp((const char *)s, "[emote:", 7) == 0 &&
		    (e = strchr((const char *)s + 7, ']')) != NULL &&
		    memchr(s + 7, ':', (size_t)(e - (const char *)s - 7))) {
			const char *name = memchr(s + 7, ':',
			    (size_t)(e - (const char *)s - 7)) + 1;

			m->flags |= KC_CHAT_EMOTE;
			for (nw = 0; name + nw < e && nw + 1 < sizeof(w); nw++)
				w[nw] = lower(name[nw]);
			w[nw] = '\0';
			m->flags |= word_flags(w, prev) & ~KC_CHAT_NOTICE;
			snprintf(prev, sizeof(prev), "%s", w);
			m->len++;
			for (i = 0; i < nw && nn + 1 < sizeof(norm); i++)
				norm[nn++] = w[i];
			space = 0;
			s = (const unsigned char *)e + 1;
			continue;
		}
		if (ascii_alnum(*s)) {
			for (nw = 0; ascii_alnum(s[nw]); nw++)
				if (nw + 1 < sizeof(w))
					w[nw] = lower((char)s[nw]);
			i = nw;
			nw = nw < sizeof(w) ? nw : sizeof(w) - 1;
			w[nw] = '\0';
			m->flags |= word_flags(w, prev);
			snprintf(prev, sizeof(prev), "%s", w);
			for (; i > 0; i--, s++) {
				m->len++;
				if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' &&
				    *s <= 'z')) {
					m->letters++;
					m->upper += *s >= 'A' && *s <= 'Z';
				}
				if (nn + 1 < sizeof(norm))
					norm[nn++] = lower((char)*s);
			}
			space = 0;
			continue;
		}
		c = code_point(s, &len);
		m->len++;
		if (c == ' ' || c == '\t' || c == '\n') {
			if (!space && nn > 0 && nn + 1 < sizeof(norm))
				norm[nn++] = ' ';
			space = 1;
			s += len;
			continue;
		}
		space = 0;
		/* emoji: symbols and pictographs, not letters */
		if ((c >= 0x2600 && c <= 0x27bf) || (c >= 0x1f300 &&
		    c <= 0x1faff)) {
			m->flags |= KC_CHAT_EMOTE;
			if (c == 0x1f602 || c == 0x1f923 || c == 0x1f606)
				m->flags |= KC_CHAT_LAUGH;	/* tears of joy */
			if (c == 0x1f525 || c == 0x1f389 || c == 0x1f631)
				m->flags |= KC_CHAT_HYPE;	/* fire, party */
		}
		for (i = 0; i < (size_t)len && nn + 1 < sizeof(norm); i++)
			norm[nn++] = (char)s[i];
		s += len;
	}
	while (nn > 0 && norm[nn - 1] == ' ')
		nn--;
	m->text = kc_fnv1a(KC_FNV_INIT, norm, nn);
}

struct pair {
	uint64_t key, sub;
	size_t i;
};

static int
by_key(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->sub != y->sub)
		return x->sub < y->sub ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
kc_chat_window(const struct kc_chatmsg *m, size_t n, double secs,
    double vals[KC_CHAT_N])
{
	struct pair *p = NULL;
	double *w = NULL, sw = 0, letters = 0, x;
	size_t np = 0, i, j, k, users = 0, nusers;
	int v;

	for (v = 0; v < KC_CHAT_N; v++)
		vals[v] = 0;
	if (n == 0)
		return 0;
	if ((p = malloc(n * sizeof(*p))) == NULL ||
	    (w = calloc(n, sizeof(*w))) == NULL) {
		free(p);
		errno = ENOMEM;
		return -1;
	}
	/* each chatter's messages weigh at most KC_CHAT_PER_USER in all */
	for (i = 0; i < n; i++)
		if (!(m[i].flags & KC_CHAT_NOISE)) {
			p[np].key = m[i].user;
			p[np].sub = 0;
			p[np++].i = i;
		}
	qsort(p, np, sizeof(*p), by_key);
	for (i = 0; i < np; i = j) {
		for (j = i; j < np && p[j].key == p[i].key; j++)
			;
		x = j - i > KC_CHAT_PER_USER ? (double)KC_CHAT_PER_USER /
		    (double)(j - i) : 1;
		for (k = i; k < j; k++)
			w[p[k].i] = x;
		users++;
	}
	for (i = 0; i < np; i++) {
		k = p[i].i;
		sw += w[k];
		vals[KC_CF_EMOTE_SHARE] += w[k] * !!(m[k].flags &
		    KC_CHAT_EMOTE);
		vals[KC_CF_LAUGH_SHARE] += w[k] * !!(m[k].flags &
		    KC_CHAT_LAUGH);
		vals[KC_CF_HYPE_SHARE] += w[k] * !!(m[k].flags & KC_CHAT_HYPE);
		vals[KC_CF_CLIP_SHARE] += w[k] * !!(m[k].flags & KC_CHAT_CLIP);
		vals[KC_CF_CAPS_RATIO] += w[k] * m[k].upper;
		vals[KC_CF_MEAN_LEN] += w[k] * m[k].len;
		letters += w[k] * m[k].letters;
	}
	vals[KC_CF_CAPS_RATIO] = letters > 0 ? vals[KC_CF_CAPS_RATIO] /
	    letters : 0;
	/* the same text from two chatters or more */
	for (i = 0; i < np; i++) {
		p[i].key = m[p[i].i].text;
		p[i].sub = m[p[i].i].user;
	}
	qsort(p, np, sizeof(*p), by_key);
	for (i = 0; i < np; i = j) {
		nusers = 1;
		for (j = i + 1; j < np && p[j].key == p[i].key; j++)
			nusers += p[j].sub != p[j - 1].sub;
		if (nusers >= 2)
			for (k = i; k < j; k++)
				vals[KC_CF_REPEAT_SHARE] += w[p[k].i];
	}
	if (sw > 0) {
		for (v = KC_CF_EMOTE_SHARE; v <= KC_CF_MEAN_LEN; v++)
			if (v != KC_CF_CAPS_RATIO)
				vals[v] /= sw;
	}
	vals[KC_CF_MSG_RATE] = sw / secs;
	vals[KC_CF_CHATTER_RATE] = (double)users / secs;
	vals[KC_CF_NOISE_SHARE] = ((double)n - sw) / (double)n;
	free(p);
	free(w);
	return 0;
}
