/*
 * web.h - kc-web's internals: the server's configuration, the HTTP
 * plumbing shared by its handlers (serve.c), the JSON API over kc-db
 * (api.c) and the generate jobs that run kc-clip (jobs.c).
 */
#ifndef KC_WEB_H
#define KC_WEB_H

#include <limits.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

/* Largest request body accepted (JSON of a job or a rating). */
#define WEB_MAX_BODY	(64 * 1024)

struct web {
	char db[PATH_MAX];	/* the clip database, passed to kc-db/kc-clip */
	char clips[PATH_MAX];	/* the clips folder, real path (no symlinks) */
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
    const char *rel, int download);
/* The URL of a file under the clips folder ("/clips/..."), or NULL. */
char *web_clip_src(const char *path);
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
/* The request body as a JSON object, or NULL (an error answer queued
 * into *res). */
json_t *api_body(struct MHD_Connection *c, struct req *r,
    enum MHD_Result *res);

/* jobs.c: generate jobs (kc-clip children). */
enum MHD_Result jobs_route(struct MHD_Connection *c, const char *method,
    const char *path, struct req *r);
/* Cancels every running job and waits for it (at shutdown). */
void jobs_shutdown(void);

#endif
