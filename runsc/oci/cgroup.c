/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup.c: see cgroup.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "runsc/oci/cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static bool is_v2(void)
{
	struct statfs sf;

	return statfs(CGROUP_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static int write_file(const char *dir, const char *file, const char *val)
{
	char path[4300];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* This process's cgroup in the hierarchy whose /proc/self/cgroup line
 * names `ctrl` ("" for the v2 line "0::"). */
static int own_cgroup(const char *ctrl, char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4200];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool match;

		if (!c2)
			continue;
		*c2 = 0;
		line[strcspn(line, "\n")] = 0;
		c2[1 + strcspn(c2 + 1, "\n")] = 0;
		if (!ctrl[0])
			match = !strcmp(line, "0") && c1[1] == 0;
		else {
			/* "4:memory:/x" or "2:cpu,cpuacct:/x" */
			char *list = c1 + 1, *tok, *save;

			match = false;
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, ctrl))
					match = true;
		}
		if (match) {
			snprintf(buf, size, "%s", c2 + 1);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* The cgroup's path below a hierarchy root: cgroupsPath if the config
 * gives one (systemd's "slice:prefix:name" becomes
 * "/slice/prefix-name.scope", as runc's cgroupfs driver lays it out),
 * else cvisor-<id> below runsc's own cgroup. */
static void cgroup_rel(const char *ctrl, const char *id,
		       const struct oci_config *cfg, char *buf, size_t size)
{
	const char *cp = cfg->cgroups_path;
	char own[4096] = "";

	if (cp && cp[0] == '/') {
		snprintf(buf, size, "%s", cp);
		return;
	}
	if (cp && strchr(cp, ':')) {
		char slice[256] = "", prefix[256] = "", name[512] = "";

		if (sscanf(cp, "%255[^:]:%255[^:]:%511s", slice, prefix, name) == 3) {
			snprintf(buf, size, "/%s/%s-%s.scope", slice, prefix, name);
			return;
		}
	}
	if (own_cgroup(ctrl, own, sizeof(own)) || !strcmp(own, "/"))
		own[0] = 0;
	snprintf(buf, size, "%s/cvisor-%s", own, id);
}

/* mkdir -p below a hierarchy root. */
static int mkdirs(char *path)
{
	for (char *p = path + strlen(CGROUP_ROOT) + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(path, 0755) < 0 && errno != EEXIST) {
				*p = '/';
				return -errno;
			}
			*p = '/';
		}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int add_dir(char *dirs, size_t size, const char *dir)
{
	size_t len = strlen(dirs);

	if (len + strlen(dir) + 2 > size)
		return -ENAMETOOLONG;
	snprintf(dirs + len, size - len, "%s%s", len ? ":" : "", dir);
	return 0;
}

static int limits_v2(const char *dir, const struct oci_resources *r)
{
	char v[64];
	int rc = 0;

	if (r->memory_limit > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)r->memory_limit);
		rc = rc ? rc : write_file(dir, "memory.max", v);
	}
	if (r->pids_limit > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)r->pids_limit);
		rc = rc ? rc : write_file(dir, "pids.max", v);
	}
	if (r->cpu_shares >= 2) {
		/* runc's conversion of shares [2, 262144] to weight [1, 10000]. */
		snprintf(v, sizeof(v), "%llu",
			 1 + ((unsigned long long)(r->cpu_shares - 2) * 9999) / 262142);
		rc = rc ? rc : write_file(dir, "cpu.weight", v);
	}
	if (r->cpu_quota > 0) {
		snprintf(v, sizeof(v), "%lld %llu", (long long)r->cpu_quota,
			 (unsigned long long)(r->cpu_period ? r->cpu_period : 100000));
		rc = rc ? rc : write_file(dir, "cpu.max", v);
	}
	return rc;
}

static int create_v2(const char *id, const struct oci_config *cfg,
		     char *dirs, size_t size, runsc_error_t *err)
{
	char rel[4096], dir[4200], parent[4200];
	int rc;

	cgroup_rel("", id, cfg, rel, sizeof(rel));
	snprintf(dir, sizeof(dir), CGROUP_ROOT "%s", rel);
	/* Delegate the controllers down to the new cgroup (best effort: a
	 * parent with processes of its own cannot). */
	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = 0;
	rc = mkdirs(dir);
	if (rc)
		return runsc_error_make(err, rc, "cannot make cgroup %s", dir);
	write_file(parent, "cgroup.subtree_control", "+memory +pids +cpu");
	add_dir(dirs, size, dir);
	rc = limits_v2(dir, &cfg->resources);
	if (rc)
		return runsc_error_make(err, rc, "setting the limits of cgroup %s",
					dir);
	return 0;
}

static int create_v1(const char *id, const struct oci_config *cfg,
		     char *dirs, size_t size, runsc_error_t *err)
{
	static const char *const ctrls[] = { "memory", "pids", "cpu" };
	const struct oci_resources *r = &cfg->resources;

	for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++) {
		char rel[4096], dir[4300], v[64];
		struct stat sb;
		int rc = 0;

		snprintf(dir, sizeof(dir), CGROUP_ROOT "/%s", ctrls[i]);
		if (stat(dir, &sb) < 0)
			continue; /* controller not mounted */
		cgroup_rel(ctrls[i], id, cfg, rel, sizeof(rel));
		snprintf(dir, sizeof(dir), CGROUP_ROOT "/%s%s", ctrls[i], rel);
		rc = mkdirs(dir);
		if (rc)
			return runsc_error_make(err, rc, "cannot make cgroup %s", dir);
		add_dir(dirs, size, dir);
		if (i == 0 && r->memory_limit > 0) {
			snprintf(v, sizeof(v), "%lld", (long long)r->memory_limit);
			rc = write_file(dir, "memory.limit_in_bytes", v);
		} else if (i == 1 && r->pids_limit > 0) {
			snprintf(v, sizeof(v), "%lld", (long long)r->pids_limit);
			rc = write_file(dir, "pids.max", v);
		} else if (i == 2) {
			if (r->cpu_shares >= 2) {
				snprintf(v, sizeof(v), "%llu",
					 (unsigned long long)r->cpu_shares);
				rc = write_file(dir, "cpu.shares", v);
			}
			if (!rc && r->cpu_period) {
				snprintf(v, sizeof(v), "%llu",
					 (unsigned long long)r->cpu_period);
				rc = write_file(dir, "cpu.cfs_period_us", v);
			}
			if (!rc && r->cpu_quota > 0) {
				snprintf(v, sizeof(v), "%lld", (long long)r->cpu_quota);
				rc = write_file(dir, "cpu.cfs_quota_us", v);
			}
		}
		if (rc)
			return runsc_error_make(err, rc,
						"setting the limits of cgroup %s", dir);
	}
	return 0;
}

int cgroup_create(const char *id, const struct oci_config *cfg, bool systemd,
		  char *dirs, size_t size, runsc_error_t *err)
{
	(void)systemd; /* the path format says it; no systemd is asked */
	dirs[0] = 0;
	if (is_v2())
		return create_v2(id, cfg, dirs, size, err);
	return create_v1(id, cfg, dirs, size, err);
}

int cgroup_add(const char *dirs, pid_t pid, runsc_error_t *err)
{
	char buf[8192], v[32], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", dirs);
	snprintf(v, sizeof(v), "%d", (int)pid);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		int rc = write_file(tok, "cgroup.procs", v);

		if (rc)
			return runsc_error_make(err, rc, "cannot move %d into %s",
						(int)pid, tok);
	}
	return 0;
}

void cgroup_remove(const char *dirs)
{
	char buf[8192], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", dirs);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		/* A killed process leaves its cgroup a moment after it is
		 * reaped: retry EBUSY for up to a second. */
		for (int i = 0; i < 100; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			if (rmdir(tok) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY) {
				log_warn("cannot remove cgroup %s: %m", tok);
				break;
			}
			nanosleep(&ts, NULL);
		}
	}
}

pid_t *cgroup_pids(const char *dirs, size_t *n)
{
	char path[4300], dir[4200];
	pid_t *v = NULL;
	size_t cap = 0;
	FILE *f;
	int pid;

	*n = 0;
	snprintf(dir, sizeof(dir), "%s", dirs);
	dir[strcspn(dir, ":")] = 0;
	if (!dir[0])
		return NULL;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (fscanf(f, "%d", &pid) == 1) {
		if (*n >= cap) {
			pid_t *nv = realloc(v, (cap = cap * 2 + 16) * sizeof(pid_t));

			if (!nv)
				break;
			v = nv;
		}
		v[(*n)++] = pid;
	}
	fclose(f);
	return v;
}
