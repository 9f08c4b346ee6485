/* SPDX-License-Identifier: Apache-2.0 */
/* hooks.c: see hooks.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runsc/oci/hooks.h"

static const char *const kind_names[OCI_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer",
	"poststart", "poststop",
};

static int run_one(const struct oci_hook *h, const char *state_json,
		   const char *kind, runsc_error_t *err)
{
	char *const empty[] = { NULL };
	char *const argv0[] = { h->path, NULL };
	int in[2], status;
	pid_t pid;
	time_t deadline = h->timeout ? time(NULL) + h->timeout : 0;

	if (pipe2(in, O_CLOEXEC) < 0)
		return runsc_error_make(err, errno, "%s hook %s", kind, h->path);
	pid = fork();
	if (pid < 0)
		return runsc_error_make(err, errno, "%s hook %s", kind, h->path);
	if (pid == 0) {
		dup2(in[0], 0);
		execve(h->path, h->args ? h->args : argv0, h->env ? h->env : empty);
		fprintf(stderr, "runsc: %s hook %s: %m\n", kind, h->path);
		_exit(127);
	}
	close(in[0]);
	/* A hook that does not read its stdin must not block us. */
	signal(SIGPIPE, SIG_IGN);
	if (write(in[1], state_json, strlen(state_json)) < 0) {
		/* ignored, as runc does */
	}
	close(in[1]);
	for (;;) {
		pid_t r = waitpid(pid, &status, deadline ? WNOHANG : 0);
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return runsc_error_make(err, errno, "%s hook %s", kind,
						h->path);
		if (deadline && time(NULL) >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return runsc_error_make(err, 0, "%s hook %s: timed out after %ds",
						kind, h->path, h->timeout);
		}
		nanosleep(&ts, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return runsc_error_make(err, 0, "%s hook %s failed (status %d)", kind,
					h->path,
					WIFEXITED(status) ? WEXITSTATUS(status)
							  : 128 + WTERMSIG(status));
	return 0;
}

int hooks_run(const struct oci_config *cfg, enum oci_hook_kind kind,
	      const char *state_json, runsc_error_t *err)
{
	for (size_t i = 0; i < cfg->nhooks[kind]; i++)
		if (run_one(&cfg->hooks[kind][i], state_json, kind_names[kind], err))
			return -1;
	return 0;
}
