/*
 * api.c - kc-web's JSON API over the clip database: the clips (filtered
 * and sorted), rating, deleting and the statistics.  Every change goes
 * through a kc-db child (argv, never a shell), so kc-db's own rules hold:
 * a rating is one committed row, a delete takes the file and the row
 * together, and concurrent writers wait on SQLite's busy timeout.
 * Every input is checked here first; a bad one is a 400 and no child runs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"
#include "rec.h"
#include "spawn.h"
#include "web.h"

#define MAXOUT	(64L * 1024 * 1024)	/* largest kc-db answer read */

int
api_id(const char *s, long *id)
{
	const char *why;

	return kc_parse_long(s, 1, LONG_MAX, id, &why);
}

json_t *
api_body(struct MHD_Connection *c, struct req *r, enum MHD_Result *res)
{
	json_error_t e;
	json_t *j;

	j = json_loadb(r->body ? r->body : "", r->len, JSON_REJECT_DUPLICATES,
	    &e);
	if (j == NULL) {
		*res = web_error(c, MHD_HTTP_BAD_REQUEST, "body: %s", e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*res = web_error(c, MHD_HTTP_BAD_REQUEST,
		    "body: want a JSON object");
		return NULL;
	}
	return j;
}

/*
 * Runs kc-db with args after "--db DB".  Returns the exit code (0 ok,
 * 1 data, 2 usage, 128+N signal) with stdout in *out (malloc'd) and the
 * tail of stderr in err, or -1 when it could not run.
 */
static int
kcdb(const char *const *args, char **out, char *err, size_t errlen)
{
	const char *argv[16];
	int n = 0, st;

	argv[n++] = web_tool("kc-db");
	if (W.no_config)
		argv[n++] = "--no-config";
	argv[n++] = "--db";
	argv[n++] = W.db;
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	*out = NULL;
	if (kc_run_capture(argv, MAXOUT, out, NULL, err, errlen, &st) != 0) {
		snprintf(err, errlen, "cannot run kc-db: %s", strerror(errno));
		return -1;
	}
	kc_last_line(err);
	return kc_status_code(st);
}

static const char *
arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    name);

	return v && *v ? v : NULL;
}

/* GET /api/clips?kind=&rating=&stream=&sort=&limit= */
static enum MHD_Result
list_clips(struct MHD_Connection *c)
{
	const char *args[16], *kind, *rating, *stream, *sort, *limit;
	char err[1024], *out = NULL, *line, *nl, *src;
	json_t *arr, *rec;
	long v;
	int n = 0, rc;

	kind = arg(c, "kind");
	rating = arg(c, "rating");
	stream = arg(c, "stream");
	sort = arg(c, "sort");
	limit = arg(c, "limit");
	args[n++] = "list";
	args[n++] = "--json";
	if (kind && kc_rec_kind(kind) < 0)
		return web_error(c, MHD_HTTP_BAD_REQUEST,
		    "kind: want " KC_REC_KINDS_TEXT);
	if (kind) {
		args[n++] = "--kind";
		args[n++] = kind;
	}
	if (rating && strcmp(rating, "unrated") == 0)
		args[n++] = "--unrated";
	else if (rating && strcmp(rating, "rated") == 0)
		args[n++] = "--rated";
	else if (rating) {
		if (api_id(rating, &v) != 0 || v > 5)
			return web_error(c, MHD_HTTP_BAD_REQUEST, "rating: want "
			    "unrated, rated or a minimum of 1-5 stars");
		args[n++] = "--min-stars";
		args[n++] = rating;
	}
	if (stream) {
		if (strlen(stream) > 4096 || stream[0] == '-')
			return web_error(c, MHD_HTTP_BAD_REQUEST,
			    "stream: want a stream id or URL");
		args[n++] = "--stream";
		args[n++] = stream;
	}
	if (sort && strcmp(sort, "score") && strcmp(sort, "date") &&
	    strcmp(sort, "time") && strcmp(sort, "informative"))
		return web_error(c, MHD_HTTP_BAD_REQUEST,
		    "sort: want score, date, time or informative");
	if (sort && strcmp(sort, "informative") == 0 && rating &&
	    strcmp(rating, "unrated") != 0)
		return web_error(c, MHD_HTTP_BAD_REQUEST,
		    "sort=informative lists unrated clips only");
	if (sort) {
		args[n++] = "--sort";
		args[n++] = sort;
	}
	if (limit) {
		if (api_id(limit, &v) != 0 || v > 100000)
			return web_error(c, MHD_HTTP_BAD_REQUEST,
			    "limit: want 1-100000");
		args[n++] = "--limit";
		args[n++] = limit;
	}
	args[n] = NULL;
	if ((rc = kcdb(args, &out, err, sizeof(err))) != 0) {
		free(out);
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
	}
	arr = json_array();
	for (line = out; line && *line; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if ((rec = json_loads(line, 0, NULL)) == NULL)
			continue;
		json_object_del(rec, "features");	/* not shown; large */
		if ((src = web_clip_src(json_string_value(json_object_get(rec,
		    "path")))) != NULL) {
			json_object_set_new(rec, "src", json_string(src));
			free(src);
		} else
			json_object_set_new(rec, "src", json_null());
		json_array_append_new(arr, rec);
	}
	free(out);
	return web_json(c, MHD_HTTP_OK, json_pack("{s:o}", "clips", arr));
}

/* A kc-db failure as an answer: "no clip" is a 404. */
static enum MHD_Result
db_failed(struct MHD_Connection *c, int rc, const char *err)
{
	if (rc == 1 && strstr(err, "no clip"))
		return web_error(c, MHD_HTTP_NOT_FOUND, "%s", err);
	return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
}

/* POST /api/clips/ID/rate {"stars": 1-5} */
static enum MHD_Result
rate(struct MHD_Connection *c, long id, struct req *r)
{
	enum MHD_Result res;
	const char *args[4];
	char ids[32], ss[8], err[2048], *out = NULL;
	json_t *body, *s;
	json_int_t stars;
	int rc;

	if ((body = api_body(c, r, &res)) == NULL)
		return res;
	s = json_object_get(body, "stars");
	if (!json_is_integer(s) || (stars = json_integer_value(s)) < 1 ||
	    stars > 5) {
		json_decref(body);
		return web_error(c, MHD_HTTP_BAD_REQUEST,
		    "stars: want an integer 1-5");
	}
	json_decref(body);
	snprintf(ids, sizeof(ids), "%ld", id);
	snprintf(ss, sizeof(ss), "%d", (int)stars);
	args[0] = "rate";
	args[1] = ids;
	args[2] = ss;
	args[3] = NULL;
	rc = kcdb(args, &out, err, sizeof(err));
	free(out);
	if (rc != 0)
		return db_failed(c, rc, err);
	/* kc-db rate says on stderr when the rating retrained the model
	 * ("retrained the model after N ratings"; a failed retraining says
	 * "retraining ... failed" and is only a note) */
	return web_json(c, MHD_HTTP_OK, json_pack("{s:i, s:i, s:s?, s:b}",
	    "id", (json_int_t)id, "stars", (int)stars, "note", *err ? err :
	    NULL, "retrained", strcasestr(err, "retrained") != NULL));
}

/* DELETE /api/clips/ID: the row, its ratings and its file. */
static enum MHD_Result
delete(struct MHD_Connection *c, long id)
{
	const char *args[3];
	char ids[32], err[2048], *out = NULL;
	int rc;

	snprintf(ids, sizeof(ids), "%ld", id);
	args[0] = "delete";
	args[1] = ids;
	args[2] = NULL;
	rc = kcdb(args, &out, err, sizeof(err));
	free(out);
	if (rc != 0)
		return db_failed(c, rc, err);
	return web_json(c, MHD_HTTP_OK, json_pack("{s:i, s:s?}", "deleted",
	    (json_int_t)id, "note", *err ? err : NULL));
}

/* GET /api/stats: kc-db stats --json as it is. */
static enum MHD_Result
stats(struct MHD_Connection *c)
{
	static const char *const args[] = { "stats", "--json", NULL };
	char err[2048], *out = NULL;
	json_t *j;
	int rc;

	if ((rc = kcdb(args, &out, err, sizeof(err))) != 0) {
		free(out);
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
	}
	j = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
	free(out);
	if (j == NULL)
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "kc-db stats: not JSON");
	return web_json(c, MHD_HTTP_OK, j);
}

enum MHD_Result
api_route(struct MHD_Connection *c, const char *method, const char *path,
    struct req *r)
{
	char idbuf[32];
	const char *rest;
	size_t n;
	long id;
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (strcmp(path, "/clips") == 0)
		return get ? list_clips(c) : web_error(c,
		    MHD_HTTP_METHOD_NOT_ALLOWED, "%s not allowed", method);
	if (strcmp(path, "/stats") == 0)
		return get ? stats(c) : web_error(c,
		    MHD_HTTP_METHOD_NOT_ALLOWED, "%s not allowed", method);
	if (strncmp(path, "/clips/", 7) != 0)
		return web_error(c, MHD_HTTP_NOT_FOUND, "no such API: %s", path);
	path += 7;
	rest = strchr(path, '/');
	n = rest ? (size_t)(rest - path) : strlen(path);
	if (n >= sizeof(idbuf))
		return web_error(c, MHD_HTTP_BAD_REQUEST, "bad clip id");
	memcpy(idbuf, path, n);
	idbuf[n] = '\0';
	if (api_id(idbuf, &id) != 0)
		return web_error(c, MHD_HTTP_BAD_REQUEST, "bad clip id '%s'",
		    idbuf);
	if (rest == NULL && strcmp(method, "DELETE") == 0)
		return delete(c, id);
	if (rest && strcmp(rest, "/rate") == 0 && strcmp(method, "POST") == 0)
		return rate(c, id, r);
	if (rest == NULL || strcmp(rest, "/rate") == 0)
		return web_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "%s not allowed", method);
	return web_error(c, MHD_HTTP_NOT_FOUND, "no such API");
}
