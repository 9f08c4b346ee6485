/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/poll.h: poll(2) event bits as the x86-64 guest sees them (also the
 * event masks of the Sentry's wait queues).
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_POLL_H
#define CVISOR_ABI_POLL_H

#define LINUX_POLLIN 0x0001u
#define LINUX_POLLPRI 0x0002u
#define LINUX_POLLOUT 0x0004u
#define LINUX_POLLERR 0x0008u
#define LINUX_POLLHUP 0x0010u
#define LINUX_POLLNVAL 0x0020u
#define LINUX_POLLRDNORM 0x0040u
#define LINUX_POLLRDBAND 0x0080u
#define LINUX_POLLWRNORM 0x0100u
#define LINUX_POLLWRBAND 0x0200u
#define LINUX_POLLMSG 0x0400u
#define LINUX_POLLRDHUP 0x2000u

#endif
