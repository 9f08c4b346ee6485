/* t_futex: raw futex(2) semantics (WAIT/WAKE counts, EAGAIN, timeouts,
 * BITSET masks, REQUEUE/CMP_REQUEUE, WAKE_OP, EINTR, private vs shared keys
 * across fork) because every lock in glibc and every pthread_join is built on
 * it and the Sentry implements it itself. */
#include "itest.h"

#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

static long futex(volatile uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts,
                  volatile uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* A waiter thread: one FUTEX_WAIT(_BITSET) call, records result. */
struct waiter {
	pthread_t th;
	volatile uint32_t *addr;
	uint32_t val;
	int op;
	uint32_t mask;
	volatile long result;
	volatile int err;
	atomic_int done;
};

static void *wait_fn(void *arg)
{
	struct waiter *w = arg;
	long r;
	if (w->op == FUTEX_WAIT_BITSET_PRIVATE)
		r = futex(w->addr, w->op, w->val, NULL, NULL, w->mask);
	else
		r = futex(w->addr, w->op, w->val, NULL, NULL, 0);
	w->err = r == -1 ? errno : 0;
	w->result = r;
	atomic_store(&w->done, 1);
	return NULL;
}

static void start_waiter(struct waiter *w, volatile uint32_t *addr, uint32_t val, int op,
                         uint32_t mask)
{
	w->addr = addr;
	w->val = val;
	w->op = op;
	w->mask = mask;
	w->result = -2;
	atomic_store(&w->done, 0);
	pthread_create(&w->th, NULL, wait_fn, w);
}

static int count_done(struct waiter *w, int n)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += atomic_load(&w[i].done);
	return c;
}

/* Repeat a wake-like operation until `target` waiters in total were affected
 * (waiters may not have gone to sleep yet), bounded by ~3s. */
static long wake_until(long (*op)(void *), void *arg, long target)
{
	long total = 0;
	for (int i = 0; i < 3000 && total < target; i++) {
		long r = op(arg);
		if (r < 0)
			return r;
		total += r;
		if (total < target)
			usleep(1000);
	}
	return total;
}

static volatile uint32_t w1, w2;
struct wake_args {
	volatile uint32_t *addr;
	int op;
	uint32_t n;
	uint32_t mask;
	volatile uint32_t *addr2;
	uint32_t n2;
	uint32_t val3;
};
static long do_wake(void *a)
{
	struct wake_args *w = a;
	return futex(w->addr, w->op, w->n, (const struct timespec *)(uintptr_t)w->n2, w->addr2,
	             w->val3 ? w->val3 : w->mask);
}

static volatile int sig_hits;
static void h_sig(int s)
{
	(void)s;
	sig_hits++;
}

int main(void)
{
	it_begin(10);

	/* Basic error cases. */
	w1 = 1;
	EXPECT_ERRNO(futex(&w1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN,
	             "FUTEX_WAIT with a stale value: EAGAIN");
	EXPECT_EQ(futex(&w1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0, "FUTEX_WAKE with no waiters returns 0");
	EXPECT_ERRNO(futex((volatile uint32_t *)((char *)&w1 + 1), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0),
	             EINVAL, "FUTEX_WAIT on a misaligned address: EINVAL");
	EXPECT_ERRNO(futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT,
	             "FUTEX_WAIT on NULL: EFAULT");
	EXPECT_ERRNO(futex(&w1, 99, 0, NULL, NULL, 0), ENOSYS, "unknown futex op: ENOSYS");
	{
		struct timespec bad = {0, 1000000000};
		EXPECT_ERRNO(futex(&w1, FUTEX_WAIT_PRIVATE, 1, &bad, NULL, 0), EINVAL,
		             "FUTEX_WAIT with tv_nsec=1e9: EINVAL");
		EXPECT_ERRNO(futex(&w1, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL,
		             "FUTEX_WAIT_BITSET with mask 0: EINVAL");
	}

	/* Timeouts. */
	{
		struct timespec rel = {0, 50 * 1000000};
		long long t0 = it_now_ns();
		long r = futex(&w1, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0);
		int e = errno;
		long long dt = it_now_ns() - t0;
		CHECKF(r == -1 && e == ETIMEDOUT && dt >= 49000000LL && dt < 2000000000LL,
		       "FUTEX_WAIT relative timeout 50ms: ETIMEDOUT", "r=%ld errno=%d dt=%lld", r, e, dt);
		struct timespec abs;
		clock_gettime(CLOCK_MONOTONIC, &abs);
		abs.tv_nsec += 50 * 1000000;
		if (abs.tv_nsec >= 1000000000) {
			abs.tv_sec++;
			abs.tv_nsec -= 1000000000;
		}
		r = futex(&w1, FUTEX_WAIT_BITSET_PRIVATE, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
		e = errno;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		CHECKF(r == -1 && e == ETIMEDOUT &&
		           (now.tv_sec > abs.tv_sec || (now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec)),
		       "FUTEX_WAIT_BITSET absolute CLOCK_MONOTONIC timeout", "r=%ld errno=%d", r, e);
		clock_gettime(CLOCK_REALTIME, &abs);
		abs.tv_nsec += 30 * 1000000;
		if (abs.tv_nsec >= 1000000000) {
			abs.tv_sec++;
			abs.tv_nsec -= 1000000000;
		}
		r = futex(&w1, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &abs, NULL,
		          FUTEX_BITSET_MATCH_ANY);
		e = errno;
		CHECKF(r == -1 && e == ETIMEDOUT, "FUTEX_WAIT_BITSET absolute CLOCK_REALTIME timeout",
		       "r=%ld errno=%d", r, e);
		struct timespec past = {0, 0};
		r = futex(&w1, FUTEX_WAIT_BITSET_PRIVATE, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY);
		e = errno;
		CHECKF(r == -1 && e == ETIMEDOUT, "absolute timeout in the past: ETIMEDOUT at once",
		       "r=%ld errno=%d", r, e);
	}

	/* WAIT / WAKE counts. */
	{
		struct waiter w[3];
		w1 = 0;
		for (int i = 0; i < 3; i++)
			start_waiter(&w[i], &w1, 0, FUTEX_WAIT_PRIVATE, 0);
		struct wake_args wa = {.addr = &w1, .op = FUTEX_WAKE_PRIVATE, .n = 1};
		long woke = wake_until(do_wake, &wa, 1);
		EXPECT_EQ(woke, 1, "FUTEX_WAKE(1) wakes exactly one waiter");
		while (count_done(w, 3) < 1)
			usleep(1000);
		usleep(20000);
		EXPECT_EQ(count_done(w, 3), 1, "the other waiters keep sleeping");
		wa.n = INT_MAX;
		woke = wake_until(do_wake, &wa, 2);
		EXPECT_EQ(woke, 2, "FUTEX_WAKE(INT_MAX) wakes the remaining two");
		int ok = 1;
		for (int i = 0; i < 3; i++) {
			pthread_join(w[i].th, NULL);
			if (w[i].result != 0)
				ok = 0;
		}
		CHECK(ok, "woken FUTEX_WAIT calls return 0");
	}

	/* BITSET. */
	{
		struct waiter w[2];
		w1 = 0;
		start_waiter(&w[0], &w1, 0, FUTEX_WAIT_BITSET_PRIVATE, 0x1);
		start_waiter(&w[1], &w1, 0, FUTEX_WAIT_BITSET_PRIVATE, 0x6);
		struct wake_args wa = {.addr = &w1, .op = FUTEX_WAKE_BITSET_PRIVATE, .n = INT_MAX,
		                       .mask = 0x4};
		long woke = wake_until(do_wake, &wa, 1);
		while (count_done(w, 2) < 1)
			usleep(1000);
		usleep(20000);
		CHECK(woke == 1 && atomic_load(&w[1].done) && !atomic_load(&w[0].done),
		      "FUTEX_WAKE_BITSET wakes only waiters with an intersecting mask");
		wa.mask = 0x1;
		woke = wake_until(do_wake, &wa, 1);
		pthread_join(w[0].th, NULL);
		pthread_join(w[1].th, NULL);
		CHECK(woke == 1 && w[0].result == 0, "FUTEX_WAKE_BITSET with the other bit wakes the rest");
		/* Plain WAKE reaches bitset waiters (MATCH_ANY) */
		start_waiter(&w[0], &w1, 0, FUTEX_WAIT_BITSET_PRIVATE, 0x80);
		struct wake_args wb = {.addr = &w1, .op = FUTEX_WAKE_PRIVATE, .n = 1};
		woke = wake_until(do_wake, &wb, 1);
		pthread_join(w[0].th, NULL);
		EXPECT_EQ(woke, 1, "plain FUTEX_WAKE wakes a FUTEX_WAIT_BITSET waiter");
	}

	/* REQUEUE / CMP_REQUEUE. */
	{
		struct waiter w[3];
		w1 = 0;
		w2 = 0;
		for (int i = 0; i < 3; i++)
			start_waiter(&w[i], &w1, 0, FUTEX_WAIT_PRIVATE, 0);
		struct wake_args bad = {.addr = &w1, .op = FUTEX_CMP_REQUEUE_PRIVATE, .n = 0,
		                        .addr2 = &w2, .n2 = INT_MAX, .val3 = 5};
		EXPECT_ERRNO(do_wake(&bad), EAGAIN, "FUTEX_CMP_REQUEUE with a stale val3: EAGAIN");
		/* requeue all (wake none), accumulating until all 3 have moved */
		struct wake_args rq = {.addr = &w1, .op = FUTEX_REQUEUE_PRIVATE, .n = 0, .addr2 = &w2,
		                       .n2 = INT_MAX};
		long moved = wake_until(do_wake, &rq, 3);
		EXPECT_EQ(moved, 3, "FUTEX_REQUEUE moves all three waiters");
		struct wake_args wk1 = {.addr = &w1, .op = FUTEX_WAKE_PRIVATE, .n = INT_MAX};
		EXPECT_EQ(do_wake(&wk1), 0, "nobody left waiting on the first futex");
		usleep(20000);
		EXPECT_EQ(count_done(w, 3), 0, "requeued waiters still sleep");
		struct wake_args wk2 = {.addr = &w2, .op = FUTEX_WAKE_PRIVATE, .n = 1};
		EXPECT_EQ(do_wake(&wk2), 1, "FUTEX_WAKE on the second futex wakes one requeued waiter");
		/* CMP_REQUEUE: wake 1, requeue the last back to w1 */
		long r = futex(&w2, FUTEX_CMP_REQUEUE_PRIVATE, 1, (const struct timespec *)(uintptr_t)INT_MAX,
		               &w1, 0);
		EXPECT_EQ(r, 2, "FUTEX_CMP_REQUEUE returns woken + requeued (1 + 1)");
		EXPECT_EQ(do_wake(&wk1), 1, "the requeued waiter is now on the first futex");
		int ok = 1;
		for (int i = 0; i < 3; i++) {
			pthread_join(w[i].th, NULL);
			if (w[i].result != 0)
				ok = 0;
		}
		CHECK(ok, "all requeued waiters return 0");
	}

	/* WAKE_OP arithmetic (no waiters) and wake decisions. */
	{
		w1 = 0;
		w2 = 0;
		long r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
		               FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0));
		CHECK(r == 0 && w2 == 5, "FUTEX_WAKE_OP SET stores the operand");
		futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
		      FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 0));
		EXPECT_EQ(w2, 8, "FUTEX_WAKE_OP ADD");
		futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
		      FUTEX_OP(FUTEX_OP_OR, 0x10, FUTEX_OP_CMP_EQ, 0));
		EXPECT_EQ(w2, 0x18, "FUTEX_WAKE_OP OR");
		futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
		      FUTEX_OP(FUTEX_OP_ANDN, 0x8, FUTEX_OP_CMP_EQ, 0));
		EXPECT_EQ(w2, 0x10, "FUTEX_WAKE_OP ANDN");
		futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
		      FUTEX_OP(FUTEX_OP_XOR, 0x11, FUTEX_OP_CMP_EQ, 0));
		EXPECT_EQ(w2, 0x1, "FUTEX_WAKE_OP XOR");
		futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
		      FUTEX_OP((FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 0));
		EXPECT_EQ(w2, 16, "FUTEX_WAKE_OP with OPARG_SHIFT");

		/* One waiter on each futex; the comparison decides whether w2's waiter wakes. */
		struct waiter a, b;
		w1 = 0;
		w2 = 7;
		start_waiter(&a, &w1, 0, FUTEX_WAIT_PRIVATE, 0);
		start_waiter(&b, &w2, 7, FUTEX_WAIT_PRIVATE, 0);
		/* ADD 0 keeps w2 == 7; CMP_NE 7 false: only w1's waiter is woken */
		long total = 0;
		for (int i = 0; i < 3000 && total < 1; i++) {
			r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
			          FUTEX_OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_NE, 7));
			if (r > 0)
				total += r;
			else
				usleep(1000);
		}
		pthread_join(a.th, NULL);
		usleep(20000);
		CHECK(total == 1 && !atomic_load(&b.done), "FUTEX_WAKE_OP false comparison wakes only uaddr1");
		total = 0;
		for (int i = 0; i < 3000 && total < 1; i++) {
			r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &w2,
			          FUTEX_OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_EQ, 7));
			if (r > 0)
				total += r;
			else
				usleep(1000);
		}
		pthread_join(b.th, NULL);
		CHECK(total == 1 && b.result == 0, "FUTEX_WAKE_OP true comparison wakes uaddr2's waiter");
	}

	/* EINTR: a signal interrupts FUTEX_WAIT (no SA_RESTART). */
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = h_sig;
		sigaction(SIGUSR1, &sa, NULL);
		struct waiter w;
		w1 = 0;
		start_waiter(&w, &w1, 0, FUTEX_WAIT_PRIVATE, 0);
		for (int i = 0; i < 3000 && !atomic_load(&w.done); i++) {
			pthread_kill(w.th, SIGUSR1);
			usleep(1000);
		}
		pthread_join(w.th, NULL);
		CHECKF(w.result == -1 && w.err == EINTR && sig_hits >= 1,
		       "signal interrupts FUTEX_WAIT with EINTR", "result=%ld err=%d", w.result, w.err);
	}

	/* Shared futex across fork on MAP_SHARED memory; private keys do not match across processes. */
	{
		volatile uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		                             -1, 0);
		sh[0] = 0;
		sh[1] = 0;
		pid_t c = it_fork();
		if (c == 0) {
			long r = futex(&sh[0], FUTEX_WAIT, 0, NULL, NULL, 0);
			_exit(r == 0 ? 0 : 1);
		}
		int priv_nonzero = 0;
		for (int i = 0; i < 20; i++) {
			if (futex(&sh[0], FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0) != 0)
				priv_nonzero = 1;
			usleep(1000);
		}
		CHECK(!priv_nonzero, "FUTEX_WAKE_PRIVATE in the parent never finds the child's shared waiter");
		long total = 0;
		for (int i = 0; i < 3000 && total < 1; i++) {
			long r = futex(&sh[0], FUTEX_WAKE, 1, NULL, NULL, 0);
			if (r > 0)
				total += r;
			else
				usleep(1000);
		}
		EXPECT_EQ(total, 1, "shared FUTEX_WAKE wakes a waiter in another process");
		EXPECT_EXIT(it_wait(c), 0, "child's shared FUTEX_WAIT returned 0");

		c = it_fork();
		if (c == 0) {
			struct timespec ts = {0, 150 * 1000000};
			long r = futex(&sh[1], FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
			_exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);
		}
		int woke_any = 0;
		for (int i = 0; i < 20; i++) {
			if (futex(&sh[1], FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0) != 0)
				woke_any = 1;
			usleep(2000);
		}
		EXPECT_EXIT(it_wait(c), 0, "a private waiter in the child is not woken by the parent");
		CHECK(!woke_any, "parent's private wakes found no waiter");
		munmap((void *)sh, 4096);
	}
	return it_end();
}
