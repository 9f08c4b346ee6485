/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scm.h: socket control messages (net/core/scm.c): SCM_RIGHTS file lists
 * and SCM_CREDENTIALS, parsed from a sender's control buffer and written
 * into a receiver's.
 */
#ifndef CVISOR_NET_SCM_H
#define CVISOR_NET_SCM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "sentry/abi/socket.h"

struct file;
struct socket;
struct sock_msg;
struct task;

/* The files of one SCM_RIGHTS message (all of a sendmsg's SCM_RIGHTS
 * cmsgs together), each referenced. */
struct scm_fp_list {
	TAILQ_ENTRY(scm_fp_list) link; /* while waiting to be released */
	uint32_t user;		       /* the sender's uid, charged for them */
	unsigned count;
	struct file *fp[];
};

struct scm_cookie {
	struct scm_fp_list *fp;
	/* Send: SCM_CREDENTIALS was given. Recv: the message's creds
	 * (pid 0 and uid/gid -1 when it carried none). */
	bool has_creds;
	struct linux_ucred creds;
};

/* The largest control buffer a sendmsg may pass (net.core.optmem_max). */
#define SCM_OPTMEM_MAX 131072

/*
 * Parse `len` bytes of control messages (a kernel copy) for a send on s by
 * t, as __scm_send: EINVAL for a malformed cmsg, an unknown SOL_SOCKET
 * type, more than SCM_MAX_FD files or SCM_RIGHTS outside AF_UNIX; EBADF
 * for a bad descriptor (O_PATH ones travel); EINVAL/EPERM/ESRCH for
 * credentials that are not the sender's own (unless capable). Cmsgs of
 * other levels are skipped.
 */
int scm_send(struct task *t, struct socket *s, const void *ctl, uint64_t len,
	     struct scm_cookie *out);
/* Drop what a cookie still holds. */
void scm_destroy(struct scm_cookie *);

/* A new list holding the same files again (MSG_PEEK clones them). */
struct scm_fp_list *scm_fp_dup(const struct scm_fp_list *);
/*
 * Put a list's files and free it. Releases are deferred and done in a
 * loop by the outermost call: a file in flight may be a socket whose
 * queue holds more files, and a chain of those must not recurse through
 * the Sentry's stack.
 */
void scm_fp_release(struct scm_fp_list *);

/* Write one cmsg into the receiver's control buffer (put_cmsg):
 * MSG_CTRUNC when it does not fit; 0 or -EFAULT. */
int scm_put_cmsg(struct sock_msg *, int level, int type, const void *data,
		 uint32_t len);
/* Deliver the cookie to a recvmsg of socket s (scm_recv_unix):
 * SCM_CREDENTIALS when s has SO_PASSCRED, then the files as new
 * descriptors (MSG_CMSG_CLOEXEC honoured) as far as the buffer holds them;
 * the rest are closed and MSG_CTRUNC set. Consumes the cookie. */
void scm_recv(struct socket *s, struct sock_msg *, struct scm_cookie *);

#endif
