/*
 * weights.c - parses the heuristic weights file (see weights.h) and checks
 * it, so a typo in a hand-tuned file is an error, not a silent zero.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "weights.h"

static int
num(json_t *v, double *out)
{
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int
load_features(json_t *obj, const char *kind, struct kc_weightset *s,
    char *err, size_t errlen)
{
	const char *name;
	json_t *v, *fl;

	if (!json_is_object(obj)) {
		snprintf(err, errlen, "\"%s\": \"features\" must be an object",
		    kind);
		return -1;
	}
	json_object_foreach(obj, name, v) {
		if (s->n == KC_WEIGHTS_MAX) {
			snprintf(err, errlen, "\"%s\": more than %d features",
			    kind, KC_WEIGHTS_MAX);
			return -1;
		}
		if (strlen(name) >= sizeof(s->f[0].name)) {
			snprintf(err, errlen, "\"%s\": name too long: %s",
			    kind, name);
			return -1;
		}
		fl = json_object_get(v, "floor");
		if (num(json_object_get(v, "w"), &s->f[s->n].w) != 0 ||
		    (fl && (num(fl, &s->f[s->n].floor) != 0 ||
		    !(s->f[s->n].floor > 0)))) {
			snprintf(err, errlen, "\"%s\".\"%s\": want {\"w\": "
			    "number, \"floor\": positive number}", kind, name);
			return -1;
		}
		if (!fl)
			s->f[s->n].floor = 1e-9;
		snprintf(s->f[s->n].name, sizeof(s->f[s->n].name), "%s", name);
		s->wsum += fabs(s->f[s->n].w);
		s->n++;
	}
	return 0;
}

static int
load_set(json_t *obj, const char *kind, struct kc_weightset *s, char *err,
    size_t errlen)
{
	json_t *v, *g;
	const char *str;

	memset(s, 0, sizeof(*s));
	s->norm = KC_NORM_ROBUST;
	s->zlo = -3;
	s->zhi = 6;
	s->live_floor = 0.05;
	if (obj == NULL)
		return 0;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "\"%s\" is not an object", kind);
		return -1;
	}
	if ((v = json_object_get(obj, "norm")) != NULL) {
		str = json_string_value(v);
		if (str && strcmp(str, "robust") == 0)
			s->norm = KC_NORM_ROBUST;
		else if (str && strcmp(str, "rank") == 0)
			s->norm = KC_NORM_RANK;
		else {
			snprintf(err, errlen, "\"%s\".\"norm\" must be "
			    "\"robust\" or \"rank\"", kind);
			return -1;
		}
	}
	if ((v = json_object_get(obj, "z")) != NULL &&
	    (!json_is_array(v) || json_array_size(v) != 2 ||
	    num(json_array_get(v, 0), &s->zlo) != 0 ||
	    num(json_array_get(v, 1), &s->zhi) != 0 ||
	    !(s->zlo < 0) || !(s->zhi > 0))) {
		snprintf(err, errlen, "\"%s\".\"z\" must be [negative, "
		    "positive]", kind);
		return -1;
	}
	if ((v = json_object_get(obj, "live_floor")) != NULL &&
	    (num(v, &s->live_floor) != 0 || !(s->live_floor > 0))) {
		snprintf(err, errlen, "\"%s\".\"live_floor\" must be a "
		    "positive number", kind);
		return -1;
	}
	if ((g = json_object_get(obj, "gate")) != NULL) {
		str = json_string_value(json_object_get(g, "feature"));
		if (str == NULL || *str == '\0' || strlen(str) >=
		    sizeof(s->gate) || num(json_object_get(g, "abs"),
		    &s->gate_abs) != 0 || num(json_object_get(g, "rel"),
		    &s->gate_rel) != 0) {
			snprintf(err, errlen, "\"%s\".\"gate\": want {\"feature\":"
			    " name, \"abs\": number, \"rel\": number}", kind);
			return -1;
		}
		snprintf(s->gate, sizeof(s->gate), "%s", str);
	}
	return load_features(json_object_get(obj, "features"), kind, s, err,
	    errlen);
}

int
kc_weights_load(const char *path, kc_weights *w, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	int rc = -1;

	memset(w, 0, sizeof(*w));
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		if (jerr.line > 0)
			snprintf(err, errlen, "%s:%d: %s", path, jerr.line,
			    jerr.text);
		else
			snprintf(err, errlen, "%s: %s", path, jerr.text);
		return -1;
	}
	if (!json_is_object(root) ||
	    json_number_value(json_object_get(root, "version")) != 1) {
		snprintf(err, errlen, "%s: want \"version\": 1", path);
		goto out;
	}
	if (load_set(json_object_get(root, "audio"), "audio", &w->audio, err,
	    errlen) != 0 || load_set(json_object_get(root, "video"), "video",
	    &w->video, err, errlen) != 0) {
		/* prefix the file name to the reason */
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
		goto out;
	}
	if (w->audio.wsum == 0 && w->video.wsum == 0) {
		snprintf(err, errlen, "%s: no non-zero weights", path);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

const struct kc_weight *
kc_weight_of(const struct kc_weightset *ws, const char *name)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		if (ws->f[i].w != 0 && strcmp(ws->f[i].name, name) == 0)
			return &ws->f[i];
	return NULL;
}
