/*
 * hash.h - the one FNV-1a (64-bit) of kc.  Its values are stored: stream
 * ids in the database and in records, kc-clip's journal names, model
 * checksums, live segment ids; so they must never change (test_lib pins
 * them).  Library code: no output, no exit.
 */
#ifndef KC_HASH_H
#define KC_HASH_H

#include <stddef.h>
#include <stdint.h>

#define KC_FNV_INIT 0xcbf29ce484222325ULL	/* the offset basis */

/* Continues the hash h over the n bytes at p: h = KC_FNV_INIT to start. */
uint64_t kc_fnv1a(uint64_t h, const void *p, size_t n);

#endif
