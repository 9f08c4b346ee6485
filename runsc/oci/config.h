/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h: an OCI runtime config (config.json) as runsc uses it.
 *
 * The whole file is parsed into these structs and validated before
 * anything is acted on: a bad field is one error naming it
 * ("process.user.uid: must be a number"), and nothing has been created
 * yet. Fields runsc does not implement but may safely ignore are ignored;
 * fields it cannot honour safely (joining a namespace by path) are errors.
 */
#ifndef CVISOR_OCI_CONFIG_H
#define CVISOR_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runsc/oci/error.h"

struct oci_rlimit {
	int resource;            /* RLIMIT_* */
	uint64_t soft, hard;
};

/* The five capability sets of process.capabilities as bit masks. */
struct oci_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct oci_process {
	bool terminal;
	unsigned console_height, console_width;
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t nadditional_gids;
	bool has_umask;
	uint32_t umask;
	char **args;             /* NULL-terminated */
	char **env;              /* NULL-terminated */
	char *cwd;
	struct oci_caps caps;
	bool has_caps;
	struct oci_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privileges;
};

enum oci_mount_kind {
	OCI_MOUNT_BIND,          /* served by a Gofer of its own (binds.h) */
	OCI_MOUNT_TMPFS,
	OCI_MOUNT_PROC,
	OCI_MOUNT_SYSFS,
	OCI_MOUNT_DEVPTS,
	OCI_MOUNT_DEV,           /* tmpfs on /dev: the Sentry's devfs */
	OCI_MOUNT_IGNORED,       /* mqueue, cgroup: accepted, not mounted */
};

/* Mount option flags, as MS_* of <sys/mount.h>. */
struct oci_mount {
	char *destination;
	char *type;
	char *source;
	enum oci_mount_kind kind;
	unsigned long flags;     /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	bool recursive;          /* rbind */
	bool recursive_ro;       /* rro */
	uint64_t size;           /* tmpfs size=, 0: none */
	uint32_t mode;           /* tmpfs mode=, 0 with !has_mode */
	bool has_mode;
};

struct oci_hook {
	char *path;
	char **args;             /* NULL-terminated, may be NULL */
	char **env;              /* NULL-terminated, may be NULL */
	int timeout;             /* seconds, 0: none */
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS,
};

struct oci_kv {
	char *key, *value;
};

struct oci_resources {
	int64_t memory_limit;    /* bytes, -1: none */
	int64_t pids_limit;      /* -1: none */
	uint64_t cpu_shares;     /* 0: none */
	int64_t cpu_quota;       /* microseconds per period, 0: none */
	uint64_t cpu_period;     /* microseconds, 0: default */
};

/* CLONE_NEW* bits the config asks for. */
struct oci_config {
	char *oci_version;
	char *root_path;         /* absolute (made so against the bundle) */
	bool root_readonly;
	struct oci_process process;
	char *hostname;
	char *domainname;
	struct oci_mount *mounts;
	size_t nmounts;
	struct oci_hook *hooks[OCI_HOOK_KINDS];
	size_t nhooks[OCI_HOOK_KINDS];
	struct oci_kv *annotations;
	size_t nannotations;
	struct oci_kv *sysctl;
	size_t nsysctl;
	unsigned long namespaces;
	bool network_namespace;  /* a "network" namespace is listed */
	char *cgroups_path;
	char *netns_path;        /* a network namespace to join (podman's) */
	struct oci_resources resources;
};

/* Parse and validate `path` (a config.json); relative root paths are
 * resolved against `bundle`. 0, or -1 with *err naming the field. */
int oci_config_load(const char *path, const char *bundle,
		    struct oci_config *out, runsc_error_t *err);
/* The same from a string (tests, and the Sentry's copy). */
int oci_config_parse(const char *json, size_t len, const char *bundle,
		     struct oci_config *out, runsc_error_t *err);
void oci_config_free(struct oci_config *);

/* A process object alone (runsc exec --process FILE). */
int oci_process_load(const char *path, struct oci_process *out,
		     runsc_error_t *err);
void oci_process_free(struct oci_process *);


/* The capability number of "CAP_SYS_ADMIN" and friends, or -1. */
int oci_cap_from_name(const char *name);

#endif
