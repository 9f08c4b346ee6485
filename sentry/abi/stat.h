/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/stat.h: file types, permission bits, struct stat and struct statx as
 * the x86-64 guest sees them.
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_STAT_H
#define CVISOR_ABI_STAT_H

#include <stdint.h>

/* st_mode: type field and permission bits. */
#define LINUX_S_IFMT 0170000u
#define LINUX_S_IFSOCK 0140000u
#define LINUX_S_IFLNK 0120000u
#define LINUX_S_IFREG 0100000u
#define LINUX_S_IFBLK 0060000u
#define LINUX_S_IFDIR 0040000u
#define LINUX_S_IFCHR 0020000u
#define LINUX_S_IFIFO 0010000u
#define LINUX_S_ISUID 04000u
#define LINUX_S_ISGID 02000u
#define LINUX_S_ISVTX 01000u
#define LINUX_S_IRWXU 00700u
#define LINUX_S_IRWXG 00070u
#define LINUX_S_IRWXO 00007u
#define LINUX_S_IXGRP 00010u

#define LINUX_S_ISREG(m) (((m)&LINUX_S_IFMT) == LINUX_S_IFREG)
#define LINUX_S_ISDIR(m) (((m)&LINUX_S_IFMT) == LINUX_S_IFDIR)
#define LINUX_S_ISLNK(m) (((m)&LINUX_S_IFMT) == LINUX_S_IFLNK)
#define LINUX_S_ISCHR(m) (((m)&LINUX_S_IFMT) == LINUX_S_IFCHR)
#define LINUX_S_ISBLK(m) (((m)&LINUX_S_IFMT) == LINUX_S_IFBLK)
#define LINUX_S_ISFIFO(m) (((m)&LINUX_S_IFMT) == LINUX_S_IFIFO)
#define LINUX_S_ISSOCK(m) (((m)&LINUX_S_IFMT) == LINUX_S_IFSOCK)

/* dev_t as the guest sees it (glibc's gnu_dev_makedev encoding). */
static inline uint64_t linux_makedev(uint32_t major, uint32_t minor)
{
	return ((uint64_t)(major & 0xfffff000u) << 32) |
	       ((uint64_t)(major & 0xfffu) << 8) |
	       ((uint64_t)(minor & 0xffffff00u) << 12) |
	       (uint64_t)(minor & 0xffu);
}

static inline uint32_t linux_major(uint64_t dev)
{
	return (uint32_t)(((dev >> 32) & 0xfffff000u) | ((dev >> 8) & 0xfffu));
}

static inline uint32_t linux_minor(uint64_t dev)
{
	return (uint32_t)(((dev >> 12) & 0xffffff00u) | (dev & 0xffu));
}

/* The 16-bit-major/20-bit-minor encoding of mknod's dev argument and of
 * the kernel's internal dev_t (new_encode_dev / new_decode_dev). */
static inline uint32_t linux_new_major(uint32_t dev)
{
	return (dev & 0xfff00u) >> 8;
}

static inline uint32_t linux_new_minor(uint32_t dev)
{
	return (dev & 0xffu) | ((dev >> 12) & 0xfff00u);
}

/* struct stat of stat/fstat/lstat/newfstatat on x86-64: 144 bytes. */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0_;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	uint64_t st_atime_sec;
	uint64_t st_atime_nsec;
	uint64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t unused_[3];
};

/* statx(2). */
struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved_;
};

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0_;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime;
	struct linux_statx_timestamp stx_btime;
	struct linux_statx_timestamp stx_ctime;
	struct linux_statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t spare3_[12];
};

/* stx_mask bits beyond the generated statx_mask set (gen/linux_flags.h
 * has LINUX_STATX_TYPE...LINUX_STATX_MNT_ID). */
#define LINUX_STATX_BASIC_STATS 0x07ffu
#define LINUX_STATX__RESERVED 0x80000000u

#define LINUX_STATX_ATTR_IMMUTABLE 0x10u
#define LINUX_STATX_ATTR_APPEND 0x20u
#define LINUX_STATX_ATTR_MOUNT_ROOT 0x2000u

/* struct statfs of statfs/fstatfs on x86-64: 120 bytes. */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};

/* f_flags */
#define LINUX_ST_RDONLY 0x0001
#define LINUX_ST_NOSUID 0x0002
#define LINUX_ST_NODEV 0x0004
#define LINUX_ST_NOEXEC 0x0008
#define LINUX_ST_VALID 0x0020
#define LINUX_ST_NOATIME 0x0400
#define LINUX_ST_RELATIME 0x1000

#endif
