/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofer_cmd.c: `runsc gofer` (internal): serve a directory tree (--root
 * DIR), or one file runsc opened (--root-fd FD, the bind mount of a host
 * file), to one Sentry over the socket it was given, under the Gofer's
 * seccomp filter: read-only (spec/seccomp/gofer.yaml) unless --rw asks
 * for a writable tree (spec/seccomp/gofer_rw.yaml).
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gofer/server.h"
#include "lib/log.h"
#include "lib/seccomp_filter.h"
#include "runsc/oci/confine.h"
#include "runsc/reexec.h"
#include "runsc/runsc.h"

int cmd_gofer(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "root-fd", required_argument, NULL, 'f' },
		{ "sock-fd", required_argument, NULL, 's' },
		{ "confine", no_argument, NULL, 'X' },
		{ "rw", no_argument, NULL, 'w' },
		{ 0, 0, 0, 0 },
	};
	struct gofer_options go = GOFER_OPTIONS_INIT;
	const char *root = NULL;
	int sock = -1, c, rootfd = -1, file_fd = -1, err;
	bool confine = false;

	(void)g;
	log_set_tag("gofer");
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'f':
			file_fd = runsc_parse_fd(optarg);
			if (file_fd < 0)
				return runsc_usage_error("gofer: bad --root-fd");
			break;
		case 's':
			sock = runsc_parse_fd(optarg);
			break;
		case 'X':
			confine = true;
			break;
		case 'w':
			go.writable = true;
			break;
		default:
			return runsc_usage_error("gofer: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (!root == (file_fd < 0) || sock < 0)
		return runsc_usage_error("gofer: --sock-fd and one of --root, --root-fd are required");
	/* The Gofer dies with the process that started it, unless it serves
	 * an OCI container (--confine), which outlives runsc create: then it
	 * ends when the Sentry hangs up. */
	if (!confine)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A session of its own: a terminal's ^C or hangup is for the
	 * container (runsc forwards it), never for its file server. */
	setsid();
	/* Opened by this process, before its root changes: OPEN reopens
	 * nodes through it. */
	go.proc_self_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (go.proc_self_fd < 0) {
		log_error("cannot open /proc/self/fd: %m");
		return 1;
	}
	tzset();
	if (file_fd >= 0) {
		struct stat st;

		/* runsc decided this is a regular file; make sure the fd
		 * still is one before serving it. */
		if (fstat(file_fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			log_error("--root-fd %d: not a regular file", file_fd);
			return 1;
		}
	}
	if (confine) {
		runsc_error_t cerr = NULL;

		if (file_fd >= 0
			    ? confine_gofer_file(file_fd, !go.writable, &cerr)
			    : confine_gofer(root, !go.writable, &cerr))
			return runsc_error_report(&cerr);
		if (file_fd >= 0) {
			/* From here on the file is its bind in our own
			 * (read-only when asked) mount, not runsc's fd. */
			close(file_fd);
			file_fd = open("/" CONFINE_GOFER_FILE,
				       O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (file_fd < 0) {
				log_error("cannot open the served file: %m");
				return 1;
			}
		}
		root = "/";
	}
	if (file_fd >= 0)
		rootfd = file_fd;
	else
		rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		log_error("cannot open root %s: %m", root);
		return 1;
	}
	/* Each node the Sentry holds is one fd of ours. */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur < GOFER_DEFAULT_MAX_NODES + 64)
			go.max_nodes = rl.rlim_cur > 128 ? (uint32_t)rl.rlim_cur - 64
							 : 64;
	}
	/* Time zone data was read above: the filter forbids it later (JSON
	 * log timestamps). */
	/* Only a writable Gofer gets the write syscalls at all. */
	err = seccomp_filter_load(go.writable ? &seccomp_filter_gofer_rw
					      : &seccomp_filter_gofer);
	if (err) {
		log_error("cannot install the seccomp filter: %s", strerror(-err));
		return 1;
	}
	err = gofer_serve(sock, rootfd, &go);
	return err ? 1 : 0;
}
