/*
 * audiodec.c - runs "ffmpeg ... -c:a pcm_f32be -f au pipe:1" and reads its
 * output with libsndfile, which takes an AU stream of unknown length from
 * a pipe.  The header is read lazily, on the first read, so starting a
 * decoder never blocks and a source ffmpeg cannot open shows up as an
 * ordinary end of data followed by a failed exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "audiodec.h"
#include "spawn.h"

enum { RUNNING, ENDED, BROKEN };

struct kc_audiodec {
	pid_t pid;		/* 0 once reaped */
	int fd;			/* read end of the child's stdout */
	int errfd;		/* the child's stderr (temp file), or -1 */
	SNDFILE *sf;		/* NULL until the header was read */
	int rate;
	int state;
	char bad[160];		/* why the output was unusable */
};

/* An unlinked temporary file, close-on-exec; -1 if none can be made. */
static int
temp_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/kc-ffmpeg-err.XXXXXX",
	    dir) >= sizeof(path))
		return -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return -1;
	unlink(path);
	return fd;
}

kc_audiodec *
kc_audiodec_open(const char *ffmpeg, const char *src, double ss, int rate)
{
	char ssbuf[64], ratebuf[32];
	const char *argv[32];
	kc_audiodec *d;
	int i = 0, nullfd, saved, rc, p[2];

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->rate = rate;
	d->fd = d->errfd = -1;
	snprintf(ssbuf, sizeof(ssbuf), "%.6f", ss);
	snprintf(ratebuf, sizeof(ratebuf), "%d", rate);
	argv[i++] = ffmpeg;
	argv[i++] = "-nostdin";
	argv[i++] = "-hide_banner";
	argv[i++] = "-loglevel";
	argv[i++] = "error";
	if (ss >= 0) {
		argv[i++] = "-ss";
		argv[i++] = ssbuf;
	}
	argv[i++] = "-i";
	argv[i++] = src;
	argv[i++] = "-map";
	argv[i++] = "0:a:0";
	argv[i++] = "-vn";
	argv[i++] = "-sn";
	argv[i++] = "-dn";
	argv[i++] = "-ac";
	argv[i++] = "1";
	argv[i++] = "-ar";
	argv[i++] = ratebuf;
	/* fill timestamp holes with silence so sample n stays at time n;
	 * from a seek point, from the start too: sound that begins after
	 * the picture (or after the point) is preceded by silence, not moved
	 * to time 0.  Not for a file decoded whole (an HLS segment): its
	 * sound runs on from the last segment's, whatever its own start */
	argv[i++] = "-af";
	argv[i++] = ss >= 0 ? "aresample=async=1:first_pts=0" :
	    "aresample=async=1";
	argv[i++] = "-c:a";
	argv[i++] = "pcm_f32be";
	argv[i++] = "-f";
	argv[i++] = "au";
	argv[i++] = "pipe:1";
	argv[i] = NULL;

	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	if (pipe2(p, O_CLOEXEC) != 0) {
		saved = errno;
		close(nullfd);
		errno = saved;
		goto fail;
	}
	d->errfd = temp_fd();	/* none: the child's stderr stays ours */
	rc = kc_spawn(argv, nullfd, p[1], d->errfd, &d->pid);
	saved = errno;
	close(nullfd);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		errno = saved;
		goto fail;
	}
	d->fd = p[0];
	return d;
fail:
	saved = errno;
	if (d->errfd >= 0)
		close(d->errfd);
	free(d);
	errno = saved;
	return NULL;
}

static int
open_header(kc_audiodec *d)
{
	SF_INFO info;

	memset(&info, 0, sizeof(info));
	/* we close the descriptor ourselves, whatever sf_open_fd did */
	if ((d->sf = sf_open_fd(d->fd, SFM_READ, &info, 0)) == NULL) {
		snprintf(d->bad, sizeof(d->bad), "no audio data (%s)",
		    sf_strerror(NULL));
		return -1;
	}
	if (info.channels != 1 || info.samplerate != d->rate) {
		snprintf(d->bad, sizeof(d->bad), "got %d channels at %d Hz, "
		    "not mono at %d Hz", info.channels, info.samplerate,
		    d->rate);
		return -1;
	}
	return 0;
}

long
kc_audiodec_read(kc_audiodec *d, float *buf, size_t n)
{
	sf_count_t got;

	if (d->state != RUNNING)
		return d->state == ENDED ? 0 : -1;
	if (d->sf == NULL && open_header(d) != 0) {
		d->state = BROKEN;
		return -1;
	}
	if (n > LONG_MAX)
		n = LONG_MAX;
	got = sf_readf_float(d->sf, buf, (sf_count_t)n);
	if (got < (sf_count_t)n) {
		if (sf_error(d->sf) != SF_ERR_NO_ERROR) {
			snprintf(d->bad, sizeof(d->bad), "reading audio: %s",
			    sf_strerror(d->sf));
			d->state = BROKEN;
			return -1;
		}
		d->state = ENDED;
	}
	return (long)got;
}

/* The last line the child wrote to stderr, "" if none or not kept. */
static void
last_err_line(const kc_audiodec *d, char *buf, size_t n)
{
	struct stat st;
	off_t off;
	ssize_t got;

	buf[0] = '\0';
	if (d->errfd < 0 || n < 2 || fstat(d->errfd, &st) != 0)
		return;
	off = st.st_size > (off_t)(n - 1) ? st.st_size - (off_t)(n - 1) : 0;
	if ((got = pread(d->errfd, buf, n - 1, off)) < 0)
		got = 0;
	buf[got] = '\0';
	kc_last_line(buf);
}

/* Waits up to ms for the child to exit by itself; 0 and its status. */
static int
wait_a_while(pid_t pid, int ms, int *status)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	pid_t r;
	int waited;

	for (waited = 0; waited <= ms; waited += 10) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&ts, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

static void
release(kc_audiodec *d)
{
	if (d->sf)
		sf_close(d->sf);
	d->sf = NULL;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int
kc_audiodec_close(kc_audiodec *d, char *why, size_t whylen)
{
	char line[512], st[96];
	int status, rc = 0;

	if (whylen > 0)
		why[0] = '\0';
	release(d);	/* a child still writing now gets EPIPE */
	if (d->pid <= 0)	/* already killed by kc_audiodec_kill */
		goto out;
	if (d->state == RUNNING) {
		kc_kill_wait(d->pid, 200);
		last_err_line(d, why, whylen);
		goto out;
	}
	last_err_line(d, line, sizeof(line));
	if (wait_a_while(d->pid, 2000, &status) != 0) {
		/* output over, yet no exit: a stuck child is a failed one */
		kc_kill_wait(d->pid, 200);
		snprintf(why, whylen, "did not exit after its output ended");
		rc = 1;
		goto out;
	}
	if (kc_status_failed(status)) {
		kc_status_str(status, st, sizeof(st));
		snprintf(why, whylen, "%s%s%s", st, *line ? ": " : "", line);
		rc = 1;
	} else if (d->state == BROKEN) {
		snprintf(why, whylen, "%s%s%s", d->bad, *line ? ": " : "",
		    line);
		rc = 1;
	} else
		snprintf(why, whylen, "%s", line);
out:
	if (d->errfd >= 0)
		close(d->errfd);
	free(d);
	return rc;
}

void
kc_audiodec_kill(kc_audiodec *d)
{
	if (d == NULL || d->pid <= 0)
		return;
	release(d);
	kc_kill_wait(d->pid, 200);
	d->pid = 0;
}
