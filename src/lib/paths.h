/*
 * paths.h - where kc finds its data files (heuristic weights, jq scripts)
 * without being told: installed under PREFIX/share/kc, or in the source
 * tree next to the bin/ it was built into; the paths of URLs; and putting
 * a file in place without ever replacing another.
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
 * Renames from to to, atomically, unless to exists: then nothing changes
 * and errno is EEXIST.  (renameat2 RENAME_NOREPLACE; on a file system
 * without it, a hard link and an unlink, which refuse an existing name
 * too.)  Returns 0, or -1 with errno.
 */
int kc_rename_noreplace(const char *from, const char *to);

/*
 * Whether files a and b hold the same bytes: 1 yes, 0 no, -1 with errno
 * when either cannot be read (a directory, no permission, gone).
 */
int kc_same_content(const char *a, const char *b);

/*
 * Decodes the %XX escapes of a URL path in place.  "%00" is never decoded
 * (a NUL would cut the name short and name another file).  strict: a
 * malformed escape or "%00" makes it return -1, s half decoded; else they
 * stay as written.  Returns the decoded length, or -1.
 */
long kc_pct_decode(char *s, int strict);

#endif
