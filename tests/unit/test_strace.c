/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strace printing of sample calls gives exactly strace's text, reading
 * strings and buffers from a fake guest memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/syscall_names.h"
#include "sentry/strace/strace.h"

/* A fake guest memory: one region at BASE. */
#define BASE 0x10000ULL
static unsigned char mem[8192];

static ssize_t fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < BASE || addr >= BASE + sizeof(mem))
		return -EFAULT;
	if (len > BASE + sizeof(mem) - addr)
		len = BASE + sizeof(mem) - addr;
	memcpy(buf, mem + (addr - BASE), len);
	return (ssize_t)len;
}

/* Place a string in fake memory at offset off; returns its guest address. */
static uint64_t put(size_t off, const void *s, size_t len)
{
	memcpy(mem + off, s, len);
	return BASE + off;
}

static void expect(uint64_t nr, const uint64_t raw[6], long ret,
		   bool entering, const char *want)
{
	struct strace_out o;

	strace_out_init(&o, fake_read, NULL);
	strace_format(&o, nr, raw, ret, entering);
	assert_false(o.oom);
	assert_string_equal(o.buf, want);
	strace_out_free(&o);
}

static void test_openat(void **state)
{
	uint64_t path = put(0, "/etc/passwd", 12);

	(void)state;
	expect(SYS_openat,
	       (uint64_t[6]){ (uint64_t)-100, path, 0x80000, 0, 0, 0 }, 3,
	       false, "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
	expect(SYS_openat,
	       (uint64_t[6]){ 5, path, 0x241, 0644, 0, 0 }, -ENOENT, false,
	       "openat(5, \"/etc/passwd\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = "
	       "-1 ENOENT (No such file or directory)");
	/* An unknown bit is printed in hex after the known ones. */
	expect(SYS_openat,
	       (uint64_t[6]){ (uint64_t)-100, path, 0x2 | 0x40000000, 0, 0, 0 },
	       4, false, "openat(AT_FDCWD, \"/etc/passwd\", O_RDWR|0x40000000) = 4");
	/* A pointer that cannot be read is printed as a pointer. */
	expect(SYS_openat,
	       (uint64_t[6]){ (uint64_t)-100, 0xdead0000, 0, 0, 0, 0 },
	       -EFAULT, false,
	       "openat(AT_FDCWD, 0xdead0000, O_RDONLY) = -1 EFAULT (Bad address)");
}

static void test_read_write(void **state)
{
	uint64_t buf = put(100, "hello\n\tworld\"\\\001", 16);
	uint64_t big = put(200,
			   "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", 46);

	(void)state;
	/* An output buffer shows what the call returned. */
	expect(SYS_read, (uint64_t[6]){ 3, buf, 4096 }, 6, false,
	       "read(3, \"hello\\n\", 4096) = 6");
	expect(SYS_read, (uint64_t[6]){ 3, buf, 4096 }, -EAGAIN, false,
	       "read(3, 0x10064, 4096) = -1 EAGAIN (Resource temporarily unavailable)");
	/* Escapes, and strings cut after 32 bytes. */
	expect(SYS_write, (uint64_t[6]){ 1, buf, 16 }, 16, false,
	       "write(1, \"hello\\n\\tworld\\\"\\\\\\1\\0\", 16) = 16");
	expect(SYS_write, (uint64_t[6]){ 2, big, 46 }, 46, false,
	       "write(2, \"0123456789abcdefghijklmnopqrstuv\"..., 46) = 46");
}

static void test_mmap(void **state)
{
	(void)state;
	expect(SYS_mmap, (uint64_t[6]){ 0, 4096, 3, 0x22, (uint64_t)-1, 0 },
	       0x7f0000001000, false,
	       "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
	       "-1, 0) = 0x7f0000001000");
	expect(SYS_mprotect, (uint64_t[6]){ 0x400000, 8192, 0 }, 0, false,
	       "mprotect(0x400000, 8192, PROT_NONE) = 0");
}

static void test_execve_at_entry(void **state)
{
	uint64_t path = put(1000, "/bin/true", 10);
	uint64_t arg1 = put(1020, "-x", 3);
	uint64_t argv[3] = { path, arg1, 0 };
	uint64_t av = put(1100, argv, sizeof(argv));
	uint64_t envp[1] = { 0 };
	uint64_t ev = put(1200, envp, sizeof(envp));
	const struct syscall_entry *e = syscall_lookup(SYS_execve);

	(void)state;
	assert_true(e->strace_at_enter);
	expect(SYS_execve, (uint64_t[6]){ path, av, ev }, 0, true,
	       "execve(\"/bin/true\", [\"/bin/true\", \"-x\"], []");
}

static void test_signals_and_exit(void **state)
{
	(void)state;
	expect(SYS_kill, (uint64_t[6]){ 12, 15 }, 0, false,
	       "kill(12, SIGTERM) = 0");
	expect(SYS_kill, (uint64_t[6]){ 12, 34 }, -ESRCH, false,
	       "kill(12, SIGRTMIN+2) = -1 ESRCH (No such process)");
	expect(SYS_exit_group, (uint64_t[6]){ 3 }, 0, true, "exit_group(3");
}

static void test_unknown_number(void **state)
{
	(void)state;
	expect(600, (uint64_t[6]){ 1, 2, 3, 4, 5, 6 }, -ENOSYS, false,
	       "syscall_0x258(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = "
	       "-1 ENOSYS (Function not implemented)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_execve_at_entry),
		cmocka_unit_test(test_signals_and_exit),
		cmocka_unit_test(test_unknown_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
