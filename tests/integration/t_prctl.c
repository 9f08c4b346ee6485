/* t_prctl: prctl options that programs commonly use (thread names, parent-death
 * signal, dumpable, no_new_privs, keepcaps) and the comm name set by exec,
 * because the Sentry implements prctl itself. */
#include "itest.h"

#include <pthread.h>
#include <sys/prctl.h>

static char thread_name[32];
static void *name_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "worker-thread");
	prctl(PR_GET_NAME, thread_name);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "nnp") == 0)
		return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == atoi(argv[2]) ? 0 : 1;
	if (argc == 3 && strcmp(argv[1], "comm") == 0) {
		char name[32] = {0};
		prctl(PR_GET_NAME, name);
		return strcmp(name, argv[2]) == 0 ? 0 : 1;
	}
	it_begin(10);
	char name[32];

	EXPECT_EQ(prctl(PR_SET_NAME, "itest-name"), 0, "PR_SET_NAME");
	memset(name, 0, sizeof name);
	prctl(PR_GET_NAME, name);
	CHECK(strcmp(name, "itest-name") == 0, "PR_GET_NAME returns the name");
	{
		char comm[64];
		it_read_file("/proc/self/comm", comm, sizeof comm);
		CHECK(strcmp(comm, "itest-name\n") == 0, "/proc/self/comm shows the name");
	}
	prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz");
	memset(name, 0, sizeof name);
	prctl(PR_GET_NAME, name);
	CHECK(strcmp(name, "abcdefghijklmno") == 0, "names are truncated to 15 bytes");
	{
		pthread_t t;
		prctl(PR_SET_NAME, "main-name");
		pthread_create(&t, NULL, name_thread, NULL);
		pthread_join(t, NULL);
		memset(name, 0, sizeof name);
		prctl(PR_GET_NAME, name);
		CHECK(strcmp(thread_name, "worker-thread") == 0 && strcmp(name, "main-name") == 0,
		      "thread names are per thread");
	}
	/* exec sets comm to the basename of the executed path */
	{
		const char *self = it_self_exe();
		const char *base = strrchr(self, '/') ? strrchr(self, '/') + 1 : self;
		char want[16];
		snprintf(want, sizeof want, "%s", base);
		pid_t c = it_fork();
		if (c == 0) {
			prctl(PR_SET_NAME, "before-exec");
			char *av[] = {"some-other-argv0", "comm", want, NULL};
			char *ev[] = {NULL};
			execve(self, av, ev);
			_exit(99);
		}
		EXPECT_EXIT(it_wait(c), 0, "exec sets the name to the file's basename (not argv[0])");
	}

	/* dumpable */
	EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1, "PR_GET_DUMPABLE is 1 by default");
	EXPECT_EQ(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 0, "PR_SET_DUMPABLE 0");
	EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0, "PR_GET_DUMPABLE reports 0");
	EXPECT_ERRNO(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL, "PR_SET_DUMPABLE 2: EINVAL");
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1, "PR_SET_DUMPABLE 1 restores it");

	/* keepcaps */
	EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0, "PR_GET_KEEPCAPS is 0 by default");
	EXPECT_EQ(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0, "PR_SET_KEEPCAPS 1");
	EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1, "PR_GET_KEEPCAPS reports 1");
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	EXPECT_ERRNO(prctl(PR_SET_KEEPCAPS, 5, 0, 0, 0), EINVAL, "PR_SET_KEEPCAPS 5: EINVAL");

	/* no_new_privs: one-way, inherited by fork and exec. */
	EXPECT_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0, "PR_GET_NO_NEW_PRIVS is 0 by default");
	{
		pid_t c = it_fork();
		if (c == 0) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
				_exit(1);
			if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
				_exit(2);
			if (prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) != -1 || errno != EINVAL)
				_exit(3);
			char *av[] = {(char *)it_self_exe(), "nnp", "1", NULL};
			char *ev[] = {NULL};
			execve(av[0], av, ev);
			_exit(4);
		}
		EXPECT_EXIT(it_wait(c), 0, "PR_SET_NO_NEW_PRIVS sticks, cannot be unset, survives exec");
	}
	EXPECT_ERRNO(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL, "PR_SET_NO_NEW_PRIVS with extra args: EINVAL");

	/* PR_SET_PDEATHSIG */
	EXPECT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0, "become a subreaper (to collect orphans)");
	{
		int p[2], q[2];
		if (pipe(p) < 0 || pipe(q) < 0)
			return 1;
		pid_t m = it_fork();
		if (m == 0) {
			pid_t mid = getpid();
			pid_t g = fork();
			if (g == 0) {
				if (prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) != 0)
					_exit(20);
				int sig = 0;
				prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
				if (sig != SIGUSR1)
					_exit(21);
				if (getppid() != mid)
					_exit(22); /* parent already gone: no signal will come */
				pid_t gp = getpid();
				if (write(p[1], &gp, sizeof gp) != sizeof gp)
					_exit(23);
				for (int i = 0; i < 5000; i++)
					usleep(1000);
				_exit(24);
			}
			pid_t gp;
			if (read(p[0], &gp, sizeof gp) != sizeof gp)
				_exit(1);
			/* tell the test process who the grandchild is */
			if (write(q[1], &gp, sizeof gp) != sizeof gp)
				_exit(2);
			_exit(0); /* dies: child gets SIGUSR1 */
		}
		close(p[0]);
		close(p[1]);
		close(q[1]);
		pid_t g = 0;
		if (read(q[0], &g, sizeof g) != sizeof g)
			g = -1;
		close(q[0]);
		EXPECT_EXIT(it_wait(m), 0, "middle process exits after the child armed PDEATHSIG");
		EXPECT_SIGNALED(g > 0 ? it_wait(g) : -1, SIGUSR1, "parent death delivers the PDEATHSIG signal");
	}
	{
		pid_t c = it_fork();
		if (c == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			pid_t g = fork();
			if (g == 0) {
				int sig = -1;
				prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
				_exit(sig == 0 ? 0 : 1);
			}
			int st;
			waitpid(g, &st, 0);
			_exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1);
		}
		EXPECT_EXIT(it_wait(c), 0, "PDEATHSIG is cleared in fork children");
	}
	EXPECT_ERRNO(prctl(PR_SET_PDEATHSIG, 100, 0, 0, 0), EINVAL, "PR_SET_PDEATHSIG 100: EINVAL");

	EXPECT_ERRNO(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL, "unknown prctl option: EINVAL");
	{
		int v = -1;
		prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		v = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		CHECK(v > 0, "PR_GET_TIMERSLACK positive");
		EXPECT_EQ(prctl(PR_SET_TIMERSLACK, 12345, 0, 0, 0), 0, "PR_SET_TIMERSLACK");
		EXPECT_EQ(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 12345, "PR_GET_TIMERSLACK reads it back");
	}
	return it_end();
}
