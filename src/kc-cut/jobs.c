/*
 * jobs.c - kc-cut's scheduler: one job per highlight, up to -j of them
 * running at once, their records written in the order the highlights came.
 *
 * A job is a short chain of children, each started from an argv array and
 * reaped without blocking: ffprobe finds the keyframe to start from (copy
 * mode), ffmpeg cuts into a hidden temporary file next to the final one,
 * ffprobe checks the result, and only then is the file renamed into place
 * (kc_cut_place: never over another file); then after.c makes the clip's
 * poster and strip and its vertical version, as asked.  --export-vertical
 * runs after.c's part alone, on clips already made.
 * Children write into anonymous memory files (memfd), read once they
 * exited (or, for an encode's progress, while they run), so no child
 * ever blocks on a full pipe we are not reading.
 *
 * Every running child and every temporary file is also listed in a fixed
 * table the cleanup hook can walk from a signal handler: a broken stdout,
 * a fatal error, SIGINT, SIGTERM or SIGHUP kill the children and remove
 * the temporary files, so no half clip is ever left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kc-cut.h"
#include "msg.h"
#include "out.h"
#include "poster.h"
#include "rec.h"
#include "spawn.h"

/* Largest child output we read (ffprobe's JSON for ~35 s of packets). */
#define CHILD_OUT_MAX (64L << 20)

/*
 * What the cleanup hook needs, in a form a signal handler may read: fixed
 * arrays, written by the main thread with the fatal signals blocked.
 */
static struct {
	volatile pid_t pid;
	volatile sig_atomic_t has_tmp[JOB_TMPS];
	char tmp[JOB_TMPS][PATH_MAX];
} reg[MAX_JOBS];
static int reg_used[MAX_JOBS];

static const struct opts *opt;
static int wake_fd = -1, null_fd = -1;
static struct job *head, *tail;
static int running, npending, nfailed;
static long seq_next = 1, ndone;
static int progress_tty, progress_drawn;

static void
block_fatal(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, old);
}

static void
restore(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

/*
 * Kills every child and removes every temporary file.  Async-signal-safe
 * (kill, waitpid, nanosleep, unlink only), so it serves both as the
 * kc_on_exit hook and from the signal handler.
 */
static void
cleanup(void)
{
	sigset_t old;
	int i, k;

	block_fatal(&old);
	for (i = 0; i < MAX_JOBS; i++)
		if (reg[i].pid > 0)
			kill(reg[i].pid, SIGTERM);
	for (i = 0; i < MAX_JOBS; i++)
		if (reg[i].pid > 0) {
			kc_kill_wait(reg[i].pid, 1000);
			reg[i].pid = 0;
		}
	for (i = 0; i < MAX_JOBS; i++)
		for (k = 0; k < JOB_TMPS; k++)
			if (reg[i].has_tmp[k]) {
				unlink(reg[i].tmp[k]);
				reg[i].has_tmp[k] = 0;
			}
}

static void
on_fatal_signal(int sig)
{
	sigset_t s;

	cleanup();
	/* die of the same signal, so our parent sees what happened */
	signal(sig, SIG_DFL);
	sigemptyset(&s);
	sigaddset(&s, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	_exit(128 + sig);
}

static void
on_child(int sig)
{
	int saved = errno;
	ssize_t w;

	(void)sig;
	w = write(wake_fd, "c", 1);	/* full pipe: a wake-up is pending */
	(void)w;
	errno = saved;
}

void
jobs_init(const struct opts *o, int wakefd)
{
	struct sigaction sa;

	opt = o;
	wake_fd = wakefd;
	if ((null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		kc_die(KC_EXIT_DATA, "/dev/null:");
	progress_tty = !o->quiet && isatty(STDERR_FILENO);
	after_init(o);
	kc_on_exit(cleanup);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
}

struct source *
source_new(const char *cut, const char *url, const char *id)
{
	struct source *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->cut = strdup(cut)) == NULL ||
	    (url && (s->url = strdup(url)) == NULL) ||
	    (id && (s->id = strdup(id)) == NULL))
		kc_die(KC_EXIT_DATA, "out of memory");
	s->video = s->audio = 1;
	s->duration = -1;
	s->pdt0 = NAN;
	s->refs = 1;
	return s;
}

void
source_put(struct source *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	if (s->scratch)
		unlink(s->cut);
	free(s->cut);
	free(s->url);
	free(s->id);
	free(s);
}

static void
progress_clear(void)
{
	after_progress_clear();
	if (progress_drawn) {
		fputs("\r\033[K", stderr);
		progress_drawn = 0;
	}
}

static void
progress_draw(void)
{
	if (after_progress(ndone, seq_next - 1) || !progress_tty)
		return;
	fprintf(stderr, "\r%s: %ld/%ld clips\033[K", kc_prog, ndone,
	    seq_next - 1);
	fflush(stderr);
	progress_drawn = 1;
}

void
jobs_note(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	progress_clear();
	kc_warn("%s", msg);
}

void
jobs_progress_end(void)
{
	after_progress_end();
	if (progress_drawn) {
		fputc('\n', stderr);
		progress_drawn = 0;
	}
}

static void
set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		kc_die(KC_EXIT_DATA, "out of memory");
}

/* Seconds rounded to the microsecond, as ffmpeg counts them. */
static json_t *
secs(double t)
{
	return json_real(round(t * 1e6) / 1e6);
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/*
 * Message text for a record.  ffmpeg's words may quote file names that are
 * not UTF-8, which JSON cannot carry: such bytes become '?'.
 */
static json_t *
text(const char *s)
{
	json_t *v;
	char *c, *p;

	if ((v = json_string(s)) != NULL)
		return v;
	if ((c = strdup(s)) == NULL)
		return NULL;
	for (p = c; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(c);
	free(c);
	return v;
}

/*
 * The job is over (its record may still wait for earlier ones): its
 * source goes now, so a scratch file is not kept until the record is out.
 */
static void
finish(struct job *j, json_t *rec)
{
	j->rec = rec;
	j->st = J_DONE;
	source_put(j->src);
	j->src = NULL;
}

static void
release(struct job *j)
{
	sigset_t old;
	int k;

	if (j->slot >= 0) {
		block_fatal(&old);
		reg[j->slot].pid = 0;
		for (k = 0; k < JOB_TMPS; k++)
			reg[j->slot].has_tmp[k] = 0;
		restore(&old);
		reg_used[j->slot] = 0;
		j->slot = -1;
		running--;
	}
	if (j->outfd >= 0)
		close(j->outfd);
	if (j->errfd >= 0)
		close(j->errfd);
	j->outfd = j->errfd = -1;
}

static void copy_key(json_t *dst, const json_t *src, const char *key);

void
job_tmp_hold(struct job *j, int k, const char *path)
{
	sigset_t old;

	/* listed before a child creates it, so no exit path can miss it */
	block_fatal(&old);
	snprintf(reg[j->slot].tmp[k], sizeof(reg[j->slot].tmp[k]), "%s", path);
	reg[j->slot].has_tmp[k] = 1;
	restore(&old);
}

void
job_tmp_drop(struct job *j, int k)
{
	sigset_t old;

	block_fatal(&old);
	reg[j->slot].has_tmp[k] = 0;
	restore(&old);
}

/*
 * The job failed: remove its temporary files, warn, and make the error
 * record that takes the clip's place.
 */
void
job_fail(struct job *j, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *r;
	int k;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (k = 0; k < JOB_TMPS && j->slot >= 0; k++)
		if (reg[j->slot].has_tmp[k])
			unlink(reg[j->slot].tmp[k]);
	release(j);
	after_forget(j);
	progress_clear();
	if (*j->name)
		kc_warn("%s: %s", j->name, msg);
	else
		kc_warn("%s", msg);
	r = kc_rec_new("error");
	if (r == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "stage", json_string("kc-cut"));
	set(r, "message", text(msg));
	if (isfinite(j->want0) && isfinite(j->want1)) {
		set(r, "t0", secs(j->want0));
		set(r, "t1", secs(j->want1));
	}
	if (*j->path)
		set(r, "path", json_string(j->path));
	/* which highlight it was, so reports can list the failed ones */
	copy_key(r, j->hl, "kind");
	copy_key(r, j->hl, "score");
	copy_key(r, j->hl, "rank");
	if (j->export)		/* which clip of the database it was */
		copy_key(r, j->hl, "id");
	set(r, "fatal", json_false());
	finish(j, r);
	nfailed++;
}

static void
copy_key(json_t *dst, const json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);

	if (v != NULL)
		set(dst, key, json_incref(v));
}

/* path's name with suffix instead of ".mp4" (BASE.jpg ...), as JSON. */
static json_t *
beside(const struct job *j, const char *suffix)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s%s", j->base, suffix);
	return json_string(p);
}

/* The keys of the pictures and the vertical version that were made. */
static void
set_extras(const struct job *j, json_t *r)
{
	if (j->poster) {
		set(r, "poster", beside(j, ".jpg"));
		set(r, "strip", beside(j, ".strip.jpg"));
		set(r, "strip_frames", json_integer(KC_STRIP_FRAMES));
	}
	if (j->vertical) {
		set(r, "vertical_path", beside(j, ".vertical.mp4"));
		set(r, "vertical_mode", json_string(kc_vert_name(&opt->vert)));
	}
}

void
job_succeed(struct job *j)
{
	json_t *r;

	if (j->export) {
		/* the record read, the vertical version's keys added */
		if ((r = json_copy(j->hl)) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		set_extras(j, r);
		release(j);
		finish(j, r);
		return;
	}
	if ((r = kc_rec_new("clip")) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	set(r, "path", json_string(j->path));
	set(r, "t0", secs(j->t0));
	set(r, "t1", secs(j->t0 + j->dur));
	set(r, "want_t0", secs(j->want0));
	set(r, "want_t1", secs(j->want1));
	copy_key(r, j->hl, "kind");
	copy_key(r, j->hl, "score");
	copy_key(r, j->hl, "heuristic");
	copy_key(r, j->hl, "model");
	copy_key(r, j->hl, "model_weight");
	copy_key(r, j->hl, "rank");
	copy_key(r, j->hl, "features");
	set(r, "mode", json_string(opt->mode == KC_CUT_COPY ? "copy" :
	    "accurate"));
	set(r, "reencoded", json_boolean(j->cmode != KC_CUT_COPY));
	set(r, "url", str_or_null(j->src->url));
	set(r, "stream", str_or_null(j->src->id));
	set_extras(j, r);
	release(j);
	finish(j, r);
}

static int
memfd(void)
{
	int fd = memfd_create("kc-cut", MFD_CLOEXEC);

	if (fd < 0)
		kc_die(KC_EXIT_DATA, "memfd_create:");
	return fd;
}

/* Empties a memfd for the next child. */
static void
rewind_fd(int fd)
{
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		kc_die(KC_EXIT_DATA, "memfd:");
}

/* What a child wrote into fd, NUL-terminated, malloc'd. */
static char *
slurp(int fd)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t r;

	if (fstat(fd, &st) != 0)
		kc_die(KC_EXIT_DATA, "memfd:");
	if (st.st_size > CHILD_OUT_MAX)
		st.st_size = CHILD_OUT_MAX;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	while (n < (size_t)st.st_size) {
		r = pread(fd, buf + n, (size_t)st.st_size - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return buf;
}

char *
job_out(struct job *j)
{
	return slurp(j->outfd);
}

/* The last line of the child's stderr, tidied, into buf. */
const char *
job_child_error(struct job *j, char *buf, size_t n)
{
	char *text = slurp(j->errfd);

	kc_cut_errmsg(text, buf, n);
	if (*buf == '\0')
		snprintf(buf, n, "no message");
	free(text);
	return buf;
}

int
job_spawn(struct job *j, const char *const argv[], int want_out)
{
	sigset_t old;
	pid_t pid;
	int rc, saved;

	rewind_fd(j->outfd);
	rewind_fd(j->errfd);
	block_fatal(&old);
	rc = kc_spawn(argv, null_fd, want_out ? j->outfd : null_fd, j->errfd,
	    &pid);
	saved = errno;
	if (rc == 0) {
		j->pid = pid;
		reg[j->slot].pid = pid;
	}
	restore(&old);
	errno = saved;
	return rc;
}

const char *
job_spawn_error(int err)
{
	return err == ENOENT ? "not found (install ffmpeg)" : strerror(err);
}

int
job_start(struct job *j, const char *const argv[], int want_out)
{
	if (job_spawn(j, argv, want_out) != 0) {
		job_fail(j, "cannot run %s: %s", argv[0],
		    job_spawn_error(errno));
		return -1;
	}
	return 0;
}

static void
start_keyframe(struct job *j)
{
	kc_cut_cmd c;

	kc_cut_keyframe_cmd(&c, j->src->cut, j->want0 - j->src->offset, j->how,
	    j->start_time);
	j->st = J_KEYFRAME;
	job_start(j, c.argv, 1);
}

static void
start_cut(struct job *j)
{
	kc_cut_cmd c;

	if (j->seek >= 0 && j->seek <= j->k)
		kc_cut_ffmpeg_cmd(&c, j->src->cut, j->cmode, j->video, j->seek,
		    j->k - j->seek, j->want1 - j->want0, j->tmp);
	else
		kc_cut_ffmpeg_cmd(&c, j->src->cut, j->cmode, j->video, j->k, 0,
		    j->want1 - j->want0, j->tmp);
	job_tmp_hold(j, 0, j->tmp);
	j->st = J_CUT;
	job_start(j, c.argv, 0);
}

static void
start_verify(struct job *j)
{
	kc_cut_cmd c;

	kc_cut_verify_cmd(&c, j->tmp);
	j->st = J_VERIFY;
	job_start(j, c.argv, 1);
}

static void
begin(struct job *j)
{
	int i;

	for (i = 0; i < MAX_JOBS && reg_used[i]; i++)
		;
	if (i == MAX_JOBS)
		kc_die(KC_EXIT_DATA, "internal error: no free job slot");
	reg_used[i] = 1;
	j->slot = i;
	running++;
	j->outfd = memfd();
	j->errfd = memfd();
	if (j->export) {
		after_export(j);
		return;
	}
	j->k = j->want0 - j->src->offset;	/* in the source's own time */
	j->seek = -1;
	j->cmode = opt->mode == KC_CUT_ACCURATE ? KC_CUT_ACCURATE :
	    j->src->copy_as;
	/* a re-encode that is not --accurate keeps a copy's bounds; an
	 * accurate cut decodes from the keyframe before it */
	if (j->video && (opt->mode == KC_CUT_COPY || opt->mode ==
	    KC_CUT_ACCURATE)) {
		j->how = KC_CUT_KF_NEAR;
		start_keyframe(j);
	} else
		start_cut(j);
}

/* The keyframe listing is in: cut, look again more widely, or give up. */
static void
keyframe_done(struct job *j, int status)
{
	char why[512], sbuf[64], *out;
	kc_cut_kf kf;
	int rc;

	if (kc_status_failed(status) && j->cmode == KC_CUT_ACCURATE) {
		start_cut(j);	/* the keyframe was only where to decode from */
		return;
	}
	if (kc_status_failed(status)) {
		job_fail(j, "ffprobe failed (%s): %s", kc_status_str(status,
		    sbuf, sizeof(sbuf)), job_child_error(j, why, sizeof(why)));
		return;
	}
	out = slurp(j->outfd);
	rc = kc_cut_keyframe_parse(out, j->want0 - j->src->offset, j->how ==
	    KC_CUT_KF_ALL || j->want0 - j->src->offset <= 30, &kf, why,
	    sizeof(why));
	free(out);
	if (rc == 1) {
		j->video = 0;	/* no video after all: audio frames are all key */
		start_cut(j);
	} else if (j->cmode == KC_CUT_ACCURATE) {
		/* the keyframe is only where decoding starts: without one
		 * near, the input is opened at the cut itself, as before */
		if (rc == 0 && kf.reached)
			j->seek = kf.k;
		start_cut(j);
	} else if (rc == 0 && (kf.reached || j->how != KC_CUT_KF_NEAR)) {
		j->k = kf.k;
		start_cut(j);
	} else if (j->how != KC_CUT_KF_ALL) {
		j->how = j->how == KC_CUT_KF_NEAR ? KC_CUT_KF_EXACT :
		    KC_CUT_KF_ALL;
		j->start_time = kf.start_time;
		start_keyframe(j);
	} else
		job_fail(j, "%s", why);
}

static void
cut_done(struct job *j, int status)
{
	char why[512], sbuf[64];

	if (kc_status_failed(status) && j->cmode == KC_CUT_COPY &&
	    !WIFSIGNALED(status)) {
		/* MP4 cannot carry every audio codec (PCM from a .wav or
		 * .mov, ...): copy the picture, re-encode only the sound */
		j->cmode = KC_CUT_COPY_AAC;
		start_cut(j);
		return;
	}
	if (kc_status_failed(status)) {
		job_fail(j, "ffmpeg failed (%s): %s", kc_status_str(status,
		    sbuf, sizeof(sbuf)), job_child_error(j, why, sizeof(why)));
		return;
	}
	start_verify(j);
}

static void
verify_done(struct job *j, int status)
{
	char why[512], sbuf[64], *out, path[PATH_MAX];
	kc_cut_expect e;
	kc_cut_found f;
	int rc;

	if (kc_status_failed(status)) {
		job_fail(j, "ffprobe failed on the new clip (%s): %s",
		    kc_status_str(status, sbuf, sizeof(sbuf)),
		    job_child_error(j, why, sizeof(why)));
		return;
	}
	e.video = j->video;
	e.audio = j->src->audio;
	e.dur = j->want1 - j->want0;
	if (j->src->duration > 0 && j->k + e.dur > j->src->duration)
		e.dur = j->src->duration - j->k;	/* the media ends first */
	e.tol = opt->mode == KC_CUT_COPY ? 1.0 : 0.1;
	e.vlate = 0.2;
	out = slurp(j->outfd);
	rc = kc_cut_verify_parse(out, &e, &f, why, sizeof(why));
	free(out);
	if (rc != 0) {
		job_fail(j, "bad clip: %s", why);
		return;
	}
	/* an identical clip kept (a rerun) gets the same record as a new one */
	if (kc_cut_place(j->tmp, opt->dir, j->name, path, sizeof(path),
	    NULL) != 0) {
		if (errno == EEXIST)
			job_fail(j, "cannot move %s into place: its name and "
			    "the %d numbered ones are all other files'", j->tmp,
			    KC_CUT_PLACE_TRIES - 1);
		else
			job_fail(j, "cannot move %s into place: %s", j->tmp,
			    strerror(errno));
		return;
	}
	job_tmp_drop(j, 0);
	if (strcmp(path, j->path) != 0) {
		progress_clear();
		kc_warn("%s: another file has that name; saved as %s", j->name,
		    strrchr(path, '/') + 1);
		memcpy(j->path, path, sizeof(j->path));
	}
	j->t0 = j->k + j->src->offset;
	j->dur = f.dur;
	j->width = f.width;
	j->height = f.height;
	j->audio = f.astart >= 0;
	after_cut(j);
}

/* Validates a highlight (kc_rec_check); 0, or -1 with a reason. */
static int
check_highlight(struct job *j, const json_t *hl, double *score,
    const char **kind, char *why, size_t n)
{
	j->want0 = j->want1 = NAN;
	if (kc_rec_check(hl, why, n) != 0)
		return -1;
	kc_rec_num(hl, "t0", &j->want0);
	kc_rec_num(hl, "t1", &j->want1);
	*kind = kc_rec_str(hl, "kind");
	kc_rec_num(hl, "score", score);
	return 0;
}

/* A new job for record rec (of source s, or NULL), queued last. */
static struct job *
job_new(struct source *s, const json_t *rec)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	j->seq = seq_next++;
	j->src = s;
	if (s != NULL)
		s->refs++;
	j->hl = json_incref((json_t *)rec);
	j->video = s != NULL ? s->video : 1;
	j->want0 = j->want1 = NAN;
	j->slot = -1;
	j->outfd = j->errfd = -1;
	j->st = J_QUEUED;
	if (tail)
		tail->next = j;
	else
		head = j;
	tail = j;
	npending++;
	return j;
}

void
jobs_add(struct source *s, const char *stem, const json_t *hl,
    const char *where, const char *err)
{
	char why[512];
	const char *kind;
	struct job *j;
	double score;
	int w;

	j = job_new(s, hl);
	if (check_highlight(j, hl, &score, &kind, why, sizeof(why)) != 0) {
		job_fail(j, "%s: %s", where, why);
		return;
	}
	after_add(j);
	if (kc_cut_name(j->name, sizeof(j->name), stem, j->seq, j->want0,
	    score, kind) != 0)
		kc_die(KC_EXIT_DATA, "internal error: clip name too long");
	w = snprintf(j->path, sizeof(j->path), "%s/%s", opt->dir, j->name);
	if (w > 0 && (size_t)w < sizeof(j->path))
		w = snprintf(j->tmp, sizeof(j->tmp), "%s/.%s.%ld.part",
		    opt->dir, j->name, (long)getpid());
	if (w < 0 || (size_t)w >= sizeof(j->tmp)) {
		*j->path = '\0';
		job_fail(j, "%s: output path too long", where);
		return;
	}
	if (err)
		job_fail(j, "%s", err);
	else if (s->duration > 0 && j->want0 - s->offset >= s->duration)
		job_fail(j, "highlight starts at %.3f s, at or after the end "
		    "of the media (%.3f s)", j->want0, s->duration);
}

void
jobs_add_export(const json_t *clip, const char *where)
{
	char why[512], cwd[PATH_MAX];
	const char *p, *slash;
	struct job *j;
	int w;

	j = job_new(NULL, clip);
	j->export = 1;
	if (kc_rec_check(clip, why, sizeof(why)) != 0) {
		job_fail(j, "%s: %s", where, why);
		return;
	}
	kc_rec_num(clip, "t0", &j->want0);
	kc_rec_num(clip, "t1", &j->want1);
	p = kc_rec_str(clip, "path");
	/* the vertical version is named after the clip, absolute */
	if (*p == '/')
		w = snprintf(j->path, sizeof(j->path), "%s", p);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		kc_die(KC_EXIT_DATA, "cannot tell the current folder:");
	else
		w = snprintf(j->path, sizeof(j->path), "%s/%s", cwd, p);
	if (w < 0 || (size_t)w >= sizeof(j->path)) {
		*j->path = '\0';
		job_fail(j, "%s: clip path too long", where);
		return;
	}
	slash = strrchr(j->path, '/');
	snprintf(j->name, sizeof(j->name), "%s", slash + 1);
	after_add(j);
}

static void
advance(struct job *j, int status)
{
	switch (j->st) {
	case J_KEYFRAME: keyframe_done(j, status); break;
	case J_CUT: cut_done(j, status); break;
	case J_VERIFY: verify_done(j, status); break;
	default: after_advance(j, status); break;
	}
}

void
jobs_step(void)
{
	struct job *j;
	sigset_t old;
	int status, saved;
	pid_t r;

	for (j = head; j; j = j->next) {
		if (j->pid <= 0)
			continue;
		block_fatal(&old);
		do
			r = waitpid(j->pid, &status, WNOHANG);
		while (r < 0 && errno == EINTR);
		saved = errno;
		if (r == j->pid) {
			/* reaped: the cleanup table must not name it now */
			reg[j->slot].pid = 0;
			j->pid = 0;
		}
		restore(&old);
		if (r < 0) {
			errno = saved;
			kc_die(KC_EXIT_DATA, "waitpid:");
		}
		if (j->pid == 0)
			advance(j, status);
	}
	after_poll(head);
	after_progress(ndone, seq_next - 1);
	for (j = head; j && running < opt->jobs; j = j->next)
		if (j->st == J_QUEUED)
			begin(j);
}

void
jobs_emit(void)
{
	struct job *j;

	while ((j = head) != NULL && j->st == J_DONE) {
		progress_clear();
		kc_out(j->rec);
		if ((head = j->next) == NULL)
			tail = NULL;
		json_decref(j->rec);
		json_decref(j->hl);
		source_put(j->src);
		free(j);
		npending--;
		ndone++;
		progress_draw();
	}
}

int
jobs_timeout(void)
{
	return after_timeout();
}

int
jobs_pending(void)
{
	return npending;
}

int
jobs_failed(void)
{
	return nfailed;
}
