/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: `runsc run [create flags] [--detach] ID`: create and start; in
 * the foreground, forward signals to the container, wait for it, delete
 * it and exit with its status (runc run).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "runsc/oci/sandbox.h"
#include "runsc/runsc.h"

static volatile sig_atomic_t pending_sig;

static void on_signal(int sig)
{
	pending_sig = sig;
}

int cmd_run(const struct global_opts *g, int argc, char **argv)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
					 SIGUSR1, SIGUSR2, SIGWINCH };
	struct sandbox_create_opts o = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct container_state st;
	runsc_error_t err = NULL;
	char bundle[PATH_MAX];
	bool detach = false;
	int rc = runsc_create_opts("run", argc, argv, &o, &detach, bundle);
	int status = 0;

	if (rc)
		return rc;
	if (sandbox_create(g, &o, &st, NULL, &err))
		return runsc_error_report(&err);
	if (sandbox_start(g, o.id, &err)) {
		sandbox_destroy(g, &st);
		state_free(&st);
		return runsc_error_report(&err);
	}
	if (detach) {
		state_free(&st);
		return 0;
	}
	/* No SA_RESTART: a signal ends waitpid so it can be forwarded. */
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
	for (;;) {
		pid_t r = waitpid(st.pid, &status, 0);

		if (r == st.pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = 0;
			break;
		}
		if (pending_sig) {
			int sig = pending_sig;

			pending_sig = 0;
			if (sandbox_kill(g, o.id, sig, false, &err))
				runsc_error_release(&err);
		}
	}
	sandbox_destroy(g, &st);
	state_free(&st);
	return sandbox_exit_code(status);
}
