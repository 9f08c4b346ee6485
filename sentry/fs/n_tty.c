/* SPDX-License-Identifier: Apache-2.0 */
/*
 * n_tty.c: the line discipline (see n_tty.h), after Linux's n_tty.c.
 *
 * Echoes are produced at once, when the input is received (Linux queues
 * them and writes them out from a worker a moment later): what a program
 * reading the master sees is the same, only sooner. An echo that does not
 * fit in the output side is dropped, as Linux drops echoes past its echo
 * buffer.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "sentry/abi/signal.h"
#include "sentry/fs/n_tty.h"

#define MASK(x) ((x) & (N_TTY_BUF_SIZE - 1))

#define I(n, f) ((n)->t->c_iflag & LINUX_##f)
#define O(n, f) ((n)->t->c_oflag & LINUX_##f)
#define L(n, f) ((n)->t->c_lflag & LINUX_##f)

static const uint8_t init_cc[LINUX_NCCS] = {
	[LINUX_VINTR] = 003,	[LINUX_VQUIT] = 034,   [LINUX_VERASE] = 0177,
	[LINUX_VKILL] = 025,	[LINUX_VEOF] = 004,    [LINUX_VMIN] = 1,
	[LINUX_VSTART] = 021,	[LINUX_VSTOP] = 023,   [LINUX_VSUSP] = 032,
	[LINUX_VREPRINT] = 022, [LINUX_VDISCARD] = 017, [LINUX_VWERASE] = 027,
	[LINUX_VLNEXT] = 026,
};

void n_tty_std_termios(struct linux_termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = LINUX_ICRNL | LINUX_IXON;
	t->c_oflag = LINUX_OPOST | LINUX_ONLCR;
	t->c_cflag = LINUX_B38400 | LINUX_CS8 | LINUX_CREAD | LINUX_HUPCL;
	t->c_lflag = LINUX_ISIG | LINUX_ICANON | LINUX_ECHO | LINUX_ECHOE |
		     LINUX_ECHOK | LINUX_ECHOCTL | LINUX_ECHOKE | LINUX_IEXTEN;
	memcpy(t->c_cc, init_cc, sizeof(init_cc));
}

void n_tty_init(struct n_tty *n, const struct n_tty_ops *ops, void *ctx,
		const struct linux_termios *t)
{
	memset(n, 0, sizeof(*n));
	n->ops = ops;
	n->ctx = ctx;
	n->t = t;
	n->icanon = (t->c_lflag & LINUX_ICANON) != 0;
}

/* Is c the special character cc[idx]? A NUL setting disables it. */
static bool is_char(const struct n_tty *n, int idx, unsigned char c)
{
	return n->t->c_cc[idx] && n->t->c_cc[idx] == c;
}

static bool bit(const uint8_t *map, size_t pos)
{
	return map[MASK(pos) / 8] & (1u << (MASK(pos) % 8));
}

static void set_bit(uint8_t *map, size_t pos, bool on)
{
	if (on)
		map[MASK(pos) / 8] |= (uint8_t)(1u << (MASK(pos) % 8));
	else
		map[MASK(pos) / 8] &= (uint8_t)~(1u << (MASK(pos) % 8));
}

static size_t read_cnt(const struct n_tty *n)
{
	return n->read_head - n->read_tail;
}

static bool is_cntrl(unsigned char c)
{
	return c < 32 || c == 127;
}

/* A UTF-8 continuation byte (IUTF8): not a column of its own. */
static bool is_continuation(const struct n_tty *n, unsigned char c)
{
	return I(n, IUTF8) && (c & 0xc0) == 0x80;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

/* One char of output with OPOST processing into out (at least 8
 * bytes): how many bytes it became, and the column moves (Linux's
 * do_output_char). */
static size_t opost_char(struct n_tty *n, unsigned char c, unsigned char *out)
{
	unsigned spaces;

	switch (c) {
	case '\n':
		if (O(n, ONLRET))
			n->column = 0;
		if (O(n, ONLCR)) {
			n->canon_column = n->column = 0;
			out[0] = '\r';
			out[1] = '\n';
			return 2;
		}
		n->canon_column = n->column;
		break;
	case '\r':
		if (O(n, ONOCR) && n->column == 0)
			return 0;
		if (O(n, OCRNL)) {
			c = '\n';
			if (O(n, ONLRET))
				n->canon_column = n->column = 0;
			break;
		}
		n->canon_column = n->column = 0;
		break;
	case '\t':
		spaces = 8 - (n->column & 7);
		if ((n->t->c_oflag & LINUX_TABDLY) == LINUX_XTABS) {
			n->column += spaces;
			memset(out, ' ', spaces);
			return spaces;
		}
		n->column += spaces;
		break;
	case '\b':
		if (n->column > 0)
			n->column--;
		break;
	default:
		if (!is_cntrl(c)) {
			if (O(n, OLCUC))
				c = (unsigned char)toupper(c);
			if (!is_continuation(n, c))
				n->column++;
		}
		break;
	}
	out[0] = c;
	return 1;
}

/* Echo one byte as output (processed when OPOST). */
static void echo_raw(struct n_tty *n, unsigned char c)
{
	unsigned char out[8];
	size_t len = 1;

	if (O(n, OPOST))
		len = opost_char(n, c, out);
	else
		out[0] = c;
	if (len && n->ops->output_room(n->ctx) >= len)
		n->ops->output(n->ctx, out, len);
}

/* Echo a typed char: control chars as ^X with ECHOCTL. */
static void echo_char(struct n_tty *n, unsigned char c)
{
	if (L(n, ECHOCTL) && is_cntrl(c) && c != '\t') {
		unsigned char pair[2] = {'^', (unsigned char)(c ^ 0100)};

		if (n->ops->output_room(n->ctx) >= 2) {
			n->ops->output(n->ctx, pair, 2);
			n->column += 2;
		}
		return;
	}
	echo_raw(n, c);
}

static void finish_erasing(struct n_tty *n)
{
	if (n->erasing) {
		echo_raw(n, '/');
		n->erasing = false;
	}
}

size_t n_tty_write(struct n_tty *n, const unsigned char *buf, size_t len)
{
	unsigned char out[512];
	size_t room = n->ops->output_room(n->ctx), done = 0, olen = 0;

	if (n->stopped)
		return 0;
	if (!O(n, OPOST)) {
		if (len > room)
			len = room;
		return len ? n->ops->output(n->ctx, buf, len) : 0;
	}
	while (done < len) {
		unsigned char tmp[8];
		unsigned column = n->column, canon = n->canon_column;
		size_t k = opost_char(n, buf[done], tmp);

		if (k > room || olen + k > sizeof(out)) {
			/* Undo the column move: the char stays unwritten. */
			n->column = column;
			n->canon_column = canon;
			if (k > room)
				break;
			n->ops->output(n->ctx, out, olen);
			olen = 0;
			continue;
		}
		memcpy(out + olen, tmp, k);
		olen += k;
		room -= k;
		done++;
	}
	if (olen)
		n->ops->output(n->ctx, out, olen);
	return done;
}

void n_tty_stop(struct n_tty *n, bool stop)
{
	bool was = n->stopped;

	n->stopped = stop;
	if (was && !stop && n->ops->restart)
		n->ops->restart(n->ctx);
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static void put_char(struct n_tty *n, unsigned char c)
{
	n->buf[MASK(n->read_head)] = c;
	set_bit(n->eol, n->read_head, false);
	set_bit(n->eof, n->read_head, false);
	n->read_head++;
}

void n_tty_flush_input(struct n_tty *n)
{
	n->read_tail = n->canon_head = n->read_head;
	n->lnext = false;
	n->erasing = false;
}

/* Backspace over a tab: how far depends on what precedes it on the line
 * (Linux's ECHO_OP_ERASE_TAB). */
static void erase_tab(struct n_tty *n)
{
	unsigned chars = 0, bs;
	bool after_tab = false;

	for (size_t tail = n->read_head; tail != n->canon_head;) {
		unsigned char c = n->buf[MASK(--tail)];

		if (c == '\t') {
			after_tab = true;
			break;
		} else if (is_cntrl(c)) {
			if (L(n, ECHOCTL))
				chars += 2;
		} else if (!is_continuation(n, c)) {
			chars++;
		}
	}
	if (!after_tab)
		chars += n->canon_column;
	for (bs = 8 - (chars & 7); bs; bs--) {
		if (n->ops->output_room(n->ctx) < 1)
			break;
		n->ops->output(n->ctx, (const unsigned char *)"\b", 1);
		if (n->column > 0)
			n->column--;
	}
}

/* Visibly remove one echoed char c from the screen. */
static void echo_erase(struct n_tty *n, unsigned char c, bool erase_key)
{
	if (L(n, ECHOPRT)) {
		if (!n->erasing) {
			echo_raw(n, '\\');
			n->erasing = true;
		}
		echo_char(n, c);
	} else if (erase_key && !L(n, ECHOE)) {
		echo_char(n, n->t->c_cc[LINUX_VERASE]);
	} else if (c == '\t') {
		erase_tab(n);
	} else {
		int times = (is_cntrl(c) && L(n, ECHOCTL)) ? 2 : 1;

		if (is_cntrl(c) && !L(n, ECHOCTL))
			times = 0;
		while (times--) {
			echo_raw(n, '\b');
			echo_raw(n, ' ');
			echo_raw(n, '\b');
		}
	}
}

/* VERASE, VWERASE and VKILL on the line being edited (Linux's eraser). */
static void eraser(struct n_tty *n, unsigned char key)
{
	enum { ERASE, WERASE, KILL } kind;
	unsigned alnums = 0;

	if (n->read_head == n->canon_head)
		return;
	if (is_char(n, LINUX_VERASE, key)) {
		kind = ERASE;
	} else if (is_char(n, LINUX_VWERASE, key)) {
		kind = WERASE;
	} else {
		if (!L(n, ECHO)) {
			n->read_head = n->canon_head;
			return;
		}
		if (!L(n, ECHOK) || !L(n, ECHOKE) || !L(n, ECHOE)) {
			n->read_head = n->canon_head;
			finish_erasing(n);
			echo_char(n, key);
			if (L(n, ECHOK))
				echo_raw(n, '\n');
			return;
		}
		kind = KILL;
	}
	while (n->read_head != n->canon_head) {
		size_t head = n->read_head;
		unsigned char c;

		/* A multibyte character goes whole. */
		do {
			c = n->buf[MASK(--head)];
		} while (is_continuation(n, c) && head != n->canon_head);
		if (is_continuation(n, c))
			break;
		if (kind == WERASE) {
			if (isalnum(c) || c == '_')
				alnums++;
			else if (alnums)
				break;
		}
		n->read_head = head;
		if (L(n, ECHO))
			echo_erase(n, c, kind == ERASE);
		if (kind == ERASE)
			break;
	}
	if (n->read_head == n->canon_head && L(n, ECHO))
		finish_erasing(n);
}

/* A line is complete: c (0 for VEOF) ends it. */
static void end_line(struct n_tty *n, unsigned char c, bool eof)
{
	if (read_cnt(n) >= N_TTY_BUF_SIZE)
		return;
	set_bit(n->eol, n->read_head, true);
	n->buf[MASK(n->read_head)] = c;
	set_bit(n->eof, n->read_head, eof);
	n->read_head++;
	n->canon_head = n->read_head;
}

/* VINTR, VQUIT, VSUSP: flush (unless NOFLSH), signal, echo. */
static void isig(struct n_tty *n, int sig, unsigned char c)
{
	if (!L(n, NOFLSH))
		n_tty_flush_input(n);
	n->ops->signal(n->ctx, sig);
	if (I(n, IXON))
		n_tty_stop(n, false);
	if (L(n, ECHO))
		echo_char(n, c);
}

/* An ordinary char: echo and store. A full canonical line keeps its
 * last slot for the char that ends it. */
static void normal_char(struct n_tty *n, unsigned char c)
{
	if (read_cnt(n) >= N_TTY_BUF_SIZE - 1)
		return;
	if (L(n, ECHO)) {
		finish_erasing(n);
		if (c == '\n') {
			echo_raw(n, '\n');
		} else {
			if (n->canon_head == n->read_head)
				n->canon_column = n->column;
			echo_char(n, c);
		}
	}
	put_char(n, c);
}

/* The canonical-mode editing keys; true if c was one of them. */
static bool canon_char(struct n_tty *n, unsigned char c)
{
	if (is_char(n, LINUX_VERASE, c) || is_char(n, LINUX_VKILL, c) ||
	    (is_char(n, LINUX_VWERASE, c) && L(n, IEXTEN))) {
		eraser(n, c);
		return true;
	}
	if (is_char(n, LINUX_VLNEXT, c) && L(n, IEXTEN)) {
		n->lnext = true;
		if (L(n, ECHO)) {
			finish_erasing(n);
			if (L(n, ECHOCTL)) {
				echo_raw(n, '^');
				echo_raw(n, '\b');
			}
		}
		return true;
	}
	if (is_char(n, LINUX_VREPRINT, c) && L(n, ECHO) && L(n, IEXTEN)) {
		finish_erasing(n);
		echo_char(n, c);
		echo_raw(n, '\n');
		for (size_t k = n->canon_head; k != n->read_head; k++)
			echo_char(n, n->buf[MASK(k)]);
		return true;
	}
	if (c == '\n') {
		if (L(n, ECHO) || L(n, ECHONL))
			echo_raw(n, '\n');
		end_line(n, c, false);
		return true;
	}
	if (is_char(n, LINUX_VEOF, c)) {
		end_line(n, 0, true);
		return true;
	}
	if (is_char(n, LINUX_VEOL, c) ||
	    (is_char(n, LINUX_VEOL2, c) && L(n, IEXTEN))) {
		if (L(n, ECHO)) {
			if (n->canon_head == n->read_head)
				n->canon_column = n->column;
			echo_char(n, c);
		}
		end_line(n, c, false);
		return true;
	}
	return false;
}

/* One typed char, in Linux's order: flow control, signals, CR/NL
 * mapping, line editing, then an ordinary char. */
static void receive_char(struct n_tty *n, unsigned char c)
{
	if (I(n, ISTRIP))
		c &= 0x7f;
	if (I(n, IUCLC) && L(n, IEXTEN))
		c = (unsigned char)tolower(c);
	if (n->lnext) {
		n->lnext = false;
		normal_char(n, c);
		return;
	}
	if (I(n, IXON)) {
		if (is_char(n, LINUX_VSTART, c)) {
			n_tty_stop(n, false);
			return;
		}
		if (is_char(n, LINUX_VSTOP, c)) {
			n_tty_stop(n, true);
			return;
		}
	}
	if (L(n, ISIG)) {
		if (is_char(n, LINUX_VINTR, c)) {
			isig(n, LINUX_SIGINT, c);
			return;
		}
		if (is_char(n, LINUX_VQUIT, c)) {
			isig(n, LINUX_SIGQUIT, c);
			return;
		}
		if (is_char(n, LINUX_VSUSP, c)) {
			isig(n, LINUX_SIGTSTP, c);
			return;
		}
	}
	if (n->stopped && I(n, IXON) && I(n, IXANY))
		n_tty_stop(n, false);
	if (c == '\r') {
		if (I(n, IGNCR))
			return;
		if (I(n, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(n, INLCR)) {
		c = '\r';
	}
	if (n->icanon && canon_char(n, c))
		return;
	normal_char(n, c);
}

size_t n_tty_receive(struct n_tty *n, const unsigned char *buf, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		if (!n->icanon && read_cnt(n) >= N_TTY_BUF_SIZE - 1)
			return k;
		receive_char(n, buf[k]);
	}
	return len;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

bool n_tty_readable(const struct n_tty *n, bool poll)
{
	size_t amt = 1;

	if (n->icanon)
		return n->canon_head != n->read_tail;
	if (poll && !n->t->c_cc[LINUX_VTIME] && n->t->c_cc[LINUX_VMIN])
		amt = n->t->c_cc[LINUX_VMIN];
	return read_cnt(n) >= amt;
}

size_t n_tty_inq(const struct n_tty *n)
{
	size_t nr;

	if (!n->icanon)
		return read_cnt(n);
	nr = n->canon_head - n->read_tail;
	for (size_t k = n->read_tail; k != n->canon_head; k++)
		if (bit(n->eol, k) && bit(n->eof, k))
			nr--;
	return nr;
}

static void copy_buf(const struct n_tty *n, unsigned char *dst, size_t from,
		     size_t len)
{
	for (size_t k = 0; k < len; k++)
		dst[k] = n->buf[MASK(from + k)];
}

/* Canonical: up to one line; a VEOF mark ending it is consumed, not
 * copied (Linux's canon_copy_from_read_buf). */
static size_t canon_copy(struct n_tty *n, unsigned char *dst, size_t len)
{
	size_t avail = n->canon_head - n->read_tail, scan, k;

	scan = len + 1 < avail ? len + 1 : avail;
	for (k = 0; k < scan; k++)
		if (bit(n->eol, n->read_tail + k))
			break;
	if (k < scan) { /* the line end is at k */
		size_t pos = n->read_tail + k;

		if (bit(n->eof, pos)) {
			copy_buf(n, dst, n->read_tail, k);
			n->read_tail += k + 1;
			return k;
		}
		if (k + 1 <= len) {
			copy_buf(n, dst, n->read_tail, k + 1);
			n->read_tail += k + 1;
			return k + 1;
		}
	}
	k = len < avail ? len : avail;
	copy_buf(n, dst, n->read_tail, k);
	n->read_tail += k;
	return k;
}

static size_t raw_copy(struct n_tty *n, unsigned char *dst, size_t len)
{
	size_t k = read_cnt(n) < len ? read_cnt(n) : len;

	copy_buf(n, dst, n->read_tail, k);
	n->read_tail += k;
	if (n->canon_head < n->read_tail)
		n->canon_head = n->read_tail;
	return k;
}

ssize_t n_tty_read(struct n_tty *n, unsigned char *dst, size_t len,
		   bool nonblock, void *rctx)
{
	const int64_t tick = 100000000; /* VTIME is in tenths of seconds */
	size_t done = 0, minimum = 0;
	int64_t timeout = -1, inter = 0, deadline = 0;
	ssize_t ret = 0;

	if (!n->icanon) {
		minimum = n->t->c_cc[LINUX_VMIN];
		if (minimum) {
			inter = n->t->c_cc[LINUX_VTIME] * tick;
		} else {
			timeout = n->t->c_cc[LINUX_VTIME] * tick;
			minimum = 1;
		}
	}
	if (timeout > 0)
		deadline = n->ops->now(n->ctx) + timeout;
	while (len) {
		size_t got;

		if (!n_tty_readable(n, false)) {
			int r = n->ops->check(n->ctx, rctx);

			if (r) {
				ret = r < 0 ? r : 0;
				break;
			}
			if (!timeout)
				break;
			if (nonblock) {
				ret = -EAGAIN;
				break;
			}
			/* A signal ends the read only after the checks
			 * above had their turn, as Linux's loop: a reader
			 * woken by a hangup sees EIO, not EINTR. */
			if (ret)
				break;
			r = n->ops->wait(n->ctx, rctx, deadline);
			if (r == -ETIMEDOUT)
				break;
			ret = r;
			continue;
		}
		got = n->icanon ? canon_copy(n, dst + done, len)
				: raw_copy(n, dst + done, len);
		done += got;
		len -= got;
		if (n->ops->unthrottle)
			n->ops->unthrottle(n->ctx);
		if (n->icanon || done >= minimum)
			break;
		if (inter) {
			timeout = inter;
			deadline = n->ops->now(n->ctx) + inter;
		}
	}
	return done ? (ssize_t)done : ret;
}

void n_tty_set_termios(struct n_tty *n, const struct linux_termios *old)
{
	bool canon = L(n, ICANON) != 0;

	if (!old || canon != n->icanon) {
		memset(n->eol, 0, sizeof(n->eol));
		memset(n->eof, 0, sizeof(n->eof));
		if (!canon || !read_cnt(n)) {
			n->canon_head = n->read_tail;
		} else {
			/* What was typed raw becomes a line to read. */
			set_bit(n->eol, n->read_head - 1, true);
			n->canon_head = n->read_head;
		}
		n->erasing = false;
		n->lnext = false;
	}
	n->icanon = canon;
	if (!I(n, IXON) && n->stopped)
		n_tty_stop(n, false);
}
