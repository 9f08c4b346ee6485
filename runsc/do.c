/* SPDX-License-Identifier: Apache-2.0 */
/*
 * do.c: `runsc do CMD [ARGS]`: run a command in a sandbox whose root is
 * the host's / served read-only by a Gofer, in the caller's directory, with
 * the caller's environment and stdio; exit with the command's status
 * (128+N when a signal N killed it).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "runsc/reexec.h"
#include "runsc/runsc.h"

/* The Gofer for the host root, on one end of a socketpair. */
static pid_t start_gofer(int sock)
{
	char fdbuf[16];
	char *argv[] = { "runsc", "gofer", "--root", "/", "--sock-fd", fdbuf,
			 NULL };

	snprintf(fdbuf, sizeof(fdbuf), "%d", sock);
	return runsc_reexec(argv, &sock, 1);
}

/* The Sentry, running argv in the sandbox. */
static pid_t start_sentry(const struct global_opts *g, int sock,
			  const char *cwd, const char *hostname, int argc,
			  char **argv)
{
	char fdbuf[16];
	char **bargv = calloc((size_t)argc + 16, sizeof(char *));
	int n = 0, keep[2] = { sock, log_get_fd() };
	pid_t pid;

	if (!bargv)
		return -ENOMEM;
	snprintf(fdbuf, sizeof(fdbuf), "%d", sock);
	bargv[n++] = "runsc";
	if (g->strace)
		bargv[n++] = "--strace";
	if (g->debug)
		bargv[n++] = "--debug";
	bargv[n++] = "boot";
	bargv[n++] = "--gofer-fd";
	bargv[n++] = fdbuf;
	bargv[n++] = "--cwd";
	bargv[n++] = (char *)cwd;
	bargv[n++] = "--hostname";
	bargv[n++] = (char *)hostname;
	if (log_get_fd() != 2) {
		static char logbuf[16];

		snprintf(logbuf, sizeof(logbuf), "%d", log_get_fd());
		bargv[n++] = "--log-fd";
		bargv[n++] = logbuf;
	}
	bargv[n++] = "--";
	for (int i = 0; i < argc; i++)
		bargv[n++] = argv[i];
	bargv[n] = NULL;
	pid = runsc_reexec(bargv, keep, log_get_fd() != 2 ? 2 : 1);
	free(bargv);
	return pid;
}

/* Forward the signals a terminal or a supervisor sends to runsc. */
static volatile sig_atomic_t forward_to;

static void forward_signal(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

int cmd_do(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cwd", required_argument, NULL, 'c' },
		{ "hostname", required_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *hostname = "cvisor";
	char cwd[4096];
	int sv[2], c, status;
	pid_t gofer, sentry;

	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (strlen(optarg) >= sizeof(cwd))
				return runsc_usage_error("do: --cwd too long");
			strcpy(cwd, optarg);
			break;
		case 'h':
			hostname = optarg;
			break;
		default:
			return runsc_usage_error("do: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return runsc_usage_error("do: no command given");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "runsc: socketpair: %m\n");
		return 1;
	}
	gofer = start_gofer(sv[0]);
	if (gofer < 0) {
		fprintf(stderr, "runsc: starting the gofer: %s\n",
			strerror((int)-gofer));
		return 1;
	}
	close(sv[0]);
	sentry = start_sentry(g, sv[1], cwd, hostname, argc - optind,
			      argv + optind);
	close(sv[1]);
	if (sentry < 0) {
		fprintf(stderr, "runsc: starting the sandbox: %s\n",
			strerror((int)-sentry));
		kill(gofer, SIGKILL);
		waitpid(gofer, NULL, 0);
		return 1;
	}
	forward_to = sentry;
	signal(SIGINT, forward_signal);
	signal(SIGTERM, forward_signal);
	signal(SIGHUP, forward_signal);
	signal(SIGQUIT, forward_signal);
	while (waitpid(sentry, &status, 0) < 0 && errno == EINTR)
		;
	/* The Gofer ends when the Sentry's end of the socket closes; make
	 * sure of it so nothing outlives the sandbox. */
	kill(gofer, SIGKILL);
	while (waitpid(gofer, NULL, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
