/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c: parse and validate an OCI runtime config with jansson.
 *
 * Each parser takes the JSON value and the dotted name of the field it
 * came from, so an error names exactly what is wrong.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "runsc/oci/config.h"

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* An optional string field; NULL when absent. */
static int get_string(json_t *obj, const char *key, const char *field,
		      char **out, runsc_error_t *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return runsc_error_make(err, 0, "%s.%s: must be a string",
					field, key);
	*out = strdup(json_string_value(v));
	return 0;
}

static int get_bool(json_t *obj, const char *key, const char *field,
		    bool *out, runsc_error_t *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return runsc_error_make(err, 0, "%s.%s: must be true or false",
					field, key);
	*out = json_is_true(v);
	return 0;
}

/* An optional integer within [min, max]; *present says if it was there. */
static int get_int(json_t *obj, const char *key, const char *field,
		   long long min, long long max, long long *out, bool *present,
		   runsc_error_t *err)
{
	json_t *v = json_object_get(obj, key);

	if (present)
		*present = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return runsc_error_make(err, 0, "%s.%s: must be a number",
					field, key);
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return runsc_error_make(err, 0, "%s.%s: %lld is out of range",
					field, key,
					(long long)json_integer_value(v));
	*out = json_integer_value(v);
	if (present)
		*present = true;
	return 0;
}

/* An array of strings into a NULL-terminated vector (NULL if absent). */
static int get_strv(json_t *obj, const char *key, const char *field,
		    char ***out, runsc_error_t *err)
{
	json_t *v = json_object_get(obj, key), *e;
	size_t i;
	char **r;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return runsc_error_make(err, 0, "%s.%s: must be an array of strings",
					field, key);
	r = calloc(json_array_size(v) + 1, sizeof(char *));
	if (!r)
		return runsc_error_make(err, ENOMEM, "%s.%s", field, key);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			strv_free(r);
			return runsc_error_make(err, 0,
						"%s.%s[%zu]: must be a string",
						field, key, i);
		}
		r[i] = strdup(json_string_value(e));
	}
	*out = r;
	return 0;
}

static json_t *get_object(json_t *obj, const char *key, const char *field,
			  runsc_error_t *err, int *rc)
{
	json_t *v = json_object_get(obj, key);

	*rc = 0;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_object(v)) {
		*rc = runsc_error_make(err, 0, "%s%s%s: must be an object", field,
				       *field ? "." : "", key);
		return NULL;
	}
	return v;
}

static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID",
	"KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
	"NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
	"SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
	"AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE",
	"MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
	"PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int oci_cap_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

static int parse_capset(json_t *caps, const char *key, uint64_t *out,
			runsc_error_t *err)
{
	json_t *v = json_object_get(caps, key), *e;
	size_t i;

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return runsc_error_make(err, 0,
					"process.capabilities.%s: must be an array",
					key);
	json_array_foreach(v, i, e) {
		int c = json_is_string(e) ? oci_cap_from_name(json_string_value(e))
					  : -1;

		/* runc skips capabilities the host kernel does not know;
		 * we know every one Linux has, so an unknown one is a typo. */
		if (c < 0)
			return runsc_error_make(err, 0,
						"process.capabilities.%s[%zu]: unknown capability %s",
						key, i,
						json_is_string(e) ? json_string_value(e)
								  : "(not a string)");
		*out |= 1ULL << c;
	}
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static int parse_rlimits(json_t *proc, struct oci_process *p,
			 runsc_error_t *err)
{
	json_t *v = json_object_get(proc, "rlimits"), *e;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return runsc_error_make(err, 0, "process.rlimits: must be an array");
	p->rlimits = calloc(json_array_size(v) + 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return runsc_error_make(err, ENOMEM, "process.rlimits");
	json_array_foreach(v, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		json_t *soft = json_object_get(e, "soft");
		json_t *hard = json_object_get(e, "hard");
		struct oci_rlimit *r = &p->rlimits[p->nrlimits];
		size_t k;

		if (!json_is_object(e) || !type)
			return runsc_error_make(err, 0,
						"process.rlimits[%zu].type: missing", i);
		for (k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (strcmp(type, rlimit_names[k].name) == 0)
				break;
		if (k == sizeof(rlimit_names) / sizeof(rlimit_names[0]))
			return runsc_error_make(err, 0,
						"process.rlimits[%zu].type: unknown limit %s",
						i, type);
		if (!json_is_integer(soft) || !json_is_integer(hard))
			return runsc_error_make(err, 0,
						"process.rlimits[%zu]: soft and hard must be numbers",
						i);
		r->resource = rlimit_names[k].resource;
		/* jansson reads 2^64-1 (RLIM_INFINITY) as a negative. */
		r->soft = (uint64_t)json_integer_value(soft);
		r->hard = (uint64_t)json_integer_value(hard);
		if (r->soft > r->hard)
			return runsc_error_make(err, 0,
						"process.rlimits[%zu]: soft limit above the hard one",
						i);
		p->nrlimits++;
	}
	return 0;
}

static int parse_user(json_t *proc, struct oci_process *p, runsc_error_t *err)
{
	int rc;
	json_t *u = get_object(proc, "user", "process", err, &rc), *gids, *e;
	long long v;
	bool present;
	size_t i;

	if (rc || !u)
		return rc;
	if (get_int(u, "uid", "process.user", 0, UINT32_MAX - 1, &v, &present,
		    err))
		return -1;
	p->uid = present ? (uint32_t)v : 0;
	if (get_int(u, "gid", "process.user", 0, UINT32_MAX - 1, &v, &present,
		    err))
		return -1;
	p->gid = present ? (uint32_t)v : 0;
	if (get_int(u, "umask", "process.user", 0, 0777, &v, &p->has_umask, err))
		return -1;
	p->umask = (uint32_t)v;
	if (json_object_get(u, "username"))
		return runsc_error_make(err, 0,
					"process.user.username: only numeric uid and gid are supported on Linux");
	gids = json_object_get(u, "additionalGids");
	if (!gids || json_is_null(gids))
		return 0;
	if (!json_is_array(gids))
		return runsc_error_make(err, 0,
					"process.user.additionalGids: must be an array");
	p->additional_gids = calloc(json_array_size(gids) + 1, sizeof(uint32_t));
	if (!p->additional_gids)
		return runsc_error_make(err, ENOMEM, "process.user.additionalGids");
	json_array_foreach(gids, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) >= UINT32_MAX)
			return runsc_error_make(err, 0,
						"process.user.additionalGids[%zu]: must be a gid",
						i);
		p->additional_gids[p->nadditional_gids++] =
			(uint32_t)json_integer_value(e);
	}
	return 0;
}

/* process: everything but args is optional; args must name a program. */
static int parse_process(json_t *proc, struct oci_process *p,
			 runsc_error_t *err)
{
	json_t *caps, *cs;
	long long v;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(proc))
		return runsc_error_make(err, 0, "process: must be an object");
	if (get_bool(proc, "terminal", "process", &p->terminal, err) ||
	    get_strv(proc, "args", "process", &p->args, err) ||
	    get_strv(proc, "env", "process", &p->env, err) ||
	    get_string(proc, "cwd", "process", &p->cwd, err) ||
	    get_bool(proc, "noNewPrivileges", "process", &p->no_new_privileges,
		     err) ||
	    parse_user(proc, p, err) || parse_rlimits(proc, p, err))
		return -1;
	if (!p->args || !p->args[0] || !p->args[0][0])
		return runsc_error_make(err, 0,
					"process.args: must name the program to run");
	if (!p->cwd)
		p->cwd = strdup("/");
	else if (p->cwd[0] != '/')
		return runsc_error_make(err, 0,
					"process.cwd: must be an absolute path, not '%s'",
					p->cwd);
	if (!p->env)
		p->env = calloc(1, sizeof(char *));
	cs = get_object(proc, "consoleSize", "process", err, &rc);
	if (rc)
		return -1;
	if (cs) {
		if (get_int(cs, "height", "process.consoleSize", 0, 65535, &v,
			    NULL, err))
			return -1;
		p->console_height = (unsigned)v;
		v = 0;
		if (get_int(cs, "width", "process.consoleSize", 0, 65535, &v,
			    NULL, err))
			return -1;
		p->console_width = (unsigned)v;
	}
	caps = get_object(proc, "capabilities", "process", err, &rc);
	if (rc)
		return -1;
	if (caps) {
		p->has_caps = true;
		if (parse_capset(caps, "bounding", &p->caps.bounding, err) ||
		    parse_capset(caps, "effective", &p->caps.effective, err) ||
		    parse_capset(caps, "inheritable", &p->caps.inheritable, err) ||
		    parse_capset(caps, "permitted", &p->caps.permitted, err) ||
		    parse_capset(caps, "ambient", &p->caps.ambient, err))
			return -1;
	}
	if (json_object_get(proc, "apparmorProfile") ||
	    json_object_get(proc, "selinuxLabel") ||
	    json_object_get(proc, "oomScoreAdj") ||
	    json_object_get(proc, "ioPriority") ||
	    json_object_get(proc, "scheduler")) {
		/* The Sentry is the application's kernel: host LSM labels
		 * and scheduling apply to the sandbox as a whole. */
	}
	return 0;
}

/* One mount option into flags, or -1 if it is not one we know. */
static int mount_option(struct oci_mount *m, const char *o)
{
	static const struct {
		const char *name;
		unsigned long set, clear;
	} flags[] = {
		{ "ro", MS_RDONLY, 0 },       { "rw", 0, MS_RDONLY },
		{ "nosuid", MS_NOSUID, 0 },   { "suid", 0, MS_NOSUID },
		{ "nodev", MS_NODEV, 0 },     { "dev", 0, MS_NODEV },
		{ "noexec", MS_NOEXEC, 0 },   { "exec", 0, MS_NOEXEC },
		{ "bind", 0, 0 },             { "rbind", 0, 0 },
		{ "rro", MS_RDONLY, 0 },      { "rrw", 0, MS_RDONLY },
		/* Propagation and timestamps mean nothing for a sandbox
		 * whose mounts are its own. */
		{ "private", 0, 0 },          { "rprivate", 0, 0 },
		{ "shared", 0, 0 },           { "rshared", 0, 0 },
		{ "slave", 0, 0 },            { "rslave", 0, 0 },
		{ "unbindable", 0, 0 },       { "runbindable", 0, 0 },
		{ "relatime", 0, 0 },         { "norelatime", 0, 0 },
		{ "noatime", 0, 0 },          { "atime", 0, 0 },
		{ "strictatime", 0, 0 },      { "nodiratime", 0, 0 },
		{ "sync", 0, 0 },             { "async", 0, 0 },
		{ "dirsync", 0, 0 },          { "defaults", 0, 0 },
		{ "nosymfollow", 0, 0 },      { "idmap", 0, 0 },
		{ "copy-symlink", 0, 0 },     { "z", 0, 0 }, { "Z", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(o, flags[i].name) == 0) {
			m->flags = (m->flags | flags[i].set) & ~flags[i].clear;
			if (strcmp(o, "rbind") == 0)
				m->recursive = true;
			if (strcmp(o, "rro") == 0)
				m->recursive_ro = true;
			return 0;
		}
	return -1;
}

/* tmpfs/devpts data options: size=, mode=; others are passed over. */
static int mount_data_option(struct oci_mount *m, const char *o,
			     const char *field, runsc_error_t *err)
{
	char *end;

	if (strncmp(o, "size=", 5) == 0) {
		unsigned long long v = strtoull(o + 5, &end, 10);

		switch (*end) {
		case 'k': case 'K': v <<= 10; end++; break;
		case 'm': case 'M': v <<= 20; end++; break;
		case 'g': case 'G': v <<= 30; end++; break;
		}
		if (*end || end == o + 5)
			return runsc_error_make(err, 0, "%s: bad tmpfs size '%s'",
						field, o + 5);
		m->size = v;
		return 0;
	}
	if (strncmp(o, "mode=", 5) == 0) {
		unsigned long v = strtoul(o + 5, &end, 8);

		if (*end || end == o + 5 || v > 07777)
			return runsc_error_make(err, 0, "%s: bad mode '%s'",
						field, o + 5);
		m->mode = (uint32_t)v;
		m->has_mode = true;
		return 0;
	}
	/* uid=, gid=, nr_inodes=, newinstance, ptmxmode=, gid=: the
	 * Sentry's filesystems choose their own; harmless to ignore. */
	if (strchr(o, '=') || strcmp(o, "newinstance") == 0)
		return 0;
	return runsc_error_make(err, 0, "%s: unknown mount option '%s'", field,
				o);
}

static int parse_mount(json_t *e, size_t i, struct oci_mount *m,
		       runsc_error_t *err)
{
	char field[64], **opts = NULL;
	bool bind = false;

	snprintf(field, sizeof(field), "mounts[%zu]", i);
	if (!json_is_object(e))
		return runsc_error_make(err, 0, "%s: must be an object", field);
	if (get_string(e, "destination", field, &m->destination, err) ||
	    get_string(e, "type", field, &m->type, err) ||
	    get_string(e, "source", field, &m->source, err) ||
	    get_strv(e, "options", field, &opts, err))
		return -1;
	if (!m->destination || m->destination[0] != '/')
		return runsc_error_make(err, 0,
					"%s.destination: must be an absolute path",
					field);
	for (size_t k = 0; opts && opts[k]; k++) {
		if (strcmp(opts[k], "bind") == 0 || strcmp(opts[k], "rbind") == 0)
			bind = true;
		if (mount_option(m, opts[k]) == 0)
			continue;
		if (mount_data_option(m, opts[k], field, err)) {
			strv_free(opts);
			return -1;
		}
	}
	strv_free(opts);
	if (bind || (m->type && strcmp(m->type, "bind") == 0)) {
		m->kind = OCI_MOUNT_BIND;
		if (!m->source || m->source[0] != '/')
			return runsc_error_make(err, 0,
						"%s.source: a bind mount needs an absolute source path",
						field);
	} else if (!m->type) {
		return runsc_error_make(err, 0, "%s.type: missing", field);
	} else if (strcmp(m->type, "tmpfs") == 0) {
		m->kind = strcmp(m->destination, "/dev") == 0 ? OCI_MOUNT_DEV
							      : OCI_MOUNT_TMPFS;
	} else if (strcmp(m->type, "proc") == 0) {
		m->kind = OCI_MOUNT_PROC;
	} else if (strcmp(m->type, "sysfs") == 0) {
		m->kind = OCI_MOUNT_SYSFS;
	} else if (strcmp(m->type, "devpts") == 0) {
		m->kind = OCI_MOUNT_DEVPTS;
	} else if (strcmp(m->type, "mqueue") == 0 ||
		   strcmp(m->type, "cgroup") == 0 ||
		   strcmp(m->type, "cgroup2") == 0) {
		m->kind = OCI_MOUNT_IGNORED;
	} else {
		return runsc_error_make(err, 0,
					"%s.type: filesystem type '%s' is not supported in the sandbox",
					field, m->type);
	}
	return 0;
}

static int parse_mounts(json_t *root, struct oci_config *c, runsc_error_t *err)
{
	json_t *v = json_object_get(root, "mounts"), *e;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return runsc_error_make(err, 0, "mounts: must be an array");
	c->mounts = calloc(json_array_size(v) + 1, sizeof(*c->mounts));
	if (!c->mounts)
		return runsc_error_make(err, ENOMEM, "mounts");
	json_array_foreach(v, i, e) {
		if (parse_mount(e, i, &c->mounts[c->nmounts++], err))
			return -1;
	}
	return 0;
}

static const char *const hook_keys[OCI_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer",
	"poststart", "poststop",
};

static int parse_hooks(json_t *root, struct oci_config *c, runsc_error_t *err)
{
	int rc;
	json_t *hooks = get_object(root, "hooks", "", err, &rc);

	if (rc || !hooks)
		return rc;
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		json_t *v = json_object_get(hooks, hook_keys[k]), *e;
		size_t i;

		if (!v || json_is_null(v))
			continue;
		if (!json_is_array(v))
			return runsc_error_make(err, 0, "hooks.%s: must be an array",
						hook_keys[k]);
		c->hooks[k] = calloc(json_array_size(v) + 1, sizeof(struct oci_hook));
		if (!c->hooks[k])
			return runsc_error_make(err, ENOMEM, "hooks");
		json_array_foreach(v, i, e) {
			struct oci_hook *h = &c->hooks[k][c->nhooks[k]++];
			char field[64];
			long long t = 0;

			snprintf(field, sizeof(field), "hooks.%s[%zu]",
				 hook_keys[k], i);
			if (!json_is_object(e))
				return runsc_error_make(err, 0, "%s: must be an object",
							field);
			if (get_string(e, "path", field, &h->path, err) ||
			    get_strv(e, "args", field, &h->args, err) ||
			    get_strv(e, "env", field, &h->env, err) ||
			    get_int(e, "timeout", field, 1, INT_MAX, &t, NULL, err))
				return -1;
			if (!h->path || h->path[0] != '/')
				return runsc_error_make(err, 0,
							"%s.path: must be an absolute path",
							field);
			h->timeout = (int)t;
		}
	}
	return 0;
}

static int parse_kv(json_t *obj, const char *field, struct oci_kv **out,
		    size_t *n, runsc_error_t *err)
{
	const char *key;
	json_t *v;

	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return runsc_error_make(err, 0, "%s: must be an object", field);
	*out = calloc(json_object_size(obj) + 1, sizeof(**out));
	if (!*out)
		return runsc_error_make(err, ENOMEM, "%s", field);
	json_object_foreach(obj, key, v) {
		if (!json_is_string(v))
			return runsc_error_make(err, 0, "%s.%s: must be a string",
						field, key);
		(*out)[*n].key = strdup(key);
		(*out)[(*n)++].value = strdup(json_string_value(v));
	}
	return 0;
}

static int parse_namespaces(json_t *linux_, struct oci_config *c,
			    runsc_error_t *err)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} kinds[] = {
		{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET },
		{ "mount", CLONE_NEWNS }, { "ipc", CLONE_NEWIPC },
		{ "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
		{ "cgroup", CLONE_NEWCGROUP }, { "time", 0x80 /* CLONE_NEWTIME */ },
	};
	json_t *v = json_object_get(linux_, "namespaces"), *e;
	size_t i, k;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return runsc_error_make(err, 0, "linux.namespaces: must be an array");
	json_array_foreach(v, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		json_t *path = json_object_get(e, "path");

		if (!type)
			return runsc_error_make(err, 0,
						"linux.namespaces[%zu].type: missing", i);
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (strcmp(type, kinds[k].name) == 0)
				break;
		if (k == sizeof(kinds) / sizeof(kinds[0]))
			return runsc_error_make(err, 0,
						"linux.namespaces[%zu].type: unknown namespace '%s'",
						i, type);
		/* The sandbox's namespaces are the Sentry's own: a host
		 * namespace cannot be joined from inside it. A network
		 * namespace made for the container (podman's) is recorded:
		 * with --network=none it is simply not used. */
		if (path && json_is_string(path) && json_string_value(path)[0] &&
		    kinds[k].flag == CLONE_NEWNET) {
			free(c->netns_path);
			c->netns_path = strdup(json_string_value(path));
		} else if (path && !json_is_null(path) &&
		    (!json_is_string(path) || json_string_value(path)[0]))
			return runsc_error_make(err, 0,
						"linux.namespaces[%zu].path: joining an existing %s namespace is not supported by cvisor",
						i, type);
		c->namespaces |= kinds[k].flag;
		if (kinds[k].flag == CLONE_NEWNET)
			c->network_namespace = true;
	}
	return 0;
}

static int parse_resources(json_t *linux_, struct oci_config *c,
			   runsc_error_t *err)
{
	int rc;
	json_t *res = get_object(linux_, "resources", "linux", err, &rc), *mem,
	       *pids, *cpu;
	long long v;
	bool present;

	c->resources.memory_limit = -1;
	c->resources.pids_limit = -1;
	if (rc || !res)
		return rc;
	mem = get_object(res, "memory", "linux.resources", err, &rc);
	if (rc)
		return -1;
	if (mem) {
		if (get_int(mem, "limit", "linux.resources.memory", -1, LLONG_MAX,
			    &v, &present, err))
			return -1;
		if (present && v > 0)
			c->resources.memory_limit = v;
	}
	pids = get_object(res, "pids", "linux.resources", err, &rc);
	if (rc)
		return -1;
	if (pids) {
		if (get_int(pids, "limit", "linux.resources.pids", -1, LLONG_MAX,
			    &v, &present, err))
			return -1;
		if (present && v > 0)
			c->resources.pids_limit = v;
	}
	cpu = get_object(res, "cpu", "linux.resources", err, &rc);
	if (rc)
		return -1;
	if (cpu) {
		v = 0;
		if (get_int(cpu, "shares", "linux.resources.cpu", 0, 262144, &v,
			    NULL, err))
			return -1;
		c->resources.cpu_shares = (uint64_t)v;
		v = 0;
		if (get_int(cpu, "quota", "linux.resources.cpu", -1, LLONG_MAX, &v,
			    NULL, err))
			return -1;
		c->resources.cpu_quota = v > 0 ? v : 0;
		v = 0;
		if (get_int(cpu, "period", "linux.resources.cpu", 0, 1000000, &v,
			    NULL, err))
			return -1;
		c->resources.cpu_period = (uint64_t)v;
	}
	return 0;
}

/* Sysctls a sandbox may set: those whose effect stays inside it
 * (the Sentry implements the kernel they describe). */
static bool sysctl_allowed(const char *key)
{
	static const char *const prefixes[] = { "kernel.msg", "kernel.sem",
						"kernel.shm", "fs.mqueue.",
						"net." };

	if (strcmp(key, "kernel.domainname") == 0 ||
	    strcmp(key, "kernel.hostname") == 0)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static int parse_linux(json_t *root, struct oci_config *c, runsc_error_t *err)
{
	int rc;
	json_t *linux_ = get_object(root, "linux", "", err, &rc);

	c->resources.memory_limit = -1;
	c->resources.pids_limit = -1;
	if (rc || !linux_)
		return rc;
	if (parse_namespaces(linux_, c, err) || parse_resources(linux_, c, err) ||
	    get_string(linux_, "cgroupsPath", "linux", &c->cgroups_path, err) ||
	    parse_kv(json_object_get(linux_, "sysctl"), "linux.sysctl",
		     &c->sysctl, &c->nsysctl, err))
		return -1;
	for (size_t i = 0; i < c->nsysctl; i++)
		if (!sysctl_allowed(c->sysctl[i].key))
			return runsc_error_make(err, 0,
						"linux.sysctl.%s: not a namespaced sysctl a sandbox may set",
						c->sysctl[i].key);
	if (json_object_get(linux_, "uidMappings") &&
	    json_array_size(json_object_get(linux_, "uidMappings")) > 0 &&
	    !(c->namespaces & CLONE_NEWUSER))
		return runsc_error_make(err, 0,
					"linux.uidMappings: given without a user namespace");
	return 0;
}

static int parse_root(json_t *root, const char *bundle, struct oci_config *c,
		      runsc_error_t *err)
{
	int rc;
	json_t *r = get_object(root, "root", "", err, &rc);
	char *path = NULL;

	if (rc)
		return -1;
	if (!r)
		return runsc_error_make(err, 0, "root: missing");
	if (get_string(r, "path", "root", &path, err) ||
	    get_bool(r, "readonly", "root", &c->root_readonly, err)) {
		free(path);
		return -1;
	}
	if (!path || !path[0]) {
		free(path);
		return runsc_error_make(err, 0, "root.path: missing");
	}
	if (path[0] != '/' && bundle) {
		if (asprintf(&c->root_path, "%s/%s", bundle, path) < 0)
			c->root_path = NULL;
		free(path);
	} else {
		c->root_path = path;
	}
	return 0;
}

int oci_config_parse(const char *json, size_t len, const char *bundle,
		     struct oci_config *c, runsc_error_t *err)
{
	json_error_t jerr;
	json_t *root, *proc;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->resources.memory_limit = -1;
	c->resources.pids_limit = -1;
	root = json_loadb(json, len, 0, &jerr);
	if (!root)
		return runsc_error_make(err, 0, "config.json:%d:%d: %s", jerr.line,
					jerr.column, jerr.text);
	if (!json_is_object(root)) {
		runsc_error_make(err, 0, "config.json: must be a JSON object");
		goto out;
	}
	if (get_string(root, "ociVersion", "", &c->oci_version, err))
		goto out;
	if (!c->oci_version) {
		runsc_error_make(err, 0, "ociVersion: missing");
		goto out;
	}
	if (strncmp(c->oci_version, "1.", 2) != 0) {
		runsc_error_make(err, 0, "ociVersion: version %s is not supported (1.x is)",
				 c->oci_version);
		goto out;
	}
	proc = json_object_get(root, "process");
	if (!proc) {
		runsc_error_make(err, 0, "process: missing");
		goto out;
	}
	if (parse_process(proc, &c->process, err) || parse_root(root, bundle, c, err) ||
	    get_string(root, "hostname", "", &c->hostname, err) ||
	    get_string(root, "domainname", "", &c->domainname, err) ||
	    parse_mounts(root, c, err) || parse_hooks(root, c, err) ||
	    parse_kv(json_object_get(root, "annotations"), "annotations",
		     &c->annotations, &c->nannotations, err) ||
	    parse_linux(root, c, err))
		goto out;
	if (c->hostname && strlen(c->hostname) > 64) {
		runsc_error_make(err, 0, "hostname: longer than 64 bytes");
		goto out;
	}
	if (c->domainname && strlen(c->domainname) > 64) {
		runsc_error_make(err, 0, "domainname: longer than 64 bytes");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc)
		oci_config_free(c);
	return rc;
}

/* Read a whole file (at most 16 MiB). */
static char *read_file(const char *path, size_t *len, runsc_error_t *err)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f) {
		runsc_error_make(err, errno, "cannot open %s", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || n > 16 << 20 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		runsc_error_make(err, errno ? errno : EFBIG, "cannot read %s", path);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		runsc_error_make(err, EIO, "cannot read %s", path);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int oci_config_load(const char *path, const char *bundle,
		    struct oci_config *c, runsc_error_t *err)
{
	size_t len;
	char *buf = read_file(path, &len, err);
	int rc;

	if (!buf)
		return -1;
	rc = oci_config_parse(buf, len, bundle, c, err);
	free(buf);
	return rc;
}

int oci_process_load(const char *path, struct oci_process *p,
		     runsc_error_t *err)
{
	json_error_t jerr;
	size_t len;
	char *buf = read_file(path, &len, err);
	json_t *root;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!buf)
		return -1;
	root = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (!root)
		return runsc_error_make(err, 0, "%s:%d:%d: %s", path, jerr.line,
					jerr.column, jerr.text);
	rc = parse_process(root, p, err);
	json_decref(root);
	if (rc)
		oci_process_free(p);
	return rc;
}

void oci_process_free(struct oci_process *p)
{
	free(p->additional_gids);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	memset(p, 0, sizeof(*p));
}

static void kv_free(struct oci_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void oci_config_free(struct oci_config *c)
{
	free(c->oci_version);
	free(c->root_path);
	oci_process_free(&c->process);
	free(c->hostname);
	free(c->domainname);
	for (size_t i = 0; c->mounts && i < c->nmounts; i++) {
		free(c->mounts[i].destination);
		free(c->mounts[i].type);
		free(c->mounts[i].source);
	}
	free(c->mounts);
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		for (size_t i = 0; c->hooks[k] && i < c->nhooks[k]; i++) {
			free(c->hooks[k][i].path);
			strv_free(c->hooks[k][i].args);
			strv_free(c->hooks[k][i].env);
		}
		free(c->hooks[k]);
	}
	kv_free(c->annotations, c->nannotations);
	kv_free(c->sysctl, c->nsysctl);
	free(c->cgroups_path);
	free(c->netns_path);
	memset(c, 0, sizeof(*c));
}

