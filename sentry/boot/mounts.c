/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mounts.c: the sandbox's filesystem layout at start-up: the host root
 * served read-only by the Gofer, with the Sentry's own /dev, /dev/shm,
 * /tmp and /proc on top; and the first process's stdio, cwd and command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "sentry/boot/mounts.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/procfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

/* Mount sb at path if the directory exists in the root; a missing mount
 * point is only logged (a minimal image may lack /tmp). */
static int mount_at(const char *path, struct superblock *sb, unsigned flags,
		    const char *source)
{
	int err = vfs_mount_at(path, sb, flags, source);

	superblock_put(sb);
	if (err == -ENOENT || err == -ENOTDIR) {
		log_warn("no %s in the root: not mounted", path);
		return 0;
	}
	return err;
}

int boot_mount_filesystems(void)
{
	struct superblock *sb;
	int err;

	err = vfs_init();
	if (err)
		return err;
	tmpfs_register();
	err = devices_register();
	if (err)
		return err;
	err = goferfs_new(kernel->gofer, &sb);
	if (err) {
		log_error("root filesystem from the gofer: %s", strerror(-err));
		return err;
	}
	/* The host's files are never written from inside: read-only root. */
	err = vfs_mount_root(sb, MNT_RDONLY, "/");
	superblock_put(sb);
	if (err)
		return err;
	if ((err = devfs_new(&sb)) ||
	    (err = mount_at("/dev", sb, MNT_NOSUID | MNT_NOEXEC, "tmpfs")))
		return err;
	devpts_register();
	if ((err = devpts_new(&sb)) ||
	    (err = mount_at("/dev/pts", sb, MNT_NOSUID | MNT_NOEXEC, "devpts")))
		return err;
	if ((err = tmpfs_new(01777, 0, 0, &sb)) ||
	    (err = mount_at("/dev/shm", sb, MNT_NOSUID | MNT_NODEV, "shm")))
		return err;
	if ((err = tmpfs_new(01777, 0, 0, &sb)) ||
	    (err = mount_at("/tmp", sb, MNT_NOSUID | MNT_NODEV, "tmpfs")))
		return err;
	if ((err = procfs_new(&sb)) ||
	    (err = mount_at("/proc", sb, MNT_NOSUID | MNT_NODEV | MNT_NOEXEC,
			    "proc")))
		return err;
	return 0;
}

int boot_install_stdio(struct task *t, const int stdio[3])
{
	for (int i = 0; i < 3; i++) {
		struct file *f;
		int hfd, fl, err;

		/* A private duplicate: the file owns and closes it. */
		hfd = fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
		if (hfd < 0) {
			/* A closed stdio fd stays closed inside. */
			continue;
		}
		fl = fcntl(hfd, F_GETFL);
		err = hostfd_import(hfd, (uint32_t)(fl < 0 ? O_RDWR : fl), &f);
		if (err) {
			close(hfd);
			return err;
		}
		err = fd_replace(t, i, f, 0);
		file_put(f);
		if (err < 0)
			return err;
	}
	/* A terminal there is the console, the first session's terminal. */
	hostfd_console_attach(t);
	return 0;
}

int boot_chdir(struct task *t, const char *dir)
{
	struct path p;
	int err = vfs_lookup(t, LINUX_AT_FDCWD, dir,
			     LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);

	if (err)
		return err;
	fs_context_set_cwd(t->fs, &p);
	path_put(&p);
	return 0;
}

/* Is `path` an executable regular file for t? */
static int executable(struct task *t, const char *path)
{
	struct path p;
	int err = vfs_lookup(t, LINUX_AT_FDCWD, path, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	if (!LINUX_S_ISREG(p.dentry->inode->mode))
		err = -EACCES;
	else
		err = vfs_permission(p.mnt, p.dentry->inode, MAY_EXEC, t->creds);
	path_put(&p);
	return err;
}

int boot_find_command(struct task *t, const char *cmd, char *const *envp,
		      char *buf, size_t size)
{
	const char *pathvar = "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			      "/usr/bin:/sbin:/bin";
	int err = -ENOENT;

	if (!cmd[0])
		return -ENOENT;
	if (strchr(cmd, '/')) {
		if (strlen(cmd) >= size)
			return -ENAMETOOLONG;
		strcpy(buf, cmd);
		return 0;
	}
	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			pathvar = *e + 5;
	/* Like execvp: the first executable match wins; EACCES is reported
	 * only if no entry matched. */
	for (const char *p = pathvar;; p++) {
		const char *end = strchrnul(p, ':');
		int len = (int)(end - p), r;

		if ((size_t)len + strlen(cmd) + 2 <= size) {
			if (len)
				snprintf(buf, size, "%.*s/%s", len, p, cmd);
			else
				snprintf(buf, size, "%s", cmd);
			r = executable(t, buf);
			if (r == 0)
				return 0;
			if (r == -EACCES)
				err = -EACCES;
		}
		if (!*end)
			break;
		p = end;
	}
	return err;
}
