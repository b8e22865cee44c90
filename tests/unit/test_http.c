/*
 * test_http.c - unit tests of the HTTP client (src/lib/http.c) against
 * tests/lib/httpfault.py, a fault-injecting server on 127.0.0.1 that the
 * group setup starts and the teardown stops.  What the client did is
 * checked from the server's request log (one JSON line per request:
 * target, Range, If-Range, User-Agent, Cookie, status, bytes sent,
 * client port), never from the module's own account alone; bodies are
 * compared byte for byte with the server's formula.  Waits go through an
 * injected sleep that only records, so the backoff schedule is checked
 * without waiting for it.  No traffic leaves 127.0.0.1: the proxy
 * variables are cleared and every client is made with proxy "".
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include <jansson.h>

#include "http.h"

/* The server of the whole group. */
static struct {
	pid_t pid;
	int port;
	char dir[512];		/* scratch directory */
	char log[600];		/* its request log */
} srv = { .pid = -1 };

/* What the injected hooks saw and do. */
struct rec {
	double sleeps[64];
	int nsleep;
	const double *u;	/* random values to hand out in turn */
	int nu, iu;
	double fixed_u;		/* when u runs out */
	double cancel_after;	/* progress hook cancels after this (s) */
	double t0;
	int progress_calls;
	long long last_got;
};

#define assert_contains(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ == NULL || strstr(h_, n_) == NULL)			\
		fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)",\
		    n_);						\
} while (0)

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The server's body: byte i of /data with the given seed. */
static unsigned char
byte_at(long long i, int seed)
{
	return (unsigned char)((i * 31 + (i >> 11) + 7 * seed) % 251);
}

static void
check_body(const unsigned char *p, size_t n, long long off, int seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != byte_at(off + (long long)i, seed))
			fail_msg("body byte %zu is %u, want %u", i, p[i],
			    byte_at(off + (long long)i, seed));
}


/* The files in the scratch directory whose names start with prefix. */
static int
count_files(const char *prefix)
{
	DIR *d = opendir(srv.dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
url(char *buf, size_t n, const char *fmt, ...)
{
	int k = snprintf(buf, n, "http://127.0.0.1:%d", srv.port);
	va_list ap;

	assert_true(k > 0 && (size_t)k < n);
	va_start(ap, fmt);
	vsnprintf(buf + k, n - (size_t)k, fmt, ap);
	va_end(ap);
}

static void
scratch(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", srv.dir, name);
}

/*
 * The log records of one test (target containing "id=ID&"), waiting up
 * to 5 s for at least want of them; then a little longer to catch any
 * extra ones.  The caller owns the array.
 */
/*
 * The server logs a request when it is done with it, so a request cut off
 * and retried at once may be logged after its retry.  Each path's entries
 * are put back in the order its requests came ("n" counts a path's
 * requests on arrival), in the places that path's entries hold.
 */
static json_t *
by_arrival(json_t *arr)
{
	size_t i, j, n = json_array_size(arr);
	const char *pi, *pk;
	json_t *a, *b;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			a = json_array_get(arr, i);
			b = json_array_get(arr, j);
			pi = json_string_value(json_object_get(a, "path"));
			pk = json_string_value(json_object_get(b, "path"));
			if (pi == NULL || pk == NULL || strcmp(pi, pk) != 0 ||
			    json_integer_value(json_object_get(a, "n")) <=
			    json_integer_value(json_object_get(b, "n")))
				continue;
			/* a came later than b: swap the two places */
			json_incref(a);
			json_incref(b);
			json_array_set_new(arr, i, b);
			json_array_set_new(arr, j, a);
		}
	return arr;
}

static json_t *
log_for(const char *id, size_t want)
{
	char key[128];
	/* a guard against a hang, not a time limit: a loaded machine may
	 * take seconds to log */
	double end = now_s() + 30, settle = 0;
	json_t *arr = NULL;

	snprintf(key, sizeof(key), "id=%s&", id);
	for (;;) {
		FILE *fp = fopen(srv.log, "r");
		char line[8192];

		json_decref(arr);
		arr = json_array();
		assert_non_null(fp);
		while (fgets(line, sizeof(line), fp) != NULL) {
			json_t *r;
			const char *p;

			/* the server may be writing the last line: it is
			 * read again next time */
			if (strchr(line, '\n') == NULL ||
			    (r = json_loads(line, 0, NULL)) == NULL)
				continue;
			p = json_string_value(json_object_get(r, "path"));
			if (p != NULL && strstr(p, key) != NULL)
				json_array_append_new(arr, r);
			else
				json_decref(r);
		}
		fclose(fp);
		if (json_array_size(arr) >= want) {
			if (settle == 0)
				settle = now_s() + 0.15;
			else if (now_s() >= settle)
				break;
		} else if (now_s() > end) {
			break;
		}
		usleep(20000);
	}
	if (json_array_size(arr) != want)
		fail_msg("%zu requests logged for %s, want %zu",
		    json_array_size(arr), id, want);
	return by_arrival(arr);
}

static const char *
field(json_t *arr, size_t i, const char *name)
{
	return json_string_value(json_object_get(json_array_get(arr, i),
	    name));
}

static long long
ifield(json_t *arr, size_t i, const char *name)
{
	return json_integer_value(json_object_get(json_array_get(arr, i),
	    name));
}

/* ---- hooks ----------------------------------------------------------- */

static int
rec_sleep(void *ctx, double secs)
{
	struct rec *r = ctx;

	if (r->nsleep < 64)
		r->sleeps[r->nsleep++] = secs;
	return 0;
}

static double
rec_random(void *ctx)
{
	struct rec *r = ctx;

	if (r->iu < r->nu)
		return r->u[r->iu++];
	return r->fixed_u;
}

static int
rec_progress(void *ctx, long long got, long long total)
{
	struct rec *r = ctx;

	(void)total;
	r->progress_calls++;
	r->last_got = got;
	return r->cancel_after > 0 && now_s() - r->t0 > r->cancel_after;
}

/* Options for a test: fast, recorded, direct (no proxy). */
static void
test_opts(kc_http_opts *o, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->fixed_u = 0.5;
	r->t0 = now_s();
	kc_http_opts_init(o);
	o->proxy = "";
	o->connect_timeout = 5;
	o->sleep = rec_sleep;
	o->random = rec_random;
	o->progress = rec_progress;
	o->ctx = r;
}

static kc_http *
client(const kc_http_opts *o)
{
	char why[256] = "";
	kc_http *h = kc_http_new(o, why, sizeof(why));

	if (h == NULL)
		fail_msg("kc_http_new: %s", why);
	return h;
}

/* ---- the server ------------------------------------------------------ */

/*
 * Starts httpfault.py logging to log (with TLS when cert is not NULL) and
 * reads its port.  Returns 0, or -1 with a diagnostic on stderr.
 */
static int
spawn_server(const char *log, const char *cert, const char *key,
    pid_t *pid, int *port)
{
	const char *root = getenv("KC_ROOT"), *py = getenv("KC_PYTHON");
	char script[600], buf[32], *endp;
	int fds[2];
	size_t got = 0;
	long v;
	double end;

	snprintf(script, sizeof(script), "%s/tests/lib/httpfault.py",
	    root && *root ? root : ".");
	if (access(script, R_OK) != 0) {
		fprintf(stderr, "# %s: %s\n", script, strerror(errno));
		return -1;
	}
	if (pipe(fds) != 0)
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		const char *p = py && *py ? py : "python3";

		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (cert != NULL)
			execlp(p, p, script, "--log", log, "--tls-cert", cert,
			    "--tls-key", key, (char *)NULL);
		else
			execlp(p, p, script, "--log", log, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	end = now_s() + 15;
	while (got < sizeof(buf) - 1 && memchr(buf, '\n', got) == NULL) {
		struct pollfd pf = { .fd = fds[0], .events = POLLIN };
		ssize_t n;

		if (now_s() > end || poll(&pf, 1, 200) < 0)
			break;
		if (pf.revents == 0)
			continue;
		n = read(fds[0], buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fds[0]);
	buf[got] = '\0';
	errno = 0;
	v = strtol(buf, &endp, 10);
	if (errno != 0 || endp == buf || *endp != '\n' || v <= 0 ||
	    v > 65535) {
		fprintf(stderr, "# httpfault.py did not start (%s)\n", buf);
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
		*pid = -1;
		return -1;
	}
	*port = (int)v;
	return 0;
}

static int
start_server(void **state)
{
	const char *tmp = getenv("KC_TMP");
	static const char *const proxies[] = { "http_proxy", "https_proxy",
	    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy",
	    "no_proxy", "NO_PROXY" };

	(void)state;
	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		unsetenv(proxies[i]);
	setenv("NO_PROXY", "*", 1);	/* belt and braces beside proxy "" */
	snprintf(srv.dir, sizeof(srv.dir), "%s/test_http.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(srv.dir) == NULL)
		return -1;
	snprintf(srv.log, sizeof(srv.log), "%s/requests.jsonl", srv.dir);
	return spawn_server(srv.log, NULL, NULL, &srv.pid, &srv.port);
}

static int
stop_server(void **state)
{
	DIR *d;
	struct dirent *e;
	char p[1200];

	(void)state;
	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
		srv.pid = -1;
	}
	if ((d = opendir(srv.dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", srv.dir, e->d_name);
			unlink(p);
		}
		closedir(d);
		rmdir(srv.dir);
	}
	return 0;
}

/* ---- plain transfers ------------------------------------------------- */

static void
test_mem_200(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], *body;
	size_t len;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/a?id=mem200&n=100000");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 1 << 20, &body, &len,
	    &res), KC_HTTP_OK);
	assert_int_equal(len, 100000);
	check_body((unsigned char *)body, len, 0, 0);
	assert_int_equal(body[len], '\0');
	assert_int_equal(res.status, 200);
	assert_int_equal(res.bytes, 100000);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(res.cloudflare, 0);
	assert_string_equal(res.reason, "");
	assert_string_equal(res.url, u);
	assert_string_equal(res.content_type, "application/octet-stream");
	assert_true(r.progress_calls > 0);
	free(body);

	log = log_for("mem200", 1);
	assert_string_equal(field(log, 0, "ua"), kc_http_user_agents[0]);
	assert_string_equal(field(log, 0, "accept"), "*/*");
	assert_contains(field(log, 0, "accept_language"), "en-US");
	assert_null(field(log, 0, "range"));
	json_decref(log);

	kc_http_stats_get(h, &st);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.attempts, 1);
	assert_int_equal(st.retries, 0);
	assert_int_equal(st.failures, 0);
	assert_true(st.bytes >= 100000);
	kc_http_free(h);
}

static void
test_file_200(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], path[700];
	unsigned char *data;
	size_t n;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/b?id=file200&n=300000");
	scratch(path, sizeof(path), "file200.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	assert_int_equal(res.bytes, 300000);
	assert_int_equal(res.attempts, 1);
	data = slurp(path, &n);
	assert_int_equal(n, 300000);
	check_body(data, n, 0, 0);
	free(data);
	assert_int_equal(count_files("file200.bin.part"), 0);
	json_decref(log_for("file200", 1));

	/* an existing file is replaced whole */
	url(u, sizeof(u), "/data/b?id=file200b&n=10");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	data = slurp(path, &n);
	assert_int_equal(n, 10);
	check_body(data, n, 0, 0);
	free(data);
	json_decref(log_for("file200b", 1));
	kc_http_free(h);
}

/* Three requests in a row travel on one connection. */
static void
test_connection_reuse(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], path[700], *body;
	size_t len;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/c?id=reuse&n=1000");
	scratch(path, sizeof(path), "reuse.bin");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	log = log_for("reuse", 3);
	assert_int_equal(ifield(log, 0, "peer"), ifield(log, 1, "peer"));
	assert_int_equal(ifield(log, 1, "peer"), ifield(log, 2, "peer"));
	json_decref(log);
	kc_http_free(h);
}

/*
 * One GET of target on the keep-alive socket s, by hand (no libcurl):
 * the seconds until the whole body was read.
 */
static double
raw_get(int s, int port, const char *target)
{
	char req[300], buf[65536], *hend, *cl;
	size_t have = 0;
	long long want = -1, got = 0;
	double t0 = now_s();
	ssize_t k;
	int n, one = 1;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d"
	    "\r\n\r\n", target, port);
	assert_int_equal(send(s, req, (size_t)n, 0), n);
	while (want < 0 || got < want) {
		k = recv(s, buf + have, sizeof(buf) - 1 - have, 0);
		assert_true(k > 0);
		/* ACK at once, or a Nagle server holds its next write for
		 * the 40 ms of a delayed ACK */
		(void)setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one));
		if (want >= 0) {
			got += k;
			continue;
		}
		have += (size_t)k;
		buf[have] = '\0';
		if ((hend = strstr(buf, "\r\n\r\n")) == NULL) {
			assert_true(have < sizeof(buf) - 1);
			continue;
		}
		assert_non_null(cl = strstr(buf, "Content-Length: "));
		want = atoll(cl + 16);
		got = (long long)(buf + have - (hend + 4));
		have = 0;
	}
	assert_true(got == want);	/* nothing pipelined behind it */
	return now_s() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * A plain keep-alive server, as a simple C or Python server writes:
 * Nagle's algorithm on (no TCP_NODELAY), the headers and then a short
 * body in two writes.  Threads of the test (one a connection), so that
 * only the client's own waits show.
 */
#define NAGLE_BODY 3000
static void *
nagle_server(void *arg)
{
	int ls = *(int *)arg, c, n;
	static char body[65536];
	char req[4096], hdr[200];
	size_t have;
	ssize_t k, left;

	while ((c = accept(ls, NULL, NULL)) >= 0) {
		for (;;) {
			have = 0;
			req[0] = '\0';
			while (strstr(req, "\r\n\r\n") == NULL &&
			    have < sizeof(req) - 1) {
				if ((k = recv(c, req + have, sizeof(req) - 1 -
				    have, 0)) <= 0)
					goto next;
				have += (size_t)k;
				req[have] = '\0';
			}
			n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/octet-stream\r\n"
			    "Content-Length: %d\r\n\r\n", NAGLE_BODY);
			if (send(c, hdr, (size_t)n, MSG_NOSIGNAL) != n)
				goto next;
			for (left = NAGLE_BODY; left > 0; left -= k)
				if ((k = send(c, body, left < (ssize_t)
				    sizeof(body) ? (size_t)left : sizeof(body),
				    MSG_NOSIGNAL)) <= 0)
					goto next;
		}
next:
		close(c);
	}
	return NULL;
}

/*
 * No fixed stall per request (issue 10: ~44 ms a request).  Against a
 * Nagle server the body written after the headers waits until they are
 * ACKed, and Linux delays that ACK by 40 ms on a request-response
 * connection unless the client asks for a quick ACK, as kc_http now does.
 * Requests of kc_http alternate with the same requests made by hand on a
 * raw socket that ACKs at once, so a loaded machine slows both alike;
 * kc_http's median must stay within 20 ms of the raw one's (before the
 * fix: 44 ms against 0.1 ms).
 */
#define NSTALL 40
static void
test_no_stall(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	double kc[NSTALL], raw[NSTALL], t0;
	char u[256], path[700];
	pthread_t th[2];
	int ls, s, i, port;

	(void)state;
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(ls >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 4), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	/* one thread for each connection: kc_http's and the raw one */
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, nagle_server,
		    &ls), 0);

	test_opts(&o, &r);
	h = client(&o);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/seg.ts", port);
	scratch(path, sizeof(path), "nostall.bin");
	for (i = -2; i < NSTALL; i++) {	/* two rounds to warm up */
		t0 = now_s();
		assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
		    KC_HTTP_OK);
		assert_int_equal(res.bytes, NAGLE_BODY);
		if (i >= 0)
			kc[i] = now_s() - t0;
		t0 = raw_get(s, port, "/seg.ts");
		if (i >= 0)
			raw[i] = t0;
	}
	close(s);
	kc_http_free(h);
	shutdown(ls, SHUT_RDWR);	/* accept() returns: the threads end */
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	close(ls);
	qsort(kc, NSTALL, sizeof(kc[0]), cmp_double);
	qsort(raw, NSTALL, sizeof(raw[0]), cmp_double);
	print_message("# per request, kc_http: median %.1f ms, upper quartile "
	    "%.1f ms; by hand: %.1f ms, %.1f ms\n", 1e3 * kc[NSTALL / 2],
	    1e3 * kc[3 * NSTALL / 4], 1e3 * raw[NSTALL / 2],
	    1e3 * raw[3 * NSTALL / 4]);
	/* the stall is 40 ms on every request: the medians tell it, and a
	 * loaded machine's hiccups move a median less than a quartile */
	assert_true(kc[NSTALL / 2] < raw[NSTALL / 2] + 0.02);
}

static void
test_range(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_req rq = { .off = 1000, .len = 500 };
	char u[256], path[700], *body;
	unsigned char *data;
	size_t len;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);

	url(u, sizeof(u), "/data/d?id=range1&n=100000");
	assert_int_equal(kc_http_get_mem(h, u, &rq, 1 << 20, &body, &len,
	    &res), KC_HTTP_OK);
	assert_int_equal(res.status, 206);
	assert_int_equal(len, 500);
	check_body((unsigned char *)body, len, 1000, 0);
	free(body);
	log = log_for("range1", 1);
	assert_string_equal(field(log, 0, "range"), "bytes=1000-1499");
	assert_int_equal(ifield(log, 0, "status"), 206);
	json_decref(log);

	/* to the end, into a file */
	rq.off = 99000;
	rq.len = 0;
	url(u, sizeof(u), "/data/d?id=range2&n=100000");
	scratch(path, sizeof(path), "range2.bin");
	assert_int_equal(kc_http_get_file(h, u, &rq, path, &res), KC_HTTP_OK);
	assert_int_equal(res.status, 206);
	data = slurp(path, &len);
	assert_int_equal(len, 1000);
	check_body(data, len, 99000, 0);
	free(data);
	log = log_for("range2", 1);
	assert_string_equal(field(log, 0, "range"), "bytes=99000-");
	json_decref(log);

	/* a server that ignores Range: the client cuts the piece out */
	rq.off = 1000;
	rq.len = 500;
	url(u, sizeof(u), "/data/d?id=range3&n=100000&noranges=1");
	assert_int_equal(kc_http_get_mem(h, u, &rq, 1 << 20, &body, &len,
	    &res), KC_HTTP_OK);
	assert_int_equal(res.status, 200);
	assert_int_equal(len, 500);
	check_body((unsigned char *)body, len, 1000, 0);
	free(body);
	json_decref(log_for("range3", 1));

	/* a range with a negative offset is the caller's error */
	rq.off = -1;
	assert_int_equal(kc_http_get_mem(h, u, &rq, 1 << 20, &body, &len,
	    &res), KC_HTTP_ERROR);
	assert_null(body);
	assert_true(res.reason[0] != '\0');
	kc_http_free(h);
}

static void
test_redirect(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], want[256], *body;
	size_t len;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/redirect?id=redir&to=%%2Fdata%%2Fr%%3Fid%%3D"
	    "redir2%%26n%%3D64");
	url(want, sizeof(want), "/data/r?id=redir2&n=64");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	assert_int_equal(len, 64);
	check_body((unsigned char *)body, len, 0, 0);
	assert_string_equal(res.url, want);
	free(body);
	json_decref(log_for("redir", 1));

	/* a redirect to another scheme is refused, not retried */
	url(u, sizeof(u), "/redirect?id=redirfile&to=file%%3A%%2F%%2F%%2F"
	    "etc%%2Fpasswd");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_FAILED);
	assert_null(body);
	assert_int_equal(res.attempts, 1);
	json_decref(log_for("redirfile", 1));
	kc_http_free(h);
}

/* ---- failures that are not retried ----------------------------------- */

static void
test_404(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], path[700], *body;
	size_t len;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/status/404?id=s404&x=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_FAILED);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.attempts, 1);
	assert_string_equal(res.reason, "HTTP 404 Not Found");
	assert_int_equal(r.nsleep, 0);
	json_decref(log_for("s404", 1));

	/* to a file: no file, no leftovers */
	url(u, sizeof(u), "/status/410?id=s410&x=1");
	scratch(path, sizeof(path), "gone.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_FAILED);
	assert_int_equal(res.status, 410);
	assert_contains(res.reason, "410");
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_files("gone.bin"), 0);
	json_decref(log_for("s410", 1));

	kc_http_stats_get(h, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.attempts, 2);
	assert_int_equal(st.retries, 0);
	assert_int_equal(st.failures, 2);
	kc_http_free(h);
}

static void
test_bad_urls(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], *body;
	size_t len;
	int s, port;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	(void)state;
	test_opts(&o, &r);
	o.max_retries = 2;
	h = client(&o);
	assert_int_equal(kc_http_get_mem(h, "file:///etc/passwd", NULL, 4096,
	    &body, &len, &res), KC_HTTP_FAILED);
	assert_int_equal(res.attempts, 1);
	assert_true(res.reason[0] != '\0');
	assert_int_equal(kc_http_get_mem(h, "ftp://127.0.0.1/x", NULL, 4096,
	    &body, &len, &res), KC_HTTP_FAILED);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(kc_http_get_mem(h, "", NULL, 4096, &body, &len,
	    &res), KC_HTTP_ERROR);
	assert_int_equal(r.nsleep, 0);

	/* a port nobody listens on: refused, retried, given up */
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	close(s);
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/x", port);
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_GAVEUP);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.attempts, 3);
	assert_contains(res.reason, "cannot connect");
	assert_contains(res.reason, "after 3 attempts");
	assert_int_equal(r.nsleep, 2);
	kc_http_stats_get(h, &st);
	assert_int_equal(st.neterrors, 3);
	kc_http_free(h);
}

static void
test_size_limit(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], *body;
	size_t len;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/e?id=big1&n=5000");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 1000, &body, &len, &res),
	    KC_HTTP_TOOBIG);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_int_equal(res.attempts, 1);
	assert_contains(res.reason, "1000");
	json_decref(log_for("big1", 1));

	/* no Content-Length: found out while reading */
	url(u, sizeof(u), "/data/e?id=big2&n=50000&chunked=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 20000, &body, &len,
	    &res), KC_HTTP_TOOBIG);
	assert_null(body);
	assert_int_equal(res.attempts, 1);
	json_decref(log_for("big2", 1));

	/* exactly the limit is fine */
	url(u, sizeof(u), "/data/e?id=big3&n=5000&chunked=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 5000, &body, &len, &res),
	    KC_HTTP_OK);
	assert_int_equal(len, 5000);
	check_body((unsigned char *)body, len, 0, 0);
	free(body);
	json_decref(log_for("big3", 1));
	kc_http_free(h);
}

/* ---- retries --------------------------------------------------------- */

static void
test_403_then_ok(void **state)
{
	static const char *const uas[] = { "UA-A", "UA-B", "UA-C", NULL };
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], *body;
	size_t len;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	o.user_agents = uas;
	h = client(&o);
	url(u, sizeof(u), "/data/f?id=f403&n=2000&f403=3");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	assert_int_equal(len, 2000);
	check_body((unsigned char *)body, len, 0, 0);
	free(body);
	assert_int_equal(res.attempts, 4);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.cloudflare, 0);
	assert_int_equal(r.nsleep, 3);

	log = log_for("f403", 4);
	assert_string_equal(field(log, 0, "ua"), "UA-A");
	assert_string_equal(field(log, 1, "ua"), "UA-B");
	assert_string_equal(field(log, 2, "ua"), "UA-C");
	assert_string_equal(field(log, 3, "ua"), "UA-A");
	for (int i = 0; i < 3; i++)
		assert_int_equal(ifield(log, (size_t)i, "status"), 403);
	assert_int_equal(ifield(log, 3, "status"), 200);
	json_decref(log);
	assert_string_equal(kc_http_user_agent(h), "UA-A");

	kc_http_stats_get(h, &st);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.attempts, 4);
	assert_int_equal(st.retries, 3);
	assert_int_equal(st.http_403, 3);
	assert_int_equal(st.cloudflare, 3);
	assert_int_equal(st.failures, 0);
	kc_http_free(h);
}

/* 403 bursts per client: rotation gets through, and the working UA stays. */
static void
test_burst_per_ua(void **state)
{
	static const char *const uas[] = { "UA-A", "UA-B", NULL };
	static const char *const want[] = { "UA-A", "UA-B", "UA-A", "UA-B",
	    "UA-A", "UA-A" };
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], *body;
	size_t len;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	o.user_agents = uas;
	h = client(&o);
	url(u, sizeof(u), "/data/g?id=burst&n=100&burst403=2");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(res.attempts, 5);
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(res.attempts, 1);
	log = log_for("burst", 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(field(log, i, "ua"), want[i]);
		assert_int_equal(ifield(log, i, "status"), i < 4 ? 403 : 200);
	}
	json_decref(log);
	kc_http_free(h);
}

static void
test_429_retry_after(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], *body;
	size_t len;

	(void)state;
	test_opts(&o, &r);
	o.backoff_base = 0.01;
	h = client(&o);
	url(u, sizeof(u), "/data/h?id=r429&n=100&f429=1&ra=7");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(res.attempts, 2);
	assert_int_equal(r.nsleep, 1);
	assert_true(r.sleeps[0] >= 7);
	assert_true(r.sleeps[0] < 7.5);
	json_decref(log_for("r429", 2));

	/* as an HTTP date */
	url(u, sizeof(u), "/data/h?id=r429d&n=100&f429=1&ra=date:30");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(r.nsleep, 2);
	assert_true(r.sleeps[1] >= 28 && r.sleeps[1] <= 31);
	json_decref(log_for("r429d", 2));

	/* capped */
	kc_http_free(h);
	test_opts(&o, &r);
	o.backoff_base = 0.01;
	o.retry_after_max = 5;
	h = client(&o);
	url(u, sizeof(u), "/data/h?id=r429c&n=100&f429=1&ra=100");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(r.nsleep, 1);
	assert_near(r.sleeps[0], 5, 1e-9);
	json_decref(log_for("r429c", 2));
	kc_http_stats_get(h, &st);
	assert_int_equal(st.http_429, 1);
	kc_http_free(h);
}

static void
test_5xx(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], *body;
	size_t len;
	static const int codes[] = { 500, 502, 503, 504 };

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/i?id=s503&n=100&f5xx=2&code=503");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(res.cloudflare, 0);
	json_decref(log_for("s503", 3));
	for (size_t i = 0; i < 4; i++) {
		char id[32];

		snprintf(id, sizeof(id), "c%d", codes[i]);
		url(u, sizeof(u), "/data/i?id=%s&n=100&f5xx=1&code=%d", id,
		    codes[i]);
		assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body,
		    &len, &res), KC_HTTP_OK);
		free(body);
		assert_int_equal(res.attempts, 2);
		json_decref(log_for(id, 2));
	}
	kc_http_stats_get(h, &st);
	assert_int_equal(st.http_5xx, 6);
	assert_int_equal(st.cloudflare, 0);
	assert_int_equal(st.http_403, 0);
	kc_http_free(h);
}

/* A permanent 403: given up after max_retries, schedule base * factor^k. */
/*
 * A host that refuses everything (403 with Cloudflare's challenge): short
 * pauses that double (refused_delay, jittered), every User-Agent in turn,
 * and after refused_max seconds of refusals KC_HTTP_REFUSED, not after
 * max_retries; the retries do not count against max_retries.
 */
static void
test_always_403_refused(void **state)
{
	static const double us[] = { 0.0, 0.999999, 0.5, 0.25, 0.75 };
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], *body;
	size_t len;
	json_t *log;
	double sum = 0;
	int k;

	(void)state;
	test_opts(&o, &r);
	r.u = us;
	r.nu = 5;
	r.fixed_u = 0.5;
	o.max_retries = 1;
	o.refused_delay = 0.05;
	o.refused_max = 3;
	h = client(&o);
	url(u, sizeof(u), "/data/j?id=perm403&n=100&f403=1000");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_REFUSED);
	assert_null(body);
	assert_int_equal(res.status, 403);
	assert_int_equal(res.cloudflare, 1);
	/* pauses 0.05 s doubling after each round of the 4 User-Agents,
	 * jittered +-25 %, at most 2 s; 3 s of them: 4 x 0.05, 4 x 0.1,
	 * 4 x 0.2, 4 x 0.4 (= 3 s, the jitter around it) */
	assert_true(r.nsleep >= 13 && r.nsleep <= 18);
	for (k = 0; k < r.nsleep; k++) {
		double base = fmin(0.05 * pow(2, k / 4), 2);

		if (k < 5)
			assert_near(r.sleeps[k], base * (1 + 0.25 * (2 * us[k] -
			    1)), 1e-9);
		assert_true(r.sleeps[k] <= base * 1.25 + 1e-9);
		sum += r.sleeps[k];
	}
	assert_true(sum < 3 + 1);
	assert_int_equal(res.attempts, r.nsleep + 1);
	assert_contains(res.reason, "HTTP 403 Forbidden (Cloudflare challenge "
	    "page): 127.0.0.1 refused every request for 3 s (");
	log = log_for("perm403", (size_t)res.attempts);
	for (size_t i = 0; i < (size_t)res.attempts; i++)
		assert_string_equal(field(log, i, "ua"),
		    kc_http_user_agents[i % 4]);
	json_decref(log);
	kc_http_stats_get(h, &st);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.http_403, res.attempts);
	assert_int_equal(st.cloudflare, res.attempts);
	assert_int_equal(st.failures, 1);

	/* the host is still refusing: the next request gives up after one
	 * attempt, and the UA it starts with is the next in turn */
	url(u, sizeof(u), "/data/j?id=perm403b&n=100&f403=1000");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_REFUSED);
	assert_int_equal(res.attempts, 1);
	json_decref(log_for("perm403b", 1));
	kc_http_free(h);

	/* a 403 without Cloudflare's signs is not called one; refused_max
	 * 0 gives up at the first */
	test_opts(&o, &r);
	o.refused_max = 0;
	h = client(&o);
	url(u, sizeof(u), "/data/j?id=plain403&n=100&f403=1000&plain403=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_REFUSED);
	assert_int_equal(res.cloudflare, 0);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(r.nsleep, 0);
	assert_contains(res.reason, "HTTP 403 Forbidden: 127.0.0.1 refused");
	json_decref(log_for("plain403", 1));
	kc_http_free(h);
}

/*
 * Refusals and failures of other kinds are retried by cause: a 429 with
 * Retry-After waits the server's time, a 5xx the backoff (counted against
 * max_retries), a 403 a short pause with the next User-Agent (not
 * counted).
 */
/* kc_http_stats_add sums every count (each is a long long: a field the
 * sum forgets stays 0 here) */
static void
test_stats_add(void **state)
{
	kc_http_stats st, sum;
	long long *f = (long long *)(void *)&st, *g = (long long *)(void *)&sum;
	size_t i, n = sizeof(st) / sizeof(long long);

	(void)state;
	assert_int_equal(sizeof(st) % sizeof(long long), 0);
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < n; i++)
		f[i] = (long long)(i + 1) * 1000003;
	kc_http_stats_add(&sum, &st);
	kc_http_stats_add(&sum, &st);
	for (i = 0; i < n; i++)
		assert_true(g[i] == 2 * f[i]);
}

static void
test_retry_by_cause(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], *body;
	size_t len;

	(void)state;
	test_opts(&o, &r);
	r.fixed_u = 0.5;		/* no jitter */
	o.max_retries = 1;
	h = client(&o);
	/* three 403s then a 503: max_retries 1 still gets through */
	url(u, sizeof(u), "/data/k?id=cause&n=100&f403=3&f5xx=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(res.attempts, 5);
	assert_int_equal(r.nsleep, 4);
	/* within the first round of the 4 User-Agents: 20 ms each */
	assert_near(r.sleeps[0], 0.02, 1e-9);
	assert_near(r.sleeps[1], 0.02, 1e-9);
	assert_near(r.sleeps[2], 0.02, 1e-9);
	assert_near(r.sleeps[3], 1, 1e-9);	/* the backoff's first */
	json_decref(log_for("cause", 5));

	/* a 503 with Retry-After: the server's time, not the backoff */
	url(u, sizeof(u), "/data/k?id=cause503&n=100&f5xx=1&ra=3");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(r.nsleep, 5);
	assert_near(r.sleeps[4], 3, 1e-9);
	json_decref(log_for("cause503", 2));

	/* Retry-After: 0 reads as none (libcurl gives 0 for both): backoff */
	url(u, sizeof(u), "/data/k?id=cause0&n=100&f5xx=1&ra=0");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	assert_int_equal(r.nsleep, 6);
	assert_near(r.sleeps[5], 1, 1e-9);
	json_decref(log_for("cause0", 2));

	/* two 5xx: max_retries 1 gives up after the second */
	url(u, sizeof(u), "/data/k?id=cause5xx&n=100&f5xx=2");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_GAVEUP);
	assert_int_equal(res.attempts, 2);
	json_decref(log_for("cause5xx", 2));
	kc_http_free(h);
}

static void
test_default_jitter(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], *body;
	size_t len;
	int differs = 0;

	(void)state;
	test_opts(&o, &r);
	o.random = NULL;
	o.max_retries = 8;
	o.backoff_base = 0.5;
	o.backoff_factor = 1.5;
	o.backoff_max = 3;
	h = client(&o);
	url(u, sizeof(u), "/status/503?id=jitter&x=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_GAVEUP);
	assert_int_equal(res.attempts, 9);
	assert_int_equal(r.nsleep, 8);
	for (int k = 0; k < 8; k++) {
		double d = fmin(0.5 * pow(1.5, k), 3);

		if (r.sleeps[k] < d * 0.75 - 1e-9 ||
		    r.sleeps[k] > d * 1.25 + 1e-9)
			fail_msg("sleep %d = %g, outside %g +- 25 %%", k,
			    r.sleeps[k], d);
		if (fabs(r.sleeps[k] - d) > 1e-6)
			differs = 1;
	}
	assert_true(differs);
	json_decref(log_for("jitter", 9));
	kc_http_free(h);
}

/* ---- broken transfers ------------------------------------------------ */

static void
test_drop_resume_file(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	kc_http_req rq = { .off = 1000, .len = 50000 };
	char u[256], path[700];
	unsigned char *data;
	size_t n;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/k?id=drop1&n=200000&drop=2&at=5000");
	scratch(path, sizeof(path), "drop1.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(res.resumed, 2);
	assert_int_equal(res.bytes, 200000);
	data = slurp(path, &n);
	assert_int_equal(n, 200000);
	check_body(data, n, 0, 0);
	free(data);
	assert_int_equal(count_files("drop1.bin.part"), 0);
	log = log_for("drop1", 3);
	assert_null(field(log, 0, "range"));
	assert_string_equal(field(log, 0, "event"), "drop");
	assert_string_equal(field(log, 1, "range"), "bytes=5000-");
	assert_string_equal(field(log, 1, "if_range"), "\"d-200000-0\"");
	assert_string_equal(field(log, 2, "range"), "bytes=10000-");
	assert_int_equal(ifield(log, 2, "status"), 206);
	json_decref(log);

	/* a reset (RST) instead of a close */
	url(u, sizeof(u), "/data/k?id=drop2&n=100000&drop=1&at=7000&rst=1");
	scratch(path, sizeof(path), "drop2.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	assert_int_equal(res.attempts, 2);
	data = slurp(path, &n);
	assert_int_equal(n, 100000);
	check_body(data, n, 0, 0);
	free(data);
	log = log_for("drop2", 2);
	assert_string_equal(field(log, 0, "event"), "reset");
	json_decref(log);

	/* a range resumed inside itself */
	url(u, sizeof(u), "/data/k?id=drop3&n=100000&drop=1&at=3000");
	scratch(path, sizeof(path), "drop3.bin");
	assert_int_equal(kc_http_get_file(h, u, &rq, path, &res),
	    KC_HTTP_OK);
	data = slurp(path, &n);
	assert_int_equal(n, 50000);
	check_body(data, n, 1000, 0);
	free(data);
	log = log_for("drop3", 2);
	assert_string_equal(field(log, 0, "range"), "bytes=1000-50999");
	assert_string_equal(field(log, 1, "range"), "bytes=4000-50999");
	json_decref(log);

	kc_http_stats_get(h, &st);
	assert_int_equal(st.neterrors, 4);
	assert_int_equal(st.resumed, 4);
	kc_http_free(h);
}

/* Memory bodies and servers without ranges start over. */
static void
test_drop_restart(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], path[700], *body;
	unsigned char *data;
	size_t n;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/l?id=dropmem&n=60000&drop=1&at=3000");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 1 << 20, &body, &n,
	    &res), KC_HTTP_OK);
	assert_int_equal(n, 60000);
	check_body((unsigned char *)body, n, 0, 0);
	free(body);
	assert_int_equal(res.attempts, 2);
	assert_int_equal(res.resumed, 0);
	log = log_for("dropmem", 2);
	assert_null(field(log, 1, "range"));
	json_decref(log);

	/* chunked, no length: only the missing last chunk tells */
	url(u, sizeof(u), "/data/l?id=dropch&n=60000&drop=1&at=3000"
	    "&chunked=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 1 << 20, &body, &n,
	    &res), KC_HTTP_OK);
	assert_int_equal(n, 60000);
	check_body((unsigned char *)body, n, 0, 0);
	free(body);
	assert_int_equal(res.attempts, 2);
	json_decref(log_for("dropch", 2));

	url(u, sizeof(u), "/data/l?id=dropnr&n=60000&drop=2&at=3000"
	    "&noranges=1");
	scratch(path, sizeof(path), "dropnr.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(res.status, 200);
	data = slurp(path, &n);
	assert_int_equal(n, 60000);
	check_body(data, n, 0, 0);
	free(data);
	json_decref(log_for("dropnr", 3));

	/* the resource changed between attempts: If-Range gets it whole */
	url(u, sizeof(u), "/data/l?id=vary&n=60000&drop=1&at=3000&vary=1");
	scratch(path, sizeof(path), "vary.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	data = slurp(path, &n);
	assert_int_equal(n, 60000);
	check_body(data, n, 0, 1);	/* the second version, seed 1 */
	free(data);
	log = log_for("vary", 2);
	assert_string_equal(field(log, 1, "if_range"), "\"d-60000-0\"");
	assert_int_equal(ifield(log, 1, "status"), 200);
	json_decref(log);
	kc_http_free(h);
}

/*
 * A 2xx body cut off after some of it came is a dropped connection, not
 * a busy server: up to 3 retries per request go on after 20 ms, the
 * backoff only after them; a cut before any body byte backs off at once.
 */
static void
test_drop_quick(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], path[700], *body;
	unsigned char *data;
	size_t n;

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	url(u, sizeof(u), "/data/k?id=quick1&n=100000&drop=5&at=2000");
	scratch(path, sizeof(path), "quick1.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	assert_int_equal(res.attempts, 6);
	assert_int_equal(res.resumed, 5);
	data = slurp(path, &n);
	assert_int_equal(n, 100000);
	check_body(data, n, 0, 0);
	free(data);
	assert_int_equal(r.nsleep, 5);
	assert_near(r.sleeps[0], 0.02, 1e-9);
	assert_near(r.sleeps[1], 0.02, 1e-9);
	assert_near(r.sleeps[2], 0.02, 1e-9);
	assert_near(r.sleeps[3], 1, 1e-9);	/* then the backoff */
	assert_near(r.sleeps[4], 2, 1e-9);
	json_decref(log_for("quick1", 6));

	/* headers, then the connection closed before any body byte */
	r.nsleep = 0;
	url(u, sizeof(u), "/data/k?id=quick2&n=50000&drop=1&at=0");
	scratch(path, sizeof(path), "quick2.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	assert_int_equal(res.attempts, 2);
	assert_int_equal(r.nsleep, 1);
	assert_near(r.sleeps[0], 1, 1e-9);
	json_decref(log_for("quick2", 2));

	/* a memory body starts over, as soon */
	r.nsleep = 0;
	url(u, sizeof(u), "/data/l?id=quick3&n=60000&drop=2&at=3000");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 1 << 20, &body, &n,
	    &res), KC_HTTP_OK);
	assert_int_equal(n, 60000);
	check_body((unsigned char *)body, n, 0, 0);
	free(body);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(r.nsleep, 2);
	assert_near(r.sleeps[0], 0.02, 1e-9);
	assert_near(r.sleeps[1], 0.02, 1e-9);
	json_decref(log_for("quick3", 3));
	kc_http_free(h);
}

/* A pipe cannot be rewound: resume by Range, or skip what it has. */
static void
test_drop_pipe(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256];
	static unsigned char buf[70000];
	const char *ids[] = { "pipe1", "pipe2" };
	const char *extra[] = { "", "&noranges=1" };

	(void)state;
	test_opts(&o, &r);
	h = client(&o);
	for (int i = 0; i < 2; i++) {
		int p[2];
		size_t got = 0;
		ssize_t k;
		json_t *log;

		assert_int_equal(pipe(p), 0);
		url(u, sizeof(u), "/data/m?id=%s&n=40000&drop=1&at=3000%s",
		    ids[i], extra[i]);
		/* 40000 bytes fit in the pipe's 64 KiB */
		assert_int_equal(kc_http_get_fd(h, u, NULL, p[1], &res),
		    KC_HTTP_OK);
		close(p[1]);
		while ((k = read(p[0], buf + got, sizeof(buf) - got)) > 0)
			got += (size_t)k;
		close(p[0]);
		assert_int_equal(got, 40000);
		check_body(buf, got, 0, 0);
		assert_int_equal(res.attempts, 2);
		log = log_for(ids[i], 2);
		assert_string_equal(field(log, 1, "range"), "bytes=3000-");
		assert_int_equal(ifield(log, 1, "status"), i == 0 ? 206 : 200);
		json_decref(log);
	}
	kc_http_free(h);
}

/* A regular fd: a failure leaves it as it was. */
static void
test_fd_failure_truncates(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], path[700];
	unsigned char *data;
	size_t n;
	int fd;

	(void)state;
	test_opts(&o, &r);
	o.max_retries = 1;
	h = client(&o);
	scratch(path, sizeof(path), "fdfail.bin");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "HEAD", 4), 4);
	url(u, sizeof(u), "/data/n?id=fdfail&n=50000&drop=9&at=2000"
	    "&noranges=1");
	assert_int_equal(kc_http_get_fd(h, u, NULL, fd, &res),
	    KC_HTTP_GAVEUP);
	/* 3 quick retries of a cut-off body, then the 1 of max_retries */
	assert_contains(res.reason, "connection closed after 2000 of 50000 "
	    "bytes after 5 attempts");
	close(fd);
	data = slurp(path, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(data, "HEAD", 4);
	free(data);
	json_decref(log_for("fdfail", 5));

	/* get_file: nothing at the path, no temporary left */
	url(u, sizeof(u), "/data/n?id=filefail&n=50000&drop=9&at=2000");
	scratch(path, sizeof(path), "filefail.bin");
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_GAVEUP);
	assert_int_equal(count_files("filefail.bin"), 0);
	json_decref(log_for("filefail", 5));
	kc_http_free(h);
}

static void
test_stall(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], path[700];
	unsigned char *data;
	size_t n;
	double t0, dt;
	json_t *log;

	(void)state;
	test_opts(&o, &r);
	o.low_speed_limit = 1000;
	o.low_speed_time = 1;	/* the test server stalls 20 s */
	o.max_retries = 1;
	h = client(&o);
	url(u, sizeof(u), "/data/o?id=stall1&n=100000&stall=1&at=5000"
	    "&sleep=20");
	scratch(path, sizeof(path), "stall1.bin");
	t0 = now_s();
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_OK);
	/* not before the 1 s window is over, and well before the server's
	 * 20 s stall ends by itself (the bound is loose: CI runs this
	 * under ASan on a loaded machine) */
	dt = now_s() - t0;
	if (dt < 1 || dt > 10)
		fail_msg("a 1 s stall took %.2f s to notice and retry", dt);
	assert_int_equal(res.attempts, 2);
	data = slurp(path, &n);
	assert_int_equal(n, 100000);
	check_body(data, n, 0, 0);
	free(data);
	log = log_for("stall1", 2);
	assert_string_equal(field(log, 0, "event"), "stall");
	assert_string_equal(field(log, 1, "range"), "bytes=5000-");
	json_decref(log);

	/* stalls every time */
	url(u, sizeof(u), "/data/o?id=stall2&n=100000&stall=9&at=100"
	    "&sleep=20");
	t0 = now_s();
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_GAVEUP);
	dt = now_s() - t0;
	if (dt < 2 || dt > 15)
		fail_msg("two 1 s stalls took %.2f s", dt);
	assert_string_equal(res.reason, "stalled: under 1000 B/s for 1 s "
	    "after 2 attempts");
	json_decref(log_for("stall2", 2));
	kc_http_stats_get(h, &st);
	assert_int_equal(st.stalls, 3);
	kc_http_free(h);
}

/* ---- cookies, headers, hooks, options -------------------------------- */

static void
test_cookies(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], cf[700], why[256], *body;
	size_t len;
	FILE *fp;
	json_t *log;

	(void)state;
	scratch(cf, sizeof(cf), "cookies.txt");
	fp = fopen(cf, "w");
	assert_non_null(fp);
	fputs("# Netscape HTTP Cookie File\n"
	    "# This file was generated by a browser extension\n\n"
	    "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123\n"
	    "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tcf_clearance\t"
	    "xyz\n"
	    "example.com\tTRUE\t/\tFALSE\t4102444800\tother\tno\n", fp);
	assert_int_equal(fclose(fp), 0);

	test_opts(&o, &r);
	o.cookie_file = cf;
	h = client(&o);
	url(u, sizeof(u), "/echo?id=cookie1&x=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 65536, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	url(u, sizeof(u), "/setcookie?id=cookie2&name=fresh&value=42");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 65536, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	url(u, sizeof(u), "/echo?id=cookie3&x=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 65536, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	log = log_for("cookie1", 1);
	assert_contains(field(log, 0, "cookie"), "session=abc123");
	assert_contains(field(log, 0, "cookie"), "cf_clearance=xyz");
	if (strstr(field(log, 0, "cookie"), "other=") != NULL)
		fail_msg("a cookie of another domain was sent");
	json_decref(log);
	log = log_for("cookie3", 1);
	assert_contains(field(log, 0, "cookie"), "session=abc123");
	assert_contains(field(log, 0, "cookie"), "fresh=42");
	json_decref(log);
	json_decref(log_for("cookie2", 1));
	kc_http_free(h);

	/* a missing file, a file without cookies */
	scratch(cf, sizeof(cf), "no-such-cookies.txt");
	o.cookie_file = cf;
	why[0] = '\0';
	assert_null(kc_http_new(&o, why, sizeof(why)));
	assert_contains(why, "no-such-cookies.txt");
	scratch(cf, sizeof(cf), "empty-cookies.txt");
	fp = fopen(cf, "w");
	assert_non_null(fp);
	fputs("this is not a cookie file\n", fp);
	assert_int_equal(fclose(fp), 0);
	why[0] = '\0';
	assert_null(kc_http_new(&o, why, sizeof(why)));
	assert_contains(why, "no usable cookies");
}

static void
test_headers(void **state)
{
	static const char *const hdrs[] = { "Accept: application/json",
	    "Referer: https://kick.com/", "Origin: https://kick.com", NULL };
	static const char *const extra[] = { "Referer: https://kick.com/x",
	    NULL };
	static const char *const bad[] = { "X-Evil: a\r\nInjected: b", NULL };
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_req rq = { 0 };
	char u[256], why[256], *body;
	size_t len;
	json_t *log, *echo;

	(void)state;
	test_opts(&o, &r);
	o.headers = hdrs;
	h = client(&o);
	url(u, sizeof(u), "/echo?id=hdr1&x=1");
	assert_int_equal(kc_http_get_mem(h, u, NULL, 65536, &body, &len, &res),
	    KC_HTTP_OK);
	assert_string_equal(res.content_type, "application/json");
	echo = json_loads(body, 0, NULL);
	assert_non_null(echo);
	assert_string_equal(json_string_value(json_object_get(echo,
	    "Origin")), "https://kick.com");
	/* memory bodies may come compressed */
	assert_non_null(json_object_get(echo, "Accept-Encoding"));
	json_decref(echo);
	free(body);
	log = log_for("hdr1", 1);
	assert_string_equal(field(log, 0, "accept"), "application/json");
	assert_string_equal(field(log, 0, "referer"), "https://kick.com/");
	assert_null(field(log, 0, "accept_language"));
	json_decref(log);

	/* a request's own header replaces the object's */
	rq.headers = extra;
	url(u, sizeof(u), "/echo?id=hdr2&x=1");
	assert_int_equal(kc_http_get_mem(h, u, &rq, 65536, &body, &len, &res),
	    KC_HTTP_OK);
	free(body);
	log = log_for("hdr2", 1);
	assert_string_equal(field(log, 0, "referer"),
	    "https://kick.com/x");
	json_decref(log);

	/* no header smuggling */
	rq.headers = bad;
	assert_int_equal(kc_http_get_mem(h, u, &rq, 65536, &body, &len, &res),
	    KC_HTTP_ERROR);
	kc_http_free(h);
	o.headers = bad;
	assert_null(kc_http_new(&o, why, sizeof(why)));
}

static void
test_cancel(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	kc_http_stats st;
	char u[256], path[700];
	double t0, dt;

	(void)state;
	/* during a transfer (a stall the low-speed limit would take 15 s
	 * to notice) */
	test_opts(&o, &r);
	r.cancel_after = 0.3;
	h = client(&o);
	url(u, sizeof(u), "/data/p?id=cancel1&n=100000&stall=9&at=1000"
	    "&sleep=20");
	scratch(path, sizeof(path), "cancel.bin");
	r.t0 = t0 = now_s();	/* the hook's clock too: client() may be slow */
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_CANCELLED);
	/* the hook is asked every 50 ms; the stall would last 15 s */
	dt = now_s() - t0;
	if (dt < 0.3 || dt > 5)
		fail_msg("cancelled after %.2f s, asked at 0.3 s", dt);
	assert_string_equal(res.reason, "cancelled");
	assert_int_equal(res.attempts, 1);
	assert_int_equal(count_files("cancel.bin"), 0);
	json_decref(log_for("cancel1", 1));
	kc_http_stats_get(h, &st);
	assert_int_equal(st.failures, 1);
	kc_http_free(h);

	/* during a backoff wait, with the default sleep */
	test_opts(&o, &r);
	o.sleep = NULL;
	o.backoff_base = 10;
	r.cancel_after = 0.3;
	h = client(&o);
	url(u, sizeof(u), "/status/503?id=cancel2&x=1");
	r.t0 = t0 = now_s();	/* the hook's clock too: client() may be slow */
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_CANCELLED);
	dt = now_s() - t0;	/* the backoff wait is 10 s */
	if (dt < 0.3 || dt > 5)
		fail_msg("cancelled after %.2f s, asked at 0.3 s", dt);
	assert_int_equal(res.attempts, 1);
	json_decref(log_for("cancel2", 1));
	kc_http_free(h);

	/* the default sleep really waits */
	test_opts(&o, &r);
	o.sleep = NULL;
	o.backoff_base = 0.3;
	o.jitter = 0;
	o.max_retries = 1;
	h = client(&o);
	url(u, sizeof(u), "/status/503?id=realsleep&x=1");
	t0 = now_s();
	assert_int_equal(kc_http_get_file(h, u, NULL, path, &res),
	    KC_HTTP_GAVEUP);
	assert_true(now_s() - t0 >= 0.3);
	assert_int_equal(res.attempts, 2);
	json_decref(log_for("realsleep", 2));
	kc_http_free(h);
}

static void
test_options(void **state)
{
	static const char *const none[] = { NULL };
	kc_http_opts o, d;
	struct rec r;
	char why[256];

	(void)state;
	kc_http_opts_init(&d);
	assert_int_equal(d.max_retries, 5);
	assert_near(d.backoff_base, 1, 0);
	assert_near(d.backoff_factor, 2, 0);
	assert_near(d.jitter, 0.25, 0);
	assert_int_equal(d.low_speed_limit, 1000);
	assert_near(d.low_speed_time, 15, 0);
	assert_near(d.timeout, 0, 0);
	assert_null(d.user_agents);
	assert_null(d.cookie_file);
	assert_null(d.sleep);
	assert_non_null(kc_http_user_agents[0]);
	assert_contains(kc_http_user_agents[0], "Mozilla/5.0");

#define REJECT(field, value) do {					\
	test_opts(&o, &r);						\
	o.field = value;						\
	why[0] = '\0';							\
	assert_null(kc_http_new(&o, why, sizeof(why)));			\
	assert_contains(why, #field);					\
} while (0)
	REJECT(max_retries, -1);
	REJECT(max_retries, 101);
	REJECT(backoff_factor, 0.5);
	REJECT(jitter, 1.5);
	REJECT(jitter, NAN);
	REJECT(connect_timeout, 0);
	REJECT(max_redirects, 99);
#undef REJECT
	test_opts(&o, &r);
	o.user_agents = none;
	why[0] = '\0';
	assert_null(kc_http_new(&o, why, sizeof(why)));
	assert_contains(why, "User-Agent");
	kc_http_free(NULL);
}

/* The total timeout per attempt ends a slow but moving transfer. */
static void
test_timeout(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char u[256], *body;
	size_t len;
	double t0;

	(void)state;
	test_opts(&o, &r);
	o.timeout = 0.5;
	o.max_retries = 1;
	h = client(&o);
	url(u, sizeof(u), "/data/q?id=tmo&n=100000&stall=9&at=10&sleep=20");
	t0 = now_s();
	assert_int_equal(kc_http_get_mem(h, u, NULL, 1 << 20, &body, &len,
	    &res), KC_HTTP_GAVEUP);
	assert_true(now_s() - t0 < 10);	/* the server would stall 20 s */
	assert_contains(res.reason, "timed out");
	assert_contains(res.reason, "after 2 attempts");
	json_decref(log_for("tmo", 2));
	kc_http_free(h);
}

/* TLS is verified: a self-signed certificate fails, and is not retried. */
static void
test_tls_verified(void **state)
{
	kc_http_opts o;
	struct rec r;
	kc_http *h;
	kc_http_result res;
	char cert[700], key[700], log[700], u[256], *body;
	size_t len;
	pid_t pid;
	int port, st;

	(void)state;
	scratch(cert, sizeof(cert), "cert.pem");
	scratch(key, sizeof(key), "key.pem");
	scratch(log, sizeof(log), "tls.jsonl");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execlp("openssl", "openssl", "req", "-x509", "-newkey",
		    "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
		    "-days", "1", "-subj", "/CN=127.0.0.1", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		skip();		/* no openssl to make a certificate with */
		return;
	}
	assert_int_equal(spawn_server(log, cert, key, &pid, &port), 0);
	test_opts(&o, &r);
	h = client(&o);
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/data/t?id=tls&n=10",
	    port);
	assert_int_equal(kc_http_get_mem(h, u, NULL, 4096, &body, &len, &res),
	    KC_HTTP_FAILED);
	assert_null(body);
	assert_int_equal(res.attempts, 1);
	assert_contains(res.reason, "certificate");
	kc_http_free(h);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_mem_200),
		cmocka_unit_test(test_file_200),
		cmocka_unit_test(test_connection_reuse),
		cmocka_unit_test(test_no_stall),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_404),
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_403_then_ok),
		cmocka_unit_test(test_burst_per_ua),
		cmocka_unit_test(test_429_retry_after),
		cmocka_unit_test(test_5xx),
		cmocka_unit_test(test_always_403_refused),
		cmocka_unit_test(test_stats_add),
		cmocka_unit_test(test_retry_by_cause),
		cmocka_unit_test(test_default_jitter),
		cmocka_unit_test(test_drop_resume_file),
		cmocka_unit_test(test_drop_restart),
		cmocka_unit_test(test_drop_quick),
		cmocka_unit_test(test_drop_pipe),
		cmocka_unit_test(test_fd_failure_truncates),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_tls_verified),
	};
	int rc;

	if (kc_http_global_init() != 0)
		return 1;
	rc = cmocka_run_group_tests_name("http", tests, start_server,
	    stop_server);
	kc_http_global_cleanup();
	return rc;
}
