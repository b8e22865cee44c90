/*
 * serve.c - kc-web's HTTP plumbing: routing a request to the API, the
 * page's static files or a clip's files, bodies collected as they arrive,
 * JSON answers, and files served with Range so a video can seek.
 *
 * Two kinds of file are served, and nothing else.  The page's files lie
 * under the static folder: a path with an empty, "." or ".." element or a
 * hidden name is refused, and the file actually opened is checked,
 * through /proc/self/fd, to lie under that folder (a symlink pointing
 * outside is caught there, race-free).  A clip's files (media.c) are
 * named by a database row: the path opened must be the row's path
 * exactly, again as /proc/self/fd sees the file opened, so a symlink
 * anywhere on it (one swapped in for the clip, or a folder's) is refused.
 * Only regular files are opened for reading: a FIFO (or a symlink to one)
 * would block the opening thread until a writer came, and a device could
 * act on being opened.
 *
 * Requests whose headers could be read two ways are refused before
 * anything else: several Host headers (the Host check below would see
 * only the first), several Content-Length headers, or Content-Length with
 * Transfer-Encoding (where the body ends is then ambiguous).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "num.h"
#include "paths.h"
#include "rec.h"
#include "web.h"

static void
common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data:; "
	    "frame-ancestors 'none'");
}

static enum MHD_Result
queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result rc;

	if (resp == NULL)
		return MHD_NO;
	common_headers(resp);
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* body as the answer (stolen); close: the connection closes after it. */
static enum MHD_Result
json_answer(struct MHD_Connection *c, unsigned status, json_t *body,
    int close_conn)
{
	struct MHD_Response *resp;
	char *text;

	text = body ? json_dumps(body, KC_REC_DUMP_FLAGS) : NULL;
	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	    "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (close_conn)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	return queue(c, status, resp);
}

enum MHD_Result
web_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
	return json_answer(c, status, body, 0);
}

enum MHD_Result
web_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return web_json(c, status, json_pack("{s:s, s:i}", "error", msg,
	    "status", (int)status));
}

static const char *
mime_type(const char *name)
{
	static const struct { const char *ext, *type; } t[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },
		{ ".webp", "image/webp" },
		{ ".ico", "image/x-icon" },
		{ ".mp4", "video/mp4" },
		{ ".m4v", "video/mp4" },
		{ ".mkv", "video/x-matroska" },
		{ ".webm", "video/webm" },
		{ ".ts", "video/mp2t" },
	};
	size_t i, n = strlen(name), e;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = strlen(t[i].ext);
		if (n > e && strcasecmp(name + n - e, t[i].ext) == 0)
			return t[i].type;
	}
	return "application/octet-stream";
}

/* Every element non-empty, not "." or "..", not hidden; no backslash. */
static int
safe_rel(const char *rel)
{
	const char *p = rel, *e;

	if (*rel == '\0' || strlen(rel) >= PATH_MAX / 2)
		return 0;
	for (;;) {
		e = strchr(p, '/');
		if (e == p || *p == '.')
			return 0;	/* "//", "/x/" ok; ".", "..", ".x" not */
		if (e == NULL)
			break;
		p = e + 1;
	}
	return strchr(rel, '\\') == NULL;
}

/*
 * Where the file fd is open on may be served from: under root (its real
 * path) when root is not NULL, else exactly at exact.
 */
static int
placed(int fd, const char *root, const char *exact)
{
	char link[64], real[PATH_MAX];
	ssize_t n;
	size_t rl;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, real, sizeof(real) - 1)) < 0)
		return 0;
	real[n] = '\0';
	if (root == NULL)
		return strcmp(real, exact) == 0;
	rl = strlen(root);
	return strncmp(real, root, rl) == 0 && real[rl] == '/';
}

/*
 * Opens path for reading if it is a regular file where placed() allows:
 * the fd, and its stat in *st; -1 when there is no such regular file
 * (missing, a directory, FIFO, socket or device), -2 when it lies
 * elsewhere.  The name is first resolved with O_PATH, which opens nothing
 * (no blocking on a FIFO, no device acting on an open); for an exact
 * path also with O_NOFOLLOW, so a symlink in the last place is the link
 * itself (not a regular file).  Only after the checks is that same inode,
 * pinned by the O_PATH descriptor, opened through /proc/self/fd, and
 * O_NONBLOCK guards even that.
 */
static int
open_regular(const char *path, const char *root, struct stat *st)
{
	char link[64];
	struct stat again;
	int pfd, fd, fl;

	if ((pfd = open(path, O_PATH | O_CLOEXEC | (root ? 0 : O_NOFOLLOW)))
	    < 0)
		return -1;
	if (!placed(pfd, root, path)) {
		close(pfd);
		return -2;
	}
	if (fstat(pfd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(pfd);
		return -1;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	fd = open(link, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	close(pfd);
	if (fd < 0)
		return -1;
	if (fstat(fd, &again) != 0 || !S_ISREG(again.st_mode) ||
	    again.st_dev != st->st_dev || again.st_ino != st->st_ino ||
	    (fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		close(fd);
		return -1;
	}
	*st = again;
	return fd;
}

/*
 * "bytes=A-B", "bytes=A-", "bytes=-N" against a file of size: 1 and the
 * first and last byte, 0 when the header should be ignored (another unit,
 * several ranges), -1 when unsatisfiable.
 */
static int
parse_range(const char *h, uint64_t size, uint64_t *a, uint64_t *b)
{
	char *end;
	unsigned long long x, y;

	if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return 0;
	h += 6;
	while (*h == ' ')
		h++;
	errno = 0;
	if (*h == '-') {	/* the last N bytes */
		if (h[1] < '0' || h[1] > '9')
			return -1;
		y = strtoull(h + 1, &end, 10);
		if (errno || *end || y == 0 || size == 0)
			return -1;
		*a = y >= size ? 0 : size - y;
		*b = size - 1;
		return 1;
	}
	if (*h < '0' || *h > '9')
		return -1;
	x = strtoull(h, &end, 10);
	if (errno || *end != '-')
		return -1;
	h = end + 1;
	if (*h == '\0')
		y = size ? size - 1 : 0;
	else {
		if (*h < '0' || *h > '9')
			return -1;
		y = strtoull(h, &end, 10);
		if (errno || *end || y < x)
			return -1;
		if (y >= size)
			y = size - 1;
	}
	if (x >= size)
		return -1;
	*a = x;
	*b = y;
	return 1;
}

/* The open file fd (taken), named name, with Range. */
static enum MHD_Result
send_fd(struct MHD_Connection *c, int fd, const struct stat *st,
    const char *name, int download)
{
	struct MHD_Response *resp;
	char hdr[128], disp[PATH_MAX];
	const char *range, *base;
	uint64_t a = 0, b = 0;
	int rc = 0;
	unsigned status = MHD_HTTP_OK;

	range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	if (range)
		rc = parse_range(range, (uint64_t)st->st_size, &a, &b);
	if (rc < 0) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		snprintf(hdr, sizeof(hdr), "bytes */%jd",
		    (intmax_t)st->st_size);
		MHD_add_response_header(resp, "Content-Range", hdr);
		return queue(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp);
	}
	if (rc == 0) {
		a = 0;
		b = st->st_size ? (uint64_t)st->st_size - 1 : 0;
	} else
		status = MHD_HTTP_PARTIAL_CONTENT;
	resp = MHD_create_response_from_fd_at_offset64(st->st_size ? b - a + 1
	    : 0, fd, a);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	if (status == MHD_HTTP_PARTIAL_CONTENT) {
		snprintf(hdr, sizeof(hdr), "bytes %" PRIu64 "-%" PRIu64 "/%jd",
		    a, b, (intmax_t)st->st_size);
		MHD_add_response_header(resp, "Content-Range", hdr);
	}
	MHD_add_response_header(resp, "Accept-Ranges", "bytes");
	MHD_add_response_header(resp, "Content-Type", mime_type(name));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (download) {
		base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
		/* a clip's name is ours ([A-Za-z0-9_.-]); quote anything else */
		if (strpbrk(base, "\"\\\r\n;") == NULL && strlen(base) <
		    sizeof(disp) - 32) {
			snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
			    base);
			MHD_add_response_header(resp, "Content-Disposition", disp);
		} else
			MHD_add_response_header(resp, "Content-Disposition",
			    "attachment");
	}
	return queue(c, status, resp);
}

enum MHD_Result
web_file(struct MHD_Connection *c, const char *root, const char *rel)
{
	struct stat st;
	char path[PATH_MAX * 2];
	int fd;

	if (!safe_rel(rel))
		return web_error(c, MHD_HTTP_NOT_FOUND, "not found");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((fd = open_regular(path, root, &st)) < 0)
		return fd == -2 ? web_error(c, MHD_HTTP_FORBIDDEN, "forbidden") :
		    web_error(c, MHD_HTTP_NOT_FOUND, "not found");
	return send_fd(c, fd, &st, rel, 0);
}

enum MHD_Result
web_path(struct MHD_Connection *c, const char *path, int download)
{
	struct stat st;
	int fd;

	if (path == NULL || path[0] != '/' || strlen(path) >= PATH_MAX)
		return web_error(c, MHD_HTTP_NOT_FOUND, "not found");
	if ((fd = open_regular(path, NULL, &st)) < 0)
		return fd == -2 ? web_error(c, MHD_HTTP_FORBIDDEN, "forbidden: "
		    "the file is not at its recorded path") : web_error(c,
		    MHD_HTTP_NOT_FOUND, "not found");
	return send_fd(c, fd, &st, path, download);
}

const char *
web_tool(const char *name)
{
	/* filled by main() before any thread runs, read-only afterwards */
	static struct { const char *name; char path[PATH_MAX + 64]; } t[4];
	static char dir[PATH_MAX];
	static int have = -1, n;
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].path;
	if (have < 0)
		have = kc_exedir(dir, sizeof(dir)) == 0;
	if (n == (int)(sizeof(t) / sizeof(t[0])))
		return name;
	t[n].name = name;
	snprintf(t[n].path, sizeof(t[n].path), "%s/%s", dir, name);
	if (!have || access(t[n].path, X_OK) != 0)
		snprintf(t[n].path, sizeof(t[n].path), "%s", name);
	return t[n++].path;
}

/*
 * Requests that change something must come from our own page: JSON
 * bodies (a cross-site form cannot send one without a CORS preflight,
 * which we never grant) and, when the browser says where it comes from,
 * our own origin.  When bound to loopback the Host must be ours too, so a
 * DNS-rebinding page cannot reach us under a name of its own.
 */
static int
allowed(struct MHD_Connection *c, const char *method, const char **why)
{
	const char *host, *origin, *ct;
	char want[3][96];
	int i, ok = 0;

	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	if (W.loopback) {
		snprintf(want[0], sizeof(want[0]), "%s:%d", W.host, W.port);
		snprintf(want[1], sizeof(want[1]), "localhost:%d", W.port);
		snprintf(want[2], sizeof(want[2]), "%s", W.host);
		for (i = 0; i < 3 && host; i++)
			ok |= strcasecmp(host, want[i]) == 0;
		if (!ok) {
			*why = "Host header is not this server";
			return 0;
		}
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return 1;
	origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	if (origin && (host == NULL || strncmp(origin, "http://", 7) != 0 ||
	    strcasecmp(origin + 7, host) != 0)) {
		*why = "cross-origin request";
		return 0;
	}
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (strcmp(method, "DELETE") != 0 && (ct == NULL ||
	    strncasecmp(ct, "application/json", 16) != 0)) {
		*why = "the body must be application/json";
		return 0;
	}
	return 1;
}

static enum MHD_Result
route(struct MHD_Connection *c, const char *url, const char *method,
    struct req *r)
{
	const char *why = "";
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (!allowed(c, method, &why))
		return web_error(c, MHD_HTTP_FORBIDDEN, "%s", why);
	if (r->too_big)
		return web_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "request body over %d bytes", WEB_MAX_BODY);
	if (strncmp(url, "/api/jobs", 9) == 0 && (url[9] == '\0' ||
	    url[9] == '/'))
		return jobs_route(c, method, url + 9, r);
	if (strncmp(url, "/api/", 5) == 0)
		return api_route(c, method, url + 4, r);
	if (!get)
		return web_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "%s not allowed here", method);
	if (strncmp(url, "/media/", 7) == 0)
		return media_route(c, url + 6);
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	return web_file(c, W.statics, url + 1);
}

/*
 * MHD's URL decoder, less "%00": a NUL would cut the name short and
 * serve another file than the one asked for, so it stays "%00" (and names
 * no file).
 */
size_t
web_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return (size_t)kc_pct_decode(s, 0);
}

struct hcount {
	unsigned host, length, te;
};

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct hcount *n = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		n->host++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		n->length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		n->te++;
	return MHD_YES;
}

/* Why the request's headers can be read two ways, or NULL (RFC 9110
 * 7.2, RFC 9112 6.3: a 400, and the connection closed). */
static const char *
ambiguous(struct MHD_Connection *c)
{
	struct hcount n = { 0, 0, 0 };

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &n);
	if (n.host > 1)
		return "more than one Host header";
	if (n.length > 1)
		return "more than one Content-Length header";
	if (n.length > 0 && n.te > 0)
		return "both Content-Length and Transfer-Encoding";
	return NULL;
}

/* A 400 that closes the connection: what follows the headers cannot be
 * trusted to be this request's body or the next request. */
static enum MHD_Result
bad_request(struct MHD_Connection *c, const char *why)
{
	return json_answer(c, MHD_HTTP_BAD_REQUEST, json_pack("{s:s, s:i}",
	    "error", why, "status", MHD_HTTP_BAD_REQUEST), 1);
}

enum MHD_Result
web_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
	struct req *r = *state;
	const char *why;
	size_t n, ncap;
	char *nb;

	(void)cls;
	(void)version;
	if (r == NULL) {	/* headers only so far */
		if ((why = ambiguous(c)) != NULL)
			return bad_request(c, why);
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		*state = r;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		n = *upload_size;
		*upload_size = 0;
		if (r->too_big || r->len + n > WEB_MAX_BODY) {
			r->too_big = 1;
			return MHD_YES;
		}
		if (r->len + n + 1 > r->cap) {
			ncap = r->len + n + 1 > 2 * r->cap ? r->len + n + 1 :
			    2 * r->cap;
			if ((nb = realloc(r->body, ncap)) == NULL)
				return MHD_NO;
			r->body = nb;
			r->cap = ncap;
		}
		memcpy(r->body + r->len, upload, n);
		r->len += n;
		r->body[r->len] = '\0';
		return MHD_YES;
	}
	if (url == NULL || url[0] != '/')
		return web_error(c, MHD_HTTP_BAD_REQUEST, "bad URL");
	return route(c, url, method, r);
}

void
web_done(void *cls, struct MHD_Connection *c, void **state,
    enum MHD_RequestTerminationCode why)
{
	struct req *r = *state;

	(void)cls;
	(void)c;
	(void)why;
	if (r) {
		free(r->body);
		free(r);
		*state = NULL;
	}
}
