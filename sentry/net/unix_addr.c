/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_addr.c: AF_UNIX names: binding to a path, to an abstract name or
 * to an automatic one, the tables connect() and sendto() search, and
 * getsockname/getpeername.
 *
 * Abstract names are looked up per socket type, as Linux hashes the type
 * into them: a stream and a datagram socket may both hold "\0x". Path
 * names are keyed by the socket file's (st_dev, st_ino), not by the inode
 * object: a filesystem that re-creates inode objects (a Gofer mount after
 * eviction) must still lead connect() to the bound socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/kernel/task.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/vfs.h"

#define NAME_BUCKETS 256

LIST_HEAD(unix_list, unix_sock);
static struct unix_list abstract_table[NAME_BUCKETS];
static struct unix_list path_table[NAME_BUCKETS];
static uint32_t autobind_next;

static unsigned abstract_hash(const char *name, int len, int type)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (int i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return (h ^ (uint32_t)type) % NAME_BUCKETS;
}

static unsigned path_hash(uint64_t dev, uint64_t ino)
{
	return (unsigned)((ino * 0x9e3779b97f4a7c15ull ^ dev) >> 32) %
	       NAME_BUCKETS;
}

static struct unix_addr *addr_new(const void *name, int len)
{
	struct unix_addr *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->refs = 1;
	a->len = len;
	memcpy(a->name, name, (size_t)len);
	return a;
}

void unix_addr_put(struct unix_addr *a)
{
	if (a && !--a->refs)
		free(a);
}

int unix_validate_addr(const struct linux_sockaddr_storage *a, int len)
{
	if (len <= LINUX_SUN_PATH_OFFSET ||
	    len > (int)sizeof(struct linux_sockaddr_un))
		return -EINVAL;
	if (a->family != LINUX_AF_UNIX)
		return -EINVAL;
	return 0;
}

/* unix_mkname_bsd: the path is sun_path cut at len (it need not be
 * NUL-terminated within the address). */
static void mkname_bsd(const struct linux_sockaddr_storage *a, int len,
		       char path[LINUX_SOCKADDR_STORAGE_SIZE])
{
	size_t n = (size_t)len - LINUX_SUN_PATH_OFFSET;

	memcpy(path, (const char *)a + LINUX_SUN_PATH_OFFSET, n);
	path[n] = 0;
}

static struct unix_sock *find_abstract(const char *name, int len, int type)
{
	struct unix_sock *u;

	LIST_FOREACH(u, &abstract_table[abstract_hash(name, len, type)],
		     name_link)
	if (u->sk->type == type && u->addr->len == len &&
	    !memcmp(u->addr->name, name, (size_t)len))
		return u;
	return NULL;
}

static void insert_abstract(struct unix_sock *u)
{
	u->hashed = true;
	LIST_INSERT_HEAD(&abstract_table[abstract_hash(
				 u->addr->name, u->addr->len, u->sk->type)],
			 u, name_link);
}

int unix_autobind(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	char name[LINUX_SUN_PATH_OFFSET + 1 + 5 + 1];
	uint16_t fam = LINUX_AF_UNIX;

	if (u->addr)
		return 0;
	for (uint32_t tries = 0; tries <= 0xfffff; tries++) {
		uint32_t n = autobind_next;

		autobind_next = (autobind_next + 1) & 0xfffff;
		memcpy(name, &fam, sizeof(fam));
		name[LINUX_SUN_PATH_OFFSET] = 0;
		snprintf(name + LINUX_SUN_PATH_OFFSET + 1, 6, "%05x", n);
		if (find_abstract(name, LINUX_SUN_PATH_OFFSET + 6, s->type))
			continue;
		u->addr = addr_new(name, LINUX_SUN_PATH_OFFSET + 6);
		if (!u->addr)
			return -ENOMEM;
		insert_abstract(u);
		return 0;
	}
	return -ENOSPC;
}

static int bind_abstract(struct socket *s,
			 const struct linux_sockaddr_storage *a, int len)
{
	struct unix_sock *u = unix_sk(s);

	if (u->addr)
		return -EINVAL;
	if (find_abstract((const char *)a, len, s->type))
		return -EADDRINUSE;
	u->addr = addr_new(a, len);
	if (!u->addr)
		return -ENOMEM;
	insert_abstract(u);
	return 0;
}

static struct unix_sock *find_path(uint64_t dev, uint64_t ino)
{
	struct unix_sock *u;

	LIST_FOREACH(u, &path_table[path_hash(dev, ino)], name_link)
	if (u->bind_dev == dev && u->bind_ino == ino)
		return u;
	return NULL;
}

/*
 * unix_bind_bsd: the socket file is made first (so an existing name is
 * EADDRINUSE even for a bound socket, as Linux), with mode 0777 less the
 * umask; then, if the socket got a name meanwhile, the file goes again.
 */
static int bind_bsd(struct socket *s, struct task *t,
		    const struct linux_sockaddr_storage *a, int len)
{
	struct unix_sock *u = unix_sk(s);
	char buf[LINUX_SOCKADDR_STORAGE_SIZE + LINUX_SUN_PATH_OFFSET];
	char *path = buf + LINUX_SUN_PATH_OFFSET;
	uint16_t fam = LINUX_AF_UNIX;
	struct inode *i;
	struct path p;
	int err;

	mkname_bsd(a, len, path);
	err = vfs_mknod_path(t, LINUX_AT_FDCWD, path, LINUX_S_IFSOCK | 0777, 0,
			     &p);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	if (u->addr || u->dead) {
		vfs_unlink(t, LINUX_AT_FDCWD, path);
		path_put(&p);
		return -EINVAL;
	}
	memcpy(buf, &fam, sizeof(fam));
	u->addr =
		addr_new(buf, (int)(LINUX_SUN_PATH_OFFSET + strlen(path) + 1));
	if (!u->addr) {
		vfs_unlink(t, LINUX_AT_FDCWD, path);
		path_put(&p);
		return -ENOMEM;
	}
	i = p.dentry->inode;
	u->path = p;
	u->hashed = true;
	u->bind_dev = i->sb->dev;
	u->bind_ino = i->ino;
	/* A newer binding of the same file (a remote inode number reused
	 * while an old binding lives on) shadows the older one. */
	LIST_INSERT_HEAD(&path_table[path_hash(u->bind_dev, u->bind_ino)], u,
			 name_link);
	return 0;
}

int unix_bind(struct socket *s, struct task *t,
	      struct linux_sockaddr_storage *a, int len)
{
	int err;

	if (len == LINUX_SUN_PATH_OFFSET && a->family == LINUX_AF_UNIX)
		return unix_autobind(s);
	err = unix_validate_addr(a, len);
	if (err)
		return err;
	if (a->data[0])
		return bind_bsd(s, t, a, len);
	return bind_abstract(s, a, len);
}

void unix_unbind(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);

	if (u->hashed)
		LIST_REMOVE(u, name_link);
	u->hashed = false;
	path_put(&u->path);
}

/* unix_find_bsd: the path must lead to a socket file, writable by the
 * caller, that a socket of the same type is bound to. */
static int find_bsd(struct task *t, const struct linux_sockaddr_storage *a,
		    int len, int type, struct socket **out)
{
	char path[LINUX_SOCKADDR_STORAGE_SIZE];
	struct unix_sock *u;
	struct inode *i;
	struct path p;
	int err;

	mkname_bsd(a, len, path);
	err = vfs_lookup(t, LINUX_AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	i = p.dentry->inode;
	err = vfs_permission(p.mnt, i, MAY_WRITE, t->creds);
	if (!err && !LINUX_S_ISSOCK(i->mode))
		err = -ECONNREFUSED;
	if (!err) {
		u = find_path(i->sb->dev, i->ino);
		if (!u)
			err = -ECONNREFUSED;
		else if (u->sk->type != type)
			err = -EPROTOTYPE;
		else {
			socket_get(u->sk);
			*out = u->sk;
		}
	}
	path_put(&p);
	return err;
}

int unix_find_other(struct task *t, struct linux_sockaddr_storage *a, int len,
		    int type, struct socket **out)
{
	struct unix_sock *u;

	if (a->data[0])
		return find_bsd(t, a, len, type, out);
	u = find_abstract((const char *)a, len, type);
	if (!u)
		return -ECONNREFUSED;
	socket_get(u->sk);
	*out = u->sk;
	return 0;
}

int unix_getsockname(struct socket *s, struct linux_sockaddr_storage *out)
{
	struct unix_addr *a = unix_sk(s)->addr;

	if (!a) {
		out->family = LINUX_AF_UNIX;
		out->data[0] = 0;
		return LINUX_SUN_PATH_OFFSET;
	}
	memcpy(out, a->name, (size_t)a->len);
	return a->len;
}

int unix_getpeername(struct socket *s, struct linux_sockaddr_storage *out)
{
	struct socket *peer = unix_sk(s)->peer;

	if (!peer)
		return -ENOTCONN;
	return unix_getsockname(peer, out);
}

void unix_copy_addr(struct sock_msg *msg, struct socket *s)
{
	struct unix_addr *a = s ? unix_sk(s)->addr : NULL;

	if (!msg->name || !a)
		return;
	memcpy(msg->name, a->name, (size_t)a->len);
	msg->namelen = a->len;
}

void unix_skb_recv_info(struct socket *receiver, struct sock_msg *msg,
			const struct unix_skb *skb)
{
	const struct unix_proto *proto = unix_sk(receiver)->proto;

	if (!proto)
		unix_copy_addr(msg, skb->sender);
	else if (proto->recv_info)
		proto->recv_info(receiver, msg, skb);
}
