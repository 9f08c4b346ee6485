/* SPDX-License-Identifier: Apache-2.0 */
/* delete.c: `runsc delete [--force] ID`: remove a stopped (or created)
 * container; --force kills a running one first. */
#include <getopt.h>
#include <string.h>

#include "runsc/oci/sandbox.h"
#include "runsc/runsc.h"

int cmd_delete(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ 0, 0, 0, 0 },
	};
	struct container_state st;
	runsc_error_t err = NULL;
	bool force = false;
	const char *status;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return runsc_usage_error("delete: unknown flag '%s'",
						 argv[optind - 1]);
		force = true;
	}
	if (optind != argc - 1)
		return runsc_usage_error("delete: expects exactly one container id");
	if (state_load(g->root, argv[optind], &st, &err)) {
		if (force) {
			/* Nothing to delete is not an error with --force. */
			runsc_error_release(&err);
			return 0;
		}
		return runsc_error_report(&err);
	}
	status = state_status(&st);
	if (!force && !strcmp(status, "running")) {
		runsc_error_make(&err, 0,
				 "cannot delete container %s that is not stopped: %s",
				 st.id, status);
		state_free(&st);
		return runsc_error_report(&err);
	}
	rc = sandbox_destroy(g, &st);
	state_free(&st);
	if (rc) {
		runsc_error_make(&err, rc, "removing the state of %s", argv[optind]);
		return runsc_error_report(&err);
	}
	return 0;
}
