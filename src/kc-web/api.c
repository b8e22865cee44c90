/*
 * api.c - kc-web's JSON API over the clip database: the clips (filtered
 * and sorted, or one), rating, taking a rating back, deleting and the
 * statistics.  Every change goes through a kc-db child (argv, never a
 * shell), so kc-db's own rules hold: a rating is one committed row, a
 * delete takes the file and the row together, and concurrent writers wait
 * on SQLite's busy timeout.  Every input is checked here first; a bad one
 * is a 400 and no child runs.
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

int
api_kcdb(const char *const *args, char **out, char *err, size_t errlen)
{
	const char *argv[20];
	int n = 0, st;

	argv[n++] = web_tool("kc-db");
	if (W.no_config)
		argv[n++] = "--no-config";
	argv[n++] = "--db";
	argv[n++] = W.db;
	while (*args && n < 19)
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

/* Does clip id exist?  1 yes, 0 no, -1 cannot tell (why in err). */
static int
exists(long id, int *rating, char *err, size_t errlen)
{
	struct web_row *row;
	int rc;

	if ((row = malloc(sizeof(*row))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = rows_get(id, row, err, errlen);
	if (rating)
		*rating = rc == 0 ? row->rating : 0;
	free(row);
	return rc < 0 ? -1 : rc == 0;
}

int
api_clip(long id, json_t **rec, char *err, size_t errlen)
{
	const char *args[5];
	char ids[32], *out = NULL;
	int rc;

	snprintf(ids, sizeof(ids), "%ld", id);
	args[0] = "list";
	args[1] = "--json";
	args[2] = "--id";
	args[3] = ids;
	args[4] = NULL;
	*rec = NULL;
	rc = api_kcdb(args, &out, err, errlen);
	if (rc == 0 && (*rec = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL))
	    == NULL)
		snprintf(err, errlen, "kc-db list --id %ld: not a record", id);
	free(out);
	if (rc == 0)
		return *rec ? 0 : -1;
	/* no clip, or a failure: the database says which */
	return rc == 1 && exists(id, NULL, err, errlen) == 0 ? 1 : -1;
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
	char err[1024], *out = NULL, *line, *nl;
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
	if ((rc = api_kcdb(args, &out, err, sizeof(err))) != 0) {
		free(out);
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
	}
	arr = json_array();
	for (line = out; line && *line; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if ((rec = json_loads(line, 0, NULL)) == NULL)
			continue;
		media_urls(rec);
		json_array_append_new(arr, rec);
	}
	free(out);
	return web_json(c, MHD_HTTP_OK, json_pack("{s:o}", "clips", arr));
}

/* A kc-db failure about clip id as an answer: a clip that is not there
 * is a 404 (the database says so, not kc-db's message). */
static enum MHD_Result
db_failed(struct MHD_Connection *c, long id, int rc, const char *err)
{
	char why[1024];

	if (rc == 1 && exists(id, NULL, why, sizeof(why)) == 0)
		return web_error(c, MHD_HTTP_NOT_FOUND, "no clip %ld", id);
	return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
}

/* GET /api/clips/ID: the clip as GET /api/clips lists it. */
static enum MHD_Result
one_clip(struct MHD_Connection *c, long id)
{
	char err[2048];
	json_t *rec;
	int rc;

	if ((rc = api_clip(id, &rec, err, sizeof(err))) != 0)
		return rc > 0 ? web_error(c, MHD_HTTP_NOT_FOUND, "no clip %ld",
		    id) : web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
	media_urls(rec);
	return web_json(c, MHD_HTTP_OK, rec);
}

/* POST /api/clips/ID/undo: kc-db undo ID; answers the clip with the
 * rating it has now.  A clip without a rating to take back is a 409. */
static enum MHD_Result
undo(struct MHD_Connection *c, long id)
{
	const char *args[3];
	char ids[32], err[2048], why[1024], *out = NULL;
	int rc, rating, there;

	snprintf(ids, sizeof(ids), "%ld", id);
	args[0] = "undo";
	args[1] = ids;
	args[2] = NULL;
	rc = api_kcdb(args, &out, err, sizeof(err));
	free(out);
	if (rc == 1 && (there = exists(id, &rating, why, sizeof(why))) >= 0) {
		if (there == 0)
			return web_error(c, MHD_HTTP_NOT_FOUND, "no clip %ld",
			    id);
		if (rating == 0)
			return web_error(c, MHD_HTTP_CONFLICT, "clip %ld has no "
			    "rating to take back", id);
	}
	if (rc != 0)
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
	return one_clip(c, id);
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
	rc = api_kcdb(args, &out, err, sizeof(err));
	free(out);
	if (rc != 0)
		return db_failed(c, id, rc, err);
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
	rc = api_kcdb(args, &out, err, sizeof(err));
	free(out);
	if (rc != 0)
		return db_failed(c, id, rc, err);
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

	if ((rc = api_kcdb(args, &out, err, sizeof(err))) != 0) {
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
	if (rest == NULL)
		return get ? one_clip(c, id) : strcmp(method, "DELETE") == 0 ?
		    delete(c, id) : web_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "%s not allowed", method);
	if (strcmp(rest, "/rate") && strcmp(rest, "/undo") && strcmp(rest,
	    "/vertical"))
		return web_error(c, MHD_HTTP_NOT_FOUND, "no such API");
	if (strcmp(method, "POST") != 0)
		return web_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "%s not allowed", method);
	if (strcmp(rest, "/rate") == 0)
		return rate(c, id, r);
	if (strcmp(rest, "/undo") == 0)
		return undo(c, id);
	return jobs_vertical(c, id, r);
}
