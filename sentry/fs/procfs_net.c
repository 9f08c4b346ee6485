/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_net.c: /proc/PID/net (and /proc/net, a link to self/net): the
 * sandbox's sockets and interfaces in Linux's exact formats: tcp and tcp6
 * (listening and connected TCP sockets of the loopback stack), udp and
 * udp6 (bound UDP sockets), udplite and udplite6 (UDP-Lite's), unix
 * (every AF_UNIX socket), dev and if_inet6 (netdev.h). Kernel pointers
 * read as zero, as under kptr_restrict. With --network=host the internet
 * tables are empty: those sockets are the host's, and the Sentry does
 * not ask the host for its tables.
 */
#include <stdio.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/inet.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/net/inet.h"
#include "sentry/net/loop.h"
#include "sentry/net/netdev.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/vfs.h"

#define TCP_LINE 149 /* TMPSZ - 1 */
#define UDP_LINE 127
#define SO_ACCEPTCON 0x10000
#define SS_UNCONNECTED 1
#define SS_CONNECTING 2
#define SS_CONNECTED 3
#define SS_DISCONNECTING 4

struct table {
	struct pbuf *b;
	int family; /* LINUX_AF_INET: IPv4 traffic, else IPv6 */
	int n;
};

static uint64_t sock_ino(const struct socket *s)
{
	return s->file ? s->file->inode->ino : 0;
}

static uint32_t sock_uid(const struct socket *s)
{
	return s->file ? s->file->inode->uid : 0;
}

/* seq_pad: the line padded with spaces to `width`, then a newline. */
static void pad(struct pbuf *b, size_t start, size_t width)
{
	while (b->len - start < width && !b->nomem && !b->truncated)
		pbuf_puts(b, " ");
	pbuf_puts(b, "\n");
}

/* An address as /proc/net prints it: the 32-bit words in memory order,
 * each in hex of its host-order value. */
static void put_addr(struct pbuf *b, const struct inet_ep *e, bool v6)
{
	const uint8_t *a = v6 ? e->addr : e->addr + 12;

	for (int w = 0; w < (v6 ? 4 : 1); w++)
		pbuf_printf(b, "%02X%02X%02X%02X", a[w * 4 + 3], a[w * 4 + 2],
			    a[w * 4 + 1], a[w * 4]);
	pbuf_printf(b, ":%04X", e->port);
}

/* Does the socket belong in the v4 (tcp, udp) or v6 (tcp6, udp6) file?
 * By its family, as Linux lists an AF_INET6 socket in the 6 files even
 * for mapped traffic. */
static bool in_table(const struct socket *s, const struct table *tb)
{
	return s->family == tb->family;
}

static void tcp_line(struct socket *s, void *arg)
{
	struct table *tb = arg;
	struct loop_sock *ls = loop_sk(s);
	int st = loop_tcp_state(s);
	bool v6 = tb->family == LINUX_AF_INET6;
	struct inet_ep remote = ls->remote;
	size_t start = tb->b->len;
	bool listen = st == LINUX_TCP_LISTEN;

	if (!in_table(s, tb) || (st == LINUX_TCP_CLOSE && !ls->connected))
		return;
	if (!ls->connected)
		remote.port = 0;
	pbuf_printf(tb->b, "%4d: ", tb->n++);
	put_addr(tb->b, &ls->local, v6);
	pbuf_puts(tb->b, " ");
	put_addr(tb->b, &remote, v6);
	pbuf_printf(tb->b,
		    " %02X %08X:%08X 00:00000000 00000000 %5u %8d %llu 1 "
		    "0000000000000000 %d %d %d 10 %d",
		    st, 0, listen ? ls->u.qlen : (unsigned)unix_inq_len(s),
		    sock_uid(s), 0, (unsigned long long)sock_ino(s),
		    listen ? 100 : 20, listen ? 0 : 4, 0, listen ? 0 : -1);
	if (v6)
		pbuf_puts(tb->b, "\n");
	else
		pad(tb->b, start, TCP_LINE);
}

static void udp_line(struct socket *s, void *arg)
{
	struct table *tb = arg;
	struct loop_sock *ls = loop_sk(s);
	bool v6 = tb->family == LINUX_AF_INET6;
	struct inet_ep remote = ls->remote;
	size_t start = tb->b->len;

	if (!in_table(s, tb))
		return;
	if (!ls->connected) {
		memset(remote.addr, 0, 16);
		remote.port = 0;
	}
	pbuf_printf(tb->b, "%5d: ", ls->local.port & 127);
	put_addr(tb->b, &ls->local, v6);
	pbuf_puts(tb->b, " ");
	put_addr(tb->b, &remote, v6);
	pbuf_printf(tb->b,
		    " %02X %08X:%08X 00:00000000 00000000 %5u %8d %llu 2 "
		    "0000000000000000 %llu",
		    ls->connected ? LINUX_TCP_ESTABLISHED : LINUX_TCP_CLOSE, 0,
		    (unsigned)ls->u.rmem, sock_uid(s), 0,
		    (unsigned long long)sock_ino(s),
		    (unsigned long long)ls->drops);
	if (v6)
		pbuf_puts(tb->b, "\n");
	else
		pad(tb->b, start, UDP_LINE);
}

static void inet_table(struct pbuf *b, enum loop_proto p, int family)
{
	struct table tb = {.b = b, .family = family};

	if (inet_mode() == NET_MODE_NONE)
		loop_for_each(p, p == LOOP_TCP ? tcp_line : udp_line, &tb);
}

static int show_tcp(struct proc_ctx *ctx, struct pbuf *b)
{
	size_t start = b->len;

	(void)ctx;
	pbuf_puts(b, "  sl  local_address rem_address   st tx_queue rx_queue "
		     "tr tm->when retrnsmt   uid  timeout inode");
	pad(b, start, TCP_LINE);
	inet_table(b, LOOP_TCP, LINUX_AF_INET);
	return 0;
}

static int show_tcp6(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_puts(b, "  sl  local_address                         "
		     "remote_address                        st tx_queue "
		     "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	inet_table(b, LOOP_TCP, LINUX_AF_INET6);
	return 0;
}

/* udp4_seq_show's and udp6_seq_show's files, which udplite and
 * udplite6 share with UDP-Lite's own table. */
static void udp_file(struct pbuf *b, enum loop_proto p, int family)
{
	size_t start = b->len;

	if (family == LINUX_AF_INET) {
		pbuf_puts(b, "   sl  local_address rem_address   st tx_queue "
			     "rx_queue tr tm->when retrnsmt   uid  timeout "
			     "inode ref pointer drops");
		pad(b, start, UDP_LINE);
	} else {
		pbuf_puts(b, "  sl  local_address                         "
			     "remote_address                        st "
			     "tx_queue rx_queue tr tm->when retrnsmt   uid  "
			     "timeout inode ref pointer drops\n");
	}
	inet_table(b, p, family);
}

static int show_udp(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	udp_file(b, LOOP_UDP, LINUX_AF_INET);
	return 0;
}

static int show_udp6(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	udp_file(b, LOOP_UDP, LINUX_AF_INET6);
	return 0;
}

static int show_udplite(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	udp_file(b, LOOP_UDPLITE, LINUX_AF_INET);
	return 0;
}

static int show_udplite6(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	udp_file(b, LOOP_UDPLITE, LINUX_AF_INET6);
	return 0;
}

/* unix_seq_show: one line per AF_UNIX socket, with its name (an abstract
 * one starts with '@', its NULs shown as '@'). */
static void unix_line(struct socket *s, void *arg)
{
	struct pbuf *b = arg;
	struct unix_sock *u = unix_sk(s);
	int st;

	if (u->dead)
		return;
	if (s->file)
		st = u->state == UNIX_CONNECTED ? SS_CONNECTED : SS_UNCONNECTED;
	else
		st = u->state == UNIX_CONNECTED ? SS_CONNECTING
						: SS_DISCONNECTING;
	pbuf_printf(b, "0000000000000000: %08X %08X %08X %04X %02X %5llu",
		    s->refs, 0, u->state == UNIX_LISTEN ? SO_ACCEPTCON : 0,
		    s->type, st, (unsigned long long)sock_ino(s));
	if (u->addr) {
		int len = u->addr->len - LINUX_SUN_PATH_OFFSET;
		const char *p = u->addr->name + LINUX_SUN_PATH_OFFSET;

		pbuf_puts(b, " ");
		if (p[0]) {
			pbuf_printf(b, "%.*s", len, p);
		} else {
			for (int i = 0; i < len; i++)
				pbuf_write(b, p[i] ? &p[i] : "@", 1);
		}
	}
	pbuf_puts(b, "\n");
}

static int show_unix(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_puts(b,
		  "Num       RefCount Protocol Flags    Type St Inode Path\n");
	socket_for_each(LINUX_AF_UNIX, unix_line, b);
	return 0;
}

/* dev_seq_show: no traffic is counted. */
static int show_dev(struct proc_ctx *ctx, struct pbuf *b)
{
	const struct netdev *d;

	(void)ctx;
	pbuf_puts(b, "Inter-|   Receive                                    "
		     "            |  Transmit\n"
		     " face |bytes    packets errs drop fifo frame compressed "
		     "multicast|bytes    packets errs drop fifo colls carrier "
		     "compressed\n");
	for (int i = 0; (d = netdev_at(i)); i++)
		pbuf_printf(b,
			    "%6s: %7d %7d %4d %4d %4d %5d %10d %9d "
			    "%8d %7d %4d %4d %4d %5d %7d %10d\n",
			    d->name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			    0, 0);
	return 0;
}

/* if6_seq_show: address, index, prefix, scope, flags, name. */
static int show_if_inet6(struct proc_ctx *ctx, struct pbuf *b)
{
	const struct netdev *d;

	(void)ctx;
	for (int i = 0; (d = netdev_at(i)); i++)
		for (int k = 0; k < d->naddrs; k++) {
			const struct netdev_addr *a = &d->addrs[k];
			unsigned scope = a->scope == 254   ? 0x10
					 : a->scope == 253 ? 0x20
							   : 0;

			if (a->family != LINUX_AF_INET6)
				continue;
			for (int j = 0; j < 16; j++)
				pbuf_printf(b, "%02x", a->addr[j]);
			pbuf_printf(b, " %02x %02x %02x %02x %8s\n", d->index,
				    a->prefixlen, scope, 0x80, d->name);
		}
	return 0;
}

const struct proc_node proc_net_entries[] = {
	PROC_REG("dev", 0444, show_dev),
	PROC_REG("if_inet6", 0444, show_if_inet6),
	PROC_REG("tcp", 0444, show_tcp),
	PROC_REG("tcp6", 0444, show_tcp6),
	PROC_REG("udp", 0444, show_udp),
	PROC_REG("udp6", 0444, show_udp6),
	PROC_REG("udplite", 0444, show_udplite),
	PROC_REG("udplite6", 0444, show_udplite6),
	PROC_REG("unix", 0444, show_unix),
	{0},
};
