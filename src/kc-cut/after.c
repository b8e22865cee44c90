/*
 * after.c - what kc-cut makes of a clip once it is in place: its poster
 * and hover strip (BASE.jpg and BASE.strip.jpg, one ffmpeg), then with
 * --format vertical its 9:16 version (BASE.vertical.mp4: ffmpeg, then
 * ffprobe checks it); and --export-vertical, the vertical version of
 * clips already cut, from their clip records (ffprobe reads the clip
 * first).  BASE is the clip's path without ".mp4".
 *
 * The clip is what was asked for, so a picture that cannot be made is a
 * warning and the clip's record is written without it; a vertical
 * version that fails is a warning too in a cut (the clip's record goes
 * out without it, and kc-cut exits 3 at the end), and the job's failure
 * in --export-vertical (an error record in place of the clip's).
 *
 * Files are made under hidden temporary names beside the clip
 * (".NAME.jpg.SEQ.PID.part", listed in the cleanup table while they
 * exist; after a kill -9, the next kc-cut on that --out folder sweeps
 * them as it sweeps a clip's) and then renamed
 * over an older file of that name: BASE.* belong to the clip BASE.mp4,
 * whose name no other clip gets (kc_cut_place).  An identical file
 * already there (a rerun) is kept instead, so its inode stays.
 *
 * Encoding a vertical version takes about as long as the clip lasts, so
 * its progress is shown (kc_progress: a line on a terminal, else a plain
 * line every tenth or minute): seconds encoded, of all the vertical
 * versions known so far, from ffmpeg's -progress report in each child's
 * stdout memfd.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc-cut.h"
#include "paths.h"
#include "poster.h"
#include "progress.h"
#include "rec.h"
#include "spawn.h"

/* Bytes of an encode's progress report read from its end. */
#define PROGRESS_TAIL 4096

static const struct opts *opt;
static kc_progress *vp;		/* vertical encodes' progress, or NULL */
static int vp_tty;
static double vtotal;		/* seconds of vertical to make, all jobs */
static double vfin;		/* ... made */
static double vrun;		/* ... encoded so far by running encodes */
static int nvrun;		/* encodes running */
static int nvfailed;		/* vertical versions that failed (cuts) */
static char vextra[64];		/* the progress line's "N/M clips" */

void
after_init(const struct opts *o)
{
	opt = o;
	if ((o->vertical || o->export_vertical) && !o->quiet) {
		vp = kc_progress_new(stderr, "kc-cut: vertical", 0, 1);
		vp_tty = isatty(STDERR_FILENO);
	}
}

void
after_add(struct job *j)
{
	if (!opt->vertical && !opt->export_vertical)
		return;
	j->vdur = isfinite(j->want1 - j->want0) && j->want1 > j->want0 ?
	    j->want1 - j->want0 : 0;
	vtotal += j->vdur;
}

void
after_forget(struct job *j)
{
	vtotal -= j->vdur;
	j->vdur = 0;
}

int
after_failed(void)
{
	return nvfailed;
}

/* base + suffix into buf; -1 if it does not fit. */
static int
beside(char *buf, size_t n, const struct job *j, const char *suffix)
{
	int w = snprintf(buf, n, "%s%s", j->base, suffix);

	return w < 0 || (size_t)w >= n ? -1 : 0;
}

/*
 * The hidden temporary name of BASE + suffix, in the same folder (a
 * rename never crosses file systems): ".NAMEsuffix.SEQ.PID.part".
 */
static int
tmp_beside(char *buf, size_t n, const struct job *j, const char *suffix)
{
	const char *name = strrchr(j->base, '/') + 1;
	int w;

	w = snprintf(buf, n, "%.*s.%s%s.%ld.%ld.part", (int)(name - j->base),
	    j->base, name, suffix, j->seq, (long)getpid());
	if (w < 0 || (size_t)w >= n || strlen(strrchr(buf, '/') + 1) >
	    NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Moves the finished file tmp to path, keeping an identical one there. */
static int
put(const char *tmp, const char *path)
{
	if (kc_same_content(tmp, path) == 1)
		return unlink(tmp);
	return rename(tmp, path);
}

/* A non-empty regular file is there. */
static int
made(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* BASE: the clip's path without ".mp4" (all of it without one). */
static void
set_base(struct job *j)
{
	size_t n = strlen(j->path);

	if (n > 4 && strcasecmp(j->path + n - 4, ".mp4") == 0)
		n -= 4;
	snprintf(j->base, sizeof(j->base), "%.*s", (int)n, j->path);
}

static void start_vertical(struct job *j);

/* The pictures are done (or not made): the vertical version, if asked. */
static void
pictures_done(struct job *j)
{
	char why[300];

	if (!opt->vertical) {
		job_succeed(j);
		return;
	}
	if (j->width <= 0)
		snprintf(why, sizeof(why), "the clip has no picture");
	else if (kc_vert_fits(&opt->vert, j->width, j->height, why,
	    sizeof(why)) == 0) {
		start_vertical(j);
		return;
	}
	jobs_note("%s: no vertical version: %s", j->name, why);
	nvfailed++;
	after_forget(j);
	job_succeed(j);
}

/* Removes j's temporary files and forgets them. */
static void
drop_tmps(struct job *j, int n)
{
	unlink(j->tmp);
	job_tmp_drop(j, 0);
	if (n > 1) {
		unlink(j->tmp2);
		job_tmp_drop(j, 1);
	}
}

static void
start_poster(struct job *j)
{
	kc_poster_cmd c;
	double peak = NAN;

	if (tmp_beside(j->tmp, sizeof(j->tmp), j, ".jpg") != 0 ||
	    tmp_beside(j->tmp2, sizeof(j->tmp2), j, ".strip.jpg") != 0) {
		jobs_note("%s: no poster: its file name would be too long",
		    j->name);
		pictures_done(j);
		return;
	}
	/* a highlight without a peak (an older kc-score's): the middle */
	if (kc_rec_num(j->hl, "peak", &peak) != 0)
		peak = NAN;
	kc_poster_cmd_build(&c, j->path, kc_poster_at(j->t0, j->dur, peak),
	    j->dur, j->tmp, j->tmp2);
	job_tmp_hold(j, 0, j->tmp);
	job_tmp_hold(j, 1, j->tmp2);
	j->st = J_POSTER;
	if (job_spawn(j, c.argv, 0) != 0) {
		jobs_note("%s: no poster: cannot run %s: %s", j->name,
		    c.argv[0], job_spawn_error(errno));
		drop_tmps(j, 2);
		pictures_done(j);
	}
}

static void
poster_done(struct job *j, int status)
{
	char why[512], sbuf[64], p[PATH_MAX], s[PATH_MAX];

	if (kc_status_failed(status))
		jobs_note("%s: no poster: ffmpeg failed (%s): %s", j->name,
		    kc_status_str(status, sbuf, sizeof(sbuf)),
		    job_child_error(j, why, sizeof(why)));
	else if (!made(j->tmp) || !made(j->tmp2))
		jobs_note("%s: no poster: ffmpeg made no picture", j->name);
	else if (beside(p, sizeof(p), j, ".jpg") != 0 ||
	    beside(s, sizeof(s), j, ".strip.jpg") != 0)
		jobs_note("%s: no poster: its file name would be too long",
		    j->name);
	else if (put(j->tmp, p) != 0 || put(j->tmp2, s) != 0)
		jobs_note("%s: no poster: cannot move it into place: %s",
		    j->name, strerror(errno));
	else
		j->poster = 1;
	drop_tmps(j, 2);
	pictures_done(j);
}

void
after_cut(struct job *j)
{
	set_base(j);
	if (opt->poster && j->width > 0)
		start_poster(j);
	else
		pictures_done(j);
}

/*
 * The vertical version failed: in a cut a warning (the clip's record is
 * written without it), in --export-vertical the job's failure.
 */
static void vfail(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
vfail(struct job *j, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->export) {
		job_fail(j, "%s", msg);	/* removes the temporary file */
		return;
	}
	drop_tmps(j, 1);
	jobs_note("%s: no vertical version: %s", j->name, msg);
	nvfailed++;
	after_forget(j);
	job_succeed(j);
}

static void
start_vertical(struct job *j)
{
	kc_vert_cmd c;

	/* its real length now, for the progress */
	vtotal += j->dur - j->vdur;
	j->vdur = j->dur;
	j->vdone = 0;
	if (tmp_beside(j->tmp, sizeof(j->tmp), j, ".vertical.mp4") != 0) {
		vfail(j, "its file name would be too long");
		return;
	}
	kc_vert_cmd_build(&c, &opt->vert, j->path, j->audio, j->tmp);
	job_tmp_hold(j, 0, j->tmp);
	j->st = J_VERTICAL;
	if (job_spawn(j, c.argv, 1) != 0) {
		vfail(j, "cannot run %s: %s", c.argv[0],
		    job_spawn_error(errno));
		return;
	}
	nvrun++;
}

static void
vertical_done(struct job *j, int status)
{
	char why[512], sbuf[64];
	kc_cut_cmd c;

	nvrun--;
	vrun -= j->vdone;
	j->vdone = 0;
	if (kc_status_failed(status)) {
		vfail(j, "ffmpeg failed making the vertical version (%s): %s",
		    kc_status_str(status, sbuf, sizeof(sbuf)),
		    job_child_error(j, why, sizeof(why)));
		return;
	}
	kc_cut_verify_cmd(&c, j->tmp);
	j->st = J_VVERIFY;
	if (job_spawn(j, c.argv, 1) != 0)
		vfail(j, "cannot run %s: %s", c.argv[0],
		    job_spawn_error(errno));
}

static void
vverify_done(struct job *j, int status)
{
	char why[512], sbuf[64], path[PATH_MAX], *out;
	kc_cut_expect e;
	kc_cut_found f;
	int rc;

	if (kc_status_failed(status)) {
		vfail(j, "ffprobe failed on the vertical version (%s): %s",
		    kc_status_str(status, sbuf, sizeof(sbuf)),
		    job_child_error(j, why, sizeof(why)));
		return;
	}
	e.video = e.audio = 1;
	e.dur = j->dur;
	e.tol = 0.2;
	e.vlate = 1.0;
	out = job_out(j);
	rc = kc_cut_verify_parse(out, &e, &f, why, sizeof(why));
	free(out);
	if (rc != 0) {
		vfail(j, "bad vertical version: %s", why);
		return;
	}
	if (f.width != KC_VERT_W || f.height != KC_VERT_H) {
		vfail(j, "bad vertical version: %dx%d, not %dx%d", f.width,
		    f.height, KC_VERT_W, KC_VERT_H);
		return;
	}
	if (beside(path, sizeof(path), j, ".vertical.mp4") != 0) {
		vfail(j, "its file name would be too long");
		return;
	}
	if (put(j->tmp, path) != 0) {
		vfail(j, "cannot move %s into place: %s", j->tmp,
		    strerror(errno));
		return;
	}
	job_tmp_drop(j, 0);
	j->vertical = 1;
	vfin += j->vdur;
	j->vdur = 0;
	job_succeed(j);
}

void
after_export(struct job *j)
{
	kc_cut_cmd c;

	set_base(j);
	kc_cut_verify_cmd(&c, j->path);
	j->st = J_VPROBE;
	job_start(j, c.argv, 1);
}

/* --export-vertical: what the clip holds is in. */
static void
vprobe_done(struct job *j, int status)
{
	char why[512], sbuf[64], *out;
	kc_cut_expect e;
	kc_cut_found f;
	int rc;

	if (kc_status_failed(status)) {
		job_fail(j, "cannot read the clip: ffprobe failed (%s): %s",
		    kc_status_str(status, sbuf, sizeof(sbuf)),
		    job_child_error(j, why, sizeof(why)));
		return;
	}
	/* any length will do: the streams are what is wanted here */
	e.video = e.audio = 0;
	e.dur = 0;
	e.tol = INFINITY;
	e.vlate = INFINITY;
	out = job_out(j);
	rc = kc_cut_verify_parse(out, &e, &f, why, sizeof(why));
	free(out);
	if (rc != 0) {
		job_fail(j, "cannot read the clip: %s", why);
		return;
	}
	if (f.vstart < 0 || f.width <= 0 || f.height <= 0) {
		job_fail(j, "the clip has no picture: no vertical version");
		return;
	}
	if (kc_vert_fits(&opt->vert, f.width, f.height, why, sizeof(why)) !=
	    0) {
		job_fail(j, "%s", why);
		return;
	}
	j->t0 = j->want0;
	j->dur = f.dur;
	j->width = f.width;
	j->height = f.height;
	j->audio = f.astart >= 0;
	start_vertical(j);
}

void
after_advance(struct job *j, int status)
{
	switch (j->st) {
	case J_POSTER: poster_done(j, status); break;
	case J_VPROBE: vprobe_done(j, status); break;
	case J_VERTICAL: vertical_done(j, status); break;
	case J_VVERIFY: vverify_done(j, status); break;
	default: break;
	}
}

/* Seconds encoded so far, from the end of j's progress report. */
static double
encoded(const struct job *j)
{
	char buf[PROGRESS_TAIL];
	struct stat st;
	off_t from;
	ssize_t r;

	if (fstat(j->outfd, &st) != 0 || st.st_size <= 0)
		return -1;
	from = st.st_size > PROGRESS_TAIL ? st.st_size - PROGRESS_TAIL : 0;
	do
		r = pread(j->outfd, buf, sizeof(buf), from);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	return kc_vert_progress(buf, (size_t)r);
}

void
after_poll(struct job *head)
{
	struct job *j;
	double t;

	if (vp == NULL || nvrun == 0)
		return;
	for (j = head; j; j = j->next) {
		if (j->st != J_VERTICAL || j->pid <= 0 ||
		    (t = encoded(j)) < 0)
			continue;
		if (t > j->vdur)
			t = j->vdur;
		vrun += t - j->vdone;
		j->vdone = t;
	}
}

int
after_progress(long done, long total)
{
	if (vp == NULL)
		return 0;
	if (total == 0)		/* nothing read yet: nothing to say */
		return 1;
	snprintf(vextra, sizeof(vextra), "%ld/%ld clips", done, total);
	kc_progress_total(vp, vtotal);
	kc_progress_set(vp, vfin + vrun, vextra);
	return 1;
}

void
after_progress_clear(void)
{
	if (vp != NULL && vp_tty)
		fputs("\r\033[K", stderr);
}

void
after_progress_end(void)
{
	if (vp == NULL)
		return;
	kc_progress_total(vp, vtotal);
	if (*vextra)
		kc_progress_set(vp, vfin, vextra);
	kc_progress_free(vp);
	vp = NULL;
}

int
after_timeout(void)
{
	if (vp == NULL || nvrun == 0)
		return -1;
	return vp_tty ? 250 : 1000;
}
