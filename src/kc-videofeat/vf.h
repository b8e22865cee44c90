/*
 * vf.h - the parts of kc-videofeat: main.c reads records and dispatches,
 * run.c turns segments into decodes and vfeat records.
 */
#ifndef KC_VF_H
#define KC_VF_H

#include <stddef.h>
#include <jansson.h>

struct vf_opts {
	double fps;		/* analysis frames per second */
	int width;		/* analysis width, pixels */
	double hop;		/* > 0: overrides the stream record's hop */
	int exact;		/* decode every frame fully (no shortcuts) */
};

/* Takes the options and registers the exit hook that kills the child. */
void vf_setup(const struct vf_opts *o);

/* A "stream" record: ends any run, checks the version, takes hop, size
 * and has_video.  The caller passes the record through afterwards. */
void vf_stream(const json_t *rec, const char *where);

/* A "segment" record: writes it through (raw line), then its vfeat. */
void vf_segment(const json_t *rec, const char *where, const char *raw,
    size_t rawlen);

/* Ends the current run: every hop out, the child gone.  Before "end",
 * a new "stream" and at end of input. */
void vf_flush(void);

#endif
