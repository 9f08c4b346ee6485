/* SPDX-License-Identifier: Apache-2.0 */
/* wait.c: `runsc wait [--pid PID] ID`: wait for the container's first
 * process (or an exec'd one) and print {"id":..,"exitStatus":N}. */
#include <getopt.h>
#include <stdio.h>

#include "runsc/oci/sandbox.h"
#include "runsc/reexec.h"
#include "runsc/runsc.h"

int cmd_wait(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ 0, 0, 0, 0 },
	};
	runsc_error_t err = NULL;
	int c, pid = 0, status;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'p' || (pid = runsc_parse_fd(optarg)) < 0)
			return runsc_usage_error("wait: bad flag '%s'",
						 argv[optind - 1]);
	}
	if (optind != argc - 1)
		return runsc_usage_error("wait: expects exactly one container id");
	if (sandbox_wait(g, argv[optind], pid, &status, &err))
		return runsc_error_report(&err);
	printf("{\"id\":\"%s\",\"exitStatus\":%d}\n", argv[optind],
	       sandbox_exit_code(status));
	return 0;
}
