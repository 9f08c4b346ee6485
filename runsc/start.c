/* SPDX-License-Identifier: Apache-2.0 */
/* start.c: `runsc start ID`: run the process of a created container. */
#include "runsc/oci/sandbox.h"
#include "runsc/runsc.h"

int cmd_start(const struct global_opts *g, int argc, char **argv)
{
	runsc_error_t err = NULL;

	if (argc != 2 || argv[1][0] == '-')
		return runsc_usage_error("start: expects exactly one container id");
	if (sandbox_start(g, argv[1], &err))
		return runsc_error_report(&err);
	return 0;
}
