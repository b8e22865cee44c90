/*
 * pipeline.c - starts kc-clip's stages as a pipeline of processes (argv
 * arrays, never a shell) and decides which stage to blame when the run
 * fails: the first, in pipeline order, that failed for a reason of its own
 * rather than because a later stage went away (SIGPIPE).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clip.h"
#include "msg.h"
#include "paths.h"
#include "spawn.h"

static char exedir[PATH_MAX];

struct stage *
pl_stage(struct pipeline *pl, const char *prog)
{
	struct stage *s;
	char path[PATH_MAX + 64];

	if (pl->n == MAXSTAGES)
		kc_die(KC_EXIT_DATA, "too many stages");
	if (!*exedir && kc_exedir(exedir, sizeof(exedir)) != 0)
		exedir[0] = '\0';
	s = &pl->st[pl->n++];
	memset(s, 0, sizeof(*s));
	s->err_rd = s->tap_rd = s->tap_wr = -1;
	snprintf(s->name, sizeof(s->name), "%s", prog);
	snprintf(path, sizeof(path), "%s/%s", exedir, prog);
	/* stages from the same build as this kc-clip, else from PATH */
	pl_arg(s, (*exedir && access(path, X_OK) == 0) ? strdup(path) :
	    prog);
	return s;
}

void
pl_arg(struct stage *s, const char *arg)
{
	if (arg == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	if (s->argc >= MAXARGS - 1)
		kc_die(KC_EXIT_DATA, "too many arguments for %s", s->name);
	s->argv[s->argc++] = arg;
	s->argv[s->argc] = NULL;
}

void
pl_opt(struct stage *s, const char *flag, const char *val)
{
	if (val) {
		pl_arg(s, flag);
		pl_arg(s, val);
	}
}

int
pl_start(struct pipeline *pl)
{
	int p[2], e[2], in = -1, i, devnull, rd;

	pl->relay_rd = pl->relay_wr = pl->out_rd = -1;
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		kc_warn("/dev/null:");
		return -1;
	}
	in = devnull;
	if (pl->in_set) {
		close(devnull);
		if ((in = fcntl(pl->in_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			kc_warn("dup:");
			return -1;
		}
	}
	for (i = 0; i < pl->n; i++) {
		if (pipe2(p, O_CLOEXEC) != 0) {
			kc_warn("pipe:");
			return -1;
		}
		if (pipe2(e, O_CLOEXEC) != 0) {
			kc_warn("pipe:");
			return -1;
		}
		/* all stages in one group of their own: Ctrl-C reaches only
		 * kc-clip, which stops the run gracefully (main.c) */
		if (kc_spawn_pg(pl->st[i].argv, in, p[1], e[1], i == 0 ? 0 :
		    pl->st[0].pid, &pl->st[i].pid) != 0) {
			kc_warn("cannot run %s:", pl->st[i].argv[0]);
			close(p[0]);
			close(p[1]);
			close(e[0]);
			close(e[1]);
			close(in);
			return -1;
		}
		close(in);
		close(p[1]);
		close(e[1]);
		pl->st[i].err_rd = e[0];
		in = p[0];
		if (i == pl->relay_after || pl->st[i].tap) {
			/* the driver reads p[0] and feeds a fresh pipe */
			rd = p[0];
			if (pipe2(p, O_CLOEXEC) != 0) {
				kc_warn("pipe:");
				return -1;
			}
			if (i == pl->relay_after) {
				pl->relay_rd = rd;
				pl->relay_wr = p[1];
			} else {
				pl->st[i].tap_rd = rd;
				pl->st[i].tap_wr = p[1];
			}
			in = p[0];
		}
	}
	pl->out_rd = in;
	return 0;
}

void
pl_kill(struct pipeline *pl)
{
	int i;

	for (i = 0; i < pl->n; i++)
		if (pl->st[i].pid > 0 && !pl->st[i].exited)
			kill(pl->st[i].pid, SIGTERM);
}

int
pl_wait(struct pipeline *pl)
{
	int i, blame = -1, st;

	for (i = 0; i < pl->n; i++) {
		if (pl->st[i].pid <= 0 || pl->st[i].exited)
			continue;
		if (kc_wait(pl->st[i].pid, &st) == 0) {
			pl->st[i].status = st;
			pl->st[i].exited = 1;
		}
	}
	for (i = 0; i < pl->n; i++) {
		st = pl->st[i].status;
		/* kc-cut's "some cuts failed": the run is partly done */
		if (WIFEXITED(st) && WEXITSTATUS(st) == KC_EXIT_PARTIAL &&
		    strcmp(pl->st[i].name, "kc-cut") == 0) {
			pl->partial = 1;
			continue;
		}
		if (!kc_status_failed(st))
			continue;
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE)
			continue;	/* a consequence, not a cause */
		if (blame < 0)
			blame = i;
	}
	if (blame < 0)	/* only broken pipes: blame the first of those */
		for (i = 0; i < pl->n && blame < 0; i++)
			if (WIFSIGNALED(pl->st[i].status) &&
			    WTERMSIG(pl->st[i].status) == SIGPIPE)
				blame = i;
	return blame;
}

void *
pl_stderr(void *arg)
{
	struct pipeline *pl = arg;
	struct pollfd pf[MAXSTAGES];
	/* each stage's text up to its last newline goes out at once, the
	 * rest waits for its newline: a line a stage writes in pieces (or
	 * one of its children does) is never cut by kc-clip's progress
	 * line or another stage's */
	static char held[MAXSTAGES][4096];
	size_t len[MAXSTAGES], k;
	ssize_t n;
	int i, open_fds = 0, tty = isatty(STDERR_FILENO);

	for (i = 0; i < pl->n; i++) {
		pf[i].fd = pl->st[i].err_rd;
		pf[i].events = POLLIN;
		len[i] = 0;
		open_fds += pf[i].fd >= 0;
	}
	while (open_fds > 0) {
		if (poll(pf, (nfds_t)pl->n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < pl->n; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			n = read(pf[i].fd, held[i] + len[i], sizeof(held[i]) -
			    len[i]);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
				k = len[i];	/* a last line without newline */
			} else {
				pl->st[i].said = 1;
				len[i] += (size_t)n;
				for (k = len[i]; k > 0 && held[i][k - 1] != '\n';
				    k--)
					;
				if (k == 0 && len[i] == sizeof(held[i]))
					k = len[i];	/* no newline in 4 KiB */
			}
			if (k == 0)
				continue;
			/* a stage's line starts where the progress line is */
			if (tty)
				fputs("\r\033[K", stderr);
			fwrite(held[i], 1, k, stderr);
			fflush(stderr);
			memmove(held[i], held[i] + k, len[i] - k);
			len[i] -= k;
		}
	}
	return NULL;
}
