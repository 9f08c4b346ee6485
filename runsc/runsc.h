/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runsc.h: the CLI's shared shapes: global options and the command table.
 *
 * One file per subcommand exports one entry point; commands.c lists them.
 * Everything is parsed first, then acted on.
 */
#ifndef CVISOR_RUNSC_H
#define CVISOR_RUNSC_H

#include <stdbool.h>

/* Exit status for bad usage (unknown command or flag, missing argument). */
#define RUNSC_EXIT_USAGE 2

struct global_opts {
	const char *root;       /* state directory of containers */
	const char *platform;   /* "ptrace" */
	const char *network;    /* "none", "host" */
	const char *log;        /* --log FILE */
	const char *log_format; /* text | json */
	const char *debug_log;  /* --debug-log FILE */
	bool debug;
	bool strace;
	bool systemd_cgroup;    /* --systemd-cgroup: cgroupsPath is slice:prefix:name */
};

struct command {
	const char *name;
	const char *summary;   /* one line for `runsc help` */
	const char *usage;     /* arguments and flags, for `runsc help CMD` */
	int (*run)(const struct global_opts *, int argc, char **argv);
	bool hidden;           /* internal commands (boot, gofer) */
};

extern const struct command runsc_commands[];
extern const unsigned runsc_ncommands;

const struct command *runsc_find_command(const char *name);
/* Print a one-line error prefixed with "runsc: " and return RUNSC_EXIT_USAGE. */
int runsc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_help(const struct global_opts *, int argc, char **argv);
int cmd_syscalls(const struct global_opts *, int argc, char **argv);
int cmd_do(const struct global_opts *, int argc, char **argv);
int cmd_spec(const struct global_opts *, int argc, char **argv);
int cmd_create(const struct global_opts *, int argc, char **argv);
int cmd_start(const struct global_opts *, int argc, char **argv);
int cmd_run(const struct global_opts *, int argc, char **argv);
int cmd_exec(const struct global_opts *, int argc, char **argv);
int cmd_kill(const struct global_opts *, int argc, char **argv);
int cmd_delete(const struct global_opts *, int argc, char **argv);
int cmd_state(const struct global_opts *, int argc, char **argv);
int cmd_list(const struct global_opts *, int argc, char **argv);
int cmd_ps(const struct global_opts *, int argc, char **argv);
int cmd_wait(const struct global_opts *, int argc, char **argv);
int cmd_boot(const struct global_opts *, int argc, char **argv);
int cmd_gofer(const struct global_opts *, int argc, char **argv);

/* create and run share their flags (run adds --detach). */
struct sandbox_create_opts;
int runsc_create_opts(const char *cmd, int argc, char **argv,
		      struct sandbox_create_opts *o, bool *detach,
		      char *bundle_buf);

#endif
