/* t_threads: pthreads on top of clone/futex/set_tid_address/arch_prctl (TLS,
 * join via CLEARTID wakeups, exit codes, per-thread signals, exit_group
 * killing siblings) because thread support is the hardest part of a
 * syscall-interposing kernel to get right. */
#include "itest.h"

#include <asm/prctl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define NTHREADS 8

static __thread int tls_value = 12345;
static __thread char tls_buf[256];
static pthread_barrier_t barrier;
static pid_t tids[NTHREADS];
static pid_t pids[NTHREADS];
static int tls_ok[NTHREADS];
static int fs_ok[NTHREADS];

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	int ok = (tls_value == 12345); /* fresh TLS image */
	tls_value = i * 1000;
	memset(tls_buf, 'a' + i, sizeof tls_buf);
	tids[i] = (pid_t)syscall(SYS_gettid);
	pids[i] = getpid();
	unsigned long fs = 0;
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
	fs_ok[i] = (fs == (unsigned long)pthread_self());
	pthread_barrier_wait(&barrier);
	for (int k = 0; k < 50; k++) {
		sched_yield();
		if (tls_value != i * 1000)
			ok = 0;
	}
	pthread_barrier_wait(&barrier);
	for (unsigned k = 0; k < sizeof tls_buf; k++)
		if (tls_buf[k] != 'a' + i)
			ok = 0;
	tls_ok[i] = ok;
	if (i == 3)
		pthread_exit((void *)(intptr_t)(777));
	return (void *)(intptr_t)(i + 100);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static atomic_long acounter;
static void *incr(void *arg)
{
	(void)arg;
	for (int k = 0; k < 20000; k++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
		atomic_fetch_add(&acounter, 1);
	}
	return NULL;
}

/* Condition-variable ping-pong. */
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn, rounds_done;
static void *pong(void *arg)
{
	(void)arg;
	for (int k = 0; k < 200; k++) {
		pthread_mutex_lock(&mu);
		while (turn != 1)
			pthread_cond_wait(&cv, &mu);
		turn = 0;
		rounds_done++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

/* pthread_kill targets exactly one thread. */
static volatile pid_t sig_tid;
static void usr1_handler(int sig)
{
	(void)sig;
	sig_tid = (pid_t)syscall(SYS_gettid);
}
static volatile int target_tid_ready;
static volatile pid_t target_tid;
static void *sig_target(void *arg)
{
	(void)arg;
	target_tid = (pid_t)syscall(SYS_gettid);
	target_tid_ready = 1;
	while (sig_tid == 0)
		usleep(1000);
	return NULL;
}

/* Raw clone with CLONE_CHILD_CLEARTID: kernel clears the word and wakes futex waiters. */
static volatile int raw_flag;
static int raw_child(void *arg)
{
	(void)arg;
	raw_flag = 42;
	return 0; /* glibc's clone wrapper then calls SYS_exit (thread exit) */
}

static void *blocked_reader(void *arg)
{
	char c;
	int fd = *(int *)arg;
	if (read(fd, &c, 1) < 0)
		return NULL;
	return NULL;
}

static void *exiter(void *arg)
{
	(void)arg;
	usleep(20000);
	exit(9);
}

int main(void)
{
	pthread_t th[NTHREADS];
	it_begin(10);

	pthread_barrier_init(&barrier, NULL, NTHREADS);
	int created = 0;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i) == 0)
			created++;
	EXPECT_EQ(created, NTHREADS, "create 8 threads");
	int joined_ok = 1;
	for (int i = 0; i < created; i++) {
		void *ret;
		if (pthread_join(th[i], &ret) != 0 || (intptr_t)ret != (i == 3 ? 777 : i + 100))
			joined_ok = 0;
	}
	CHECK(joined_ok, "join returns each thread's return / pthread_exit value");
	int all_tls = 1, all_fs = 1, distinct = 1, samepid = 1;
	pid_t me = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < NTHREADS; i++) {
		all_tls &= tls_ok[i];
		all_fs &= fs_ok[i];
		if (pids[i] != getpid())
			samepid = 0;
		if (tids[i] == me || tids[i] == getpid() || tids[i] <= 0)
			distinct = 0;
		for (int j = 0; j < i; j++)
			if (tids[i] == tids[j])
				distinct = 0;
	}
	CHECK(all_tls, "each thread has its own TLS (initialised from the TLS image)");
	CHECK(tls_value == 12345, "main thread TLS untouched by other threads");
	CHECK(all_fs, "ARCH_GET_FS equals pthread_self() in every thread");
	CHECK(distinct, "gettid distinct per thread and different from the main tid");
	CHECK(samepid, "getpid identical in all threads");
	EXPECT_EQ(me, getpid(), "main thread tid equals pid");

	/* Contended mutex + atomics. */
	pthread_t ic[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&ic[i], NULL, incr, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(ic[i], NULL);
	EXPECT_EQ(counter, 80000, "mutex-protected counter from 4 threads");
	EXPECT_EQ(atomic_load(&acounter), 80000, "atomic counter from 4 threads");

	/* Condition variables. */
	pthread_t pt;
	pthread_create(&pt, NULL, pong, NULL);
	for (int k = 0; k < 200; k++) {
		pthread_mutex_lock(&mu);
		turn = 1;
		pthread_cond_signal(&cv);
		while (turn != 0)
			pthread_cond_wait(&cv, &mu);
		pthread_mutex_unlock(&mu);
	}
	pthread_join(pt, NULL);
	EXPECT_EQ(rounds_done, 200, "condition variable ping-pong 200 rounds");

	/* set_tid_address returns the caller's tid. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			static int word;
			long r = syscall(SYS_set_tid_address, &word);
			_exit(r == getpid() ? 0 : 1);
		}
		EXPECT_EXIT(it_wait(p), 0, "set_tid_address returns the tid");
	}

	/* Raw clone thread with CLONE_CHILD_CLEARTID: futex-wait on the tid word. */
	{
		size_t sz = 64 * 1024;
		char *stack = malloc(sz);
		static volatile int tidword;
		int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		            CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
		int tid = clone(raw_child, stack + sz, flags, NULL, &tidword, NULL, &tidword);
		int set_ok = (tid > 0 && (tidword == tid || tidword == 0));
		int v;
		while ((v = tidword) != 0)
			syscall(SYS_futex, &tidword, FUTEX_WAIT, v, NULL, NULL, 0);
		CHECK(set_ok, "CLONE_PARENT_SETTID stores the new tid");
		CHECK(raw_flag == 42 && tidword == 0,
		      "CLONE_CHILD_CLEARTID clears the tid word and wakes the futex");
		free(stack);
	}

	/* pthread_kill delivers to the chosen thread. */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = usr1_handler;
		sigaction(SIGUSR1, &sa, NULL);
		pthread_t t;
		pthread_create(&t, NULL, sig_target, NULL);
		while (!target_tid_ready)
			usleep(1000);
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
		CHECK(sig_tid == target_tid, "pthread_kill runs the handler in the target thread");
	}

	/* Detached threads and stack size attribute. */
	{
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 1 << 20);
		size_t got = 0;
		pthread_attr_getstacksize(&at, &got);
		pthread_t t;
		int r = pthread_create(&t, &at, incr, NULL);
		CHECK(r == 0 && got == (1 << 20), "thread with 1 MiB stack attribute");
		if (r == 0)
			pthread_join(t, NULL);
		pthread_attr_destroy(&at);
	}

	/* exit() from a secondary thread kills the process, even with a thread
	 * blocked in read; status is that thread's exit code. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			int pfd[2];
			if (pipe(pfd) < 0)
				_exit(50);
			pthread_t a, b;
			pthread_create(&a, NULL, blocked_reader, &pfd[0]);
			pthread_create(&b, NULL, exiter, NULL);
			pause();
			_exit(51);
		}
		EXPECT_EXIT(it_wait(p), 9, "exit() in a thread ends all threads with its status");
	}
	/* Main thread pthread_exit()s; the process lives on until the last thread. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			pthread_t b;
			pthread_create(&b, NULL, exiter, NULL);
			pthread_exit(NULL);
		}
		EXPECT_EXIT(it_wait(p), 9, "process survives main pthread_exit until last thread exits");
	}
	/* All threads exit normally: process exit status 0. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			pthread_t b;
			pthread_create(&b, NULL, incr, NULL);
			pthread_exit(NULL);
		}
		EXPECT_EXIT(it_wait(p), 0, "last thread returning ends the process with status 0");
	}
	/* A thread killed by a fatal signal kills the whole process. */
	{
		pid_t p = it_fork();
		if (p == 0) {
			int pfd[2];
			if (pipe(pfd) < 0)
				_exit(50);
			pthread_t a;
			pthread_create(&a, NULL, blocked_reader, &pfd[0]);
			usleep(10000);
			pthread_kill(a, SIGTERM);
			pause();
			_exit(51);
		}
		EXPECT_SIGNALED(it_wait(p), SIGTERM, "fatal signal to one thread kills the process");
	}
	return it_end();
}
