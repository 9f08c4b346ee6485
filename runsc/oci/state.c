/* SPDX-License-Identifier: Apache-2.0 */
/* state.c: see state.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runsc/oci/state.h"

bool state_valid_id(const char *id)
{
	if (!id[0] || strlen(id) > 200 || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.' || *p == '+'))
			return false;
	return true;
}

int state_path(const char *root, const char *id, const char *file,
	       char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s%s%s", root, id, file ? "/" : "",
			 file ? file : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* mkdir -p for the state root. */
static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int state_create_dir(const char *root, const char *id, runsc_error_t *err)
{
	char dir[4096];
	int rc;

	if (!state_valid_id(id))
		return runsc_error_make(err, 0, "invalid container id '%s'", id);
	rc = mkdir_p(root, 0711);
	if (rc)
		return runsc_error_make(err, rc, "cannot make the state root %s",
					root);
	if (state_path(root, id, NULL, dir, sizeof(dir)))
		return runsc_error_make(err, ENAMETOOLONG, "%s", root);
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return runsc_error_make(err, 0,
						"container with id exists: %s", id);
		return runsc_error_make(err, errno, "cannot make %s", dir);
	}
	return 0;
}

int state_remove_dir(const char *root, const char *id)
{
	char dir[4096], path[4400];
	struct dirent *e;
	DIR *d;

	if (!state_valid_id(id) || state_path(root, id, NULL, dir, sizeof(dir)))
		return -EINVAL;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir) < 0 ? -errno : 0;
}

int state_save(const char *root, const struct container_state *st,
	       runsc_error_t *err)
{
	char path[4200], tmp[4300];
	json_t *o = json_object(), *g = json_array(), *a = json_object();
	int rc = 0;

	for (unsigned i = 0; i < st->ngofers; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "pid", json_integer(st->gofers[i]));
		json_object_set_new(e, "start", json_integer((json_int_t)st->gofer_starts[i]));
		json_array_append_new(g, e);
	}
	for (size_t i = 0; i < st->nannotations; i++)
		json_object_set_new(a, st->annotations[i].key,
				    json_string(st->annotations[i].value));
	json_object_set_new(o, "ociVersion", json_string("1.0.2"));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "status", json_string(st->status));
	json_object_set_new(o, "pid", json_integer(st->pid));
	json_object_set_new(o, "pidStart", json_integer((json_int_t)st->pid_start));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "created", json_string(st->created));
	json_object_set_new(o, "cgroup", json_string(st->cgroup));
	json_object_set_new(o, "owner", json_integer(st->owner));
	json_object_set_new(o, "gofers", g);
	json_object_set_new(o, "annotations", a);
	if (state_path(root, st->id, "state.json", path, sizeof(path))) {
		json_decref(o);
		return runsc_error_make(err, ENAMETOOLONG, "%s", root);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* Written whole, then renamed: a reader never sees half a file. */
	if (json_dump_file(o, tmp, JSON_COMPACT) < 0 || rename(tmp, path) < 0)
		rc = runsc_error_make(err, errno, "cannot write %s", path);
	json_decref(o);
	return rc;
}

static void copy_str(char *dst, size_t size, json_t *v)
{
	snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int state_load(const char *root, const char *id, struct container_state *st,
	       runsc_error_t *err)
{
	char path[4200];
	json_error_t jerr;
	json_t *o, *g, *e, *a, *v;
	const char *key;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!state_valid_id(id))
		return runsc_error_make(err, 0, "invalid container id '%s'", id);
	if (state_path(root, id, "state.json", path, sizeof(path)))
		return runsc_error_make(err, ENAMETOOLONG, "%s", root);
	o = json_load_file(path, 0, &jerr);
	if (!o) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return runsc_error_make(err, 0, "container does not exist: %s",
						id);
		return runsc_error_make(err, 0, "%s: %s", path, jerr.text);
	}
	snprintf(st->id, sizeof(st->id), "%s", id);
	copy_str(st->status, sizeof(st->status), json_object_get(o, "status"));
	copy_str(st->bundle, sizeof(st->bundle), json_object_get(o, "bundle"));
	copy_str(st->rootfs, sizeof(st->rootfs), json_object_get(o, "rootfs"));
	copy_str(st->created, sizeof(st->created), json_object_get(o, "created"));
	copy_str(st->cgroup, sizeof(st->cgroup), json_object_get(o, "cgroup"));
	st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	st->pid_start = (uint64_t)json_integer_value(json_object_get(o, "pidStart"));
	st->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
	g = json_object_get(o, "gofers");
	json_array_foreach(g, i, e) {
		if (st->ngofers >= STATE_MAX_GOFERS)
			break;
		st->gofers[st->ngofers] = (pid_t)json_integer_value(json_object_get(e, "pid"));
		st->gofer_starts[st->ngofers++] =
			(uint64_t)json_integer_value(json_object_get(e, "start"));
	}
	a = json_object_get(o, "annotations");
	if (json_is_object(a) && json_object_size(a)) {
		st->annotations = calloc(json_object_size(a), sizeof(struct oci_kv));
		json_object_foreach(a, key, v) {
			if (!st->annotations)
				break;
			st->annotations[st->nannotations].key = strdup(key);
			st->annotations[st->nannotations++].value =
				strdup(json_is_string(v) ? json_string_value(v) : "");
		}
	}
	json_decref(o);
	return 0;
}

void state_free(struct container_state *st)
{
	for (size_t i = 0; i < st->nannotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	st->annotations = NULL;
	st->nannotations = 0;
}

uint64_t state_proc_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: count from the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* Field 3 (state) follows; start time is field 22. A zombie counts
	 * as gone. */
	if (p[2] == 'Z' || p[2] == 'X')
		return 0;
	for (int field = 3; field <= 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

bool state_process_alive(pid_t pid, uint64_t start)
{
	uint64_t now;

	if (pid <= 0)
		return false;
	now = state_proc_start(pid);
	return now != 0 && (start == 0 || now == start);
}

const char *state_status(const struct container_state *st)
{
	if (!state_process_alive(st->pid, st->pid_start))
		return "stopped";
	if (!strcmp(st->status, "created"))
		return "created";
	return "running";
}

char *state_json(const struct container_state *st, bool pretty)
{
	json_t *o = json_object(), *a = json_object();
	const char *status = state_status(st);
	char *s;

	for (size_t i = 0; i < st->nannotations; i++)
		json_object_set_new(a, st->annotations[i].key,
				    json_string(st->annotations[i].value));
	json_object_set_new(o, "ociVersion", json_string("1.0.2"));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid",
			    json_integer(strcmp(status, "stopped") ? st->pid : 0));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "created", json_string(st->created));
	json_object_set_new(o, "owner", json_string(st->owner ? "" : "root"));
	json_object_set_new(o, "annotations", a);
	s = json_dumps(o, pretty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER
				 : JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **state_list(const char *root, size_t *n)
{
	DIR *d = opendir(root);
	struct dirent *e;
	char **v = NULL, path[4200];
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (!state_valid_id(e->d_name))
			continue;
		if (state_path(root, e->d_name, "state.json", path, sizeof(path)) ||
		    access(path, F_OK) < 0)
			continue;
		if (*n + 1 >= cap) {
			char **nv = realloc(v, (cap = cap * 2 + 8) * sizeof(char *));

			if (!nv)
				break;
			v = nv;
		}
		v[(*n)++] = strdup(e->d_name);
		v[*n] = NULL;
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(char *), cmp_str);
	return v;
}
