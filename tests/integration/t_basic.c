/* t_basic: process start-up and exit basics (exit codes, argv/envp passing, the
 * auxiliary vector) because every other program depends on the kernel
 * building the initial stack and reporting exit status exactly like Linux. */
#include "itest.h"

#include <link.h>
#include <sys/auxv.h>

extern char **environ;

/* Helper mode run via execve: check argv/envp exactly as passed. */
static int helper_argv(int argc, char **argv)
{
	int n = 0;
	if (argc != 5)
		return 10;
	if (strcmp(argv[0], "custom-argv0") || strcmp(argv[1], "argv-check") ||
	    strcmp(argv[2], "arg one") || strcmp(argv[3], "") || strcmp(argv[4], "three"))
		return 11;
	if (argv[5] != NULL)
		return 12;
	for (char **e = environ; *e; e++)
		n++;
	if (n != 3)
		return 13;
	if (strcmp(environ[0], "FOO=bar") || strcmp(environ[1], "EMPTY=") ||
	    strcmp(environ[2], "LONG=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"))
		return 14;
	if (!getenv("EMPTY") || strcmp(getenv("EMPTY"), "") != 0)
		return 15;
	/* envp follows argv on the initial stack: argv[argc] == NULL, then envp. */
	if (&argv[argc + 1] != environ)
		return 16;
	return 0;
}

/* Helper mode: AT_EXECFN must be the path given to execve (== argv[0] here). */
static int helper_execfn(char **argv)
{
	const char *fn = (const char *)getauxval(AT_EXECFN);
	if (!fn)
		return 20;
	return strcmp(fn, argv[0]) == 0 ? 0 : 21;
}

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(struct dl_phdr_info *)data = *info;
	return 1; /* first object is the main program */
}

static int run_self(char *const argv[], char *const envp[])
{
	pid_t p = it_fork();
	if (p == 0) {
		execve(it_self_exe(), argv, envp);
		_exit(127);
	}
	return it_wait(p);
}

static int atexit_fd = -1;
static void atexit_handler(void)
{
	if (write(atexit_fd, "A", 1) != 1)
		_exit(99);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "argv-check") == 0)
		return helper_argv(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "execfn-check") == 0)
		return helper_execfn(argv);
	if (argc >= 2 && strcmp(argv[1], "ret3") == 0)
		return 3;

	it_begin(10);
	printf("hello, world\n");
	CHECK(argc >= 1 && argv[argc] == NULL, "argv is NULL-terminated");

	/* Exit codes. */
	static const int codes[] = {0, 1, 42, 255, 256, 257, -1};
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		pid_t p = it_fork();
		if (p == 0)
			_exit(codes[i]);
		int st = it_wait(p);
		char what[64];
		snprintf(what, sizeof what, "_exit(%d) gives exit status %d", codes[i], codes[i] & 0xff);
		EXPECT_EXIT(st, codes[i] & 0xff, what);
	}
	{
		pid_t p = it_fork();
		if (p == 0)
			syscall(SYS_exit_group, 7);
		int st = it_wait(p);
		EXPECT_EXIT(st, 7, "exit_group(7) gives exit status 7");
	}
	{
		pid_t p = it_fork();
		if (p == 0)
			syscall(SYS_exit, 9); /* single-threaded: exits the process */
		int st = it_wait(p);
		EXPECT_EXIT(st, 9, "exit(9) of the only thread gives exit status 9");
	}
	{
		char *av[] = {"x", "ret3", NULL};
		char *ev[] = {NULL};
		int st = run_self(av, ev);
		EXPECT_EXIT(st, 3, "return 3 from main gives exit status 3");
	}
	/* atexit handlers run on exit() but not on _exit(). */
	for (int use_exit = 0; use_exit < 2; use_exit++) {
		int pfd[2];
		char buf[8];
		if (pipe(pfd) < 0) {
			it_fail("pipe", "errno %d", errno);
			break;
		}
		pid_t p = it_fork();
		if (p == 0) {
			close(pfd[0]);
			atexit_fd = pfd[1];
			atexit(atexit_handler);
			if (use_exit)
				exit(0);
			_exit(0);
		}
		close(pfd[1]);
		ssize_t n = it_read_all(pfd[0], buf, sizeof buf);
		close(pfd[0]);
		int st = it_wait(p);
		if (use_exit)
			CHECKF(n == 1 && st == 0, "atexit handler runs on exit()", "n=%zd st=%s", n,
			       it_status_str(st));
		else
			CHECKF(n == 0 && st == 0, "atexit handler skipped on _exit()", "n=%zd st=%s", n,
			       it_status_str(st));
	}

	/* argv/envp passing through execve. */
	{
		char *av[] = {"custom-argv0", "argv-check", "arg one", "", "three", NULL};
		char *ev[] = {"FOO=bar", "EMPTY=",
		              "LONG=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL};
		int st = run_self(av, ev);
		EXPECT_EXIT(st, 0, "execve passes argv and envp exactly");
	}
	{
		char *av[] = {(char *)it_self_exe(), "execfn-check", NULL};
		char *ev[] = {NULL};
		int st = run_self(av, ev);
		EXPECT_EXIT(st, 0, "AT_EXECFN equals the path given to execve");
	}

	/* auxv sanity. */
	EXPECT_EQ(getauxval(AT_PAGESZ), 4096, "AT_PAGESZ is 4096");
	EXPECT_EQ(sysconf(_SC_PAGESIZE), 4096, "sysconf(_SC_PAGESIZE) is 4096");
	{
		const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
		unsigned char copy[16];
		int nonzero = 0;
		if (r) {
			memcpy(copy, r, 16);
			for (int i = 0; i < 16; i++)
				nonzero |= copy[i];
		}
		CHECK(r != NULL && nonzero, "AT_RANDOM points to 16 readable random bytes");
	}
	{
		struct dl_phdr_info info;
		memset(&info, 0, sizeof info);
		dl_iterate_phdr(phdr_cb, &info);
		CHECKF((uintptr_t)info.dlpi_phdr == getauxval(AT_PHDR), "AT_PHDR matches dl_iterate_phdr",
		       "phdr %p auxv %#lx", (void *)info.dlpi_phdr, getauxval(AT_PHDR));
		EXPECT_EQ(info.dlpi_phnum, getauxval(AT_PHNUM), "AT_PHNUM matches dl_iterate_phdr");
		EXPECT_EQ(getauxval(AT_PHENT), sizeof(ElfW(Phdr)), "AT_PHENT is sizeof(Elf64_Phdr)");
		int has_interp = 0, has_self = 0;
		const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
		for (unsigned i = 0; ph && i < getauxval(AT_PHNUM); i++) {
			if (ph[i].p_type == PT_INTERP)
				has_interp = 1;
			if (ph[i].p_type == PT_PHDR)
				has_self = 1;
		}
		(void)has_self;
		if (has_interp)
			CHECK(getauxval(AT_BASE) != 0, "AT_BASE set iff program has PT_INTERP");
		else
			CHECK(getauxval(AT_BASE) == 0, "AT_BASE set iff program has PT_INTERP");
		/* main's address lies in the same object as AT_PHDR / AT_ENTRY. */
		uintptr_t entry = getauxval(AT_ENTRY);
		uintptr_t lo = UINTPTR_MAX, hi = 0;
		for (unsigned i = 0; ph && i < getauxval(AT_PHNUM); i++)
			if (ph[i].p_type == PT_LOAD) {
				uintptr_t a = info.dlpi_addr + ph[i].p_vaddr;
				if (a < lo)
					lo = a;
				if (a + ph[i].p_memsz > hi)
					hi = a + ph[i].p_memsz;
			}
		CHECKF(entry >= lo && entry < hi, "AT_ENTRY lies inside the program's PT_LOAD segments",
		       "entry %#lx range %#lx-%#lx", (unsigned long)entry, (unsigned long)lo,
		       (unsigned long)hi);
		CHECKF((uintptr_t)&main >= lo && (uintptr_t)&main < hi,
		       "main lies inside the program's PT_LOAD segments", "main %p", (void *)&main);
	}
	EXPECT_EQ(getauxval(AT_UID), getuid(), "AT_UID equals getuid()");
	EXPECT_EQ(getauxval(AT_EUID), geteuid(), "AT_EUID equals geteuid()");
	EXPECT_EQ(getauxval(AT_GID), getgid(), "AT_GID equals getgid()");
	EXPECT_EQ(getauxval(AT_EGID), getegid(), "AT_EGID equals getegid()");
	EXPECT_EQ(getauxval(AT_SECURE), 0, "AT_SECURE is 0");
	EXPECT_EQ(getauxval(AT_CLKTCK), 100, "AT_CLKTCK is 100");
	{
		const char *pl = (const char *)getauxval(AT_PLATFORM);
		CHECK(pl && strcmp(pl, "x86_64") == 0, "AT_PLATFORM is x86_64");
	}
	{
		/* The stack holds argv strings: argv[0] is readable and below environ strings. */
		char *e0 = environ[0];
		CHECK(argv[0] != NULL && (e0 == NULL || argv[0] < e0), "argv strings precede envp strings");
	}
	return it_end();
}
