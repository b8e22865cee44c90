/*
 * spawn.h - starting child programs (ffmpeg, ffprobe, yt-dlp, kc stages)
 * from argv arrays, never through a shell.
 *
 * Children get SIGPIPE and SIGINT/SIGTERM back at their defaults; pipes
 * are close-on-exec on our side so one child never holds another's pipe.
 * Library code: returns codes, never prints.
 */
#ifndef KC_SPAWN_H
#define KC_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Starts argv[0] (looked up in PATH) with the given descriptors as its
 * stdin/stdout/stderr; -1 keeps ours.  Returns 0 and the pid, or -1 with
 * errno (ENOENT: program not found).
 */
int kc_spawn(const char *const argv[], int in_fd, int out_fd, int err_fd,
    pid_t *pid);

/*
 * As kc_spawn, with the child put in process group pgroup: 0 starts a new
 * group led by the child, > 0 joins that group (-1: ours, as kc_spawn).
 * A pipeline in a group of its own gets no terminal signals (Ctrl-C), so
 * its driver decides how it stops.
 */
int kc_spawn_pg(const char *const argv[], int in_fd, int out_fd, int err_fd,
    pid_t pgroup, pid_t *pid);

/* As kc_spawn, with the child's stdout connected to a new pipe *rd. */
int kc_spawn_reader(const char *const argv[], int in_fd, pid_t *pid,
    int *rd);

/*
 * Runs argv to completion, collecting its stdout (up to max bytes; more
 * is an error E2BIG) into a NUL-terminated malloc'd buffer.  If err is
 * not NULL the child's stderr is captured too and the last errlen-1 bytes
 * of it are left there, NUL-terminated (else it goes to our stderr).
 * Returns 0 and the wait status, or -1 with errno.
 */
int kc_run_capture(const char *const argv[], size_t max, char **out,
    size_t *outlen, char *err, size_t errlen, int *status);

/* The last non-empty line of text, trimmed, in place; "" if none. */
char *kc_last_line(char *text);

/* waitpid that retries on EINTR.  Returns 0 and the status, -1 on error. */
int kc_wait(pid_t pid, int *status);

/* Kill (SIGTERM, then SIGKILL after grace_ms) and reap. */
void kc_kill_wait(pid_t pid, int grace_ms);

/* "exit status 1", "killed by signal 9 (Killed)". */
const char *kc_status_str(int status, char *buf, size_t n);

/* 0 for a clean exit 0, else non-zero. */
int kc_status_failed(int status);

/* The status as an exit code for our own exit (signals: 128+sig). */
int kc_status_code(int status);

/*
 * The program to run for a tool: the environment variable env if set and
 * non-empty (KC_FFMPEG, KC_FFPROBE, KC_YTDLP), else dflt.
 */
const char *kc_tool(const char *env, const char *dflt);

#endif
