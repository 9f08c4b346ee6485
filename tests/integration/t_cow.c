/* t_cow: copy-on-write after fork for private anonymous, stack, data, bss and
 * heap memory (each side sees only its own writes), true sharing for
 * MAP_SHARED, and MADV_DONTFORK / MADV_WIPEONFORK, because the Sentry manages
 * guest address spaces itself. */
#include "itest.h"

#include <pthread.h>
#include <sys/mman.h>

static int data_var = 1;
static int bss_var;
static char big_bss[64 * 4096];

/* Two pipes used for lock-step between parent and child. */
static int p2c[2], c2p[2];
static void to_child(char c)
{
	if (write(p2c[1], &c, 1) != 1)
		exit(2);
}
static char from_parent(void)
{
	char c = 0;
	if (read(p2c[0], &c, 1) != 1)
		_exit(3);
	return c;
}
static void to_parent(char c)
{
	if (write(c2p[1], &c, 1) != 1)
		_exit(4);
}
static char from_child(void)
{
	char c = 0;
	if (read(c2p[0], &c, 1) != 1)
		return 0;
	return c;
}

static volatile int thread_wrote;
static void *writer_thread(void *arg)
{
	*(volatile int *)arg = 4242;
	thread_wrote = 1;
	return NULL;
}

int main(void)
{
	it_begin(10);
	if (pipe(p2c) < 0 || pipe(c2p) < 0)
		return 1;
	long pg = 4096;
	volatile int stack_var = 1;
	int *heap = malloc(1 << 20); /* big enough to be its own mmap */
	int *small_heap = malloc(64);
	volatile int *anon = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile int *shared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *many = mmap(NULL, 64 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	heap[0] = 1;
	heap[(1 << 18) - 1] = 1;
	*small_heap = 1;
	*anon = 1;
	*shared = 1;
	bss_var = 1;
	for (int i = 0; i < 64; i++) {
		many[i * pg] = (char)i;
		big_bss[i * pg] = (char)i;
	}

	pid_t c = it_fork();
	if (c == 0) {
		int bad = 0;
		/* child: sees the parent's values at fork time */
		if (stack_var != 1 || data_var != 1 || bss_var != 1 || heap[0] != 1 || *small_heap != 1 ||
		    *anon != 1 || *shared != 1)
			bad |= 1;
		stack_var = 2;
		data_var = 2;
		bss_var = 2;
		heap[0] = 2;
		heap[(1 << 18) - 1] = 2;
		*small_heap = 2;
		*anon = 2;
		*shared = 2;
		for (int i = 0; i < 64; i += 2) {
			many[i * pg] = (char)(100 + i);
			big_bss[i * pg] = (char)(100 + i);
		}
		to_parent(bad ? 'B' : 'W'); /* child wrote */
		from_parent();              /* parent wrote */
		if (stack_var != 2 || data_var != 2 || bss_var != 2 || heap[0] != 2 ||
		    heap[(1 << 18) - 1] != 2 || *small_heap != 2 || *anon != 2)
			bad |= 2;
		if (*shared != 3)
			bad |= 4;
		for (int i = 0; i < 64; i++) {
			char want = (i % 2 == 0) ? (char)(100 + i) : (char)i;
			if (many[i * pg] != want || big_bss[i * pg] != want)
				bad |= 8;
		}
		_exit(bad);
	}
	char r = from_child();
	CHECK(r == 'W', "child sees the parent's memory as of fork time");
	CHECK(stack_var == 1, "child's stack write invisible to parent");
	CHECK(data_var == 1, "child's .data write invisible to parent");
	CHECK(bss_var == 1, "child's .bss write invisible to parent");
	CHECK(heap[0] == 1 && heap[(1 << 18) - 1] == 1 && *small_heap == 1,
	      "child's heap writes invisible to parent");
	CHECK(*anon == 1, "child's private anonymous write invisible to parent");
	CHECK(*shared == 2, "child's MAP_SHARED anonymous write visible to parent");
	{
		int ok = 1;
		for (int i = 0; i < 64; i++)
			if (many[i * pg] != (char)i || big_bss[i * pg] != (char)i)
				ok = 0;
		CHECK(ok, "64-page regions untouched by the child's writes");
	}
	stack_var = 3;
	data_var = 3;
	bss_var = 3;
	heap[0] = 3;
	*small_heap = 3;
	*anon = 3;
	*shared = 3;
	for (int i = 1; i < 64; i += 2) {
		many[i * pg] = 'x';
		big_bss[i * pg] = 'x';
	}
	to_child('P');
	int st = it_wait(c);
	CHECKF(st == 0, "parent's later writes invisible to child, shared ones visible",
	       "child %s", it_status_str(st));
	CHECK(stack_var == 3 && heap[0] == 3 && *anon == 3, "parent keeps its own values after child exit");

	/* Chain: grandchild of a CoW child sees the child's values. */
	{
		pid_t a = it_fork();
		if (a == 0) {
			data_var = 10;
			pid_t g = fork();
			if (g == 0)
				_exit(data_var == 10 && *anon == 3 ? 0 : 1);
			int s2;
			waitpid(g, &s2, 0);
			data_var = 11;
			_exit(WIFEXITED(s2) && WEXITSTATUS(s2) == 0 && data_var == 11 ? 0 : 1);
		}
		EXPECT_EXIT(it_wait(a), 0, "CoW across two generations of fork");
		EXPECT_EQ(data_var, 3, "grandparent unaffected");
	}

	/* Fork from a multi-threaded process: child has the memory other threads wrote. */
	{
		static volatile int tv;
		pthread_t t;
		pthread_create(&t, NULL, writer_thread, (void *)&tv);
		pthread_join(t, NULL);
		pid_t a = it_fork();
		if (a == 0)
			_exit(tv == 4242 && thread_wrote ? 0 : 1);
		EXPECT_EXIT(it_wait(a), 0, "fork child sees memory written by another thread");
	}

	/* MADV_DONTFORK: region absent in the child. */
	{
		char *d = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		d[0] = 1;
		int r2 = madvise(d, pg, MADV_DONTFORK);
		pid_t a = it_fork();
		if (a == 0) {
			unsigned char vec;
			int m = mincore(d, pg, &vec);
			_exit(m == -1 && errno == ENOMEM ? 0 : 1);
		}
		CHECK(r2 == 0, "madvise MADV_DONTFORK");
		EXPECT_EXIT(it_wait(a), 0, "MADV_DONTFORK region is not mapped in the child");
		CHECK(d[0] == 1, "MADV_DONTFORK region intact in the parent");
		munmap(d, pg);
	}
	/* MADV_WIPEONFORK: child sees zeros. */
	{
		char *d = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		d[0] = 1;
		int r2 = madvise(d, pg, MADV_WIPEONFORK);
		pid_t a = it_fork();
		if (a == 0)
			_exit(d[0] == 0 ? 0 : 1);
		CHECK(r2 == 0, "madvise MADV_WIPEONFORK");
		EXPECT_EXIT(it_wait(a), 0, "MADV_WIPEONFORK region reads as zero in the child");
		CHECK(d[0] == 1, "MADV_WIPEONFORK region intact in the parent");
		munmap(d, pg);
	}

	/* MAP_SHARED stays shared with several children writing distinct slots. */
	{
		volatile int *slots = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		pid_t kids[4];
		for (int i = 0; i < 4; i++) {
			kids[i] = it_fork();
			if (kids[i] == 0) {
				slots[i] = 100 + i;
				_exit(0);
			}
		}
		for (int i = 0; i < 4; i++)
			it_wait(kids[i]);
		CHECK(slots[0] == 100 && slots[1] == 101 && slots[2] == 102 && slots[3] == 103,
		      "writes of 4 children to a MAP_SHARED region all visible");
	}
	free(heap);
	free(small_heap);
	return it_end();
}
