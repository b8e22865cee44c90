/*
 * paths.h - where kc finds its data files (heuristic weights, jq scripts)
 * without being told: installed under PREFIX/share/kc, or in the source
 * tree next to the bin/ it was built into; and the paths of URLs.
 */
#ifndef KC_PATHS_H
#define KC_PATHS_H

#include <stddef.h>

/*
 * Finds data file name: $KC_DATADIR/name, then, relative to the running
 * program's directory, ../share/kc/name, ../data/name, ../../data/name,
 * ../scripts/name and ../../scripts/name.  Returns 0 and the path in out,
 * -1 when none exists.
 */
int kc_datafile(const char *name, char *out, size_t n);

/* Directory of the running program (from /proc/self/exe). */
int kc_exedir(char *out, size_t n);

/* mkdir -p: path and its missing parents.  Returns 0, or -1 with errno. */
int kc_mkdirs(const char *path);

/*
 * Decodes the %XX escapes of a URL path in place.  "%00" is never decoded
 * (a NUL would cut the name short and name another file).  strict: a
 * malformed escape or "%00" makes it return -1, s half decoded; else they
 * stay as written.  Returns the decoded length, or -1.
 */
long kc_pct_decode(char *s, int strict);

#endif
