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
load_set(json_t *obj, const char *kind, struct kc_weightset *s, char *err,
    size_t errlen)
{
	const char *name;
	json_t *v, *w, *fl;

	memset(s, 0, sizeof(*s));
	if (obj == NULL)
		return 0;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "\"%s\" is not an object", kind);
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
		w = json_object_get(v, "w");
		fl = json_object_get(v, "floor");
		if (!json_is_number(w) || !isfinite(json_number_value(w)) ||
		    (fl && (!json_is_number(fl) ||
		    !(json_number_value(fl) > 0)))) {
			snprintf(err, errlen, "\"%s\".\"%s\": want {\"w\": "
			    "number, \"floor\": positive number}", kind, name);
			return -1;
		}
		snprintf(s->f[s->n].name, sizeof(s->f[s->n].name), "%s", name);
		s->f[s->n].w = json_number_value(w);
		s->f[s->n].floor = fl ? json_number_value(fl) : 1e-9;
		s->wsum += fabs(s->f[s->n].w);
		s->n++;
	}
	return 0;
}

int
kc_weights_load(const char *path, kc_weights *w, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *z;
	int rc = -1;

	memset(w, 0, sizeof(*w));
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	if (json_number_value(json_object_get(root, "version")) != 1) {
		snprintf(err, errlen, "%s: want \"version\": 1", path);
		goto out;
	}
	w->zlo = -3;
	w->zhi = 6;
	z = json_object_get(root, "z");
	if (z) {
		if (!json_is_array(z) || json_array_size(z) != 2 ||
		    !json_is_number(json_array_get(z, 0)) ||
		    !json_is_number(json_array_get(z, 1)) ||
		    !(json_number_value(json_array_get(z, 0)) < 0) ||
		    !(json_number_value(json_array_get(z, 1)) > 0)) {
			snprintf(err, errlen, "%s: \"z\" must be [negative, "
			    "positive]", path);
			goto out;
		}
		w->zlo = json_number_value(json_array_get(z, 0));
		w->zhi = json_number_value(json_array_get(z, 1));
	}
	if (load_set(json_object_get(root, "audio"), "audio", &w->audio, err,
	    errlen) != 0 || load_set(json_object_get(root, "video"), "video",
	    &w->video, err, errlen) != 0)
		goto out;
	if (w->audio.wsum == 0 && w->video.wsum == 0) {
		snprintf(err, errlen, "%s: no non-zero weights", path);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}
