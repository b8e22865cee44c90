/*
 * rows.c - what kc-web reads of the database itself, through the library
 * that kc-db uses: a clip's row by id (the paths of its files, for every
 * file request, and whether it is there at all, for the answers to
 * changes kc-db made or refused), and the newest clip's id.  Read only;
 * lookups this frequent would be a kc-db child each, and a child's exit
 * status cannot tell "no such clip" from a failure.  Everything that
 * changes the database, and the clip records the page shows, still come
 * from kc-db (api.c).
 */
#include <limits.h>
#include <stdio.h>

#include "db.h"
#include "web.h"

/* Copies s into a row field ("" for NULL); -1 when it does not fit. */
static int
keep(char *dst, const char *s)
{
	return snprintf(dst, PATH_MAX, "%s", s ? s : "") < PATH_MAX ? 0 : -1;
}

/* The first clip f lists into row (or only its id into *id): 0, 1 when
 * there is none (or no database), -1 on failure. */
static int
first(const kc_db_filter *f, struct web_row *row, long long *id, char *err,
    size_t errlen)
{
	kc_db_iter *it = NULL;
	kc_db_clip c;
	kc_db *db = NULL;
	int rc;

	if ((rc = kc_db_open(&db, W.db, 0, err, errlen)) != KC_DB_OK)
		return rc == KC_DB_NOTFOUND ? 1 : -1;
	if (kc_db_list(db, f, &it) != KC_DB_OK ||
	    (rc = kc_db_next(it, &c)) < 0) {
		snprintf(err, errlen, "%s: %s", W.db, kc_db_error(db));
		rc = -1;
	} else if (rc == 0)
		rc = 1;
	else if (row && (keep(row->path, c.path) || keep(row->poster,
	    c.poster) || keep(row->vertical, c.vertical_path))) {
		snprintf(err, errlen, "clip %lld: a path too long", c.id);
		rc = -1;
	} else {
		if (row)
			row->rating = c.rating;
		if (id)
			*id = c.id;
		rc = 0;
	}
	kc_db_iter_free(it);
	kc_db_close(db);
	return rc;
}

int
rows_get(long id, struct web_row *row, char *err, size_t errlen)
{
	kc_db_filter f = { .id = id };

	return first(&f, row, NULL, err, errlen);
}

long long
rows_last(void)
{
	kc_db_filter f = { .sort = KC_DB_SORT_DATE, .limit = 1 };
	long long id = 0;
	char err[256];

	/* ids only grow (never handed out again), and the newest is the
	 * last stored */
	return first(&f, NULL, &id, err, sizeof(err)) == 0 ? id : 0;
}
