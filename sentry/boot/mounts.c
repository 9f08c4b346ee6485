/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mounts.c: the sandbox's filesystem layout at start-up: the host root
 * served read-only by the Gofer under a writable overlay in the memory
 * file (so the sandbox writes anywhere, and nothing it writes reaches the
 * host), with the Sentry's own /dev, /dev/shm, /tmp, /proc and /sys on
 * top, and
 * the host directories and files runsc was asked to mount (each served by
 * a Gofer of its own, writable or not); and the first process's stdio,
 * cwd and command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "gofer/client.h"
#include "sentry/boot/boot.h"
#include "sentry/boot/mounts.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/overlay.h"
#include "sentry/fs/procfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

/* Mount sb at path if the mount point exists in the root; a missing (or
 * mismatched: a directory for a file) one is only logged (a minimal image
 * may lack /tmp). */
static int mount_at(const char *path, struct superblock *sb, unsigned flags,
		    const char *source)
{
	int err = vfs_mount_at(path, sb, flags, source);

	superblock_put(sb);
	if (err == -ENOENT || err == -ENOTDIR) {
		log_warn("no %s of the right type in the root: not mounted",
			 path);
		return 0;
	}
	return err;
}

/* The root: the Gofer's tree as the lower layer of an overlay whose upper
 * layer is a fresh tmpfs, or (no_overlay) that tree alone, read-only. */
static int mount_root(bool overlay)
{
	struct superblock *lower, *upper, *sb;
	int err = goferfs_new(kernel->gofer, 0, &lower);

	if (err) {
		log_error("root filesystem from the gofer: %s", strerror(-err));
		return err;
	}
	if (!overlay) {
		/* The host's files are never written from inside. */
		err = vfs_mount_root(lower, MNT_RDONLY, "/");
		superblock_put(lower);
		return err;
	}
	err = tmpfs_new(0755, 0, 0, &upper);
	if (!err) {
		err = overlay_new(upper, lower, &sb);
		superblock_put(upper);
	}
	superblock_put(lower);
	if (err)
		return err;
	err = vfs_mount_root(sb, 0, "overlay");
	superblock_put(sb);
	return err;
}

/*
 * Make the directory `path` (absolute) and its missing parents, 0755, as
 * the mount point of a host directory (in the overlay they exist only in
 * memory); with `file`, make the last component an empty file instead,
 * the mount point of a host file, as runc does. Done as a task with
 * root's credentials and nothing else: no process exists yet. Something
 * of the other type in the way is left for the mount to refuse (ENOTDIR).
 */
static int make_mount_point(const char *path, bool file)
{
	struct task *t;
	char buf[LINUX_PATH_MAX];
	size_t len = strlen(path);
	int err;

	if (len >= sizeof(buf) || path[0] != '/')
		return -EINVAL;
	err = boot_root_task_new(&t);
	if (err)
		return err;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; !err; p++) {
		char save = *p;

		if (save != '/' && save != '\0')
			continue;
		*p = '\0';
		if (!save && file)
			err = vfs_mknod(t, LINUX_AT_FDCWD, buf,
					LINUX_S_IFREG | 0755, 0);
		else
			err = vfs_mkdir(t, LINUX_AT_FDCWD, buf, 0755);
		if (err == -EEXIST)
			err = 0;
		*p = save;
		if (!save)
			break;
	}
	boot_root_task_put(t);
	return err;
}

int boot_root_task_new(struct task **out)
{
	struct path root = { kernel->root_mount, kernel->root_mount->root };
	struct task *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = fs_context_new(&root, &t->fs);
	if (err) {
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

void boot_root_task_put(struct task *t)
{
	fs_context_put(t->fs);
	free(t);
}

static int make_dirs(const char *path)
{
	return make_mount_point(path, false);
}

/* The config's mounts, in order (after the root): an OCI config's, or
 * the host directories of runsc do --rw-dir. */
static int mount_list(const struct sentry_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct superblock *sb = NULL;
		struct gofer_client *c;
		const char *source = "none";
		int err;

		switch (m[i].kind) {
		case SENTRY_MOUNT_GOFER:
			/* Lives as long as the Sentry: its inodes hold nodes
			 * of this Gofer. */
			c = gofer_client_new(m[i].gofer_fd);
			if (!c)
				return -ENOMEM;
			err = goferfs_new(c, m[i].writable ? GOFERFS_WRITABLE : 0,
					  &sb);
			source = "bind";
			break;
		case SENTRY_MOUNT_TMPFS:
			err = tmpfs_new(m[i].mode ? m[i].mode : 01777, 0, 0, &sb);
			source = "tmpfs";
			break;
		case SENTRY_MOUNT_PROC:
			err = procfs_new(&sb);
			source = "proc";
			break;
		case SENTRY_MOUNT_DEV:
			err = devfs_new(&sb);
			source = "tmpfs";
			break;
		case SENTRY_MOUNT_SYS:
			err = sysfs_new(&sb);
			source = "sysfs";
			break;
		case SENTRY_MOUNT_DEVPTS:
			err = devpts_new(&sb);
			source = "devpts";
			break;
		default:
			err = -EINVAL;
		}
		/* A mount point missing from the image is made (in the
		 * overlay it exists only in memory): an empty file for a
		 * host file's bind. Where that is not possible mount_at says
		 * so and goes on. */
		if (!err) {
			make_mount_point(m[i].dest,
					 !LINUX_S_ISDIR(sb->root->inode->mode));
			err = mount_at(m[i].dest, sb, m[i].flags, source);
		}
		if (err) {
			log_error("mount on %s: %s", m[i].dest, strerror(-err));
			return err;
		}
	}
	return 0;
}

int boot_mount_filesystems(const struct sentry_config *cfg)
{
	struct superblock *sb;
	int err;

	err = vfs_init();
	if (err)
		return err;
	tmpfs_register();
	sysfs_register();
	procfs_register();
	{
		struct sysinfo_mem mem;

		sysinfo_memory(&mem);
		tmpfs_set_memory(mem.total);
	}
	err = devices_register();
	if (err)
		return err;
	devpts_register();
	err = mount_root(!cfg->no_overlay);
	if (err)
		return err;
	/* Before the --rw-dir mounts: they must never receive these. */
	if (!cfg->oci_mounts && !cfg->no_overlay)
		boot_write_name_files(cfg);
	if (cfg->oci_mounts)
		return mount_list(cfg->mounts, cfg->nmounts);
	if ((err = devfs_new(&sb)) ||
	    (err = mount_at("/dev", sb, MNT_NOSUID | MNT_NOEXEC, "tmpfs")))
		return err;
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
	if ((err = sysfs_new(&sb)) ||
	    (err = mount_at("/sys", sb,
			    MNT_RDONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC,
			    "sysfs")))
		return err;
	/* Last, so that one below /tmp lands on the sandbox's /tmp. */
	return mount_list(cfg->mounts, cfg->nmounts);
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

	/* A missing working directory is made, as runc makes process.cwd
	 * (runsc do from below /tmp lands in the sandbox's own /tmp). */
	if (err == -ENOENT && dir[0] == '/' && make_dirs(dir) == 0)
		err = vfs_lookup(t, LINUX_AT_FDCWD, dir,
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
