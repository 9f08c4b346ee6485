/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/socket.h: socket structures and constants as the x86-64 guest sees
 * them (include/uapi/linux/socket.h, un.h, asm-generic/socket.h).
 * Families, types and MSG_* flags come from the spec (gen/linux_flags.h).
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_SOCKET_H
#define CVISOR_ABI_SOCKET_H

#include <stdint.h>

#define LINUX_AF_MAX 46
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_MAX 11 /* SOCK_PACKET + 1 */

/* sockaddr_storage: the largest address any family takes. */
#define LINUX_SOCKADDR_STORAGE_SIZE 128

struct linux_sockaddr_storage {
	uint16_t family;
	char data[LINUX_SOCKADDR_STORAGE_SIZE - 2];
} __attribute__((aligned(8)));

#define LINUX_UNIX_PATH_MAX 108

struct linux_sockaddr_un {
	uint16_t sun_family;
	char sun_path[LINUX_UNIX_PATH_MAX];
};

/* offsetof(struct sockaddr_un, sun_path) */
#define LINUX_SUN_PATH_OFFSET 2

/* struct user_msghdr */
struct linux_msghdr {
	uint64_t name;
	int32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	uint32_t flags;
	uint32_t pad1;
};

struct linux_mmsghdr {
	struct linux_msghdr hdr;
	uint32_t len;
	uint32_t pad;
};

struct linux_cmsghdr {
	uint64_t len;
	int32_t level;
	int32_t type;
};

#define LINUX_CMSG_ALIGN(len) (((len) + 7) & ~(uint64_t)7)
#define LINUX_CMSG_HDRLEN sizeof(struct linux_cmsghdr)
#define LINUX_CMSG_LEN(len) (LINUX_CMSG_HDRLEN + (len))
#define LINUX_CMSG_SPACE(len) (LINUX_CMSG_HDRLEN + LINUX_CMSG_ALIGN(len))

struct linux_ucred {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};

struct linux_linger {
	int32_t onoff;
	int32_t linger;
};

/* SO_RCVTIMEO_OLD and _NEW have the same layout on x86-64. */
struct linux_sock_timeval {
	int64_t sec;
	int64_t usec;
};

#define LINUX_SOL_SOCKET 1

#define LINUX_SO_DEBUG 1
#define LINUX_SO_REUSEADDR 2
#define LINUX_SO_TYPE 3
#define LINUX_SO_ERROR 4
#define LINUX_SO_DONTROUTE 5
#define LINUX_SO_BROADCAST 6
#define LINUX_SO_SNDBUF 7
#define LINUX_SO_RCVBUF 8
#define LINUX_SO_KEEPALIVE 9
#define LINUX_SO_OOBINLINE 10
#define LINUX_SO_NO_CHECK 11
#define LINUX_SO_PRIORITY 12
#define LINUX_SO_LINGER 13
#define LINUX_SO_BSDCOMPAT 14
#define LINUX_SO_REUSEPORT 15
#define LINUX_SO_PASSCRED 16
#define LINUX_SO_PEERCRED 17
#define LINUX_SO_RCVLOWAT 18
#define LINUX_SO_SNDLOWAT 19
#define LINUX_SO_RCVTIMEO_OLD 20
#define LINUX_SO_SNDTIMEO_OLD 21
#define LINUX_SO_BINDTODEVICE 25
#define LINUX_SO_PEERNAME 28
#define LINUX_SO_TIMESTAMP_OLD 29
#define LINUX_SO_ACCEPTCONN 30
#define LINUX_SO_PEERSEC 31
#define LINUX_SO_SNDBUFFORCE 32
#define LINUX_SO_RCVBUFFORCE 33
#define LINUX_SO_PASSSEC 34
#define LINUX_SO_TIMESTAMPNS_OLD 35
#define LINUX_SO_MARK 36
#define LINUX_SO_PROTOCOL 38
#define LINUX_SO_DOMAIN 39
#define LINUX_SO_PEEK_OFF 42
#define LINUX_SO_COOKIE 57
#define LINUX_SO_PEERGROUPS 59
#define LINUX_SO_RCVTIMEO_NEW 66
#define LINUX_SO_SNDTIMEO_NEW 67

#define LINUX_SCM_RIGHTS 1
#define LINUX_SCM_CREDENTIALS 2
#define LINUX_SCM_MAX_FD 253

/* Socket ioctls (SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ) come from
 * spec/netopts.yaml (gen/netopts.h). */

/* recvmsg/sendmsg flags the syscalls reject. */
#define LINUX_MSG_CMSG_COMPAT 0x80000000u

#define LINUX_UIO_MAXIOV 1024

#endif
