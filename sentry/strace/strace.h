/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strace.h: strace-style formatting of system calls.
 *
 * The generated printers (gen/strace_print.c) call one primitive per
 * argument; the primitives format into a growable buffer and read guest
 * memory only through the callback the caller gives, so the same code runs
 * in the Sentry and in unit tests with a fake memory.
 */
#ifndef CVISOR_STRACE_H
#define CVISOR_STRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sentry/syscalls/syscall_entry.h"

/* Strings and buffers are cut after this many bytes, as strace -s 32 does. */
#define STRACE_STRLEN 32
/* argv arrays are cut after this many elements. */
#define STRACE_ARGVLEN 32

/* Reads len bytes of guest memory at addr; returns bytes read or -errno. */
typedef ssize_t (*strace_read_fn)(void *ctx, uint64_t addr, void *buf,
				  size_t len);

struct strace_out {
	char *buf;
	size_t len, cap;
	bool oom;          /* an allocation failed; the text is cut */
	unsigned nargs;    /* arguments printed so far, for the separators */
	strace_read_fn read_mem;
	void *mem_ctx;
};

struct strace_flag {
	const char *name;
	uint64_t value;
};

/* A flag or enum set from spec/types.yaml. */
struct strace_flagset {
	const char *name;
	bool is_enum;
	const struct strace_flag *values;
	size_t nvalues;
	const char *zero;                    /* name printed for 0, or NULL */
	uint64_t field_mask;                 /* a multi-bit field printed first */
	const struct strace_flag *field_values;
	size_t nfield_values;
	bool field_is_signal;
};

void strace_out_init(struct strace_out *, strace_read_fn, void *ctx);
void strace_out_free(struct strace_out *);
void strace_printf(struct strace_out *, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One primitive per printer kind of spec/types.yaml; each prints ", "
 * before every argument but the first. */
void strace_put_int(struct strace_out *, int64_t);
void strace_put_uint(struct strace_out *, uint64_t);
void strace_put_hex(struct strace_out *, uint64_t);
void strace_put_octal(struct strace_out *, uint64_t);
void strace_put_fd(struct strace_out *, int32_t);
void strace_put_dirfd(struct strace_out *, int32_t);
void strace_put_signal(struct strace_out *, int64_t);
void strace_put_ptr(struct strace_out *, uint64_t);
void strace_put_string(struct strace_out *, uint64_t addr);
void strace_put_buf(struct strace_out *, uint64_t addr, uint64_t len);
void strace_put_buf_out(struct strace_out *, uint64_t addr, long ret);
void strace_put_argv(struct strace_out *, uint64_t addr);
void strace_put_flags(struct strace_out *, const struct strace_flagset *,
		      uint64_t);
void strace_put_enum(struct strace_out *, const struct strace_flagset *,
		     int64_t);

/*
 * Format the call numbered `nr`: `name(args) = ret` (or `name(args) = -1 ENAME (text)`).
 * With `entering`, only `name(args` is written: for calls whose arguments
 * are gone or that never return (spec `strace: enter`).
 */
void strace_format(struct strace_out *, uint64_t nr, const uint64_t raw[6],
		   long ret, bool entering);

/* The name of signal `sig` (SIGINT, SIGRTMIN+3), or NULL. */
const char *strace_signal_name(int sig);

#endif
