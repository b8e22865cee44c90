/*
 * progress.c - the terminal progress line used by kc-clip and the long
 * stages: percent, speed as a multiple of real time, and ETA.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "num.h"
#include "progress.h"

struct kc_progress {
	FILE *fp;
	char label[64];
	double total, start, last;
	double base;		/* done before start: not in the speed */
	double ddone;		/* done at the last line drawn */
	int dstep;		/* tenths of total at the last line drawn */
	int tty, force, drawn;
	int pending;		/* an update was skipped by the rate limit */
	double pdone;
	char pextra[64];
};

double
kc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

kc_progress *
kc_progress_new(FILE *fp, const char *label, double total, int force)
{
	kc_progress *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->fp = fp;
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->total = total;
	p->start = kc_now();
	p->last = -1;
	p->tty = isatty(fileno(fp));
	p->force = force;
	return p;
}

void
kc_progress_total(kc_progress *p, double total)
{
	if (p)
		p->total = total;
}

void
kc_progress_base(kc_progress *p, double done)
{
	if (p)
		p->base = done;
}

/* Tenths of the total done, -1 when the total is unknown. */
static int
step(const kc_progress *p, double done)
{
	if (p->total <= 0)
		return -1;
	return done >= p->total ? 10 : done <= 0 ? 0 : (int)(10 * done /
	    p->total);
}

/* Whether an update is due now: four a second on a terminal; in a log,
 * one per tenth of the total, else one a minute. */
static int
due(const kc_progress *p, double done, double now)
{
	if (p->last < 0)
		return 1;
	if (p->tty)
		return now - p->last >= 0.25;
	return step(p, done) > p->dstep || now - p->last >= 60;
}

static void draw(kc_progress *p, double done, const char *extra);

void
kc_progress_set(kc_progress *p, double done, const char *extra)
{
	double now;

	if (p == NULL || (!p->tty && !p->force))
		return;
	now = kc_now();
	if (!due(p, done, now)) {
		/* remembered, so the final state is drawn at the end */
		p->pending = 1;
		p->pdone = done;
		snprintf(p->pextra, sizeof(p->pextra), "%s", extra ? extra :
		    "");
		return;
	}
	p->last = now;
	p->pending = 0;
	draw(p, done, extra);
}

static void
draw(kc_progress *p, double done, const char *extra)
{
	char eta[32], line[256];
	double el, speed;
	int n;

	el = kc_now() - p->start;
	speed = el > 0 && done > p->base ? (done - p->base) / el : 0;
	n = snprintf(line, sizeof(line), "%s", p->label);
	if (p->total > 0 && n >= 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %5.1f%%",
		    100.0 * (done > p->total ? p->total : done) / p->total);
	if (speed > 0 && n >= 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    "  %.1fx realtime", speed);
	if (p->total > 0 && speed > 0 && done < p->total && n >= 0 &&
	    (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  ETA %s",
		    kc_fmt_hms((p->total - done) / speed, eta, sizeof(eta)));
	if (extra && *extra && n >= 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "  %s", extra);
	if (p->tty)
		fprintf(p->fp, "\r%s\033[K", line);
	else
		fprintf(p->fp, "%s\n", line);
	fflush(p->fp);
	p->drawn = 1;
	p->ddone = done;
	p->dstep = step(p, done);
}

void
kc_progress_free(kc_progress *p)
{
	if (p == NULL)
		return;
	/* in a log, a final state already written is not written again */
	if (p->pending && (p->tty || p->pdone != p->ddone))
		draw(p, p->pdone, p->pextra);
	if (p->drawn && p->tty) {
		fputc('\n', p->fp);
		fflush(p->fp);
	}
	free(p);
}
