/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/mqueue.h: POSIX message queue structures and limits as the x86-64
 * guest sees them (include/uapi/linux/mqueue.h, ipc/mq_sysctl.c).
 */
#ifndef CVISOR_ABI_MQUEUE_H
#define CVISOR_ABI_MQUEUE_H

#include <stdint.h>

struct linux_mq_attr {
	int64_t mq_flags;   /* O_NONBLOCK only */
	int64_t mq_maxmsg;
	int64_t mq_msgsize;
	int64_t mq_curmsgs;
	int64_t reserved[4];
};

#define LINUX_MQ_PRIO_MAX 32768
/* /proc/sys/fs/mqueue defaults: msg_default, msgsize_default, msg_max,
 * msgsize_max, queues_max. */
#define LINUX_DFLT_MSG 10
#define LINUX_DFLT_MSGSIZE 8192
#define LINUX_DFLT_MSGMAX 10
#define LINUX_DFLT_MSGSIZEMAX 8192
#define LINUX_DFLT_QUEUESMAX 256
/* What CAP_SYS_RESOURCE may reach. */
#define LINUX_HARD_MSGMAX 65536
#define LINUX_HARD_MSGSIZEMAX (16 * 1024 * 1024)

#endif
