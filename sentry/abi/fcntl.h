/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/fcntl.h: the file ABI values the spec does not generate (composite
 * flags, AT_FDCWD, limits) and struct iovec, as the x86-64 guest sees
 * them. The flag values of spec/types.yaml (LINUX_O_*, LINUX_AT_*,
 * LINUX_F_*, LINUX_SEEK_*, LINUX_RENAME_*...) come from the generated
 * gen/linux_flags.h.
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_FCNTL_H
#define CVISOR_ABI_FCNTL_H

#include <stdint.h>

#define LINUX_O_ACCMODE 0x3u
#define LINUX_O_SYNC 0x101000u	  /* __O_SYNC | O_DSYNC */
#define LINUX_O_TMPFILE 0x410000u /* __O_TMPFILE | O_DIRECTORY */

#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_STATX_SYNC_TYPE 0x6000u
#define LINUX_FD_CLOEXEC 1
#define LINUX_F_OK 0

/* Limits the VFS enforces as Linux does. */
#define LINUX_PATH_MAX 4096
#define LINUX_NAME_MAX 255
#define LINUX_PIPE_BUF 4096
#define LINUX_IOV_MAX 1024
#define LINUX_MAX_RW_COUNT 0x7ffff000ULL /* INT_MAX & PAGE_MASK */
#define LINUX_MAX_LFS_FILESIZE 0x7fffffffffffffffLL

/* File seals (F_ADD_SEALS, F_GET_SEALS). */
#define LINUX_F_SEAL_SEAL 0x0001u
#define LINUX_F_SEAL_SHRINK 0x0002u
#define LINUX_F_SEAL_GROW 0x0004u
#define LINUX_F_SEAL_WRITE 0x0008u
#define LINUX_F_SEAL_FUTURE_WRITE 0x0010u
#define LINUX_F_SEAL_EXEC 0x0020u

/* Record lock types (struct flock's l_type). */
#define LINUX_F_RDLCK 0
#define LINUX_F_WRLCK 1
#define LINUX_F_UNLCK 2

/* struct flock (= struct flock64 on x86-64): fcntl's F_GETLK, F_SETLK,
 * F_SETLKW and the F_OFD_ forms. */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	uint32_t pad0;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	uint32_t pad1;
};

struct linux_iovec {
	uint64_t base;
	uint64_t len;
};

#endif
