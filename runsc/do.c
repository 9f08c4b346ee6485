/* SPDX-License-Identifier: Apache-2.0 */
/*
 * do.c: `runsc do CMD [ARGS]`: run a command in a sandbox whose root is
 * the host's / served read-only by a Gofer under a writable overlay in
 * memory (what the command writes is gone when it ends), in the caller's
 * directory, with the caller's environment and stdio; signals runsc gets
 * go to the command; exit with the command's status (128+N when a signal
 * N killed it). Each --rw-dir
 * HOSTDIR:SANDBOXDIR mounts a host directory writable at SANDBOXDIR,
 * served by a Gofer of its own: writes there reach the host.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "runsc/oci/sigfwd.h"
#include "runsc/reexec.h"
#include "runsc/runsc.h"

#define DO_MAX_DIRS 16

/* A host directory to mount writable (--rw-dir). */
struct rw_dir {
	char *host, *sandbox;
	int sock;       /* the Sentry's end of its Gofer's socketpair */
	pid_t gofer;
};

/* A Gofer serving `root` on one end of a socketpair; writable or not. */
static pid_t start_gofer(int sock, const char *root, bool writable)
{
	char fdbuf[16];
	char *argv[] = { "runsc", "gofer", "--root", (char *)root,
			 "--sock-fd", fdbuf, writable ? "--rw" : NULL, NULL };

	snprintf(fdbuf, sizeof(fdbuf), "%d", sock);
	return runsc_reexec(argv, &sock, 1);
}

/* HOSTDIR:SANDBOXDIR, both absolute, HOSTDIR an existing directory. */
static int parse_rw_dir(char *arg, struct rw_dir *d)
{
	char *colon = strchr(arg, ':');
	struct stat st;

	if (!colon)
		return runsc_usage_error("do: --rw-dir wants HOSTDIR:SANDBOXDIR");
	*colon = '\0';
	d->host = arg;
	d->sandbox = colon + 1;
	if (d->host[0] != '/' || d->sandbox[0] != '/')
		return runsc_usage_error("do: --rw-dir paths must be absolute");
	if (stat(d->host, &st) < 0 || !S_ISDIR(st.st_mode))
		return runsc_usage_error("do: --rw-dir: %s is not a directory",
					 d->host);
	return 0;
}

/* Start the Gofer of each --rw-dir; 0 or -errno (those started are
 * killed by the caller). */
static int start_dir_gofers(struct rw_dir *dirs, int n)
{
	for (int i = 0; i < n; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
			return -errno;
		dirs[i].gofer = start_gofer(sv[0], dirs[i].host, true);
		close(sv[0]);
		if (dirs[i].gofer < 0) {
			close(sv[1]);
			return (int)dirs[i].gofer;
		}
		dirs[i].sock = sv[1];
	}
	return 0;
}

static void stop_gofer(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The Sentry, running argv in the sandbox. */
static pid_t start_sentry(const struct global_opts *g, int sock,
			  const char *cwd, const char *hostname, bool overlay,
			  const struct rw_dir *dirs, int ndirs, int argc,
			  char **argv)
{
	char fdbuf[16], mounts[DO_MAX_DIRS][4200];
	char **bargv = calloc((size_t)argc + 2 * DO_MAX_DIRS + 19,
			      sizeof(char *));
	int n = 0, nkeep = 0, keep[DO_MAX_DIRS + 2];
	pid_t pid;

	if (!bargv)
		return -ENOMEM;
	keep[nkeep++] = sock;
	keep[nkeep++] = log_get_fd();
	snprintf(fdbuf, sizeof(fdbuf), "%d", sock);
	bargv[n++] = "runsc";
	if (g->strace)
		bargv[n++] = "--strace";
	if (g->debug)
		bargv[n++] = "--debug";
	bargv[n++] = "--network";
	bargv[n++] = (char *)g->network;
	bargv[n++] = "boot";
	bargv[n++] = "--gofer-fd";
	bargv[n++] = fdbuf;
	bargv[n++] = "--cwd";
	bargv[n++] = (char *)cwd;
	bargv[n++] = "--hostname";
	bargv[n++] = (char *)hostname;
	if (!overlay)
		bargv[n++] = "--no-overlay";
	for (int i = 0; i < ndirs; i++) {
		snprintf(mounts[i], sizeof(mounts[i]), "%d:rw:%s",
			 dirs[i].sock, dirs[i].sandbox);
		bargv[n++] = "--mount";
		bargv[n++] = mounts[i];
		keep[nkeep++] = dirs[i].sock;
	}
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
	/* The log fd is kept only when it is not stderr. */
	if (log_get_fd() == 2)
		keep[1] = keep[--nkeep];
	pid = runsc_reexec(bargv, keep, nkeep);
	free(bargv);
	return pid;
}

struct do_opts {
	const char *hostname;
	char cwd[4096];
	bool overlay;
	struct rw_dir dirs[DO_MAX_DIRS];
	int ndirs;
};

/* Parse the flags before the command; optind is left at the command.
 * 0, or runsc_usage_error's status. */
static int parse_opts(int argc, char **argv, struct do_opts *o)
{
	static const struct option opts[] = {
		{ "cwd", required_argument, NULL, 'c' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "rw-dir", required_argument, NULL, 'w' },
		{ "no-overlay", no_argument, NULL, 'O' },
		{ 0, 0, 0, 0 },
	};
	int c, err;

	o->hostname = NULL;
	o->overlay = true;
	o->ndirs = 0;
	if (!getcwd(o->cwd, sizeof(o->cwd)))
		strcpy(o->cwd, "/");
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (strlen(optarg) >= sizeof(o->cwd))
				return runsc_usage_error("do: --cwd too long");
			strcpy(o->cwd, optarg);
			break;
		case 'h':
			o->hostname = optarg;
			break;
		case 'w':
			if (o->ndirs == DO_MAX_DIRS)
				return runsc_usage_error("do: too many --rw-dir");
			err = parse_rw_dir(optarg, &o->dirs[o->ndirs]);
			if (err)
				return err;
			o->dirs[o->ndirs++].gofer = -1;
			break;
		case 'O':
			o->overlay = false;
			break;
		default:
			return runsc_usage_error("do: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return runsc_usage_error("do: no command given");
	return 0;
}

/*
 * Wait for the Sentry, passing on every signal runsc gets (sigfwd.h) to
 * it, whose host-signal thread delivers it to the first process; its
 * wait status. A terminal's signals are not passed on: the Sentry is in
 * our process group and got them itself (and sends them to the
 * console's foreground process group), but for ^Z, which stopped it (the
 * job of the user's shell we both are) and stops us too, so that the
 * shell sees the job stopped.
 */
static int wait_sentry(pid_t sentry, int wake)
{
	struct pollfd p = { .fd = wake, .events = POLLIN };
	int status;

	for (;;) {
		bool from_tty;
		pid_t r;
		int sig;

		sigfwd_clear();
		r = waitpid(sentry, &status, WNOHANG);

		if (r == sentry || (r < 0 && errno != EINTR))
			break;
		while ((sig = sigfwd_next(&from_tty))) {
			if (!from_tty)
				kill(sentry, sig);
			else if (sig == SIGTSTP || sig == SIGTTIN ||
				 sig == SIGTTOU)
				raise(SIGSTOP);
		}
		if (r == 0)
			poll(&p, 1, -1);
	}
	return status;
}

int cmd_do(const struct global_opts *g, int argc, char **argv)
{
	static struct do_opts o;
	int sv[2], status, err, wake;
	pid_t gofer, sentry = -1;

	err = parse_opts(argc, argv, &o);
	if (err)
		return err;
	/* Its own name, unless it shares the host's network: then the
	 * host's, which the host's /etc/hosts (seen inside) resolves. */
	if (!o.hostname) {
		static struct utsname u;

		o.hostname = "cvisor";
		if (strcmp(g->network, "host") == 0 && uname(&u) == 0)
			o.hostname = u.nodename;
	}
	/* Caught from the start: a signal during start-up is passed on once
	 * the Sentry is there. The handlers go back to the defaults in the
	 * processes runsc starts (exec). */
	wake = sigfwd_install();
	if (wake < 0) {
		fprintf(stderr, "runsc: signals: %m\n");
		return 1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "runsc: socketpair: %m\n");
		return 1;
	}
	/* The root is always served read-only: the overlay keeps every
	 * write in memory. */
	gofer = start_gofer(sv[0], "/", false);
	close(sv[0]);
	err = gofer < 0 ? (int)gofer : start_dir_gofers(o.dirs, o.ndirs);
	if (!err) {
		sentry = start_sentry(g, sv[1], o.cwd, o.hostname, o.overlay,
				      o.dirs, o.ndirs, argc - optind,
				      argv + optind);
		err = sentry < 0 ? (int)sentry : 0;
	}
	close(sv[1]);
	for (int i = 0; i < o.ndirs; i++)
		if (o.dirs[i].gofer > 0)
			close(o.dirs[i].sock);
	if (err) {
		fprintf(stderr, "runsc: starting the sandbox: %s\n",
			strerror(-err));
		status = 1 << 8;
	} else {
		status = wait_sentry(sentry, wake);
	}
	/* A Gofer ends when the Sentry's end of its socket closes; make
	 * sure of it so nothing outlives the sandbox. */
	stop_gofer(gofer);
	for (int i = 0; i < o.ndirs; i++)
		stop_gofer(o.dirs[i].gofer);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
