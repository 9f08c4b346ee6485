/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ps.c: `runsc ps [--format table|json] ID`: with json, the host pids of
 * the container (its cgroup's processes: Sentry, stubs, Gofers), as runc
 * prints them; as a table, the processes inside the sandbox.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "runsc/oci/cgroup.h"
#include "runsc/oci/control_client.h"
#include "runsc/oci/state.h"
#include "runsc/runsc.h"

static int print_json(const struct container_state *st)
{
	size_t n;
	pid_t *pids = cgroup_pids(st->cgroup, &n);

	printf("[");
	if (!pids) {
		/* No cgroup: the processes runsc knows of. */
		printf("%d", (int)st->pid);
		for (unsigned i = 0; i < st->ngofers; i++)
			printf(",%d", (int)st->gofers[i]);
	}
	for (size_t i = 0; pids && i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	printf("]\n");
	free(pids);
	return 0;
}

int cmd_ps(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ 0, 0, 0, 0 },
	};
	struct ctl_req req = { .op = CTL_PS };
	struct container_state st;
	struct ctl_reply rep;
	runsc_error_t err = NULL;
	cleanup_free char *out = NULL;
	cleanup_close int fd = -1;
	bool json = false;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:", opts, NULL)) != -1) {
		if (c != 'f' || (strcmp(optarg, "json") && strcmp(optarg, "table")))
			return runsc_usage_error("ps: bad flag '%s'", argv[optind - 1]);
		json = !strcmp(optarg, "json");
	}
	if (optind != argc - 1)
		return runsc_usage_error("ps: expects exactly one container id");
	if (state_load(g->root, argv[optind], &st, &err))
		return runsc_error_report(&err);
	if (!strcmp(state_status(&st), "stopped")) {
		state_free(&st);
		runsc_error_make(&err, 0, "container not running");
		return runsc_error_report(&err);
	}
	if (json) {
		print_json(&st);
		state_free(&st);
		return 0;
	}
	state_free(&st);
	fd = ctl_connect(g->root, argv[optind], &err);
	if (fd < 0 || ctl_call(fd, &req, NULL, 0, NULL, 0, &rep, &out, &err))
		return runsc_error_report(&err);
	printf("%-8s %-8s %-8s %-5s %s\n", "UID", "PID", "PPID", "STAT", "CMD");
	for (char *line = out ? strtok(out, "\n") : NULL; line;
	     line = strtok(NULL, "\n")) {
		int pid, ppid;
		unsigned uid;
		char stat, comm[32] = "";

		if (sscanf(line, "%d %d %u %c %31[^\n]", &pid, &ppid, &uid, &stat,
			   comm) >= 4)
			printf("%-8u %-8d %-8d %-5c %s\n", uid, pid, ppid, stat, comm);
	}
	return 0;
}
