/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: runsc's entry point: global flags, then one subcommand.
 *
 * Global flags come before the command, as with runc. An unknown flag or
 * command is a one-line error and exit status 2.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lib/log.h"
#include "runsc/runsc.h"

enum {
	OPT_ROOT = 256,
	OPT_PLATFORM,
	OPT_NETWORK,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG_LOG,
	OPT_DEBUG,
	OPT_STRACE,
	OPT_VERSION,
	OPT_SYSTEMD_CGROUP,
	OPT_RUNC_IGNORED,       /* runc's, taking a value, meaningless here */
	OPT_RUNC_IGNORED_FLAG,  /* runc's, without a value */
};

static const struct option global_options[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "debug-log", required_argument, NULL, OPT_DEBUG_LOG },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "strace", no_argument, NULL, OPT_STRACE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
	{ "criu", required_argument, NULL, OPT_RUNC_IGNORED },
	{ "rootless", required_argument, NULL, OPT_RUNC_IGNORED },
	{ 0, 0, 0, 0 },
};

static int print_version(void)
{
	printf("runsc version %s (cvisor)\nspec: 1.0.2\n", PACKAGE_VERSION);
	return 0;
}

/* Check the values of global flags before any command runs. */
static int check_globals(const struct global_opts *g)
{
	if (strcmp(g->platform, "ptrace") != 0)
		return runsc_usage_error("unknown platform '%s' (have: ptrace)",
					 g->platform);
	if (strcmp(g->network, "none") != 0 && strcmp(g->network, "host") != 0)
		return runsc_usage_error("unknown network mode '%s' (have: none, host)",
					 g->network);
	if (strcmp(g->log_format, "text") != 0 &&
	    strcmp(g->log_format, "json") != 0)
		return runsc_usage_error("unknown log format '%s' (have: text, json)",
					 g->log_format);
	return 0;
}

/* Open the log destinations the flags name. */
static int setup_logging(const struct global_opts *g)
{
	const char *path = g->debug_log ? g->debug_log : g->log;

	log_set_tag("runsc");
	log_set_json(strcmp(g->log_format, "json") == 0);
	if (g->debug)
		log_set_level(LOG_DEBUG);
	if (path) {
		int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0644);

		if (fd < 0) {
			fprintf(stderr, "runsc: cannot open log %s: %m\n", path);
			return 1;
		}
		log_set_fd(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct global_opts g = {
		.root = "/run/cvisor",
		.platform = "ptrace",
		.network = "none",
		.log_format = "text",
	};
	const struct command *cmd;
	const char *ignored[8];
	int c, rc, nignored = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", global_options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: g.root = optarg; break;
		case OPT_PLATFORM: g.platform = optarg; break;
		case OPT_NETWORK: g.network = optarg; break;
		case OPT_LOG: g.log = optarg; break;
		case OPT_LOG_FORMAT: g.log_format = optarg; break;
		case OPT_DEBUG_LOG: g.debug_log = optarg; break;
		case OPT_DEBUG: g.debug = true; break;
		case OPT_STRACE: g.strace = true; break;
		case OPT_SYSTEMD_CGROUP: g.systemd_cgroup = true; break;
		case OPT_RUNC_IGNORED:
		case OPT_RUNC_IGNORED_FLAG:
			/* Logged once the log is open. */
			if (nignored < 8)
				ignored[nignored++] = argv[optind - (c == OPT_RUNC_IGNORED ? 2 : 1)];
			break;
		case 'v':
		case OPT_VERSION: return print_version();
		case 'h': return cmd_help(&g, 1, argv);
		case ':':
			return runsc_usage_error("flag '%s' needs a value",
						 argv[optind - 1]);
		default:
			return runsc_usage_error("unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return runsc_usage_error("no command given (try 'runsc help')");
	rc = check_globals(&g);
	if (rc)
		return rc;
	cmd = runsc_find_command(argv[optind]);
	if (!cmd)
		return runsc_usage_error("unknown command '%s' (try 'runsc help')",
					 argv[optind]);
	rc = setup_logging(&g);
	if (rc)
		return rc;
	for (int i = 0; i < nignored; i++)
		log_debug("ignoring runc flag %s", ignored[i]);
	return cmd->run(&g, argc - optind, argv + optind);
}
