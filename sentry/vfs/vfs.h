/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vfs.h: the Sentry's virtual filesystem (the contract every filesystem,
 * procfs, the loader and the file syscalls are written against).
 *
 * The shapes follow Linux:
 *
 *   superblock  one instance of a filesystem (a tmpfs, the Gofer root, a
 *               procfs): device number, inode numbers, instance ops.
 *   inode       one file object of a superblock: attributes cached in the
 *               struct (the truth for tmpfs, a cache of the Gofer's stat for
 *               goferfs), and inode_ops for the namespace operations.
 *   dentry      a name in a directory, pointing to an inode; a tree cached
 *               by the VFS (positive entries only). A dentry holds a
 *               reference on its parent and its inode. Unreferenced
 *               dentries stay cached on an LRU (bounded) unless their
 *               superblock says SB_NOCACHE or they were deleted.
 *   mount       a superblock's dentry grafted on a dentry of another mount;
 *               one mount tree per sandbox, rooted at kernel->root_mount.
 *   path        (mount, dentry): where a name resolved to.
 *   file        an open file description: refcounted, file_ops from the
 *               inode's open(), status flags, offset, the path it was
 *               opened by.
 *   fd_table    a process's descriptors (shared by CLONE_FILES, copied by
 *               fork), fs_context its root, cwd and umask (shared by
 *               CLONE_FS, copied by fork).
 *
 * Errors are -errno. Everything here runs under the kernel lock
 * (kernel.h); an fs may drop it only around host I/O that may block, and
 * must then hold references to whatever it touches afterwards.
 *
 * Guest values (modes, flags, dev numbers) use the guest ABI encodings of
 * sentry/abi/ (LINUX_S_IF*, LINUX_O_*, linux_makedev()).
 */
#ifndef CVISOR_VFS_H
#define CVISOR_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "sentry/abi/fcntl.h"
#include "sentry/abi/stat.h"

struct task;
struct creds;
struct waitq;
struct mappable;
struct superblock;
struct inode;
struct dentry;
struct mount;
struct file;
struct path;
struct pipe;
struct file_lock_ctx;
struct linux_flock;

/* ------------------------------------------------------------------ */
/* Attributes                                                          */

/* What stat/statx report (generic_fillattr fills it from the inode). */
struct kstat {
	uint32_t mask; /* LINUX_STATX_* fields that are valid */
	uint32_t mode; /* type and permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t ino;
	uint64_t dev;  /* linux_makedev() encoding */
	uint64_t rdev; /* linux_makedev() encoding */
	uint64_t size;
	uint32_t blksize;
	uint64_t blocks;     /* 512-byte units */
	uint64_t attributes; /* LINUX_STATX_ATTR_* */
	uint64_t mnt_id;
	struct timespec atime, mtime, ctime, btime;
};

/* setattr: what changes (chmod, chown, truncate, utimensat). */
#define ATTR_MODE 0x0001u
#define ATTR_UID 0x0002u
#define ATTR_GID 0x0004u
#define ATTR_SIZE 0x0008u
#define ATTR_ATIME 0x0010u
#define ATTR_MTIME 0x0020u
#define ATTR_CTIME 0x0040u
struct iattr {
	unsigned valid;
	uint32_t mode; /* permission bits only (type is kept) */
	uint32_t uid, gid;
	uint64_t size;
	struct timespec atime, mtime, ctime;
};

/* statfs(2) */
struct kstatfs {
	uint64_t type; /* magic: TMPFS_MAGIC, PROC_SUPER_MAGIC... */
	uint64_t bsize;
	uint64_t blocks, bfree, bavail;
	uint64_t files, ffree;
	uint64_t namelen;
	uint64_t frsize;
	uint64_t flags; /* ST_RDONLY... */
};

/* Permission masks of inode_ops.permission (the access(2) bits). */
#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4
#define MAY_APPEND 0x8	/* with MAY_WRITE: an O_APPEND open */
#define MAY_ACCESS 0x10 /* access(2): checks only, no side effects */
#define MAY_CHDIR 0x20	/* a search permission check for chdir */

/* ------------------------------------------------------------------ */
/* Superblocks                                                         */

struct superblock_ops {
	/* The inode's last reference went: free the fs's private part.
	 * The VFS frees the struct itself afterwards. May be NULL. */
	void (*evict)(struct inode *);
	/* statfs(2); NULL: generic figures with the superblock's magic. */
	int (*statfs)(struct superblock *, struct kstatfs *);
	/* Is a cached dentry still valid (procfs /proc/PID after the
	 * process died, a remote fs changed)? 1 valid, 0 drop and look up
	 * again, -errno. NULL: cache is always valid. */
	int (*revalidate)(struct dentry *);
	/* The last mount of the instance went away. May be NULL. */
	void (*release)(struct superblock *);
	/* syncfs(2), sync(2): have the instance's storage write back what
	 * it holds. NULL: nothing to write back (in-memory filesystems). */
	int (*sync_fs)(struct superblock *);
};

#define SB_RDONLY 0x1u	/* the instance itself is read-only */
#define SB_NOCACHE 0x2u /* drop dentries as soon as unreferenced */
#define SB_PSEUDO 0x4u	/* pipefs/anon: never in the mount tree */

struct superblock {
	unsigned refs; /* mounts and inodes of it */
	const struct superblock_ops *ops;
	const char *fstype; /* "tmpfs", "proc", "9p"... (static string) */
	uint64_t magic;	    /* statfs f_type */
	uint64_t dev;	    /* st_dev: linux_makedev(0, N) for virtual fss */
	unsigned flags;	    /* SB_* */
	uint64_t next_ino;  /* inode_new() numbering (starts at 1) */
	struct dentry *root;
	void *priv;
};

/* A new superblock with an anonymous device number (major 0). Its root
 * dentry is set with superblock_set_root(). One reference for the
 * caller. */
int superblock_new(const struct superblock_ops *, const char *fstype,
		   uint64_t magic, unsigned flags, struct superblock **out);
void superblock_get(struct superblock *);
void superblock_put(struct superblock *);
/* Make `root` (a directory inode; its reference is taken over) the
 * superblock's root dentry. */
int superblock_set_root(struct superblock *, struct inode *root);

/* ------------------------------------------------------------------ */
/* Inodes                                                              */

struct inode_ops {
	/* Find `name` (never "." or "..", at most NAME_MAX bytes) in the
	 * directory: 0 and a referenced inode, or -ENOENT (or other -errno).
	 * The VFS has checked search permission on dir. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	/* Make a new entry `name` (known not to exist) in dir; `mode` holds
	 * the type and the permission bits after umask; the owner comes from
	 * creds (vfs_inode_init_owner). Give back the new, referenced
	 * inode. A NULL op means the fs cannot do it (EPERM, or EROFS on a
	 * read-only instance). */
	int (*create)(struct inode *dir, const char *name, uint32_t mode,
		      const struct creds *, struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, uint32_t mode,
		     const struct creds *, struct inode **out);
	/* Character/block devices, FIFOs and sockets; rdev is
	 * linux_makedev() encoded. */
	int (*mknod)(struct inode *dir, const char *name, uint32_t mode,
		     uint64_t rdev, const struct creds *, struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, const char *target,
		       const struct creds *, struct inode **out);
	/* O_TMPFILE: a new regular inode of dir's fs with no name (nlink
	 * 0), `mode` as for create. NULL: -EOPNOTSUPP. */
	int (*tmpfile)(struct inode *dir, uint32_t mode, const struct creds *,
		       struct inode **out);
	/* A new name for an existing non-directory inode of this fs. */
	int (*link)(struct inode *dir, const char *name, struct inode *target);
	/* Remove a non-directory entry / an empty directory entry (the VFS
	 * checked the type; rmdir must check emptiness: -ENOTEMPTY). */
	int (*unlink)(struct inode *dir, const char *name,
		      struct inode *victim);
	int (*rmdir)(struct inode *dir, const char *name, struct inode *victim);
	/* Move odir/oname to ndir/nname within the fs. The VFS has resolved
	 * both, checked types (dir over dir, non-dir over non-dir), loops
	 * (a directory into its own subtree), RENAME_NOREPLACE, and that
	 * they differ; `target` is the inode replaced (NULL if none). The
	 * fs checks that a replaced directory is empty. With
	 * RENAME_EXCHANGE in flags, target (never NULL) moves to odir/oname
	 * instead (of any type); a fs that cannot swap returns -EINVAL. */
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir,
		      const char *nname, struct inode *victim,
		      struct inode *target, unsigned flags);
	/* A symlink's target: copy at most `size` bytes (no NUL) into buf,
	 * return the full length (may exceed size: then buf is cut). */
	long (*readlink)(struct inode *, char *buf, size_t size);
	/* Magic links (procfs fd/N, cwd, root, exe): resolve to a path
	 * directly, bypassing the text. NULL: the readlink text is walked. */
	int (*follow)(struct inode *, struct task *, struct path *out);
	/* Refresh attributes into kstat. NULL: generic_fillattr(). */
	int (*getattr)(struct inode *, struct kstat *);
	/* Change attributes; the VFS has checked permissions (owner,
	 * CAP_FOWNER...) and normalised iattr. NULL: the VFS updates the
	 * cached fields itself (fine for purely in-memory inodes with no
	 * size). ATTR_SIZE comes only for regular files. */
	int (*setattr)(struct inode *, const struct iattr *);
	/* Prepare an open file description: set f->ops and f->priv. NULL:
	 * f->ops = inode->fops. Called after the VFS's permission checks
	 * (and after O_TRUNC). */
	int (*open)(struct inode *, struct file *f);
	/* May-access check for MAY_* mask. NULL: vfs_generic_permission()
	 * on the cached mode/uid/gid. */
	int (*permission)(struct inode *, int mask, const struct creds *);
	/*
	 * Extended attributes (xattr.c), called after the VFS's namespace
	 * and permission checks with full names ("user.x"). getxattr: the
	 * value's length, the value copied into buf unless size is 0;
	 * -ERANGE when it does not fit, -ENODATA when absent. setxattr:
	 * LINUX_XATTR_CREATE (-EEXIST) / LINUX_XATTR_REPLACE (-ENODATA).
	 * listxattr: every name the inode has, NUL-terminated, as
	 * getxattr sizes values (the VFS hides trusted.* from the
	 * unprivileged). NULL getxattr/setxattr/removexattr: -EOPNOTSUPP;
	 * NULL listxattr: an empty list.
	 */
	long (*getxattr)(struct inode *, const char *name, void *buf,
			 size_t size);
	int (*setxattr)(struct inode *, const char *name, const void *value,
			size_t size, int flags);
	long (*listxattr)(struct inode *, char *buf, size_t size);
	int (*removexattr)(struct inode *, const char *name);
};

struct inode {
	unsigned refs;
	struct superblock *sb;
	const struct inode_ops *ops;
	const struct file_ops *fops; /* used when ops->open is NULL */
	uint64_t ino;

	/* Cached attributes (the truth for in-memory filesystems). */
	uint32_t mode; /* LINUX_S_IF* | permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t rdev; /* linux_makedev() encoding */
	uint64_t size;
	uint64_t blocks;  /* 512-byte units */
	uint32_t blksize; /* 0: 4096 */
	struct timespec atime, mtime, ctime, btime;

	unsigned iflags; /* INODE_* */
	/* Advisory locks (locks.c), made on first use. */
	struct file_lock_ctx *flctx;
	/* Write access against execution (ETXTBSY): open descriptions that
	 * may write, and programs running from the file. */
	unsigned writers;
	unsigned deny_write;

	/* For FIFOs: the pipe shared by every open of the inode. */
	struct pipe *fifo;
	void *priv; /* the fs's part */
};

/* inode.iflags: an O_TMPFILE inode (opened without O_EXCL) that linkat
 * may give a name although its link count is 0 (Linux's I_LINKABLE). */
#define INODE_LINKABLE 0x1u

/* A new inode of sb with one reference, ino from sb->next_ino when
 * ino == 0, times now, nlink 1, blksize 4096. */
struct inode *inode_new(struct superblock *, const struct inode_ops *,
			const struct file_ops *, uint32_t mode, uint64_t ino);
void inode_get(struct inode *);
void inode_put(struct inode *);
/* uid = fsuid; gid = fsgid or the directory's gid when it is setgid (and
 * a new directory inherits S_ISGID), as Linux's inode_init_owner. */
void vfs_inode_init_owner(struct inode *, const struct inode *dir,
			  const struct creds *);
/* The current wall-clock time for timestamps. */
void vfs_now(struct timespec *);
/* Fill kstat from the cached attributes. */
void generic_fillattr(const struct inode *, struct kstat *);
/* Unix permission check from mode/uid/gid and creds (fsuid, fsgid,
 * groups, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH). */
int vfs_generic_permission(const struct inode *, int mask,
			   const struct creds *);
/* The inode's permission op (or the generic one), plus EROFS for writes
 * to regular files, directories and symlinks on a read-only mount when
 * `mnt` is given. */
int vfs_permission(const struct mount *mnt, struct inode *, int mask,
		   const struct creds *);
/* Apply iattr to the cached attributes (what a setattr op of an in-memory
 * fs does after its own work, and what the VFS does with no op). */
void vfs_setattr_copy(struct inode *, const struct iattr *);
/* -EROFS when the mount or its superblock is read-only (writes to the
 * namespace or to data), else 0. */
int vfs_mnt_want_write(const struct mount *);
/* Attributes, through getattr when the fs has one. */
int vfs_getattr(const struct path *, struct kstat *);

/* ------------------------------------------------------------------ */
/* Dentries, mounts, paths                                             */

#define DENTRY_DELETED 0x1u /* unlinked: "(deleted)" in its path */
#define DENTRY_ROOT 0x2u    /* a superblock root (parent == self) */
#define DENTRY_PSEUDO 0x4u  /* name is the whole path: "pipe:[12]" */

struct dentry {
	unsigned refs;
	unsigned flags;	  /* DENTRY_* */
	unsigned mounted; /* mounts on this dentry */
	char *name;
	struct dentry *parent; /* self for a superblock root */
	struct inode *inode;   /* never NULL: no negative caching */
	struct superblock *sb;
	LIST_ENTRY(dentry) hash_link; /* in the (parent, name) hash */
	TAILQ_ENTRY(dentry) lru_link; /* unused and cached */
	unsigned nchildren;	      /* cached children (they pin us) */
};

void dget(struct dentry *);
void dput(struct dentry *);

#define MNT_RDONLY 0x1u
#define MNT_NOSUID 0x2u
#define MNT_NODEV 0x4u
#define MNT_NOEXEC 0x8u
#define MNT_NOATIME 0x400u
#define MNT_INTERNAL 0x10000u /* pseudo mount of pipes and anon files */
#define MNT_EXPIRED 0x20000u  /* marked by a first umount2(MNT_EXPIRE) */

struct mount {
	unsigned refs;
	int id;			   /* mountinfo's mount ID */
	unsigned flags;		   /* MNT_* */
	struct mount *parent;	   /* NULL for the root mount */
	struct dentry *mountpoint; /* in parent */
	struct dentry *root;
	struct superblock *sb;
	char *source;		      /* "tmpfs", "none", a host path */
	LIST_ENTRY(mount) child_link; /* in parent's children */
	LIST_HEAD(, mount) children;
	TAILQ_ENTRY(mount) all_link; /* the mount table, in mount order */
};

void mnt_get(struct mount *);
void mnt_put(struct mount *);

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

void path_get(const struct path *);
void path_put(struct path *); /* and clears it; safe on a zero path */
bool path_equal(const struct path *, const struct path *);

/* ------------------------------------------------------------------ */
/* Guest I/O descriptions                                              */

/*
 * What a read or write moves data to or from: a list of segments in the
 * guest memory of `t` (guest addresses) or, when `sentry` is set, in the
 * Sentry's own memory (pointers). Files in the Sentry copy with
 * vfs_uio_copy_to/from; files backed by host fds get host iovecs with
 * vfs_uio_host_iovecs() (for guest segments, the Sentry's view of the guest
 * pages in the memory file: preadv lands in guest memory directly) and
 * then vfs_uio_advance(). `t` is also who blocks; NULL: may not block.
 */
struct vfs_uio {
	struct task *t;
	bool sentry; /* segments are Sentry pointers */
	const struct linux_iovec *iov;
	int iovcnt;
	int idx;	/* current segment */
	uint64_t skip;	/* bytes already used of it */
	uint64_t resid; /* bytes left in all segments */
};

/* One Sentry buffer (the loader's reads, procfs text). */
void vfs_uio_init_sentry(struct vfs_uio *, struct linux_iovec *seg, void *buf,
			 size_t len);
/* Guest segments already copied in and checked (see vfs_import_iovec). */
void vfs_uio_init_guest(struct vfs_uio *, struct task *,
			const struct linux_iovec *iov, int iovcnt,
			uint64_t total);
/* Copy file data into the described buffers (a read) / out of them (a
 * write); advance. Returns bytes moved (short at the first fault), or
 * -EFAULT when not even one byte could be moved. */
long vfs_uio_copy_to(struct vfs_uio *, const void *src, size_t n);
long vfs_uio_copy_from(struct vfs_uio *, void *dst, size_t n);
/* Host-addressable vectors for the next (at most `max_bytes`) bytes:
 * `into` when the I/O writes into the buffers (a read). Does not advance.
 * Returns bytes covered (short at a fault), -EFAULT if none. */
long vfs_uio_host_iovecs(struct vfs_uio *, bool into, struct iovec *iov,
			 int maxiov, int *niov, size_t max_bytes);
void vfs_uio_advance(struct vfs_uio *, size_t n);

/* ------------------------------------------------------------------ */
/* Open file descriptions                                              */

/* Emitter of getdents: the fs calls emit() for each entry from ctx->pos
 * on. `next` is the offset that resumes after this entry; emit returns
 * false when the entry did not fit (the fs stops and leaves ctx->pos
 * at this entry); on true the fs sets ctx->pos = next. */
struct dir_ctx {
	bool (*emit)(struct dir_ctx *, const char *name, size_t namelen,
		     uint64_t ino, unsigned dtype, int64_t next);
	int64_t pos;
};

struct file_ops {
	/* Read into / write from uio at *pos (the file offset, or pread's
	 * position), updating *pos. Bytes moved or -errno (-EAGAIN when
	 * O_NONBLOCK and nothing is ready; -ERESTARTSYS when a signal
	 * interrupted before any byte moved). Writes handle O_APPEND
	 * themselves (under the kernel lock, atomically with the size). */
	ssize_t (*read)(struct file *, struct vfs_uio *, int64_t *pos);
	ssize_t (*write)(struct file *, struct vfs_uio *, int64_t *pos);
	/* New offset or -errno. NULL: -ESPIPE. vfs_generic_llseek serves
	 * files with a size. */
	int64_t (*llseek)(struct file *, int64_t off, int whence);
	/* Directory entries from ctx->pos (including "." and "..": see
	 * vfs_dir_emit_dots). NULL: -ENOTDIR. */
	int (*getdents)(struct file *, struct dir_ctx *);
	/* The file's own ioctls (the VFS handled FIONBIO, FIOCLEX,
	 * FIONCLEX, FIOASYNC before). NULL or unknown: -ENOTTY. */
	long (*ioctl)(struct file *, struct task *, uint32_t cmd, uint64_t arg);
	/* Ready events (LINUX_POLL*) now; if wq is not NULL, also the queue
	 * notified when they change (NULL if they never change). NULL op:
	 * always readable and writable. */
	uint32_t (*poll)(struct file *, struct waitq **wq);
	/* The object to map, referenced. NULL op: -ENODEV. */
	int (*mmap)(struct file *, struct mappable **out);
	/* NULL: success (nothing to write back). */
	int (*fsync)(struct file *, bool datasync);
	/* fallocate(2) on a regular file after vfs_fallocate's checks
	 * (mode LINUX_FALLOC_FL_*, off + len within the largest size and
	 * RLIMIT_FSIZE): -EOPNOTSUPP for modes the fs lacks. NULL: none. */
	int (*fallocate)(struct file *, int mode, uint64_t off, uint64_t len);
	/* fcntl commands of one kind of file (F_GETPIPE_SZ/F_SETPIPE_SZ).
	 * NULL or unknown: -EINVAL. */
	long (*fcntl)(struct file *, struct task *, int cmd, uint64_t arg);
	/* The description's last reference went. */
	void (*release)(struct file *);
};

/* f_mode bits (what the description may do). */
#define FMODE_READ 0x1u
#define FMODE_WRITE 0x2u
#define FMODE_LSEEK 0x4u
#define FMODE_PREAD 0x8u /* pread/pwrite allowed (not a pipe) */
#define FMODE_PATH 0x10u /* O_PATH: fstat, fchdir, *at, close only */
#define FMODE_EXEC 0x20u

struct file {
	unsigned refs;
	const struct file_ops *ops;
	struct path path;    /* what it was opened by */
	struct inode *inode; /* path.dentry->inode, referenced */
	uint32_t flags;	     /* LINUX_O_*: access mode and status
				flags (O_CREAT, O_EXCL, O_NOCTTY,
				O_TRUNC, O_CLOEXEC cleared) */
	uint32_t fmode;	     /* FMODE_* */
	int64_t pos;
	void *priv; /* the fs's part */
	bool counts_as_writer; /* holds one of inode->writers */
	struct file_async *async; /* F_SETOWN/O_ASYNC state (fasync.h) */
};

/* A new description of `path` (referenced by the description) with the
 * inode's open op applied: used by vfs_open and by filesystems. */
int file_new(const struct path *, uint32_t flags, struct file **out);
/* A description not in the mount tree (pipes, eventfd, host fds):
 * `name` is what /proc/PID/fd shows ("pipe:[%ino]" when NULL for a FIFO
 * inode, "anon_inode:[...]"); the inode reference is taken over. */
int file_new_pseudo(struct inode *, const char *name, const struct file_ops *,
		    uint32_t flags, void *priv, struct file **out);
void file_get(struct file *);
void file_put(struct file *);

/* A program runs from the inode: opening it for writing gives ETXTBSY
 * until allowed again (-ETXTBSY now if it is open for writing). */
int vfs_deny_write_access(struct inode *);
void vfs_allow_write_access(struct inode *);

/* The superblock of pseudo files, for their inodes (pipefs/anon). */
struct superblock *vfs_pseudo_sb(void);

/* Read a file at `off` into a Sentry buffer (the ELF loader). Bytes
 * read (short at EOF) or -errno. */
ssize_t vfs_file_pread(struct file *, void *buf, size_t len, uint64_t off);
/* The same for whole guest-described I/O: checks FMODE_READ/WRITE and
 * the file type; *pos is the file position or NULL for f->pos. */
ssize_t vfs_read(struct file *, struct vfs_uio *, int64_t *pos);
ssize_t vfs_write(struct file *, struct vfs_uio *, int64_t *pos);
/* llseek for files whose offsets are positions of their own making
 * (directory cookies, procfs text, addresses): SEEK_SET and SEEK_CUR to
 * any non-negative offset, nothing else. */
int64_t vfs_offset_llseek(struct file *, int64_t off, int whence);
/* llseek for files whose size is inode->size. */
int64_t vfs_generic_llseek(struct file *, int64_t off, int whence);
/* llseek that moves nothing and returns the offset (Linux's noop_llseek:
 * eventfd, epoll, inotify... accept lseek but have no position). */
int64_t vfs_noop_llseek(struct file *, int64_t off, int whence);
/* Emit "." (pos 0) and ".." (pos 1) of a directory file; false if the
 * buffer is full. Filesystems number their own entries from 2. */
bool vfs_dir_emit_dots(struct file *, struct dir_ctx *);
/* getdents with the file's offset updated. */
int vfs_getdents(struct file *, struct dir_ctx *);

/* ------------------------------------------------------------------ */
/* Advisory locks                                                      */

/* fcntl's F_GETLK, F_SETLK, F_SETLKW and F_OFD_GETLK/SETLK/SETLKW on an
 * open description with Linux's checks (EINVAL, EOVERFLOW, EBADF for a
 * type the access mode does not allow, EAGAIN, EDEADLK, ENOLCK); F_GETLK
 * rewrites *l. POSIX locks are owned by t's descriptor table, OFD locks by
 * the description. */
long vfs_fcntl_lock(struct task *, struct file *, int cmd,
		    struct linux_flock *l);
/* flock(2): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB; f NULL gives
 * -EBADF once the operation is known valid (Linux's order). */
int vfs_flock(struct task *, struct file *f, unsigned op);
/* A descriptor of f in table `owner` is closed: the owner's POSIX locks
 * on the inode go (all of them, as POSIX says). */
void vfs_locks_remove_posix(struct file *f, const void *owner);
/* The description's last reference went: its OFD and flock locks go. */
void vfs_locks_remove_file(struct file *);
/* The inode is freed: so is its lock context. */
void vfs_locks_free(struct inode *);

/* ------------------------------------------------------------------ */
/* Path resolution                                                     */

#define LOOKUP_FOLLOW 0x1     /* follow a final symlink */
#define LOOKUP_DIRECTORY 0x2  /* the result must be a directory */
#define LOOKUP_EMPTY_PATH 0x4 /* "" means dirfd itself (AT_EMPTY_PATH) */
#define LOOKUP_PARENT 0x8     /* internal: stop before the last name */
#define LOOKUP_NO_MAGIC 0x10  /* no procfs magic-link jumps */
/* openat2's RESOLVE_* restrictions (namei.c says what each refuses). */
#define LOOKUP_NO_XDEV 0x20	  /* no mount crossed: EXDEV */
#define LOOKUP_NO_MAGICLINKS 0x40 /* no magic link followed: ELOOP */
#define LOOKUP_NO_SYMLINKS 0x80	  /* no symlink followed: ELOOP */
#define LOOKUP_BENEATH 0x100	  /* never above the start: EXDEV */
#define LOOKUP_IN_ROOT 0x200	  /* the start is "/" */
#define LOOKUP_SCOPED (LOOKUP_BENEATH | LOOKUP_IN_ROOT)

/*
 * Resolve `path` as Linux does from dirfd (LINUX_AT_FDCWD: the cwd;
 * ignored when the path is absolute) in t's fs_context, with t's creds
 * for search permission: "." and ".." (never above the task's root, across
 * mounts both ways), symlinks (40 in all, ELOOP), trailing slashes
 * (must be a directory), ENAMETOOLONG (PATH_MAX 4096, NAME_MAX 255),
 * EACCES, ENOENT, ENOTDIR. A referenced path in *out.
 */
int vfs_lookup(struct task *t, int dirfd, const char *path, int flags,
	       struct path *out);

/* The last name of a path for create/unlink/rename-like calls. */
enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };
struct lookup_last {
	char name[LINUX_NAME_MAX + 1];
	enum last_type type;
	bool trailing_slash; /* "a/" */
};
/* Resolve all but the last name (which is not followed nor looked up):
 * the parent directory in *parent (referenced) and the last name. */
int vfs_lookup_parent(struct task *t, int dirfd, const char *path, int flags,
		      struct path *parent, struct lookup_last *last);
/* Look up one name in a directory path (after vfs_lookup_parent): 0 and a
 * referenced child, -ENOENT, ... Crosses a mount on the child. */
int vfs_lookup_child(struct task *t, const struct path *dir, const char *name,
		     struct path *out);

/* open/openat/creat: flags LINUX_O_*, mode after the caller's umask is
 * applied here from t->fs. A referenced description in *out. */
int vfs_open(struct task *, int dirfd, const char *path, uint32_t flags,
	     uint32_t mode, struct file **out);
/* The same with LOOKUP_NO_XDEV... restrictions on the walk (openat2). */
int vfs_open_resolve(struct task *, int dirfd, const char *path,
		     uint32_t flags, uint32_t mode, int lookup_flags,
		     struct file **out);
/* Open an already resolved path (execve, /proc/PID/fd/N reopen). */
int vfs_open_path(struct task *, const struct path *, uint32_t flags,
		  struct file **out);

/* Namespace operations of the syscalls (creds and umask from t). */
int vfs_mkdir(struct task *, int dirfd, const char *path, uint32_t mode);
int vfs_mknod(struct task *, int dirfd, const char *path, uint32_t mode,
	      uint64_t rdev);
/* The same, giving the new node's path (referenced): a socket bind
 * (S_IFSOCK) keeps it. */
int vfs_mknod_path(struct task *, int dirfd, const char *path, uint32_t mode,
		   uint64_t rdev, struct path *out);
int vfs_symlink(struct task *, const char *target, int dirfd, const char *path);
int vfs_link(struct task *, int olddirfd, const char *oldpath, int newdirfd,
	     const char *newpath, int flags /* LOOKUP_FOLLOW|EMPTY_PATH */);
int vfs_unlink(struct task *, int dirfd, const char *path);
int vfs_rmdir(struct task *, int dirfd, const char *path);
int vfs_rename(struct task *, int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, unsigned flags);
/* A symlink's text: the length copied (no NUL), -EINVAL if no symlink. */
long vfs_readlink(const struct path *, char *buf, size_t size);
/* chmod/chown/truncate/utimes on a resolved path (permission checks as
 * Linux's notify_change + callers). */
int vfs_chmod(struct task *, const struct path *, uint32_t mode);
int vfs_chown(struct task *, const struct path *, uint32_t uid, uint32_t gid);
int vfs_truncate(struct task *, const struct path *, uint64_t size);
/* ftruncate after the fd checks (a regular file open for writing). */
int vfs_ftruncate(struct task *, struct file *, uint64_t size);
/* fallocate(2) with Linux's checks in its order (vfs_fallocate). */
int vfs_fallocate(struct task *, struct file *, int mode, int64_t off,
		  int64_t len);
int vfs_setattr(struct task *, const struct path *, struct iattr *);
/* The xattr calls on a resolved path with Linux's rules (xattr.c):
 * namespaces (user.* on regular files and directories only, trusted.*
 * for CAP_SYS_ADMIN, security.* written with CAP_SYS_ADMIN, system.*
 * unsupported), permissions, EROFS; results as the syscalls give them
 * (sizes as the fs ops above, -E2BIG past the largest buffer). */
long vfs_getxattr(struct task *, const struct path *, const char *name,
		  void *buf, size_t size);
int vfs_setxattr(struct task *, const struct path *, const char *name,
		 const void *value, size_t size, int flags);
long vfs_listxattr(struct task *, const struct path *, char *buf,
		   size_t size);
int vfs_removexattr(struct task *, const struct path *, const char *name);

/*
 * The path of p as seen from `root` (a task's root): "/a/b", with
 * " (deleted)" appended to an unlinked file, the pseudo name of pipes and
 * anon files, and a path relative to the sandbox root when p is not
 * under root. Returns the length (without NUL) or -ENAMETOOLONG.
 */
long vfs_path_string(const struct path *root, const struct path *p, char *buf,
		     size_t size);
/* Is p at or below root (getcwd's "(unreachable)" test)? */
bool vfs_path_under(const struct path *root, const struct path *p);
/* Same with t's root and the file's path (/proc/PID/fd/N). */
long vfs_file_path_string(struct task *, const struct file *, char *buf,
			  size_t size);

/* ------------------------------------------------------------------ */
/* Mounts and filesystems                                              */

/* A filesystem type the mount(2) syscall and the lead's setup can name. */
struct fs_type {
	const char *name; /* "tmpfs", "proc", "sysfs"... */
	/* A new instance from mount(2)'s source, flags and data string. */
	int (*mount)(const char *source, unsigned long flags, const char *data,
		     struct superblock **out);
	LIST_ENTRY(fs_type) link;
};
void vfs_register_fs(struct fs_type *);
const struct fs_type *vfs_find_fs(const char *name);

/* Set up the VFS (pseudo superblock, device nodes); kernel lock held. */
int vfs_init(void);
/* Make sb the sandbox's root mount (kernel->root_mount). */
int vfs_mount_root(struct superblock *, unsigned mnt_flags, const char *source);
/* Graft sb on the directory `mountpoint` (a resolved path), or on a
 * non-directory when sb's root is one (-ENOTDIR for a mix): a new mount
 * with one reference held by the mount tree. */
int vfs_mount(struct superblock *, const struct path *mountpoint,
	      unsigned mnt_flags, const char *source, struct mount **out);
/* The same at an absolute path from the sandbox root (no task: setup). */
int vfs_mount_at(const char *abspath, struct superblock *, unsigned mnt_flags,
		 const char *source);
/* Detach a mount with nothing mounted below it (-EBUSY otherwise). */
int vfs_umount(struct mount *);
/* Detach m and every mount below it (MNT_DETACH): each lives on while
 * something still uses it. The sandbox root is left in place. */
void vfs_umount_tree(struct mount *m);
/* Whether m is in use beyond the mount tree and one caller's path (open
 * files, working directories, mounts below it): umount's EBUSY. */
bool vfs_mount_busy(const struct mount *m);
/* A bind mount of src (its mount's flags and source) on mp, which must be
 * of the same kind (directory or not: -ENOTDIR); with `recursive`
 * (MS_REC) the mounts below src are copied too. */
int vfs_bind_mount(const struct path *src, const struct path *mp,
		   bool recursive);
/* MS_MOVE: the mount whose root `from` is goes onto `to` (-EINVAL if
 * from is no mount's root or the sandbox root, -ELOOP into itself). */
int vfs_move_mount(const struct path *from, const struct path *to);
/*
 * pivot_root: `new` (a mount's root, below `root`) takes the place of
 * `root` (the caller's root, a mount's root), which moves onto `old`
 * (at or below new). -EBUSY when new or old is on root's mount, -EINVAL
 * for the rest of Linux's checks. The caller moves the tasks' roots and
 * working directories that were at root.
 */
int vfs_pivot_root(const struct path *root, const struct path *new,
		   const struct path *old);
/* The mount table in mount order (/proc/PID/mounts): the first mount
 * after `prev` (NULL: the first), or NULL at the end. */
struct mount *vfs_mount_next(struct mount *prev);
/* The mount mounted on (mnt, dentry), or NULL. */
struct mount *vfs_mount_lookup(const struct mount *, const struct dentry *);

/* Character devices: open a device-number inode (devfs, mknod on a
 * tmpfs) through this table. */
struct chrdev {
	uint32_t major, minor;
	const char *name;
	/* Set f->ops/priv, like inode_ops.open. */
	int (*open)(struct inode *, struct file *);
};
int vfs_register_chrdev(const struct chrdev *);
const struct chrdev *vfs_find_chrdev(uint64_t rdev);

/* ------------------------------------------------------------------ */
/* File descriptor tables                                              */

#define FD_CLOEXEC_FLAG 0x1u /* = LINUX_FD_CLOEXEC */

struct fd_entry {
	struct file *file; /* NULL: free */
	unsigned flags;	   /* FD_CLOEXEC_FLAG */
};

struct fd_table {
	unsigned refs; /* tasks sharing it (CLONE_FILES) */
	struct fd_entry *fds;
	int size; /* slots allocated */
	int next; /* no free slot below it */
};

int fd_table_new(struct fd_table **out);
void fd_table_get(struct fd_table *);
void fd_table_put(struct fd_table *);
/* A copy for fork / unshare(CLONE_FILES): every file referenced again. */
int fd_table_copy(struct fd_table *, struct fd_table **out);
/* Close every FD_CLOEXEC descriptor of t's table (execve, after
 * unsharing it: the caller makes it private first). */
void fd_table_exec(struct task *t);

/* Table-level operations with the RLIMIT_NOFILE value given. */
int fdt_alloc(struct fd_table *, int minfd, uint64_t limit, struct file *,
	      unsigned fdflags);
int fdt_replace(struct fd_table *, int fd, uint64_t limit, struct file *,
		unsigned fdflags);
struct file *fdt_get(struct fd_table *, int fd, unsigned *fdflags);
int fdt_close(struct fd_table *, int fd);
/* The first open descriptor >= fd, or -1 (/proc/PID/fd listing). */
int fdt_next(struct fd_table *, int fd);

/* t's limit from t->tg->rlimits[RLIMIT_NOFILE]. */
uint64_t fd_limit(struct task *);
/* The lowest free descriptor (>= minfd); takes its own reference to f.
 * -EMFILE at the limit, -EINVAL if minfd is at or past it. */
int fd_install(struct task *, struct file *, unsigned fdflags);
int fd_install_from(struct task *, int minfd, struct file *, unsigned fdflags);
/* -EMFILE when no descriptor below the limit is free (open(2) fails so
 * before it looks at the path, as Linux allocates the fd first). */
int fd_check_free(struct task *);
/* Put f at fd (dup2/dup3), closing what was there; -EBADF past the
 * limit. */
int fd_replace(struct task *, int fd, struct file *, unsigned fdflags);
/* The file at fd with a reference (file_put it), or NULL (EBADF). */
struct file *fd_get(struct task *, int fd);
/* Same, but NULL also for O_PATH descriptions (EBADF for read, write,
 * ioctl, fchmod... on them). */
struct file *fd_get_nopath(struct task *, int fd);
int fd_close(struct task *, int fd);
int fd_get_flags(struct task *, int fd); /* or -EBADF */
int fd_set_flags(struct task *, int fd, unsigned fdflags);

/* ------------------------------------------------------------------ */
/* Filesystem context (root, cwd, umask)                               */

struct fs_context {
	unsigned refs; /* tasks sharing it (CLONE_FS) */
	struct path root;
	struct path cwd;
	uint32_t umask;
};

/* root and cwd at `root`, umask 022. */
int fs_context_new(const struct path *root, struct fs_context **out);
void fs_context_get(struct fs_context *);
void fs_context_put(struct fs_context *);
int fs_context_copy(struct fs_context *, struct fs_context **out);
/* chdir/fchdir/chroot: replace cwd or root (references taken). */
void fs_context_set_cwd(struct fs_context *, const struct path *);
void fs_context_set_root(struct fs_context *, const struct path *);

/* Guest iovec import for readv/writev/preadv...: at most IOV_MAX
 * segments, EINVAL on a negative or overflowing total (clamped to
 * MAX_RW_COUNT like Linux), EFAULT on an unreadable array. *out is `fast`
 * when iovcnt <= nfast, else malloc'd (free it when != fast). */
long vfs_import_iovec(struct task *, uint64_t addr, uint64_t iovcnt,
		      struct linux_iovec *fast, int nfast,
		      struct linux_iovec **out);

#endif
