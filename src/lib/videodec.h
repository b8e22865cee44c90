/*
 * videodec.h - video frames from an ffmpeg child, as small RGB24 images.
 *
 * The child decodes the first video stream of a source, resamples it to a
 * fixed frame rate and size, and writes raw frames to a pipe; the caller
 * reads them one at a time.  The child's stderr is collected (its last
 * line explains a failure).  Library code: returns codes, never prints.
 */
#ifndef KC_VIDEODEC_H
#define KC_VIDEODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct kc_videodec kc_videodec;

/*
 * Starts ffmpeg (the program to run, e.g. from kc_tool) on src (path or
 * URL ffmpeg reads) from file time ss seconds (ss <= 0: from the start),
 * giving w x h frames (1-4096) at fps frames per second; frame n shows
 * the source at ss + n/fps.  fast: let the decoder skip the deblocking
 * filter and frames no other frame refers to (H.264 decodes about a third
 * faster; the picture is a little blockier and a frame may stand in for a
 * skipped neighbour).  Returns NULL with errno: EINVAL for bad sizes,
 * ENOENT when ffmpeg is not found, others from pipe/spawn.
 */
kc_videodec *kc_videodec_open(const char *ffmpeg, const char *src,
    double ss, int w, int h, double fps, int fast);

/* Bytes of one frame: w * h * 3, rows packed, R G B per pixel. */
size_t kc_videodec_frame_size(const kc_videodec *d);

/*
 * Reads the next frame into frame (kc_videodec_frame_size bytes).
 * Returns 1 for a frame, 0 when the child's output ended (a truncated
 * last frame is dropped), -1 with errno on a read error.
 */
int kc_videodec_read(kc_videodec *d, uint8_t *frame);

/*
 * After the output ended: waits for the child, stores its wait status
 * and the last line of its stderr ("" if none) in err, and frees d.
 * Returns 0, or -1 with errno when the child could not be waited for.
 */
int kc_videodec_wait(kc_videodec *d, int *status, char *err, size_t errlen);

/* Stops the child now (pipes closed, SIGTERM, then SIGKILL), reaps it and
 * frees d.  For runs that need no more frames and for exit paths; d may
 * be NULL. */
void kc_videodec_stop(kc_videodec *d);

#endif
