/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.h: the container lifecycle behind the runsc commands: create
 * (Gofers + a Sentry waiting to start), start, signal, wait, destroy.
 */
#ifndef CVISOR_OCI_SANDBOX_H
#define CVISOR_OCI_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "runsc/oci/config.h"
#include "runsc/oci/error.h"
#include "runsc/oci/state.h"
#include "runsc/runsc.h"

struct sandbox_create_opts {
	const char *id;
	const char *bundle;          /* absolute */
	const char *console_socket;  /* NULL: none */
	const char *pid_file;        /* NULL: none */
};

/*
 * Create the container: state directory, cgroup, Gofers, the Sentry
 * (which loads the program and waits for start), createRuntime and
 * prestart hooks, state.json, the pid file. On failure nothing is left
 * behind. *cfg_out (may be NULL) gets the parsed config.
 */
int sandbox_create(const struct global_opts *, const struct sandbox_create_opts *,
		   struct container_state *st, struct oci_config *cfg_out,
		   runsc_error_t *err);
/* Start a created container; poststart hooks. */
int sandbox_start(const struct global_opts *, const char *id,
		  runsc_error_t *err);
/* Send a signal to the first process (all: every process). */
int sandbox_kill(const struct global_opts *, const char *id, int sig,
		 bool all, runsc_error_t *err);
/* Pass a signal runsc got on to process `pid` (0: the first), or with
 * `to_fg` to the foreground process group of the sandbox's console (the
 * first process when it has none): no state checks, for a foreground
 * runsc forwarding what it receives. */
int sandbox_forward(const struct global_opts *, const char *id, int pid,
		    int sig, bool to_fg, runsc_error_t *err);
/* Kill what is left, run poststop hooks, remove cgroup and state. */
int sandbox_destroy(const struct global_opts *, struct container_state *st);
/* Wait for process `pid` (0: the first) of the sandbox: its wait
 * status, or -1 with *err. */
int sandbox_wait(const struct global_opts *, const char *id, int pid,
		 int *status, runsc_error_t *err);
/* "TERM", "SIGTERM", "15" -> 15; -1 if unknown. */
int sandbox_parse_signal(const char *s);
/* Write `pid` to a pid file atomically. */
int sandbox_write_pid_file(const char *path, pid_t pid, runsc_error_t *err);
/* A wait status as a shell would give it: the exit code, or 128+N. */
int sandbox_exit_code(int status);

#endif
