/*
 * check.h - what the unit tests share beyond cmocka's own: assertions and
 * scratch files.  Include after <math.h> and <cmocka.h>.
 */
#ifndef KC_TEST_CHECK_H
#define KC_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
