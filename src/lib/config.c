/*
 * config.c - reading kc's configuration file ($XDG_CONFIG_HOME/kc/config)
 * into key/value pairs, with the line each came from so a program can
 * name "FILE:LINE" when it refuses a value.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "config.h"

const char *const kc_config_keys[] = {
	"max-audio-clips", "max-video-clips", "max-chat-clips",
	"clip-duration", "min-gap", "min-score", "out", "db",
	"retrain-every", NULL
};

struct entry {
	char *key, *value;
	long line;
};

struct kc_config {
	char *path;
	struct entry *e;
	size_t n, cap;
};

int
kc_config_path(char *out, size_t n)
{
	const char *env = getenv("KC_CONFIG"), *x = getenv("XDG_CONFIG_HOME"),
	    *home = getenv("HOME");
	int len;

	if (env && *env)
		return (size_t)snprintf(out, n, "%s", env) < n ? 1 : -1;
	if (x && *x == '/')
		len = snprintf(out, n, "%s/kc/config", x);
	else if (home && *home)
		len = snprintf(out, n, "%s/.config/kc/config", home);
	else
		return -1;
	return len >= 0 && (size_t)len < n ? 0 : -1;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int
known(const char *key)
{
	size_t i;

	for (i = 0; kc_config_keys[i]; i++)
		if (strcmp(kc_config_keys[i], key) == 0)
			return 1;
	return 0;
}

/* value with a leading "~/" put under $HOME; a copy, NULL without memory */
static char *
expand(const char *value)
{
	const char *home = getenv("HOME");
	char *s;
	size_t hl, vl;

	if (strncmp(value, "~/", 2) != 0 || home == NULL || *home == '\0')
		return strdup(value);
	hl = strlen(home);
	vl = strlen(value + 1);
	if ((s = malloc(hl + vl + 1)) == NULL)
		return NULL;
	memcpy(s, home, hl);
	memcpy(s + hl, value + 1, vl + 1);
	return s;
}

static int
add(kc_config *c, const char *key, const char *value, long line)
{
	struct entry *e;
	size_t cap;

	if (c->n == c->cap) {
		cap = c->cap ? c->cap * 2 : 16;
		if ((e = realloc(c->e, cap * sizeof(*e))) == NULL)
			return -1;
		c->e = e;
		c->cap = cap;
	}
	e = &c->e[c->n];
	e->line = line;
	if ((e->key = strdup(key)) == NULL)
		return -1;
	if ((e->value = expand(value)) == NULL) {
		free(e->key);
		return -1;
	}
	c->n++;
	return 0;
}

/* One line: 0 ok (or nothing on it), -2 bad (*why), -1 out of memory. */
static int
parse_line(kc_config *c, char *s, long line, const char **why)
{
	static char msg[160];
	char *eq, *key, *value;

	s = trim(s);
	if (*s == '\0' || *s == '#')
		return 0;
	if ((eq = strchr(s, '=')) == NULL) {
		*why = "want \"key = value\"";
		return -2;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (*key == '\0') {
		*why = "no key before '='";
		return -2;
	}
	if (!known(key)) {
		snprintf(msg, sizeof(msg), "unknown key '%.100s'", key);
		*why = msg;
		return -2;
	}
	if (*value == '\0') {
		snprintf(msg, sizeof(msg), "%s: no value", key);
		*why = msg;
		return -2;
	}
	return add(c, key, value, line);
}

int
kc_config_read(kc_config **cfg, const char *path, long *line,
    const char **why)
{
	kc_config *c;
	FILE *f;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0, e;

	*cfg = NULL;
	*line = 0;
	*why = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		free(c);
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL) {
		e = errno;
		kc_config_free(c);
		errno = e;
		return -1;
	}
	while ((len = getline(&buf, &cap, f)) != -1) {
		++*line;
		if (strlen(buf) != (size_t)len) {
			*why = "a NUL byte (not a text file?)";
			rc = -2;
			break;
		}
		if ((rc = parse_line(c, buf, *line, why)) != 0)
			break;
	}
	e = errno;
	if (rc == 0 && ferror(f))
		rc = -1;
	free(buf);
	fclose(f);
	if (rc != 0) {
		kc_config_free(c);
		errno = e;
		return rc;
	}
	*line = 0;
	*cfg = c;
	return 0;
}

const char *
kc_config_file(const kc_config *cfg)
{
	return cfg->path;
}

const char *
kc_config_get(const kc_config *cfg, const char *key, long *line)
{
	size_t i;

	if (cfg == NULL)
		return NULL;
	for (i = cfg->n; i-- > 0;)
		if (strcmp(cfg->e[i].key, key) == 0) {
			if (line)
				*line = cfg->e[i].line;
			return cfg->e[i].value;
		}
	return NULL;
}

void
kc_config_free(kc_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n; i++) {
		free(cfg->e[i].key);
		free(cfg->e[i].value);
	}
	free(cfg->e);
	free(cfg->path);
	free(cfg);
}
