/*
 * version.h - the version every kc program reports with --version.
 */
#ifndef KC_VERSION_H
#define KC_VERSION_H

/* "0.12.0-45-gabc1234", a bare commit hash, or "unknown" (see version.c). */
extern const char kc_version[];

#endif
