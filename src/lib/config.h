/*
 * config.h - kc's configuration file: "key = value" lines giving the
 * programs' defaults (kc-clip's clip counts, durations and folders, the
 * database, kc-db's retraining interval).  This module only reads the
 * file into key/value pairs and refuses a key no kc program takes; each
 * program checks the values of the keys it uses with its own options'
 * checks, so a value is judged the same in the file and on the command
 * line.  Library code: returns codes, never prints.
 */
#ifndef KC_CONFIG_H
#define KC_CONFIG_H

#include <stddef.h>

typedef struct kc_config kc_config;

/* Every key a kc program reads from the file, NULL-terminated. */
extern const char *const kc_config_keys[];

/*
 * The configuration file's path into out: $KC_CONFIG, else
 * $XDG_CONFIG_HOME/kc/config (an absolute XDG_CONFIG_HOME), else
 * $HOME/.config/kc/config.  Returns 1 for $KC_CONFIG (the user named the
 * file: it must exist), 0 for the default one (it may not), -1 when there
 * is none ($HOME unset) or the path does not fit.
 */
int kc_config_path(char *out, size_t n);

/*
 * Reads path.  Blank lines and lines whose first non-blank character is
 * '#' are skipped; any other line is "key = value", blanks around both
 * allowed; a value starting with "~/" is taken under $HOME.  The last
 * line of a key wins.  Returns 0 and *cfg; -1 with errno when the file
 * cannot be read (*cfg NULL); -2 for a bad line: *line its number, *why
 * what is wrong (a static string, or a key quoted in a buffer owned by
 * the module until the next call).
 */
int kc_config_read(kc_config **cfg, const char *path, long *line,
    const char **why);

/* The path it was read from. */
const char *kc_config_file(const kc_config *cfg);

/*
 * The value of key, or NULL when the file does not set it; *line (when
 * not NULL) the line that set it.
 */
const char *kc_config_get(const kc_config *cfg, const char *key, long *line);

void kc_config_free(kc_config *cfg);

#endif
