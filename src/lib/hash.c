/*
 * hash.c - FNV-1a, 64 bits (Fowler, Noll, Vo): for each byte, xor it in,
 * then multiply by the FNV prime.
 */
#include "hash.h"

uint64_t
kc_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
