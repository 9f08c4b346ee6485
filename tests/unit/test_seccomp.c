/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generated seccomp tables: each filter compiles, its exported BPF
 * gives every rule's action (and the default for anything unlisted or for
 * a foreign architecture), and the Sentry's filter, loaded for real in a
 * child, lets a listed call through and kills on an unlisted one.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/seccomp_filter.h"
#include "tests/unit/bpf_sim.h"

static const struct seccomp_filter *const filters[] = {
	&seccomp_filter_sentry, &seccomp_filter_sentry_hostnet,
	&seccomp_filter_gofer, &seccomp_filter_gofer_rw, &seccomp_filter_stub,
};

/* Export a filter's BPF for simulation. */
static struct sock_filter *export(const struct seccomp_filter *f, size_t *len)
{
	int err;
	scmp_filter_ctx ctx = seccomp_filter_build(f, &err);
	struct sock_filter *prog;

	assert_non_null(ctx);
	prog = bpf_sim_export(ctx, len);
	seccomp_release(ctx);
	assert_non_null(prog);
	return prog;
}

static uint32_t sim(const struct sock_filter *prog, size_t len, int nr,
		    uint32_t arch, const uint64_t args[6])
{
	struct seccomp_data d = { .nr = nr, .arch = arch };

	if (args)
		memcpy(d.args, args, sizeof(d.args));
	return bpf_sim_run(prog, len, &d);
}

/* Arguments that satisfy every matcher of a rule. */
static void satisfy(const struct seccomp_rule *r, uint64_t args[6])
{
	memset(args, 0, 6 * sizeof(args[0]));
	for (unsigned i = 0; i < r->nargs; i++) {
		const struct scmp_arg_cmp *c = &r->args[i];

		switch (c->op) {
		case SCMP_CMP_MASKED_EQ: args[c->arg] = c->datum_b; break;
		case SCMP_CMP_NE: args[c->arg] = c->datum_a + 1; break;
		case SCMP_CMP_LT: args[c->arg] = c->datum_a - 1; break;
		case SCMP_CMP_GT: args[c->arg] = c->datum_a + 1; break;
		default: args[c->arg] = c->datum_a;
		}
	}
}

static bool listed(const struct seccomp_filter *f, int nr)
{
	for (size_t i = 0; i < f->nrules; i++)
		if (f->rules[i].nr == nr)
			return true;
	return false;
}

static void test_rules_simulate(void **state)
{
	(void)state;
	for (size_t fi = 0; fi < sizeof(filters) / sizeof(filters[0]); fi++) {
		const struct seccomp_filter *f = filters[fi];
		size_t len;
		struct sock_filter *prog = export(f, &len);
		uint64_t args[6];

		assert_true(f->nrules > 0);
		for (size_t i = 0; i < f->nrules; i++) {
			const struct seccomp_rule *r = &f->rules[i];

			satisfy(r, args);
			if (sim(prog, len, r->nr, AUDIT_ARCH_X86_64, args) !=
			    r->action)
				fail_msg("%s: %s does not give its action",
					 f->who, r->name);
			/* The same call from a 32-bit ABI is never allowed. */
			assert_int_equal(sim(prog, len, r->nr, AUDIT_ARCH_I386,
					     args),
					 SECCOMP_RET_KILL_PROCESS);
		}
		/* Anything unlisted gets the default action. */
		for (int nr = 0; nr < 460; nr++)
			if (!listed(f, nr))
				assert_int_equal(sim(prog, len, nr,
						     AUDIT_ARCH_X86_64, NULL),
						 f->default_action);
		free(prog);
	}
}

/* The Sentry may create threads but never fork: clone without
 * CLONE_THREAD kills it. */
static void test_sentry_clone_threads_only(void **state)
{
	size_t len;
	struct sock_filter *prog = export(&seccomp_filter_sentry, &len);
	uint64_t thread[6] = { 0x3d0f00 }, fork_[6] = { 0x1200011 };

	(void)state;
	assert_int_equal(sim(prog, len, SYS_clone, AUDIT_ARCH_X86_64, thread),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(sim(prog, len, SYS_clone, AUDIT_ARCH_X86_64, fork_),
			 SECCOMP_RET_KILL_PROCESS);
	free(prog);
}

/* --network=host adds internet sockets to the Sentry's filter, and only
 * those: without it no host socket can be made; with it AF_INET and
 * AF_INET6 stream and datagram sockets, but no raw, packet or netlink one. */
static void test_sentry_hostnet(void **state)
{
	size_t len, hlen;
	struct sock_filter *prog = export(&seccomp_filter_sentry, &len);
	struct sock_filter *hprog;
	int err;
	scmp_filter_ctx ctx = seccomp_filter_build_with(
		&seccomp_filter_sentry, &seccomp_filter_sentry_hostnet, &err);
	uint64_t tcp[6] = { 2, 1 | 0x800 | 0x80000 }, udp6[6] = { 10, 2 },
		 raw[6] = { 2, 3 }, packet[6] = { 17, 3 }, nl[6] = { 16, 3 },
		 unix_[6] = { 1, 1 }, bind_[6] = { 3 };

	(void)state;
	assert_non_null(ctx);
	hprog = bpf_sim_export(ctx, &hlen);
	seccomp_release(ctx);
	assert_non_null(hprog);
	assert_int_equal(sim(prog, len, SYS_socket, AUDIT_ARCH_X86_64, tcp),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(sim(prog, len, SYS_bind, AUDIT_ARCH_X86_64, bind_),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(sim(hprog, hlen, SYS_socket, AUDIT_ARCH_X86_64, tcp),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(sim(hprog, hlen, SYS_socket, AUDIT_ARCH_X86_64, udp6),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(sim(hprog, hlen, SYS_bind, AUDIT_ARCH_X86_64, bind_),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(sim(hprog, hlen, SYS_socket, AUDIT_ARCH_X86_64, raw),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(sim(hprog, hlen, SYS_socket, AUDIT_ARCH_X86_64,
			     packet),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(sim(hprog, hlen, SYS_socket, AUDIT_ARCH_X86_64, nl),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(sim(hprog, hlen, SYS_socket, AUDIT_ARCH_X86_64,
			     unix_),
			 SECCOMP_RET_KILL_PROCESS);
	/* Everything the Sentry alone may do, it still may. */
	assert_int_equal(sim(hprog, hlen, SYS_read, AUDIT_ARCH_X86_64, NULL),
			 SECCOMP_RET_ALLOW);
	free(prog);
	free(hprog);
}

/* The writable Gofer may do everything the read-only one may (each rule of
 * gofer.yaml gives ALLOW under gofer_rw too), and the read-only one none of
 * the write path. */
static void test_gofer_filters(void **state)
{
	static const int writes[] = { SYS_mkdirat, SYS_mknodat, SYS_symlinkat,
				      SYS_linkat, SYS_unlinkat, SYS_renameat2,
				      SYS_fchownat, SYS_fchmodat, SYS_utimensat,
				      SYS_ftruncate, SYS_fsetxattr,
				      SYS_fremovexattr, SYS_fsync, SYS_syncfs };
	const struct seccomp_filter *ro = &seccomp_filter_gofer;
	size_t rlen, wlen;
	struct sock_filter *rprog = export(ro, &rlen);
	struct sock_filter *wprog = export(&seccomp_filter_gofer_rw, &wlen);
	/* mknodat(dirfd, name, mode, dev) by node type. */
	uint64_t fifo[6] = { 0, 0, 0010644 }, chr[6] = { 0, 0, 0020644 },
		 blk[6] = { 0, 0, 0060644 }, wr[6] = { 0, 0, 0x241 };

	(void)state;
	for (size_t i = 0; i < ro->nrules; i++) {
		uint64_t args[6];

		satisfy(&ro->rules[i], args);
		if (sim(wprog, wlen, ro->rules[i].nr, AUDIT_ARCH_X86_64, args) !=
		    SECCOMP_RET_ALLOW)
			fail_msg("gofer_rw does not allow gofer's %s",
				 ro->rules[i].name);
	}
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		assert_int_equal(sim(rprog, rlen, writes[i], AUDIT_ARCH_X86_64,
				     fifo),
				 SECCOMP_RET_KILL_PROCESS);
	/* Opening for write: only the writable one. */
	assert_int_equal(sim(rprog, rlen, SYS_openat, AUDIT_ARCH_X86_64, wr),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(sim(wprog, wlen, SYS_openat, AUDIT_ARCH_X86_64, wr),
			 SECCOMP_RET_ALLOW);
	/* FIFOs, but never device nodes. */
	assert_int_equal(sim(wprog, wlen, SYS_mknodat, AUDIT_ARCH_X86_64, fifo),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(sim(wprog, wlen, SYS_mknodat, AUDIT_ARCH_X86_64, chr),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(sim(wprog, wlen, SYS_mknodat, AUDIT_ARCH_X86_64, blk),
			 SECCOMP_RET_KILL_PROCESS);
	free(rprog);
	free(wprog);
}

/* Load the Sentry filter in a child; `unlisted` chooses what it tries. */
static int run_child(bool unlisted)
{
	int p[2], status;
	pid_t pid;
	char c = 0;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (seccomp_filter_load(&seccomp_filter_sentry) != 0)
			_exit(3);
		if (write(p[1], "x", 1) != 1)
			_exit(4);
		if (unlisted)
			syscall(SYS_mkdirat, AT_FDCWD, "/nonexistent/x", 0700);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_sentry_filter_loads(void **state)
{
	int status;

	(void)state;
	status = run_child(false);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	status = run_child(true);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_simulate),
		cmocka_unit_test(test_sentry_clone_threads_only),
		cmocka_unit_test(test_gofer_filters),
		cmocka_unit_test(test_sentry_hostnet),
		cmocka_unit_test(test_sentry_filter_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
