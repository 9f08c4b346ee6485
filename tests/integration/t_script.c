/* t_script: execve of "#!" scripts (argv as the kernel builds it: interpreter,
 * optional single argument, script path, then the remaining args; whitespace
 * rules; nested interpreters; error cases; AT_EXECFN is the script) because
 * the Sentry's loader must implement binfmt_script itself. */
#include "itest.h"

#include <sys/auxv.h>

static char dir[64];
static const char *self;

/* Helper mode: print argv (one per line, after a marker) and AT_EXECFN. */
static int helper_dump(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("[%s]\n", argv[i]);
	const char *fn = (const char *)getauxval(AT_EXECFN);
	printf("execfn=%s\n", fn ? fn : "(null)");
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	printf("exe=%s\n", exe);
	return 0;
}

/* Run path with argv, capture stdout; returns exit status, output in out. */
static int run_capture(const char *path, char *const av[], char *out, size_t outlen)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t c = it_fork();
	if (c == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		char *ev[] = {"PATH=/usr/bin:/bin", NULL};
		execve(path, av, ev);
		_exit(100 + (errno & 0x3f));
	}
	close(p[1]);
	it_read_all(p[0], out, outlen);
	close(p[0]);
	return it_wait(c);
}

static int exec_errno(const char *path)
{
	char *av[] = {"x", NULL};
	char *ev[] = {NULL};
	errno = 0;
	execve(path, av, ev);
	return errno;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strncmp(argv[1], "dump-", 5) == 0)
		return helper_dump(argc, argv);

	it_begin(10);
	self = it_self_exe();
	if (!it_tmpdir(dir, sizeof dir))
		return 1;
	char path[256], body[512], out[8192], want[8192];

	/* /bin/sh script. */
	snprintf(path, sizeof path, "%s/s1", dir);
	snprintf(body, sizeof body, "#!/bin/sh\necho \"$#|$1|$2\"\nexit 7\n");
	it_write_file(path, body, strlen(body), 0755);
	{
		char *av[] = {"ignored-argv0", "a b", "c", NULL};
		int st = run_capture(path, av, out, sizeof out);
		EXPECT_EXIT(st, 7, "#!/bin/sh script runs and its exit status is returned");
		CHECKF(strcmp(out, "2|a b|c\n") == 0, "script receives its arguments", "got %s", out);
	}

	/* Our own binary as interpreter, with an argument. */
	snprintf(path, sizeof path, "%s/s2", dir);
	snprintf(body, sizeof body, "#!%s dump-argv\nnot shell\n", self);
	it_write_file(path, body, strlen(body), 0755);
	{
		char *av[] = {"original-argv0", "x1", "", "x 3", NULL};
		int st = run_capture(path, av, out, sizeof out);
		snprintf(want, sizeof want,
		         "argc=6\n[%s]\n[dump-argv]\n[%s]\n[x1]\n[]\n[x 3]\nexecfn=%s\nexe=%s\n", self, path,
		         path, self);
		EXPECT_EXIT(st, 0, "script with our binary as interpreter runs");
		CHECKF(strcmp(out, want) == 0,
		       "argv = interpreter, its argument, script path, args (argv[0] dropped)",
		       "got:\n%s\nwant:\n%s", out, want);
		CHECK(strstr(out, "execfn=") && strstr(strstr(out, "execfn="), path),
		      "AT_EXECFN is the script path, /proc/self/exe the interpreter");
	}

	/* Without an interpreter argument: name the script "dump-argv" (relative
	 * to the cwd) so that our helper mode sees the keyword as argv[1]. */
	{
		char cwd[4096];
		if (!getcwd(cwd, sizeof cwd))
			cwd[0] = 0;
		if (chdir(dir) == 0) {
			snprintf(body, sizeof body, "#!%s\n", self);
			it_write_file("dump-argv", body, strlen(body), 0755);
			char *av[] = {"zz", "arg", NULL};
			int st = run_capture("dump-argv", av, out, sizeof out);
			snprintf(want, sizeof want, "argc=3\n[%s]\n[dump-argv]\n[arg]\nexecfn=dump-argv\nexe=%s\n",
			         self, self);
			EXPECT_EXIT(st, 0, "script without interpreter argument runs");
			CHECKF(strcmp(out, want) == 0,
			       "argv = interpreter, script path as given (relative), args", "got:\n%s\nwant:\n%s",
			       out, want);
			if (chdir(cwd) != 0)
				it_fail("chdir back", "errno %d", errno);
		}
	}

	/* Whitespace: spaces/tabs before the interpreter, inside and after the argument. */
	snprintf(path, sizeof path, "%s/s4", dir);
	snprintf(body, sizeof body, "#! \t%s \t dump-spaces  x\t y \t \nbody\n", self);
	it_write_file(path, body, strlen(body), 0755);
	{
		char *av[] = {"a0", NULL};
		int st = run_capture(path, av, out, sizeof out);
		snprintf(want, sizeof want, "[%s]\n[dump-spaces  x\t y]\n[%s]\n", self, path);
		EXPECT_EXIT(st, 0, "script with extra whitespace runs");
		CHECKF(strstr(out, want) != NULL,
		       "leading whitespace skipped, one argument with inner whitespace kept, trailing stripped",
		       "got:\n%s", out);
	}

	/* Nested: script whose interpreter is another script. */
	{
		char inner[256], outer[256];
		snprintf(inner, sizeof inner, "%s/inner", dir);
		snprintf(body, sizeof body, "#!/bin/sh\necho \"inner:$#:$1:$2\"\n");
		it_write_file(inner, body, strlen(body), 0755);
		snprintf(outer, sizeof outer, "%s/outer", dir);
		snprintf(body, sizeof body, "#!%s\n", inner);
		it_write_file(outer, body, strlen(body), 0755);
		char *av[] = {"outer0", "arg", NULL};
		int st = run_capture(outer, av, out, sizeof out);
		snprintf(want, sizeof want, "inner:2:%s:arg\n", outer);
		EXPECT_EXIT(st, 0, "script interpreted by another script runs");
		CHECKF(strcmp(out, want) == 0, "nested interpreter receives the outer script path",
		       "got %s want %s", out, want);
	}

	/* Error cases. */
	snprintf(path, sizeof path, "%s/e1", dir);
	it_write_file(path, "#!/nonexistent/interp\n", 22, 0755);
	EXPECT_EQ(exec_errno(path), ENOENT, "missing interpreter: ENOENT");
	snprintf(path, sizeof path, "%s/e2", dir);
	it_write_file(path, "#!/bin/sh\nexit 0\n", 17, 0644);
	EXPECT_EQ(exec_errno(path), EACCES, "script without x permission: EACCES");
	snprintf(path, sizeof path, "%s/e3", dir);
	it_write_file(path, "#!\n", 3, 0755);
	EXPECT_EQ(exec_errno(path), ENOEXEC, "\"#!\" with no interpreter: ENOEXEC");
	snprintf(path, sizeof path, "%s/e4", dir);
	it_write_file(path, "#!   \t\n", 7, 0755);
	EXPECT_EQ(exec_errno(path), ENOEXEC, "\"#!\" with only whitespace: ENOEXEC");
	{
		/* a loop of scripts: too many levels */
		char l1[256], l2[256];
		snprintf(l1, sizeof l1, "%s/loop1", dir);
		snprintf(l2, sizeof l2, "%s/loop2", dir);
		snprintf(body, sizeof body, "#!%s\n", l2);
		it_write_file(l1, body, strlen(body), 0755);
		snprintf(body, sizeof body, "#!%s\n", l1);
		it_write_file(l2, body, strlen(body), 0755);
		EXPECT_EQ(exec_errno(l1), ELOOP, "scripts interpreting each other forever: ELOOP");
	}
	/* Interpreter is a directory. */
	snprintf(path, sizeof path, "%s/e5", dir);
	it_write_file(path, "#!/tmp\n", 7, 0755);
	EXPECT_EQ(exec_errno(path), EACCES, "interpreter is a directory: EACCES");

	it_rmtree(dir);
	return it_end();
}
