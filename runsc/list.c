/* SPDX-License-Identifier: Apache-2.0 */
/* list.c: `runsc list [--format table|json] [--quiet]`: the containers
 * under --root, as runc lists them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/oci/state.h"
#include "runsc/runsc.h"

int cmd_list(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0, 0, 0, 0 },
	};
	bool json = false, quiet = false;
	size_t n;
	char **ids;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = true;
			else if (strcmp(optarg, "table"))
				return runsc_usage_error("list: invalid format '%s'",
							 optarg);
			break;
		case 'q': quiet = true; break;
		default:
			return runsc_usage_error("list: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	ids = state_list(g->root, &n);
	if (json)
		printf("[");
	else if (!quiet)
		printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS",
		       "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		struct container_state st;
		runsc_error_t err = NULL;
		char *s;

		if (state_load(g->root, ids[i], &st, &err)) {
			runsc_error_release(&err);
			continue;
		}
		if (quiet && !json) {
			printf("%s\n", st.id);
		} else if (json) {
			s = state_json(&st, false);
			printf("%s%s", i ? "," : "", s ? s : "{}");
			free(s);
		} else {
			const char *status = state_status(&st);

			printf("%-12s %-10d %-10s %-40s %-30s %s\n", st.id,
			       strcmp(status, "stopped") ? st.pid : 0, status,
			       st.bundle, st.created, st.owner ? "?" : "root");
		}
		state_free(&st);
		free(ids[i]);
	}
	if (json)
		printf("]\n");
	free(ids);
	return 0;
}
