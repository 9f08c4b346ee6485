/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.h: a container's state directory, <root>/<id>/:
 *   state.json    what runsc knows of it (OCI state plus runsc's own)
 *   config.json   the validated config it was created from (for hooks)
 *   sandbox.sock  the Sentry's control socket
 */
#ifndef CVISOR_OCI_STATE_H
#define CVISOR_OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runsc/oci/config.h"
#include "runsc/oci/error.h"

#define STATE_MAX_GOFERS 64

struct container_state {
	char id[256];
	char bundle[4096];
	char rootfs[4096];
	char created[64];          /* RFC 3339 */
	char status[16];           /* "created" or "running" as last saved */
	char cgroup[8192];         /* "" when none was made; ":"-separated dirs */
	pid_t pid;                 /* the Sentry (the container's pid) */
	uint64_t pid_start;        /* its start time, against pid reuse */
	pid_t gofers[STATE_MAX_GOFERS];
	uint64_t gofer_starts[STATE_MAX_GOFERS];
	unsigned ngofers;
	struct oci_kv *annotations;
	size_t nannotations;
	uid_t owner;
};

/* Container ids: letters, digits, '_', '-', '.'; not "." or "..". */
bool state_valid_id(const char *id);
/* "<root>/<id>" and files inside it. */
int state_path(const char *root, const char *id, const char *file,
	       char *buf, size_t size);
/* Make <root>/<id> (and root); "container ID already exists" if it does. */
int state_create_dir(const char *root, const char *id, runsc_error_t *err);
int state_remove_dir(const char *root, const char *id);
int state_save(const char *root, const struct container_state *,
	       runsc_error_t *err);
/* "container ID does not exist" when there is no state. */
int state_load(const char *root, const char *id, struct container_state *,
	       runsc_error_t *err);
void state_free(struct container_state *);
/* created, running or stopped, as of now. */
const char *state_status(const struct container_state *);
/* Is the process still the one recorded (pid not reused)? */
bool state_process_alive(pid_t pid, uint64_t start);
/* Start time of a process (field 22 of /proc/PID/stat), 0 if gone. */
uint64_t state_proc_start(pid_t pid);
/* The OCI state JSON (runc's shape); malloc'ed. */
char *state_json(const struct container_state *, bool pretty);
/* Every container id under root (malloc'ed vector). */
char **state_list(const char *root, size_t *n);

#endif
