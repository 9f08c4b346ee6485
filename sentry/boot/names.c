/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.c: the files name resolution reads, made to agree with the
 * sandbox. runsc do shows the host's / under an overlay, so without this
 * a program would read the host's /etc/hostname while uname(2) says the
 * sandbox's name, and under --network=none glibc would be sent to the
 * host's name servers and addresses, none of which the sandbox can reach.
 *
 *   /etc/hostname     the sandbox's hostname, always;
 *   /etc/hosts        under none: localhost on 127.0.0.1 and ::1, the
 *                     hostname on 127.0.1.1 (Debian's convention; all of
 *                     127/8 is the sandbox's loopback), as a fresh
 *                     network namespace with that name would want;
 *   /etc/resolv.conf  under none: no name server, so a lookup fails at
 *                     once instead of waiting for one that cannot answer.
 *
 * Under --network=host the host's hosts and resolv.conf are the right
 * ones and stay. The files go into the overlay's memory layer only:
 * nothing reaches the host.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "sentry/boot/boot.h"
#include "sentry/boot/mounts.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

/* Replace `path` with `text`, 0644; the error is logged and returned. */
static int write_file(struct task *t, const char *path, const char *text)
{
	size_t len = strlen(text);
	struct linux_iovec seg;
	struct vfs_uio u;
	int64_t pos = 0;
	struct file *f;
	ssize_t n;
	int err;

	err = vfs_open(t, LINUX_AT_FDCWD, path,
		       LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC |
			       LINUX_O_NOFOLLOW,
		       0644, &f);
	if (err) {
		log_debug("%s: not written: %s", path, strerror(-err));
		return err;
	}
	vfs_uio_init_sentry(&u, &seg, (void *)text, len);
	n = vfs_write(f, &u, &pos);
	file_put(f);
	if (n != (ssize_t)len) {
		err = n < 0 ? (int)n : -EIO;
		log_warn("%s: writing: %s", path, strerror(-err));
	}
	return err;
}

void boot_write_name_files(const struct sentry_config *cfg)
{
	char buf[512];
	struct task *t;

	if (boot_root_task_new(&t))
		return;
	snprintf(buf, sizeof(buf), "%s\n", cfg->hostname);
	write_file(t, "/etc/hostname", buf);
	if (!cfg->network_host) {
		snprintf(buf, sizeof(buf),
			 "127.0.0.1\tlocalhost\n"
			 "::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "127.0.1.1\t%s\n",
			 cfg->hostname);
		write_file(t, "/etc/hosts", buf);
		write_file(t, "/etc/resolv.conf",
			   "# --network=none: the sandbox has no name server\n");
	}
	boot_root_task_put(t);
}
