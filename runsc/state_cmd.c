/* SPDX-License-Identifier: Apache-2.0 */
/* state_cmd.c: `runsc state ID`: the OCI state JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "runsc/oci/state.h"
#include "runsc/runsc.h"

int cmd_state(const struct global_opts *g, int argc, char **argv)
{
	struct container_state st;
	runsc_error_t err = NULL;
	char *s;

	if (argc != 2 || argv[1][0] == '-')
		return runsc_usage_error("state: expects exactly one container id");
	if (state_load(g->root, argv[1], &st, &err))
		return runsc_error_report(&err);
	s = state_json(&st, true);
	printf("%s\n", s ? s : "{}");
	free(s);
	state_free(&st);
	return 0;
}
