/* SPDX-License-Identifier: Apache-2.0 */
/*
 * devices.c: the character devices the Sentry implements (/dev/null,
 * zero, full, random, urandom, tty, console, ptmx) and devfs, the tmpfs
 * tree that holds their nodes at /dev.
 *
 * /dev/console is the host terminal the sandbox was started on (what a
 * container runtime makes the console), and ENXIO when runsc's stdio is
 * no terminal; /dev/tty is the caller's controlling terminal (a pty or
 * that console) or ENXIO.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "gen/linux_flags.h"
#include "sentry/abi/errno.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/pty.h"
#include "sentry/fs/tty.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

/* Fill the described buffers with zeros: bytes or -EFAULT. */
static ssize_t uio_zero(struct vfs_uio *uio)
{
	ssize_t done = 0;

	while (uio->resid) {
		struct iovec iov[16];
		int niov = 0;
		long got =
			vfs_uio_host_iovecs(uio, true, iov, 16, &niov, 1 << 20);

		if (got <= 0)
			return done ? done : (got < 0 ? got : -EFAULT);
		for (int k = 0; k < niov; k++)
			memset(iov[k].iov_base, 0, iov[k].iov_len);
		vfs_uio_advance(uio, (size_t)got);
		done += got;
		/* A huge read must not keep a signal waiting forever. */
		if (uio->t && task_signal_pending(uio->t))
			break;
	}
	return done;
}

static ssize_t null_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	(void)f;
	(void)uio;
	(void)pos;
	return 0;
}

static ssize_t sink_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	ssize_t n = (ssize_t)uio->resid;

	(void)f;
	(void)pos;
	vfs_uio_advance(uio, uio->resid);
	return n;
}

static ssize_t zero_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	(void)f;
	(void)pos;
	return uio_zero(uio);
}

static ssize_t full_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	(void)f;
	(void)uio;
	(void)pos;
	return -ENOSPC;
}

/* /dev/random and /dev/urandom: the host's getrandom (never blocks once
 * the host pool is initialised, as both devices on Linux 5.6+). */
static ssize_t random_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	char buf[4096];
	ssize_t done = 0;

	(void)f;
	(void)pos;
	while (uio->resid) {
		size_t want =
			uio->resid < sizeof(buf) ? uio->resid : sizeof(buf);
		ssize_t n = getrandom(buf, want, 0);
		long c;

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return done ? done : -EIO;
		}
		c = vfs_uio_copy_to(uio, buf, (size_t)n);
		if (c <= 0)
			return done ? done : (c < 0 ? c : -EFAULT);
		done += c;
		if (c < n || (uio->t && task_signal_pending(uio->t)))
			break;
	}
	return done;
}

/* The memory devices seek nowhere: every offset reads the same. */
static int64_t zero_llseek(struct file *f, int64_t off, int whence)
{
	(void)off;
	(void)whence;
	f->pos = 0;
	return 0;
}

/* /dev/zero mappings are anonymous shared memory: a fresh object each. */
static uint64_t zero_size(struct mappable *m)
{
	(void)m;
	return UINT64_MAX;
}

static const struct mappable_ops zero_mappable_ops = {
	.size = zero_size,
};

static int zero_mmap(struct file *f, struct mappable **out)
{
	(void)f;
	*out = mappable_new(&zero_mappable_ops, NULL);
	return *out ? 0 : -ENOMEM;
}

static const struct file_ops null_fops = {
	.read = null_read,
	.write = sink_write,
	.llseek = zero_llseek,
};

static const struct file_ops zero_fops = {
	.read = zero_read,
	.write = sink_write,
	.llseek = zero_llseek,
	.mmap = zero_mmap,
};

static const struct file_ops full_fops = {
	.read = zero_read,
	.write = full_write,
	.llseek = zero_llseek,
};

static const struct file_ops random_fops = {
	.read = random_read,
	.write = sink_write,
	.llseek = zero_llseek,
};

static int open_null(struct inode *i, struct file *f)
{
	(void)i;
	f->ops = &null_fops;
	return 0;
}

static int open_zero(struct inode *i, struct file *f)
{
	(void)i;
	f->ops = &zero_fops;
	return 0;
}

static int open_full(struct inode *i, struct file *f)
{
	(void)i;
	f->ops = &full_fops;
	return 0;
}

static int open_random(struct inode *i, struct file *f)
{
	(void)i;
	f->ops = &random_fops;
	return 0;
}

/* The host terminal runsc was started on, if any. */
static int open_console(struct inode *i, struct file *f)
{
	struct tty *tty = hostfd_console();

	(void)i;
	if (!tty)
		return -ENXIO;
	return tty->ops->open(tty, f);
}

static const struct chrdev devices[] = {
	{1, 3, "null", open_null},
	{1, 5, "zero", open_zero},
	{1, 7, "full", open_full},
	{1, 8, "random", open_random},
	{1, 9, "urandom", open_random},
	{5, 0, "tty", tty_open_current},
	{5, 1, "console", open_console},
	{5, 2, "ptmx", ptmx_open},
};

int devices_register(void)
{
	for (size_t k = 0; k < sizeof(devices) / sizeof(devices[0]); k++) {
		int err = vfs_register_chrdev(&devices[k]);

		if (err && err != -EBUSY)
			return err;
	}
	return 0;
}

static const struct creds devfs_creds; /* root: uid 0, gid 0 */

/* Add one node to a devfs directory through the tmpfs ops. */
static int add_node(struct inode *dir, const char *name, uint32_t mode,
		    uint64_t rdev, const char *target)
{
	struct inode *i;
	int err;

	if (target)
		err = dir->ops->symlink(dir, name, target, &devfs_creds, &i);
	else if (LINUX_S_ISDIR(mode))
		err = dir->ops->mkdir(dir, name, mode, &devfs_creds, &i);
	else
		err = dir->ops->mknod(dir, name, mode, rdev, &devfs_creds, &i);
	if (err)
		return err;
	inode_put(i); /* the directory entry keeps it */
	return 0;
}

/* The /dev tree of a sandbox: device nodes, the /proc/self/fd links,
 * empty shm/ and pts/ for their own mounts. */
int devfs_new(struct superblock **out)
{
	static const struct {
		const char *name;
		uint32_t mode;
		uint32_t major, minor;
		const char *target;
	} nodes[] = {
		{"null", LINUX_S_IFCHR | 0666, 1, 3, NULL},
		{"zero", LINUX_S_IFCHR | 0666, 1, 5, NULL},
		{"full", LINUX_S_IFCHR | 0666, 1, 7, NULL},
		{"random", LINUX_S_IFCHR | 0666, 1, 8, NULL},
		{"urandom", LINUX_S_IFCHR | 0666, 1, 9, NULL},
		{"tty", LINUX_S_IFCHR | 0666, 5, 0, NULL},
		{"console", LINUX_S_IFCHR | 0600, 5, 1, NULL},
		{"ptmx", LINUX_S_IFCHR | 0666, 5, 2, NULL},
		{"fd", 0, 0, 0, "/proc/self/fd"},
		{"stdin", 0, 0, 0, "/proc/self/fd/0"},
		{"stdout", 0, 0, 0, "/proc/self/fd/1"},
		{"stderr", 0, 0, 0, "/proc/self/fd/2"},
		{"shm", LINUX_S_IFDIR | 01777, 0, 0, NULL},
		{"pts", LINUX_S_IFDIR | 0755, 0, 0, NULL},
	};
	struct superblock *sb;
	struct inode *root;
	int err = devices_register();

	if (err)
		return err;
	err = tmpfs_new(0755, 0, 0, &sb);
	if (err)
		return err;
	sb->fstype = "tmpfs"; /* Linux's /dev is a devtmpfs, shown "devtmpfs"
				 only on hosts; containers see a tmpfs */
	root = sb->root->inode;
	for (size_t k = 0; k < sizeof(nodes) / sizeof(nodes[0]); k++) {
		err = add_node(root, nodes[k].name, nodes[k].mode,
			       linux_makedev(nodes[k].major, nodes[k].minor),
			       nodes[k].target);
		if (err) {
			superblock_put(sb);
			return err;
		}
	}
	*out = sb;
	return 0;
}
