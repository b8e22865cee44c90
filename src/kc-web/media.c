/*
 * media.c - a clip's files, named by its database row: GET /media/ID/clip
 * (the clip), /poster (its poster frame), /strip (its hover strip) and
 * /vertical (its 9:16 export), ?download=1 for an attachment.
 *
 * The URL names no path: the path is the row's (rows.c), so a clip
 * recorded anywhere plays and nothing else can be asked for.  The strip is the one
 * file the database does not name: kc-cut writes it beside the clip as
 * BASE.strip.jpg (BASE: the clip's path without ".mp4"), so that is the
 * path asked for.  serve.c opens a path only when it is a regular file at
 * exactly that path.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rec.h"
#include "web.h"

/* What a URL's last element names. */
enum { F_CLIP, F_POSTER, F_STRIP, F_VERTICAL, NFILES };
static const char *const files[NFILES] = {
	[F_CLIP] = "clip",
	[F_POSTER] = "poster",
	[F_STRIP] = "strip",
	[F_VERTICAL] = "vertical",
};

/* BASE.strip.jpg of the clip at path into buf, or NULL. */
static const char *
strip_of(const char *path, char *buf, size_t n)
{
	size_t len;

	if (path == NULL || (len = strlen(path)) < 5 || strcmp(path + len - 4,
	    ".mp4") || len - 4 + sizeof(".strip.jpg") > n)
		return NULL;
	snprintf(buf, n, "%.*s.strip.jpg", (int)(len - 4), path);
	return buf;
}

enum MHD_Result
media_route(struct MHD_Connection *c, const char *path)
{
	struct web_row *row;
	enum MHD_Result res;
	char idbuf[32], err[1024], buf[PATH_MAX];
	const char *rest, *file = NULL, *dl;
	size_t n, i;
	long id;
	int rc;

	if (*path++ != '/' || (rest = strchr(path, '/')) == NULL ||
	    (n = (size_t)(rest - path)) >= sizeof(idbuf))
		return web_error(c, MHD_HTTP_NOT_FOUND, "not found");
	memcpy(idbuf, path, n);
	idbuf[n] = '\0';
	if (api_id(idbuf, &id) != 0)
		return web_error(c, MHD_HTTP_NOT_FOUND, "not found");
	rest++;
	for (i = 0; i < NFILES; i++)
		if (strcmp(rest, files[i]) == 0)
			break;
	if (i == NFILES)
		return web_error(c, MHD_HTTP_NOT_FOUND, "not found");
	if ((row = malloc(sizeof(*row))) == NULL)
		return MHD_NO;
	if ((rc = rows_get(id, row, err, sizeof(err))) != 0) {
		free(row);
		return rc > 0 ? web_error(c, MHD_HTTP_NOT_FOUND, "no clip %ld",
		    id) : web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
	}
	if (i == F_CLIP)
		file = row->path;
	else if (i == F_POSTER)
		file = row->poster;
	else if (i == F_STRIP)
		file = strip_of(row->path, buf, sizeof(buf));
	else
		file = row->vertical;
	if (file == NULL || *file != '/') {
		free(row);
		return web_error(c, MHD_HTTP_NOT_FOUND, "clip %ld has no %s", id,
		    files[i]);
	}
	dl = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "download");
	res = web_path(c, file, dl != NULL);
	free(row);
	return res;
}

/* "/media/ID/what" into rec's key, or null. */
static void
set_url(json_t *rec, const char *key, json_int_t id, const char *what,
    int have)
{
	char url[64];

	snprintf(url, sizeof(url), "/media/%" JSON_INTEGER_FORMAT "/%s", id,
	    what);
	json_object_set_new(rec, key, have ? json_string(url) : json_null());
}

void
media_urls(json_t *rec)
{
	json_t *idv = json_object_get(rec, "id");
	json_int_t id = json_integer_value(idv);
	char buf[PATH_MAX];
	const char *strip, *poster, *vertical;
	struct stat st;
	int have = json_is_integer(idv) && id > 0;

	json_object_del(rec, "features");
	poster = kc_rec_str(rec, "poster");
	vertical = kc_rec_str(rec, "vertical_path");
	set_url(rec, "src", id, files[F_CLIP], have);
	set_url(rec, "poster_src", id, files[F_POSTER], have && poster);
	/* the one file no row names: offered only when it is there */
	strip = have ? strip_of(kc_rec_str(rec, "path"), buf, sizeof(buf)) :
	    NULL;
	set_url(rec, "strip_src", id, files[F_STRIP], strip && stat(strip,
	    &st) == 0 && S_ISREG(st.st_mode));
	set_url(rec, "vertical_src", id, files[F_VERTICAL], have && vertical);
}
