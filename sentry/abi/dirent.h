/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/dirent.h: directory records of getdents64 and getdents.
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_DIRENT_H
#define CVISOR_ABI_DIRENT_H

#include <stdint.h>

#define LINUX_DT_UNKNOWN 0
#define LINUX_DT_FIFO 1
#define LINUX_DT_CHR 2
#define LINUX_DT_DIR 4
#define LINUX_DT_BLK 6
#define LINUX_DT_REG 8
#define LINUX_DT_LNK 10
#define LINUX_DT_SOCK 12

/* struct linux_dirent64: the name (NUL-terminated) follows the header;
 * records are padded to 8 bytes. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
} __attribute__((packed));
#define LINUX_DIRENT64_HDR 19

/* struct linux_dirent (getdents): name, NUL, padding, then d_type in the
 * record's last byte; records are padded to 8 bytes. */
struct linux_dirent {
	uint64_t d_ino;
	uint64_t d_off;
	uint16_t d_reclen;
	char d_name[];
} __attribute__((packed));
#define LINUX_DIRENT_HDR 18

/* The directory type of a mode's file type. */
static inline uint8_t linux_mode_to_dtype(uint32_t mode)
{
	return (uint8_t)((mode >> 12) & 15);
}

#endif
