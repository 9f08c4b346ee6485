/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c: `runsc exec [flags] ID [COMMAND ARGS...]`: a new process in a
 * running container (runc exec). It starts from the container's process
 * (env, cwd, user) and takes --process FILE or the flags over it. Its
 * stdio are ours, or a pty with --tty. runsc waits for it and exits with
 * its status; with --detach a runsc child does the waiting (its pid goes
 * to --pid-file, so a subreaper gets the exit status by reaping it), and
 * signals sent to the waiter are forwarded into the sandbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "runsc/oci/console.h"
#include "runsc/oci/control_client.h"
#include "runsc/oci/sandbox.h"
#include "runsc/oci/sigfwd.h"
#include "runsc/runsc.h"

struct exec_opts {
	const char *process, *console_socket, *pid_file, *cwd, *user;
	const char *env[256];
	unsigned nenv;
	uint32_t gids[64];
	unsigned ngids;
	uint64_t add_caps;       /* --cap */
	bool tty, detach, no_new_privs;
};

static int parse_flags(int argc, char **argv, struct exec_opts *o)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "console-socket", required_argument, NULL, 'C' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'K' },
		{ "no-new-privs", no_argument, NULL, 'N' },
		/* runc's, meaningless in a sandbox: accepted. */
		{ "process-label", required_argument, NULL, 'I' },
		{ "apparmor", required_argument, NULL, 'I' },
		{ "preserve-fds", required_argument, NULL, 'I' },
		{ "cgroup", required_argument, NULL, 'I' },
		{ "ignore-paused", no_argument, NULL, 'I' },
		{ 0, 0, 0, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:tde:u:g:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o->process = optarg; break;
		case 't': o->tty = true; break;
		case 'd': o->detach = true; break;
		case 'P': o->pid_file = optarg; break;
		case 'C': o->console_socket = optarg; break;
		case 'w': o->cwd = optarg; break;
		case 'u': o->user = optarg; break;
		case 'e':
			if (o->nenv >= 256)
				return runsc_usage_error("exec: too many --env");
			o->env[o->nenv++] = optarg;
			break;
		case 'g':
			if (o->ngids >= 64)
				return runsc_usage_error("exec: too many --additional-gids");
			o->gids[o->ngids++] = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'K': {
			int cap = oci_cap_from_name(optarg);

			if (cap < 0)
				return runsc_usage_error("exec: unknown capability '%s'",
							 optarg);
			o->add_caps |= 1ULL << cap;
			break;
		}
		case 'N':
			o->no_new_privs = true;
			break;
		case 'I':
		case 'c':
			log_debug("exec: ignoring runc flag %s", argv[optind - 1]);
			break;
		default:
			return runsc_usage_error("exec: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return runsc_usage_error("exec: expects a container id");
	if (!o->process && optind + 1 >= argc)
		return runsc_usage_error("exec: expects a command or --process");
	return 0;
}

/* The CTL_EXEC payload: groups, cwd, args, env. */
static char *build_payload(const struct oci_process *p, const struct exec_opts *o,
			   char **args, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

#define PUT(src, sz)                                                           \
	do {                                                                   \
		while (n + (sz) > cap) {                                       \
			char *nb = realloc(buf, cap *= 2);                     \
			if (!nb) {                                             \
				free(buf);                                     \
				return NULL;                                   \
			}                                                      \
			buf = nb;                                              \
		}                                                              \
		memcpy(buf + n, (src), (sz));                                  \
		n += (sz);                                                     \
	} while (0)
	if (!buf)
		return NULL;
	if (o->ngids)
		PUT(o->gids, o->ngids * sizeof(uint32_t));
	else if (p->nadditional_gids)
		PUT(p->additional_gids, p->nadditional_gids * sizeof(uint32_t));
	PUT(o->cwd ? o->cwd : p->cwd, strlen(o->cwd ? o->cwd : p->cwd) + 1);
	for (size_t i = 0; args[i]; i++)
		PUT(args[i], strlen(args[i]) + 1);
	for (size_t i = 0; p->env && p->env[i]; i++)
		PUT(p->env[i], strlen(p->env[i]) + 1);
	for (unsigned i = 0; i < o->nenv; i++)
		PUT(o->env[i], strlen(o->env[i]) + 1);
#undef PUT
	*len = n;
	return buf;
}

/*
 * The exec'd process's capabilities, as runc gives them: those of
 * process.json (--process), else the container's process.capabilities;
 * each --cap is added to the bounding, effective and permitted sets, and
 * to the ambient one only where the inheritable set is not empty (an
 * ambient capability needs to be inheritable; runc 1.2). No capabilities
 * in the config at all: root gets every one, as the first process does.
 */
static void set_caps(struct ctl_req *req, const struct oci_process *p,
		     const struct exec_opts *o)
{
	if (p->no_new_privileges || o->no_new_privs)
		req->flags |= CTL_F_NO_NEW_PRIVS;
	if (!p->has_caps && !o->add_caps)
		return;
	req->flags |= CTL_F_CAPS;
	if (!p->has_caps && req->uid == 0) {
		/* Root's full set, plus nothing: --cap adds to it. */
		req->cap_bounding = req->cap_effective = req->cap_permitted =
			~0ULL;
		return;
	}
	req->cap_bounding = p->caps.bounding | o->add_caps;
	req->cap_effective = p->caps.effective | o->add_caps;
	req->cap_permitted = p->caps.permitted | o->add_caps;
	req->cap_inheritable = p->caps.inheritable;
	req->cap_ambient = p->caps.ambient |
			   (p->caps.inheritable ? o->add_caps : 0);
}

static size_t vlen(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Wait for the process, passing on the signals we get (sigfwd.h) to it,
 * as runc exec does; its exit code. SIGWINCH only when it shares our
 * terminal. If the sandbox dies meanwhile, so did the process: 137, as
 * for a SIGKILL. */
static int wait_process(const struct global_opts *g, const char *id, int pid,
			bool shares_tty)
{
	struct ctl_req req = { .op = CTL_WAIT, .pid = pid };
	struct ctl_reply rep;
	runsc_error_t err = NULL;
	int wake = sigfwd_install();
	int fd = ctl_connect(g->root, id, &err);

	if (fd < 0)
		return runsc_error_report(&err);
	if (wake < 0)
		return 1;
	/* The wait goes out once; signals go on connections of their own. */
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) < 0)
		return 1;
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = wake, .events = POLLIN } };
		bool from_tty;
		ssize_t n;
		int sig;

		sigfwd_clear();
		while ((sig = sigfwd_next(&from_tty)))
			if ((sig != SIGWINCH || shares_tty) &&
			    sandbox_forward(g, id, pid, sig, false, &err))
				runsc_error_release(&err);
		if (poll(p, 2, -1) < 0 || !(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = recv(fd, &rep, sizeof(rep), 0);
		if (n == (ssize_t)sizeof(rep))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		return 128 + SIGKILL; /* the sandbox went away */
	}
	close(fd);
	return rep.err ? 255 : sandbox_exit_code(rep.value);
}

int cmd_exec(const struct global_opts *g, int argc, char **argv)
{
	struct exec_opts o = { 0 };
	struct container_state st;
	struct oci_config cfg;
	struct oci_process proc;
	struct ctl_req req = { .op = CTL_EXEC };
	struct ctl_reply rep;
	runsc_error_t err = NULL;
	char cfg_path[4200], *payload, **args;
	int stdio[3] = { 0, 1, 2 }, slave = -1, fd, rc;
	const char *id;
	size_t plen;

	rc = parse_flags(argc, argv, &o);
	if (rc)
		return rc;
	id = argv[optind];
	args = argv + optind + 1;
	if (state_load(g->root, id, &st, &err))
		return runsc_error_report(&err);
	if (strcmp(state_status(&st), "running")) {
		runsc_error_make(&err, 0, "cannot exec in a container that is %s",
				 state_status(&st));
		state_free(&st);
		return runsc_error_report(&err);
	}
	state_path(g->root, id, "config.json", cfg_path, sizeof(cfg_path));
	if (oci_config_load(cfg_path, st.bundle, &cfg, &err)) {
		state_free(&st);
		return runsc_error_report(&err);
	}
	state_free(&st);
	proc = cfg.process;
	if (o.process) {
		if (oci_process_load(o.process, &proc, &err))
			return runsc_error_report(&err);
		args = proc.args;
		o.tty = o.tty || proc.terminal;
	}
	req.uid = proc.uid;
	req.gid = proc.gid;
	if (o.user && sscanf(o.user, "%u:%u", &req.uid, &req.gid) < 1)
		return runsc_usage_error("exec: --user wants UID[:GID]");
	req.umask = proc.has_umask ? proc.umask : 022;
	set_caps(&req, &proc, &o);
	req.argc = (uint32_t)vlen(args);
	req.envc = (uint32_t)(vlen(proc.env) + o.nenv);
	req.ngroups = o.ngids ? o.ngids : (uint32_t)proc.nadditional_gids;
	req.flags |= o.tty ? CTL_F_TTY : 0;
	payload = build_payload(&proc, &o, args, &plen);
	if (!payload)
		return runsc_usage_error("exec: out of memory");
	if (o.tty && (o.console_socket || !isatty(0))) {
		if (console_setup(o.console_socket, proc.console_height,
				  proc.console_width, &slave, &err))
			return runsc_error_report(&err);
		stdio[0] = stdio[1] = stdio[2] = slave;
	}
	fd = ctl_connect(g->root, id, &err);
	if (fd < 0 || ctl_call(fd, &req, payload, plen, stdio, 3, &rep, NULL, &err))
		return runsc_error_report(&err);
	close(fd);
	free(payload);
	if (slave >= 0)
		close(slave);
	if (rep.err) {
		runsc_error_make(&err, rep.err == -ENOENT ? 0 : rep.err,
				 rep.err == -ENOENT ? "exec: %s: not found" : "exec: %s",
				 args[0]);
		return runsc_error_report(&err);
	}
	if (o.detach) {
		pid_t w = fork();

		if (w < 0) {
			runsc_error_make(&err, errno, "exec: fork");
			return runsc_error_report(&err);
		}
		if (w == 0) {
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);

			setsid();
			/* The process holds its stdio; the waiter must not
			 * keep the caller's pipes open. */
			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
			}
			_exit(wait_process(g, id, rep.value, false));
		}
		if (o.pid_file && sandbox_write_pid_file(o.pid_file, w, &err))
			return runsc_error_report(&err);
		return 0;
	}
	if (o.pid_file && sandbox_write_pid_file(o.pid_file, getpid(), &err))
		return runsc_error_report(&err);
	return wait_process(g, id, rep.value,
			    !o.console_socket && isatty(0));
}
