/* SPDX-License-Identifier: Apache-2.0 */
/* confine.c: see confine.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runsc/oci/confine.h"

/* The mount API of Linux 5.2 (glibc's wrappers came later). */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

unsigned long confine_sentry_clone_flags(bool network_none)
{
	return CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
	       (network_none ? CLONE_NEWNET : 0);
}

static int pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* Make `dir` the root of this mount namespace; the old root is detached
 * so nothing of the host stays reachable by path. */
static int pivot_into(const char *dir, runsc_error_t *err)
{
	if (chdir(dir) < 0)
		return runsc_error_make(err, errno, "chdir %s", dir);
	/* pivot_root(".", ".") stacks the old root on the new one; the
	 * lazy unmount then removes it (no directory for it needed). */
	if (pivot_root(".", ".") < 0)
		return runsc_error_make(err, errno, "pivot_root into %s", dir);
	if (umount2(".", MNT_DETACH) < 0)
		return runsc_error_make(err, errno, "detaching the old root");
	if (chdir("/") < 0)
		return runsc_error_make(err, errno, "chdir /");
	return 0;
}

int confine_drop_caps(uint64_t keep, runsc_error_t *err)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	for (int c = 0; c <= 63; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return runsc_error_make(err, errno,
						"dropping capability %d from the bounding set",
						c);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return runsc_error_make(err, errno, "capset");
	return 0;
}

int confine_sentry(runsc_error_t *err)
{
	/* Mount events must not travel back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return runsc_error_make(err, errno, "making mounts private");
	/* An empty tmpfs over /proc (a directory every host has) becomes
	 * the root; the new pid namespace's proc goes inside it. */
	if (mount("none", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,mode=0555") < 0)
		return runsc_error_make(err, errno, "mounting the empty root");
	if (mkdir("/proc/proc", 0555) < 0)
		return runsc_error_make(err, errno, "mkdir /proc/proc");
	if (mount("proc", "/proc/proc", "proc",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) < 0)
		return runsc_error_make(err, errno, "mounting the sandbox's proc");
	if (pivot_into("/proc", err))
		return -1;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID |
			  MS_NODEV | MS_NOEXEC, NULL) < 0)
		return runsc_error_make(err, errno, "making the root read-only");
	/* Host job control (a terminal's ^C, SIGHUP) must not reach the
	 * Sentry itself. */
	setsid();
	if (confine_drop_caps(0, err))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return runsc_error_make(err, errno, "no_new_privs");
	return 0;
}

/* What a file server needs to serve any file of the tree as root does:
 * read past modes, keep ownership and times. */
static const uint64_t gofer_caps =
	(1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) |
	(1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) |
	(1ULL << CAP_FSETID);

/* A Gofer's own namespaces and a scratch tmpfs over /proc (a directory
 * every host has) with an empty /proc/root, where the served tree is
 * bound before being pivoted into: pivoting into a bind of "/" onto
 * itself is refused (EBUSY). */
static int gofer_staging(runsc_error_t *err)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET) < 0)
		return runsc_error_make(err, errno, "gofer namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return runsc_error_make(err, errno, "making mounts private");
	if (mount("none", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,mode=0700") < 0 ||
	    mkdir("/proc/root", 0700) < 0)
		return runsc_error_make(err, errno, "gofer staging directory");
	return 0;
}

/* Make the bind at `target` read-only (if asked), pivot into `dir`,
 * keep only the file server's capabilities. */
static int gofer_finish(const char *target, const char *dir, bool readonly,
			runsc_error_t *err)
{
	if (readonly && mount(NULL, target, NULL,
			      MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return runsc_error_make(err, errno, "making the served tree read-only");
	if (pivot_into(dir, err))
		return -1;
	if (confine_drop_caps(gofer_caps, err))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return runsc_error_make(err, errno, "no_new_privs");
	return 0;
}

int confine_gofer(const char *root, bool readonly, runsc_error_t *err)
{
	if (gofer_staging(err))
		return -1;
	if (mount(root, "/proc/root", NULL, MS_BIND | MS_REC, NULL) < 0)
		return runsc_error_make(err, errno, "bind mounting %s", root);
	return gofer_finish("/proc/root", "/proc/root", readonly, err);
}

int confine_gofer_file(int file_fd, bool readonly, runsc_error_t *err)
{
	int tree, fd, rc;

	/*
	 * A detached bind of the very inode runsc opened (never a path),
	 * cloned while file_fd's mount is still in our namespace: a plain
	 * bind mount from it after unshare is refused (EINVAL), its mount
	 * being in the host's namespace, not ours.
	 */
	tree = (int)syscall(SYS_open_tree, file_fd, "",
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return runsc_error_make(err, errno, "cloning the served file's mount");
	rc = gofer_staging(err);
	/* pivot_root wants a mount to pivot into: a tiny tmpfs of its own,
	 * holding only the mount point of the file. */
	if (!rc && mount("none", "/proc/root", "tmpfs",
			 MS_NOSUID | MS_NODEV | MS_NOEXEC,
			 "size=4k,nr_inodes=4,mode=0700") < 0)
		rc = runsc_error_make(err, errno, "gofer root");
	if (!rc) {
		fd = open("/proc/root/" CONFINE_GOFER_FILE,
			  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			rc = runsc_error_make(err, errno, "gofer mount point");
		else
			close(fd);
	}
	if (!rc && syscall(SYS_move_mount, tree, "", AT_FDCWD,
			   "/proc/root/" CONFINE_GOFER_FILE,
			   MOVE_MOUNT_F_EMPTY_PATH) < 0)
		rc = runsc_error_make(err, errno, "mounting the served file");
	close(tree);
	if (rc)
		return -1;
	return gofer_finish("/proc/root/" CONFINE_GOFER_FILE, "/proc/root",
			    readonly, err);
}
