/*
 * jobs.c - Generate: one kc-clip child at a time, run in the background
 * from an argv array with the user's options, watched by a thread that
 * reads its records ("progress" while it analyses, then "curve" and
 * "clip") and the last lines of its stderr.  Pages poll a job's state.
 * Cancel sends kc-clip SIGTERM twice, 0.3 s apart: on a file or VOD the
 * first already stops every stage, so the stream never ends and kc-db add
 * stores nothing of the run; on a live stream the first only stops its
 * fetcher (what is in flight would still be cut), the second every stage.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "progress.h"
#include "rec.h"
#include "spawn.h"
#include "web.h"

#define MAXJOBS		16	/* kept in memory, oldest finished dropped */
#define LOGLINES	40	/* stderr lines kept per job */
#define MAXLINE		(64L * 1024 * 1024)

struct job {
	long id;
	pid_t pid;
	const char *status;	/* running, done, partial, failed,
				   cancelled */
	json_t *opts;		/* the options as given (validated) */
	json_t *progress;	/* the last "progress" record, or NULL */
	json_t *curves, *clips, *log;	/* arrays */
	json_t *failed;		/* array: kc-cut's error records of the
				   highlights whose cut failed */
	char started[32];
	double t0, t1;		/* kc_now() at start and end */
	double cancel_at;	/* kc_now() of the first SIGTERM, or 0 */
	int exit_code;
	int out_rd, err_rd;
	pthread_t th;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct job *jobs[MAXJOBS];
static int njobs;
static long next_id = 1;

/* A growing buffer cut into lines. */
struct lines {
	char *buf;
	size_t len, cap;
};

static void
job_free(struct job *j)
{
	json_decref(j->opts);
	json_decref(j->progress);
	json_decref(j->curves);
	json_decref(j->clips);
	json_decref(j->failed);
	json_decref(j->log);
	free(j);
}

static void
on_record(struct job *j, const char *line)
{
	json_t *rec;
	const char *type;
	char *src;

	if ((rec = json_loads(line, 0, NULL)) == NULL)
		return;
	type = json_string_value(json_object_get(rec, "type"));
	if (type == NULL)
		;
	else if (strcmp(type, "progress") == 0) {
		json_decref(j->progress);
		j->progress = json_incref(rec);
	} else if (strcmp(type, "curve") == 0)
		json_array_append(j->curves, rec);
	else if (strcmp(type, "clip") == 0 || strcmp(type, "highlight") == 0) {
		json_object_del(rec, "features");
		src = web_clip_src(json_string_value(json_object_get(rec,
		    "path")));
		json_object_set_new(rec, "src", src ? json_string(src) :
		    json_null());
		free(src);
		json_array_append(j->clips, rec);
	} else if (strcmp(type, "error") == 0 && json_is_string(
	    json_object_get(rec, "kind")))
		json_array_append(j->failed, rec);	/* a failed cut */
	json_decref(rec);
}

static void
on_errline(struct job *j, const char *line)
{
	if (*line == '\0')
		return;
	json_array_append_new(j->log, json_string(line));
	while (json_array_size(j->log) > LOGLINES)
		json_array_remove(j->log, 0);
}

/* Reads what fd has; calls fn under the lock for each complete line.
 * Returns 0 at end of file, 1 otherwise. */
static int
feed(struct job *j, int fd, struct lines *l,
    void (*fn)(struct job *, const char *))
{
	char *nl, *p, *nb;
	ssize_t n;
	size_t ncap;

	if (l->cap - l->len < 4096) {
		ncap = l->cap ? 2 * l->cap : 65536;
		if ((nb = realloc(l->buf, ncap)) == NULL)
			return 0;
		l->buf = nb;
		l->cap = ncap;
	}
	n = read(fd, l->buf + l->len, l->cap - l->len - 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		if (l->len > 0) {	/* a last line without '\n' */
			l->buf[l->len] = '\0';
			pthread_mutex_lock(&mu);
			fn(j, l->buf);
			pthread_mutex_unlock(&mu);
			l->len = 0;
		}
		return 0;
	}
	l->len += (size_t)n;
	l->buf[l->len] = '\0';
	p = l->buf;
	pthread_mutex_lock(&mu);
	while ((nl = memchr(p, '\n', l->len - (size_t)(p - l->buf))) != NULL) {
		*nl = '\0';
		fn(j, p);
		p = nl + 1;
	}
	pthread_mutex_unlock(&mu);
	l->len -= (size_t)(p - l->buf);
	memmove(l->buf, p, l->len);
	if (l->len > MAXLINE)	/* no record is this long: drop it */
		l->len = 0;
	return 1;
}

static void *
watch(void *arg)
{
	struct job *j = arg;
	struct lines lo = { 0 }, le = { 0 };
	struct pollfd pf[2];
	int open_fds = 2, i, st = 0, again = 0;

	pf[0].fd = j->out_rd;
	pf[1].fd = j->err_rd;
	pf[0].events = pf[1].events = POLLIN;
	while (open_fds > 0) {
		if (poll(pf, 2, 100) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			if (!feed(j, pf[i].fd, i ? &le : &lo, i ? on_errline :
			    on_record)) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			}
		}
		pthread_mutex_lock(&mu);
		if (j->cancel_at > 0 && !again && kc_now() - j->cancel_at > 0.3) {
			kill(j->pid, SIGTERM);	/* kc-clip: abort every stage */
			again = 1;
		}
		pthread_mutex_unlock(&mu);
	}
	for (i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(lo.buf);
	free(le.buf);
	if (kc_wait(j->pid, &st) != 0)
		st = 1 << 8;
	pthread_mutex_lock(&mu);
	j->exit_code = kc_status_code(st);
	j->t1 = kc_now();
	/* a run that completed before the cancel reached it is done; one
	 * whose cuts partly failed still stored the others */
	j->status = !kc_status_failed(st) ? "done" : j->cancel_at > 0 ?
	    "cancelled" : j->exit_code == KC_EXIT_PARTIAL ? "partial" :
	    "failed";
	j->pid = -1;
	fprintf(stderr, "kc-web: job %ld %s (exit %d, %zu clips, %.1f s)\n",
	    j->id, j->status, j->exit_code, json_array_size(j->clips),
	    j->t1 - j->t0);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* An optional number option in [lo, hi]: 0 and *out (default kept), or
 * -1 with the message in why. */
static int
num_opt(json_t *o, const char *key, double lo, double hi, int integer,
    double *out, char *why, size_t n)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v)) {
		snprintf(why, n, "%s: want a number", key);
		return -1;
	}
	d = json_number_value(v);
	if (!isfinite(d) || d < lo || d > hi || (integer && d != floor(d))) {
		snprintf(why, n, "%s: want %s %g-%g", key, integer ? "an integer"
		    : "a number", lo, hi);
		return -1;
	}
	*out = d;
	return 1;
}

/* A job's number options (build_argv's nums[]), and the places of the
 * two checked against each other. */
enum { JOB_NUMS = 7, JOB_START_MINUTE = 5, JOB_END_MINUTE = 6 };

/* The kc-clip command line for the options in o, or -1 and why; bufs
 * holds JOB_NUMS numbers' text. */
static int
build_argv(json_t *o, const char **argv, char bufs[][32], char *why,
    size_t n)
{
	static const struct {
		const char *key, *flag;
		double lo, hi, dflt;
		int integer;
	} nums[] = {
		{ "clip_duration", "--clip-duration", 5, 600, 30, 0 },
		{ "min_gap", "--min-gap", 0, 3600, 10, 0 },
		{ "max_audio_clips", "--max-audio-clips", 1, 25, 10, 1 },
		{ "max_video_clips", "--max-video-clips", 1, 25, 10, 1 },
		{ "max_chat_clips", "--max-chat-clips", 1, 25, 10, 1 },
		{ "start_minute", "--start-minute", 0, 6000, -1, 0 },
		{ "end_minute", "--end-minute", 0, 6000, -1, 0 },
	};
	const char *url, *type, *p;
	double v[JOB_NUMS];
	int a = 0, i;
	json_t *u = json_object_get(o, "url"), *t = json_object_get(o, "type");

	url = json_string_value(u);
	if (url == NULL || *url == '\0' || strlen(url) > 4096 || *url == '-') {
		snprintf(why, n, "url: want the stream's URL or a media file");
		return -1;
	}
	for (p = url; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(why, n, "url: control characters");
			return -1;
		}
	type = t == NULL || json_is_null(t) ? "both" : json_string_value(t);
	if (type == NULL || (kc_rec_kind(type) < 0 && strcmp(type, "both") &&
	    strcmp(type, "all"))) {
		snprintf(why, n, "type: want audio, video, chat, both or all");
		return -1;
	}
	argv[a++] = web_tool("kc-clip");
	argv[a++] = "--generate-clips";
	argv[a++] = "--json";
	argv[a++] = "--json-progress";
	argv[a++] = "--curve";
	if (W.no_config)
		argv[a++] = "--no-config";
	argv[a++] = "--db";
	argv[a++] = W.db;
	argv[a++] = "--out";
	argv[a++] = W.clips;
	argv[a++] = "--type";
	argv[a++] = type;
	_Static_assert(sizeof(nums) / sizeof(nums[0]) == JOB_NUMS,
	    "JOB_NUMS counts nums[]");
	for (i = 0; i < JOB_NUMS; i++) {
		v[i] = nums[i].dflt;
		if (num_opt(o, nums[i].key, nums[i].lo, nums[i].hi,
		    nums[i].integer, &v[i], why, n) < 0)
			return -1;
		if (v[i] < 0)
			continue;
		snprintf(bufs[i], 32, "%g", v[i]);
		argv[a++] = nums[i].flag;
		argv[a++] = bufs[i];
	}
	if (v[JOB_END_MINUTE] >= 0 && v[JOB_END_MINUTE] <=
	    (v[JOB_START_MINUTE] < 0 ? 0 : v[JOB_START_MINUTE])) {
		snprintf(why, n, "end_minute: must be after start_minute");
		return -1;
	}
	argv[a++] = "--url";
	argv[a++] = url;
	argv[a] = NULL;
	return 0;
}

static json_t *
job_json(const struct job *j, int full)
{
	json_t *o, *p;
	double done, total, el;

	el = (j->pid > 0 ? kc_now() : j->t1) - j->t0;
	o = json_pack("{s:I, s:s, s:O, s:s, s:f, s:I}", "id",
	    (json_int_t)j->id, "status", j->status, "options", j->opts,
	    "started", j->started, "elapsed", floor(el * 10) / 10, "clips_n",
	    (json_int_t)json_array_size(j->clips));
	if (j->pid < 0)
		json_object_set_new(o, "exit", json_integer(j->exit_code));
	if (j->progress) {
		p = json_deep_copy(j->progress);
		json_object_del(p, "type");
		done = json_number_value(json_object_get(p, "done"));
		total = json_number_value(json_object_get(p, "total"));
		json_object_set_new(p, "percent", total > 0 ? json_real(floor(
		    1000 * fmin(done / total, 1)) / 10) : json_null());
		json_object_set_new(o, "progress", p);
	} else
		json_object_set_new(o, "progress", json_null());
	if (full) {
		json_object_set(o, "log", j->log);
		json_object_set(o, "curves", j->curves);
		json_object_set(o, "clips", j->clips);
		json_object_set(o, "failed", j->failed);
	}
	return o;
}

static struct job *
find(long id)
{
	int i;

	for (i = 0; i < njobs; i++)
		if (jobs[i]->id == id)
			return jobs[i];
	return NULL;
}

static enum MHD_Result
start(struct MHD_Connection *c, struct req *r)
{
	enum MHD_Result res;
	const char *argv[32];
	char bufs[JOB_NUMS][32], why[256];
	struct job *j;
	time_t now;
	struct tm tm;
	json_t *o;
	int op[2], ep[2], i, dn;

	if ((o = api_body(c, r, &res)) == NULL)
		return res;
	if (build_argv(o, argv, bufs, why, sizeof(why)) != 0) {
		json_decref(o);
		return web_error(c, MHD_HTTP_BAD_REQUEST, "%s", why);
	}
	pthread_mutex_lock(&mu);
	for (i = 0; i < njobs; i++)
		if (jobs[i]->pid > 0) {
			pthread_mutex_unlock(&mu);
			json_decref(o);
			return web_error(c, MHD_HTTP_CONFLICT, "job %ld is still "
			    "running; one at a time", jobs[i]->id);
		}
	if (njobs == MAXJOBS) {	/* the oldest goes (all are finished) */
		pthread_join(jobs[0]->th, NULL);
		job_free(jobs[0]);
		memmove(jobs, jobs + 1, (MAXJOBS - 1) * sizeof(jobs[0]));
		njobs--;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		pthread_mutex_unlock(&mu);
		json_decref(o);
		return MHD_NO;
	}
	j->opts = o;
	j->curves = json_array();
	j->clips = json_array();
	j->failed = json_array();
	j->log = json_array();
	j->status = "running";
	j->t0 = kc_now();
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(j->started, sizeof(j->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	op[0] = op[1] = ep[0] = ep[1] = dn = -1;
	if (pipe2(op, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0 ||
	    (dn = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    kc_spawn(argv, dn, op[1], ep[1], &j->pid) != 0) {
		snprintf(why, sizeof(why), "cannot run %s: %s", argv[0],
		    strerror(errno));
		for (i = 0; i < 2; i++) {
			if (op[i] >= 0)
				close(op[i]);
			if (ep[i] >= 0)
				close(ep[i]);
		}
		if (dn >= 0)
			close(dn);
		pthread_mutex_unlock(&mu);
		job_free(j);
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", why);
	}
	close(dn);
	close(op[1]);
	close(ep[1]);
	j->out_rd = op[0];
	j->err_rd = ep[0];
	j->id = next_id++;
	if (pthread_create(&j->th, NULL, watch, j) != 0) {
		kc_kill_wait(j->pid, 1000);
		close(op[0]);
		close(ep[0]);
		pthread_mutex_unlock(&mu);
		job_free(j);
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "thread");
	}
	jobs[njobs++] = j;
	fprintf(stderr, "kc-web: job %ld: %s\n", j->id, json_string_value(
	    json_object_get(j->opts, "url")));
	o = job_json(j, 0);
	pthread_mutex_unlock(&mu);
	return web_json(c, MHD_HTTP_ACCEPTED, o);
}

enum MHD_Result
jobs_route(struct MHD_Connection *c, const char *method, const char *path,
    struct req *r)
{
	struct job *j;
	json_t *o;
	char idbuf[32];
	const char *rest;
	size_t n;
	long id;
	int i, get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (*path == '\0') {
		if (strcmp(method, "POST") == 0)
			return start(c, r);
		if (!get)
			return web_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "%s not allowed", method);
		o = json_array();
		pthread_mutex_lock(&mu);
		for (i = njobs - 1; i >= 0; i--)
			json_array_append_new(o, job_json(jobs[i], 0));
		pthread_mutex_unlock(&mu);
		return web_json(c, MHD_HTTP_OK, json_pack("{s:o}", "jobs", o));
	}
	path++;
	rest = strchr(path, '/');
	n = rest ? (size_t)(rest - path) : strlen(path);
	if (n >= sizeof(idbuf))
		return web_error(c, MHD_HTTP_BAD_REQUEST, "bad job id");
	memcpy(idbuf, path, n);
	idbuf[n] = '\0';
	if (api_id(idbuf, &id) != 0)
		return web_error(c, MHD_HTTP_BAD_REQUEST, "bad job id '%s'",
		    idbuf);
	pthread_mutex_lock(&mu);
	if ((j = find(id)) == NULL) {
		pthread_mutex_unlock(&mu);
		return web_error(c, MHD_HTTP_NOT_FOUND, "no job %ld", id);
	}
	if (rest == NULL && get) {
		o = job_json(j, 1);
		pthread_mutex_unlock(&mu);
		return web_json(c, MHD_HTTP_OK, o);
	}
	if (rest && strcmp(rest, "/cancel") == 0 && strcmp(method, "POST") ==
	    0) {
		if (j->pid > 0 && j->cancel_at == 0) {
			kill(j->pid, SIGTERM);
			j->cancel_at = kc_now();
			fprintf(stderr, "kc-web: job %ld: cancelling\n", j->id);
		}
		o = job_json(j, 0);
		pthread_mutex_unlock(&mu);
		return web_json(c, MHD_HTTP_OK, o);
	}
	pthread_mutex_unlock(&mu);
	return web_error(c, rest && strcmp(rest, "/cancel") ?
	    MHD_HTTP_NOT_FOUND : MHD_HTTP_METHOD_NOT_ALLOWED, "%s %s: no such "
	    "action", method, path);
}

void
jobs_shutdown(void)
{
	int i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < njobs; i++)
		if (jobs[i]->pid > 0 && jobs[i]->cancel_at == 0) {
			kill(jobs[i]->pid, SIGTERM);
			jobs[i]->cancel_at = kc_now();
		}
	pthread_mutex_unlock(&mu);
	for (i = 0; i < njobs; i++) {
		pthread_join(jobs[i]->th, NULL);
		job_free(jobs[i]);
	}
	njobs = 0;
}
