/*
 * paths.c - locating kc's data files relative to the installed or built
 * program, so bin/kc-score finds data/weights.json in a checkout and
 * /usr/local/bin/kc-score finds /usr/local/share/kc/weights.json; and
 * creating an output folder with its parents; decoding a URL's path;
 * renaming a finished file into place without replacing another; the
 * default clip database under the user's XDG data folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

int
kc_exedir(char *out, size_t n)
{
	char buf[PATH_MAX];
	ssize_t len;
	char *slash;

	len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%s", buf) >= n)
		return -1;
	return 0;
}

int
kc_datafile(const char *name, char *out, size_t n)
{
	static const char *const rel[] = { "../share/kc", "../data",
	    "../../data", "../scripts", "../../scripts" };
	char dir[PATH_MAX];
	const char *env = getenv("KC_DATADIR");
	size_t i;

	if (env && *env) {
		if ((size_t)snprintf(out, n, "%s/%s", env, name) < n &&
		    access(out, R_OK) == 0)
			return 0;
	}
	if (kc_exedir(dir, sizeof(dir)) != 0)
		return -1;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		if ((size_t)snprintf(out, n, "%s/%s/%s", dir, rel[i], name) < n
		    && access(out, R_OK) == 0)
			return 0;
	return -1;
}

int
kc_mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Whether ./kc.db is a file other than path: the note's question. */
static int
other_local_db(const char *path)
{
	struct stat a, b;

	if (stat("kc.db", &a) != 0)
		return 0;
	return stat(path, &b) != 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino;
}

int
kc_default_db(char *out, size_t n, int create, int *note)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char data[PATH_MAX], dir[PATH_MAX + 4], mark[PATH_MAX + 32];
	int len, fd;

	*note = 0;
	if (x && *x == '/')
		len = snprintf(data, sizeof(data), "%s", x);
	else if (home && *home)
		len = snprintf(data, sizeof(data), "%s/.local/share", home);
	else
		return (size_t)snprintf(out, n, "kc.db") < n ? 0 : -1;
	if (len < 0 || (size_t)len + sizeof("/kc/kc.db") > sizeof(data)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/kc", data);
	if ((size_t)snprintf(out, n, "%s/kc.db", dir) >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* the clips and ratings are the user's own: not for other users */
	if (create && (kc_mkdirs(data) != 0 ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST)))
		return -1;
	if (access(dir, W_OK) == 0 && other_local_db(out)) {
		snprintf(mark, sizeof(mark), "%s/.noted-local-db", dir);
		fd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		/* a marker that cannot be made: better a note too many */
		*note = fd >= 0 || errno != EEXIST;
	}
	return 0;
}

int
kc_rename_noreplace(const char *from, const char *to)
{
	int e;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	/* a file system without the flag (some network and FUSE ones):
	 * link refuses an existing name just the same */
	if (link(from, to) != 0)
		return -1;
	if (unlink(from) != 0) {
		e = errno;
		unlink(to);
		errno = e;
		return -1;
	}
	return 0;
}

/* Reads up to n bytes, fewer only at the end of the file. */
static ssize_t
read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
kc_same_content(const char *a, const char *b)
{
	char ba[16384], bb[16384];
	struct stat sa, sb;
	ssize_t na, nb;
	int fa, fb = -1, rc = -1, e;

	if ((fa = open(a, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (fb = open(b, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fa, &sa) != 0 || fstat(fb, &sb) != 0)
		goto out;
	if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	rc = 0;
	if (sa.st_size != sb.st_size)
		goto out;
	for (;;) {
		if ((na = read_full(fa, ba, sizeof(ba))) < 0 ||
		    (nb = read_full(fb, bb, sizeof(bb))) < 0) {
			rc = -1;
			break;
		}
		if (na != nb || memcmp(ba, bb, (size_t)na) != 0)
			break;
		if (na == 0) {
			rc = 1;
			break;
		}
	}
out:
	e = errno;
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	errno = e;
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
kc_pct_decode(char *s, int strict)
{
	char *r = s, *w = s;
	int hi, lo;

	while (*r) {
		if (*r != '%')
			*w++ = *r++;
		else if ((hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 &&
		    (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else if (strict)
			return -1;
		else
			*w++ = *r++;
	}
	*w = '\0';
	return (long)(w - s);
}
