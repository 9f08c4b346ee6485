/* SPDX-License-Identifier: Apache-2.0 */
/* help.c: `runsc help [COMMAND]`. */
#include <stdio.h>

#include "runsc/runsc.h"

static void print_overview(void)
{
	printf("usage: runsc [GLOBAL FLAGS] COMMAND [ARGS]\n\n"
	       "cvisor's OCI runtime: runs containers in a user-space kernel.\n\n"
	       "Commands:\n");
	for (unsigned i = 0; i < runsc_ncommands; i++)
		if (!runsc_commands[i].hidden)
			printf("  %-10s %s\n", runsc_commands[i].name,
			       runsc_commands[i].summary);
	printf("\nGlobal flags:\n"
	       "  --root DIR          container state directory\n"
	       "  --platform NAME     how guest code is trapped (ptrace)\n"
	       "  --network MODE      none | host\n"
	       "  --strace            print the sandbox's system calls\n"
	       "  --debug             log debug messages\n"
	       "  --debug-log FILE    where debug messages go\n"
	       "  --log FILE          where runsc logs go\n"
	       "  --log-format FMT    text | json\n"
	       "  --version, -v       print the version\n"
	       "\nRun 'runsc help COMMAND' for a command's flags.\n");
}

int cmd_help(const struct global_opts *g, int argc, char **argv)
{
	const struct command *c;

	(void)g;
	if (argc <= 1) {
		print_overview();
		return 0;
	}
	if (argc > 2)
		return runsc_usage_error("help: too many arguments");
	c = runsc_find_command(argv[1]);
	if (!c)
		return runsc_usage_error("help: unknown command '%s'", argv[1]);
	printf("usage: runsc %s %s\n\n%s\n", c->name, c->usage, c->summary);
	return 0;
}
