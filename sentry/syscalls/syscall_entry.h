/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscall_entry.h: the shape of the generated syscall table.
 *
 * The table itself, the argument structures and the shims are generated
 * from spec/syscalls/ into $(builddir)/gen/; this header only fixes
 * the types both sides agree on.
 */
#ifndef CVISOR_SYSCALL_ENTRY_H
#define CVISOR_SYSCALL_ENTRY_H

#include <stddef.h>
#include <stdint.h>

struct task;
struct strace_out;

enum syscall_status {
	SYSCALL_UNSUPPORTED,
	SYSCALL_PARTIAL,
	SYSCALL_SUPPORTED,
};

/* How a result is printed (spec/README.md, "Return kinds"). */
enum syscall_ret {
	SYSCALL_RET_INT,
	SYSCALL_RET_LONG,
	SYSCALL_RET_SSIZE,
	SYSCALL_RET_PID,
	SYSCALL_RET_FD,
	SYSCALL_RET_ZERO,
	SYSCALL_RET_PTR,
	SYSCALL_RET_HEX,
	SYSCALL_RET_NORETURN,
};

/* A generated shim: decode, validate, call the handler. */
typedef long (*syscall_fn)(struct task *, const uint64_t raw[6]);
/* A generated printer of the arguments; `ret` lets output buffers show
 * what the call filled in. */
typedef void (*syscall_print_fn)(struct strace_out *, const uint64_t raw[6],
				 long ret);

struct syscall_entry {
	const char *name;      /* NULL for a number Linux does not define */
	const char *subsystem; /* the spec file it comes from */
	const char *note;      /* "" when none */
	syscall_fn call;
	syscall_print_fn print_args;
	int nr;
	enum syscall_status status;
	enum syscall_ret ret;
	int unsupported_errno; /* what an unsupported call returns (positive) */
	unsigned char nargs;
	unsigned char strace_at_enter;
};

extern const struct syscall_entry syscall_table[];
extern const size_t syscall_table_size;

/* The entry for a number, or NULL when out of range or a hole. */
const struct syscall_entry *syscall_lookup(uint64_t nr);
/* The entry for a name, or NULL. */
const struct syscall_entry *syscall_lookup_name(const char *name);
/* Bounds check, index, call: what the task loop runs for every syscall. */
long syscall_dispatch(struct task *, uint64_t nr, const uint64_t raw[6]);

/* Called by the shim of an unsupported syscall and for unknown numbers:
 * logs the first use of each number, returns -err. Hand-written. */
long syscall_unsupported(struct task *, int nr, int err);

/* Status names as the report and `runsc syscalls` print them. */
const char *syscall_status_name(enum syscall_status);

#endif
