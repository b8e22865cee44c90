/*
 * rec.c - the JSON Lines reader and writer behind every kc filter.  Parsing
 * is jansson's; this file adds line framing, locations for messages, the
 * "type" check and the raw line for byte-exact pass-through.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"

struct kc_reader {
	FILE *fp;
	char *name;
	char *line;		/* getline buffer */
	size_t cap;
	size_t len;		/* length of the current line, no '\n' */
	long lineno;
	char where[300];
	char err[300];
};

kc_reader *
kc_reader_new(FILE *fp, const char *name)
{
	kc_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->name = strdup(name ? name : "<stdin>")) == NULL) {
		free(r);
		return NULL;
	}
	r->fp = fp;
	return r;
}

void
kc_reader_free(kc_reader *r)
{
	if (r == NULL)
		return;
	free(r->line);
	free(r->name);
	free(r);
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int
kc_reader_next(kc_reader *r, json_t **rec)
{
	json_error_t jerr;
	json_t *j, *type;
	ssize_t n;

	*rec = NULL;
	r->err[0] = '\0';
	for (;;) {
		errno = 0;
		n = getline(&r->line, &r->cap, r->fp);
		if (n < 0) {
			r->len = 0;
			if (ferror(r->fp)) {
				snprintf(r->err, sizeof(r->err), "read error: %s",
				    strerror(errno ? errno : EIO));
				return -1;
			}
			return 0;
		}
		r->lineno++;
		if (n > 0 && r->line[n - 1] == '\n')
			r->line[--n] = '\0';
		r->len = (size_t)n;
		if (n > KC_REC_MAX_LINE) {
			snprintf(r->err, sizeof(r->err),
			    "record line longer than %ld bytes", KC_REC_MAX_LINE);
			return -1;
		}
		if (!blank(r->line, r->len))
			break;
	}
	j = json_loadb(r->line, r->len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		snprintf(r->err, sizeof(r->err),
		    "malformed record (column %d: %s)", jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(r->err, sizeof(r->err),
		    "malformed record (not a JSON object)");
		return -1;
	}
	type = json_object_get(j, "type");
	if (!json_is_string(type) || json_string_length(type) == 0) {
		json_decref(j);
		snprintf(r->err, sizeof(r->err),
		    "malformed record (no string \"type\")");
		return -1;
	}
	*rec = j;
	return 1;
}

const char *
kc_reader_error(const kc_reader *r)
{
	return r->err;
}

const char *
kc_reader_where(const kc_reader *r)
{
	kc_reader *w = (kc_reader *)r;	/* location text is a cache */

	snprintf(w->where, sizeof(w->where), "%s:%ld", r->name, r->lineno);
	return w->where;
}

const char *
kc_reader_raw(const kc_reader *r)
{
	return r->line ? r->line : "";
}

size_t
kc_reader_rawlen(const kc_reader *r)
{
	return r->len;
}

const char *
kc_rec_type(const json_t *rec)
{
	return json_string_value(json_object_get(rec, "type"));
}

const char *
kc_rec_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

int
kc_rec_num(const json_t *rec, const char *key, double *out)
{
	json_t *v = json_object_get(rec, key);

	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

int
kc_rec_bool(const json_t *rec, const char *key, int *out)
{
	json_t *v = json_object_get(rec, key);

	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

json_t *
kc_rec_new(const char *type)
{
	json_t *j = json_object();

	if (j && json_object_set_new(j, "type", json_string(type)) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int
kc_rec_write(FILE *fp, const json_t *rec)
{
	char *s;
	size_t n;
	int rc = 0;

	if ((s = json_dumps(rec, KC_REC_DUMP_FLAGS)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	n = strlen(s);
	if (fwrite(s, 1, n, fp) != n || putc('\n', fp) == EOF)
		rc = -1;
	free(s);
	return rc;
}

json_t *
kc_json_num(double v)
{
	double m;
	int e;

	if (!isfinite(v))
		return json_null();
	if (v == 0)
		return json_real(0);
	/* keep 7 significant digits: plenty for features, short lines */
	e = (int)floor(log10(fabs(v)));
	m = pow(10, 6 - e);
	if (isfinite(m) && m > 0)
		v = round(v * m) / m;
	return json_real(v);
}
