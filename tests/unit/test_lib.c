/*
 * test_lib.c - unit tests of the small shared library modules: number and
 * time parsing (num.c), the record reader and writer (rec.c), the
 * selection maths (select.c), child processes (spawn.c), the weights file
 * (weights.c), data file lookup and the default database (paths.c) and
 * the configuration file (config.c).  Expected values come from
 * the headers' contracts and from independent reference computations in
 * this file (a sorted copy for medians, a brute-force check for picks,
 * the kernel's own view of a child in /proc), never from the code under
 * test.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include <jansson.h>

#include "config.h"
#include "hash.h"
#include "num.h"
#include "out.h"
#include "paths.h"
#include "rec.h"
#include "select.h"
#include "spawn.h"
#include "weights.h"

static const char *argv0;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- num.c ----------------------------------------------------------- */

static void
test_parse_long(void **state)
{
	const char *why = NULL;
	long v = -1;
	char big[64];

	(void)state;
	assert_int_equal(kc_parse_long("42", 1, 100, &v, &why), 0);
	assert_int_equal(v, 42);
	assert_int_equal(kc_parse_long("-7", -10, 10, &v, &why), 0);
	assert_int_equal(v, -7);
	/* bounds are inclusive */
	assert_int_equal(kc_parse_long("1", 1, 25, &v, &why), 0);
	assert_int_equal(v, 1);
	assert_int_equal(kc_parse_long("25", 1, 25, &v, &why), 0);
	assert_int_equal(v, 25);

	v = 99;
	why = NULL;
	assert_int_equal(kc_parse_long("", 1, 25, &v, &why), -1);
	assert_non_null(why);
	assert_true(*why != '\0');
	assert_int_equal(v, 99);	/* untouched on failure */
	why = NULL;
	assert_int_equal(kc_parse_long(NULL, 1, 25, &v, &why), -1);
	assert_non_null(why);

	static const char *const bad[] = { "abc", "12x", "1.5", "0x10",
	    "12 ", "--1", "1e3", "+", "-" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (kc_parse_long(bad[i], -1000000, 1000000, &v, &why) != -1)
			fail_msg("'%s' accepted as %ld", bad[i], v);
		assert_non_null(why);
		assert_int_equal(v, 99);
	}

	why = NULL;
	assert_int_equal(kc_parse_long("26", 1, 25, &v, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, "range"));
	assert_int_equal(kc_parse_long("0", 1, 25, &v, &why), -1);
	assert_non_null(strstr(why, "range"));
	/* beyond long itself: ERANGE, not a wrapped value */
	snprintf(big, sizeof(big), "%ld0", LONG_MAX);
	assert_int_equal(kc_parse_long(big, LONG_MIN, LONG_MAX, &v, &why),
	    -1);
	assert_non_null(strstr(why, "range"));
	snprintf(big, sizeof(big), "%ld", LONG_MAX);
	assert_int_equal(kc_parse_long(big, LONG_MIN, LONG_MAX, &v, &why), 0);
	assert_true(v == LONG_MAX);
}

static void
test_parse_double(void **state)
{
	const char *why;
	double v = -1;

	(void)state;
	assert_int_equal(kc_parse_double("1.5", 0, 10, &v, &why), 0);
	assert_near(v, 1.5, 0);
	assert_int_equal(kc_parse_double("-2.25e1", -100, 100, &v, &why), 0);
	assert_near(v, -22.5, 0);
	assert_int_equal(kc_parse_double("3600", 1, 3600, &v, &why), 0);
	assert_near(v, 3600, 0);
	assert_int_equal(kc_parse_double("1", 1, 3600, &v, &why), 0);
	assert_near(v, 1, 0);

	v = 7;
	why = NULL;
	assert_int_equal(kc_parse_double("", 0, 1, &v, &why), -1);
	assert_non_null(why);
	assert_near(v, 7, 0);

	static const char *const junk[] = { "abc", "1.5s", "1,5", "1.5.2",
	    ".", "e5", "1e", "- 1" };
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		why = NULL;
		if (kc_parse_double(junk[i], -1e9, 1e9, &v, &why) != -1)
			fail_msg("'%s' accepted as %g", junk[i], v);
		assert_non_null(why);
		assert_near(v, 7, 0);
	}

	/* NaN and infinities are not numbers a user means */
	static const char *const nonfinite[] = { "nan", "NaN", "inf",
	    "-inf", "infinity", "1e400", "-1e400" };
	for (size_t i = 0; i < sizeof(nonfinite) / sizeof(nonfinite[0]);
	    i++) {
		why = NULL;
		if (kc_parse_double(nonfinite[i], -HUGE_VAL, HUGE_VAL, &v,
		    &why) != -1)
			fail_msg("'%s' accepted as %g", nonfinite[i], v);
		assert_non_null(why);
	}

	why = NULL;
	assert_int_equal(kc_parse_double("0.5", 1, 3600, &v, &why), -1);
	assert_non_null(strstr(why, "range"));
	assert_int_equal(kc_parse_double("3600.01", 1, 3600, &v, &why), -1);
	assert_non_null(strstr(why, "range"));
	assert_near(v, 7, 0);
}

static void
test_parse_time(void **state)
{
	static const struct { const char *s; double want; } good[] = {
		{ "90", 90 }, { "0", 0 }, { "12.5", 12.5 },
		{ "1:02:03", 3723 }, { "02:03", 123 }, { "1:30", 90 },
		{ "0:05", 5 }, { "0:15", 15 }, { "1:02:03.25", 3723.25 },
		{ "0:59.5", 59.5 }, { "10:00:00", 36000 },
		{ "100:00", 6000 },	/* the first field is not bounded */
		{ "00:00:59", 59 },
	};
	static const char *const bad[] = {
		"", "abc", "1:60", "1:00:60", "1:60:00", "1.5:00", "1:2.5:3",
		"-5", "+5", " 5", "5 ", "5s", "1:", ":30", "1::2", "1:2:3:4",
		"1:-2", "1: 2", "nan", "inf", "1e400", "1:30x",
	};
	const char *why;
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		why = NULL;
		if (kc_parse_time(good[i].s, &v, &why) != 0)
			fail_msg("'%s' rejected: %s", good[i].s,
			    why ? why : "(no reason)");
		if (fabs(v - good[i].want) > 1e-9)
			fail_msg("'%s' = %.17g, want %g", good[i].s, v,
			    good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -12345;
		why = NULL;
		if (kc_parse_time(bad[i], &v, &why) != -1)
			fail_msg("'%s' accepted as %g", bad[i], v);
		assert_non_null(why);
		assert_true(*why != '\0');
		assert_near(v, -12345, 0);
	}
	why = NULL;
	assert_int_equal(kc_parse_time(NULL, &v, &why), -1);
	assert_non_null(why);
	assert_int_equal(kc_parse_time("1:60", &v, &why), -1);
	assert_non_null(strstr(why, "60"));
	assert_int_equal(kc_parse_time("1.5:00", &v, &why), -1);
	assert_non_null(strstr(why, "fraction"));
}

/*
 * num.h promises plain seconds or [HH:]MM:SS[.frac]; strtod's other
 * spellings (hex, exponents) are not in that grammar.
 */
static void
test_parse_time_grammar(void **state)
{
	static const char *const bad[] = { "0x10", "1:0x10", "1e2", "1:1e1",
	    "0x1p4" };
	const char *why;
	double v;
	char msg[512] = "";
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -12345;
		why = NULL;
		if (kc_parse_time(bad[i], &v, &why) != -1 && n < sizeof(msg))
			n += (size_t)snprintf(msg + n, sizeof(msg) - n,
			    " '%s' = %g s;", bad[i], v);
	}
	if (n > 0)
		fail_msg("accepted, though not seconds or [HH:]MM:SS:%s", msg);
}

static void
test_fmt_hms(void **state)
{
	static const struct { double s; const char *want; } cases[] = {
		{ 0, "0:00" }, { 5, "0:05" }, { 59.4, "0:59" },
		{ 59.5, "1:00" }, { 90, "1:30" }, { 3599, "59:59" },
		{ 3599.6, "1:00:00" }, { 3723, "1:02:03" },
		{ 36000, "10:00:00" }, { 360000 + 61, "100:01:01" },
		{ -5, "0:00" }, { NAN, "0:00" }, { INFINITY, "0:00" },
	};
	char buf[32], small[4];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'X', sizeof(buf));
		assert_ptr_equal(kc_fmt_hms(cases[i].s, buf, sizeof(buf)), buf);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("kc_fmt_hms(%g) = '%s', want '%s'",
			    cases[i].s, buf, cases[i].want);
	}
	/* round trip through the parser */
	for (double s = 0; s < 20000; s += 997) {
		const char *why;
		double back;

		kc_fmt_hms(s, buf, sizeof(buf));
		assert_int_equal(kc_parse_time(buf, &back, &why), 0);
		assert_near(back, s, 0);
	}
	/* a short buffer is truncated, never overrun */
	memset(small, 'X', sizeof(small));
	kc_fmt_hms(3723, small, sizeof(small));
	assert_int_equal(small[3], '\0');
	assert_string_equal(small, "1:0");
}

/* ---- rec.c ----------------------------------------------------------- */

struct rd {
	FILE *fp;
	kc_reader *r;
};

static void
rd_open(struct rd *d, const char *text, size_t len, const char *name)
{
	d->fp = fmemopen((void *)text, len, "r");
	assert_non_null(d->fp);
	d->r = kc_reader_new(d->fp, name);
	assert_non_null(d->r);
}

static void
rd_close(struct rd *d)
{
	kc_reader_free(d->r);
	fclose(d->fp);
}

/* Expects a record of the given type on the given line. */
static json_t *
next_ok(kc_reader *r, const char *type, const char *where)
{
	json_t *j = NULL;
	int rc = kc_reader_next(r, &j);

	if (rc != 1)
		fail_msg("kc_reader_next = %d (%s) at %s, want a \"%s\" record",
		    rc, kc_reader_error(r), kc_reader_where(r), type);
	assert_non_null(j);
	assert_string_equal(kc_rec_type(j), type);
	assert_string_equal(kc_reader_where(r), where);
	return j;
}

static void
next_bad(kc_reader *r, const char *where, const char *errpart)
{
	json_t *j = (json_t *)&j;	/* must be reset to NULL */
	int rc = kc_reader_next(r, &j);

	if (rc != -1)
		fail_msg("kc_reader_next = %d at %s, want -1 (%s)", rc,
		    kc_reader_where(r), errpart);
	assert_null(j);
	assert_string_equal(kc_reader_where(r), where);
	if (strstr(kc_reader_error(r), errpart) == NULL)
		fail_msg("error '%s' does not mention '%s'",
		    kc_reader_error(r), errpart);
}

static void
test_reader_lines(void **state)
{
	static const char text[] =
	    "\n"
	    "   \n"
	    "{\"type\":\"a\",\"n\":1}\n"
	    "\t \r\n"
	    "\n"
	    "{\"type\":\"b\"}\n"
	    "{\"type\":\"c\"}";	/* no final newline */
	struct rd d;
	json_t *j;

	(void)state;
	rd_open(&d, text, sizeof(text) - 1, "in.jsonl");
	assert_string_equal(kc_reader_where(d.r), "in.jsonl:0");
	j = next_ok(d.r, "a", "in.jsonl:3");
	assert_int_equal(kc_reader_rawlen(d.r), strlen("{\"type\":\"a\",\"n\":1}"));
	assert_string_equal(kc_reader_raw(d.r), "{\"type\":\"a\",\"n\":1}");
	assert_string_equal(kc_reader_error(d.r), "");
	json_decref(j);
	json_decref(next_ok(d.r, "b", "in.jsonl:6"));
	json_decref(next_ok(d.r, "c", "in.jsonl:7"));
	assert_string_equal(kc_reader_raw(d.r), "{\"type\":\"c\"}");
	j = (json_t *)&j;
	assert_int_equal(kc_reader_next(d.r, &j), 0);
	assert_null(j);
	assert_int_equal(kc_reader_next(d.r, &j), 0);	/* stays at EOF */
	assert_string_equal(kc_reader_where(d.r), "in.jsonl:7");
	rd_close(&d);

	/* no name: "<stdin>" */
	rd_open(&d, "{\"type\":\"x\"}\n", 13, NULL);
	json_decref(next_ok(d.r, "x", "<stdin>:1"));
	rd_close(&d);

	/* empty input */
	rd_open(&d, "\n\n", 2, "e");
	assert_int_equal(kc_reader_next(d.r, &j), 0);
	rd_close(&d);
}

static void
test_reader_errors(void **state)
{
	static const char text[] =
	    "{\"type\":\"ok1\"}\n"
	    "{\"type\":\"a\",\n"		/* 2: cut short */
	    "[1,2,3]\n"				/* 3: not an object */
	    "\"type\"\n"			/* 4: a bare string */
	    "42\n"				/* 5: a bare number */
	    "{\"kind\":\"a\"}\n"		/* 6: no type */
	    "{\"type\":\"\"}\n"			/* 7: empty type */
	    "{\"type\":5}\n"			/* 8: non-string type */
	    "{\"type\":null}\n"			/* 9 */
	    "{\"type\":\"a\",\"type\":\"b\"}\n"	/* 10: duplicate type */
	    "{\"type\":\"a\",\"x\":1,\"x\":2}\n"	/* 11: duplicate key */
	    "{\"type\":\"a\"} {\"type\":\"b\"}\n"	/* 12: two on a line */
	    "{\"type\":\"a\"},\n"		/* 13: trailing junk */
	    "{'type':'a'}\n"			/* 14: not JSON */
	    "{\"type\":\"ok2\"}\n";		/* 15: still readable */
	struct rd d;
	char where[32];

	(void)state;
	rd_open(&d, text, sizeof(text) - 1, "<stdin>");
	json_decref(next_ok(d.r, "ok1", "<stdin>:1"));
	next_bad(d.r, "<stdin>:2", "malformed");
	assert_string_equal(kc_reader_raw(d.r), "{\"type\":\"a\",");
	next_bad(d.r, "<stdin>:3", "not a JSON object");
	for (int line = 4; line <= 5; line++) {
		snprintf(where, sizeof(where), "<stdin>:%d", line);
		next_bad(d.r, where, "malformed");
	}
	for (int line = 6; line <= 9; line++) {
		snprintf(where, sizeof(where), "<stdin>:%d", line);
		next_bad(d.r, where, "type");
	}
	for (int line = 10; line <= 14; line++) {
		snprintf(where, sizeof(where), "<stdin>:%d", line);
		next_bad(d.r, where, "malformed");
	}
	json_decref(next_ok(d.r, "ok2", "<stdin>:15"));
	assert_string_equal(kc_reader_error(d.r), "");
	rd_close(&d);
}

static void
test_reader_raw_exact(void **state)
{
	/* odd spacing, escapes, UTF-8 and number spellings survive as-is */
	static const char l1[] = "  { \"type\" : \"afeat\",\t\"t\": 1.50, "
	    "\"s\": \"caf\\u00e9 \xc3\xa9\\n\", \"e\": 1E+2 }  ";
	static const char l3[] = "{\"type\":\"z\",\"big\":12345678901234567890}";
	char text[512];
	struct rd d;
	json_t *j;
	double t;

	(void)state;
	snprintf(text, sizeof(text), "%s\n\n%s\n", l1, l3);
	rd_open(&d, text, strlen(text), "raw");
	j = next_ok(d.r, "afeat", "raw:1");
	assert_int_equal(kc_reader_rawlen(d.r), sizeof(l1) - 1);
	assert_memory_equal(kc_reader_raw(d.r), l1, sizeof(l1) - 1);
	assert_int_equal(kc_rec_num(j, "t", &t), 0);
	assert_near(t, 1.5, 0);
	assert_string_equal(kc_rec_str(j, "s"), "caf\xc3\xa9 \xc3\xa9\n");
	json_decref(j);
	/* an integer too big for jansson is an error; the raw line is kept */
	next_bad(d.r, "raw:3", "malformed");
	assert_int_equal(kc_reader_rawlen(d.r), sizeof(l3) - 1);
	assert_string_equal(kc_reader_raw(d.r), l3);
	rd_close(&d);
}

static void
test_reader_crlf_nul(void **state)
{
	static const char crlf[] = "{\"type\":\"a\"}\r\n{\"type\":\"b\"}\r\n";
	static const char nul[] = "{\"type\":\"a\"}\0junk\n{\"type\":\"b\"}\n";
	struct rd d;

	(void)state;
	/* CRLF: the record parses (\r is JSON whitespace); raw is the line
	 * minus "\n" only, byte for byte */
	rd_open(&d, crlf, sizeof(crlf) - 1, "crlf");
	json_decref(next_ok(d.r, "a", "crlf:1"));
	assert_int_equal(kc_reader_rawlen(d.r), 13);
	assert_memory_equal(kc_reader_raw(d.r), "{\"type\":\"a\"}\r", 13);
	json_decref(next_ok(d.r, "b", "crlf:2"));
	rd_close(&d);

	/* a NUL inside a line is not silently the end of the record */
	rd_open(&d, nul, sizeof(nul) - 1, "nul");
	next_bad(d.r, "nul:1", "malformed");
	assert_int_equal(kc_reader_rawlen(d.r), 17);
	json_decref(next_ok(d.r, "b", "nul:2"));
	rd_close(&d);
}

static void
test_reader_read_error(void **state)
{
	char dir[600];
	FILE *fp;
	kc_reader *r;
	json_t *j;

	(void)state;
	scratch_dir(dir, sizeof(dir), "rerr");
	fp = fopen(dir, "r");	/* opening a directory works; reading: EISDIR */
	assert_non_null(fp);
	r = kc_reader_new(fp, dir);
	assert_non_null(r);
	assert_int_equal(kc_reader_next(r, &j), -1);
	assert_null(j);
	assert_non_null(strstr(kc_reader_error(r), "read error"));
	assert_non_null(strstr(kc_reader_error(r), strerror(EISDIR)));
	kc_reader_free(r);
	fclose(fp);
	rmdir(dir);
	kc_reader_free(NULL);
}

/*
 * kc_reader_watch_output: a reader waiting for input whose stdout pipe has
 * lost its reader ends by SIGPIPE, though its input never ends; with the
 * reader there it waits and reads what comes.
 */
static int
watch_child(int out_reader_alive, const char *send)
{
	int in[2], out[2], st;
	pid_t pid;
	json_t *j;
	kc_reader *r;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	if ((pid = fork()) == 0) {
		alarm(60);	/* a guard: a hang ends by SIGALRM */
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		kc_out_init();
		r = kc_reader_new(stdin, NULL);
		kc_reader_watch_output(r, 1);
		_exit(kc_reader_next(r, &j) == 1 &&
		    strcmp(kc_rec_type(j), "x") == 0 ? 0 : 3);
	}
	assert_true(pid > 0);
	close(in[0]);
	close(out[1]);
	if (!out_reader_alive)
		close(out[0]);
	if (send)
		assert_int_equal(write(in[1], send, strlen(send)),
		    (ssize_t)strlen(send));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(in[1]);	/* held open until the child ended */
	if (out_reader_alive)
		close(out[0]);
	return st;
}

static void
test_reader_watch_output(void **state)
{
	int st;

	(void)state;
	st = watch_child(0, NULL);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGPIPE);
	st = watch_child(1, "{\"type\":\"x\"}\n");
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Writes a record line of exactly len bytes (plus '\n'); returns the
 * length of its string "p". */
static size_t
put_long_line(FILE *fp, size_t len, const char *type)
{
	char chunk[65536];
	size_t fill, n, plen;

	n = (size_t)fprintf(fp, "{\"type\":\"%s\",\"p\":\"", type);
	assert_true(len > n + 2);
	plen = fill = len - n - 2;
	memset(chunk, 'x', sizeof(chunk));
	while (fill > 0) {
		n = fill < sizeof(chunk) ? fill : sizeof(chunk);
		assert_int_equal(fwrite(chunk, 1, n, fp), n);
		fill -= n;
	}
	assert_int_equal(fputs("\"}\n", fp) >= 0, 1);
	return plen;
}

static void
test_reader_long_line(void **state)
{
	FILE *fp = tmpfile();
	kc_reader *r;
	json_t *j;
	const char *p;
	size_t plen;

	(void)state;
	assert_non_null(fp);
	put_long_line(fp, 1 << 20, "mib");
	plen = put_long_line(fp, (size_t)KC_REC_MAX_LINE, "limit");
	put_long_line(fp, (size_t)KC_REC_MAX_LINE + 1, "over");
	fputs("{\"type\":\"after\"}\n", fp);
	assert_int_equal(fflush(fp), 0);
	rewind(fp);
	r = kc_reader_new(fp, "long");
	assert_non_null(r);

	j = next_ok(r, "mib", "long:1");
	assert_int_equal(kc_reader_rawlen(r), 1 << 20);
	json_decref(j);

	j = next_ok(r, "limit", "long:2");
	assert_int_equal(kc_reader_rawlen(r), (size_t)KC_REC_MAX_LINE);
	p = kc_rec_str(j, "p");
	assert_non_null(p);
	assert_int_equal(strlen(p), plen);
	json_decref(j);

	next_bad(r, "long:3", "longer than");
	json_decref(next_ok(r, "after", "long:4"));
	assert_int_equal(kc_reader_next(r, &j), 0);
	kc_reader_free(r);
	fclose(fp);
}

static void
test_rec_accessors(void **state)
{
	json_error_t jerr;
	json_t *j;
	double d;
	int b;

	(void)state;
	j = json_loads("{\"type\":\"t\",\"i\":3,\"r\":2.5,\"neg\":-1e-3,"
	    "\"s\":\"str\",\"e\":\"\",\"bt\":true,\"bf\":false,\"z\":null,"
	    "\"o\":{\"a\":1},\"a\":[1],\"ns\":\"1.5\",\"one\":1}", 0, &jerr);
	assert_non_null(j);
	assert_string_equal(kc_rec_type(j), "t");

	d = -9;
	assert_int_equal(kc_rec_num(j, "i", &d), 0);
	assert_near(d, 3, 0);
	assert_int_equal(kc_rec_num(j, "r", &d), 0);
	assert_near(d, 2.5, 0);
	assert_int_equal(kc_rec_num(j, "neg", &d), 0);
	assert_near(d, -1e-3, 0);
	d = -9;
	static const char *const notnum[] = { "s", "ns", "bt", "z", "o", "a",
	    "missing", "type" };
	for (size_t i = 0; i < sizeof(notnum) / sizeof(notnum[0]); i++) {
		if (kc_rec_num(j, notnum[i], &d) != -1)
			fail_msg("kc_rec_num(\"%s\") accepted", notnum[i]);
		assert_near(d, -9, 0);
	}

	assert_string_equal(kc_rec_str(j, "s"), "str");
	assert_string_equal(kc_rec_str(j, "e"), "");
	assert_null(kc_rec_str(j, "i"));
	assert_null(kc_rec_str(j, "z"));
	assert_null(kc_rec_str(j, "bt"));
	assert_null(kc_rec_str(j, "missing"));

	b = -5;
	assert_int_equal(kc_rec_bool(j, "bt", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(kc_rec_bool(j, "bf", &b), 0);
	assert_int_equal(b, 0);
	b = -5;
	assert_int_equal(kc_rec_bool(j, "one", &b), -1);
	assert_int_equal(kc_rec_bool(j, "s", &b), -1);
	assert_int_equal(kc_rec_bool(j, "z", &b), -1);
	assert_int_equal(kc_rec_bool(j, "missing", &b), -1);
	assert_int_equal(b, -5);
	json_decref(j);

	/* type of a record without one, or of a non-object */
	j = json_loads("{\"x\":1}", 0, &jerr);
	assert_null(kc_rec_type(j));
	json_decref(j);
	j = json_loads("[1]", 0, &jerr);
	assert_null(kc_rec_type(j));
	assert_null(kc_rec_str(j, "x"));
	assert_int_equal(kc_rec_num(j, "x", &d), -1);
	json_decref(j);
}

/* Serialises rec with kc_rec_write into a malloc'd string. */
static char *
written(const json_t *rec)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);

	assert_non_null(fp);
	assert_int_equal(kc_rec_write(fp, rec), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void
test_rec_write(void **state)
{
	json_t *r;
	char *s;
	FILE *fp;
	int p[2];
	void (*old)(int);

	(void)state;
	r = kc_rec_new("segment");
	assert_non_null(r);
	assert_string_equal(kc_rec_type(r), "segment");
	json_object_set_new(r, "seq", json_integer(3));
	json_object_set_new(r, "t0", json_real(60));
	json_object_set_new(r, "third", json_real(1.0 / 3));
	json_object_set_new(r, "s", json_string("a \"b\"\n"));
	json_object_set_new(r, "x", json_null());
	s = written(r);
	/* compact, in insertion order, "type" first, one line */
	assert_string_equal(s, "{\"type\":\"segment\",\"seq\":3,\"t0\":60.0,"
	    "\"third\":0.3333333333,\"s\":\"a \\\"b\\\"\\n\",\"x\":null}\n");
	free(s);

	/* a full disk is an error */
	fp = fopen("/dev/full", "w");
	assert_non_null(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	errno = 0;
	assert_int_equal(kc_rec_write(fp, r), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(fp);

	/* the reader went away: EPIPE */
	old = signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	fp = fdopen(p[1], "w");
	assert_non_null(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	errno = 0;
	assert_int_equal(kc_rec_write(fp, r), -1);
	assert_int_equal(errno, EPIPE);
	fclose(fp);
	signal(SIGPIPE, old);
	json_decref(r);
}

static void
test_json_num(void **state)
{
	static const struct { double v; const char *want; } cases[] = {
		{ 2.0 / 3, "0.6666667" },
		{ 1234567.89, "1234568.0" },
		{ 123456789, "123456800.0" },
		{ -98.7654321, "-98.76543" },
		{ 0.000123456789, "0.0001234568" },
		{ 0.5, "0.5" },
		{ 0.1, "0.1" },
		{ 440, "440.0" },
		{ 25, "25.0" },
		{ 29.97002997, "29.97003" },
		{ 9999999.5, "10000000.0" },
		{ 0, "0.0" },
	};
	char *s, want[128];
	json_t *r, *n;
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = kc_rec_new("n");
		n = kc_json_num(cases[i].v);
		assert_non_null(n);
		assert_true(json_is_real(n));
		json_object_set_new(r, "v", n);
		s = written(r);
		snprintf(want, sizeof(want), "{\"type\":\"n\",\"v\":%s}\n",
		    cases[i].want);
		if (strcmp(s, want) != 0)
			fail_msg("kc_json_num(%.17g) written as %s want %s",
			    cases[i].v, s, want);
		free(s);
		json_decref(r);
	}
	/* seven significant digits over the whole range */
	for (v = 1.234567890123e-12; v < 1e15; v *= 10.0000001) {
		n = kc_json_num(v);
		assert_near(json_real_value(n), v, v * 5.1e-7);
		json_decref(n);
		n = kc_json_num(-v);
		assert_near(json_real_value(n), -v, v * 5.1e-7);
		json_decref(n);
	}
	n = kc_json_num(1.23456789e300);
	assert_near(json_real_value(n) / 1e300, 1.234568, 1e-12);
	json_decref(n);
	n = kc_json_num(DBL_MIN / 4);	/* subnormal: kept, not broken */
	assert_true(json_real_value(n) > 0);
	json_decref(n);

	/* NaN and infinities become null: JSON has no NaN */
	static const double nonfinite[] = { NAN, -NAN, INFINITY, -INFINITY };
	for (size_t i = 0; i < 4; i++) {
		n = kc_json_num(nonfinite[i]);
		assert_non_null(n);
		assert_true(json_is_null(n));
		r = kc_rec_new("n");
		json_object_set_new(r, "v", n);
		s = written(r);
		assert_string_equal(s, "{\"type\":\"n\",\"v\":null}\n");
		free(s);
		json_decref(r);
	}
}

/* ---- select.c -------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Reference median of the finite values, by sorting a copy. */
static size_t
ref_median(const float *v, size_t n, double *med)
{
	double *c = malloc((n ? n : 1) * sizeof(*c));
	size_t k = 0, i;

	assert_non_null(c);
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			c[k++] = v[i];
	qsort(c, k, sizeof(*c), cmp_double);
	*med = k == 0 ? NAN : k % 2 ? c[k / 2] : (c[k / 2 - 1] + c[k / 2]) / 2;
	free(c);
	return k;
}

static uint32_t lcg_state = 12345;

static uint32_t
lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state >> 8;
}

static void
test_median(void **state)
{
	float odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 };
	float withnan[] = { NAN, 5, INFINITY, 1, -INFINITY, 3, NAN };
	float allnan[] = { NAN, NAN }, same[] = { 2, 2, 2, 2 };
	float one[] = { -7.5 };
	double m;

	(void)state;
	assert_int_equal(kc_median(odd, 3, &m), 3);
	assert_near(m, 2, 0);
	assert_int_equal(kc_median(even, 4, &m), 4);
	assert_near(m, 2.5, 0);
	assert_int_equal(kc_median(withnan, 7, &m), 3);
	assert_near(m, 3, 0);
	assert_int_equal(kc_median(allnan, 2, &m), 0);
	assert_true(isnan(m));
	assert_int_equal(kc_median(NULL, 0, &m), 0);
	assert_true(isnan(m));
	assert_int_equal(kc_median(same, 4, &m), 4);
	assert_near(m, 2, 0);
	assert_int_equal(kc_median(one, 1, &m), 1);
	assert_near(m, -7.5, 0);

	/* against a sorted reference: many sizes, few distinct values,
	 * sorted and reverse-sorted runs, NaNs sprinkled in */
	for (size_t n = 1; n <= 300; n++) {
		for (int kind = 0; kind < 5; kind++) {
			float *v = malloc(n * sizeof(*v));
			double want, got;
			size_t kw, kg;

			assert_non_null(v);
			for (size_t i = 0; i < n; i++) {
				switch (kind) {
				case 0: v[i] = (float)(lcg() % 100000) / 7; break;
				case 1: v[i] = (float)(lcg() % 3); break;
				case 2: v[i] = (float)i; break;
				case 3: v[i] = (float)(n - i); break;
				default:
					v[i] = lcg() % 5 == 0 ? NAN :
					    (float)(lcg() % 50) - 25;
				}
			}
			kw = ref_median(v, n, &want);
			kg = kc_median(v, n, &got);
			if (kg != kw || !(got == want || (isnan(got) &&
			    isnan(want))))
				fail_msg("n=%zu kind=%d: median %g (%zu used), "
				    "want %g (%zu)", n, kind, got, kg, want, kw);
			free(v);
		}
	}
}

static void
test_robust(void **state)
{
	float a[] = { 1, 2, 3, 4, 100 };
	float b[] = { 10, 20, NAN, 30, 40, 50, 60, INFINITY };
	float c[] = { 5, 5, 5, 5, 9 };
	float d[] = { NAN };
	double med, scale;

	(void)state;
	/* |dev| = 2 1 0 1 97: MAD 1 */
	assert_int_equal(kc_robust(a, 5, &med, &scale), 5);
	assert_near(med, 3, 0);
	assert_near(scale, 1.4826, 1e-12);
	/* median 35, |dev| = 25 15 5 5 15 25: MAD 15 */
	assert_int_equal(kc_robust(b, 8, &med, &scale), 6);
	assert_near(med, 35, 0);
	assert_near(scale, 1.4826 * 15, 1e-9);
	/* more than half identical: scale 0 (the caller's floor handles it) */
	assert_int_equal(kc_robust(c, 5, &med, &scale), 5);
	assert_near(med, 5, 0);
	assert_near(scale, 0, 0);
	assert_int_equal(kc_robust(d, 1, &med, &scale), 0);
	assert_true(isnan(med));
	assert_true(isnan(scale));

	/* against the reference on pseudo-random data */
	for (size_t n = 1; n <= 101; n += 4) {
		float *v = malloc(n * sizeof(*v)), *dev = malloc(n * sizeof(*v));
		double wmed, wmad;

		assert_non_null(v);
		assert_non_null(dev);
		for (size_t i = 0; i < n; i++)
			v[i] = (float)(lcg() % 1000) / 8;
		ref_median(v, n, &wmed);
		for (size_t i = 0; i < n; i++)
			dev[i] = (float)fabs(v[i] - wmed);
		ref_median(dev, n, &wmad);
		assert_int_equal(kc_robust(v, n, &med, &scale), n);
		assert_near(med, wmed, 0);
		assert_near(scale, 1.4826 * wmad, 1e-9 * (1 + wmad));
		free(v);
		free(dev);
	}
}

static void
test_softclip(void **state)
{
	const double lo = -3, hi = 6;
	double z, f, prev = -HUGE_VAL;

	(void)state;
	assert_near(kc_softclip(0, lo, hi), 0, 0);
	assert_near(kc_softclip(NAN, lo, hi), 0, 0);
	/* close to identity near 0, the header's formula elsewhere */
	assert_near(kc_softclip(0.01, lo, hi), 0.01, 1e-6);
	assert_near(kc_softclip(-0.01, lo, hi), -0.01, 1e-6);
	assert_near(kc_softclip(3, lo, hi), hi * tanh(3 / hi), 1e-12);
	assert_near(kc_softclip(-2, lo, hi), lo * tanh(-2 / lo), 1e-12);
	for (z = -40; z <= 40; z += 0.01) {
		f = kc_softclip(z, lo, hi);
		if (!(f >= lo && f <= hi))
			fail_msg("softclip(%g) = %g outside [%g, %g]", z, f, lo,
			    hi);
		if (!(f >= prev))
			fail_msg("softclip not monotonic at %g: %g < %g", z, f,
			    prev);
		if (fabs(z) < 5 && !(f > prev))
			fail_msg("softclip flat at %g", z);
		if (z > 0.05 && !(f < z))
			fail_msg("softclip(%g) = %g does not squash", z, f);
		if (z < -0.05 && !(f > z))
			fail_msg("softclip(%g) = %g does not squash", z, f);
		prev = f;
	}
	/* strictly inside the bounds for moderate z */
	assert_true(kc_softclip(10, lo, hi) < hi);
	assert_true(kc_softclip(-6, lo, hi) > lo);
	/* other bounds */
	assert_near(kc_softclip(100, -1, 1), 1, 1e-12);
	assert_near(kc_softclip(-100, -1, 1), -1, 1e-12);
}

static void
test_squash(void **state)
{
	double z, prev = -1;

	(void)state;
	/* the documented anchor points; the midpoint is at asinh(z) = 1.5 */
	assert_near(kc_squash(0), 1 / (1 + exp(1.8)), 1e-12);
	assert_near(kc_squash(sinh(1.5)), 0.5, 1e-12);
	assert_near(kc_squash(10), 0.85, 0.01);
	assert_near(kc_squash(NAN), 0, 0);
	assert_true(kc_squash(INFINITY) == 1);
	for (z = -10; z <= 10; z += 0.05) {
		double f = kc_squash(z);

		assert_true(f > prev);
		assert_true(f >= 0 && f <= 1);
		prev = f;
	}
}

static void
test_window_means(void **state)
{
	float s[64], out[64];
	size_t n, w, j, got, best;

	(void)state;
	/* constant in, constant out; n-w+1 windows */
	for (n = 1; n <= 20; n++) {
		for (w = 1; w <= n; w++) {
			for (j = 0; j < n; j++)
				s[j] = 7.25;
			for (j = 0; j < 64; j++)
				out[j] = -1;
			got = kc_window_means(s, n, w, out);
			assert_int_equal(got, n - w + 1);
			for (j = 0; j < got; j++)
				assert_near(out[j], 7.25, 1e-5);
			assert_near(out[got], -1, 0);	/* nothing beyond */
		}
	}
	assert_int_equal(kc_window_means(s, 3, 4, out), 0);
	assert_int_equal(kc_window_means(s, 3, 0, out), 0);
	assert_int_equal(kc_window_means(s, 0, 1, out), 0);

	/* w = 1: the input itself */
	for (j = 0; j < 10; j++)
		s[j] = (float)(j * j) - 3;
	assert_int_equal(kc_window_means(s, 10, 1, out), 10);
	for (j = 0; j < 10; j++)
		assert_near(out[j], s[j], 1e-5);

	/* symmetric taper: the mean of a ramp is its value mid-window */
	for (j = 0; j < 30; j++)
		s[j] = 2.0f * (float)j + 1;
	got = kc_window_means(s, 30, 7, out);
	assert_int_equal(got, 24);
	for (j = 0; j < got; j++)
		assert_near(out[j], 2.0 * (j + 3) + 1, 1e-4);

	/* a spike scores highest in the window that centres it (odd w) */
	memset(s, 0, sizeof(s));
	s[10] = 1;
	got = kc_window_means(s, 21, 5, out);
	assert_int_equal(got, 17);
	best = 0;
	for (j = 1; j < got; j++)
		if (out[j] > out[best])
			best = j;
	assert_int_equal(best, 8);	/* window [8, 13) centres index 10 */
	assert_true(out[8] > out[7] && out[7] > out[6]);
	assert_true(out[8] > out[9] && out[9] > out[10]);
	assert_near(out[7], out[9], 1e-6);
	assert_near(out[6], out[10], 1e-6);
	assert_near(out[5], 0, 0);	/* windows without the spike */
	assert_near(out[11], 0, 0);
	/* edges weigh half as much as the middle, within the taper's step */
	assert_true(out[6] > 0.45 * out[8] && out[6] < 0.75 * out[8]);

	/* even w: the two middle positions tie */
	got = kc_window_means(s, 21, 4, out);
	assert_int_equal(got, 18);
	assert_near(out[8], out[9], 1e-6);
	assert_true(out[8] > out[7] && out[9] > out[10]);
}

/*
 * Checks a kc_pick result against its contract: descending scores,
 * pairwise separation, no NaN, and greedy maximality (each unpicked
 * finite index lies within sep-1 of a picked index that beats it).
 */
static void
check_pick(const float *sc, size_t m, size_t sep, size_t k,
    const size_t *pk, size_t got)
{
	size_t i, j, nfinite = 0;

	for (i = 0; i < m; i++)
		nfinite += isfinite(sc[i]) != 0;
	assert_true(got <= k);
	for (i = 0; i < got; i++) {
		assert_true(pk[i] < m);
		assert_true(isfinite(sc[pk[i]]));
		if (i > 0)
			assert_true(sc[pk[i]] <= sc[pk[i - 1]]);
		for (j = 0; j < i; j++) {
			size_t d = pk[i] > pk[j] ? pk[i] - pk[j] : pk[j] - pk[i];

			if (d < sep || d == 0)
				fail_msg("picked %zu and %zu, %zu apart (sep %zu)",
				    pk[j], pk[i], d, sep);
		}
	}
	if (got == k || got == nfinite)
		return;
	for (i = 0; i < m; i++) {
		int covered = 0;

		if (!isfinite(sc[i]))
			continue;
		for (j = 0; j < got && !covered; j++) {
			size_t d = i > pk[j] ? i - pk[j] : pk[j] - i;

			covered = d < (sep ? sep : 1) && sc[pk[j]] >= sc[i];
		}
		if (!covered)
			fail_msg("index %zu (%g) could still be picked", i,
			    sc[i]);
	}
}

/* kc_onset: the peak by 3-hop means, the run back to half way, limits */
static void
test_onset(void **state)
{
	/* background 0; an event rising at 10 (0.6), 11-14 at 1, then 0 */
	float s[30] = { 0 }, n[8];
	size_t q = 99, i;

	(void)state;
	s[10] = 0.6f;
	for (i = 11; i < 15; i++)
		s[i] = 1;
	assert_int_equal(kc_onset(s, 30, 0, 5, 15, &q), 1);
	assert_int_equal(q, 10);	/* 0.6 >= half way (0.5) */
	s[10] = 0.4f;
	assert_int_equal(kc_onset(s, 30, 0, 5, 15, &q), 1);
	assert_int_equal(q, 11);	/* 0.4 is under half way */
	/* the search only looks inside [a, a + w) for the peak, and goes
	 * back at most w hops from it */
	assert_int_equal(kc_onset(s, 30, 0, 13, 10, &q), 1);
	assert_int_equal(q, 11);
	assert_int_equal(kc_onset(s, 30, 0, 12, 2, &q), 1);
	assert_int_equal(q, 11);	/* peak 12 or 13, back 2 at most */
	assert_int_equal(kc_onset(s, 30, 0, 20, 10, &q), 0);	/* flat */
	assert_int_equal(kc_onset(s, 30, 2, 5, 15, &q), 0);	/* under med */
	/* a NaN ends the run back */
	s[11] = NAN;
	assert_int_equal(kc_onset(s, 30, 0, 5, 15, &q), 1);
	assert_int_equal(q, 12);
	for (i = 0; i < 8; i++)
		n[i] = NAN;
	assert_int_equal(kc_onset(n, 8, 0, 0, 8, &q), 0);
	/* at the array's start: the run stops at hop 0 */
	n[0] = 0.8f;
	n[1] = n[2] = 1;
	n[3] = 0;
	assert_int_equal(kc_onset(n, 4, 0, 0, 4, &q), 1);
	assert_int_equal(q, 0);
}

static void
test_pick(void **state)
{
	float sc[12] = { 0 };
	size_t pk[64], got;
	unsigned char mark[64];

	(void)state;
	/* separation exactly: 3 apart allowed, 2 apart not (sep 3) */
	sc[5] = 1.0;
	sc[3] = 0.95;	/* 2 below the best: suppressed */
	sc[7] = 0.9;	/* 2 above: suppressed */
	sc[2] = 0.85;	/* 3 below: allowed */
	sc[8] = 0.8;	/* 3 above: allowed */
	got = kc_pick(sc, 12, 3, 3, pk, mark);
	assert_int_equal(got, 3);
	assert_int_equal(pk[0], 5);
	assert_int_equal(pk[1], 2);
	assert_int_equal(pk[2], 8);
	/* without the k limit: index 11 is the only one left */
	got = kc_pick(sc, 12, 3, 64, pk, mark);
	assert_int_equal(got, 4);
	assert_int_equal(pk[3], 11);
	check_pick(sc, 12, 3, 64, pk, got);

	/* k = 0 picks nothing; k = 1 the best */
	assert_int_equal(kc_pick(sc, 12, 3, 0, pk, mark), 0);
	assert_int_equal(kc_pick(sc, 12, 3, 1, pk, mark), 1);
	assert_int_equal(pk[0], 5);

	/* NaN (and infinities) are never picked, even as the only values */
	{
		float nn[5] = { NAN, 0.2f, NAN, 0.9f, NAN };

		got = kc_pick(nn, 5, 1, 10, pk, mark);
		assert_int_equal(got, 2);
		assert_int_equal(pk[0], 3);
		assert_int_equal(pk[1], 1);
		nn[1] = nn[3] = NAN;
		assert_int_equal(kc_pick(nn, 5, 1, 10, pk, mark), 0);
	}

	/* sep 0 and 1: every finite score, best first */
	{
		float v[6] = { 0.3f, 0.1f, 0.6f, NAN, 0.5f, 0.2f };
		const size_t want[5] = { 2, 4, 0, 5, 1 };

		for (size_t sep = 0; sep <= 1; sep++) {
			got = kc_pick(v, 6, sep, 10, pk, mark);
			assert_int_equal(got, 5);
			assert_memory_equal(pk, want, sizeof(want));
		}
	}

	/* the best sits at the edges */
	{
		float e[8] = { 0.9f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 1.0f };

		got = kc_pick(e, 8, 4, 10, pk, mark);
		assert_true(got >= 2);
		assert_int_equal(pk[0], 7);
		assert_int_equal(pk[1], 0);
		check_pick(e, 8, 4, 10, pk, got);
	}

	/* random scores, many separations, against the contract */
	for (int round = 0; round < 300; round++) {
		float r[64];
		size_t m = 1 + lcg() % 64, sep = lcg() % 12, k = lcg() % 20;

		for (size_t i = 0; i < m; i++)
			r[i] = lcg() % 9 == 0 ? NAN : (float)(lcg() % 1000);
		got = kc_pick(r, m, sep, k, pk, mark);
		check_pick(r, m, sep, k, pk, got);
	}
}

/* ---- spawn.c --------------------------------------------------------- */

static void
test_capture_stdout(void **state)
{
	const char *argv[] = { "printf", "a%sb\\n%s", "x", "tail", NULL };
	char *out = (char *)1, err[64];
	size_t len = 0;
	int st = -1;

	(void)state;
	assert_int_equal(kc_run_capture(argv, 1000, &out, &len, err,
	    sizeof(err), &st), 0);
	assert_string_equal(out, "axb\ntail");
	assert_int_equal(len, 8);
	assert_int_equal(kc_status_failed(st), 0);
	assert_int_equal(kc_status_code(st), 0);
	assert_string_equal(err, "");
	free(out);

	/* no output at all: an empty string, not NULL */
	const char *t[] = { "true", NULL };
	assert_int_equal(kc_run_capture(t, 10, &out, &len, NULL, 0, &st), 0);
	assert_non_null(out);
	assert_string_equal(out, "");
	assert_int_equal(len, 0);
	free(out);

	/* binary output with NULs: outlen tells the length */
	const char *z[] = { "head", "-c", "5000", "/dev/zero", NULL };
	assert_int_equal(kc_run_capture(z, 5000, &out, &len, NULL, 0, &st), 0);
	assert_int_equal(len, 5000);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(out[i], 0);
	free(out);
}

static void
test_capture_limit(void **state)
{
	char *out = (char *)1, num[32];
	size_t len = 7;
	int st;
	double t0;

	(void)state;
	/* exactly max bytes is fine, one more is E2BIG */
	snprintf(num, sizeof(num), "%d", 100000);
	const char *exact[] = { "head", "-c", num, "/dev/zero", NULL };
	assert_int_equal(kc_run_capture(exact, 100000, &out, &len, NULL, 0,
	    &st), 0);
	assert_int_equal(len, 100000);
	free(out);
	errno = 0;
	out = (char *)1;
	assert_int_equal(kc_run_capture(exact, 99999, &out, &len, NULL, 0,
	    &st), -1);
	assert_int_equal(errno, E2BIG);
	assert_null(out);

	/* an endless writer is stopped, not waited for */
	const char *yes[] = { "yes", NULL };
	t0 = now_s();
	errno = 0;
	assert_int_equal(kc_run_capture(yes, 10000, &out, &len, NULL, 0, &st),
	    -1);
	assert_int_equal(errno, E2BIG);
	assert_null(out);
	assert_true(now_s() - t0 < 5);
}

static void
test_capture_stderr_tail(void **state)
{
	const char *a[] = { "sh", "-c",
	    "printf 0123456789abcdef >&2; printf out", NULL };
	const char *b[] = { "seq", "1", "50000", NULL };
	const char *c[] = { "sh", "-c", "seq 1 50000 >&2; echo done", NULL };
	char err[8], big[64], *out, *want;
	size_t len, wl, blen;
	int st;
	FILE *fp;

	(void)state;
	assert_int_equal(kc_run_capture(a, 100, &out, &len, err, sizeof(err),
	    &st), 0);
	assert_string_equal(out, "out");
	assert_string_equal(err, "9abcdef");	/* the last errlen-1 bytes */
	free(out);

	/* many chunks of stderr: still exactly the tail; build the text
	 * seq writes to compare with */
	fp = open_memstream(&want, &wl);
	assert_non_null(fp);
	for (int i = 1; i <= 50000; i++)
		fprintf(fp, "%d\n", i);
	fclose(fp);
	assert_int_equal(kc_run_capture(b, 1 << 20, &out, &len, NULL, 0, &st),
	    0);
	assert_int_equal(len, wl);
	assert_string_equal(out, want);	/* seq agrees with our text */
	free(out);
	assert_int_equal(kc_run_capture(c, 100, &out, &len, big, sizeof(big),
	    &st), 0);
	assert_string_equal(out, "done\n");
	blen = strlen(big);
	assert_int_equal(blen, sizeof(big) - 1);
	assert_string_equal(big, want + wl - blen);
	free(out);
	free(want);

	/* a tiny buffer of one byte gets just the terminator */
	const char *q[] = { "true", NULL };
	big[0] = 'X';
	assert_int_equal(kc_run_capture(q, 100, &out, &len, big, 1, &st), 0);
	assert_int_equal(big[0], '\0');
	free(out);
}

static void
test_status(void **state)
{
	const char *ex3[] = { "sh", "-c", "echo partial; exit 3", NULL };
	const char *kill9[] = { "sh", "-c", "kill -KILL $$", NULL };
	const char *term[] = { "sh", "-c", "kill -TERM $$", NULL };
	char *out, buf[128];
	size_t len;
	int st;

	(void)state;
	/* a failed child is not a failed capture: status tells */
	assert_int_equal(kc_run_capture(ex3, 100, &out, &len, NULL, 0, &st), 0);
	assert_string_equal(out, "partial\n");
	free(out);
	assert_true(kc_status_failed(st) != 0);
	assert_int_equal(kc_status_code(st), 3);
	assert_string_equal(kc_status_str(st, buf, sizeof(buf)),
	    "exit status 3");

	assert_int_equal(kc_run_capture(kill9, 100, &out, &len, NULL, 0, &st),
	    0);
	free(out);
	assert_true(WIFSIGNALED(st));
	assert_true(kc_status_failed(st) != 0);
	assert_int_equal(kc_status_code(st), 128 + 9);
	assert_string_equal(kc_status_str(st, buf, sizeof(buf)),
	    "killed by signal 9 (Killed)");

	assert_int_equal(kc_run_capture(term, 100, &out, &len, NULL, 0, &st),
	    0);
	free(out);
	assert_int_equal(kc_status_code(st), 128 + 15);
	assert_string_equal(kc_status_str(st, buf, sizeof(buf)),
	    "killed by signal 15 (Terminated)");

	const char *ok[] = { "true", NULL };
	assert_int_equal(kc_run_capture(ok, 100, &out, &len, NULL, 0, &st), 0);
	free(out);
	assert_int_equal(kc_status_failed(st), 0);
	assert_string_equal(kc_status_str(st, buf, sizeof(buf)),
	    "exit status 0");
	/* a short buffer is truncated safely */
	assert_string_equal(kc_status_str(st, buf, 5), "exit");
}

static void
test_spawn_missing(void **state)
{
	const char *a[] = { "kc-no-such-program-3f9a", NULL };
	const char *b[] = { "/nonexistent/dir/prog", NULL };
	char *out = (char *)1, err[64];
	size_t len;
	int st;
	pid_t pid;

	(void)state;
	errno = 0;
	assert_int_equal(kc_run_capture(a, 100, &out, &len, err, sizeof(err),
	    &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(out);
	errno = 0;
	assert_int_equal(kc_run_capture(b, 100, &out, &len, NULL, 0, &st), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(kc_spawn(a, -1, -1, -1, &pid), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_spawn_args_intact(void **state)
{
	const char *args[] = { "a b", "\"dq\"", "'sq'", ";", "$(touch pwned)",
	    "`touch pwned2`", "*", "", "x\ny", "\\", "|", "&&", "-n", "$HOME",
	    NULL };
	const char *argv[32] = { "printf", "[%s]\\n" };
	const char *echo[] = { "/bin/echo", "a  b", "$(touch pwned)", ";",
	    "'q'", "\"q\"", "*", NULL };
	char *out, want[512];
	size_t len, i, w = 0;
	int st;

	(void)state;
	for (i = 0; args[i]; i++) {
		argv[i + 2] = args[i];
		w += (size_t)snprintf(want + w, sizeof(want) - w, "[%s]\n",
		    args[i]);
	}
	argv[i + 2] = NULL;
	assert_int_equal(kc_run_capture(argv, 4096, &out, &len, NULL, 0, &st),
	    0);
	assert_int_equal(kc_status_failed(st), 0);
	assert_string_equal(out, want);
	free(out);

	assert_int_equal(kc_run_capture(echo, 4096, &out, &len, NULL, 0, &st),
	    0);
	assert_string_equal(out, "a  b $(touch pwned) ; 'q' \"q\" *\n");
	free(out);
	assert_int_equal(access("pwned", F_OK), -1);
	assert_int_equal(access("pwned2", F_OK), -1);
}

/* The child gets SIGPIPE/SIGINT/SIGTERM at their defaults and an empty
 * signal mask, whatever ours are: read its /proc view of itself. */
static void
test_spawn_signals_default(void **state)
{
	const char *argv[] = { "grep", "-E", "^Sig(Ign|Blk):",
	    "/proc/self/status", NULL };
	void (*op)(int), (*oi)(int), (*ot)(int);
	sigset_t blk, old;
	unsigned long long ign = 0, blkm = ~0ULL;
	char *out, *p;
	size_t len;
	int st;

	(void)state;
	op = signal(SIGPIPE, SIG_IGN);
	oi = signal(SIGINT, SIG_IGN);
	ot = signal(SIGTERM, SIG_IGN);
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR1);
	sigaddset(&blk, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blk, &old);
	assert_int_equal(kc_run_capture(argv, 4096, &out, &len, NULL, 0, &st),
	    0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, op);
	signal(SIGINT, oi);
	signal(SIGTERM, ot);
	assert_int_equal(kc_status_failed(st), 0);
	assert_non_null(p = strstr(out, "SigBlk:"));
	blkm = strtoull(p + 7, NULL, 16);
	assert_non_null(p = strstr(out, "SigIgn:"));
	ign = strtoull(p + 7, NULL, 16);
	free(out);
	assert_int_equal(ign & (1ULL << (SIGPIPE - 1)), 0);
	assert_int_equal(ign & (1ULL << (SIGINT - 1)), 0);
	assert_int_equal(ign & (1ULL << (SIGTERM - 1)), 0);
	assert_int_equal(blkm, 0);
}

static void
test_spawn_reader_and_kill(void **state)
{
	const char *cat[] = { "cat", NULL };
	const char *hold[] = { "sh", "-c",
	    "trap '' TERM; echo ready; exec sleep 30", NULL };
	char buf[64];
	int in[2], rd, st;
	pid_t pid;
	ssize_t n;
	size_t got = 0;
	double t0, dt;

	(void)state;
	/* stdin from a pipe, stdout to a pipe */
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(kc_spawn_reader(cat, in[0], &pid, &rd), 0);
	close(in[0]);
	assert_int_equal(write(in[1], "through cat", 11), 11);
	close(in[1]);
	while ((n = read(rd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(rd);
	assert_string_equal(buf, "through cat");
	assert_int_equal(kc_wait(pid, &st), 0);
	assert_int_equal(kc_status_failed(st), 0);

	/* a child that ignores SIGTERM is killed after the grace period
	 * and reaped */
	assert_int_equal(kc_spawn_reader(hold, -1, &pid, &rd), 0);
	n = read(rd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "ready\n");
	t0 = now_s();
	kc_kill_wait(pid, 300);
	dt = now_s() - t0;
	close(rd);
	assert_true(dt >= 0.25);
	assert_true(dt < 5);
	errno = 0;
	assert_int_equal(waitpid(pid, &st, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);

	/* a willing child goes at once */
	const char *sl[] = { "sleep", "30", NULL };
	assert_int_equal(kc_spawn(sl, -1, -1, -1, &pid), 0);
	t0 = now_s();
	kc_kill_wait(pid, 3000);
	assert_true(now_s() - t0 < 2.5);	/* not the 3 s grace */
	assert_int_equal(waitpid(pid, &st, WNOHANG), -1);
	kc_kill_wait(0, 10);	/* no pid: nothing happens */
}

static void
test_last_line(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "" },
		{ "\n\n  \n", "" },
		{ "one", "one" },
		{ "one\ntwo\n", "two" },
		{ "one\ntwo\n\n  \t\n", "two" },
		{ "a\r\nb\r\n", "b" },
		{ "first\n   spaced out  \n", "spaced out" },
		{ "[mov @ 0x1] moov atom not found\nx.mp4: Invalid data\n",
		    "x.mp4: Invalid data" },
		{ "\tonly\t", "only" },
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		assert_ptr_equal(kc_last_line(buf), buf);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("kc_last_line(\"%s\") = \"%s\", want \"%s\"",
			    cases[i].in, buf, cases[i].want);
	}
}

static void
test_tool(void **state)
{
	(void)state;
	unsetenv("KC_TEST_TOOL");
	assert_string_equal(kc_tool("KC_TEST_TOOL", "ffprobe"), "ffprobe");
	setenv("KC_TEST_TOOL", "", 1);
	assert_string_equal(kc_tool("KC_TEST_TOOL", "ffprobe"), "ffprobe");
	setenv("KC_TEST_TOOL", "/opt/ff/ffprobe", 1);
	assert_string_equal(kc_tool("KC_TEST_TOOL", "ffprobe"),
	    "/opt/ff/ffprobe");
	unsetenv("KC_TEST_TOOL");
}

/* ---- weights.c ------------------------------------------------------- */

/* data/weights.json of this checkout. */
static void
repo_weights(char *path, size_t n)
{
	const char *root = getenv("KC_ROOT");

	if (root && *root)
		snprintf(path, n, "%s/data/weights.json", root);
	else
		assert_int_equal(kc_datafile("weights.json", path, n), 0);
	assert_int_equal(access(path, R_OK), 0);
}

static void
cmp_set(json_t *obj, const struct kc_weightset *s)
{
	const char *name;
	json_t *v;
	double wsum = 0;
	size_t i = 0;

	assert_true(json_is_object(obj));
	assert_int_equal(s->n, json_object_size(obj));
	json_object_foreach(obj, name, v) {
		const struct kc_weight *f = NULL;

		for (size_t k = 0; k < s->n; k++)
			if (strcmp(s->f[k].name, name) == 0)
				f = &s->f[k];
		if (f == NULL)
			fail_msg("feature %s not loaded", name);
		assert_near(f->w, json_number_value(json_object_get(v, "w")),
		    0);
		assert_near(f->floor,
		    json_number_value(json_object_get(v, "floor")), 0);
		wsum += fabs(f->w);
		i++;
	}
	assert_int_equal(i, s->n);
	assert_near(s->wsum, wsum, 1e-12);
}

static void
cmp_kind(json_t *kind, const struct kc_weightset *s)
{
	json_t *z = json_object_get(kind, "z");

	assert_true(json_is_object(kind));
	cmp_set(json_object_get(kind, "features"), s);
	if (z) {
		assert_near(s->zlo, json_number_value(json_array_get(z, 0)), 0);
		assert_near(s->zhi, json_number_value(json_array_get(z, 1)), 0);
	}
	assert_true(s->zlo < 0 && s->zhi > 0);
	assert_near(s->live_floor, json_object_get(kind, "live_floor") ?
	    json_number_value(json_object_get(kind, "live_floor")) : 0.05, 0);
	assert_int_equal(s->norm, strcmp(json_string_value(json_object_get(
	    kind, "norm")) ? json_string_value(json_object_get(kind,
	    "norm")) : "robust", "rank") == 0 ? KC_NORM_RANK : KC_NORM_ROBUST);
}

static void
test_weights_repo(void **state)
{
	char path[PATH_MAX], err[512] = "";
	json_error_t jerr;
	json_t *root;
	kc_weights w;

	(void)state;
	repo_weights(path, sizeof(path));
	if (kc_weights_load(path, &w, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	/* compare with the file read independently */
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	cmp_kind(json_object_get(root, "audio"), &w.audio);
	cmp_kind(json_object_get(root, "video"), &w.video);
	assert_true(w.audio.n > 0 && w.video.n > 0);
	json_decref(root);
}

static void
test_weights_bad(void **state)
{
#define F1 "\"features\":{\"a\":{\"w\":1}}"
	static const struct { const char *text, *errpart; } bad[] = {
		{ "", NULL },
		{ "   \n", NULL },
		{ "{", NULL },
		{ "[]", "version" },
		{ "{}", "version" },
		{ "{\"version\":2,\"audio\":{" F1 "}}", "version" },
		{ "{\"version\":\"1\",\"audio\":{" F1 "}}", "version" },
		{ "{\"version\":0,\"audio\":{" F1 "}}", "version" },
		{ "{\"audio\":{" F1 "}}", "version" },
		{ "{\"version\":1}", "weights" },
		{ "{\"version\":1,\"audio\":{\"features\":{}},\"video\":"
		    "{\"features\":{}}}", "weights" },
		{ "{\"version\":1,\"audio\":{\"features\":{\"a\":{\"w\":0}}}}",
		    "weights" },
		{ "{\"version\":1,\"audio\":{}}", "features" },
		{ "{\"version\":1,\"audio\":{\"a\":{\"w\":1}}}", "features" },
		{ "{\"version\":1,\"audio\":{\"features\":{\"a\":{\"w\":\"1\"}}}}",
		    "\"a\"" },
		{ "{\"version\":1,\"audio\":{\"features\":{\"a\":{\"w\":null}}}}",
		    "\"a\"" },
		{ "{\"version\":1,\"audio\":{\"features\":{\"a\":{\"floor\":1}}}}",
		    "\"a\"" },
		{ "{\"version\":1,\"audio\":{\"features\":{\"a\":1}}}", "\"a\"" },
		{ "{\"version\":1,\"video\":{\"features\":{\"m\":{\"w\":1,"
		    "\"floor\":-0.5}}}}", "\"m\"" },
		{ "{\"version\":1,\"video\":{\"features\":{\"m\":{\"w\":1,"
		    "\"floor\":0}}}}", "\"m\"" },
		{ "{\"version\":1,\"video\":{\"features\":{\"m\":{\"w\":1,"
		    "\"floor\":\"1\"}}}}", "\"m\"" },
		{ "{\"version\":1,\"audio\":[1]}", "audio" },
		{ "{\"version\":1,\"audio\":{\"z\":[3,6]," F1 "}}", "\"z\"" },
		{ "{\"version\":1,\"audio\":{\"z\":[-3,0]," F1 "}}", "\"z\"" },
		{ "{\"version\":1,\"audio\":{\"z\":[-3]," F1 "}}", "\"z\"" },
		{ "{\"version\":1,\"audio\":{\"z\":[-3,6,9]," F1 "}}", "\"z\"" },
		{ "{\"version\":1,\"audio\":{\"z\":[-3,\"6\"]," F1 "}}", "\"z\"" },
		{ "{\"version\":1,\"audio\":{\"z\":\"wide\"," F1 "}}", "\"z\"" },
		{ "{\"version\":1,\"audio\":{\"norm\":\"zscore\"," F1 "}}",
		    "norm" },
		{ "{\"version\":1,\"audio\":{\"norm\":1," F1 "}}", "norm" },
		{ "{\"version\":1,\"audio\":{\"live_floor\":0," F1 "}}",
		    "live_floor" },
		{ "{\"version\":1,\"video\":{\"live_floor\":-0.1," F1 "}}",
		    "live_floor" },
		{ "{\"version\":1,\"audio\":{\"live_floor\":\"0.1\"," F1
		    "}}", "live_floor" },
		{ "{\"version\":1,\"audio\":{\"gate\":{\"feature\":\"a\"}," F1
		    "}}", "gate" },
		{ "{\"version\":1,\"audio\":{\"gate\":{\"abs\":-60,\"rel\":-20},"
		    F1 "}}", "gate" },
		{ "{\"version\":1,\"audio\":{\"gate\":{\"feature\":\"\",\"abs\":"
		    "-60,\"rel\":-20}," F1 "}}", "gate" },
		{ "{\"version\":1,\"version\":1,\"audio\":{" F1 "}}",
		    "duplicate" },
		{ "{\"version\":1,\"audio\":{\"features\":{\"a\":{\"w\":1},"
		    "\"a\":{\"w\":2}}}}", "duplicate" },
		{ "{\"version\":1,\"audio\":{\"features\":{\"a\":{\"w\":1,"
		    "\"w\":2}}}}", "duplicate" },
	};
#undef F1
	char dir[600], path[700], err[512], longname[64], text[8192];
	kc_weights w;
	size_t i, n;

	(void)state;
	scratch_dir(dir, sizeof(dir), "weights");
	snprintf(path, sizeof(path), "%s/w.json", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i].text);
		err[0] = '\0';
		if (kc_weights_load(path, &w, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", bad[i].text);
		if (err[0] == '\0')
			fail_msg("no reason for: %s", bad[i].text);
		if (bad[i].errpart && strstr(err, bad[i].errpart) == NULL)
			fail_msg("reason '%s' for %s does not mention %s", err,
			    bad[i].text, bad[i].errpart);
	}

	/* a name that does not fit, too many features */
	memset(longname, 'n', 48);
	longname[48] = '\0';
	snprintf(text, sizeof(text), "{\"version\":1,\"audio\":{\"features\":"
	    "{\"%s\":{\"w\":1}}}}", longname);
	write_file(path, text);
	assert_int_equal(kc_weights_load(path, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "long"));
	longname[47] = '\0';	/* 47 chars fit */
	snprintf(text, sizeof(text), "{\"version\":1,\"audio\":{\"features\":"
	    "{\"%s\":{\"w\":1}}}}", longname);
	write_file(path, text);
	assert_int_equal(kc_weights_load(path, &w, err, sizeof(err)), 0);
	assert_string_equal(w.audio.f[0].name, longname);

	n = (size_t)snprintf(text, sizeof(text),
	    "{\"version\":1,\"video\":{\"features\":{");
	for (i = 0; i <= KC_WEIGHTS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%s\"f%zu\":{\"w\":1}", i ? "," : "", i);
	snprintf(text + n, sizeof(text) - n, "}}}");
	write_file(path, text);
	assert_int_equal(kc_weights_load(path, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than"));

	/* a missing file names the path */
	snprintf(path, sizeof(path), "%s/none.json", dir);
	assert_int_equal(kc_weights_load(path, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "none.json"));
	snprintf(path, sizeof(path), "%s/w.json", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_weights_good(void **state)
{
	char dir[600], path[700], err[512] = "";
	kc_weights w;

	(void)state;
	scratch_dir(dir, sizeof(dir), "wgood");
	snprintf(path, sizeof(path), "%s/w.json", dir);
	/* negative weights are allowed (lower is more exciting); z, norm,
	 * gate, floor and the video part optional */
	write_file(path, "{\"version\":1,\"audio\":{\"features\":{\"a\":"
	    "{\"w\":-0.5,\"floor\":2},\"b\":{\"w\":1.5}}},\"extra\":true}");
	if (kc_weights_load(path, &w, err, sizeof(err)) != 0)
		fail_msg("rejected: %s", err);
	assert_int_equal(w.audio.n, 2);
	assert_int_equal(w.video.n, 0);
	assert_string_equal(w.audio.f[0].name, "a");
	assert_near(w.audio.f[0].w, -0.5, 0);
	assert_near(w.audio.f[0].floor, 2, 0);
	assert_string_equal(w.audio.f[1].name, "b");
	assert_true(w.audio.f[1].floor > 0);
	assert_near(w.audio.wsum, 2.0, 1e-12);
	assert_near(w.video.wsum, 0, 0);
	assert_true(w.audio.zlo < 0 && w.audio.zhi > 0);
	assert_int_equal(w.audio.norm, KC_NORM_ROBUST);
	assert_string_equal(w.audio.gate, "");
	assert_near(w.audio.live_floor, 0.05, 0);

	write_file(path, "{\"version\":1,\"video\":{\"z\":[-2.5,4],\"norm\":"
	    "\"rank\",\"gate\":{\"feature\":\"m\",\"abs\":-60,\"rel\":-25},"
	    "\"live_floor\":0.25,\"features\":{\"m\":{\"w\":1,\"floor\":"
	    "0.01}}}}");
	assert_int_equal(kc_weights_load(path, &w, err, sizeof(err)), 0);
	assert_near(w.video.zlo, -2.5, 0);
	assert_near(w.video.zhi, 4, 0);
	assert_int_equal(w.video.norm, KC_NORM_RANK);
	assert_string_equal(w.video.gate, "m");
	assert_near(w.video.gate_abs, -60, 0);
	assert_near(w.video.gate_rel, -25, 0);
	assert_near(w.video.live_floor, 0.25, 0);
	assert_int_equal(w.audio.n, 0);
	assert_int_equal(w.video.n, 1);
	unlink(path);
	rmdir(dir);
}

/* ---- paths.c --------------------------------------------------------- */

/* ---- config.c, kc_default_db ---------------------------------------- */

static void
test_config(void **state)
{
	char dir[600], path[700], want[800];
	const char *why, *home = getenv("HOME");
	char *saved = home ? strdup(home) : NULL;
	kc_config *cfg;
	long line;

	(void)state;
	scratch_dir(dir, sizeof(dir), "config");
	setenv("HOME", dir, 1);
	snprintf(path, sizeof(path), "%s/config", dir);
	write_file(path, "# a comment\n\n  max-audio-clips=3\n"
	    "\tclip-duration  =  20 \nmax-audio-clips = 4\nout = ~/clips\n"
	    "  # indented comment\ndb = a # b\n");
	assert_int_equal(kc_config_read(&cfg, path, &line, &why), 0);
	assert_string_equal(kc_config_file(cfg), path);
	/* the last line of a key wins, and says where it is */
	assert_string_equal(kc_config_get(cfg, "max-audio-clips", &line), "4");
	assert_int_equal(line, 5);
	assert_string_equal(kc_config_get(cfg, "clip-duration", NULL), "20");
	snprintf(want, sizeof(want), "%s/clips", dir);
	assert_string_equal(kc_config_get(cfg, "out", NULL), want);
	/* '#' after a value is part of it */
	assert_string_equal(kc_config_get(cfg, "db", NULL), "a # b");
	assert_null(kc_config_get(cfg, "min-gap", NULL));
	assert_null(kc_config_get(NULL, "min-gap", NULL));
	kc_config_free(cfg);

	/* bad lines: the number and what is wrong */
	write_file(path, "max-audio-clips = 1\n\nmax-audio-clip = 2\n");
	assert_int_equal(kc_config_read(&cfg, path, &line, &why), -2);
	assert_null(cfg);
	assert_int_equal(line, 3);
	assert_string_equal(why, "unknown key 'max-audio-clip'");
	write_file(path, "min-gap 2\n");
	assert_int_equal(kc_config_read(&cfg, path, &line, &why), -2);
	assert_int_equal(line, 1);
	write_file(path, "# x\nmin-gap =   \n");
	assert_int_equal(kc_config_read(&cfg, path, &line, &why), -2);
	assert_int_equal(line, 2);
	assert_string_equal(why, "min-gap: no value");
	write_file(path, " = 2\n");
	assert_int_equal(kc_config_read(&cfg, path, &line, &why), -2);
	unlink(path);
	assert_int_equal(kc_config_read(&cfg, path, &line, &why), -1);
	assert_int_equal(errno, ENOENT);

	/* where the file is: KC_CONFIG, XDG_CONFIG_HOME (absolute), HOME */
	setenv("KC_CONFIG", "/x/y", 1);
	assert_int_equal(kc_config_path(want, sizeof(want)), 1);
	assert_string_equal(want, "/x/y");
	unsetenv("KC_CONFIG");
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	assert_int_equal(kc_config_path(want, sizeof(want)), 0);
	assert_string_equal(want, "/xdg/kc/config");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	assert_int_equal(kc_config_path(want, sizeof(want)), 0);
	snprintf(path, sizeof(path), "%s/.config/kc/config", dir);
	assert_string_equal(want, path);
	assert_int_equal(kc_config_path(want, 4), -1);
	unsetenv("XDG_CONFIG_HOME");
	rmdir(dir);
	if (saved)
		setenv("HOME", saved, 1);
	free(saved);
}

static void
test_default_db(void **state)
{
	char dir[600], data[700], out[PATH_MAX], want[800], cwd[PATH_MAX];
	struct stat st;
	int note;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	scratch_dir(dir, sizeof(dir), "defdb");
	assert_int_equal(chdir(dir), 0);
	snprintf(data, sizeof(data), "%s/data/home", dir);
	setenv("XDG_DATA_HOME", data, 1);
	/* without create: the path, no folder */
	assert_int_equal(kc_default_db(out, sizeof(out), 0, &note), 0);
	snprintf(want, sizeof(want), "%s/kc/kc.db", data);
	assert_string_equal(out, want);
	assert_int_equal(note, 0);
	assert_int_not_equal(stat(data, &st), 0);
	/* with create: the folder, 0700, and no note without ./kc.db */
	assert_int_equal(kc_default_db(out, sizeof(out), 1, &note), 0);
	snprintf(want, sizeof(want), "%s/kc", data);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(note, 0);
	/* a ./kc.db: the note once */
	write_file("kc.db", "");
	assert_int_equal(kc_default_db(out, sizeof(out), 1, &note), 0);
	assert_int_equal(note, 1);
	assert_int_equal(kc_default_db(out, sizeof(out), 1, &note), 0);
	assert_int_equal(note, 0);
	/* a relative XDG_DATA_HOME is ignored: HOME's */
	setenv("XDG_DATA_HOME", "rel", 1);
	setenv("HOME", dir, 1);
	assert_int_equal(kc_default_db(out, sizeof(out), 0, &note), 0);
	snprintf(want, sizeof(want), "%s/.local/share/kc/kc.db", dir);
	assert_string_equal(out, want);
	assert_int_equal(kc_default_db(out, 8, 0, &note), -1);
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(chdir(cwd), 0);
}

static void
test_paths(void **state)
{
	char dir[600], path[700], out[PATH_MAX], exe[PATH_MAX], self[PATH_MAX];
	char *saved = getenv("KC_DATADIR") ? strdup(getenv("KC_DATADIR")) :
	    NULL;
	char *slash;
	struct stat a, b;

	(void)state;
	/* the program's directory, as /proc and argv[0] agree */
	assert_int_equal(kc_exedir(exe, sizeof(exe)), 0);
	assert_non_null(realpath(argv0, self));
	slash = strrchr(self, '/');
	assert_non_null(slash);
	*slash = '\0';
	assert_string_equal(exe, self);
	assert_int_equal(kc_exedir(exe, 4), -1);	/* does not fit */

	/* KC_DATADIR finds files only it has */
	scratch_dir(dir, sizeof(dir), "datadir");
	snprintf(path, sizeof(path), "%s/kc-test-only.json", dir);
	write_file(path, "{}");
	setenv("KC_DATADIR", dir, 1);
	assert_int_equal(kc_datafile("kc-test-only.json", out, sizeof(out)),
	    0);
	assert_string_equal(out, path);
	/* a short buffer fails rather than returning a cut path */
	assert_int_equal(kc_datafile("kc-test-only.json", out, strlen(path)),
	    -1);
	unlink(path);

	/* and wins over the copy next to the program */
	snprintf(path, sizeof(path), "%s/weights.json", dir);
	write_file(path, "{}");
	assert_int_equal(kc_datafile("weights.json", out, sizeof(out)), 0);
	assert_string_equal(out, path);

	/* without the file there, the search goes on; a file that exists
	 * nowhere is an error */
	unlink(path);
	assert_int_equal(kc_datafile("kc-no-such-data-file.json", out,
	    sizeof(out)), -1);
	if (kc_datafile("weights.json", out, sizeof(out)) == 0) {
		/* found next to the build: must be this checkout's file */
		char repo[PATH_MAX];

		repo_weights(repo, sizeof(repo));
		assert_int_equal(stat(out, &a), 0);
		assert_int_equal(stat(repo, &b), 0);
		assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
		assert_null(strstr(out, dir));
	}

	/* empty KC_DATADIR is ignored */
	setenv("KC_DATADIR", "", 1);
	assert_int_equal(kc_datafile("kc-no-such-data-file.json", out,
	    sizeof(out)), -1);

	if (saved) {
		setenv("KC_DATADIR", saved, 1);
		free(saved);
	} else
		unsetenv("KC_DATADIR");
	rmdir(dir);
}

static void
test_pct_decode(void **state)
{
	char s[64];

	(void)state;
	snprintf(s, sizeof(s), "/a%%20b/%%2e%%2E/%%e2%%82%%ac");
	assert_int_equal(kc_pct_decode(s, 1), 11);
	assert_string_equal(s, "/a b/../\xe2\x82\xac");
	/* strict: a malformed escape or %00 is an error */
	snprintf(s, sizeof(s), "a%%zz");
	assert_int_equal(kc_pct_decode(s, 1), -1);
	snprintf(s, sizeof(s), "a%%0");
	assert_int_equal(kc_pct_decode(s, 1), -1);
	snprintf(s, sizeof(s), "a%%00b");
	assert_int_equal(kc_pct_decode(s, 1), -1);
	/* lenient: they stay as written, never a NUL */
	snprintf(s, sizeof(s), "a%%00b%%zz%%4");
	assert_int_equal(kc_pct_decode(s, 0), 10);
	assert_string_equal(s, "a%00b%zz%4");
	snprintf(s, sizeof(s), "%%41%%");
	assert_int_equal(kc_pct_decode(s, 0), 2);
	assert_string_equal(s, "A%");
}

static void
test_mkdirs(void **state)
{
	char dir[600], path[800], file[820];
	struct stat st;

	(void)state;
	scratch_dir(dir, sizeof(dir), "mkdirs");
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(kc_mkdirs(path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(kc_mkdirs(path), 0);	/* already there: fine */
	/* a file in the way is an error */
	snprintf(file, sizeof(file), "%s/a/f", dir);
	write_file(file, "x");
	snprintf(path, sizeof(path), "%s/a/f/g", dir);
	errno = 0;
	assert_int_equal(kc_mkdirs(path), -1);
	assert_int_equal(errno, ENOTDIR);
	unlink(file);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}

/*
 * The one FNV-1a: its values are stored (stream ids, journal names, model
 * checksums), so they are pinned here, each computed independently (the
 * published FNV-1a 64 vectors, and the formulas the four copies it
 * replaced used).
 */
static void
test_fnv1a(void **state)
{
	const char *k = "kick:video:0c0ffee0-1234-4abc-8def-0000000000f0";
	const char *u = "http://127.0.0.1:8080/live/x/160p30/12.ts?t=1#f";
	uint64_t h;

	(void)state;
	assert_true(kc_fnv1a(KC_FNV_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(kc_fnv1a(KC_FNV_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(kc_fnv1a(KC_FNV_INIT, "foobar", 6) ==
	    0x85944171f73967e8ULL);
	/* a stream id (kc-fetch) */
	assert_true(kc_fnv1a(KC_FNV_INIT, k, strlen(k)) ==
	    0x4d602ecd6ec72850ULL);
	/* a live segment id: the URI up to its query (hlslive.c) */
	assert_true(kc_fnv1a(KC_FNV_INIT, u, strcspn(u, "?#")) ==
	    0x46c9bc52ce5fe1ceULL);
	/* a journal name: fields with 0xff xored in after each (kc-clip) */
	h = kc_fnv1a(KC_FNV_INIT, "/media/a.mp4", 12) ^ 0xff;
	h = kc_fnv1a(h, "0.000/60.000", 12) ^ 0xff;
	assert_true(h == 0xafa1805eaa811788ULL);
	/* continuing is hashing the concatenation */
	assert_true(kc_fnv1a(kc_fnv1a(KC_FNV_INIT, "foo", 3), "bar", 3) ==
	    0x85944171f73967e8ULL);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pct_decode),
		cmocka_unit_test(test_fnv1a),
		cmocka_unit_test(test_mkdirs),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_time_grammar),
		cmocka_unit_test(test_fmt_hms),
		cmocka_unit_test(test_reader_lines),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_raw_exact),
		cmocka_unit_test(test_reader_crlf_nul),
		cmocka_unit_test(test_reader_read_error),
		cmocka_unit_test(test_reader_long_line),
		cmocka_unit_test(test_reader_watch_output),
		cmocka_unit_test(test_rec_accessors),
		cmocka_unit_test(test_rec_write),
		cmocka_unit_test(test_json_num),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_robust),
		cmocka_unit_test(test_softclip),
		cmocka_unit_test(test_squash),
		cmocka_unit_test(test_window_means),
		cmocka_unit_test(test_onset),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_capture_stdout),
		cmocka_unit_test(test_capture_limit),
		cmocka_unit_test(test_capture_stderr_tail),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_spawn_missing),
		cmocka_unit_test(test_spawn_args_intact),
		cmocka_unit_test(test_spawn_signals_default),
		cmocka_unit_test(test_spawn_reader_and_kill),
		cmocka_unit_test(test_last_line),
		cmocka_unit_test(test_tool),
		cmocka_unit_test(test_weights_repo),
		cmocka_unit_test(test_weights_bad),
		cmocka_unit_test(test_weights_good),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_default_db),
	};

	(void)argc;
	argv0 = argv[0];
	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
