/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Gofer client against a hostile Gofer: the test plays the Gofer on
 * the other end of the socketpair and queues crafted replies (lying sizes,
 * tags, counts, records, fds) before the client asks. Every violation is
 * -EIO and a broken client, never a crash, and no fd pushed at the Sentry
 * stays open in it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "gofer/client.h"
#include "gofer/protocol.h"
#include "lib/log.h"

static unsigned count_fds(void)
{
	unsigned n = 0;
	DIR *dd = opendir("/proc/self/fd");

	assert_non_null(dd);
	while (readdir(dd))
		n++;
	closedir(dd);
	return n;
}

struct evil {
	int peer;                 /* the "Gofer" end: the test */
	struct gofer_client *c;
};

static void evil_new(struct evil *e)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv),
			 0);
	e->c = gofer_client_new(sv[0]);
	assert_non_null(e->c);
	e->peer = sv[1];
}

/* Queue the reply to the client's first request (tag 1) before it asks;
 * `size` 0 means the true size. */
static void evil_queue(struct evil *e, unsigned type, int32_t error,
		       const void *payload, size_t len, const int *fds,
		       int nfds, uint32_t size)
{
	static char msg[GOFER_MSG_MAX + 64];
	struct gofer_hdr h = {
		.size = size ? size : (uint32_t)(sizeof(h) + len),
		.type = (uint16_t)(type | GOFER_REPLY),
		.tag = 1,
		.error = error,
	};
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { msg, sizeof(h) + len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	memcpy(msg, &h, sizeof(h));
	if (len)
		memcpy(msg + sizeof(h), payload, len);
	if (nfds) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(e->peer, &m, MSG_NOSIGNAL),
			 (ssize_t)iov.iov_len);
}

/* The call got -EIO, the client is broken for good, and it is freed. */
static void evil_done(struct evil *e, long r)
{
	struct gofer_stat st;

	assert_int_equal(r, -EIO);
	assert_true(gofer_client_broken(e->c));
	assert_int_equal(gofer_stat(e->c, 1, &st), -EIO);
	gofer_client_free(e->c);
	close(e->peer);
}

/* A directory record, for crafting getdents replies. */
static size_t evil_dirent(char *p, const char *name, size_t namelen,
			  uint16_t reclen)
{
	struct gofer_dirent d = { .ino = 5, .next = 1, .reclen = reclen,
				  .type = DT_REG,
				  .namelen = (uint8_t)namelen };

	memset(p, 0, reclen < 64 ? 64 : reclen);
	memcpy(p, &d, GOFER_DIRENT_HDR);
	memcpy(p + GOFER_DIRENT_HDR, name, namelen);
	return reclen;
}

static long evil_getdents(const char *records, size_t len, uint32_t nent)
{
	struct gofer_getdents_rep gr = { .nentries = nent };
	char payload[1024], buf[1024];
	struct evil e;
	long r;

	memcpy(payload, &gr, sizeof(gr));
	memcpy(payload + sizeof(gr), records, len);
	evil_new(&e);
	evil_queue(&e, GOFER_T_GETDENTS, 0, payload, sizeof(gr) + len, NULL, 0,
		   0);
	r = gofer_getdents(e.c, 1, 0, buf, sizeof(buf));
	if (r >= 0) {
		gofer_client_free(e.c);
		close(e.peer);
		return r;
	}
	evil_done(&e, r);
	return r;
}

/* Framing: short, a lying size, another tag or type, a bad error. */
static void test_framing(void **state)
{
	char longer[sizeof(struct gofer_stat_rep) + 8] = { 0 };
	struct gofer_stat_rep sr = { 0 };
	struct gofer_stat st;
	struct evil e;

	(void)state;
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, 0, &sr, 4, NULL, 0, 0);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, 0, &sr, sizeof(sr), NULL, 0, 1u << 20);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	evil_new(&e);
	evil_queue(&e, GOFER_T_WALK, 0, &sr, sizeof(sr), NULL, 0, 0);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, 5000, NULL, 0, NULL, 0, 0);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, -EPERM, NULL, 0, NULL, 0, 0);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, EPERM, &sr, sizeof(sr), NULL, 0, 0);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, 0, longer, sizeof(longer), NULL, 0, 0);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	/* A well-formed error is just an error. */
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, EACCES, NULL, 0, NULL, 0, 0);
	assert_int_equal(gofer_stat(e.c, 1, &st), -EACCES);
	assert_false(gofer_client_broken(e.c));
	gofer_client_free(e.c);
	close(e.peer);
	/* A Gofer that hangs up. */
	evil_new(&e);
	close(e.peer);
	e.peer = open("/dev/null", O_RDONLY | O_CLOEXEC);
	evil_done(&e, gofer_stat(e.c, 1, &st));
}

/* Walks that say more than was asked or stop without a reason; link
 * texts past the message or with a NUL inside. */
static void test_walk_and_links(void **state)
{
	const char *two[] = { "a", "b" };
	struct gofer_readlink_rep rl;
	struct gofer_walk_rep wr;
	char buf[64], big[300];
	uint64_t nodes[2];
	struct evil e;
	int stop_err;

	(void)state;
	evil_new(&e);
	wr = (struct gofer_walk_rep){ .nwalked = 3 };
	evil_queue(&e, GOFER_T_WALK, 0, &wr, sizeof(wr), NULL, 0, 0);
	evil_done(&e, gofer_walk(e.c, 1, two, 2, nodes, NULL, &stop_err));
	evil_new(&e);
	wr = (struct gofer_walk_rep){ .nwalked = 0, .stop_error = 0 };
	evil_queue(&e, GOFER_T_WALK, 0, &wr, sizeof(wr), NULL, 0, 0);
	evil_done(&e, gofer_walk(e.c, 1, two, 2, nodes, NULL, &stop_err));
	evil_new(&e);
	wr = (struct gofer_walk_rep){ .nwalked = 1 };
	evil_queue(&e, GOFER_T_WALK, 0, &wr, sizeof(wr), NULL, 0, 0);
	evil_done(&e, gofer_walk(e.c, 1, two, 2, nodes, NULL, &stop_err));

	evil_new(&e);
	rl = (struct gofer_readlink_rep){ .len = 100 };
	memcpy(big, &rl, sizeof(rl));
	memcpy(big + sizeof(rl), "/etc", 4);
	evil_queue(&e, GOFER_T_READLINK, 0, big, sizeof(rl) + 4, NULL, 0, 0);
	evil_done(&e, gofer_readlink(e.c, 1, buf, sizeof(buf)));
	evil_new(&e);
	rl.len = 4;
	memcpy(big, &rl, sizeof(rl));
	memcpy(big + sizeof(rl), "/e\0c", 4);
	evil_queue(&e, GOFER_T_READLINK, 0, big, sizeof(rl) + 4, NULL, 0, 0);
	evil_done(&e, gofer_readlink(e.c, 1, buf, sizeof(buf)));
}

/* Directory records that lie: counts, names that are not one component,
 * lengths that would loop or run past the message. */
static void test_dirents(void **state)
{
	char rec[256];
	size_t n;

	(void)state;
	n = evil_dirent(rec, "ok", 2, 24);
	assert_int_equal(evil_getdents(rec, n, 1), 24);
	assert_int_equal(evil_getdents(rec, n, 2), -EIO);
	assert_int_equal(evil_getdents(rec, evil_dirent(rec, "..", 2, 24), 1),
			 -EIO);
	assert_int_equal(evil_getdents(rec, evil_dirent(rec, "a/b", 3, 24), 1),
			 -EIO);
	assert_int_equal(evil_getdents(rec, evil_dirent(rec, "ab", 2, 0), 1),
			 -EIO); /* reclen 0 must not loop */
	assert_int_equal(evil_getdents(rec, evil_dirent(rec, "ab", 2, 20), 1),
			 -EIO);
	evil_dirent(rec, "ab", 2, 64);
	assert_int_equal(evil_getdents(rec, 24, 1), -EIO); /* past the end */
	n = evil_dirent(rec, "abc", 3, 24);
	rec[GOFER_DIRENT_HDR + 3] = 'x'; /* no NUL after namelen bytes */
	assert_int_equal(evil_getdents(rec, n, 1), -EIO);
	n = evil_dirent(rec, "ab", 2, 24);
	n += evil_dirent(rec + n, "cd", 2, 23); /* misaligned */
	assert_int_equal(evil_getdents(rec, n, 2), -EIO);
}

/* fds: none where one is due, two, a pipe, one with an error or a stat,
 * more than there is room for. None stays open in the Sentry. */
static void test_fds(void **state)
{
	struct gofer_stat_rep sr = { 0 };
	unsigned before = count_fds();
	struct gofer_stat st;
	int p[2], fds[2], many[12];
	struct evil e;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fds[0] = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	fds[1] = fds[0];
	evil_new(&e);
	evil_queue(&e, GOFER_T_OPEN, 0, &sr, sizeof(sr), NULL, 0, 0);
	evil_done(&e, gofer_open(e.c, 1, GOFER_OPEN_READ, NULL));
	evil_new(&e);
	evil_queue(&e, GOFER_T_OPEN, 0, &sr, sizeof(sr), fds, 2, 0);
	evil_done(&e, gofer_open(e.c, 1, GOFER_OPEN_READ, NULL));
	evil_new(&e);
	evil_queue(&e, GOFER_T_OPEN, 0, &sr, sizeof(sr), p, 1, 0);
	evil_done(&e, gofer_open(e.c, 1, GOFER_OPEN_READ, NULL));
	evil_new(&e);
	evil_queue(&e, GOFER_T_OPEN, EPERM, NULL, 0, fds, 1, 0);
	evil_done(&e, gofer_open(e.c, 1, GOFER_OPEN_READ, NULL));
	evil_new(&e);
	evil_queue(&e, GOFER_T_STAT, 0, &sr, sizeof(sr), fds, 1, 0);
	evil_done(&e, gofer_stat(e.c, 1, &st));
	/* More than the client has room for (as when the Sentry's fd table
	 * is full): all closed, this call fails, the connection goes on. */
	for (int i = 0; i < 12; i++)
		many[i] = p[i % 2];
	evil_new(&e);
	evil_queue(&e, GOFER_T_OPEN, 0, &sr, sizeof(sr), many, 12, 0);
	assert_int_equal(gofer_open(e.c, 1, GOFER_OPEN_READ, NULL), -ENFILE);
	assert_false(gofer_client_broken(e.c));
	gofer_client_free(e.c);
	close(e.peer);
	close(p[0]);
	close(p[1]);
	close(fds[0]);
	assert_int_equal(count_fds(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_walk_and_links),
		cmocka_unit_test(test_dirents),
		cmocka_unit_test(test_fds),
	};

	/* The client's warnings about the hostile Gofer are expected. */
	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
