/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot_cmd.c: `runsc boot` (internal): become the Sentry of a sandbox and
 * run the command after `--` (runsc do), or the process of an OCI config
 * (runsc create: --config and the fds runsc made); exit with its status
 * (128+N when signal N killed it).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "runsc/oci/boot_config.h"
#include "runsc/oci/confine.h"
#include "runsc/reexec.h"
#include "runsc/runsc.h"
#include "sentry/boot/boot.h"
#include "sentry/vfs/vfs.h"

extern char **environ;

/* "3,4,5" into fds; how many, or -1. */
static int parse_fd_list(const char *s, int *fds, int max)
{
	int n = 0;

	while (s && *s) {
		char buf[16];
		size_t len = strcspn(s, ",");

		if (n >= max || len == 0 || len >= sizeof(buf))
			return -1;
		memcpy(buf, s, len);
		buf[len] = 0;
		if ((fds[n++] = runsc_parse_fd(buf)) < 0)
			return -1;
		s += len + (s[len] == ',');
	}
	return n;
}

/* "2:5,4:6" (config mount index : its Gofer's fd) into the arrays; how
 * many, or -1. */
static int parse_mount_fds(const char *s, size_t *idx, int *fds, int max)
{
	int n = 0;

	while (s && *s) {
		char buf[32], *colon;
		size_t len = strcspn(s, ",");
		int i;

		if (n >= max || len == 0 || len >= sizeof(buf))
			return -1;
		memcpy(buf, s, len);
		buf[len] = 0;
		colon = strchr(buf, ':');
		if (!colon)
			return -1;
		*colon = 0;
		i = runsc_parse_fd(buf);
		fds[n] = runsc_parse_fd(colon + 1);
		if (i < 0 || fds[n] < 0)
			return -1;
		idx[n++] = (size_t)i;
		s += len + (s[len] == ',');
	}
	return n;
}

/* Tell runsc create why the sandbox cannot start (it prints it). */
static int fail_sync(int sync, runsc_error_t *err)
{
	const char *msg = *err && (*err)->msg ? (*err)->msg : "error";

	if (sync < 0 || write(sync, msg, strlen(msg)) < 0)
		return runsc_error_report(err);
	runsc_error_release(err);
	return 127;
}

/* OCI mode: wait for runsc to place us in the cgroup, read the config,
 * confine, describe the sandbox. */
static int oci_prepare(const char *config, const char *mount_fds,
		       const char *stdio_fds, bool confine,
		       struct sentry_config *cfg, struct oci_config *oci)
{
	int gofers[64], ngofers, stdio[3] = { 0, 1, 2 };
	size_t gofer_mounts[64];
	runsc_error_t err = NULL;
	char go;

	if (cfg->sync_fd >= 0 && read(cfg->sync_fd, &go, 1) != 1)
		return 127; /* runsc create is gone */
	ngofers = parse_mount_fds(mount_fds, gofer_mounts, gofers, 64);
	if (ngofers < 0 || (stdio_fds && parse_fd_list(stdio_fds, stdio, 3) != 3)) {
		runsc_error_make(&err, 0, "boot: bad fd list");
		return fail_sync(cfg->sync_fd, &err);
	}
	if (oci_config_load(config, NULL, oci, &err) ||
	    oci_boot_config(oci, gofer_mounts, gofers, (size_t)ngofers, stdio,
			    cfg, &err))
		return fail_sync(cfg->sync_fd, &err);
	/* Read the time zone while files can still be opened (log lines). */
	tzset();
	if (confine && confine_sentry(&err))
		return fail_sync(cfg->sync_fd, &err);
	/* A pty of the container's own (--console-socket) becomes the
	 * controlling terminal of the Sentry, a session leader now: the host
	 * sends it that terminal's job control (^C from the console's owner,
	 * a resize, a hangup), which hostsig.c passes to the console's
	 * foreground process group. A terminal that is another session's
	 * (runsc run at a terminal) stays so (EPERM): runsc passes those on. */
	if (isatty(stdio[0]) && ioctl(stdio[0], TIOCSCTTY, 0) < 0)
		log_debug("console: not the sandbox's controlling terminal: %m");
	return 0;
}

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
	m->kind = SENTRY_MOUNT_GOFER;
	m->gofer_fd = runsc_parse_fd(arg);
	m->writable = strcmp(mode, "rw") == 0;
	m->dest = path;
	m->flags = MNT_NODEV | (m->writable ? 0 : MNT_RDONLY);
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
		{ "config", required_argument, NULL, 'C' },
		{ "mount-fds", required_argument, NULL, 'm' },
		{ "control-fd", required_argument, NULL, 'k' },
		{ "sync-fd", required_argument, NULL, 's' },
		{ "stdio-fds", required_argument, NULL, 'i' },
		{ "confine", no_argument, NULL, 'X' },
		{ "mount", required_argument, NULL, 'M' },
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
		.control_fd = -1,
		.sync_fd = -1,
		.network_host = strcmp(g->network, "host") == 0,
	};
	const char *config = NULL, *mount_fds = NULL, *stdio_fds = NULL;
	static struct sentry_mount do_mounts[SENTRY_MAX_MOUNTS];
	size_t ndo_mounts = 0;
	struct oci_config oci;
	bool confine = false;
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
		case 'C':
			config = optarg;
			break;
		case 'm':
			mount_fds = optarg;
			break;
		case 'k':
			cfg.control_fd = runsc_parse_fd(optarg);
			break;
		case 's':
			cfg.sync_fd = runsc_parse_fd(optarg);
			break;
		case 'i':
			stdio_fds = optarg;
			break;
		case 'X':
			confine = true;
			break;
		case 'M':
			if (ndo_mounts == SENTRY_MAX_MOUNTS)
				return runsc_usage_error("boot: too many mounts");
			if (parse_mount(optarg, &do_mounts[ndo_mounts]))
				return runsc_usage_error("boot: bad --mount '%s'",
							 optarg);
			ndo_mounts++;
			break;
		case 'O':
			cfg.no_overlay = true;
			break;
		default:
			return runsc_usage_error("boot: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (cfg.gofer_fd < 0 || (!config && optind >= argc))
		return runsc_usage_error("boot: --gofer-fd and a command or --config are required");
	if (config) {
		/* An OCI container outlives the runsc that created it. */
		int rc = oci_prepare(config, mount_fds, stdio_fds, confine, &cfg,
				     &oci);

		if (rc)
			return rc;
	} else {
		/* The sandbox dies with whoever started it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		cfg.argv = argv + optind;
		cfg.envp = environ;
		cfg.mounts = do_mounts;
		cfg.nmounts = ndo_mounts;
	}
	status = sentry_boot(&cfg);
	if (status < 0)
		return 127;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
