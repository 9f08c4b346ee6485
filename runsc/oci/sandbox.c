/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.c: see sandbox.h.
 *
 * Processes of one container, as `runsc create` leaves them:
 *   Sentry (runsc boot)  cloned into new mount/pid/ipc/uts(/net)
 *                        namespaces; the container's pid
 *   Gofer per tree       one for the root, one per bind mount
 * runsc itself exits; they are reparented to the caller's subreaper
 * (conmon, containerd-shim) or to init, as runc's container process is.
 */
#include <errno.h>
#include <sys/mount.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "runsc/oci/binds.h"
#include "runsc/oci/cgroup.h"
#include "runsc/oci/confine.h"
#include "runsc/oci/console.h"
#include "runsc/oci/control_client.h"
#include "runsc/oci/hooks.h"
#include "runsc/oci/sandbox.h"
#include "runsc/reexec.h"

/* The control socket, bound by runsc in the state directory. */
static int listen_control(const char *root, const char *id, runsc_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[4096];
	cleanup_close int dfd = -1;
	int fd;

	state_path(root, id, NULL, dir, sizeof(dir));
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return runsc_error_make(err, errno, "%s", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/sandbox.sock",
		 dfd);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return runsc_error_make(err, errno, "control socket");
	/* Only root (the state directory's owner) may talk to it. */
	fchmod(fd, 0600);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		int e = errno;

		close(fd);
		return runsc_error_make(err, e, "binding the control socket in %s",
					dir);
	}
	return fd;
}

/* A Gofer serving the directory `root`, or (file_fd >= 0) that one file,
 * on `sock`. */
static pid_t start_gofer(const char *root, int file_fd, int sock,
			 bool writable, runsc_error_t *err)
{
	char fdbuf[16], filebuf[16];
	char *argv[] = { "runsc", "gofer", file_fd >= 0 ? "--root-fd" : "--root",
			 file_fd >= 0 ? filebuf : (char *)root, "--sock-fd",
			 fdbuf, "--confine", writable ? "--rw" : NULL, NULL };
	int keep[2] = { sock, file_fd };
	pid_t pid;

	snprintf(fdbuf, sizeof(fdbuf), "%d", sock);
	snprintf(filebuf, sizeof(filebuf), "%d", file_fd);
	pid = runsc_reexec(argv, keep, file_fd >= 0 ? 2 : 1);
	if (pid < 0)
		return runsc_error_make(err, (int)-pid, "starting a gofer for %s",
					root);
	return pid;
}

/* Fork and exec `runsc boot` in its own namespaces (clone, so the Sentry
 * is pid 1 of its pid namespace and its stubs die with it). */
static pid_t start_sentry(const struct global_opts *g, char **argv,
			  const int *keep, int nkeep, unsigned long flags,
			  runsc_error_t *err)
{
	pid_t pid = runsc_reexec_ns(argv, keep, nkeep, flags);

	(void)g;
	if (pid < 0)
		return runsc_error_make(err, (int)-pid, "starting the sandbox");
	return pid;
}

/* Launch state kept while creating, for cleanup on failure. */
struct launch {
	pid_t sentry;
	pid_t gofers[STATE_MAX_GOFERS];
	unsigned ngofers;
	int gofer_fds[STATE_MAX_GOFERS]; /* Sentry ends of the socketpairs */
	/* The config mount each Gofer after the root's serves. */
	size_t mount_index[STATE_MAX_GOFERS];
	char cgroup[8192];
};

static void launch_kill(struct launch *l)
{
	if (l->sentry > 0) {
		kill(l->sentry, SIGKILL);
		waitpid(l->sentry, NULL, 0);
	}
	for (unsigned i = 0; i < l->ngofers; i++) {
		kill(l->gofers[i], SIGKILL);
		waitpid(l->gofers[i], NULL, 0);
	}
	if (l->cgroup[0])
		cgroup_remove(l->cgroup);
}

static int add_gofer(struct launch *l, const char *root, int file_fd,
		     bool writable, size_t mount_index, runsc_error_t *err)
{
	int sv[2];
	pid_t pid;

	if (l->ngofers >= STATE_MAX_GOFERS)
		return runsc_error_make(err, 0, "mounts: more than %d bind mounts",
					STATE_MAX_GOFERS - 1);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return runsc_error_make(err, errno, "socketpair");
	l->mount_index[l->ngofers] = mount_index;
	pid = start_gofer(root, file_fd, sv[0], writable, err);
	close(sv[0]);
	if (pid < 0) {
		close(sv[1]);
		return -1;
	}
	l->gofers[l->ngofers] = pid;
	l->gofer_fds[l->ngofers++] = sv[1];
	if (l->cgroup[0] && cgroup_add(l->cgroup, pid, err))
		return -1;
	return 0;
}

/* The Gofers: the root's, served read-only (the sandbox writes into its
 * memory overlay), then one per bind mount whose source a Gofer serves,
 * writable unless it is "ro". */
static int start_gofers(struct launch *l, const struct oci_config *cfg,
			runsc_error_t *err)
{
	if (add_gofer(l, cfg->root_path, -1, false, 0, err))
		return -1;
	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct oci_mount *m = &cfg->mounts[i];
		int fd, kind, rc;

		if (m->kind != OCI_MOUNT_BIND)
			continue;
		kind = bind_source_open(m, i, &fd, err);
		if (kind < 0)
			return -1;
		if (kind == BIND_SKIP)
			continue;
		rc = add_gofer(l, m->source, fd, !(m->flags & MS_RDONLY), i, err);
		/* The file's Gofer holds its own copy of fd now. */
		if (fd >= 0)
			close(fd);
		if (rc)
			return -1;
	}
	return 0;
}

/* Read the Sentry's "ok" or its reason for failing. */
static int await_ready(int sync, pid_t sentry, runsc_error_t *err)
{
	char msg[256];
	ssize_t n;

	while ((n = read(sync, msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
		;
	if (n == 2 && !memcmp(msg, "ok", 2))
		return 0;
	if (n > 0) {
		msg[n] = 0;
		return runsc_error_make(err, 0, "the sandbox failed to start: %s", msg);
	}
	{
		int status = 0;

		waitpid(sentry, &status, 0);
		return runsc_error_make(err, 0,
					"the sandbox failed to start (exit status %d)",
					sandbox_exit_code(status));
	}
}

/* Copy the validated config next to the state (start and delete read
 * hooks from it, whatever happens to the bundle). */
static int save_config(const char *root, const char *id, const char *src,
		       runsc_error_t *err)
{
	char dst[4200], buf[65536];
	cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	ssize_t n;

	state_path(root, id, "config.json", dst, sizeof(dst));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		return runsc_error_make(err, errno, "copying %s", src);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return runsc_error_make(err, errno, "writing %s", dst);
	return n < 0 ? runsc_error_make(err, errno, "reading %s", src) : 0;
}

static void now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}

/* The argv of `runsc boot` for this container. */
static char **boot_argv(const struct global_opts *g, char *fds[6],
			const char *config_path)
{
	char **a = calloc(32, sizeof(char *));
	int n = 0;

	if (!a)
		return NULL;
	a[n++] = "runsc";
	if (g->strace)
		a[n++] = "--strace";
	if (g->debug)
		a[n++] = "--debug";
	a[n++] = "--network";
	a[n++] = (char *)g->network;
	a[n++] = "boot";
	a[n++] = "--config";
	a[n++] = (char *)config_path;
	a[n++] = "--gofer-fd";
	a[n++] = fds[0];
	a[n++] = "--mount-fds";
	a[n++] = fds[1];
	a[n++] = "--control-fd";
	a[n++] = fds[2];
	a[n++] = "--sync-fd";
	a[n++] = fds[3];
	a[n++] = "--stdio-fds";
	a[n++] = fds[4];
	if (fds[5]) {
		a[n++] = "--log-fd";
		a[n++] = fds[5];
	}
	a[n++] = "--confine";
	a[n] = NULL;
	return a;
}

static int launch(const struct global_opts *g, const struct sandbox_create_opts *o,
		  const struct oci_config *cfg, struct launch *l,
		  struct container_state *st, runsc_error_t *err)
{
	char cfg_path[4200], b_gofer[16], b_mounts[2048] = "", b_ctl[16],
		b_sync[16], b_stdio[48], b_log[16], *fds[6];
	int keep[STATE_MAX_GOFERS + 8], nkeep = 0, sync[2], ctl, stdio[3] = { 0, 1, 2 };
	cleanup_close int slave = -1;
	cleanup_free char **argv = NULL;
	int rc;

	if (cgroup_create(o->id, cfg, false, l->cgroup, sizeof(l->cgroup), err))
		return runsc_error_wrap(err, "cgroup");
	if (start_gofers(l, cfg, err))
		return -1;
	/* A terminal: a new pty whose master goes to the console socket; or,
	 * without one (runsc run at a terminal), the terminal runsc is on,
	 * shared as `runsc do` shares it (what runc's own pty relay would
	 * give, without the relay). */
	if (cfg->process.terminal && o->console_socket) {
		if (console_setup(o->console_socket, cfg->process.console_height,
				  cfg->process.console_width, &slave, err))
			return -1;
		stdio[0] = stdio[1] = stdio[2] = slave;
	}
	ctl = listen_control(g->root, o->id, err);
	if (ctl < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0) {
		close(ctl);
		return runsc_error_make(err, errno, "socketpair");
	}
	state_path(g->root, o->id, "config.json", cfg_path, sizeof(cfg_path));
	snprintf(b_gofer, sizeof(b_gofer), "%d", l->gofer_fds[0]);
	/* MOUNT:FD pairs: which config mount each Gofer serves, as decided
	 * here once (the Sentry does not look at the host again). */
	for (unsigned i = 1; i < l->ngofers; i++)
		snprintf(b_mounts + strlen(b_mounts), sizeof(b_mounts) - strlen(b_mounts),
			 "%s%zu:%d", i > 1 ? "," : "", l->mount_index[i],
			 l->gofer_fds[i]);
	snprintf(b_ctl, sizeof(b_ctl), "%d", ctl);
	snprintf(b_sync, sizeof(b_sync), "%d", sync[1]);
	snprintf(b_stdio, sizeof(b_stdio), "%d,%d,%d", stdio[0], stdio[1], stdio[2]);
	snprintf(b_log, sizeof(b_log), "%d", log_get_fd());
	fds[0] = b_gofer;
	fds[1] = b_mounts;
	fds[2] = b_ctl;
	fds[3] = b_sync;
	fds[4] = b_stdio;
	fds[5] = log_get_fd() != 2 ? b_log : NULL;
	for (unsigned i = 0; i < l->ngofers; i++)
		keep[nkeep++] = l->gofer_fds[i];
	keep[nkeep++] = ctl;
	keep[nkeep++] = sync[1];
	if (slave >= 0)
		keep[nkeep++] = slave;
	if (log_get_fd() != 2)
		keep[nkeep++] = log_get_fd();
	argv = boot_argv(g, fds, cfg_path);
	if (!argv) {
		rc = runsc_error_make(err, ENOMEM, "boot");
	} else {
		l->sentry = start_sentry(
			g, argv, keep, nkeep,
			confine_sentry_clone_flags(strcmp(g->network, "host") != 0),
			err);
		rc = l->sentry < 0 ? -1 : 0;
	}
	close(ctl);
	close(sync[1]);
	for (unsigned i = 0; i < l->ngofers; i++)
		close(l->gofer_fds[i]);
	if (!rc && l->cgroup[0])
		rc = cgroup_add(l->cgroup, l->sentry, err);
	/* Go: the Sentry confines itself, boots and loads the program. */
	if (!rc && write(sync[0], "g", 1) != 1)
		rc = runsc_error_make(err, errno, "starting the sandbox");
	if (!rc)
		rc = await_ready(sync[0], l->sentry, err);
	close(sync[0]);
	if (rc)
		return -1;
	st->pid = l->sentry;
	st->pid_start = state_proc_start(l->sentry);
	for (unsigned i = 0; i < l->ngofers; i++) {
		st->gofers[i] = l->gofers[i];
		st->gofer_starts[i] = state_proc_start(l->gofers[i]);
	}
	st->ngofers = l->ngofers;
	snprintf(st->cgroup, sizeof(st->cgroup), "%s", l->cgroup);
	return 0;
}

int sandbox_create(const struct global_opts *g,
		   const struct sandbox_create_opts *o, struct container_state *st,
		   struct oci_config *cfg_out, runsc_error_t *err)
{
	char cfg_path[4200];
	struct oci_config cfg;
	struct launch l;
	cleanup_free char *sj = NULL;
	bool made_dir = false;

	memset(&l, 0, sizeof(l));
	memset(st, 0, sizeof(*st));
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", o->bundle);
	/* Everything is parsed and checked before anything is made. */
	if (!state_valid_id(o->id))
		return runsc_error_make(err, 0, "invalid container id '%s'", o->id);
	if (oci_config_load(cfg_path, o->bundle, &cfg, err))
		return -1;
	if (cfg.process.terminal && !o->console_socket && !isatty(0)) {
		oci_config_free(&cfg);
		return runsc_error_make(err, 0,
					"process.terminal is true but no --console-socket was given");
	}
	if (cfg.netns_path && strcmp(g->network, "none") != 0) {
		runsc_error_make(err, 0,
				 "linux.namespaces: joining the network namespace %s is not supported by cvisor (use --network=none)",
				 cfg.netns_path);
		oci_config_free(&cfg);
		return -1;
	}
	{
		struct stat sb;

		if (stat(cfg.root_path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			runsc_error_make(err, errno ? errno : ENOTDIR, "root.path %s",
					 cfg.root_path);
			oci_config_free(&cfg);
			return -1;
		}
	}
	if (state_create_dir(g->root, o->id, err))
		goto fail;
	made_dir = true;
	if (save_config(g->root, o->id, cfg_path, err))
		goto fail;
	snprintf(st->id, sizeof(st->id), "%s", o->id);
	snprintf(st->bundle, sizeof(st->bundle), "%s", o->bundle);
	snprintf(st->rootfs, sizeof(st->rootfs), "%s", cfg.root_path);
	snprintf(st->status, sizeof(st->status), "created");
	now_rfc3339(st->created, sizeof(st->created));
	st->owner = getuid();
	st->annotations = cfg.annotations;
	st->nannotations = cfg.nannotations;
	if (launch(g, o, &cfg, &l, st, err))
		goto fail;
	if (state_save(g->root, st, err))
		goto fail;
	sj = state_json(st, false);
	if (hooks_run(&cfg, OCI_HOOK_CREATE_RUNTIME, sj ? sj : "{}", err) ||
	    hooks_run(&cfg, OCI_HOOK_CREATE_CONTAINER, sj ? sj : "{}", err) ||
	    hooks_run(&cfg, OCI_HOOK_PRESTART, sj ? sj : "{}", err))
		goto fail;
	if (o->pid_file && sandbox_write_pid_file(o->pid_file, l.sentry, err))
		goto fail;
	st->annotations = NULL;
	st->nannotations = 0;
	if (cfg_out)
		*cfg_out = cfg;
	else
		oci_config_free(&cfg);
	/* Loaded again to own its annotations. */
	return state_load(g->root, o->id, st, err);
fail:
	launch_kill(&l);
	if (made_dir)
		state_remove_dir(g->root, o->id);
	st->annotations = NULL;
	st->nannotations = 0;
	oci_config_free(&cfg);
	return -1;
}

/* The config saved at create (for hooks). */
static int saved_config(const struct global_opts *g, const char *id,
			const char *bundle, struct oci_config *cfg,
			runsc_error_t *err)
{
	char path[4200];

	state_path(g->root, id, "config.json", path, sizeof(path));
	return oci_config_load(path, bundle, cfg, err);
}

int sandbox_start(const struct global_opts *g, const char *id,
		  runsc_error_t *err)
{
	struct container_state st;
	struct ctl_req req = { .op = CTL_START };
	struct ctl_reply rep;
	struct oci_config cfg;
	cleanup_free char *sj = NULL;
	cleanup_close int fd = -1;
	const char *status;

	if (state_load(g->root, id, &st, err))
		return -1;
	status = state_status(&st);
	if (strcmp(status, "created")) {
		state_free(&st);
		return runsc_error_make(err, 0, "cannot start a container that is %s",
					status);
	}
	fd = ctl_connect(g->root, id, err);
	if (fd < 0 || ctl_call(fd, &req, NULL, 0, NULL, 0, &rep, NULL, err)) {
		state_free(&st);
		return -1;
	}
	if (rep.err) {
		state_free(&st);
		return runsc_error_make(err, rep.err, "starting %s", id);
	}
	snprintf(st.status, sizeof(st.status), "running");
	if (state_save(g->root, &st, err)) {
		state_free(&st);
		return -1;
	}
	/* poststart failures are logged, not fatal (runtime-spec). */
	if (saved_config(g, id, st.bundle, &cfg, err) == 0) {
		runsc_error_t herr = NULL;

		sj = state_json(&st, false);
		if (hooks_run(&cfg, OCI_HOOK_START_CONTAINER, sj ? sj : "{}", &herr) ||
		    hooks_run(&cfg, OCI_HOOK_POSTSTART, sj ? sj : "{}", &herr)) {
			log_warn("%s", herr->msg);
			runsc_error_release(&herr);
		}
		oci_config_free(&cfg);
	} else {
		runsc_error_release(err);
	}
	state_free(&st);
	return 0;
}

int sandbox_kill(const struct global_opts *g, const char *id, int sig,
		 bool all, runsc_error_t *err)
{
	struct container_state st;
	struct ctl_req req = { .op = CTL_KILL, .sig = sig,
			       .flags = all ? CTL_F_ALL : 0 };
	struct ctl_reply rep;
	cleanup_close int fd = -1;

	if (state_load(g->root, id, &st, err))
		return -1;
	if (!strcmp(state_status(&st), "stopped")) {
		state_free(&st);
		return runsc_error_make(err, 0, "container not running");
	}
	fd = ctl_connect(g->root, id, err);
	if (fd >= 0)
		ctl_call(fd, &req, NULL, 0, NULL, 0, &rep, NULL, err);
	if (*err) {
		/* A Sentry that does not answer can still be killed. */
		if (sig == SIGKILL) {
			runsc_error_release(err);
			kill(st.pid, SIGKILL);
			state_free(&st);
			return 0;
		}
		state_free(&st);
		return -1;
	}
	state_free(&st);
	if (rep.err == -ESRCH && sig == SIGKILL)
		return 0;
	if (rep.err)
		return runsc_error_make(err, rep.err, "kill");
	return 0;
}

int sandbox_forward(const struct global_opts *g, const char *id, int pid,
		    int sig, bool to_fg, runsc_error_t *err)
{
	struct ctl_req req = { .op = CTL_KILL, .pid = pid, .sig = sig,
			       .flags = to_fg ? CTL_F_FG : 0 };
	struct ctl_reply rep;
	cleanup_close int fd = ctl_connect(g->root, id, err);

	if (fd < 0 || ctl_call(fd, &req, NULL, 0, NULL, 0, &rep, NULL, err))
		return -1;
	return rep.err ? runsc_error_make(err, rep.err, "signal %d", sig) : 0;
}

/* Wait up to ~2 s for a process that is not our child to go. */
static void await_gone(pid_t pid, uint64_t start)
{
	for (int i = 0; i < 200 && state_process_alive(pid, start); i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		/* Our own child (runsc run) must be reaped to go. */
		waitpid(pid, NULL, WNOHANG);
		nanosleep(&ts, NULL);
	}
}

int sandbox_destroy(const struct global_opts *g, struct container_state *st)
{
	struct oci_config cfg;
	runsc_error_t err = NULL;
	char *sj;

	if (state_process_alive(st->pid, st->pid_start)) {
		kill(st->pid, SIGKILL);
		await_gone(st->pid, st->pid_start);
	}
	/* Gofers end when the Sentry's sockets close; make sure. */
	for (unsigned i = 0; i < st->ngofers; i++)
		if (state_process_alive(st->gofers[i], st->gofer_starts[i])) {
			kill(st->gofers[i], SIGKILL);
			await_gone(st->gofers[i], st->gofer_starts[i]);
		}
	snprintf(st->status, sizeof(st->status), "stopped");
	if (saved_config(g, st->id, st->bundle, &cfg, &err) == 0) {
		sj = state_json(st, false);
		if (hooks_run(&cfg, OCI_HOOK_POSTSTOP, sj ? sj : "{}", &err)) {
			log_warn("%s", err->msg);
			runsc_error_release(&err);
		}
		free(sj);
		oci_config_free(&cfg);
	} else {
		runsc_error_release(&err);
	}
	if (st->cgroup[0])
		cgroup_remove(st->cgroup);
	return state_remove_dir(g->root, st->id);
}

/* Has the sandbox of `id` ended (its Sentry gone, or going: a socket
 * closes a moment before its process is a zombie)? */
static bool sandbox_gone(const struct global_opts *g, const char *id)
{
	struct container_state st;
	runsc_error_t err = NULL;
	bool gone;

	if (state_load(g->root, id, &st, &err)) {
		runsc_error_release(&err);
		return false;
	}
	await_gone(st.pid, st.pid_start);
	gone = !state_process_alive(st.pid, st.pid_start);
	state_free(&st);
	return gone;
}

int sandbox_wait(const struct global_opts *g, const char *id, int pid,
		 int *status, runsc_error_t *err)
{
	struct ctl_req req = { .op = CTL_WAIT, .pid = pid };
	struct ctl_reply rep;
	cleanup_close int fd = ctl_connect(g->root, id, err);

	if (fd >= 0 && !ctl_call(fd, &req, NULL, 0, NULL, 0, &rep, NULL, err)) {
		if (rep.err)
			return runsc_error_make(err, rep.err, "wait");
		*status = rep.value;
		return 0;
	}
	if (!sandbox_gone(g, id))
		return -1;
	runsc_error_release(err);
	if (fd < 0)
		/* Ended before we asked: nothing outside the Sentry kept
		 * the status (it went with it). */
		return runsc_error_make(err, 0,
					"container %s is stopped: its exit status is no longer known",
					id);
	/* The Sentry died under the wait (killed, or it crashed): its
	 * processes died with it, as if by SIGKILL. */
	log_warn("the sandbox of %s died; its processes were killed", id);
	*status = SIGKILL;
	return 0;
}

int sandbox_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
		{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
		{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
		{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
		{ "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
		{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
		{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
		{ "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
	};
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (!*end && end != s)
		return v > 0 && v < 65 ? (int)v : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].sig;
	if (strncasecmp(s, "RTMIN+", 6) == 0) {
		v = strtol(s + 6, &end, 10);
		if (!*end && v >= 0 && SIGRTMIN + v <= SIGRTMAX)
			return SIGRTMIN + (int)v;
	}
	return -1;
}

int sandbox_write_pid_file(const char *path, pid_t pid, runsc_error_t *err)
{
	char tmp[4200], buf[32];
	int fd, n;

	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return runsc_error_make(err, errno, "pid file %s", path);
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write(fd, buf, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return runsc_error_make(err, errno, "pid file %s", path);
	}
	return 0;
}

int sandbox_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
