/* SPDX-License-Identifier: Apache-2.0 */
/*
 * n_tty.h: the line discipline of the Sentry's terminals (Linux's
 * drivers/tty/n_tty.c): input processing (ICRNL, INLCR, IGNCR, ISTRIP,
 * IXON), canonical line editing (VERASE, VKILL, VWERASE, VLNEXT,
 * VREPRINT, VEOF, VEOL, VEOL2), echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL,
 * ECHOCTL, ECHOPRT), ISIG (VINTR, VQUIT, VSUSP), raw reads with VMIN and
 * VTIME, and output processing (OPOST, ONLCR, OCRNL, ONOCR, ONLRET,
 * XTABS).
 *
 * It knows nothing of tasks, files or signals: whatever it needs from its
 * terminal goes through n_tty_ops, so it is tested on its own with fakes
 * (tests/unit/test_n_tty.c). The caller serialises calls (the kernel
 * lock).
 */
#ifndef CVISOR_FS_N_TTY_H
#define CVISOR_FS_N_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sentry/abi/ioctl.h"

#define N_TTY_BUF_SIZE 4096

struct n_tty_ops {
	/* Bytes for the terminal's output side (echoes and processed
	 * writes); returns how many it took. */
	size_t (*output)(void *ctx, const unsigned char *buf, size_t len);
	/* Room on the output side now. */
	size_t (*output_room)(void *ctx);
	/* ISIG: send sig to the terminal's foreground process group. */
	void (*signal)(void *ctx, int sig);
	/* Before a read waits (rctx: n_tty_read's): 0 to wait, 1 to end
	 * the read now (the file was hung up: end of file), -errno to fail
	 * it (-EIO: the other side of a pty is closed). */
	int (*check)(void *ctx, void *rctx);
	/* Wait for input until deadline_ns (monotonic; 0: none): 0 (look
	 * again), -ETIMEDOUT, or -ERESTARTSYS on a signal. */
	int (*wait)(void *ctx, void *rctx, int64_t deadline_ns);
	int64_t (*now)(void *ctx);
	/* A read made room: take more pending input. May be NULL. */
	void (*unthrottle)(void *ctx);
	/* Output was restarted (VSTART, TCOON): writers may go on. May be
	 * NULL. */
	void (*restart)(void *ctx);
};

struct n_tty {
	const struct n_tty_ops *ops;
	void *ctx;
	const struct linux_termios *t; /* the terminal's settings */
	unsigned char buf[N_TTY_BUF_SIZE];
	uint8_t eol[N_TTY_BUF_SIZE / 8]; /* the char ends a line */
	uint8_t eof[N_TTY_BUF_SIZE / 8]; /* ... as a VEOF mark, not data */
	/* Free-running positions: tail <= canon_head <= head. Complete
	 * lines are [tail, canon_head), the line being edited [canon_head,
	 * head) (raw mode reads all of [tail, head)). */
	size_t read_tail, canon_head, read_head;
	unsigned column;       /* output column, for tabs and erase */
	unsigned canon_column; /* the column where the edited line began */
	bool icanon;	       /* the mode the buffer was filled in */
	bool lnext;	       /* the next char is taken literally */
	bool erasing;	       /* inside ECHOPRT's "\...": "/" ends it */
	bool stopped;	       /* output stopped (VSTOP, TCOOFF) */
};

/* A line discipline for a terminal whose settings are *t. */
void n_tty_init(struct n_tty *, const struct n_tty_ops *, void *ctx,
		const struct linux_termios *t);
/* Input typed at the terminal (a pty master's write): returns the bytes
 * taken; in raw mode it stops when the buffer is full (the caller keeps
 * the rest until unthrottle). */
size_t n_tty_receive(struct n_tty *, const unsigned char *buf, size_t len);
/* Is there something for a read (poll: raw mode waits for VMIN bytes
 * when VTIME is 0, as Linux's poll does)? */
bool n_tty_readable(const struct n_tty *, bool poll);
/* A read(2), with Linux's canonical (one line at a time, VEOF) and raw
 * (VMIN/VTIME) rules, blocking through ops (given rctx: the reader).
 * Bytes, 0 at end of file, or -errno (-EAGAIN, -ERESTARTSYS, -EIO) when
 * nothing was read. */
ssize_t n_tty_read(struct n_tty *, unsigned char *dst, size_t len,
		   bool nonblock, void *rctx);
/* A program's write: output processing into ops->output as long as it
 * has room; returns the bytes taken (0 while output is stopped). */
size_t n_tty_write(struct n_tty *, const unsigned char *buf, size_t len);
/* The settings changed (was `old`): switch between canonical and raw. */
void n_tty_set_termios(struct n_tty *, const struct linux_termios *old);
/* TCIFLUSH: drop typed input. */
void n_tty_flush_input(struct n_tty *);
/* FIONREAD: bytes a read could return (complete lines in canonical
 * mode, without VEOF marks). */
size_t n_tty_inq(const struct n_tty *);
/* TCOOFF / TCOON. */
void n_tty_stop(struct n_tty *, bool stop);

/* Linux's default settings of a new terminal (tty_std_termios). */
void n_tty_std_termios(struct linux_termios *);

#endif
