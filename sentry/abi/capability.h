/* SPDX-License-Identifier: Apache-2.0 */
/* abi/capability.h: capability numbers and capget/capset structures. */
#ifndef CVISOR_ABI_CAPABILITY_H
#define CVISOR_ABI_CAPABILITY_H

#include <stdint.h>

#define LINUX_CAP_CHOWN 0
#define LINUX_CAP_DAC_OVERRIDE 1
#define LINUX_CAP_DAC_READ_SEARCH 2
#define LINUX_CAP_FOWNER 3
#define LINUX_CAP_FSETID 4
#define LINUX_CAP_KILL 5
#define LINUX_CAP_SETGID 6
#define LINUX_CAP_SETUID 7
#define LINUX_CAP_SETPCAP 8
#define LINUX_CAP_NET_BIND_SERVICE 10
#define LINUX_CAP_NET_ADMIN 12
#define LINUX_CAP_NET_RAW 13
#define LINUX_CAP_IPC_LOCK 14
#define LINUX_CAP_IPC_OWNER 15
#define LINUX_CAP_SYS_CHROOT 18
#define LINUX_CAP_SYS_PTRACE 19
#define LINUX_CAP_SYS_ADMIN 21
#define LINUX_CAP_SYS_NICE 23
#define LINUX_CAP_SYS_RESOURCE 24
#define LINUX_CAP_MKNOD 27
#define LINUX_CAP_SETFCAP 31
#define LINUX_CAP_LAST_CAP 40

#define LINUX_CAPABILITY_VERSION_1 0x19980330u
#define LINUX_CAPABILITY_VERSION_2 0x20071026u
#define LINUX_CAPABILITY_VERSION_3 0x20080522u

struct linux_cap_header {
	uint32_t version;
	int32_t pid;
};

struct linux_cap_data {
	uint32_t effective, permitted, inheritable;
};

#endif
