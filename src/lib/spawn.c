/*
 * spawn.c - posix_spawn wrappers: argv in, pid and pipe out, and readable
 * wait statuses.  Nothing here goes near /bin/sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

int
kc_spawn(const char *const argv[], int in_fd, int out_fd, int err_fd,
    pid_t *pid)
{
	return kc_spawn_pg(argv, in_fd, out_fd, err_fd, -1, pid);
}

int
kc_spawn_pg(const char *const argv[], int in_fd, int out_fd, int err_fd,
    pid_t pgroup, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def, none;
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGCHLD);
	sigemptyset(&none);
	rc = posix_spawnattr_setsigdefault(&at, &def);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(&at, &none);
	if (rc == 0 && pgroup >= 0)
		rc = posix_spawnattr_setpgroup(&at, pgroup);
	if (rc == 0)
		rc = posix_spawnattr_setflags(&at,
		    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
		    (pgroup >= 0 ? POSIX_SPAWN_SETPGROUP : 0));
	/* dup2 onto 0/1/2 clears close-on-exec for the child's copy */
	if (rc == 0 && in_fd >= 0 && in_fd != 0)
		rc = posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	if (rc == 0 && out_fd >= 0 && out_fd != 1)
		rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (rc == 0 && err_fd >= 0 && err_fd != 2)
		rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	/* the child gets 0, 1 and 2 only: an inherited descriptor (a
	 * journal, a lock, another stage's pipe end) would outlive us in an
	 * orphaned child, holding a lock or keeping a pipe open */
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (rc == 0)
		rc = posix_spawnp(pid, argv[0], &fa, &at, (char *const *)argv,
		    environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

int
kc_spawn_reader(const char *const argv[], int in_fd, pid_t *pid, int *rd)
{
	int p[2], saved;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if (kc_spawn(argv, in_fd, p[1], -1, pid) != 0) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -1;
	}
	close(p[1]);
	*rd = p[0];
	return 0;
}

static int
grow(char **buf, size_t *cap, size_t len)
{
	char *nb;
	size_t ncap;

	if (*cap - len >= 4097)
		return 0;
	ncap = *cap ? *cap * 2 : 8192;
	if ((nb = realloc(*buf, ncap)) == NULL)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* Keep the tail of stderr: append, then drop the front when full. */
static void
keep_tail(char *err, size_t errlen, size_t *used, const char *s, size_t n)
{
	size_t room = errlen - 1;

	if (n >= room) {
		memcpy(err, s + n - room, room);
		*used = room;
	} else {
		if (*used + n > room) {
			memmove(err, err + (*used + n - room), room - n);
			*used = room - n;
		}
		memcpy(err + *used, s, n);
		*used += n;
	}
	err[*used] = '\0';
}

int
kc_run_capture(const char *const argv[], size_t max, char **out,
    size_t *outlen, char *err, size_t errlen, int *status)
{
	struct pollfd pf[2];
	char *buf = NULL, tmp[4096];
	size_t len = 0, cap = 0, used = 0;
	ssize_t n;
	pid_t pid;
	int op[2], ep[2] = { -1, -1 }, saved = 0, open_fds, i;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (pipe2(op, O_CLOEXEC) != 0)
		return -1;
	if (err && errlen > 1 && pipe2(ep, O_CLOEXEC) != 0) {
		saved = errno;
		close(op[0]);
		close(op[1]);
		errno = saved;
		return -1;
	}
	if (kc_spawn(argv, -1, op[1], ep[1], &pid) != 0) {
		saved = errno;
		close(op[0]);
		close(op[1]);
		if (ep[0] >= 0) {
			close(ep[0]);
			close(ep[1]);
		}
		errno = saved;
		return -1;
	}
	close(op[1]);
	if (ep[1] >= 0)
		close(ep[1]);
	pf[0].fd = op[0];
	pf[1].fd = ep[0];
	pf[0].events = pf[1].events = POLLIN;
	open_fds = ep[0] >= 0 ? 2 : 1;
	while (open_fds > 0 && !saved) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			break;
		}
		for (i = 0; i < 2 && !saved; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			if (i == 0) {
				if (grow(&buf, &cap, len) != 0) {
					saved = ENOMEM;
					break;
				}
				n = read(pf[0].fd, buf + len, cap - len - 1);
			} else
				n = read(pf[1].fd, tmp, sizeof(tmp));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				saved = errno;
				break;
			}
			if (n == 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 1) {
				keep_tail(err, errlen, &used, tmp, (size_t)n);
				continue;
			}
			len += (size_t)n;
			if (len > max)
				saved = E2BIG;
		}
	}
	for (i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	if (saved) {
		kc_kill_wait(pid, 200);
		free(buf);
		errno = saved;
		return -1;
	}
	if (kc_wait(pid, status) != 0) {
		free(buf);
		return -1;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return -1;
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

char *
kc_last_line(char *text)
{
	char *end, *start;

	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	while (*start == ' ' || *start == '\t')
		start++;
	if (start != text)
		memmove(text, start, strlen(start) + 1);
	return text;
}

int
kc_wait(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

void
kc_kill_wait(pid_t pid, int grace_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int st, waited;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (waited = 0; waited < grace_ms; waited += 10) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	kc_wait(pid, &st);
}

const char *
kc_status_str(int status, char *buf, size_t n)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, n, "wait status %#x", status);
	return buf;
}

int
kc_status_failed(int status)
{
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
kc_status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

const char *
kc_tool(const char *env, const char *dflt)
{
	const char *v = getenv(env);

	return (v && *v) ? v : dflt;
}
