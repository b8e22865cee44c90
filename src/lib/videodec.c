/*
 * videodec.c - runs "ffmpeg ... -f rawvideo pipe:1" for kc-videofeat and
 * cuts its output into frames.  stdout and stderr are read together with
 * poll: a child that fills its stderr pipe with decoder complaints while
 * we wait on stdout would otherwise stall both of us.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "videodec.h"

#define ERR_TAIL 2048	/* bytes of the child's stderr kept */

struct kc_videodec {
	pid_t pid;
	int out, err;		/* our ends of the child's stdout/stderr */
	size_t fsize;
	char tail[ERR_TAIL];	/* last bytes of stderr, NUL-terminated */
	size_t used;
};

static void
keep(kc_videodec *d, const char *s, size_t n)
{
	size_t room = sizeof(d->tail) - 1;

	if (n > room) {
		s += n - room;
		n = room;
	}
	if (d->used + n > room) {	/* drop the oldest bytes */
		memmove(d->tail, d->tail + (d->used + n - room), room - n);
		d->used = room - n;
	}
	memcpy(d->tail + d->used, s, n);
	d->used += n;
	d->tail[d->used] = '\0';
}

/* Reads what stderr has; closes it at end of file. */
static int
read_err(kc_videodec *d)
{
	char buf[1024];
	ssize_t n;

	n = read(d->err, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0) {
		close(d->err);
		d->err = -1;
		return 0;
	}
	keep(d, buf, (size_t)n);
	return 0;
}

kc_videodec *
kc_videodec_open(const char *ffmpeg, const char *src, double ss, int w,
    int h, double fps, int fast)
{
	char ssbuf[32], vf[128], threads[24];
	const char *argv[32];
	kc_videodec *d;
	int op[2], ep[2], devnull, saved, n = 0;
	static long ncpu;	/* the cores online, read once */

	if (w < 1 || w > 4096 || h < 1 || h > 4096 || !(fps > 0) ||
	    fps > 1000) {
		errno = EINVAL;
		return NULL;
	}
	/*
	 * fps before scale, so only the kept frames are scaled; "area" is
	 * the right filter for a 4x-and-more shrink (no aliasing shimmer
	 * that would read as motion and edges) and costs nothing at 5 fps.
	 */
	snprintf(vf, sizeof(vf), "fps=%.9g,scale=%d:%d:flags=area", fps, w,
	    h);
	snprintf(ssbuf, sizeof(ssbuf), "%.6f", ss);
	if (ncpu == 0)
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(threads, sizeof(threads), "%ld", ncpu >= 4 ? ncpu / 2 : 1);
	argv[n++] = ffmpeg;
	argv[n++] = "-nostdin";
	argv[n++] = "-hide_banner";
	argv[n++] = "-loglevel";
	argv[n++] = "error";
	/*
	 * Decoder threads: half the cores, 1 on up to 3.  kc-audiofeat and
	 * kc-fetch run beside us, and a threaded decode of a small picture
	 * costs a third more CPU than a single-threaded one (160p: 2.1 s
	 * against 1.5 s of CPU for 10 minutes), which a machine that is
	 * already busy pays for in time.  A decoder option: before -i.
	 */
	argv[n++] = "-threads";
	argv[n++] = threads;
	if (fast) {
		/* decoder options: they go before the input they apply to */
		argv[n++] = "-skip_loop_filter";
		argv[n++] = "all";
		argv[n++] = "-skip_frame";
		argv[n++] = "noref";
	}
	if (ss > 0) {
		argv[n++] = "-ss";
		argv[n++] = ssbuf;
	}
	argv[n++] = "-i";
	argv[n++] = src;
	argv[n++] = "-map";
	argv[n++] = "0:v:0";
	argv[n++] = "-an";
	argv[n++] = "-sn";
	argv[n++] = "-dn";
	argv[n++] = "-vf";
	argv[n++] = vf;
	argv[n++] = "-pix_fmt";
	argv[n++] = "rgb24";
	argv[n++] = "-f";
	argv[n++] = "rawvideo";
	argv[n++] = "pipe:1";
	argv[n] = NULL;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->fsize = (size_t)w * (size_t)h * 3;
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		goto fail_d;
	if (pipe2(op, O_CLOEXEC) != 0)
		goto fail_null;
	if (pipe2(ep, O_CLOEXEC) != 0)
		goto fail_op;
	if (kc_spawn(argv, devnull, op[1], ep[1], &d->pid) != 0)
		goto fail_ep;
	close(op[1]);
	close(ep[1]);
	close(devnull);
	d->out = op[0];
	d->err = ep[0];
	return d;

fail_ep:
	saved = errno;
	close(ep[0]);
	close(ep[1]);
	errno = saved;
fail_op:
	saved = errno;
	close(op[0]);
	close(op[1]);
	errno = saved;
fail_null:
	saved = errno;
	close(devnull);
	errno = saved;
fail_d:
	saved = errno;
	free(d);
	errno = saved;
	return NULL;
}

size_t
kc_videodec_frame_size(const kc_videodec *d)
{
	return d->fsize;
}

int
kc_videodec_read(kc_videodec *d, uint8_t *frame)
{
	struct pollfd pf[2];
	size_t got = 0;
	ssize_t n;

	while (got < d->fsize) {
		if (d->out < 0)
			return 0;
		pf[0].fd = d->out;
		pf[1].fd = d->err;	/* a negative fd is skipped by poll */
		pf[0].events = pf[1].events = POLLIN;
		pf[0].revents = pf[1].revents = 0;
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pf[1].revents && read_err(d) != 0)
			return -1;
		if (!pf[0].revents)
			continue;
		n = read(d->out, frame + got, d->fsize - got);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0) {
			close(d->out);
			d->out = -1;
			return 0;
		}
		got += (size_t)n;
	}
	return 1;
}

/* Copies the last non-empty line of the collected stderr into buf. */
static void
last_line(kc_videodec *d, char *buf, size_t len)
{
	if (len == 0)
		return;
	kc_last_line(d->tail);
	snprintf(buf, len, "%s", d->tail);
}

int
kc_videodec_wait(kc_videodec *d, int *status, char *err, size_t errlen)
{
	int rc, saved;

	if (d->out >= 0) {
		close(d->out);
		d->out = -1;
	}
	/* the child closes stderr when it exits; keep its last words */
	while (d->err >= 0)
		if (read_err(d) != 0) {
			close(d->err);
			d->err = -1;
		}
	rc = kc_wait(d->pid, status);
	saved = errno;
	last_line(d, err, errlen);
	free(d);
	errno = saved;
	return rc;
}

void
kc_videodec_stop(kc_videodec *d)
{
	if (d == NULL)
		return;
	/* closing first turns a child blocked on a full pipe into EPIPE */
	if (d->out >= 0)
		close(d->out);
	if (d->err >= 0)
		close(d->err);
	kc_kill_wait(d->pid, 500);
	free(d);
}
