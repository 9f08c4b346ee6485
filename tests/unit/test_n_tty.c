/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The line discipline on its own, with a fake terminal: canonical editing
 * (erase, kill, word erase, VEOF, literal next), echo (ECHOCTL, ECHOE,
 * ECHONL, ONLCR), ISIG signal generation and flushing, CR/NL mapping, raw
 * reads with VMIN/VTIME on a fake clock, output processing, and flow
 * control. Expected bytes are what Linux's n_tty produces.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sentry/abi/errno.h"
#include "sentry/abi/signal.h"
#include "sentry/fs/n_tty.h"

/* The fake terminal: output collected, signals recorded, a clock that
 * waits advance, and input a wait may deliver. */
struct fake {
	struct linux_termios t;
	struct n_tty n;
	unsigned char out[8192];
	size_t outlen;
	size_t room;
	int sigs[8];
	int nsigs;
	int64_t now;
	int waits;
	const char *deliver; /* typed at the first wait */
	int64_t step;	     /* how far a wait advances the clock */
	int check;	     /* what check() answers */
};

static size_t f_output(void *ctx, const unsigned char *b, size_t len)
{
	struct fake *f = ctx;

	memcpy(f->out + f->outlen, b, len);
	f->outlen += len;
	return len;
}

static size_t f_room(void *ctx)
{
	struct fake *f = ctx;

	return f->room - f->outlen;
}

static void f_signal(void *ctx, int sig)
{
	struct fake *f = ctx;

	f->sigs[f->nsigs++] = sig;
}

static int f_check(void *ctx, void *rctx)
{
	(void)rctx;
	return ((struct fake *)ctx)->check;
}

static int f_wait(void *ctx, void *rctx, int64_t deadline)
{
	struct fake *f = ctx;

	(void)rctx;
	f->waits++;
	if (f->deliver) {
		const char *d = f->deliver;

		f->deliver = NULL;
		f->now += f->step;
		n_tty_receive(&f->n, (const unsigned char *)d, strlen(d));
		return 0;
	}
	if (!deadline)
		return -ERESTARTSYS; /* would block forever: a "signal" */
	f->now = deadline;
	return -ETIMEDOUT;
}

static int64_t f_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static const struct n_tty_ops fake_ops = {
	.output = f_output,
	.output_room = f_room,
	.signal = f_signal,
	.check = f_check,
	.wait = f_wait,
	.now = f_now,
};

static struct fake *fake_new(void)
{
	static struct fake f;

	memset(&f, 0, sizeof(f));
	f.room = sizeof(f.out);
	n_tty_std_termios(&f.t);
	n_tty_init(&f.n, &fake_ops, &f, &f.t);
	return &f;
}

static void type(struct fake *f, const char *s)
{
	assert_int_equal(n_tty_receive(&f->n, (const unsigned char *)s,
				       strlen(s)),
			 strlen(s));
}

static void expect_out(struct fake *f, const char *s)
{
	assert_int_equal(f->outlen, strlen(s));
	assert_memory_equal(f->out, s, strlen(s));
	f->outlen = 0;
}

static ssize_t rd(struct fake *f, char *buf, size_t len)
{
	ssize_t n = n_tty_read(&f->n, (unsigned char *)buf, len, false, NULL);

	if (n >= 0 && (size_t)n < len)
		buf[n] = 0;
	return n;
}

static void set_raw(struct fake *f, uint8_t vmin, uint8_t vtime)
{
	struct linux_termios old = f->t;

	f->t.c_lflag &= ~(LINUX_ICANON | LINUX_ECHO);
	f->t.c_cc[LINUX_VMIN] = vmin;
	f->t.c_cc[LINUX_VTIME] = vtime;
	n_tty_set_termios(&f->n, &old);
}

static void test_canonical_line(void **state)
{
	struct fake *f = fake_new();
	char buf[64];

	(void)state;
	type(f, "ab");
	assert_false(n_tty_readable(&f->n, false));
	type(f, "c\r"); /* ICRNL */
	assert_true(n_tty_readable(&f->n, false));
	expect_out(f, "abc\r\n"); /* echo with ONLCR */
	type(f, "second\n");
	f->outlen = 0;
	/* One line per read, a short buffer takes part of it. */
	assert_int_equal(rd(f, buf, 2), 2);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(rd(f, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "c\n");
	assert_int_equal(n_tty_inq(&f->n), 7);
	assert_int_equal(rd(f, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "second\n");
}

static void test_erase_kill_werase(void **state)
{
	struct fake *f = fake_new();
	char buf[64];

	(void)state;
	type(f, "abd\177c");
	expect_out(f, "abd\b \bc");
	type(f, "\003"); /* ^C is ISIG here; see its own test */
	f->outlen = 0;
	f->nsigs = 0;
	type(f, "one two\027"); /* ^W: "two" goes */
	expect_out(f, "one two\b \b\b \b\b \b");
	type(f, "\025"); /* ^U with ECHOKE: char by char */
	expect_out(f, "\b \b\b \b\b \b\b \b");
	type(f, "ok\n");
	f->outlen = 0;
	assert_int_equal(rd(f, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "ok\n");
	/* Erase at the start of a line does nothing. */
	type(f, "\177");
	expect_out(f, "");
	/* A control char echoed as ^X takes two backspaces. */
	type(f, "\001\177");
	expect_out(f, "^A\b \b\b \b");
	/* Without ECHOKE, kill echoes the key and a newline (ECHOK). */
	f->t.c_lflag &= ~LINUX_ECHOKE;
	type(f, "xy\025");
	expect_out(f, "xy^U\r\n");
}

static void test_eof_and_lnext(void **state)
{
	struct fake *f = fake_new();
	char buf[64];

	(void)state;
	type(f, "abc\004"); /* ^D ends the line, not echoed, not read */
	expect_out(f, "abc");
	assert_int_equal(rd(f, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	type(f, "\004"); /* ^D on an empty line: end of file */
	assert_int_equal(rd(f, buf, sizeof(buf)), 0);
	type(f, "\026\003\n"); /* ^V^C: a literal ^C, no signal */
	assert_int_equal(f->nsigs, 0);
	assert_int_equal(rd(f, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "\003\n", 2);
	f->outlen = 0;
	/* ECHONL echoes the newline without ECHO. */
	f->t.c_lflag = (f->t.c_lflag & ~LINUX_ECHO) | LINUX_ECHONL;
	type(f, "quiet\n");
	expect_out(f, "\r\n");
}

static void test_isig(void **state)
{
	struct fake *f = fake_new();
	char buf[64];

	(void)state;
	type(f, "partial\003");
	assert_int_equal(f->nsigs, 1);
	assert_int_equal(f->sigs[0], LINUX_SIGINT);
	expect_out(f, "partial^C");
	type(f, "\034\032"); /* ^\ and ^Z */
	assert_int_equal(f->nsigs, 3);
	assert_int_equal(f->sigs[1], LINUX_SIGQUIT);
	assert_int_equal(f->sigs[2], LINUX_SIGTSTP);
	/* The partial line was flushed. */
	type(f, "next\n");
	assert_int_equal(rd(f, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "next\n");
	/* NOFLSH keeps the line; no ISIG makes ^C a plain char. */
	f->t.c_lflag |= LINUX_NOFLSH;
	type(f, "keep\003\n");
	assert_int_equal(rd(f, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "keep\n");
	f->t.c_lflag &= ~LINUX_ISIG;
	f->nsigs = 0;
	type(f, "\003\n");
	assert_int_equal(f->nsigs, 0);
	assert_int_equal(rd(f, buf, sizeof(buf)), 2);
}

static void test_input_mapping(void **state)
{
	struct fake *f = fake_new();
	char buf[64];

	(void)state;
	f->t.c_lflag &= ~LINUX_ECHO;
	f->t.c_iflag = LINUX_IGNCR;
	type(f, "a\rb\n");
	assert_int_equal(rd(f, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "ab\n");
	set_raw(f, 1, 0);
	f->t.c_iflag = LINUX_INLCR;
	type(f, "x\n");
	assert_int_equal(rd(f, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "x\r", 2);
}

static void test_raw_vmin_vtime(void **state)
{
	struct fake *f = fake_new();
	char buf[64];

	(void)state;
	set_raw(f, 1, 0);
	type(f, "ab\177"); /* no editing in raw mode */
	assert_int_equal(rd(f, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "ab\177", 3);
	type(f, "lost\003z"); /* ^C still signals, and flushes */
	assert_int_equal(f->nsigs, 1);
	assert_int_equal(rd(f, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "z");

	/* MIN 0, TIME 0: a poll, 0 bytes at once. */
	f = fake_new();
	set_raw(f, 0, 0);
	assert_int_equal(rd(f, buf, sizeof(buf)), 0);
	assert_int_equal(f->waits, 0);
	type(f, "xyz");
	assert_int_equal(rd(f, buf, sizeof(buf)), 3);

	/* MIN 0, TIME 5: one wait of 0.5 s, then 0. */
	f = fake_new();
	set_raw(f, 0, 5);
	assert_int_equal(rd(f, buf, sizeof(buf)), 0);
	assert_int_equal(f->waits, 1);
	assert_int_equal(f->now, 500000000);
	/* ...or whatever arrives within it. */
	f->deliver = "q";
	f->step = 1000;
	assert_int_equal(rd(f, buf, sizeof(buf)), 1);

	/* MIN 3, TIME 0: waits until 3 bytes are there. */
	f = fake_new();
	set_raw(f, 3, 0);
	type(f, "12");
	f->deliver = "345";
	assert_int_equal(rd(f, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "12345");
	/* ...but not for more than the reader asked. */
	type(f, "ab");
	assert_int_equal(rd(f, buf, 2), 2);

	/* MIN 4, TIME 2: after the first bytes, an inter-byte timer. */
	f = fake_new();
	set_raw(f, 4, 2);
	type(f, "ab");
	assert_int_equal(rd(f, buf, sizeof(buf)), 2);
	assert_int_equal(f->waits, 1);
	assert_int_equal(f->now, 200000000);
	/* Nothing typed: blocks for the first byte (no timer yet). */
	f->waits = 0;
	assert_int_equal(rd(f, buf, sizeof(buf)), -ERESTARTSYS);
	assert_int_equal(f->waits, 1);
}

static void test_read_end_conditions(void **state)
{
	struct fake *f = fake_new();
	char buf[8];

	(void)state;
	assert_int_equal(n_tty_read(&f->n, (unsigned char *)buf, sizeof(buf),
				    true, NULL),
			 -EAGAIN);
	f->check = -EIO; /* the master went away */
	assert_int_equal(rd(f, buf, sizeof(buf)), -EIO);
	f->check = 1; /* hung up: end of file */
	assert_int_equal(rd(f, buf, sizeof(buf)), 0);
	/* Data is read before either. */
	type(f, "d\n");
	assert_int_equal(rd(f, buf, sizeof(buf)), 2);
}

static void test_mode_switch(void **state)
{
	struct fake *f = fake_new();
	struct linux_termios old;
	char buf[64];

	(void)state;
	type(f, "half");
	set_raw(f, 1, 0); /* the edited line becomes readable raw */
	assert_int_equal(rd(f, buf, sizeof(buf)), 4);
	type(f, "raw");
	old = f->t;
	f->t.c_lflag |= LINUX_ICANON;
	n_tty_set_termios(&f->n, &old); /* pending raw bytes: one line */
	assert_true(n_tty_readable(&f->n, false));
	assert_int_equal(rd(f, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "raw");
}

static void test_output_processing(void **state)
{
	struct fake *f = fake_new();

	(void)state;
	assert_int_equal(n_tty_write(&f->n, (const unsigned char *)"a\nb", 3),
			 3);
	expect_out(f, "a\r\nb");
	f->t.c_oflag |= LINUX_XTABS;
	n_tty_write(&f->n, (const unsigned char *)"\tx", 2);
	expect_out(f, "       x"); /* column 1 to 8 */
	f->t.c_oflag = LINUX_OPOST | LINUX_OCRNL;
	n_tty_write(&f->n, (const unsigned char *)"\r", 1);
	expect_out(f, "\n");
	f->t.c_oflag = 0; /* raw output */
	n_tty_write(&f->n, (const unsigned char *)"\n", 1);
	expect_out(f, "\n");
	/* No room: nothing taken, and a CRLF is never split. */
	f->t.c_oflag = LINUX_OPOST | LINUX_ONLCR;
	f->room = 1;
	assert_int_equal(n_tty_write(&f->n, (const unsigned char *)"\n", 1),
			 0);
}

static void test_flow_control(void **state)
{
	struct fake *f = fake_new();
	char buf[8];

	(void)state;
	type(f, "\023"); /* ^S */
	assert_true(f->n.stopped);
	assert_int_equal(n_tty_write(&f->n, (const unsigned char *)"x", 1),
			 0);
	type(f, "\021"); /* ^Q */
	assert_false(f->n.stopped);
	assert_int_equal(n_tty_write(&f->n, (const unsigned char *)"x", 1),
			 1);
	/* Neither is input. */
	type(f, "\n");
	assert_int_equal(rd(f, buf, sizeof(buf)), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_line),
		cmocka_unit_test(test_erase_kill_werase),
		cmocka_unit_test(test_eof_and_lnext),
		cmocka_unit_test(test_isig),
		cmocka_unit_test(test_input_mapping),
		cmocka_unit_test(test_raw_vmin_vtime),
		cmocka_unit_test(test_read_end_conditions),
		cmocka_unit_test(test_mode_switch),
		cmocka_unit_test(test_output_processing),
		cmocka_unit_test(test_flow_control),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
