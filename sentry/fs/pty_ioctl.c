/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pty_ioctl.c: the terminal ioctls of pty masters and slaves (Linux's
 * tty_ioctl.c, tty_io.c and pty.c). Settings, window size and session
 * live in the slave; the master's calls act on them, as Linux's
 * real_tty.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/errno.h"
#include "sentry/fs/pty.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

static const uint32_t baud_table[] = {
	0,	50,	 75,	  110,	   134,	    150,     200,     300,
	600,	1200,	 1800,	  2400,	   4800,    9600,    19200,   38400,
	57600,	115200,	 230400,  460800,  500000,  576000,  921600,  1000000,
	1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
};

/* The speed a CBAUD code stands for (tty_termios_baud_rate). */
static uint32_t baud_rate(uint32_t code)
{
	uint32_t k = code & 017;

	if (code & LINUX_CBAUDEX)
		k += 15;
	return k < sizeof(baud_table) / sizeof(baud_table[0]) ? baud_table[k]
							      : 0;
}

static long get_termios(struct pty *pty, struct task *t, uint64_t arg, bool v2)
{
	struct linux_termios2 t2;

	if (!v2)
		return task_copy_out(t, arg, &pty->termios,
				     sizeof(struct linux_termios));
	memcpy(&t2, &pty->termios, sizeof(pty->termios));
	t2.c_ispeed = pty->ispeed;
	t2.c_ospeed = pty->ospeed;
	return task_copy_out(t, arg, &t2, sizeof(t2));
}

/* TCSETS, TCSETSW, TCSETSF and their termios2 forms: a background
 * process gets SIGTTOU first; TCSETSF drops typed input. A pty has no
 * line to drain, so TCSETSW waits for nothing. */
static long set_termios(struct pty *pty, struct task *t, uint64_t arg,
			bool v2, bool flush)
{
	struct linux_termios2 t2;
	struct linux_termios old = pty->termios;
	uint32_t cbaud;
	long err = tty_check_change(&pty->tty, t, LINUX_SIGTTOU);

	if (err)
		return err;
	memset(&t2, 0, sizeof(t2));
	if (task_copy_in(t, arg, &t2,
			 v2 ? sizeof(t2) : sizeof(struct linux_termios)))
		return -EFAULT;
	if (flush)
		pty_flush(pty, true, false, false);
	memcpy(&pty->termios, &t2, sizeof(pty->termios));
	cbaud = t2.c_cflag & LINUX_CBAUD;
	pty->ospeed = v2 && cbaud == LINUX_BOTHER ? t2.c_ospeed
						  : baud_rate(cbaud);
	cbaud = (t2.c_cflag & LINUX_CIBAUD) >> LINUX_IBSHIFT;
	if (!cbaud)
		pty->ispeed = pty->ospeed;
	else
		pty->ispeed = v2 && cbaud == LINUX_BOTHER ? t2.c_ispeed
							  : baud_rate(cbaud);
	n_tty_set_termios(&pty->ld, &old);
	/* Raw mode may take more of what waits, or make a line readable. */
	pty_push_input(pty);
	return 0;
}

/* TIOCSWINSZ: a change is announced to the foreground group. */
static long set_winsize(struct pty *pty, struct task *t, uint64_t arg)
{
	struct linux_winsize ws;

	if (task_copy_in(t, arg, &ws, sizeof(ws)))
		return -EFAULT;
	if (memcmp(&ws, &pty->ws, sizeof(ws))) {
		pty->ws = ws;
		tty_signal_fg(&pty->tty, LINUX_SIGWINCH);
	}
	return 0;
}

static long put_int(struct task *t, uint64_t arg, int32_t v)
{
	return task_copy_out(t, arg, &v, sizeof(v));
}

/* TCFLSH: what "input" and "output" are depends on the side. */
static long flush(struct pty *pty, struct task *t, uint64_t arg, bool master)
{
	long err = tty_check_change(&pty->tty, t, LINUX_SIGTTOU);
	bool in, out;

	if (master)
		err = 0; /* the master is nobody's controlling terminal */
	if (err)
		return err;
	switch ((int)arg) {
	case LINUX_TCIFLUSH:
		in = true, out = false;
		break;
	case LINUX_TCOFLUSH:
		in = false, out = true;
		break;
	case LINUX_TCIOFLUSH:
		in = out = true;
		break;
	default:
		return -EINVAL;
	}
	if (master)
		pty_flush(pty, false, out, in);
	else
		pty_flush(pty, in, false, out);
	return 0;
}

/* TCXONC: output flow control of the slave (the master only checks). */
static long xonc(struct pty *pty, struct task *t, uint64_t arg, bool master)
{
	unsigned char c;
	long err = master ? 0 : tty_check_change(&pty->tty, t, LINUX_SIGTTOU);

	if (err)
		return err;
	switch ((int)arg) {
	case LINUX_TCOOFF:
	case LINUX_TCOON:
		if (!master)
			n_tty_stop(&pty->ld, (int)arg == LINUX_TCOOFF);
		return 0;
	case LINUX_TCIOFF:
	case LINUX_TCION:
		c = pty->termios.c_cc[(int)arg == LINUX_TCIOFF ? LINUX_VSTOP
							       : LINUX_VSTART];
		if (c && !master && pty->ld.ops->output_room(pty) > 0)
			pty->ld.ops->output(pty, &c, 1);
		return 0;
	default:
		return -EINVAL;
	}
}

/* The ioctls both sides answer alike. */
static long common_ioctl(struct pty *pty, struct file *f, struct task *t,
			 uint32_t cmd, uint64_t arg, bool master)
{
	int32_t v;

	if (tty_is_jobctl_ioctl(cmd)) {
		if (master && cmd == LINUX_TIOCNOTTY)
			return -ENOTTY;
		return tty_jobctl_ioctl(&pty->tty, f, t, cmd, arg, master);
	}
	switch (cmd) {
	case LINUX_TCGETS:
		return get_termios(pty, t, arg, false);
	case LINUX_TCGETS2:
		return get_termios(pty, t, arg, true);
	case LINUX_TCSETS:
	case LINUX_TCSETSW:
		return set_termios(pty, t, arg, false, false);
	case LINUX_TCSETSF:
		return set_termios(pty, t, arg, false, true);
	case LINUX_TCSETS2:
	case LINUX_TCSETSW2:
		return set_termios(pty, t, arg, true, false);
	case LINUX_TCSETSF2:
		return set_termios(pty, t, arg, true, true);
	case LINUX_TIOCGWINSZ:
		return task_copy_out(t, arg, &pty->ws, sizeof(pty->ws));
	case LINUX_TIOCSWINSZ:
		return set_winsize(pty, t, arg);
	case LINUX_TCFLSH:
		return flush(pty, t, arg, master);
	case LINUX_TCXONC:
		return xonc(pty, t, arg, master);
	case LINUX_TCSBRK:
	case LINUX_TCSBRKP:
		/* No line to send a break on; a drain has nothing to wait
		 * for. Background callers still stop, as on Linux. */
		return master ? 0 : tty_check_change(&pty->tty, t,
						     LINUX_SIGTTOU);
	case LINUX_TIOCSBRK:
	case LINUX_TIOCCBRK:
		return 0;
	case LINUX_TIOCOUTQ:
		return put_int(t, arg, 0); /* a pty holds no output */
	case LINUX_TIOCGETD:
		return put_int(t, arg, LINUX_N_TTY);
	case LINUX_TIOCSETD:
		if (task_copy_in(t, arg, &v, sizeof(v)))
			return -EFAULT;
		return v == LINUX_N_TTY ? 0 : -EINVAL;
	case LINUX_TIOCEXCL:
		pty->exclusive = true;
		return 0;
	case LINUX_TIOCNXCL:
		pty->exclusive = false;
		return 0;
	case LINUX_TIOCGEXCL:
		return put_int(t, arg, pty->exclusive);
	case LINUX_TIOCSTI:
		/* Faking input is the classic tty injection attack: off, as
		 * with Linux's dev.tty.legacy_tiocsti = 0. */
		return -EIO;
	case LINUX_TIOCVHANGUP:
		if (!creds_capable(t->creds, LINUX_CAP_SYS_ADMIN))
			return -EPERM;
		pty_hangup(pty);
		return 0;
	default:
		return -ENOTTY;
	}
}

long pty_master_ioctl(struct file *f, struct task *t, uint32_t cmd,
		      uint64_t arg)
{
	struct pty *pty = pty_of_master(f);
	int32_t v;

	switch (cmd) {
	case LINUX_FIONREAD:
		return put_int(t, arg, (int32_t)pty->out.len);
	case LINUX_TIOCGPTN:
		return put_int(t, arg, pty->index);
	case LINUX_TIOCSPTLCK:
		if (task_copy_in(t, arg, &v, sizeof(v)))
			return -EFAULT;
		pty->locked = v != 0;
		return 0;
	case LINUX_TIOCGPTLCK:
		return put_int(t, arg, pty->locked);
	case LINUX_TIOCGPTPEER:
		return pty_open_peer(pty, t, (uint32_t)arg);
	case LINUX_TIOCSIG:
		/* Only what the keyboard could send (Linux's pty_signal). */
		if (arg != LINUX_SIGINT && arg != LINUX_SIGQUIT &&
		    arg != LINUX_SIGTSTP)
			return -EINVAL;
		tty_signal_fg(&pty->tty, (int)arg);
		return 0;
	case LINUX_TIOCGPKT:
		return put_int(t, arg, 0);
	case LINUX_TIOCPKT:
		if (task_copy_in(t, arg, &v, sizeof(v)))
			return -EFAULT;
		return v ? -EINVAL : 0; /* packet mode is not implemented */
	default:
		return common_ioctl(pty, f, t, cmd, arg, true);
	}
}

long pty_slave_ioctl(struct file *f, struct task *t, uint32_t cmd,
		     uint64_t arg)
{
	struct pty *pty = pty_of_slave(f);

	if (pty_slave_hung_up(f))
		return cmd == LINUX_TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case LINUX_FIONREAD:
		return put_int(t, arg, (int32_t)n_tty_inq(&pty->ld));
	default:
		return common_ioctl(pty, f, t, cmd, arg, false);
	}
}
