/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp_filter.h: host seccomp filters built from spec/seccomp/.
 *
 * The rule tables are generated (gen/seccomp_tables.c); this code turns a
 * table into a libseccomp filter, loads it, or exports it for inspection.
 */
#ifndef CVISOR_SECCOMP_FILTER_H
#define CVISOR_SECCOMP_FILTER_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

struct seccomp_rule {
	const char *name;        /* the syscall, for messages */
	int nr;                  /* its x86-64 number */
	uint32_t action;         /* SCMP_ACT_* */
	unsigned nargs;
	struct scmp_arg_cmp args[6];
};

struct seccomp_filter {
	const char *who;         /* "sentry", "sentry_hostnet", "gofer", ... */
	uint32_t default_action;
	const struct seccomp_rule *rules;
	size_t nrules;
};

extern const struct seccomp_filter seccomp_filter_sentry;
/* Rules added to the Sentry's under --network=host only. */
extern const struct seccomp_filter seccomp_filter_sentry_hostnet;
extern const struct seccomp_filter seccomp_filter_gofer;
extern const struct seccomp_filter seccomp_filter_gofer_rw;
extern const struct seccomp_filter seccomp_filter_stub;

/* Build a libseccomp context for the filter; NULL with *err = -errno. */
scmp_filter_ctx seccomp_filter_build(const struct seccomp_filter *,
				     int *err);
/* The same with a second table's rules added (its default action is
 * ignored): the Sentry's filter and, under --network=host, its
 * sentry_hostnet rules. */
scmp_filter_ctx seccomp_filter_build_with(const struct seccomp_filter *,
					  const struct seccomp_filter *extra,
					  int *err);
/* Build and load into the calling thread (and, with TSYNC, all its
 * siblings). Sets no_new_privs first. Returns 0 or -errno. */
int seccomp_filter_load(const struct seccomp_filter *);
int seccomp_filter_load_with(const struct seccomp_filter *,
			     const struct seccomp_filter *extra);
/* The filter's BPF program in memory (prog->filter is malloc'ed), for a
 * process that must install it without allocating (a forked child). */
struct sock_fprog;
int seccomp_filter_export(const struct seccomp_filter *, struct sock_fprog *);
/* Install an exported program into the calling thread with raw syscalls
 * only: async-signal-safe. Sets no_new_privs. Returns 0 or -errno. */
int seccomp_filter_install(const struct sock_fprog *);

/* The filter by name, or NULL. */
const struct seccomp_filter *seccomp_filter_by_name(const char *who);

#endif
