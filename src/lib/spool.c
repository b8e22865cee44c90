/*
 * spool.c - acknowledgements between kc-fetch's spool and the stages that
 * read its files: one small file per consumer role holding the last
 * segment number it is done with, replaced atomically so the producer
 * never reads half a number.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

int
kc_spool_ack(const json_t *seg, const char *role)
{
	const char *prefix = json_string_value(json_object_get(seg, "ack"));
	json_t *seq = json_object_get(seg, "seq");

	if (prefix == NULL || !json_is_integer(seq))
		return 0;
	return kc_spool_mark(prefix, role, (long long)json_integer_value(seq));
}

int
kc_spool_mark(const char *prefix, const char *role, long long seq)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32], buf[32];
	int fd, n, saved;

	if ((size_t)snprintf(path, sizeof(path), "%s.%s", prefix, role) >=
	    sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp",
	    path, (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%lld\n", seq);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) <
	    0)
		return -1;
	if (write(fd, buf, (size_t)n) != n || close(fd) != 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

int
kc_spool_acked(const char *prefix, const char *role, long *seq)
{
	char path[PATH_MAX], buf[32], *end;
	ssize_t n;
	int fd;

	*seq = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s.%s", prefix, role) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	*seq = strtol(buf, &end, 10);
	if (end == buf || errno != 0)
		*seq = -1;
	return 0;
}
