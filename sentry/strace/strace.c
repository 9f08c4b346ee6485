/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strace.c: the formatting primitives behind the generated printers.
 *
 * Output follows strace(1): strings quoted with C escapes and cut after
 * STRACE_STRLEN bytes with "...", pointers in hex, NULL for 0, flags as
 * A|B|0x10 for unknown bits, errors as "-1 ENOENT (No such file or
 * directory)". Guest memory is read through a callback and a read failure
 * prints the pointer instead, as strace does.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/strace/strace.h"

void strace_out_init(struct strace_out *o, strace_read_fn read_mem, void *ctx)
{
	memset(o, 0, sizeof(*o));
	o->read_mem = read_mem;
	o->mem_ctx = ctx;
}

void strace_out_free(struct strace_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* Append formatted text, growing the buffer; on allocation failure the
 * text is cut and `oom` set, never a crash. */
static void vappend(struct strace_out *o, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (o->oom)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(o->buf ? o->buf + o->len : NULL,
		      o->buf ? o->cap - o->len : 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if (!o->buf || o->len + (size_t)n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 128;
		char *nb;

		while (cap < o->len + (size_t)n + 1)
			cap *= 2;
		nb = realloc(o->buf, cap);
		if (!nb) {
			o->oom = true;
			return;
		}
		o->buf = nb;
		o->cap = cap;
		vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	}
	o->len += (size_t)n;
}

void strace_printf(struct strace_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(o, fmt, ap);
	va_end(ap);
}

/* Every argument but the first is preceded by ", ". */
static void sep(struct strace_out *o)
{
	if (o->nargs++)
		strace_printf(o, ", ");
}

void strace_put_int(struct strace_out *o, int64_t v)
{
	sep(o);
	strace_printf(o, "%lld", (long long)v);
}

void strace_put_uint(struct strace_out *o, uint64_t v)
{
	sep(o);
	strace_printf(o, "%llu", (unsigned long long)v);
}

void strace_put_hex(struct strace_out *o, uint64_t v)
{
	sep(o);
	strace_printf(o, "%#llx", (unsigned long long)v);
}

void strace_put_octal(struct strace_out *o, uint64_t v)
{
	sep(o);
	strace_printf(o, "%#llo", (unsigned long long)v);
}

void strace_put_fd(struct strace_out *o, int32_t fd)
{
	strace_put_int(o, fd);
}

/* AT_FDCWD is -100 in the Linux ABI. */
void strace_put_dirfd(struct strace_out *o, int32_t fd)
{
	if (fd == -100) {
		sep(o);
		strace_printf(o, "AT_FDCWD");
		return;
	}
	strace_put_int(o, fd);
}

const char *strace_signal_name(int sig)
{
	static const char *const names[] = {
		[1] = "SIGHUP",   [2] = "SIGINT",     [3] = "SIGQUIT",
		[4] = "SIGILL",   [5] = "SIGTRAP",    [6] = "SIGABRT",
		[7] = "SIGBUS",   [8] = "SIGFPE",     [9] = "SIGKILL",
		[10] = "SIGUSR1", [11] = "SIGSEGV",   [12] = "SIGUSR2",
		[13] = "SIGPIPE", [14] = "SIGALRM",   [15] = "SIGTERM",
		[16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",
		[19] = "SIGSTOP", [20] = "SIGTSTP",   [21] = "SIGTTIN",
		[22] = "SIGTTOU", [23] = "SIGURG",    [24] = "SIGXCPU",
		[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF",
		[28] = "SIGWINCH", [29] = "SIGIO",    [30] = "SIGPWR",
		[31] = "SIGSYS",
	};
	static const char *const rt[] = {
		"SIGRTMIN",    "SIGRTMIN+1",  "SIGRTMIN+2",  "SIGRTMIN+3",
		"SIGRTMIN+4",  "SIGRTMIN+5",  "SIGRTMIN+6",  "SIGRTMIN+7",
		"SIGRTMIN+8",  "SIGRTMIN+9",  "SIGRTMIN+10", "SIGRTMIN+11",
		"SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15",
		"SIGRTMIN+16", "SIGRTMIN+17", "SIGRTMIN+18", "SIGRTMIN+19",
		"SIGRTMIN+20", "SIGRTMIN+21", "SIGRTMIN+22", "SIGRTMIN+23",
		"SIGRTMIN+24", "SIGRTMIN+25", "SIGRTMIN+26", "SIGRTMIN+27",
		"SIGRTMIN+28", "SIGRTMIN+29", "SIGRTMIN+30", "SIGRTMIN+31",
		"SIGRTMAX",
	};

	/* The guest's SIGRTMIN is the kernel's 32, not glibc's 34. */
	if (sig >= 1 && sig <= 31)
		return names[sig];
	if (sig >= 32 && sig <= 64)
		return rt[sig - 32];
	return NULL;
}

void strace_put_signal(struct strace_out *o, int64_t sig)
{
	const char *n = sig >= 0 && sig <= 64 ? strace_signal_name((int)sig)
					      : NULL;

	sep(o);
	if (n)
		strace_printf(o, "%s", n);
	else
		strace_printf(o, "%lld", (long long)sig);
}

void strace_put_ptr(struct strace_out *o, uint64_t p)
{
	sep(o);
	if (p)
		strace_printf(o, "%#llx", (unsigned long long)p);
	else
		strace_printf(o, "NULL");
}

/* Print bytes as a C string literal with strace's escapes; `more` adds the
 * "..." that says the data was cut. */
static void put_quoted(struct strace_out *o, const unsigned char *s,
		       size_t n, bool more)
{
	strace_printf(o, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"': strace_printf(o, "\\\""); break;
		case '\\': strace_printf(o, "\\\\"); break;
		case '\n': strace_printf(o, "\\n"); break;
		case '\t': strace_printf(o, "\\t"); break;
		case '\r': strace_printf(o, "\\r"); break;
		case '\v': strace_printf(o, "\\v"); break;
		case '\f': strace_printf(o, "\\f"); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				strace_printf(o, "%c", c);
			else
				strace_printf(o, "\\%o", c);
		}
	}
	strace_printf(o, "\"%s", more ? "..." : "");
}

/* Read a NUL-terminated guest string of at most `max` bytes. Returns its
 * length (without the NUL), `max`+1 when longer, or -1 if unreadable. */
static ssize_t read_string(struct strace_out *o, uint64_t addr, char *buf,
			   size_t max)
{
	size_t got = 0;

	if (!o->read_mem || !addr)
		return -1;
	/* Byte-wise near page ends would be slow; read up to the page end. */
	while (got <= max) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		ssize_t n;

		if (chunk > max + 1 - got)
			chunk = max + 1 - got;
		n = o->read_mem(o->mem_ctx, addr + got, buf + got, chunk);
		if (n <= 0)
			return got ? (ssize_t)got : -1;
		for (ssize_t i = 0; i < n; i++)
			if (buf[got + (size_t)i] == '\0')
				return (ssize_t)(got + (size_t)i);
		got += (size_t)n;
	}
	return (ssize_t)got;
}

void strace_put_string(struct strace_out *o, uint64_t addr)
{
	char buf[STRACE_STRLEN + 1];
	ssize_t n;

	if (!addr) {
		strace_put_ptr(o, 0);
		return;
	}
	n = read_string(o, addr, buf, STRACE_STRLEN);
	if (n < 0) {
		strace_put_ptr(o, addr);
		return;
	}
	sep(o);
	put_quoted(o, (unsigned char *)buf,
		   n > STRACE_STRLEN ? STRACE_STRLEN : (size_t)n,
		   n > STRACE_STRLEN);
}

void strace_put_buf(struct strace_out *o, uint64_t addr, uint64_t len)
{
	unsigned char buf[STRACE_STRLEN];
	size_t want = len < STRACE_STRLEN ? len : STRACE_STRLEN;
	ssize_t n = 0;

	if (want && o->read_mem)
		n = o->read_mem(o->mem_ctx, addr, buf, want);
	if (want && n != (ssize_t)want) {
		strace_put_ptr(o, addr);
		return;
	}
	sep(o);
	put_quoted(o, buf, want, len > want);
}

/* An output buffer is shown only once the call has filled it. */
void strace_put_buf_out(struct strace_out *o, uint64_t addr, long ret)
{
	if (ret < 0) {
		strace_put_ptr(o, addr);
		return;
	}
	strace_put_buf(o, addr, (uint64_t)ret);
}

void strace_put_argv(struct strace_out *o, uint64_t addr)
{
	unsigned i;

	if (!addr || !o->read_mem) {
		strace_put_ptr(o, addr);
		return;
	}
	sep(o);
	strace_printf(o, "[");
	for (i = 0; i < STRACE_ARGVLEN; i++) {
		uint64_t p;
		char buf[STRACE_STRLEN + 1];
		ssize_t n;

		if (o->read_mem(o->mem_ctx, addr + 8 * i, &p, 8) != 8) {
			strace_printf(o, "%s%#llx", i ? ", " : "",
				      (unsigned long long)(addr + 8 * i));
			break;
		}
		if (!p)
			break;
		if (i)
			strace_printf(o, ", ");
		n = read_string(o, p, buf, STRACE_STRLEN);
		if (n < 0)
			strace_printf(o, "%#llx", (unsigned long long)p);
		else
			put_quoted(o, (unsigned char *)buf,
				   n > STRACE_STRLEN ? STRACE_STRLEN : (size_t)n,
				   n > STRACE_STRLEN);
	}
	if (i == STRACE_ARGVLEN)
		strace_printf(o, ", ...");
	strace_printf(o, "]");
}

void strace_put_flags(struct strace_out *o, const struct strace_flagset *fs,
		      uint64_t v)
{
	uint64_t rest = v;
	bool any = false;

	sep(o);
	if (fs->field_mask) {
		uint64_t f = v & fs->field_mask;
		const char *name = NULL;

		if (fs->field_is_signal) {
			if (f)
				name = strace_signal_name((int)f);
		} else {
			for (size_t i = 0; i < fs->nfield_values; i++)
				if (fs->field_values[i].value == f)
					name = fs->field_values[i].name;
		}
		if (name) {
			strace_printf(o, "%s", name);
			any = true;
			rest &= ~fs->field_mask;
		} else if (!f) {
			rest &= ~fs->field_mask;
		}
	}
	for (size_t i = 0; i < fs->nvalues; i++) {
		uint64_t b = fs->values[i].value;

		if ((rest & b) == b && b) {
			strace_printf(o, "%s%s", any ? "|" : "",
				      fs->values[i].name);
			rest &= ~b;
			any = true;
		}
	}
	if (rest)
		strace_printf(o, "%s%#llx", any ? "|" : "",
			      (unsigned long long)rest);
	else if (!any)
		strace_printf(o, "%s", fs->zero ? fs->zero : "0");
}

void strace_put_enum(struct strace_out *o, const struct strace_flagset *fs,
		     int64_t v)
{
	sep(o);
	for (size_t i = 0; i < fs->nvalues; i++) {
		if ((int64_t)fs->values[i].value == v) {
			strace_printf(o, "%s", fs->values[i].name);
			return;
		}
	}
	strace_printf(o, "%lld /* %s_??? */", (long long)v, fs->name);
}

/* The return value as its kind says; errors by name and message. */
static void put_ret(struct strace_out *o, const struct syscall_entry *e,
		    long ret)
{
	if (ret < 0 && ret >= -4095) {
		const char *name = strerrorname_np((int)-ret);
		const char *desc = strerrordesc_np((int)-ret);

		if (ret <= -512 && ret >= -516)
			/* The -ERESTART* family: only visible if interrupted. */
			strace_printf(o, "? ERESTART(%ld) (To be restarted)",
				      -ret);
		else if (name)
			strace_printf(o, "-1 %s (%s)", name, desc);
		else
			strace_printf(o, "-1 E%ld", -ret);
		return;
	}
	switch (e->ret) {
	case SYSCALL_RET_PTR:
	case SYSCALL_RET_HEX:
		strace_printf(o, "%#lx", ret);
		break;
	case SYSCALL_RET_NORETURN:
		strace_printf(o, "?");
		break;
	default:
		strace_printf(o, "%ld", ret);
	}
}

void strace_format(struct strace_out *o, uint64_t nr, const uint64_t raw[6],
		   long ret, bool entering)
{
	const struct syscall_entry *e = syscall_lookup(nr);

	o->nargs = 0;
	if (!e) {
		/* A number Linux does not define: raw arguments, as strace. */
		strace_printf(o, "syscall_%#llx(", (unsigned long long)nr);
		for (int i = 0; i < 6; i++)
			strace_put_hex(o, raw[i]);
		strace_printf(o, ") = ");
		put_ret(o, &(struct syscall_entry){ .ret = SYSCALL_RET_LONG },
			ret);
		return;
	}
	strace_printf(o, "%s(", e->name);
	e->print_args(o, raw, entering ? -1 : ret);
	if (entering)
		return;
	strace_printf(o, ") = ");
	put_ret(o, e, ret);
}
