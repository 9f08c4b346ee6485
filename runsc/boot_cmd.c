/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot_cmd.c: `runsc boot` (internal): become the Sentry of a sandbox and
 * run the command after `--`; exit with its status (128+N when signal N
 * killed it), as `runsc do` reports it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "runsc/reexec.h"
#include "runsc/runsc.h"
#include "sentry/boot/boot.h"

extern char **environ;

/* --mount FD:ro|rw:PATH (from runsc do): a host directory's Gofer on FD,
 * mounted at PATH in the sandbox. 0, or -1 when malformed. */
static int parse_mount(char *arg, struct sentry_mount *m)
{
	char *mode = strchr(arg, ':'), *path;

	if (!mode)
		return -1;
	*mode++ = '\0';
	path = strchr(mode, ':');
	if (!path)
		return -1;
	*path++ = '\0';
	m->gofer_fd = runsc_parse_fd(arg);
	m->writable = strcmp(mode, "rw") == 0;
	m->path = path;
	if (m->gofer_fd < 0 || (!m->writable && strcmp(mode, "ro")) ||
	    path[0] != '/')
		return -1;
	return 0;
}

int cmd_boot(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gofer-fd", required_argument, NULL, 'g' },
		{ "cwd", required_argument, NULL, 'c' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "log-fd", required_argument, NULL, 'l' },
		{ "no-seccomp", no_argument, NULL, 'S' },
		{ "mount", required_argument, NULL, 'm' },
		{ "no-overlay", no_argument, NULL, 'O' },
		{ 0, 0, 0, 0 },
	};
	struct sentry_config cfg = {
		.gofer_fd = -1,
		.stdio = { 0, 1, 2 },
		.cwd = "/",
		.hostname = "cvisor",
		.strace = g->strace,
		.strace_fd = 2,
	};
	int c, status;

	log_set_tag("sentry");
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			cfg.gofer_fd = runsc_parse_fd(optarg);
			break;
		case 'c':
			cfg.cwd = optarg;
			break;
		case 'h':
			cfg.hostname = optarg;
			break;
		case 'l':
			log_set_fd(runsc_parse_fd(optarg));
			cfg.strace_fd = log_get_fd();
			break;
		case 'S':
			cfg.no_seccomp = true;
			break;
		case 'm':
			if (cfg.nmounts == SENTRY_MAX_MOUNTS)
				return runsc_usage_error("boot: too many mounts");
			if (parse_mount(optarg, &cfg.mounts[cfg.nmounts]))
				return runsc_usage_error("boot: bad --mount '%s'",
							 optarg);
			cfg.nmounts++;
			break;
		case 'O':
			cfg.no_overlay = true;
			break;
		default:
			return runsc_usage_error("boot: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (cfg.gofer_fd < 0 || optind >= argc)
		return runsc_usage_error("boot: --gofer-fd and a command are required");
	/* The sandbox dies with whoever started it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	cfg.argv = argv + optind;
	cfg.envp = environ;
	status = sentry_boot(&cfg);
	if (status < 0)
		return 127;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
