/*
 * audiodec.h - decoded audio from an ffmpeg child: mono 32-bit float
 * samples at a chosen rate, read through libsndfile from the child's
 * stdout (AU format, which allows a stream of unknown length on a pipe).
 *
 * Library code: returns codes, never prints.  The child is started from
 * an argv array, with /dev/null as its stdin and its stderr kept in an
 * unlinked temporary file, so a chatty ffmpeg can never block on a full
 * pipe and its last error line can be quoted when it fails.
 */
#ifndef KC_AUDIODEC_H
#define KC_AUDIODEC_H

#include <stddef.h>
#include <sys/types.h>

typedef struct kc_audiodec kc_audiodec;

/*
 * Starts ffmpeg (program name or path) decoding the first audio stream of
 * src (path or URL as ffmpeg takes it) from file time ss seconds (ss < 0:
 * from the start, without -ss) to mono at rate Hz.  Returns NULL with
 * errno: ENOENT when ffmpeg cannot be found, ENOMEM, or another spawn
 * error.  A src ffmpeg cannot read is not noticed here: reading then
 * ends and kc_audiodec_close reports the failure.
 */
kc_audiodec *kc_audiodec_open(const char *ffmpeg, const char *src,
    double ss, int rate);

/*
 * Reads up to n samples into buf, waiting for the child.  Returns the
 * number read (short only at the end), 0 at the end of the audio, or -1
 * when the stream is not what was asked for (not AU, wrong rate or
 * channel count, read error); after 0 or -1 the child is done or broken
 * and kc_audiodec_close says which.
 */
long kc_audiodec_read(kc_audiodec *d, float *buf, size_t n);

/*
 * Stops and reaps the child and frees d.  A child still running (the
 * caller did not read to the end) is killed, which is not a failure.
 * Returns 0 when ffmpeg ended cleanly or was stopped, with its last
 * stderr line ("" if none) in why; 1 when it failed, did not exit, or
 * its output was unusable, with the reason in why: "exit status 1:
 * <ffmpeg's last error line>", "killed by signal 9 (Killed)", ...
 */
int kc_audiodec_close(kc_audiodec *d, char *why, size_t whylen);

/* Kills and reaps the child at once, for exit hooks; d stays allocated
 * (kc_audiodec_close may still follow) and may be NULL. */
void kc_audiodec_kill(kc_audiodec *d);

#endif
