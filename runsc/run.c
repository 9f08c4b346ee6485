/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: `runsc run [create flags] [--detach] ID`: create and start; in
 * the foreground, forward signals to the container (sigfwd.h), wait for
 * it, delete it and exit with its status (runc run).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runsc/oci/sandbox.h"
#include "runsc/oci/sigfwd.h"
#include "runsc/runsc.h"

/* Pass one signal on: a terminal's (^C, ^Z, a resize) to the console's
 * foreground process group, the others to the first process, as runc
 * passes them to its container's init. SIGWINCH means something only
 * when the container shares our terminal (no --console-socket): then it
 * re-reads the size of that terminal (runc resizes its own pty instead). */
static void forward(const struct global_opts *g, const char *id, int sig,
		    bool from_tty, bool shares_tty)
{
	runsc_error_t err = NULL;

	if (sig == SIGWINCH && !shares_tty)
		return;
	if (sandbox_forward(g, id, 0, sig, from_tty || sig == SIGWINCH, &err))
		runsc_error_release(&err);
}

/* Wait for the Sentry (our child), passing signals on; its status. */
static int wait_container(const struct global_opts *g, const char *id,
			  pid_t pid, int wake, bool shares_tty)
{
	struct pollfd p = { .fd = wake, .events = POLLIN };
	int status = 0;

	for (;;) {
		bool from_tty;
		pid_t r;
		int sig;

		sigfwd_clear();
		r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = 0;
			break;
		}
		while ((sig = sigfwd_next(&from_tty)))
			forward(g, id, sig, from_tty, shares_tty);
		if (r == 0)
			poll(&p, 1, -1);
	}
	return status;
}

int cmd_run(const struct global_opts *g, int argc, char **argv)
{
	struct sandbox_create_opts o = { 0 };
	struct container_state st;
	runsc_error_t err = NULL;
	char bundle[PATH_MAX];
	bool detach = false, shares_tty;
	int rc = runsc_create_opts("run", argc, argv, &o, &detach, bundle);
	int status = 0, wake = -1;

	if (rc)
		return rc;
	/* In the foreground every signal is caught from the start: one that
	 * comes while the container is made is passed on once it runs. */
	if (!detach && (wake = sigfwd_install()) < 0) {
		runsc_error_make(&err, errno, "signals");
		return runsc_error_report(&err);
	}
	if (sandbox_create(g, &o, &st, NULL, &err))
		return runsc_error_report(&err);
	shares_tty = !o.console_socket && isatty(0);
	if (sandbox_start(g, o.id, &err)) {
		sandbox_destroy(g, &st);
		state_free(&st);
		return runsc_error_report(&err);
	}
	if (detach) {
		state_free(&st);
		return 0;
	}
	status = wait_container(g, o.id, st.pid, wake, shares_tty);
	sandbox_destroy(g, &st);
	state_free(&st);
	return sandbox_exit_code(status);
}
