/* SPDX-License-Identifier: Apache-2.0 */
/* kill.c: `runsc kill [--all] ID [SIGNAL]`: signal the container's first
 * process (default SIGTERM), or every process with --all. */
#include <getopt.h>

#include "lib/log.h"
#include "runsc/oci/sandbox.h"
#include "runsc/runsc.h"

int cmd_kill(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },
		{ 0, 0, 0, 0 },
	};
	runsc_error_t err = NULL;
	bool all = false;
	int c, sig = 15;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'p': log_debug("kill: ignoring --pid"); break;
		default:
			return runsc_usage_error("kill: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind != argc - 1 && optind != argc - 2)
		return runsc_usage_error("kill: expects a container id and an optional signal");
	if (optind == argc - 2) {
		sig = sandbox_parse_signal(argv[optind + 1]);
		if (sig < 0)
			return runsc_usage_error("kill: unknown signal '%s'",
						 argv[optind + 1]);
	}
	if (sandbox_kill(g, argv[optind], sig, all, &err))
		return runsc_error_report(&err);
	return 0;
}
