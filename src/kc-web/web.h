/*
 * web.h - kc-web's internals: the server's configuration, the HTTP
 * plumbing shared by its handlers (serve.c), the JSON API over kc-db
 * (api.c), what it reads of the database itself (rows.c), a clip's
 * files by its database row (media.c), the jobs that run kc-clip and
 * kc-cut (jobs.c) and what each kind of job runs (jobopts.c).
 */
#ifndef KC_WEB_H
#define KC_WEB_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>
#include <microhttpd.h>

/* Largest request body accepted (JSON of a job or a rating). */
#define WEB_MAX_BODY	(64 * 1024)

struct web {
	char db[PATH_MAX];	/* the clip database, passed to kc-db/kc-clip */
	char clips[PATH_MAX];	/* where Generate cuts clips, real path */
	char statics[PATH_MAX];	/* the page's files, real path */
	char host[64];		/* numeric listen address as in URLs */
	int port;		/* actual listen port */
	int loopback;		/* bound to a loopback address */
	int no_config;		/* --no-config: passed on to kc-db, kc-clip */
};

extern struct web W;

/* One request: its body as it arrives (serve.c). */
struct req {
	char *body;
	size_t len, cap;
	int too_big;
};

/* serve.c: responses.  Each queues the response and returns MHD's result. */
enum MHD_Result web_json(struct MHD_Connection *c, unsigned status,
    json_t *body);	/* steals body */
enum MHD_Result web_error(struct MHD_Connection *c, unsigned status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A file under root (a real path) named by rel (decoded URL path without
 * the leading '/'); Range requests answered with 206. */
enum MHD_Result web_file(struct MHD_Connection *c, const char *root,
    const char *rel);
/* The regular file at exactly path (absolute, as a database row names
 * it, no symlink on the way), with Range; download: as an attachment. */
enum MHD_Result web_path(struct MHD_Connection *c, const char *path,
    int download);
/* The path of program name: beside kc-web if there, else name (PATH).
 * main() asks for each program once before the threads start. */
const char *web_tool(const char *name);

/* serve.c: MHD's access handler and request-completed callback. */
enum MHD_Result web_handler(void *cls, struct MHD_Connection *c,
    const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_size, void **state);
size_t web_unescape(void *cls, struct MHD_Connection *c, char *s);
void web_done(void *cls, struct MHD_Connection *c, void **state,
    enum MHD_RequestTerminationCode why);

/* api.c: the routes under /api/ except jobs. */
enum MHD_Result api_route(struct MHD_Connection *c, const char *method,
    const char *path, struct req *r);
/* Parses an id path element ("12"): 0 and the id, -1 when not one. */
int api_id(const char *s, long *id);
/*
 * Runs kc-db with args after "--db DB" (at most 12).  Returns the exit
 * code (0 ok, 1 data, 2 usage, 128+N signal) with stdout in *out
 * (malloc'd, also on failure) and the last line of stderr in err, or -1
 * when it could not run.
 */
int api_kcdb(const char *const *args, char **out, char *err, size_t errlen);
/* Clip id's record as kc-db list --json --id writes it: 0 and *rec, 1
 * when there is no such clip, -1 on failure (why in err). */
int api_clip(long id, json_t **rec, char *err, size_t errlen);
/* The request body as a JSON object, or NULL (an error answer queued
 * into *res). */
json_t *api_body(struct MHD_Connection *c, struct req *r,
    enum MHD_Result *res);

/* rows.c: a clip's row, as far as kc-web needs it. */
struct web_row {
	char path[PATH_MAX];	/* the clip */
	char poster[PATH_MAX];	/* "" when none */
	char vertical[PATH_MAX];	/* "" when none */
	int rating;		/* latest stars, 0: unrated */
};
/* Clip id's row, read through the database library: 0, 1 when there is
 * no such clip (or no database), -1 on failure (why in err). */
int rows_get(long id, struct web_row *row, char *err, size_t errlen);
/* The id of the clip stored last, 0 when none (or on failure). */
long long rows_last(void);
/* media.c: GET /media/ID/WHAT, path after "/media". */
enum MHD_Result media_route(struct MHD_Connection *c, const char *path);
/* A clip record made ready for the page, in place: features dropped (not
 * shown; large), and the URLs of its files added: src (null without an
 * id), poster_src, strip_src, vertical_src (null when it has none). */
void media_urls(json_t *rec);

/* jobopts.c: what a job runs.  argv strings point into the options the
 * spec was made from (and num[]): those must outlive the spawn. */
#define JOB_MAXARGS	48
struct jobspec {
	const char *kind;	/* generate, analyse, cut, vertical */
	const char *argv[2][JOB_MAXARGS];	/* a command, or two piped */
	int ncmd;
	char num[8][32];	/* numbers' text */
	FILE *in;		/* the first command's stdin (a temporary
				   file), or NULL: /dev/null */
};
/* A generate job, or with "analyse": true an analysis alone. */
int jobopts_generate(const json_t *o, struct jobspec *s, char *why,
    size_t n);
/* A cut of the highlights o picks from an analysis's stream record and
 * highlight records (hls). */
int jobopts_cut(const json_t *o, const json_t *stream, const json_t *hls,
    struct jobspec *s, char *why, size_t n);
/* A 9:16 export of clip (its kc-db list --json record). */
int jobopts_vertical(const json_t *o, const json_t *clip,
    struct jobspec *s, char *why, size_t n);

/* jobs.c: jobs (kc-clip, kc-cut | kc-db add children). */
enum MHD_Result jobs_route(struct MHD_Connection *c, const char *method,
    const char *path, struct req *r);
/* POST /api/clips/ID/vertical: a job exporting clip id as 9:16. */
enum MHD_Result jobs_vertical(struct MHD_Connection *c, long id,
    struct req *r);
/* Cancels every running job and waits for it (at shutdown). */
void jobs_shutdown(void);

#endif
