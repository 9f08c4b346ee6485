/* SPDX-License-Identifier: Apache-2.0 */
/* create.c: `runsc create [--bundle DIR] [--pid-file F] [--console-socket S]
 * ID`: a container ready to start (runc create). */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>

#include "lib/log.h"
#include "runsc/oci/sandbox.h"
#include "runsc/runsc.h"

int runsc_create_opts(const char *cmd, int argc, char **argv,
		      struct sandbox_create_opts *o, bool *detach,
		      char *bundle_buf)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "detach", no_argument, NULL, 'd' },
		/* runc's, meaningless for a sandbox: accepted. */
		{ "no-pivot", no_argument, NULL, 'I' },
		{ "no-new-keyring", no_argument, NULL, 'I' },
		{ "preserve-fds", required_argument, NULL, 'I' },
		{ "keep", no_argument, NULL, 'I' },
		{ "no-subreaper", no_argument, NULL, 'I' },
		{ 0, 0, 0, 0 },
	};
	const char *bundle = ".";
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:d", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bundle = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'c': o->console_socket = optarg; break;
		case 'd':
			if (!detach)
				return runsc_usage_error("%s: unknown flag '-d'", cmd);
			*detach = true;
			break;
		case 'I':
			log_debug("%s: ignoring runc flag %s", cmd, argv[optind - 1]);
			break;
		default:
			return runsc_usage_error("%s: unknown flag '%s'", cmd,
						 argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return runsc_usage_error("%s: expects exactly one container id", cmd);
	o->id = argv[optind];
	if (!realpath(bundle, bundle_buf))
		return runsc_usage_error("%s: bundle %s: %m", cmd, bundle);
	o->bundle = bundle_buf;
	return 0;
}

int cmd_create(const struct global_opts *g, int argc, char **argv)
{
	struct sandbox_create_opts o = { 0 };
	struct container_state st;
	runsc_error_t err = NULL;
	char bundle[PATH_MAX];
	int rc = runsc_create_opts("create", argc, argv, &o, NULL, bundle);

	if (rc)
		return rc;
	if (sandbox_create(g, &o, &st, NULL, &err))
		return runsc_error_report(&err);
	state_free(&st);
	return 0;
}
