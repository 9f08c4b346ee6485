/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_internal.h: what the files of procfs share.
 *
 * Every procfs inode is described by a static `proc_node` (name, type,
 * mode, and how its content is made) and an instance part, `proc_inode`,
 * saying which task it is about. Tasks are never pointed at: they are
 * freed without telling anyone, so an inode keeps the pid and the start
 * time of the task it was made for, and every operation looks the task up
 * again (the start time tells a reused pid apart from the original one).
 *
 * File contents are snapshots (Linux's seq_file): generated at open into
 * a buffer of the open file, served at any offset, generated again when a
 * read starts at offset 0 after the first one (what top does with
 * lseek(0) + read).
 */
#ifndef CVISOR_FS_PROCFS_INTERNAL_H
#define CVISOR_FS_PROCFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sentry/vfs/vfs.h"

struct task;
struct thread_group;

#define PROC_SUPER_MAGIC 0x9fa0
#define PROC_ROOT_INO 1

/* The largest text one open file holds: the maps of a process with tens
 * of thousands of mappings, an environment of megabytes. Past it the text
 * is cut, so a guest cannot make the Sentry allocate without bound. */
#define PROC_SNAPSHOT_MAX (4u << 20)

/* Clock ticks per second of stat files (USER_HZ). */
#define PROC_USER_HZ 100
#define PROC_NS_PER_TICK (1000000000LL / PROC_USER_HZ)

/* The root's getdents offsets: static entries from 2, the thread group
 * with tgid N at PROC_PID_POS + N (Linux's TGID_OFFSET). */
#define PROC_PID_POS 256

/* ------------------------------------------------------------------ */
/* Text buffers                                                        */

/* A growing text buffer with a hard cap (the seq_file buffer). */
struct pbuf {
	char *data;
	size_t len, cap;
	bool truncated;         /* reached PROC_SNAPSHOT_MAX: text is cut */
	bool nomem;
};

void pbuf_init(struct pbuf *);
void pbuf_free(struct pbuf *);
void pbuf_write(struct pbuf *, const void *src, size_t n);
void pbuf_puts(struct pbuf *, const char *s);
void pbuf_printf(struct pbuf *, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s with the bytes of `esc` (and none other) written as \ooo octal, as
 * Linux's mangle() does for mount paths. */
void pbuf_escape(struct pbuf *, const char *s, const char *esc);

/* ------------------------------------------------------------------ */
/* Nodes                                                               */

enum proc_kind {
	PROC_ROOT,              /* /proc: static entries and thread groups */
	PROC_DIR,               /* static children */
	PROC_PID_DIR,           /* /proc/PID and /proc/PID/task/TID */
	PROC_TASK_DIR,          /* /proc/PID/task */
	PROC_FD_DIR,            /* /proc/PID/fd */
	PROC_FDINFO_DIR,        /* /proc/PID/fdinfo */
	PROC_FILE,              /* generated text (or node->open) */
	PROC_LINK,              /* symlink: readlink, maybe follow */
};

#define PROC_F_TGID_ONLY 0x1u   /* not under /proc/PID/task/TID */
#define PROC_F_PTRACE 0x2u      /* open needs ptrace read access */

struct proc_ctx;

/* What a procfs inode is: static, shared by every instance. */
struct proc_node {
	const char *name;
	enum proc_kind kind;
	uint32_t mode;                 /* type and permission bits */
	unsigned flags;                /* PROC_F_* */
	/* PROC_FILE: the text at open; 0 or -errno. */
	int (*show)(struct proc_ctx *, struct pbuf *);
	/* PROC_FILE: a write of `count` bytes whose first `len` are in buf
	 * (NUL-terminated); the count to report or -errno. NULL: the file
	 * is read-only (EACCES at open, even for root). */
	ssize_t (*write)(struct proc_ctx *, const char *buf, size_t len,
			 size_t count);
	/* PROC_FILE: an open of its own instead of a snapshot (mem). */
	int (*open)(struct proc_ctx *, struct file *);
	/* PROC_LINK */
	long (*readlink)(struct proc_ctx *, char *buf, size_t size);
	int (*follow)(struct proc_ctx *, struct task *by, struct path *out);
	/* PROC_ROOT, PROC_DIR, PROC_PID_DIR: children (ended by a NULL
	 * name) numbered from ino_base. */
	const struct proc_node *children;
	uint32_t ino_base;
	/* Constant text: the content of proc_show_text files, the target of
	 * proc_text_readlink links. */
	const char *text;
};

/* Table entries. */
#define PROC_REG(n, m, fn)                                                  \
	{ .name = (n), .kind = PROC_FILE, .mode = LINUX_S_IFREG | (m),      \
	  .show = (fn) }
#define PROC_TEXT(n, t)                                                     \
	{ .name = (n), .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0444,     \
	  .show = proc_show_text, .text = (t) }
#define PROC_SUBDIR(n, kids, base)                                          \
	{ .name = (n), .kind = PROC_DIR, .mode = LINUX_S_IFDIR | 0555,      \
	  .children = (kids), .ino_base = (base) }

/* An inode's instance: inode->priv. */
struct proc_inode {
	const struct proc_node *node;
	int pid;                       /* the task it is about, 0: none */
	int64_t start_ns;              /* that task's start_ns (identity) */
	bool thread;                   /* under /proc/PID/task/TID */
	int fd;                        /* fd/N and fdinfo/N; -1 otherwise */
	uint32_t idx;                  /* node number within the pid's files */
};

/* What an operation on a node works with, looked up again each time. */
struct proc_ctx {
	struct inode *inode;
	const struct proc_inode *pi;
	struct task *t;                /* the task pi->pid names, or NULL */
	struct task *caller;           /* task_current(); NULL: the Sentry */
};

extern const struct proc_node proc_root_node;
extern const struct proc_node proc_pid_node;
extern const struct proc_node proc_pid_entries[];
extern const struct proc_node proc_ns_entries[];
extern const struct proc_node proc_net_entries[];
extern const struct proc_node proc_fd_link_node;
extern const struct proc_node proc_fdinfo_node;

/* ------------------------------------------------------------------ */
/* procfs.c: inodes and directories                                    */

/* The task a pid entry is about, or NULL once it is gone. */
struct task *proc_task(const struct proc_inode *);
/* Fill ctx for inode i: -ESRCH when its task is gone. */
int proc_ctx_init(struct proc_ctx *, struct inode *i);
/* Linux's ptrace_may_access(PTRACE_MODE_*_FSCREDS) for /proc files (READ
 * and ATTACH differ only in LSM hooks, which the Sentry has none of). */
bool proc_may_access(const struct task *caller, const struct task *t);
/* Inode number of a pid's file: (pid, thread view, node, sub-entry). */
uint64_t proc_pid_ino(int pid, bool thread, uint32_t idx, uint32_t sub);
/* A new inode for node n with the instance `tmpl` (mode 0: n->mode). */
int proc_instantiate(struct superblock *, const struct proc_node *n,
		     const struct proc_inode *tmpl, uint64_t ino,
		     uint32_t mode, struct inode **out);
/* Parse a decimal entry name as Linux's name_to_int: -1 if not one. */
int proc_name_to_int(const char *name);
/* The root a task sees paths from (its fs root, else the sandbox's);
 * not referenced. */
struct path proc_caller_root(const struct task *t);

/* procfs_seq.c: open files of PROC_FILE nodes. */
int proc_seq_open(struct inode *, struct file *);

/* procfs_fd.c: fd/ and fdinfo/ directories. */
int proc_fd_lookup(struct inode *dir, const char *name, struct inode **out);
int proc_fd_getdents(struct file *, struct dir_ctx *);
/* Is descriptor fd still open in t? (revalidation of fd/N) */
bool proc_fd_present(struct task *t, int fd);

/* ------------------------------------------------------------------ */
/* Show functions                                                      */

/* procfs_sys.c: system-wide files */
/* Per-boot state (boot_id); called by procfs_new. */
void proc_sys_init(void);
int proc_show_text(struct proc_ctx *, struct pbuf *);
long proc_text_readlink(struct proc_ctx *, char *buf, size_t size);
int proc_show_cpuinfo(struct proc_ctx *, struct pbuf *);
int proc_show_meminfo(struct proc_ctx *, struct pbuf *);
int proc_show_stat(struct proc_ctx *, struct pbuf *);
int proc_show_uptime(struct proc_ctx *, struct pbuf *);
int proc_show_loadavg(struct proc_ctx *, struct pbuf *);
int proc_show_version(struct proc_ctx *, struct pbuf *);
int proc_show_filesystems(struct proc_ctx *, struct pbuf *);
long proc_self_readlink(struct proc_ctx *, char *buf, size_t size);
long proc_thread_self_readlink(struct proc_ctx *, char *buf, size_t size);

/* procfs_pid.c: per-task text */
int proc_show_pid_stat(struct proc_ctx *, struct pbuf *);
int proc_show_statm(struct proc_ctx *, struct pbuf *);
int proc_show_status(struct proc_ctx *, struct pbuf *);
int proc_show_limits(struct proc_ctx *, struct pbuf *);

/* procfs_mem.c: what lives in the address space */
int proc_show_cmdline(struct proc_ctx *, struct pbuf *);
int proc_show_environ(struct proc_ctx *, struct pbuf *);
int proc_show_auxv(struct proc_ctx *, struct pbuf *);
int proc_show_maps(struct proc_ctx *, struct pbuf *);
int proc_mem_open(struct proc_ctx *, struct file *);

/* procfs_mounts.c */
int proc_show_mounts(struct proc_ctx *, struct pbuf *);
int proc_show_mountinfo(struct proc_ctx *, struct pbuf *);

/* procfs_links.c: exe, cwd, root, ns/ */
long proc_exe_readlink(struct proc_ctx *, char *buf, size_t size);
int proc_exe_follow(struct proc_ctx *, struct task *by, struct path *out);
long proc_cwd_readlink(struct proc_ctx *, char *buf, size_t size);
int proc_cwd_follow(struct proc_ctx *, struct task *by, struct path *out);
long proc_root_readlink(struct proc_ctx *, char *buf, size_t size);
int proc_root_follow(struct proc_ctx *, struct task *by, struct path *out);
long proc_ns_readlink(struct proc_ctx *, char *buf, size_t size);
/* Copy text into a readlink buffer: the full length, cut at size. */
long proc_link_copy(const char *text, size_t len, char *buf, size_t size);

#endif
