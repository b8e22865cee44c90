/*
 * version.c - kc's version string.  The Makefile computes it (git describe
 * in a git checkout, else the VERSION file, else "unknown") and passes it
 * as -DKC_VERSION to this file alone, so a new version recompiles one small
 * file and relinks rather than rebuilding everything.
 */
#include "version.h"

#ifndef KC_VERSION
#define KC_VERSION "unknown"
#endif

const char kc_version[] = KC_VERSION;
