/*
 * chan.c - what kc-score knows about a stream's channel: the typical
 * median and spread of each feature over the channel's earlier streams
 * (kept by kc-db from the "featstats" records kc-score writes, and handed
 * back as DIR/channels.json in the model directory).  A stream is then
 * normalised against itself and its channel, so a streamer who is always
 * loud is not always exciting, and a short stream that is all action
 * still stands out against the channel's calm ones.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "msg.h"
#include "out.h"
#include "rec.h"
#include "score.h"

static json_t *all;		/* channels.json's "channels" object */
static struct chanstats found;

int
chan_load(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	json_error_t je;
	struct stat st;
	json_t *o;

	if ((size_t)snprintf(path, sizeof(path), "%s/channels.json", dir) >=
	    sizeof(path) || stat(path, &st) != 0)
		return 0;	/* no statistics yet */
	if ((o = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if (json_integer_value(json_object_get(o, "kc_channels")) != 1 ||
	    !json_is_object(json_object_get(o, "channels"))) {
		snprintf(err, errlen, "%s: not a kc channels file of format 1",
		    path);
		json_decref(o);
		return -1;
	}
	all = json_incref(json_object_get(o, "channels"));
	json_decref(o);
	return 0;
}

const struct chanstats *
chan_find(const char *name)
{
	static const char *const kinds[2] = { "audio", "video" };
	json_t *c, *k;
	int i, any = 0;

	if (all == NULL || name == NULL || (c = json_object_get(all, name)) ==
	    NULL)
		return NULL;
	memset(&found, 0, sizeof(found));
	for (i = 0; i < 2; i++) {
		k = json_object_get(c, kinds[i]);
		found.hops[i] = (long)json_integer_value(json_object_get(k,
		    "hops"));
		found.feat[i] = json_object_get(k, "features");
		if (found.hops[i] > 0 && json_is_object(found.feat[i]))
			any = 1;
		else
			found.hops[i] = 0;
	}
	return any ? &found : NULL;
}

void
chan_free(void)
{
	json_decref(all);
	all = NULL;
}

void
chan_blend(const struct chanstats *ch, int kind, const char *name, long n,
    double *med, double *scale)
{
	json_t *v;
	double cm, cs, a;

	if (ch == NULL || ch->hops[kind] <= 0 || n <= 0)
		return;
	v = json_object_get(ch->feat[kind], name);
	if (!json_is_array(v) || json_array_size(v) != 2)
		return;
	cm = json_number_value(json_array_get(v, 0));
	cs = json_number_value(json_array_get(v, 1));
	if (!isfinite(cm) || !isfinite(cs) || cs < 0)
		return;
	a = (double)ch->hops[kind] / ((double)ch->hops[kind] + (double)n);
	if (a > 0.5)
		a = 0.5;
	*med = (1 - a) * *med + a * cm;
	*scale = (1 - a) * *scale + a * cs;
}

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

void
emit_featstats(const struct stream *s, struct colstat *const cs[2])
{
	static const char *const kinds[2] = { "audio", "video" };
	json_t *r, *k, *f;
	const char *id = s->rec ? kc_rec_str(s->rec, "id") : NULL;
	const char *ch = s->rec ? kc_rec_str(s->rec, "channel") : NULL;
	long hops;
	size_t i;
	int kind;

	if ((r = kc_rec_new("featstats")) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "stream", id ? json_string(id) : json_null());
	set(r, "channel", ch ? json_string(ch) : json_null());
	for (kind = 0; kind < 2; kind++) {
		if (cs[kind] == NULL)
			continue;
		k = json_object();
		f = json_object();
		if (k == NULL || f == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		hops = 0;
		for (i = 0; i < s->k[kind].nf; i++) {
			if (!cs[kind][i].ok || !isfinite(cs[kind][i].own_scale))
				continue;
			if (cs[kind][i].n > hops)
				hops = cs[kind][i].n;
			set(f, s->k[kind].names[i], json_pack("[o,o]",
			    kc_json_num(cs[kind][i].own_med),
			    kc_json_num(cs[kind][i].own_scale)));
		}
		set(k, "hops", json_integer(hops));
		set(k, "features", f);
		set(r, kinds[kind], k);
	}
	kc_out_new(r);
}
