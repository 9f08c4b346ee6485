/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc.c: creating and ending tasks: fork+wait, fork+exec+wait of a static
 * program (this one, which exits at once) and of the host's dynamically
 * linked /bin/true, and pthread_create+pthread_join.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

extern char **environ;

static int failed;

/* Wait for pid and note a child that did not exit 0. */
static void reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			failed = errno;
			return;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failed = ECHILD;
}

static void op_fork(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			failed = errno;
		else
			reap(pid);
	}
}

static void op_fork_exec(long n, void *arg)
{
	char *const *argv = arg;

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execve(argv[0], argv, environ);
			_exit(127);
		}
		if (pid < 0)
			failed = errno;
		else
			reap(pid);
	}
}

/* Turn a failure recorded while timing into the figure's result. */
static int check(const char *what)
{
	if (!failed)
		return 0;
	errno = failed;
	failed = 0;
	return bench_fail(what);
}

static int fig_fork(double *v)
{
	*v = bench_time_ns(op_fork, NULL) / 1e3;
	return check("fork+wait");
}

static int fig_fork_exec(double *v)
{
	char *argv[] = { (char *)bench_self(), "--exit", NULL };

	*v = bench_time_ns(op_fork_exec, argv) / 1e3;
	return check("fork+exec of this program");
}

static int fig_fork_exec_dyn(double *v)
{
	char *argv[] = { "/bin/true", NULL };

	if (access(argv[0], X_OK) < 0)
		return bench_fail(argv[0]);
	*v = bench_time_ns(op_fork_exec, argv) / 1e3;
	return check("fork+exec of /bin/true");
}

static void *thread_main(void *arg)
{
	return arg;
}

static void op_thread(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int rc = pthread_create(&t, NULL, thread_main, NULL);

		if (rc)
			failed = rc;
		else
			pthread_join(t, NULL);
	}
}

static int fig_thread(double *v)
{
	*v = bench_time_ns(op_thread, NULL) / 1e3;
	return check("pthread_create");
}

static const struct bench_figure figures[] = {
	{ "fork_wait", "us", "fork, child _exit(0), waitpid", fig_fork },
	{ "fork_exec_wait", "us", "fork+exec+wait of a static program",
	  fig_fork_exec },
	{ "fork_exec_wait_dyn", "us", "fork+exec+wait of dynamic /bin/true",
	  fig_fork_exec_dyn },
	{ "thread_create_join", "us", "pthread_create+pthread_join",
	  fig_thread },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, figures,
			  sizeof(figures) / sizeof(figures[0]));
}
