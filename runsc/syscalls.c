/* SPDX-License-Identifier: Apache-2.0 */
/* syscalls.c: `runsc syscalls`: the Sentry's syscall table, from the spec. */
#include <getopt.h>
#include <stdio.h>

#include "gen/syscall_names.h"
#include "runsc/runsc.h"

int cmd_syscalls(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unsupported", no_argument, NULL, 'u' },
		{ 0, 0, 0, 0 },
	};
	int only_unsupported = 0, c;

	(void)g;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'u')
			only_unsupported = 1;
		else
			return runsc_usage_error("syscalls: unknown flag '%s'",
						 argv[optind - 1]);
	}
	if (optind < argc)
		return runsc_usage_error("syscalls: unexpected argument '%s'",
					 argv[optind]);
	for (size_t i = 0; i < syscall_table_size; i++) {
		const struct syscall_entry *e = syscall_lookup(i);

		if (!e || (only_unsupported && e->status != SYSCALL_UNSUPPORTED))
			continue;
		printf("%3d %-24s %s\n", e->nr, e->name,
		       syscall_status_name(e->status));
	}
	return 0;
}
