/*
 * check.h - what the unit tests share beyond cmocka's own: assertions and
 * scratch files.  Include after <math.h> and <cmocka.h>.
 */
#ifndef KC_TEST_CHECK_H
#define KC_TEST_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a within tol of b, else a failure naming the expression and both values */
#define assert_near(a, b, tol) do {					\
	double a_ = (a), b_ = (b);					\
	if (!(fabs(a_ - b_) <= (tol)))					\
		fail_msg("%s = %.17g, want %.17g (tolerance %g)", #a,	\
		    a_, b_, (double)(tol));				\
} while (0)

/* A private scratch directory under $KC_TMP (or /tmp), named after the
 * test program and tag. */
static inline void
scratch_dir(char *buf, size_t n, const char *tag)
{
	const char *tmp = getenv("KC_TMP");

	snprintf(buf, n, "%s/%s.%s.XXXXXX", tmp && *tmp ? tmp : "/tmp",
	    program_invocation_short_name, tag);
	assert_non_null(mkdtemp(buf));
}

/* Writes text to path, or fails the test. */
static inline void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

/* The whole file at path, malloc'd and NUL-terminated (text or bytes),
 * its size in *n; or fails the test. */
static inline void *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	assert_true(len >= 0);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	buf[len] = '\0';
	*n = (size_t)len;
	return buf;
}

/*
 * Gives the contents of every file of the fuzz corpus NAME
 * ($KC_ROOT/tests/fuzz/corpus/NAME) to fn, a fuzzer's entry point
 * (LLVMFuzzerTestOneInput, which aborts when a promise is broken); fails
 * when the corpus has fewer than min files.
 */
static inline void
replay_corpus(const char *name, int (*fn)(const uint8_t *, size_t), int min)
{
	const char *root = getenv("KC_ROOT");
	char dir[4096], path[4400], *buf, *copy;
	struct dirent *e;
	size_t n, cap = 1 << 20;
	int files = 0;
	FILE *fp;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
	    root && *root ? root : ".", name);
	if ((d = opendir(dir)) == NULL)
		fail_msg("%s: %s", dir, strerror(errno));
	buf = malloc(cap);
	assert_non_null(buf);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			fail_msg("%s: %s", path, strerror(errno));
		n = fread(buf, 1, cap, fp);
		fclose(fp);
		if (n == cap)
			fail_msg("%s: larger than %zu bytes", path, cap);
		/* exactly n bytes, so ASan sees a read past them */
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, buf, n);
		fn((const uint8_t *)copy, n);
		free(copy);
		files++;
	}
	closedir(d);
	free(buf);
	if (files < min)
		fail_msg("only %d corpus files in %s", files, dir);
}

#endif
