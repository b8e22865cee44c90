/*
 * jobs.c - the page's background work, one job at a time, kept in memory:
 * generate (kc-clip cuts and records a stream's highlights), analyse
 * (kc-clip only finds them), cut (kc-clip cuts the highlights picked from
 * an analysis, as edited) and vertical (kc-cut --export-vertical | kc-db
 * add: a clip's 9:16 copy).  jobopts.c says what each runs; here the
 * children are started from those argv arrays and watched by a thread
 * that reads the last one's records ("progress" while kc-clip analyses,
 * then "stream", "curve", "highlight", "clip" and the failed cuts'
 * "error") and the last lines of their stderr.  Pages poll a job's state.
 *
 * A live stream's clips are stored one by one as they are cut, while
 * kc-clip reports its clips when the run ends; so while a live stream's
 * job runs, the watcher also asks the database every LIVE_POLL seconds
 * for the clips of the job's stream stored since the job started, and
 * shows each as soon as it is there.  A stream is live when kc-clip's
 * progress records know no total (or its stream record says so); it is
 * named by the URL given, as kc-db stores a URL's stream (or by the
 * stream record's id, when kc-clip has written it).
 *
 * Cancel sends the first child SIGTERM twice, 0.3 s apart: on a file or
 * VOD the first already stops every stage of kc-clip, so the stream never
 * ends and kc-db add stores nothing of the run; on a live stream the
 * first only stops its fetcher (what is in flight would still be cut),
 * the second every stage.  kc-cut stopped, the kc-db add after it reads
 * the end of its input before any record and stores nothing.
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
#define LIVE_POLL	2.0	/* seconds between a live job's looks at the
				   database */

struct job {
	long id;
	const char *kind;	/* generate, analyse, cut, vertical */
	const char *status;	/* running, done, partial, failed,
				   cancelled */
	pid_t pid[2];		/* the children, in pipeline order */
	int nchild;
	int running;		/* until every child is reaped */
	long of;		/* cut: the analysis's job; vertical: the
				   clip; else 0 */
	long long since;	/* generate: the newest clip's id before */
	json_t *opts;		/* the options as given (validated) */
	json_t *progress;	/* the last "progress" record, or NULL */
	json_t *stream;		/* the "stream" record, or NULL */
	json_t *curves, *clips, *log;	/* arrays */
	json_t *failed;		/* array: kc-cut's error records of the
				   highlights whose cut failed */
	json_t *highlights;	/* array: an analysis's highlight records
				   whole (clips has them for the page) */
	char started[32];
	double t0, t1;		/* kc_now() at start and end */
	double cancel_at;	/* kc_now() of the first SIGTERM, or 0 */
	double polled;		/* kc_now() of the last look at the database */
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
	json_decref(j->stream);
	json_decref(j->curves);
	json_decref(j->clips);
	json_decref(j->failed);
	json_decref(j->highlights);
	json_decref(j->log);
	free(j);
}

/* The place of the clip with rec's id in j's clips, or -1. */
static long
clip_at(const struct job *j, const json_t *rec)
{
	json_t *id = json_object_get(rec, "id"), *c;
	size_t i;

	if (!json_is_integer(id))
		return -1;
	json_array_foreach(j->clips, i, c)
		if (json_equal(json_object_get(c, "id"), id))
			return (long)i;
	return -1;
}

/* A clip record for the page: kc-clip's own replaces what the database
 * showed of it while the run went on. */
static void
add_clip(struct job *j, json_t *rec)
{
	long at;

	media_urls(rec);
	if ((at = clip_at(j, rec)) >= 0)
		json_array_set(j->clips, (size_t)at, rec);
	else
		json_array_append(j->clips, rec);
}

static void
on_record(struct job *j, const char *line)
{
	json_t *rec, *show;
	const char *type;

	if ((rec = json_loads(line, 0, NULL)) == NULL)
		return;
	type = json_string_value(json_object_get(rec, "type"));
	if (type == NULL)
		;
	else if (strcmp(type, "progress") == 0) {
		json_decref(j->progress);
		j->progress = json_incref(rec);
	} else if (strcmp(type, "stream") == 0) {
		if (j->stream == NULL)
			j->stream = json_incref(rec);
	} else if (strcmp(type, "curve") == 0)
		json_array_append(j->curves, rec);
	else if (strcmp(type, "highlight") == 0) {
		/* whole for a cut (its features are stored with the clip);
		 * numbered and lighter for the page */
		if ((show = json_copy(rec)) != NULL) {
			json_object_set_new(show, "i", json_integer((json_int_t)
			    json_array_size(j->highlights)));
			json_object_del(show, "features");
			json_array_append_new(j->clips, show);
			json_array_append(j->highlights, rec);
		}
	} else if (strcmp(type, "clip") == 0)
		add_clip(j, rec);
	else if (strcmp(type, "error") == 0 && json_is_string(
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

/* The name of j's stream into buf when it is live, else NULL.  With the
 * lock held. */
static const char *
live_stream(const struct job *j, char *buf, size_t n)
{
	const char *url = json_string_value(json_object_get(j->opts, "url"));
	json_t *total;
	int live;

	if (j->stream && kc_rec_bool(j->stream, "live", &live) == 0)
		return live && kc_rec_str(j->stream, "id") && snprintf(buf, n,
		    "%s", kc_rec_str(j->stream, "id")) < (int)n ? buf : NULL;
	total = j->progress ? json_object_get(j->progress, "total") : NULL;
	if (total == NULL || !json_is_null(total) || url == NULL ||
	    (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return NULL;
	return snprintf(buf, n, "%s", url) < (int)n ? buf : NULL;
}

/*
 * A live generate job: the clips of its stream stored since it started
 * that the job does not show yet, at most every LIVE_POLL seconds.  The
 * database is asked without the lock held; a clip kc-clip reported
 * meanwhile is not replaced by the database's record of it.
 */
static void
poll_live(struct job *j)
{
	const char *args[7];
	char name[4200], err[512], *out = NULL, *line, *nl;
	json_t *rec;

	pthread_mutex_lock(&mu);
	if (strcmp(j->kind, "generate") || kc_now() - j->polled < LIVE_POLL ||
	    live_stream(j, name, sizeof(name)) == NULL) {
		pthread_mutex_unlock(&mu);
		return;
	}
	j->polled = kc_now();
	pthread_mutex_unlock(&mu);
	args[0] = "list";
	args[1] = "--json";
	args[2] = "--stream";
	args[3] = name;
	args[4] = "--sort";
	args[5] = "time";
	args[6] = NULL;
	if (api_kcdb(args, &out, err, sizeof(err)) != 0) {
		free(out);
		return;	/* the next look, or kc-clip's report, shows them */
	}
	pthread_mutex_lock(&mu);
	for (line = out; line && *line; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if ((rec = json_loads(line, 0, NULL)) == NULL)
			continue;
		if (json_integer_value(json_object_get(rec, "id")) > j->since &&
		    clip_at(j, rec) < 0) {
			media_urls(rec);
			json_array_append(j->clips, rec);
		}
		json_decref(rec);
	}
	pthread_mutex_unlock(&mu);
	free(out);
}

/* Waits for every child; the job's exit code is that of the first that
 * failed, in pipeline order (the later ones fail because of it). */
static void
reap(struct job *j)
{
	siginfo_t si;
	int i, st, code = 0, failed = 0;

	/* a zombie keeps its pid: none can be reused for another process
	 * while cancel may still signal it under the lock */
	for (i = 0; i < j->nchild; i++)
		while (waitid(P_PID, (id_t)j->pid[i], &si, WEXITED | WNOWAIT) !=
		    0 && errno == EINTR)
			;
	pthread_mutex_lock(&mu);
	for (i = 0; i < j->nchild; i++) {
		if (kc_wait(j->pid[i], &st) != 0)
			st = 1 << 8;
		if (kc_status_failed(st) && !failed) {
			failed = 1;
			code = kc_status_code(st);
		}
	}
	j->exit_code = code;
	j->t1 = kc_now();
	/* a run that completed before the cancel reached it is done; one
	 * whose cuts partly failed still stored the others */
	j->status = !failed ? "done" : j->cancel_at > 0 ? "cancelled" :
	    code == KC_EXIT_PARTIAL && json_array_size(j->clips) > 0 ?
	    "partial" : "failed";
	j->running = 0;
	fprintf(stderr, "kc-web: job %ld %s (exit %d, %zu clips, %.1f s)\n",
	    j->id, j->status, j->exit_code, json_array_size(j->clips),
	    j->t1 - j->t0);
	pthread_mutex_unlock(&mu);
}

static void *
watch(void *arg)
{
	struct job *j = arg;
	struct lines lo = { 0 }, le = { 0 };
	struct pollfd pf[2];
	int open_fds = 2, i, again = 0;

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
			kill(j->pid[0], SIGTERM);	/* kc-clip: abort every
							   stage */
			again = 1;
		}
		pthread_mutex_unlock(&mu);
		poll_live(j);
	}
	for (i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(lo.buf);
	free(le.buf);
	reap(j);
	return NULL;
}

static json_t *
job_json(const struct job *j, int full)
{
	json_t *o, *p;
	double done, total, el;

	el = (j->running ? kc_now() : j->t1) - j->t0;
	o = json_pack("{s:I, s:s, s:s, s:O, s:s, s:f, s:I}", "id",
	    (json_int_t)j->id, "kind", j->kind, "status", j->status,
	    "options", j->opts, "started", j->started, "elapsed",
	    floor(el * 10) / 10, "clips_n", (json_int_t)json_array_size(
	    j->clips));
	if (o == NULL)
		return NULL;
	if (!j->running)
		json_object_set_new(o, "exit", json_integer(j->exit_code));
	if (strcmp(j->kind, "cut") == 0)
		json_object_set_new(o, "analysis", json_integer(j->of));
	if (strcmp(j->kind, "vertical") == 0)
		json_object_set_new(o, "clip", json_integer(j->of));
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
		json_object_set(o, "stream", j->stream ? j->stream :
		    json_null());
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

/* The running job, or NULL.  With the lock held. */
static struct job *
busy(void)
{
	int i;

	for (i = 0; i < njobs; i++)
		if (jobs[i]->running)
			return jobs[i];
	return NULL;
}

/* Starts s's commands, piped one into the next, the last one's stdout
 * and everyone's stderr to j's pipes.  0, or -1 with errno and nothing
 * left running. */
static int
spawn_children(struct job *j, const struct jobspec *s)
{
	int op[2] = { -1, -1 }, ep[2] = { -1, -1 }, mp[2] = { -1, -1 };
	int dn = -1, prev = -1, in, out, i, saved;

	if (pipe2(op, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0 ||
	    (s->in == NULL && (dn = open("/dev/null", O_RDONLY | O_CLOEXEC)) <
	    0))
		goto fail;
	for (i = 0; i < s->ncmd; i++) {
		in = i > 0 ? prev : s->in ? fileno(s->in) : dn;
		if (i + 1 < s->ncmd && pipe2(mp, O_CLOEXEC) != 0)
			goto fail;
		out = i + 1 < s->ncmd ? mp[1] : op[1];
		if (kc_spawn(s->argv[i], in, out, ep[1], &j->pid[i]) != 0)
			goto fail;
		j->nchild = i + 1;
		if (prev >= 0)
			close(prev);
		prev = -1;
		if (i + 1 < s->ncmd) {
			close(mp[1]);
			prev = mp[0];
			mp[0] = mp[1] = -1;
		}
	}
	close(op[1]);
	close(ep[1]);
	if (dn >= 0)
		close(dn);
	j->out_rd = op[0];
	j->err_rd = ep[0];
	return 0;
fail:
	saved = errno;
	for (i = 0; i < j->nchild; i++)
		kc_kill_wait(j->pid[i], 1000);
	j->nchild = 0;
	for (i = 0; i < 2; i++) {
		if (op[i] >= 0)
			close(op[i]);
		if (ep[i] >= 0)
			close(ep[i]);
		if (mp[i] >= 0)
			close(mp[i]);
	}
	if (dn >= 0)
		close(dn);
	if (prev >= 0)
		close(prev);
	errno = saved;
	return -1;
}

/*
 * Starts the job s describes, with the lock held (and released here):
 * o, the options it was made from, is kept with it (stolen); stream and
 * curves (may be NULL) are what the page shows of it until it has its
 * own (a cut's, from its analysis); of is job_json's analysis or clip;
 * since the newest clip's id before a generate job.  Answers 202 with
 * the job.
 */
static enum MHD_Result
launch(struct MHD_Connection *c, struct jobspec *s, json_t *o,
    json_t *stream, json_t *curves, long of, long long since)
{
	struct job *j;
	struct tm tm;
	time_t now;
	char why[256];
	json_t *ans;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		pthread_mutex_unlock(&mu);
		json_decref(o);
		return MHD_NO;
	}
	/* stream and curves may be the oldest job's, which goes below */
	j->stream = json_incref(stream);
	j->curves = curves ? json_copy(curves) : json_array();
	if (njobs == MAXJOBS) {	/* the oldest goes (all are finished) */
		pthread_join(jobs[0]->th, NULL);
		job_free(jobs[0]);
		memmove(jobs, jobs + 1, (MAXJOBS - 1) * sizeof(jobs[0]));
		njobs--;
	}
	j->kind = s->kind;
	j->of = of;
	j->since = since;
	j->opts = o;
	j->clips = json_array();
	j->failed = json_array();
	j->highlights = json_array();
	j->log = json_array();
	j->status = "running";
	j->t0 = kc_now();
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(j->started, sizeof(j->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (spawn_children(j, s) != 0) {
		snprintf(why, sizeof(why), "cannot run %s: %s", s->argv[0][0],
		    strerror(errno));
		pthread_mutex_unlock(&mu);
		job_free(j);
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", why);
	}
	j->running = 1;
	j->id = next_id++;
	if (pthread_create(&j->th, NULL, watch, j) != 0) {
		while (j->nchild > 0)
			kc_kill_wait(j->pid[--j->nchild], 1000);
		close(j->out_rd);
		close(j->err_rd);
		pthread_mutex_unlock(&mu);
		job_free(j);
		return web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "thread");
	}
	jobs[njobs++] = j;
	if (strcmp(j->kind, "generate") == 0 || strcmp(j->kind, "analyse") ==
	    0)
		fprintf(stderr, "kc-web: job %ld: %s %s\n", j->id, j->kind,
		    json_string_value(json_object_get(o, "url")));
	else
		fprintf(stderr, "kc-web: job %ld: %s of %s %ld\n", j->id,
		    j->kind, strcmp(j->kind, "cut") ? "clip" : "job", of);
	ans = job_json(j, 0);
	pthread_mutex_unlock(&mu);
	return web_json(c, MHD_HTTP_ACCEPTED, ans);
}

/* 409 while a job runs (the lock held, and released here). */
static enum MHD_Result
refuse_busy(struct MHD_Connection *c, const struct job *b, json_t *o,
    FILE *in)
{
	long id = b->id;

	pthread_mutex_unlock(&mu);
	json_decref(o);
	if (in)
		fclose(in);
	return web_error(c, MHD_HTTP_CONFLICT, "job %ld is still running; one "
	    "at a time", id);
}

/* POST /api/jobs: generate or analyse. */
static enum MHD_Result
start(struct MHD_Connection *c, struct req *r)
{
	enum MHD_Result res;
	struct jobspec s;
	struct job *b;
	char why[256];
	long long since;
	json_t *o;

	if ((o = api_body(c, r, &res)) == NULL)
		return res;
	if (jobopts_generate(o, &s, why, sizeof(why)) != 0) {
		json_decref(o);
		return web_error(c, MHD_HTTP_BAD_REQUEST, "%s", why);
	}
	/* which clips a live run shows are those stored after this */
	since = strcmp(s.kind, "generate") == 0 ? rows_last() : 0;
	pthread_mutex_lock(&mu);
	if ((b = busy()) != NULL)
		return refuse_busy(c, b, o, NULL);
	return launch(c, &s, o, NULL, NULL, 0, since);
}

/* POST /api/jobs/ID/cut: the highlights picked from analysis a. */
static enum MHD_Result
cut(struct MHD_Connection *c, long a, struct req *r)
{
	enum MHD_Result res;
	struct jobspec s;
	struct job *j, *b;
	char why[512];
	json_t *o;

	if ((o = api_body(c, r, &res)) == NULL)
		return res;
	pthread_mutex_lock(&mu);
	if ((j = find(a)) == NULL) {
		pthread_mutex_unlock(&mu);
		json_decref(o);
		return web_error(c, MHD_HTTP_NOT_FOUND, "no job %ld", a);
	}
	if (strcmp(j->kind, "analyse") || strcmp(j->status, "done") ||
	    j->stream == NULL) {
		pthread_mutex_unlock(&mu);
		json_decref(o);
		return web_error(c, MHD_HTTP_CONFLICT, "job %ld is not a "
		    "finished analysis", a);
	}
	if (jobopts_cut(o, j->stream, j->highlights, &s, why, sizeof(why)) !=
	    0) {
		pthread_mutex_unlock(&mu);
		json_decref(o);
		return web_error(c, MHD_HTTP_BAD_REQUEST, "%s", why);
	}
	if ((b = busy()) != NULL)
		return refuse_busy(c, b, o, s.in);
	res = launch(c, &s, o, j->stream, j->curves, a, 0);
	fclose(s.in);
	return res;
}

enum MHD_Result
jobs_vertical(struct MHD_Connection *c, long id, struct req *r)
{
	enum MHD_Result res;
	struct jobspec s;
	struct job *b;
	char why[1024];
	json_t *o, *clip;
	int rc;

	if ((o = api_body(c, r, &res)) == NULL)
		return res;
	if ((rc = api_clip(id, &clip, why, sizeof(why))) != 0) {
		json_decref(o);
		return rc > 0 ? web_error(c, MHD_HTTP_NOT_FOUND, "no clip %ld",
		    id) : web_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", why);
	}
	rc = jobopts_vertical(o, clip, &s, why, sizeof(why));
	json_decref(clip);
	if (rc != 0) {
		json_decref(o);
		return web_error(c, MHD_HTTP_BAD_REQUEST, "%s", why);
	}
	pthread_mutex_lock(&mu);
	if ((b = busy()) != NULL)
		return refuse_busy(c, b, o, s.in);
	res = launch(c, &s, o, NULL, NULL, id, 0);
	fclose(s.in);
	return res;
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
	int post = strcmp(method, "POST") == 0;

	if (*path == '\0') {
		if (post)
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
	if (rest && strcmp(rest, "/cut") == 0 && post)
		return cut(c, id, r);
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
	if (rest && strcmp(rest, "/cancel") == 0 && post) {
		if (j->running && j->cancel_at == 0) {
			kill(j->pid[0], SIGTERM);
			j->cancel_at = kc_now();
			fprintf(stderr, "kc-web: job %ld: cancelling\n", j->id);
		}
		o = job_json(j, 0);
		pthread_mutex_unlock(&mu);
		return web_json(c, MHD_HTTP_OK, o);
	}
	pthread_mutex_unlock(&mu);
	return web_error(c, rest && strcmp(rest, "/cancel") && strcmp(rest,
	    "/cut") ? MHD_HTTP_NOT_FOUND : MHD_HTTP_METHOD_NOT_ALLOWED,
	    "%s %s: no such action", method, path);
}

void
jobs_shutdown(void)
{
	int i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < njobs; i++)
		if (jobs[i]->running && jobs[i]->cancel_at == 0) {
			kill(jobs[i]->pid[0], SIGTERM);
			jobs[i]->cancel_at = kc_now();
		}
	pthread_mutex_unlock(&mu);
	for (i = 0; i < njobs; i++) {
		pthread_join(jobs[i]->th, NULL);
		job_free(jobs[i]);
	}
	njobs = 0;
}
