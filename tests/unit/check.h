/*
 * check.h - assertions the unit tests share beyond cmocka's own.  Include
 * after <math.h> and <cmocka.h>.
 */
#ifndef KC_TEST_CHECK_H
#define KC_TEST_CHECK_H

/* a within tol of b, else a failure naming the expression and both values */
#define assert_near(a, b, tol) do {					\
	double a_ = (a), b_ = (b);					\
	if (!(fabs(a_ - b_) <= (tol)))					\
		fail_msg("%s = %.17g, want %.17g (tolerance %g)", #a,	\
		    a_, b_, (double)(tol));				\
} while (0)

#endif
