/* SPDX-License-Identifier: Apache-2.0 */
/* commands.c: the table of runsc's subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runsc/runsc.h"

const struct command runsc_commands[] = {
	{ "help", "show help for runsc or one of its commands", "[COMMAND]",
	  cmd_help, false },
	{ "do", "run a command in a sandbox whose root is the host's /",
	  "[--cwd DIR] [--hostname NAME] [--rw-dir HOSTDIR:SANDBOXDIR]... [--no-overlay]\n"
	  "          COMMAND [ARG...]\n"
	  "  The command gets runsc's resource limits and umask.\n"
	  "  Signals runsc gets (but SIGCHLD and SIGURG) go to the command, which\n"
	  "  is pid 1: as a pid namespace's init, it ignores those it has no\n"
	  "  handler for, but SIGKILL and SIGSTOP.\n"
	  "  --cwd DIR        working directory in the sandbox (default: the current one)\n"
	  "  --hostname NAME  the sandbox's host name (default: cvisor; the host's\n"
	  "                   under --network=host); /etc/hostname, and under\n"
	  "                   --network=none /etc/hosts and /etc/resolv.conf, agree\n"
	  "  --rw-dir HOSTDIR:SANDBOXDIR\n"
	  "                   mount the host directory HOSTDIR writable at SANDBOXDIR:\n"
	  "                   writes there reach the host (repeatable)\n"
	  "  --no-overlay     the root read-only, without the memory overlay that\n"
	  "                   otherwise takes the sandbox's writes (and drops them\n"
	  "                   at the end)",
	  cmd_do, false },
	{ "spec", "write a default config.json", "[--bundle DIR]", cmd_spec,
	  false },
	{ "create", "create a container from a bundle",
	  "[--bundle DIR] [--pid-file FILE] [--console-socket SOCK] ID",
	  cmd_create, false },
	{ "start", "start a created container", "ID", cmd_start, false },
	{ "run", "create and start a container, and wait for it",
	  "[--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--detach] ID\n"
	  "  In the foreground every signal runsc gets but SIGCHLD and SIGURG goes\n"
	  "  to the container's first process; a terminal's (^C, ^Z, a resize:\n"
	  "  SIGWINCH) to the foreground process group of the container's\n"
	  "  terminal. With process.terminal and no --console-socket the\n"
	  "  container shares the terminal runsc is on.",
	  cmd_run, false },
	{ "exec", "run a new process in a running container",
	  "[--process FILE] [--tty] [--detach] [--pid-file FILE] [--cwd DIR]\n"
	  "       [--env K=V]... [--user UID[:GID]] [--additional-gids GID]...\n"
	  "       [--cap CAP]... [--no-new-privs] [--console-socket SOCK] ID [COMMAND ARG...]\n"
	  "  The process has the capabilities of process.json (--process) or of the\n"
	  "  container's process; each --cap adds one (bounding, effective,\n"
	  "  permitted; ambient too when the inheritable set is not empty).\n"
	  "  Signals runsc gets are passed on to it.",
	  cmd_exec, false },
	{ "kill", "send a signal to a container", "[--all] ID [SIGNAL]", cmd_kill,
	  false },
	{ "delete", "remove a container", "[--force] ID", cmd_delete, false },
	{ "state", "print a container's OCI state", "ID", cmd_state, false },
	{ "list", "list containers", "[--format table|json] [--quiet]", cmd_list,
	  false },
	{ "ps", "list a container's processes",
	  "[--format table|json] ID", cmd_ps, false },
	{ "wait", "wait for a container (or --pid PID in it) to exit",
	  "[--pid PID] ID\n"
	  "  Prints {\"id\":ID,\"exitStatus\":N}. If the sandbox dies under the wait\n"
	  "  (its Sentry killed), N is 137: its processes died as by SIGKILL. A\n"
	  "  container whose sandbox has already ended is an error: its status\n"
	  "  went with it.",
	  cmd_wait, false },
	{ "syscalls", "list the system calls the Sentry implements",
	  "[--unsupported]\n"
	  "  --unsupported   list only the calls that are not implemented",
	  cmd_syscalls, false },
	{ "boot", "(internal) run a sandbox's Sentry", "", cmd_boot, true },
	{ "gofer", "(internal) serve a sandbox's files", "", cmd_gofer, true },
};

const unsigned runsc_ncommands =
	sizeof(runsc_commands) / sizeof(runsc_commands[0]);

const struct command *runsc_find_command(const char *name)
{
	for (unsigned i = 0; i < runsc_ncommands; i++)
		if (strcmp(runsc_commands[i].name, name) == 0)
			return &runsc_commands[i];
	return NULL;
}

int runsc_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("runsc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	return RUNSC_EXIT_USAGE;
}
