/* SPDX-License-Identifier: Apache-2.0 */
/* mounts.h: the sandbox's file system layout at start-up, and the init
 * process's view of it (stdio, working directory, PATH lookup). */
#ifndef CVISOR_BOOT_MOUNTS_H
#define CVISOR_BOOT_MOUNTS_H

#include <stddef.h>

struct task;
struct sentry_config;

/* / (the Gofer's tree under a memory overlay, or read-only), then /dev,
 * /dev/shm, /tmp, /proc and the config's mounts, or (OCI) the config's
 * mounts alone. */
int boot_mount_filesystems(const struct sentry_config *);
/* A task with root's credentials and the sandbox's root as root and cwd,
 * and nothing else, to make files at start-up before any process
 * exists. */
int boot_root_task_new(struct task **);
void boot_root_task_put(struct task *);
/* /etc/hostname, and under --network=none /etc/hosts and
 * /etc/resolv.conf, written into the overlay to match the sandbox's
 * hostname and network (names.c). Failures are logged, not fatal. */
void boot_write_name_files(const struct sentry_config *);
/* The host fds become the guest's 0, 1, 2. */
int boot_install_stdio(struct task *, const int stdio[3]);
int boot_chdir(struct task *, const char *dir);
/* Find `cmd` as a shell does (PATH from envp unless it has a '/'): the
 * resolved path into buf, or -ENOENT / -EACCES. */
int boot_find_command(struct task *, const char *cmd, char *const *envp,
		      char *buf, size_t size);

#endif
