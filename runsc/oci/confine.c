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

int confine_gofer(const char *root, bool readonly, runsc_error_t *err)
{
	/* What a file server needs to serve any file of the tree as root
	 * does: read past modes, keep ownership and times. */
	const uint64_t keep = (1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) |
			      (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) |
			      (1ULL << CAP_FSETID);
	unsigned long ro = readonly ? MS_RDONLY : 0;

	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET) < 0)
		return runsc_error_make(err, errno, "gofer namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return runsc_error_make(err, errno, "making mounts private");
	/* The tree is bound below a scratch tmpfs (over /proc, which every
	 * host has) and pivoted into from there: pivoting into a bind of
	 * "/" onto itself is refused (EBUSY). */
	if (mount("none", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,mode=0700") < 0 ||
	    mkdir("/proc/root", 0700) < 0)
		return runsc_error_make(err, errno, "gofer staging directory");
	if (mount(root, "/proc/root", NULL, MS_BIND | MS_REC, NULL) < 0)
		return runsc_error_make(err, errno, "bind mounting %s", root);
	if (ro && mount(NULL, "/proc/root", NULL,
			MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return runsc_error_make(err, errno, "making %s read-only", root);
	if (pivot_into("/proc/root", err))
		return -1;
	if (confine_drop_caps(keep, err))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return runsc_error_make(err, errno, "no_new_privs");
	return 0;
}
