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

/*
 * The clip database a program opens when it is told none (no --db, no
 * $KC_DB, no "db" in the configuration file): $XDG_DATA_HOME/kc/kc.db
 * (an absolute XDG_DATA_HOME), else $HOME/.local/share/kc/kc.db; with
 * create, its folder kc/ is created 0700 when missing (the ones above it
 * as mkdir -p).  "kc.db" in the current folder when neither variable is
 * set.  Its model directory is, as for any database, the path with
 * ".model" appended.  *note is set to 1 when the user is to be told, this
 * once, that a ./kc.db here is not the one used: it exists, is another
 * file, the folder kc/ exists, and the marker kc/.noted-local-db did not
 * (it is made now, so the note comes once per user); else 0.  Returns 0,
 * or -1 with errno when the folder cannot be made or the path does not
 * fit.
 */
int kc_default_db(char *out, size_t n, int create, int *note);

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
