/*
 * learn.c - kc-db's side of learning: after every N ratings, retrain the
 * model (kc-db export | kc-train, two children started from argv
 * arrays); keep DIR/channels.json, the per-channel feature statistics
 * kc-score normalises against, in step with the database; and list the
 * model generations with their held-out quality for "kc-db stats".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcdb.h"
#include "model.h"
#include "msg.h"
#include "out.h"
#include "paths.h"
#include "spawn.h"

/* A kc program of the same build as this kc-db, else from PATH. */
static const char *
sibling(const char *name, char *buf, size_t n)
{
	char dir[PATH_MAX];

	if (kc_exedir(dir, sizeof(dir)) == 0 && (size_t)snprintf(buf, n,
	    "%s/%s", dir, name) < n && access(buf, X_OK) == 0)
		return buf;
	return name;
}

static int train(const struct kcdb *, long, const char *);

int
kcdb_retrain(const struct kcdb *k, long nratings)
{
	char dir[PATH_MAX], lock[PATH_MAX + 16];
	int lfd, rc;

	kcdb_model_dir(k, dir, sizeof(dir));
	/*
	 * One retraining at a time per model directory: two raters at once
	 * (kc-web and the shell) would each export, and the slower training,
	 * of the older export, would be saved last and stay current.  The
	 * one that waits exports after the other's save, so it learns from
	 * both ratings.  The lock goes with the process (kill -9 too).
	 */
	if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
	    (size_t)snprintf(lock, sizeof(lock), "%s/.retrain.lock", dir) >=
	    sizeof(lock) || (lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC,
	    0666)) < 0) {
		kc_warn("%s: the rating is stored; cannot retrain: %s:",
		    k->cmd, dir);
		return -1;
	}
	while (flock(lfd, LOCK_EX) != 0)
		if (errno != EINTR) {
			kc_warn("%s: the rating is stored; cannot retrain: "
			    "%s:", k->cmd, lock);
			close(lfd);
			return -1;
		}
	rc = train(k, nratings, dir);
	close(lfd);
	return rc;
}

/* kcdb_retrain's work, the lock held. */
static int
train(const struct kcdb *k, long nratings, const char *dir)
{
	char self[PATH_MAX + 16], train_path[PATH_MAX + 16];
	char s1[64], s2[64];
	/* the database is given: no config file to read (or stumble on) */
	const char *exp_argv[] = { NULL, "--no-config", "--db", k->path,
	    "export", NULL };
	const char *train_argv[] = { NULL, "--model", dir, NULL };
	pid_t ep = -1, tp = -1;
	int rd = -1, null, est = 0, tst = 0;

	exp_argv[0] = sibling("kc-db", self, sizeof(self));
	train_argv[0] = kc_tool("KC_TRAIN", sibling("kc-train", train_path,
	    sizeof(train_path)));
	if ((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		kc_die(KC_EXIT_DATA, "/dev/null:");
	if (kc_spawn_reader(exp_argv, -1, &ep, &rd) != 0) {
		kc_warn("%s: cannot start %s:", k->cmd, exp_argv[0]);
		close(null);
		return -1;
	}
	if (kc_spawn(train_argv, rd, null, -1, &tp) != 0)
		kc_warn("%s: cannot start %s:", k->cmd, train_argv[0]);
	close(rd);
	close(null);
	if (kc_wait(ep, &est) != 0)
		est = -1;
	if (tp > 0 && kc_wait(tp, &tst) != 0)
		tst = -1;
	if (tp < 0 || kc_status_failed(est) || kc_status_failed(tst)) {
		kc_warn("%s: the rating is stored; retraining after %ld "
		    "ratings failed (export: %s, kc-train: %s); the model "
		    "stays as it was", k->cmd, nratings,
		    kc_status_str(est, s1, sizeof(s1)), tp < 0 ? "not started" :
		    kc_status_str(tst, s2, sizeof(s2)));
		return -1;
	}
	kc_warn("%s: retrained the model after %ld ratings: %s/%s", k->cmd,
	    nratings, dir, KC_MODEL_CURRENT);
	return 0;
}

/* Writes o to path through a temporary file in the same directory. */
static int
write_atomic(const char *path, const json_t *o)
{
	char tmp[PATH_MAX + 16];
	FILE *fp;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp) || (fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (json_dumpf(o, fp, JSON_COMPACT | JSON_REAL_PRECISION(9)) != 0 ||
	    fputc('\n', fp) == EOF || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0) {
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static json_t *
get_obj(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		v = json_object();
		kcdb_set(o, key, v);
	}
	return v;
}

int
kcdb_write_channels(const struct kcdb *k, kc_db *db)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	kc_db_chanstat c;
	kc_db_iter *it;
	json_t *root, *chans, *kind;
	long hops;
	int rc;

	kcdb_model_dir(k, dir, sizeof(dir));
	if ((size_t)snprintf(path, sizeof(path), "%s/channels.json", dir) >=
	    sizeof(path))
		kc_die(KC_EXIT_DATA, "%s: path too long", dir);
	if ((root = json_object()) == NULL || (chans = json_object()) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	kcdb_set(root, "kc_channels", json_integer(1));
	kcdb_set(root, "channels", chans);
	if (kc_db_channel_stats(db, &it) != KC_DB_OK) {
		kc_warn("%s: %s: %s", k->cmd, k->path, kc_db_error(db));
		json_decref(root);
		return -1;
	}
	while ((rc = kc_db_next_chanstat(it, &c)) == 1) {
		kind = get_obj(get_obj(chans, c.channel), c.kind);
		hops = (long)json_integer_value(json_object_get(kind, "hops"));
		if (c.hops > hops)
			kcdb_set(kind, "hops", json_integer(c.hops));
		kcdb_set(kind, "streams", json_integer(c.streams));
		kcdb_set(get_obj(kind, "features"), c.feature,
		    json_pack("[f,f]", c.median, c.scale));
	}
	kc_db_iter_free(it);
	if (rc < 0) {
		kc_warn("%s: %s: %s", k->cmd, k->path, kc_db_error(db));
		json_decref(root);
		return -1;
	}
	if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
	    write_atomic(path, root) != 0) {
		kc_warn("%s: %s: cannot write the channel statistics:", k->cmd,
		    path);
		json_decref(root);
		return -1;
	}
	json_decref(root);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

json_t *
kcdb_generations(const struct kcdb *k, int text)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], created[32], err[PATH_MAX +
	    300], **names = NULL;
	kc_model_info in;
	struct dirent *e;
	size_t n = 0, i;
	json_t *arr;
	DIR *d;

	kcdb_model_dir(k, dir, sizeof(dir));
	if ((arr = json_array()) == NULL)
		kc_die(KC_EXIT_DATA, "out of memory");
	if ((d = opendir(dir)) == NULL)
		return arr;
	while ((e = readdir(d)) != NULL)
		if (kc_model_generation_of(e->d_name) > 0) {
			if ((names = realloc(names, (n + 1) * sizeof(char *))) ==
			    NULL || (names[n++] = strdup(e->d_name)) == NULL)
				kc_die(KC_EXIT_DATA, "out of memory");
		}
	closedir(d);
	/* no generation yet (only channels.json) is usual: names is NULL
	 * then, and qsort's pointer must never be, even for 0 elements */
	if (n > 1)
		qsort(names, n, sizeof(char *), by_name);
	for (i = 0; i < n; i++) {
		json_t *o;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		if (kc_model_peek(path, &in, created, sizeof(created), err,
		    sizeof(err)) != 0) {
			if (text)
				kc_warn("%s: %s", k->cmd, err);
			continue;
		}
		if ((o = json_object()) == NULL)
			kc_die(KC_EXIT_DATA, "out of memory");
		kcdb_set(o, "generation", json_integer(in.generation));
		kcdb_set(o, "created", json_string(in.created));
		kcdb_set(o, "objective", json_string(in.objective));
		kcdb_set(o, "train_size", json_integer(in.train_size));
		kcdb_set(o, "streams", json_integer(in.streams));
		kcdb_set(o, "folds", json_integer(in.folds));
		kcdb_set(o, "spearman", num(in.spearman));
		kcdb_set(o, "ndcg", num(in.ndcg));
		kcdb_set(o, "heuristic_spearman", num(in.base_spearman));
		kcdb_set(o, "heuristic_ndcg", num(in.base_ndcg));
		kcdb_set(o, "weight", num(in.weight));
		if (json_array_append_new(arr, o) != 0)
			kc_die(KC_EXIT_DATA, "out of memory");
	}
	free(names);
	return arr;
}
