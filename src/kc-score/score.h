/*
 * score.h - kc-score's internals: the per-stream feature store (hop rows
 * spilled to temporary files so memory stays flat on a 10-hour stream) and
 * the selection that turns it into highlight records.
 */
#ifndef KC_SCORE_INTERNAL_H
#define KC_SCORE_INTERNAL_H

#include <stdio.h>
#include <jansson.h>

#include "model.h"
#include "rec.h"
#include "weights.h"

#define KIND_AUDIO 0
#define KIND_VIDEO 1
#define KIND_CHAT 2		/* cfeat: evidence for the others, and its
				   own highlights with --type chat */
#define NKIND 3
#define MAXF KC_REC_HOP_FEATURES	/* features per kind */

struct kindstore {
	FILE *fp;		/* rows: double t, float dur, float v[nf] */
	char *names[MAXF];
	size_t nf;
	long rows;
	double tmin, tmax, dur;	/* dur: the longest row's, the hop guess */
	double tsum;		/* of the rows' t, for their mean */
	char tmin_at[80], tmax_at[80];	/* where those rows were read */
	int warned;		/* extra feature names already reported */
};

struct params {
	double clip_dur, min_gap;
	double pre_roll;	/* seconds before a window's onset; < 0: off */
	double min_score;	/* windows scoring under it are not picked */
	long max_n[NKIND];	/* per kind; 0 = kind not wanted */
	double start, end;	/* user range, end < 0: none */
	const kc_weights *w;
	int curve;		/* write "curve" records */
	int live;		/* judge windows as they close (live.c) */
	double live_threshold;	/* robust deviations a live window needs */
	kc_model *model;	/* the learned model, or NULL */
	double model_weight;	/* its weight in the blend, 0-1 */
	int stats;		/* write a "featstats" record per stream */
	double chat_weight;	/* weight of the chat's window score added to
				   an audio or video window's, 0: off */
	double chat_lag;	/* seconds the chat is shifted by, NAN:
				   estimated per stream */
};

/* A column's centre and spread, after blending in the channel's. */
struct colstat {
	double med, scale;
	double own_med, own_scale;	/* the stream's own */
	long n;				/* hops they come from */
	int ok;			/* 0: no finite value in the stream */
};

/* The weights of the chat's hop score (pick.c; not fitted yet). */
extern const struct kc_weightset chat_ws;
/* Robust deviations a window needs before the chat has a say on it. */
#define CHAT_GATE 1.0

/* A channel's typical feature values, from its earlier streams. */
struct chanstats {
	long hops[2];		/* hops behind the figures, per kind */
	json_t *feat[2];	/* per kind: name -> [median, scale] */
};

struct stream {
	json_t *rec;		/* the stream record, or NULL */
	char rec_at[80];	/* where it was read */
	double start, end, hop;	/* from the record, or derived */
	const struct chanstats *chan;	/* its channel's, or NULL */
	struct kindstore k[NKIND];
};

void stream_init(struct stream *s);
void stream_clear(struct stream *s);

/* Stores one afeat/vfeat record that passed kc_rec_check, read at where
 * ("<stdin>:12").  Returns 0, or -1 with a reason. */
int stream_add(struct stream *s, int kind, const json_t *rec,
    const char *where, char *err, size_t errlen);

/* Scores the stream and writes its highlight records.  Returns the
 * number written, or -1 with a reason (beginning with the place of the
 * record at fault when one is).  Memory grows with the hops between the
 * first and the last feature record, so records that leave most of that
 * span empty are refused (see docs/records.md, kc-score). */
long stream_select(struct stream *s, const struct params *p, char *err,
    size_t errlen);

/* chan.c: per-channel statistics (see docs/records.md, "featstats"). */

/* Loads DIR/channels.json when it exists; 0, or -1 with a reason. */
int chan_load(const char *dir, char *err, size_t errlen);
/* The statistics of channel name, NULL when there are none. */
const struct chanstats *chan_find(const char *name);
void chan_free(void);
/*
 * Blends a stream's median and scale of a feature (from n hops) with the
 * channel's: each becomes (1 - a) own + a channel, a = H / (H + n) at
 * most 0.5, H the channel's hops.  Nothing happens without statistics.
 */
void chan_blend(const struct chanstats *ch, int kind, const char *name,
    long n, double *med, double *scale);
/* Writes the stream's own statistics as a "featstats" record. */
void emit_featstats(const struct stream *s, struct colstat *const cs[2]);

/*
 * live.c: a stream judged as it goes (hop = the stream's hop; has[k]: 0
 * when the stream record says kind k is absent, so it is not waited
 * for).
 */
void live_begin(double origin, double hop, const int has[2]);
int live_add(int kind, const json_t *rec, const struct params *p, char *err,
    size_t errlen);
void live_finish(const struct params *p);	/* writes what is pending */
void live_reset(void);

#endif
