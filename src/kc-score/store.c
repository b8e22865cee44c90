/*
 * store.c - kc-score's feature store.  Each hop's features go to an
 * unlinked temporary file as a fixed-size binary row; only the column
 * names stay in memory.  Scoring later reads the rows back column by
 * column, so peak memory does not grow with the stream's length.
 */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "rec.h"
#include "score.h"

void
stream_init(struct stream *s)
{
	memset(s, 0, sizeof(*s));
	s->end = -1;
}

void
stream_clear(struct stream *s)
{
	size_t i;
	int k;

	for (k = 0; k < NKIND; k++) {
		if (s->k[k].fp)
			fclose(s->k[k].fp);
		for (i = 0; i < s->k[k].nf; i++)
			free(s->k[k].names[i]);
	}
	json_decref(s->rec);
	stream_init(s);
}

static long
name_index(struct kindstore *ks, const char *name, size_t hint)
{
	size_t i;

	if (hint < ks->nf && strcmp(ks->names[hint], name) == 0)
		return (long)hint;
	for (i = 0; i < ks->nf; i++)
		if (strcmp(ks->names[i], name) == 0)
			return (long)i;
	return -1;
}

int
stream_add(struct stream *s, int kind, const json_t *rec, const char *where,
    char *err, size_t errlen)
{
	struct kindstore *ks = &s->k[kind];
	float row[MAXF];
	const char *name;
	json_t *feats, *v;
	double t, dur;
	float fdur;
	size_t pos = 0;
	long i;

	/* kc_rec_check made sure of t, dur and features */
	if (kc_rec_num(rec, "t", &t) != 0 || kc_rec_num(rec, "dur", &dur) !=
	    0 || !json_is_object(feats = json_object_get(rec, "features"))) {
		snprintf(err, errlen, "internal error: an unchecked record");
		return -1;
	}
	if (ks->fp == NULL) {
		/* the first record of a kind fixes its columns */
		json_object_foreach(feats, name, v) {
			if (ks->nf == MAXF) {
				snprintf(err, errlen, "more than %d features",
				    MAXF);
				return -1;
			}
			if ((ks->names[ks->nf] = strdup(name)) == NULL) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			ks->nf++;
		}
		if ((ks->fp = tmpfile()) == NULL ||
		    fcntl(fileno(ks->fp), F_SETFD, FD_CLOEXEC) != 0) {
			snprintf(err, errlen, "temporary file: %s",
			    strerror(errno));
			return -1;
		}
		ks->tmin = ks->tmax = t;
		ks->dur = dur;
		snprintf(ks->tmin_at, sizeof(ks->tmin_at), "%s", where);
		snprintf(ks->tmax_at, sizeof(ks->tmax_at), "%s", where);
	}
	for (i = 0; i < (long)ks->nf; i++)
		row[i] = NAN;
	json_object_foreach(feats, name, v) {
		i = name_index(ks, name, pos++);
		if (i < 0) {
			if (!ks->warned++)
				kc_warn("feature \"%s\" was not in the first "
				    "record of its kind; ignored", name);
			continue;
		}
		if (json_is_number(v))
			row[i] = (float)json_number_value(v);
	}
	fdur = (float)dur;
	if (fwrite(&t, sizeof(t), 1, ks->fp) != 1 ||
	    fwrite(&fdur, sizeof(fdur), 1, ks->fp) != 1 ||
	    fwrite(row, sizeof(float), ks->nf, ks->fp) != ks->nf) {
		snprintf(err, errlen, "temporary file: %s", strerror(errno));
		return -1;
	}
	ks->rows++;
	ks->tsum += t;
	if (t < ks->tmin) {
		ks->tmin = t;
		snprintf(ks->tmin_at, sizeof(ks->tmin_at), "%s", where);
	}
	if (t > ks->tmax) {
		ks->tmax = t;
		snprintf(ks->tmax_at, sizeof(ks->tmax_at), "%s", where);
	}
	if (dur > ks->dur)
		ks->dur = dur;	/* a short last hop is not the hop */
	return 0;
}
