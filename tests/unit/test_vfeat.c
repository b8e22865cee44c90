/*
 * test_vfeat.c - unit tests of the video feature library (src/lib/vfeat)
 * on synthetic frames whose features can be worked out by hand: grey
 * levels, inverses, steps, checkerboards, flashes and cuts, and the hop
 * bookkeeping (which frame and which frame pair lands in which hop).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vfeat.h"

#define W 64
#define H 36
#define TOL 1e-12

static uint8_t fa[W * H * 3], fb[W * H * 3];

static void
gray(uint8_t *f, int v)
{
	memset(f, v, W * H * 3);
}

static void
put(uint8_t *f, int x, int y, int r, int g, int b)
{
	uint8_t *p = f + ((size_t)y * W + x) * 3;

	p[0] = (uint8_t)r;
	p[1] = (uint8_t)g;
	p[2] = (uint8_t)b;
}

/* A fixed pseudo-random grey texture, levels lo..hi, shifted dx pixels
 * right (the first columns repeat column 0). */
static void
texture(uint8_t *f, int lo, int hi, int dx, unsigned seed)
{
	unsigned s;
	int x, y, sx, v;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			sx = x - dx < 0 ? 0 : x - dx;
			s = seed ^ (unsigned)(y * 7919 + sx * 104729);
			s = s * 1103515245u + 12345u;
			s ^= s >> 13;
			s *= 2654435761u;
			v = lo + (int)((s >> 8) % (unsigned)(hi - lo + 1));
			put(f, x, y, v, v, v);
		}
}

/* Pushes the frames, finishes at t_end and takes the single hop. */
static void
one_hop(uint8_t *const frames[], int n, double t_end,
    double vals[KC_VFEAT_N])
{
	kc_vfeat *v = kc_vfeat_new(W, H, 5, 1, 0);
	double t, dur;
	int i;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		assert_int_equal(kc_vfeat_push(v, frames[i]), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
	assert_int_equal(kc_vfeat_finish(v, t_end), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_true(fabs(t) < TOL);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
	kc_vfeat_free(v);
}

static void
test_names(void **state)
{
	const char *const *n = kc_vfeat_names();

	(void)state;
	assert_string_equal(n[KC_VFEAT_MOTION_MEAN], "motion_mean");
	assert_string_equal(n[KC_VFEAT_BRIGHT_STD], "brightness_std");
	assert_string_equal(n[KC_VFEAT_SCENE_CUTS], "scene_cuts");
	assert_string_equal(n[KC_VFEAT_FLASH], "flash");
}

static void
test_identical_frames_no_motion(void **state)
{
	uint8_t *fr[4] = { fa, fa, fa, fa };
	double vals[KC_VFEAT_N];

	(void)state;
	texture(fa, 0, 255, 0, 1);
	one_hop(fr, 4, 1, vals);
	assert_true(vals[KC_VFEAT_MOTION_MEAN] == 0);
	assert_true(vals[KC_VFEAT_MOTION_STD] == 0);
	assert_true(vals[KC_VFEAT_MOTION_MAX] == 0);
	assert_true(vals[KC_VFEAT_SCENE_CUTS] == 0);
	assert_true(vals[KC_VFEAT_FLASH] == 0);
	assert_true(vals[KC_VFEAT_EDGE_STD] < TOL);
}

/* Grey pixels have luma equal to their level, so a frame of levels g and
 * its inverse 255 - g differ by |255 - 2g| at each pixel. */
static void
test_inverse_motion(void **state)
{
	uint8_t *fr[2] = { fa, fb };
	double vals[KC_VFEAT_N], want = 0;
	int x, y, g;

	(void)state;
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			g = (x * 4 + y * 3) % 256;
			put(fa, x, y, g, g, g);
			put(fb, x, y, 255 - g, 255 - g, 255 - g);
			want += abs(255 - 2 * g);
		}
	want /= (double)W * H * 255;
	one_hop(fr, 2, 1, vals);
	assert_true(fabs(vals[KC_VFEAT_MOTION_MEAN] - want) < TOL);
	assert_true(fabs(vals[KC_VFEAT_MOTION_MAX] - want) < TOL);
	assert_true(vals[KC_VFEAT_MOTION_STD] < 1e-9);	/* one pair */
}

static void
test_gray_128(void **state)
{
	uint8_t *fr[3] = { fa, fa, fa };
	double vals[KC_VFEAT_N];

	(void)state;
	gray(fa, 128);
	one_hop(fr, 3, 1, vals);
	assert_true(fabs(vals[KC_VFEAT_BRIGHT_MEAN] - 128.0 / 255) < TOL);
	assert_true(vals[KC_VFEAT_BRIGHT_STD] < 1e-9);
	assert_true(vals[KC_VFEAT_EDGE_MEAN] == 0);
	assert_true(vals[KC_VFEAT_COLOR_VAR] == 0);
}

/* (1, 0, 0) has mean 1/3 and variance ((2/3)^2 + 2 (1/3)^2) / 3 = 2/9. */
static void
test_color_var_pure_red(void **state)
{
	uint8_t *fr[1] = { fa };
	double vals[KC_VFEAT_N];
	int x, y;

	(void)state;
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			put(fa, x, y, 255, 0, 0);
	one_hop(fr, 1, 1, vals);
	assert_true(fabs(vals[KC_VFEAT_COLOR_VAR] - 2.0 / 9) < TOL);
	/* a single frame: no pair, so no motion value */
	assert_true(isnan(vals[KC_VFEAT_MOTION_MEAN]));
	assert_true(vals[KC_VFEAT_FLASH] == 0);
}

static void
test_checkerboard_edges(void **state)
{
	uint8_t *fr[1] = { fa };
	double vals[KC_VFEAT_N];
	int x, y, v;

	(void)state;
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			v = ((x / 4 + y / 4) % 2) ? 255 : 0;
			put(fa, x, y, v, v, v);
		}
	one_hop(fr, 1, 1, vals);
	/* every pixel within one of a square's border is on an edge */
	assert_true(vals[KC_VFEAT_EDGE_MEAN] > 0.6);
	assert_true(vals[KC_VFEAT_EDGE_MEAN] <= 1);
}

/* A vertical step of d levels: Sobel gives 4d on the two columns beside
 * it and 0 elsewhere, over the (W-2) x (H-2) inner pixels. */
static double
step_edges(int d)
{
	uint8_t *fr[1] = { fa };
	double vals[KC_VFEAT_N];
	int x, y, v;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			v = x < W / 2 ? 100 : 100 + d;
			put(fa, x, y, v, v, v);
		}
	one_hop(fr, 1, 1, vals);
	return vals[KC_VFEAT_EDGE_MEAN];
}

static void
test_step_edge_share(void **state)
{
	(void)state;
	assert_true(fabs(step_edges(155) - 2.0 / (W - 2)) < TOL);
	/* just above and at the threshold (4d > KC_VFEAT_EDGE_THRESH) */
	assert_true(fabs(step_edges(KC_VFEAT_EDGE_THRESH / 4 + 1) -
	    2.0 / (W - 2)) < TOL);
	assert_true(step_edges(KC_VFEAT_EDGE_THRESH / 4) == 0);
}

static void
test_cut_between_unrelated_images(void **state)
{
	uint8_t *fr[2] = { fa, fb };
	double vals[KC_VFEAT_N];

	(void)state;
	/* overlapping level ranges: histogram distance about 0.65 */
	texture(fa, 0, 150, 0, 1);
	texture(fb, 100, 255, 0, 2);
	one_hop(fr, 2, 1, vals);
	assert_true(vals[KC_VFEAT_SCENE_CUTS] == 1);
}

static void
test_shift_is_not_a_cut(void **state)
{
	uint8_t *fr[2] = { fa, fb };
	double vals[KC_VFEAT_N];

	(void)state;
	texture(fa, 0, 255, 0, 3);
	texture(fb, 0, 255, 3, 3);
	one_hop(fr, 2, 1, vals);
	assert_true(vals[KC_VFEAT_MOTION_MEAN] > 0.1);	/* it did move */
	assert_true(vals[KC_VFEAT_SCENE_CUTS] == 0);
}

/*
 * Global motion: a steady pan of a textured picture is all global motion
 * (no residual, no shake, the pan's speed in frame widths), a camera
 * jumping back and forth is shake, and something moving in a still
 * picture is residual motion.
 */
static uint8_t fc[W * H * 3], fd[W * H * 3];

static void
test_pan_is_global_motion(void **state)
{
	uint8_t *fr[4] = { fa, fb, fc, fd };
	double vals[KC_VFEAT_N];

	(void)state;
	texture(fa, 0, 255, 0, 5);
	texture(fb, 0, 255, 3, 5);
	texture(fc, 0, 255, 6, 5);
	texture(fd, 0, 255, 9, 5);
	one_hop(fr, 4, 1, vals);
	assert_true(vals[KC_VFEAT_MOTION_MEAN] > 0.1);	/* it moved ... */
	assert_true(vals[KC_VFEAT_SCENE_CUTS] == 0);
	assert_true(vals[KC_VFEAT_MOTION_RESID] < TOL);	/* ... all of it */
	assert_true(fabs(vals[KC_VFEAT_PAN] - 3.0 / W) < TOL);
	assert_true(vals[KC_VFEAT_SHAKE] < TOL);	/* steadily */
}

static void
test_shake(void **state)
{
	uint8_t *fr[4] = { fa, fb, fa, fb };
	double vals[KC_VFEAT_N];

	(void)state;
	texture(fa, 0, 255, 0, 6);
	texture(fb, 0, 255, 4, 6);
	one_hop(fr, 4, 1, vals);
	assert_true(vals[KC_VFEAT_MOTION_RESID] < TOL);
	assert_true(fabs(vals[KC_VFEAT_PAN] - 4.0 / W) < TOL);
	/* the vector flips by 8 px each step: 8/64 over 4/64 + 0.02 */
	assert_true(fabs(vals[KC_VFEAT_SHAKE] - (8.0 / W) / (4.0 / W +
	    KC_VFEAT_SHAKE_PAN0)) < 1e-9);
}

static void
test_local_motion_is_residual(void **state)
{
	uint8_t *fr[2] = { fa, fb };
	double vals[KC_VFEAT_N];
	int x, y;

	(void)state;
	texture(fa, 0, 255, 0, 7);
	memcpy(fb, fa, sizeof(fb));
	for (y = 10; y < 20; y++)	/* a 10 x 10 patch turns white */
		for (x = 20; x < 30; x++)
			put(fb, x, y, 255, 255, 255);
	one_hop(fr, 2, 1, vals);
	assert_true(vals[KC_VFEAT_PAN] == 0);
	assert_true(vals[KC_VFEAT_MOTION_RESID] > 0);
	assert_true(fabs(vals[KC_VFEAT_MOTION_RESID] -
	    vals[KC_VFEAT_MOTION_MEAN]) < TOL);	/* nothing to undo */
}

static void
test_flash(void **state)
{
	uint8_t *up[2] = { fa, fb }, *down[2] = { fb, fa };
	double vals[KC_VFEAT_N];

	(void)state;
	gray(fa, 0);
	gray(fb, 255);
	one_hop(up, 2, 1, vals);
	assert_true(fabs(vals[KC_VFEAT_FLASH] - 1) < TOL);
	assert_true(fabs(vals[KC_VFEAT_MOTION_MEAN] - 1) < TOL);
	one_hop(down, 2, 1, vals);
	assert_true(vals[KC_VFEAT_FLASH] == 0);
}

/*
 * 5 fps, hop 1 s: frames 0-4 in hop 0, 5-9 in hop 1.  Levels are 0 in
 * hop 0 and 100 in hop 1, so only the pair (4, 5) moves: it must count
 * in hop 1, whose frames' mean brightness also shows exactly 5 frames.
 */
static void
test_hop_bookkeeping(void **state)
{
	kc_vfeat *v = kc_vfeat_new(W, H, 5, 1, 0);
	double t, dur, vals[KC_VFEAT_N];
	int i, got = 0;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < 12; i++) {
		gray(fa, i < 5 ? 0 : i < 10 ? 100 : 200);
		assert_int_equal(kc_vfeat_push(v, fa), 0);
		if (kc_vfeat_next(v, &t, &dur, vals)) {
			got++;
			assert_true(i == 5 || i == 10);	/* hop done */
			assert_true(fabs(dur - 1) < TOL);
			if (i == 5) {
				assert_true(fabs(t) < TOL);
				assert_true(vals[KC_VFEAT_MOTION_MAX] == 0);
				assert_true(vals[KC_VFEAT_FLASH] == 0);
				assert_true(vals[KC_VFEAT_BRIGHT_MEAN] == 0);
			} else {
				assert_true(fabs(t - 1) < TOL);
				assert_true(fabs(vals[KC_VFEAT_MOTION_MEAN] -
				    100.0 / 255 / 5) < TOL);
				assert_true(fabs(vals[KC_VFEAT_MOTION_MAX] -
				    100.0 / 255) < TOL);
				assert_true(fabs(vals[KC_VFEAT_FLASH] -
				    100.0 / 255) < TOL);
				assert_true(fabs(vals[KC_VFEAT_BRIGHT_MEAN] -
				    100.0 / 255) < TOL);
			}
			assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
		}
	}
	assert_int_equal(got, 2);
	/* frames 10 and 11 (t 2.0, 2.2) in a last hop cut short at 2.4 */
	assert_int_equal(kc_vfeat_finish(v, 2.4), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_true(fabs(t - 2) < TOL);
	assert_true(fabs(dur - 0.4) < 1e-9);
	assert_true(fabs(vals[KC_VFEAT_MOTION_MEAN] - 50.0 / 255) < TOL);
	assert_true(fabs(vals[KC_VFEAT_BRIGHT_MEAN] - 200.0 / 255) < TOL);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
	kc_vfeat_free(v);
}

/* Hops start at t0, and kc_vfeat_until closes a hop without waiting. */
static void
test_t0_and_until(void **state)
{
	kc_vfeat *v = kc_vfeat_new(W, H, 5, 2, 7);
	double t, dur, vals[KC_VFEAT_N];
	int i;

	(void)state;
	assert_non_null(v);
	gray(fa, 50);
	for (i = 0; i < 10; i++)
		assert_int_equal(kc_vfeat_push(v, fa), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
	assert_int_equal(kc_vfeat_until(v, 9), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_true(fabs(t - 7) < TOL && fabs(dur - 2) < TOL);
	assert_true(vals[KC_VFEAT_MOTION_MEAN] == 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
	/* the next frame continues the run: hop 9-11 */
	assert_int_equal(kc_vfeat_push_at(v, fa, 9), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
	assert_true(fabs(kc_vfeat_covered(v) - 11) < TOL);
	assert_int_equal(kc_vfeat_finish(v, 11), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_true(fabs(t - 9) < TOL && fabs(dur - 2) < TOL);
	assert_true(vals[KC_VFEAT_MOTION_MEAN] == 0);	/* pair across */
	kc_vfeat_free(v);
}

/* 1 fps with 0.4 s hops leaves hops without frames: all NaN. */
static void
test_empty_hop(void **state)
{
	kc_vfeat *v = kc_vfeat_new(W, H, 1, 0.4, 0);
	double t, dur, vals[KC_VFEAT_N];
	int i;

	(void)state;
	assert_non_null(v);
	gray(fa, 10);
	assert_int_equal(kc_vfeat_push(v, fa), 0);
	assert_int_equal(kc_vfeat_push(v, fa), 0);	/* t 1.0: hop 2 */
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_true(fabs(t) < TOL);
	assert_true(vals[KC_VFEAT_BRIGHT_MEAN] == 10.0 / 255);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_true(fabs(t - 0.4) < TOL);
	for (i = 0; i < KC_VFEAT_N; i++)
		assert_true(isnan(vals[i]));
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 0);
	kc_vfeat_free(v);
}

static void
test_errors(void **state)
{
	kc_vfeat *v;
	double t, dur, vals[KC_VFEAT_N];

	(void)state;
	errno = 0;
	assert_null(kc_vfeat_new(0, H, 5, 1, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(kc_vfeat_new(W, H, 5, 0, 0));
	assert_null(kc_vfeat_new(W, H, NAN, 1, 0));
	v = kc_vfeat_new(W, H, 5, 1, 0);
	assert_non_null(v);
	gray(fa, 0);
	assert_int_equal(kc_vfeat_push_at(v, fa, 0.5), 0);
	assert_int_equal(kc_vfeat_push_at(v, fa, 0.4), -1);	/* backwards */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kc_vfeat_push_at(v, fa, 1.5), 0);
	assert_int_equal(kc_vfeat_push_at(v, fa, 2.5), -1);	/* hop waits */
	assert_int_equal(errno, EBUSY);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_int_equal(kc_vfeat_push_at(v, fa, 2.5), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_int_equal(kc_vfeat_finish(v, 3), 0);
	assert_int_equal(kc_vfeat_next(v, &t, &dur, vals), 1);
	assert_int_equal(kc_vfeat_push_at(v, fa, 3.5), -1);	/* finished */
	assert_int_equal(errno, EINVAL);
	kc_vfeat_free(v);
	kc_vfeat_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_identical_frames_no_motion),
		cmocka_unit_test(test_inverse_motion),
		cmocka_unit_test(test_gray_128),
		cmocka_unit_test(test_color_var_pure_red),
		cmocka_unit_test(test_checkerboard_edges),
		cmocka_unit_test(test_step_edge_share),
		cmocka_unit_test(test_cut_between_unrelated_images),
		cmocka_unit_test(test_shift_is_not_a_cut),
		cmocka_unit_test(test_pan_is_global_motion),
		cmocka_unit_test(test_shake),
		cmocka_unit_test(test_local_motion_is_residual),
		cmocka_unit_test(test_flash),
		cmocka_unit_test(test_hop_bookkeeping),
		cmocka_unit_test(test_t0_and_until),
		cmocka_unit_test(test_empty_hop),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
