/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol.h: the wire format between the Sentry (client) and the Gofer
 * (server), shared by gofer/ and sentry/fs/goferfs.
 *
 * Transport: one SOCK_SEQPACKET socketpair per served root. One message is
 * one request or one reply: a fixed header, then a fixed payload struct for
 * its type, then (for some types) variable data: NUL-terminated names, a
 * link target, directory records. A donated host fd travels as SCM_RIGHTS
 * with the reply that carries it (OPEN, CREATE) and with no other message.
 * Both ends are the same binary on the same host, so integers are in host
 * byte order and the structs below have a fixed layout with explicit
 * padding (checked by the static asserts at the end); every reserved or
 * padding field must be zero.
 *
 * Requests are strictly serialised: the client sends one request and waits
 * for its reply, whose tag is the request's tag. A reply with a non-zero
 * `error` carries no payload and no fd.
 *
 * Nodes: the Gofer names each file it has resolved for the client by a
 * node id (an O_PATH fd it holds). ATTACH yields the root's node; WALK
 * yields one node per component; CLOSE drops nodes. Ids are opaque to the
 * client; 0 is never a valid id.
 *
 * Message table (request payload -> reply payload):
 *
 *   ATTACH      attach_req               -> node_rep
 *   WALK        walk_req + names         -> walk_rep + walk_entry[nwalked]
 *   STAT        node_req                 -> stat_rep
 *   READLINK    node_req                 -> readlink_rep + target bytes
 *   OPEN        open_req                 -> stat_rep + 1 fd
 *   GETDENTS    getdents_req             -> getdents_rep + dirent records
 *   CLOSE       close_req + ids          -> (empty)
 *   CREATE      create_req + name        -> node_rep + 1 fd
 *   MKDIR       mkdir_req + name         -> node_rep
 *   MKNOD       mknod_req + name         -> node_rep
 *   SYMLINK     symlink_req + name, target -> node_rep
 *   LINK        link_req + name          -> node_rep
 *   UNLINK      unlink_req + name        -> (empty)
 *   RENAME      rename_req + old, new    -> (empty)
 *   SETATTR     setattr_req              -> stat_rep
 *   STATFS      node_req                 -> statfs_rep
 *   GETXATTR    getxattr_req + xname     -> xattr_rep + value
 *   SETXATTR    setxattr_req + xname, value -> (empty)
 *   LISTXATTR   listxattr_req            -> xattr_rep + names
 *   REMOVEXATTR node_req + xname         -> (empty)
 *   FSYNC       fsync_req                -> (empty)
 *
 * "+ name" is one NUL-terminated component (1..GOFER_NAME_MAX bytes, no
 * '/', not "." or ".."); "+ old, new" are two of them back to back;
 * "xname" is an xattr name (1..255 bytes and a NUL). A request must end
 * exactly where its data ends: no trailing bytes.
 */
#ifndef CVISOR_GOFER_PROTOCOL_H
#define CVISOR_GOFER_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define GOFER_PROTOCOL_VERSION 1

/* The largest message either side sends or accepts, header included. */
#define GOFER_MSG_MAX 65536
/* One path component, without its NUL (Linux NAME_MAX). */
#define GOFER_NAME_MAX 255
/* A symlink target or an xattr value, in bytes (Linux PATH_MAX, and
 * XATTR_SIZE_MAX would not fit one message). */
#define GOFER_PATH_MAX 4096
#define GOFER_XATTR_MAX 4096
/* Components in one WALK; a longer path takes several. */
#define GOFER_WALK_MAX 128
/* Node ids in one CLOSE. */
#define GOFER_CLOSE_MAX 1024

#define GOFER_NODE_NONE 0ULL

enum gofer_msg_type {
	GOFER_T_ATTACH = 1,
	GOFER_T_WALK,
	GOFER_T_STAT,
	GOFER_T_READLINK,
	GOFER_T_OPEN,
	GOFER_T_GETDENTS,
	GOFER_T_CLOSE,
	GOFER_T_CREATE,
	GOFER_T_MKDIR,
	GOFER_T_MKNOD,
	GOFER_T_SYMLINK,
	GOFER_T_LINK,
	GOFER_T_UNLINK,
	GOFER_T_RENAME,
	GOFER_T_SETATTR,
	GOFER_T_STATFS,
	GOFER_T_GETXATTR,
	GOFER_T_SETXATTR,
	GOFER_T_LISTXATTR,
	GOFER_T_REMOVEXATTR,
	GOFER_T_FSYNC,
	GOFER_T_NTYPES /* one past the last type */
};

/* A reply's type is its request's type with this bit set. */
#define GOFER_REPLY 0x8000

struct gofer_hdr {
	uint32_t size;  /* the whole message, this header included */
	uint16_t type;  /* enum gofer_msg_type, | GOFER_REPLY in replies */
	uint16_t flags; /* none defined: 0 */
	uint32_t tag;   /* chosen by the client, echoed by the reply */
	int32_t error;  /* replies: 0 or a positive errno; requests: 0 */
};

struct gofer_timespec {
	int64_t sec;
	int64_t nsec;
};

/* What the host's stat says, in fixed-width fields. */
struct gofer_stat {
	uint64_t dev;
	uint64_t ino;
	uint64_t nlink;
	uint32_t mode; /* S_IFMT type and permission bits */
	uint32_t uid;
	uint32_t gid;
	uint32_t pad;
	uint64_t rdev;
	int64_t size;
	int64_t blksize;
	int64_t blocks; /* 512-byte units */
	struct gofer_timespec atime, mtime, ctime;
};

/* Requests that name one node and nothing else (STAT, READLINK, STATFS;
 * REMOVEXATTR adds a name). */
struct gofer_node_req {
	uint64_t node;
};

/* Replies that give a new node (ATTACH, CREATE, MKDIR, MKNOD, SYMLINK,
 * LINK). */
struct gofer_node_rep {
	uint64_t node;
	struct gofer_stat stat;
};

struct gofer_stat_rep {
	struct gofer_stat stat;
};

struct gofer_attach_req {
	uint32_t version; /* GOFER_PROTOCOL_VERSION */
	uint32_t flags;   /* none defined: 0 */
};

/* Followed by nnames NUL-terminated components. */
struct gofer_walk_req {
	uint64_t node;   /* a directory to start from */
	uint32_t nnames; /* 1..GOFER_WALK_MAX */
	uint32_t pad;
};

/*
 * Like 9P's walk: components are resolved in order and the walk stops at
 * the first that fails (missing, not a directory to walk from, ...);
 * nwalked says how many succeeded, stop_error why the next did not (0 when
 * all did). Followed by nwalked walk_entry. A symlink is never followed:
 * its own node is returned, and walking on from it fails with ENOTDIR.
 */
struct gofer_walk_rep {
	uint32_t nwalked;
	int32_t stop_error;
};

struct gofer_walk_entry {
	uint64_t node;
	struct gofer_stat stat;
};

struct gofer_readlink_rep {
	uint32_t len; /* target bytes that follow, no NUL */
	uint32_t pad;
};

/* Open access. A read-only Gofer grants READ alone (EROFS for the rest,
 * TRUNC included, as open(2) on a read-only mount). */
#define GOFER_OPEN_READ 0x1
#define GOFER_OPEN_WRITE 0x2
#define GOFER_OPEN_TRUNC 0x4
#define GOFER_OPEN_APPEND 0x8
#define GOFER_OPEN_KNOWN 0xf

struct gofer_open_req {
	uint64_t node;
	uint32_t flags; /* GOFER_OPEN_* */
	uint32_t pad;
};

/*
 * GETDENTS lists a directory from `cookie` (0: the start; otherwise the
 * `next` of an entry returned before) in at most `count` bytes of records
 * (clamped to what fits one message). "." and ".." are never listed: the
 * Sentry makes them from its own dentry tree. No records: the end.
 */
struct gofer_getdents_req {
	uint64_t node;
	uint64_t cookie;
	uint32_t count;
	uint32_t pad;
};

struct gofer_getdents_rep {
	uint32_t nentries;
	uint32_t pad;
};

/* One directory record; records follow each other 8-byte aligned. */
struct gofer_dirent {
	uint64_t ino;
	uint64_t next;   /* the cookie that continues after this entry */
	uint16_t reclen; /* this record, name, NUL and padding included */
	uint8_t type;    /* DT_* */
	uint8_t namelen; /* 1..255, without the NUL */
	char name[];     /* namelen bytes, then a NUL */
};
#define GOFER_DIRENT_HDR offsetof(struct gofer_dirent, name)

/* Followed by n node ids. */
struct gofer_close_req {
	uint32_t n; /* 1..GOFER_CLOSE_MAX */
	uint32_t pad;
};

/*
 * ---- The write path: answered EROFS by a read-only Gofer. ----
 *
 * Modes arrive with the guest's umask applied (the Gofer applies none).
 * uid/gid: the owner the Sentry wants the new file to have; a Gofer that
 * may not chown (an unprivileged user's) leaves its own.
 */
struct gofer_create_req {
	uint64_t dir;
	uint32_t flags; /* GOFER_OPEN_* */
	uint32_t mode;  /* permission bits */
	uint32_t uid;
	uint32_t gid;
};

struct gofer_mkdir_req {
	uint64_t dir;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t pad;
};

/* Regular files, FIFOs and sockets; device types are refused (EPERM)
 * and rdev must be 0. */
struct gofer_mknod_req {
	uint64_t dir;
	uint64_t rdev;
	uint32_t mode; /* S_IFMT type and permission bits */
	uint32_t uid;
	uint32_t gid;
	uint32_t pad;
};

/* Followed by the name, then the target (NUL-terminated, at most
 * GOFER_PATH_MAX - 1 bytes). */
struct gofer_symlink_req {
	uint64_t dir;
	uint32_t uid;
	uint32_t gid;
};

struct gofer_link_req {
	uint64_t dir;
	uint64_t target; /* the node that gets the new name */
};

#define GOFER_UNLINK_DIR 0x1 /* rmdir */

struct gofer_unlink_req {
	uint64_t dir;
	uint32_t flags;
	uint32_t pad;
};

#define GOFER_RENAME_NOREPLACE 0x1
#define GOFER_RENAME_EXCHANGE 0x2

struct gofer_rename_req {
	uint64_t olddir;
	uint64_t newdir;
	uint32_t flags;
	uint32_t pad;
};

#define GOFER_SETATTR_MODE 0x01
#define GOFER_SETATTR_UID 0x02
#define GOFER_SETATTR_GID 0x04
#define GOFER_SETATTR_SIZE 0x08
#define GOFER_SETATTR_ATIME 0x10
#define GOFER_SETATTR_MTIME 0x20
#define GOFER_SETATTR_ATIME_NOW 0x40
#define GOFER_SETATTR_MTIME_NOW 0x80

struct gofer_setattr_req {
	uint64_t node;
	uint32_t mask; /* GOFER_SETATTR_*: which fields apply */
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint64_t size;
	struct gofer_timespec atime, mtime;
};

struct gofer_statfs_rep {
	uint64_t type;
	uint64_t bsize;
	uint64_t blocks;
	uint64_t bfree;
	uint64_t bavail;
	uint64_t files;
	uint64_t ffree;
	uint64_t namelen;
	uint64_t frsize;
	uint64_t flags;
};

/*
 * Extended attributes: only the "user." namespace is served (EOPNOTSUPP
 * for the others, which hold the host's security state), on regular
 * files and directories (EOPNOTSUPP for other nodes). A value or list
 * longer than GOFER_XATTR_MAX is E2BIG.
 */

/* Followed by the attribute name, NUL-terminated (at most 255 bytes). */
struct gofer_getxattr_req {
	uint64_t node;
	uint32_t size; /* the caller's buffer; 0 asks for the length */
	uint32_t pad;
};

/* Followed by the name, then `size` value bytes. */
struct gofer_setxattr_req {
	uint64_t node;
	uint32_t flags; /* XATTR_CREATE / XATTR_REPLACE */
	uint32_t size;
};

struct gofer_listxattr_req {
	uint64_t node;
	uint32_t size;
	uint32_t pad;
};

/* GETXATTR and LISTXATTR: the value or the NUL-separated names. */
struct gofer_xattr_rep {
	uint32_t len;
	uint32_t pad;
};

#define GOFER_FSYNC_DATA 0x1 /* fdatasync */
#define GOFER_FSYNC_FS 0x2   /* syncfs of the node's filesystem */

struct gofer_fsync_req {
	uint64_t node;
	uint32_t flags;
	uint32_t pad;
};

/* The layout is the wire format: a change here is a protocol change. */
_Static_assert(sizeof(struct gofer_hdr) == 16, "gofer_hdr");
_Static_assert(sizeof(struct gofer_stat) == 120, "gofer_stat");
_Static_assert(sizeof(struct gofer_walk_entry) == 128, "walk_entry");
_Static_assert(sizeof(struct gofer_node_rep) == 128, "node_rep");
_Static_assert(sizeof(struct gofer_walk_req) == 16, "walk_req");
_Static_assert(sizeof(struct gofer_getdents_req) == 24, "getdents_req");
_Static_assert(sizeof(struct gofer_create_req) == 24, "create_req");
_Static_assert(sizeof(struct gofer_mknod_req) == 32, "mknod_req");
_Static_assert(sizeof(struct gofer_setattr_req) == 64, "setattr_req");
_Static_assert(sizeof(struct gofer_statfs_rep) == 80, "statfs_rep");
_Static_assert(GOFER_DIRENT_HDR == 20, "gofer_dirent");

#endif
