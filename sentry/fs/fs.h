/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs.h: the filesystems that live inside the Sentry, as the kernel's setup
 * code creates and mounts them.
 */
#ifndef CVISOR_FS_FS_H
#define CVISOR_FS_FS_H

#include <stdint.h>

struct superblock;
struct file;
struct task;
struct tty;

/* A new tmpfs instance whose root directory has `mode` (e.g. 01777 for
 * /tmp, 0755) and the given owner. */
int tmpfs_new(uint32_t root_mode, uint32_t uid, uint32_t gid,
	      struct superblock **out);
/* The same with limits: size in bytes (rounded up to pages) and inodes,
 * 0 for unlimited (ENOSPC past them). */
int tmpfs_new_limited(uint32_t root_mode, uint32_t uid, uint32_t gid,
		      uint64_t max_bytes, uint64_t max_inodes,
		      struct superblock **out);
/* The sandbox's memory: instances without size= report half of it, and
 * mount(2) gives them that limit, as Linux's default. */
void tmpfs_set_memory(uint64_t bytes);
/* Register "tmpfs" for mount(2): options mode=, uid=, gid=, size=
 * (bytes, k/m/g suffixes or a percentage of memory), nr_blocks=,
 * nr_inodes=; EINVAL for unknown ones. */
void tmpfs_register(void);

/* Register the character devices (null, zero, full, random, urandom,
 * tty, console, ptmx) and build a devfs instance (a tmpfs holding their
 * nodes, fd, stdin/stdout/stderr symlinks, shm/ and pts/) for /dev. */
int devices_register(void);
int devfs_new(struct superblock **out);

/*
 * Import a host fd (the container's stdio, handed in by runsc) as a file
 * description; on success the fd is owned by the file (closed on its
 * release), on failure the caller still owns it. `flags` are the guest's
 * LINUX_O_* access mode and status flags it should see (normally the
 * host's F_GETFL: the values are the same on an x86-64 Linux host).
 */
int hostfd_import(int hostfd, uint32_t flags, struct file **out);
/* The host fd behind a host file, or -1 (for poll/epoll to wait on it). */
int hostfd_host_fd(struct file *);
/* The console: the host terminal the sandbox's stdio is on, or NULL. */
struct tty *hostfd_console(void);
/* Make the console t's controlling terminal (the first process, a
 * session leader, at boot), when there is one. */
void hostfd_console_attach(struct task *t);

/* A sysfs instance for /sys (sysfs.c: the CPU files runtimes read), and
 * the "sysfs" type for mount(2). */
int sysfs_new(struct superblock **out);
void sysfs_register(void);

/* The devpts instance for /dev/pts (one for every mount), and the
 * "devpts" type for mount(2). */
int devpts_new(struct superblock **out);
void devpts_register(void);

#endif
